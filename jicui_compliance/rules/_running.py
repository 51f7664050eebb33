"""Running the selected rules over a Context: in this process, or shared with a forked one.

Rules only read the Context, so for a large submission on Linux the rule areas (HZ, HI,
DR, …) are shared out between this process and one forked copy of it: each takes the
next area not yet taken (largest first) until none is left, and the fork sends back its
hits. An area stays in one process, so the rows its rules prepare together
(:func:`~jicui_compliance.rules.context.shared`) are prepared once. The result is the
same as running every rule here, in the same order.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from .base import Rule
from .context import Context

#: below this many ledger rows, running every rule here is quicker than forking
FORK_ROWS = 100_000

Hits = list[tuple[str, pd.DataFrame]]

# set in this process just before forking; the forked copy reads them
_JOB: tuple[Context, list[list[Rule]], object] | None = None


def run_rules(rules: list[Rule], ctx: Context, on_rule: Callable[[Rule], None] | None = None) -> list[pd.DataFrame]:
    """Each rule's hits, in the order of ``rules``."""
    global _JOB
    by_id = {r.id: r for r in rules}
    areas = _areas(rules, ctx)
    done: dict[str, pd.DataFrame] = {}

    def record(results) -> None:
        for rid, hits in results:
            done[rid] = hits
            if on_rule:
                on_rule(by_id[rid])

    if _forking_pays(ctx, len(areas)):
        fork = multiprocessing.get_context("fork")
        _JOB = (ctx, areas, fork.Value("i", 0))
        try:
            with ProcessPoolExecutor(1, mp_context=fork) as pool:
                forked = pool.submit(_take_areas)
                record(_areas_taken())
                record(forked.result())
        finally:
            _JOB = None
    else:
        record((r.id, r(ctx)) for r in rules)
    return [done[r.id] for r in rules]


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


def _forking_pays(ctx: Context, n_areas: int) -> bool:
    """Fork only on Linux, from a process with no other threads, for enough rows and areas."""
    if n_areas < 2 or sys.platform != "linux" or threading.active_count() > 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1 and sum(len(f) for f in ctx.ledgers.frames.values()) >= FORK_ROWS


def _areas_taken():
    """(rule ID, hits) of areas run one after another, each the next that neither process
    has taken yet."""
    assert _JOB is not None
    ctx, areas, counter = _JOB
    while True:
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        if i >= len(areas):
            return
        for r in areas[i]:
            yield r.id, r(ctx)


def _take_areas() -> Hits:
    """What the forked process runs: its areas' hits, sent back whole."""
    return list(_areas_taken())
