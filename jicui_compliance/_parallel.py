"""Sharing independent tasks between this process and one forked copy of it.

Used where a large submission's work falls into independent pieces that only read what
this process already holds (typing one ledger, running one rule area): the fork inherits
it all without copying. Each process takes the next task that nobody has taken yet (so a
slow task does not hold up the rest), and the fork sends back its results. Both take from
the front of the list (put the longest tasks first), or, when results are large and so
costly to send (typed ledgers), this process takes from the front and the fork from the
back, until they meet: put the largest results first. Results come back in task order,
exactly as running every task here would give them.

Forking is used only on Linux (it is unsafe on macOS and absent on Windows), with more
than one core, and from a process with no other threads: elsewhere every task runs here.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# set just before forking; the forked copy reads it
_JOB: tuple[Sequence[Any], Callable[[Any], Any], Any] | None = None


def cores() -> int:
    """Cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork() -> bool:
    return sys.platform == "linux" and cores() > 1 and threading.active_count() == 1


def share(tasks: Sequence[T], run: Callable[[T], R], *, fork: bool, fork_from_back: bool = False,
          on_done: Callable[[int, R], None] | None = None) -> list[R]:
    """``[run(t) for t in tasks]``, shared with a forked process when ``fork`` (and
    :func:`can_fork`). ``on_done(i, result)`` is called as results arrive (the fork's all at
    once, when it has finished)."""
    results: dict[int, R] = {}

    def record(pairs: Iterator[tuple[int, R]] | list[tuple[int, R]]) -> None:
        for i, result in pairs:
            results[i] = result
            if on_done:
                on_done(i, result)

    if fork and len(tasks) > 1 and can_fork():
        global _JOB
        context = multiprocessing.get_context("fork")
        _JOB = (tasks, run, context.Array("i", [0, len(tasks)]))  # next from the front, end of the back
        try:
            with ProcessPoolExecutor(1, mp_context=context) as pool:
                forked = pool.submit(_take_all, not fork_from_back)
                record(_take(front=True))
                record(forked.result())
        finally:
            _JOB = None
    else:
        record((i, run(t)) for i, t in enumerate(tasks))
    return [results[i] for i in range(len(tasks))]


def _take(front: bool) -> Iterator[tuple[int, Any]]:
    """(index, result) of tasks run one after another, each the next from the front (or the
    back) that neither process has taken yet."""
    assert _JOB is not None
    tasks, run, bounds = _JOB
    while True:
        with bounds.get_lock():
            if bounds[0] >= bounds[1]:
                return
            if front:
                i = bounds[0]
                bounds[0] += 1
            else:
                bounds[1] -= 1
                i = bounds[1]
        yield i, run(tasks[i])


def _take_all(front: bool) -> list[tuple[int, Any]]:
    """What the forked process runs: its results, sent back whole."""
    return list(_take(front))

