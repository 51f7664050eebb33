"""Running the selected rules over a Context: here, or shared with a forked copy.

Rules only read the Context, so for a large submission the rule areas (HZ, HI, DR, …) are
shared out between this process and a forked copy of it (:mod:`jicui_compliance._parallel`),
areas reading the most rows first. An area stays in one process, so the rows its rules
prepare together (:func:`~jicui_compliance.rules.context.shared`) are prepared once. The
result is the same as running every rule here, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd

from .._parallel import share
from .base import Rule
from .context import Context

T = TypeVar("T")

#: below this many ledger rows, running every rule here is quicker than forking
FORK_ROWS = 100_000


def run_rules(rules: list[Rule], ctx: Context, on_rule: Callable[[Rule], None] | None = None,
              then: Callable[[Rule, pd.DataFrame], T] | None = None) -> list[pd.DataFrame] | list[T]:
    """Each rule's hits, in the order of ``rules``; with ``then``, ``then(rule, hits)`` of
    each instead, computed in the process that ran the rule (so that what comes back from
    a fork is the small result, and that work is shared too)."""
    by_id = {r.id: r for r in rules}

    def run(area: list[Rule]) -> list[tuple[str, object]]:
        return [(r.id, r(ctx) if then is None else then(r, r(ctx))) for r in area]

    def done(_: int, results: list[tuple[str, object]]) -> None:
        for rid, _result in results:
            if on_rule:
                on_rule(by_id[rid])

    fork = _forking_pays(ctx)
    if fork:  # resolve every ledger here, once, rather than in both processes
        ctx.resolve_all()
    areas = share(_areas(rules, ctx), run, fork=fork, on_done=done)
    results = dict(pair for area in areas for pair in area)
    return [results[r.id] for r in rules]


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
