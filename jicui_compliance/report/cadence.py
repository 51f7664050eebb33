"""What each product of plan 五 (三) holds — 周调度表、月小结、季通报、年总结 — built from an
:class:`~jicui_compliance.analysis.Analysis` into a format-free :class:`~.model.Report`.

Every table is an analysis frame (or a selection of one in the reporting window), every
narrative figure a :class:`~.facts.Fact` picked from one of those tables, and the narrative
is rendered from the facts by a Jinja2 template (:mod:`.narrative`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..analysis import CADENCES, LISTS, Analysis, Window, window_for
from ..analysis.rankings import (
    DATA_RULES,
    LETTER_BASIS,
    LETTER_DECIDES,
    SUPERVISION,
    UNKNOWN_UNIT,
    distinct_per_group,
    enterprise_rules,
    list_rules_table,
)
from ..findings import enterprise_key
from ..ledgers.enforcement import hazard_key
from ..rules import REGISTRY
from ..text import NUMERALS
from . import charts
from .facts import Facts
from .model import Chart, Report, Section, Table
from .narrative import render_sections
from .wording import SEVERITY_TEXT, office_frame, period_text, phase_text

CADENCE_NAMES = CADENCES  # week / month / quarter / year → 周调度表 / 月小结 / 季通报 / 年总结
PERIOD_WORD = {"week": "本周", "month": "本月", "quarter": "本季度", "year": "专项行动期间"}
SEVERITIES = ("错误", "警告", "提示")
#: what the 各村排名 and 各站所排名 count (the rate the 提醒函 compare: RULEBOOK §5, §10)
RANKING_NOTE = ("履行率为所属企业已履行的已到期义务占应履行的比例，只计判定企业自身的义务（按企业和期间计）；"
                "站所、村履职方面的问题和台账填报问题不计入，分别见“提醒函督办函”和“退回重报”。")
#: rows shown in the HTML and Word versions of a long table (the workbook has them all)
DISPLAY_ROWS = 60


def day_text(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class Builder:
    """Collects the tables, facts and sections of one report."""

    def __init__(self, analysis: Analysis, cadence: str, previous_letters=None):
        if cadence not in CADENCE_NAMES:
            raise ValueError(f"unknown cadence {cadence!r}: week, month, quarter or year")
        self.a = analysis
        self.cadence = cadence
        self.camp = analysis.campaign
        self.as_of = analysis.as_of
        self.window: Window = window_for(cadence, self.as_of, self.camp)
        self.ctx = analysis.result
        self.facts = Facts()
        self.tables: dict[str, Table] = {}
        self.sections: list[Section] = []
        self.word = PERIOD_WORD[cadence]
        self.previous_letters = previous_letters  # units with a 提醒函 in the previous report (督办函)
        self.basic_items: list = []  # tables and charts of the 基本情况 section, after the overview

    # -- plumbing ---------------------------------------------------------------------------
    def table(self, name: str, title: str, frame: pd.DataFrame, note: str = "") -> Table:
        t = Table.of(name, title, office_frame(frame), note)
        if t.name in self.tables:
            raise KeyError(f"table {t.name} twice")
        self.tables[t.name] = t
        return t

    def fact(self, name, table: Table, column=None, how="cell", where=None, kind="int"):
        return self.facts.add(name, table, column, how, where, kind)

    def section(self, heading: str, *items, paragraphs=()) -> Section:
        s = Section(heading, list(paragraphs), [i for i in items if i is not None])
        self.sections.append(s)
        return s

    def chart(self, name: str, title: str, png: bytes, caption: str = "") -> Chart:
        return Chart(name, title, png, caption)

    # -- the campaign's units, as the narrative names them -------------------------------------
    def enforcer_facts(self) -> None:
        """The units that enforce besides the stations (年总结: 各站所和综合行政执法队共检查……)."""
        self.facts.text("enforcers", "、".join(self.camp.enforcers), "方案文件：本镇依法可以实施行政处罚的单位")

    def office_facts(self) -> None:
        """Who keeps the 周调度、月小结、季通报 going (plan 五（三）): the campaign's office, ``Campaign.office`` (积翠镇: 镇应急站)."""
        office = self.camp.office
        self.facts.text("office", office, "方案文件：报告的发文机关（负责周调度、月小结、季通报）")

    # -- facts every product shares --------------------------------------------------------------
    def scope_facts(self) -> None:
        c, f = self.camp, self.facts
        f.text("town", c.town, "方案文件：镇名")
        f.text("campaign", c.name, "方案文件：专项行动名称")
        f.text("document", c.document, "方案文件：方案文号")
        f.text("scope", self.a.village or c.town, "报告范围：指定的村（未指定时为全镇）")
        f.text("as_of", day_text(self.as_of), "数据截至日（生成报告时指定）")
        f.text("window", self.window.label, "报告期：自专项行动开始或本周、本月、本季度第一天起，至数据截至日")
        f.text("start", day_text(c.start), "方案文件：专项行动开始日期")
        reg = self.ctx.registry
        ent = pd.DataFrame({"村": reg["village"].astype(object), "企业数": 1,
                            "高危企业数": reg["high_risk_eff"].astype(int)}).groupby("村").sum().reset_index()
        t = self.table("企业概况", "纳入企业名录的企业（按村）", ent)
        self.fact("ent_total", t, "企业数", "sum")
        self.fact("ent_high_risk", t, "高危企业数", "sum")
        self.fact("village_count", t, None, "len")
        self.overview = t

    # -- window selections -----------------------------------------------------------------------
    def window_findings(self) -> tuple[Table, Table]:
        """Findings dated in the window: the list and the count by rule (with an example each)."""
        d = self.a.dated
        d = d[self.window.contains(d["date"])]
        lst = pd.DataFrame({
            "规则": d["rule_id"], "严重程度": d["severity"], "名称": d["rule_id"].map(lambda r: REGISTRY[r].title),
            "企业名称": d["enterprise_name"], "所属村": d["village"], "监管站所": d["station"],
            "日期": d["date"].dt.date, "期间": d["period"], "说明": d["message"],
        })
        order = {s: i for i, s in enumerate(SEVERITIES)}
        lst = lst.sort_values(["严重程度", "日期", "规则"], key=lambda s: s.map(order) if s.name == "严重程度" else s,
                              kind="mergesort")
        # enterprises by credit code and name (two may share a name), beside the list, not in it
        by_rule = (lst.assign(_ent=enterprise_key(d)).groupby(["规则", "名称", "严重程度"], sort=False)
                   .agg(数量=("规则", "size"), 涉及企业=("_ent", lambda s: s[s != ""].nunique()), 示例=("说明", "first"))
                   .reset_index().sort_values(["数量", "规则"], ascending=[False, True], kind="mergesort"))
        w = self.word
        t_list = self.table(f"{w}新增发现", f"{w}新增核查发现（按记录日期或所属期间）", lst,
                            note="记录日期取所在台账行的日期字段，按期间判断的发现（如某月未带队检查）取该期间最后一天；"
                                 "在记录日期之后才成立、或所在台账没有日期的发现，取成立之日（如隐患逾期未整改取整改期限的次日，"
                                 "特种作业操作证过期取有效期至的次日，未就典型事故开展警示教育取警示教育期限的最后一天）。")
        t_rule = self.table(f"{w}新增发现（按规则）", f"{w}新增核查发现（按规则）", by_rule)
        self.fact("new_findings", t_list, None, "len")
        for i, s in enumerate(SEVERITIES):
            self.fact(f"new_{['error', 'warning', 'info'][i]}", t_rule, "数量", "sum", {"问题类别": SEVERITY_TEXT[s]})
        return t_list, t_rule

    def hazard_movement(self) -> tuple[Table, Table, Table]:
        """Hazards found, fixed and closed in the window, by village; and the lists of the window."""
        h = self.a.existing_hazards
        reg = self.ctx.registry
        found = self.window.contains(h["found_on"])
        fixed = self.window.contains(h["done_on"]) & h["done"]
        closed = self.window.contains(h["verified_on"]) & h["closed"]
        by = pd.DataFrame({"村": h["eid"].map(reg["village"]).astype(object), f"{self.word}新发现": found.astype(int),
                           f"{self.word}完成整改": fixed.astype(int), f"{self.word}验收销号": closed.astype(int),
                           "截至报告日未整改": (~h["done"]).astype(int), "其中逾期": h["overdue"].astype(int)})
        villages = pd.DataFrame({"村": sorted(reg["village"].dropna().unique())})
        g = villages.merge(by.groupby("村").sum().reset_index(), on="村", how="left").fillna(0)
        g = pd.concat([g, g.drop(columns="村").sum().to_frame().T.assign(村="合计")], ignore_index=True)
        g[g.columns[1:]] = g[g.columns[1:]].astype(int)
        w = self.word
        t = self.table("隐患动态（按村）", f"{w}隐患动态（按村）", g)
        for key, col in (("hz_new", f"{w}新发现"), ("hz_fixed", f"{w}完成整改"), ("hz_closed_w", f"{w}验收销号"),
                         ("hz_open", "截至报告日未整改"), ("hz_overdue", "其中逾期")):
            self.fact(key, t, col, where={"村": "合计"})

        def listing(sel, extra):
            x = h[sel]
            return pd.DataFrame({
                "企业名称": x["eid"].map(reg["name"]), "所属村": x["eid"].map(reg["village"]),
                "隐患编号": x["hazard_no"], "隐患描述": x["description"], "发现方式": x["source"],
                "发现日期": x["found_on"].dt.date, "整改期限": x["deadline"].dt.date, **extra(x),
            }).sort_values(["发现日期", "企业名称"], kind="mergesort")

        # as the hazards stood at as-of: a 整改完成日期 or 验收日期 after it does not exist yet, nor its 验收人
        end = self.ctx.as_of_end
        new = self.table(f"{w}新发现隐患", f"{w}新发现的隐患", listing(found, lambda x: {
            "整改完成日期": x["done_on"].where(x["done"]).dt.date,
            "状态": pd.Series(np.select([x["closed"], x["done"]], ["已销号", "已整改"], "整改中"), index=x.index)}))
        moved = self.table(f"{w}整改销号隐患", f"{w}完成整改或验收销号的隐患", listing(fixed | closed, lambda x: {
            "整改完成日期": x["done_on"].where(x["done"]).dt.date, "验收日期": x["verified_on"].where(x["closed"]).dt.date,
            "验收人": x["verifier"].where(~(x["verified_on"] >= end))}))
        return t, new, moved

    def overdue(self) -> Table:
        o = self.a.open_hazards()
        o = o[o["逾期天数"].notna()].sort_values(["逾期天数", "企业名称"], ascending=[False, True], kind="mergesort")
        t = self.table("逾期未整改隐患", f"截至{day_text(self.as_of)}逾期未整改的隐患", o)
        self.fact("overdue_list", t, None, "len")
        self.fact("overdue_max_days", t, "逾期天数", "max")
        return t

    def head_month(self) -> tuple[Table, Table]:
        """The current month so far (as-of's month): who has a head-led inspection, who not yet."""
        c = self.ctx
        start = self.as_of.replace(day=1)
        label = f"{self.as_of.year:04d}-{self.as_of.month:02d}"
        in_campaign = label in {p.label for p in self.camp.head_inspection_months}
        self.facts.text("hi_month", f"{self.as_of.year}年{self.as_of.month}月", "数据截至日所在月")
        df = c.frame("head_inspections")
        df = df[c.existing(df, "date", undated=False) & (df["date"] >= pd.Timestamp(start))]
        led = c.resolution.led_by_head(df)
        covered = set(df.loc[led, "eid"].astype("int64"))
        others = df.loc[~led].groupby(df.loc[~led, "eid"].astype("int64"))["leader"].agg(
            lambda s: "、".join(dict.fromkeys(str(v) for v in s.dropna())))
        reg = c.registry
        missing = reg[~reg.index.isin(covered)] if in_campaign else reg.iloc[0:0]
        lst = pd.DataFrame({"企业名称": missing["name"], "所属村": missing["village"], "监管站所": missing["station_eff"],
                            "行业领域": missing["industry"], "主要负责人": missing["head"],
                            "本月他人带队检查": [others.get(i, "") for i in missing.index]}).sort_values(["所属村", "企业名称"])
        lst = lst.reset_index(drop=True)  # the registry's internal key is no column users read
        note = ("" if in_campaign else f"{self.as_of.year}年{self.as_of.month}月不在方案规定的主要负责人带队检查月份内。")
        t_list = self.table("本月未带队检查企业", f"{self.as_of.year}年{self.as_of.month}月（截至{self.as_of.month}月"
                            f"{self.as_of.day}日）尚无主要负责人带队检查的企业", lst,
                            note=note + "“主要负责人带队”指带队负责人与企业名录登记的主要负责人相同。")
        by = pd.DataFrame({"村": reg["village"].astype(object), "企业数": 1,
                           "已带队检查": reg.index.isin(covered).astype(int)}).groupby("村").sum().reset_index()
        by = pd.concat([by, by.drop(columns="村").sum().to_frame().T.assign(村="合计")], ignore_index=True)
        by["未带队检查"] = by["企业数"] - by["已带队检查"]
        by["覆盖率"] = (by["已带队检查"] / by["企业数"].where(by["企业数"] > 0))
        t_by = self.table("本月带队检查进度", f"{self.as_of.year}年{self.as_of.month}月主要负责人带队检查进度（按村，截至报告日）",
                          by if in_campaign else by.iloc[0:0])
        self.fact("hi_month_missing", t_list, None, "len")
        self.facts.text("hi_month_in_campaign", "是" if in_campaign else "否", "方案文件：主要负责人每月带队检查的月份")
        ended = (self.as_of + dt.timedelta(days=1)).month != self.as_of.month
        self.facts.text("hi_month_ended", "是" if ended else "否", "数据截至日是否为当月最后一天")
        following = (start + dt.timedelta(days=31)).replace(day=1)
        self.facts.text("hi_next_month_in_campaign", "是" if f"{following:%Y-%m}" in {
            p.label for p in self.camp.head_inspection_months} else "否", "方案文件：下月是否为主要负责人带队检查的月份")
        if in_campaign:
            self.fact("hi_month_done", t_by, "已带队检查", where={"村": "合计"})
            self.fact("hi_month_rate", t_by, "覆盖率", where={"村": "合计"}, kind="pct")
        return t_list, t_by

    def enforcement_window(self) -> Table:
        e = self.a.enforcement()
        if not e.empty:
            months = {f"{d.year:04d}-{d.month:02d}" for d in pd.date_range(self.window.start, self.window.end, freq="D")}
            e = e[e["月份"].isin(months)]
            if len(e) > 1:
                e = pd.concat([e, e.drop(columns="月份").sum().to_frame().T.assign(月份="小计")], ignore_index=True)
        w = self.word
        t = self.table(f"{w}执法检查", f"{w}执法检查及处理情况（按月）", e)
        if len(e):
            row = {"月份": "小计"} if len(e) > 1 else None
            self.fact("en_n", t, "检查次数", where=row)
            self.fact("en_major", t, "发现重大隐患", where=row)
            self.fact("en_listed", t, "挂牌督办（次）", where=row)
        return t

    # -- the figures a county 安委办 asks for (each traced to a table) ---------------------------
    def hazard_levels(self) -> Table:
        """重大 vs 一般 hazards (the ledger's 隐患等级; empty = 重大), found so far."""
        h = self.a.existing_hazards
        level = h["level"].astype(object).where(h["level"].notna(), "重大")
        rows = []
        for name in ("重大", "一般"):
            sel = level == name
            rows.append({"隐患等级": name, "隐患数": int(sel.sum()), "已整改": int((sel & h["done"]).sum()),
                         "未整改": int((sel & ~h["done"]).sum())})
        frame = pd.DataFrame(rows)
        frame = pd.concat([frame, frame.drop(columns="隐患等级").sum().to_frame().T.assign(隐患等级="合计")],
                          ignore_index=True)
        t = self.table("隐患等级", "排查隐患（按隐患等级）", frame,
                       note="“隐患等级”空白或台账中没有此列的，按重大事故隐患计（本台账为重大事故隐患台账）。")
        self.fact("hz_major", t, "隐患数", where={"隐患等级": "重大"})
        self.fact("hz_general", t, "隐患数", where={"隐患等级": "一般"})
        self.fact("hz_major_open", t, "未整改", where={"隐患等级": "重大"})
        return t

    def rectification(self) -> Table:
        """按期整改率 (done on or before the deadline, among hazards whose deadline has passed) and the funds."""
        h = self.a.existing_hazards
        due = h["past_deadline"]  # the deadline day itself is still in time (HZ005)
        ontime = due & h["done"] & (h["done_on"] <= h["deadline"]).fillna(False).astype(bool)
        late_done = due & h["done"] & ~ontime
        frame = pd.DataFrame([{
            "已过整改期限的隐患": int(due.sum()), "按期完成整改": int(ontime.sum()), "逾期完成整改": int(late_done.sum()),
            "逾期未完成整改": int(h["overdue"].sum()),
            "按期整改率": round(ontime.sum() / due.sum(), 4) if due.sum() else float("nan"),
            "未填整改期限的隐患": int((h["deadline"].isna() & ~h["immediate"].eq(True).fillna(False)).sum()),
            "整改资金投入（万元）": round(float(h["funds"].fillna(0).sum()), 2),
            "填报资金的隐患": int(h["funds"].notna().sum()),
        }])
        t = self.table("按期整改", "隐患按期整改和资金投入", frame,
                       note="按期整改率 = 整改期限已过（期限当日仍在期限内）的隐患中，在期限当日或之前完成整改的比例；整改资金为隐患台账“整改资金(万元)”之和。")
        self.fact("hz_due", t, "已过整改期限的隐患")
        self.fact("hz_ontime", t, "按期完成整改")
        self.fact("hz_ontime_rate", t, "按期整改率", kind="pct")
        self.fact("hz_late_open", t, "逾期未完成整改")
        self.fact("hz_funds", t, "整改资金投入（万元）", kind="wan_given")
        self.fact("hz_funds_n", t, "填报资金的隐患")
        return t

    def enforcement_coverage(self) -> Table:
        """Enterprises inspected (家, 家次), P3 coverage of high-risk enterprises, 执法文书 and 立案, and
        挂牌督办 counted per hazard."""
        c = self.ctx
        e = c.frame("enforcement")
        e = e[c.existing(e, "date", undated=False) & self.window.contains(e["date"])]
        e = e[e["eid"].notna()]
        eid = e["eid"].astype("int64")
        reg = c.registry
        high = reg.index[reg["high_risk_eff"]]
        p3 = c.campaign.phase("P3") if any(p.id == "P3" for p in c.campaign.phases) else None
        high_p3_col = f"{p3.name if p3 else phase_text('P3')}阶段检查的高危企业（家）"  # the campaign's name of P3
        in_p3 = (e["date"] >= pd.Timestamp(p3.start)) & (e["date"] <= pd.Timestamp(p3.end)) if p3 else e["date"].isna()
        high_p3 = eid[in_p3.to_numpy(dtype=bool)].isin(high)
        n_high_p3 = int(eid[in_p3.to_numpy(dtype=bool)][high_p3].nunique())
        # before P3 has started its coverage is not yet due: shown as “—”, not as 0 and 0%
        pending = (f"{phase_text('P3')}（{p3.name}）自{day_text(p3.start)}开始，截至报告日尚未开始，其高危企业覆盖情况"
                   "待到期（表中为“—”）。" if p3 is not None and self.as_of < p3.start else "")
        # a period after P3 (a December 月小结) holds none of its inspections: not 0 and 0% either
        if p3 is not None and self.window.start > p3.end:
            pending = (f"报告期在{phase_text('P3')}（{p3.name}，至{day_text(p3.end)}）之后，不计该阶段的高危企业覆盖情况"
                       "（表中为“—”，见季通报、年总结）。")
        started = not pending
        actions = e["actions"].map(lambda a: [x for x in a if x != "无"] if isinstance(a, tuple) else [])
        fc, fh = e["fine_company"].fillna(0), e["fine_head"].fillna(0)
        penalty = actions.map(lambda a: bool({"罚款", "一案双罚", "停产整顿", "提请关闭", "移送司法机关"} & set(a))).astype(bool) \
            | (fc > 0) | (fh > 0)
        listed = e[e["listed"].eq(True).fillna(False).to_numpy(dtype=bool)]
        named = listed[listed["hazard_nos"].map(lambda v: isinstance(v, tuple) and len(v) > 0).to_numpy(dtype=bool)]
        nos = named[["eid", "hazard_nos"]].explode("hazard_nos")  # each hazard a listing names, keyed as the ledgers match them
        pairs = set(zip(nos["eid"].astype("int64"), hazard_key(nos["hazard_nos"])))
        # 挂牌督办 of 重大事故隐患: a number the hazard ledger gives level 一般 is not one (an empty level is 重大)
        hz = c.frame("hazards")
        general = hz.loc[(hz["eid"].notna() & hz["hazard_no"].notna() & hz["level"].eq("一般")).to_numpy(dtype=bool)]
        pairs -= set(zip(general["eid"].astype("int64"), hazard_key(general["hazard_no"])))
        unnamed = listed.drop(named.index)
        frame = pd.DataFrame([{
            "检查企业（家）": int(eid.nunique()), "检查（家次）": len(e),
            "高危企业（家）": len(high), high_p3_col: n_high_p3 if started else float("nan"),
            "高危企业覆盖率": round(n_high_p3 / len(high), 4) if len(high) and started else float("nan"),
            "执法文书（份）": int(actions.map(len).sum()), "立案（起）": int(penalty.sum()),
            "挂牌督办隐患（项）": len(pairs) + int(unnamed["major_hazards"].fillna(0).sum()),
            "挂牌督办（次）": len(listed),
        }])
        t = self.table("执法检查覆盖", f"{self.word}执法检查覆盖、执法文书和挂牌督办", frame,
                       note="执法文书按执法检查记录“处理措施”中除“无”以外的每项措施计一份；立案按有罚款、一案双罚、停产整顿、"
                            "提请关闭、移送司法机关或罚款金额大于0的检查计；挂牌督办按重大事故隐患计，同一隐患多次督办只计一项，"
                            "隐患台账中等级为“一般”的不计，督办记录未写隐患编号的按该次“发现重大隐患数”计。" + pending)
        for key, col, kind in (("en_ent", "检查企业（家）", "int"), ("en_visits", "检查（家次）", "int"),
                               ("en_high", "高危企业（家）", "int"), ("en_high_p3", high_p3_col, "int"),
                               ("en_high_p3_rate", "高危企业覆盖率", "pct"), ("en_docs", "执法文书（份）", "int"),
                               ("en_cases", "立案（起）", "int"), ("en_listed_hz", "挂牌督办隐患（项）", "int")):
            self.fact(key, t, col, kind=kind)
        return t

    def enforcement_ledger_fact(self) -> None:
        """Whether an enforcement ledger was submitted at all: without one the narrative says 未报送执法检查记录,
        with one but no inspection in the period, that there was none (本月未开展执法检查)."""
        submitted = any(t.ledger == "enforcement" for t in self.ctx.context.ledgers.tables)
        self.facts.text("en_ledger", "是" if submitted else "否", "提交的台账中是否有执法检查记录")

    def town_work(self) -> Table:
        """The town's, villages' and stations' own work: meetings by kind (会议与督导记录)."""
        from ..ledgers.meetings import KINDS

        c = self.ctx
        m = c.frame("meetings")
        m = m[c.existing(m, "date", undated=False) & self.window.contains(m["date"])]
        reached = m["enterprises"].map(lambda v: len(v) if isinstance(v, tuple) else 0)
        rows = [{"类型": k, "次数": int((m["kind"] == k).sum()), "开展单位（个）": int(m.loc[m["kind"] == k, "unit"].nunique()),
                 "覆盖企业（家次）": int(reached[m["kind"] == k].sum())} for k in KINDS]
        t = self.table("镇村站所工作", f"{self.word}镇、村、站所开展的工作（按类型）", pd.DataFrame(rows),
                       note="取自会议与督导记录；“覆盖企业”为“宣讲企业”列所列企业数之和。")
        for i, k in enumerate(KINDS):
            self.fact(f"mt_{i}_name", t, "类型", where={"类型": k}, kind="text")
            self.fact(f"mt_{i}_n", t, "次数", where={"类型": k})
        self.fact("mt_preach_ent", t, "覆盖企业（家次）", where={"类型": "企业宣讲"})
        return t

    def obligation_gaps(self) -> Table:
        """Where the real gaps are: for each enterprise obligation (rule), how many enterprises have not
        fulfilled it and its rate over the due units, most enterprises first; and how many enterprises
        have fulfilled every due obligation (a bare rate over all row obligations hides both)."""
        coded = self.a.coded
        judged = enterprise_rules()  # as the rankings count them (各村排名, 各站所排名, the letters)
        # counted on the status table's integer codes (half a million rows at county scale): the due rows of
        # enterprises under the rules that judge them; a rule's (title, clause) numbered in their sorted order
        eid, _ = coded("eid")
        rule, _ = coded("rule_id")
        due = coded.isin("status", ["合规", "不合规"]) & (eid >= 0) & coded.isin("rule_id", judged)
        bad = coded.isin("status", ["不合规"])[due]
        columns = ["义务", "条款", "应履行", "已履行", "未履行", "履行率", "未履行企业（家）"]
        if not due.any():
            frame = pd.DataFrame(columns=columns)
        else:
            rows = np.flatnonzero(due)
            a_row = np.full(rule.max() + 1, -1)
            a_row[rule[rows]] = rows  # a row of each rule (any: a rule has one title and one clause)
            seen = np.flatnonzero(a_row >= 0)
            rows = a_row[seen]
            pairs = pd.DataFrame({"title": coded.values("title", rows), "clause": coded.values("clause", rows)})
            kinds = pairs.drop_duplicates().sort_values(["title", "clause"], kind="mergesort").reset_index(drop=True)
            gid = np.full(rule.max() + 1, -1)
            gid[seen] = pd.MultiIndex.from_frame(kinds).get_indexer(pd.MultiIndex.from_frame(pairs))
            # as groupby(gid) of the due rows: rows, fulfilled, not fulfilled and distinct enterprises not fulfilling
            g, e = gid[rule[due]], eid[due]
            n_rows = np.bincount(g, minlength=len(kinds))
            n_not = np.bincount(g[bad], minlength=len(kinds))
            bad_units = distinct_per_group(g[bad], e[bad], len(kinds))  # enterprises not fulfilling, each once
            present = np.flatnonzero(n_rows)
            frame = pd.DataFrame({"应履行": n_rows[present].astype("int64"), "已履行": (n_rows - n_not)[present].astype("int64"),
                                  "未履行": n_not[present].astype("int64"),
                                  "未履行企业（家）": bad_units[present].astype("int64")}, index=present)
            frame.index = pd.MultiIndex.from_frame(kinds.take(frame.index.to_numpy()))
            frame = frame.reset_index().rename(columns={"title": "义务", "clause": "条款"})
            frame["履行率"] = (frame["已履行"] / frame["应履行"])
            frame = frame.loc[frame["未履行"] > 0, columns].sort_values(
                ["未履行企业（家）", "履行率", "义务"], ascending=[False, True, True], kind="mergesort")
        t = self.table("义务履行差距", f"企业未履行最多的义务（截至{day_text(self.as_of)}已到期）", frame.reset_index(drop=True),
                       note="每项义务按应履行的企业和期间（企业×月、企业×半年、每条记录……）计；只列有未履行的义务，"
                            "未履行企业多的在前。")
        for i in range(min(3, len(t.frame))):
            row = {"义务": t.frame["义务"].iloc[i]}
            self.fact(f"gap_{i + 1}_title", t, "义务", where=row, kind="text")
            self.fact(f"gap_{i + 1}_rate", t, "履行率", where=row, kind="pct")
            self.fact(f"gap_{i + 1}_units", t, "未履行企业（家）", where=row)
        # per enterprise with a due obligation: any not fulfilled
        n_ent = int(np.count_nonzero(np.bincount(eid[due]))) if due.any() else 0
        n_bad = int(np.count_nonzero(np.bincount(eid[due][bad]))) if bad.any() else 0
        reg = self.ctx.registry
        by = pd.DataFrame([{"企业数": len(reg), "有已到期义务的企业": n_ent, "全部履行的企业": n_ent - n_bad,
                            "有未履行义务的企业": n_bad,
                            "全部履行企业占比": round(float(n_ent - n_bad) / n_ent, 4) if n_ent else float("nan")}])
        te = self.table("企业义务履行", "企业履行已到期义务情况（按企业）", by)
        self.fact("ob_ent_all", te, "全部履行的企业")
        self.fact("ob_ent_bad", te, "有未履行义务的企业")
        self.fact("ob_ent_rate", te, "全部履行企业占比", kind="pct")
        self.gap_tables = (t, te)
        return t

    # -- the as-of picture (cumulative) ------------------------------------------------------
    def rankings(self) -> tuple[Table, Table | None]:
        """各村排名 and 各站所排名. A village's report has the village's row of the town-wide ranking (排名: its place
        among the town's villages, as its letter compares it) and no station ranking: the stations are ranked, and
        written to, for the whole town only (:meth:`.Analysis.letters`)."""
        rv = self.a.ranking("village").rename(columns={"village": "村"})
        title = "本村在全镇各村中的企业履行义务情况排名" if self.a.village else "各村企业履行义务情况排名"
        tv = self.table("各村排名", f"{title}（截至{day_text(self.as_of)}已到期的义务）", rv, note=RANKING_NOTE)
        ts = None
        if not self.a.village:
            rs = self.a.ranking("station").rename(columns={"station": "站所"})
            ts = self.table("各站所排名", f"各站所监管企业履行义务情况排名（截至{day_text(self.as_of)}已到期的义务）", rs,
                            note=RANKING_NOTE)
        for key, t, col in (("village", tv, "村"), ("station", ts, "站所")):
            if t is not None and len(t.frame):
                self.fact(f"rank_{key}_count", t, None, "len")
                self.fact(f"rank_{key}_best", t, col, "first", kind="text")
                self.fact(f"rank_{key}_best_rate", t, "履行率", "first", kind="pct")
                self.fact(f"rank_{key}_worst", t, col, "last", kind="text")
                self.fact(f"rank_{key}_worst_rate", t, "履行率", "last", kind="pct")
        return tv, ts

    def station_chart(self, ts: Table | None) -> Chart | None:
        """The stations' rates beside their ranking (none in a village's report)."""
        if ts is None:
            return None
        return self.chart("compliance_station", "各站所履行率", charts.compliance_by_unit(ts.frame, "站所", "各站所监管企业义务履行率"))

    def four_lists(self) -> tuple[Table, Table]:
        """The 四个一批 as proposals (建议名单): who decides, on what basis, the criterion; the entries."""
        fl = self.a.four_lists()
        rules = list_rules_table(fl)
        note = ("依据方案三（二）3（6）“根据监管执法情况，定期通报一批、约谈一批、联合惩戒一批、停产整顿一批”。"
                "以上为建议名单，由各名单的决定机关依法研究决定；只依据判定企业自身的核查发现（不含站所、村、镇的履职问题"
                "和台账填报问题），每家企业只列入其符合条件的最严重的一个名单，同一名单内按违反方案要求的问题数由多到少排列；"
                "“依据发现”为使其列入该名单的问题及条数。")
        tr = self.table("四个一批规则", "“四个一批”建议名单的决定机关、依据、列入条件与企业数", rules, note=note)
        tl = self.table("四个一批名单", f"“四个一批”建议名单（截至{day_text(self.as_of)}）", fl, note=note)
        for i, n in enumerate(LISTS):
            self.fact(f"list_{i}", tr, "企业数", where={"名单": n})
            self.fact(f"list_{i}_name", tr, "名单", where={"名单": n}, kind="text")
            self.fact(f"list_{i}_decides", tr, "决定机关", where={"名单": n}, kind="text")
        self.fact("list_total", tr, "企业数", "sum")
        return tr, tl

    def letters(self) -> tuple[Table, Table]:
        """提醒函 / 督办函 to villages and stations, and the files to send back (退回重报)."""
        lt = self.a.letters(previous=self.previous_letters)
        history = lt.attrs.get("note") or "督办函按上期报告的提醒函名单判定"
        note = (f"依据{LETTER_BASIS}。以上为建议名单，由{LETTER_DECIDES}研究决定。村、站所有其履职方面违反方案要求的问题，"
                "或所属企业已到期义务履行率在各村（各站所）中最低的，建议下达提醒函；上期报告已有提醒函条件、本期仍有的，"
                f"建议下达督办函。{history}。")
        t_letters = self.table("提醒函督办函", f"建议下达提醒函、督办函的村和站所（截至{day_text(self.as_of)}）", lt, note=note)
        rs = self.a.resubmissions()
        t_resub = self.table("退回重报", "建议退回重报的台账文件（按报送单位）", rs,
                             note="台账记录本身有误（表头、格式、企业对应、记录前后矛盾等）的文件，退回报送的村或站所修改后重新报送；"
                                  "这些问题不作为任何单位违反方案的依据。报送单位取文件所在的第一级文件夹；"
                                  "提交根目录下的文件取所在行企业的所属村。")
        self.fact("letters_n", t_letters, None, "len")
        self.fact("letters_village", t_letters, None, "len", where={"类别": "村"})
        self.fact("letters_station", t_letters, None, "len", where={"类别": "站所"})
        self.fact("letters_supervision", t_letters, None, "len", where={"函件": SUPERVISION})
        self.facts.text("letters_history", history, "是否提供了上期提醒函名单")
        # distinct files (the town's registry is one file, whichever villages its rows send it back to), and
        # the units it goes back to: the rows no unit could be found for are routed by hand, not a unit
        self.fact("resub_files", t_resub, "来源文件", "nunique")
        known = sorted(set(rs["报送单位"]) - {UNKNOWN_UNIT}) if len(rs) else []
        self.fact("resub_units", t_resub, "报送单位", "nunique", where={"报送单位": known})
        self.fact("resub_unknown", t_resub, None, "len", where={"报送单位": UNKNOWN_UNIT})
        return t_letters, t_resub

    def typical(self, by_rule: pd.DataFrame, name: str, title: str, top: int = 10) -> tuple[Table, pd.DataFrame]:
        """The most frequent plan rules (data-quality rules SCH/FMT/REF apart), an example message each."""
        data = {r.title for rid, r in REGISTRY.items() if rid.startswith(DATA_RULES)}  # a report's tables name rules by title
        plan = by_rule[~by_rule["名称"].isin(data)]
        t = self.table(name, title, plan.head(top))
        for i in range(min(3, len(t.frame))):
            self.fact(f"typ_{i + 1}_title", t, "名称", where={"名称": t.frame["名称"].iloc[i]}, kind="text")
            self.fact(f"typ_{i + 1}_n", t, "数量", where={"名称": t.frame["名称"].iloc[i]})
        return t, plan

    # -- the whole picture (年总结) ------------------------------------------------------------
    def hazard_kpis(self) -> list[Table]:
        out = []
        for by, name, title in ((None, "隐患整改（总体）", "隐患排查整改总体情况"),
                                ("village", "隐患整改（按村）", "隐患排查整改情况（按村）"),
                                ("station", "隐患整改（按站所）", "隐患排查整改情况（按监管站所）"),
                                ("industry", "隐患整改（按行业）", "隐患排查整改情况（按行业领域）")):
            frame, note = self.a.hazards(by=by), ""
            if by is None:  # a stock, not the period's: the ledger's hazards at as-of, those found before the period too
                h = self.a.existing_hazards
                before = int((h["found_on"] < pd.Timestamp(self.window.start)).sum())
                frame.insert(2, "其中专项行动开始前发现", before)
                note = (f"隐患数为截至{day_text(self.as_of)}隐患台账中的全部隐患（同一隐患只计一次），含专项行动开始"
                        f"（{day_text(self.window.start)}）前发现、仍在台账中整治的隐患；已整改、已销号、逾期未改按截止日当时的情况计。")
            out.append(self.table(name, title, frame, note=note))
        t = out[0]
        if len(t.frame):
            self.fact("hz_before", t, "其中专项行动开始前发现", "first")
            for key, col, kind in (("hz_total", "隐患数", "int"), ("hz_self", "企业自查", "int"),
                                   ("hz_dept", "部门/执法检查", "int"), ("hz_other", "举报及其他", "int"),
                                   ("hz_done", "已整改", "int"), ("hz_closed", "已销号", "int"),
                                   ("hz_overdue_total", "逾期未改", "int"), ("hz_fix_rate", "整改率", "pct"),
                                   ("hz_close_rate", "销号率", "pct")):
                self.fact(key, t, col, "first", kind=kind)
        return out

    def coverage_tables(self) -> tuple[Table, Table]:
        hi = self.a.coverage("HI001")
        if len(hi):
            total = hi.drop(columns=["period", "完成率"]).sum().to_frame().T.assign(period="合计")
            total["完成率"] = (total["已完成"] / total["应完成"].where(total["应完成"] > 0))
            hi = pd.concat([hi, total], ignore_index=True)
        hi = hi.rename(columns={"period": "月份"})
        t_hi = self.table("带队检查覆盖（按月）", "主要负责人每月带队检查完成情况（企业×月）", hi,
                          note="已到期月份（报告日已过该月最后一天）才核查；未到期的月份计入“待到期”。")
        if len(hi):
            for key, col, kind in (("hi_due", "应完成", "int"), ("hi_done", "已完成", "int"), ("hi_missing", "未完成", "int"),
                                   ("hi_pending", "待到期", "int"), ("hi_rate", "完成率", "pct")):
                self.fact(key, t_hi, col, where={"月份": "合计"}, kind=kind)
        parts = []
        for rid, label in (("DR001", "全年演练（全部企业）"), ("DR002", "半年演练（高危企业）")):
            c = self.a.coverage(rid)
            if len(c):
                parts.append(c.assign(类别=label))
        dr = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["类别", "period", "应完成", "已完成", "未完成", "待到期", "完成率"])
        dr = dr[["类别", "period", "应完成", "已完成", "未完成", "待到期", "完成率"]].rename(columns={"period": "期间"})
        t_dr = self.table("应急演练覆盖", "应急演练完成情况（方案三（一）（15）：每年至少一次，高危行业领域企业每半年至少一次）", dr)
        year, h1, h2 = self.camp.drill_periods()
        for key, period in (("dr_year", year.label), ("dr_h1", h1.label), ("dr_h2", h2.label)):
            if (dr["期间"] == period).sum() == 1:
                shown = {"期间": period_text(period)}  # the table's 期间 as it reads (2023年上半年)
                self.fact(f"{key}_due", t_dr, "应完成", where=shown)
                self.fact(f"{key}_done", t_dr, "已完成", where=shown)
                self.fact(f"{key}_rate", t_dr, "完成率", where=shown, kind="pct")
                self.fact(f"{key}_pending", t_dr, "待到期", where=shown)
        return t_hi, t_dr

    def duty_tables(self) -> list[Table]:
        since = self.window.start  # the report's period: what was done before it is not its work
        start = day_text(since)
        tr = self.table("培训教育", "培训与警示教育", self.a.training(since=since),
                        note=f"场次、人次只计报告期（{start}起）的培训和警示教育记录。")
        os_ = self.table("外包外租", "外包外租项目安全管理", self.a.outsourcing(since=since),
                         note=f"只计报告期（{start}起）仍在履行的外包外租项目：结束日期早于{start}的不计。")
        hw = self.table("动火作业", "动火作业审批", self.a.hot_work(since=since),
                        note=f"只计报告期（{start}起）开始的动火作业票。")
        sw = self.table("特种作业持证", "特种作业人员持证", self.a.certificates())
        for key, t, col, kind in (
                ("tr_sessions", tr, "全员培训（场）", "int"), ("tr_people", tr, "培训人次", "int"),
                ("tr_exam", tr, "考试人数", "int"), ("tr_pass", tr, "合格人数", "int"),
                ("tr_hot", tr, "动火作业警示教育（场）", "int"), ("tr_accident", tr, "事故警示教育（场）", "int"),
                ("tr_rate", tr, "全员培训考试覆盖率", "pct"),
                ("os_n", os_, "外包外租项目", "int"), ("os_signed", os_, "已签安全协议", "int"),
                ("os_sign_rate", os_, "协议签订率", "pct"), ("os_rate", os_, "合规率", "pct"),
                ("hw_n", hw, "动火作业票", "int"), ("hw_ok", hw, "合规作业票", "int"), ("hw_rate", hw, "合规率", "pct"),
                ("sw_n", sw, "在岗特种作业人员", "int"), ("sw_expired", sw, "证书过期", "int"),
                ("sw_rate", sw, "持证有效率", "pct")):
            self.fact(key, t, col, kind=kind)
        return [tr, os_, hw, sw]

    def enforcement_year(self) -> tuple[Table, Table]:
        e = self.a.enforcement(since=self.window.start)  # the report's period: inspections before it are not its work
        if len(e):
            phase = {f"{m:%Y-%m}": phase_text(p.id) for p in self.camp.phases for m in pd.period_range(p.start, p.end, freq="M")}
            e.insert(1, "阶段", e["月份"].map(phase).fillna("—"))
        t = self.table("执法检查（按月）", "执法检查及处理情况（按月）", e,
                       note=f"只计报告期（{day_text(self.window.start)}起）的执法检查记录。")
        if len(e):
            w = {"月份": "合计"}
            for key, col in (("en_n", "检查次数"), ("en_major", "发现重大隐患"), ("en_fined", "罚款企业（次）"),
                             ("en_double", "一案双罚（次）"), ("en_listed", "挂牌督办（次）"), ("en_stop", "停产整顿（次）"),
                             ("en_close", "提请关闭（次）"), ("en_judicial", "移送司法机关（次）")):
                self.fact(key, t, col, where=w)
            self.fact("en_fine_company", t, "企业罚款（元）", where=w, kind="wan")
            self.fact("en_fine_head", t, "负责人罚款（元）", where=w, kind="wan")
            self.fact("en_p3_n", t, "检查次数", "sum", where={"阶段": phase_text("P3")})
            self.fact("en_p3_major", t, "发现重大隐患", "sum", where={"阶段": phase_text("P3")})
        ac = self.table("生产安全事故", "生产安全事故及报告情况", self.a.accidents(),
                        note="报县应急管理局的用时从单位负责人接报时起算（有接报时间的），否则从事故发生时起算"
                             "（《生产安全事故报告和调查处理条例》第九条）；报镇政府的用时从事故发生时起算"
                             "（方案三（一）（2）：向县应急管理局报告的同时，要向镇政府报告）。")
        for key, col in (("ac_n", "事故起数"), ("ac_deaths", "死亡人数"), ("ac_injuries", "受伤人数"),
                         ("ac_late_county", "报县应急局超1小时或未报（起）"), ("ac_late_town", "报镇政府超1小时或未报（起）")):
            self.fact(key, ac, col)
        return t, ac

    def phases(self) -> tuple[Table, Table]:
        ov = self.a.phase_overview().rename(columns={"phase": "编号"})
        if len(ov):  # the plan's words: 第一阶段 (动员部署), not the RULEBOOK's P1
            ov["阶段"] = ov["编号"].map({q.id: q.name for q in self.camp.phases}).fillna("")
            ov["编号"] = ov["编号"].map(phase_text)
        if len(ov):
            ov.insert(ov.columns.get_loc("待到期"), "已到期", ov["合规"] + ov["不合规"])
        t = self.table("分阶段合规", "各阶段义务履行情况（企业、村、镇的应履行义务，按所属阶段）", ov,
                       note="义务按规则的期间划入阶段：按月、半年、年度核查的义务计入期间结束所在阶段；逐条记录核查的义务计入记录日期所在阶段。")
        for p in self.camp.phases:  # every phase is named (基本情况 lists them); those with obligations have figures
            self.facts.text(f"phase_{p.id}_name", p.name, f"方案文件：阶段安排（{phase_text(p.id)}的名称）")
            self.facts.text(f"phase_{p.id}_label", phase_text(p.id), "方案文件：阶段安排（各阶段按先后次序称第一阶段、第二阶段……）")
            if (ov.get("编号", pd.Series(dtype=object)) == phase_text(p.id)).sum() == 1:
                self.fact(f"phase_{p.id}_due", t, "已到期", where={"编号": phase_text(p.id)})
                self.fact(f"phase_{p.id}_bad", t, "不合规", where={"编号": phase_text(p.id)})
                self.fact(f"phase_{p.id}_pending", t, "待到期", where={"编号": phase_text(p.id)})
                self.fact(f"phase_{p.id}_rate", t, "合规率", where={"编号": phase_text(p.id)}, kind="pct")
        detail = self.a.phase_table().rename(columns={"phase": "阶段", "rule_id": "规则", "title": "名称", "clause": "条款"})
        self.table("分阶段合规（明细）", "各阶段义务履行情况（按规则，明细）", detail.assign(阶段=detail["阶段"].map(phase_text)))
        if len(detail):
            pivot = detail.pivot_table(index=["规则", "名称"], columns="阶段", values="合规率", aggfunc="first")
            pivot.columns = [f"{phase_text(c)}合规率" for c in pivot.columns]
            pivot = pivot.reset_index()
        else:
            pivot = pd.DataFrame(columns=["规则", "名称"])
        td = self.table("分阶段合规（按规则）", "各规则分阶段合规率（“—”为该阶段无已到期义务）", pivot,
                        note="各阶段应核查、合规、不合规、待到期的数量见工作簿“分阶段合规（明细）”工作表。")
        return t, td

    def findings_overview(self) -> tuple[Table, Table, Table]:
        by_rule = self.a.findings_by_rule()
        f = self.a.findings
        ent = enterprise_key(f)  # an enterprise by credit code and name: two may share a name
        sev = pd.DataFrame({"严重程度": list(SEVERITIES),
                            "数量": [int((f["severity"] == s).sum()) for s in SEVERITIES],
                            "涉及企业": [int(ent.loc[(f["severity"] == s) & (ent != "")].nunique()) for s in SEVERITIES]})
        ts = self.table("核查发现（按严重程度）", f"核查发现（截至{day_text(self.as_of)}，按问题类别）", sev)
        self.fact("findings_total", ts, "数量", "sum")
        for i, s in enumerate(SEVERITIES):
            self.fact(f"findings_{['error', 'warning', 'info'][i]}", ts, "数量", where={"问题类别": SEVERITY_TEXT[s]})
        all_rules = self.table("核查发现（按规则）", "核查发现（按规则，含示例）", by_rule)
        data = by_rule[by_rule["规则"].str.startswith(DATA_RULES)]
        td = self.table("台账填报规范问题", "台账填报规范问题（表头、格式、企业对应）", data)
        self.fact("data_findings", td, "数量", "sum")
        return ts, all_rules, td


