"""findings.xlsx: written column by column with the formatting of cell-by-cell writing; the row limit."""

import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from jicui_compliance.findings import COLUMNS, write_csv, write_xlsx
from jicui_compliance.findings.writers import XLSX_MAX_FINDINGS

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def _findings(n: int, **columns) -> pd.DataFrame:
    # one empty text column, typed once and given to every column: typing fifteen lists of 1.1 million
    # "" took 1.7 s of CPU; the frame is the same (dtype and values) as one made of fifteen such lists
    blank = pd.DataFrame({"": [""] * n})[""]
    frame = pd.DataFrame({c: blank for c in COLUMNS})
    frame["rule_id"], frame["severity"], frame["message"] = "FMT001", "警告", "说明"
    if "source_row" not in columns:  # (typing a list of 1.1 million None took 0.3 s, for a column then replaced)
        frame["source_row"] = pd.array([None] * n, dtype="Int64")
    for c, v in columns.items():
        frame[c] = v
    return frame


def test_cells_formats_and_odd_text_survive_the_columnar_writer(tmp_path):
    f = _findings(5, severity=["错误", "警告", "提示", "错误", "警告"],
                  source_row=pd.array([3, None, 12, 4, 5], dtype="Int64"),
                  value=[" 前后有空格 ", "A & B <c>", "<r>像富文本</r>", "响铃\x07字符", "_x0041_"],
                  message=["第一条", "第二条", "第三条", "第一条", "身份证号11010519491231002X有误"])
    summary = pd.DataFrame({"规则": ["FMT001"], "数量": [5]})
    assert write_xlsx(f, tmp_path / "f.xlsx", summary) == 5
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    assert wb.sheetnames == ["核查发现", "按规则汇总"]
    ws = wb["核查发现"]
    assert ws.dimensions == "A1:O6" and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:O6"
    assert ws["A1"].value == "规则编号" and ws["A1"].font.b and ws.row_dimensions[1].height == pytest.approx(20, abs=0.5)
    assert ws["A1"].comment.text == "findings.csv 列名：rule_id"
    assert ws.column_dimensions["O"].width == pytest.approx(80.7109375)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[COLUMNS.index("source_row")] for r in rows] == [3, None, 12, 4, 5]
    values = [r[COLUMNS.index("value")] for r in rows]
    assert values[:3] == [" 前后有空格 ", "A & B <c>", "<r>像富文本</r>"] and values[4] == "_x0041_"
    assert values[3] == "响铃字符"  # control characters are never written
    assert rows[4][COLUMNS.index("message")] == "身份证号110105********002X有误"  # masked
    assert rows[0][COLUMNS.index("enterprise_name")] is None  # empty text: no cell
    fills = [ws.cell(row=i, column=2).fill.fgColor.rgb for i in range(2, 7)]
    assert fills == ["FFF8CBAD", "FFFFE699", "FFDDEBF7", "FFF8CBAD", "FFFFE699"]
    assert ws.cell(row=2, column=1).fill.fgColor.rgb in (None, "00000000")
    assert [r[0].value for r in wb["按规则汇总"].iter_rows(min_row=2)] == ["FMT001"]
    # calamine (what reading uses) sees the same text
    sheet = CalamineWorkbook.from_path(tmp_path / "f.xlsx").get_sheet_by_name("核查发现").to_python()
    assert [r[COLUMNS.index("value")] for r in sheet[1:3]] == [" 前后有空格 ", "A & B <c>"]


def test_an_empty_findings_table_writes_its_header(tmp_path):
    assert write_xlsx(_findings(0), tmp_path / "f.xlsx") == 0
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["核查发现"]
    assert ws.max_row == 1 and ws["O1"].value == "说明"


@pytest.mark.slow
def test_more_findings_than_a_sheet_holds_are_not_cut_silently(tmp_path):
    n = 1_100_000
    f = _findings(n, source_row=pd.array(np.arange(1, n + 1), dtype="Int64"))
    summary = pd.DataFrame({"规则": ["FMT001"], "数量": [n]})
    # written as `jicui check` writes them: masked once before (masked=True). These findings hold no personal
    # number (the same text in every row); masking them in each writer cost 3.7 s of CPU and proved nothing of
    # the row limit (test_cells_formats_and_odd_text_survive_the_columnar_writer checks the writer's masking)
    assert write_xlsx(f, tmp_path / "findings.xlsx", summary, masked=True) == XLSX_MAX_FINDINGS
    with zipfile.ZipFile(tmp_path / "findings.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:O1048576"/>' in sheet and 'ref="A1:O1048576"' in sheet.split("</sheetData>")[1]
    last = re.findall(r'<row r="(\d+)"', sheet[-2000:])[-1]
    assert last == "1048576" and f'<c r="L1048576"><v>{XLSX_MAX_FINDINGS}</v></c>' in sheet[-2000:]
    rows = CalamineWorkbook.from_path(tmp_path / "findings.xlsx").get_sheet_by_name("按规则汇总").to_python()
    note = rows[-1][0]
    assert "1,100,000" in note and "1,048,575" in note and "findings.csv" in note
    write_csv(f, tmp_path / "findings.csv", masked=True)
    with open(tmp_path / "findings.csv", encoding="utf-8-sig") as fh:
        assert sum(1 for _ in fh) == n + 1


def test_findings_as_parquet_beside_the_csv(tmp_path):
    import duckdb

    from jicui_compliance.findings import write_parquet

    f = _findings(3, source_row=pd.array([2, None, 7], dtype="Int64"), value=["13812345678", "", "x"])
    write_parquet(f, tmp_path / "it's findings.parquet")
    back = duckdb.sql(f"select * from read_parquet('{tmp_path}/it''s findings.parquet')").df()
    assert list(back.columns) == COLUMNS and len(back) == 3
    assert back["value"].tolist() == ["138****5678", "", "x"]
    assert back["source_row"].tolist()[0] == 2 and pd.isna(back["source_row"].tolist()[1])


def test_cli_writes_the_chosen_formats_and_says_when_the_sheet_is_cut(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from jicui_compliance.cli import app
    from jicui_compliance.findings import writers

    monkeypatch.setattr(writers, "XLSX_MAX_FINDINGS", 10)
    res = CliRunner().invoke(app, ["check", str(SAMPLES), "--as-of", "2023-12-31", "--out", str(tmp_path),
                                   "--format", "xlsx,parquet"])
    assert res.exit_code == 0, res.output
    assert {p.name for p in tmp_path.iterdir()} == {"findings.csv", "findings.xlsx", "findings.parquet"}
    assert "只列出前 10 条" in res.output and "findings.csv（完整）" in res.output
    bad = CliRunner().invoke(app, ["check", str(SAMPLES), "--out", str(tmp_path / "b"), "--format", "pdf"])
    assert bad.exit_code == 2
