"""Reports on a small submission whose hazard figures were counted by hand: amounts in 万元, the deadline day,
隐患等级 重大 / 一般, hazards as they stood at as-of, and a month that has ended."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from jicui_compliance.analysis import Analysis
from jicui_compliance.check import run_check
from jicui_compliance.report import build_report, charts
from jicui_compliance.report.workbook import write_workbook

from .rules.runner import write_case
from .test_report import _capture_figures

NOV_END, NOV_29 = dt.date(2023, 11, 30), dt.date(2023, 11, 29)
BASE = dict(immediate="否", owner="a", measures="b", contingency="有", posted="是")
SIGNED = dict(hazards_found=0, signed="是")

# at 2023-11-30: H1 not overdue (its deadline is that day); H2 一般, done 11-18, verified only on 12-05;
# H3 (level empty = 重大) and H4 (一般) overdue; H5 done only on 12-03. Funds 2.5 + 15.3 = 17.8 万元.
CASE = {
    "hazards": [
        {"enterprise": "甲公司", "hazard_no": "H1", "description": "配电箱未接地", "found_on": "2023-11-03", "source": "企业自查",
         "deadline": "2023-11-30", "funds": 2.5, "status": "整改中", "level": "重大", **BASE},
        {"enterprise": "乙公司", "hazard_no": "H2", "description": "疏散通道堵塞", "found_on": "2023-11-05", "source": "部门检查",
         "deadline": "2023-11-20", "funds": 15.3, "done_on": "2023-11-18", "verifier": "验收人甲",
         "verified_on": "2023-12-05", "status": "已销号", "level": "一般", **BASE},
        {"enterprise": "丙公司", "hazard_no": "H3", "description": "高大模板支撑未按方案搭设", "found_on": "2023-08-01",
         "source": "部门检查", "deadline": "2023-08-31", "status": "整改中", **BASE},
        {"enterprise": "丁公司", "hazard_no": "H4", "description": "游乐设施护栏松动", "found_on": "2023-09-01",
         "source": "企业自查", "deadline": "2023-09-30", "status": "整改中", "level": "一般", **BASE},
        {"enterprise": "甲公司", "hazard_no": "H5", "description": "消防通道堵塞", "found_on": "2023-11-10", "source": "企业自查",
         "deadline": "2023-12-10", "done_on": "2023-12-03", "verifier": "验收人乙", "verified_on": "2023-12-04",
         "status": "已销号", "level": "重大", **BASE},
    ],
    "head_inspections": [{"enterprise": "甲公司", "date": "2023-11-05", "leader": "张三", **SIGNED}],
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report_hazards") / "报送"
    folder.mkdir()
    write_case(CASE, folder)
    return {d: run_check([folder], as_of=d) for d in (NOV_29, NOV_END)}


def _text(report) -> str:
    return "".join(report.narrative)


def test_amounts_in_wan_keep_their_decimals_in_every_format(built, tmp_path):
    # the module's year summary (built): writing a workbook only reads the report (a Table caches its columns'
    # kinds, as display() does)
    report = built("year", NOV_END)
    assert report.facts.hz_funds.text == "17.8万元"
    t = report.tables["按期整改"]
    header, rows = t.display()  # the cells of the HTML and Word tables
    assert rows[0][header.index("整改资金投入（万元）")] == "17.80"
    write_workbook(report, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["按期整改"]
    head = [c.value for c in ws[2]]  # row 1 holds the table's note
    cell = ws.cell(3, head.index("整改资金投入（万元）") + 1)
    assert cell.value == pytest.approx(17.8) and cell.number_format == "#,##0.00"


def test_whole_yuan_stay_whole():
    import pandas as pd

    from jicui_compliance.report.model import Table

    t = Table.of("罚款", "罚款", pd.DataFrame({"企业罚款（元）": [20000.0], "整改资金(万元)": [1234.5]}))
    assert t.display()[1][0] == ["20,000", "1,234.50"]


def test_overdue_is_past_the_deadline_day_in_every_figure(built):
    f = built("year", NOV_END).facts
    # H3, H4 past their deadline and open; H1's deadline is the as-of day itself: still in time (HZ005)
    assert f.hz_overdue_total.value == 2 and f.hz_late_open.value == 2
    assert (f.hz_due.value, f.hz_ontime.value) == (3, 1)  # H2, H3, H4 past their deadline; H2 done on time
    month = built("month", NOV_END)
    assert month.facts.hz_overdue.value == 2
    assert set(month.tables["逾期未整改隐患"].frame["隐患编号"]) == {"H3", "H4"}


@pytest.mark.parametrize("cadence", ["week", "month", "quarter", "year"])
def test_what_says_major_hazards_counts_only_major_ones(built, cadence):
    report = built(cadence, NOV_END)
    level = {c["hazard_no"]: c.get("level", "重大") for c in CASE["hazards"]}
    for t in report.tables.values():
        if "重大事故隐患" in t.title and "隐患编号" in t.frame:
            assert {level[n] for n in t.frame["隐患编号"]} <= {"重大"}, t.title
    hazard_tables = {"隐患整改（总体）", "隐患整改（按村）", "隐患整改（按站所）", "隐患整改（按行业）", "按期整改",
                     "隐患动态（按村）"}
    for name in hazard_tables & set(report.tables):  # counts of every level
        assert "重大事故隐患" not in report.tables[name].title, name
    text = _text(report)
    assert "新发现重大事故隐患" not in text
    if cadence in ("month", "quarter"):
        assert f"{'本月' if cadence == 'month' else '本季度'}新发现隐患3项" in text  # H1, H2 (一般), H5


def test_hazard_flow_chart_is_of_every_level(results, monkeypatch):
    figures = _capture_figures(monkeypatch)
    charts.hazard_flow(Analysis(results[NOV_END]).hazard_flow())
    title = figures[0].axes[0].get_title()
    assert "隐患发现" in title and "重大事故隐患" not in title


def test_listings_show_hazards_as_they_stood_at_as_of(built):
    report = built("month", NOV_END)
    new = report.tables["本月新发现隐患"].frame.set_index("隐患编号")
    # H2 done 11-18 but verified only on 12-05: 已整改 at 11-30; H5 done only on 12-03: 整改中, no 整改完成日期
    assert new.loc["H2", "状态"] == "已整改" and new.loc["H1", "状态"] == "整改中"
    assert new.loc["H5", "状态"] == "整改中" and new["整改完成日期"].isna()["H5"]
    moved = report.tables["本月整改销号隐患"].frame.set_index("隐患编号")
    assert list(moved.index) == ["H2"]
    assert moved["验收日期"].isna()["H2"] and moved["验收人"].isna()["H2"]


def test_month_ended_asks_to_make_up_the_missing_inspections(built):
    ended = _text(built("month", NOV_END))
    assert "月底前" not in ended
    assert "督促2023年11月未由主要负责人带队检查的3家企业（当月已结束，已逾期）补报当月检查记录" in ended
    assert "下月按时完成带队检查" in ended
    running = _text(built("month", NOV_29))
    assert "在月底前完成带队检查" in running and "已逾期" not in running


def test_a_month_not_yet_ended_is_no_problem_yet(built):
    """Mid-month the month's head-led inspections are not yet due (RULEBOOK §2: pending, no finding): the 存在问题 do
    not list the enterprises still without one, as they do once the month has ended."""
    def problems(day):
        report = built("month", day)
        return "".join(p for s in report.sections if s.heading.endswith("存在问题") for p in s.paragraphs)

    assert "未由主要负责人带队检查" not in problems(NOV_29)
    assert "2023年11月尚有3家企业未由主要负责人带队检查" in problems(NOV_END)


def test_a_hazard_recorded_twice_is_one_hazard_in_every_figure(tmp_path):
    """A hazard recorded again (same enterprise, number, 发现日期 and 隐患描述; SCH004: the later row is the
    duplicate, as when a unit also sent a village's file) is one hazard in the report: H3 sent again, its later
    row saying it was done. Another hazard given the same number by mistake is a hazard of its own."""
    folder = tmp_path / "报送"
    folder.mkdir()
    again = {**CASE["hazards"][2], "done_on": "2023-11-01", "status": "已整改"}
    other = {**CASE["hazards"][0], "description": "配电箱门锁损坏", "found_on": "2023-11-04"}  # H1's number again
    write_case({**CASE, "hazards": [*CASE["hazards"], again, other]}, folder)
    result = run_check([folder], as_of=NOV_END)
    assert (result.findings["rule_id"] == "SCH004").sum() == 2
    analysis = Analysis(result)
    total = analysis.hazards().iloc[0]
    assert (total["隐患数"], total["已整改"], total["逾期未改"]) == (6, 1, 2)  # H2 done; H3 (first row) and H4 overdue
    f = build_report(analysis, "year").facts
    assert f.hz_overdue_total.value == 2 and (f.hz_due.value, f.hz_ontime.value) == (3, 1)
    assert analysis.hazard_flow()["发现"].iloc[-1] == 6


def test_listed_major_hazards_leave_out_the_ones_of_level_general(tmp_path):
    """“挂牌督办重大事故隐患N项”: a listing of H4 (一般) is no 重大事故隐患's; H3 (level empty) is one (audit 6)."""
    case = {**CASE, "enforcement": [
        {"enterprise": "丙公司", "date": "2023-10-10", "station": "城建站", "officers": "甲、乙", "major_hazards": 1,
         "hazard_nos": "H3", "actions": "责令限期整改", "listed": "是", "supervisor": "孔", "signed": "是"},
        {"enterprise": "丁公司", "date": "2023-10-12", "station": "应急站", "officers": "丙、丁", "major_hazards": 1,
         "hazard_nos": "h４", "actions": "责令限期整改", "listed": "是", "supervisor": "孔", "signed": "是"},
    ]}
    folder = tmp_path / "报送"
    folder.mkdir()
    write_case(case, folder)
    report = build_report(Analysis(run_check([folder], as_of=NOV_END)), "quarter")
    assert report.facts["en_listed_hz"].value == 1 and "挂牌督办重大事故隐患1项" in _text(report)
