"""Reporting windows for 周调度、月小结、季通报、年总结 (plan 五 (三)), and dated findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..campaign import Campaign
from ..ledgers import LEDGERS
from ..rules.enforcement import repeated_penalties
from ..rules.training import typical_accident_deadline
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
    """The day the findings of rules whose period or row date is not the day of the breach came due or arose,
    by the rule's own reading (NaT for the others): TR006 (period: the accident's day) on the last day of its
    education, EN005 (period: a year) on the day the count of penalties was reached with a major hazard open,
    HZ005 (on the hazard's row) the day after its 整改期限, HZ006 on its 整改完成日期."""
    out = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
    tr = ((f["rule_id"] == "TR006") & (f["period"] != "")).to_numpy(dtype=bool)
    if tr.any():
        due = {p: typical_accident_deadline(result.campaign, pd.Timestamp(p)) for p in f.loc[tr, "period"].unique()}
        out[tr] = f.loc[tr, "period"].map(due).to_numpy(dtype="datetime64[ns]")
    # a hazard's HZ005 arises the day after its 整改期限 (the deadline day itself is in time), its HZ006 on the day
    # it was done and not closed: not in the month it was found (a hazard found in July and overdue in August is
    # new in August's report, and in no report at all if dated by its 发现日期)
    hz = (f["rule_id"].isin(["HZ005", "HZ006"]) & (f["ledger"] == "hazards") & f["source_row"].notna()).to_numpy(dtype=bool)
    if hz.any():
        rows, sub = result.frame("hazards"), f[hz]
        at = rows_at(sub, rows)  # the hazard row of each finding, found once for the three dates

        def day(field: str) -> pd.Series:
            return pd.to_datetime(pd.Series(field_at(sub, rows, field, at))).dt.normalize()

        found = day("found_on")
        became = (day("deadline") + pd.Timedelta(days=1)).where((sub["rule_id"] == "HZ005").to_numpy(), day("done_on"))
        out[hz] = became.where(found.isna() | (became > found), found).to_numpy(dtype="datetime64[ns]")
    en = (f["rule_id"] == "EN005").to_numpy(dtype=bool)
    if en.any():
        raised = repeated_penalties(result.context)["raised_on"]
        uscc = result.registry["uscc"].reindex(raised.index).to_numpy(dtype=object)
        by_uscc = pd.Series(raised.to_numpy(), index=pd.Index(uscc, dtype=object))
        by_uscc = by_uscc[~by_uscc.index.duplicated()]
        out[en] = f.loc[en, "enterprise_uscc"].astype(object).map(by_uscc).to_numpy(dtype="datetime64[ns]")
    return out


def dated_findings(result) -> pd.DataFrame:
    """Findings with ``date``: the date of the record they stand on (its ledger's date field), or
    the last day of their period, the day the obligation came due; for the rules whose period is no
    deadline (TR006, EN005), the day the rule's own reading makes them due or raises them
    (:func:`_arisen`); NaT for findings about files and registry rows."""
    f = result.findings.copy()
    dates = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns]")
    for ledger, led in LEDGERS.items():
        if not led.date_field:
            continue
        sel = (f["ledger"] == ledger) & f["source_row"].notna()
        if not sel.any():
            continue
        found = field_at(f[sel], result.frame(ledger), led.date_field)
        dates[sel] = pd.to_datetime(pd.Series(found)).dt.normalize().to_numpy()
    per = f["period"] != ""
    labels = {p: period_end(result.campaign, p) for p in f.loc[per, "period"].unique()}
    dates[per] = f.loc[per, "period"].map(labels).to_numpy(dtype="datetime64[ns]")
    arisen = _arisen(result, f)
    f["date"] = arisen.where(arisen.notna(), dates)
    return f
