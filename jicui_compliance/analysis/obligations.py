"""Obligations, phase by phase: who had to do what by when, and who did.

Derived from the rule registry (each rule's :class:`~jicui_compliance.rules.base.Obligation`)
and the campaign calendar; there is no second hand-kept list of obligations. One row per
(rule, unit, period): a unit is an enterprise, a village or the town; a period is a month,
half-year, year or phase; for record obligations ("every hazard must…") the unit is the
enterprise and the period the phase in which its records are dated.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from ..campaign import Campaign, Period
from ..findings import enterprise_key, registry_keys
from ..ledgers import LEDGERS
from ..rules import Rule
from ..rules.training import typical_accident_deadline
from .sources import row_keys, source_codes

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


#: the date from which a row exists, for a ledger whose date field does not say it: a certificate issued after
#: as-of is not held at as-of (the SW rules)
_EXISTS_FROM = {"special_workers": "issued_on"}


def _population(result, who: str, ent: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units an obligation applies to: columns unit, eid, enterprise_name, village, station, industry, and key
    (what a finding names the unit by: an enterprise's credit code and name as :func:`.findings.enterprise_key`
    gives them, two enterprises may share a name; a village's, station's or the town's name).
    ``ent``: the population of ``enterprises`` where the caller has it."""
    reg = result.registry
    ent = ent if ent is not None else pd.DataFrame({
        "unit": reg["name"].astype(object).to_numpy(), "eid": reg.index.to_numpy(),
        "enterprise_name": reg["name"].astype(object).to_numpy(), "village": reg["village"].astype(object).to_numpy(),
        "station": reg["station_eff"].astype(object).to_numpy(), "industry": reg["industry"].astype(object).to_numpy(),
        "key": _registry_keys(reg),
    })
    if who == "enterprises":
        return ent
    if who == "high_risk":
        return ent[reg["high_risk_eff"].to_numpy()]
    if who.startswith("with:"):  # enterprises with rows that exist at as-of, as the rules read them (undated kept)
        name = who[5:]
        rows = result.frame(name)
        date = _EXISTS_FROM.get(name, LEDGERS[name].date_field)
        keep = result.existing(rows, date) if date in rows.columns else rows["eid"].notna()
        rows = rows[keep.to_numpy(dtype=bool)]
        return ent[ent["eid"].isin(rows["eid"].astype("int64"))]
    if who == "villages":
        villages = sorted(reg["village"].dropna().unique())
        return pd.DataFrame({"unit": villages, "eid": pd.NA, "enterprise_name": "", "village": villages,
                             "station": "", "industry": "", "key": villages})
    if who == "stations":  # GV003: the stations of the industries table that supervise an enterprise

        stations = result.resolution.supervising_stations()
        return pd.DataFrame({"unit": stations, "eid": pd.NA, "enterprise_name": "", "village": stations,
                             "station": stations, "industry": "", "key": stations})
    if who == "town":
        town = result.campaign.town
        return pd.DataFrame({"unit": [town], "eid": [pd.NA], "enterprise_name": [""], "village": [town],
                             "station": [""], "industry": [""], "key": [town]})
    raise ValueError(f"unknown obligation population {who!r}")


def _registry_keys(reg: pd.DataFrame) -> np.ndarray:
    """Each registry enterprise's key (:func:`.findings.registry_keys`); None for an enterprise without a name,
    whose findings name no enterprise."""
    keys = registry_keys(reg)
    return keys.where(keys != "", None).to_numpy(dtype=object)


