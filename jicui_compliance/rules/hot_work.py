"""HW: hot-work permits (方案 E(10), E(12); GB 30871-2022).

Every rule reads the 动火作业审批记录 row by row. A permit counts once it exists at as-of
(its 开始时间 falls on or before the as-of day) and names a registry enterprise; an optional
column that the permit's sheet lacks altogether gives no finding for that sheet's rows
(RULEBOOK §8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..text import BETWEEN_NUMBERS, map_distinct, numbers_in, person_names
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, fold_remembered, shared, time_text

LEDGER = "hot_work"
#: GB 30871-2022 5.1: 特级、一级动火作业票有效期不超过 8 h，二级不超过 72 h.
MAX_HOURS = {"特级": 8, "一级": 8, "二级": 72}
WELDING = "焊接与热切割作业"
#: the industries within the scope of GB 30871-2022 (危险化学品企业; LPG and gas stations handle
#: hazardous chemicals too): HW004 binding, HW006; elsewhere HW008 only refers to it
GB30871_INDUSTRIES = ("危险化学品", "燃气")
#: 动火方式 that are welding or cutting: they need a 焊接与热切割作业 certificate (HW007) and
#: welding equipment (EQ001); 砂轮, 喷灯, 电钻 and 其他 do not
WELDING_METHODS = ("电焊", "气焊", "气割", "等离子切割")


@shared
def _permits(ctx: Context) -> pd.DataFrame:
    """Permits of registry enterprises that exist at as-of (work started on or before the as-of day)."""
    df = ctx.frame(LEDGER)
    keep = df["eid"].notna() & df["start"].notna() & (df["start"].dt.normalize() <= ctx.as_of_ts)
    return df.loc[keep.to_numpy(dtype=bool)]


def welding_or_unknown(ctx: Context, d: pd.DataFrame) -> pd.Series:
    """Permits that are, or may be, welding or cutting: 动火方式 is one of :data:`WELDING_METHODS`,
    the cell is empty (or could not be read), or the permit's sheet has no 动火方式 column
    (RULEBOOK §8: an empty cell is judged like a sheet without the column)."""
    unreadable = ctx.unreadable(d, LEDGER, "method")  # “焊接” is no 动火方式 value (SCH002), yet may be welding
    return (d["method"].isna() | d["method"].isin(WELDING_METHODS) | unreadable).astype(bool)


def _in_gb30871_scope(ctx: Context, d: pd.DataFrame) -> pd.Series:
    """Permits of enterprises whose registered industry is within GB 30871-2022's scope."""
    return d["eid"].map(ctx.registry["industry"]).isin(GB30871_INDUSTRIES).fillna(False).astype(bool)


@shared
def _permits_in_scope(ctx: Context) -> np.ndarray:
    """:func:`_in_gb30871_scope` of every permit of :func:`_permits` (HW004, HW006, HW008)."""
    return _in_gb30871_scope(ctx, _permits(ctx)).to_numpy(dtype=bool)


def _about(d: pd.DataFrame) -> dict:
    return dict(permit_no=d["permit_no"].fillna("").to_numpy(), level=d["level"].fillna("").to_numpy(),
                start=time_text(d["start"]).to_numpy(), worker=d["worker"].fillna("").to_numpy())