def build(analysis: Analysis, cadence: str = "year", previous_letters=None, comparison=None) -> Report:
    """The report of ``cadence`` (week / month / quarter / year) for an analysis. ``previous_letters``: the
    units that had a 提醒函 in the previous report of the same cadence (see :meth:`.Analysis.letters`);
    without it the report says that no 督办函 can be decided. ``comparison``: the previous report from the
    store (:class:`.comparison.Comparison`), for the 与上期对比 section."""
    b = Builder(analysis, cadence, previous_letters)
    b.scope_facts()
    {"week": _week, "month": _month, "quarter": _quarter, "year": _year}[cadence](b)
    if comparison is not None:
        from .comparison import add_comparison

        add_comparison(b, comparison)
    parts = render_sections(cadence, b.facts)
    narrative = [p for _, paragraphs in parts for p in paragraphs]
    intro = parts[0][1] if parts and parts[0][0] is None else []
    b.sections.insert(0, Section("一、基本情况", intro, [b.overview, *b.basic_items]))
    for heading, paragraphs in parts:
        if heading is None:
            continue
        same = [s for s in b.sections if s.heading.split("、", 1)[-1] == heading]
        if same:
            same[0].paragraphs = paragraphs + same[0].paragraphs
        else:
            b.sections.append(Section(heading, paragraphs, []))
    _number_sections(b.sections)
    c = b.camp
    title = CADENCE_NAMES[cadence]
    meta = [("报告期", b.window.label), ("数据截至", day_text(b.as_of)), ("范围", b.a.village or c.town),
            ("依据", f"{c.document}《{c.name}实施方案》五（三）“周调度、月小结、季通报、年总结”")]
    return Report(cadence=cadence, title=title, heading=f"{b.a.village or c.town}重大事故隐患专项排查整治{title}",
                  subtitle=f"{c.name}｜{b.window.label}",
                  window=b.window, as_of=b.as_of, town=c.town, village=b.a.village, meta=meta, narrative=narrative,
                  facts=b.facts, sections=b.sections, tables=b.tables, documents=c.documents)




