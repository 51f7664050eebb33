"""The helpers that share work with forked processes (jicui_compliance._parallel)."""

from __future__ import annotations

import os
import time

import pytest

from jicui_compliance import _parallel

needs_fork = pytest.mark.skipif(not _parallel.can_fork(), reason="work is shared with forked processes on Linux only")


def _square_where(i: int) -> tuple[int, int]:
    return i * i, os.getpid()


@needs_fork
@pytest.mark.parametrize("processes", [2, 3])
def test_alternate_gives_results_in_task_order_from_every_process(processes):
    got = list(_parallel.alternate(list(range(11)), _square_where, processes=processes))
    assert [v for v, _ in got] == [i * i for i in range(11)]
    pids = [pid for _, pid in got]
    assert {pids[i] for i in range(0, 11, processes)} == {os.getpid()}  # this process: tasks 0, n, 2n …
    assert os.getpid() not in {pids[i] for i in range(1, 11, processes)}  # a fork: tasks 1, n+1 …
    assert len(set(pids)) == processes


def test_alternate_runs_everything_here_with_one_process():
    got = list(_parallel.alternate([1, 2, 3], _square_where, processes=1))
    assert got == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]


def _fails_on_three(i: int) -> int:
    if i == 3:
        raise ValueError("bad task three")
    return i


@needs_fork
def test_a_failure_in_a_fork_is_raised_here_at_its_task():
    seen = []
    with pytest.raises(RuntimeError, match="bad task three"):
        for v in _parallel.alternate(list(range(6)), _fails_on_three, processes=2):
            seen.append(v)
    assert seen == [0, 1, 2]  # task 3 (a fork's) fails; nothing after it is given out


def _dies_on_three(i: int) -> int:
    if i == 3 and os.getpid() != PARENT:
        os._exit(9)
    return i


PARENT = os.getpid()


@needs_fork
def test_a_fork_that_dies_is_reported_not_waited_for():
    with pytest.raises(RuntimeError, match="exit code 9"):
        list(_parallel.alternate(list(range(6)), _dies_on_three, processes=2))


def _where(i: int) -> tuple[int, int]:
    time.sleep(0.1)  # long enough for the fork to start and take its share, even on a busy machine
    return i, os.getpid()


@needs_fork
@pytest.mark.parametrize("from_back", [False, True])
def test_share_gives_every_result_in_task_order(from_back):
    got = _parallel.share(list(range(10)), _where, fork=True, fork_from_back=from_back)
    assert [i for i, _ in got] == list(range(10))
    assert len({pid for _, pid in got}) == 2  # both processes took tasks
    assert got[0][1] == os.getpid()  # this process starts from the front


def _fails_in_the_fork(i: int) -> int:
    time.sleep(0.1)
    if os.getpid() != PARENT:
        raise ValueError("bad task in the fork")
    return i


@needs_fork
def test_a_failure_in_the_fork_of_share_is_raised_here():
    with pytest.raises(RuntimeError, match="bad task in the fork"):
        _parallel.share(list(range(10)), _fails_in_the_fork, fork=True, fork_from_back=True)
