"""DR: emergency drills — yearly, half-yearly for high-risk enterprises, with evacuation (E(15))."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import ERROR, INFO, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, shared

_LEDGER = "drills"


@shared
def _held(ctx: Context) -> pd.DataFrame:
    """Drills held by as-of, with a date: ``eid, date, year, half`` (labels ``2023`` and ``2023-H1``/``2023-H2``)."""
    df = ctx.frame(_LEDGER)
    d = df.loc[ctx.existing(df, "date") & df["date"].notna(), ["eid", "date"]]
    return d.assign(year=d["date"].dt.year.astype(str),
                    half=d["date"].dt.year.astype(str) + (d["date"].dt.month <= 6).map({True: "-H1", False: "-H2"}))


def _undated(ctx: Context) -> np.ndarray:
    """The enterprises with a drill whose date could not be read (:meth:`Context.undated_eids`)."""
    return ctx.undated_eids(ctx.frame(_LEDGER), _LEDGER, "date")


def _no(ctx: Context, field: str) -> pd.Series:
    """True where a drill held by as-of records 否 (or nothing) in the obligation column ``field``.

    Rows of a sheet without that column are not judged (an absent optional column gives no finding),
    nor cells that could not be read (already SCH002).
    """
    df = ctx.frame(_LEDGER)
    return ctx.existing(df, "date") & ctx.said_no(df, field)


@rule("DR001", ERROR, "E(15)", party=Party.ENTERPRISE, reads=("enterprises", "drills"),
      title="全年无应急演练",
      message="{period_text}无事故应急救援预案演练记录（方案 E(15)：企业主要负责人每年至少组织开展1次事故应急救援预案演练）；"
              "请组织演练并报送演练记录",
      obligation=Obligation(who="enterprises", when="drill_year", ledger="drills"))
def no_drill_in_year(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中的每家企业在演练年度（方案文件 campaign 的 drill_year，默认 2023）内至少要有1条应急演练记录；
    没有的企业一条结果，period 为年度（如 2023）。年度义务在年末到期：as-of 早于 12月31日时不核查。
    演练日期晚于 as-of 的记录视为尚不存在；演练类型、是否含疏散逃生、是否评估不影响计次（分别由 DR003、DR004 提示）。
    演练日期填了但无法识别的记录（SCH002，如不写年份的“6月15日”）可能正是要找的那一次：有这样一行的企业本条暂不判断，
    只报 SCH002、文件列入退回重报，改正日期重报后再核查（DR002 同）。
    高危企业同时适用每半年至少1次（DR002）：全年无演练的高危企业既报 DR001，也报到期的各半年 DR002。
    未能对应到企业名录的记录（REF001）不计入。

    依据：方案 三(一)5(15)（E(15)）：“(15)企业主要负责人要根据本行业领域事故特点，每年至少组织开展1次事故应急救援预案演练(高危行业领域企业每半年至少1次)，
    特别要让全体从业人员主动落实安全生产岗位责任，熟知安全逃生出口(或避灾路线)，切实提高从业人员应急避险意识。”

    违规示例：甲公司（工贸）2023 年没有任何演练记录，as-of 为 2023-12-31 → 2023 一条 DR001。

    合规示例：甲公司 2023-09-15 进行了一次消防疏散演练。
    """
    year, _, _ = ctx.campaign.drill_periods()
    held = _held(ctx)
    gaps = ctx.coverage_gaps([year], held.rename(columns={"year": "period"}), undated=_undated(ctx))
    if gaps.empty:
        return no_hits()
    return hits(ledger=_LEDGER, eid=gaps["eid"].to_numpy(), period=gaps["period"].to_numpy())


@rule("DR002", ERROR, "E(15)", party=Party.ENTERPRISE, reads=("enterprises", "drills"),
      title="高危企业半年内无应急演练",
      message="{period_text}无事故应急救援预案演练记录；该企业属高危行业领域（{industry}，{risk_basis}），"
              "方案 E(15) 要求高危行业领域企业每半年至少组织开展1次事故应急救援预案演练；请组织演练并报送演练记录",
      obligation=Obligation(who="high_risk", when="drill_halves", ledger="drills"))
