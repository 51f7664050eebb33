"""Named facts: the only way a number reaches a narrative sentence.

A :class:`Fact` is one value picked from one report table (which is an analysis frame,
shown as a sheet of the workbook) by a declared path — table, column, how, where — and its
printed text. Templates receive facts only, as strings: they cannot compute a figure.
:meth:`Facts.verify` re-picks every fact from the tables, and :meth:`Facts.numbers` lists
every number the facts print, so a test can check that each number of the narrative is a
fact and equals its frame value. The workbook lists the facts with their paths
(sheet “叙述数据来源”), so a reader can trace each figure too.

>>> facts.add("hz_total", tables["隐患整改情况"], "隐患数", where={"范围": "全镇"})  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

HOWS = ("cell", "first", "last", "sum", "len", "nunique", "max", "min")
#: how a fact is picked, as the 叙述数据来源 sheet says it
HOW_LABELS = {"cell": "取该格", "first": "第一行", "last": "最后一行", "sum": "合计", "len": "行数", "nunique": "不重复值个数",
              "max": "最大值", "min": "最小值"}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def pick(frame: pd.DataFrame, column: str | None, how: str, where: tuple = ()) -> Any:
    """The value a fact's path designates in ``frame``."""
    rows = None  # the conditions as one mask: only the column picked from is selected
    for col, val in where:
        hit = (frame[col].isin(val) if isinstance(val, (list, tuple)) else frame[col] == val).to_numpy(dtype=bool)
        rows = hit if rows is None else rows & hit
    if how == "len":
        return len(frame) if rows is None else int(np.count_nonzero(rows))
    s = frame[column] if rows is None else frame[column][rows]
    if how == "cell":
        if len(s) != 1:
            raise LookupError(f"{column} {where}: {len(s)} rows, expected one")
        v = s.iloc[0]
    elif how in ("first", "last"):
        v = (s.iloc[0] if how == "first" else s.iloc[-1]) if len(s) else None
    elif how == "nunique":
        v = s.nunique()
    elif how == "sum":
        v = pd.to_numeric(s, errors="coerce").fillna(0).sum()
    elif how in ("max", "min"):
        v = getattr(pd.to_numeric(s, errors="coerce"), how)() if len(s) else None
    else:
        raise ValueError(f"unknown how {how!r}: one of {HOWS}")
    if hasattr(v, "item"):
        v = v.item()
    return None if _missing(v) else v


def fmt(value: Any, kind: str) -> str:
    from .model import pct

    if kind == "text":
        return "—" if _missing(value) else str(value)
    if _missing(value):
        return "—"
    if kind == "pct":
        return pct(float(value))
    if kind == "wan":  # money in 元, printed as 万元 from 1万 up
        v = float(value)
        return f"{v / 10000:.2f}".rstrip("0").rstrip(".") + "万元" if v >= 10000 else f"{int(round(v))}元"
    if kind == "wan_given":  # an amount already in 万元 (整改资金)
        return f"{float(value):.2f}".rstrip("0").rstrip(".") + "万元"
    if kind == "int":
        return str(int(round(float(value))))
    if kind == "float":
        return f"{float(value):.1f}"
    raise ValueError(f"unknown format {kind!r}")


@dataclass(frozen=True)
class Fact:
    name: str
    value: Any  # as in the frame (a rate is a fraction)
    text: str  # as printed
    kind: str  # int / pct / wan / float / text
    table: str | None = None  # report table (= workbook sheet); None for a campaign or window fact
    column: str | None = None
    how: str = "cell"
    where: tuple = ()
    source: str = ""  # for facts that are not picked from a table: where they come from

    def __str__(self) -> str:
        return self.text

    @property
    def known(self) -> bool:
        return not _missing(self.value)

    @property
    def path(self) -> str:
        if self.table is None:
            return self.source
        cond = "，".join(f"{c}为{v}" for c, v in self.where)
        return f"{self.table}｜{self.column or '行数'}｜{HOW_LABELS[self.how]}" + (f"｜{cond}" if cond else "")


@dataclass
class Facts:
    """An ordered, flat mapping name → :class:`Fact` (attribute or item access in templates)."""

    items: dict[str, Fact] = field(default_factory=dict)

    def add(self, name: str, table, column: str | None = None, how: str = "cell", where: dict | None = None,
            kind: str = "int") -> Fact:
        """Pick a fact from a report :class:`~.model.Table` (its ``name`` and ``frame``)."""
        w = tuple((where or {}).items())
        value = pick(table.frame, column, how, w)
        return self._put(Fact(name, value, fmt(value, kind), kind, table.name, column, how, w))

    def text(self, name: str, value: str, source: str) -> Fact:
        """A text fact that is not in a table: a label of the campaign, the window or the scope."""
        return self._put(Fact(name, value, str(value), "text", source=source))

    def _put(self, fact: Fact) -> Fact:
        if fact.name in self.items:
            raise KeyError(f"fact {fact.name} defined twice")
        self.items[fact.name] = fact
        return fact

    def __getitem__(self, name: str) -> Fact:
        return self.items[name]

    def __getattr__(self, name: str) -> Fact:
        try:
            return self.__dict__["items"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, name: str) -> bool:
        return name in self.items

    def __iter__(self):
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)

    def as_dict(self) -> dict[str, Any]:
        """The flat dict of values (what a test compares against frames)."""
        return {k: f.value for k, f in self.items.items()}

    def frame(self) -> pd.DataFrame:
        """One row per fact, in the order the facts were made; no internal name (users read this sheet)."""
        return pd.DataFrame([{"序号": i, "取值": f.text, "来源（表｜列｜取法｜条件）": f.path}
                             for i, f in enumerate(self, start=1)])

    def numbers(self) -> set[str]:
        """Every number printed by a fact (``89.8`` of ``89.8%``, ``37.4`` of ``37.4万元``)."""
        return {n for f in self for n in _NUMBER.findall(f.text)}

    def text_values(self) -> list[str]:
        """Texts of the text facts (names, labels, dates), longest first."""
        return sorted({f.text for f in self if f.kind == "text" and f.text}, key=len, reverse=True)

    def unexplained_numbers(self, text: str) -> list[str]:
        """Numbers in ``text`` that no fact prints (text facts such as dates are removed first)."""
        for t in self.text_values():
            text = text.replace(t, " ")
        known = self.numbers()
        return [n for n in _NUMBER.findall(text) if n not in known]

    def verify(self, tables: dict) -> list[str]:
        """Re-pick every table fact from ``tables`` (name → Table); the mismatches, if any."""
        bad = []
        for f in self:
            if f.table is None:
                continue
            v = pick(tables[f.table].frame, f.column, f.how, f.where)
            if fmt(v, f.kind) != f.text or not (v == f.value or (_missing(v) and _missing(f.value))):
                bad.append(f"{f.name}: {f.text} ≠ {v!r} ({f.path})")
        return bad
