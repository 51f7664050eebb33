"""Rankings of villages and stations; the plan's 四个一批 (三 (二) 3 (6)), the letters to villages
and stations (三 (二) 4 (8)) and the 退回重报 list, as proposals (RULEBOOK §10).

Who is judged decides where a finding can lead (RULEBOOK §5, ``REGISTRY[id].party``):

* only ``enterprise`` findings can put an enterprise on a 四个一批 list (:func:`four_lists`);
* ``station`` and ``village`` findings lead to a 提醒函 (or a 督办函) to that unit (:func:`letters`);
* ``record`` findings put nobody on a list: the file goes back to the unit that submitted it
  (:func:`resubmissions`);
* ``town`` findings lead to none of these (the town issues them).

Every list is a proposal (建议名单) for the people who decide; each says who decides and on what
basis (:data:`PROPOSAL_LISTS`, :data:`LETTER_DECIDES`), and each entry names the findings that put
it there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..findings.masking import mask_text
from ..ledgers.enforcement import hazard_key, is_fined
from ..ledgers.hazards import DONE_STATUSES
from ..resolution import PLACEHOLDER_STATION
from ..rules import REGISTRY, Party
from ..text import LIST_SEPARATORS, PLACEHOLDERS, fold, map_distinct, percent
from .obligations import COMPLIANT, NOT_COMPLIANT, Codes
from .sources import field_at, rows_at

#: rules about data quality, not about what the plan asks of an enterprise
DATA_RULES = ("SCH", "FMT", "REF")


@dataclass(frozen=True)
class ProposalList:
    """One of the 四个一批: who decides, on what basis, and when an enterprise is proposed."""

    name: str
    decides: str  # 决定机关
    basis: str  # 决定依据
    criterion: str  # 列入条件 (RULEBOOK §10)


#: the criteria in the office's words (they are printed in the reports); the rules behind them: HZ005 with
#: 挂牌督办 or a fine (停产整顿), AC001 without a report time and EN005 (联合惩戒), AC001/AC002 late, HI001,
#: DR001 and 3+ distinct 错误 rules (约谈), any 错误 finding (通报)
PROPOSAL_LISTS = (
    ProposalList("停产整顿一批", "负有安全生产监督管理职责的县级主管部门",
                 "《中华人民共和国安全生产法》第一百零二条：未采取措施消除事故隐患、拒不执行消除隐患指令的，责令停产停业整顿",
                 ("有重大事故隐患在挂牌督办或被罚款后逾期未整改超过30天（按隐患台账的整改期限，结合执法检查记录的挂牌督办、罚款判定；"
                  "只计隐患等级为“重大”的隐患，空白或台账无此列按重大计，“一般”隐患不计；整改状态为已整改、已销号或已填验收日期"
                  "而未填整改完成日期的隐患，台账自相矛盾，退回更正，不据此列入）")),
    ProposalList("联合惩戒一批", "县应急管理局",
                 "《安全生产严重失信主体名单管理办法》（2023年10月1日起施行）：瞒报事故、多次受到行政处罚",
                 "发生生产安全事故始终未报告县应急管理局（事故记录无报告县应急管理局的时间），"
                 "或180日内三次、一年内四次受到处罚而重大事故隐患仍未消除"),
    ProposalList("约谈一批", "镇人民政府",
                 "方案三（二）3（6）“约谈一批”：企业主要负责人（第一责任人）履职不到位",
                 "事故迟报（报告县应急管理局或镇政府的时间填有但超过1小时），或主要负责人3个月以上未带队检查，"
                 "或全年未开展应急演练，或有3类以上不同的违反方案要求的问题"),
    ProposalList("通报一批", "镇安委办",
                 "方案三（二）3（6）“通报一批”：违反专项行动方案要求",
                 "有任何违反方案要求的问题"),
)
LISTS = tuple(p.name for p in PROPOSAL_LISTS)
#: list → its criterion (the docs fragment and the notebooks read this)
LIST_RULES = {p.name: p.criterion for p in PROPOSAL_LISTS}
LIST_INFO = {p.name: p for p in PROPOSAL_LISTS}

#: the 四个一批 table's columns
LIST_COLUMNS = ["名单", "企业名称", "统一社会信用代码", "所属村", "监管站所", "列入理由", "依据发现", "错误", "警告", "决定机关"]

#: who issues 提醒函 and 督办函 (方案三（二）4（8）)
LETTER_DECIDES = "镇纪委"
LETTER_BASIS = "方案三（二）4（8）：对排查整治不力的有关村和站所，镇纪委要下达提醒函、督办函，严肃指出存在的突出问题"
REMINDER, SUPERVISION = "提醒函", "督办函"
NO_HISTORY = "无上期数据，暂不能判定督办函"
#: the 上期提醒函 of a letter when there is no previous report to look at
NO_PREVIOUS_LETTERS = "无上期数据"


@dataclass(frozen=True)
class NoPrevious:
    """``previous`` of :func:`letters` when it is known that there is no previous report of the cadence (the
    store holds no submission of the previous period, or a 年总结, which has none): nobody had a 提醒函
    before, so nobody gets a 督办函; 上期提醒函 is :data:`NO_PREVIOUS_LETTERS` as without ``previous``, and
    ``why`` is the report's note on the 督办函."""

    why: str
