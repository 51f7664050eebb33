"""CHK: the enterprise checklist (企业专项行动落实情况表), due by the end of phase P2.

CHK001–CHK005 judge the enterprise's checklist row(s); an enterprise with no checklist row
at all is CHK006 only (its items cannot be read, so CHK001–CHK005 stay silent for it).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from ..ledgers import LEDGERS
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, shared
from .enterprises import full_time_required

PHASE: Final = "P2"  # the enterprise self-inspection phase (四(二)), by whose end the checklist is due


def _limit(ctx: Context) -> pd.Timestamp:
    return pd.Timestamp(ctx.campaign.phase(PHASE).end)


@shared
def _checklist(ctx: Context) -> pd.DataFrame | None:
    """The resolved checklist rows, or None while the P2 obligations are not yet due."""
    if not ctx.phase_due(PHASE):
        return None
    cl = ctx.frame("checklist")
    return cl.loc[cl["eid"].notna()]


def _written_header(ctx: Context, sheets: pd.Series, field: str) -> pd.Series:
    """The header of ``field`` as each row's sheet writes it (else the canonical header)."""
    canonical = LEDGERS["checklist"].fields[field].header
    written = {i: t.headers.get(field, canonical) for i, t in enumerate(ctx.ledgers.tables) if t.ledger == "checklist"}
    return sheets.map(written).fillna(canonical)


def _item_gaps(ctx: Context, cl: pd.DataFrame, field: str, ok: pd.Series) -> pd.DataFrame:
    """Enterprises none of whose checklist rows (in sheets that have ``field``) satisfy ``ok``.
    A row whose ``field`` was filled but cannot be read (its SCH002) may satisfy it: an enterprise
    with such a row is not judged (the cell is neither “未填” nor a value).

    Returns one row per such enterprise: ``eid`` and ``row`` (its first checklist row in
    reading order, the finding's source)."""
    present = ctx.has_column(cl, field)
    sub = cl.loc[present]
    if sub.empty:
        return pd.DataFrame({"eid": pd.Series(dtype="Int64"), "row": pd.Series(dtype="int64")})
    good = (ok.loc[sub.index].fillna(False).astype(bool) | ctx.unreadable(sub, "checklist", field)).astype(bool)
    any_ok = good.groupby(sub["eid"]).any()
    first = sub.reset_index(names="row").drop_duplicates("eid", keep="first").set_index("eid")["row"]
    bad = any_ok.index[~any_ok.to_numpy()]
    return pd.DataFrame({"eid": pd.array(bad, dtype="Int64"), "row": first.loc[bad].to_numpy()})


def _date_gaps(ctx: Context, cl: pd.DataFrame, field: str) -> pd.DataFrame:
    """Enterprises whose ``field`` date is missing or after the P2 end, with ``state`` and ``value``."""
    limit = _limit(ctx)
    gaps = _item_gaps(ctx, cl, field, cl[field] <= limit)
    d = cl.loc[gaps["row"].to_numpy(), field]
    text = day_text(d)
    header = _written_header(ctx, cl.loc[gaps["row"].to_numpy(), "_sheet"], field)
    state = np.where(d.isna(), "“" + header + "”未填", "“" + header + "”为" + text + "，晚于" + limit.strftime("%Y-%m-%d"))
    return gaps.assign(value=text.to_numpy(), state=state)


def _yesno_gaps(ctx: Context, cl: pd.DataFrame, field: str) -> pd.DataFrame:
    """Enterprises whose ``field`` is not 是 (否, or empty: cannot prove it), with ``state`` and ``value``."""
    gaps = _item_gaps(ctx, cl, field, cl[field].eq(True))
    rows = cl.loc[gaps["row"].to_numpy()]
    written = ctx.as_written(rows, "checklist", field)  # 否, 无, × … as the cell reads
    state = np.where(rows[field].isna().to_numpy(), "未填（不能证明已落实）", "填“" + written.astype(str) + "”")
    return gaps.assign(value=written, state=state)


def _hits(field: str, gaps: pd.DataFrame, **more) -> pd.DataFrame:
    if gaps.empty:
        return no_hits()
    return hits(ledger="checklist", row=gaps["row"].to_numpy(), eid=gaps["eid"].to_numpy(), period=PHASE,
                field=field, value=gaps["value"].to_numpy(), state=gaps["state"].to_numpy(), **more)