@rule("HW001", ERROR, "E(10)", party=Party.ENTERPRISE, reads=("enterprises", "hot_work"),
      title="动火作业未经审批",
      message="动火作业票{permit_no}（{level}，{start}开始，动火人{worker}）{detail}，不能证明已履行审批手续；"
              "方案 E(10) 要求“严格履行电气焊等动火作业审批手续”；据此，作业票应在动火前经审批，并写明审批人和审批时间",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def no_approval(ctx: Context) -> pd.DataFrame:
    """规则说明：动火作业票没有审批人，或没有审批时间（两项缺一即报告，消息写明缺哪一项）。审批时间填了但无法识别的
    （如“7月20日 7:30”没有年份）由 SCH002 报告，本规则不算作未填。
    “审批人”或“审批时间”整列缺失的工作表，对缺失的那一列不报告。开始时间晚于核查截止日的作业票在截止日尚不存在，不核查。

    依据：方案三(一)3(10)：“严格履行电气焊等动火作业审批手续，督促作业人员严格遵守消防安全操作规程，明确现场监护人员，
    严格落实消防安全措施检查和作业过程监督。”

    违规示例：作业票 DH-001，审批人为空，审批时间为空。

    合规示例：作业票 DH-001，审批人王五，审批时间 2023-07-20 07:30，动火开始 2023-07-20 08:00。
    """
    d = _permits(ctx)
    no_approver = ctx.left_blank(d, LEDGER, "approver").to_numpy(dtype=bool)
    no_time = ctx.left_blank(d, LEDGER, "approved_at").to_numpy(dtype=bool)
    sel = no_approver | no_time
    if not sel.any():
        return no_hits()
    d, no_approver, no_time = d[sel], no_approver[sel], no_time[sel]
    both = no_approver & no_time
    return hits(
        ledger=LEDGER, row=d.index,
        field=np.select([both, no_approver], ["approver,approved_at", "approver"], default="approved_at"),
        value="",
        detail=np.select([both, no_approver], ["未填写审批人和审批时间", "未填写审批人"], default="未填写审批时间"),
        **_about(d),
    )


@rule("HW002", ERROR, "E(10)", party=Party.ENTERPRISE, reads=("enterprises", "hot_work"),
      title="动火作业先作业后审批",
      message="动火作业票{permit_no}（{level}，动火人{worker}）审批时间 {approved_at} 晚于动火开始时间 {start}，属先动火后审批；"
              "方案 E(10) 要求“严格履行电气焊等动火作业审批手续”；据此，须经审批后方可动火",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def approved_after_start(ctx: Context) -> pd.DataFrame:
    """规则说明：审批时间晚于动火开始时间。只写了日期、没有写时刻的，按当天 00:00 计（开始时间只写日期而审批时间写了
    当天的时刻，即审批晚于开始）；开始时间为当天 00:00 的（含没有写时刻的），消息中注明“即当天 00:00”，便于核实。审批时间为空的归 HW001。
    开始时间晚于核查截止日的作业票不核查。

    依据：方案三(一)3(10)：“严格履行电气焊等动火作业审批手续，督促作业人员严格遵守消防安全操作规程，明确现场监护人员，
    严格落实消防安全措施检查和作业过程监督。”

    违规示例：动火开始 2023-07-20 08:00，审批时间 2023-07-20 09:30；或开始只写 2023-07-20、审批时间 2023-07-20 09:00。

    合规示例：动火开始 2023-07-20 08:00，审批时间 2023-07-20 07:30；或审批时间只写 2023-07-20（按 00:00 计，早于 08:00）。
    """
    d = _permits(ctx)
    later = (d["approved_at"] > d["start"]).fillna(False)  # a date without a time is 00:00 (RULEBOOK §8)
    d = d[later.to_numpy(dtype=bool)]
    if d.empty:
        return no_hits()
    midnight = (d["start"].dt.normalize() == d["start"]).to_numpy()
    about = _about(d)
    about["start"] = np.where(midnight, about["start"] + "（即当天 00:00）", about["start"])
    return hits(ledger=LEDGER, row=d.index, field="approved_at", value=time_text(d["approved_at"]).to_numpy(),
                approved_at=time_text(d["approved_at"]).to_numpy(), **about)


@rule("HW003", ERROR, "E(10)", party=Party.ENTERPRISE, reads=("enterprises", "hot_work"),
      title="动火作业无监护人或监护人即动火人",
      message="动火作业票{permit_no}（{level}，{start}开始，动火人{worker}）{detail}；"
              "方案 E(10) 要求“明确现场监护人员”；据此，监护人应由动火人以外的人员担任，并在作业全过程现场监护",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def no_guardian(ctx: Context) -> pd.DataFrame:
    """规则说明：作业票没有填写监护人（“监护人”整列缺失的工作表不报告），或监护人就是动火人本人。
    姓名比较前统一全角半角、去掉空格，姓名后括号中的职务或工种不看（“张三（焊工）”是张三）；动火人一栏写了多人（以、，；/分隔，
    或以空格分隔且每个名字至少两个字；“张 三”“欧阳 明”这样为对齐而加空格的是一个人）时，监护人是其中任何一人即报告；
    监护人一栏也写了多人的，只有每一位监护人都是动火人时才报告（另有一位不是动火人的监护人在场）。
    开始时间晚于核查截止日的作业票不核查。

    依据：方案三(一)3(10)：“严格履行电气焊等动火作业审批手续，督促作业人员严格遵守消防安全操作规程，明确现场监护人员，
    严格落实消防安全措施检查和作业过程监督。”

    违规示例：动火人张三，监护人张三（或“张三（焊工）”）；或监护人为空。

    合规示例：动火人张三，监护人李四；或动火人张三，监护人“李四、张三”。
    """
    d = _permits(ctx)
    missing = ctx.left_blank(d, LEDGER, "guardian").to_numpy(dtype=bool)
    same = _one_of_workers(d["guardian"], d["worker"]) & ~missing
    sel = missing | same
    if not sel.any():
        return no_hits()
    d, missing = d[sel], missing[sel]
    detail = np.where(missing, "未填写监护人", "监护人“" + d["guardian"].fillna("") + "”即动火人本人，等于无人监护")
    return hits(ledger=LEDGER, row=d.index, field="guardian", value=d["guardian"].fillna("").to_numpy(),
                detail=detail, **_about(d))


def _one_of_workers(person: pd.Series, workers: pd.Series) -> np.ndarray:
    """True where the people a ``person`` cell names (:func:`~jicui_compliance.text.person_names`, each name
    folded: “张三（焊工）” is 张三; an empty cell is no one) are all among the names of the row's ``workers``
    cell (read alike). Each distinct cell is read once, and each distinct (person, workers) pair compared once
    (the two columns factorised each, their integer codes combined)."""
    def names(cell: object) -> frozenset[str]:
        return frozenset(map(fold_remembered, person_names(str(cell)))) - {""}

    p, w = person.to_numpy(dtype=object), workers.to_numpy(dtype=object)
    filled = (pd.notna(p) & pd.notna(w)).astype(bool)
    out = np.zeros(len(p), dtype=bool)
    if filled.any():
        p_codes, p_cells = pd.factorize(p[filled])
        w_codes, w_cells = pd.factorize(w[filled])
        codes, p_of, w_of = _pairs(p_codes, w_codes, len(w_cells))
        p_names = [names(c) for c in p_cells]
        w_names = [names(c) for c in w_cells]
        same = np.array([bool(p_names[i]) and p_names[i] <= w_names[j] for i, j in zip(p_of.tolist(), w_of.tolist())],
                        dtype=bool)
        out[filled] = same[codes]
    return out


@shared
def _permits_too_long(ctx: Context) -> np.ndarray:
    """Every permit of :func:`_permits` that lasts longer than its level allows (HW004, HW008)."""
    d = _permits(ctx)
    codes, levels = pd.factorize(d["level"])  # each distinct level looked up once
    hours = np.array([MAX_HOURS.get(v, np.nan) for v in levels] + [np.nan], dtype="float64")[codes]
    took = (d["end"] - d["start"]).to_numpy(dtype="timedelta64[ns]")  # NaT: a time missing
    known = ~np.isnat(took) & ~np.isnan(hours)
    return known & (took.astype(np.int64) > np.nan_to_num(hours) * 3_600_000_000_000)


def _too_long(ctx: Context, in_scope: bool) -> pd.DataFrame:
    """Permits longer than their level allows, of enterprises within (or outside) GB 30871-2022's scope."""
    d = _permits(ctx)
    d = d.loc[_permits_too_long(ctx) & (_permits_in_scope(ctx) == in_scope),
              ["eid", "permit_no", "level", "start", "end", "worker"]]
    if d.empty:
        return no_hits()
    seconds = ((d["end"] - d["start"]) // pd.Timedelta(seconds=1)).astype("int64")
    hours, rest, secs = seconds // 3600, seconds % 3600 // 60, seconds % 60
    # seconds only where they are what goes over (8 小时 0 分钟 1 秒: “共 8 小时，超过 8 小时” reads as no excess)
    text = (hours.astype(str) + " 小时" + np.where((rest > 0) | (secs > 0), " " + rest.astype(str) + " 分钟", "")
            + np.where(secs > 0, " " + secs.astype(str) + " 秒", ""))
    return hits(ledger=LEDGER, row=d.index, field="end", value=time_text(d["end"]).to_numpy(),
                end=time_text(d["end"]).to_numpy(), duration=text.to_numpy(),
                industry=d["eid"].map(ctx.registry["industry"]).fillna("").to_numpy(),
                limit=d["level"].astype(object).map(MAX_HOURS).astype("int64").to_numpy(), **_about(d))


@rule("HW004", ERROR, "EXT: GB 30871-2022 5.1", party=Party.ENTERPRISE, reads=("enterprises", "hot_work"),
      title="危险化学品或燃气企业动火作业票超过有效期",
      message="{industry}企业的{level}动火作业票{permit_no}（动火人{worker}）作业时间 {start} 至 {end}，共 {duration}，"
              "超过{level}动火作业票最长 {limit} 小时的有效期（GB 30871-2022 5.1：特级、一级动火安全作业票有效期不应超过 8 h，"
              "二级不应超过 72 h）；超过有效期应重新办理动火作业票，重新进行气体分析和安全措施确认",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def permit_too_long(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中行业领域为“危险化学品”或“燃气”的企业（GB 30871-2022《危险化学品企业特殊作业安全规范》
    的适用范围：危险化学品企业，液化石油气充装站、加气站等燃气企业同样储存、经营危险化学品），其动火作业票的
    结束时间减开始时间超过该级别的最长有效期：特级、一级 8 小时，二级 72 小时；恰好 8 小时（或 72 小时）不报告。
    只写日期的时间读作当天 00:00。结束时间早于开始时间的记录不由本规则判断。
    其他行业的企业，同样的时限只作参考，由 HW008（警告）提示。开始时间晚于核查截止日的作业票不核查。

    依据：方案三(一)3(10)：“严格履行电气焊等动火作业审批手续，督促作业人员严格遵守消防安全操作规程，明确现场监护人员，
    严格落实消防安全措施检查和作业过程监督。”；GB 30871-2022《危险化学品企业特殊作业安全规范》5.1：
    特级动火、一级动火安全作业票有效期不应超过 8 h；二级动火安全作业票有效期不应超过 72 h。

    违规示例：乙公司（危险化学品）一级动火，2023-07-20 08:00 至 2023-07-20 16:01（8 小时 1 分钟）。

    合规示例：乙公司一级动火 2023-07-20 08:00 至 2023-07-20 16:00（恰好 8 小时）；二级动火 2023-07-20 08:00 至
    2023-07-23 08:00；甲公司（工贸）一级动火 10 小时不由本规则报告（HW008 提示）。
    """
    return _too_long(ctx, in_scope=True)


@rule("HW008", WARNING, "EXT: GB 30871-2022（参照）", party=Party.ENTERPRISE, reads=("enterprises", "hot_work"),
      title="动火作业票超过参照的有效期",
      message="{level}动火作业票{permit_no}（动火人{worker}）作业时间 {start} 至 {end}，共 {duration}，"
              "超过 GB 30871-2022 对{level}动火作业票 {limit} 小时的有效期（该标准适用于危险化学品企业，本企业可参照执行）；"
              "方案 E(10) 要求“严格履行电气焊等动火作业审批手续”；据此，长时间动火宜分段重新审批，并重新确认现场安全措施",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def permit_too_long_for_reference(ctx: Context) -> pd.DataFrame:
    """规则说明：行业领域不是“危险化学品”或“燃气”的企业（含行业领域为空或无法识别的），其动火作业票的结束时间减开始时间
    超过 GB 30871-2022 对该级别的有效期：特级、一级 8 小时，二级 72 小时；恰好 8 小时（或 72 小时）不提示。
    该标准只约束危险化学品企业，对其他企业不是强制要求，而是衡量方案“严格履行电气焊等动火作业审批手续”的参照，故为警告；
    危险化学品和燃气企业由 HW004（错误）报告，两条规则不会同时报告同一张作业票。只写日期的时间读作当天 00:00；
    结束时间早于开始时间的记录不判断；开始时间晚于核查截止日的作业票不核查。

    依据：方案三(一)3(10)：“严格履行电气焊等动火作业审批手续，督促作业人员严格遵守消防安全操作规程，明确现场监护人员，
    严格落实消防安全措施检查和作业过程监督。”；参照 GB 30871-2022《危险化学品企业特殊作业安全规范》5.1：
    特级动火、一级动火安全作业票有效期不应超过 8 h；二级动火安全作业票有效期不应超过 72 h。

    违规示例：甲公司（工贸）一级动火，2023-07-20 08:00 至 2023-07-20 18:00（10 小时）。

    合规示例：甲公司二级动火 2023-07-20 08:00 至 2023-07-22 18:00（58 小时）；乙公司（危险化学品）的超时作业票归 HW004。
    """
    return _too_long(ctx, in_scope=False)


@rule("HW005", ERROR, "E(10)", party=Party.ENTERPRISE, reads=("enterprises", "hot_work"),
      title="动火作业未确认消防措施",
      message="动火作业票{permit_no}（{level}，{start}开始，动火人{worker}）未确认落实消防安全措施（“{header}”为否或未填写）；"
              "方案 E(10) 要求“严格落实消防安全措施检查”；据此，动火前应清理可燃物、配备灭火器材，并在作业票上确认",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def fire_measures_not_confirmed(ctx: Context) -> pd.DataFrame:
    """规则说明：“消防措施落实”为否或空白（空白不能证明已落实，按“否”计）。
    该列整列缺失的工作表不报告；开始时间晚于核查截止日的作业票不核查。

    依据：方案三(一)3(10)：“严格履行电气焊等动火作业审批手续，督促作业人员严格遵守消防安全操作规程，明确现场监护人员，
    严格落实消防安全措施检查和作业过程监督。”

    违规示例：作业票 DH-002，“消防措施落实”填“否”或留空。

    合规示例：“消防措施落实”填“是”。
    """
    d = _permits(ctx)
    sel = ctx.said_no(d, "fire_measures")
    d = d[sel.to_numpy(dtype=bool)]
    if d.empty:
        return no_hits()
    return hits(ledger=LEDGER, row=d.index, field="fire_measures", value=ctx.as_written(d, LEDGER, "fire_measures"),
                **_about(d))


@rule("HW006", ERROR, "EXT: GB 30871-2022", party=Party.ENTERPRISE, reads=("enterprises", "hot_work"),
      title="危险化学品或燃气企业动火未做气体分析",
      message="{industry}企业的动火作业票{permit_no}（{level}，{start}开始，动火人{worker}）未进行气体分析（“{header}”为否或未填写）；"
              "GB 30871-2022 要求动火作业前进行气体分析、合格后方可动火，请补齐分析记录并整改",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def no_gas_test(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中行业领域为“危险化学品”或“燃气”的企业，其动火作业票“气体分析”为否或空白（空白按“否”计）。
    燃气企业（液化石油气充装站、加气站、燃气管网等）动火前同样须检测可燃气体浓度，第 2 版起纳入。
    其他行业的企业不适用本规则（GB 30871-2022 是危险化学品企业的特殊作业规范）。
    “气体分析”整列缺失的工作表不报告；开始时间晚于核查截止日的作业票不核查。

    依据：方案三(一)3(10)：“严格履行电气焊等动火作业审批手续，督促作业人员严格遵守消防安全操作规程，明确现场监护人员，
    严格落实消防安全措施检查和作业过程监督。”；GB 30871-2022《危险化学品企业特殊作业安全规范》5.3：动火作业前应进行气体分析。

    违规示例：乙公司（危险化学品）的一级动火作业票，“气体分析”填“否”；某液化石油气站（燃气）的作业票“气体分析”留空。

    合规示例：乙公司的作业票“气体分析”填“是”；甲公司（工贸）的作业票未做气体分析，不适用本规则。
    """
    d = _permits(ctx)
    d = d[_permits_in_scope(ctx) & ctx.said_no(d, "gas_test").to_numpy(dtype=bool)]
    if d.empty:
        return no_hits()
    return hits(ledger=LEDGER, row=d.index, field="gas_test", value=ctx.as_written(d, LEDGER, "gas_test"),
                industry=d["eid"].map(ctx.registry["industry"]).fillna("").to_numpy(), **_about(d))


@rule("HW007", ERROR, "E(12)", party=Party.ENTERPRISE, reads=("enterprises", "hot_work", "special_workers"),
      title="动火人无有效焊接与热切割作业操作证",
      message="动火作业票{permit_no}（{level}，{start}开始）的动火人{worker}无动火当日有效的焊接与热切割作业操作证：{detail}；"
              "方案 E(12) 要求严禁聘用未取得相关证书的人员在特种作业岗位上岗作业，“谁招请无证人员，谁负责任”，"
              "请立即停止其动火作业并核实持证情况",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def welder_without_certificate(ctx: Context) -> pd.DataFrame:
    """规则说明：动火人须持有动火当日有效的焊接与热切割作业操作证，在同一企业的特种作业人员持证台账中查找：
    作业票填了“动火人证书编号”的，只按证书编号查找（编号不在本企业持证台账中即视为无证，不再按姓名查找）；
    没填证书编号的，才按动火人姓名（统一全角半角、去空格，姓名后括号中的工种或职务不看：“张三（焊工）”是张三；持证台账
    的“姓名”同样读法，台账写“张三（焊工）”的也是张三）在本企业持证台账中查找。
    找到的证书须同时满足：作业类别为“焊接与热切割作业”；有效期至不早于动火开始当天（有效期至当天动火视为有效）；
    初领日期为空或不晚于动火当天（动火时已取得证书）。任一条证书满足即合规。按证书编号匹配时不再核对姓名。
    没填证书编号而“动火人”一栏写了多人（以、，；/分隔，或以空格分隔且每个名字至少两个字；“张 三”“欧阳 明”这样为对齐
    而加空格的是一个人）的，每人都须在持证台账中有有效的操作证。“动火人证书编号”一栏写了几个编号的（以 、 ， ； 或“或”
    分隔，如“T12345678、T87654321”），每个编号分别按编号查找，每个都须是有效的焊接与热切割作业操作证；证书编号本身
    可能含“/”（如“T/2023-001”），故只有“/”分出的每一段都是本企业持证台账中的编号时才按“/”分开（“T001/T002”），
    否则按写的原样作为一个编号。填了编号的作业票只按编号查找：编号比动火人少时（如动火人“张三、钱某”只填了一个编号），
    也不再按姓名查找其他动火人（证书按编号匹配，只有作业票未填编号时才在本企业内按姓名匹配）。
    消息写明第一个无证的人或编号；按编号查到的证书写明台账中的持证人（括号中的工种或职务不写），编号不在台账中而
    作业票写了几名动火人的，写“张三、李五中的一人”。
    “是否在岗”不影响本规则。证书的“有效期至”填了但无法识别的（SCH002，如“2026年底”），不能判断是否过期，该证书按有效计；
    “有效期至”空白的证书不能证明有效，消息写明未填写。
    只核查电焊、气焊、气割、等离子切割（焊接与热切割作业）的作业票：“动火方式”为砂轮、喷灯、电钻或其他的，不需要
    焊接与热切割作业操作证，不核查；“动火方式”为空白（或无法识别）、或工作表没有“动火方式”列的，不能排除是焊接或
    切割，照常核查。
    开始时间晚于核查截止日的作业票不核查。

    依据：方案三(一)3(12)：“举一反三组织对动火等危险作业人员以及易产生重大事故隐患的其他关键岗位人员落实岗位责任情况进行1次全面排查，
    严禁聘用和招请未经安全培训合格、未取得相关证书的人员在特种作业岗位上岗作业，明确“谁招请无证人员，谁负责任”的管理制度。”

    违规示例：2023-07-20 动火，动火人张三的焊接与热切割作业操作证有效期至 2023-07-19；或证书编号不在本企业持证台账中；
    或没填证书编号，动火人“张三、钱某”，钱某在持证台账中没有操作证。

    合规示例：2023-07-20 动火，张三的焊接与热切割作业操作证有效期至 2023-07-20；或动火方式为砂轮，动火人没有操作证；
    或动火人“张三、李五”，证书编号“T12345678、T87654321”都是有效的焊接与热切割作业操作证。
    """
    d = _permits(ctx)
    d = d.loc[welding_or_unknown(ctx, d).to_numpy(dtype=bool), ["eid", "start", "worker_cert", "worker", "permit_no", "level"]]
    if d.empty:
        return no_hits()
    reg = ctx.frame("special_workers")
    # an 有效期至 written but not readable (SCH002: “2026年底”) may be a valid one: such a certificate is not judged
    until_unread = ctx.unreadable(reg, "special_workers", "valid_until")
    reg = reg.assign(_until_unread=until_unread.to_numpy(dtype=bool))
    reg = reg.loc[reg["eid"].notna().to_numpy(dtype=bool),
                  ["eid", "person", "cert_no", "category", "valid_until", "issued_on", "_until_unread"]]
    names = _register_names(reg["person"])
    reg = reg.assign(eid=reg["eid"].astype("int64"), holder=names["who"], name=names["name"])
    # one key per (permit, certificate number given), and one per (permit, worker matched by name)
    certified, named = _certificate_keys(d, reg)
    cand = pd.concat([
        certified.merge(reg.drop(columns="name"), left_on=["eid", "cert"], right_on=["eid", "cert_no"], how="left"),
        named.merge(reg, on=["eid", "name"], how="left"),
    ], ignore_index=True)
    weld = cand["category"].eq(WELDING).fillna(False).astype(bool)
    not_expired = weld & ((cand["valid_until"] >= cand["day"]).fillna(False).astype(bool)
                          | cand["_until_unread"].fillna(False).astype(bool))
    held = not_expired & (cand["issued_on"].isna() | (cand["issued_on"] <= cand["day"]))
    # only the keys with no certificate held on the day need the details of why (most keys hold one)
    lacking = ~np.isin(cand["_key"].to_numpy(), cand["_key"].to_numpy()[held.to_numpy(dtype=bool)])
    cand, weld, not_expired = cand.loc[lacking], weld.loc[lacking], not_expired.loc[lacking]
    cand = cand.assign(_weld=weld, _not_expired=not_expired,
                       _weld_until=cand["valid_until"].where(weld), _issued=cand["issued_on"].where(not_expired))
    g = cand.groupby("_key")
    per = pd.DataFrame({
        "matched": g["category"].count(), "weld": g["_weld"].any(),
        "not_expired": g["_not_expired"].any(), "weld_until": g["_weld_until"].max(), "issued": g["_issued"].min(),
        "holder": g["holder"].first(),
    }).join(cand.drop_duplicates("_key").set_index("_key")[["_row", "cert", "who", "cell"]])
    per = per.drop_duplicates("_row")  # the first worker without a certificate
    if per.empty:
        return no_hits()
    cats = (cand.loc[cand["_key"].isin(per.index) & cand["category"].notna(), ["_key", "category"]]
            .drop_duplicates().groupby("_key")["category"].agg("、".join).reindex(per.index).fillna(""))
    v = d.loc[per["_row"].to_numpy()]
    cert, who = per["cert"].fillna(""), per["who"].fillna("")
    day = pd.Series(day_text(v["start"]).to_numpy(), index=per.index)
    has_cert = per["cert"].notna().to_numpy()
    no_match = (per["matched"] == 0).to_numpy()
    no_weld = ~per["weld"].to_numpy(dtype=bool)
    detail = np.select(
        [no_match & has_cert, no_match, no_weld & has_cert, no_weld, ~per["not_expired"].to_numpy(dtype=bool)],
        [
            "证书编号“" + cert + "”不在本企业特种作业人员持证台账中",
            "本企业特种作业人员持证台账中没有“" + who + "”的操作证",
            "证书“" + cert + "”的作业类别为" + cats + "，不是焊接与热切割作业",
            "“" + who + "”在持证台账中只有" + cats + "操作证，没有焊接与热切割作业操作证",
            np.where(per["weld_until"].isna().to_numpy(), "焊接与热切割作业操作证未填写有效期至，无法证明动火时有效",
                     "焊接与热切割作业操作证有效期至 " + day_text(per["weld_until"]) + "，早于动火日期 " + day),
        ],
        default="焊接与热切割作业操作证初领日期 " + day_text(per["issued"]) + " 晚于动火日期 " + day + "，动火时尚未取证",
    )
    # the worker named: by name, the one looked up; by number, the number's holder in the register, else the
    # permit's worker(s) (“张三、李五中的一人” where the permit lists several and the number is no one's)
    listed = v["worker"].fillna("").to_numpy()
    several = np.array([len(person_names(w)) > 1 for w in listed], dtype=bool)
    holder = per["holder"].astype(object).to_numpy()
    by_number = np.where(pd.notna(holder), holder, np.where(several, np.char.add(listed.astype(str), "中的一人"), listed))
    return hits(ledger=LEDGER, row=v.index,
                field=np.where(has_cert, "worker_cert", "worker"),
                value=np.where(has_cert, per["cell"].fillna("").to_numpy(), listed), detail=detail,
                **{**_about(v), "worker": np.where(has_cert, by_number, who)})


def _certificate_keys(d: pd.DataFrame, reg: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What HW007 looks up for each permit of ``d`` in the register ``reg`` (its enterprise's certificates,
    ``name`` as :func:`_register_names` reads them): each certificate number the permit gives
    (:func:`numbers_listed`: “T12345678、T87654321” is two), by number only; by name each worker
    (:func:`~jicui_compliance.text.person_names`) only when it gives none (RULEBOOK §8: “by number; by name within
    the enterprise only when it gives none”). Two frames of keys (``_key`` numbered across both, in permit order):
    ``certified`` (``cert``: one number) and ``named`` (``who``, ``name``: the worker as written and folded); both
    with ``_row``, ``eid``, ``day``, ``cell`` (the certificate cell as written). Each distinct (enterprise,
    certificate cell) and each distinct workers cell is read once."""
    eid = d["eid"].astype("int64").to_numpy()
    cell = d["worker_cert"].astype(object).to_numpy()
    day = d["start"].dt.normalize().to_numpy()
    given = np.flatnonzero(pd.notna(cell))
    at, certs = numbers_listed(eid[given], cell[given], reg["eid"].to_numpy(), reg["cert_no"].to_numpy())
    at = given[at]
    by_name = np.ones(len(d), dtype=bool)
    by_name[at] = False
    unnamed = np.flatnonzero(by_name)
    codes, distinct = pd.factorize(d["worker"].astype(object).to_numpy()[unnamed])
    people = [[w for w in person_names(str(c)) if fold_remembered(w)] for c in distinct]
    count = np.array([len(p) for p in people] + [0], dtype=np.int64)[codes]
    pos = np.repeat(unnamed, count)
    who = np.array([w for c in codes if c >= 0 for w in people[c]], dtype=object)
    # numbered in permit order, the numbers or workers of a permit in the order the cell lists them (a permit
    # is looked up either way, never both)
    order = np.argsort(np.concatenate([at, pos]), kind="stable")
    numbers = np.empty(len(order), dtype=np.int64)
    numbers[order] = np.arange(len(order))
    rows, cells = d.index.to_numpy(), pd.Series(cell, dtype=object)
    certified = pd.DataFrame({"_row": rows[at], "eid": eid[at], "day": day[at], "cell": cells.to_numpy()[at],
                              "cert": pd.Series(certs, dtype=object).to_numpy(), "_key": numbers[:len(at)]})
    named = pd.DataFrame({"_row": rows[pos], "eid": eid[pos], "day": day[pos], "cell": cells.to_numpy()[pos],
                          "who": pd.Series(who, dtype=object).to_numpy(),
                          "name": pd.Series([fold_remembered(w) for w in who], dtype=object).to_numpy(),
                          "_key": numbers[len(at):]})
    named["cell"] = named["cell"].where(named["cell"].notna(), None)
    return certified, named


def _pairs(a: np.ndarray, b: np.ndarray, n_b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (a, b) pairs of two integer columns (``b`` in ``range(n_b)``, ``a`` ≥ 0), without a
    MultiIndex: for each row the code of its pair, and for each pair its ``a`` and its ``b`` (in order of first
    appearance)."""
    codes, pairs = pd.factorize(np.asarray(a, dtype=np.int64) * n_b + np.asarray(b, dtype=np.int64))
    a_of, b_of = np.divmod(np.asarray(pairs, dtype=np.int64), n_b)
    return codes, a_of, b_of


def _register_names(person: pd.Series) -> pd.Series:
    """The register's 姓名 read as a permit's names are (:func:`~jicui_compliance.text.person_names`): a bracketed
    role dropped (“张三（焊工）” is 张三), the name as written (``who``) and folded (``name``) for matching."""
    who = map_distinct(person, lambda v: "".join(person_names(str(v))) or None)
    return pd.DataFrame({"who": who, "name": map_distinct(who, fold_remembered)}, index=person.index)


def numbers_listed(eid: np.ndarray, cells: np.ndarray, known_eid: np.ndarray,
                   known: np.ndarray, *, at_least_one: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The certificate or equipment numbers each cell of ``cells`` (none missing) lists, read against the numbers
    ``known`` of its enterprise ``eid`` (pairs ``known_eid``, ``known``: the register):
    :func:`~jicui_compliance.text.numbers_in` with ``known`` (a "/" splits only known numbers: “HJ/01、QP-02” is two,
    an unknown “T/2023-001” one); a cell that is itself a known number is one. ``at_least_one``: a cell that lists
    none (“、”) is one number as written, else it gives none. Returns the position of the cell for each number and
    the number. Only the distinct cells holding a separator are split, once per (enterprise, cell)."""
    codes, distinct = pd.factorize(cells)
    several = np.array([BETWEEN_NUMBERS.search(str(c)) is not None for c in distinct], dtype=bool)
    listing = np.flatnonzero(several[codes])
    if not len(listing):
        return np.arange(len(cells)), np.asarray(cells, dtype=object)
    pair_codes, enterprises, cell_codes = _pairs(eid[listing], codes[listing], len(distinct))
    wanted = np.isin(known_eid, enterprises)
    of: dict[int, set] = {}
    for e, n in zip(np.asarray(known_eid)[wanted].tolist(), np.asarray(known, dtype=object)[wanted].tolist()):
        of.setdefault(e, set()).add(n)
    lists = []
    for e, c in zip(enterprises.tolist(), cell_codes.tolist()):
        cell, register = distinct[c], of.get(e, set())
        numbers = [cell] if cell in register else numbers_in(str(cell), register)
        lists.append(numbers or ([cell] if at_least_one else []))
    count = np.ones(len(cells), dtype=np.int64)
    count[listing] = np.array([len(x) for x in lists], dtype=np.int64)[pair_codes]
    value = np.empty(len(cells), dtype=object)
    value[:] = np.asarray(cells, dtype=object)
    per_pair = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        per_pair[i] = x
    value[listing] = per_pair[pair_codes]
    at = np.repeat(np.arange(len(cells)), count)
    single = count == 1
    out = np.empty(len(at), dtype=object)
    out[single[at]] = [v if not isinstance(v, list) else v[0] for v in value[single]]
    out[~single[at]] = [x for v in value[~single] for x in v]
    return at, out
