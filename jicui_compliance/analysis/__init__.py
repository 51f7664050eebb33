"""Analysis: pure functions on a check result, returning frames that notebooks and reports share.

>>> a = Analysis(result)                     # doctest: +SKIP
>>> a.phase_table()                          # obligations due per phase: 应核查/合规/不合规/待到期
>>> a.hazards(by="village")                  # hazard KPIs by village
>>> Analysis(result, village="东坡村")        # everything narrowed to one village
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import pandas as pd

from ..check import CheckResult
from ..findings import enterprise_key
from ..rules.context import Context
from ..text import map_distinct
from . import kpis
from .obligations import COMPLIANT, NOT_COMPLIANT, PENDING, Codes, coded_status, obligation_status, phase_summary
from .rankings import (
    LIST_RULES,
    LISTS,
    PROPOSAL_LISTS,
    UNIT_KINDS,
    Units,
    four_lists,
    letter_findings,
    letters,
    resubmission_findings,
    resubmissions,
    unit_ranking,
)
from .windows import CADENCES, Window, dated_findings, window_for

__all__ = ["Analysis", "CADENCES", "COMPLIANT", "LISTS", "LIST_RULES", "NOT_COMPLIANT", "PENDING", "PROPOSAL_LISTS",
           "Window", "dated_findings", "four_lists", "letter_findings", "resubmission_findings", "letters", "narrow", "obligation_status", "phase_summary",
           "resubmissions", "unit_ranking", "window_for"]


def narrow(result: CheckResult, village: str) -> CheckResult:
    """The same check result seen from one village: its enterprises, their records and findings."""
    ctx = result.context
    sub = Context(ctx.campaign, ctx.as_of, ctx.ledgers, ctx.submission, resolution=ctx.resolution.for_village(village))
    findings = result.findings[result.findings["village"] == village].reset_index(drop=True)
    return CheckResult(result.submission, sub, findings, result.rules)


class Analysis:
    """Everything the reports and notebooks show, computed once per check result."""

    def __init__(self, result: CheckResult, village: str | None = None):
        self.village = village
        self.whole = result  # the town-wide result: the 退回重报 and the letters are decided on it (RULEBOOK §10)
        self.result = narrow(result, village) if village else result
        self._rankings: dict[str, pd.DataFrame] = {}  # by village / station / industry: shared by ranking and letters
        self._phase_tables: dict[str | None, pd.DataFrame] = {}

    @property
    def campaign(self):
        return self.result.campaign

    @property
    def as_of(self):
        return self.result.as_of

    @property
    def findings(self) -> pd.DataFrame:
        return self.result.findings

    @cached_property
    def coded(self) -> Codes:
        """The status table with the integer codes of its columns, which the counts on it share."""
        coded = coded_status(self.result)
        return coded.where(coded.equals("village", self.village)) if self.village else coded

    @property
    def status(self) -> pd.DataFrame:
        """One row per (rule, unit, period) with 合规 / 不合规 / 待到期 (a village sees its own rows only)."""
        return self.coded.frame

    def of_rules(self, *rule_ids: str) -> pd.DataFrame:
        """The status rows of these rules (picked on the rule codes, not by comparing half a million strings)."""
        return self.status[self.coded.isin("rule_id", rule_ids)]

    def phase_table(self, by: str | None = None) -> pd.DataFrame:
        if by not in self._phase_tables:  # the overview and the detail of a report share it
            self._phase_tables[by] = phase_summary(self.coded, by=[by] if by else None)
        return self._phase_tables[by].copy()

    def phase_overview(self) -> pd.DataFrame:
        """Per phase: obligations (unit × period) due, compliant, not compliant, pending, rate."""
        t = self.phase_table()
        if t.empty:
            return t
        g = t.groupby("phase")[["应核查", COMPLIANT, NOT_COMPLIANT, PENDING]].sum()
        due = g[COMPLIANT] + g[NOT_COMPLIANT]
        g["合规率"] = (g[COMPLIANT] / due.where(due > 0))
        names = {p.id: p.name for p in self.campaign.phases}
        g.insert(0, "阶段", [f"{p} {names.get(p, '')}" for p in g.index])
        return g.reset_index()

    @cached_property
    def existing_hazards(self) -> pd.DataFrame:
        """The hazards that exist at as-of (:func:`.kpis.hazards_existing`), with done / closed / overdue: worked
        out once for the tables that count them. Not to be changed in place."""
        return kpis.hazards_existing(self.result)

    @cached_property
    def _hazard_counts(self):
        return kpis.hazard_counts(self.existing_hazards)

    def hazards(self, by: str | None = None) -> pd.DataFrame:
        return kpis.hazard_kpis(self.result, by=by, scope=self.village or "全镇", hazards=self.existing_hazards,
                                counts=self._hazard_counts)

    def hazard_flow(self) -> pd.DataFrame:
        return kpis.hazard_flow(self.result, hazards=self.existing_hazards)

    def listed_supervision(self) -> int:
        return kpis.listed_supervision(self.result)

    def coverage(self, rule_id: str, by: str | None = None) -> pd.DataFrame:
        return kpis.coverage(self.coded, rule_id, by=by)

    def head_inspection_matrix(self) -> pd.DataFrame:
        return kpis.head_inspection_matrix(self.coded)

    def outsourcing(self, since: dt.date | None = None) -> pd.DataFrame:
        """Outsourcing (:func:`.kpis.outsourcing_kpis`); ``since``: projects still running on that day."""
        return kpis.outsourcing_kpis(self.result, since)

    def hot_work(self, since: dt.date | None = None) -> pd.DataFrame:
        """Hot-work permits (:func:`.kpis.hot_work_kpis`); ``since``: permits starting from that day on."""
        return kpis.hot_work_kpis(self.result, since)

    def certificates(self) -> pd.DataFrame:
        return kpis.certificate_kpis(self.result)

    def training(self, since: dt.date | None = None) -> pd.DataFrame:
        """Training and warning education (:func:`.kpis.training_kpis`); ``since``: sessions from that day on."""
        return kpis.training_kpis(self.result, self.coded, since)

    def enforcement(self, since: dt.date | None = None) -> pd.DataFrame:
        """Enforcement by month (:func:`.kpis.enforcement_by_month`); ``since``: inspections from that day on."""
        return kpis.enforcement_by_month(self.result, since)

    def accidents(self) -> pd.DataFrame:
        return kpis.accident_kpis(self.result)

    def ranking(self, by: str = "village") -> pd.DataFrame:
        """Units ranked by their enterprises' obligation rate (:func:`.rankings.unit_ranking`). A village's
        analysis has the village's row of the whole town's ranking by village (排名: its place among the town's
        villages, the comparison its letter states), and its own enterprises by station or industry."""
        if by not in self._rankings:
            if self.village and by == "village":
                self._rankings[by] = self._own(self.town.ranking(by), by).reset_index(drop=True)
            else:
                self._rankings[by] = unit_ranking(self.coded, by=by)
        return self._rankings[by].copy()

    def four_lists(self) -> pd.DataFrame:
        """The 四个一批 proposals (建议名单): only ``enterprise`` findings count (see :func:`.rankings.four_lists`)."""
        return four_lists(self.result)

    def letters(self, previous=None) -> pd.DataFrame:
        """提醒函 / 督办函 to villages and stations; ``previous``: the units that had a 提醒函 in the previous
        report of the same cadence (names, or that report's ``letters()`` frame). Without it no 督办函 can be
        decided (``attrs["note"]`` says so). See :func:`.rankings.letters`.

        Decided town-wide: a village sees its own letter exactly as the whole town's list has it (its obligation
        rate compared with every village of the town, not with its own slice) and no station's letter (the
        stations answer for the whole town, not to one village)."""
        if self.village:
            town = self.town.letters(previous)
            own = self._own(town[town["类别"] == UNIT_KINDS["village"]], "单位").reset_index(drop=True)
            own.attrs = dict(town.attrs)
            return own
        return letters(self.result, self.coded, previous, rankings={by: self.ranking(by) for by in ("village", "station")})

    @cached_property
    def town(self) -> Analysis:
        """The whole town's analysis (this one when it is not narrowed to a village)."""
        return Analysis(self.whole) if self.village else self

    def resubmissions(self) -> pd.DataFrame:
        """退回重报: per submitting village or station, the files with ``record`` findings. Decided town-wide
        (a finding about a whole file or sheet, or a row of no registered enterprise, names no village): a
        village sees the rows the whole town's list has for it as the submitting unit, and no other unit's."""
        return self._own(resubmissions(self.whole), "报送单位").reset_index(drop=True)

    def resubmission_findings(self) -> pd.DataFrame:
        """The ``record`` findings behind :meth:`resubmissions`, with their submitting unit (``_unit``)."""
        return self._own(resubmission_findings(self.whole), "_unit")

    def _own(self, frame: pd.DataFrame, column: str) -> pd.DataFrame:
        """The rows of a town-wide ``frame`` whose unit in ``column`` is this village (all of them for the town),
        the unit compared as the letters compare it (:class:`.rankings.Units`)."""
        if not self.village:
            return frame
        units = Units(self.whole)
        return frame[(map_distinct(frame[column], units.key) == units.key(self.village)).to_numpy(dtype=bool)]

    def findings_by_rule(self) -> pd.DataFrame:
        """Findings per rule (most frequent first), with title, severity and one example message."""
        from ..rules import REGISTRY

        f = self.findings
        if f.empty:
            return pd.DataFrame(columns=["规则", "名称", "严重程度", "数量", "涉及企业", "示例"])
        g = f.groupby("rule_id").agg(数量=("rule_id", "size"), 示例=("message", "first")).reset_index()
        # distinct enterprises per rule, by credit code and name (two enterprises may share a name)
        named = f.assign(_ent=enterprise_key(f)).loc[lambda x: x["_ent"] != "", ["rule_id", "_ent"]]
        g.insert(2, "涉及企业", g["rule_id"].map(named.groupby("rule_id")["_ent"].nunique())
                 .fillna(0).astype("int64").to_numpy())
        g.insert(1, "名称", g["rule_id"].map(lambda r: REGISTRY[r].title))
        g.insert(2, "严重程度", g["rule_id"].map(lambda r: REGISTRY[r].severity))
        g = g.rename(columns={"rule_id": "规则"})
        return g.sort_values(["数量", "规则"], ascending=[False, True], kind="mergesort").reset_index(drop=True)

    @cached_property
    def dated(self) -> pd.DataFrame:
        return dated_findings(self.result)

    def open_hazards(self) -> pd.DataFrame:
        """Hazards not done at as-of, oldest first, with 逾期 days."""
        h = self.existing_hazards
        h = h[~h["done"]]
        reg = self.result.registry
        out = pd.DataFrame({
            "企业名称": h["eid"].map(reg["name"]), "所属村": h["eid"].map(reg["village"]),
            "隐患编号": h["hazard_no"], "隐患描述": h["description"], "发现日期": h["found_on"].dt.date,
            "整改期限": h["deadline"].dt.date,
            "逾期天数": (self.result.as_of_ts - h["deadline"]).dt.days.where(h["overdue"]),
            "来源": h["source_file"] + h["source_sheet"].map(lambda s: f"｜{s}" if s else "") + "｜第" + h["source_row"].astype(str) + "行",
        })
        return out.sort_values(["发现日期", "企业名称"], kind="mergesort").reset_index(drop=True)