def _number_sections(sections: list[Section]) -> None:
    for i, s in enumerate(sections):
        head = s.heading.split("、", 1)[-1] if s.heading[:1] in NUMERALS else s.heading
        s.heading = f"{NUMERALS[i] if i < 10 else i + 1}、{head}"


# -- the four products ------------------------------------------------------------------------------
def _week(b: Builder) -> None:
    t_list, t_rule = b.window_findings()
    t_hz, new, moved = b.hazard_movement()
    t_over = b.overdue()
    t_hi, t_hi_by = b.head_month()
    b.section("本周新增核查发现", t_rule, t_list)
    b.section("本周隐患动态", t_hz, new, moved)
    b.section("逾期未整改隐患", t_over)
    b.section("本月主要负责人带队检查进度", t_hi_by if len(t_hi_by.frame) else None, t_hi)


def _month(b: Builder) -> None:
    t_list, t_rule = b.window_findings()
    t_typ, _ = b.typical(t_rule.frame, "本月典型问题", "本月典型问题（方案规则，按发现数）")
    t_hz, new, moved = b.hazard_movement()
    t_over = b.overdue()
    t_hi, t_hi_by = b.head_month()
    t_en = b.enforcement_window()
    t_cov = b.enforcement_coverage()
    b.section("本月新增核查发现", t_rule, b.chart("findings_pareto", "本月核查发现按规则分布",
                                               charts.findings_pareto(t_rule.frame, "本月核查发现按规则分布（帕累托图）")),
              t_list)
    b.section("本月隐患动态", t_hz, b.chart("hazard_flow", "隐患累计趋势", charts.hazard_flow(
        b.a.hazard_flow(), b.camp.phases)), new, moved, t_over)
    b.section("主要负责人带队检查", t_hi_by if len(t_hi_by.frame) else None, t_hi)
    b.section("执法检查", t_cov, t_en)
    b.section("存在问题", t_typ)
    b.section("下一步要求")
    b.office_facts()
    b.enforcement_ledger_fact()


