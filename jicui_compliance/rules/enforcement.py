"""EN: precise enforcement by stations and the enforcement team (D3, D4; phase P3).

Every rule here reads the 执法检查记录 (``enforcement``); EN003–EN006 also follow its
隐患编号 to the enterprise's rows of the 重大事故隐患台账 (``hazards``), joined on the
enterprise and the hazard number after splitting the cell into its numbers.

Shared readings (written once here, repeated in each rule's 规则说明 where it matters):

* An inspection dated after as-of does not exist yet: it is neither judged nor counted
  (not as a fine, not as a later inspection). EN003–EN006 need the date and skip rows
  without one; EN001 and EN002 judge an undated row too (its missing date is SCH003).
* A *fined* inspection: 企业罚款(元) > 0, or 负责人罚款(元) > 0, or 处理措施 lists 罚款 or
  一案双罚 (a fine written only in 处理措施, without an amount, is still a fine).
* A *penalty* (EN005, v2): a fine amount > 0, or 处理措施 listing 罚款, 一案双罚 or 停产整顿;
  EN007 also counts 提请关闭 (any measure only a lawful enforcer may take).
* 一案双罚 (double penalty) is proven only by amounts: 企业罚款 > 0 and 负责人罚款 > 0.
* Hazard numbers match after folding full-width forms, removing spaces and upper-casing;
  a number the hazard ledger of that enterprise lacks links to nothing; when a hazard
  number is duplicated in the ledger (SCH004) the first occurrence is the hazard.
* "Done" means a 整改完成日期 on or before the day in question; a hazard is open at
  as-of when it has no 整改完成日期 or one after as-of (RULEBOOK §8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ledgers.enforcement import has_action, has_amount, hazard_key, is_fined, penalised
from ..text import fold
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, folded, merge_few, shared

_EN007_ACTIONS = ("罚款", "一案双罚", "停产整顿", "提请关闭")
_HAZARD_COLS = ["hazard_no", "source", "found_on", "reported_on", "deadline", "done_on"]


# -- helpers (whole-frame operations) ------------------------------------------------------
@shared
def _inspections(ctx: Context, *, keep_undated: bool = False) -> pd.DataFrame:
    """Enforcement rows of resolved enterprises that exist at as-of (dated on or before it)."""
    enf = ctx.frame("enforcement")
    exists = ~(enf["date"] > ctx.as_of_ts) if keep_undated else (enf["date"] <= ctx.as_of_ts)
    return enf[enf["eid"].notna() & exists]


@shared
def _fined(ctx: Context) -> pd.Series:
    """:func:`is_fined` of every row of :func:`_inspections` (EN003, EN004, EN006, DC002)."""
    return is_fined(_inspections(ctx))


@shared
def hazard_keys(ctx: Context) -> pd.Series:
    """The :func:`hazard_key` of every row of the hazard ledger (index that of its frame): the EN
    and DC rules select their rows from it rather than folding the same numbers again."""
    return hazard_key(ctx.frame("hazards")["hazard_no"])


@shared
def _hazards(ctx: Context) -> pd.DataFrame:
    """Hazard rows of level 重大 (an empty 隐患等级 is 重大) of resolved enterprises with a number, one per
    (eid, number): D3(2), D3(3) and D3(5) are about 重大事故隐患, so a fine on a 一般 hazard is not judged by
    EN003, EN004 or EN006 (as by EN005 and DC001–DC004)."""
    haz = ctx.frame("hazards")
    keep = (haz["eid"].notna() & haz["hazard_no"].notna()
            & haz["level"].fillna("重大").eq("重大")).to_numpy(dtype=bool)
    haz = haz.loc[keep, ["eid", *_HAZARD_COLS]].assign(key=hazard_keys(ctx)[keep])
    return haz.drop_duplicates(["eid", "key"], keep="first")[["eid", "key", *_HAZARD_COLS]]


def _linked(enf: pd.DataFrame, haz: pd.DataFrame) -> pd.DataFrame:
    """One row per (inspection row, ledger hazard it names): ``row``, ``eid``, ``date`` + hazard columns."""
    links = enf[["eid", "date", "hazard_nos"]].explode("hazard_nos").dropna(subset=["hazard_nos"])
    links = links.rename_axis("row").reset_index()
    links["key"] = hazard_key(links["hazard_nos"])
    links = links.drop_duplicates(["row", "key"]).drop(columns="hazard_nos")
    return merge_few(links, haz, on=["eid", "key"])


def _open_at(done_on: pd.Series, day) -> pd.Series:
    """Not done on or before ``day`` (a Timestamp or a Series of them)."""
    return done_on.isna() | (done_on > day)




def _yuan(s: pd.Series) -> pd.Series:
    return s.map(lambda v: f"{v:,.2f}".rstrip("0").rstrip("."), na_action="ignore").astype("string")


def _fine_text(enf: pd.DataFrame) -> pd.Series:
    """What the record says was fined: amounts, else the 处理措施 that names the fine."""
    company = ("对企业罚款" + _yuan(enf["fine_company"]) + "元").where(has_amount(enf["fine_company"]), "")
    head = ("对主要负责人罚款" + _yuan(enf["fine_head"]) + "元").where(has_amount(enf["fine_head"]), "")
    both = (company + "、" + head).str.strip("、")
    return both.where(both != "", "处理措施记为罚款，未填罚款金额")


def _join_per_row(d: pd.DataFrame, col: str) -> pd.Series:
    """Texts of ``col`` joined with ；per ``row`` (first-seen order)."""
    return d.groupby("row", sort=False)[col].agg("；".join)


def _cell_list(s: pd.Series) -> pd.Series:
    return s.map("、".join, na_action="ignore").fillna("")


# -- rules ---------------------------------------------------------------------------------
@rule("EN001", ERROR, "D3(1)", party=Party.STATION, reads=("enforcement",), title="发现重大隐患未挂牌督办或未明确督办责任人",
      message="{when}{station}执法检查发现重大事故隐患{major_hazards}项，但{problem}（方案 D3(1)：对企业自查以及执法检查发现的"
              "重大事故隐患，要挂牌督办，并明确跟踪督办的具体责任人）；请挂牌督办并明确跟踪督办责任人",
      obligation=Obligation(when="records", ledger="enforcement", date="date"))
def major_hazard_not_listed(ctx: Context) -> pd.DataFrame:
    """规则说明：执法检查记录的“发现重大隐患数”大于 0，但“挂牌督办”不是“是”（填“否”或未填），或“督办责任人”为空
    （“无”“/”等占位符视为空）。两项都缺时在一条发现中一并说明。检查日期在核查截止日（--as-of）之后的记录尚不存在，
    不予核查；检查日期为空的记录照常核查（日期为空另报 SCH003）。无法归属企业的记录（REF001）不核查。

    依据：方案三（二）3（1）“对企业自查以及执法检查发现的重大事故隐患，要挂牌督办，并明确跟踪督办的具体责任人。”（D3(1)）

    违规示例：2023-08-15 应急站检查甲公司，发现重大隐患 1 项，“挂牌督办”填“否”；或填“是”但“督办责任人”为空。

    合规示例：发现重大隐患 1 项，“挂牌督办”填“是”，“督办责任人”填“刘站长”；或发现重大隐患数为 0。
    """
    enf = _inspections(ctx, keep_undated=True)
    enf = enf[enf["major_hazards"].fillna(0) > 0]
    not_listed = enf["listed"].ne(True).fillna(True).astype(bool)
    no_supervisor = enf["supervisor"].isna()
    bad = not_listed | no_supervisor
    if not bad.any():
        return no_hits()
    d, nl, ns = enf[bad], not_listed[bad], no_supervisor[bad]
    listed_text = pd.Series(ctx.as_written(d, "enforcement", "listed"), index=d.index)
    why_listed = pd.Series("“挂牌督办”填为“否”", index=d.index).where(d["listed"].eq(False).fillna(False), "“挂牌督办”未填写")
    problem = (why_listed.where(nl, "") + pd.Series("，且", index=d.index).where(nl & ns, "")
               + pd.Series("未明确跟踪督办责任人", index=d.index).where(ns, ""))
    field = pd.Series("listed", index=d.index).where(~ns, "supervisor").where(~(nl & ns), "listed,supervisor")
    return hits(ledger="enforcement", row=d.index, field=field.to_numpy(), value=listed_text.where(nl, "").to_numpy(),
                when=day_text(d["date"]).fillna("（检查日期未填）").to_numpy(),
                station=d["station"].fillna("").to_numpy(),
                major_hazards=d["major_hazards"].astype(int).to_numpy(), problem=problem.to_numpy())


@rule("EN002", ERROR, "D4(7); EXT: 行政处罚法 第42条", party=Party.STATION, reads=("enforcement",), title="执法人员不足两人或未签名",
      message="{when}{station}执法检查记录：{problem}（方案 D4(7)：严格执行“谁检查、谁签名、谁负责”；行政处罚法第四十二条："
              "执法人员不得少于两人）；请补全执法人员并由检查人签名确认",
      obligation=Obligation(when="records", ledger="enforcement", date="date"))
def officers_or_signature_missing(ctx: Context) -> pd.DataFrame:
    """规则说明：执法检查记录的“执法人员”少于两人（按不同姓名计数，同一姓名写两次算一人；未填算 0 人。几个人以
    、，,；;/ 分隔，或以空格分隔且每个名字至少两个字；“张 三”“欧阳 明”这样为对齐而加空格的是一个人，姓名后括号中的
    职务不看，与动火人、带队负责人的读法相同），或“签名确认”
    不是“是”（填“否”、空白或“无”都算未签名，写明尚未签名的“待签”“待签字”“尚未签名”等也是；填了签名人姓名算已签名）。两项都不符合时在一条发现中一并说明。
    检查日期在核查截止日之后的记录尚不存在，不予核查；检查日期为空的记录照常核查（日期为空另报 SCH003）。
    无法归属企业的记录（REF001）不核查。

    依据：方案三（二）4（7）“镇政府将建立安全监管执法责任倒查机制，严格执行“谁检查、谁签名、谁负责”，对明显有重大事故隐患
    却查不出、或查出后应处罚未处罚以及跟踪整改不到位的，将采取通报、约谈等措施；对排查出隐患但未督促整改到位导致发生事故的
    或发生事故前隐患未查出的属地村和主管站所相关人员，依法追责问责，构成犯罪的移送司法机关追究刑事责任。”（D4(7)）；
    《行政处罚法》第四十二条“执法人员不得少于两人，法律另有规定的除外。”

    违规示例：执法人员只填“张警官”一人（或“欧阳 明”“张 三”，都是一人）；或执法人员两人但“签名确认”为空。

    合规示例：执法人员“张警官、李警官”或“刘一/陈二”，“签名确认”填“是”或填检查人姓名。
    """
    enf = _inspections(ctx, keep_undated=True)
    if enf.empty:
        return no_hits()
    names = enf["officers"].explode()  # read as every names cell (the 执法人员 column's kind: people)
    count = names.dropna().map(fold).groupby(level=0).nunique().reindex(enf.index, fill_value=0)
    few = count < 2
    unsigned = ctx.said_no(enf, "signed")
    bad = few | unsigned
    if not bad.any():
        return no_hits()
    d, f, u, n = enf[bad], few[bad], unsigned[bad], count[bad]
    officers = pd.Series(ctx.as_written(d, "enforcement", "officers"), index=d.index)
    who = ("执法人员只有" + n.astype(str) + "人（" + officers + "）").where(n > 0, "未填写执法人员")
    problem = (who.where(f, "") + pd.Series("，且", index=d.index).where(f & u, "")
               + pd.Series("无检查人签名确认", index=d.index).where(u, ""))
    field = pd.Series("officers", index=d.index).where(~u, "signed").where(~(f & u), "officers,signed")
    value = officers.where(f, pd.Series(ctx.as_written(d, "enforcement", "signed"), index=d.index))
    return hits(ledger="enforcement", row=d.index, field=field.to_numpy(), value=value.to_numpy(),
                when=day_text(d["date"]).fillna("（检查日期未填）").to_numpy(), station=d["station"].fillna("").to_numpy(),
                problem=problem.to_numpy())


@rule("EN003", ERROR, "D3(2)", party=Party.STATION, reads=("enforcement", "hazards"), title="对企业自查报告并正在整改的隐患实施罚款",
      message="{when}{station}执法检查对企业自查发现、已按规定报告且正在整改期限内的隐患{detail}实施了罚款（{fine}）"
              "（方案 D3(2)：对企业自查查出的重大事故隐患，已按规定报告并正在采取有效措施消除的，不予行政处罚）；"
              "请核实处罚依据，依法予以纠正",
      obligation=Obligation(when="records", ledger="enforcement", date="date"))
def fine_on_self_reported_hazard(ctx: Context) -> pd.DataFrame:
    """规则说明：一条有罚款的执法检查记录（企业罚款或负责人罚款大于 0，或“处理措施”含“罚款”“一案双罚”——只在处理措施中
    写了罚款而未填金额也算罚款），其“隐患编号”指向的该企业重大事故隐患（“隐患等级”为“重大”或未填；一般隐患不核查）中，有一条同时满足：发现方式为“企业自查”；有报告日期且
    报告日期不晚于检查日期（同一天算已报告）；有整改期限且检查日期不晚于整改期限（期限当天仍在期限内，因而未逾期）。
    整改期限为空的隐患不能证明“按规定”在期限内整改（五落实缺期限另报 HZ001），不报本规则；检查时已整改完成的自查隐患
    同样不应处罚，照报。隐患编号与该企业隐患台账的“隐患编号”比对（统一全角半角、去空格、不分大小写），台账中找不到的
    编号不参与判断。每条执法记录报一次，列出所有符合条件的隐患。检查日期在核查截止日之后或为空的记录不核查。

    依据：方案三（二）3（2）“对企业自查查出的重大事故隐患，已按规定报告并正在采取有效措施消除的，不予行政处罚。”（D3(2)）

    违规示例：甲公司隐患 YH-001 发现方式“企业自查”，2023-07-10 已报告，整改期限 2023-09-30；2023-08-15 执法检查
    涉及 YH-001，对企业罚款 5000 元。

    合规示例：同一隐患发现方式为“执法检查”（不是企业自查）时罚款；或企业自查隐患未报告、已逾期时罚款。
    """
    enf = _inspections(ctx)
    enf = enf[_fined(ctx)]
    link = _linked(enf, _hazards(ctx))
    protected = (
        link["source"].eq("企业自查").fillna(False)
        & (link["reported_on"] <= link["date"])
        & (link["date"] <= link["deadline"])
    )
    link = link[protected.astype(bool)]
    if link.empty:
        return no_hits()
    link = link.assign(text=link["hazard_no"] + "（" + day_text(link["reported_on"]) + "报告，整改期限"
                       + day_text(link["deadline"]) + "）")
    detail = _join_per_row(link, "text")
    d = enf.loc[detail.index]
    return hits(ledger="enforcement", row=d.index, field="hazard_nos", value=_cell_list(d["hazard_nos"]).to_numpy(),
                when=day_text(d["date"]).to_numpy(), station=d["station"].fillna("").to_numpy(),
                fine=_fine_text(d).to_numpy(), detail=detail.to_numpy())


@rule("EN004", ERROR, "D3(3)", party=Party.STATION, reads=("enforcement", "hazards"), title="对逾期未整改隐患罚款未实行一案双罚",
      message="{when}{station}执法检查时，所涉隐患{detail}已过整改期限仍未整改完成，本次处罚为{fine}，未对企业和主要负责人（{head}）"
              "同时罚款（方案 D3(3)：对排查整治不力导致重大事故隐患依然存在或发生事故的，要依法对企业和企业主要负责人实行"
              "“一案双罚”）；请依法实行一案双罚",
      obligation=Obligation(when="records", ledger="enforcement", date="date"))
def overdue_fine_without_double_penalty(ctx: Context) -> pd.DataFrame:
    """规则说明：一条有罚款的执法检查记录（企业罚款或负责人罚款大于 0，或“处理措施”含“罚款”“一案双罚”），其“隐患编号”
    指向的该企业重大事故隐患（“隐患等级”为“重大”或未填；一般隐患不核查）中有一条在检查日已逾期：整改期限早于检查日期，且检查日期当天及以前没有整改完成日期；但记录没有
    同时对企业和主要负责人罚款（企业罚款与负责人罚款都大于 0 才算“一案双罚”；处理措施写了“一案双罚”而金额缺一项的，
    不能证明已双罚，照报）。检查日期正好是整改期限当天的不算逾期。没有罚款的检查不报本规则。整改期限为空的隐患
    无从判断逾期，不参与判断。每条执法记录报一次，列出所有逾期隐患。检查日期在核查截止日之后或为空的记录不核查。

    依据：方案三（二）3（3）“对排查整治不力导致重大事故隐患依然存在或发生事故的，要依法对企业和企业主要负责人实行“一案双罚”。”
    （D3(3)）

    违规示例：甲公司隐患 YH-002 整改期限 2023-07-31、未整改；2023-08-20 执法检查涉及 YH-002，只对企业罚款 10000 元。

    合规示例：同一检查对企业罚款 10000 元、对主要负责人罚款 2000 元；或检查日正好是整改期限当天。
    """
    enf = _inspections(ctx)
    enf = enf[_fined(ctx) & ~(has_amount(enf["fine_company"]) & has_amount(enf["fine_head"]))]
    link = _linked(enf, _hazards(ctx))
    overdue = (link["deadline"] < link["date"]) & _open_at(link["done_on"], link["date"])
    link = link[overdue.astype(bool)]
    if link.empty:
        return no_hits()
    link = link.assign(text=link["hazard_no"] + "（整改期限" + day_text(link["deadline"]) + "）")
    detail = _join_per_row(link, "text")
    d = enf.loc[detail.index]
    has_c, has_h = has_amount(d["fine_company"]), has_amount(d["fine_head"])
    field = pd.Series("fine_head", index=d.index).where(has_c, "fine_company").where(has_c | has_h, "fine_company,fine_head")
    value = _yuan(d["fine_head"]).where(has_c, _yuan(d["fine_company"]).where(has_h, "")).fillna("")
    return hits(ledger="enforcement", row=d.index, field=field.to_numpy(), value=value.to_numpy(),
                when=day_text(d["date"]).to_numpy(), station=d["station"].fillna("").to_numpy(),
                fine=_fine_text(d).to_numpy(), detail=detail.to_numpy())


def _penalties_reached(ctx: Context, found: pd.DataFrame) -> pd.Series:
    """EN005's ``arises``: the day the count of penalties was reached (:func:`repeated_penalties` ``raised_on``)."""
    return found["eid"].map(repeated_penalties(ctx)["raised_on"])


