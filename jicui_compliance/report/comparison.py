"""与上期对比 in the reports, and the report made from the store (``jicui report --store``).

The previous report of the same cadence is the report of the period that ends the day before this
report's period starts (上周、上月、上季度), rebuilt from the store: each unit's latest version received
by that day, checked as of that day. Its 提醒函 units decide this report's 督办函 (RULEBOOK §10).
A 年总结 covers the whole campaign from its first day: there is no previous one to compare with (the
previous year's campaign is another plan, in another store), and it proposes no 督办函.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis import Analysis, window_for
from ..analysis.comparison import NO_PREVIOUS, compare, week_changes
from ..analysis.rankings import NoPrevious
from ..campaign import Campaign
from ..resolution import unknown_village
from ..store import Store, StoreError
from .model import Section

PREVIOUS_WORD = {"week": "上周", "month": "上月", "quarter": "上季度"}
#: the 督办函 note of a report without a previous one: the first period in the store, and a 年总结
FIRST_PERIOD = "数据库中没有上期的报送，本期为第一期，不下达督办函"
NO_PREVIOUS_YEAR = "年总结覆盖整个专项行动，没有上期报告，不下达督办函"


@dataclass
class Comparison:
    """What a report compares with: the previous report's analysis (None on the first) and its label."""

    previous: Analysis | None
    label: str  # 上期报告期 and 数据截至, or why there is none
    letters: pd.DataFrame | None = None  # the previous report's letters (for the 督办函)
    tables: dict = field(default_factory=dict)


def add_comparison(b, comparison: Comparison) -> None:
    """The 与上期对比 section (second, after 基本情况); the 周调度 also gets 本周已整改 and 本周新增逾期."""
    word = PREVIOUS_WORD[b.cadence]
    t = b.table("与上期对比", f"与上期对比（{comparison.label}）", compare(b.a, comparison.previous),
                note=("上期为同一类报告的上一报告期：按数据库中截至上期最后一天收到的各单位最新报送版本、以该日为核查截止日重新核查所得。"
                      "履行率、整改率的变化以百分点计，为表中两期比率之差。表中的“核查发现”是截至各期报告日的全部核查发现（含以前各期的），"
                      "与正文中的“新增核查发现”（记录日期或所属期间在本期内的发现）口径不同。"))
    paragraphs = [] if comparison.previous is not None else [
        f"{NO_PREVIOUS}：数据库中没有{word}（{comparison.label}）的报送，本期为第一期。"]
    items = [t]
    if b.cadence == "week":
        fixed, newly = week_changes(b.a, comparison.previous)
        items.append(b.table("本周已整改隐患", f"与{word}相比已完成整改的隐患", fixed,
                             note="上周报告中未整改、本周报告中已有整改完成日期的隐患（重大和一般都在内；按企业和隐患编号配对）。"))
        items.append(b.table("本周新增逾期隐患", f"与{word}相比新增逾期的隐患", newly,
                             note="上周报告中未逾期（或尚未登记）、截至本周报告日已过整改期限仍未整改的隐患（重大和一般都在内）。"))
    b.sections.insert(0, Section("与上期对比", paragraphs, items))


def previous_comparison(store: Store, cadence: str, as_of: dt.date, campaign: Campaign,
                        village: str | None = None) -> Comparison | None:
    """The previous report of ``cadence`` before the one ending on ``as_of``, rebuilt from the store; None for
    a 年总结, which has no previous one."""
    if cadence == "year":
        return None
    window = window_for(cadence, as_of, campaign)
    end = window.start - dt.timedelta(days=1)
    versions = store.state_versions(received=end)
    prev_window = window_for(cadence, end, campaign)
    label = f"上期报告期 {prev_window.label}，数据截至 {end.year}年{end.month}月{end.day}日"
    if versions.empty:
        return Comparison(None, label)
    result = store.check_state(versions, as_of=end, campaign=campaign)
    if village and village not in set(result.context.registry["village"].dropna()):
        return Comparison(None, label)
    previous = Analysis(result, village=village)
    return Comparison(previous, label, previous.letters())


def write_stored_report(store_path: Path, cadence: str, out: Path, *, as_of: dt.date | None = None,
                        version: int | None = None, village: str | None = None,
                        campaign: Campaign | None = None) -> tuple[list[Path], dt.date, Comparison | None]:
    """The report of ``cadence`` from the store: the latest version of each unit received by ``as_of`` (or
    with an id up to ``version``), with 与上期对比 and the 督办函 decided from the previous report (a 年总结:
    neither, and no comparison is returned)."""
    from ..campaign import load_campaign
    from . import ReportError, cadence_of, write_report

    cadence = cadence_of(cadence)
    campaign = campaign or load_campaign()
    with Store.open(store_path) as store:
        versions = store.state_versions(version_id=version, received=as_of)
        if versions.empty:
            raise StoreError("数据库中没有符合条件的报送版本" + (f"（收到日期不晚于 {as_of}）" if as_of else ""))
        if as_of is None:
            as_of = campaign.default_as_of(pd.Timestamp(versions["received"].max()).date())
        result = store.check_state(versions, as_of=as_of, campaign=campaign)
        if village is not None and (unknown := unknown_village(village, result.context.registry, campaign)):
            raise ReportError(unknown)
        comparison = previous_comparison(store, cadence, as_of, campaign, village)
    # no previous report in the store: nobody had a 提醒函 before, so nobody gets a 督办函 yet
    previous_letters: pd.DataFrame | NoPrevious | None = (
        NoPrevious(NO_PREVIOUS_YEAR) if comparison is None else NoPrevious(FIRST_PERIOD)
        if comparison.previous is None else comparison.letters)
    written = write_report(result, cadence, out, village=village, previous_letters=previous_letters,
                           comparison=comparison)
    return written, as_of, comparison
