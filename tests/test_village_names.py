"""A registry's 所属村 written after the town's name ("积翠镇东坡村" beside "东坡村") is one village everywhere:
the registry every rule, analysis, report, document and template reads carries the village's one name
(:meth:`jicui_compliance.resolution.Resolution.one_village`), as GV001 reads it (audit 7, bug 1)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from jicui_compliance.analysis import Analysis
from jicui_compliance.check import CheckResult, run_check
from jicui_compliance.cli import app

from .rules.runner import DEFAULT_ENTERPRISES, write_case

AS_OF = "2023-09-30"
runner = CliRunner()


def _case(villages: dict[str, str], stations: dict[str, str] | None = None) -> dict:
    ents = [dict(e) for e in DEFAULT_ENTERPRISES]
    for e in ents:
        e["village"] = villages.get(e["name"], e["village"])
        e["station"] = (stations or {}).get(e["name"], e["station"])
    # 甲公司's head inspects every month from June: 东坡村 ranks above 西岭村
    inspections = [{"enterprise": "甲公司", "date": f"2023-{m:02d}-20", "leader": "张三", "hazards_found": 0, "signed": "是"}
                   for m in (6, 7, 8)]
    return {"enterprises": ents, "head_inspections": inspections}


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> Path:
    """甲、乙 of 东坡村 (乙's 所属村 written 积翠镇东坡村), 丙、丁 of 西岭村 (丙's 监管站所 written 积翠镇城建站)."""
    folder = tmp_path_factory.mktemp("prefixed")
    write_case(_case({"乙公司": "积翠镇东坡村"}, {"丙公司": "积翠镇城建站"}), folder)
    return folder


@pytest.fixture(scope="module")
def result(town) -> CheckResult:
    return run_check([town], as_of=dt.date.fromisoformat(AS_OF))


def test_the_registry_carries_one_name_per_village(result):
    reg = result.registry.set_index("name")
    assert reg["village"].to_dict() == {"甲公司": "东坡村", "乙公司": "东坡村", "丙公司": "西岭村", "丁公司": "西岭村"}
    assert result.context.resolution.frame("enterprises")["village"].tolist() == ["东坡村", "东坡村", "西岭村", "西岭村"]
    assert reg.loc["丙公司", "station_eff"] == "城建站"  # the 监管站所 was read so already
    assert set(result.findings["village"]) == {"东坡村", "西岭村", "城建站", "宣传部门", "应急站", "积翠镇"}
    assert set(result.findings.loc[result.findings["enterprise_name"] == "乙公司", "village"]) == {"东坡村"}


def test_the_rankings_and_the_letters_count_the_village_once(result):
    a = Analysis(result)
    villages = a.ranking("village")
    assert villages[["village", "企业数", "排名"]].values.tolist() == [["东坡村", 2, 1], ["西岭村", 2, 2]]
    assert a.ranking("station")["station"].tolist() == ["应急站", "城建站", "宣传部门"]
    letters = a.letters().set_index("单位")
    assert "为2个村中最低" in letters.loc["西岭村", "列入理由"]
    assert "积翠镇东坡村" not in letters.index
    lists = a.four_lists().set_index("企业名称")
    assert lists.loc["乙公司", "所属村"] == "东坡村" and set(lists["所属村"]) == {"东坡村", "西岭村"}


def test_a_village_report_has_the_prefixed_enterprise(result):
    a = Analysis(result, village="东坡村")
    assert a.ranking("village")["village"].tolist() == ["东坡村"]
    assert set(a.result.findings["enterprise_name"]) - {""} == {"甲公司", "乙公司"}


def test_findings_files_name_the_village_once(town, tmp_path):
    res = runner.invoke(app, ["check", str(town), "--as-of", AS_OF, "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    with open(tmp_path / "findings.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["village"] for r in rows if r["enterprise_name"] == "乙公司"} == {"东坡村"}
    assert "积翠镇东坡村" not in {r["village"] for r in rows}
    wb = openpyxl.load_workbook(tmp_path / "findings.xlsx", read_only=True)
    by_village = {r[0]: r[5] for r in wb["按村汇总"].iter_rows(min_row=2, values_only=True)}
    assert by_village["东坡村"] == 2 and by_village["西岭村"] == 2 and "积翠镇东坡村" not in by_village  # 涉及企业


def test_report_of_the_village_has_both_enterprises(town, tmp_path):
    res = runner.invoke(app, ["report", str(town), "--as-of", AS_OF, "--cadence", "quarter", "--village", "东坡村",
                              "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / f"季通报_东坡村_{AS_OF}.xlsx", read_only=True)
    overview = list(wb["企业概况"].iter_rows(values_only=True))
    assert overview[1][:2] == ("东坡村", 2) and len(overview) == 2
    ranking = [r for r in wb["各村排名"].iter_rows(values_only=True) if r[0] in ("东坡村", "积翠镇东坡村")]
    assert [r[:2] for r in ranking] == [("东坡村", 2)]


def test_notices_of_the_village_have_both_enterprises(town, tmp_path):
    res = runner.invoke(app, ["notices", str(town), "--as-of", AS_OF, "--village", "东坡村", "--out", str(tmp_path / "n")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "n" / "隐患整改通知书").iterdir()) == ["001_乙公司.docx", "002_甲公司.docx"]
    res = runner.invoke(app, ["notices", str(town), "--as-of", AS_OF, "--village", "积翠镇东坡村", "--out", str(tmp_path / "m")])
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1] == ("无法运行：村“积翠镇东坡村”不在企业名录的“所属村”中（名录中的村：东坡村、西岭村）；"
                                                   "所属村前的镇名不看，请写“东坡村”")


def test_templates_make_one_template_per_village(town, tmp_path):
    res = runner.invoke(app, ["templates", "--registry", str(town), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    villages = sorted(p.name for p in tmp_path.glob("*村台账模板.xlsx"))
    assert villages == ["东坡村台账模板.xlsx", "西岭村台账模板.xlsx"]
    choices = openpyxl.load_workbook(tmp_path / "东坡村台账模板.xlsx", read_only=True)["可选值"]
    names = [r[0] for r in choices.iter_rows(values_only=True)]
    assert names[names.index("企业名称") + 1:names.index("企业名称") + 3] == ["乙公司", "甲公司"]


def test_a_prefixed_spelling_that_is_another_villages_name_stays_that_village(tmp_path):
    """With villages 南村 and 镇南村, 镇南村 is its own village (as GV001 reads it); 积翠镇南村 is 南村."""
    write_case(_case({"甲公司": "南村", "乙公司": "积翠镇南村", "丙公司": "镇南村", "丁公司": "镇南村"}), tmp_path)
    reg = run_check([tmp_path], as_of=dt.date.fromisoformat(AS_OF)).registry.set_index("name")
    assert reg["village"].to_dict() == {"甲公司": "南村", "乙公司": "南村", "丙公司": "镇南村", "丁公司": "镇南村"}
