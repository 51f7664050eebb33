"""Files → sheets: discovery, encodings, workbooks.

Each input file becomes zero or more :class:`RawSheet` (a grid of cell values
whose row ``i`` is Excel row / CSV line ``line_numbers[i]``), or a
:class:`SheetProblem` saying in Chinese why it could not be read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any
from xml.sax.handler import ContentHandler
from xml.sax.saxutils import XMLGenerator

import numpy as np
import pandas as pd

from ..text import os_reason
from .cells import FormulaError, UnsavedFormula

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_SHOWN_WORKBOOKS = (".xlsx", ".xls", ".xlsm", ".xlsb", ".ods")  # as the analyst is told them
assert set(_SHOWN_WORKBOOKS) == WORKBOOK_SUFFIXES
CSV_SUFFIXES = {".csv"}
_UTF8_BOM = b"\xef\xbb\xbf"


class InputError(Exception):
    """The inputs cannot be used at all (no such path); the command exits 2."""


#: one column of a CSV file as the reader hands it on: (codes, distinct texts). ``codes[i]`` is
#: row ``i``'s index into the distinct texts, -1 where the row has no cell there (a line narrower
#: than the widest). Empty cells ("") are a text like any other here; :func:`.tables.locate` treats
#: them as missing. The distinct texts stay a pyarrow string array, as pyarrow's parser gives them:
#: only the ledger's columns become Python texts, once for all sheets of a ledger
#: (:func:`jicui_compliance.ledgers.load`).
Column = tuple[np.ndarray, Any]


@dataclass
class RawSheet:
    """A grid of cell values whose row ``i`` is Excel row / CSV line ``line_numbers[i]``: a
    workbook's as one 2-D object array (``grid``), a CSV file's by column as codes + distinct
    texts (``columns``, :data:`Column`): a CSV file never has a Python object per cell."""

    file: str  # relative to the submission root, '/' separators
    sheet: str  # "" for CSV
    line_numbers: np.ndarray  # row i is this Excel row / CSV line (1-based)
    encoding: str = ""  # CSV only
    #: a workbook's cells (rows × columns), whose columns :meth:`column_arrays` gives as views
    grid: np.ndarray | None = field(default=None, repr=False)
    #: a CSV file's columns (positional, 0..n-1)
    columns: list[Column] | None = field(default=None, repr=False)
    #: a workbook's merged ranges across two columns or more, as rows of (first row, first column, last row,
    #: last column), 0-based grid positions cut to the grid (:func:`_across`): a note merged across the table
    #: is told by them (:func:`.tables._merged_notes`)
    merged: np.ndarray | None = field(default=None, repr=False)
    _top: tuple[int, list[list[str]]] | None = field(default=None, repr=False, compare=False)  # :meth:`head`'s texts

    def __len__(self) -> int:
        return len(self.line_numbers)

    @property
    def width(self) -> int:
        if self.grid is not None:
            return self.grid.shape[1]
        return len(self.columns or ())

    def column_arrays(self) -> list[np.ndarray]:
        """A workbook's columns as object arrays (views of what the reader holds: no copy of the sheet)."""
        return list(self.grid.T) if self.grid is not None else []

    def head(self, n: int, width: int | None = None) -> list[tuple[Any, ...]]:
        """The first ``n`` rows (of their first ``width`` cells) as tuples of cell values (a CSV
        line's missing cells are "")."""
        n = min(n, len(self))
        if self.grid is not None:
            top = self.grid[:n, :width]
            return list(zip(*top.T)) if top.shape[1] else [()] * n
        if self._top is None or self._top[0] < n:  # the first rows' texts, kept for the next look
            rows = max(n, HEAD_ROWS)
            self._top = (rows, _head_texts([(codes[:rows], uniques) for codes, uniques in self.columns or []]))
        cols = [cells[:n] for cells in self._top[1][:width]]
        return list(zip(*cols)) if cols else [()] * n

    @property
    def cells(self) -> pd.DataFrame:
        """The whole grid, one object per cell, positional columns 0..n-1: for people and tests;
        the reader itself works on :attr:`grid` and :attr:`columns`."""
        if self.grid is not None:
            return pd.DataFrame(self.grid, dtype=object, copy=False)
        return pd.DataFrame({j: _texts(codes, uniques) for j, (codes, uniques) in enumerate(self.columns or ())},
                            index=range(len(self)), dtype=object)


def _texts(codes: np.ndarray, uniques: Any) -> np.ndarray:
    """A CSV column's cells as texts ("" where a line has no cell); as long as ``codes``, whatever
    the number of distinct texts."""
    out = np.full(len(codes), "", dtype=object)
    have = codes >= 0
    if have.any():
        out[have] = uniques.take(codes[have]).to_numpy(zero_copy_only=False)
    return out


#: :meth:`RawSheet.head` turns at least this many first rows of a CSV file into texts, once: the
#: rows the header is looked for in (:data:`.tables.SCAN_ROWS` and one)
HEAD_ROWS = 31


def _head_texts(columns: list[Column]) -> list[list[str]]:
    """The cells of a few first rows of CSV columns as texts ("" where a line has no cell). pyarrow
    numbers a column's distinct texts in order of first use: the first rows use the first few, and
    those of all columns become Python texts together."""
    import pyarrow as pa

    pieces: list[Any] = []
    spans: list[tuple[np.ndarray, bool]] = []  # (codes, whether the piece holds the distinct texts in order)
    for codes, uniques in columns:
        top = int(codes.max()) + 1 if len(codes) else 0
        if top <= 4 * len(codes):  # the first distinct texts
            pieces.append(uniques.slice(0, top))
            spans.append((codes, True))
        else:  # a line pyarrow did not read (a title), whose texts come last: each cell's text in turn
            pieces.append(uniques.take(codes[codes >= 0]))
            spans.append((codes, False))
    texts = pa.concat_arrays(pieces).to_numpy(zero_copy_only=False).tolist() if pieces else []
    out, at = [], 0
    for piece, (codes, in_order) in zip(pieces, spans):
        mine = texts[at : at + len(piece)]
        at += len(piece)
        if in_order:
            out.append([mine[c] if c >= 0 else "" for c in codes.tolist()])
        else:
            rest = iter(mine)
            out.append([next(rest) if c >= 0 else "" for c in codes.tolist()])
    return out


@dataclass
class SheetProblem:
    file: str
    sheet: str
    reason: str  # Chinese, for the SCH000 message
    #: the ledgers a header row fits equally well (their keys appear in ``reason``; the SCH000 rule,
    #: which knows the ledgers' Chinese titles, names them by title)
    tied: tuple[str, ...] = ()


@dataclass
class SourceFile:
    path: Path
    rel: str


@dataclass
class Discovery:
    root: Path
    files: list[SourceFile] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)  # what could not be listed, and why