@rule("EN005", WARNING, "D3(4); EXT: 安全生产法 第113条", party=Party.ENTERPRISE, reads=("enforcement", "hazards"),
      title="180日内三次或一年内四次受到处罚、重大隐患仍未整改而未提请关闭",
      message="该企业{window}受到行政处罚{penalty_count}次（{dates}），截至{as_of}仍有重大事故隐患{hazards}未整改完成，"
              "且{year}年没有“提请关闭”的处理记录（安全生产法第一百一十三条：存在重大事故隐患，一百八十日内三次或者一年内四次"
              "受到行政处罚的，应当提请地方人民政府予以关闭；方案 D3(4)：重大事故隐患长期存在并多次受到处罚的，每年依法提请"
              "县人民政府予以关闭并落实企业主要负责人行业禁入规定）；请研究依法提请县人民政府予以关闭",
      obligation=Obligation(who="with:enforcement", when="as_of", ledger="enforcement"), arises=_penalties_reached)
def repeated_fines_without_closure(ctx: Context) -> pd.DataFrame:
    """规则说明：同一企业的行政处罚在任意 180 日内达到三次，或在任意一年（365 日）内达到四次；该企业到核查截止日
    （--as-of）仍有未整改完成的重大事故隐患；而该企业专项行动年度内、截止日及以前的执法检查记录中没有一条
    “处理措施”含“提请关闭”。专项行动年度指方案文件开始日所在年份的 1 月 1 日至结束日所在年份的 12 月 31 日：默认
    为 2023 年；跨年的专项行动（如 2023-10-01 至 2024-06-30）为 2023、2024 两年。一家企业报一次，不指向具体行，
    期间为首次达到次数的那一次处罚所在的年份（默认总是“2023”；跨年的专项行动为“2023”或“2024”）；
    处罚次数一达到即报，不等到年底。周调度表、月小结、季通报按首次达到次数的那一天（所列未整改重大隐患的发现日期
    更晚的，按最早的发现日期）计为新增发现。

    * 处罚：一条执法检查记录的“处理措施”含“罚款”“一案双罚”或“停产整顿”，或企业罚款、负责人罚款大于 0。
      按不同检查日期计次：同一天的多条记录（如两个站所联合检查各报一条）算一次。“提请关闭”本身不算处罚。
    * 日期边界含端点：第一次与第三次处罚相隔不超过 180 日（第 180 日当天仍算“180 日内”），或第一次与第四次相隔
      不超过 365 日。安全生产法按处罚的先后计算，所以专项行动年度以前的处罚也计入，但达到次数的那一次处罚须在
      专项行动年度内（以前年度已满足条件的，由当年核查）；检查日期在截止日之后的记录尚不存在，不计。
    * 仍未整改的重大事故隐患：该企业隐患台账中发现日期不晚于截止日、到截止日没有整改完成日期（或完成日期晚于截止日）
      的隐患，“隐患等级”为“重大”或空白（一般隐患不算）。v2 起不再要求它就是被处罚所涉的隐患（第一百一十三条的条件是
      “存在重大事故隐患”），消息列出这些隐患的编号（无编号的列出隐患描述）。
    * 同时满足两种情形时消息按 180 日的情形说明；消息列出最早一组达到次数的处罚日期。

    依据：方案三（二）3（4）“重大事故隐患长期存在并多次受到处罚的，每年依法提请县人民政府予以关闭并落实企业主要负责人
    行业禁入规定；涉嫌犯罪的，依法移送司法机关追究刑事责任。”（D3(4)）；《安全生产法》第一百一十三条“生产经营单位
    存在下列情形之一的，负有安全生产监督管理职责的部门应当提请地方人民政府予以关闭，有关部门应当依法吊销其有关证照。
    ……（一）存在重大事故隐患，一百八十日内三次或者一年内四次受到本法规定的行政处罚的；……”

    违规示例：2023 年 8 月 10 日、9 月 12 日、10 月 16 日三次检查甲公司均处以罚款（或停产整顿），甲公司重大隐患
    YH-001 到 12 月 31 日仍未整改，没有任何一次检查的处理措施含“提请关闭”；或 1 月 5 日、4 月 20 日、8 月 10 日、
    12 月 20 日四次罚款（任意 180 日内都不满三次，但一年内四次）；或在 2023-10-01 至 2024-06-30 的跨年专项行动中，
    2023 年 10 月 5 日、11 月 5 日、12 月 5 日三次罚款（期间为“2023”）。

    合规示例：180 日内只处罚两次；或第一次与第三次处罚相隔 181 日且一年内不满四次；或某次检查处理措施含“提请关闭”；
    或该企业的重大隐患都已在截止日前整改完成（只剩“一般”隐患）。
    """
    per = repeated_penalties(ctx)
    if per.empty:
        return no_hits()
    return hits(ledger="enforcement", eid=per.index.astype("Int64"), period=per["period"].to_numpy(),
                window=per["window"].to_numpy(), penalty_count=per["penalty_count"].to_numpy(),
                dates=per["dates"].to_numpy(), hazards=per["hazards"].to_numpy(),
                as_of=ctx.as_of.isoformat(), year=_campaign_years_text(ctx))


