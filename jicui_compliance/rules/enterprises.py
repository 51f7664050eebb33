"""ENT: the registry itself — the supervising station and the safety staff."""

from __future__ import annotations

import pandas as pd

from ..text import fold, map_distinct
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context


@rule("ENT001", WARNING, "三(二)4", party=Party.ENTERPRISE, reads=("enterprises",), title="监管站所与行业牵头站所不一致",
      message="企业名录填写的监管站所“{value}”不是“{industry}”行业的牵头站所（应为{accepted}）；"
              "请核对行业领域或监管站所，按方案明确的行业分工落实监管（方案 一(二)4）",
      obligation=Obligation(who="enterprises", when="as_of", ledger="enterprises"), shown_clause="一(二)4")
def station_not_lead_of_industry(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中填写了“监管站所”的企业，其站所须是该企业行业领域的牵头站所之一（方案文件 campaign 中
    行业的 station 及 also_accepted，如涉农企业的农技站、农经站、畜牧站均可；食品卫生的市场监管所、其他站所均可）。
    站所名称比对时去掉空格、统一全角半角，站所名称前加镇名或“镇”（“积翠镇应急站”“镇城建站”）也算该站所，
    其余须完全一致（“应急管理站”不等于“应急站”）。
    监管站所空白的企业不报告（按行业的牵头站所归口）；行业领域空白或不在方案所列行业中的企业不报告
    （由 SCH002/SCH003 报告）。企业名录中信用代码重复的第二行及以后（SCH004）不再重复报告。

    依据：方案 一(二)4（规则目录中记为 三(二)4）“细化责任落实。……有关站所认真落实“三个必须”责任，
    应急站牵头负责非煤矿山、危险化学品、工贸、交通运输等行业领域，城建站牵头负责建筑施工、自建房、燃气等，
    消防工作所牵头负责消防安全，农技站、农经站、畜牧站负责涉农企业专项行动，水利站牵头负责河道治理专项行动，
    宣传部门牵头负责文化旅游安全，中心校负责校园安全，林业站负责护林防火，其他负有安全监管和行业管理职责的
    有关站所（部门）分别抓好分管行业领域专项整治工作。”
    规则目录沿用编号 三(二)4（findings.csv 的“方案条款”列同此），但方案的三（二）4 是
    “建立倒查机制严格问责问效”；各行业领域的牵头站所写在方案一（二）4“细化责任落实”（行业清单见一（二）3“聚焦工作重点”），
    故本规则的提示语、整改通知书、报告和 jicui rules ENT001 的“条款”都指向方案一（二）4。

    违规示例：行业领域为“建筑施工”的企业，监管站所填“应急站”（建筑施工由城建站牵头）。

    合规示例：行业领域为“涉农企业”的养殖场，监管站所填“畜牧站”；或监管站所空白（按行业牵头站所归口）。
    """
    reg = ctx.registry
    accepted = {i.name: i.stations for i in ctx.campaign.industries}
    accepted_folded = {name: {fold(s) for s in stations} for name, stations in accepted.items()}
    sub = reg.loc[reg["station"].notna() & reg["industry"].isin(list(accepted)), ["station", "industry"]]
    if sub.empty:
        return no_hits()
    ok = _accepted(map_distinct(sub["station"], ctx.campaign.units().key), sub["industry"], accepted_folded)
    bad = sub.loc[~ok]
    if bad.empty:
        return no_hits()
    return hits(
        ledger="enterprises", row=bad.index.to_numpy(), eid=bad.index.to_numpy(), field="station",
        value=bad["station"].to_numpy(), industry=bad["industry"].to_numpy(),
        accepted=bad["industry"].map({k: "、".join(v) for k, v in accepted.items()}).to_numpy(),
    )


def _accepted(station: pd.Series, industry: pd.Series, folded: dict[str, set[str]]) -> pd.Series:
    """True where ``station`` is one of the accepted stations of ``industry`` (a merge, no row loop)."""
    pairs = pd.DataFrame([(i, s) for i, ss in folded.items() for s in ss], columns=["industry", "station"])
    pairs["_ok"] = True
    left = pd.DataFrame({"industry": industry.to_numpy(), "station": station.to_numpy()})
    merged = left.merge(pairs, on=["industry", "station"], how="left")
    return pd.Series(merged["_ok"].fillna(False).astype(bool).to_numpy(), index=station.index)


@rule("ENT002", ERROR, "E(7)", party=Party.ENTERPRISE, reads=("enterprises",), title="未明确安全管理人员",
      message="企业名录未填写专（兼）职安全管理人员；请配备并报送安全生产管理人员姓名"
              "（方案 E(7)：按规定设置安全生产管理机构或者配齐配强专兼职安全生产管理人员）",
      obligation=Obligation(who="enterprises", when="as_of", ledger="enterprises"))
def no_safety_staff(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中“安全管理人员”为空的企业。“无”“/”“-”“—”等占位符视为空，
    因此填“无”的企业同样报告。企业名录缺少“安全管理人员”整列时，该表各行不报告（可选列缺列不逐行报告）。
    企业名录中信用代码重复的第二行及以后（SCH004）不再重复报告。

    依据：方案 E(7)“按规定设置安全生产管理机构或者配齐配强专兼职安全生产管理人员。”

    违规示例：甲公司在企业名录中“安全管理人员”一栏填“无”或空白。

    合规示例：甲公司“安全管理人员”填“李四（兼职）”。
    """
    reg = ctx.registry
    sel = ctx.left_blank(reg, "enterprises", "safety_staff")
    bad = reg.loc[sel]
    if bad.empty:
        return no_hits()
    return hits(ledger="enterprises", row=bad.index.to_numpy(), eid=bad.index.to_numpy(), field="safety_staff", value="")



#: ENT003, CHK007: units that must set up a safety department or employ full-time safety staff under
#: 安全生产法 第24条 (mines, construction, transport, hazardous goods; RULEBOOK §5 lists the industries) …
FULL_TIME_INDUSTRIES = ("非煤矿山", "危险化学品", "建筑施工", "交通运输", "燃气")
#: … and any other unit with more than this many employees
FULL_TIME_EMPLOYEES = 100


def full_time_required(reg: pd.DataFrame) -> pd.Series:
    """Why each registry enterprise must have full-time safety staff (安全生产法 第24条), or missing
    where it need not: "属危险化学品行业" / "从业人数 120 人，超过100人"."""
    by_industry = reg["industry"].isin(FULL_TIME_INDUSTRIES)
    emp = reg["employees"].astype("Int64")
    many = (emp > FULL_TIME_EMPLOYEES).fillna(False).astype(bool)
    why = pd.Series(pd.NA, index=reg.index, dtype="string")
    why[many] = "从业人数" + emp[many].astype("string") + f"人，超过{FULL_TIME_EMPLOYEES}人"
    why[by_industry] = "属" + reg.loc[by_industry, "industry"].astype("string") + "行业"
    return why


@rule("ENT003", ERROR, "E(7); EXT: 安全生产法 第24条", party=Party.ENTERPRISE, reads=("enterprises",),
      title="应配专职安全管理人员而未配",
      message="企业名录填写的专职安全管理人员数为0，而该企业{why}，依《安全生产法》第二十四条应当设置安全生产管理机构"
              "或者配备专职安全生产管理人员；请配备专职安全生产管理人员并更新企业名录"
              "（方案 E(7)：按规定设置安全生产管理机构或者配齐配强专兼职安全生产管理人员）",
      obligation=Obligation(who="enterprises", when="as_of", ledger="enterprises"))
def no_full_time_safety_staff(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中“专职安全管理人员数”填 0、而依法必须配备专职安全生产管理人员的企业：行业领域为非煤矿山、
    危险化学品、建筑施工、交通运输或燃气（《安全生产法》第二十四条所列矿山、建筑施工、运输单位和危险物品的生产、
    经营、储存、装卸单位），或从业人数超过 100 人（恰好 100 人不算超过）。只有填了 0 才报告：该格空白、或企业名录
    缺少这一整列时无法判断，不报告（是否配备了安全管理人员另见 ENT002）。金属冶炼等名录不能按行业识别的单位不在此列，
    由村、站所按实际核查。企业名录中信用代码重复的第二行及以后（SCH004）不再重复报告。该企业同时被认定为技术力量薄弱，
    落实情况表中未聘请专业机构或专家时另报 CHK007（两项义务不同，可同时出现）。

    依据：方案 E(7)“按规定设置安全生产管理机构或者配齐配强专兼职安全生产管理人员。”；《安全生产法》第二十四条
    “矿山、金属冶炼、建筑施工、运输单位和危险物品的生产、经营、储存、装卸单位，应当设置安全生产管理机构或者配备
    专职安全生产管理人员。前款规定以外的其他生产经营单位，从业人员超过一百人的，应当设置安全生产管理机构或者配备
    专职安全生产管理人员；从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员。”

    违规示例：乙公司（危险化学品）“专职安全管理人员数”填 0；或甲公司（工贸）从业人数 120 人，专职安全管理人员数填 0。

    合规示例：乙公司专职安全管理人员数填 1；甲公司（工贸）从业人数 100 人，只有兼职安全员（专职数填 0）。
    """
    reg = ctx.registry
    why = full_time_required(reg)
    sel = reg["full_time_safety"].eq(0).fillna(False).astype(bool) & why.notna().to_numpy()
    bad = reg.loc[sel]
    if bad.empty:
        return no_hits()
    return hits(ledger="enterprises", row=bad.index.to_numpy(), eid=bad.index.to_numpy(), field="full_time_safety",
                value="0", why=why[sel].to_numpy())
