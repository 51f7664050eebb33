"""DC: the 倒查 (looking back at who failed) of supervision and enforcement (方案 D4(7), v2).

DC001 and DC002 look at an enforcement inspection against the 重大事故隐患台账 of its enterprise
(查不出, 应罚未罚); DC003 and DC004 look back from an accident (隐患未查出, 未督促整改到位).

Shared readings (RULEBOOK §8 "Version-2 rule details"; repeated in each rule's 规则说明):

* Only hazards of level 重大 count; an empty 隐患等级, or a sheet without the column, is 重大
  (the ledger is the 重大事故隐患台账). A hazard number duplicated within an enterprise (SCH004)
  is one hazard, its first row; hazards without a number each count.
* Day boundaries are inclusive: "within 90 days after" counts the 90th day and the same day.
* "Open on a day": no 整改完成日期 on or before that day (the enforcement rules' reading: a
  hazard done on the inspection or accident day is done; the ledger holds dates, not times).
  A 整改完成日期 filled but unreadable (SCH002) is not known to be open: such a hazard is left out.
  "Past its deadline on a day": the 整改期限 is before that day (the deadline day itself is not
  past). A hazard without a deadline is never past it.
* Records dated after as-of do not exist yet; rows that name no registry enterprise (REF001)
  are left out. DC001 and DC002 stand on the enforcement row, DC003 and DC004 on the accident row.
"""

from __future__ import annotations

import pandas as pd

from ..ledgers.enforcement import penalised
from .base import INFO, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, merge_few, shared, time_text
from .enforcement import _cell_list, _fined, _inspections, _linked, _open_at, hazard_keys

_CLAUSE_D47 = ("方案 D4(7)：镇政府将建立安全监管执法责任倒查机制，严格执行“谁检查、谁签名、谁负责”，对明显有重大事故隐患"
               "却查不出、或查出后应处罚未处罚以及跟踪整改不到位的，将采取通报、约谈等措施")
#: what counts as dealt with by a penalty for DC002: the penalties of EN007, and a transfer to the judiciary
_DEALT_WITH = ("罚款", "一案双罚", "停产整顿", "提请关闭", "移送司法机关")
_WINDOW = pd.Timedelta(days=90)


@shared
def _major_hazards(ctx: Context) -> pd.DataFrame:
    """Hazards of level 重大 of registry enterprises: ``eid, key, label, found_on, deadline, done_on``. A hazard
    of a sheet without the column 整改完成日期 is not known to be open (RULEBOOK §8: a column a sheet lacks
    gives no finding), so it is left out: an empty cell of that column is a hazard still open. Nor is a
    hazard whose 整改完成日期 was filled but cannot be read (its SCH002): it may well be done."""
    haz = ctx.frame("hazards")
    keep = (haz["eid"].notna() & haz["level"].fillna("重大").eq("重大")
            & ctx.has_column(haz, "done_on") & ~ctx.unreadable(haz, "hazards", "done_on")).to_numpy(dtype=bool)
    haz = haz.loc[keep, ["eid", "hazard_no", "description", "found_on", "deadline", "done_on"]]
    haz = haz.assign(key=hazard_keys(ctx)[keep])
    numbered = haz["hazard_no"].notna()
    haz = pd.concat([haz[numbered].drop_duplicates(["eid", "key"], keep="first"), haz[~numbered]])
    label = haz["hazard_no"].copy()  # a hazard without a number is named by its description
    unnumbered = label.isna().to_numpy()
    label[unnumbered] = "“" + haz.loc[unnumbered, "description"].fillna("未填描述") + "”"
    return haz.assign(label=label)[["eid", "key", "label", "found_on", "deadline", "done_on"]]