def _campaign_years_text(ctx: Context) -> str:
    """The campaign's years as EN005's message names them: ``2023``, or ``2023—2024`` across New Year."""
    first, last = ctx.campaign.year_start.year, ctx.campaign.end.year
    return str(first) if first == last else f"{first}—{last}"


@shared
def repeated_penalties(ctx: Context) -> pd.DataFrame:
    """EN005's enterprises at as-of (index ``eid``, sorted): ``window``, ``penalty_count``, ``dates`` (the
    first group that reached the count), ``hazards`` (the major hazards open at as-of), ``period`` (the year
    of the penalty that first reached a count) and ``raised_on``: the day from which the finding holds, the
    later of that penalty's date and the earliest ``found_on`` of the open hazards listed (the reports date
    the finding by it: EN005's ``arises``)."""
    empty = pd.DataFrame({"window": [], "penalty_count": [], "dates": [], "hazards": [], "period": [],
                          "raised_on": pd.Series(dtype="datetime64[ns]")}, index=pd.Index([], dtype="int64", name="eid"))
    first_day = pd.Timestamp(ctx.campaign.year_start)
    after_last = pd.Timestamp(ctx.campaign.end.year + 1, 1, 1)
    enf = _inspections(ctx)
    in_years = (enf["date"] >= first_day) & (enf["date"] < after_last)
    closing = enf.loc[in_years & has_action(enf, ("提请关闭",)), "eid"].unique()
    pen = enf[penalised(enf) & ~enf["eid"].isin(closing)]
    if pen.empty:
        return empty
    days = pen[["eid", "date"]].drop_duplicates().sort_values(["eid", "date"], ignore_index=True)
    g = days.groupby("eid")["date"]
    nxt = {k: g.shift(-k) for k in (1, 2, 3)}

    def reached(k: int) -> pd.Series:  # the (k+1)th penalty, the one reaching the count, in the campaign's years
        return (nxt[k] >= first_day) & (nxt[k] < after_last)

    w180 = ((nxt[2] - days["date"]) <= pd.Timedelta(days=180)) & reached(2)
    w365 = ((nxt[3] - days["date"]) <= pd.Timedelta(days=365)) & reached(3)
    days = days.assign(w180=w180.fillna(False).astype(bool), w365=w365.fillna(False).astype(bool))
    first180 = days[days["w180"]].drop_duplicates("eid")
    any365 = days[days["w365"]].drop_duplicates("eid")
    first365 = any365[~any365["eid"].isin(first180["eid"])]
    if first180.empty and first365.empty:
        return empty
    texts = {k: day_text(v) for k, v in nxt.items()}
    start = day_text(days["date"])
    three = start + "、" + texts[1] + "、" + texts[2]
    per = pd.concat([
        pd.DataFrame({"eid": first180["eid"], "window": "180日内", "penalty_count": 3, "dates": three[first180.index]}),
        pd.DataFrame({"eid": first365["eid"], "window": "一年（365日）内", "penalty_count": 4,
                      "dates": (three + "、" + texts[3])[first365.index]}),
    ]).set_index("eid")
    # the day the count was first reached, by three in 180 days or four in 365, whichever came first
    reach = pd.concat([pd.Series(nxt[2][first180.index].to_numpy(), index=first180["eid"].to_numpy()),
                       pd.Series(nxt[3][any365.index].to_numpy(), index=any365["eid"].to_numpy())])
    reach = reach.groupby(level=0).min()
    haz = ctx.frame("hazards")
    as_of = ctx.as_of_ts
    major = haz["level"].fillna("重大").eq("重大").astype(bool)
    open_haz = haz[haz["eid"].isin(per.index) & (haz["found_on"] <= as_of).fillna(False).astype(bool)
                   & _open_at(haz["done_on"], as_of).astype(bool) & major]
    if open_haz.empty:
        return empty
    label = open_haz["hazard_no"].fillna(open_haz["description"]).fillna("（无编号）")
    hazards = label.groupby(open_haz["eid"]).agg(lambda s: "、".join(pd.unique(s)))
    found = open_haz.groupby("eid")["found_on"].min()
    per = per.loc[per.index.isin(hazards.index)].sort_index()
    reach = reach.reindex(per.index)
    per = per.assign(hazards=hazards.reindex(per.index).to_numpy(), period=reach.dt.year.astype(str).to_numpy(),
                     raised_on=np.maximum(reach.to_numpy(), found.reindex(per.index).to_numpy()))
    per.index = per.index.astype("int64")
    return per


