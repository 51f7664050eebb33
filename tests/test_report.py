"""Reports (周调度表、月小结、季通报、年总结): figures against the frames and against hand counts,
the three formats, --village, masking, charts without glyph warnings, and the CLI."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import warnings
import zipfile

import docx
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from jicui_compliance.analysis import Analysis
from jicui_compliance.check import run_check
from jicui_compliance.cli import app
from jicui_compliance.report import build_report, charts, write_report
from jicui_compliance.report.cadence import PERIOD_WORD
from jicui_compliance.rules import REGISTRY

from .rules.runner import write_case

runner = CliRunner()
MID, END = dt.date(2023, 9, 15), dt.date(2023, 12, 31)
CADENCES = {"week": "周调度表", "month": "月小结", "quarter": "季通报", "year": "年总结"}
PHONE = "13812345678"
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

DONE = dict(immediate="否", owner="a", measures="b", funds=1, contingency="有", posted="是", verifier="v", status="已销号")
OPEN = {**DONE, "verifier": None, "status": "整改中"}
SIGNED = dict(hazards_found=0, signed="是")

# 甲 乙 in 东坡村, 丙 丁 in 西岭村 (tests/rules/runner.py); hazards H1–H5 as the comments say
CASE = {
    "hazards": [
        # H1 甲: found, fixed and closed in June
        {"enterprise": "甲公司", "hazard_no": "H1", "description": "配电箱未接地", "found_on": "2023-06-01", "source": "企业自查",
         "deadline": "2023-06-30", "reported_on": "2023-06-02", "done_on": "2023-06-20", "verified_on": "2023-06-25", **DONE},
        # H2 乙: found in the week to 09-15, open; overdue at 12-31 (deadline 10-31); a phone number in its text
        {"enterprise": "乙公司", "hazard_no": "H2", "description": f"储罐区可燃气体报警器失效（联系人电话{PHONE}）",
         "found_on": "2023-09-10", "source": "执法检查", "deadline": "2023-10-31", "reported_on": "2023-09-10", **OPEN},
        # H3 丙: found in August, deadline 08-31, never fixed: overdue 15 days at 09-15
        {"enterprise": "丙公司", "hazard_no": "H3", "description": "高大模板支撑未按方案搭设", "found_on": "2023-08-01",
         "source": "部门检查", "deadline": "2023-08-31", "reported_on": "2023-08-02", **OPEN},
        # H4 丁: found, fixed and closed in the week to 09-15
        {"enterprise": "丁公司", "hazard_no": "H4", "description": "游乐设施未检验", "found_on": "2023-09-12", "source": "企业自查",
         "deadline": "2023-09-30", "reported_on": "2023-09-12", "done_on": "2023-09-14", "verified_on": "2023-09-15", **DONE},
        # H5 甲: November (does not exist yet at 09-15)
        {"enterprise": "甲公司", "hazard_no": "H5", "description": "消防通道堵塞", "found_on": "2023-11-05", "source": "企业自查",
         "deadline": "2023-11-30", "reported_on": "2023-11-05", "done_on": "2023-11-20", "verified_on": "2023-11-25", **DONE},
    ],
    "head_inspections": [
        *[{"enterprise": "甲公司", "date": f"2023-{m:02d}-05", "leader": "张三", **SIGNED} for m in range(6, 13)],
        *[{"enterprise": "乙公司", "date": f"2023-{m:02d}-06", "leader": "王五", **SIGNED} for m in (6, 7, 8)],
        {"enterprise": "乙公司", "date": "2023-09-10", "leader": "李四", **SIGNED},  # a deputy: not head-led
        *[{"enterprise": "丙公司", "date": f"2023-{m:02d}-07", "leader": "孙七", **SIGNED} for m in (6, 7, 8)],
    ],
    "drills": [
        {"enterprise": "甲公司", "date": "2023-05-20", "participants": 20, "evacuation": "是", "evaluated": "是"},
        {"enterprise": "乙公司", "date": "2023-04-10", "participants": 40, "evacuation": "是", "evaluated": "是"},
        {"enterprise": "乙公司", "date": "2023-10-10", "participants": 40, "evacuation": "是", "evaluated": "是"},
        {"enterprise": "丙公司", "date": "2023-03-01", "participants": 60, "evacuation": "是", "evaluated": "是"},
    ],
    "enforcement": [
        {"enterprise": "乙公司", "date": "2023-08-15", "station": "应急站", "officers": "赵、钱", "major_hazards": 0,
         "actions": "责令限期整改", "listed": "否", "signed": "是"},
        {"enterprise": "丙公司", "date": "2023-09-12", "station": "城建站", "officers": "孔、曹", "major_hazards": 1,
         "hazard_nos": "H3", "actions": "罚款", "fine_company": 20000, "listed": "是", "supervisor": "孔", "signed": "是"},
    ],
}


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "报送"
    folder.mkdir()
    write_case(CASE, folder)
    return folder


@pytest.fixture(scope="module")
def results(submission):
    return {d: run_check([submission], as_of=d) for d in (MID, END)}


@pytest.fixture(scope="module")
def written(submission, tmp_path_factory):
    """Every cadence at both as-of dates through the CLI, plus a --village year summary. The CLI's check of an
    as-of day is made once, by its first run, and its result given to the later runs of the same paths, day and
    campaign (read-only, as ``results``: a report only reads its check result); 7 checks fewer."""
    import jicui_compliance.check as check

    real, made = check.run_check, []  # (paths, as_of, campaign, result)

    def once(paths, *, as_of, campaign, **rest):
        assert not rest
        for p, d, c, result in made:
            if (p, d) == (list(paths), as_of) and c == campaign:
                return result
        made.append((list(paths), as_of, campaign, real(paths, as_of=as_of, campaign=campaign)))
        return made[-1][-1]

    out = tmp_path_factory.mktemp("reports")
    runs = [(c, d, None) for c in CADENCES for d in (MID, END)] + [("year", END, "西岭村")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(check, "run_check", once)
        for cadence, day, village in runs:
            args = ["report", str(submission), "--out", str(out), "--cadence", cadence, "--as-of", day.isoformat()]
            res = runner.invoke(app, args + (["--village", village] if village else []))
            assert res.exit_code == 0, res.output
    assert [d for _, d, _, _ in made] == [MID, END]
    return out


def _text(report) -> str:
    return "".join(report.narrative)


# -- the narrative's figures ---------------------------------------------------------------------
@pytest.mark.parametrize("day", [MID, END])
@pytest.mark.parametrize("cadence", list(CADENCES))
def test_every_number_of_the_narrative_is_a_fact_of_its_frame(built, cadence, day):
    report = built(cadence, day)
    assert report.narrative and all(report.narrative)
    assert report.facts.unexplained_numbers(_text(report)) == []
    assert report.facts.verify(report.tables) == []  # each fact re-picked from its table


def test_year_facts_equal_the_analysis_frames(results, built):
    a = Analysis(results[END])
    report = built("year", END)  # made from its own Analysis of the same result
    f = report.facts.as_dict()
    hz = a.hazards().iloc[0]
    assert (f["hz_total"], f["hz_done"], f["hz_closed"], f["hz_overdue_total"]) == (
        hz["隐患数"], hz["已整改"], hz["已销号"], hz["逾期未改"])
    assert f["hz_fix_rate"] == hz["整改率"] and f["open_total"] == len(a.open_hazards())
    hi = a.coverage("HI001")
    assert (f["hi_due"], f["hi_done"]) == (hi["应完成"].sum(), hi["已完成"].sum())
    dr = a.coverage("DR001").iloc[0]
    assert (f["dr_year_due"], f["dr_year_done"], f["dr_year_rate"]) == (dr["应完成"], dr["已完成"], dr["完成率"])
    e = a.enforcement().set_index("月份").loc["合计"]
    assert (f["en_n"], f["en_fine_company"], f["en_listed"]) == (e["检查次数"], e["企业罚款（元）"], e["挂牌督办（次）"])
    lists = a.four_lists()["名单"].value_counts()
    assert f["list_3"] == lists.get("通报一批", 0) and f["list_total"] == len(a.four_lists())
    ov = a.phase_overview().set_index("phase")
    assert f["phase_P2_rate"] == ov.loc["P2", "合规率"]
    assert f["ent_total"] == len(results[END].context.registry) == 4
    top = a.findings_by_rule()
    top = top[~top["规则"].str.startswith(("SCH", "FMT", "REF"))].iloc[0]
    assert (f["typ_1_title"], f["typ_1_n"]) == (top["名称"], top["数量"])  # the report names a rule by its title


def test_the_accident_table_note_cites_what_sets_each_clock(built):
    """条例第九条 is the unit head's report to the county within 1 hour of being told; the report to the town is the
    plan's 三（一）（2), not the 条例's (audit 8)."""
    note = built("year", END).tables["生产安全事故"].note
    assert note == ("报县应急管理局的用时从单位负责人接报时起算（有接报时间的），否则从事故发生时起算"
                    "（《生产安全事故报告和调查处理条例》第九条）；报镇政府的用时从事故发生时起算"
                    "（方案三（一）（2）：向县应急管理局报告的同时，要向镇政府报告）。"), note


def test_year_figures_by_hand(results, built):
    text_mid = built("year", MID)
    f = text_mid.facts
    # at 09-15: H1–H4 exist; H1 and H4 fixed and closed; H3 overdue; H2 and H3 open
    assert (f.hz_total.value, f.hz_done.value, f.open_total.value, f.hz_overdue_total.value) == (4, 2, 2, 1)
    assert f.hz_fix_rate.text == "50%"
    # June–August due: 甲 乙 丙 led by their heads each month, 丁 never → 9 of 12
    assert (f.hi_due.value, f.hi_done.value, f.hi_rate.text) == (12, 9, "75%")
    assert f.en_n.value == 2 and f.en_fine_company.text == "2万元"
    t = _text(text_mid)
    assert "累计排查隐患4项，其中重大事故隐患4项、一般隐患0项" in t and "整改率50%" in t and "完成率75%" in t
    # the county's figures: H1 (due 06-30, done 06-20) on time, H3 (due 08-31) open, H2 and H4 not yet due
    assert (f.hz_due.value, f.hz_ontime.value, f.hz_ontime_rate.text, f.hz_funds.text) == (2, 1, "50%", "4万元")
    # 乙 and 丙 inspected once each (2 家, 2 家次); high risk 乙 丙 丁, both inspected in P3; 责令限期整改 + 罚款
    assert (f.en_ent.value, f.en_visits.value, f.en_high_p3.value, f.en_high_p3_rate.text) == (2, 2, 2, "66.7%")
    assert (f.en_docs.value, f.en_cases.value, f.en_listed_hz.value) == (2, 1, 1)
    assert "挂牌督办重大事故隐患1项" in t and "按期整改率50%" in t
    heads = [s.heading for s in text_mid.sections]
    assert heads[:4] == ["一、基本情况", "二、主要做法和成效", "三、存在问题", "四、下一步工作"]
    assert "全年演练尚未到期" in t  # the drill year is not due at 09-15
    # the guide's “分阶段推进”: each phase's due obligations and rate, from the phase table; at 09-15 P4 is not due
    ph = Analysis(results[MID]).phase_overview().set_index("phase")
    p2 = ph.loc["P2"]
    assert f"第二阶段（{text_mid.facts.phase_P2_name.text}）已到期义务{p2['合规'] + p2['不合规']}项，履行率" in t
    assert f.phase_P2_rate.value == p2["合规率"]
    assert "第四阶段（巩固提高）义务尚未到期" in t
    end = built("year", END)
    f = end.facts
    # at 12-31: H5 too; H2's deadline (10-31) has passed
    assert (f.hz_total.value, f.open_total.value, f.hz_overdue_total.value) == (5, 2, 2)
    # drills: 甲 乙 丙 in the year (3 of 4); high risk 乙 丙 丁: H1 乙 丙, H2 乙
    assert (f.dr_year_done.value, f.dr_year_due.value, f.dr_year_rate.text) == (3, 4, "75%")
    assert (f.dr_h1_rate.text, f.dr_h2_rate.text) == ("66.7%", "33.3%")
    assert "全年应开展演练的4家企业中已有3家完成，完成率75%" in _text(end)


def test_week_figures_by_hand(results, built):
    r = built("week", MID)
    f = r.facts
    assert (r.window.start, r.window.end) == (dt.date(2023, 9, 9), MID)
    # H2 and H4 found in the week; H4 fixed and closed in it; H3 overdue by 15 days
    assert (f.hz_new.value, f.hz_fixed.value, f.hz_closed_w.value, f.hz_open.value, f.hz_overdue.value) == (2, 1, 1, 2, 1)
    assert f.overdue_max_days.value == 15
    assert list(r.tables["逾期未整改隐患"].frame["隐患编号"]) == ["H3"]
    assert set(r.tables["本周新发现隐患"].frame["隐患编号"]) == {"H2", "H4"}
    # September so far: only 甲 led by its head (乙's was led by the deputy 李四)
    missing = r.tables["本月未带队检查企业"].frame
    assert set(missing["企业名称"]) == {"乙公司", "丙公司", "丁公司"}
    assert missing.set_index("企业名称").loc["乙公司", "本月他人带队检查"] == "李四"
    assert (f.hi_month_done.value, f.hi_month_missing.value, f.hi_month_rate.text) == (1, 3, "25%")
    # the week's new findings are exactly the findings dated in the window
    d = Analysis(results[MID]).dated
    in_week = d[(d["date"] >= "2023-09-09") & (d["date"] <= "2023-09-15")]
    assert f.new_findings.value == len(in_week)
    assert "尚有3家企业未开展" in _text(r)


def test_quarter_has_rankings_four_lists_and_their_rule(results, built):
    r = built("quarter", END)
    assert r.window.start == dt.date(2023, 10, 1)
    assert {"各村排名", "各站所排名", "四个一批名单", "四个一批规则", "提醒函督办函", "退回重报"} <= set(r.tables)
    rules = r.tables["四个一批规则"].frame
    assert list(rules["名单"]) == ["停产整顿一批", "联合惩戒一批", "约谈一批", "通报一批"]
    assert rules["列入条件"].str.len().min() > 10 and rules["决定机关"].str.len().min() > 3
    assert "建议名单" in _text(r) and "无上期数据，暂不能判定督办函" in _text(r)
    assert "无上期数据" in r.tables["提醒函督办函"].note
    ranked = Analysis(results[END]).ranking("village")
    assert r.facts.rank_village_best.value == ranked["village"].iloc[0]


def test_village_narrows(built):
    town = built("year", END)
    west = built("year", END, "西岭村")
    # 西岭村: 丙 and 丁; hazards H3 (open, overdue) and H4 (closed)
    assert (west.facts.ent_total.value, west.facts.hz_total.value, west.facts.open_total.value) == (2, 2, 1)
    assert town.facts.hz_total.value == 5
    assert west.stem == "年总结_西岭村_2023-12-31" and west.heading.startswith("西岭村")
    assert "西岭村纳入企业名录的企业共2家" in _text(west)
    assert west.facts.unexplained_numbers(_text(west)) == []
    assert set(west.tables["未整改隐患"].frame["所属村"]) == {"西岭村"}



@pytest.mark.parametrize("village", ["东坡村", "西岭村"])
def test_a_village_report_ranks_and_letters_the_village_as_the_town_does(built, village):
    """A village's report has its row of the town's ranking by village (its place among the town's villages), no
    station ranking, and exactly its own rows of the town's letters and 退回重报 (nothing computed on its slice)."""
    town = built("year", END)
    own = built("year", END, village)
    for name, column in (("各村排名", "村"), ("提醒函督办函", "单位"), ("退回重报", "报送单位")):
        t = town.tables[name].frame
        pd.testing.assert_frame_equal(own.tables[name].frame, t[t[column] == village].reset_index(drop=True))
    assert len(own.tables["各村排名"].frame) == 1 and "各站所排名" not in own.tables
    assert "rank_station_best" not in own.facts and own.facts.unexplained_numbers(_text(own)) == []


# -- the three formats ---------------------------------------------------------------------------
@pytest.mark.parametrize("day", [MID, END])
@pytest.mark.parametrize("cadence", list(CADENCES))
def test_each_cadence_writes_three_files(written, cadence, day):
    stem = f"{CADENCES[cadence]}_{day.isoformat()}"
    for ext in ("html", "xlsx", "docx"):
        assert (written / f"{stem}.{ext}").stat().st_size > 0
    wb = openpyxl.load_workbook(written / f"{stem}.xlsx", read_only=True)
    assert wb.sheetnames[0] == "报告正文" and "叙述数据来源" in wb.sheetnames and "企业概况" in wb.sheetnames
    assert all(len(n) <= 31 for n in wb.sheetnames)
    d = docx.Document(str(written / f"{stem}.docx"))
    assert any(p.text.startswith(("按照", "积翠镇专项行动周调度")) for p in d.paragraphs)


def test_report_leaves_the_garbage_collector_as_it_found_it(results, tmp_path):
    import gc

    write_report(results[END], "year", tmp_path / "a")
    assert gc.get_freeze_count() == 0  # what it froze while writing is handed back
    gc.freeze()  # a caller's own frozen objects stay frozen (those freed meanwhile leave the count)
    try:
        write_report(results[END], "week", tmp_path / "b")
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert len(list((tmp_path / "a").glob("*.docx"))) == 1 and len(list((tmp_path / "b").glob("*.docx"))) == 1


def test_year_workbook_sheets_and_headers(written):
    wb = openpyxl.load_workbook(written / "年总结_2023-12-31.xlsx")
    expected = {"隐患整改（总体）", "隐患整改（按村）", "未整改隐患", "带队检查覆盖（按月）", "应急演练覆盖", "执法检查（按月）",
                "分阶段合规", "各村排名", "各站所排名", "典型问题", "四个一批名单", "四个一批规则", "图表", "叙述数据来源"}
    assert expected <= set(wb.sheetnames)
    ws = wb["隐患整改（按村）"]
    assert ws.freeze_panes == "A2" and ws["A1"].value == "村"
    assert ws.column_dimensions["A"].width >= 6
    rate_col = [c.column_letter for c in ws[1] if c.value == "整改率"][0]
    assert ws[f"{rate_col}2"].number_format == "0.0%"
    cover = [r[1] for r in wb["报告正文"].iter_rows(values_only=True) if r[1]]
    assert any(str(v).startswith("按照") for v in cover)


def test_year_docx_has_narrative_tables_and_pictures(written, built):
    d = docx.Document(str(written / "年总结_2023-12-31.docx"))
    report = built("year", END)
    texts = [p.text for p in d.paragraphs]
    assert all(p in texts for p in report.narrative)
    assert len(d.inline_shapes) == len(report.charts) >= 6
    assert len(d.tables) >= 10
    assert any(p.style.name.startswith("Heading") and p.text.endswith("存在问题") for p in d.paragraphs)


def test_html_is_self_contained_and_masked(written):
    for path in written.glob("*.html"):
        html = path.read_text("utf-8")
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), path.name
        assert "<link" not in html and "@import" not in html
        # the only url() is the embedded font, inlined as data
        assert re.findall(r"url\(([a-z]+):", html) == ["data"], path.name
        assert '"Noto Sans CJK SC"' in html and '"Microsoft YaHei"' in html and '"PingFang SC"' in html
        assert "@page" in html and "A4" in html
        visible = re.sub(r'src="data:image/png;base64,[^"]*"', "", html)
        assert not MOBILE.search(visible), path.name
    year = (written / "年总结_2023-12-31.html").read_text("utf-8")
    assert year.count("data:image/png;base64,") >= 6
    assert "138****5678" in year  # H2's description, masked