class _ByRule:
    """The findings of each rule, picked out once for all the obligations (not by comparing every finding's
    rule with each of some seventy rules in turn), and where they stand: file and sheet numbered among all
    the findings' once, so that a rule's findings are matched with ledger rows on integers alone."""

    def __init__(self, findings: pd.DataFrame):
        self.findings = findings
        codes, uniques = pd.factorize(findings["rule_id"].to_numpy(dtype=object))
        order = np.argsort(codes, kind="stable")  # each rule's findings in their order
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        self._at = {u: order[bounds[i]:bounds[i + 1]] for i, u in enumerate(uniques)}
        self._file, files = pd.factorize(findings["source_file"].to_numpy(dtype=object), use_na_sentinel=False)
        self._sheet, sheets = pd.factorize(findings["source_sheet"].to_numpy(dtype=object), use_na_sentinel=False)
        self.files, self.sheets = pd.Index(files, dtype=object), pd.Index(sheets, dtype=object)
        self._row = findings["source_row"].astype("Int64").to_numpy(dtype="int64", na_value=-1) + 1
        self._ledger = findings["ledger"].to_numpy(dtype=object)
        # the unit a finding names (its enterprise by credit code and name, else its village) and its period,
        # for the coverage obligations
        enterprise = enterprise_key(findings).to_numpy(dtype=object)
        self.unit = np.where(enterprise != "", enterprise, findings["village"].to_numpy(dtype=object))
        self.period = findings["period"].to_numpy(dtype=object)

    def at(self, rule_id: str) -> np.ndarray:
        """The positions of the findings of ``rule_id``."""
        return self._at.get(rule_id, np.zeros(0, dtype="int64"))

    def keyed(self, coded) -> tuple[np.ndarray, np.ndarray]:
        """Rows known by their :func:`.sources.source_codes`: each row's file among the findings' files (-1 for
        none) and its (file, sheet, Excel row) as one integer (-1 where no finding names its file or sheet)."""
        fc, fn, sc, sn, row = coded
        file = self.files.get_indexer(fn).astype("int64")[fc]
        sheet = self.sheets.get_indexer(sn).astype("int64")[sc]
        return file, row_keys(len(self.sheets), file, sheet, row)

    def flagged(self, rule_id: str, ledger: str, file: np.ndarray, key: np.ndarray) -> np.ndarray:
        """:func:`.sources.flagged` for the rows :meth:`keyed` gave ``file`` and ``key``, and the findings of
        ``rule_id`` on ``ledger``: only the rows of the files those findings name are compared."""
        out = np.zeros(len(key), dtype=bool)
        at = self._at.get(rule_id)
        if at is None or not len(key):
            return out
        at = at[self._ledger[at] == ledger]
        if not len(at):
            return out
        named = np.zeros(len(self.files) + 1, dtype=bool)  # the last one: rows of no finding's file (-1)
        named[self._file[at]] = True
        maybe = np.flatnonzero(named[file])
        mine = key[maybe]
        out[maybe] = (mine >= 0) & np.isin(mine, row_keys(len(self.sheets), self._file[at], self._sheet[at], self._row[at]))
        return out


