"""Reading: files → sheets → header row → canonical columns.

The forgiving reader of RULEBOOK §4/§8. It knows nothing about rules: it is given
the ledgers' header vocabulary, and returns tables whose every row keeps its
``source_file``, ``source_sheet`` and ``source_row`` (the Excel row or CSV line a
person sees), plus the problems (in Chinese) of what it could not read.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .sources import WORKBOOK_SUFFIXES, InputError, RawSheet, SheetProblem, SourceFile, discover, read_file
from .tables import HeaderIndex, Table, Vocabulary, column_letter, locate
from .text import PLACEHOLDERS, fold, normalize_header, normalize_name

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


def read_submission(
    paths: list[str | Path],
    vocabulary: Vocabulary,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> Submission:
    """Read every ledger sheet under ``paths``; never raises for a bad file (only for a bad path).

    Workbooks are parsed by a small thread pool (python-calamine releases the GIL while it
    parses) while CSV files, whose parsing here holds the GIL, are read in this thread;
    results are taken in file order, so the output does not depend on the number of workers.
    """
    found = discover(paths)
    index = HeaderIndex(vocabulary)
    sub = Submission(found.root, [f.rel for f in found.files])

    def one(src: SourceFile) -> list[Table | SheetProblem]:
        try:
            parts = read_file(src)
        except OSError as exc:
            parts = [SheetProblem(src.rel, "", f"文件无法读取（{exc.strerror or exc}）")]
        return [part if isinstance(part, SheetProblem) else locate(part, index) for part in parts]

    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = {src.rel: pool.submit(one, src) for src in found.files if src.path.suffix.lower() in WORKBOOK_SUFFIXES}
        for src in found.files:
            items = pending[src.rel].result() if src.rel in pending else one(src)
            if progress:
                progress(src.rel)
            for item in items:
                (sub.problems if isinstance(item, SheetProblem) else sub.tables).append(item)
    return sub