LETTER_COLUMNS = ["函件", "单位", "类别", "列入理由", "依据发现", "上期提醒函", "决定机关"]
UNIT_KINDS = {"village": "村", "station": "站所"}

RESUBMIT_COLUMNS = ["报送单位", "来源文件", "工作表", "问题行数", "发现数", "依据发现"]
UNKNOWN_UNIT = "未能确定报送单位"


#: days a hazard may stay overdue after it was 挂牌督办 or fined before 停产整顿 is proposed
STOP_AFTER_DAYS = 30
HI_MONTHS_FOR_TALK = 3
ERROR_RULES_FOR_TALK = 3


def enterprise_rules() -> list[str]:
    """The rules that judge the enterprise (``REGISTRY[id].party == enterprise``, RULEBOOK §5), in ID order: the
    only obligations an enterprise's obligation rate counts. A station rule (EN002: what the inspecting unit did),
    a village rule (DC004) or a record rule (TR004) names the enterprise its records are about, but does not
    judge it."""
    return sorted(rid for rid, rule in REGISTRY.items() if rule.party == Party.ENTERPRISE)


def unit_ranking(status: pd.DataFrame | Codes, by: str = "village") -> pd.DataFrame:
    """Villages (or stations, industries) ranked by their enterprises' compliance with due obligations:
    the obligations of an enterprise (a status row with an ``eid``) under the rules that judge the enterprise
    (:func:`enterprise_rules`), so that what a station or village did about an enterprise, or what is wrong
    with a record, never lowers the rate of the village's or station's enterprises (RULEBOOK §5, §10).
    ``status``: the status table, or its :class:`~.obligations.Codes` (counted on integers)."""
    coded = status if isinstance(status, Codes) else Codes(status)
    columns = [by, "企业数", "应履行义务", "已履行", "未履行", "履行率", "排名"]
    if len(coded) == 0:
        return pd.DataFrame(columns=columns)
    eid, _ = coded("eid")
    due = (eid >= 0) & coded.isin("status", [COMPLIANT, NOT_COMPLIANT]) & coded.isin("rule_id", enterprise_rules())
    if not due.any():
        return pd.DataFrame(columns=columns)
    # on the columns' integer codes (the status table has half a million rows at county scale); a unit that
    # is missing counts nowhere (as groupby leaves it out)
    unit, units = coded(by)
    keep = due & (unit >= 0)
    u, e, ok = unit[keep], eid[keep], coded.isin("status", [COMPLIANT])[keep]
    rows = np.bincount(u, minlength=len(units))
    done = np.bincount(u[ok], minlength=len(units))
    enterprises = distinct_per_group(u, e, len(units))
    present = np.flatnonzero(rows)  # as groupby: the units with rows, in the order of their codes
    g = pd.DataFrame({"企业数": enterprises[present].astype("int64"), "应履行义务": rows[present].astype("int64"),
                      "已履行": done[present].astype("int64")}, index=pd.Index(units.take(present), name=by))
    g["未履行"] = g["应履行义务"] - g["已履行"]
    g["履行率"] = (g["已履行"] / g["应履行义务"])
    g = g.sort_values(["履行率", "企业数"], ascending=[False, False], kind="mergesort").reset_index()
    g["排名"] = g["履行率"].rank(method="min", ascending=False).astype(int)
    return g


# -- helpers ----------------------------------------------------------------------------------
class Units:
    """Villages and stations as the letters compare and address them (RULEBOOK §10).

    Two names are one unit when :class:`~jicui_compliance.campaign.UnitNames` reads them as one: equal after
    folding (no spaces, half-width forms: "应急 站" is 应急站), or one written after the town's name or 镇
    ("积翠镇应急站", "镇综合行政执法队", as EN007 reads the enforcers). A unit is addressed as the campaign spells it
    (its industries' stations, its ``enforcers``), else as the registry does (所属村, 监管站所), else as first met.
    The placeholder station 其他站所 is no unit."""

    def __init__(self, result):
        campaign, registry = result.context.campaign, result.context.registry
        self._units = campaign.units([*registry["village"].dropna().unique(), *registry["station_eff"].dropna().unique()])
        self._enforcer_keys = {self._units.key(e) for e in campaign.enforcers}
        self._names: dict[str, str] = {}
        for name in self._units:
            self.name(name)

    def key(self, name: str) -> str:
        """The unit a name stands for, as compared: “积翠镇应急站” and “镇应急站” are 应急站 when 应急站 is a unit."""
        return self._units.key(fold(name).replace("()", ""))  # “应急站（）”: a bracket left empty names no other unit

    def name(self, name: str) -> str:
        """The unit a name stands for, as addressed."""
        return self._names.setdefault(self.key(name), name.strip())

    def is_enforcer(self, name: str) -> bool:
        """One of the campaign's lawful enforcers (综合行政执法队), however written."""
        return self.key(name) in self._enforcer_keys

    def is_unit(self, name: str) -> bool:
        """Not empty, not a placeholder cell (无, /) and not the placeholder station 其他站所."""
        k = self.key(name)
        return k != "" and k not in PLACEHOLDERS and k != self.key(PLACEHOLDER_STATION)

    def split(self, cell: object) -> list[str]:
        """The units one cell names ("应急站、综合行政执法队": two), each as addressed, each once."""
        if not isinstance(cell, str):
            return []
        return list(dict.fromkeys(self.name(p) for p in LIST_SEPARATORS.split(cell) if self.is_unit(p)))


