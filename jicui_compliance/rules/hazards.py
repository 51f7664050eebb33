"""HZ: the hazard ledger's five elements and its closed loop (方案 E(2)).

Shared readings (RULEBOOK §2, §8), applied by every HZ rule:

* A hazard exists at as-of when its 发现日期 is on or before as-of; hazards found later
  (and rows with no 发现日期, already SCH003) are not judged.
* "Done" means a 整改完成日期 on or before as-of; a 整改完成日期 after as-of was not yet
  written at as-of, so the hazard is still open then. The same holds for 报告日期 and
  验收日期. The 整改期限 is a plan, not a record, and is used as written.
* "Not fixed at once" means 是否立即整改 = 否; an empty cell there is SCH003 and the row is
  not judged by the rules that depend on it.
* An optional column that a sheet lacks altogether gives no finding for that sheet's rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..text import map_distinct, mask_personal
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, shared

LEDGER = "hazards"
E2 = "方案 E(2)"
#: the five elements (五落实) in the plan's order: field, Chinese name
ELEMENTS = (("owner", "整改责任人"), ("measures", "整改措施"), ("funds", "整改资金"),
            ("deadline", "整改期限"), ("contingency", "应急预案"))
IMMEDIATE_DAYS = 3  # RULEBOOK HZ008: 立即整改 = done within 3 days of 发现日期


# -- helpers -------------------------------------------------------------------------------
@shared
def _existing(ctx: Context) -> pd.DataFrame:
    """Hazards of a registry enterprise found on or before as-of."""
    h = ctx.frame(LEDGER)
    return h.loc[h["eid"].notna() & h["found_on"].notna() & (h["found_on"] <= ctx.as_of_ts)]


def _at_as_of(ctx: Context, s: pd.Series) -> pd.Series:
    """A record date as it stood at as-of: dates after as-of were not yet written (NaT)."""
    return s.where(s <= ctx.as_of_ts)


def _flag(s: pd.Series) -> pd.Series:
    """A nullable boolean as plain bool (NA → False)."""
    return s.fillna(False).astype(bool)


def _day_np(s: pd.Series) -> np.ndarray:
    return day_text(s).to_numpy()


def _label(h: pd.DataFrame) -> np.ndarray:
    """How a message names a hazard: 隐患编号 with a short description, either alone, or that neither is filled."""
    # masked before it is cut: a phone number cut in two is no longer recognised, and the whole
    # description (masked) stands in other tables of the same report
    desc = map_distinct(h["description"], mask_personal).astype("string").fillna("")
    short = desc.str.slice(0, 20) + np.where(desc.str.len() > 20, "…", "")
    no = h["hazard_no"].astype("string")
    described = desc != ""
    with_no = "“" + no.fillna("") + "”" + ("（" + short + "）").where(described, "")
    alone = ("“" + short + "”").where(described, "〔编号和描述均未填〕")
    return with_no.where(no.notna(), alone).to_numpy()


def _join(parts: list[tuple[pd.Series, str]], sep: str) -> pd.Series:
    """Join, row by row, the texts whose condition holds (vectorised string concatenation)."""
    pieces = [pd.Series(np.where(cond.to_numpy(dtype=bool), text + sep, ""), index=cond.index) for cond, text in parts]
    out = pieces[0]
    for piece in pieces[1:]:
        out = out + piece
    return out.str.slice(0, -len(sep)).where(out != "", "")


def _as_of_text(ctx: Context) -> str:
    return ctx.as_of.strftime("%Y-%m-%d")


def _arising(field: str, after: pd.Timedelta):
    """A rule's ``arises``: the day ``after`` its hazard's ``field`` (never before the hazard was found)."""
    def arises(ctx: Context, found: pd.DataFrame) -> pd.Series:
        return found["row"].map(ctx.found_rows(found, LEDGER)[field] + after)
    return arises


_DAY = pd.Timedelta(days=1)


# -- the five elements, posting, reporting -----------------------------------------------
@rule("HZ001", ERROR, "E(2)", party=Party.ENTERPRISE, reads=("hazards",), title="限期整改隐患“五落实”不全",
      message="隐患{hazard}（{found_on}发现，需限期整改）未明确{missing}；"
              "请补填（方案 E(2)：需要一定时间整改的，要明确责任人、措施、资金、期限和应急预案）",
      obligation=Obligation(when="records", ledger="hazards", date="found_on"))
def five_elements_missing(ctx: Context) -> pd.DataFrame:
    """规则说明：不能立即整改（“是否立即整改”为否）的重大事故隐患，须落实“五落实”：整改责任人、整改措施、
    整改资金、整改期限、应急预案。任何一项为空即报告，一条隐患一条结果，消息中列出缺少的各项（按方案顺序）。
    整改资金填 0 是有效值（无需资金也是明确的），不算缺项；填了但无法识别的值（如资金“50%”、期限“6月30日”）
    由 SCH002 报告，本规则不把它算作未填；应急预案填“否”“无”“/”等视为未落实，算缺项；
    应急预案填“是”或写明措施内容都算已落实。不论该隐患后来是否已整改完成，台账上都应有“五落实”记录。
    只核查截至核查日（--as-of）已发现的隐患（发现日期晚于核查日的隐患当时尚不存在）；“是否立即整改”为空的行
    已由 SCH003 报告，本规则不判断。工作表整列缺少某一项（如没有“整改资金”列）时，该表各行不因这一项报告。

    依据：方案 三(一)1(2)（E(2)）：“组织建立企业重大事故隐患台账清单，实行闭环管理。能立即整改的，要迅速整改；
    需要一定时间整改的，要明确责任人、措施、资金、期限和应急预案，在企业醒目位置公开，并按分级属地原则向负有
    安全监管职责的有关部门报告。”

    违规示例：甲公司 2023-06-10 发现“配电箱未接地”，是否立即整改=否，整改责任人、整改措施、整改期限已填，
    整改资金为空、应急预案填“无”：报告“未明确整改资金、应急预案”。

    合规示例：同一隐患填了整改责任人李四、整改措施“重新敷设接地线”、整改资金 0、整改期限 2023-07-10、
    应急预案“设置警戒区，停用该配电箱”。
    """
    h = _existing(ctx)
    h = h.loc[_flag(h["immediate"].eq(False)), ["_sheet", "hazard_no", "description", "found_on", *(f for f, _ in ELEMENTS)]]
    if h.empty:
        return no_hits()
    miss = {f: ctx.left_blank(h, LEDGER, f) for f, _ in ELEMENTS}
    bad = pd.concat(miss, axis=1).any(axis=1)
    if not bad.any():
        return no_hits()
    h = h.loc[bad]
    miss = {f: m.loc[bad] for f, m in miss.items()}
    return hits(
        ledger=LEDGER, row=h.index.to_numpy(),
        field=_join([(miss[f], f) for f, _ in ELEMENTS], ",").to_numpy(),
        value="",
        hazard=_label(h), found_on=_day_np(h["found_on"]),
        missing=_join([(miss[f], name) for f, name in ELEMENTS], "、").to_numpy(),
    )


@rule("HZ002", ERROR, "E(2)", party=Party.ENTERPRISE, reads=("hazards",), title="限期整改隐患未公示",
      message="隐患{hazard}（{found_on}发现，需限期整改）未在企业醒目位置公开公示（“{header}”为否或空白）；"
              "请公示后如实填写（方案 E(2)：需要一定时间整改的，要在企业醒目位置公开）",
      obligation=Obligation(when="records", ledger="hazards", date="found_on"))
def not_posted(ctx: Context) -> pd.DataFrame:
    """规则说明：不能立即整改（“是否立即整改”为否）的重大事故隐患，“是否公示”须为是。“是否公示”为空白
    不能证明已公示，按否计。工作表整列没有“是否公示”时，该表各行不报告。只核查截至核查日已发现
    的隐患；能立即整改的隐患不要求公示。

    依据：方案 三(一)1(2)（E(2)）：“组织建立企业重大事故隐患台账清单，实行闭环管理。能立即整改的，要迅速整改；
    需要一定时间整改的，要明确责任人、措施、资金、期限和应急预案，在企业醒目位置公开，并按分级属地原则向负有
    安全监管职责的有关部门报告。”

    违规示例：乙公司“储罐区可燃气体报警器失效”，是否立即整改=否，是否公示空白。

    合规示例：同一隐患是否公示=是；或该隐患是否立即整改=是（当场整改，无需公示）。
    """
    h = _existing(ctx)
    bad = _flag(h["immediate"].eq(False)) & ctx.said_no(h, "posted")
    if not bad.any():
        return no_hits()
    h = h.loc[bad]
    return hits(ledger=LEDGER, row=h.index.to_numpy(), field="posted", value=ctx.as_written(h, LEDGER, "posted"),
                hazard=_label(h), found_on=_day_np(h["found_on"]))


@rule("HZ003", ERROR, "E(2)", party=Party.ENTERPRISE, reads=("hazards",), title="限期整改隐患未向监管部门报告",
      message="隐患{hazard}（{found_on}发现，需限期整改）截至{as_of}未向负有安全监管职责的部门（{station}）报告{note}；"
              "请报告并填写报告日期（方案 E(2)：按分级属地原则向负有安全监管职责的有关部门报告）",
      obligation=Obligation(when="records", ledger="hazards", date="found_on"))
def not_reported(ctx: Context) -> pd.DataFrame:
    """规则说明：不能立即整改（“是否立即整改”为否）的重大事故隐患，须向负有安全监管职责的部门（企业的监管站所）
    报告，台账以“报告日期”为凭。报告日期为空，或晚于核查日（--as-of，核查日当时尚未报告），即报告。方案未规定
    报告时限，因此不设宽限期：截至核查日已发现、需限期整改的隐患，核查日应已报告。报告日期早于发现日期不在本规则
    判断之列。工作表整列没有“报告日期”时，该表各行不报告；报告日期填了但无法识别的（如不写年份的“6月16日”），
    只报一次 SCH002，不认定为未报告。消息中的站所取企业名录的监管站所（未填时为行业牵头站所）。

    依据：方案 三(一)1(2)（E(2)）：“组织建立企业重大事故隐患台账清单，实行闭环管理。能立即整改的，要迅速整改；
    需要一定时间整改的，要明确责任人、措施、资金、期限和应急预案，在企业醒目位置公开，并按分级属地原则向负有
    安全监管职责的有关部门报告。”

    违规示例：丙公司 2023-07-05 发现“深基坑支护变形”，是否立即整改=否，报告日期空白（核查日 2023-07-31）。

    合规示例：同一隐患报告日期 2023-07-06；或核查日为 2023-07-31 而报告日期填 2023-07-31（当日已报告）。
    """
    h = _existing(ctx)
    reported = _at_as_of(ctx, h["reported_on"]).notna()
    bad = _flag(h["immediate"].eq(False)) & ~reported & ctx.has_column(h, "reported_on") \
        & ~ctx.unreadable(h, LEDGER, "reported_on")
    if not bad.any():
        return no_hits()
    h = h.loc[bad]
    later = h["reported_on"].notna().to_numpy()
    written = _day_np(h["reported_on"])
    return hits(ledger=LEDGER, row=h.index.to_numpy(), field="reported_on", value=written,
                hazard=_label(h), found_on=_day_np(h["found_on"]), as_of=_as_of_text(ctx),
                station=h["eid"].map(ctx.registry["station_eff"]).fillna("监管站所").to_numpy(),
                note=np.where(later, "（所填报告日期" + pd.Series(written) + "晚于核查日）", ""))


# -- dates and the closed loop ------------------------------------------------------------
@rule("HZ004", ERROR, "—", party=Party.RECORD, reads=("hazards",), title="隐患日期顺序颠倒",
      message="隐患{hazard}的{header}（{value}）早于{earlier_name}（{earlier}），日期顺序不合理；请核对更正",
      obligation=Obligation(when="records", ledger="hazards", date="found_on"))
def dates_out_of_order(ctx: Context) -> pd.DataFrame:
    """规则说明：隐患的日期应依次为 发现日期 ≤ 整改期限、发现日期 ≤ 整改完成日期 ≤ 验收日期（同一天可以）。
    报告：整改期限早于发现日期；整改完成日期早于发现日期；验收日期早于整改完成日期。每一对颠倒的日期一条结果，
    指向较晚应有的那一列。只核查截至核查日已发现的隐患；整改完成日期、验收日期晚于核查日的，核查日当时尚未填写，
    不参与比较（整改期限是计划日期，按所填比较）。填了验收日期但没有整改完成日期的，无可比较，不在本规则之列
    （见 HZ007）。

    依据：方案 三(一)1(2)（E(2)）“组织建立企业重大事故隐患台账清单，实行闭环管理。”——闭环的各环节须按先后顺序
    发生，日期颠倒的台账不能证明闭环。

    违规示例：发现日期 2023-06-10，整改期限 2023-06-01（早于发现日期）；或整改完成日期 2023-07-10、
    验收日期 2023-07-08。

    合规示例：发现日期 2023-06-10，整改期限 2023-07-10，整改完成日期 2023-07-08，验收日期 2023-07-10。
    """
    h = _existing(ctx)
    found = h["found_on"]
    done = _at_as_of(ctx, h["done_on"])  # a verification before a written completion is then before as-of too
    checks = (
        ("deadline", h["deadline"], found, "发现日期"),
        ("done_on", done, found, "发现日期"),
        ("verified_on", h["verified_on"], done, "整改完成日期"),
    )
    parts = []
    for field, later, earlier, earlier_name in checks:
        bad = _flag(later < earlier)
        if bad.any():
            parts.append(hits(ledger=LEDGER, row=h.index[bad].to_numpy(), field=field,
                              value=_day_np(later[bad]), hazard=_label(h.loc[bad]),
                              earlier_name=earlier_name, earlier=_day_np(earlier[bad])))
    return pd.concat(parts, ignore_index=True) if parts else no_hits()


@rule("HZ005", ERROR, "E(2)", party=Party.ENTERPRISE, reads=("hazards",), title="隐患逾期未整改",
      message="隐患{hazard}整改期限为{value}，截至{as_of}仍未整改完成（已逾期{days}天）；"
              "请督促整改并如实填写整改完成日期（方案 E(2)：明确期限，实行闭环管理）",
      obligation=Obligation(when="records", ledger="hazards", date="found_on"),
      arises=_arising("deadline", _DAY))  # the day after its 整改期限: the deadline day itself is in time
def overdue(ctx: Context) -> pd.DataFrame:
    """规则说明：截至核查日（--as-of）未整改完成、且整改期限早于核查日的隐患为逾期。整改期限当天仍在期限内：
    整改期限等于核查日不报告，早于核查日一天即报告。“未整改完成”指整改完成日期为空或晚于核查日（核查日当时尚未
    完成）。逾期后已整改完成的隐患（完成日期晚于期限、但不晚于核查日）已闭环，不报告。适用于所有填了整改期限的
    隐患，包括标为立即整改的（立即整改隐患另由 HZ008 按 3 天核查）。只核查截至核查日已发现的隐患；工作表整列
    没有“整改完成日期”时，只有“整改状态”为“整改中”的隐患按未整改完成判断（报送时仍在整改，核查日当时也未完成），
    其余各行不报告；整改完成日期填了但无法识别的（如不写年份的“7月10日”），只报一次 SCH002，不认定为未整改完成。

    依据：方案 三(一)1(2)（E(2)）：“组织建立企业重大事故隐患台账清单，实行闭环管理。能立即整改的，要迅速整改；
    需要一定时间整改的，要明确责任人、措施、资金、期限和应急预案，在企业醒目位置公开，并按分级属地原则向负有
    安全监管职责的有关部门报告。”

    违规示例：整改期限 2023-07-30，整改完成日期空白，核查日 2023-07-31（逾期 1 天）。

    合规示例：整改期限 2023-07-31、核查日 2023-07-31、尚未完成（仍在期限内）；或整改期限 2023-07-30、
    整改完成日期 2023-07-29。
    """
    h = _existing(ctx)
    done = _at_as_of(ctx, h["done_on"]).notna()
    with_date = ctx.has_column(h, "done_on")
    # a sheet without 整改完成日期 that says 整改中: still open when it was submitted, so open at as-of too
    says_open = ~with_date & h["status"].eq("整改中").fillna(False).astype(bool)
    bad = ~done & _flag(h["deadline"] < ctx.as_of_ts) & ((with_date & ~ctx.unreadable(h, LEDGER, "done_on")) | says_open)
    if not bad.any():
        return no_hits()
    h = h.loc[bad]
    return hits(ledger=LEDGER, row=h.index.to_numpy(), field="deadline", value=_day_np(h["deadline"]),
                hazard=_label(h), as_of=_as_of_text(ctx),
                days=(ctx.as_of_ts - h["deadline"]).dt.days.to_numpy())


@rule("HZ006", WARNING, "E(2)", party=Party.ENTERPRISE, reads=("hazards",), title="隐患已整改未验收销号",
      message="隐患{hazard}已于{done_on}整改完成，但截至{as_of}{missing}，未闭环销号；"
              "请组织验收并填写验收人和验收日期（方案 E(2)：实行闭环管理）",
      obligation=Obligation(when="records", ledger="hazards", date="found_on"),
      arises=_arising("done_on", pd.Timedelta(0)))  # the day it was done and not closed
def done_not_closed(ctx: Context) -> pd.DataFrame:
    """规则说明：截至核查日已整改完成（整改完成日期不晚于核查日）的隐患，须有验收人和验收日期（销号）。
    缺验收人、或验收日期为空、或验收日期晚于核查日（核查日当时尚未验收）即报告，消息中说明缺哪一项。
    不设验收宽限期：方案未规定验收时限，核查日已整改但未验收的隐患即为“未闭环”（警告，提示跟进）。
    工作表整列没有“验收人”或“验收日期”时，该表各行不因该列报告。验收日期早于整改完成日期见 HZ004。

    依据：方案 三(一)1(2)（E(2)）：“组织建立企业重大事故隐患台账清单，实行闭环管理。能立即整改的，要迅速整改；
    需要一定时间整改的，要明确责任人、措施、资金、期限和应急预案，在企业醒目位置公开，并按分级属地原则向负有
    安全监管职责的有关部门报告。”

    违规示例：整改完成日期 2023-07-08，验收人空白，验收日期空白。

    合规示例：整改完成日期 2023-07-08，验收人“李四”，验收日期 2023-07-10。
    """
    h = _existing(ctx)
    done = _at_as_of(ctx, h["done_on"])
    h = h.loc[done.notna(), ["_sheet", "hazard_no", "description", "done_on", "verifier", "verified_on"]]
    if h.empty:
        return no_hits()
    no_verifier = ctx.left_blank(h, LEDGER, "verifier")
    no_date = ctx.left_blank(h, LEDGER, "verified_on", _at_as_of(ctx, h["verified_on"]))
    bad = no_verifier | no_date
    if not bad.any():
        return no_hits()
    h, no_verifier, no_date = h.loc[bad], no_verifier.loc[bad], no_date.loc[bad]
    return hits(ledger=LEDGER, row=h.index.to_numpy(),
                field=_join([(no_verifier, "verifier"), (no_date, "verified_on")], ",").to_numpy(),
                value="", hazard=_label(h), done_on=_day_np(h["done_on"]), as_of=_as_of_text(ctx),
                missing=_join([(no_verifier, "无验收人"), (no_date, "无验收日期")], "、").to_numpy())


@rule("HZ007", WARNING, "E(2)", party=Party.RECORD, reads=("hazards",), title="整改状态与日期矛盾",
      message="隐患{hazard}的整改状态为“{value}”，但{detail}；请按实际进度更正整改状态或补填日期（方案 E(2)：实行闭环管理）",
      obligation=Obligation(when="records", ledger="hazards", date="found_on"))
def status_contradicts_dates(ctx: Context) -> pd.DataFrame:
    """规则说明：“整改状态”须与日期一致。报告以下矛盾（一条隐患一条结果，列出全部矛盾）：
    已销号 但无验收日期；已销号 但无整改完成日期；已整改 但无整改完成日期；已整改 但已有验收日期（应为已销号）；
    整改中 但已有整改完成日期；整改中 但已有验收日期。
    整改状态一栏没有日期，反映的是台账报送时的情况，因此与所填日期按原样比较（不按核查日截断，否则核查日之后
    才填的完成、验收日期会被误判为矛盾）；只核查截至核查日已发现的隐患。状态为空不报告；工作表整列没有
    “整改完成日期”或“验收日期”时，该表各行不因“无该日期”报告；日期填了但无法识别的（如不写年份的“7月10日”），
    只报一次 SCH002，不说成“未填”。

    依据：方案 三(一)1(2)（E(2)）“组织建立企业重大事故隐患台账清单，实行闭环管理。”——状态与日期矛盾的台账
    不能说明隐患处在闭环的哪一环。

    违规示例：整改状态“已销号”，验收日期空白；整改状态“整改中”，整改完成日期 2023-07-08。

    合规示例：整改状态“已销号”，整改完成日期 2023-07-08，验收日期 2023-07-10；整改状态“整改中”，两个日期都空白。
    """
    h = _existing(ctx)
    h = h.loc[h["status"].notna()]
    if h.empty:
        return no_hits()
    st = h["status"]
    done, verified = h["done_on"].notna(), h["verified_on"].notna()
    no_done, no_verified = ctx.left_blank(h, LEDGER, "done_on"), ctx.left_blank(h, LEDGER, "verified_on")
    contradictions = [
        ((st == "已销号") & no_verified, "未填验收日期"),
        ((st.isin(["已销号", "已整改"])) & no_done, "未填整改完成日期"),
        ((st == "已整改") & verified, "已填验收日期（应为已销号）"),
        ((st == "整改中") & done, "已填整改完成日期"),
        ((st == "整改中") & verified, "已填验收日期"),
    ]
    contradictions = [(_flag(c), text) for c, text in contradictions]
    bad = pd.concat([c for c, _ in contradictions], axis=1).any(axis=1)
    if not bad.any():
        return no_hits()
    h = h.loc[bad]
    return hits(ledger=LEDGER, row=h.index.to_numpy(), field="status", value=h["status"].to_numpy(),
                hazard=_label(h), detail=_join([(c.loc[bad], t) for c, t in contradictions], "、").to_numpy())


@rule("HZ008", WARNING, "E(2)", party=Party.ENTERPRISE, reads=("hazards",), title="立即整改隐患未迅速整改",
      message="隐患{hazard}标为立即整改，{found_on}发现，{detail}；"
              "请核实：确需时间整改的应按限期整改落实“五落实”（方案 E(2)：能立即整改的，要迅速整改）",
      obligation=Obligation(when="records", ledger="hazards", date="found_on"),
      arises=_arising("found_on", pd.Timedelta(days=IMMEDIATE_DAYS)))  # not done at the end of the 3rd day
def immediate_not_prompt(ctx: Context) -> pd.DataFrame:
    """规则说明：“是否立即整改”为是的隐患，应在发现后 3 天内整改完成（整改完成日期 − 发现日期 ≤ 3 天；
    第 3 天完成合规，第 4 天完成即报告）。截至核查日未整改完成（整改完成日期为空或晚于核查日）的，
    当核查日已到发现日期后第 3 天（核查日 ≥ 发现日期 + 3 天：核查日当天结束时仍未完成，之后完成必然超过 3 天）
    即报告；核查日尚未到第 3 天的不报告（尚在时限内）。3 天的时限是本工具对方案“迅速整改”的解读。
    只核查截至核查日已发现的隐患；工作表整列没有“整改完成日期”时，该表各行不报告；整改完成日期填了但无法识别的
    只报一次 SCH002，不认定为未整改完成。整改完成日期早于发现日期见 HZ004。

    依据：方案 三(一)1(2)（E(2)）：“组织建立企业重大事故隐患台账清单，实行闭环管理。能立即整改的，要迅速整改；
    需要一定时间整改的，要明确责任人、措施、资金、期限和应急预案，在企业醒目位置公开，并按分级属地原则向负有
    安全监管职责的有关部门报告。”

    违规示例：立即整改=是，发现日期 2023-07-01，整改完成日期 2023-07-05（第 4 天）；或发现日期 2023-07-28，
    整改完成日期空白，核查日 2023-07-31。

    合规示例：立即整改=是，发现日期 2023-07-01，整改完成日期 2023-07-04（第 3 天）；或发现日期 2023-07-29，
    尚未完成，核查日 2023-07-31（尚在 3 天内）。
    """
    h = _existing(ctx)
    h = h.loc[_flag(h["immediate"].eq(True)) & ctx.has_column(h, "done_on")]
    if h.empty:
        return no_hits()
    limit = pd.Timedelta(days=IMMEDIATE_DAYS)
    done = _at_as_of(ctx, h["done_on"])
    late = _flag(done - h["found_on"] > limit)
    open_due = done.isna() & (ctx.as_of_ts - h["found_on"] >= limit) & ~ctx.unreadable(h, LEDGER, "done_on")
    bad = late | open_due
    if not bad.any():
        return no_hits()
    h, done, late = h.loc[bad], done.loc[bad], late.loc[bad]
    done_days = (done - h["found_on"]).dt.days.astype("Int64").astype("string")
    open_days = (ctx.as_of_ts - h["found_on"]).dt.days.astype("string")
    detail = np.where(late.to_numpy(),
                      (pd.Series(_day_np(done), index=h.index) + "才整改完成（发现后第" + done_days.fillna("")
                       + "天），超过3天"),
                      ("截至" + _as_of_text(ctx) + "仍未整改完成（已过" + open_days + "天）"))
    return hits(ledger=LEDGER, row=h.index.to_numpy(), field="done_on", value=_day_np(done),
                hazard=_label(h), found_on=_day_np(h["found_on"]), detail=detail)