def no_drill_in_half_year(ctx: Context) -> pd.DataFrame:
    """规则说明：高危企业（企业名录“是否高危”为“是”；该格空白时按行业默认：非煤矿山、危险化学品、建筑施工、燃气、
    文化旅游为高危；企业名称含方案文件所列人员密集场所关键词（默认 商场、购物、超市、宾馆、酒店、旅馆、民宿、娱乐、KTV、
    网吧、网络会所、影院、游乐；比对时统一全角半角、不分大小写）的，不论行业也为高危，除非“是否高危”填“否”，
    见文档“台账参考”中的企业名录）在演练年度的上半年（1–6月）和下半年（7–12月）各至少要有1条应急演练记录；
    每家企业每个缺演练的半年一条结果，period 为 2023-H1 / 2023-H2。半年义务在该半年最后一天到期：
    as-of 为 2023-06-30 时上半年到期，为 2023-06-29 时不核查。一个半年内演练多次不能抵补另一个半年
    （两次都在下半年的高危企业报上半年 DR002，不报 DR001）。非高危企业不适用本条（只需每年1次，见 DR001）。
    演练日期晚于 as-of 的记录视为尚不存在；未能对应到企业名录的记录不计入；演练日期填了但无法识别的记录
    （SCH002）可能属于任何一个半年，有这样一行的企业本条暂不判断（改正日期重报后再核查）。

    依据：方案 三(一)5(15)（E(15)）：“(15)企业主要负责人要根据本行业领域事故特点，每年至少组织开展1次事故应急救援预案演练(高危行业领域企业每半年至少1次)，
    特别要让全体从业人员主动落实安全生产岗位责任，熟知安全逃生出口(或避灾路线)，切实提高从业人员应急避险意识。”
    高危范围参照《生产安全事故应急预案管理办法》第三十三条（每半年至少组织一次演练的单位）。
    该条所列“宾馆、商场、娱乐场所、旅游景区等人员密集场所经营单位”按名称关键词认定。

    违规示例：乙公司（危险化学品，高危）2023 年的两次演练在 2023-08-10 和 2023-11-20 → 2023-H1 一条 DR002。

    合规示例：乙公司 2023-05-18 和 2023-10-12 各演练一次。
    """
    _, h1, h2 = ctx.campaign.drill_periods()
    reg = ctx.registry
    risky = reg.index[reg["high_risk_eff"].astype(bool)]
    gaps = ctx.coverage_gaps([h1, h2], _held(ctx).rename(columns={"half": "period"}), eids=risky, undated=_undated(ctx))
    if gaps.empty:
        return no_hits()
    cell = gaps["eid"].map(reg["high_risk"])
    venue = gaps["eid"].map(reg["crowded_venue"])  # a crowded venue by its name (RULEBOOK §3)
    risk_basis = ("名称含“" + venue.astype("string") + "”，属人员密集场所").fillna("按行业默认为高危")
    risk_basis = risk_basis.where(cell.isna(), "企业名录标为高危")
    return hits(ledger=_LEDGER, eid=gaps["eid"].to_numpy(), period=gaps["period"].to_numpy(),
                industry=gaps["eid"].map(reg["industry"]).fillna("").to_numpy(), risk_basis=risk_basis.to_numpy())


@rule("DR003", WARNING, "E(15)", party=Party.ENTERPRISE, reads=("drills",),
      title="演练未含疏散逃生",
      message="{date}的演练未包含疏散逃生（“{header}”为空或“否”）；方案 E(15) 要求通过演练让全体从业人员熟知安全逃生出口"
              "（或避灾路线）；请在演练中组织疏散逃生，或如实补填",
      obligation=Obligation(when="records", ledger="drills", date="date"))
def drill_without_evacuation(ctx: Context) -> pd.DataFrame:
    """规则说明：应急演练记录的“含疏散逃生”为“否”或空白（空白按“否”计：不能证明演练让从业人员熟悉了逃生出口）。
    工作表根本没有“含疏散逃生”列时，该表的行不判断；该格无法识别（SCH002）的不重复报告。
    演练日期晚于 as-of 的记录尚不存在，不判断；未能对应到企业名录的行不判断。

    依据：方案 三(一)5(15)（E(15)）：“(15)企业主要负责人要根据本行业领域事故特点，每年至少组织开展1次事故应急救援预案演练(高危行业领域企业每半年至少1次)，
    特别要让全体从业人员主动落实安全生产岗位责任，熟知安全逃生出口(或避灾路线)，切实提高从业人员应急避险意识。”

    违规示例：2023-09-15 的演练“含疏散逃生”填“否”或空白。

    合规示例：“含疏散逃生”填“是”。
    """
    df = ctx.frame(_LEDGER)
    sel = _no(ctx, "evacuation")
    if not sel.any():
        return no_hits()
    d = df.loc[sel]
    return hits(ledger=_LEDGER, row=d.index, field="evacuation", value=ctx.as_written(d, _LEDGER, "evacuation"),
                date=day_text(d["date"]).replace("", "（日期不详）").to_numpy())