@rule("CHK001", ERROR, "E(1), P2", party=Party.ENTERPRISE, reads=("enterprises", "checklist"),
      obligation=Obligation(who="with:checklist", when=PHASE, ledger="checklist"),
      title="专项方案或动员部署会缺失或逾期",
      message="企业专项行动落实情况表{state}；企业主要负责人应在{period_text}前组织制定本单位专项行动具体方案，"
              "并召开会议进行动员部署（方案 E(1)）")
def plan_or_kickoff_missing(ctx: Context) -> pd.DataFrame:
    """规则说明：企业专项行动落实情况表中，“方案制定日期”或“动员部署会日期”为空，或晚于第二阶段（企业自查自改和
    部门帮扶）最后一天（默认 2023-07-31，当天仍合规）。两项都不符合时合并为一条发现，逐项说明。
    P2 阶段结束后核查（--as-of 早于第二阶段最后一天时不报告），期间为 P2。同一企业有多行时，任一行符合即视为已落实，报告落在该企业在表中的第一行；
    工作表缺少该列时，该表各行不报告；日期填了但无法识别的（如不写年份的“6月5日”）只报一次 SCH002，该企业本项
    不据此报告（不说成“未填”）；企业名录有而落实情况表没有的企业只报 CHK006。

    依据：方案 E(1)“企业主要负责人要学习研究并全面掌握本行业领域重大事故隐患判定标准或重点检查事项，组织制定本单位
    专项行动具体方案，召开会议进行动员部署，组织全员集中培训和考试，对标对表开展自查自改。”；方案 四(二)
    “企业自查自改和部门帮扶（2023年7月底前）。企业认真开展自查自改，建立安全生产重大事故隐患台账，并形成常态化工作机制。”

    违规示例：甲公司“方案制定日期”填 2023-06-10，“动员部署会日期”填 2023-08-02（晚于7月31日）；或动员部署会日期空白。

    合规示例：“方案制定日期”2023-06-10，“动员部署会日期”2023-07-31。
    """
    cl = _checklist(ctx)
    if cl is None or cl.empty:
        return no_hits()
    plan = _date_gaps(ctx, cl, "plan_on")
    kick = _date_gaps(ctx, cl, "kickoff_on")
    both = plan.merge(kick, on="eid", how="outer", suffixes=("_p", "_k"))
    if both.empty:
        return no_hits()
    has_p, has_k = both["row_p"].notna(), both["row_k"].notna()
    field = np.where(has_p & has_k, "plan_on,kickoff_on", np.where(has_p, "plan_on", "kickoff_on"))
    value = both["value_p"].fillna("") + np.where(has_p & has_k & both["value_p"].ne("") & both["value_k"].ne(""), "、", "") \
        + both["value_k"].fillna("")
    state = both["state_p"].fillna("") + np.where(has_p & has_k, "；", "") + both["state_k"].fillna("")
    row = both["row_p"].fillna(both["row_k"]).astype("int64")
    return hits(ledger="checklist", row=row.to_numpy(), eid=both["eid"].to_numpy(), period=PHASE,
                field=field, value=value.to_numpy(), state=state.to_numpy())


@rule("CHK002", ERROR, "E(5)", party=Party.ENTERPRISE, reads=("enterprises", "checklist"),
      obligation=Obligation(who="with:checklist", when=PHASE, ledger="checklist"),
      title="未建立全员安全生产岗位责任制",
      message="企业专项行动落实情况表“{header}”{state}；企业主要负责人应在{period_text}前建立健全全员安全生产岗位责任制，"
              "明确从主要负责人到一线从业人员（包括劳务派遣人员、实习生等）的安全生产岗位责任（方案 E(5)）")
def duty_system_missing(ctx: Context) -> pd.DataFrame:
    """规则说明：企业专项行动落实情况表中“全员岗位责任制”不是“是”：填“否”，或空白（空白不能证明已建立，按未建立计）。
    P2 阶段结束后核查（--as-of 早于第二阶段最后一天时不报告），期间为 P2。同一企业有多行时，任一行符合即视为已落实，报告落在该企业在表中的第一行；
    工作表缺少该列时，该表各行不报告；该格填了但无法识别的（如“待定”）只报一次 SCH002，该企业本项
    不据此报告（不说成“未填”）；企业名录有而落实情况表没有的企业只报 CHK006。

    依据：方案 E(5)“企业主要负责人要建立健全全员安全生产岗位责任制，明确从主要负责人到一线从业人员（包括劳务派遣人员、
    实习生等）的安全生产岗位责任。”

    违规示例：甲公司“全员岗位责任制”填“否”或空白。

    合规示例：甲公司“全员岗位责任制”填“是”。
    """
    cl = _checklist(ctx)
    if cl is None or cl.empty:
        return no_hits()
    return _hits("duty_system", _yesno_gaps(ctx, cl, "duty_system"))