def test_workbook_and_docx_are_masked(written):
    for path in written.glob("*.xlsx"):
        with zipfile.ZipFile(path) as z:
            xml = "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))
        assert PHONE not in xml, path.name
    for path in written.glob("*.docx"):
        d = docx.Document(str(path))
        text = "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for row in t.rows for c in row.cells])
        assert not MOBILE.search(text), path.name


def test_village_run_names_its_files_and_narrows(written):
    path = written / "年总结_西岭村_2023-12-31.html"
    html = path.read_text("utf-8")
    assert "西岭村重大事故隐患专项排查整治年总结" in html
    wb = openpyxl.load_workbook(written / "年总结_西岭村_2023-12-31.xlsx", read_only=True)
    villages = [r[0] for r in wb["企业概况"].iter_rows(min_row=2, values_only=True)]
    assert villages == ["西岭村"]


# -- charts ------------------------------------------------------------------------------------------
def test_charts_render_without_glyph_warnings(results):
    a = Analysis(results[MID])
    empty = pd.DataFrame()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pngs = [
            charts.hazard_flow(a.hazard_flow(), a.campaign.phases),
            charts.head_inspection_heatmap(a.head_inspection_matrix()),
            charts.compliance_by_unit(a.ranking("village"), "village", "各村企业义务履行率"),
            charts.compliance_by_phase(a.phase_overview()),
            charts.findings_pareto(a.findings_by_rule()),
            charts.drill_coverage([("全年", a.coverage("DR001").iloc[0]), ("上半年", None)]),
            charts.enforcement_by_month(a.enforcement()),
            # empty frames say 暂无数据
            charts.hazard_flow(pd.DataFrame(columns=["发现", "整改", "销号"])),
            charts.head_inspection_heatmap(empty),
            charts.compliance_by_unit(pd.DataFrame(columns=["村", "履行率"]), "村", "各村"),
            charts.compliance_by_phase(empty),
            charts.findings_pareto(pd.DataFrame(columns=["规则", "数量"])),
            charts.drill_coverage([]),
            charts.enforcement_by_month(pd.DataFrame(columns=["月份"])),
            charts.empty_chart("暂无数据的图"),
        ]
    bad = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert bad == []
    assert not [w for w in caught if issubclass(w.category, (DeprecationWarning, UserWarning))], [
        str(w.message) for w in caught]
    for png in pngs:
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(png[16:20], "big")
        assert width >= 8 * 150  # 8 inches at 150 dpi or more
    assert charts.chinese_font() == "Noto Sans CJK SC"


