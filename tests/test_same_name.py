"""Two registry enterprises may bear one name (only a duplicate credit code is an error): the analysis, the
reports and the documents tell them apart by their credit code, never by their name."""

from __future__ import annotations

import datetime as dt

import pytest
from docx import Document

from jicui_compliance.analysis import Analysis
from jicui_compliance.analysis.comparison import figures
from jicui_compliance.check import run_check, summarise_by_village
from jicui_compliance.documents import write_documents
from jicui_compliance.report import build_report

from .rules.runner import CODES, DEFAULT_ENTERPRISES, write_case

SHOP = "便民超市"
A, B = CODES["USCC_戊"], CODES["USCC_己"]
SHOPS = [  # two 个体 shops of one village under one name, each with its own code and head
    dict(uscc=A, name=SHOP, village="东坡村", industry="工贸", station="应急站", high_risk="否", head="张甲",
         phone="13812340001", employees=3, safety_staff="张甲"),
    dict(uscc=B, name=SHOP, village="东坡村", industry="工贸", station="应急站", high_risk="否", head="李乙",
         phone="13812340002", employees=3, safety_staff="李乙"),
]


@pytest.fixture(scope="module")
def town_folder(tmp_path_factory):
    """Shop A was inspected by its head in June only, shop B in July only: each misses one month."""
    folder = tmp_path_factory.mktemp("samename")
    write_case({
        "extra_enterprises": SHOPS,
        "head_inspections": [
            {"enterprise_uscc": A, "enterprise_name": SHOP, "date": "2023-06-10", "leader": "张甲", "hazards_found": 0,
             "signed": "是"},
            {"enterprise_uscc": B, "enterprise_name": SHOP, "date": "2023-07-10", "leader": "李乙", "hazards_found": 0,
             "signed": "是"},
        ],
    }, folder)
    return folder


@pytest.fixture(scope="module")
def town(town_folder):
    return run_check([town_folder], as_of=dt.date(2023, 7, 31))


def test_the_findings_name_each_shop_for_its_own_month(town):
    f = town.findings
    hi = f[(f["rule_id"] == "HI001") & (f["enterprise_name"] == SHOP)]
    assert sorted(zip(hi["enterprise_uscc"], hi["period"])) == sorted([(A, "2023-07"), (B, "2023-06")])


def test_a_shop_is_not_failing_for_its_namesakes_month(town):
    a = Analysis(town)
    status = a.status
    hi = status[(status["rule_id"] == "HI001") & (status["enterprise_name"] == SHOP)]
    by_eid = {(int(r.eid), r.period): r.status for r in hi.itertuples()}
    eid_a, eid_b = (int(town.registry.index[town.registry["uscc"] == c][0]) for c in (A, B))
    assert by_eid[(eid_a, "2023-06")] == "合规" and by_eid[(eid_a, "2023-07")] == "不合规"
    assert by_eid[(eid_b, "2023-06")] == "不合规" and by_eid[(eid_b, "2023-07")] == "合规"
    c = a.coverage("HI001").set_index("period")
    # six enterprises; the four default ones never inspected, each shop in one month
    assert (c.loc["2023-06", "应完成"], c.loc["2023-06", "已完成"]) == (6, 1)
    assert (c.loc["2023-07", "应完成"], c.loc["2023-07", "已完成"]) == (6, 1)


def test_enterprises_are_counted_by_credit_code(town):
    a = Analysis(town)
    by_rule = a.findings_by_rule().set_index("规则")
    assert by_rule.loc["HI001", "涉及企业"] == 6
    by_village = summarise_by_village(town.findings).set_index("所属村")
    assert by_village.loc["东坡村", "涉及企业"] == 4  # 甲, 乙 and the two shops
    assert figures(a)["有须纠正问题的企业（家）"] == 6


def test_the_reports_count_both_shops(town):
    year = build_report(Analysis(town), "year")
    sev = year.tables["核查发现（按严重程度）"].frame.set_index("问题类别")
    assert sev.loc["须纠正的问题", "涉及企业"] == 6 and sev.loc["需核实完善的问题", "涉及企业"] == 6
    typical = year.tables["典型问题"].frame.set_index("名称")
    assert typical.loc["当月无主要负责人带队检查", "涉及企业"] == 6
    month = build_report(Analysis(town), "month")
    new = month.tables["本月新增发现（按规则）"].frame.set_index("名称")
    assert new.loc["企业未报送专项行动落实情况表", "涉及企业"] == 6  # CHK006 (P2): every enterprise, both shops


