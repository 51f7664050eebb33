"""Running the selected rules over a Context, one after another in this process."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .base import Rule
from .context import Context


def run_rules(rules: list[Rule], ctx: Context, on_rule: Callable[[Rule], None] | None = None) -> list[pd.DataFrame]:
    """Each rule's hits, in the order of ``rules``; ``on_rule(rule)`` is called as each has run."""
    hits = []
    for r in rules:
        hits.append(r(ctx))
        if on_rule:
            on_rule(r)
    return hits
