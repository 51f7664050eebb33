"""OS: outsourced and leased projects and premises (方案 E(13), E(14)).

Every rule reads the 外包外租台账 row by row. A row counts once it exists at as-of
(its 开始日期 on or before as-of) and names a registry enterprise; an optional column
that the row's sheet lacks altogether gives no finding for that sheet's rows (RULEBOOK §8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ledgers import LEDGERS
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, shared

LEDGER = "outsourcing"






@shared
def _contracts(ctx: Context) -> pd.DataFrame:
    """Rows of registry enterprises whose contract exists at as-of (start on or before as-of)."""
    df = ctx.frame(LEDGER)
    keep = df["eid"].notna() & df["start"].notna() & (df["start"] <= ctx.as_of_ts)
    return df.loc[keep.to_numpy(dtype=bool)]


def _about(d: pd.DataFrame) -> dict:
    """Template variables naming the contract."""
    return dict(project=d["project"].fillna("").to_numpy(), party=d["party"].fillna("").to_numpy(),
                mode=d["mode"].fillna("").to_numpy(), start=day_text(d["start"]).to_numpy())


@rule("OS001", ERROR, "E(13); EXT: 安全生产法 第49条", party=Party.ENTERPRISE, reads=("enterprises", "outsourcing"),
      title="外包外租未签订安全生产协议也未约定安全管理职责",
      message="外包外租项目“{project}”（{mode}，承包承租方：{party}，{start}开始）{detail}，合同也未约定双方的安全管理职责"
              "（“{duties_header}”{duties_state}）；《安全生产法》第四十九条要求与承包承租方签订专门的安全生产管理协议，"
              "或者在承包合同、租赁合同中约定各自的安全生产管理职责（方案 E(13)）；请签订安全生产协议并填写签订日期，"
              "或在合同中约定职责并如实填报",
      obligation=Obligation(when="records", ledger="outsourcing", date="start"))
def no_safety_agreement(ctx: Context) -> pd.DataFrame:
    """规则说明：外包外租台账中，项目或场所已开始（开始日期不晚于核查截止日），既没有安全生产协议签订日期，合同也没有
    约定双方的安全管理职责（“明确安全管理职责”不是“是”）。《安全生产法》第四十九条允许二者择一：签订专门的安全生产
    管理协议，或者在承包、租赁合同中约定各自的安全生产管理职责，所以“明确安全管理职责”填“是”的，没有单独的协议
    也不报告本规则。“明确安全管理职责”填“否”、空白（不能证明已约定）或工作表没有这一列（无从证明）时，均按未约定计；
    这时本规则与 OS004（职责不清）各报一条，是两项不同的缺失。
    签订日期晚于核查截止日的协议在截止日尚不存在，同样按“未签订”报告（不再报 OS002）。
    “安全生产协议签订日期”一列整列缺失的工作表不报告；签订日期填了但无法识别的（如“已签订”、不写年份的“2月25日”），
    只报一次 SCH002，不说成“未填写”。已结束的外包外租项目同样核查：台账中列出的项目都应有协议或约定。
    开始日期晚于核查截止日的项目尚未开始，不核查。

    依据：方案三(一)4(13)：“企业主要负责人要针对本企业生产经营项目和场所外包外租(包括委托、合作等类似方式)情况至少组织开展1次全面排查，
    重点检查是否存在承包承租方不具备安全生产条件或者相应资质以及双方未签订安全生产协议、安全管理职责不清等问题，
    不符合法律法规规定的要坚决依法处理。”；《安全生产法》第四十九条第二款“生产经营项目、场所发包或者出租给其他单位的，
    生产经营单位应当与承包单位、承租单位签订专门的安全生产管理协议，或者在承包合同、租赁合同中约定各自的安全生产管理职责；
    生产经营单位对承包单位、承租单位的安全生产工作统一协调、管理，定期进行安全检查，发现安全问题的，应当及时督促整改。”

    违规示例：甲公司把仓库出租给某物流公司，起租日期 2023-03-01，“安全生产协议签订日期”为空，“明确安全管理职责”填“否”。

    合规示例：同一仓库出租，安全生产协议签订日期 2023-02-25；或没有单独的协议，但租赁合同约定了双方的安全管理职责
    （“明确安全管理职责”填“是”）。
    """
    d = _contracts(ctx)
    d = d[ctx.has_column(d, "agreement_on")]
    # a date filled but not readable (SCH002: “已签订”) is not “未填写”: nothing is known of it
    missing = d["agreement_on"].isna() & ~ctx.unreadable(d, LEDGER, "agreement_on")
    later = d["agreement_on"] > ctx.as_of_ts
    bad = (missing | later).fillna(False).astype(bool) & ~d["duties_defined"].eq(True).fillna(False).astype(bool)
    d, missing = d[bad], missing[bad]
    if d.empty:
        return no_hits()
    duties_header = _header_of(ctx, d["_sheet"], "duties_defined")
    duties_state = np.where(ctx.has_column(d, "duties_defined").to_numpy(), "为“否”或未填写", "一列未填报")
    as_of = ctx.as_of.isoformat()
    detail = np.where(
        missing.to_numpy(),
        "未填写安全生产协议签订日期，不能证明双方已签订安全生产协议",
        "安全生产协议签订日期 " + day_text(d["agreement_on"]) + f" 晚于核查截止日 {as_of}，截至该日尚未签订",
    )
    return hits(ledger=LEDGER, row=d.index, field="agreement_on", value=day_text(d["agreement_on"]).to_numpy(),
                detail=detail, duties_header=duties_header.to_numpy(), duties_state=duties_state, **_about(d))


def _header_of(ctx: Context, sheets: pd.Series, field: str) -> pd.Series:
    """The header of ``field`` as each row's sheet writes it (else the canonical header)."""
    canonical = LEDGERS[LEDGER].fields[field].header
    written = {i: t.headers.get(field, canonical) for i, t in enumerate(ctx.ledgers.tables) if t.ledger == LEDGER}
    return sheets.map(written).fillna(canonical)