@rule("DR004", WARNING, "EXT: 生产安全事故应急预案管理办法", party=Party.ENTERPRISE, reads=("drills",),
      title="演练后未评估总结",
      message="{date}的演练没有评估总结（“{header}”为空或“否”）；《生产安全事故应急预案管理办法》第三十四条要求演练结束后"
              "对演练效果进行评估、撰写演练评估报告并提出预案修订意见；请补做评估总结",
      obligation=Obligation(when="records", ledger="drills", date="date"))
def drill_without_evaluation(ctx: Context) -> pd.DataFrame:
    """规则说明：应急演练记录的“评估总结”为“否”或空白（空白按“否”计：不能证明已评估）。
    工作表根本没有“评估总结”列时，该表的行不判断；该格无法识别（SCH002）的不重复报告。
    演练日期晚于 as-of 的记录尚不存在，不判断；未能对应到企业名录的行不判断。

    依据：方案 三(一)5(15)（E(15)）要求组织事故应急救援预案演练，但未写演练后的评估；评估要求来自
    《生产安全事故应急预案管理办法》（应急管理部令第2号修正）第三十四条：“应急预案演练结束后，应急预案编制单位应当对应急预案
    演练效果进行评估，撰写应急预案演练评估报告，分析存在的问题，并对应急预案提出修订意见。”

    违规示例：2023-09-15 的演练“评估总结”填“否”或空白。

    合规示例：“评估总结”填“是”。
    """
    df = ctx.frame(_LEDGER)
    sel = _no(ctx, "evaluated")
    if not sel.any():
        return no_hits()
    d = df.loc[sel]
    return hits(ledger=_LEDGER, row=d.index, field="evaluated", value=ctx.as_written(d, _LEDGER, "evaluated"),
                date=day_text(d["date"]).replace("", "（日期不详）").to_numpy())


@rule("DR005", INFO, "E(15)", party=Party.ENTERPRISE, reads=("enterprises", "drills"),
      title="参演人数不足从业人数一半",
      message="{date}的演练参演{value}人，不足企业名录从业人数{employees}人的一半；方案 E(15) 要求通过演练让全体从业人员"
              "熟知安全逃生出口（或避灾路线），请核实参演范围，组织未参演人员补演",
      obligation=Obligation(when="records", ledger="drills", date="date"))
def drill_with_few_participants(ctx: Context) -> pd.DataFrame:
    """规则说明：一次演练的“参演人数”少于企业名录“从业人数”的一半（参演人数 × 2 < 从业人数；恰好一半不提示）。
    方案要求全体从业人员熟知逃生出口，参演人数过少提示分析人员核实，不作为违规（提示级）。
    参演人数或从业人数为空、无法识别的不判断；演练日期晚于 as-of 的记录尚不存在，不判断；未能对应到企业名录的行不判断。

    依据：方案 三(一)5(15)（E(15)）：“(15)企业主要负责人要根据本行业领域事故特点，每年至少组织开展1次事故应急救援预案演练(高危行业领域企业每半年至少1次)，
    特别要让全体从业人员主动落实安全生产岗位责任，熟知安全逃生出口(或避灾路线)，切实提高从业人员应急避险意识。”

    违规示例：甲公司从业人数 20 人，一次演练参演 9 人。

    合规示例：参演 10 人（恰好一半）或 20 人。
    """
    df = ctx.frame(_LEDGER)
    d = df.loc[ctx.existing(df, "date") & df["participants"].notna()]
    employees = d["eid"].map(ctx.registry["employees"]).astype("Int64")
    bad = (d["participants"] * 2 < employees).fillna(False).astype(bool)
    if not bad.any():
        return no_hits()
    d = d.loc[bad]
    return hits(ledger=_LEDGER, row=d.index, field="participants", value=d["participants"].astype(str).to_numpy(),
                employees=employees[bad].astype(str).to_numpy(),
                date=day_text(d["date"]).replace("", "（日期不详）").to_numpy())
