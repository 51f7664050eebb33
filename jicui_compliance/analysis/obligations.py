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
    rules = [r for r in (rules or result.rules) if r.obligation is not None]
    parts = []
    shared: dict = {}  # the rows of a ledger, by (ledger, date), for the record obligations on it
    for r in rules:
        part = _records(result, r, shared) if r.obligation and r.obligation.when == "records" else _coverage(result, r)
        if len(part):
            parts.append(part.assign(rule_id=r.id, title=r.title, clause=r.clause, severity=r.severity))
    if not parts:
        return pd.DataFrame(columns=STATUS_COLUMNS)
    out = pd.concat(parts, ignore_index=True)[STATUS_COLUMNS]
    return out.sort_values(["phase", "rule_id", "period", "village", "unit"], kind="mergesort").reset_index(drop=True)


def phase_summary(status: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Per phase and rule (and ``by``: village / station / industry): units required, compliant,
    not compliant, pending, and the compliance rate among the due ones."""
    keys = ["phase", "rule_id", "title", "clause", *(by or [])]
    if status.empty:
        return pd.DataFrame(columns=[*keys, "应核查", COMPLIANT, NOT_COMPLIANT, PENDING, "合规率"])
    counts = pd.crosstab([status[k] for k in keys], status["status"]).reindex(columns=list(STATUSES), fill_value=0)
    counts.columns.name = None
    counts = counts.reset_index()
    counts.insert(len(keys), "应核查", counts[list(STATUSES)].sum(axis=1))
    due = counts[COMPLIANT] + counts[NOT_COMPLIANT]
    counts["合规率"] = (counts[COMPLIANT] / due.where(due > 0)).round(4)
    return counts
