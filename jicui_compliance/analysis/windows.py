"""Reporting windows for 周调度、月小结、季通报、年总结 (plan 五 (三)), and dated findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..campaign import Campaign
from ..findings import enterprise_key, registry_keys
from ..ledgers import LEDGERS
from ..rules import REGISTRY
from ..text import NUMERALS
from .sources import field_at, rows_at

CADENCES = {"week": "周调度表", "month": "月小结", "quarter": "季通报", "year": "年总结"}


@dataclass(frozen=True)
class Window:
    cadence: str
    start: dt.date
    end: dt.date

    @property
    def title(self) -> str:
        return CADENCES[self.cadence]

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if self.cadence == "month":
            return f"{e.year}年{e.month}月（{s.month}月{s.day}日—{e.month}月{e.day}日）"
        if self.cadence == "quarter":
            return f"{e.year}年第{NUMERALS[(e.month - 1) // 3]}季度（{s.month}月{s.day}日—{e.month}月{e.day}日）"
        if s > e:  # a 年总结 as of a day before the campaign began: no day of it is covered yet
            return f"尚未开始（专项行动{s.year}年{s.month}月{s.day}日开始）"
        return f"{s.year}年{s.month}月{s.day}日—{e.year}年{e.month}月{e.day}日"

    def contains(self, dates: pd.Series) -> pd.Series:
        start, end = pd.Timestamp(self.start), pd.Timestamp(self.end) + pd.Timedelta(days=1)
        return ((dates >= start) & (dates < end)).fillna(False).astype(bool)


def window_for(cadence: str, as_of: dt.date, campaign: Campaign) -> Window:
    """The window a cadence product covers, ending on as-of: the 7 days, the month, the quarter
    so far, or the whole campaign from its first day (年总结: empty, and labelled so, as of a day before
    the campaign began)."""
    if cadence == "week":
        return Window(cadence, as_of - dt.timedelta(days=6), as_of)
    if cadence == "month":
        return Window(cadence, as_of.replace(day=1), as_of)
    if cadence == "quarter":
        return Window(cadence, dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1), as_of)
    if cadence == "year":
        return Window(cadence, campaign.start, as_of)  # the campaign began in May: so does its summary
    raise ValueError(f"unknown cadence {cadence!r}: week, month, quarter or year")


def period_end(campaign: Campaign, label: str) -> pd.Timestamp:
    """The last day of a period label: a phase, a half-year, a year, a month or a day (``YYYY-MM-DD``)."""
    if not label:
        return pd.NaT
    if label.startswith("P"):
        return pd.Timestamp(campaign.phase(label).end)
    if label.endswith("-H1"):
        return pd.Timestamp(int(label[:4]), 6, 30)
    if label.endswith("-H2") or len(label) == 4:
        return pd.Timestamp(int(label[:4]), 12, 31)
    if len(label) == 10:  # one day (TR006: the typical accident's date)
        return pd.Timestamp(label)
    return pd.Period(label, freq="M").end_time.normalize()


def _arisen(result, f: pd.DataFrame) -> pd.Series:
    """The day each finding arose, by its rule's own reading (:attr:`~jicui_compliance.rules.base.Rule.arises`),
    for the rules whose findings arise later than the date of their row or their period label, or have no date
    at all (NaT for the findings of the other rules, and where the rule gives none)."""
    out = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
    ids = f["rule_id"].astype(object)
    lookups = None  # the registry's enterprises by key and by credit code, made once for all the rules
    for rid in ids.unique():
        rule = REGISTRY.get(rid)
        if rule is None or rule.arises is None:
            continue
        sel = (ids == rid).to_numpy(dtype=bool)
        lookups = lookups or _eid_lookups(result)
        found = f[sel].assign(eid=_eids(f[sel], *lookups), row=_rows(result, f[sel]))
        days = pd.to_datetime(pd.Series(rule.arises(result.context, found)).to_numpy(), errors="coerce")
        out[sel] = pd.DatetimeIndex(days).normalize().to_numpy(dtype="datetime64[ns]")
    return out


def _eid_lookups(result) -> tuple[pd.Series, pd.Series]:
    """The registry's enterprises (eid) by :func:`.findings.enterprise_key` (a key two enterprises share: neither)
    and by credit code (the first row of that code)."""
    reg = result.registry
    by_key = pd.Series(reg.index.to_numpy(), index=pd.Index(registry_keys(reg).to_numpy(), dtype=object))
    by_key = by_key[(by_key.index != "") & ~by_key.index.duplicated(keep=False)]
    by_uscc = pd.Series(reg.index.to_numpy(), index=pd.Index(reg["uscc"].astype(object).to_numpy(), dtype=object))
    by_uscc = by_uscc[by_uscc.index.notna() & ~by_uscc.index.duplicated()]
    return by_key, by_uscc


def _eids(found: pd.DataFrame, by_key: pd.Series, by_uscc: pd.Series) -> pd.array:
    """The registry enterprise of each finding, <NA> for none: by its credit code and name, or by its name and
    village where the registry gives it no credit code (:func:`.findings.enterprise_key`); by the credit code
    alone where the registry gives it no name (the first row of that code)."""
    eid = enterprise_key(found).map(by_key)
    eid = eid.where(eid.notna(), found["enterprise_uscc"].astype(object).map(by_uscc))
    return pd.array(eid.to_numpy(dtype=object, na_value=None), dtype="Int64")


def _rows(result, found: pd.DataFrame) -> pd.array:
    """The label, in its ledger's frame, of the ledger row each finding stands on, <NA> for none."""
    out = pd.array([None] * len(found), dtype="Int64")
    has_row = (found["ledger"] != "") & found["source_row"].notna()
    for ledger in found.loc[has_row, "ledger"].unique():
        if ledger not in LEDGERS:
            continue
        sel = (has_row & (found["ledger"] == ledger)).to_numpy(dtype=bool)
        rows = result.frame(ledger)
        at = rows_at(found[sel], rows)
        labels = pd.array(rows.index.to_numpy()[np.maximum(at, 0)], dtype="Int64")
        labels[at < 0] = pd.NA
        out[sel] = labels
    return out


def dated_findings(result) -> pd.DataFrame:
    """Findings with ``date``, the day each counts as new in the reports: the date of the record they stand on
    (its ledger's date field), or the last day of their period, the day the obligation came due; for the rules
    that declare it (``arises``: findings that arise after their row's date, or stand on a ledger without dates),
    the day the rule's own reading raises them (:func:`_arisen`), never before their row's date; NaT for findings
    about files and registry rows."""
    f = result.findings.copy()
    row_dates = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
    for ledger, led in LEDGERS.items():
        if not led.date_field:
            continue
        sel = (f["ledger"] == ledger) & f["source_row"].notna()
        if not sel.any():
            continue
        found = field_at(f[sel], result.frame(ledger), led.date_field)
        row_dates[sel] = pd.to_datetime(pd.Series(found)).dt.normalize().to_numpy()
    dates = row_dates.copy()
    per = f["period"] != ""
    labels = {p: period_end(result.campaign, p) for p in f.loc[per, "period"].unique()}
    dates[per] = f.loc[per, "period"].map(labels).to_numpy(dtype="datetime64[ns]")
    arisen = _arisen(result, f)
    arisen = arisen.where(arisen.isna() | row_dates.isna() | (arisen > row_dates), row_dates)  # not before its row
    f["date"] = arisen.where(arisen.notna(), dates)
    return f