@rule("OS002", ERROR, "E(13)", party=Party.ENTERPRISE, reads=("enterprises", "outsourcing"),
      title="安全生产协议签订晚于项目开始",
      message="外包外租项目“{project}”（{mode}，承包承租方：{party}）{start}开始，安全生产协议 {agreement_on} 才签订，"
              "晚于开始日期 {days} 天，开始时双方尚无安全生产协议（方案 E(13)）；协议应在开工、起租前签订，请说明情况并完善手续",
      obligation=Obligation(when="records", ledger="outsourcing", date="start"))
def agreement_after_start(ctx: Context) -> pd.DataFrame:
    """规则说明：安全生产协议签订日期晚于外包外租的开始日期（开工、起租日期），即项目开始时双方尚未签订协议。
    按日期比较：开始当天签订视为合规。签订日期晚于核查截止日的协议在截止日尚不存在，归 OS001 报告，本规则不判断。

    依据：方案三(一)4(13)：“企业主要负责人要针对本企业生产经营项目和场所外包外租(包括委托、合作等类似方式)情况至少组织开展1次全面排查，
    重点检查是否存在承包承租方不具备安全生产条件或者相应资质以及双方未签订安全生产协议、安全管理职责不清等问题，
    不符合法律法规规定的要坚决依法处理。”

    违规示例：开工日期 2023-06-01，安全生产协议签订日期 2023-06-02（晚 1 天）。

    合规示例：开工日期 2023-06-01，安全生产协议签订日期 2023-06-01（当天签订）或更早。
    """
    d = _contracts(ctx)
    sel = (d["agreement_on"] > d["start"]) & (d["agreement_on"] <= ctx.as_of_ts)
    d = d[sel.fillna(False).to_numpy(dtype=bool)]
    if d.empty:
        return no_hits()
    days = (d["agreement_on"] - d["start"]).dt.days
    return hits(ledger=LEDGER, row=d.index, field="agreement_on", value=day_text(d["agreement_on"]).to_numpy(),
                agreement_on=day_text(d["agreement_on"]).to_numpy(), days=days.to_numpy(), **_about(d))


def _licence_lapsed(ctx: Context, found: pd.DataFrame) -> pd.Series:
    """OS003's ``arises``: the day after the licence's 有效期至 (it is valid on that day); NaT for a licence not
    filled in, which is a breach from the contract's start."""
    d = ctx.found_rows(found, LEDGER)
    lapsed = (d["licence_until"] + pd.Timedelta(days=1)).where(~ctx.left_blank(d, LEDGER, "licence"))
    return found["row"].map(lapsed)


