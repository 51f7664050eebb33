"""Reading: files → sheets → header row → canonical columns.

The forgiving reader of RULEBOOK §4/§8. It knows nothing about rules: it is given
the ledgers' header vocabulary, and returns tables whose every row keeps its
``source_file``, ``source_sheet`` and ``source_row`` (the Excel row or CSV line a
person sees), plus the problems (in Chinese) of what it could not read.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from ..text import PLACEHOLDERS, fold, normalize_header, normalize_name, os_reason
from .sources import WORKBOOK_SUFFIXES, Discovery, InputError, RawSheet, SheetProblem, SourceFile, discover, read_file
from .tables import HeaderIndex, Table, Vocabulary, column_letter, locate

__all__ = [
    "Discovery", "InputError", "PLACEHOLDERS", "RawSheet", "SheetProblem", "SourceFile", "Submission", "Table",
    "START_METHOD", "Vocabulary", "column_letter", "cores", "discover", "fold", "gc_paused", "normalize_header", "normalize_name",
    "read_cost", "read_files", "read_submission", "sigint_ignored",
]


@dataclass
class Submission:
    root: Path
    files: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)


#: from this much input on (and with more than one core), files are read by this process and
#: a pool of worker processes together: below it, starting the workers costs more than they
#: save (measured in docs/dev.md, "大批量数据怎样跑得快"). Bytes of CSV; a byte of a workbook
#: (compressed) counts as :data:`WORKBOOK_WEIGHT`, about what it costs to read in comparison.
PROCESS_POOL_BYTES = 32 * 2**20
WORKBOOK_WEIGHT = 8

#: how worker processes are started: "spawn" on every platform (a fresh interpreter that
#: imports the reader), so that a run behaves alike on Linux, macOS and Windows and is safe
#: from a process that has other threads (a notebook kernel, a progress bar)
START_METHOD = "spawn"

#: the files are cut into about this many runs per reading process: small enough that the
#: processes finish together, large enough that a run is worth sending
RUNS_PER_PROCESS = 8


def read_submission(
    paths: list[str | Path],
    vocabulary: Vocabulary,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> Submission:
    """Read every ledger sheet under ``paths``; never raises for a bad file (only for a bad path).

    A large submission (:data:`PROCESS_POOL_BYTES`) is read by this process together with a
    pool of worker processes (``workers`` processes in all, this one included; by default
    one per core): see ``_read_in_processes``. Otherwise, or with ``workers=1``, every file
    is read in this thread. Results are always taken in file order, so the output does not
    depend on how many workers there are. An exception in a worker is raised here as the
    same exception.
    """
    found = discover(paths)
    return read_files(found.root, found.files, found.problems, vocabulary, progress, workers)


def read_files(
    root: Path,
    files: list[SourceFile],
    problems: list[SheetProblem],
    vocabulary: Vocabulary,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> Submission:
    """Read some of the files :func:`discover` found (``problems``: the discovery's problems that
    go with them), as :func:`read_submission` reads them all: a check by village reads each
    village's files in turn, with the same root, so every row keeps the same ``source_file``."""
    sub = Submission(root, [f.rel for f in files], problems=list(problems))
    for rel, items in _read_all(files, HeaderIndex(vocabulary), workers):
        if progress:
            progress(rel)
        for item in items:
            (sub.problems if isinstance(item, SheetProblem) else sub.tables).append(item)
    return sub


def _read_one(src: SourceFile, index: HeaderIndex) -> list[Table | SheetProblem]:
    with gc_paused():
        try:
            parts = read_file(src)
        except OSError as exc:
            parts = [SheetProblem(src.rel, "", f"文件无法读取（{os_reason(exc)}）")]
        except MemoryError:
            parts = [SheetProblem(src.rel, "", "文件太大，内存不足，无法读取；请拆分后重新报送")]
        return [part if isinstance(part, SheetProblem) else locate(part, index) for part in parts]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while one file is read (and while a check
    types and checks the ledgers, :func:`jicui_compliance.check.run_check`). A workbook arrives as
    a list of row lists (one tracked container per row): each full collection during the read
    walks them all, about 0.3 s of a county's 4 s read (docs/dev.md). Reading makes no
    reference cycles worth collecting at once; the collector runs as usual afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _read_run(run: list[SourceFile], index: HeaderIndex) -> list[tuple[str, list[Table | SheetProblem]]]:
    return [(src.rel, _read_one(src, index)) for src in run]