@shared
def _left_overdue(ctx: Context) -> pd.DataFrame:
    """EN006: (fine ``row``, hazard) for each fine with no later inspection of its enterprise whose hazard is past its
    整改期限 and open at as-of."""
    as_of = ctx.as_of_ts
    enf = _inspections(ctx)
    if enf.empty:
        return pd.DataFrame(columns=["row", "hazard_no", "found_on", "deadline"])
    last = enf.groupby("eid")["date"].max()
    fined = enf[_fined(ctx)]
    fined = fined[fined["date"] >= fined["eid"].map(last)]
    link = _linked(fined, _hazards(ctx))
    return link[(_open_at(link["done_on"], as_of) & (link["deadline"] < as_of)).astype(bool)]


def _first_overdue(ctx: Context, found: pd.DataFrame) -> pd.Series:
    """EN006's ``arises``: the first day one of its fine's hazards was past its 整改期限 (and already found)."""
    link = _left_overdue(ctx)
    day = pd.concat([link["deadline"] + pd.Timedelta(days=1), link["found_on"]], axis=1).max(axis=1)
    return found["row"].map(day.groupby(link["row"].to_numpy()).min())


@rule("EN006", WARNING, "D3(5)", party=Party.STATION, reads=("enforcement", "hazards"), title="以罚代管：罚款后隐患逾期未改且无后续检查",
      message="{when}{station}执法检查罚款（{fine}）所涉隐患{detail}截至{as_of}已过整改期限仍未整改，此后没有对该企业的"
              "执法检查记录（方案 D3(5)：督促企业坚决整改落实到位，严禁以罚代管、罚而不管）；请及时复查，督促整改到位",
      obligation=Obligation(when="records", ledger="enforcement", date="date"), arises=_first_overdue)
