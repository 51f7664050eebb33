"""Files → sheets: discovery, encodings, workbooks.

Each input file becomes zero or more :class:`RawSheet` (a grid of cell values
whose row ``i`` is Excel row / CSV line ``line_numbers[i]``), or a
:class:`SheetProblem` saying in Chinese why it could not be read.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv"}
_UTF8_BOM = b"\xef\xbb\xbf"


class InputError(Exception):
    """The inputs cannot be used at all (no such path); the command exits 2."""


@dataclass
class RawSheet:
    file: str  # relative to the submission root, '/' separators
    sheet: str  # "" for CSV
    cells: pd.DataFrame  # object or str cells, positional columns 0..n-1
    line_numbers: np.ndarray  # row i of ``cells`` is this Excel row / CSV line (1-based)
    encoding: str = ""  # CSV only


@dataclass
class SheetProblem:
    file: str
    sheet: str
    reason: str  # Chinese, for the SCH000 message


@dataclass
class SourceFile:
    path: Path
    rel: str


@dataclass
class Discovery:
    root: Path
    files: list[SourceFile] = field(default_factory=list)


def discover(paths: list[str | Path]) -> Discovery:
    """List the input files, sorted by their path relative to the submission root.

    The root is the folder given (or the common folder of several inputs). Excel lock
    files (``~$…``) and hidden files (``.…``, e.g. ``.DS_Store``) are not submissions and
    are ignored; everything else is listed, so that an unreadable file is reported.
    """
    if not paths:
        raise InputError("未指定输入路径")
    resolved = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise InputError(f"输入路径不存在：{p}")
        resolved.append(path.resolve())
    if len(resolved) == 1:
        root = resolved[0] if resolved[0].is_dir() else resolved[0].parent
    else:
        parents = [r if r.is_dir() else r.parent for r in resolved]
        root = Path(_common_path(parents))
    found: dict[str, SourceFile] = {}
    for path in resolved:
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in candidates:
            if not f.is_file():
                continue
            rel_parts = f.relative_to(root).parts
            if any(part.startswith(".") for part in rel_parts) or f.name.startswith("~$"):
                continue
            rel = "/".join(rel_parts)
            found.setdefault(rel, SourceFile(f, rel))
    return Discovery(root, [found[k] for k in sorted(found)])


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
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError("无法识别文件编码（既不是 UTF-8，也不是 GB18030/GBK）") from None
    if "\x00" in text:
        raise ValueError("无法识别文件编码（含空字符，可能是 UTF-16）")
    return text, "GB18030"


def _record_start_lines(data: bytes, n_records: int) -> np.ndarray:
    """1-based line number on which each CSV record starts (quoted line breaks span lines).

    ``data`` is the file's bytes in UTF-8 or GB18030: in both, the bytes of ``"`` and of a
    line break never occur inside another character.
    """
    if b'"' not in data:
        return np.arange(1, n_records + 1)
    b = np.frombuffer(data, dtype=np.uint8)
    newline_pos = np.flatnonzero(b == 10)
    quotes_before = np.cumsum(b == 34)[newline_pos] if len(newline_pos) else np.array([], dtype=int)
    ends_record = (quotes_before % 2) == 0
    # line numbers (1-based) of the lines that end a record; the next record starts one after
    ending_lines = np.flatnonzero(ends_record) + 1
    starts = np.concatenate([[1], ending_lines + 1])
    return starts[:n_records]


def read_csv(src: SourceFile) -> list[RawSheet] | SheetProblem:
    """One CSV file as a sheet. UTF-8 (with or without BOM) is handed to pandas as bytes,
    which decodes each cell strictly; a file that is not UTF-8 is decoded as GB18030 (see
    :func:`decode_csv`: the same detection, without decoding UTF-8 files twice)."""
    raw = src.path.read_bytes()
    if not raw.strip():
        return SheetProblem(src.rel, "", "空文件，没有任何内容")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return SheetProblem(src.rel, "", "文件为 UTF-16 编码，请另存为 UTF-8 或 GBK 编码的 CSV")
    bom = raw.startswith(_UTF8_BOM)
    data, encoding = (raw[3:], "UTF-8 (BOM)") if bom else (raw, "UTF-8")
    cells = None
    if bom or _starts_as_utf8(raw):
        try:
            cells = _parse_csv(data)
        except UnicodeDecodeError as exc:
            if bom:
                return SheetProblem(src.rel, "", f"文件带 UTF-8 标记（BOM），但内容不是有效的 UTF-8（{_short(exc)}）")
    if cells is None:  # not UTF-8
        try:
            text, encoding = decode_csv(raw)
        except ValueError as exc:
            return SheetProblem(src.rel, "", str(exc))
        data = text.encode("utf-8")
        cells = _parse_csv(data)
    if isinstance(cells, str):
        return SheetProblem(src.rel, "", f"CSV 格式无法解析：{cells}")
    lines = _record_start_lines(raw if encoding == "GB18030" else data, len(cells))
    return [RawSheet(src.rel, "", cells, lines, encoding)]


def _starts_as_utf8(raw: bytes) -> bool:
    """Whether the first 4 KiB are UTF-8 (a title or header row in GBK seldom is)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw[:4096], final=False)
        return True
    except UnicodeDecodeError:
        return False