def cores() -> int:
    """Cores this process may run on (the process model's one measure, used by the store too)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _read_all(files: list[SourceFile], index: HeaderIndex, workers: int | None) -> Iterator[tuple[str, list]]:
    """(file, its tables and problems) for every file, in file order."""
    processes = workers or cores()
    if _pool_pays(files, processes):
        yield from _read_in_processes(files, index, processes)
        return
    for src in files:
        yield src.rel, _read_one(src, index)


def read_cost(path: Path) -> int:
    """What reading a file costs, in bytes of CSV: its size, a workbook's (compressed) times
    :data:`WORKBOOK_WEIGHT`; 0 for a file that cannot be looked at (the reader reports it)."""
    try:
        return path.stat().st_size * (WORKBOOK_WEIGHT if path.suffix.lower() in WORKBOOK_SUFFIXES else 1)
    except OSError:
        return 0


def _pool_pays(files: list[SourceFile], processes: int) -> bool:
    if processes < 2 or len(files) < 2:
        return False
    return sum(read_cost(f.path) for f in files) >= PROCESS_POOL_BYTES


def _read_in_processes(files: list[SourceFile], index: HeaderIndex, processes: int,
                       *, here: bool = True) -> Iterator[tuple[str, list]]:
    """Read ``files`` with ``processes - 1`` worker processes and this one, in file order.

    The files are cut, in order, into runs of about equal size. This process reads them
    from the first, and as soon as a worker has started (a fresh interpreter needs a moment
    to import the reader) it gives the workers runs from the last backwards, keeping two
    waiting for each, until the two ends meet; then it takes the workers' results in order.
    So nobody waits for a worker to start, and the work shares itself out whatever the speed
    of each process. With ``here=False`` every run goes to a worker (for the tests).

    The workers ignore Ctrl-C: this process stops, cancels what no worker has begun and
    waits for the runs being read.
    """
    runs = _batches(files, [1.0] * (RUNS_PER_PROCESS * processes))
    n_workers = max(1, min(processes - 1, len(runs)))
    pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=get_context(START_METHOD),
                               initializer=_start_worker, initargs=(index,))
    given: dict[int, Future] = {}  # run → its result to come, for the runs given to the workers
    finished = False
    try:
        with sigint_ignored():  # the workers start now, ignoring Ctrl-C (each would print a traceback)
            started = [pool.submit(_started) for _ in range(n_workers)]
        end = 0 if not here else len(runs)  # runs[end:] are the workers'
        given.update((j, pool.submit(_read_in_worker, runs[j])) for j in range(end, len(runs)))
        for i, run in enumerate(runs):
            if i < end and any(f.done() for f in started):
                while end - 1 > i and sum(not f.done() for f in given.values()) < 2 * n_workers:
                    end -= 1
                    given[end] = pool.submit(_read_in_worker, runs[end])
            yield from (_read_run(run, index) if i < end else given[i].result())
        finished = True
    finally:
        # when the workers were given nothing, this process does not wait for them to finish starting
        pool.shutdown(wait=not finished or bool(given), cancel_futures=True)


def _started() -> None:
    """A worker's first task: when it is done, that worker is ready."""


@contextmanager
def sigint_ignored() -> Iterator[None]:
    """Ctrl-C ignored meanwhile, so that processes started now ignore it from their first
    moment (where the platform passes it on; a worker also ignores it once started)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


_WORKER_INDEX: HeaderIndex | None = None  # set in each worker process by _start_worker


def _start_worker(index: HeaderIndex) -> None:
    global _WORKER_INDEX
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the process that started it
    _WORKER_INDEX = index


def _read_in_worker(run: list[SourceFile]) -> list[tuple[str, list[Table | SheetProblem]]]:
    assert _WORKER_INDEX is not None
    return _read_run(run, _WORKER_INDEX)


def _batches(files: list[SourceFile], weights: list[float]) -> list[list[SourceFile]]:
    """``files`` cut, in order, into ``len(weights)`` runs (or fewer) whose sizes in bytes
    are about in proportion to ``weights``."""
    sizes = []
    for f in files:
        try:
            sizes.append(max(f.path.stat().st_size, 1))
        except OSError:
            sizes.append(1)
    unit = sum(sizes) / sum(weights)
    out: list[list[SourceFile]] = [[]]
    filled = 0.0
    for f, size in zip(files, sizes):
        target = unit * weights[min(len(out), len(weights)) - 1]
        if out[-1] and filled + size / 2 > target and len(out) < len(weights):
            out.append([])
            filled = 0.0
        out[-1].append(f)
        filled += size
    return out