@rule("CHK003", ERROR, "E(6)", party=Party.ENTERPRISE, reads=("enterprises", "checklist"),
      obligation=Obligation(who="with:checklist", when=PHASE, ledger="checklist"),
      title="未制定负责人职责清单和专项行动工作清单",
      message="企业专项行动落实情况表“{header}”{state}；企业应在{period_text}前组织制定并督促落实各负责人安全生产职责清单和"
              "本次专项行动工作清单（方案 E(6)）")
def duty_lists_missing(ctx: Context) -> pd.DataFrame:
    """规则说明：企业专项行动落实情况表中“负责人职责清单”（职责清单和工作清单）不是“是”：填“否”，或空白
    （空白不能证明已制定，按未制定计）。
    P2 阶段结束后核查（--as-of 早于第二阶段最后一天时不报告），期间为 P2。同一企业有多行时，任一行符合即视为已落实，报告落在该企业在表中的第一行；
    工作表缺少该列时，该表各行不报告；该格填了但无法识别的（如“待定”）只报一次 SCH002，该企业本项
    不据此报告（不说成“未填”）；企业名录有而落实情况表没有的企业只报 CHK006。

    依据：方案 E(6)“要突出管理团队安全责任落实，组织制定并督促落实企业各负责人安全生产职责清单和本次专项行动工作清单。”

    违规示例：乙公司“负责人职责清单”填“否”。

    合规示例：乙公司“负责人职责清单”填“是”。
    """
    cl = _checklist(ctx)
    if cl is None or cl.empty:
        return no_hits()
    return _hits("duty_lists", _yesno_gaps(ctx, cl, "duty_lists"))


@rule("CHK004", ERROR, "E(12)", party=Party.ENTERPRISE, reads=("enterprises", "checklist"),
      obligation=Obligation(who="with:checklist", when=PHASE, ledger="checklist"),
      title="动火等危险作业人员排查缺失或逾期",
      message="企业专项行动落实情况表{state}；企业应在{period_text}前对动火等危险作业人员以及其他关键岗位人员"
              "落实岗位责任情况进行1次全面排查（方案 E(12)）")
def hot_work_review_missing(ctx: Context) -> pd.DataFrame:
    """规则说明：企业专项行动落实情况表中“动火人员排查日期”为空，或晚于第二阶段最后一天（默认 2023-07-31，当天仍合规）。
    适用于所有企业，不论是否有动火作业记录：方案要求排查的还包括“易产生重大事故隐患的其他关键岗位人员”。
    P2 阶段结束后核查（--as-of 早于第二阶段最后一天时不报告），期间为 P2。同一企业有多行时，任一行符合即视为已落实，报告落在该企业在表中的第一行；
    工作表缺少该列时，该表各行不报告；日期填了但无法识别的（如不写年份的“6月5日”）只报一次 SCH002，该企业本项
    不据此报告（不说成“未填”）；企业名录有而落实情况表没有的企业只报 CHK006。

    依据：方案 E(12)“举一反三组织对动火等危险作业人员以及易产生重大事故隐患的其他关键岗位人员落实岗位责任情况进行1次
    全面排查，严禁聘用和招请未经安全培训合格、未取得相关证书的人员在特种作业岗位上岗作业，明确“谁招请无证人员，
    谁负责任”的管理制度。”

    违规示例：丙公司“动火人员排查日期”空白，或填 2023-08-01。

    合规示例：丙公司“动火人员排查日期”填 2023-07-31。
    """
    cl = _checklist(ctx)
    if cl is None or cl.empty:
        return no_hits()
    return _hits("hot_work_review_on", _date_gaps(ctx, cl, "hot_work_review_on"))


@rule("CHK005", ERROR, "E(13)", party=Party.ENTERPRISE, reads=("enterprises", "checklist", "outsourcing"),
      obligation=Obligation(who="with:outsourcing", when=PHASE, ledger="checklist"),
      title="外包外租排查缺失或逾期",
      message="企业专项行动落实情况表{state}（该企业外包外租台账有{projects}项在第二阶段内履行的外包外租）；"
              "企业主要负责人应在{period_text}前针对外包外租情况至少组织开展1次全面排查（方案 E(13)）")
