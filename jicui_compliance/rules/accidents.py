"""AC: accidents reported within one hour, to the county bureau and to the town (方案 E(2)).

Shared readings (RULEBOOK §2, §8), applied by both AC rules:

* The as-of date means the records as they stood at the end of that day: an accident
  that occurred after as-of does not exist yet, and a report time after as-of was not yet
  written (the accident was not reported at as-of).
* The hour to the county bureau is counted from 单位负责人接报时间 where it is filled (v2;
  条例 第9条), else from 事故发生时间; the hour to the town always from 事故发生时间.
  Exactly 60 minutes is in time, 61 minutes is late. A date without a time is 00:00
  (RULEBOOK §8).
* An unreported accident is judged only once its hour has run out before the end of the
  as-of day (an accident at 23:30 on the as-of day is not yet late).
* A report time before the accident cannot prove a report within the hour and is a finding.
* A sheet without the report column gives no finding for its rows (RULEBOOK §8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import ERROR, Obligation, Party, hits, no_hits, rule
from .context import Context

LEDGER = "accidents"
LIMIT = pd.Timedelta(hours=1)




def _head_informed(a: pd.DataFrame, from_head: bool) -> pd.Series:
    """When the unit's head was informed, where ``from_head``, recorded and not before the accident; else NaT."""
    if not from_head or "head_informed_at" not in a:
        return pd.Series(pd.NaT, index=a.index, dtype=a["occurred_at"].dtype)
    return a["head_informed_at"].where(a["head_informed_at"] >= a["occurred_at"])


def hour_starts(a: pd.DataFrame, from_head: bool) -> pd.Series:
    """When the hour to report each accident starts: at the accident, or (``from_head``) when the unit's head
    was informed, where that time is recorded and not before the accident (the reports time it so too)."""
    return _head_informed(a, from_head).fillna(a["occurred_at"])


def _minute(s: pd.Series) -> np.ndarray:
    return s.dt.strftime("%Y-%m-%d %H:%M").fillna("").to_numpy()