def fine_without_follow_up(ctx: Context) -> pd.DataFrame:
    """规则说明：一条有罚款的执法检查记录（企业罚款或负责人罚款大于 0，或“处理措施”含“罚款”“一案双罚”），其“隐患编号”
    指向的该企业重大事故隐患（“隐患等级”为“重大”或未填；一般隐患不核查）中有一条到核查截止日（--as-of）仍未整改完成（没有整改完成日期，或完成日期晚于截止日），且整改期限
    早于截止日（期限当天不算已过期限）；而该企业没有检查日期晚于这次罚款检查的执法检查记录（任何站所的记录都算，
    检查日期在截止日之后的记录尚不存在，不算；同一天的另一条记录不算“以后”）。发现指向这条罚款检查记录，列出所有
    这样的隐患。没有填写隐患编号、或编号在隐患台账中找不到的罚款检查无从判断，不报本规则。

    依据：方案三（二）3（5）“对执法检查中发现的重大事故隐患要依法从严从重处罚，并督促企业坚决整改落实到位，严禁以罚代管、
    罚而不管。”（D3(5)）

    违规示例：2023-08-10 检查甲公司涉及隐患 YH-003 并罚款，YH-003 整改期限 2023-09-30，到 12 月 31 日仍未整改，
    8 月 10 日以后再无对甲公司的执法检查记录。

    合规示例：2023-10-20 又对甲公司进行了复查（有执法检查记录）；或 YH-003 已于 2023-09-25 整改完成。
    """
    enf = _inspections(ctx)
    link = _left_overdue(ctx)
    if link.empty:
        return no_hits()
    link = link.assign(text=link["hazard_no"] + "（整改期限" + day_text(link["deadline"]) + "）")
    detail = _join_per_row(link, "text")
    d = enf.loc[detail.index]
    return hits(ledger="enforcement", row=d.index, field="hazard_nos", value=_cell_list(d["hazard_nos"]).to_numpy(),
                when=day_text(d["date"]).to_numpy(), station=d["station"].fillna("").to_numpy(),
                fine=_fine_text(d).to_numpy(), detail=detail.to_numpy(), as_of=ctx.as_of.isoformat())