def outsourcing_review_missing(ctx: Context) -> pd.DataFrame:
    """规则说明：外包外租台账中有外包外租（含委托、合作）记录的企业，企业专项行动落实情况表中“外包外租排查日期”为空，
    或晚于第二阶段最后一天（默认 2023-07-31，当天仍合规）。只计第二阶段内履行的外包外租：开始日期不晚于第二阶段最后一天，
    且结束日期为空或不早于第二阶段第一天（开始日期空白的记录也计入，不因漏填而免于排查）；第二阶段结束后才开始、
    或第二阶段开始前已结束的外包外租不要求在第二阶段排查。没有外包外租记录的企业不适用。
    P2 阶段结束后核查（--as-of 早于第二阶段最后一天时不报告），期间为 P2。同一企业有多行时，任一行符合即视为已落实，报告落在该企业在表中的第一行；
    工作表缺少该列时，该表各行不报告；日期填了但无法识别的（如不写年份的“6月5日”）只报一次 SCH002，该企业本项
    不据此报告（不说成“未填”）；企业名录有而落实情况表没有的企业只报 CHK006。

    依据：方案 E(13)“企业主要负责人要针对本企业生产经营项目和场所外包外租（包括委托、合作等类似方式）情况至少组织开展1次
    全面排查，重点检查是否存在承包承租方不具备安全生产条件或者相应资质以及双方未签订安全生产协议、安全管理职责不清等问题，
    不符合法律法规规定的要坚决依法处理。”

    违规示例：甲公司 2023-03-01 起将仓库出租，落实情况表“外包外租排查日期”空白。

    合规示例：甲公司“外包外租排查日期”填 2023-07-15；或甲公司没有任何外包外租记录。
    """
    cl = _checklist(ctx)
    if cl is None or cl.empty:
        return no_hits()
    phase = ctx.campaign.phase(PHASE)
    os_ = ctx.frame("outsourcing")
    running = (
        os_["eid"].notna()
        & ~(os_["start"] > pd.Timestamp(phase.end)).fillna(False)
        & ~(os_["end"] < pd.Timestamp(phase.start)).fillna(False)
    )
    projects = os_.loc[running].groupby("eid").size()
    gaps = _date_gaps(ctx, cl, "outsourcing_review_on")
    gaps = gaps.loc[gaps["eid"].isin(projects.index)]
    return _hits("outsourcing_review_on", gaps, projects=gaps["eid"].map(projects).to_numpy())


@rule("CHK006", ERROR, "E(1)…E(13)", party=Party.ENTERPRISE, reads=("enterprises", "checklist"),
      obligation=Obligation(who="enterprises", when=PHASE, ledger="checklist"),
      title="企业未报送专项行动落实情况表",
      message="企业专项行动落实情况表中没有该企业的记录，无法核实专项方案、动员部署会、全员岗位责任制、职责清单、"
              "动火人员排查和外包外租排查等应于{period_text}前落实的事项（方案 E(1)…E(13)）；请报送该企业的落实情况表")
