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
import xlsxwriter

from .model import Report, Table

COVER, CHARTS, FACTS = "报告正文", "图表", "叙述数据来源"


def _width(text: str) -> float:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _unique(name: str, used: set[str]) -> str:
    base, n = name[:31], 2
    while name[:31] in used:
        suffix = f"_{n}"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name[:31])
    return name[:31]


def write_workbook(report: Report, path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
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
        ws.set_row(row, 15 * max(1, math.ceil(_width(p) / 105)))
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
    ws = wb.add_worksheet(name)
    frame = t.frame
    cols = list(frame.columns)
    kinds = {c: t.kind(c) for c in cols}
    start = 0
    if t.note:
        ws.write_string(0, 0, t.note, f["muted"])
        start = 1
    for j, c in enumerate(cols):
        ws.write_string(start, j, c, f["head"])
    # column by column: a column's kind and dtype decide the call once (numbers and strings written
    # straight away, anything else cell by cell as _cell decides)
    for j, c in enumerate(cols):
        s, kind = frame[c], kinds[c]
        values = s.tolist()
        if kind in ("pct", "int", "money", "float") and pd.api.types.is_numeric_dtype(s) \
                and not pd.api.types.is_bool_dtype(s):
            fmt = f[kind]
            for i, v in enumerate(values, start=start + 1):
                if v is not None and v is not pd.NA and v == v:  # NaN is not equal to itself
                    ws.write_number(i, j, float(v), fmt)
        elif kind == "date" and (days := _excel_days(s)) is not None:
            fmt = f["date"]
            for i, v in enumerate(days.tolist(), start=start + 1):
                if v == v:  # NaT
                    ws.write_number(i, j, v, fmt)
        elif kind == "text" and pd.api.types.is_string_dtype(s) and s.dtype != object:
            for i, v in enumerate(values, start=start + 1):
                if isinstance(v, str):
                    ws.write_string(i, j, v)
        else:
            for i, v in enumerate(values, start=start + 1):
                _cell(ws, i, j, v, kind, f)
    # widths from the content (CJK characters count double), within reason
    for j, c in enumerate(cols):
        sample = [str(v) for v in frame[c].head(300) if not (v is None or (isinstance(v, float) and math.isnan(v)))]
        w = max([_width(c)] + [_width(s) for s in sample]) + 2
        if kinds[c] == "pct":
            w = max(w, 8)
        ws.set_column(j, j, min(max(w, 6), 60), f["wrap"] if w > 60 else None)
    ws.freeze_panes(start + 1, 0)
    if len(frame):
        ws.autofilter(start, 0, start + len(frame), max(len(cols) - 1, 0))
    if t.note:
        ws.set_row(0, 15 * max(1, math.ceil(_width(t.note) / max(40, sum(min(_width(c) + 2, 60) for c in cols)))))


_EPOCH = pd.Timestamp("1899-12-31")  # xlsxwriter's epoch (1900 date system)
_DAY = 86_400 * 10**9  # ns


def _excel_days(s: pd.Series):
    """A date column (of days, or datetimes without time zone that are all whole days) as the serial numbers ``write_datetime``
    writes (days since 1899-12-31, one more for Excel's 1900 leap day), NaN for missing; None for another
    column, or one with a date before 1900-03-01 (written cell by cell)."""
    if s.dtype == object:  # dates (datetime.date, as the analysis gives them) and missing values only
        if not all(type(v) is dt.date or v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v))
                   for v in s.tolist()):
            return None
        s = pd.to_datetime(s)
    if not pd.api.types.is_datetime64_dtype(s) or getattr(s.dtype, "tz", None) is not None:
        return None
    ns = s.to_numpy(dtype="datetime64[ns]").astype("int64")
    missing = s.isna().to_numpy()
    ns = np.where(missing, 0, ns - _EPOCH.value)
    if (ns % _DAY).any() or (ns[~missing] < 60 * _DAY).any():
        return None
    return np.where(missing, np.nan, (ns // _DAY + 1).astype(float))


def _cell(ws, i: int, j: int, v, kind: str, f: dict) -> None:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return
    if kind == "date" and isinstance(v, (dt.date, pd.Timestamp)):
        ws.write_datetime(i, j, pd.Timestamp(v).to_pydatetime(), f["date"])
    elif kind in ("pct", "int", "money", "float") and isinstance(v, (int, float)) and not isinstance(v, bool):
        ws.write_number(i, j, float(v), f[kind])
    elif hasattr(v, "item") and not isinstance(v, str):
        _cell(ws, i, j, v.item(), kind, f)
    elif isinstance(v, (set, frozenset, tuple, list)):
        ws.write_string(i, j, "、".join(sorted(map(str, v))))
    else:
        ws.write_string(i, j, str(v))  # write_string: text is never taken for a formula