def test_each_shop_gets_its_own_notice_naming_its_code(town, tmp_path):
    out = tmp_path / "docs"
    written = write_documents(town, out)
    idx = written.index
    notices = idx[(idx["文书"] == "隐患整改通知书") & idx["主送"].str.startswith(SHOP)]
    assert len(notices) == 2
    assert len(set(notices["文件"])) == 2 and len(set(notices["主送"])) == 2
    texts = {}
    for row in notices.itertuples():
        text = "\n".join(p.text for p in Document(str(out / row.文件)).paragraphs)
        code = A if A in text else B
        assert (B if code == A else A) not in text  # the namesake's code is not in the notice
        assert code in row.主送 and code[-4:] in row.文件
        texts[code] = text
    june, july = "2023年6月无主要负责人", "2023年7月无主要负责人"
    assert f"{july}（张甲）" in texts[A] and june not in texts[A]
    assert f"{june}（李乙）" in texts[B] and july not in texts[B]
    assert f"{SHOP}（统一社会信用代码：{A}）：" in texts[A]
    assert notices["事项数"].tolist() == [5, 5]  # CHK006, HI001, TR001, TR003, TR006 each


def test_a_check_by_village_counts_both_shops(town):
    from jicui_compliance.check import run_check_by_village

    with run_check_by_village([town.submission.root], as_of=dt.date(2023, 7, 31)) as run:
        by_village = summarise_by_village(run.counts()).set_index("所属村")
    assert by_village.loc["东坡村", "涉及企业"] == 4


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    """A rename entered as a second registry row under 甲公司's credit code (that row is SCH004): records
    written with the new name belong to 甲公司 — by name alone (July) or beside the code (June)."""
    folder = tmp_path_factory.mktemp("renamed")
    new = dict(DEFAULT_ENTERPRISES[0], name="甲新名公司")
    write_case({
        "extra_enterprises": [new],
        "head_inspections": [
            {"enterprise_uscc": "{USCC_甲}", "enterprise_name": "甲新名公司", "date": "2023-06-10", "leader": "张三",
             "hazards_found": 0, "signed": "是"},
            {"enterprise_name": "甲新名公司", "date": "2023-07-10", "leader": "张三", "hazards_found": 0, "signed": "是"},
        ],
    }, folder)
    return run_check([folder], as_of=dt.date(2023, 7, 31))


def test_a_name_of_a_duplicate_registry_row_names_the_enterprise_of_its_code(renamed):
    f = renamed.findings
    sch = f[f["rule_id"] == "SCH004"]
    assert sch["ledger"].tolist() == ["enterprises"] and sch["source_row"].tolist() == [6]
    on_rows = f[(f["ledger"] == "head_inspections") & f["source_row"].notna()]
    assert on_rows.empty, on_rows["message"].tolist()  # no REF001 "不在企业名录中", no REF002
    jia = f[(f["enterprise_name"] == "甲公司") & (f["rule_id"] == "HI001")]
    assert jia.empty  # both months were inspected by 张三, 甲公司's head
    rows = renamed.context.resolution.frame("head_inspections")
    assert rows["eid"].tolist() == [0, 0] and rows["ref_status"].tolist() == ["ok", "ok"]


def test_a_duplicate_rows_name_borne_by_another_enterprise_names_neither(tmp_path):
    """The new name of 甲公司's duplicate row is also 乙公司's: a record giving only that name is REF001, and the
    message lists both enterprises; with 乙公司's code it is 乙公司's."""
    write_case({
        "extra_enterprises": [dict(DEFAULT_ENTERPRISES[0], name="乙公司", village="西岭村")],
        "head_inspections": [
            {"enterprise_name": "乙公司", "date": "2023-07-10", "leader": "王五", "hazards_found": 0, "signed": "是"},
            {"enterprise_uscc": "{USCC_乙}", "enterprise_name": "乙公司", "date": "2023-07-11", "leader": "王五",
             "hazards_found": 0, "signed": "是"},
        ],
    }, tmp_path)
    f = run_check([tmp_path], as_of=dt.date(2023, 7, 31)).findings
    ref = f[f["rule_id"].str.startswith("REF")]
    assert ref["rule_id"].tolist() == ["REF001"] and ref["source_row"].tolist() == [2]
    message = ref["message"].iloc[0]
    assert "企业名录中有2家企业名为“乙公司”" in message
    assert CODES["USCC_甲"] in message and CODES["USCC_乙"] in message and "西岭村" in message


