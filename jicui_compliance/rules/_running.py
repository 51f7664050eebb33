"""Running the selected rules over a Context: here, or shared with a forked copy.

Rules only read the Context, so for a large submission the rule areas (HZ, HI, DR, …) are
shared out between this process and a forked copy of it (:mod:`jicui_compliance._parallel`),
areas reading the most rows first. An area stays in one process, so the rows its rules
prepare together (:func:`~jicui_compliance.rules.context.shared`) are prepared once. The
result is the same as running every rule here, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .._parallel import share
from .base import Rule
from .context import Context

#: below this many ledger rows, running every rule here is quicker than forking
FORK_ROWS = 100_000


def run_rules(rules: list[Rule], ctx: Context, on_rule: Callable[[Rule], None] | None = None) -> list[pd.DataFrame]:
    """Each rule's hits, in the order of ``rules``."""
    by_id = {r.id: r for r in rules}

    def run(area: list[Rule]) -> list[tuple[str, pd.DataFrame]]:
        return [(r.id, r(ctx)) for r in area]

    def done(_: int, results: list[tuple[str, pd.DataFrame]]) -> None:
        for rid, _hits in results:
            if on_rule:
                on_rule(by_id[rid])

    areas = share(_areas(rules, ctx), run, fork=_forking_pays(ctx), on_done=done)
    hits = dict(pair for area in areas for pair in area)
    return [hits[r.id] for r in rules]


def _areas(rules: list[Rule], ctx: Context) -> list[list[Rule]]:
    """The rules grouped by area, the areas reading the most rows first."""
    frames = ctx.ledgers.frames
    total = sum(len(f) for f in frames.values())

    def rows(r: Rule) -> int:
        return total if "*" in r.reads else sum(len(frames[name]) for name in r.reads if name in frames)

    by_area: dict[str, list[Rule]] = {}
    for r in rules:
        by_area.setdefault(r.area, []).append(r)
    return sorted(by_area.values(), key=lambda group: -sum(rows(r) for r in group))


def _forking_pays(ctx: Context) -> bool:
    return sum(len(f) for f in ctx.ledgers.frames.values()) >= FORK_ROWS
