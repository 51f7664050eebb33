"""Reading: files → sheets → header row → canonical columns.

The forgiving reader of RULEBOOK §4/§8. It knows nothing about rules: it is given
the ledgers' header vocabulary, and returns tables whose every row keeps its
``source_file``, ``source_sheet`` and ``source_row`` (the Excel row or CSV line a
person sees), plus the problems (in Chinese) of what it could not read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .sources import InputError, RawSheet, SheetProblem, SourceFile, discover, read_file
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
) -> Submission:
    """Read every ledger sheet under ``paths``; never raises for a bad file (only for a bad path)."""
    found = discover(paths)
    index = HeaderIndex(vocabulary)
    sub = Submission(found.root, [f.rel for f in found.files])
    for src in found.files:
        if progress:
            progress(src.rel)
        try:
            parts = read_file(src)
        except OSError as exc:
            parts = [SheetProblem(src.rel, "", f"文件无法读取（{exc.strerror or exc}）")]
        for part in parts:
            if isinstance(part, SheetProblem):
                sub.problems.append(part)
                continue
            located = locate(part, index)
            (sub.problems if isinstance(located, SheetProblem) else sub.tables).append(located)
    return sub
