"""The report as an .xlsx workbook: a cover sheet with the narrative, one sheet per table
(frozen header, readable widths, rates as percentages), the charts, and the facts behind
every narrative figure with their paths (“叙述数据来源”)."""

from __future__ import annotations

import datetime as dt
import math
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd

from ..findings.sheets import Column, ColumnarSheet, Workbook
from ..text import text_width
from .model import Report, Table

COVER, CHARTS, FACTS = "报告正文", "图表", "叙述数据来源"


def _unique(name: str, used: set[str]) -> str:
    base, n = name[:31], 2
    while name[:31] in used:
        suffix = f"_{n}"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name[:31])
    return name[:31]


def write_workbook(report: Report, path: Path) -> Path:
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                              "strings_to_urls": False, "nan_inf_to_errors": True, "in_memory": True})
    f = {
        "title": wb.add_format({"bold": True, "font_size": 15, "font_color": "#B00000"}),
        "bold": wb.add_format({"bold": True}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "muted": wb.add_format({"font_color": "#5B6470", "text_wrap": True, "valign": "top"}),
        "head": wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"}),
        "pct": wb.add_format({"num_format": "0.0%"}),
        "int": wb.add_format({"num_format": "0"}),
        "money": wb.add_format({"num_format": "#,##0"}),
        "wan": wb.add_format({"num_format": "#,##0.00"}),
        "float": wb.add_format({"num_format": "0.0"}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
        "text": None,
    }
    used = {COVER, CHARTS, FACTS}
    # cover: heading, meta, narrative, the list of sheets
    ws = wb.add_worksheet(COVER)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 110, f["wrap"])
    ws.write_string(0, 0, report.heading, f["title"])
    row = 2
    for k, v in report.meta:
        ws.write_string(row, 0, k, f["bold"])
        ws.write_string(row, 1, v)
        row += 1
    row += 1
    for p in report.narrative:
        ws.write_string(row, 0, "", f["wrap"])
        ws.write_string(row, 1, p, f["wrap"])
        ws.set_row(row, 15 * max(1, math.ceil(text_width(p) / 105)))
        row += 1
    row += 1
    ws.write_string(row, 0, "工作表", f["bold"])
    ws.write_string(row, 1, "内容", f["bold"])
    names = {}
    for t in report.tables.values():
        names[t.name] = _unique(t.name, used)
    for t in report.tables.values():
        row += 1
        ws.write_url(row, 0, f"internal:'{names[t.name]}'!A1", string=names[t.name])
        ws.write_string(row, 1, t.title + (f"（{len(t.frame)}行）" if len(t.frame) != 1 else ""))
    # one sheet per table
    for t in report.tables.values():
        _table_sheet(wb, names[t.name], t, f)
    # charts
    if report.charts:
        wc = wb.add_worksheet(CHARTS)
        r = 0
        for c in report.charts:
            wc.write_string(r, 0, c.title, f["bold"])
            wc.insert_image(r + 1, 0, f"{c.name}.png", {"image_data": BytesIO(c.png), "x_scale": 0.6, "y_scale": 0.6,
                                                         "object_position": 3})
            r += 2 + _image_rows(c.png, 0.6)
    # facts behind the narrative
    ff = report.facts.frame()
    _table_sheet(wb, FACTS, Table(FACTS, "叙述中每个数字的来源", ff,
                                  "“来源”写明取自哪个工作表的哪一列、取法（取该格、合计、行数、第一行、最后一行、最大值、最小值）"
                                  "和行条件。"), f)
    wb.close()
    return path


def _image_rows(png: bytes, scale: float) -> int:
    import struct

    height = struct.unpack(">I", png[20:24])[0]  # PNG IHDR
    return math.ceil(height * scale / 20) + 1


def _table_sheet(wb, name: str, t: Table, f: dict) -> None:
    ws = wb.add_worksheet(name, worksheet_class=ColumnarSheet)
    frame = t.frame
    cols = list(frame.columns)
    kinds = {c: t.kind(c) for c in cols}
    start = 0
    if t.note:
        ws.write_string(0, 0, t.note, f["muted"])
        start = 1
    for j, c in enumerate(cols):
        ws.write_string(start, j, c, f["head"])
    # column by column (:class:`ColumnarSheet`): a column's kind and dtype decide once how its cells are written
    ws.write_columns(start + 1, 0, [_column(ws, frame[c], kinds[c], f) for c in cols])
    # widths from the content of the first 300 rows (CJK characters count double), within reason
    top = frame.head(300)
    for j, c in enumerate(cols):
        sample = {str(v) for v in top[c].tolist() if not (v is None or (isinstance(v, float) and math.isnan(v)))}
        w = max([text_width(c)] + [text_width(s) for s in sample]) + 2  # each distinct text once
        if kinds[c] == "pct":
            w = max(w, 8)
        ws.set_column(j, j, min(max(w, 6), 60), f["wrap"] if w > 60 else None)
    ws.freeze_panes(start + 1, 0)
    if len(frame):
        ws.autofilter(start, 0, start + len(frame), max(len(cols) - 1, 0))
    if t.note:
        ws.set_row(0, 15 * max(1, math.ceil(text_width(t.note) / max(40, sum(min(text_width(c) + 2, 60) for c in cols)))))


_NUMBERS = ("pct", "int", "money", "wan", "float")


def _column(ws: ColumnarSheet, s: pd.Series, kind: str, f: dict) -> Column:
    """A table column as the workbook shows it: numbers of a numeric kind in its number format, dates as
    dates, text as text; a column of anything else cell by cell as :func:`_cell` decides."""
    if kind in _NUMBERS and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return Column(number=s.to_numpy(dtype=float, na_value=np.nan), number_format=f[kind])
    if kind == "date" and (days := ws.excel_dates(s)) is not None:
        return Column(number=days, number_format=f["date"])
    if kind == "text" and pd.api.types.is_string_dtype(s) and s.dtype != object:
        return Column(text=s.to_numpy(dtype=object, na_value=None))
    cells = [_cell(ws, v, kind) for v in s.tolist()]
    texts = [v if isinstance(v, str) else None for v in cells]
    numbers = np.array([v if isinstance(v, float) else np.nan for v in cells], dtype=float)
    return Column(text=texts, number=numbers, number_format=f["date"] if kind == "date" else f.get(kind))


def _cell(ws: ColumnarSheet, v, kind: str) -> str | float | None:
    """One cell of a column of mixed values: a number (a date as its serial number), a text or nothing."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if kind == "date" and isinstance(v, (dt.date, pd.Timestamp)):
        return float(ws._convert_date_time(pd.Timestamp(v).to_pydatetime()))  # as write_datetime converts it
    if kind in _NUMBERS and isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if hasattr(v, "item") and not isinstance(v, str):
        return _cell(ws, v.item(), kind)
    if isinstance(v, (set, frozenset, tuple, list)):
        return "、".join(sorted(map(str, v)))
    return str(v)  # text is never taken for a formula