def checklist_row_missing(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中的企业在企业专项行动落实情况表中没有任何一行（按信用代码或名称归属；归属不到企业的行见 REF001）。
    第二阶段结束后核查（--as-of 早于第二阶段最后一天时不报告），期间为 P2。这样的企业只报本规则一条，
    CHK001–CHK005 不再对它逐项报告（没有记录可判断）。

    依据：方案 三(一)“各站所、各村要督促企业主要负责人在全面落实安全生产法定职责基础上，突出抓好以下五项工作”
    （五项工作共 E(1)–E(15) 十五项），落实情况表记录其中 E(1)…E(13) 应于第二阶段结束前落实的事项：专项方案和
    动员部署会 E(1)、全员岗位责任制 E(5)、职责清单 E(6)、聘请专业机构或专家 E(8)、动火人员排查 E(12)、
    外包外租排查 E(13)，本规则的条款记为 E(1)…E(13)；方案 四(二)“企业自查自改和部门帮扶（2023年7月底前）。企业认真开展自查自改，建立安全生产重大事故隐患台账，
    并形成常态化工作机制。”

    违规示例：企业名录有丁公司，落实情况表只报送了甲、乙、丙三家。

    合规示例：企业名录中的每家企业在落实情况表中都有一行。
    """
    period = ctx.campaign.phase_period(PHASE)
    cl = ctx.frame("checklist")
    covered = pd.DataFrame({"eid": cl["eid"], "period": PHASE})
    gaps = ctx.coverage_gaps([period], covered)
    if gaps.empty:
        return no_hits()
    return hits(ledger="checklist", eid=gaps["eid"].to_numpy(), period=gaps["period"].to_numpy())


@rule("CHK007", WARNING, "E(8)", party=Party.ENTERPRISE, reads=("enterprises", "checklist"),
      obligation=Obligation(who="with:checklist", when=PHASE, ledger="checklist"),
      title="技术力量薄弱的企业未聘请专业机构或专家",
      message="该企业{why}，属技术力量薄弱的企业，企业专项行动落实情况表“{header}”{state}；方案 E(8) 要求技术力量薄弱的企业"
              "聘请专业技术机构或行业领域安全生产专家，强化技术指导，精准查找并科学治理重大事故隐患；请在{period_text}前聘请"
              "并如实填报")
def weak_enterprise_without_experts(ctx: Context) -> pd.DataFrame:
    """规则说明：技术力量薄弱的企业，企业专项行动落实情况表中“聘请专业机构或专家”不是“是”（填“否”“不需要”或空白；
    空白不能证明已聘请）。技术力量薄弱指：企业名录“技术力量薄弱”为“是”（由村或站所认定），或“专职安全管理人员数”为 0
    而该企业依《安全生产法》第二十四条必须配备专职安全生产管理人员（行业领域为非煤矿山、危险化学品、建筑施工、交通运输、
    燃气，或从业人数超过 100 人，同 ENT003）。后一种情况下“技术力量薄弱”即使填“否”也按薄弱计：没有专职安全管理人员的
    这类企业，自身难以精准查找重大事故隐患。“技术力量薄弱”空白或缺列、专职人数空白或缺列的，不据此认定。
    第二阶段结束后核查（--as-of 早于第二阶段最后一天时不报告），期间为 P2，报告落在该企业在落实情况表中的第一行；
    同一企业有多行时，任一行填“是”即视为已聘请；“是”后用括号注明机构或专家的（“是（某安全咨询公司）”）按“是”读，
    填了但无法识别的只报一次 SCH002，本规则不据此报告。落实情况表缺少该列时，该表各行不报告；
    企业名录有而落实情况表没有的企业只报 CHK006，本规则不再要求。
    同一企业可同时有 ENT003（未配专职安全管理人员，E(7)）和本规则（未聘专家，E(8)）两条发现。

    依据：方案 E(8)“技术力量薄弱的企业，要聘请专业技术机构或行业领域安全生产专家，强化技术指导，精准查找并科学治理
    重大事故隐患，提高隐患排查和整改的质量。”；方案 四(二)“企业自查自改和部门帮扶（2023年7月底前）。”

    违规示例：企业名录中甲公司“技术力量薄弱”填“是”，落实情况表“聘请专业机构或专家”填“不需要”；或乙公司（危险化学品）
    专职安全管理人员数为 0，“聘请专业机构或专家”空白。

    合规示例：甲公司“聘请专业机构或专家”填“是”；或丙公司技术力量不薄弱、有 2 名专职安全管理人员，填“不需要”。
    """
    cl = _checklist(ctx)
    if cl is None or cl.empty:
        return no_hits()
    reg = ctx.registry
    required = full_time_required(reg)
    no_staff = reg["full_time_safety"].eq(0).fillna(False).astype(bool) & required.notna().to_numpy()
    marked = reg["weak"].eq(True).fillna(False).astype(bool)
    why = pd.Series(pd.NA, index=reg.index, dtype="string")
    why[no_staff] = "专职安全管理人员数为0（" + required[no_staff] + "，依法须配备专职安全生产管理人员）"
    why[marked] = "在企业名录中被认定为技术力量薄弱"
    weak = why.dropna()
    if weak.empty:
        return no_hits()
    gaps = _item_gaps(ctx, cl, "experts", cl["experts"].eq("是"))
    gaps = gaps.loc[gaps["eid"].isin(weak.index)]
    if gaps.empty:
        return no_hits()
    v = cl.loc[gaps["row"].to_numpy(), "experts"]
    state = ("填“" + v.astype("string") + "”").fillna("未填（不能证明已聘请）")
    return hits(ledger="checklist", row=gaps["row"].to_numpy(), eid=gaps["eid"].to_numpy(), period=PHASE,
                field="experts", value=v.fillna("").to_numpy(), state=state.to_numpy(),
                why=gaps["eid"].astype("int64").map(weak).to_numpy())
