"""TR: full-staff training and exam, warning education (hot work, accidents), and counts."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from ..campaign import Campaign
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, shared, time_text

CAMPAIGN_TRAINING, HOT_WORK_EDUCATION, ACCIDENT_EDUCATION = "专项行动全员培训", "动火作业警示教育", "事故警示教育"
PHASE: Final = "P2"  # training, exam and hot-work education are due by the end of the self-inspection phase
SHARE_NEEDED = (9, 10)  # TR002: at least 9/10 of the registered employees
EDUCATION_DAYS = 30  # TR005: days after an accident within which its warning education is due


@shared
def _kinds(ctx: Context) -> tuple[np.ndarray, pd.Index]:
    """Each training row's 类型 as a code into the distinct types: the TR rules ask for three types, seven times
    (a county's 160,000 rows: a text comparison of every row costs about 4 ms, a comparison of codes 0.1 ms)."""
    return pd.factorize(ctx.frame("training")["kind"])


def _of_kind(ctx: Context, kind: str) -> pd.Series:
    """True for the training rows (of ``ctx.frame("training")``) of type ``kind``."""
    codes, kinds = _kinds(ctx)
    at = kinds.get_indexer([kind])[0]
    return pd.Series((codes == at) & (at >= 0), index=ctx.frame("training").index)


def _undated(ctx: Context, kind: str, where=None) -> np.ndarray:
    """The enterprises with a record of ``kind`` (of the rows ``where``) whose date could not be read
    (:meth:`Context.undated_eids`): it may be the one looked for, so they are not judged."""
    tr = ctx.frame("training")
    sel = _of_kind(ctx, kind)
    return ctx.undated_eids(tr, "training", "date", where=sel if where is None else sel & where(tr))


@shared
def _training(ctx: Context, kind: str) -> pd.DataFrame:
    """Resolved training rows of ``kind`` that exist at as-of (dated on or before it)."""
    tr = ctx.frame("training")
    sel = tr["eid"].notna() & _of_kind(ctx, kind) & (tr["date"] <= ctx.as_of_ts).fillna(False)
    return tr.loc[sel, ["eid", "date", "attendees", "examined"]]  # the columns the TR rules read




@rule("TR001", ERROR, "E(1), P2", party=Party.ENTERPRISE, reads=("enterprises", "training"),
      obligation=Obligation(who="enterprises", when=PHASE, ledger="training"),
      title="未组织专项行动全员培训考试",
      message="{period_text}前无专项行动全员培训考试记录：{detail}；企业主要负责人应组织全员集中培训和考试（方案 E(1)）")
def no_campaign_training_exam(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中的企业在培训与警示教育记录中，没有一行类型为“专项行动全员培训”、考试人数大于 0、
    日期不晚于第二阶段最后一天（默认 2023-07-31，当天仍合规）的记录。第二阶段结束后核查（--as-of 早于第二阶段
    最后一天时不报告），每家企业一条，期间为 P2。考试人数为空或为 0 的培训不算组织了考试；表中没有“考试人数”列时，
    任何培训都不能证明考过试，同样报告。消息说明是完全没有培训、有培训但没考试，还是考试晚于期限（给出最早日期）。
    有考试人数、日期却填了而无法识别的这类培训（SCH002，如不写年份的“6月10日”）可能正是期限内的那一次：
    有这样一行的企业本条暂不判断，只报 SCH002、文件列入退回重报，改正日期重报后再核查。

    依据：方案 E(1)“企业主要负责人要学习研究并全面掌握本行业领域重大事故隐患判定标准或重点检查事项，组织制定本单位
    专项行动具体方案，召开会议进行动员部署，组织全员集中培训和考试，对标对表开展自查自改。”；方案 四(二)
    “企业自查自改和部门帮扶（2023年7月底前）。”

    违规示例：甲公司只在 2023-06-15 有一次“专项行动全员培训”，参加 20 人，考试人数空白；或考试在 2023-08-01 才组织。

    合规示例：甲公司 2023-07-31 “专项行动全员培训”，参加 20 人，考试 20 人，合格 19 人。
    """
    if not ctx.phase_due(PHASE):
        return no_hits()
    limit = pd.Timestamp(ctx.campaign.phase(PHASE).end)
    tr = _training(ctx, CAMPAIGN_TRAINING)
    exam = tr["examined"].gt(0).fillna(False).astype(bool)
    in_time = tr["date"] <= limit
    covered = pd.DataFrame({"eid": tr.loc[exam & in_time, "eid"], "period": PHASE})
    undated = _undated(ctx, CAMPAIGN_TRAINING, lambda t: t["examined"].gt(0))
    gaps = ctx.coverage_gaps([ctx.campaign.phase_period(PHASE)], covered, undated=undated)
    if gaps.empty:
        return no_hits()
    late = tr.loc[exam].groupby(tr.loc[exam, "eid"].astype("int64"))["date"].min()
    trained = set(tr.loc[in_time, "eid"].astype("int64"))
    eid = gaps["eid"].astype("int64")
    late_on = pd.Series(late.reindex(eid.to_numpy()).to_numpy(), index=eid.index, dtype="datetime64[ns]")
    detail = np.where(
        late_on.notna(), "最早的考试在" + day_text(late_on).fillna("") + "，晚于" + limit.strftime("%Y-%m-%d"),
        np.where(eid.isin(trained), "有全员培训记录，但考试人数为空或为0（未组织考试）", "没有“专项行动全员培训”记录"),
    )
    return hits(ledger="training", eid=gaps["eid"].to_numpy(), period=gaps["period"].to_numpy(), detail=detail)


@rule("TR002", WARNING, "E(1)", party=Party.ENTERPRISE, reads=("enterprises", "training"),
      obligation=Obligation(when="records", ledger="training", date="date"),
      title="全员培训覆盖不足90%",
      message="{date}专项行动全员培训参加{value}人，为该企业参加人数最多的一次，仅占从业人数{employees}人的{share}，"
              "不足90%；方案 E(1) 要求组织全员集中培训和考试，请组织未参训人员补训")
def campaign_training_coverage(ctx: Context) -> pd.DataFrame:
    """规则说明：取企业“专项行动全员培训”中参加人数最多的一行（人数相同取表中靠前的一行），参加人数低于企业名录
    从业人数的 90% 时，在这一行报告。恰好 90% 合规（整数比较：参加人数×10 ≥ 从业人数×9）。
    90% 是本工具对“全员”的量化：允许少数人员因休假、轮班等缺席。只计日期不晚于 --as-of 的培训（之后的记录
    当时尚不存在），不限于第二阶段内：阶段后的补训同样提高覆盖率（是否按期另见 TR001）。全员培训的期限是第二阶段
    结束，此前覆盖不足仍可补训，故第二阶段最后一天起才核查。从业人数为空或为 0、参加人数为空的不判断；
    没有全员培训记录的企业由 TR001 报告。

    依据：方案 E(1)“企业主要负责人要学习研究并全面掌握本行业领域重大事故隐患判定标准或重点检查事项，组织制定本单位
    专项行动具体方案，召开会议进行动员部署，组织全员集中培训和考试，对标对表开展自查自改。”

    违规示例：甲公司从业人数 20 人，两次全员培训分别参加 12 人、17 人（85%），在 17 人那一行报告。

    合规示例：甲公司从业人数 20 人，一次全员培训参加 18 人（恰好 90%）。
    """
    if not ctx.phase_due(PHASE):
        return no_hits()
    tr = _training(ctx, CAMPAIGN_TRAINING)
    tr = tr.loc[tr["attendees"].notna()]
    if tr.empty:
        return no_hits()
    best = tr.sort_values("attendees", ascending=False, kind="mergesort").drop_duplicates("eid", keep="first")
    employees = best["eid"].map(ctx.registry["employees"]).astype("Int64")
    num, den = SHARE_NEEDED
    short = (employees > 0) & (best["attendees"] * den < employees * num)
    short = short.fillna(False).astype(bool)
    bad, emp = best.loc[short], employees[short]
    if bad.empty:
        return no_hits()
    share = (bad["attendees"].astype("int64") * 1000 // emp.astype("int64")) / 10  # floor to 0.1 %
    return hits(
        ledger="training", row=bad.index.to_numpy(), eid=bad["eid"].to_numpy(), field="attendees",
        value=bad["attendees"].astype("int64").astype(str).to_numpy(), employees=emp.astype("int64").to_numpy(),
        share=(share.map("{:.1f}%".format)).to_numpy(), date=day_text(bad["date"]).fillna("").to_numpy(),
    )


@rule("TR003", ERROR, "E(9)", party=Party.ENTERPRISE, reads=("enterprises", "training"),
      obligation=Obligation(who="enterprises", when=PHASE, ledger="training"),
      title="未开展动火作业警示教育",
      message="{period_text}前无动火作业警示教育记录；企业主要负责人应深刻吸取近期违规动火引发的重特大事故教训，"
              "至少组织开展1次全员安全警示教育活动（方案 E(9)）")
def no_hot_work_education(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中的企业在培训与警示教育记录中，没有一行类型为“动火作业警示教育”、日期不晚于第二阶段最后一天
    （默认 2023-07-31，当天仍合规）的记录。适用于所有企业（方案要求的是全员警示教育，不以有动火作业为前提）。
    参加人数为 0 的记录不算开展了活动（参加人数空白的记录仍计入，空白由 SCH003 报告）。第二阶段结束后核查，
    每家企业一条，期间为 P2。日期填了但无法识别的这类记录（SCH002）可能正是期限内的那一次：有这样一行的企业
    本条暂不判断，改正日期重报后再核查。

    依据：方案 E(9)“企业主要负责人要深刻吸取近期违规动火引发的重特大事故教训，至少组织开展1次全员安全警示教育活动。”；
    方案 四(二)“企业自查自改和部门帮扶（2023年7月底前）。”

    违规示例：丙公司只有 2023-08-10 的动火作业警示教育记录（晚于7月31日）。

    合规示例：丙公司 2023-07-31 开展动火作业警示教育，参加 60 人。
    """
    if not ctx.phase_due(PHASE):
        return no_hits()
    limit = pd.Timestamp(ctx.campaign.phase(PHASE).end)
    tr = _training(ctx, HOT_WORK_EDUCATION)
    held = (tr["date"] <= limit) & ~tr["attendees"].eq(0).fillna(False)
    covered = pd.DataFrame({"eid": tr.loc[held, "eid"], "period": PHASE})
    undated = _undated(ctx, HOT_WORK_EDUCATION, lambda t: ~t["attendees"].eq(0).fillna(False))
    gaps = ctx.coverage_gaps([ctx.campaign.phase_period(PHASE)], covered, undated=undated)
    if gaps.empty:
        return no_hits()
    return hits(ledger="training", eid=gaps["eid"].to_numpy(), period=gaps["period"].to_numpy())


_COUNT_NAMES = {"attendees": "参加人数", "examined": "考试人数", "passed": "合格人数"}


@rule("TR004", ERROR, "—", party=Party.RECORD, reads=("training",),
      obligation=Obligation(when="records", ledger="training", date="date"),
      title="培训人数前后矛盾",
      message="人数前后矛盾：{detail}；应满足 合格人数 ≤ 考试人数 ≤ 参加人数，请核对该行")
def training_counts_out_of_order(ctx: Context) -> pd.DataFrame:
    """规则说明：培训与警示教育记录中，合格人数多于考试人数，或考试人数多于参加人数；没填考试人数时，
    合格人数多于参加人数也报告。空白的人数不参与比较。每行最多一条发现，列出所有矛盾之处。
    日期晚于 --as-of 的记录当时尚不存在，不核查；归属不到企业的行（REF001）不核查。

    依据：台账填报规范：合格人数 ≤ 考试人数 ≤ 参加人数；方案 E(1)“组织全员集中培训和考试”
    的记录须能自洽地证明培训和考试的人数。

    违规示例：参加人数 20，考试人数 25，合格人数 18（考试人数多于参加人数）。

    合规示例：参加人数 20，考试人数 20，合格人数 18。
    """
    tr = ctx.frame("training")
    tr = tr.loc[tr["eid"].notna() & ~(tr["date"] > ctx.as_of_ts).fillna(False), ["eid", *_COUNT_NAMES]]
    a, e, p = tr["attendees"], tr["examined"], tr["passed"]
    pe = (p > e).fillna(False).astype(bool)
    ea = (e > a).fillna(False).astype(bool)
    pa_ = (e.isna() & (p > a)).fillna(False).astype(bool)
    bad = pe | ea | pa_
    if not bad.any():
        return no_hits()
    t = tr.loc[bad]
    pe, ea, pa_ = pe[bad], ea[bad], pa_[bad]
    txt = {k: t[k].astype("string").fillna("空") for k in _COUNT_NAMES}
    parts = [
        np.where(pe, "合格人数（" + txt["passed"] + "）多于考试人数（" + txt["examined"] + "）", ""),
        np.where(ea, "考试人数（" + txt["examined"] + "）多于参加人数（" + txt["attendees"] + "）", ""),
        np.where(pa_, "合格人数（" + txt["passed"] + "）多于参加人数（" + txt["attendees"] + "）", ""),
    ]
    detail = pd.Series(parts[0], index=t.index)
    for part in parts[1:]:
        detail = detail + np.where((detail != "") & (part != ""), "；", "") + part
    involved = {"attendees": ea | pa_, "examined": pe | ea, "passed": pe | pa_}
    field = pd.Series("", index=t.index)
    for name, flag in involved.items():
        field = field + np.where(flag, np.where(field != "", "," + name, name), "")
    value = "参加" + txt["attendees"] + "、考试" + txt["examined"] + "、合格" + txt["passed"]
    return hits(ledger="training", row=t.index.to_numpy(), eid=t["eid"].to_numpy(), field=field.to_numpy(),
                value=value.to_numpy(), detail=detail.to_numpy())


def education_deadline(occurred: pd.Series) -> pd.Series:
    """The last day of the education an accident of the enterprise asks for (TR005): its day + 30 days.
    TR005 is due, and its finding new in the reports, on that day."""
    return occurred.dt.normalize() + pd.Timedelta(days=EDUCATION_DAYS)


def _education_due(ctx: Context, found: pd.DataFrame) -> pd.Series:
    return found["row"].map(education_deadline(ctx.found_rows(found, "accidents")["occurred_at"]))


@rule("TR005", WARNING, "E(3)", party=Party.ENTERPRISE, reads=("accidents", "training"),
      obligation=Obligation(when="records", ledger="accidents", date="occurred_at"), arises=_education_due,
      title="事故后未开展警示教育",
      message="{accident_on}发生{kind}事故后30日内（至{limit}）无本企业的事故警示教育记录；方案 E(3) 要求通过安全例会、"
              "班组班前会通报事故情况，开展警示教育，吸取事故教训，并迅速组织排查整治同类事故隐患")
def no_education_after_accident(ctx: Context) -> pd.DataFrame:
    """规则说明：生产安全事故报告记录中的每起事故，该企业须在事故发生当日起 30 日内（含第 30 日，如 2023-07-01
    的事故至 2023-07-31）有一行类型为“事故警示教育”的培训与警示教育记录；事故当日的警示教育计入，事故之前的不计入。
    在事故行报告。期限届满才核查：--as-of 早于事故日期加 30 日时不报告；发生时间晚于 --as-of 的事故
    当时尚不存在，不核查。归属不到企业的事故行（REF001）不核查。日期填了但无法识别的事故警示教育记录（SCH002）
    可能正是期限内的那一次，有这样一行的企业的事故本条暂不判断（改正日期重报后再核查）。

    依据：方案 E(3)“对县内外发生的典型事故，要通过安全例会、班组班前会通报事故情况，开展警示教育，吸取事故教训，
    并迅速组织排查整治本企业同类事故隐患。”

    违规示例：乙公司 2023-07-01 发生事故，直到 2023-08-01 才开展事故警示教育（超过 30 日）。

    合规示例：乙公司 2023-07-01 发生事故，2023-07-31 开展事故警示教育。
    """
    acc = ctx.frame("accidents")
    acc = acc.loc[acc["eid"].notna() & acc["occurred_at"].notna()]
    day = acc["occurred_at"].dt.normalize()
    limit = education_deadline(acc["occurred_at"])
    due = limit <= ctx.as_of_ts
    acc, day, limit = acc.loc[due], day[due], limit[due]
    if acc.empty:
        return no_hits()
    edu = _training(ctx, ACCIDENT_EDUCATION)
    undated = _undated(ctx, ACCIDENT_EDUCATION)
    left = pd.DataFrame({"row": acc.index, "eid": acc["eid"].astype("int64").to_numpy(),
                         "day": day.to_numpy(), "limit": limit.to_numpy()})
    right = pd.DataFrame({"eid": edu["eid"].astype("int64").to_numpy(), "on": edu["date"].to_numpy()})
    pairs = left.merge(right, on="eid", how="inner")
    ok = pairs.loc[(pairs["on"] >= pairs["day"]) & (pairs["on"] <= pairs["limit"]), "row"].unique()
    bad = left.loc[~left["row"].isin(ok) & ~left["eid"].isin(undated)]
    if bad.empty:
        return no_hits()
    t = acc.loc[bad["row"].to_numpy()]
    at = t["occurred_at"]
    value = time_text(at).to_numpy()
    return hits(
        ledger="accidents", row=t.index.to_numpy(), eid=t["eid"].to_numpy(), field="occurred_at", value=value,
        accident_on=day_text(bad["day"]).to_numpy(), limit=day_text(bad["limit"]).to_numpy(),
        kind=("的" + t["kind"].fillna("")).to_numpy(),
    )


def typical_accident_deadline(campaign: Campaign, day: pd.Timestamp) -> pd.Timestamp:
    """The last day of the education a typical accident of ``day`` asks for (TR006): 30 days after the later of
    the accident and the P1 end. TR006 is due, and its finding new in the reports, on that day."""
    return max(day, pd.Timestamp(campaign.phase("P1").end)) + pd.Timedelta(days=EDUCATION_DAYS)


def _typical_due(ctx: Context, found: pd.DataFrame) -> pd.Series:
    """TR006's ``arises``: the last day of the education (its period is the accident's day)."""
    due = {p: typical_accident_deadline(ctx.campaign, pd.Timestamp(p)) for p in found["period"].unique() if p}
    return found["period"].map(due)


@rule("TR006", WARNING, "E(3)", party=Party.ENTERPRISE, reads=("enterprises", "training"),
      title="未就典型事故开展警示教育",
      message="{accident_on}发生{accident}（{note}）后，该企业（{industry}）在{start}至{limit}期间无事故警示教育记录；"
              "方案 E(3) 要求对县内外发生的典型事故，通过安全例会、班组班前会通报事故情况，开展警示教育，吸取事故教训，"
              "并迅速组织排查整治本企业同类事故隐患；请组织警示教育并登记",
      obligation=Obligation(who="enterprises", when="typical_accidents"), arises=_typical_due)
def no_education_on_typical_accident(ctx: Context) -> pd.DataFrame:
    """规则说明：方案文件列出的每起典型事故（typical_accidents：日期、名称、涉及行业；默认 2023-04-18
    北京长峰医院重大火灾，所有行业；2023-06-21 银川富洋烧烤店燃气爆炸，燃气、食品卫生、文化旅游、消防），涉及行业的
    每家企业（涉及行业为空时为全部企业；企业名录行业领域空白的只在“全部行业”的事故中要求）须有一行类型为“事故警示教育”、
    日期不早于事故日期、不晚于 max(事故日期, 第一阶段最后一天) 之后第 30 天的培训与警示教育记录（两端都含）：专项行动
    开始前发生的事故，从第一阶段（动员部署）结束起算 30 天（默认至 2023-06-30），之后发生的从事故当日起算。一次警示教育
    可以同时覆盖几起事故（日期落在几起事故的期限内即都计入），不核对“主题”写的是哪起事故；参加人数不限（与 TR005 相同）。
    期限届满才核查：--as-of 早于期限最后一天时不报告。每家企业每起事故一条，期间为事故日期（YYYY-MM-DD），不指向某一行；
    周调度表、月小结、季通报按期限最后一天（而不是事故日期所在月的月底）计为新增发现；
    日期晚于 --as-of 的记录当时尚不存在，归属不到企业的记录不计入；日期填了但无法识别的事故警示教育记录（SCH002）
    可能正是期限内的那一次，有这样一行的企业本条暂不判断（改正日期重报后再核查）。本企业自己发生的事故见 TR005。

    依据：方案 E(3)“对县内外发生的典型事故，要通过安全例会、班组班前会通报事故情况，开展警示教育，吸取事故教训，
    并迅速组织排查整治本企业同类事故隐患。”

    违规示例：乙公司（燃气）在 2023-06-21 银川富洋烧烤店燃气爆炸后，到 2023-07-21 都没有事故警示教育记录。

    合规示例：乙公司 2023-06-28 开展事故警示教育，同时通报北京长峰医院火灾和银川烧烤店燃气爆炸（两起事故的期限
    分别至 2023-06-30 和 2023-07-21，一次教育覆盖两起）。
    """
    accidents = ctx.campaign.typical_accidents
    if not accidents:
        return no_hits()
    reg = ctx.registry
    edu = _training(ctx, ACCIDENT_EDUCATION)
    undated = _undated(ctx, ACCIDENT_EDUCATION)
    edu = pd.DataFrame({"eid": edu["eid"].astype("int64").to_numpy(), "on": edu["date"].to_numpy()})
    parts = []
    for a in accidents:  # the campaign's few typical accidents, not ledger rows
        day = pd.Timestamp(a.date)
        limit = typical_accident_deadline(ctx.campaign, day)
        if limit > ctx.as_of_ts:
            continue
        concerned = reg.index if not a.industries else reg.index[reg["industry"].isin(a.industries).to_numpy()]
        concerned = concerned[~np.isin(np.asarray(concerned, dtype=np.int64), undated)]
        if len(concerned) == 0:
            continue
        ok = set(edu.loc[(edu["on"] >= day) & (edu["on"] <= limit), "eid"])
        bad = concerned[~concerned.isin(ok)]
        if len(bad):
            parts.append(pd.DataFrame({
                "eid": bad.to_numpy(), "period": day.strftime("%Y-%m-%d"), "accident": a.name, "note": a.note or "典型事故",
                "accident_on": f"{day.year}年{day.month}月{day.day}日", "start": day.strftime("%Y-%m-%d"),
                "limit": limit.strftime("%Y-%m-%d"),
            }))
    if not parts:
        return no_hits()
    out = pd.concat(parts, ignore_index=True)
    return hits(ledger="training", eid=out["eid"].to_numpy(), period=out["period"].to_numpy(),
                accident=out["accident"].to_numpy(), note=out["note"].to_numpy(), accident_on=out["accident_on"].to_numpy(),
                start=out["start"].to_numpy(), limit=out["limit"].to_numpy(),
                industry=reg["industry"].reindex(out["eid"].to_numpy()).fillna("行业未填").to_numpy())