def test_the_village_notebook_gives_each_shop_its_own_row(town_folder, tmp_path):
    """08_按村报告.ipynb: the month table has a row per enterprise (it failed on two of one name), each shop named
    with its code, its own month missing; the enterprise table and the findings name the code too."""
    import importlib.util
    import io
    from pathlib import Path

    import pandas as pd

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    spec = importlib.util.spec_from_file_location("render_villages", notebooks / "render_villages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _, page = module.render("东坡村", town_folder, "2023-07-31", tmp_path)
    tables = pd.read_html(io.StringIO(page.read_text("utf-8")))
    months = next(t for t in tables if "2023-06" in map(str, t.columns.get_level_values(0)))  # 月份 over 企业
    months.columns = [str(c[0]) for c in months.columns]
    rows = {r[0]: (r[1], r[2]) for r in months[["月份", "2023-06", "2023-07"]].itertuples(index=False)}
    assert rows[f"{SHOP}（{A}）"] == ("合规", "不合规") and rows[f"{SHOP}（{B}）"] == ("不合规", "合规")
    assert SHOP not in rows
    found = next(t for t in tables if "位置（文件｜工作表｜行｜期间）" in t.columns)
    hi = found[found["规则"] == "HI001"]
    assert {f"{SHOP}（{A}）", f"{SHOP}（{B}）"} <= set(hi["企业"])


def test_export_leaves_a_record_of_a_name_two_villages_share_with_its_sender(tmp_path):
    """``jicui export --parquet``: a record naming only 同名商贸有限公司, which an enterprise of 东坡村 and one of
    西河村 both bear (REF001: neither's), sent by 东坡村, goes to 东坡村's partition, not to the village of whichever
    namesake the registry lists last; one written with its code goes to its enterprise's village."""
    import openpyxl
    import pandas as pd

    from jicui_compliance.store import Store, ingest
    from jicui_compliance.store.export import export_parquet

    name = "同名商贸有限公司"
    town = tmp_path / "town"
    (town / "东坡村").mkdir(parents=True)

    def xlsx(path, rows):
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(path)

    xlsx(town / "企业名录.xlsx", [["统一社会信用代码", "企业名称", "所属村", "行业领域", "监管站所", "主要负责人", "从业人数"],
                              [A, name, "东坡村", "工贸", "应急站", "赵一", 10], [B, name, "西河村", "工贸", "应急站", "钱二", 10]])
    xlsx(town / "东坡村" / "应急演练.xlsx", [["统一社会信用代码", "企业名称", "演练日期", "演练主题", "参加人数"],
                                        [A, name, "2023-06-20", "消防疏散演练", 8], ["", name, "2023-06-21", "防汛演练", 8],
                                        [B, name, "2023-06-22", "防汛演练", 8]])
    store = tmp_path / "s.duckdb"
    ingest(store, [town], received=dt.date(2023, 8, 1), as_of=dt.date(2023, 7, 31))
    with Store.open(store) as s:
        export_parquet(s, tmp_path / "pq")
    drills = pd.read_parquet(tmp_path / "pq" / "drills")
    village = dict(zip(drills["date"].dt.strftime("%m-%d"), drills["village"].astype(str)))
    assert village == {"06-20": "东坡村", "06-21": "东坡村", "06-22": "西河村"}


UNCODED = [  # two registry enterprises of one name in two villages, neither with a credit code (SCH003 each)
    dict(uscc=None, name="顺发农机修理部", village="东坡村", industry="涉农", station="农业站", high_risk="否",
         head="张甲", employees=3, safety_staff="张甲"),
    dict(uscc=None, name="顺发农机修理部", village="西岭村", industry="涉农", station="农业站", high_risk="否",
         head="李乙", employees=3),
]


@pytest.fixture(scope="module")
def uncoded(tmp_path_factory):
    """Only the 西岭村 namesake lacks its 安全管理人员 (ENT002); a record gives the shared name only."""
    folder = tmp_path_factory.mktemp("uncoded")
    write_case({
        "extra_enterprises": UNCODED,
        "head_inspections": [{"enterprise_name": "顺发农机修理部", "date": "2023-07-10", "leader": "张甲",
                              "hazards_found": 0, "signed": "是"}],
    }, folder)
    return run_check([folder], as_of=dt.date(2023, 7, 31))


def test_a_shared_name_without_credit_codes_lists_both_enterprises(uncoded):
    """Neither namesake has a code: the record's REF001 says two registry enterprises bear the name (not that the
    name is missing from the registry) and lists both villages."""
    ref = uncoded.findings[uncoded.findings["rule_id"] == "REF001"]
    assert len(ref) == 1
    message = ref["message"].iloc[0]
    assert "企业名录中有2家企业名为“顺发农机修理部”（东坡村，信用代码未填；西岭村，信用代码未填）" in message
    assert "不在企业名录中" not in message and "请填写该企业的统一社会信用代码" in message


def test_namesakes_without_credit_codes_are_told_apart_by_village(uncoded):
    f = uncoded.findings
    ent002 = f[(f["rule_id"] == "ENT002") & (f["enterprise_name"] == "顺发农机修理部")]
    assert ent002["village"].tolist() == ["西岭村"]
    status = Analysis(uncoded).status
    st = status[(status["rule_id"] == "ENT002") & (status["enterprise_name"] == "顺发农机修理部")]
    assert dict(zip(st["village"], st["status"])) == {"东坡村": "合规", "西岭村": "不合规"}
    assert Analysis(uncoded).findings_by_rule().set_index("规则").loc["ENT002", "涉及企业"] == 1
