"""Worksheets whose data rows are written column by column: findings.xlsx and the report workbook share it.

xlsxwriter writes a cell per Python call (some 5–8 µs each, most of it its own bookkeeping). A
:class:`ColumnarSheet` takes one block of rows as :class:`Column` s instead: each column's distinct values
are turned into cell XML once (a text into the shared strings, a number into ``%.16G`` as xlsxwriter
writes it) and the rows are put together with numpy. Everything else on the sheet — header and note
cells, widths, frozen panes, autofilter, comments, images — stays with xlsxwriter's public API.

It leans on these xlsxwriter internals (``xlsxwriter>=3.2,<3.4`` in pyproject.toml; ``tests/test_sheets.py``
writes every kind of cell both ways and compares the XML, so a change shows there):

- ``Worksheet._write_sheet_data``, ``_write_rows``, ``dim_rowmin``/``dim_rowmax``, ``_check_dimensions``, ``fh``:
  the block's rows are written between the rows xlsxwriter writes before and after it;
- ``Worksheet.str_table`` (``string_table``: text → index, ``count``, ``unique_count``): the shared strings;
- ``Worksheet.col_info[col].column_format``: the format a cell without its own takes, as in ``_write_cell``;
- ``Format._get_xf_index()``; ``Worksheet._convert_date_time`` (dates other than whole days from 1900-03-01);
- ``Workbook._store_workbook``, ``xlsxwriter.workbook.ZipFile``, ``xlsxwriter.packager.SharedStrings`` and
  ``SharedStrings._write_sst_strings`` (:class:`Workbook`, :class:`_ZipFile`, :class:`_SharedStrings`).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Literal

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

_STR_MAX = 32_767  # UTF-16 code units a cell holds (xlsxwriter cuts longer text, as here)
_EPOCH = np.datetime64("1899-12-31", "ns")  # Excel's 1900 date system, as xlsxwriter counts
_DAY = 86_400 * 10**9  # ns
_ERRORS = {np.inf: ' t="e"><f>1/0</f><v>#DIV/0!</v></c>', -np.inf: ' t="e"><f>-1/0</f><v>#DIV/0!</v></c>'}


@dataclass
class Column:
    """One column of a block: per row a text, a number or nothing (not both).

    ``text``: strings, ``None``/NA where the row has none (``""`` is a cell holding an empty text, as
    xlsxwriter's ``write_string`` writes it, unless ``keep_empty_text`` is false). ``number``: floats, NaN
    where the row has none; ±inf is Excel's ``#DIV/0!`` (xlsxwriter's ``nan_inf_to_errors``).
    ``number_format``: the format of every number cell (a date format makes them dates, see
    :meth:`ColumnarSheet.excel_dates`); ``text_formats``: a format by text (the severity colours). A cell
    without a format takes the column's (``set_column``), as xlsxwriter does."""

    text: Sequence | np.ndarray | None = None
    number: np.ndarray | None = None
    number_format: Format | None = None
    text_formats: Mapping[str, Format] | None = None
    keep_empty_text: bool = True


