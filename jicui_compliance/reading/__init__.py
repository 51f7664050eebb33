"""Reading: files → sheets → header row → canonical columns.

The forgiving reader of RULEBOOK §4/§8. It knows nothing about rules: it is given
the ledgers' header vocabulary, and returns tables whose every row keeps its
``source_file``, ``source_sheet`` and ``source_row`` (the Excel row or CSV line a
person sees), plus the problems (in Chinese) of what it could not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import _parallel
from .sources import WORKBOOK_SUFFIXES, InputError, RawSheet, SheetProblem, SourceFile, discover, read_file
from .tables import HeaderIndex, Table, Vocabulary, column_letter, locate
from ..text import PLACEHOLDERS, fold, normalize_header, normalize_name

__all__ = [
    "InputError", "PLACEHOLDERS", "RawSheet", "SheetProblem", "Submission", "Table", "Vocabulary",
    "column_letter", "fold", "normalize_header", "normalize_name", "read_submission",
]


@dataclass
class Submission:
    root: Path
    files: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)


#: below this many bytes of input, reading in one process is quicker than starting others
PROCESS_POOL_BYTES = 16 * 2**20


def read_submission(
    paths: list[str | Path],
    vocabulary: Vocabulary,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> Submission:
    """Read every ledger sheet under ``paths``; never raises for a bad file (only for a bad path).

    A large submission on Linux (:data:`PROCESS_POOL_BYTES`) is read by this process and
    forked copies of it (one process per core, or ``workers``), taking runs of files in turn;
    a fork sends its files' tables back as integer codes and distinct values, which cost
    little to send. Otherwise workbooks are parsed by a small thread pool (python-calamine
    releases the GIL while it parses) and CSV files in this thread. Results are always taken
    in file order, so the output does not depend on how many workers there are;
    ``workers=1`` reads everything in this thread.
    """
    found = discover(paths)
    sub = Submission(found.root, [f.rel for f in found.files])
    for rel, items in _read_all(found.files, HeaderIndex(vocabulary), workers):
        if progress:
            progress(rel)
        for item in items:
            (sub.problems if isinstance(item, SheetProblem) else sub.tables).append(item)
    return sub


def _read_one(src: SourceFile, index: HeaderIndex) -> list[Table | SheetProblem]:
    try:
        parts = read_file(src)
    except OSError as exc:
        parts = [SheetProblem(src.rel, "", f"文件无法读取（{exc.strerror or exc}）")]
    return [part if isinstance(part, SheetProblem) else locate(part, index) for part in parts]


def _read_all(files: list[SourceFile], index: HeaderIndex, workers: int | None) -> Iterator[tuple[str, list]]:
    """(file, its tables and problems) for every file, in file order."""
    cores = _parallel.cores()
    if workers == 1:
        for src in files:
            yield src.rel, _read_one(src, index)
        return
    if _forking_pays(files, workers or cores):
        # this process reads every n-th run of files itself while n - 1 forked ones read the rest
        n = min(workers or cores, len(files))
        # this process also takes in what the forks send: its own runs are a little smaller
        runs = _batches(files, [0.94 if i % n == 0 else 1.0 for i in range(4 * n)])
        for results in _parallel.alternate(runs, lambda run: [(src.rel, _read_one(src, index)) for src in run],
                                           processes=n):
            yield from results
        return
    with ThreadPoolExecutor(max_workers=workers or min(4, cores)) as pool:
        pending = {src.rel: pool.submit(_read_one, src, index) for src in files
                   if src.path.suffix.lower() in WORKBOOK_SUFFIXES}
        for src in files:
            yield src.rel, (pending[src.rel].result() if src.rel in pending else _read_one(src, index))


def _forking_pays(files: list[SourceFile], workers: int) -> bool:
    """Worker processes are forked only on Linux (fork is unsafe on macOS and absent on
    Windows), from a process with no other threads, for a submission large enough."""
    if workers < 2 or len(files) < 2 or not _parallel.can_fork():
        return False
    try:
        return sum(f.path.stat().st_size for f in files) >= PROCESS_POOL_BYTES
    except OSError:
        return False


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
