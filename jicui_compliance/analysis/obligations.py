"""Obligations, phase by phase: who had to do what by when, and who did.

Derived from the rule registry (each rule's :class:`~jicui_compliance.rules.base.Obligation`)
and the campaign calendar; there is no second hand-kept list of obligations. One row per
(rule, unit, period): a unit is an enterprise, a village or the town; a period is a month,
half-year, year or phase; for record obligations ("every hazard must…") the unit is the
enterprise and the period the phase in which its records are dated.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..campaign import Campaign, Period
from ..rules import Rule
from .sources import flagged

COMPLIANT, NOT_COMPLIANT, PENDING = "合规", "不合规", "待到期"
STATUSES = (COMPLIANT, NOT_COMPLIANT, PENDING)
STATUS_COLUMNS = ["rule_id", "title", "clause", "severity", "phase", "period", "unit", "eid", "enterprise_name",
                  "village", "station", "industry", "status", "records", "bad_records"]


def phase_of(campaign: Campaign, day: dt.date) -> str:
    """The phase a day belongs to; days before the first phase count in P1, after the last in the last."""
    p = campaign.phase_of(day)
    if p is not None:
        return p.id
    return campaign.phases[0].id if day < campaign.phases[0].start else campaign.phases[-1].id


def periods_of(campaign: Campaign, when: str) -> list[Period]:
    if when == "months":
        return list(campaign.head_inspection_months)
    year, h1, h2 = campaign.drill_periods()
    if when in ("drill_year", "year"):
        return [year]
    if when == "drill_halves":
        return [h1, h2]
    if when.startswith("P"):
        return [campaign.phase_period(when)]
    raise ValueError(f"unknown obligation period {when!r}")


def _population(result, who: str) -> pd.DataFrame:
    """Units an obligation applies to: columns unit, eid, enterprise_name, village, station, industry."""
    reg = result.registry
    ent = pd.DataFrame({
        "unit": reg["name"].astype(object).to_numpy(), "eid": reg.index.to_numpy(),
        "enterprise_name": reg["name"].astype(object).to_numpy(), "village": reg["village"].astype(object).to_numpy(),
        "station": reg["station_eff"].astype(object).to_numpy(), "industry": reg["industry"].astype(object).to_numpy(),
    })
    if who == "enterprises":
        return ent
    if who == "high_risk":
        return ent[reg["high_risk_eff"].to_numpy()]
    if who.startswith("with:"):
        rows = result.frame(who[5:])
        rows = rows[rows["eid"].notna()]
        if "date" in rows.columns:
            rows = rows[~(rows["date"] > result.as_of_ts).fillna(False).astype(bool)]
        return ent[ent["eid"].isin(rows["eid"].astype("int64"))]
    if who == "villages":
        villages = sorted(reg["village"].dropna().unique())
        return pd.DataFrame({"unit": villages, "eid": pd.NA, "enterprise_name": "", "village": villages,
                             "station": "", "industry": ""})
    if who == "stations":  # GV003: the stations of the industries table that supervise an enterprise

        stations = result.resolution.supervising_stations()
        return pd.DataFrame({"unit": stations, "eid": pd.NA, "enterprise_name": "", "village": stations,
                             "station": stations, "industry": ""})
    if who == "town":
        town = result.campaign.town
        return pd.DataFrame({"unit": [town], "eid": [pd.NA], "enterprise_name": [""], "village": [town],
                             "station": [""], "industry": [""]})
    raise ValueError(f"unknown obligation population {who!r}")


def _finding_units(result, rule: Rule) -> pd.DataFrame:
    """The (unit, period) pairs that have a finding of ``rule``."""
    f = result.findings[result.findings["rule_id"] == rule.id]
    reg = result.registry
    by_uscc = pd.Series(reg.index, index=reg["uscc"].astype(object)).loc[lambda s: ~s.index.duplicated()]
    by_name = pd.Series(reg.index, index=reg["name"].astype(object)).loc[lambda s: ~s.index.duplicated()]
    eid = f["enterprise_uscc"].map(by_uscc)
    eid = eid.where(eid.notna(), f["enterprise_name"].map(by_name))
    unit = np.where(f["enterprise_name"] != "", f["enterprise_name"], f["village"])
    return pd.DataFrame({"unit": unit, "eid": eid.to_numpy(), "period": f["period"].to_numpy()})


def _coverage(result, rule: Rule) -> pd.DataFrame:
    ob = rule.obligation
    assert ob is not None  # obligation_status passes rules with an obligation only
    camp, as_of = result.campaign, result.as_of
    units = _population(result, ob.who)
    bad = _finding_units(result, rule)
    if ob.when == "as_of":  # a state at as-of (e.g. safety staff named): judged now, in the current phase
        now = phase_of(camp, as_of)
        state = np.where(units["unit"].isin(set(bad["unit"])), NOT_COMPLIANT, COMPLIANT)
        return units.assign(period=now, phase=now, status=state, records=np.nan, bad_records=np.nan)
    frames = []
    for p in periods_of(camp, ob.when):
        if camp.is_due(p.end, as_of):
            hit = units["unit"].isin(bad.loc[bad["period"] == p.label, "unit"]).to_numpy()
            status = np.where(hit, NOT_COMPLIANT, COMPLIANT)
        else:
            status = np.full(len(units), PENDING)
        frames.append(units.assign(period=p.label, phase=phase_of(camp, p.end), status=status, records=np.nan,
                                   bad_records=np.nan))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=STATUS_COLUMNS)


def _dated_rows(result, ledger: str, date: str, units: pd.DataFrame):
    """The rows of ``ledger`` a record obligation judges (attributed, dated up to as-of) and, the same
    for every rule on that ledger and date: each row's (enterprise, phase) group as a number, and the
    groups in order with their enterprise's name, village, station and industry."""
    ctx = result
    rows = ctx.frame(ledger)
    rows = rows[rows["eid"].notna() & rows[date].notna() & (rows[date] <= ctx.as_of_ts + pd.Timedelta(days=1))]
    days = rows[date].dt.normalize()
    phase_by_day = {d: phase_of(result.campaign, d.date()) for d in days.unique()}
    keys = pd.DataFrame({"eid": rows["eid"].astype("int64").to_numpy(), "phase": days.map(phase_by_day).to_numpy()})
    by = keys.groupby(["eid", "phase"])
    groups = by.size().reset_index()[["eid", "phase"]].join(units, on="eid")
    return rows, by.ngroup().to_numpy(), groups