class ColumnarSheet(Worksheet):
    """An xlsxwriter worksheet with one block of rows written column by column (:meth:`write_columns`)."""

    _block: tuple[int, int, list[tuple[np.ndarray, list[str], list[Format | None]]]] | None = None

    def write_columns(self, row: int, col: int, columns: Sequence[Column]) -> None:
        """``columns`` side by side from (``row``, ``col``) down, all of one length. The cells xlsxwriter
        writes on this sheet (header, notes) and any ``set_row`` must lie outside the block's rows."""
        if self._block is not None:
            raise ValueError("a ColumnarSheet holds one block of columns")
        n = len(_first_values(columns[0])) if columns else 0
        if n and row + n > self.xls_rowmax:
            raise ValueError(f"{n} rows from row {row} do not fit in a worksheet")
        prepared = [self._prepare(c, n) for c in columns]
        self._block = (row, col, prepared)
        if not n:
            return
        filled = [codes >= 0 for codes, _, _ in prepared]
        cols = [j for j, f in enumerate(filled) if f.any()]
        if cols:
            rows = np.flatnonzero(np.logical_or.reduce(filled))
            self._check_dimensions(row + int(rows[0]), col + cols[0])
            self._check_dimensions(row + int(rows[-1]), col + cols[-1])

    def excel_dates(self, values: pd.Series) -> np.ndarray | None:
        """A column of dates (``datetime.date`` or datetime64, missing values allowed) as the serial numbers
        ``write_datetime`` writes, NaN for missing; None when it holds anything else. Whole days from
        1900-03-01 on (nearly all) are counted at once, others one by one by xlsxwriter's own conversion."""
        s = values
        if s.dtype == object:
            vals = s.tolist()
            if not all(isinstance(v, (dt.date, pd.Timestamp)) or _missing(v) for v in vals):
                return None
            if not all(type(v) is dt.date or _missing(v) for v in vals):
                return np.array([np.nan if _missing(v) else self._convert_date_time(pd.Timestamp(v).to_pydatetime())
                                 for v in vals], dtype=float)
            s = pd.to_datetime(s)
        if not pd.api.types.is_datetime64_dtype(s) or getattr(s.dtype, "tz", None) is not None:
            return None
        stamps = s.to_numpy(dtype="datetime64[ns]")
        missing = np.isnat(stamps)
        ns = np.where(missing, 0, (stamps - _EPOCH).astype("int64"))
        if not self.date_1904 and not (ns % _DAY).any() and not (ns[~missing] < 60 * _DAY).any():
            return np.where(missing, np.nan, (ns // _DAY + 1).astype(float))
        return np.array([np.nan if m else self._convert_date_time(pd.Timestamp(v).to_pydatetime())
                         for v, m in zip(stamps, missing)], dtype=float)

    def _prepare(self, c: Column, n: int) -> tuple[np.ndarray, list[str], list[Format | None]]:
        """Per row the code of its cell (-1: none); per code the cell's XML after its style and its format."""
        codes = np.full(n, -1, dtype=np.int64)
        contents: list[str] = []
        formats: list[Format | None] = []
        if c.text is not None:
            found, uniques = pd.factorize(np.asarray(c.text, dtype=object))
            if len(found) != n:
                raise ValueError("the columns of a block differ in length")
            strings = self.str_table
            table = strings.string_table  # xlsxwriter's shared strings: text → index
            text_formats = c.text_formats or {}
            for k, u in enumerate(uniques):
                if not isinstance(u, str):
                    raise TypeError(f"a text column holds {type(u).__name__} {u!r}")
                if u == "" and not c.keep_empty_text:
                    found[found == k] = -1
                    contents.append("")
                    formats.append(None)
                    continue
                formats.append(text_formats.get(u))
                key = u if len(u) <= _STR_MAX // 2 else _cut(u)
                contents.append(f' t="s"><v>{table.setdefault(key, len(table))}</v></c>')
            codes = found.astype(np.int64)
            strings.unique_count = len(table)
            strings.count += int((codes >= 0).sum())
        if c.number is not None:
            number = np.asarray(c.number, dtype=float)
            if len(number) != n:
                raise ValueError("the columns of a block differ in length")
            has = ~np.isnan(number)
            if (has & (codes >= 0)).any():
                raise ValueError("a row holds both a text and a number")
            # by bit pattern: -0.0 stays apart from 0.0 (xlsxwriter writes "-0")
            found, uniques = pd.factorize(np.where(has, number, 0.0).view(np.int64))
            codes = np.where(has, found + len(contents), codes)
            for v in uniques.view(np.float64).tolist():
                contents.append(_ERRORS[v] if v in _ERRORS else f"><v>{v:.16G}</v></c>")
                formats.append(c.number_format)
        return codes, contents, formats

    def _write_sheet_data(self) -> None:
        lo, hi = self.dim_rowmin, self.dim_rowmax  # type: ignore[has-type]  # untyped in xlsxwriter
        if self._block is None or lo is None:
            super()._write_sheet_data()
            return
        first, col, prepared = self._block
        last = first + (len(prepared[0][0]) if prepared else 0) - 1
        own = chain(self.row_info, self.comments, (r for r, cells in self.table.items() if cells))
        if any(first <= r <= last for r in own):
            raise ValueError("xlsxwriter's cells, comments or row formats inside the block of columns")
        self._xml_start_tag("sheetData")
        try:
            if lo < first:  # the rows before the block (header, note) as xlsxwriter writes them
                self.dim_rowmax = min(hi, first - 1)
                self._write_rows()
            self.fh.write(self._block_xml(first, col, prepared))
            if hi > last:  # and after it
                self.dim_rowmin, self.dim_rowmax = max(lo, last + 1), hi
                self._write_rows()
        finally:
            self.dim_rowmin, self.dim_rowmax = lo, hi
        self._xml_end_tag("sheetData")

    def _block_xml(self, first: int, col: int, prepared) -> str:
        """The ``<row>`` elements of the block: every cell ``<c r="…" s="…" …>`` as ``_write_cell`` writes it;
        rows without a cell are left out (as xlsxwriter leaves them out)."""
        n = len(prepared[0][0]) if prepared else 0
        if not n:
            return ""
        rows = np.arange(first + 1, first + n + 1).astype(str).astype(object)
        cells, filled = [], []
        for j, (codes, contents, formats) in enumerate(prepared, start=col):
            info = self.col_info.get(j)
            default = info.column_format if info is not None else None
            tails = [f'"{_style(f or default)}{c}' for c, f in zip(contents, formats)]
            keep = codes >= 0
            if not keep.any():
                continue
            cell = np.full(n, f'<c r="{xl_col_to_name(j)}', dtype=object) + rows + np.array(tails + [""], dtype=object)[codes]
            cells.append(cell if keep.all() else np.where(keep, cell, ""))
            filled.append(keep)
        some = np.logical_or.reduce(filled) if filled else np.zeros(n, dtype=bool)
        opening = np.full(n, '<row r="', dtype=object) + rows + '">'
        closing = np.full(n, "</row>", dtype=object)
        if not some.all():
            opening, closing, cells = opening[some], closing[some], [c[some] for c in cells]
        return "".join(chain.from_iterable(zip(opening, *cells, closing)))


def _first_values(c: Column) -> Sequence | np.ndarray:
    values = c.text if c.text is not None else c.number
    if values is None:
        raise ValueError("a column without text or numbers")
    return values


def _style(fmt: Format | None) -> str:
    return f' s="{fmt._get_xf_index()}"' if fmt else ""


def _cut(text: str) -> str:
    """``text`` within what a cell holds (32,767 UTF-16 units, a character above U+FFFF counting two), as
    xlsxwriter's ``write_string`` cuts it (only texts of more than 16,383 characters can be too long)."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > _STR_MAX:
            return text[:i]
    return text


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


class Workbook(xlsxwriter.Workbook):
    """Compressed at zlib level 1 (:class:`_ZipFile`): four times faster than xlsxwriter's default (6) on the
    findings, the file about a third larger (121,697 findings: 0.4 s against 1.3 s, 20 MB against 15 MB);
    shared strings written by :class:`_SharedStrings`. Both are swapped into xlsxwriter's modules
    for the duration of ``close()`` only (a workbook closed meanwhile in another thread would get
    them too, which changes nothing but its compression)."""

    def _store_workbook(self) -> None:
        import xlsxwriter.packager as xp
        import xlsxwriter.workbook as xw

        zip_file, shared = xw.ZipFile, xp.SharedStrings
        xw.ZipFile = _ZipFile
        xp.SharedStrings = _SharedStrings
        try:
            super()._store_workbook()
        finally:
            xw.ZipFile, xp.SharedStrings = zip_file, shared


class _ZipFile(zipfile.ZipFile):
    """A zip file at zlib level 1, also for the entries xlsxwriter hands over with a ``ZipInfo`` of their own (as it
    does in memory: the file's level would not apply to them); pictures (PNG, JPEG: compressed already) stored."""

    def __init__(self, file, mode: Literal["w"] = "w", compression: int = zipfile.ZIP_DEFLATED,
                 allowZip64: bool = True) -> None:  # the arguments xlsxwriter gives, by its names
        super().__init__(file, mode, compression, allowZip64, compresslevel=1)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        level = self.compresslevel if compresslevel is None else compresslevel
        super().writestr(zinfo_or_arcname, data, zip_type(name, compress_type), level)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None) -> None:
        super().write(filename, arcname, zip_type(str(arcname or filename), compress_type), compresslevel)


def zip_type(name: str, compress_type: int | None = None) -> int | None:
    """How a package part (xlsx, docx) is zipped: as asked, else a picture (PNG, JPEG: compressed already)
    stored as it is and anything else as the zip file's default (``None``)."""
    pictures = (".png", ".jpeg", ".jpg")
    return zipfile.ZIP_STORED if compress_type is None and name.lower().endswith(pictures) else compress_type


_XML_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")


class _SharedStrings(SharedStrings):
    """xlsxwriter's sharedStrings.xml, each string tested once for what needs more than escaping
    ``& < >`` rather than by five regular expressions; and a text that looks like a rich string
    (``<r>…</r>``) is written as the text it is, never as XML."""

    def _write_sst_strings(self) -> None:
        parts = []
        for text in self.string_table.string_array:
            space = ""
            if text and (text[0].isspace() or text[-1].isspace() or "_x" in text or _XML_CONTROL.search(text)):
                text = self._escape_control_characters(text)
                space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
            parts.append(f"<si><t{space}>{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</t></si>")
        self.fh.write("".join(parts))