def party_of(rule_ids: pd.Series) -> pd.Series:
    """The party each finding's rule judges (``REGISTRY[id].party``); None for an unknown rule."""
    parties = {r: (REGISTRY[r].party if r in REGISTRY else None) for r in rule_ids.unique()}
    return rule_ids.map(parties)


def distinct_per_group(group: np.ndarray, member: np.ndarray, n_groups: int) -> np.ndarray:
    """For each group ``0 … n_groups - 1``, how many distinct ``member`` values (non-negative integers) its
    rows hold: ``groupby(group)[member].nunique()`` on integers, each (group, member) pair counted once."""
    if not len(group):
        return np.zeros(n_groups, dtype=np.int64)
    width = int(member.max()) + 1
    pair = group.astype(np.int64) * width + member
    if n_groups * width <= max(4 * len(pair), 1 << 22):
        # each pair marked in one array (villages × enterprises: some hundred thousand places), not sorted: a
        # county's rankings count half a million rows, which np.unique sorts in some 10 ms a time
        seen = np.zeros(n_groups * width, dtype=bool)
        seen[pair] = True
        return np.count_nonzero(seen.reshape(n_groups, width), axis=1).astype(np.int64)
    return np.bincount(np.unique(pair) // width, minlength=n_groups)


def _counts_text(f: pd.DataFrame, key: str) -> pd.Series:
    """Per ``key``: "HI001×4、DR001×1" (rules by count, then ID)."""
    if f.empty:
        return pd.Series(dtype=object)
    c = f.groupby([key, "rule_id"]).size().rename("n").reset_index()
    c = c.sort_values([key, "n", "rule_id"], ascending=[True, False, True], kind="mergesort")
    c["t"] = c["rule_id"] + "×" + c["n"].astype(str)
    return _joined(c[key], c["t"], "、", key)


def _joined(keys: pd.Series, texts: pd.Series, sep: str, name: str | None = None, unique: bool = False,
            dtype=None) -> pd.Series:
    """Per key (in the order met, a missing key left out): its texts joined by ``sep`` (``unique``: the non-empty
    ones, each once) — as ``groupby(keys, sort=False)[…].agg(sep.join)``, in one pass rather than a Python call per
    group (a county with a hundred thousand findings has thousands of groups)."""
    out: dict = {}
    for k, t in zip(keys.to_numpy(dtype=object), texts.to_numpy(dtype=object)):
        if k is pd.NA or k != k:  # NaN: groupby leaves it out
            continue
        if unique:
            seen = out.setdefault(k, {})
            if t:
                seen[t] = None
        else:
            out.setdefault(k, []).append(t)
    return pd.Series([sep.join(v) for v in out.values()], index=pd.Index(list(out), name=name), name="t", dtype=dtype)


def _day(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").fillna("")


def _listed_or_fined(ctx) -> pd.DataFrame:
    """(eid, key, date, how) for each hazard an enforcement row on or before as-of lists (挂牌督办=是)
    or fines (an amount > 0, or 处理措施 罚款 / 一案双罚) by naming it in 隐患编号."""
    enf = ctx.frame("enforcement")
    enf = enf[enf["eid"].notna() & (enf["date"] <= ctx.as_of_ts)]
    cols = ["eid", "key", "date", "how"]
    if enf.empty:
        return pd.DataFrame(columns=cols)
    listed = enf["listed"].eq(True).fillna(False).astype(bool)
    fined = is_fined(enf)
    how = pd.Series(np.select([listed & fined, listed], ["挂牌督办并罚款", "挂牌督办"], default="罚款"), index=enf.index)
    e = enf.assign(how=how)[listed | fined][["eid", "date", "how", "hazard_nos"]]
    e = e.explode("hazard_nos").dropna(subset=["hazard_nos"])
    if e.empty:
        return pd.DataFrame(columns=cols)
    e["key"] = hazard_key(e["hazard_nos"])
    e["eid"] = e["eid"].astype("int64")
    return e[cols]


def _stop_hazards(result, hz: pd.DataFrame) -> pd.DataFrame:
    """The HZ005 findings in ``hz`` whose hazard, of level 重大 (an empty 隐患等级, or a sheet without the
    column, is 重大: RULEBOOK §4), stayed overdue more than 30 days after it was listed or fined: the
    findings' index, with ``reason``."""
    ctx = result
    out = pd.DataFrame(columns=["reason"])
    if hz.empty:
        return out
    h = ctx.frame("hazards")
    at = rows_at(hz, h)
    d = pd.DataFrame({"eid": field_at(hz, h, "eid", at), "no": field_at(hz, h, "hazard_no", at),
                      "deadline": pd.to_datetime(field_at(hz, h, "deadline", at)),
                      "done_on": pd.to_datetime(field_at(hz, h, "done_on", at)),
                      "level": field_at(hz, h, "level", at), "status": field_at(hz, h, "status", at),
                      "verified_on": pd.to_datetime(field_at(hz, h, "verified_on", at))}, index=hz.index)
    major = d["level"].fillna("重大").eq("重大")
    d = d[major & d["eid"].notna() & d["no"].notna() & d["deadline"].notna()]
    d = d[d["done_on"].isna() | (d["done_on"] > ctx.as_of_ts)]  # open at as-of
    # a row that itself records the hazard as rectified (整改状态 已整改 / 已销号, or a 验收日期 by as-of) but has no
    # 整改完成日期 contradicts itself (HZ007, 退回重报): its HZ005 stands, but it shows no refusal to rectify
    said_done = d["status"].isin(DONE_STATUSES) | (d["verified_on"] <= ctx.as_of_ts)
    d = d[~said_done.to_numpy(dtype=bool)]
    acts = _listed_or_fined(ctx)
    if d.empty or acts.empty:
        return out
    d = d.assign(eid=d["eid"].astype("int64"), key=hazard_key(d["no"])).rename_axis("finding").reset_index()
    m = d.merge(acts, on=["eid", "key"], how="inner")
    m["start"] = m[["deadline", "date"]].max(axis=1)  # overdue and already listed or fined
    m["days"] = (ctx.as_of_ts - m["start"]).dt.days
    m = m.sort_values(["finding", "start"], kind="mergesort").drop_duplicates("finding")  # the earliest order
    m = m[m["days"] > STOP_AFTER_DAYS]
    m["reason"] = ("隐患" + m["no"].astype(str) + "于" + _day(m["date"]) + m["how"] + "（整改期限" + _day(m["deadline"])
                   + "），截至" + ctx.as_of.strftime("%Y-%m-%d") + "仍未整改，" + m["how"] + "后已逾期"
                   + m["days"].astype(str) + "天")
    return m.set_index("finding")[["reason"]]


def _reported(result, f: pd.DataFrame, field: str) -> np.ndarray:
    """True where the accident row a finding stands on has a report time in ``field`` on or before as-of's end
    (a time written later did not exist at as-of)."""
    if f.empty:
        return np.zeros(0, dtype=bool)
    at = pd.to_datetime(field_at(f, result.frame("accidents"), field))
    return np.asarray(pd.notna(at) & (at < result.as_of_ts + pd.Timedelta(days=1)), dtype=bool)


# -- 四个一批 ---------------------------------------------------------------------------------
def four_lists(result) -> pd.DataFrame:
    """The 四个一批 as proposals (建议名单, plan 三 (二) 3 (6), RULEBOOK §10), one row per enterprise.

    Only findings of rules that judge the enterprise (``REGISTRY[id].party == enterprise``) count:
    what a station, village or the town did, and what is wrong with a record, never puts an
    enterprise on a list. An enterprise is proposed for

    * 停产整顿一批 (decided by the supervising county department, 安全生产法 第102条) when a major
      hazard of it stayed overdue more than 30 days after it was 挂牌督办 or fined. Decided from the
      ledgers, on the hazards of level 重大 (隐患等级 重大 or empty, or no such column: RULEBOOK §4; an
      overdue 一般 hazard leaves the enterprise to the list its other findings give) that carry an HZ005
      finding (overdue and open at as-of): the
      enforcement rows of that enterprise dated on or before as-of that list it (挂牌督办 = 是) or
      fine it (罚款 / 一案双罚 in 处理措施, or an amount > 0) and name the hazard in 隐患编号
      (numbers matched as EN003–EN006 match them). The days count from the later of the hazard's
      整改期限 and the first such inspection to as-of; more than 30 qualifies (31 days, not 30).
      An order issued after the deadline thus gets its own 30 days, a hazard done by as-of (整改完成
      日期 on or before it) or without 整改期限 never qualifies, and an inspection row that names no
      hazard number links to no hazard. Nor does a hazard whose own row records it as rectified — 整改状态
      已整改 or 已销号, or a 验收日期 on or before as-of — without a 整改完成日期: its HZ005 stands (and HZ007
      sends the row back), but a row that says the hazard was rectified shows no refusal to rectify.
    * 联合惩戒一批 (county 应急管理局, 安全生产严重失信主体名单管理办法) for an AC001 finding whose accident
      has no 报告县应急管理局时间 at as-of (empty, or written after as-of: never reported), or EN005.
    * 约谈一批 (the town government) for a late report — AC001 with a county report time, or AC002 with
      a town report time (an AC002 with no town report time is not a *late* report: it leads to 通报
      unless something else applies, as RULEBOOK §10 reads) —, HI001 in 3 or more distinct months,
      DR001, or 3 or more distinct ``enterprise`` rules with 错误 findings.
    * 通报一批 (the town 安委办) for any ``enterprise`` 错误 finding.

    Each enterprise stands in the most severe list it qualifies for. Columns (:data:`LIST_COLUMNS`):
    名单, 企业名称, 统一社会信用代码, 所属村, 监管站所, 列入理由 (short reasons), 依据发现 (the rule IDs and
    counts of the findings that qualify it for *that* list), 错误 and 警告 (all its ``enterprise``
    findings), 决定机关. Within a list, more 错误 first.
    """
    f = result.findings
    f = f[(f["enterprise_name"] != "") & (party_of(f["rule_id"]) == Party.ENTERPRISE)]
    if f.empty:
        return pd.DataFrame(columns=LIST_COLUMNS)
    # each enterprise (credit code and name) as a number, once: the counts below are array look-ups, not
    # groupings and look-ups by text (a county's 60,000 findings of 1,900 enterprises)
    ent_code, ents = pd.factorize(f["enterprise_uscc"] + "\x1f" + f["enterprise_name"])
    n_ent = len(ents)
    f = f.assign(_ent=ent_code)
    rid, error = f["rule_id"], (f["severity"] == "错误").to_numpy()
    reason = pd.Series("", index=f.index, dtype=object)

    def per_enterprise(counts: pd.Series) -> np.ndarray:
        """A count by enterprise number (a grouping of some of the rows) for every row of ``f``."""
        out = np.zeros(n_ent, dtype=np.int64)
        out[counts.index.to_numpy(dtype=np.int64)] = counts.to_numpy()
        return out[ent_code]

    # 停产整顿一批
    stop = _stop_hazards(result, f[rid == "HZ005"])
    q_stop = f.index.isin(stop.index)
    reason.loc[stop.index] = stop["reason"]

    # 联合惩戒一批 / 约谈一批 (accidents)
    ac1, ac2 = (rid == "AC001").to_numpy(), (rid == "AC002").to_numpy()
    county = np.zeros(len(f), dtype=bool)
    county[ac1] = _reported(result, f[ac1], "county_at")
    town = np.zeros(len(f), dtype=bool)
    town[ac2] = _reported(result, f[ac2], "town_at")
    unreported = ac1 & ~county
    en005 = (rid == "EN005").to_numpy()
    q_punish = unreported | en005
    occurred = pd.Series(_day(pd.to_datetime(pd.Series(field_at(f, result.frame("accidents"), "occurred_at"),
                                                        index=f.index))).to_numpy(), index=f.index)
    reason = reason.where(~unreported, occurred + "发生的事故截至核查日未报告县应急管理局")
    reason = reason.where(~en005, "多次受到处罚而重大事故隐患仍未消除")

    # 约谈一批
    late = (ac1 & county) | (ac2 & town)
    hi = (rid == "HI001").to_numpy()
    n_hi = per_enterprise(f[hi].groupby("_ent")["period"].nunique())
    n_err_rules = per_enterprise(f[error].groupby("_ent")["rule_id"].nunique())
    dr = (rid == "DR001").to_numpy()
    many = error & (n_err_rules >= ERROR_RULES_FOR_TALK)
    q_talk = late | (hi & (n_hi >= HI_MONTHS_FOR_TALK)) | dr | many
    talk_reason = np.select(
        [late & ac1, late, hi & (n_hi >= HI_MONTHS_FOR_TALK), dr, many],
        [occurred + "发生的事故迟报县应急管理局（超过1小时）", occurred + "发生的事故迟报镇政府（超过1小时）",
         "主要负责人" + pd.Series(n_hi, index=f.index).astype(str) + "个月未带队检查",
         "全年未开展应急演练", "有" + pd.Series(n_err_rules, index=f.index).astype(str) + "类不同的违反方案要求的问题"],
        default="")

    # 通报一批
    n_err_ent = np.bincount(ent_code[error], minlength=n_ent)
    n_warn_ent = np.bincount(ent_code[(f["severity"] == "警告").to_numpy()], minlength=n_ent)
    notice_reason = "有" + pd.Series(n_err_ent[ent_code], index=f.index).astype(str) + "条违反方案要求的问题"

    # each enterprise in the most severe list it qualifies for (-1: none)
    qualifies = np.column_stack([q_stop, q_punish, q_talk, error])
    ent_q = [np.bincount(ent_code, weights=qualifies[:, i], minlength=n_ent) > 0 for i in range(4)]
    choice = np.select(ent_q, list(range(4)), default=-1)
    chosen = choice[ent_code]
    sel = qualifies[np.arange(len(f)), np.clip(chosen, 0, 3)] & (chosen >= 0)
    texts = np.select([chosen == 2, chosen == 3], [talk_reason, notice_reason.to_numpy()], default=reason.to_numpy())
    picked = f[sel].assign(_why=texts[sel])
    if picked.empty:
        return pd.DataFrame(columns=LIST_COLUMNS)

    key = ["_ent", "enterprise_uscc", "enterprise_name", "village", "station"]
    # per (enterprise, village, station), in the order met: its reasons, each once, joined in one pass over the rows
    group = picked["_ent"].astype(str) + "\x1e" + picked["village"] + "\x1e" + picked["station"]
    first = ~group.duplicated() & group.notna()  # as groupby(key, sort=False): a missing village or station left out
    ent = picked.loc[first, key].assign(_g=group[first]).reset_index(drop=True)
    ent["列入理由"] = ent["_g"].map(_joined(group, picked["_why"], "；", unique=True))
    ent = ent.drop(columns="_g")
    ent["依据发现"] = ent["_ent"].map(_counts_text(picked, "_ent"))
    codes = ent["_ent"].to_numpy()
    ent["错误"] = n_err_ent[codes]
    ent["警告"] = n_warn_ent[codes]
    ent["_order"] = choice[codes]
    ent["名单"] = ent["_order"].map(dict(enumerate(LISTS)))
    ent["决定机关"] = ent["名单"].map({p.name: p.decides for p in PROPOSAL_LISTS})
    ent = ent.sort_values(["_order", "错误", "警告", "enterprise_name"], ascending=[True, False, False, True], kind="mergesort")
    ent = ent.drop_duplicates("_ent")  # an enterprise whose findings name two villages: once
    return ent.rename(columns={"enterprise_name": "企业名称", "enterprise_uscc": "统一社会信用代码", "village": "所属村",
                               "station": "监管站所"})[LIST_COLUMNS].reset_index(drop=True)


def list_rules_table(lists: pd.DataFrame | None = None) -> pd.DataFrame:
    """名单, 决定机关, 决定依据, 列入条件 (and 企业数 when ``lists`` is given)."""
    t = pd.DataFrame({"名单": [p.name for p in PROPOSAL_LISTS], "决定机关": [p.decides for p in PROPOSAL_LISTS],
                      "决定依据": [p.basis for p in PROPOSAL_LISTS], "列入条件": [p.criterion for p in PROPOSAL_LISTS]})
    if lists is not None:
        counts = lists["名单"].value_counts()
        t["企业数"] = [int(counts.get(n, 0)) for n in LISTS]
    return t


# -- 提醒函 / 督办函 ---------------------------------------------------------------------------
def _previous_units(previous) -> set[str] | None:
    if previous is None or isinstance(previous, NoPrevious):
        return None
    if isinstance(previous, pd.DataFrame):
        if "单位" not in previous.columns:
            raise ValueError("previous: a frame of the previous report's letters needs a 单位 column")
        p = previous
        if "函件" in p.columns:
            p = p[p["函件"].isin([REMINDER, SUPERVISION])]
        return set(p["单位"].dropna().astype(str))
    if isinstance(previous, str):
        return {previous}
    return {str(u) for u in previous}


def letter_findings(result) -> pd.DataFrame:
    """The findings that lead to a letter: 错误 findings of ``station`` and ``village`` rules, with the unit
    they count against (``_unit``, as :class:`Units` addresses it) and its kind (``_kind``: village / station);
    see :func:`letters`. A finding whose cell names several units is a row for each (same index); one that
    names only the placeholder 其他站所 is left out."""
    f = result.findings
    party = party_of(f["rule_id"])
    bad = f[party.isin([Party.STATION, Party.VILLAGE]) & (f["severity"] == "错误")]
    if bad.empty:
        return bad.assign(_unit=pd.Series(dtype=str), _kind=pd.Series(dtype=str))
    bad_party = party[bad.index]
    enf_station = field_at(bad, result.frame("enforcement"), "station")
    enf_station = pd.Series(enf_station, index=bad.index).where(bad["ledger"] == "enforcement")
    enf_station = enf_station.where(enf_station.notna() & (enf_station.astype(str) != ""))
    station = enf_station.fillna(bad["station"].where(bad["station"] != "")).fillna(bad["village"])
    unit = station.where(bad_party == Party.STATION, bad["village"])
    kind = np.where(bad_party == Party.STATION, "station", "village")
    # each unit the cell names, as addressed (a finding about two units counts for each); none for 其他站所
    units = Units(result)
    b = bad.assign(_unit=map_distinct(unit, units.split), _kind=kind).explode("_unit")
    b = b[b["_unit"].notna()].astype({"_unit": str})
    # EN007 is about the unit without the power to penalise: a joint record's lawful enforcer is not at fault
    lawful = b["rule_id"].eq("EN007") & b["_unit"].map(units.is_enforcer).astype(bool)
    return b[~lawful.to_numpy(dtype=bool)]


def letters(result, status: pd.DataFrame | Codes, previous: Iterable[str] | pd.DataFrame | NoPrevious | None = None,
            rankings: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """提醒函 and 督办函 to villages and stations (plan 三 (二) 4 (8), RULEBOOK §10), as proposals for the
    镇纪委, one row per unit.

    A village or station gets a 提醒函 when

    * it has at least one 错误 finding of a rule that judges a ``station`` or a ``village``. The unit of
      a ``village`` finding is its 所属村 (GV001 names the village there). The unit of a ``station``
      finding is the unit that acted: the 执法站所 of the enforcement row it stands on (EN001–EN004,
      EN006, EN007 judge what the inspecting or fining unit did, which may be the 综合行政执法队), else
      the finding's 监管站所, else (a finding that names no enterprise, such as GV003) its 所属村 column,
      which then holds the station;
    * or its enterprises' obligation rate (:func:`unit_ranking` of the due obligations in ``status``)
      is the lowest of its kind: villages among villages, stations among stations. Only when at least
      two units of that kind are ranked and the rates differ (all equal singles nobody out); ties at
      the lowest rate all get one. Rates are compared as they are written (:func:`~jicui_compliance.text.percent`,
      one decimal): 98.44% and 98.41% both read 98.4%, so both units are the lowest.

    ``town`` findings lead to no letter (the town issues them). ``previous`` holds the units that had a
    提醒函 (or 督办函) in the previous report of the same cadence — a list of names, or the previous
    ``letters()`` frame. A unit with a letter condition now that is among them gets a 督办函 instead
    of a 提醒函 (上期提醒函 = 是). Without ``previous`` the 督办函 cannot be decided: every letter is a
    提醒函, 上期提醒函 says so and ``frame.attrs["note"]`` is :data:`NO_HISTORY`. A :class:`NoPrevious`
    (there is no previous report) gives no 督办函 either, the same 上期提醒函, and its ``why`` as the note.
    ``rankings``: :func:`unit_ranking` of ``status`` by ``village`` and ``station`` where the caller has them.
    Columns: :data:`LETTER_COLUMNS`.
    """
    b = letter_findings(result)
    units = Units(result)
    parts = []
    if len(b):
        g = b.groupby(["_unit", "_kind"]).agg(n=("rule_id", "size")).reset_index()
        counts = _counts_text(b.assign(_k=b["_unit"] + "\x1f" + b["_kind"]), "_k")
        g["依据发现"] = (g["_unit"] + "\x1f" + g["_kind"]).map(counts)
        g["列入理由"] = "有" + g["n"].astype(str) + "条" + g["_kind"].map(UNIT_KINDS) + "履职方面违反方案要求的问题"
        parts.append(g[["_unit", "_kind", "列入理由", "依据发现"]])
    for by in ("village", "station"):
        r = rankings[by] if rankings is not None and by in rankings else unit_ranking(status, by=by)
        r = r[r[by].notna()]
        r = r[r[by].astype(str).map(units.is_unit).astype(bool)]  # 其他站所 is ranked nowhere
        # compared as the letter and the ranking table write them (98.44% and 98.41% are both 98.4%): a unit whose
        # rate reads the same as the lowest is as low, and rates that all read the same single nobody out
        shown = r["履行率"].map(percent)
        lowest = percent(r["履行率"].min())
        if len(r) < 2 or (shown == lowest).all():
            continue
        low = r[(shown == lowest).to_numpy(dtype=bool)]
        word = UNIT_KINDS[by]
        parts.append(pd.DataFrame({
            "_unit": low[by].astype(str).map(units.name).to_numpy(), "_kind": by,
            "列入理由": ("所属企业已到期义务履行率" + low["履行率"].map(percent)
                     + "，为" + str(len(r)) + "个" + word + "中最低").to_numpy(),
            "依据发现": ("履行率排名（未履行" + low["未履行"].astype(str) + "项/应履行" + low["应履行义务"].astype(str) + "项）").to_numpy(),
        }))
    if not parts:
        out = pd.DataFrame(columns=LETTER_COLUMNS)
    else:
        p = pd.concat(parts, ignore_index=True)
        out = p.groupby(["_unit", "_kind"], sort=False).agg(列入理由=("列入理由", "；".join),
                                                           依据发现=("依据发现", "、".join)).reset_index()
        prev = _previous_units(previous)
        if prev is None:
            out["上期提醒函"] = NO_PREVIOUS_LETTERS
            out["函件"] = REMINDER
        else:
            # a previous list shows its units masked (文书清单's 主送, a report's tables): compared masked
            def seen(u: str) -> str:
                return units.key(mask_text(u))

            again = out["_unit"].map(seen).isin({seen(u) for p in prev for u in units.split(p)})
            out["上期提醒函"] = np.where(again, "是", "否")
            out["函件"] = np.where(again, SUPERVISION, REMINDER)
        out["类别"] = out["_kind"].map(UNIT_KINDS)
        out["单位"] = out["_unit"]
        out["决定机关"] = LETTER_DECIDES
        out["_order"] = (out["函件"] == REMINDER).astype(int)
        out = out.sort_values(["_order", "_kind", "单位"], ascending=[True, False, True], kind="mergesort")
        out = out[LETTER_COLUMNS].reset_index(drop=True)
    out.attrs["note"] = (NO_HISTORY if previous is None else previous.why if isinstance(previous, NoPrevious)
                         else "")
    return out


# -- 退回重报 -----------------------------------------------------------------------------------
def resubmission_findings(result) -> pd.DataFrame:
    """The findings of ``record`` rules about a file, with the submitting unit (``_unit``) that must
    correct it; see :func:`resubmissions`."""
    f = result.findings
    f = f[(party_of(f["rule_id"]) == Party.RECORD) & (f["source_file"] != "")]
    # each distinct file's first folder (a county's hundred thousand findings name a few hundred files)
    files, names = pd.factorize(f["source_file"])
    folders = pd.Series(names).str.extract(r"^([^/\\]+)[/\\]", expand=False)
    folder = pd.Series(folders.array.take(files, allow_fill=True), index=f.index)
    unit = folder.fillna(f["village"].where(f["village"] != ""))
    unit = map_distinct(unit, Units(result).name)  # one unit however its folder is spelled ("应急 站", "应急站")
    # _town_file: a file at the root, the town's own (its registry), routed by the row's village, not sent by it
    return f.assign(_unit=unit.fillna(UNKNOWN_UNIT), _town_file=folder.isna().to_numpy())


def resubmissions(result) -> pd.DataFrame:
    """退回重报 (RULEBOOK §10): per submitting unit, the files with findings of rules that judge a
    ``record`` (SCH, FMT, REF, HZ004, HZ007, TR004: the ledger is wrong, nobody is shown to have
    breached the plan).

    The submitting unit is the first folder of the file's path under the submission root (villages and
    stations send a folder each), compared and named as the letters do (:class:`Units`: "应急 站" is 应急站,
    "积翠镇综合行政执法队" is 综合行政执法队); for a file at the root (a town-wide registry, say) it is the registry
    village of the row each finding stands on, and :data:`UNKNOWN_UNIT` for a finding about a whole
    sheet or file there, or about a row that names no registered enterprise (REF001): the analyst
    routes those by hand. One row per (unit, file): 工作表 (the sheets concerned), 问题行数 (distinct
    rows with a finding; a finding about a whole sheet or file counts no row), 发现数, 依据发现.
    """
    f = resubmission_findings(result)
    if f.empty:
        return pd.DataFrame(columns=RESUBMIT_COLUMNS)
    # each (unit, file) as a number in the order met, once: the counts are array look-ups, not groupings by text
    key = pd.factorize(f["_unit"] + "\x1f" + f["source_file"])[0]
    n = int(key.max()) + 1
    first = np.unique(key, return_index=True)[1]  # each group's first row
    g = pd.DataFrame({"_unit": f["_unit"].array.take(first), "source_file": f["source_file"].array.take(first),
                      "发现数": np.bincount(key, minlength=n)})
    sheets = _joined(pd.Series(key), f["source_sheet"], "、", unique=True, dtype=f["source_sheet"].dtype)
    g.insert(2, "工作表", sheets.reindex(range(n)).array)
    row = f["source_sheet"] + "\x1f" + f["source_row"].astype("string")  # missing where the finding is about no row
    row_code = pd.factorize(row)[0]
    on_row = row_code >= 0
    g.insert(3, "问题行数", distinct_per_group(key[on_row], row_code[on_row], n).astype("int64"))  # rows with a finding
    g["依据发现"] = _counts_text(f.assign(_k=key), "_k").reindex(range(n)).array
    g = g.rename(columns={"_unit": "报送单位", "source_file": "来源文件"})
    g["_unknown"] = g["报送单位"] == UNKNOWN_UNIT
    g = g.sort_values(["_unknown", "报送单位", "来源文件"], kind="mergesort")
    return g[RESUBMIT_COLUMNS].reset_index(drop=True)
