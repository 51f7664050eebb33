"""Sharing independent tasks between this process and forked copies of it.

Used where a large submission's work falls into independent pieces that only read what
this process already holds (typing one ledger, running one rule area): the fork inherits
it all without copying. Each process takes the next task that nobody has taken yet (so a
slow task does not hold up the rest), and the fork sends back its results. Both take from
the front of the list (put the longest tasks first), or, when results are large and so
costly to send (typed ledgers), this process takes from the front and the fork from the
back, until they meet: put the largest results first. Results come back in task order,
exactly as running every task here would give them. The fork is a plain process that
ends as soon as it has sent its results (through a queue: no thread in this process has
to be woken to receive them), and an error in it is raised here.

:func:`alternate` serves work that must come back in order (reading files): the forks
take every n-th task and send each result as soon as it has it.

Forking is used only on Linux (it is unsafe on macOS and absent on Windows), with more
than one core, and from a process with no other threads: elsewhere every task runs here.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
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
        out = context.Queue()
        process = context.Process(target=_take_all, args=(not fork_from_back, out), daemon=True)
        try:
            process.start()
            record(_take(front=True))
            ok, value = _next(out, process)
            if not ok:
                raise RuntimeError(f"并行的子进程出错 / a forked process failed:\n{value}")
            record(value)
        finally:
            _JOB = None
            _end(process)
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


def _take_all(front: bool, out) -> None:
    """What the forked process runs: its results, sent back whole (or what went wrong)."""
    _send(out, lambda: list(_take(front)))
    _flush(out)


def alternate(tasks: Sequence[T], run: Callable[[T], R], *, processes: int) -> Iterator[R]:
    """``run(t)`` of each task, yielded in task order. With ``processes`` > 1 (and
    :func:`can_fork`), ``processes - 1`` forked copies of this process take tasks
    ``1, n+1, 2n+1 …``, ``2, n+2 …`` and so on, and this one takes ``0, n, 2n …``.

    A fork puts each result on its own queue as soon as it has it (a feeder thread in the
    fork sends it while the fork goes on), and this process takes it from there when it
    reaches that task: nothing in this process has to wake up to keep the forks busy.
    An exception in a fork is raised here, at its task.
    """
    n = min(processes, len(tasks))
    if n < 2 or not can_fork():
        yield from (run(t) for t in tasks)
        return
    context = multiprocessing.get_context("fork")
    queues = [context.Queue() for _ in range(n - 1)]
    forks = [context.Process(target=_run_every, args=(tasks, run, k + 1, n, queues[k]), daemon=True)
             for k in range(n - 1)]
    for p in forks:
        p.start()
    try:
        for i, t in enumerate(tasks):
            k = i % n
            if k == 0:
                yield run(t)
                continue
            ok, value = _next(queues[k - 1], forks[k - 1])
            if not ok:
                raise RuntimeError(f"并行的子进程出错 / a forked process failed on task {i}:\n{value}")
            yield value
    finally:
        for p in forks:
            _end(p)


def _run_every(tasks: Sequence[T], run: Callable[[T], R], first: int, step: int, out) -> None:
    """What a fork of :func:`alternate` runs: tasks ``first, first+step …``, each result put
    on ``out`` as (True, result), or (False, traceback) and stop."""
    for i in range(first, len(tasks), step):
        if not _send(out, lambda: run(tasks[i])):
            break
    _flush(out)


def _send(out, compute: Callable[[], Any]) -> bool:
    """Put (True, what ``compute`` gives) on ``out``, or (False, its traceback): whether it worked."""
    try:
        out.put((True, compute()))
        return True
    except BaseException:
        out.put((False, traceback.format_exc()))
        return False


def _flush(out) -> None:
    """Before a fork ends: its feeder thread has sent everything put on ``out``."""
    out.close()
    out.join_thread()


def _next(q, process) -> tuple[bool, Any]:
    while True:
        try:
            return q.get(timeout=0.2)
        except queue.Empty:
            if not process.is_alive() and q.empty():
                return False, f"进程已退出（exit code {process.exitcode}）"


def _end(process) -> None:
    """Wait for a fork that has sent everything (it is ending), or stop one that has not."""
    if process.is_alive():
        process.join(timeout=1)
    if process.is_alive():
        process.terminate()
        process.join()
