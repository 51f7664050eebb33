"""What a report is, independent of its format: sections of paragraphs, tables and charts.

The writers (:mod:`.html`, :mod:`.workbook`, :mod:`.word`) only lay out a :class:`Report`;
what goes into it is decided once, in :mod:`.cadence`. Every text cell of every table is
masked when the table is made (:func:`Table.of`), so no writer can leak personal data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis import Window
from ..campaign import Documents
from ..findings.masking import mask_text
from ..text import MAY_HOLD_PERSONAL
from ..text import percent as pct  # the reports' name for it
from .facts import Facts

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Table:
    """A named table: ``name`` is its workbook sheet (≤ 31 characters), ``title`` its heading."""

    name: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    _kinds: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, name: str, title: str, frame: pd.DataFrame, note: str = "") -> Table:
        name = _SHEET_BAD.sub("_", name)[:31]
        out = frame.copy()
        if isinstance(out.index, pd.MultiIndex) or out.index.name is not None:
            out = out.reset_index()
        else:
            out = out.reset_index(drop=True)
        out.columns = [str(c) for c in out.columns]
        for c in out.columns:
            if out[c].dtype == object:
                if pd.api.types.infer_dtype(out[c], skipna=True) == "date":  # dates only: nothing to mask
                    continue
                out[c] = out[c].map(lambda v: mask_text(v) if isinstance(v, str) else v)
            elif pd.api.types.is_string_dtype(out[c]):  # only the cells that may hold a number are masked
                maybe = out[c].str.contains(MAY_HOLD_PERSONAL, regex=True, na=False).to_numpy(dtype=bool)
                if maybe.any():
                    out.loc[maybe, c] = out.loc[maybe, c].map(mask_text)
        return cls(name, title, out, mask_text(note))

    def kind(self, column: str) -> str:
        """How a column is shown: pct (a rate 0–1), money (元), wan (万元), date, int, float or text (worked out once
        per column: the three writers ask for every column)."""
        if column not in self._kinds:
            self._kinds[column] = self._kind(column)
        return self._kinds[column]

    def _kind(self, column: str) -> str:
        s = self.frame[column]
        if column.endswith("率") or column.endswith("占比"):
            return "pct"
        if "元" in column and pd.api.types.is_numeric_dtype(s):
            return "wan" if "万元" in column else "money"
        if pd.api.types.is_datetime64_any_dtype(s) or (s.dtype == object and s.map(
                lambda v: isinstance(v, (dt.date, pd.Timestamp))).any()):
            return "date"
        if pd.api.types.is_bool_dtype(s):
            return "text"
        if pd.api.types.is_numeric_dtype(s):
            vals = s.dropna().to_numpy(dtype=float)
            return "int" if np.all(np.equal(np.mod(vals, 1), 0)) else "float"
        return "text"

    def display(self, limit: int | None = None) -> tuple[list[str], list[list[str]]]:
        """Header and rows as printed text (rates as percentages, missing as “—”)."""
        frame = self.frame if limit is None else self.frame.head(limit)
        # column by column (a county's report prints some 50,000 cells); a text column's strings as they are
        columns = []
        for c in frame.columns:
            kind, values = self.kind(c), frame[c].tolist()
            if kind == "text" and pd.api.types.is_string_dtype(frame[c]) and frame[c].dtype != object:
                columns.append([v if isinstance(v, str) else cell_text(v, kind) for v in values])
            else:
                columns.append([cell_text(v, kind) for v in values])
        return list(self.frame.columns), [list(r) for r in zip(*columns)] if columns else [[] for _ in range(len(frame))]


def cell_text(v, kind: str = "text") -> str:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if kind == "pct":
        return pct(float(v))
    if kind == "date":
        if type(v) is dt.date and v.year >= 1000:  # most date cells: the same text, without a Timestamp
            return v.isoformat()
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    if kind == "money":
        return f"{int(round(float(v))):,}"
    if kind == "wan":  # 万元 to the 元 hundred: two decimals, as the workbook's #,##0.00
        return f"{float(v):,.2f}"
    if kind == "int":
        return f"{int(round(float(v)))}"
    if kind == "float":
        return f"{float(v):.1f}"
    if isinstance(v, (set, frozenset, tuple, list)):
        return "、".join(sorted(map(str, v)))
    return str(v)


@dataclass
class Chart:
    name: str  # file-safe id, e.g. hazard_flow
    title: str
    png: bytes
    caption: str = ""


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[Table | Chart] = field(default_factory=list)


@dataclass
class Report:
    cadence: str  # week / month / quarter / year
    title: str  # 周调度表 / 月小结 / 季通报 / 年总结
    heading: str  # the document title
    subtitle: str  # the line under it
    window: Window
    as_of: dt.date
    town: str
    village: str | None
    meta: list[tuple[str, str]]  # (label, value) lines under the title
    narrative: list[str]
    facts: Facts
    sections: list[Section]
    tables: dict[str, Table]  # every table made (the workbook writes them all), by sheet name
    #: the campaign's [documents] keys: 发文机关, 主送, 文号 pattern (the 公文 layout of the .docx)
    documents: Documents | None = None

    @property
    def scope(self) -> str:
        return self.village or self.town

    @property
    def stem(self) -> str:
        parts = [self.title, *([self.village] if self.village else []), self.as_of.isoformat()]
        return "_".join(parts)

    @property
    def charts(self) -> list[Chart]:
        return [i for s in self.sections for i in s.items if isinstance(i, Chart)]