def _quarter(b: Builder) -> None:
    t_list, t_rule = b.window_findings()
    t_typ, _ = b.typical(t_rule.frame, "本季度典型问题", "本季度典型问题（方案规则，按发现数）")
    t_hz, new, moved = b.hazard_movement()
    t_over = b.overdue()
    hi = b.a.coverage("HI001")
    months = {p.label for p in b.camp.head_inspection_months if b.window.start <= p.end and p.start <= b.window.end}
    t_hi = b.table("本季度带队检查", "本季度各月主要负责人带队检查完成情况", hi[hi["period"].isin(months)].rename(
        columns={"period": "月份"}))
    t_en = b.enforcement_window()
    t_cov = b.enforcement_coverage()
    tv, ts = b.rankings()
    tr, tl = b.four_lists()
    t_letters, t_resub = b.letters()
    b.section("本季度核查发现", t_rule, b.chart("findings_pareto", "本季度核查发现按规则分布",
                                              charts.findings_pareto(t_rule.frame, "本季度核查发现按规则分布（帕累托图）")))
    b.section("本季度隐患动态", t_hz, b.chart("hazard_flow", "隐患累计趋势", charts.hazard_flow(
        b.a.hazard_flow(), b.camp.phases)), t_over)
    b.section("主要负责人带队检查与执法检查", t_hi, t_cov, t_en)
    b.section("各村、各站所排名", tv, b.chart("compliance_village", "各村履行率", charts.compliance_by_unit(
        tv.frame, "村", "各村企业义务履行率")), ts, b.station_chart(ts))
    b.section("“四个一批”建议名单", tr, tl)
    b.section("提醒函、督办函和退回重报建议", t_letters, t_resub)
    b.section("存在问题", t_typ)
    b.section("下一步要求")
    b.section("附：本季度新增发现清单", t_list, new, moved)
    b.office_facts()


