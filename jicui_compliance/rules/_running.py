"""Running the selected rules over a Context, in order (one process: rules only read the
Context, and at county scale they take about half a second together)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .base import Rule
from .context import Context


def run_rules(rules: list[Rule], ctx: Context,
              on_rule: Callable[[Rule], None] | None = None) -> list[tuple[Rule, pd.DataFrame]]:
    """Each rule with its hits, in the order of ``rules``; ``on_rule`` is told after each one."""
    out = []
    for r in rules:
        out.append((r, r(ctx)))
        if on_rule:
            on_rule(r)
    return out