def _records(result, rule: Rule, shared: dict | None = None) -> pd.DataFrame:
    """Record obligations: each enterprise × phase in which it has records, compliant if none has a finding.
    ``shared``: rows and their (enterprise, phase) groups already worked out for another rule on the same ledger."""
    ob = rule.obligation
    assert ob is not None and ob.ledger is not None and ob.date is not None  # a records obligation names both
    key = (ob.ledger, ob.date)
    if shared is None or key not in shared:
        units = _population(result, "enterprises").drop(columns=["unit"]).set_index("eid")
        got = _dated_rows(result, ob.ledger, ob.date, units)
        if shared is not None:
            shared[key] = got
    else:
        got = shared[key]
    rows, group, groups = got
    if rows.empty:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    f = result.findings[(result.findings["rule_id"] == rule.id) & (result.findings["ledger"] == ob.ledger)]
    is_bad = np.asarray(flagged(rows, f), dtype=bool)
    agg = groups.copy()
    agg.insert(2, "records", np.bincount(group, minlength=len(groups)).astype("int64"))
    agg.insert(3, "bad_records", np.bincount(group[is_bad], minlength=len(groups)).astype("int64"))
    agg["unit"] = agg["enterprise_name"]
    agg["period"] = agg["phase"]
    agg["status"] = np.where(agg["bad_records"] > 0, NOT_COMPLIANT, COMPLIANT)
    return agg


def obligation_status(result, rules: list[Rule] | None = None) -> pd.DataFrame:
    """One row per (rule, unit, period) with its status 合规 / 不合规 / 待到期."""
    return coded_status(result, rules).frame


def coded_status(result, rules: list[Rule] | None = None) -> Codes:
    """:func:`obligation_status` with the integer codes of its columns (:class:`Codes`): those it is
    sorted on are worked out while sorting, the others when first asked for."""
    rules = [r for r in (rules or result.rules) if r.obligation is not None]
    parts = []
    shared: dict = {}  # the rows of a ledger, by (ledger, date), for the record obligations on it
    for r in rules:
        part = _records(result, r, shared) if r.obligation and r.obligation.when == "records" else _coverage(result, r)
        if len(part):
            parts.append(part.assign(rule_id=r.id, title=r.title, clause=r.clause, severity=r.severity))
    if not parts:
        return Codes(pd.DataFrame(columns=STATUS_COLUMNS))
    out = pd.concat(parts, ignore_index=True)[STATUS_COLUMNS]
    # sorted on the columns' codes (values in sorted order, missing last) rather than on the strings:
    # the same stable order as sort_values(kind="mergesort"), and the codes serve the counts after it
    keys = ["phase", "rule_id", "period", "village", "unit"]
    codes = {k: pd.factorize(out[k], sort=True) for k in keys}
    order = np.lexsort([np.where(c < 0, len(u), c) for c, u in (codes[k] for k in reversed(keys))])
    frame = out.take(order).reset_index(drop=True)
    return Codes(frame, {k: (c[order], u) for k, (c, u) in codes.items()})