def _capture_figures(monkeypatch) -> list:
    """Charts drawn as charts._render draws them, each figure kept (in the returned list) instead of its PNG."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figures: list = []

    def capture(draw, size=(8.0, 4.2)):
        with matplotlib.rc_context(charts._style()):
            fig = Figure(figsize=size, dpi=charts.DPI, layout="constrained")
            FigureCanvasAgg(fig)
            draw(fig)
            fig.canvas.draw()
        figures.append(fig)
        return b""

    monkeypatch.setattr(charts, "_render", capture)
    return figures


def test_chart_titles_clear_everything_and_large_counts_are_written_in_full(monkeypatch):
    """Titles stand at a fixed height (charts._title): nothing may be drawn above the axes, so count axes
    write large numbers in full, without an offset text such as “1e6”; every text lies inside the figure."""
    figures = _capture_figures(monkeypatch)
    big = [3_400_000, 2_100_000, 1_000_001]
    charts.findings_pareto(pd.DataFrame({"规则": ["HZ005", "HI001", "DR001"], "数量": big}))
    charts.enforcement_by_month(pd.DataFrame({"月份": ["2023-09", "2023-10"], "检查次数": big[:2], "发现重大隐患": [5, 7],
                                              "企业罚款（元）": [2.5e11, 1.0e11], "负责人罚款（元）": [0, 0]}))
    charts.drill_coverage([("全年", pd.Series({"已完成": 1_200_000, "未完成": 30_000, "待到期": 0, "完成率": 0.975}))])
    for fig in figures:
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        title = ax.title.get_window_extent(renderer)
        def drawn(axis):  # the tick labels within the axis' limits (the others are not drawn)
            lo, hi = sorted(axis.get_view_interval())
            return [lbl for tick, loc in zip(axis.get_major_ticks(), axis.get_majorticklocs()) if lo <= loc <= hi
                    for lbl in (tick.label1, tick.label2) if lbl.get_visible()]

        texts = [t for a in fig.axes for t in (*a.texts, *drawn(a.xaxis), *drawn(a.yaxis), a.xaxis.label,
                                                a.yaxis.label, a.yaxis.offsetText) if t.get_text()]
        for a in fig.axes:
            assert a.yaxis.offsetText.get_text() == ""
        assert title.y0 >= max(a.get_window_extent(renderer).y1 for a in fig.axes) - 0.5
        for t in texts:
            e = t.get_window_extent(renderer)
            assert fig.bbox.x0 <= e.x0 and e.x1 <= fig.bbox.x1 and fig.bbox.y0 <= e.y0 and e.y1 <= fig.bbox.y1, t.get_text()
            assert e.y1 <= title.y0 + 0.5 or e.x1 <= title.x0 or e.x0 >= title.x1, t.get_text()
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert any(len(t) >= 7 and t.isdigit() for t in ticks), ticks


# -- the command -----------------------------------------------------------------------------------
@pytest.mark.parametrize("args, says", [
    (["--cadence", "daily"], "报告类型"),
    (["--village", "无此村"], "不在企业名录"),
    (["--as-of", "2023-02-30"], "--as-of"),
])
def test_report_cannot_run_exits_2(submission, tmp_path, args, says):
    res = runner.invoke(app, ["report", str(submission), "--out", str(tmp_path / "o"), *args])
    assert res.exit_code == 2 and says in res.output


def test_report_never_writes_inside_its_input(submission):
    res = runner.invoke(app, ["report", str(submission), "--out", str(submission / "报告")])
    assert res.exit_code == 2 and not (submission / "报告").exists()
    res = runner.invoke(app, ["report", str(submission / "没有"), "--out", "x"])
    assert res.exit_code == 2 and "不存在" in res.output


def test_python_m_report(submission, tmp_path):
    out = tmp_path / "周报"
    proc = subprocess.run([sys.executable, "-m", "jicui_compliance", "report", str(submission), "--out", str(out),
                           "--cadence", "周调度表", "--as-of", "2023-09-15", "--village", "东坡村"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"周调度表_东坡村_2023-09-15.{e}" for e in ("docx", "html", "xlsx")]


def test_no_internal_identifier_in_any_report(written):
    """Issue 14: users read Chinese labels, never a ledger field name, ``eid`` or ``as-of``."""
    from .ascii_scan import scan

    assert scan(written) == {}


def test_the_narrative_sources_sheet_has_no_english_word(written):
    """The 叙述数据来源 sheet says where each figure comes from in the office's words: 方案文件：阶段安排, not
    the campaign file's key “phases”. Every workbook written (each cadence, both dates, a village's) has it."""
    from .ascii_scan import ascii_words, sheet_texts

    year = written / "年总结_2023-12-31.xlsx"
    assert any(t.startswith("方案文件：阶段安排") for t in sheet_texts(year, "叙述数据来源"))
    assert len(list(written.glob("*.xlsx"))) == 9
    assert ascii_words(written, "叙述数据来源") == {}


def test_charts_keep_legends_off_the_data_and_say_why_an_axis_is_cut(monkeypatch):
    """Pareto: no legend (the line is named by its axis); hazard flow: no legend, 销号 dashed over a wide
    solid 整改 so that equal curves stay apart; a rate axis that does not start at zero says why."""
    from matplotlib.figure import Figure

    figures = []

    def capture(draw, size=(8.0, 4.2)):
        fig = Figure(figsize=size)
        draw(fig)
        figures.append(fig)
        return b""

    monkeypatch.setattr(charts, "_render", capture)
    charts.findings_pareto(pd.DataFrame({"规则": ["HZ005", "HI001", "DR001"], "数量": [5, 3, 1]}))
    flow = pd.DataFrame({"发现": [1, 3, 5], "整改": [0, 2, 4], "销号": [0, 2, 4]},
                        index=pd.to_datetime(["2023-06-04", "2023-06-11", "2023-06-18"]))
    charts.hazard_flow(flow)
    charts.compliance_by_unit(pd.DataFrame({"村": ["甲村", "乙村"], "履行率": [0.99, 0.97], "已履行": [99, 97],
                                            "应履行义务": [100, 100]}), "村", "各村")
    pareto, hazard, ranking = figures
    assert all(ax.get_legend() is None for ax in pareto.axes) and pareto.legends == []
    assert all(ax.get_legend() is None for ax in hazard.axes)
    lines = {line.get_label(): line for line in hazard.axes[0].get_lines()}
    assert lines["累计销号"].get_linestyle() != lines["累计整改"].get_linestyle()
    assert lines["累计整改"].get_linewidth() > lines["累计销号"].get_linewidth()
    ax = ranking.axes[0]
    assert ax.get_xlim()[0] == 0 or "起以便看清差距" in ax.get_xlabel()


def test_heat_map_labels_the_cells_below_full_coverage_and_says_what_the_others_hold(monkeypatch):
    """The village × month map writes a rate only where it is below 100% and 待到期 where the month is not
    due; when some cells are left unlabelled, a note under the map says they are 100% (none when all are
    labelled). Every text lies inside the figure."""
    figures = _capture_figures(monkeypatch)
    villages = ["甲村", f"{'很长的名字' * 3}乙村", "丙村"]
    months = ["2023-06", "2023-07", "2023-08"]
    charts.head_inspection_heatmap(pd.DataFrame([[1.0, 0.93, float("nan")]] * 3, index=villages, columns=months))
    charts.head_inspection_heatmap(pd.DataFrame([[0.99, 0.5, float("nan")]] * 3, index=villages, columns=months))
    mostly_full, none_full = figures
    ax = mostly_full.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == sorted(["93%", "待到期"] * 3)
    assert ax.get_xlabel() == charts.HEAT_NOTE
    renderer = mostly_full.canvas.get_renderer()
    page = mostly_full.bbox
    for t in [ax.title, ax.xaxis.label, *ax.get_yticklabels(), *ax.get_xticklabels(), mostly_full.axes[1].yaxis.label]:
        e = t.get_window_extent(renderer)
        assert page.x0 <= e.x0 and e.x1 <= page.x1 and page.y0 <= e.y0 and e.y1 <= page.y1, t.get_text()
    ax = none_full.axes[0]
    assert ax.get_xlabel() == "" and len(ax.texts) == 9


def test_county_heat_map_leaves_out_the_villages_whose_due_months_are_all_full(monkeypatch):
    """Above HEAT_ROWS villages, a village whose due months are all 100% is left out and counted in a note;
    a village with a month below 100%, or with no month due yet, stays. Up to HEAT_ROWS villages the whole map
    is drawn; when every village is left out, the chart says so in one line."""
    figures = _capture_figures(monkeypatch)
    months = ["2023-06", "2023-07", "2023-08"]
    n = charts.HEAT_ROWS + 5
    rows = {f"{i:02d}村": [1.0, 1.0, float("nan")] for i in range(n)}
    rows["03村"], rows["07村"] = [1.0, 0.9, float("nan")], [float("nan")] * 3
    charts.head_inspection_heatmap(pd.DataFrame.from_dict(rows, orient="index", columns=months))
    small = {f"{i:02d}村": [1.0, 1.0, 1.0] for i in range(charts.HEAT_ROWS)}
    charts.head_inspection_heatmap(pd.DataFrame.from_dict(small, orient="index", columns=months))
    full = {f"{i:02d}村": [1.0, 1.0, 1.0] for i in range(n)}
    charts.head_inspection_heatmap(pd.DataFrame.from_dict(full, orient="index", columns=months))
    county, town, all_full = figures
    ax = county.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["03村", "07村"]
    assert ax.get_xlabel().splitlines() == [charts.HEAT_NOTE, f"共{n}个村，另有{n - 2}个村已到期各月均为100%，未列入图中"]
    assert len(town.axes[0].get_yticklabels()) == charts.HEAT_ROWS and town.axes[0].get_xlabel() == charts.HEAT_NOTE
    assert [t.get_text() for t in all_full.axes[0].texts] == [f"全部{n}个村已到期各月的覆盖率均为100%"]


def test_ranking_chart_of_many_units_draws_the_lowest_rates_and_says_so(monkeypatch):
    """A ranking longer than UNIT_ROWS is drawn as its UNIT_ROWS lowest rates (the worst in red at the bottom);
    the axis label gives the total and points to the table; a short ranking is drawn whole."""
    figures = _capture_figures(monkeypatch)
    n = charts.UNIT_ROWS + 5
    rates = [1.0 - i / 1000 for i in range(n)]  # best first, as Analysis.ranking gives it
    ranking = pd.DataFrame({"村": [f"{i:02d}村" for i in range(n)], "履行率": rates,
                            "已履行": [round(r * 1000) for r in rates], "应履行义务": [1000] * n})
    charts.compliance_by_unit(ranking, "村", "各村")
    charts.compliance_by_unit(ranking.head(3), "村", "各村")
    county, town = figures
    ax = county.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"{i:02d}村" for i in range(n - 1, 4, -1)]  # bottom up
    assert f"共{n}个村，图中为履行率最低的{charts.UNIT_ROWS}个，全部见上表" in ax.get_xlabel()
    assert len(town.axes[0].get_yticklabels()) == 3 and "全部见上表" not in town.axes[0].get_xlabel()


def test_workbook_date_columns_as_write_datetime_writes_them(tmp_path):
    """A date column goes into the workbook as the same day numbers and format as cell-by-cell ``write_datetime``
    (dates, datetimes at midnight, missing cells, a time of day, the days around Excel's 1900 leap day)."""
    import xlsxwriter

    from jicui_compliance.report.facts import Facts
    from jicui_compliance.report.model import Report, Table, cell_text
    from jicui_compliance.report.workbook import write_workbook

    days = [dt.date(2023, 1, 5), None, dt.date(1900, 3, 1), dt.date(2023, 12, 31)]
    frame = pd.DataFrame({
        "日期": pd.Series(days, dtype=object),
        "时间": pd.to_datetime(["2023-06-01", None, "2023-06-02", "2023-06-03"]),
        "带钟点": pd.to_datetime(["2023-06-01 08:30", "2023-06-02 00:00", None, "2023-06-03 00:00"]),
        "早日期": pd.Series([dt.date(1900, 2, 28), dt.date(1900, 1, 1), None, dt.date(2023, 1, 1)], dtype=object),
    })
    table = Table.of("日期表", "日期", frame)
    assert all(table.kind(c) == "date" for c in frame.columns)
    report = Report("year", "年总结", "年总结", "", None, END, "积翠镇", None, [], [], Facts(), [],  # type: ignore[arg-type]
                    {table.name: table})
    write_workbook(report, tmp_path / "fast.xlsx")
    # the same cells written one by one by xlsxwriter
    wb = xlsxwriter.Workbook(str(tmp_path / "slow.xlsx"))
    ws, fmt = wb.add_worksheet("日期表"), wb.add_format({"num_format": "yyyy-mm-dd"})
    for j, c in enumerate(frame.columns):
        for i, v in enumerate(frame[c].tolist(), start=1):
            if v is not None and v is not pd.NaT:
                ws.write_datetime(i, j, pd.Timestamp(v).to_pydatetime(), fmt)
    wb.close()
    got = openpyxl.load_workbook(tmp_path / "fast.xlsx")["日期表"]
    want = openpyxl.load_workbook(tmp_path / "slow.xlsx")["日期表"]
    for j in range(1, len(frame.columns) + 1):
        for i in range(2, len(frame) + 2):
            g, w = got.cell(i, j), want.cell(i, j)
            assert (g.value, g.number_format if g.value is not None else None) == \
                (w.value, w.number_format if w.value is not None else None), (i, j)
    assert got.cell(2, 1).value == dt.datetime(2023, 1, 5) and got.cell(3, 1).value is None
    assert [cell_text(v, "date") for v in days] == ["2023-01-05", "—", "1900-03-01", "2023-12-31"]


def test_tables_are_masked_when_made_whatever_the_column():
    """Every text cell that may hold a personal number is masked (searched once per distinct text: repeated
    and missing cells too); dates, numbers and other text stay as they are, with their dtypes."""
    from jicui_compliance.report.model import Table

    phone, ident = "联系13812345678", "身份证110101199003071234"
    frame = pd.DataFrame({
        "说明": pd.Series([phone, "无", phone, None, ident], dtype="str"),
        "混合": pd.Series([phone, 3, None, dt.date(2023, 1, 1), "x"], dtype=object),
        "日期": pd.Series([dt.date(2023, 1, 5), None, dt.date(2023, 2, 1), dt.date(2023, 3, 1), None], dtype=object),
        "数": [1, 2, 3, 4, 5],
    })
    t = Table.of("表", "表", frame).frame
    said = t["说明"]
    assert "13812345678" not in said.iloc[0] and "110101199003071234" not in said.iloc[4]
    assert said.iloc[0] == said.iloc[2] and said.iloc[1] == "无" and pd.isna(said.iloc[3])
    assert "13812345678" not in t["混合"].iloc[0]
    assert t["混合"].tolist()[1:] == frame["混合"].tolist()[1:]
    assert t["日期"].tolist()[0] == dt.date(2023, 1, 5) and t["日期"].dtype == object
    assert t.dtypes.to_dict() == frame.dtypes.to_dict() and t["数"].tolist() == [1, 2, 3, 4, 5]


# TR006 (default typical accidents: 2023-04-18 all industries, due 06-30; 2023-06-21 燃气/食品卫生/文化旅游/消防,
# due 07-21: 丁公司 only) and EN005 (丙: three penalties, the third on 07-12, hazard open since 05-01;
# 乙: the same penalties, its major hazard found only on 07-20)
_FINE = dict(station="综合行政执法队", officers="赵、钱", major_hazards=1, actions="罚款、一案双罚", fine_company=5000,
             fine_head=1000, listed="是", supervisor="赵", signed="是")
DATING_CASE = {
    "hazards": [
        {"enterprise": e, "hazard_no": no, "description": "x", "found_on": found, "source": "执法检查",
         "deadline": "2023-12-31", "reported_on": found, **OPEN}
        for e, no, found in (("丙公司", "YH-C", "2023-05-01"), ("乙公司", "YH-B", "2023-07-20"))
    ],
    "enforcement": [{"enterprise": e, "date": d, "hazard_nos": no, **_FINE}
                    for e, no in (("丙公司", "YH-C"), ("乙公司", None)) for d in ("2023-05-10", "2023-06-10", "2023-07-12")],
}


@pytest.fixture(scope="module")
def checked():
    """``checked(folder, day, select)``: ``run_check([folder], as_of=day, select=select)`` made once per folder, day
    and rules for the module (the parametrizations below share some days across cadences). Read-only, as
    ``results``: a report only reads its check result."""
    made: dict = {}

    def get(folder, day, select):
        key = (folder, day, tuple(select))
        if key not in made:
            made[key] = run_check([folder], as_of=day, select=list(select))
        return made[key]

    return get


@pytest.fixture(scope="module")
def dating(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dating")
    write_case(DATING_CASE, folder)
    return folder


@pytest.mark.parametrize("cadence,day,expected", [
    ("week", dt.date(2023, 6, 30), {("TR006", e, "2023-06-30") for e in ("甲公司", "乙公司", "丙公司", "丁公司")}),
    ("week", dt.date(2023, 7, 14), {("EN005", "丙公司", "2023-07-12")}),
    ("week", dt.date(2023, 7, 21), {("TR006", "丁公司", "2023-07-21"), ("EN005", "乙公司", "2023-07-20")}),
    ("week", dt.date(2023, 7, 27), {("TR006", "丁公司", "2023-07-21")}),  # 07-21 – 07-27
    ("week", dt.date(2023, 7, 28), set()),
    ("month", dt.date(2023, 4, 30), set()),
    ("month", dt.date(2023, 6, 30), {("TR006", e, "2023-06-30") for e in ("甲公司", "乙公司", "丙公司", "丁公司")}),
    ("month", dt.date(2023, 7, 31), {("TR006", "丁公司", "2023-07-21"), ("EN005", "丙公司", "2023-07-12"),
                                     ("EN005", "乙公司", "2023-07-20")}),
    ("month", dt.date(2023, 12, 31), set()),
    ("quarter", dt.date(2023, 6, 30), {("TR006", e, "2023-06-30") for e in ("甲公司", "乙公司", "丙公司", "丁公司")}),
    ("quarter", dt.date(2023, 9, 30), {("TR006", "丁公司", "2023-07-21"), ("EN005", "丙公司", "2023-07-12"),
                                       ("EN005", "乙公司", "2023-07-20")}),
])
def test_tr006_and_en005_are_new_in_the_report_of_the_day_they_arose(dating, checked, cadence, day, expected):
    """A finding is new in the report whose window holds the day it came due or arose: TR006 on the last day of its
    education (30 days after max(the accident, the P1 end)), not at the end of the accident's month; EN005 on the
    day its count of penalties was reached (or its open major hazard found, if later), not on 31 December."""
    r = build_report(Analysis(checked(dating, day, ["TR006", "EN005"])), cadence)
    new = r.tables[f"{PERIOD_WORD[cadence]}新增发现"].frame
    title = {REGISTRY[x].title: x for x in ("TR006", "EN005")}
    assert {(title[x], e, str(d)) for x, e, d in zip(new["名称"], new["企业名称"], new["日期"])} == expected


def _minor_id() -> str:
    """A valid ID number of someone born on 2005-09-10 (18 on 2023-09-10)."""
    from stdnum.cn import ric

    body = "11010520050910001"
    return next(body + c for c in "0123456789X" if ric.is_valid(body + c))


# findings that arise after the date of their ledger row, or stand on a ledger without dates (special workers):
# each is new in the report whose window holds the day it arose, and in no other
_ON = dict(station="综合行政执法队", officers="赵、钱", major_hazards=1, listed="是", supervisor="赵", signed="是")
_OUT = dict(mode="外包", party="某公司", licence="ZZ-1", licence_until="2025-12-31", agreement_on="2023-01-01",
            duties_defined="是")
ARISING_CASE = {
    "hazards": [
        # HZ008: 立即整改, found 11-28, not done: arises at the end of the 3rd day, 12-01
        {"enterprise": "丙公司", "hazard_no": "YH-I", "description": "x", "found_on": "2023-11-28", "source": "企业自查",
         "immediate": "是", "done_on": None, "status": "整改中", "level": "重大"},
        # EN006: fined on 08-10, deadline 09-30, open and no later inspection: arises 10-01
        {"enterprise": "甲公司", "hazard_no": "YH-F", "description": "y", "found_on": "2023-08-01", "source": "执法检查",
         "deadline": "2023-09-30", "reported_on": "2023-08-01", **OPEN, "level": "重大"},
    ],
    "enforcement": [{"enterprise": "甲公司", "date": "2023-08-10", "hazard_nos": "YH-F", "actions": "罚款",
                     "fine_company": 5000, **_ON}],
    "special_workers": [
        # SW003 from 60 days before 有效期至 (07-02), SW001 from the day after it (09-01)
        {"enterprise": "乙公司", "person": "焊工甲", "category": "焊接与热切割作业", "cert_no": "T1", "issued_on": "2020-09-01",
         "valid_until": "2023-08-31", "reviewed_on": "2022-09-01", "on_post": "是"},
        # SW002: issued 2020-09-14, never reviewed: 3 years are over on 09-15
        {"enterprise": "乙公司", "person": "焊工乙", "category": "焊接与热切割作业", "cert_no": "T2", "issued_on": "2020-09-14",
         "valid_until": "2026-09-13", "on_post": "是"},
        # SW004: issued on 09-05 to someone who is 18 only on 09-10
        {"enterprise": "乙公司", "person": "焊工丙", "id_no": _minor_id(), "category": "焊接与热切割作业", "cert_no": "T3",
         "issued_on": "2023-09-05", "valid_until": "2029-09-04", "on_post": "是"},
    ],
    "accidents": [
        # TR005: no education within 30 days: arises on 08-14
        {"enterprise": "丁公司", "occurred_at": "2023-07-15 10:00", "kind": "机械伤害", "deaths": 0, "injuries": 1,
         "county_at": "2023-07-15 10:30", "town_at": "2023-07-15 10:40"},
        # AC001, AC002: not reported, the hour runs out on 08-01; TR005 on 08-30
        {"enterprise": "甲公司", "occurred_at": "2023-07-31 23:30", "kind": "物体打击", "deaths": 0, "injuries": 1},
    ],
    # EQ001: the first cutting permit is of 08-05 (after the P2 end), the only check of 08-01 is late
    "hot_work": [{"enterprise": "乙公司", "permit_no": "DH-1", "level": "一级", "start": "2023-08-05 09:00",
                  "end": "2023-08-05 15:00", "approver": "审批人", "approved_at": "2023-08-05 08:00", "worker": "焊工甲",
                  "worker_cert": "T1", "guardian": "监护人", "gas_test": "是", "fire_measures": "是", "method": "气割",
                  "equipment_no": "QG-01"}],
    "welding_equipment": [{"enterprise": "乙公司", "equipment_no": "QG-01", "kind": "割炬", "checked_on": "2023-08-01",
                           "result": "合格", "inspector": "检查员"}],
    "outsourcing": [
        # OS003: the licence expires on 10-15 during the contract: arises 10-16
        {"enterprise": "甲公司", "project": "外墙维修", **_OUT, "licence_until": "2023-10-15", "start": "2023-06-01",
         "end": "2023-12-31", "last_check": "2023-06-20"},
        # OS005: a contract running since March, not checked since P2 began: due at the P2 end (07-31)
        {"enterprise": "丙公司", "project": "仓库出租", **_OUT, "start": "2023-03-01", "last_check": "2023-05-10"},
        # OS005: a contract that starts after the P2 end: from its start (09-10)
        {"enterprise": "丁公司", "project": "场地出租", **_OUT, "start": "2023-09-10"},
    ],
}
ARISING_RULES = ["HZ008", "EN006", "SW001", "SW002", "SW003", "SW004", "TR005", "AC001", "AC002", "EQ001", "OS003",
                 "OS005"]
_Q3 = {("OS005", "丙公司", "2023-07-31"), ("TR005", "丁公司", "2023-08-14"),  # SW003 of July is SW001 by 09-30
       ("TR005", "甲公司", "2023-08-30"), ("AC001", "甲公司", "2023-08-01"), ("AC002", "甲公司", "2023-08-01"),
       ("EQ001", "乙公司", "2023-08-05"), ("SW001", "乙公司", "2023-09-01"), ("SW002", "乙公司", "2023-09-15"),
       ("SW004", "乙公司", "2023-09-05"), ("OS005", "丁公司", "2023-09-10")}


@pytest.fixture(scope="module")
def arising(tmp_path_factory):
    folder = tmp_path_factory.mktemp("arising")
    write_case(ARISING_CASE, folder)
    return folder


@pytest.mark.parametrize("cadence,day,expected", [
    ("month", dt.date(2023, 6, 30), set()),
    ("month", dt.date(2023, 7, 31), {("SW003", "乙公司", "2023-07-02"), ("OS005", "丙公司", "2023-07-31")}),
    ("month", dt.date(2023, 8, 31), {("TR005", "丁公司", "2023-08-14"), ("TR005", "甲公司", "2023-08-30"),
                                     ("AC001", "甲公司", "2023-08-01"), ("AC002", "甲公司", "2023-08-01"),
                                     ("EQ001", "乙公司", "2023-08-05")}),
    ("month", dt.date(2023, 9, 30), {("SW001", "乙公司", "2023-09-01"), ("SW002", "乙公司", "2023-09-15"),
                                     ("SW004", "乙公司", "2023-09-05"), ("OS005", "丁公司", "2023-09-10")}),
    ("month", dt.date(2023, 10, 31), {("OS003", "甲公司", "2023-10-16"), ("EN006", "甲公司", "2023-10-01")}),
    ("month", dt.date(2023, 11, 30), set()),
    ("month", dt.date(2023, 12, 31), {("HZ008", "丙公司", "2023-12-01")}),
    ("week", dt.date(2023, 9, 3), {("SW001", "乙公司", "2023-09-01"), ("TR005", "甲公司", "2023-08-30")}),  # 08-28 – 09-03
    ("week", dt.date(2023, 12, 3), {("HZ008", "丙公司", "2023-12-01")}),
    ("quarter", dt.date(2023, 9, 30), _Q3),
    ("quarter", dt.date(2023, 12, 31), {("OS003", "甲公司", "2023-10-16"), ("EN006", "甲公司", "2023-10-01"),
                                        ("HZ008", "丙公司", "2023-12-01")}),
])
def test_findings_are_new_in_the_report_of_the_day_they_arose(arising, checked, cadence, day, expected):
    """A finding that arises after the date of its ledger row (HZ008 at the end of the 3rd day, TR005 30 days after
    the accident, OS003 the day after the licence expires, EN006 the day after the fined hazard's deadline, OS005 at
    the P2 end, EQ001 on the first cutting permit after the P2 end, AC001/AC002 when the hour runs out after midnight)
    or stands on the special-workers ledger, which has no date (SW001 the day after 有效期至, SW002 3 years + 1 day
    after the last review, SW003 60 days before 有效期至, SW004 on the 初领日期), is new in the report whose window
    holds that day, and in no other."""
    r = build_report(Analysis(checked(arising, day, ARISING_RULES)), cadence)
    new = r.tables[f"{PERIOD_WORD[cadence]}新增发现"].frame
    title = {REGISTRY[x].title: x for x in ARISING_RULES}
    assert {(title[x], e, str(d)) for x, e, d in zip(new["名称"], new["企业名称"], new["日期"])} == expected


@pytest.fixture(scope="module")
def arising_uncoded(tmp_path_factory):
    """The same ledgers, with a registry that gives no enterprise a credit code (SCH003): records name them."""
    from .rules.runner import DEFAULT_ENTERPRISES

    folder = tmp_path_factory.mktemp("arising_uncoded")
    write_case({**ARISING_CASE, "enterprises": [dict(e, uscc=None) for e in DEFAULT_ENTERPRISES]}, folder)
    return folder


@pytest.mark.parametrize("day,expected", [
    (dt.date(2023, 7, 31), {("SW003", "乙公司", "2023-07-02"), ("OS005", "丙公司", "2023-07-31")}),
    (dt.date(2023, 8, 31), {("TR005", "丁公司", "2023-08-14"), ("TR005", "甲公司", "2023-08-30"),
                            ("AC001", "甲公司", "2023-08-01"), ("AC002", "甲公司", "2023-08-01"),
                            ("EQ001", "乙公司", "2023-08-05")}),
    (dt.date(2023, 10, 31), {("OS003", "甲公司", "2023-10-16"), ("EN006", "甲公司", "2023-10-01")}),
])
def test_findings_of_enterprises_without_a_credit_code_are_new_on_the_day_they_arose(arising_uncoded, day, expected):
    """EQ001 and EN006 find their enterprise's permits and fines through the registry enterprise, which a finding
    names by name (and village) where the registry has no credit code: not dated by the P2 end or the year."""
    r = build_report(Analysis(run_check([arising_uncoded], as_of=day, select=ARISING_RULES)), "month")
    new = r.tables["本月新增发现"].frame
    title = {REGISTRY[x].title: x for x in ARISING_RULES}
    assert {(title[x], e, str(d)) for x, e, d in zip(new["名称"], new["企业名称"], new["日期"])} == expected


def test_year_training_counts_only_the_report_period(tmp_path):
    """The year summary's 培训教育 counts the sessions of its period (from the campaign's first day), as its
    tables of the towns' work do: an education of 04-17 and a training of 04-20 are before the campaign."""
    write_case({"training": [
        {"enterprise": "甲公司", "date": d, "kind": k, "topic": "t", "attendees": 20, "examined": 20, "passed": 20}
        for d, k in (("2023-04-17", "事故警示教育"), ("2023-06-20", "事故警示教育"), ("2023-04-20", "专项行动全员培训"),
                     ("2023-06-10", "专项行动全员培训"), ("2023-04-21", "动火作业警示教育"))]}, tmp_path)
    rep = build_report(Analysis(run_check([tmp_path], as_of=END, select=["TR001"])), "year")
    f = rep.facts
    assert (f.tr_accident.value, f.tr_sessions.value, f.tr_people.value, f.tr_hot.value) == (1, 1, 20, 0)
    assert "组织专项行动全员培训1场、20人次" in _text(rep) and "事故警示教育1场" in _text(rep)


@pytest.fixture(scope="module")
def sample_year():
    """The samples checked at 12-31, their year summary and 东坡村's, and the rows the town's summary gave its drill
    and enforcement charts (recorded as charts.drill_coverage and charts.enforcement_by_month are called; each chart
    is drawn as usual, so that the summary is the one build_report makes). Read-only, as ``built``'s."""
    from pathlib import Path

    res = run_check([Path(__file__).resolve().parents[1] / "data" / "samples"], as_of=END)
    got: dict = {}
    real_drills, real_enforcement = charts.drill_coverage, charts.enforcement_by_month

    def drills(groups, *args, **kwargs):
        got["drills"] = groups
        return real_drills(groups, *args, **kwargs)

    def enforcement(monthly, *args, **kwargs):
        got["enforcement"] = monthly
        return real_enforcement(monthly, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(charts, "drill_coverage", drills)
        mp.setattr(charts, "enforcement_by_month", enforcement)
        town = build_report(Analysis(res), "year")
    return res, town, build_report(Analysis(res, village="东坡村"), "year"), got


def test_year_accidents_and_enforcement_are_counted_as_the_rules_and_the_period_count_them(sample_year):
    """The county hour is counted from when the unit's head was informed (AC001), so the summary's late reports
    are AC001's findings; the enforcement figures are the report period's (from the campaign's first day), every
    one of them, not the year's for some and the period's for others."""
    res, rep, _, _ = sample_year
    f, found = rep.facts, res.findings
    assert f.ac_late_county.value == (found["rule_id"] == "AC001").sum() == 2
    assert f.ac_late_town.value == (found["rule_id"] == "AC002").sum()
    assert f"其中{f.ac_late_county.value}起未在一小时内报告县应急管理局" in _text(rep)
    enf = res.ledgers["enforcement"]
    in_period = enf[(enf["date"] >= pd.Timestamp(res.campaign.start)) & (enf["date"] < pd.Timestamp(END) + pd.Timedelta(days=1))]
    assert len(in_period) < len(enf[enf["date"] < pd.Timestamp(END) + pd.Timedelta(days=1)])  # the samples have earlier ones
    assert f.en_n.value == len(in_period) == f.en_visits.value
    assert f.en_major.value == int(in_period["major_hazards"].fillna(0).sum())
    assert f.en_fined.value == int((in_period["fine_company"].fillna(0) > 0).sum())
    monthly = rep.tables["执法检查（按月）"].frame
    assert monthly["月份"].iloc[0] >= f"{res.campaign.start:%Y-%m}"


def test_zero_counts_are_written_as_words_not_as_0(sample_year):
    _, town, village, _ = sample_year
    for report in (town, village):
        t = _text(report)
        assert not re.search(r"(?<![0-9.])0(起|元|次|项|人)", t), t
    assert "责令停产整顿2次。" in _text(town)  # the town's: no 提请关闭 nor 移送司法机关 in the samples
    assert "均在一小时内报告县应急管理局和镇政府" in _text(village)


def test_the_year_charts_get_the_rows_of_their_tables(sample_year):
    """The drill and enforcement charts take rows of the report's own tables, whose 期间 and 月份 read as the
    office writes them (2023年上半年, 2023年8月): every group of the drill chart finds its row, and the
    enforcement chart its months (a chart of the samples said 暂无数据 when the lookup used 2023-H1)."""
    got = sample_year[3]  # what the samples' year summary gave the two charts
    assert [label.split("\n")[0] for label, _ in got["drills"]] == ["全年", "上半年", "下半年"]
    assert all(row is not None and row["应完成"] > 0 for _, row in got["drills"]), got["drills"]
    assert got["enforcement"]["月份"].tolist()[:2] == ["2023年8月", "2023年9月"]
    assert [charts._month(m) for m in got["enforcement"]["月份"]][:2] == ["8月", "9月"]


# -- another campaign: its own phases, enforcers and office, never 积翠镇's 2023 words ---------------------------
OTHER_PHASES = ("宣传发动", "自查自改", "集中整治", "总结提升")
DEFAULT_PHASES = ("动员部署", "企业自查自改和部门帮扶", "精准执法", "巩固提高")


@pytest.fixture(scope="module")
def other_campaign(submission):
    """The default calendar with another town's words: its phase names, its enforcer and its documents' organ."""
    import dataclasses

    from jicui_compliance.campaign import load_campaign

    c = load_campaign()
    other = dataclasses.replace(
        c, town="青石镇", phases=tuple(dataclasses.replace(p, name=n) for p, n in zip(c.phases, OTHER_PHASES)),
        enforcers=("综合执法大队",), documents=dataclasses.replace(c.documents, organ="青石镇安全生产委员会办公室"))
    return {END: run_check([submission], as_of=END, campaign=other)}  # the reports below are of 12-31


@pytest.fixture(scope="module")
def other_reports(other_campaign):
    """cadence → (the report of ``other_campaign`` at 12-31, the titles its enforcement charts were drawn with),
    each made once for the two tests that read them (a year summary draws its charts: about 2 s of CPU). The
    titles are recorded as charts.enforcement_by_month is called, and the chart is drawn as usual, so that the
    report is the one build_report makes. Read-only, as ``built``'s."""
    real = charts.enforcement_by_month
    made = {}
    with pytest.MonkeyPatch.context() as mp:
        for cadence in ("month", "quarter", "year"):
            titles: list = []

            def record(monthly, *args, titles=titles, **kwargs):
                titles.append(args[0] if args else kwargs.get("title", ""))
                return real(monthly, *args, **kwargs)

            mp.setattr(charts, "enforcement_by_month", record)
            made[cadence] = (build_report(Analysis(other_campaign[END]), cadence), titles)
    return made


def _words(report) -> str:
    """Everything a report writes: narrative, headings, tables (titles, notes, columns, cells) and chart titles."""
    parts = [report.heading, report.subtitle, *report.narrative]
    for s in report.sections:
        parts.append(s.heading)
        for it in s.items:
            parts += [it.title, getattr(it, "note", "") or getattr(it, "caption", "")]
            if hasattr(it, "frame"):
                parts += [*map(str, it.frame.columns), it.frame.to_csv(index=False)]
    return "\n".join(parts)


@pytest.mark.parametrize("cadence", ["month", "quarter", "year"])
def test_another_campaign_names_its_own_phases(other_reports, cadence):
    """The year summary lists the campaign's phases (as its paragraph (四) names them), and the P3 coverage column,
    the narrative's P3 sentence and the P3 enforcement chart say the campaign's name of P3, not 精准执法."""
    report, titles = other_reports[cadence]
    words = _words(report) + "\n".join(titles)
    # 动员部署会 (a kind of meeting) and 聚焦重大隐患精准执法 (the plan's words for the work) are no phase names
    assert "、".join(DEFAULT_PHASES) not in words and "精准执法阶段" not in words
    assert not [n for n in DEFAULT_PHASES[1::2] if n in words]
    assert "集中整治阶段检查的高危企业（家）" in report.tables["执法检查覆盖"].frame.columns
    if cadence == "year":
        text = _text(report)
        assert "专项行动按宣传发动、自查自改、集中整治、总结提升四个阶段压茬推进" in text
        assert "第三阶段（集中整治）" in text and "集中整治阶段检查高危行业领域企业" in text
        assert titles == ["集中整治阶段执法检查与处理（按月）"]
        assert [c.title for s in report.sections for c in s.items if getattr(c, "name", "") == "enforcement_p3"] == [
            "集中整治阶段执法情况"]


@pytest.mark.parametrize("cadence", ["month", "quarter", "year"])
def test_another_campaign_names_its_own_enforcers_and_office(other_reports, built, cadence):
    """The year summary's inspections are the stations' and the campaign's enforcers'; the month and quarter reports
    name the campaign's own office (its reports' 发文机关), 积翠镇's reports their 镇应急站 as before."""
    text = _text(other_reports[cadence][0])
    default = _text(built(cadence, END))
    assert "综合行政执法队" not in text and "应急站继续" not in text
    if cadence == "year":
        assert "各站所和综合执法大队共检查企业" in text and "各站所和综合行政执法队共检查企业" in default
    else:
        assert "各站所按时报送台账，镇安全生产委员会办公室继续按周调度、按月小结、按季通报" in text
        assert "各站所按时报送台账，镇应急站继续按周调度、按月小结、按季通报" in default


# one inspection of the high-risk 乙公司 on 07-10, before P3 (精准执法, from 08-01)
P3_CASE = {"enforcement": [{"enterprise": "乙公司", "date": "2023-07-10", "station": "应急站", "officers": "赵、钱",
                            "major_hazards": 0, "actions": "责令限期整改", "listed": "否", "signed": "是"}]}


@pytest.fixture(scope="module")
def before_p3(tmp_path_factory):
    folder = tmp_path_factory.mktemp("before_p3")
    write_case(P3_CASE, folder)
    return {d: run_check([folder], as_of=d) for d in (dt.date(2023, 7, 15), dt.date(2023, 8, 1))}


@pytest.mark.parametrize("cadence", ["month", "quarter", "year"])
def test_p3_coverage_is_not_yet_due_before_p3_starts(before_p3, cadence):
    """Before P3 has started its coverage of high-risk enterprises is not yet due: “—” in the table (with a note),
    no “0家，占0%” sentence in the year summary; from P3's first day it is counted."""
    early, started = (build_report(Analysis(before_p3[d]), cadence) for d in sorted(before_p3))
    column = "精准执法阶段检查的高危企业（家）"
    t = early.tables["执法检查覆盖"]
    header, rows = t.display()
    assert [rows[0][header.index(c)] for c in (column, "高危企业覆盖率")] == ["—", "—"]
    assert "尚未开始" in t.note and not early.facts.en_high_p3.known
    text = _text(early)
    assert "阶段检查高危行业领域企业" not in text and "占全部高危企业的" not in text
    assert early.facts.unexplained_numbers(text) == [] and early.facts.verify(early.tables) == []
    assert started.facts.en_high_p3.value == 0 and "尚未开始" not in started.tables["执法检查覆盖"].note
    if cadence == "year":
        assert "各站所和综合行政执法队共检查企业1家、1家次" in text
        assert "精准执法阶段检查高危行业领域企业0家，占全部高危企业的0%" in _text(started)


@pytest.mark.parametrize("cadence, none, missing", [("month", "本月未开展执法检查。", "本月未报送执法检查记录。"),
                                                   ("year", "报告期内未开展执法检查。", "报告期内未报送执法检查记录。")])
def test_no_inspection_in_the_period_is_not_a_missing_ledger(tmp_path, cadence, none, missing):
    """An enforcement ledger whose only inspection (04-10) lies before the period: there was no inspection; a
    submission without any enforcement ledger: none was submitted."""
    with_ledger, without = tmp_path / "with", tmp_path / "without"
    with_ledger.mkdir(), without.mkdir()
    write_case({"enforcement": [{**P3_CASE["enforcement"][0], "date": "2023-04-10"}]}, with_ledger)
    write_case({"drills": CASE["drills"]}, without)
    said = [_text(build_report(Analysis(run_check([f], as_of=END)), cadence)) for f in (with_ledger, without)]
    assert none in said[0] and missing not in said[0]
    assert missing in said[1] and none not in said[1]


def test_the_guide_promises_the_month_report_what_it_holds(built):
    """docs/guide/analysis.md's 主要内容 of the 月小结 names sections the month report has (it once promised 阶段进展,
    which only the 年总结 has)."""
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "analysis.md").read_text(encoding="utf-8")
    row = next(line for line in guide.splitlines() if line.startswith("| 月小结 |"))
    promised = re.sub(r"（[^）]*）", "", row.split("|")[3]).strip().split("、")
    headings = [s.heading.split("、", 1)[-1] for s in built("month", END).sections]
    assert promised and [p for p in promised if p not in headings] == []


def test_p3_coverage_is_not_shown_as_nought_in_a_month_after_p3(tmp_path):
    """A December 月小结 (P3 ended on 2023-11-30) held none of P3's inspections: its coverage said 0 and 0%; it is
    “—” now, with a note that the period lies after the phase."""
    write_case(P3_CASE, tmp_path)
    r = build_report(Analysis(run_check([tmp_path], as_of=dt.date(2023, 12, 31))), "month")
    t = r.tables["执法检查覆盖"]
    header, rows = t.display()
    assert [rows[0][header.index(c)] for c in ("精准执法阶段检查的高危企业（家）", "高危企业覆盖率")] == ["—", "—"]
    assert "报告期在第三阶段（精准执法，至2023年11月30日）之后" in t.note
    assert r.facts.unexplained_numbers(_text(r)) == [] and r.facts.verify(r.tables) == []


def test_year_hot_work_counts_only_the_report_period(tmp_path):
    """The year summary's 审批动火作业票 counts the permits of its period (from the campaign's first day), as its
    training and enforcement figures do: a permit of 03-10 is before the campaign, one of 01-05 is after as-of."""
    permit = {"level": "二级", "approver": "审批人", "worker": "动火人", "guardian": "监护人", "gas_test": "是",
              "fire_measures": "是", "method": "电钻"}
    write_case({"hot_work": [
        {"enterprise": e, "permit_no": no, "start": f"{d} 09:00", "end": f"{d} 11:00", "approved_at": f"{d} 08:00", **permit}
        for e, no, d in (("甲公司", "DH-1", "2023-03-10"), ("甲公司", "DH-2", "2023-06-15"), ("乙公司", "DH-3", "2023-09-12"),
                         ("乙公司", "DH-4", "2024-01-05"))]}, tmp_path)
    rep = build_report(Analysis(run_check([tmp_path], as_of=END, select=["HW001"])), "year")
    hw = rep.tables["动火作业"].frame
    assert (rep.facts.hw_n.value, rep.facts.hw_ok.value, int(hw["涉及企业"].iloc[0])) == (2, 2, 2)
    assert "审批动火作业票2张，其中各项要求全部合规的2张" in _text(rep)
    assert "2023年5月1日" in rep.tables["动火作业"].note


def test_year_outsourcing_counts_the_projects_running_in_the_report_period(tmp_path):
    """The year summary's 排查外包外租项目 counts the projects running in its period: one that ended before the
    campaign's first day is not counted, one running since 2022 is, one starting after as-of does not exist yet."""
    write_case({"outsourcing": [
        {"enterprise": "丙公司", "project": p, **_OUT, "start": s, "end": e, "agreement_on": a}
        for p, s, e, a in (("旧厂房", "2021-03-01", "2022-12-31", "2021-02-20"), ("仓库", "2022-06-01", None, "2022-05-20"),
                           ("装卸", "2023-07-10", "2023-12-31", "2023-07-05"), ("屋面", "2024-01-10", "2024-02-10", "2024-01-05"))]},
        tmp_path)
    rep = build_report(Analysis(run_check([tmp_path], as_of=END, select=["OS001"])), "year")
    assert (rep.facts.os_n.value, rep.facts.os_signed.value) == (2, 2)
    assert "排查外包外租项目2个，已签订安全生产协议2个" in _text(rep)


def test_year_hazard_total_says_it_holds_the_hazards_found_before_the_campaign(tmp_path):
    """The year summary's 累计排查隐患 is the ledger's stock at as-of (the hazards found before the campaign and
    rectified in it too, as 已整改 and the open list count them): the narrative and the table say how many of them
    were found before the campaign's first day, so that the figure does not read as the period's."""
    hz = {"source": "企业自查", "immediate": "否", "deadline": "2023-12-31"}
    write_case({"hazards": [
        {"enterprise": "甲公司", "hazard_no": n, "description": f"隐患{n}", "found_on": d, **hz}
        for n, d in (("H1", "2023-03-01"), ("H2", "2023-04-15"), ("H3", "2023-08-05"), ("H4", "2024-01-02"))]}, tmp_path)
    rep = build_report(Analysis(run_check([tmp_path], as_of=END, select=["HZ001"])), "year")
    assert (rep.facts.hz_total.value, rep.facts.hz_before.value) == (3, 2)
    assert "累计排查隐患3项（含专项行动开始前发现、纳入本次整治的2项）" in _text(rep)
    assert "专项行动开始（2023年5月1日）前发现" in rep.tables["隐患整改（总体）"].note


def test_year_hazard_total_all_found_before_the_campaign_reads_so(tmp_path):
    """Early in the campaign every hazard of the ledger may have been found before its first day: the narrative
    says they all were (均为…), not that the N hazards "contain" N such."""
    hz = {"source": "企业自查", "immediate": "否", "deadline": "2023-12-31"}
    write_case({"hazards": [
        {"enterprise": "甲公司", "hazard_no": n, "description": f"隐患{n}", "found_on": d, **hz}
        for n, d in (("H1", "2023-03-01"), ("H2", "2023-04-15"))]}, tmp_path)
    rep = build_report(Analysis(run_check([tmp_path], as_of=dt.date(2023, 6, 30), select=["HZ001"])), "year")
    assert "累计排查隐患2项（均为专项行动开始前发现、纳入本次整治的隐患）" in _text(rep)