class _Units:
    """The units the status rows stand for, in one table: every enterprise of the registry (in its order),
    then the villages, the stations and the town as the obligations ask for them. A status row is a
    position in it: the unit's six columns are taken once, for all rows, when the table is made."""

    ENTERPRISES = ("enterprises", "high_risk")

    def __init__(self, result):
        self.result = result
        self.blocks = [_population(result, "enterprises")]
        self.n = len(self.blocks[0])
        self.eids = pd.Index(self.blocks[0]["eid"])
        self._at: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}
        self._names: dict[str, tuple[np.ndarray, pd.Index]] = {}

    def of(self, who: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The population of ``who`` and its units' positions (the same arrays each time it is asked for)."""
        if who not in self._at:
            pop = _population(self.result, who, self.blocks[0])
            # a selection of the enterprises: their positions are their labels
            self._at[who] = (pop, pop.index.to_numpy() if self.is_enterprises(who) else self._add(pop))
        return self._at[who]

    def is_enterprises(self, who: str) -> bool:
        return who in self.ENTERPRISES or who.startswith("with:")

    def names(self, who: str, pop: pd.DataFrame, pos: np.ndarray) -> tuple[np.ndarray, pd.Index]:
        """The population's unit keys numbered (a code per unit, into the distinct keys: what findings name the
        units by, ``key`` of :func:`_population`): the enterprises' keys are numbered once for every population
        of enterprises."""
        key = "enterprises" if self.is_enterprises(who) else who
        if key not in self._names:
            units = (self.blocks[0] if key == "enterprises" else pop)["key"].to_numpy(dtype=object)
            codes, uniques = pd.factorize(units, use_na_sentinel=False)
            self._names[key] = (codes, pd.Index(uniques, dtype=object))
        codes, uniques = self._names[key]
        return (codes[pos] if key == "enterprises" else codes), uniques

    def of_eids(self, eids: np.ndarray) -> np.ndarray:
        """Positions of enterprises by ID (one not in the registry gets a unit without name or village)."""
        pos = self.eids.get_indexer(eids)
        if (pos < 0).any():
            missing = np.unique(eids[pos < 0])
            block = pd.DataFrame({"unit": np.nan, "eid": missing, "enterprise_name": np.nan, "village": np.nan,
                                  "station": np.nan, "industry": np.nan, "key": None})
            extra = pd.Index(missing).get_indexer(eids[pos < 0])
            pos[pos < 0] = self._add(block)[extra]
        return pos

    def _add(self, frame: pd.DataFrame) -> np.ndarray:
        self.blocks.append(frame.reset_index(drop=True))
        self.n += len(frame)
        return np.arange(self.n - len(frame), self.n)

    def table(self) -> pd.DataFrame:
        return pd.concat(self.blocks, ignore_index=True) if len(self.blocks) > 1 else self.blocks[0]


#: a part of one obligation's rows: unit positions, period and phase labels, status (index into STATUSES),
#: records and bad records (None for coverage obligations)
_Rows = tuple[np.ndarray, str, str, np.ndarray, "np.ndarray | None", "np.ndarray | None"]


def _coverage(result, rule: Rule, units: _Units, by_rule: _ByRule) -> list[_Rows]:
    """Coverage obligations: each unit of the population, per period, compliant unless a finding of the
    rule names it (an enterprise by its credit code and name, else the village by name) for that period."""
    ob = rule.obligation
    assert ob is not None  # obligation_status passes rules with an obligation only
    camp, as_of = result.campaign, result.as_of
    pop, pos = units.of(ob.who)
    code, names = units.names(ob.who, pop, pos)
    mine = by_rule.at(rule.id)
    bad_at = names.get_indexer(pd.Index(by_rule.unit[mine], dtype=object))  # -1: not a unit of the population
    bad_period = by_rule.period[mine]
    ok, not_ok, pending = (STATUSES.index(s) for s in (COMPLIANT, NOT_COMPLIANT, PENDING))

    def hit(sel: np.ndarray) -> np.ndarray:
        mark = np.zeros(len(names) + 1, dtype=bool)
        mark[bad_at[sel]] = True
        mark[-1] = False  # -1 marked no unit
        return mark[code]

    if ob.when == "typical_accidents":  # TR006: each accident binds the enterprises of its industries
        industry = pd.Index(pop["industry"].to_numpy(dtype=object))
        rows: list[_Rows] = []
        for a in camp.typical_accidents:
            label, due = a.date.isoformat(), typical_accident_deadline(camp, pd.Timestamp(a.date)).date()
            bound = industry.isin(a.industries) if a.industries else np.ones(len(pop), dtype=bool)
            if camp.is_due(due, as_of):
                status = np.where(hit(bad_period == label), not_ok, ok)
            else:
                status = np.full(len(pop), pending)
            rows.append((pos[bound], label, phase_of(camp, due), status[bound], None, None))
        return rows
    if ob.when == "as_of":  # a state at as-of (e.g. safety staff named): judged now, in the current phase
        now = phase_of(camp, as_of)
        state = np.where(hit(np.ones(len(mine), dtype=bool)), not_ok, ok)
        return [(pos, now, now, state, None, None)]
    out: list[_Rows] = []
    for p in periods_of(camp, ob.when):
        if camp.is_due(p.end, as_of):
            status = np.where(hit(bad_period == p.label), not_ok, ok)
        else:
            status = np.full(len(pop), pending)
        out.append((pos, p.label, phase_of(camp, p.end), status, None, None))
    return out


def _phases_of_days(campaign: Campaign, days: np.ndarray, names: list[str]) -> np.ndarray:
    """:func:`phase_of` of each day (``datetime64[D]``) as its place in ``names``, on the whole array: the first
    phase that holds the day, else the first phase for a day before it and the last for any other day."""
    first, last = campaign.phases[0], campaign.phases[-1]
    out = np.where(days < np.datetime64(first.start, "D"), names.index(first.id), names.index(last.id))
    found = np.zeros(len(days), dtype=bool)
    for p in campaign.phases:
        inside = ~found & (days >= np.datetime64(p.start, "D")) & (days <= np.datetime64(p.end, "D"))
        out[inside] = names.index(p.id)
        found |= inside
    return out.astype("int64")


def _groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(key, sort=True)`` of non-negative integers: counted in one array where their range is
    small (enterprise IDs × phases), each key's group its place among the keys present."""
    if not len(key) or key.min() < 0 or key.max() > 4 * len(key) + (1 << 20):
        return pd.factorize(key, sort=True)
    present = np.bincount(key) > 0
    place = np.cumsum(present) - 1
    return place[key], np.flatnonzero(present)


def _dated_rows(result, ledger: str, date: str, units: _Units, by_rule: _ByRule):
    """The rows of ``ledger`` a record obligation judges (attributed, existing at as-of as the rules read them:
    :meth:`~jicui_compliance.check.CheckResult.existing`, undated rows left out) and, the same
    for every rule on that ledger and date: their number, each row's (enterprise, phase) group as a number,
    the number of groups, the groups of each phase (phase ID, the groups' numbers, their enterprises' unit
    positions and their numbers of rows) and the rows' files numbered (:func:`.sources.source_codes`)."""
    ctx = result
    frame = ctx.frame(ledger)
    when = frame[date]
    # the rules' own cut-off (resolution.existing): dated before the end of the as-of day, a time on it included
    keep = ctx.existing(frame, date, undated=False).to_numpy(dtype=bool)
    names = sorted({p.id for p in result.campaign.phases})
    n = int(keep.sum())
    # each row's phase, numbered in the sorted order of the phase IDs
    values = when.to_numpy()[keep]
    if values.dtype.kind == "M":
        phase = _phases_of_days(result.campaign, values.astype("datetime64[D]"), names)
    else:
        days, distinct = pd.factorize(pd.Series(values).dt.normalize())
        phase_at = [names.index(phase_of(result.campaign, pd.Timestamp(d).date())) for d in distinct]
        phase = np.asarray(phase_at, dtype="int64")[days] if n else np.zeros(0, dtype="int64")
    # (enterprise, phase) groups on one integer, in the order groupby sorts them: enterprise, then phase
    eid = frame["eid"].to_numpy(dtype="int64", na_value=-1)[keep]
    group, keys = _groups(eid * len(names) + phase)
    pos = units.of_eids(keys // len(names)) if len(keys) else np.zeros(0, dtype="int64")
    records = np.bincount(group, minlength=len(keys)).astype(float)
    by_phase = []
    for k, name in enumerate(names):
        at = np.flatnonzero(keys % len(names) == k)
        if len(at):
            by_phase.append((name, at, pos[at], records[at]))
    fc, fn, sc, sn, row = source_codes(frame)  # for the flagged rows, rule after rule
    file, key = by_rule.keyed((fc[keep], fn, sc[keep], sn, row[keep]))
    return n, group, len(keys), by_phase, (file, key)


def _records(result, rule: Rule, units: _Units, shared: dict, by_rule: _ByRule) -> list[_Rows]:
    """Record obligations: each enterprise × phase in which it has records, compliant if none has a finding,
    a part per phase. ``shared``: rows and their (enterprise, phase) groups already worked out for another rule
    on the same ledger."""
    ob = rule.obligation
    assert ob is not None and ob.ledger is not None and ob.date is not None  # a records obligation names both
    key = (ob.ledger, ob.date)
    if key not in shared:
        shared[key] = _dated_rows(result, ob.ledger, ob.date, units, by_rule)
    n, group, n_groups, by_phase, (file, row_key) = shared[key]
    if n == 0:
        return []
    is_bad = by_rule.flagged(rule.id, ob.ledger, file, row_key)
    bad = np.bincount(group[is_bad], minlength=n_groups).astype(float) if is_bad.any() else np.zeros(n_groups)
    status = np.where(bad > 0, STATUSES.index(NOT_COMPLIANT), STATUSES.index(COMPLIANT))
    return [(pos, name, name, status[at], records, bad[at]) for name, at, pos, records in by_phase]


def obligation_status(result, rules: list[Rule] | None = None) -> pd.DataFrame:
    """One row per (rule, unit, period) with its status 合规 / 不合规 / 待到期."""
    return coded_status(result, rules).frame


def _strings(values) -> pd.api.extensions.ExtensionArray:
    """Python strings as the string array pandas makes of them in a frame."""
    return pd.Series(np.asarray(values, dtype=object)).array


def _sorted_codes(codes: np.ndarray, values) -> tuple[np.ndarray, pd.Index]:
    """Codes into ``values`` (-1: missing) as ``pd.factorize(…, sort=True)`` gives them: renumbered in the
    sorted order of the values present, with those values."""
    values = pd.Index(values)
    present = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(values)))
    order = present[values.take(present).argsort(kind="stable")]
    renum = np.full(len(values), -1, dtype="int64")
    renum[order] = np.arange(len(order))
    return np.where(codes >= 0, renum[np.maximum(codes, 0)], -1), values.take(order)


