"""HI: the monthly inspections led by the enterprise's main responsible person (E(4))."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, shared
from .enforcement import hazard_keys

_LEDGER = "head_inspections"


@shared
def _led_by_head(ctx: Context) -> np.ndarray:
    """:meth:`~jicui_compliance.resolution.Resolution.led_by_head` of every row of the ledger,
    decided once per run (HI001, HI002 take their rows from it)."""
    return ctx.resolution.led_by_head(ctx.frame(_LEDGER)).to_numpy(dtype=bool)


@rule("HI001", ERROR, "E(4)", party=Party.ENTERPRISE, reads=("enterprises", "head_inspections"),
      title="当月无主要负责人带队检查",
      message="{period_text}无主要负责人（{head}）带队检查记录{others}（方案 E(4)：专项行动期间主要负责人每月要带队"
              "对本单位重大事故隐患排查整治情况至少开展1次检查）；请主要负责人带队检查并建档，或补报当月检查记录",
      obligation=Obligation(who="enterprises", when="months", ledger="head_inspections"))
def missing_monthly_head_inspection(ctx: Context) -> pd.DataFrame:
    """规则说明：专项行动期间（方案文件 campaign 的 head_inspection_months，默认 2023年6月至12月）每个月，
    企业名录中的每家企业都应有至少1条由企业名录登记的主要负责人带队的检查记录；每家企业每个缺检查的月份一条结果，
    period 为 YYYY-MM。只有当月已到期（as-of ≥ 当月最后一天）的月份才核查：as-of 为 2023-07-31 时 6月、7月到期，
    为 2023-07-30 时只有 6月到期。检查日期晚于 as-of 的记录视为尚不存在，不计入。
    “由主要负责人带队”指“带队负责人”写的是企业名录的“主要负责人”：比较前两边都去掉全部空格（含全角空格、换行）
    并把全角字符折成半角，其余须完全一致；姓名后括号中的职务不看（“张三（总经理）”“张三(经理)”），列出几位带队人的
    （“张三、李四”“李四，张三”“张三 李四”，以 、,，;；/ 或空格分隔）主要负责人是其中一位即可（空格只在分开的每段都
    至少两个字时才分隔几个人，否则是一个人名中的空格：“张 三”“欧阳 明”）。企业名录的“主要负责人”按同样方法读：
    名录写“张三（总经理）”的，主要负责人是张三；写了两人的（如“法定代表人/主要负责人”列填“张三/李四”），其中任何一人
    带队都计入。副职、安全员等他人带队的检查
    不计入（该行另报 HI002），消息中会列出当月由他人带队的检查，便于核对。企业名录未填主要负责人的企业无法判断，
    当月任何人带队的检查都计入（名录缺项由 SCH003 报告）。未能对应到企业名录的记录（REF001）不计入。
    检查日期填了但无法识别的记录（SCH002，如不写年份的“7月15日”）看不出是哪个月的检查，可能正是任何一个月的那一次：
    有这样一行（带队负责人是主要负责人，或未填）的企业，本条暂不判断（不报 HI001），只报 SCH002、文件列入退回重报；
    改正日期重报后再核查。

    依据：方案 三(一)1(4)（E(4)）：“专项行动期间，主要负责人每月要带队对本单位重大事故隐患排查整治情况至少开展1次检查，
    要对照重大事故隐患判定标准或重点检查事项逐条逐项检查、建档，对发现和解决的重大问题及隐患要记录在案。”

    违规示例：甲公司主要负责人张三，7月只有一条 2023-07-20 由副总李四带队的检查记录 → 2023-07 一条 HI001（另报 HI002）。

    合规示例：甲公司 6月至12月每月都有一条“带队负责人”为“张三”（或“张 三”“张三（总经理）”“张三、李四”）的检查记录；
    企业名录主要负责人填“张三（总经理）”或“张三/李四”，每月有“张三”带队的检查记录。
    """
    df = ctx.frame(_LEDGER)
    months = ctx.campaign.head_inspection_months
    usable = ctx.existing(df, "date") & df["date"].notna()
    d = df.loc[usable, ["eid", "date", "leader"]]
    d = d.assign(period=ctx.month_label(d["date"]), by_head=_led_by_head(ctx)[usable.to_numpy(dtype=bool)])
    by_head = pd.Series(_led_by_head(ctx), index=df.index) | df["leader"].isna()
    undated = ctx.undated_eids(df, _LEDGER, "date", where=by_head)
    gaps = ctx.coverage_gaps(months, d.loc[d["by_head"], ["eid", "period"]], undated=undated)
    if gaps.empty:
        return no_hits()
    # inspections of the month led by someone else: named in the message, they do not count
    other = d.loc[~d["by_head"] & d["leader"].notna(), ["eid", "period", "leader"]]
    other = other.assign(eid=other["eid"].astype("int64")).merge(gaps, on=["eid", "period"])
    names = (other.drop_duplicates()
             .groupby(["eid", "period"])["leader"].agg("、".join).rename("names").reset_index())
    gaps = gaps.merge(names, on=["eid", "period"], how="left")
    others = ("；当月仅有" + gaps["names"] + "带队的检查，非主要负责人带队，不计入").fillna("")
    return hits(ledger=_LEDGER, eid=gaps["eid"].to_numpy(), period=gaps["period"].to_numpy(),
                others=others.to_numpy())


@rule("HI002", WARNING, "E(4)", party=Party.ENTERPRISE, reads=("enterprises", "head_inspections"),
      title="检查不是主要负责人带队",
      message="带队负责人为“{value}”，不是企业名录登记的主要负责人（{head}），该次检查不计入主要负责人每月带队检查"
              "（方案 E(4)：主要负责人每月要带队检查）；如主要负责人已变更，请更新企业名录，否则请由主要负责人带队检查",
      obligation=Obligation(when="records", ledger="head_inspections", date="date"))
def inspection_notled_by_head(ctx: Context) -> pd.DataFrame:
    """规则说明：主要负责人带队检查记录的“带队负责人”不是企业名录登记的“主要负责人”（比较前两边都去掉全部空格并把
    全角字符折成半角，其余须完全一致）。姓名后括号中的职务不看：“张三（总经理）”“张三(经理)”是张三；写了几位带队人的
    （以 、,，;；/ 或空格分隔，如“张三、李四”“张三 李四”），主要负责人是其中一位即为主要负责人带队，不报告。空格只在
    分开的每段都至少两个字时才分隔几个人，否则是一个人名中的空格：“张 三”是张三，“欧阳 明”是欧阳明。企业名录的
    “主要负责人”按同样方法读：名录写“张三（总经理）”的主要负责人是张三，写“张三/李四”的两人都是。副职、分管负责人、安全员等带队
    的检查可以记录，但不能代替主要负责人每月带队检查，不计入 HI001。检查日期晚于 as-of 的记录尚不存在，不判断；
    带队负责人为空（SCH003）、企业名录未填主要负责人或记录未能对应到企业名录（REF001）的行不判断。

    依据：方案 三(一)1(4)（E(4)）：“专项行动期间，主要负责人每月要带队对本单位重大事故隐患排查整治情况至少开展1次检查，
    要对照重大事故隐患判定标准或重点检查事项逐条逐项检查、建档，对发现和解决的重大问题及隐患要记录在案。”

    违规示例：甲公司主要负责人为张三，检查记录“带队负责人”填“李四”（副总经理），或“李四（总经理）”“李四、赵六”。

    合规示例：“带队负责人”填“张三”“张 三”“张三（总经理）”或“张三、李四”；名录主要负责人填“张三（总经理）”或
    “张三/李四”，“带队负责人”填“张三”。
    """
    df = ctx.frame(_LEDGER)
    sel = ctx.existing(df, "date") & df["leader"].notna()
    d = df.loc[sel, ["eid", "leader"]]
    bad = ~_led_by_head(ctx)[sel.to_numpy(dtype=bool)]
    if not bad.any():
        return no_hits()
    d = d.loc[bad]
    return hits(ledger=_LEDGER, row=d.index, field="leader", value=d["leader"].to_numpy())


@rule("HI003", WARNING, "D4(7)", party=Party.ENTERPRISE, reads=("head_inspections",),
      title="检查记录未签名",
      message="{date}的带队检查记录未签名确认（“{header}”为空、“否”“无”或写明待签）；方案 D4(7) 要求“谁检查、谁签名、谁负责”，"
              "请检查人员签名确认",
      obligation=Obligation(when="records", ledger="head_inspections", date="date"))
def unsigned_head_inspection(ctx: Context) -> pd.DataFrame:
    """规则说明：主要负责人带队检查记录的“签名确认”列为空、填“否”（或“未签字”“×”等）或占位符（“无”“/”等），或写明尚未签名
    （“待签”“待签字”“待补签”“尚未签名”“暂无签名”等，这些不是签名人姓名）。该列填“是”或签名人姓名都算已签名。
    空白按“否”计：空白不能证明有人签名负责。工作表根本没有“签名确认”列时，该表的行不判断（选填列缺失不报）；
    签名值无法识别（SCH002）的不重复报告。检查日期晚于 as-of 的记录尚不存在，不判断；未能对应到企业名录的行不判断。

    依据：方案 三(二)4(7)（D4(7)）：“镇政府将建立安全监管执法责任倒查机制，严格执行“谁检查、谁签名、谁负责”，
    对明显有重大事故隐患却查不出、或查出后应处罚未处罚以及跟踪整改不到位的，将采取通报、约谈等措施；
    对排查出隐患但未督促整改到位导致发生事故的或发生事故前隐患未查出的属地村和主管站所相关人员，依法追责问责，
    构成犯罪的移送司法机关追究刑事责任。”

    违规示例：2023-07-20 张三带队检查，“签名确认”空白、填“否”或“待签”。

    合规示例：“签名确认”填“是”或“张三”。
    """
    df = ctx.frame(_LEDGER)
    sel = ctx.existing(df, "date") & ctx.said_no(df, "signed")
    if not sel.any():
        return no_hits()
    d = df.loc[sel]
    return hits(ledger=_LEDGER, row=d.index, field="signed", value=ctx.as_written(d, _LEDGER, "signed"),
                date=day_text(d["date"]).replace("", "（日期不详）").to_numpy())


@rule("HI004", ERROR, "E(4)", party=Party.ENTERPRISE, reads=("head_inspections", "hazards"),
      title="检查发现的隐患未全部登记入台账",
      message="{date}带队检查记录{what}{value}项，但重大事故隐患台账中该企业发现日期为{date}、发现方式为“企业自查”{which}的隐患"
              "只有{logged}项（方案 E(4)：对发现和解决的重大问题及隐患要记录在案；E(2)：建立隐患台账清单）；"
              "请把该次检查发现的{kind}隐患逐项登记入台账",
      obligation=Obligation(when="records", ledger="head_inspections", date="date"))
def inspection_hazards_not_logged(ctx: Context) -> pd.DataFrame:
    """规则说明：一条带队检查记录发现了 N 项隐患（N ≥ 1），而重大事故隐患台账中同一企业、“发现日期”等于该检查日期、
    “发现方式”为“企业自查”的隐患少于 N 项。N 的取法：检查记录的工作表有“发现重大隐患数”列时取该数，只数台账中“隐患等级”为
    “重大”的隐患（等级空白或台账没有该列的按“重大”计），该格为空的记录不判断（重大隐患数不详，而发现的隐患可能都是
    重大事故隐患台账不登记的一般隐患）；工作表没有该列时取“发现隐患数”，台账中各等级的隐患都计入。
    “发现重大隐患数”填 0 的记录不报本规则，即使“发现隐患数”大于 0。
    同一企业同一天有多条检查记录时，每条记录分别与当天的隐患数比较（不相加：
    隐患台账不记录隐患由哪次检查发现，同一次检查重复报送也常见）。同一企业重复的隐患编号（SCH004，全角半角、大小写、
    空格不同的按同一编号，如“D-1”与“d-1”）只计一次。“发现方式”填了但无法识别的隐患（如“自查”，另报 SCH002）
    可能是企业自查发现的，也计入，不据此报告本规则。
    任何人带队的检查都判断（副职带队的检查发现的隐患同样要入账）。检查日期晚于 as-of 的记录尚不存在，不判断；
    检查日期或所取的隐患数为空、无法识别，或记录未能对应到企业名录的行不判断。

    依据：方案 三(一)1(4)（E(4)）：“专项行动期间，主要负责人每月要带队对本单位重大事故隐患排查整治情况至少开展1次检查，
    要对照重大事故隐患判定标准或重点检查事项逐条逐项检查、建档，对发现和解决的重大问题及隐患要记录在案。”

    违规示例：2023-07-20 检查记录“发现隐患数”为 2（工作表没有“发现重大隐患数”列），隐患台账中该企业 2023-07-20 “企业自查”发现的隐患
    只有 1 条（或有 2 条但一条发现日期写成 2023-07-21、一条发现方式为“部门检查”）；或“发现重大隐患数”为 1，
    当天“企业自查”的隐患只有 2 条“一般”隐患。

    合规示例：“发现隐患数”为 2，隐患台账中该企业有 2 条发现日期 2023-07-20、发现方式“企业自查”的隐患；
    或“发现隐患数”为 3、“发现重大隐患数”为 1，台账中当天“企业自查”的隐患有 1 条“重大”、2 条“一般”；或“发现隐患数”为 0。
    """
    df = ctx.frame(_LEDGER)
    by_major = ctx.has_column(df, "major_found").to_numpy()  # per sheet (RULEBOOK §5), not per cell
    n = df["major_found"].where(by_major, df["hazards_found"])
    sel = ctx.existing(df, "date") & df["date"].notna() & (n.fillna(0) > 0).astype(bool)
    if not sel.any():
        return no_hits()
    insp = df.loc[sel, ["eid", "date"]].assign(n=n[sel].astype("int64"), by_major=by_major[sel.to_numpy()])
    hz = ctx.frame("hazards")
    # a 发现方式 filled but not readable (SCH002: “自查”) may be 企业自查: counted, not held against the inspection
    self_found = (hz["source"] == "企业自查").fillna(False).astype(bool) | ctx.unreadable(hz, "hazards", "source")
    keep = (hz["eid"].notna() & hz["found_on"].notna() & self_found).to_numpy(dtype=bool)
    # one hazard per number as SCH004 and the EN/DC rules match them (“D-1” and “d-1” are one number)
    hz = hz.loc[keep, ["eid", "hazard_no", "found_on", "level"]].assign(key=hazard_keys(ctx)[keep])
    numbered = hz["hazard_no"].notna()
    hz = pd.concat([hz.loc[numbered].drop_duplicates(["eid", "key"]), hz.loc[~numbered]])
    major = hz["level"].fillna("重大").eq("重大").astype(bool)
    key = pd.MultiIndex.from_arrays([insp["eid"], insp["date"]])
    # hazards logged per enterprise and day: all of them ("size") and the major ones ("sum")
    per_day = hz.assign(major=major).groupby(["eid", "found_on"])["major"].agg(["size", "sum"])
    per_day = per_day.reindex(key).fillna(0).astype("int64")
    counts = pd.Series(np.where(insp["by_major"], per_day["sum"], per_day["size"]), index=insp.index)
    bad = counts < insp["n"]
    if not bad.any():
        return no_hits()
    d = insp.loc[bad]
    m = d["by_major"].to_numpy()
    return hits(ledger=_LEDGER, row=d.index, field=np.where(m, "major_found", "hazards_found"),
                value=d["n"].astype(str).to_numpy(), date=day_text(d["date"]).to_numpy(), logged=counts[bad].to_numpy(),
                what=np.where(m, "发现重大隐患", "发现隐患"), which=np.where(m, "、隐患等级为“重大”", ""),
                kind=np.where(m, "重大", ""))