@rule("EN007", ERROR, "EXT: 行政处罚法 第18、24条", party=Party.STATION, reads=("enforcement",),
      title="处罚由不具有行政处罚权的单位作出",
      message="{when}{station}的执法检查记录作出了处罚（{penalty}），但“{station}”不是本镇依法行使行政处罚权的单位"
              "（{enforcers}）（行政处罚法第十八条：推行综合行政执法制度，相对集中行政处罚权；第二十四条：县级人民政府部门的"
              "行政处罚权交由乡镇人民政府行使的，应当按照规定范围、依照法定程序实施）；行业监管站所发现违法行为应移交"
              "{enforcers}依法处罚，请核实该处罚的实施主体，如为填报错误请更正“执法站所”",
      obligation=Obligation(when="records", ledger="enforcement", date="date"))
def penalty_by_unlawful_unit(ctx: Context) -> pd.DataFrame:
    """规则说明：一条执法检查记录作出了处罚——“处理措施”含“罚款”“一案双罚”“停产整顿”或“提请关闭”，或企业罚款、
    负责人罚款大于 0——而“执法站所”不是方案文件中 `enforcers` 所列的执法单位（默认只有“综合行政执法队”）。
    比较前两边都去掉全部空格并把全角字符折成半角；执法单位名称前冠以本镇镇名或“镇”的写法（如“积翠镇综合行政执法队”
    “镇综合行政执法队”）视为同一单位，其余须完全一致（“应急站”“应急站、综合行政执法队”都不算）。“责令限期整改”
    “移送司法机关”不是本规则所指的处罚，任何站所都可以记录。“执法站所”为空的记录无从判断（另报 SCH003）。
    检查日期在核查截止日（--as-of）之后的记录尚不存在，不核查；无法归属企业的记录（REF001）不核查。
    发现指向该执法检查记录的“执法站所”一格。

    依据：《行政处罚法》第十八条“国家在城市管理、市场监管、生态环境、文化市场、交通运输、应急管理、农业等领域推行建立
    综合行政执法制度，相对集中行政处罚权。”；第二十四条“省、自治区、直辖市根据当地实际情况，可以决定将基层管理迫切需要的
    县级人民政府部门的行政处罚权交由能够有效承接的乡镇人民政府、街道办事处行使，并定期组织评估。决定应当公布。
    承接行政处罚权的乡镇人民政府、街道办事处应当加强执法能力建设，按照规定范围、依照法定程序实施行政处罚。”；
    方案三（二）3“镇综合行政执法队要配合各行业监管站所、各村围绕专项整治重点，加大执法检查力度，开展精准执法。”

    违规示例：2023-08-15 执法站所“应急站”检查甲公司，处理措施“罚款”，对企业罚款 5000 元。

    合规示例：同一处罚由“综合行政执法队”（或“积翠镇综合行政执法队”）作出；或应急站检查只作出“责令限期整改”。
    """
    enf = _inspections(ctx)
    enf = enf[penalised(enf, _EN007_ACTIONS) & enf["station"].notna()]
    if enf.empty:
        return no_hits()
    lawful = list(ctx.campaign.enforcer_spellings())
    bad = ~folded(enf["station"]).isin(lawful)
    if not bad.any():
        return no_hits()
    d = enf[bad]
    items = d["actions"].explode()
    items = items[items.isin(_EN007_ACTIONS)]
    what = items.groupby(level=0).agg("、".join).reindex(d.index).fillna("")
    amounts = ("对企业罚款" + _yuan(d["fine_company"]) + "元").where(has_amount(d["fine_company"]), "") + "、" + \
        ("对主要负责人罚款" + _yuan(d["fine_head"]) + "元").where(has_amount(d["fine_head"]), "")
    penalty = (what + "、" + amounts.str.strip("、")).str.strip("、")
    return hits(ledger="enforcement", row=d.index, field="station", value=d["station"].to_numpy(),
                when=day_text(d["date"]).to_numpy(), station=d["station"].to_numpy(), penalty=penalty.to_numpy(),
                enforcers="、".join(ctx.campaign.enforcers))