def _year(b: Builder) -> None:
    hz = b.hazard_kpis()
    t_level = b.hazard_levels()
    t_rect = b.rectification()
    oh = b.a.open_hazards()
    oh = oh.sort_values(["逾期天数", "发现日期"], ascending=[False, True], na_position="last", kind="mergesort")
    open_h = b.table("未整改隐患", f"截至{day_text(b.as_of)}仍未整改的隐患（逾期的在前）", oh)
    b.fact("open_total", open_h, None, "len")
    t_town = b.town_work()
    t_hi, t_dr = b.coverage_tables()
    duties = b.duty_tables()
    t_en, t_ac = b.enforcement_year()
    t_cov = b.enforcement_coverage()
    t_ph, t_phd = b.phases()
    t_gap = b.obligation_gaps()
    t_ent = b.gap_tables[1]
    tv, ts = b.rankings()
    ts_sev, t_rules, t_data = b.findings_overview()
    t_typ, plan_rules = b.typical(t_rules.frame, "典型问题", "典型问题（方案规则，按发现数，附示例）")
    tr, tl = b.four_lists()
    t_letters, t_resub = b.letters()
    p3 = b.camp.phase("P3") if any(p.id == "P3" for p in b.camp.phases) else None
    en = t_en.frame
    if p3 is not None and len(en):
        en = en[en["阶段"] == phase_text("P3")]
    stage = f"{p3.name}阶段" if p3 is not None else ""  # the chart of P3's enforcement, by the campaign's name of P3
    year, h1, h2 = b.camp.drill_periods()
    dr = t_dr.frame.set_index("期间") if len(t_dr.frame) else None

    def dr_row(label):
        shown = period_text(label)  # the table writes its periods as they read (2023年上半年)
        return dr.loc[shown] if dr is not None and shown in dr.index else None

    b.basic_items = [t_level, hz[0], b.chart("hazard_flow", "隐患累计趋势", charts.hazard_flow(b.a.hazard_flow(), b.camp.phases)),
                     t_rect, hz[1], hz[2], hz[3]]
    b.section("主要做法和成效",
              t_town,
              t_hi, b.chart("head_inspection_heatmap", "带队检查覆盖热力图",
                            charts.head_inspection_heatmap(b.a.head_inspection_matrix())),
              t_dr, b.chart("drill_coverage", "应急演练完成情况", charts.drill_coverage([
                  ("全年\n（全部企业）", dr_row(year.label)), ("上半年\n（高危企业）", dr_row(h1.label)),
                  ("下半年\n（高危企业）", dr_row(h2.label))])),
              *duties,
              t_cov, t_en, b.chart("enforcement_p3", f"{stage}执法情况", charts.enforcement_by_month(en, f"{stage}执法检查与处理（按月）")),
              t_ac,
              t_ph, b.chart("compliance_phase", "各阶段合规率", charts.compliance_by_phase(t_ph.frame)), t_phd)
    b.section("存在问题",
              open_h, t_gap, t_ent,
              ts_sev, t_typ, b.chart("findings_pareto", "核查发现帕累托图", charts.findings_pareto(
                  plan_rules, "方案规则核查发现分布（帕累托图，不含台账填报规范问题）")), t_data,
              tv, b.chart("compliance_village", "各村履行率", charts.compliance_by_unit(tv.frame, "村", "各村企业义务履行率")),
              ts, b.station_chart(ts),
              tr, tl, t_letters, t_resub)
    b.section("下一步工作")
    b.enforcer_facts()
    b.enforcement_ledger_fact()