class Codes:
    """A status table and the integer codes of its columns (``pd.factorize(…, sort=True)``: a value's code
    is its place among the column's sorted distinct values, -1 for a missing one), each worked out once and
    shared by the tables counted on it: counting half a million rows on integers rather than strings."""

    def __init__(self, frame: pd.DataFrame, codes: dict | None = None):
        self.frame = frame
        self._codes: dict[str, tuple[np.ndarray, pd.Index]] = dict(codes or {})

    def __len__(self) -> int:
        return len(self.frame)

    def __call__(self, column: str) -> tuple[np.ndarray, pd.Index]:
        """The codes of ``column`` and its distinct values (in sorted order)."""
        if column not in self._codes:
            codes, uniques = pd.factorize(self.frame[column], sort=True)
            self._codes[column] = (codes, uniques)
        return self._codes[column]

    def isin(self, column: str, values) -> np.ndarray:
        codes, uniques = self(column)
        return np.isin(codes, np.flatnonzero(uniques.isin(list(values))))

    def where(self, rows: np.ndarray) -> Codes:
        """The rows where ``rows`` (a boolean mask) holds, renumbered from 0, with their codes."""
        return Codes(self.frame[rows].reset_index(drop=True), {k: (c[rows], u) for k, (c, u) in self._codes.items()})

    def counts(self, keys: list[str], rows: np.ndarray | None = None) -> pd.DataFrame:
        """Rows (where ``rows`` holds) counted by the statuses per distinct ``keys`` (rows with a missing key left
        out, as groupby does): the keys' values in sorted order, then a column per status; as
        ``pd.crosstab([frame[k] for k in keys], frame["status"])`` with all of :data:`STATUSES` as columns."""
        sel = np.ones(len(self), dtype=bool) if rows is None else rows.copy()
        cols = {}
        for k in keys:
            c, _ = self(k)
            sel &= c >= 0
            cols[k] = c
        st, st_values = self("status")
        frame = pd.DataFrame({**{k: c[sel] for k, c in cols.items()}, "_s": st[sel]})
        n = frame.groupby([*keys, "_s"]).size().unstack("_s", fill_value=0)
        n.columns = st_values.take(n.columns.to_numpy())
        n = n.reindex(columns=list(STATUSES), fill_value=0)
        n.columns.name = None
        out = n.reset_index()
        for k in keys:
            out[k] = self(k)[1].take(out[k].to_numpy())
        return out


def phase_summary(status: pd.DataFrame | Codes, by: list[str] | None = None) -> pd.DataFrame:
    """Per phase and rule (and ``by``: village / station / industry): units required, compliant,
    not compliant, pending, and the compliance rate among the due ones. ``status``: the status table,
    or its :class:`Codes` (counted on integers)."""
    keys = ["phase", "rule_id", "title", "clause", *(by or [])]
    coded = status if isinstance(status, Codes) else Codes(status)
    if len(coded) == 0:
        return pd.DataFrame(columns=[*keys, "应核查", COMPLIANT, NOT_COMPLIANT, PENDING, "合规率"])
    # a rule has one title and one clause: counted per (phase, rule, by), its title and clause put beside
    counts = coded.counts(["phase", "rule_id", *(by or [])])
    rule, rules = coded("rule_id")
    seen, first = np.unique(rule, return_index=True)
    row = np.zeros(len(rules), dtype="int64")  # per rule: a row of it
    row[seen[seen >= 0]] = first[seen >= 0]
    at = row[rules.get_indexer(counts["rule_id"])]
    for i, k in enumerate(("title", "clause")):
        counts.insert(2 + i, k, coded.frame[k].take(at).array)
    counts.insert(len(keys), "应核查", counts[list(STATUSES)].sum(axis=1))
    due = counts[COMPLIANT] + counts[NOT_COMPLIANT]
    counts["合规率"] = (counts[COMPLIANT] / due.where(due > 0)).round(4)
    return counts