@rule("OS003", ERROR, "E(13)", party=Party.ENTERPRISE, reads=("enterprises", "outsourcing"),
      title="承包承租方资质缺失或过期",
      message="外包外租项目“{project}”（{mode}，承包承租方：{party}）{detail}；方案 E(13) 要求重点检查承包承租方是否具备"
              "安全生产条件或者相应资质，请核实其资质，资质不符的依法处理",
      obligation=Obligation(when="records", ledger="outsourcing", date="start"), arises=_licence_lapsed)
def contractor_licence(ctx: Context) -> pd.DataFrame:
    """规则说明：两种情况报告：（1）未填写资质证书编号（“资质证书编号”列整列缺失的工作表不报告）；
    （2）资质有效期至早于 min(结束日期, 核查截止日)，即在项目进行期间（截至核查截止日）资质已过期；
    没有结束日期的按核查截止日计。资质在开始前就已过期的同样报告。资质有效期至当天仍视为有效。
    填了证书编号但没填有效期的，无法判断是否过期，不报告。方式为“外租”的，承租方的相应资质（如营业执照、
    经营许可）同样应登记。未开始（开始日期晚于核查截止日）的项目不核查。

    依据：方案三(一)4(13)：“企业主要负责人要针对本企业生产经营项目和场所外包外租(包括委托、合作等类似方式)情况至少组织开展1次全面排查，
    重点检查是否存在承包承租方不具备安全生产条件或者相应资质以及双方未签订安全生产协议、安全管理职责不清等问题，
    不符合法律法规规定的要坚决依法处理。”

    违规示例：外包项目 2023-03-01 至 2023-12-31，资质有效期至 2023-06-30，核查截止日 2023-07-31：资质已过期。

    合规示例：同一项目资质有效期至 2024-06-30；或项目 2023-06-30 结束，资质有效期至 2023-06-30。
    """
    d = _contracts(ctx)
    as_of = ctx.as_of_ts
    missing = ctx.left_blank(d, LEDGER, "licence")
    until = d["end"].where(d["end"].notna() & (d["end"] < as_of), as_of)
    expired = ~missing & (d["licence_until"] < until).fillna(False)
    sel = (missing | expired).to_numpy(dtype=bool)
    if not sel.any():
        return no_hits()
    d, missing, until = d[sel], missing[sel].to_numpy(dtype=bool), until[sel]
    licence = d["licence"].fillna("")
    expired_text = ("资质证书（" + licence + "）有效期至 " + day_text(d["licence_until"]) + "，在项目进行期间（截至 "
                    + day_text(until) + "）已过期")
    return hits(
        ledger=LEDGER, row=d.index,
        field=np.where(missing, "licence", "licence_until"),
        value=np.where(missing, "", day_text(d["licence_until"])),
        detail=np.where(missing, "未填写资质证书编号，不能证明承包承租方具备相应资质", expired_text),
        **_about(d),
    )


@rule("OS004", ERROR, "E(13)", party=Party.ENTERPRISE, reads=("enterprises", "outsourcing"),
      title="未明确安全管理职责",
      message="外包外租项目“{project}”（{mode}，承包承租方：{party}）未明确双方安全管理职责（“{header}”为否或未填写）；"
              "方案 E(13) 要求重点检查安全管理职责不清等问题，请在安全生产协议或合同中明确各自的安全管理职责",
      obligation=Obligation(when="records", ledger="outsourcing", date="start"))
def duties_not_defined(ctx: Context) -> pd.DataFrame:
    """规则说明：“明确安全管理职责”为否或空白（空白不能证明已明确，按“否”计）。
    该列整列缺失的工作表不报告；未开始（开始日期晚于核查截止日）的项目不核查。

    依据：方案三(一)4(13)：“企业主要负责人要针对本企业生产经营项目和场所外包外租(包括委托、合作等类似方式)情况至少组织开展1次全面排查，
    重点检查是否存在承包承租方不具备安全生产条件或者相应资质以及双方未签订安全生产协议、安全管理职责不清等问题，
    不符合法律法规规定的要坚决依法处理。”

    违规示例：出租厂房一行，“明确安全管理职责”填“否”或留空。

    合规示例：“明确安全管理职责”填“是”。
    """
    d = _contracts(ctx)
    sel = ctx.said_no(d, "duties_defined")
    d = d[sel.to_numpy(dtype=bool)]
    if d.empty:
        return no_hits()
    return hits(ledger=LEDGER, row=d.index, field="duties_defined", value=ctx.as_written(d, LEDGER, "duties_defined"),
                **_about(d))