#: limits of what is read (docs/guide/formats.md, “读取的上限”): a file beyond one is an SCH000
#: naming the limit, and the other files are read. They bound the memory of a check.
MAX_DEPTH = 32  # folder levels below the submission root
MAX_UNCOMPRESSED = 512 * 2**20  # bytes of a workbook's parts once unzipped (.xlsx/.xlsm/.ods)
MAX_COLUMNS = 256  # columns of a sheet or CSV line (IV, the last column of an .xls)
MAX_CELLS = 20_000_000  # cells of a sheet's used range (rows × columns)
MAX_CSV_BYTES = 256 * 2**20  # size of a CSV file
MAX_LINE_BYTES = 1 * 2**20  # one CSV line


def shown_name(name: str) -> str:
    """A file name as shown: bytes that are not UTF-8 (a GBK name unzipped from a Windows zip)
    become the replacement character �, so that every output can write it."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def discover(paths: list[str | Path]) -> Discovery:
    """List the input files, sorted by their path relative to the submission root.

    The root is the folder given (or the common folder of several inputs). Excel lock
    files (``~$…``) and hidden files (``.…``, e.g. ``.DS_Store``) are not submissions and
    are ignored; everything else is listed, so that an unreadable file is reported. A folder
    that cannot be opened, a broken or looping link, a special file (a pipe, a device) and a
    folder deeper than :data:`MAX_DEPTH` are problems (SCH000) with the reason.
    """
    if not paths:
        raise InputError("未指定输入路径")
    resolved = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise InputError(f"输入路径不存在：{shown_name(str(p))}")
        resolved.append(path.resolve())
    if len(resolved) == 1:
        root = resolved[0] if resolved[0].is_dir() else resolved[0].parent
    else:
        parents = [r if r.is_dir() else r.parent for r in resolved]
        root = Path(_common_path(parents))
    found: dict[str, SourceFile] = {}
    problems: dict[str, SheetProblem] = {}
    for path in resolved:
        entries = _walk(path, root, problems) if path.is_dir() else [path]
        for f in entries:
            rel_parts = f.relative_to(root).parts
            if any(part.startswith(".") for part in rel_parts) or f.name.startswith("~$"):
                continue
            rel = shown_name("/".join(rel_parts))
            if not f.is_file():
                problems.setdefault(rel, SheetProblem(rel, "", "不是普通文件（管道、设备等特殊文件），未读取"))
                continue
            found.setdefault(rel, SourceFile(f, rel))
    return Discovery(root, [found[k] for k in sorted(found)], [problems[k] for k in sorted(problems)])


def _walk(top: Path, root: Path, problems: dict[str, SheetProblem]) -> list[Path]:
    """Every entry under ``top`` that is not a folder (iterative: any depth without recursion),
    following links to folders once; what cannot be listed goes to ``problems``."""
    import os

    def rel(p: Path) -> str:
        return shown_name("/".join(p.relative_to(root).parts)) or "."

    out: list[Path] = []
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Path, int]] = [(top, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            st = folder.stat()
        except OSError as exc:
            problems[rel(folder)] = SheetProblem(rel(folder), "", f"文件夹无法打开（{os_reason(exc)}）")
            continue
        if (st.st_dev, st.st_ino) in seen:
            problems[rel(folder)] = SheetProblem(rel(folder), "", "链接指向它自己所在的文件夹（循环链接），未读取")
            continue
        seen.add((st.st_dev, st.st_ino))
        if depth > MAX_DEPTH:
            problems[rel(folder)] = SheetProblem(rel(folder), "", f"文件夹层级超过 {MAX_DEPTH} 层，其中的文件未读取")
            continue
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems[rel(folder)] = SheetProblem(rel(folder), "", f"文件夹无法打开（{os_reason(exc)}）")
            continue
        for e in entries:
            path = Path(e.path)
            if e.name.startswith(".") or e.name.startswith("~$"):
                continue
            try:
                is_dir = e.is_dir()  # follows links
            except OSError as exc:
                problems[rel(path)] = SheetProblem(rel(path), "", f"无法读取（{os_reason(exc)}）")
                continue
            if is_dir:
                stack.append((path, depth + 1))
                continue
            if e.is_symlink() and not path.exists():
                try:
                    path.resolve(strict=True)
                    reason = "链接指向的文件不存在（失效的链接）"
                except RuntimeError:
                    reason = "链接指向它自己（循环链接）"
                except OSError as exc:
                    reason = ("链接指向它自己（循环链接）" if getattr(exc, "errno", 0) == 40
                              else "链接指向的文件不存在（失效的链接）")
                problems[rel(path)] = SheetProblem(rel(path), "", reason + "，未读取")
                continue
            out.append(path)
    return out


def _common_path(paths: list[Path]) -> str:
    import os

    return os.path.commonpath([str(p) for p in paths])


# -- CSV ---------------------------------------------------------------------------------
def decode_csv(raw: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 with BOM, UTF-8, or GB18030 (a superset of GBK), detected.

    Raises ``ValueError`` with a Chinese reason when none fits.
    """
    if raw.startswith(_UTF8_BOM):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ValueError("文件为 UTF-16 编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = _decode_gb(raw)
    except UnicodeDecodeError:
        raise ValueError("无法识别文件编码（既不是 UTF-8，也不是 GB18030/GBK）") from None
    if "\x00" in text:
        raise ValueError("无法识别文件编码（含空字符，可能是 UTF-16）")
    return text, "GB18030"


def _decode_gb(raw: bytes) -> str:
    """GB18030 bytes decoded. Python's GBK decoder is about a quarter faster, and wherever it decodes
    a text, it decodes it as the GB18030 decoder does (GBK is GB18030 without its four-byte forms; every
    one- and two-byte sequence GBK accepts, GB18030 reads as the same character: ``tests/test_reading.py``
    checks all 65,536 pairs); a file with a four-byte form fails GBK and is decoded as GB18030."""
    try:
        return raw.decode("gbk")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _line_breaks(b: np.ndarray) -> np.ndarray:
    """Positions of the last byte of each line break: ``\n``, ``\r\n`` (its ``\n``) or a lone ``\r``
    (old Mac files), as the CSV parser and a spreadsheet program count lines."""
    newline = b == 10
    lone_cr = b == 13
    lone_cr[:-1] &= ~newline[1:]
    return np.flatnonzero(newline | lone_cr)


def _stray_quotes(b: np.ndarray, sep: bytes) -> bool:
    """Whether a quote stands inside a cell (``5"钢管``): neither at a cell's edge (after a separator or
    a line's start, before a separator or a line's end) nor doubled (``""`` in a quoted cell). Such a
    quote opens nothing, so counting quotes no longer tells where a record ends."""
    at = np.flatnonzero(b == 34)
    edges = np.array([sep[0], 10, 13, 34], dtype=np.uint8)  # a separator, a line break, or a quote beside it
    before = np.isin(b[at - 1], edges) | (at == 0)
    after = np.isin(b[np.minimum(at + 1, len(b) - 1)], edges) | (at == len(b) - 1)
    return bool((~before & ~after).any())


def _record_start_lines(data: bytes, n_records: int, sep: bytes = b",") -> np.ndarray:
    """1-based line number on which each CSV record starts (quoted line breaks span lines).

    ``data`` is the file's bytes in UTF-8 or GB18030: in both, the bytes of ``"`` and of a
    line break never occur inside another character. A line break ends a record when the
    quotes before it are even in number; when that does not give ``n_records`` records, or when a
    quote stands inside an unquoted cell (as in ``5"钢管``: it opens nothing, and with a quote never
    closed further down the count can come out right by chance), the records are counted by
    Python's ``csv`` module, which reads quotes as the parser does.
    """
    if b'"' not in data:
        return np.arange(1, n_records + 1)
    b = np.frombuffer(data, dtype=np.uint8)
    breaks = _line_breaks(b)
    quotes_before = np.searchsorted(np.flatnonzero(b == 34), breaks)
    ends_record = (quotes_before % 2) == 0
    # line numbers (1-based) of the lines that end a record; the next record starts one after
    ending_lines = np.flatnonzero(ends_record) + 1
    starts = np.concatenate([[1], ending_lines + 1])
    last_end = int(breaks[ends_record][-1]) if ends_record.any() else -1
    if len(ending_lines) + (last_end < len(b) - 1) == n_records and not _stray_quotes(b, sep):
        return starts[:n_records]
    # csv's line_num is the number of lines read after each record: a record starts one after the previous
    reader = _records(data, sep)
    lines, previous = [], 0
    for _ in reader:
        lines.append(previous + 1)
        previous = reader.line_num
    return np.asarray((lines + [lines[-1] if lines else 1] * n_records)[:n_records])


def read_csv(src: SourceFile) -> list[RawSheet | SheetProblem] | SheetProblem:
    """One CSV file as a sheet. UTF-8 (with or without BOM) is parsed as it is, once checked to
    be UTF-8; a file that is not UTF-8 is decoded as GB18030 and parsed in UTF-8 (see
    :func:`decode_csv`: the same detection, without decoding UTF-8 files twice). The parser is
    pyarrow's (:func:`_parse_csv`). A workbook under a CSV file's name (a zip or an old .xls, told
    by its first bytes) is read as the workbook it is (:func:`read_workbook`)."""
    size = src.path.stat().st_size
    if size > MAX_CSV_BYTES and _content_kind(src.path):
        return read_workbook(src)
    if size > MAX_CSV_BYTES:
        return SheetProblem(src.rel, "", f"文件大小 {size / 2**20:.0f} MB，超过 CSV 文件的上限 {MAX_CSV_BYTES // 2**20} MB；"
                                         "请按村或按台账拆分后报送")
    raw = src.path.read_bytes()
    if _kind_of(raw[:8]):
        return read_workbook(src)
    if raw[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in raw and raw.count(b"\x00") * 10 < len(raw):
        raw = raw.replace(b"\x00", b"")  # NUL bytes (a damaged export) are removed, not copied into outputs
    widest = _widest_line(raw) if len(raw) > MAX_LINE_BYTES else 0  # a smaller file has no longer line
    if widest > MAX_LINE_BYTES:
        return SheetProblem(src.rel, "", f"有一行长 {widest / 2**20:.1f} MB，超过单行的上限 {MAX_LINE_BYTES // 2**20} MB；"
                                         "这不像一份台账，请检查文件")
    if _blank(raw) or raw.startswith(_UTF8_BOM) and _blank(raw[3:6]) and _blank(raw[3:]):  # nothing, or a UTF-8 mark only
        return SheetProblem(src.rel, "", "空文件，没有任何内容")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return SheetProblem(src.rel, "", "文件为 UTF-16 编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    bom = raw.startswith(_UTF8_BOM)
    data, encoding = (raw[3:], "UTF-8 (BOM)") if bom else (raw, "UTF-8")
    utf8 = bom or _starts_as_utf8(raw)
    if utf8 and not _valid_utf8(data):  # strictly: pyarrow's parser is not asked to check (check_utf8=False)
        if bom:
            try:
                data.decode("utf-8")  # what is wrong, and where
            except UnicodeDecodeError as exc:
                line = data[:exc.start].count(b"\n") + 1
                return SheetProblem(src.rel, "", f"文件带 UTF-8 标记（BOM），但第 {line} 行有不是 UTF-8 的字符；"
                                                 "请用记事本或 Excel 另存为 UTF-8 编码的 CSV")
        utf8 = False
    if not utf8:
        try:
            text, encoding = decode_csv(raw)
        except ValueError as exc:
            return SheetProblem(src.rel, "", str(exc))
        data = text.encode("utf-8")
    sep = _separator(data)
    parsed = _parse_csv(data, sep)
    if isinstance(parsed, str):
        return SheetProblem(src.rel, "", f"CSV 格式无法解析：{parsed}")
    columns, n_rows = parsed
    lines = _record_start_lines(raw if encoding == "GB18030" else data, n_rows, sep)
    if n_rows and _unclosed_quote(data, int(lines[-1]), sep):
        return SheetProblem(src.rel, "", f"CSV 格式无法解析：第 {lines[-1]} 行有一个引号没有配对的结束引号，"
                                         "从这里到文件末尾会被读成一格；请检查这一行的引号")
    return [RawSheet(src.rel, "", lines, encoding, columns=columns)]


def _valid_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8, as strictly as Python decodes it (no surrogates, no overlong forms),
    checked by pyarrow without making a Python text of it (half the time of ``bytes.decode``)."""
    import pyarrow as pa

    if len(data) >= 2**31:  # one text of pyarrow's string type holds less
        try:
            data.decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32).tobytes())
    try:
        pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(data)]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _blank(raw: bytes) -> bool:
    """``not raw.strip()``, without copying the file (``bytes.isspace`` knows the same white space)."""
    return not raw or raw.isspace()


def _widest_line(raw: bytes) -> int:
    """Bytes of the longest line (any line break ends one: an old Mac file's lone CR too)."""
    ends = _line_breaks(np.frombuffer(raw, dtype=np.uint8))
    bounds = np.concatenate([[-1], ends, [len(raw)]])
    return int(np.diff(bounds).max()) - 1 if len(raw) else 0


def _starts_as_utf8(raw: bytes) -> bool:
    """Whether the first 4 KiB are UTF-8 (a title or header row in GBK seldom is)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw[:4096], final=False)
        return True
    except UnicodeDecodeError:
        return False


def _separator(data: bytes) -> bytes:
    """Of comma, tab and semicolon (Excel's “CSV” where the list separator is ;), the one the start of
    the file has most of; comma on a tie. A ； inside Chinese text is full-width, not a separator."""
    sample = data[:20000]
    return max((b",", b"\t", b";"), key=sample.count)


def _usual_width(data: bytes, sep: bytes) -> int:
    """How many cells most of the first 100 lines have (the wider on a tie): the table's width,
    which pyarrow is told; title lines, footers and other lines of another width are read apart
    (:func:`_parse_csv`). With a quote among those lines (a quoted line break splits a record),
    the records are counted as the csv module reads them."""
    start = data[:1 << 16]  # the first 100 lines, without copying the rest of the file (split's last piece)
    start = start if start.count(b"\n") >= 100 else data
    head = [line for chunk in start.split(b"\n", 100)[:100] for line in chunk.splitlines()][:100]  # CR ends a line too
    if any(b'"' in line for line in head):
        widths = [len(r) for r in _records(b"\n".join(head), sep) if r]
    else:
        widths = [line.count(sep) + 1 for line in head]
    if not widths:
        return 1
    counts: dict[int, int] = {}
    for w in widths:
        counts[w] = counts.get(w, 0) + 1
    return max(counts, key=lambda w: (counts[w], w))


def _parse_csv(data: bytes, sep: bytes) -> tuple[list[Column], int] | str:
    """UTF-8 bytes → (the columns as codes + distinct texts, the number of records), or the
    parser's complaint (in Chinese) if it cannot read them.

    pyarrow parses the file into dictionary-encoded columns (each column's distinct texts once,
    and an integer per cell, straight from its C++ parser): no Python object per cell. It is told
    the table's usual width (:func:`_usual_width`); a record of another width (a title, a footer,
    a line with an extra cell) is handed back by pyarrow's ``invalid_row_handler`` with its text
    and record number, read by Python's ``csv`` module and put in its place. Nothing is skipped.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    width = _usual_width(data, sep)
    if width > MAX_COLUMNS:
        return f"有一行有 {width} 列，超过上限 {MAX_COLUMNS} 列"
    odd: dict[int, str] = {}  # record number (1-based) → its text

    def handle(row: Any) -> str:
        odd[row.number] = row.text
        return "skip"

    names = [str(j) for j in range(width)]
    dictionary = pa.dictionary(pa.int32(), pa.string())  # a column: its distinct texts, an index per cell
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False,
                                           block_size=max(len(data) + 1, 1 << 20)),  # one block: record numbers known
            parse_options=pacsv.ParseOptions(delimiter=sep.decode(), newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=handle),
            convert_options=pacsv.ConvertOptions(column_types={n: dictionary for n in names}, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False, check_utf8=False),
        )
    except (pa.ArrowException, ValueError):
        return "各行的分隔符或引号无法对齐，文件结构异常；请用 Excel 打开检查后另存为 CSV"
    n_rows = table.num_rows + len(odd)
    odd_rows: dict[int, list[str]] = {number - 1: next(_records(line.encode("utf-8"), sep), [])
                                      for number, line in odd.items()}
    # the widest record: pyarrow's width counts only when pyarrow read a record of it
    total_width = max([width if table.num_rows else 0] + [len(cells) for cells in odd_rows.values()])
    if total_width > MAX_COLUMNS:
        return f"有一行有 {total_width} 列，超过上限 {MAX_COLUMNS} 列"
    placed = np.ones(n_rows, dtype=bool)  # the records pyarrow read
    placed[list(odd_rows)] = False
    columns: list[Column] = []
    for j in range(total_width):
        if j < width:
            chunks = table.column(j).chunks
            if len(chunks) == 1:
                codes = chunks[0].indices.to_numpy(zero_copy_only=False)
                uniques = chunks[0].dictionary
            else:  # no record at all, or (never with one block) several blocks
                codes, uniques = _unified(chunks)
        else:
            codes, uniques = np.full(table.num_rows, -1, dtype=np.int32), _string_array([])
        if odd_rows:
            full = np.full(n_rows, -1, dtype=np.int32)
            full[placed] = codes
            uniques = _add_cells(full, uniques, {i: cells[j] for i, cells in odd_rows.items() if j < len(cells)})
            codes = full
        columns.append((codes, uniques))
    return columns, n_rows


def _unified(chunks: list[Any]) -> Column:
    """A column read in several blocks (or none): one table of distinct texts, in order of first use."""
    values: dict[str, int] = {}
    parts = [np.zeros(0, dtype=np.int32)]
    for chunk in chunks:
        mapping = np.array([values.setdefault(v, len(values)) for v in chunk.dictionary.to_pylist()], dtype=np.int32)
        idx = chunk.indices.to_numpy(zero_copy_only=False)
        parts.append(mapping[idx] if len(mapping) else idx.astype(np.int32))
    return np.concatenate(parts), _string_array(list(values))


def _string_array(texts: list[str]) -> Any:
    import pyarrow as pa

    return pa.array(texts, type=pa.string())


def _add_cells(codes: np.ndarray, uniques: Any, cells: dict[int, str]) -> Any:
    """Put ``cells`` (row → text) into a column's ``codes``: a text already among ``uniques`` takes
    its code, a new one is added. Returns the distinct texts (only the new ones become Python texts)."""
    import pyarrow.compute as pc

    if not cells:
        return uniques
    texts = list(cells.values())
    found = pc.index_in(_string_array(texts), value_set=uniques).to_pylist() if len(uniques) else [None] * len(texts)
    index: dict[str, int] = {}
    extra: list[str] = []
    for row, t, code in zip(cells, texts, found):
        if code is None:
            code = index.get(t)
            if code is None:
                code = index[t] = len(uniques) + len(extra)
                extra.append(t)
        codes[row] = code
    if not extra:
        return uniques
    import pyarrow as pa

    return pa.concat_arrays([uniques, _string_array(extra)])


def _records(data: bytes, sep: bytes) -> Any:  # csv.reader: its records, and line_num
    """The records of UTF-8 CSV bytes as Python's csv module reads them (quotes as the parser reads them)."""
    return csv.reader(io.StringIO(data.decode("utf-8", "replace"), newline=""), delimiter=sep.decode())


def _unclosed_quote(data: bytes, last_line: int, sep: bytes) -> bool:
    """Whether the last record (starting on ``last_line``) opens a quoted cell that is never
    closed: the parser would read the rest of the file into that cell, and the records in it
    would be lost. The last record of a file with a quote is read again by the csv module, strictly
    (not only of a file with an odd number of quotes: a quote inside a cell, as in ``5"钢管``, and one
    never closed make an even number)."""
    if b'"' not in data:  # most files have no quote at all: told at once
        return False
    breaks = _line_breaks(np.frombuffer(data, dtype=np.uint8))
    start = int(breaks[last_line - 2]) + 1 if last_line > 1 else 0
    try:
        for _ in csv.reader(io.StringIO(data[start:].decode("utf-8", "replace"), newline=""), delimiter=sep.decode(),
                            strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# -- workbooks ---------------------------------------------------------------------------
def read_workbook(src: SourceFile) -> list[RawSheet | SheetProblem] | SheetProblem:
    from python_calamine import CalamineWorkbook

    if src.path.stat().st_size == 0:
        return SheetProblem(src.rel, "", "空文件（0 字节），无法作为 Excel 工作簿打开")
    scan = ZipScan()
    suffix = src.path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".ods"} or suffix in {".xls", ".csv"} and _content_kind(src.path) == ".xlsx":
        scan = scan_zip(src.path)
        if scan.problem:
            return SheetProblem(src.rel, "", scan.problem)
    try:
        if scan.untrimmed:  # blank cells far out: calamine reads a copy without them
            trimmed = trimmed_workbook(src.path, scan.untrimmed)
            if isinstance(trimmed, str):
                return SheetProblem(src.rel, "", trimmed)
            wb = CalamineWorkbook.from_filelike(trimmed)
        else:
            wb = _open_workbook(src.path)
    except Exception:  # calamine raises its own error types; all mean "cannot open"
        return SheetProblem(src.rel, "", f"Excel 文件已损坏或不是有效的工作簿，无法打开（{_why_unopened(src.path)}）")
    errors = formula_cells(src.path, scan.with_formulas) if scan.with_formulas else {}
    out: list[RawSheet | SheetProblem] = []
    with wb:
        for name in wb.sheet_names:
            try:
                sheet = wb.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            except Exception:
                out.append(SheetProblem(src.rel, name, "工作表无法读取（这张表的数据已损坏）；请用 Excel 打开检查后另存为 .xlsx"))
                continue
            if not rows or (not any(_filled(v) for row in rows for v in row) and not errors.get(name)):
                continue  # a completely empty sheet (the default Sheet2; spaces only) is not a submission
            grid = _grid(rows)
            del rows
            _place_formula_cells(grid, errors.get(name, {}))
            _fill_merged(grid, merged)
            out.append(RawSheet(src.rel, name, np.arange(1, len(grid) + 1), grid=grid,
                                merged=_across(merged, grid.shape)))
    return out


def _across(merged, shape: tuple[int, int]) -> np.ndarray:
    """calamine's merged ranges (((r0, c0), (r1, c1)), …) that span two columns or more, as an array of
    (r0, c0, r1, c1) cut to the grid (a sheet has a few: titles, notes, a wide cell)."""
    n_rows, n_cols = shape
    spans = [(r0, c0, min(r1, n_rows - 1), min(c1, n_cols - 1)) for (r0, c0), (r1, c1) in merged
             if c1 > c0 and r0 < n_rows and c0 < n_cols - 1]
    return np.array(spans, dtype=np.int64).reshape(-1, 4)


def _filled(v: Any) -> bool:
    """A cell that holds something: not empty, not only white space (a stray space in A1)."""
    return v is not None and (not isinstance(v, str) or not v.isspace() and v != "")


def _grid(rows: list[list[Any]]) -> np.ndarray:
    """calamine's rows as one 2-D object array, the values as calamine gives them (no type
    inference, no Python code per cell): the cells in one pass of ``numpy.fromiter`` into an
    array of the rows' width (calamine's rows are all as wide as the sheet's used range; about 60%
    of the time of ``numpy.array``, which looks into every value). Rows of different widths,
    should a reader ever give them, are padded with None to the widest."""
    widths = set(map(len, rows))
    width = max(widths, default=0)
    if len(widths) > 1:
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    cells = np.fromiter(chain.from_iterable(rows), dtype=object, count=len(rows) * width)
    return cells.reshape(len(rows), width)


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_ROW_NUMBER = re.compile(rb'<row[^>]*?\sr="(\d+)"')
_FAR_CELL = re.compile(rb'<c r="([A-Z]{3}|[J-Z][A-Z]|I[W-Z])(\d+)"')  # column IW (257) or further
#: a cell of column AA or further: every far cell is one, and most sheets have none, which this
#: simpler pattern tells sooner than :data:`_FAR_CELL` (only then is that one searched)
_WIDE_CELL = re.compile(rb'<c r="[A-Z][A-Z]')
_ERROR_TYPE = b't="e"'  # an error cell (#REF!, #N/A …), which calamine reads as empty
#: how a formula cell saved without its result ends, as programs write it (openpyxl: ``<f>F5+30</f><v></v></c>``;
#: others: ``<f>…</f></c>``, a shared formula's other cells ``<f t="shared" si="0"/></c>``, ``<v/>``); calamine
#: reads such a cell as empty. Excel writes a formula whose result is empty text as ``t="str"`` with ``<v></v>``:
#: that one is empty, as calamine reads it (:func:`_formula_cell`)
_UNSAVED_ENDS = (b"</f></c>", b"<v></v></c>", b"/></c>")
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
_CHUNK = 4 * 2**20


def is_encrypted(path: Path) -> bool:
    """An Excel workbook saved with a password: an OLE2 container with an ``EncryptedPackage``."""
    with path.open("rb") as fh:
        head = fh.read(2**20)
    return head.startswith(_OLE_MAGIC) and _ENCRYPTED in head


@dataclass
class ZipScan:
    """What :func:`scan_zip` found in a zipped workbook."""

    problem: str | None = None  # beyond a limit: the SCH000 reason
    #: worksheet parts whose cells reach beyond the limits (a far cell, rows far below the data):
    #: read from a copy without their blank cells (:func:`trimmed_workbook`)
    untrimmed: list[str] = field(default_factory=list)
    #: worksheet parts that hold error cells, or may hold formulas saved without their result (:func:`formula_cells`)
    with_formulas: list[str] = field(default_factory=list)


def scan_zip(path: Path) -> ZipScan:
    """Check a zipped workbook against the limits before any parser sees it.

    The uncompressed size is taken from the zip directory, then each worksheet is unzipped in
    chunks (never whole, never beyond :data:`MAX_UNCOMPRESSED` in all, whatever the directory
    claims) to find its extent: the last row and the cells beyond column 256. A sheet whose cells
    (rows × columns) exceed :data:`MAX_CELLS` is refused. A sheet that reaches beyond the limits
    is listed in ``untrimmed``: whether that is content or only blank cells (a space typed at
    XFD1048576) is for :func:`trimmed_workbook` to tell. Sheets with error cells, or with a cell
    ending as a formula without its result does (:data:`_UNSAVED_ENDS`), are listed in ``with_formulas``;
    a sheet without them costs one more search of its bytes, and a sheet with formulas three more.
    """
    scan = ZipScan()
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                scan.problem = (f"解压后大小 {total / 2**20:.0f} MB，超过工作簿的上限 {MAX_UNCOMPRESSED // 2**20} MB；"
                                "请拆分后报送（或检查文件是否异常）")
                return scan
            budget = MAX_UNCOMPRESSED
            for info in infos:
                if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                    continue
                last_row, size, far, errors = 0, 0, False, False
                tail = b""
                with z.open(info) as fh:
                    while chunk := fh.read(_CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            scan.problem = f"解压后大小超过工作簿的上限 {MAX_UNCOMPRESSED // 2**20} MB（压缩包目录所记的大小不实）"
                            return scan
                        size += len(chunk)
                        data = tail + chunk
                        far = far or _has_far_cell(data)
                        errors = errors or _holds(data, _ERROR_TYPE, 3) or _may_be_unsaved(data)
                        last_row = max(last_row, _last_row_number(data))
                        tail = data[-64:]
                # Rows and cells are counted only when they could matter: a cell takes at least the
                # 3 bytes of "<c ", and a sheet of at most MAX_CELLS / MAX_COLUMNS rows is within
                # the limit however wide. Only a large sheet is unzipped a second time to count.
                if size > 3 * MAX_CELLS or last_row * MAX_COLUMNS > MAX_CELLS:
                    rows, cells = _count_rows_and_cells(z, info)
                    if cells > MAX_CELLS:
                        scan.problem = f"工作表有 {cells} 个单元格，超过上限 {MAX_CELLS} 个；请拆分后报送"
                        return scan
                    width = min(MAX_COLUMNS, 2 * (cells // max(rows, 1)) + 8)
                    far = far or last_row * width > MAX_CELLS
                if far:
                    scan.untrimmed.append(info.filename)
                if errors:
                    scan.with_formulas.append(info.filename)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return ZipScan()  # the parser says what is wrong with it
    except Exception:  # zlib.error and the like: a damaged file, which the parser reports
        return ZipScan()
    return scan


def _has_far_cell(data: bytes) -> bool:
    """Whether ``data`` holds a cell of column IW or further (:data:`_FAR_CELL`), searched
    from the first cell of column AA (:data:`_WIDE_CELL`) on: a sheet without one is told at once."""
    wide = _WIDE_CELL.search(data)
    return wide is not None and _FAR_CELL.search(data, wide.start()) is not None


def _count_rows_and_cells(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The row and cell elements of a worksheet (unzipped in chunks, as :func:`scan_zip` does)."""
    rows = cells = 0
    tail = b""
    with z.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            rows += data.count(b"<row ") - tail.count(b"<row ")
            cells += data.count(b"<c ") - tail.count(b"<c ")
            tail = data[-64:]
    return rows, cells


def _last_row_number(data: bytes) -> int:
    """The number of the last row element in ``data`` (0 if none): rows come in order, so
    only the last one is parsed, unless it is cut off at the end of the chunk."""
    m = _ROW_NUMBER.match(data, max(data.rfind(b"<row"), 0))
    if m is None:
        found = _ROW_NUMBER.findall(data)
        return int(found[-1]) if found else 0
    return int(m.group(1))


def zip_over_limits(path: Path) -> str | None:
    """Why a zipped workbook is beyond the limits, or None (:func:`scan_zip`, then
    :func:`trimmed_workbook` for the sheets that reach far)."""
    scan = scan_zip(path)
    if scan.problem or not scan.untrimmed:
        return scan.problem
    got = trimmed_workbook(path, scan.untrimmed)
    return got if isinstance(got, str) else None


def _local(name: str) -> str:
    """An XML name without its namespace: ``{ns}c`` or ``x:c`` → ``c``."""
    return name.rpartition("}")[2].rpartition(":")[2]


def _cell_index(ref: str | None) -> tuple[int, int] | None:
    """``B7`` → (6, 1): 0-based row and column of a cell reference."""
    m = _CELL_REF.match(ref or "")
    return None if m is None else (int(m.group(2)) - 1, _column_number(m.group(1)) - 1)


def _parts(z: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    """(worksheet part → sheet name, the shared-strings part) from the workbook's relationships."""
    import posixpath
    import xml.etree.ElementTree as ET

    rels: dict[str, tuple[str, str]] = {}
    for el in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")):
        target = el.get("Target") or ""
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        rels[el.get("Id") or ""] = (part, (el.get("Type") or "").rpartition("/")[2])
    names = {}
    for el in ET.fromstring(z.read("xl/workbook.xml")).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            if rid in rels:
                names[rels[rid][0]] = el.get("name") or ""
    shared = next((part for part, kind in rels.values() if kind == "sharedStrings"), None)
    return names, shared


#: a formula's tag with a namespace prefix (``<x:f>``, as the OpenXML SDK and some system exports write every tag)
_PREFIXED_FORMULA = re.compile(rb"<\w+:f[ >/]")
#: how such a cell ends without its result (:data:`_UNSAVED_ENDS`, prefixed)
_PREFIXED_UNSAVED = re.compile(rb"</\w+:f></\w+:c>|<\w+:v></\w+:v></\w+:c>|<\w+:v/></\w+:c>|/></\w+:c>")


def _may_be_unsaved(data: bytes) -> bool:
    """Whether ``data`` may hold a formula saved without its result (:data:`_UNSAVED_ENDS`, or the same with
    prefixed tags): a sheet without formulas is told at once (:func:`_holds`)."""
    if _holds(data, b"<f", 1) and any(end in data for end in _UNSAVED_ENDS):
        return True
    return (_holds(data, b":f", 1) and _PREFIXED_FORMULA.search(data) is not None
            and _PREFIXED_UNSAVED.search(data) is not None)


#: how many occurrences of its rare byte :func:`_holds` looks at one by one before it searches for the text instead
_FEW = 64


def _holds(data: bytes, text: bytes, key: int) -> bool:
    """``text in data``, found through the byte of ``text`` at ``key``: a byte rare in a sheet's XML, found one
    occurrence at a time (a single byte is found as fast as memory is read), each compared.

    A sheet's rows and cells (``<row r="2" spans="1:15"><c r="A2" s="1" t="s"><v>0</v></c>``) hold neither the
    letter f of a formula's tag (``<f``, ``:f`` as in ``<x:f>``) nor the e of an error cell's type (``t="e"``);
    only a few attribute names of the sheet's head and foot (defaultRowHeight, footer), inline text and the
    attributes some programs give each row (customHeight) do. A search for a text of two to five bytes instead
    looks at every ``<`` or ``"``: over the clean county's 178 MB of sheets about 0.1–0.17 s each, this about
    0.01 s. Past :data:`_FEW` occurrences (English text, formulas, rows with attributes) ``text`` is searched
    for as before."""
    byte = text[key:key + 1]
    at = data.find(byte)
    for _ in range(_FEW):
        if at < 0:
            return False
        if at >= key and data.startswith(text, at - key):
            return True
        at = data.find(byte, at + 1)
    return at >= 0 and text in data


FormulaCell = FormulaError | UnsavedFormula


def formula_cells(path: Path, parts: list[str]) -> dict[str, dict[tuple[int, int], FormulaCell]]:
    """sheet name → (row, column) → each error cell (:class:`~.cells.FormulaError`) and each formula
    saved without its result (:class:`~.cells.UnsavedFormula`) of ``parts``, the sheets
    :func:`scan_zip` found such cells in.

    Each sheet is unzipped in chunks; each ``t="e"`` found is in the start tag of an error cell, and
    each end of :data:`_UNSAVED_ENDS` ends a cell that may be a formula without its result: that
    cell is cut out whole (from its ``<c `` to its ``</c>``) and parsed by ElementTree. A sheet whose
    cells do not parse on their own (a namespace prefix) is parsed whole, streaming.
    """
    out: dict[str, dict[tuple[int, int], FormulaCell]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            names, _ = _parts(z)
            for part in parts:
                found = _formula_cells_by_search(z, part)
                if found is None:
                    found = _formula_cells_by_parsing(z, part)
                if part in names:
                    out[names[part]] = found
    except Exception:  # a damaged part: calamine has read what it could, these cells stay empty
        return out
    return out


def _formula_cell(el: Any) -> FormulaCell | None:
    """What a ``<c>`` element (ElementTree, with or without a namespace) is: an error cell with its code,
    a formula saved without its result (no ``<v>``, or an empty one; empty text, ``t="str"``, is a result),
    or neither (None)."""
    kind = el.get("t")
    f = v = None
    for child in el:
        tag = _local(child.tag)
        if tag == "f":
            f = child
        elif tag == "v":
            v = child
    value = (v.text or "").strip() if v is not None else None
    if kind == "e" and value:
        return FormulaError(sys.intern(value))
    if f is not None and (value is None or not value and kind != "str"):
        return UnsavedFormula((f.text or "").strip().removeprefix("="))
    return None


def _cell_start(data: bytes, pos: int) -> int:
    """Where the cell around ``pos`` starts (its ``<c ``), or -1 when it cannot be told by bytes (a
    prefixed ``<x:c>``: the nearest ``<c `` before is a cell already closed)."""
    start = data.rfind(b"<c ", 0, pos)
    if start < 0 or data.find(b"</c>", start, pos) >= 0:
        return -1
    return start


def _open_cell(data: bytes) -> int:
    """Where the last cell of ``data`` starts if it is not closed within ``data`` (it goes on in the
    next chunk), else -1."""
    start = data.rfind(b"<c ")
    if start < 0 or data.find(b"</c>", start) >= 0:
        return -1
    tag_end = data.find(b">", start)
    return -1 if tag_end > 0 and data[tag_end - 1 : tag_end] == b"/" else start  # <c r="A1" s="1"/> is closed


def _formula_cells_by_search(z: zipfile.ZipFile, part: str) -> dict[tuple[int, int], FormulaCell] | None:
    import xml.etree.ElementTree as ET

    found: dict[tuple[int, int], FormulaCell] = {}
    carry = b""
    with z.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            data = carry + chunk
            if b":f" in data and _PREFIXED_FORMULA.search(data):
                return None  # <x:c><x:f>…: the cells cannot be cut out by bytes, parse the sheet whole
            open_at = _open_cell(data)  # a cell that goes on in the next chunk is read there, whole
            keep_from = open_at if open_at >= 0 else data.rfind(b"<")  # a tag may go on in the next chunk
            starts: set[int] = set()
            pos = data.find(_ERROR_TYPE)
            while pos >= 0:
                start = data.rfind(b"<", 0, pos)
                if not data.startswith(b"<c ", start):
                    return None  # <x:c …>, or the text t="e" in an inline string: parse the sheet whole
                if start != open_at:
                    starts.add(start)
                pos = data.find(_ERROR_TYPE, pos + 1)
            if b"<f" in data:
                for ending in _UNSAVED_ENDS:
                    pos = data.find(ending)
                    while pos >= 0:
                        start = _cell_start(data, pos)
                        if start < 0:
                            return None
                        starts.add(start)
                        pos = data.find(ending, pos + 1)
            for start in starts:
                end = data.find(b"</c>", start)
                cell_bytes = data[start : end + 4]
                head = cell_bytes[: cell_bytes.find(b">") + 1]
                if b't="str"' in head and (b"<v></v>" in cell_bytes or b"<v/>" in cell_bytes):
                    continue  # a formula whose result is empty text, as Excel saves it: an empty cell
                try:
                    cell = ET.fromstring(cell_bytes)
                except ET.ParseError:
                    return None
                got = _formula_cell(cell)
                where = _cell_index(cell.get("r"))
                if got is not None and where is not None:
                    found[where] = got
            carry = data[max(keep_from, 0) :]
    return found


def _formula_cells_by_parsing(z: zipfile.ZipFile, part: str) -> dict[tuple[int, int], FormulaCell]:
    import xml.etree.ElementTree as ET

    found: dict[tuple[int, int], FormulaCell] = {}
    with z.open(part) as fh:
        parent = None
        for event, el in ET.iterparse(fh, events=("start", "end")):
            tag = _local(el.tag)
            if event == "start":
                if tag == "sheetData":
                    parent = el
                continue
            if tag == "c":
                got = _formula_cell(el)
                where = _cell_index(el.get("r"))
                if got is not None and where is not None:
                    found[where] = got
            elif tag == "row" and parent is not None:
                parent.clear()  # the rows read so far
    return found


def _place_formula_cells(cells: np.ndarray, found: dict[tuple[int, int], FormulaCell]) -> None:
    """Put each error cell and formula without its result into the grid (calamine gives ""). A cell
    beyond the range calamine read (a row below the table holding only formulas) is no record: not placed."""
    n_rows, n_cols = cells.shape
    for (r, c), value in found.items():
        if r < n_rows and c < n_cols and cells[r, c] in ("", None):
            cells[r, c] = value


def trimmed_workbook(path: Path, parts: list[str]) -> io.BytesIO | str:
    """A copy of the workbook in memory whose sheets ``parts`` have no blank cells (no value,
    or only white space: a space typed at XFD1048576), or why the content itself is beyond the
    limits (the farthest cell with content, or rows × columns of the content).

    The used range is what has content, not what the dimension or a blank cell claims: calamine
    is given the copy, and never builds the range a blank cell would stretch. Each sheet is
    streamed through the standard library's SAX parser into the copy, so memory stays bounded.
    """
    import shutil
    import xml.sax

    buf = io.BytesIO()
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as copy:
        _, shared = _parts(z)
        blank = _blank_strings(z, shared) if shared and shared in z.namelist() else frozenset()
        for info in z.infolist():
            target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            target.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info) as src, copy.open(target, "w", force_zip64=True) as dst:
                if info.filename not in parts:
                    shutil.copyfileobj(src, dst, _CHUNK)
                    continue
                text = io.TextIOWrapper(dst, encoding="utf-8", errors="xmlcharrefreplace", newline="\n")
                handler = _BlankCellFilter(text, blank)
                parser = xml.sax.make_parser()
                parser.setContentHandler(handler)
                parser.parse(src)
                text.flush()
                text.detach()
                over = handler.over_limits()
                if over:
                    return over
    buf.seek(0)
    return buf


def _blank_strings(z: zipfile.ZipFile, part: str) -> frozenset[int]:
    """Indices of the shared strings that are empty or only white space."""
    import xml.etree.ElementTree as ET

    blank = []
    i = 0
    root = None
    with z.open(part) as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            if event == "start":
                root = el if root is None else root
                continue
            if _local(el.tag) == "si":
                if not "".join(el.itertext()).strip():
                    blank.append(i)
                i += 1
                if root is not None:
                    root.clear()
    return frozenset(blank)


class _BlankCellFilter(ContentHandler):
    """SAX handler: copies a worksheet to ``out`` without its blank cells, and measures the
    extent of the cells kept (the content)."""

    _VALUE = frozenset({"v", "t"})  # elements whose text is a cell's value (<v>, inline <is><t>)

    def __init__(self, out: io.TextIOWrapper, blank_strings: frozenset[int]):
        super().__init__()
        self.out = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self.blank_strings = blank_strings
        self.cell: list[tuple[int, str, Any]] | None = None  # the events of the cell being read
        self.value: list[str] = []
        self.in_value = 0
        self.last_row = self.last_col = 0
        self.far_ref = ""

    def startDocument(self) -> None:
        self.out.startDocument()

    def endDocument(self) -> None:
        self.out.endDocument()

    def processingInstruction(self, target: str, data: str) -> None:
        self.out.processingInstruction(target, data)

    def startElement(self, name: str, attrs) -> None:
        if self.cell is not None:
            self.cell.append((0, name, attrs))
            self.in_value += _local(name) in self._VALUE
        elif _local(name) == "c":
            self.cell = [(0, name, attrs)]
            self.value = []
        else:
            self.out.startElement(name, attrs)

    def characters(self, content: str) -> None:
        if self.cell is None:
            self.out.characters(content)
            return
        self.cell.append((1, content, None))
        if self.in_value:
            self.value.append(content)

    def ignorableWhitespace(self, whitespace: str) -> None:
        self.characters(whitespace)

    def endElement(self, name: str) -> None:
        if self.cell is None:
            self.out.endElement(name)
            return
        self.cell.append((2, name, None))
        if _local(name) in self._VALUE:
            self.in_value -= 1
        elif _local(name) == "c":
            self._end_cell()

    def _end_cell(self) -> None:
        assert self.cell is not None
        attrs = self.cell[0][2]
        kind = attrs.get("t")
        text = "".join(self.value).strip()
        if kind == "s":
            blank = text.isdigit() and int(text) in self.blank_strings
        else:
            blank = kind != "e" and not text
        where = _cell_index(attrs.get("r"))
        if blank and where is not None:  # a cell without a reference stays: dropping it would move the next
            self.cell = None
            return
        if where is not None:
            self.last_row = max(self.last_row, where[0] + 1)
            if where[1] + 1 > self.last_col:
                self.last_col, self.far_ref = where[1] + 1, attrs.get("r")
        for kind_, a, b in self.cell:
            if kind_ == 0:
                self.out.startElement(a, b)
            elif kind_ == 1:
                self.out.characters(a)
            else:
                self.out.endElement(a)
        self.cell = None

    def over_limits(self) -> str | None:
        if self.last_col > MAX_COLUMNS:
            return (f"工作表在第 {MAX_COLUMNS} 列（IV 列）之外有内容（最远在 {self.far_ref}），超过列数上限 {MAX_COLUMNS}；"
                    "请删除多余的列后另存")
        if self.last_row * self.last_col > MAX_CELLS:
            return (f"工作表的内容延伸到第 {self.last_row} 行、第 {self.last_col} 列，超过单元格上限 {MAX_CELLS} 个；"
                    "请删除多余的行（常见于误输入的内容）或拆分后报送")
        return None


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _fill_merged(cells: np.ndarray, merged) -> None:
    """Give every cell of a merged range the value of its top-left cell, as a person reads it."""
    n_rows, n_cols = cells.shape
    for (r0, c0), (r1, c1) in merged:
        if r0 >= n_rows or c0 >= n_cols:
            continue
        r1, c1 = min(r1, n_rows - 1), min(c1, n_cols - 1)
        value = np.empty((), dtype=object)
        value[()] = cells[r0, c0]  # the value itself, whatever it is (never taken apart as a sequence)
        cells[r0 : r1 + 1, c0 : c1 + 1] = value


def _content_kind(path: Path) -> str:
    """What a workbook is by its first bytes: ".xlsx" for a zip (.xlsx, .xlsm, .xlsb, .ods are zips),
    ".xls" for an OLE2 container (a legacy .xls), "" for anything else."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return ""
    return _kind_of(head)


def _kind_of(head: bytes) -> str:
    """:func:`_content_kind` of a file whose first bytes are ``head``."""
    if head.startswith(b"PK\x03\x04"):
        return ".xlsx"
    return ".xls" if head == _OLE_MAGIC else ""


def _open_workbook(path: Path) -> Any:
    """calamine's workbook of ``path``, by its extension; one whose content is another kind of workbook
    (an .xlsx saved under .xls, an old .xls under .xlsx: some systems export them so, and Excel opens
    them) is read by its content, which calamine tells when given the bytes."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception:
        kind = _content_kind(path)
        named = path.suffix.lower()
        if not kind or kind == named or kind == ".xlsx" and named in {".xlsm", ".xlsb", ".ods"}:
            raise  # damaged, or no other kind than its name says: reported as it is
        with open(path, "rb") as fh:
            return CalamineWorkbook.from_filelike(fh)


def _why_unopened(path: Path) -> str:
    """What a workbook that cannot be opened is, judged by its first bytes, in the analyst's words."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        head = b""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"<":
        return "文件内容是网页（HTML）或 XML 文本，不是真正的 Excel 工作簿，常见于从业务系统导出的表格；请用 Excel 打开后另存为 .xlsx"
    if head[:2] == b"PK":
        return "文件是压缩包格式，但不是完整的 Excel 工作簿，可能已损坏或只传了一部分；请重新导出或另存为 .xlsx"
    if head[:4] == b"\xd0\xcf\x11\xe0":
        return "旧版 Excel（.xls）文件已损坏；请用 Excel 打开后另存为 .xlsx"
    return "文件内容不是 Excel 工作簿，可能已损坏或改了扩展名；请用 Excel 打开检查后另存为 .xlsx"


#: WPS 表格's own formats (.et, its templates .ett), which the reader does not take
WPS_SUFFIXES = {".et", ".ett"}


def _not_a_ledger_file(suffix: str) -> str:
    """Why a file of another type is not read: the types that are (:data:`WORKBOOK_SUFFIXES`,
    :data:`CSV_SUFFIXES`), and for a WPS 表格 file, how to make one of them."""
    accepted = "、".join(_SHOWN_WORKBOOKS)
    reason = f"不是台账文件（{suffix or '无扩展名'}）：只接受 {accepted} 工作簿和 .csv 文件"
    if suffix in WPS_SUFFIXES:
        reason = f"WPS 表格文件（{suffix}）不能直接读取：只接受 {accepted} 工作簿和 .csv 文件；请用 WPS 另存为 .xlsx 后重新报送"
    return reason


def read_file(src: SourceFile) -> list[RawSheet | SheetProblem]:
    suffix = src.path.suffix.lower()
    result: list[RawSheet] | list[RawSheet | SheetProblem] | SheetProblem
    if suffix in CSV_SUFFIXES:  # an Excel workbook saved under .csv (some systems export so) is read by its content
        result = read_csv(src)
    elif suffix in WORKBOOK_SUFFIXES:
        if suffix in {".xlsx", ".xlsm", ".xls"} and src.path.stat().st_size and is_encrypted(src.path):
            return [SheetProblem(src.rel, "", "工作簿设置了打开密码，无法读取：已加密，请另存为不加密的文件后重新报送")]
        if (suffix in {".xlsx", ".xlsm"} and not zipfile.is_zipfile(src.path) and src.path.stat().st_size
                and _content_kind(src.path) != ".xls"):  # an old .xls saved under .xlsx is read as what it is
            return [SheetProblem(src.rel, "", f"Excel 文件已损坏或不是有效的 .xlsx 工作簿，无法打开（{_why_unopened(src.path)}）")]
        result = read_workbook(src)
    else:
        return [SheetProblem(src.rel, "", _not_a_ledger_file(suffix))]
    if isinstance(result, SheetProblem):
        return [result]
    from .outputs import own_output, template_page  # a findings table or report of this tool: not a ledger

    own = own_output(src.rel, list(result))
    if own is not None:
        return [own]
    return [p for p in result if not (isinstance(p, RawSheet) and template_page(p))]
