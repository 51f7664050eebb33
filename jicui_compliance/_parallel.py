"""Sharing independent tasks between this process and one forked copy of it.

Used where a large submission's work falls into independent pieces that only read what
this process already holds (typing one ledger, running one rule area): the fork inherits
it all without copying, each process takes the next task nobody has taken yet (so a slow
task does not hold up the rest), and the fork sends back its results. Results come back
in task order, exactly as running every task here would give them.

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


def share(tasks: Sequence[T], run: Callable[[T], R], *, fork: bool,
          on_done: Callable[[int, R], None] | None = None) -> list[R]:
    """``[run(t) for t in tasks]``, shared with a forked process when ``fork`` (and
    :func:`can_fork`); put the largest tasks first. ``on_done(i, result)`` is called as
    results arrive (the fork's all at once, when it has finished)."""
    results: dict[int, R] = {}

    def record(pairs: Iterator[tuple[int, R]] | list[tuple[int, R]]) -> None:
        for i, result in pairs:
            results[i] = result
            if on_done:
                on_done(i, result)

    if fork and len(tasks) > 1 and can_fork():
        global _JOB
        context = multiprocessing.get_context("fork")
        _JOB = (tasks, run, context.Value("i", 0))
        try:
            with ProcessPoolExecutor(1, mp_context=context) as pool:
                forked = pool.submit(_take_all)
                record(_take())
                record(forked.result())
        finally:
            _JOB = None
    else:
        record((i, run(t)) for i, t in enumerate(tasks))
    return [results[i] for i in range(len(tasks))]


def _take() -> Iterator[tuple[int, Any]]:
    """(index, result) of tasks run one after another, each the next that neither process
    has taken yet."""
    assert _JOB is not None
    tasks, run, counter = _JOB
    while True:
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        if i >= len(tasks):
            return
        yield i, run(tasks[i])


def _take_all() -> list[tuple[int, Any]]:
    """What the forked process runs: its results, sent back whole."""
    return list(_take())