def _p2_end(ctx: Context, found: pd.DataFrame) -> pd.Series:
    """OS005's ``arises``: the P2 end, when the check fell due (a contract that started later: its start)."""
    return pd.Series(pd.Timestamp(ctx.campaign.phase("P2").end), index=found.index)


@rule("OS005", WARNING, "E(14)", party=Party.ENTERPRISE, reads=("enterprises", "outsourcing"),
      title="专项行动期间未对外包外租开展安全检查",
      message="外包外租项目“{project}”（{mode}，承包承租方：{party}，{start}至{end}）专项行动期间仍在履行，{detail}；"
              "方案 E(14) 要求将外包外租纳入本企业安全生产管理体系、定期进行安全检查，请自 {p2_start} 起至少检查1次并登记检查日期",
      obligation=Obligation(when="records", ledger="outsourcing", date="start"), arises=_p2_end)
def no_safety_check(ctx: Context) -> pd.DataFrame:
    """规则说明：专项行动期间仍在进行的外包外租项目（开始日期不晚于核查截止日，且结束日期为空或不早于第二阶段开始日
    2023-06-01），“最近安全检查日期”应不早于第二阶段开始日。检查日期晚于核查截止日的在截止日尚不存在，不算。
    何时到期：与其他“某阶段结束前至少一次”的义务一样，核查截止日达到第二阶段（企业自查自改）最后一天（2023-07-31）
    起核查；此后开始的项目不另留宽限期（核查截止日时仍无检查即报告，如 2023-12-15 开始、2023-12-31 核查时无检查）。
    “最近安全检查日期”整列缺失的工作表不报告；最近安全检查日期（或结束日期）填了但无法识别的（如“已检查”、
    不写年份的“6月15日”），只报一次 SCH002，不说成“未填写”。

    依据：方案三(一)4(14)：“企业主要负责人要将外包外租等生产经营活动纳入本企业安全生产管理体系，建立健全有关档案，
    加强统一协调、管理，定期进行安全检查，发现安全问题的及时督促整改。”

    违规示例：仓库 2023-03-01 起出租、无结束日期，最近安全检查日期 2023-05-10，核查截止日 2023-07-31。

    合规示例：同一仓库最近安全检查日期 2023-06-15；或项目 2023-05-31 已结束；或核查截止日为 2023-07-30（第二阶段尚未结束，未到期）。
    """
    p2 = ctx.campaign.phase("P2")
    p2_start = pd.Timestamp(p2.start)
    d = _contracts(ctx)
    as_of = ctx.as_of_ts
    if as_of < pd.Timestamp(p2.end):  # due, as every "once by the end of a phase" obligation, at the P2 end
        return no_hits()
    running = d["end"].isna() | (d["end"] >= p2_start)  # RULEBOOK §8: started by as-of, not ended before P2
    checked = (d["last_check"] >= p2_start) & (d["last_check"] <= as_of)
    # a date filled but not readable (SCH002: “已检查”, “6月15日”) is not “未填写” (nor an end that may be before P2)
    sel = (running & ~checked.fillna(False) & ctx.has_column(d, "last_check")
           & ~ctx.unreadable(d, LEDGER, "last_check") & ~ctx.unreadable(d, LEDGER, "end"))
    d = d[sel.to_numpy(dtype=bool)]
    if d.empty:
        return no_hits()
    p2_text = p2.start.isoformat()
    last = day_text(d["last_check"])
    detail = np.select(
        [d["last_check"].isna().to_numpy(), (d["last_check"] > as_of).to_numpy()],
        ["未填写最近安全检查日期",
         "最近安全检查日期 " + last + f" 晚于核查截止日 {ctx.as_of.isoformat()}，截至该日尚无检查"],
        default="最近安全检查日期 " + last + f" 早于 {p2_text}（第二阶段开始），专项行动期间无安全检查记录",
    )
    return hits(ledger=LEDGER, row=d.index, field="last_check", value=last.to_numpy(), detail=detail,
                end=day_text(d["end"]).replace("", "今").to_numpy(), p2_start=p2_text, **_about(d))