def _sorted_codes_at(codes: np.ndarray, values, at: np.ndarray, used: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """``_sorted_codes(codes[at], values)``, renumbered on ``codes`` (``used``: the entries ``at`` points to)
    before one take per row."""
    small, kept = _sorted_codes(np.where(used, codes, -1), values)
    return small[at], kept


def coded_status(result, rules: list[Rule] | None = None) -> Codes:
    """:func:`obligation_status` with the integer codes of its columns (:class:`Codes`).

    Built on integers: each obligation gives parts of rows with one period and phase — unit positions
    (:class:`_Units`), statuses and record counts. The table's order (phase, rule, period, village, unit;
    values in sorted order, missing last: the order of a stable ``sort_values``) is reached part by part: the
    parts sorted on their phase, rule and period, the rows of a part on their unit's village and name (the
    same positions in the same order for every part of a population). Its columns are kept as positions into
    the units, the rules and the labels and taken from them only when the frame is asked for
    (:attr:`Codes.frame`): the counts of a report need the codes only. The codes of the sort keys are kept
    (and those of the status and the enterprise), for the counts on it."""
    rules = [r for r in (rules or result.rules) if r.obligation is not None]
    units = _Units(result)
    shared: dict = {}  # the rows of a ledger, by (ledger, date), for the record obligations on it
    by_rule = _ByRule(result.findings)
    labels: dict[str, int] = {}  # period and phase labels, numbered as met
    parts = []  # (rule, period, phase, unit positions, status, records, bad records)
    used: list[Rule] = []
    for r in rules:
        got = _records(result, r, units, shared, by_rule) if r.obligation and r.obligation.when == "records" \
            else _coverage(result, r, units, by_rule)
        chunks = [c for c in got if len(c[0])]
        if chunks:
            used.append(r)
        for p, period_label, phase_label, st, rec, b in chunks:
            parts.append((len(used) - 1, labels.setdefault(period_label, len(labels)),
                          labels.setdefault(phase_label, len(labels)), p, st, rec, b))
    if not used:
        return Codes(pd.DataFrame(columns=STATUS_COLUMNS))
    u = units.table()
    names = list(labels)
    # the parts in the order of their phase, rule and period (labels and rule IDs ranked as sorted)
    label_rank = _rank(names)
    rule_rank = _rank([r.id for r in used])
    # a (phase, rule, period) names one part: an obligation gives one part per period (records: per phase)
    parts.sort(key=lambda part: (label_rank[part[2]], rule_rank[part[0]], label_rank[part[1]]))
    # each unit position's place in the order of (village, unit), missing last
    unit_key = np.zeros(len(u), dtype="int64")
    for k in ("village", "unit"):
        c, values = pd.factorize(u[k], sort=True)
        unit_key = unit_key * (len(values) + 1) + np.where(c < 0, len(values), c)
    orders: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # by the positions' identity: populations recur

    def order(pos: np.ndarray) -> np.ndarray:
        if id(pos) not in orders:
            orders[id(pos)] = (pos, np.argsort(unit_key[pos], kind="stable"))
        return orders[id(pos)][1]

    rule_of, period_of, phase_of_, lengths = [], [], [], []
    at, status, records, bad = [], [], [], []
    for rule, per, ph, p, st, rec, b in parts:
        o = order(p)
        rule_of.append(rule)
        period_of.append(per)
        phase_of_.append(ph)
        lengths.append(len(p))
        at.append(p[o])
        status.append(st[o])
        records.append(np.full(len(p), np.nan) if rec is None else rec[o])
        bad.append(np.full(len(p), np.nan) if b is None else b[o])
    n = np.asarray(lengths)
    rows = {"rule_id": np.asarray(rule_of), "period": np.asarray(period_of), "phase": np.asarray(phase_of_)}
    codes = {
        "phase": _sorted_codes(rows["phase"], names), "rule_id": _sorted_codes(rows["rule_id"], [r.id for r in used]),
        "period": _sorted_codes(rows["period"], names),  # per part: the same values present as per row
    }
    codes = {k: (np.repeat(c, n), v) for k, (c, v) in codes.items()}
    rows = {k: np.repeat(v, n) for k, v in rows.items()}
    at_all, status_all = np.concatenate(at), np.concatenate(status)
    # renumbered among the values present on the few values themselves, then taken once per row
    codes["status"] = _sorted_codes_at(np.arange(len(STATUSES)), list(STATUSES), status_all,
                                       np.bincount(status_all, minlength=len(STATUSES)) > 0)
    used_units = np.bincount(at_all, minlength=len(u)) > 0
    for k in ("village", "unit", "eid"):
        c, values = pd.factorize(u[k], sort=True)
        codes[k] = _sorted_codes_at(c, values, at_all, used_units)
    label_values = _strings(names)
    rule_values = {k: _strings([getattr(r, "id" if k == "rule_id" else k) for r in used])
                   for k in ("rule_id", "title", "clause", "severity")}
    columns = {
        **{k: (rows["rule_id"], rule_values[k]) for k in ("rule_id", "title", "clause", "severity")},
        "phase": (rows["phase"], label_values), "period": (rows["period"], label_values),
        **{k: (at_all, u[k].array) for k in ("unit", "eid", "enterprise_name", "village", "station", "industry")},
        "status": (status_all, _strings(list(STATUSES))),
        "records": (None, np.concatenate(records)), "bad_records": (None, np.concatenate(bad)),
    }
    return Codes.lazy({k: columns[k] for k in STATUS_COLUMNS}, codes, len(at_all))


def _rank(values: list[str]) -> np.ndarray:
    """Each value's place in the stable sorted order of ``values``."""
    rank = np.empty(len(values), dtype="int64")
    rank[pd.Index(values).argsort(kind="stable")] = np.arange(len(values))
    return rank


class Codes:
    """A status table and the integer codes of its columns (``pd.factorize(…, sort=True)``: a value's code
    is its place among the column's sorted distinct values, -1 for a missing one), each worked out once and
    shared by the tables counted on it: counting half a million rows on integers rather than strings.

    Made by :func:`coded_status`, the table itself is kept as its columns' parts — positions into a small
    array of values (the units, the rules, the labels) — and made only when :attr:`frame` is first asked for."""

    def __init__(self, frame: pd.DataFrame | None, codes: dict | None = None,
                 parts: dict[str, tuple[np.ndarray | None, object]] | None = None, n: int | None = None):
        self._frame = frame
        self._parts = dict(parts or {})
        self._n = len(frame) if frame is not None else int(n or 0)
        self._codes: dict[str, tuple[np.ndarray, pd.Index]] = dict(codes or {})
        self._masks: dict[tuple, np.ndarray] = {}

    @classmethod
    def lazy(cls, parts: dict[str, tuple[np.ndarray | None, object]], codes: dict, n: int) -> Codes:
        """A status table of ``n`` rows given by column: ``(positions, values)`` (the column is
        ``values.take(positions)``) or ``(None, column)``."""
        return cls(None, codes, parts, n)

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = pd.DataFrame({k: self._take(k) for k in self._parts}, copy=False)
        return self._frame

    def _take(self, column: str, at: np.ndarray | None = None):
        idx, values = self._parts[column]
        if idx is None:
            return values if at is None else values[at]  # type: ignore[index]
        return values.take(idx if at is None else idx[at])  # type: ignore[attr-defined]

    def values(self, column: str, at: np.ndarray):
        """The values of ``column`` at the row positions ``at`` (an array, without making the whole table)."""
        if column in self._parts:
            return self._take(column, at)
        return self.frame[column].take(at).array

    def __len__(self) -> int:
        return self._n

    def __call__(self, column: str) -> tuple[np.ndarray, pd.Index]:
        """The codes of ``column`` and its distinct values (in sorted order)."""
        if column not in self._codes:
            idx, values = self._parts.get(column, (None, None))
            if idx is not None:  # numbered among the few values the positions point into
                c, uniques = pd.factorize(pd.Series(values, copy=False), sort=True)  # as the frame's column
                self._codes[column] = _sorted_codes(np.asarray(c)[idx], uniques)
            else:
                codes, uniques = pd.factorize(self.frame[column], sort=True)
                self._codes[column] = (codes, uniques)
        return self._codes[column]

    def isin(self, column: str, values) -> np.ndarray:
        """Rows whose ``column`` is one of ``values`` (the same question asked by several tables: answered once;
        not to be changed in place)."""
        key = (column, tuple(values))
        if key not in self._masks:
            codes, uniques = self(column)
            self._masks[key] = np.isin(codes, np.flatnonzero(uniques.isin(list(values))))
        return self._masks[key]

    def equals(self, column: str, value) -> np.ndarray:
        """Rows whose ``column`` is ``value``."""
        codes, uniques = self(column)
        at = uniques.get_indexer([value])[0]
        return codes == at if at >= 0 else np.zeros(len(self), dtype=bool)

    def where(self, rows: np.ndarray) -> Codes:
        """The rows where ``rows`` (a boolean mask) holds, renumbered from 0, with their codes."""
        codes = {k: (c[rows], u) for k, (c, u) in self._codes.items()}
        if not self._parts:
            assert self._frame is not None
            return Codes(self._frame[rows].reset_index(drop=True), codes)
        parts = {k: (None, v[rows]) if idx is None else (idx[rows], v)  # type: ignore[index]
                 for k, (idx, v) in self._parts.items()}
        return Codes.lazy(parts, codes, int(np.count_nonzero(rows)))

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
        sizes = [len(self(k)[1]) for k in keys]
        cells = math.prod(sizes) * len(st_values)
        if not sel.any() or cells > 2**24:
            return self._counts_grouped(keys, cols, sel)
        # each (keys, status) combination one number, counted with bincount: groups in the order of their codes
        key = np.zeros(np.count_nonzero(sel), dtype="int64")
        for k, size in zip(keys, sizes):
            key = key * size + cols[k][sel]
        n = np.bincount(key * len(st_values) + st[sel], minlength=cells).reshape(-1, len(st_values))
        present = np.flatnonzero(n.any(axis=1))
        codes, rest = [], present
        for size in reversed(sizes):
            codes.append(rest % size)
            rest = rest // size
        out = pd.DataFrame({k: self(k)[1].take(c) for k, c in zip(keys, reversed(codes))})
        for status in STATUSES:
            at = st_values.get_indexer([status])[0]
            out[status] = n[present, at].astype("int64") if at >= 0 else np.zeros(len(present), dtype="int64")
        return out

    def _counts_grouped(self, keys: list[str], cols: dict[str, np.ndarray], sel: np.ndarray) -> pd.DataFrame:
        """:meth:`counts` by a groupby (no rows, or too many combinations of keys to count them in one array)."""
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
        counts.insert(2 + i, k, coded.values(k, at))
    counts.insert(len(keys), "应核查", counts[list(STATUSES)].sum(axis=1))
    due = counts[COMPLIANT] + counts[NOT_COMPLIANT]
    counts["合规率"] = (counts[COMPLIANT] / due.where(due > 0))
    return counts
