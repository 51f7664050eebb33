"""EQ: welding and cutting equipment checked, none used while faulty or retired (方案 E(11), v2).

The 电气焊设备检查台账 holds one row per check of one piece of equipment (设备编号, unique
within an enterprise after folding: ``hj-01`` and ``HJ-01`` are the same equipment). A check
dated after as-of has not happened yet at as-of. "The latest check on or before a day" is the
check with the latest date; several checks of one piece on one day count in reading order
(files by path, sheets in workbook order, rows top to bottom), the one listed last being the
latest.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from ..ledgers.enforcement import hazard_key
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, shared, time_text
from .hot_work import _permits, numbers_listed, welding_or_unknown

LEDGER = "welding_equipment"
PHASE: Final = "P2"  # E(11) belongs to the enterprises' self-inspection, due by the end of P2
PASSED, FAILED, RETIRED = "合格", "不合格", "淘汰"
_E11 = "方案 E(11)：组织对电气焊设备进行全面安全检查，严禁带病作业，不得使用淘汰或危及安全的电气焊设备"


@shared
def _checks(ctx: Context) -> pd.DataFrame:
    """Checks of registry enterprises that exist at as-of, in reading order, with ``eid`` as int64
    and ``order`` (the position in reading order, to break ties of one day)."""
    df = ctx.frame(LEDGER)
    keep = (df["eid"].notna() & df["equipment_no"].notna() & df["checked_on"].notna()
            & (df["checked_on"] <= ctx.as_of_ts))
    d = df.loc[keep.to_numpy(dtype=bool)]
    return d.assign(eid=d["eid"].astype("int64"), order=np.arange(len(d)))


def _undated_equipment(ctx: Context) -> pd.MultiIndex:
    """(eid, number as :func:`~jicui_compliance.ledgers.enforcement.hazard_key` compares numbers) of the devices with a check whose date was filled but could not be read
    (SCH002): EQ002 does not judge a permit using one of them (the check may be the one before the work)."""
    df = ctx.frame(LEDGER)
    sel = (ctx.unreadable(df, LEDGER, "checked_on") & df["eid"].notna() & df["equipment_no"].notna()).to_numpy(dtype=bool)
    d = df.loc[sel]
    return pd.MultiIndex.from_arrays([d["eid"].to_numpy(dtype=np.int64), hazard_key(d["equipment_no"]).to_numpy(dtype=object)])


def _welding_permits(ctx: Context) -> pd.DataFrame:
    """EQ001: the permits of the campaign for welding or cutting (or a 动火方式 that cannot rule it out) that exist at
    as-of: ``eid`` (int64), ``start``, ``permit_no``."""
    camp = ctx.campaign
    d = _permits(ctx)
    d = d.loc[(welding_or_unknown(ctx, d) & (d["start"] >= pd.Timestamp(camp.start))
               & (d["start"] < pd.Timestamp(camp.end) + pd.Timedelta(days=1))).to_numpy(dtype=bool), ["eid", "start", "permit_no"]]
    return d.assign(eid=d["eid"].astype("int64"))


def _first_welding(ctx: Context, found: pd.DataFrame) -> pd.Series:
    """EQ001's ``arises``: the day of the enterprise's first welding permit that needs the check, or the P2 end if
    that permit was earlier (the check is due by then)."""
    first = _welding_permits(ctx).groupby("eid")["start"].min().dt.normalize()
    p2_end = pd.Timestamp(ctx.campaign.phase(PHASE).end)
    return found["eid"].map(first.where(first > p2_end, p2_end))


@rule("EQ001", ERROR, "E(11)", party=Party.ENTERPRISE, reads=("enterprises", "hot_work", "welding_equipment"),
      title="有电气焊作业但未检查电气焊设备",
      message="{period_text}前没有电气焊设备检查记录，而本企业专项行动期间有{count}张电焊、气焊或切割动火作业票"
              "（最早一张{first_permit}，{first_start}）；" + _E11 + "，请逐台检查并在电气焊设备检查台账中记录检查结果",
      obligation=Obligation(who="with:hot_work", when=PHASE, ledger="welding_equipment"), arises=_first_welding)
def welding_equipment_not_checked(ctx: Context) -> pd.DataFrame:
    """规则说明：企业在专项行动期间（方案文件的开始日至核查截止日，默认 2023-05-01 起）有电焊、气焊、气割或等离子切割的
    动火作业票（“动火方式”为这四种之一；该格空白、无法识别或工作表没有“动火方式”列的，不能排除是焊接或切割，同样计入；
    砂轮、喷灯、电钻、其他不计），而电气焊设备检查台账中没有一条该企业的检查记录日期在专项行动当年 1 月 1 日至第二阶段
    最后一天（默认 2023-07-31，当天仍合规）之间。“专项行动当年”是方案文件开始日所在的年份：跨年的专项行动
    （如 2023-10-01 至 2024-06-30，第二阶段 2023-11-01 至 2024-01-31）从 2023-01-01 起算，第二阶段内 2023 年
    12 月的检查同样计入。检查结果不论合格与否都算做了检查（不合格的处置见 EQ003）。
    第二阶段结束后核查（--as-of 早于第二阶段最后一天时不报告）；第二阶段之后才开始电气焊作业的企业，同样要求第二阶段
    结束前已检查（方案要求的是全面检查，在第二阶段自查自改中完成）。每家企业一条，期间为 P2。检查日期填了但无法识别的
    记录（SCH002，如不写年份的“7月5日”）可能正是期限内的那一次：有这样一行的企业本条暂不判断，改正日期重报后再核查。

    依据：方案三(一)3(11)：“组织对电气焊设备进行全面安全检查，严禁带病作业，不得使用淘汰或危及安全的电气焊设备。”；
    方案 四(二)“企业自查自改和部门帮扶（2023年7月底前）。”

    违规示例：丙公司 2023-06-20 有一张“动火方式”为电焊的作业票，电气焊设备检查台账中只有 2023-08-02 的检查记录。

    合规示例：丙公司 2023-07-31 检查了交流电焊机 HJ-01（不合格也算检查过）；或丙公司的作业票“动火方式”都是砂轮。
    """
    if not ctx.phase_due(PHASE):
        return no_hits()
    camp = ctx.campaign
    limit = pd.Timestamp(camp.phase(PHASE).end)
    d = _welding_permits(ctx)
    if d.empty:
        return no_hits()
    checks = _checks(ctx)
    # the campaign year begins on 1 January of the campaign's start, not of the P2 end (P2 may cross New Year)
    in_time = (checks["checked_on"] >= pd.Timestamp(camp.year_start)) & (checks["checked_on"] <= limit)
    covered = pd.DataFrame({"eid": checks.loc[in_time, "eid"], "period": PHASE})
    welders = pd.Index(d["eid"].astype("int64").unique())
    undated = ctx.undated_eids(ctx.frame(LEDGER), LEDGER, "checked_on")  # a check that may be in time
    gaps = ctx.coverage_gaps([camp.phase_period(PHASE)], covered, eids=welders, undated=undated)
    if gaps.empty:
        return no_hits()
    eid = gaps["eid"].astype("int64").to_numpy()
    d = d[d["eid"].isin(eid).to_numpy()]  # the permits of the enterprises reported
    first = d.sort_values("start", kind="mergesort").groupby("eid")
    count, earliest = first.size(), first.head(1).set_index("eid")
    return hits(ledger=LEDGER, eid=gaps["eid"].to_numpy(), period=gaps["period"].to_numpy(),
                count=count.reindex(eid).to_numpy(),
                first_permit=earliest["permit_no"].reindex(eid).fillna("").to_numpy(),
                first_start=time_text(earliest["start"].reindex(eid)).to_numpy())


@rule("EQ002", ERROR, "E(11)", party=Party.ENTERPRISE, reads=("enterprises", "hot_work", "welding_equipment"),
      title="动火使用未经检查合格的电气焊设备",
      message="动火作业票{permit_no}（{level}，{start}开始，动火人{worker}）使用的设备{equipment_no}{detail}；"
              + _E11 + "，请停止使用该设备，检查合格后方可动火",
      obligation=Obligation(when="records", ledger="hot_work", date="start"))
def faulty_equipment_used(ctx: Context) -> pd.DataFrame:
    """规则说明：动火作业票填了“设备编号”的，在同一企业的电气焊设备检查台账中找该编号（统一全角半角、去空格、
    字母不分大小写）在动火开始当天及之前最近的一次检查：结论为“不合格”或“淘汰”的，报告（带病或使用淘汰设备作业）；
    当天及之前没有这台设备的任何检查记录的（台账中没有这个编号，或它的检查都在动火之后），也报告（不能证明设备
    检查合格）。动火当天检查合格的视为合格；同一天检查多次的，以台账中排在最后的一次为准。
    一格写了几个设备编号的（以 、 ， ； 或“或”分隔，如气割用的气瓶和割炬“QP-01、GJ-01”），每台设备分别核查，消息写明
    第一台不符合的设备。设备编号本身可能含“/”（如“HJ/01”），故只有“/”分出的每一段都是本企业检查台账中的编号时才按
    “/”分开（“QP-01/GJ-01”），否则按写的原样作为一个编号。作业票没有填设备编号、或工作表没有“设备编号”列的，不判断（有电气焊作业而完全没有设备检查的，由 EQ001 报告）。
    设备编号指向电气焊设备检查台账，故不论“动火方式”为何，填了编号就核查。开始时间晚于核查截止日的作业票不核查。
    这台设备有检查日期填了但无法识别的记录（SCH002，如不写年份的“6月20日”）的，那次检查可能正在动火之前，不判断。

    依据：方案三(一)3(11)：“组织对电气焊设备进行全面安全检查，严禁带病作业，不得使用淘汰或危及安全的电气焊设备。”

    违规示例：2023-07-20 动火使用焊机 HJ-02，该焊机 2023-07-01 检查不合格，之后没有复查；或 HJ-03 在台账中没有检查记录；
    或设备编号“QP-01、GJ-02”，其中 GJ-02 没有检查记录。

    合规示例：HJ-02 在 2023-07-01 检查不合格、2023-07-15 复查合格，2023-07-20 动火使用；或气割作业票设备编号
    “QP-01、GJ-01”，两台设备在动火前都检查合格。
    """
    d = _permits(ctx)
    d = d.loc[d["equipment_no"].notna().to_numpy(dtype=bool), ["eid", "equipment_no", "start", "permit_no", "level", "worker"]]
    if d.empty:
        return no_hits()
    checks = _checks(ctx)
    left = pd.DataFrame({"_row": d.index, "eid": d["eid"].astype("int64").to_numpy(),
                         "equipment_no": d["equipment_no"].astype(object).to_numpy(),
                         "day": d["start"].dt.normalize().to_numpy()})
    # each number the cell lists (QP-01、GJ-01: a cylinder and a torch; HJ/01 one number when it is one of the
    # register), a cell that is itself a checked number as one; only the cells holding a separator are split
    at, numbers = numbers_listed(left["eid"].to_numpy(), left["equipment_no"].to_numpy(),
                                 checks["eid"].to_numpy(), checks["equipment_no"].astype(object).to_numpy(), at_least_one=True)
    left = left.assign(_order=np.arange(len(left)))
    if len(at) != len(left):  # some cell lists several
        left = left.take(at)
    left = left.assign(equipment_no=numbers).sort_values("day", kind="mergesort")
    right = pd.DataFrame({"eid": checks["eid"].to_numpy(), "equipment_no": checks["equipment_no"].astype(object).to_numpy(),
                          "checked_on": checks["checked_on"].to_numpy(), "result": checks["result"].astype(object).to_numpy(),
                          "order": checks["order"].to_numpy()}).sort_values(["checked_on", "order"], kind="mergesort")
    # the same key dtypes on both sides (pandas infers str for a column of strings, object for an empty one)
    left["equipment_no"] = left["equipment_no"].astype(object)
    right["equipment_no"] = right["equipment_no"].astype(object)
    right["eid"] = right["eid"].astype("int64")
    latest = pd.merge_asof(left, right, left_on="day", right_on="checked_on", by=["eid", "equipment_no"],
                           direction="backward", allow_exact_matches=True)
    bad = latest[latest["result"].isna() | latest["result"].isin([FAILED, RETIRED])]
    undated = _undated_equipment(ctx)
    if len(undated) and len(bad):  # a check of the device whose date could not be read may be the one before the work
        key = pd.MultiIndex.from_arrays([bad["eid"].to_numpy(dtype=np.int64),
                                         hazard_key(pd.Series(bad["equipment_no"].to_numpy(dtype=object))).to_numpy(dtype=object)])
        bad = bad[~key.isin(undated)]
    bad = bad.sort_values("_order", kind="mergesort").drop_duplicates("_row")  # a permit's first faulty number
    if bad.empty:
        return no_hits()
    ever = right[["eid", "equipment_no"]].drop_duplicates().assign(_known=True)
    known = bad[["eid", "equipment_no"]].merge(ever, how="left", on=["eid", "equipment_no"])["_known"]
    known = known.fillna(False).to_numpy(dtype=bool)
    on = day_text(bad["checked_on"])
    detail = np.select(
        [bad["result"].eq(FAILED).to_numpy(), bad["result"].eq(RETIRED).to_numpy(), known],
        [
            ("在动火前最近一次检查（" + on + "）结论为不合格，之后至动火时没有复查合格的记录，属带病作业").to_numpy(),
            ("已于 " + on + " 检查判定淘汰，不得再使用").to_numpy(),
            "在动火当天及之前没有检查记录（电气焊设备检查台账中这台设备的检查都在动火之后）",
        ],
        default="不在本企业电气焊设备检查台账中，无法证明检查合格",
    )
    v = d.loc[bad["_row"].to_numpy()]
    return hits(ledger="hot_work", row=v.index, field="equipment_no", value=v["equipment_no"].to_numpy(),
                equipment_no=bad["equipment_no"].to_numpy(), detail=detail,
                permit_no=v["permit_no"].fillna("").to_numpy(), level=v["level"].fillna("").to_numpy(),
                start=time_text(v["start"]).to_numpy(), worker=v["worker"].fillna("").to_numpy())


@rule("EQ003", WARNING, "E(11)", party=Party.ENTERPRISE, reads=("enterprises", "welding_equipment"),
      title="检查不合格的电气焊设备未处置",
      message="设备{equipment_no}（{kind}）{checked_on}检查不合格，至核查截止日 {as_of}（已 {days} 天）没有复查合格或淘汰的记录"
              "{action_note}；" + _E11 + "，请维修后复查合格，或报废淘汰，并在台账中记录",
      obligation=Obligation(who="with:welding_equipment", when="as_of", ledger="welding_equipment"))
def faulty_equipment_not_disposed(ctx: Context) -> pd.DataFrame:
    """规则说明：一台设备（同一企业、同一设备编号）在核查截止日及之前最近的一次检查结论为“不合格”，即检查不合格之后
    没有更晚的“合格”（修复复查）或“淘汰”（报废）记录，在这次不合格检查的行上报告，每台设备一条。同一天检查多次的，
    以台账中排在最后的一次为准。检查日期晚于核查截止日的记录在截止日尚未发生，不计。不合格当天即提示（方案要求
    “严禁带病作业”，未处置前不给宽限期），故为警告；设备在此期间被用于动火的，由 EQ002 报告。

    依据：方案三(一)3(11)：“组织对电气焊设备进行全面安全检查，严禁带病作业，不得使用淘汰或危及安全的电气焊设备。”

    违规示例：交流电焊机 HJ-02 在 2023-07-01 检查不合格（“处理情况”写“待维修”），之后没有记录。

    合规示例：HJ-02 在 2023-07-01 检查不合格，2023-07-15 复查合格；或 2023-07-10 判定淘汰。
    """
    checks = _checks(ctx)
    if checks.empty:
        return no_hits()
    last = checks.sort_values(["checked_on", "order"], kind="mergesort").drop_duplicates(["eid", "equipment_no"], keep="last")
    last = last[last["result"].eq(FAILED).fillna(False).to_numpy(dtype=bool)]
    if last.empty:
        return no_hits()
    kind = last["kind"].fillna("设备名称未填")
    action = np.where(last["action"].notna(), "（处理情况：" + last["action"].fillna("") + "）", "")
    return hits(ledger=LEDGER, row=last.index, field="result", value=FAILED,
                equipment_no=last["equipment_no"].to_numpy(), kind=kind.to_numpy(),
                checked_on=day_text(last["checked_on"]).to_numpy(), as_of=ctx.as_of.isoformat(),
                days=(ctx.as_of_ts - last["checked_on"]).dt.days.to_numpy(), action_note=action)