def _parse_csv(data: bytes) -> pd.DataFrame | str:
    """UTF-8 bytes → a grid of text cells; the parser's complaint if it cannot; raises
    ``UnicodeDecodeError`` when the bytes are not UTF-8."""
    sample = data[:20000]
    sep = b"\t" if sample.count(b"\t") > sample.count(b",") else b","
    # Title and footer lines are narrower than the table: give the parser the widest line.
    # Checking the first and last lines is enough unless some data line is wider; then
    # the parser complains and every line is measured.
    head = data.split(b"\n", 100)[:100]
    width = max(line.count(sep) for line in head + data[-20000:].split(b"\n")) + 1
    for attempt in range(2):
        try:
            return pd.read_csv(
                io.BytesIO(data), sep=sep.decode(), header=None, names=range(width), dtype=object,
                encoding="utf-8", encoding_errors="strict", keep_default_na=False, skip_blank_lines=False,
                engine="c",
            )
        except UnicodeDecodeError:
            raise
        except (pd.errors.ParserError, ValueError) as exc:
            if attempt:
                return _short(exc)
            width = max(line.count(sep) for line in data.split(b"\n")) + 1
    raise AssertionError("unreachable")


# -- workbooks ---------------------------------------------------------------------------
def read_workbook(src: SourceFile) -> list[RawSheet | SheetProblem] | SheetProblem:
    from python_calamine import CalamineWorkbook

    if src.path.stat().st_size == 0:
        return SheetProblem(src.rel, "", "空文件（0 字节），无法作为 Excel 工作簿打开")
    try:
        wb = CalamineWorkbook.from_path(str(src.path))
    except Exception as exc:  # calamine raises its own error types; all mean "cannot open"
        return SheetProblem(src.rel, "", f"Excel 文件已损坏或不是有效的工作簿，无法打开（{_short(exc)}）")
    out: list[RawSheet | SheetProblem] = []
    with wb:
        for name in wb.sheet_names:
            try:
                sheet = wb.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = sheet.merged_cell_ranges or []
            except Exception as exc:
                out.append(SheetProblem(src.rel, name, f"工作表无法读取（{_short(exc)}）"))
                continue
            if not rows or not any(v != "" and v is not None for row in rows for v in row):
                continue  # a completely empty sheet (the default Sheet2) is not a submission
            cells = pd.DataFrame(rows, dtype=object)
            _fill_merged(cells, merged)
            out.append(RawSheet(src.rel, name, cells, np.arange(1, len(cells) + 1)))
    return out


def _fill_merged(cells: pd.DataFrame, merged) -> None:
    """Give every cell of a merged range the value of its top-left cell, as a person reads it."""
    n_rows, n_cols = cells.shape
    for (r0, c0), (r1, c1) in merged:
        if r0 >= n_rows or c0 >= n_cols:
            continue
        r1, c1 = min(r1, n_rows - 1), min(c1, n_cols - 1)
        cells.iloc[r0 : r1 + 1, c0 : c1 + 1] = cells.iat[r0, c0]


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def read_file(src: SourceFile) -> list[RawSheet | SheetProblem]:
    suffix = src.path.suffix.lower()
    result: list[RawSheet] | list[RawSheet | SheetProblem] | SheetProblem
    if suffix in CSV_SUFFIXES:
        result = read_csv(src)
    elif suffix in WORKBOOK_SUFFIXES:
        if suffix in {".xlsx", ".xlsm"} and not zipfile.is_zipfile(src.path) and src.path.stat().st_size:
            return [SheetProblem(src.rel, "", "Excel 文件已损坏或不是有效的 .xlsx 工作簿，无法打开")]
        result = read_workbook(src)
    else:
        return [SheetProblem(src.rel, "", f"不是台账文件（{suffix or '无扩展名'}）：只接受 .xlsx/.xls 工作簿和 .csv 文件")]
    if isinstance(result, SheetProblem):
        return [result]
    from .outputs import own_output, template_page  # a findings table or report of this tool: not a ledger

    own = own_output(src.rel, list(result))
    if own is not None:
        return [own]
    return [p for p in result if not (isinstance(p, RawSheet) and template_page(p))]