def _pairs(rows: pd.DataFrame, day: pd.Series, haz: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each row (``row`` = its label) with each major hazard of its enterprise; ``day`` is the row's day."""
    left = pd.DataFrame({"row": rows.index, "eid": rows["eid"].to_numpy(), "day": day.to_numpy()})
    for c in extra:
        left[c] = rows[c].to_numpy()
    return merge_few(left, haz, on="eid")


def _detail(p: pd.DataFrame, text: pd.Series, sep: str = "、") -> pd.Series:
    """Texts joined with ``sep`` per ``row`` (first-seen order)."""
    return text.groupby(p["row"].to_numpy(), sort=False).agg(sep.join)


def _accidents(ctx: Context) -> pd.DataFrame:
    """Accidents of registry enterprises that happened by the end of the as-of day, with their day."""
    acc = ctx.frame("accidents")
    acc = acc[acc["eid"].notna() & (acc["occurred_at"] < ctx.as_of_end).fillna(False).astype(bool)]
    return acc.assign(day=acc["occurred_at"].dt.normalize())


def _accident_text(acc: pd.DataFrame) -> pd.Series:
    kind = ("（" + acc["kind"].astype("string") + "）").fillna("")
    return time_text(acc["occurred_at"]) + "该企业发生生产安全事故" + kind


@rule("DC001", WARNING, "D4(7)", party=Party.STATION, reads=("enforcement", "hazards"), title="查不出：执法检查未发现已存在的重大隐患",
      message="{when}{station}执法检查（执法人员：{officers}）记录发现重大隐患0项，但该企业此前发现的重大事故隐患{detail}"
              "当日仍未整改完成（" + _CLAUSE_D47 + "）；请倒查该次检查是否查而不实，"
              "如实记录检查发现的重大隐患并挂牌督办",
      obligation=Obligation(when="records", ledger="enforcement", date="date"))
def inspection_missed_known_hazard(ctx: Context) -> pd.DataFrame:
    """规则说明：一条执法检查记录的“发现重大隐患数”为 0，而该企业隐患台账中有一条重大事故隐患（“隐患等级”为“重大”或
    空白）在检查日期以前（不含检查当天）已经发现、到检查当天仍未整改完成（没有整改完成日期，或完成日期晚于检查日期；
    检查当天完成的算已完成；隐患台账所在的表根本没有“整改完成日期”一列的，或整改完成日期填了但无法识别的
    （如不写年份的“7月10日”，另报 SCH002），无从判断是否仍未整改，不核查）。隐患不必列在该次检查的“隐患编号”中：明显存在的重大隐患检查时就应查出。“发现重大隐患数”
    为空或无法识别的记录（另报 SCH003/SCH002）不判断；检查当天才发现的隐患可能正是这次检查发现的，不算“此前发现”。
    每条执法记录报一次，列出所有这样的隐患（有编号的列编号，无编号的列隐患描述）和发现日期；消息写明执法站所和执法人员，
    供倒查。检查日期在核查截止日（--as-of）之后或为空的记录不核查；无法归属企业的记录（REF001）不核查。

    依据：方案三（二）4（7）“镇政府将建立安全监管执法责任倒查机制，严格执行“谁检查、谁签名、谁负责”，对明显有重大事故隐患
    却查不出、或查出后应处罚未处罚以及跟踪整改不到位的，将采取通报、约谈等措施；对排查出隐患但未督促整改到位导致发生事故的
    或发生事故前隐患未查出的属地村和主管站所相关人员，依法追责问责，构成犯罪的移送司法机关追究刑事责任。”（D4(7)）

    违规示例：甲公司重大隐患 YH-001 于 2023-07-01 发现、未整改；2023-08-15 应急站执法检查甲公司，“发现重大隐患数”填 0。

    合规示例：同一检查“发现重大隐患数”填 1；或 YH-001 已于 2023-08-15 当天或以前整改完成；或 YH-001 是 2023-08-15
    当天才发现的；或 YH-001 的“隐患等级”为“一般”。
    """
    enf = _inspections(ctx)
    enf = enf[enf["major_hazards"].eq(0).fillna(False).astype(bool)]
    if enf.empty:
        return no_hits()
    p = _pairs(enf, enf["date"], _major_hazards(ctx))
    p = p[((p["found_on"] < p["day"]) & _open_at(p["done_on"], p["day"])).fillna(False).astype(bool)]
    if p.empty:
        return no_hits()
    detail = _detail(p, p["label"] + "（" + day_text(p["found_on"]) + "发现）")
    d = enf.loc[detail.index]
    return hits(ledger="enforcement", row=d.index, field="major_hazards", value="0",
                when=day_text(d["date"]).to_numpy(), station=d["station"].fillna("").to_numpy(),
                officers=_cell_list(d["officers"]).replace("", "未填写").to_numpy(), detail=detail.to_numpy())


@rule("DC002", WARNING, "D4(7)", party=Party.STATION, reads=("enforcement", "hazards"), title="应罚未罚：检查时重大隐患已逾期未改而未处罚",
      message="{when}{station}执法检查（执法人员：{officers}）时，该企业重大事故隐患{detail}已过整改期限仍未整改完成，"
              "但该次及以后的执法检查都没有作出处罚（" + _CLAUSE_D47 + "；D3(3)：对排查整治不力导致重大事故隐患依然存在或发生事故的，"
              "要依法对企业和企业主要负责人实行“一案双罚”）；请倒查该次检查应罚未罚的原因，依法处罚",
      obligation=Obligation(when="records", ledger="enforcement", date="date"))
def overdue_hazard_not_penalised(ctx: Context) -> pd.DataFrame:
    """规则说明：一次执法检查时，该企业有一条重大事故隐患（“隐患等级”为“重大”或空白）已过整改期限（整改期限早于检查
    日期，期限当天不算过期）、在检查日期及以前已经发现且到检查当天仍未整改完成（检查当天完成的算已完成；台账所在的表没有“整改完成日期”一列的、
    或整改完成日期填了但无法识别的（另报 SCH002），不核查）——不论
    该隐患是否列在这次检查的“隐患编号”中，检查人员到了现场就应发现——而这次检查以及该企业此后（到核查截止日为止）的
    任何执法检查都没有作出处罚。“作出处罚”指“处理措施”含“罚款”“一案双罚”“停产整顿”“提请关闭”或“移送司法机关”，
    或企业罚款、负责人罚款大于 0；同一天另一条记录（如联合检查的另一站所）作出的处罚也算。“处理措施”填了但无法
    识别的（如“责令整改并罚款”中的“责令整改”不是所列处理措施，另报 SCH002）可能记着处罚，也按作出处罚计，不说成“没有作出处罚”。
    在任何一次执法检查中被罚款的隐患（该检查“隐患编号”列出了它，且有罚款）留给 EN006（以罚代管）判断，不报本规则；
    无编号的隐患无从与罚款对应，照常判断。整改期限为空的隐患无从判断逾期，不参与判断。
    每条符合条件的执法记录报一次（同一隐患多次检查都未处罚的，每次检查各报一条），列出所有这样的隐患；
    消息写明执法站所和执法人员。检查日期在核查截止日（--as-of）之后或为空的记录不核查，也不算“此后的检查”；
    无法归属企业的记录（REF001）不核查。

    依据：方案三（二）4（7）“镇政府将建立安全监管执法责任倒查机制，严格执行“谁检查、谁签名、谁负责”，对明显有重大事故隐患
    却查不出、或查出后应处罚未处罚以及跟踪整改不到位的，将采取通报、约谈等措施；对排查出隐患但未督促整改到位导致发生事故的
    或发生事故前隐患未查出的属地村和主管站所相关人员，依法追责问责，构成犯罪的移送司法机关追究刑事责任。”（D4(7)）

    违规示例：甲公司重大隐患 YH-002 整改期限 2023-07-31，未整改；2023-08-20 应急站检查甲公司，处理措施只有“责令限期整改”，
    此后再无处罚。

    合规示例：2023-08-20 的检查或以后的一次检查由综合行政执法队作出罚款或停产整顿；或检查日正好是整改期限当天；
    或 YH-002 在 2023-08-20 当天或以前已整改完成。
    """
    enf = _inspections(ctx)
    if enf.empty:
        return no_hits()
    # a 处理措施 filled but not readable (SCH002: “责令整改并罚款”) may record a penalty: not “no penalty”
    dealt = penalised(enf, _DEALT_WITH) | ctx.unreadable(enf, "enforcement", "actions")
    last_penalty = enf.loc[dealt, ["eid", "date"]].groupby("eid")["date"].max()
    last_penalty = pd.Series(last_penalty.reindex(enf["eid"].to_numpy()).to_numpy(), index=enf.index, dtype="datetime64[ns]")
    visits = enf[~(enf["date"] <= last_penalty).to_numpy(dtype=bool)]
    if visits.empty:
        return no_hits()
    haz = _major_hazards(ctx)
    fined = _linked(enf[_fined(ctx)], haz.dropna(subset=["key"])[["eid", "key"]])[["eid", "key"]].drop_duplicates()
    if not fined.empty:
        marked = haz.merge(fined.assign(_fined=True), on=["eid", "key"], how="left")["_fined"].fillna(False)
        haz = haz[~marked.to_numpy(dtype=bool)]
    p = _pairs(visits, visits["date"], haz)
    p = p[((p["deadline"] < p["day"]) & (p["found_on"] <= p["day"])
           & _open_at(p["done_on"], p["day"])).fillna(False).astype(bool)]
    if p.empty:
        return no_hits()
    detail = _detail(p, p["label"] + "（整改期限" + day_text(p["deadline"]) + "）")
    d = enf.loc[detail.index]
    return hits(ledger="enforcement", row=d.index, field="actions", value=_cell_list(d["actions"]).to_numpy(),
                when=day_text(d["date"]).to_numpy(), station=d["station"].fillna("").to_numpy(),
                officers=_cell_list(d["officers"]).replace("", "未填写").to_numpy(), detail=detail.to_numpy())


@rule("DC003", INFO, "D4(7)", party=Party.STATION, reads=("accidents", "enforcement"), title="事故前90日内执法检查未发现重大隐患",
      message="{accident}，事故前90日内{inspections}，记录发现重大隐患0项（方案 D4(7)：对发生事故前隐患未查出的属地村和"
              "主管站所相关人员，依法追责问责）；请对上述站所和执法人员倒查事故前的检查是否查而不实",
      obligation=Obligation(when="records", ledger="accidents", date="occurred_at"))
def accident_after_clean_inspection(ctx: Context) -> pd.DataFrame:
    """规则说明：一起事故（事故发生时间不晚于核查截止日）发生在该企业一次执法检查之后 90 日以内，而那次检查的“发现重大
    隐患数”为 0。日期含端点：检查日期不晚于事故当天、事故当天不晚于检查日期后第 90 日（事故当天的检查也计入——记录只有
    日期，无法判断检查在事故之前还是之后，一并提示核实）。这是提示而非结论：事故未必由隐患引起，请分析人员结合事故调查
    判断。每起事故报一次，指向事故记录，列出所有这样的检查及其执法站所和执法人员，供倒查。“发现重大隐患数”为空的检查、
    检查日期在截止日之后的检查、无法归属企业的记录不计。

    依据：方案三（二）4（7）“镇政府将建立安全监管执法责任倒查机制，严格执行“谁检查、谁签名、谁负责”，对明显有重大事故隐患
    却查不出、或查出后应处罚未处罚以及跟踪整改不到位的，将采取通报、约谈等措施；对排查出隐患但未督促整改到位导致发生事故的
    或发生事故前隐患未查出的属地村和主管站所相关人员，依法追责问责，构成犯罪的移送司法机关追究刑事责任。”（D4(7)）

    违规示例：2023-08-10 应急站（张警官、李警官）检查甲公司，发现重大隐患 0 项；2023-11-08（第 90 日）甲公司发生事故。

    合规示例：事故发生在检查后第 91 日；或那次检查发现重大隐患 1 项；或事故前没有对该企业的执法检查。
    """
    acc = _accidents(ctx)
    enf = _inspections(ctx)
    enf = enf[enf["major_hazards"].eq(0).fillna(False).astype(bool)]
    if acc.empty or enf.empty:
        return no_hits()
    insp = enf.assign(text=day_text(enf["date"]) + enf["station"].fillna("（执法站所未填）") + "（执法人员："
                      + _cell_list(enf["officers"]).replace("", "未填写") + "）的执法检查")
    insp = insp[["eid", "date", "text"]].sort_values("date", kind="stable")
    p = pd.DataFrame({"row": acc.index, "eid": acc["eid"].to_numpy(), "day": acc["day"].to_numpy()}).merge(insp, on="eid")
    p = p[((p["date"] <= p["day"]) & (p["day"] <= p["date"] + _WINDOW)).astype(bool)]
    if p.empty:
        return no_hits()
    inspections = _detail(p, p["text"], "；")
    d = acc.loc[inspections.index]
    return hits(ledger="accidents", row=d.index, field="occurred_at", value=time_text(d["occurred_at"]).to_numpy(),
                accident=_accident_text(d).to_numpy(), inspections=inspections.to_numpy())


@rule("DC004", WARNING, "D4(7)", party=Party.VILLAGE, reads=("accidents", "hazards", "enterprises"),
      title="事故发生时重大隐患已逾期未整改",
      message="{accident}，事故发生时该企业重大事故隐患{detail}已过整改期限仍未整改完成（方案 D4(7)：对排查出隐患但未督促"
              "整改到位导致发生事故的属地村和主管站所相关人员，依法追责问责）；请对属地村（{village_name}）和主管站所"
              "（{station_name}）倒查是否督促整改到位",
      obligation=Obligation(when="records", ledger="accidents", date="occurred_at"))
def accident_with_overdue_hazard(ctx: Context) -> pd.DataFrame:
    """规则说明：一起事故（事故发生时间不晚于核查截止日）发生时，该企业有一条重大事故隐患（“隐患等级”为“重大”或空白）
    已过整改期限（整改期限早于事故当天；期限当天发生的事故不算逾期）、在事故当天及以前已经发现且到事故当天仍未整改完成
    （没有整改完成日期，或完成日期晚于事故当天；台账只有日期，事故当天完成的按已完成计；台账所在的表没有“整改完成日期”一列的、或整改完成日期填了但无法识别的（另报 SCH002）不核查）。不要求隐患就是事故的原因：
    请分析人员结合事故调查判断。整改期限为空的隐患无从判断逾期，不参与判断（缺期限另报 HZ001）。
    每起事故报一次，指向事故记录，列出所有这样的隐患（有编号的列编号，无编号的列隐患描述）；消息写明企业名录登记的
    所属村和监管站所（名录未填站所时为行业的牵头站所），二者共同负有督促整改的责任（本规则的对象记为“村”）。
    无法归属企业的记录（REF001）不核查。

    依据：方案三（二）4（7）“镇政府将建立安全监管执法责任倒查机制，严格执行“谁检查、谁签名、谁负责”，对明显有重大事故隐患
    却查不出、或查出后应处罚未处罚以及跟踪整改不到位的，将采取通报、约谈等措施；对排查出隐患但未督促整改到位导致发生事故的
    或发生事故前隐患未查出的属地村和主管站所相关人员，依法追责问责，构成犯罪的移送司法机关追究刑事责任。”（D4(7)）

    违规示例：甲公司（东坡村，应急站）重大隐患 YH-001 整改期限 2023-08-31，未整改；2023-09-15 甲公司发生事故。

    合规示例：YH-001 于 2023-09-10 整改完成；或事故发生在 2023-08-31 当天；或该隐患的“隐患等级”为“一般”。
    """
    acc = _accidents(ctx)
    if acc.empty:
        return no_hits()
    p = _pairs(acc, acc["day"], _major_hazards(ctx))
    p = p[((p["deadline"] < p["day"]) & (p["found_on"] <= p["day"])
           & _open_at(p["done_on"], p["day"])).fillna(False).astype(bool)]
    if p.empty:
        return no_hits()
    detail = _detail(p, p["label"] + "（整改期限" + day_text(p["deadline"]) + "）")
    d = acc.loc[detail.index]
    reg = ctx.registry
    return hits(ledger="accidents", row=d.index, field="occurred_at", value=time_text(d["occurred_at"]).to_numpy(),
                accident=_accident_text(d).to_numpy(), detail=detail.to_numpy(),
                village_name=d["eid"].map(reg["village"]).fillna("未登记").to_numpy(),
                station_name=d["eid"].map(reg["station_eff"]).fillna("未登记").to_numpy())