def _late_reports(ctx: Context, field: str, whom: str, from_head: bool = False) -> pd.DataFrame:
    """Accidents not reported to ``whom`` (column ``field``) within one hour, as of the end of as-of.
    The hour starts at the accident, or (``from_head``) when the unit's head was informed, where
    that time is recorded and not before the accident."""
    a = ctx.frame(LEDGER)
    end = ctx.as_of_ts + pd.Timedelta(days=1)  # the end of the as-of day
    a = a.loc[a["eid"].notna() & a["occurred_at"].notna() & (a["occurred_at"] < end) & ctx.has_column(a, field)]
    if a.empty:
        return no_hits()
    occurred, written = a["occurred_at"], a[field]
    informed = _head_informed(a, from_head)
    by_head = informed.notna()
    start = informed.fillna(occurred)
    reported = written.where(written < end)
    delay = reported - start
    # a report time written but not readable (SCH002) is not “no report”: nothing is known of it
    missing = reported.isna() & (start + LIMIT < end) & ~ctx.unreadable(a, LEDGER, field)
    late = (delay > LIMIT).fillna(False).astype(bool)
    early = (reported < occurred).fillna(False).astype(bool)
    bad = missing | late | early
    if not bad.any():
        return no_hits()
    a, delay, start, by_head = a.loc[bad], delay.loc[bad], start.loc[bad], by_head.loc[bad].to_numpy(dtype=bool)
    missing, late, early = missing.loc[bad], late.loc[bad], early.loc[bad]
    minutes = (delay.dt.total_seconds() // 60).astype("Int64")
    hours_text = (minutes // 60).astype("string") + "小时" + (minutes % 60).astype("string") + "分钟"
    shown = pd.Series(_minute(a[field]), index=a.index)
    since = pd.Series(np.where(by_head, "单位负责人接报（" + pd.Series(_minute(start), index=a.index) + "）", "事故发生"),
                      index=a.index)
    # a report time of 00:00 is most likely a date without its time (RULEBOOK §8 reads it as 00:00): say so
    at_midnight = (a[field].dt.hour == 0) & (a[field].dt.minute == 0)
    early_why = np.where(at_midnight.to_numpy(dtype=bool), "（只填了日期的按0时计，请补填报告时刻）", "，请核对更正")
    detail = np.select(
        [early.to_numpy(), late.to_numpy(), (missing & written.loc[a.index].notna()).to_numpy()],
        [
            ("报告" + whom + "时间" + shown + "早于事故发生时间，无法证明1小时内报告" + early_why).to_numpy(),
            (shown + "才报告" + whom + "，距" + since + hours_text.fillna("") + "，超过1小时").to_numpy(),
            ("截至" + ctx.as_of.strftime("%Y-%m-%d") + "未报告" + whom + "（所填报告时间" + shown + "晚于核查日）").to_numpy(),
        ],
        default="未报告" + whom,
    )
    kind = a["kind"].fillna("").str.replace(r"事故$", "", regex=True)  # 物体打击事故 → 物体打击
    return hits(ledger=LEDGER, row=a.index.to_numpy(), field=field, value=_minute(a[field]),
                occurred_at=_minute(a["occurred_at"]), kind=kind.to_numpy(), detail=detail)


def _hour_out(field: str, from_head: bool = False):
    """An AC rule's ``arises``: the day its hour ran out (an accident at 23:30 not reported is late from the next
    day on); a report written before the accident is a finding from the accident's day."""
    def arises(ctx: Context, found: pd.DataFrame) -> pd.Series:
        a = ctx.found_rows(found, LEDGER)
        early = (a[field] < a["occurred_at"]).fillna(False).astype(bool)
        return found["row"].map((hour_starts(a, from_head) + LIMIT).where(~early))
    return arises


@rule("AC001", ERROR, "E(2); EXT: 生产安全事故报告和调查处理条例 第9条", party=Party.ENTERPRISE, reads=("accidents",),
      title="事故未在1小时内报告县应急管理局",
      message="{occurred_at}发生的{kind}事故，{detail}；单位负责人接到事故报告后须在1小时内报告县应急管理局"
              "（方案 E(2)：第一时间向县应急管理局报告；生产安全事故报告和调查处理条例 第9条：单位负责人接到报告后1小时内报告）",
      obligation=Obligation(when="records", ledger="accidents", date="occurred_at"),
      arises=_hour_out("county_at", from_head=True))
def county_report_late(ctx: Context) -> pd.DataFrame:
    """规则说明：每起生产安全事故，单位负责人接到报告后须在 1 小时内报告县应急管理局，以“报告县应急管理局时间”为凭。
    1 小时从“单位负责人接报时间”起算（条例第九条）；该列没有、或该格为空的，从事故发生时间起算（最严格的口径）；
    接报时间早于事故发生时间的不可能成立（常见于只填了日期，读作 0 时），同样从事故发生时间起算。
    报告时间为空、晚于起算时间 1 小时以上（恰好 60 分钟合规，61 分钟即报告）、或早于事故发生时间（无法证明
    按时报告，常见于只填了日期）的，报告；消息写明从何时起算。核查日（--as-of）之后发生的事故不核查；报告时间
    晚于核查日的，视为核查日当时尚未报告；尚未报告的事故，只有其 1 小时时限在核查日结束前已满才报告（核查日
    23:30 接报的事故当日不报）。只填日期的时间按 0 时计；“9时50分许”“9时50分左右”按所写时刻计；“下午3时20分”“晚上8时”“2023/8/7 下午 03:20:00”按 12 小时制换算（15:20、20:00），“上午12时”这样说不清的时刻按无法识别报告。报告时间填了
    但无法识别的（如“已报告”“10:30”、不写年份的“7月21日9:50”），只报一次 SCH002，不认定为未报告。工作表整列没有“报告县应急管理局时间”时，
    该表各行不报告。

    依据：方案 三(一)1(2)（E(2)）：“发生生产安全事故在第一时间向县应急管理局和县负有安全生产监督管理职责的有关
    部门报告同时，要向镇政府报告。镇政府接到事故报告后将第一时间报县政府值班室。”；《生产安全事故报告和调查处理
    条例》第九条：“事故发生后，事故现场有关人员应当立即向本单位负责人报告；单位负责人接到报告后，应当于1小时内
    向事故发生地县级以上人民政府安全生产监督管理部门和负有安全生产监督管理职责的有关部门报告。”

    违规示例：事故发生时间 2023-08-10 14:00，接报时间空白，报告县应急管理局时间 2023-08-10 15:01（61 分钟）；
    或接报时间 14:30，报告时间 15:31；或报告时间空白。

    合规示例：事故发生时间 2023-08-10 14:00，报告县应急管理局时间 2023-08-10 15:00（恰好 1 小时）；
    或事故 14:00 发生、单位负责人 14:40 接报、15:30 报告县应急管理局（接报后 50 分钟）。
    """
    return _late_reports(ctx, "county_at", "县应急管理局", from_head=True)


@rule("AC002", ERROR, "E(2)", party=Party.ENTERPRISE, reads=("accidents",), title="事故未在1小时内报告镇政府",
      message="{occurred_at}发生的{kind}事故，{detail}；向县应急管理局报告的同时须报告镇政府"
              "（方案 E(2)：报告县应急管理局等部门同时，要向镇政府报告）",
      obligation=Obligation(when="records", ledger="accidents", date="occurred_at"), arises=_hour_out("town_at"))
def town_report_late(ctx: Context) -> pd.DataFrame:
    """规则说明：每起生产安全事故须在报告县应急管理局的同时报告镇政府，以“报告镇政府时间”为凭；“同时”按与
    县报告相同的 1 小时时限核查。报告时间为空、晚于事故发生时间 1 小时以上（恰好 60 分钟合规，
    61 分钟即报告）、或早于事故发生时间（无法证明按时报告，常见于只填了日期）的，报告。1 小时从事故发生时间起算。
    核查日（--as-of）之后发生的事故不核查；报告时间晚于核查日的，视为核查日当时尚未报告；尚未报告的事故，只有其
    1 小时时限在核查日结束前已满才报告。只填日期的时间按 0 时计；“10时30分许”“左右”按所写时刻计。报告时间
    填了但无法识别的（如“已报告”“10:30”、不写年份的“7月21日9:50”），只报一次 SCH002，不认定为未报告。工作表整列没有“报告镇政府时间”
    时，该表各行不报告。

    依据：方案 三(一)1(2)（E(2)）：“发生生产安全事故在第一时间向县应急管理局和县负有安全生产监督管理职责的有关
    部门报告同时，要向镇政府报告。镇政府接到事故报告后将第一时间报县政府值班室。”

    违规示例：事故发生时间 2023-08-10 14:00，报告镇政府时间 2023-08-10 16:30；或报告镇政府时间空白。

    合规示例：事故发生时间 2023-08-10 14:00，报告镇政府时间 2023-08-10 14:40。
    """
    return _late_reports(ctx, "town_at", "镇政府")
