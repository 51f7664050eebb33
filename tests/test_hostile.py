"""Hostile and broken inputs (issue 12): each file is built here, small, and `jicui check` is run
on it in a subprocess with a memory limit; it must end with its documented exit code, an SCH000
(or SCH002) naming the reason or one line on stderr, no traceback, and bounded memory. Then the
outputs: written as a set under a lock (kill tests), the file-system errors as one line, and no
unmasked personal number in any output file."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jicui_compliance.cli import app
from jicui_compliance.text import mask_personal
from jicui_compliance.writing import KILL_AT_ENV, LOCK_NAME, TMP_PREFIX

from .rules.runner import write_case

runner = CliRunner()
MEMORY_LIMIT = 3 * 2**30  # address space of the checking process (RLIMIT_AS)
PEAK_BOUND_KB = 1_200_000  # its peak resident memory, whatever a file claims


# -- building hostile files ---------------------------------------------------------------------
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _xlsx(path: Path, sheet_data: str | None = None, *, bomb_bytes: int = 0) -> Path:
    """A minimal workbook whose one sheet holds ``sheet_data`` (or ``bomb_bytes`` of blanks)."""
    head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<dimension ref="A1"/><sheetData>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WB),
                           ("xl/_rels/workbook.xml.rels", _WB_RELS)):
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head.encode())
            fh.write((sheet_data or "").encode())
            block = b" " * 2**20
            for _ in range(bomb_bytes // len(block)):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return path


def _nested(folder: Path, depth: int) -> None:
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.fixture()
def submission(tmp_path):
    folder = tmp_path / "报送"
    folder.mkdir()
    write_case({"head_inspections": [{"enterprise": "甲公司", "date": "2023-07-01", "leader": "张三", "hazards_found": 0}]},
               folder)
    return folder


#: runs the command line as `python -m jicui_compliance` would, then writes the process's own peak
#: resident memory (VmHWM: per address space, so it starts afresh at exec; ru_maxrss of the child
#: would carry the forking pytest worker's size over) to the file named in the environment
_PEAK_RUNNER = """
import os, runpy, sys
sys.argv = ["jicui_compliance", *sys.argv[1:]]
try:
    runpy.run_module("jicui_compliance", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    with open(os.environ["JICUI_TEST_PEAK_FILE"], "w") as f:
        f.write(str(kb))
"""


def _run(args: list[str], env: dict | None = None, limit: int = MEMORY_LIMIT) -> tuple[int, str, str, int | None]:
    """`python -m jicui_compliance ARGS` with an address-space limit: (exit code, stdout, stderr, the
    process's peak resident memory in KB; None when it was killed before it could say)."""
    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    fd, peak_file = tempfile.mkstemp(prefix="jicui-peak-")
    os.close(fd)
    os.unlink(peak_file)
    proc = subprocess.Popen([sys.executable, "-c", _PEAK_RUNNER, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=limited,
                            env={**os.environ, **(env or {}), "JICUI_TEST_PEAK_FILE": peak_file})
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    try:
        peak: int | None = int(Path(peak_file).read_text())
        os.unlink(peak_file)
    except (OSError, ValueError):
        peak = None
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), peak


def _check(sub: Path, out: Path, *extra: str, env: dict | None = None):
    return _run(["check", str(sub), "--out", str(out), "--as-of", "2023-12-31", *extra], env=env)


def _findings(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "findings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _assert_clean(code: int, err: str, expected: int = 0) -> None:
    assert code == expected, err
    assert "Traceback" not in err


# -- inputs: each one an SCH000 (or SCH002) and the run goes on ----------------------------------
HOSTILE = {
    "far_cell_with_content": (lambda d: _xlsx(d / "远单元格.xlsx", "<row r=\"1\">" + _cell("A1", "企业名称")
                                              + "</row><row r=\"1048576\">" + _cell("XFD1048576", "x") + "</row>"),
                              "SCH000", "超过列数上限 256"),
    "far_row_with_content": (lambda d: _xlsx(d / "远行.xlsx", "<row r=\"1\">" + "".join(_cell(f"{chr(65 + i)}1", f"列{i}") for i in range(26))
                                             + "</row><row r=\"1048576\">" + _cell("A1048576", "x") + "</row>"),
                             "SCH000", "超过单元格上限"),
    "zip_bomb": (lambda d: _xlsx(d / "炸弹.xlsx", bomb_bytes=530 * 2**20), "SCH000", "解压后大小"),
    "csv_one_line_of_commas": (lambda d: (d / "逗号.csv").write_bytes(b"," * (3 * 2**20)), "SCH000", "单行的上限"),
    "csv_too_many_columns": (lambda d: (d / "宽表.csv").write_text(",".join(f"列{i}" for i in range(400)) + "\n", "utf-8"),
                             "SCH000", "列"),
    "encrypted_workbook": (lambda d: (d / "加密.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 500),
        "SCH000", "已加密，请另存为不加密的文件"),
    "broken_link": (lambda d: os.symlink(d / "不存在.xlsx", d / "失效链接.xlsx"), "SCH000", "失效的链接"),
    "looping_link": (lambda d: os.symlink(d / "环.xlsx", d / "环.xlsx"), "SCH000", "循环链接"),
    "link_to_own_folder": (lambda d: os.symlink(d, d / "回到自己"), "SCH000", "循环链接"),
    "fifo": (lambda d: os.mkfifo(d / "管道.csv"), "SCH000", "特殊文件"),
    "nested_1100_folders": (lambda d: _nested(d, 1100), "SCH000", "层级"),
}


#: the non-UTF-8 file name of test_non_utf8_file_name_is_shown_with_replacement_characters (张三.pdf in GBK)
NON_UTF8_NAME = b"\xd5\xc5\xc8\xfd.pdf"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """One submission holding every hostile input of HOSTILE (and a file whose name is not UTF-8) beside a ledger,
    checked once by `jicui check` in a subprocess under the memory limit: (exit code, stderr, peak KB, findings,
    case → the name it made in the folder). Each input is named in the findings by its own file (source_file), so
    each case's SCH000 is told apart; the run must go on past all of them at once (one process: a subprocess with
    its imports costs about 2.5 s of CPU, eleven of them cost 30 s)."""
    folder = tmp_path_factory.mktemp("hostile")
    sub = folder / "报送"
    sub.mkdir()
    write_case({"head_inspections": [{"enterprise": "甲公司", "date": "2023-07-01", "leader": "张三", "hazards_found": 0}]},
               sub)
    names = {}
    for case, (build, _, _) in HOSTILE.items():
        before = set(os.listdir(sub))
        build(sub)
        (names[case],) = set(os.listdir(sub)) - before
    with open(os.path.join(os.fsencode(sub), NON_UTF8_NAME), "wb") as fh:
        fh.write(b"%PDF-1.4")
    out = folder / "结果"
    code, _, err, peak = _check(sub, out)
    try:
        yield code, err, peak, (_findings(out) if (out / "findings.csv").exists() else None), names, out
    finally:  # pytest's own clean-up of old folders recurses, and would fail on 1,100 levels
        subprocess.run(["rm", "-rf", str(sub / names["nested_1100_folders"])], check=False)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_input_is_an_sch000_and_the_run_goes_on(hostile_run, case):
    code, err, peak, f, names, _ = hostile_run
    _, rule, needle = HOSTILE[case]
    _assert_clean(code, err)
    assert f is not None
    mine = f[f["source_file"].str.split("/").str[0] == names[case]]
    hit = mine[(mine["rule_id"] == rule) & mine["message"].str.contains(needle, regex=False)]
    assert len(hit) >= 1, mine["message"].tolist()
    assert peak is not None and peak < PEAK_BOUND_KB


def _check_here(sub: Path, out: Path, as_of: str = "2023-12-31") -> pd.DataFrame:
    """`jicui check` in this process (no memory limit needed): the findings."""
    res = runner.invoke(app, ["check", str(sub), "--out", str(out), "--as-of", as_of])
    _assert_clean(res.exit_code, res.output)
    return _findings(out)


def test_real_excel_date_after_2262_is_sch002_but_9999_12_31_is_long_term(submission, tmp_path):
    """9999-12-31 in a validity column is how clerks write “长期”: no SCH002, never expired or
    expiring; 3023 (a typo) stays SCH002, in a validity column too; an expired date is SW001."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "姓名", "作业类别", "证书编号", "初领日期", "有效期至"])
    ws.append(["甲公司", "焊工甲", "焊接与热切割作业", "T1", dt.datetime(2022, 3, 1), dt.datetime(9999, 12, 31)])
    ws.append(["甲公司", "焊工乙", "焊接与热切割作业", "T2", dt.datetime(2022, 3, 1), dt.datetime(3023, 5, 1)])
    ws.append(["甲公司", "焊工丙", "焊接与热切割作业", "T3", dt.datetime(2022, 3, 1), "9999/12/31"])
    ws.append(["甲公司", "焊工丁", "焊接与热切割作业", "T4", dt.datetime(2022, 3, 1), "长期"])
    ws.append(["甲公司", "焊工戊", "焊接与热切割作业", "T5", dt.datetime(2022, 3, 1), "长期有效"])
    ws.append(["甲公司", "焊工己", "焊接与热切割作业", "T6", dt.datetime(2022, 3, 1), "9999-12-31"])
    ws.append(["甲公司", "焊工庚", "焊接与热切割作业", "T7", dt.datetime(2018, 3, 1), dt.datetime(2023, 6, 30)])
    ws.append(["甲公司", "焊工辛", "焊接与热切割作业", "T8", dt.datetime(3023, 3, 1), "长期"])
    wb.save(submission / "持证.xlsx")
    f = _check_here(submission, tmp_path / "结果")  # dates, not the process nor its memory: in this process
    mine = f[f["source_file"] == "持证.xlsx"]
    sch002 = mine[mine["rule_id"] == "SCH002"]
    assert sorted(sch002["source_row"].astype(int)) == [3, 9]  # 3023 as 有效期至, and as 初领日期
    assert "3023" in sch002[sch002["source_row"] == "3"]["message"].iloc[0]
    assert "长期" in sch002[sch002["source_row"] == "3"]["message"].iloc[0]  # the detail says how to write it
    expired = mine[mine["rule_id"] == "SW001"]
    assert expired["source_row"].tolist() == ["8"]
    assert mine[mine["rule_id"] == "SW003"].empty
    assert mine[mine["rule_id"] == "SCH003"].empty


def test_long_term_validity_is_shown_as_long_term_and_still_reviewed(submission, tmp_path):
    """A certificate valid 长期 is still reviewed every 3 years (SW002), and its date reads “长期”."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "姓名", "作业类别", "证书编号", "初领日期", "有效期至"])
    ws.append(["甲公司", "焊工甲", "焊接与热切割作业", "T1", dt.datetime(2019, 3, 1), dt.datetime(9999, 12, 31)])
    wb.save(submission / "持证.xlsx")
    f = _check_here(submission, tmp_path / "结果")
    mine = f[f["source_file"] == "持证.xlsx"]
    assert mine["rule_id"].tolist() == ["SW002"]
    from jicui_compliance.reading.cells import LONG_TERM
    from jicui_compliance.rules.context import day_text
    from jicui_compliance.store.keys import _text

    dates = pd.Series([pd.Timestamp(LONG_TERM), pd.Timestamp("2023-07-20")])
    assert day_text(dates).tolist() == _text(dates).tolist() == ["长期", "2023-07-20"]  # findings, and `jicui diff`


_WORKERS = ("企业名称", "姓名", "作业类别", "证书编号", "有效期至")


def _workers_sheet(rows: list[tuple[str, ...]]) -> str:
    """Sheet XML of a 持证台账: the header in row 1, ``rows`` from row 2."""
    out = []
    for r, row in enumerate([_WORKERS, *rows], start=1):
        out.append(f'<row r="{r}">' + "".join(_cell(f"{chr(65 + j)}{r}", v) for j, v in enumerate(row)) + "</row>")
    return "".join(out)


FAR_BLANKS = ["XFD1048576", "ZZ200000", "E1048576"]


@pytest.fixture(scope="module")
def far_blanks_checked(tmp_path_factory):
    """The workbooks of the two tests below, one per far blank cell (远单元格_<cell>.xlsx) and the one as Excel writes
    them (远单元格_Excel.xlsx), in one submission checked once by `jicui check` under the memory limit (each
    workbook's findings are told apart by source_file; a subprocess with its imports costs about 2.5 s of CPU):
    the findings of the run, which ended cleanly within the peak bound."""
    import xlsxwriter

    sub = tmp_path_factory.mktemp("far_blanks") / "报送"
    sub.mkdir()
    write_case({"head_inspections": [{"enterprise": "甲公司", "date": "2023-07-01", "leader": "张三", "hazards_found": 0}]},
               sub)
    rows = [("甲公司", "焊工甲", "焊接与热切割作业", "T1", "2025-01-01"),
            ("甲公司", "焊工乙", "焊接与热切割作业", "T2", "2023-13-45"),  # SCH002, row 3
            ("甲公司", "焊工丙", "焊接与热切割作业", "T3", "2023-06-30")]  # expired: SW001, row 4
    for far in FAR_BLANKS:
        row = "".join(ch for ch in far if ch.isdigit())
        path = _xlsx(sub / f"远单元格_{far}.xlsx", _workers_sheet(rows) + f'<row r="{row}">' + _cell(far, " ") + "</row>")
        assert path.stat().st_size < 2000
    # as Excel writes them: white space as shared strings far out, a formatted empty cell far below
    wb = xlsxwriter.Workbook(str(sub / "远单元格_Excel.xlsx"))
    ws = wb.add_worksheet("持证人员")
    ws.write_row(0, 0, list(_WORKERS))
    ws.write_row(1, 0, ["甲公司", "焊工甲", "焊接与热切割作业", "T1", "2025-01-01"])
    ws.write_row(2, 0, ["甲公司", "焊工丙", "焊接与热切割作业", "T3", "2023-06-30"])  # expired: SW001, row 3
    ws.write_string(1048575, 16383, " ")
    ws.write_string(5000, 300, "\u3000 ")
    ws.write_blank(900000, 3, None, wb.add_format({"bold": True}))
    wb.close()
    out = sub.parent / "结果"
    code, _, err, peak = _check(sub, out)
    _assert_clean(code, err)
    assert peak is not None and peak < PEAK_BOUND_KB
    return _findings(out)


def _far_file(findings: pd.DataFrame, file: str) -> pd.DataFrame:
    """The findings of ``file`` in the far blanks' run: no SCH000 for it (the sheet is read)."""
    mine = findings[findings["source_file"] == file]
    assert mine[mine["rule_id"] == "SCH000"].empty, mine["message"].tolist()
    return mine


@pytest.mark.parametrize("far", FAR_BLANKS)
def test_a_far_blank_cell_is_trimmed_and_the_sheet_read(far_blanks_checked, far):
    """A space typed far away (the dimension and the cell claim a huge range) is trimmed: the sheet
    is read with its real rows, at their Excel row numbers, in bounded memory; no SCH000."""
    mine = _far_file(far_blanks_checked, f"远单元格_{far}.xlsx")
    assert mine[mine["rule_id"] == "SCH002"]["source_row"].tolist() == ["3"]
    assert mine[mine["rule_id"] == "SW001"]["source_row"].tolist() == ["4"]


def test_far_blank_shared_strings_and_formatted_cells_are_trimmed(far_blanks_checked):
    """As Excel writes them: white space as shared strings (a space, an ideographic space) far
    out, and a formatted empty cell far below: the sheet is read, with its real rows."""
    mine = _far_file(far_blanks_checked, "远单元格_Excel.xlsx")
    assert mine[mine["rule_id"] == "SW001"][["source_sheet", "source_row"]].values.tolist() == [["持证人员", "3"]]


def test_excel_error_cells_are_sch002_not_empty(submission, tmp_path):
    """#REF! in a required column and #N/A in a date column: SCH002 “单元格为公式错误 #REF!” at
    their row and column, and no “必填项为空” for those cells."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "持证人员"
    ws.append(list(_WORKERS))
    ws.append(["甲公司", "焊工甲", "焊接与热切割作业", "T1", dt.datetime(2025, 1, 1)])
    ws.append(["甲公司", "焊工乙", "焊接与热切割作业", "#REF!", "#N/A"])
    ws.append(["甲公司", "#DIV/0!", "焊接与热切割作业", "T3", dt.datetime(2025, 1, 1)])
    for ref in ("D3", "E3", "B4"):
        ws[ref].data_type = "e"
    wb.save(submission / "公式错误.xlsx")
    f = _check_here(submission, tmp_path / "结果")  # small cells, no memory bound asserted: in this process
    mine = f[f["source_file"] == "公式错误.xlsx"]
    assert mine[mine["rule_id"] == "SCH003"].empty, mine["message"].tolist()
    got = mine[mine["rule_id"] == "SCH002"].sort_values(["source_row", "column"])
    assert got[["source_sheet", "source_row", "column", "value"]].values.tolist() == [
        ["持证人员", "3", "有效期至", "#N/A"], ["持证人员", "3", "证书编号", "#REF!"], ["持证人员", "4", "姓名", "#DIV/0!"]]
    assert got["message"].str.contains("单元格为公式错误 #").all()
    assert "单元格为公式错误 #REF!" in got[got["column"] == "证书编号"]["message"].iloc[0]


def test_error_cells_in_a_text_column_are_not_read_as_text(tmp_path):
    """The reader gives error cells as FormulaError; a text cell that reads “#REF!” stays text."""
    import openpyxl

    from jicui_compliance.reading.cells import FormulaError
    from jicui_compliance.reading.sources import SourceFile, read_workbook

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["#NAME?", "#REF!", "#VALUE!", "#NUM!", "#NULL!"])
    for cell in ws[1]:
        cell.data_type = "e"
    ws["E1"].data_type = "s"  # the text “#NULL!”, typed as text
    wb.save(tmp_path / "e.xlsx")
    (sheet,) = read_workbook(SourceFile(tmp_path / "e.xlsx", "e.xlsx"))
    assert sheet.cells.iloc[0].tolist() == [FormulaError("#NAME?"), FormulaError("#REF!"), FormulaError("#VALUE!"),
                                            FormulaError("#NUM!"), "#NULL!"]


@pytest.mark.parametrize("chunk", [7, 50, 4 * 2**20])
def test_error_cells_are_found_across_chunk_boundaries(tmp_path, monkeypatch, chunk):
    """The search for error cells cuts each out whole, wherever the unzipped chunks end; it finds
    what a full parse of the sheet finds."""
    from jicui_compliance.reading import sources
    from jicui_compliance.reading.cells import FormulaError

    rows = "".join(f'<row r="{r}">' + _cell(f"A{r}", "甲" * r) + f'<c r="B{r}" t="e"><f>Sheet9!A1</f><v>#REF!</v></c>'
                   + f'<c r="C{r}" s="1" t="e"><v>#N/A</v></c></row>' for r in range(1, 12))
    path = _xlsx(tmp_path / "e.xlsx", rows)
    monkeypatch.setattr(sources, "_CHUNK", chunk)
    with zipfile.ZipFile(path) as z:
        searched = sources._formula_cells_by_search(z, "xl/worksheets/sheet1.xml")
        parsed = sources._formula_cells_by_parsing(z, "xl/worksheets/sheet1.xml")
    assert searched == parsed == {**{(r, 1): FormulaError("#REF!") for r in range(11)},
                                  **{(r, 2): FormulaError("#N/A") for r in range(11)}}


#: a formula cell as each kind of writer saves it: (cell XML, what the reader gives)
_FORMULA_CELLS = {
    "openpyxl": ('<c r="{ref}"><f>D{row}+30</f><v></v></c>', "=D{row}+30"),
    "no_value": ('<c r="{ref}" s="1"><f>TODAY()</f></c>', "=TODAY()"),
    "empty_value_element": ('<c r="{ref}"><f>DATE(2023,7,{row})</f><v/></c>', "=DATE(2023,7,{row})"),
    "shared_other_cell": ('<c r="{ref}"><f t="shared" si="0"/></c>', "（公式）"),
    "text_without_result": ('<c r="{ref}" t="str"><f>"F-"&amp;"{row}"</f></c>', '="F-"&"{row}"'),
    "excel_with_result": ('<c r="{ref}" s="2"><f>D{row}+30</f><v>45142</v></c>', 45142.0),
    "excel_empty_text_result": ('<c r="{ref}" t="str"><f>IF(D{row}="","",D{row})</f><v></v></c>', ""),
    "excel_text_result": ('<c r="{ref}" t="str"><f>"F-"&amp;"{row}"</f><v>F-{row}</v></c>', "F-{row}"),
}


@pytest.mark.parametrize("chunk", [7, 50, 4 * 2**20])
def test_a_formula_saved_without_its_result_is_read_as_such(tmp_path, monkeypatch, chunk):
    """A formula cell with no saved result (openpyxl, system exports: calamine reads it as empty) is
    given as UnsavedFormula, whichever way it is written and wherever the unzipped chunks end, as a
    full parse finds it; a formula with its result (as Excel saves it, empty text included) reads as today."""
    from jicui_compliance.reading import sources
    from jicui_compliance.reading.cells import UnsavedFormula

    kinds = list(_FORMULA_CELLS)
    rows = "".join(f'<row r="{r}">' + _cell(f"A{r}", "甲" * r) + "".join(
        _FORMULA_CELLS[k][0].format(ref=f"{chr(66 + j)}{r}", row=r) for j, k in enumerate(kinds))
        + _cell(f"{chr(66 + len(kinds))}{r}", "尾") + "</row>" for r in range(1, 6))
    path = _xlsx(tmp_path / "f.xlsx", rows)
    monkeypatch.setattr(sources, "_CHUNK", chunk)
    with zipfile.ZipFile(path) as z:
        searched = sources._formula_cells_by_search(z, "xl/worksheets/sheet1.xml")
        parsed = sources._formula_cells_by_parsing(z, "xl/worksheets/sheet1.xml")
    assert searched == parsed
    (sheet,) = sources.read_workbook(sources.SourceFile(path, "f.xlsx"))
    for r in range(5):
        got = sheet.cells.iloc[r].tolist()[1:-1]
        want = [_FORMULA_CELLS[k][1] for k in kinds]
        want = [w.format(row=r + 1) if isinstance(w, str) else w for w in want]
        assert [str(g) if isinstance(g, UnsavedFormula) else g for g in got] == want
        assert [isinstance(g, UnsavedFormula) for g in got] == [k in kinds[:5] for k in kinds]


def _prefixed(path: Path) -> None:
    """The workbook's sheets rewritten with a namespace prefix on every tag (<x:c><x:f>…), as the OpenXML SDK
    and some system exports write them."""
    data = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data[info.filename] = z.read(info.filename)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in data.items():
            if name.startswith("xl/worksheets/sheet"):
                text = body.decode().replace('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                                             'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"')
                body = re.sub(r"<(/?)([A-Za-z]+)([ >/])", r"<\1x:\2\3", text).encode()
            z.writestr(name, body)


@pytest.mark.parametrize("prefixed", [False, True])
def test_a_formula_saved_without_its_result_is_sch002_and_no_accusation(tmp_path, prefixed):
    """openpyxl saves formulas without their results: the deadline =D2+30, the report date =TODAY()
    and the inspection date =DATE(…) are filled cells whose value is not in the file. Each is one SCH002
    saying so, never “必填项为空”, and no rule accuses the enterprise of what the cell holds
    (HZ001 未明确整改期限, HZ003 未报告). Also when the sheets' tags carry a namespace prefix (<x:f>)."""
    import openpyxl

    folder = tmp_path / "报送"
    folder.mkdir()
    write_case({}, folder)  # the registry
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "隐患"
    ws.append(["企业名称", "隐患编号", "隐患描述", "发现日期", "发现方式", "是否立即整改", "整改责任人", "整改措施",
               "整改资金(万元)", "整改期限", "应急预案", "是否公示", "报告日期"])
    ws.append(["甲公司", "YH-1", "配电箱未接地", dt.datetime(2023, 7, 5), "企业自查", "否", "李四", "重新接地", 0.5,
               "=D2+30", "设置警戒区", "是", "=TODAY()"])
    ws2 = wb.create_sheet("带队")
    ws2.append(["企业名称", "检查日期", "带队负责人", "发现隐患数", "签名确认"])
    ws2.append(["甲公司", "=DATE(2023,7,10)", "张三", 0, "张三"])
    wb.save(folder / "公式.xlsx")
    if prefixed:
        _prefixed(folder / "公式.xlsx")
    f = _check_here(folder, tmp_path / "结果")
    mine = f[f["source_file"] == "公式.xlsx"]
    assert mine[mine["rule_id"].isin(["SCH003", "HZ001", "HZ003", "SCH000"])].empty, mine["message"].tolist()
    got = mine[mine["rule_id"] == "SCH002"].sort_values(["source_sheet", "column"])
    assert got[["source_sheet", "source_row", "column"]].values.tolist() == [
        ["带队", "2", "检查日期"], ["隐患", "2", "报告日期"], ["隐患", "2", "整改期限"]]
    assert [v.lstrip("'") for v in got["value"]] == ["=DATE(2023,7,10)", "=TODAY()", "=D2+30"]
    assert got["message"].str.contains("单元格是公式，文件中没有保存计算结果").all()
    assert got["message"].str.contains("请在 Excel 或 WPS 中打开、保存后重新报送").all()



@pytest.mark.parametrize("chunk", [50, 4 * 2**20])
def test_a_sheet_with_more_cells_than_the_limit_is_refused(tmp_path, monkeypatch, chunk):
    """A sheet with more cells than the limit is refused, naming the count (cells are counted
    only in a sheet large enough to hold that many, wherever the unzipped chunks end)."""
    from jicui_compliance.reading import sources

    rows = "".join(f'<row r="{r}">' + "".join(_cell(f"{c}{r}", "x") for c in "ABC") + "</row>" for r in range(1, 11))
    path = _xlsx(tmp_path / "宽表.xlsx", rows)
    monkeypatch.setattr(sources, "_CHUNK", chunk)
    monkeypatch.setattr(sources, "MAX_CELLS", 29)
    assert sources.scan_zip(path).problem == "工作表有 30 个单元格，超过上限 29 个；请拆分后报送"
    monkeypatch.setattr(sources, "MAX_CELLS", 30)
    assert sources.scan_zip(path).problem is None

def test_non_utf8_file_name_is_shown_with_replacement_characters(hostile_run):
    """A file whose name is not UTF-8 (in the hostile submission: the real process prints and writes its name)."""
    code, err, _, f, _, out = hostile_run
    _assert_clean(code, err)
    assert f is not None and f["source_file"].str.contains("\ufffd").any()
    assert (out / "findings.xlsx").exists()


def test_nul_bytes_never_reach_the_outputs(submission, tmp_path):
    (submission / "空字符.csv").write_bytes("企业名称,检查日期,带队负责人,发现隐患数\n甲\x00公司,2023-06-01,张\x00三,x\n".encode())
    out = tmp_path / "结果"
    _check_here(submission, out)  # what is written, not the process: in this process
    assert b"\x00" not in (out / "findings.csv").read_bytes()


# -- arguments and the output folder: exit 2 and one line ---------------------------------------------
def _one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("args,needle", [
    (["--as-of", "2262-04-12"], "--as-of"),
    (["--as-of", "9999-12-31"], "--as-of"),
])
def test_bad_arguments_exit_2_with_one_line(submission, tmp_path, args, needle):
    res = runner.invoke(app, ["check", str(submission), "--out", str(tmp_path / "o"), *args])
    assert res.exit_code == 2 and needle in _one_line(res.output)


def test_out_that_is_an_existing_file(submission, tmp_path):
    target = tmp_path / "结果.txt"
    target.write_text("x")
    code, _, err, _ = _run(["check", str(submission), "--out", str(target), "--as-of", "2023-12-31"])
    assert code == 2 and "已存在的文件" in _one_line(err)


def test_out_inside_the_folder_of_an_input_given_as_a_file(submission):
    res = runner.invoke(app, ["check", str(submission / "台账.xlsx"), "--out", str(submission / "x")])
    assert res.exit_code == 2 and "输入路径" in _one_line(res.output)
    assert not (submission / "x").exists()


def _previous(submission: Path, out: Path) -> dict[str, bytes]:
    assert runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-06-30"]).exit_code == 0
    return {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.parametrize("error,needle", [
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
    (OSError(errno.EROFS, "Read-only file system"), "只读"),
    (PermissionError(errno.EACCES, "Permission denied"), "没有写入权限"),
])
def test_a_failed_write_is_one_line_and_leaves_the_previous_set(submission, tmp_path, monkeypatch, error, needle):
    out = tmp_path / "结果"
    before = _previous(submission, out)

    def broken(findings, path, masked=False):
        Path(path).write_bytes(b"half")
        raise error

    monkeypatch.setattr("jicui_compliance.findings.write_csv", broken)
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31"])
    assert res.exit_code == 2 and needle in _one_line(res.output)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary file, nothing changed


@pytest.mark.parametrize("error", [OSError(errno.ENOENT, "No such file or directory"), OSError(errno.EIO, "I/O error"),
                                   OSError(errno.ENOTSUP, "Operation not supported")])
def test_a_failed_write_says_why_in_chinese_never_in_the_systems_english(error):
    from jicui_compliance.writing import describe_os_error

    line = describe_os_error(error, "结果/findings.csv")
    assert line.startswith("无法写入 结果/findings.csv（") and not re.search(r"[A-Za-z]{3,}", line.replace("findings.csv", ""))


def test_an_output_folder_below_a_file_names_the_file(submission, tmp_path):
    """--out 文件/子文件夹 where 文件 is a file said “文件/子文件夹 是一个已存在的文件”: it names the file now."""
    blocker = tmp_path / "结果.txt"
    blocker.write_text("x", "utf-8")
    res = runner.invoke(app, ["check", str(submission), "--out", str(blocker / "子文件夹"), "--as-of", "2023-12-31"])
    assert res.exit_code == 2
    line = _one_line(res.output)
    assert f"路径中的 {blocker} 是一个文件" in line and "子文件夹 是一个已存在的文件" not in line


def test_a_file_held_open_by_excel_is_named(submission, tmp_path, monkeypatch):
    out = tmp_path / "结果"
    before = _previous(submission, out)
    real = os.replace

    def held(src, dst):
        if str(dst).endswith("findings.csv"):
            raise PermissionError(errno.EACCES, "The process cannot access the file", str(dst))
        return real(src, dst)

    monkeypatch.setattr("jicui_compliance.writing.os.replace", held)
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31"])
    assert res.exit_code == 2
    assert "findings.csv" in res.output and "关闭" in _one_line(res.output)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_second_run_into_the_same_out_stops_at_once(submission, tmp_path):
    out = tmp_path / "结果"
    out.mkdir()
    # a running process (this one), the lock written after it started (a lock older than its process is stale)
    (out / LOCK_NAME).write_text(f"{os.getpid()}\n{os.uname().nodename}\n{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31"])
    assert res.exit_code == 2 and "另一次运行" in _one_line(res.output)
    assert not (out / "findings.csv").exists()


def test_a_lock_left_by_a_dead_run_is_taken_over(submission, tmp_path):
    out = tmp_path / "结果"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / LOCK_NAME).write_text(f"{dead.pid}\n{os.uname().nodename}\n2023-12-31 08:00:00\n")
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31"])
    assert res.exit_code == 0, res.output
    assert not (out / LOCK_NAME).exists()


def _dead_pid() -> int:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    return dead.pid


def test_a_stale_lock_taken_over_by_another_run_meanwhile_is_not_removed(tmp_path, monkeypatch):
    """Two runs find the same stale lock: the first takes it over and writes its own lock while the second is still
    judging the stale one. The second must not remove the first's lock (both would write the folder, and the
    second's cleanup remove the first's temporary files): it stops as for any running run."""
    from jicui_compliance import writing

    out = tmp_path / "结果"
    out.mkdir()
    lock = out / LOCK_NAME
    lock.write_text(f"{_dead_pid()}\n{os.uname().nodename}\n2023-12-31 08:00:00\n\n")
    other = os.getppid()  # a running process: the first run
    fresh = f"{other}\n{os.uname().nodename}\n2023-12-31 09:00:00\n{writing._identity(other)}\n"
    real = writing._running
    judged: list[int] = []

    def meanwhile(pid: int, identity: str, written: str = "") -> bool:
        running = real(pid, identity, written)
        if not judged:  # the stale lock judged; the first run takes it over now
            judged.append(pid)
            lock.unlink()
            lock.write_text(fresh)
        return running

    monkeypatch.setattr(writing, "_running", meanwhile)
    with pytest.raises(writing.OutputError, match=f"另一次运行（进程 {other}，2023-12-31 09:00:00 开始）正在写入"):
        with writing.locked(out):
            pass
    assert lock.read_text() == fresh and sorted(p.name for p in out.iterdir()) == [LOCK_NAME]


def test_the_temporary_files_of_a_running_process_are_kept(tmp_path):
    """Taking over a stale lock removes the temporary files of ended runs, not those of a process that runs."""
    from jicui_compliance import writing

    out = tmp_path / "结果"
    out.mkdir()
    (out / LOCK_NAME).write_text(f"{_dead_pid()}\n{os.uname().nodename}\n2023-12-31 08:00:00\n\n")
    running, ended = f"{TMP_PREFIX}{os.getppid()}-0-findings.csv", f"{TMP_PREFIX}{_dead_pid()}-0-findings.csv"
    (out / running).write_text("x")
    (out / ended).write_text("x")
    (out / f"{TMP_PREFIX}{_dead_pid()}-ab12cd34").mkdir()  # a staging folder of documents
    with writing.locked(out):
        assert sorted(p.name for p in out.iterdir()) == sorted([LOCK_NAME, running])


class _Kernel32:
    """kernel32 as seen through ctypes: 100 runs, 200 has ended, 300 is no process, 400 is another user's."""

    def __init__(self):
        self.last_error, self.open = 0, set()

    def OpenProcess(self, access, inherit, pid):
        assert access == 0x1000
        self.last_error = {300: 87, 400: 5}.get(pid, 0)
        if self.last_error:
            return 0
        self.open.add(pid)
        return pid

    def GetExitCodeProcess(self, handle, code):
        code._obj.value = 259 if handle == 100 else 0
        return 1

    def CloseHandle(self, handle):
        self.open.remove(handle)
        return 1


def test_a_lock_of_an_ended_process_is_stale_on_windows(monkeypatch):
    """On Windows every other process counted as running: a lock left by a killed run refused every later one."""
    import ctypes

    from jicui_compliance import writing

    kernel32 = _Kernel32()
    monkeypatch.setattr(ctypes, "WinDLL", lambda name, use_last_error=False: kernel32, raising=False)
    monkeypatch.setattr(ctypes, "get_last_error", lambda: kernel32.last_error, raising=False)
    monkeypatch.setattr(writing.os, "name", "nt")  # (no Path made meanwhile: pathlib would be Windows')
    try:
        alive = {pid: writing._alive(pid) for pid in (100, 200, 300, 400)}
        stale = not writing._running(200, "", "2023-08-01 09:00:00")
    finally:
        monkeypatch.undo()
    assert alive == {100: True, 200: False, 300: False, 400: True} and stale
    assert kernel32.open == set()  # every handle closed


def test_ctrl_break_and_a_closed_console_end_like_a_termination(monkeypatch):
    """Windows sends SIGBREAK for Ctrl-Break and when the console window is closed: a termination, exit 128 + 21."""
    import signal

    from jicui_compliance import writing

    monkeypatch.setattr(signal, "SIGBREAK", 21, raising=False)
    monkeypatch.setattr(writing, "_HANDLING", False)
    assert 21 in writing._terminating()
    assert writing.stopped(writing.Terminated(21)) == ("已终止（控制台窗口已关闭或按了 Ctrl-Break，收到信号 SIGBREAK）", 149)


def test_an_internal_error_exits_3_with_the_traceback_in_a_log(submission, tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("身份证 110105194912310021 出错")

    monkeypatch.setattr("jicui_compliance.check.run_check", boom)
    out = tmp_path / "结果"
    out.mkdir()
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31"])
    assert res.exit_code == 3
    line = _one_line(res.output)
    assert "Traceback" not in res.output and "内部错误" in line
    logs = list(out.glob("*.log"))
    assert len(logs) == 1
    text = logs[0].read_text("utf-8")
    assert "Traceback" in text and "RuntimeError" in text and "110105194912310021" not in text


# -- kill tests: the previous complete set, or none ----------------------------------------------------
@pytest.mark.parametrize("stage", ["after-rules", "between-files", "before-commit"])
def test_a_run_killed_leaves_the_previous_set(submission, tmp_path, stage):
    out = tmp_path / "结果"
    before = _previous(submission, out)
    code, *_ = _check(submission, out, env={KILL_AT_ENV: stage})
    assert code == -9
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.name != LOCK_NAME and not p.name.startswith(TMP_PREFIX)}
    assert after == before
    # the next run finds the stale lock and temporary files of the killed one and cleans up (in this process: the
    # killed process's lock and files are what it is tested on, and that process has ended as before)
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31"])
    _assert_clean(res.exit_code, res.output)
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.xlsx"]


@pytest.mark.parametrize("stage", ["after-rules", "between-files", "before-commit"])
def test_a_first_run_killed_leaves_nothing(submission, tmp_path, stage):
    out = tmp_path / "结果"
    code, *_ = _check(submission, out, env={KILL_AT_ENV: stage})
    assert code == -9
    assert not (out / "findings.csv").exists() and not (out / "findings.xlsx").exists()


def test_a_commit_killed_half_way_is_finished_by_the_next_run(submission, tmp_path):
    out = tmp_path / "结果"
    _previous(submission, out)
    code, *_ = _check(submission, out, env={KILL_AT_ENV: "mid-commit"})
    assert code == -9
    # the next run into the folder: a report (a check would write a set of its own), the week's (the year's draws charts)
    assert runner.invoke(app, ["report", str(submission), "--out", str(out), "--as-of", "2023-12-31",
                               "--cadence", "week"]).exit_code == 0
    f = _findings(out)  # the killed run's set, completed: csv and xlsx of the same run
    x = pd.read_excel(out / "findings.xlsx", sheet_name=0, dtype=str, engine="calamine").fillna("")
    assert len(f) == len(x)


# -- personal data: one masking function, no unmasked number in any output ---------------------------
def _id18(draw, check_ok: bool) -> str:
    region = draw(st.sampled_from(["110105", "320102", "440305", "510104", "652801"]))
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)))
    body = region + born.strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    good = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + (good if check_ok else draw(st.sampled_from([c for c in "0123456789X" if c != good])))


@st.composite
def personal_number(draw) -> str:
    """A personal number in one of the forms clerks write it."""
    kind = draw(st.sampled_from(["id18", "id18_bad", "id15", "mobile", "landline", "landline_intl"]))
    if kind in ("id18", "id18_bad"):
        text = _id18(draw, kind == "id18")
        sep = draw(st.sampled_from(["", " ", "-", "\xa0", "·", "_"]))
        if sep:
            text = sep.join([text[:6], text[6:14], text[14:]])
    elif kind == "id15":
        born = draw(st.dates(dt.date(1930, 1, 1), dt.date(1999, 12, 31)))
        text = draw(st.sampled_from(["110105", "320102", "440305"])) + born.strftime("%y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    elif kind == "mobile":
        digits = "1" + draw(st.sampled_from("3456789")) + f"{draw(st.integers(0, 999_999_999)):09d}"
        sep = draw(st.sampled_from(["", " ", "-", " - ", ".", "  -  ", "．", "·", "_", "/", "\xa0", "\u2009", "\u202f"]))
        text = sep.join([digits[:3], digits[3:7], digits[7:]])
        text = draw(st.sampled_from(["", "+86", "86", "+86 ", "+86-", "0086-", "0086 ", "(+86)"])) + text
    else:
        area = draw(st.sampled_from(["010", "021", "0571", "0917", "0351"]))
        local = str(draw(st.integers(2, 9))) + f"{draw(st.integers(0, 9_999_999 if len(area) == 3 else 999_999)):0{7 if len(area) == 3 else 6}d}"
        if kind == "landline":
            text = draw(st.sampled_from([f"{area}-{local}", f"({area}){local}", f"{area} {local}", area + local,
                                         f"{area} - {local}", f"{area}.{local}", f"{area}  -  {local}", f"{area}·{local}",
                                         f"{area}_{local}", f"{area}/{local}", f"{area}\xa0{local}", f"{area}—{local}"]))
        else:  # the country code, and the area code without its trunk 0
            cc = draw(st.sampled_from(["+86 ", "+86-", "0086-", "0086 ", "(+86)", "+86", "86-", "86 "]))
            sep = draw(st.sampled_from([" ", "-", " - ", ""]))
            text = cc + draw(st.sampled_from([area[1:], f"({area[1:]})", f"(0){area[1:]}"])) + sep + local
    if draw(st.booleans()):
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})  # full-width digits
    return text


def _significant(number: str) -> str:
    """The digits that identify the person: the number without country code, trunk 0 and separators."""
    d = re.sub(r"[^0-9Xx]", "", unicodedata.normalize("NFKC", number))
    if re.match(r"\W*(00|\+)?86\W", unicodedata.normalize("NFKC", number)) or (len(d) == 13 and d.startswith("86")):
        d = d[d.index("86") + 2:]
    return d.lstrip("0") if not re.search("[Xx]", d) and len(d) <= 12 else d


def _unmasked(text: str, numbers: list[str]) -> list[str]:
    flat = re.sub(r"(?<=[0-9０-９])[ \-‐－—\u3000()（）.．·_/\xa0\u2009\u202f]+(?=[0-9０-９])", "",
                  unicodedata.normalize("NFKC", text))
    flat = unicodedata.normalize("NFKC", flat)
    return [n for n in numbers if _significant(n) in flat]


@settings(max_examples=300, deadline=None)
@given(number=personal_number(), before=st.sampled_from(["", "电话", "身份证号：", "T", "联系人张三 "]),
       after=st.sampled_from(["", "。", "（手机）", " 转"]))
def test_mask_personal_leaves_no_number_readable(number, before, after):
    assert _unmasked(mask_personal(before + number + after), [number]) == []


def test_credit_codes_and_dates_stay_readable():
    for text in ("91110105MA01234567", "913301001430000001", "2023-05-20", "20230520", "整改资金 12000 元"):
        assert mask_personal(text) == text


@pytest.mark.parametrize("text,masked", [
    # landlines with the country code: the area code loses its trunk 0, and stays, as a landline's area code does
    ("+86 351 2848716举报脚手架缺扣件", "+86 351 ***8716举报脚手架缺扣件"),
    ("+86-351-2848716", "+86-351-***8716"),
    ("0086-351-2848716", "0086-351-***8716"),
    ("(+86)10-12345678", "(+86)10-****5678"),
    ("+86 (0)351 2848716", "+86 (0)351 ***8716"),
    ("证书编号T86(0)2190002090", "证书编号T86(0)21****2090"),  # a bare 86 and the bracketed trunk 0, no separator
    # spaces around the dash, dots between the groups
    ("联系0351 - 2848716后定", "联系0351 - ***8716后定"),
    ("0351.2848716", "0351.***8716"),
    ("138 - 1234 - 5678", "138 - **** - 5678"),
    ("138.1234.5678", "138.****.5678"),
    ("+86 - 138 - 1234 - 5678", "+86 - 138 - **** - 5678"),
    ("0086 138 1234 5678", "0086 138 **** 5678"),
])
def test_phone_numbers_in_international_form_or_with_spaced_separators_are_masked(text, masked):
    assert mask_personal(text) == masked


@pytest.mark.parametrize("text,masked", [
    # a middle dot, an underscore or a slash between the groups, full-width digits with a middle dot
    ("联系人138·1234·5678", "联系人138·****·5678"),
    ("138_1234_5678", "138_****_5678"),
    ("131/2345/6780", "131/****/6780"),
    ("１５８·１２３４·５６７９", "１５８·****·５６７９"),
    ("0351·2848716", "0351·***8716"),
    ("0351_2848716", "0351_***8716"),
    ("0351/2848716", "0351/***8716"),
    # no-break and thin spaces (pasted from Word or a web form), a tab
    ("138\xa01234\xa05678", "138\xa0****\xa05678"),
    ("138\u20091234\u20095678", "138\u2009****\u20095678"),
    ("159 8765\u202f4321", "159 ****\u202f4321"),
    ("132\t5678\t1234", "132\t****\t1234"),
    ("身份证110105\xa019491231\xa00021", "身份证110105\xa0********\xa00021"),
    ("110105·19491231·002X", "110105·********·002X"),
    # the forms that were masked already stay so
    ("(0351)2848716", "(0351)***8716"),
    ("0351—2848716", "0351—***8716"),
    ("０３５１－２８４８７１６", "０３５１－***８７１６"),
    ("+86-138-1234-5678", "+86-138-****-5678"),
    ("86-13812345678", "86-138****5678"),
    ("手机:13812345678转1", "手机:138****5678转1"),
    ("11010519491231002x", "110105********002x"),
    ("110105491231002", "110105******002"),
])
def test_phone_and_id_numbers_with_dots_underscores_slashes_or_unusual_spaces_are_masked(text, masked):
    assert mask_personal(text) == masked


@pytest.mark.parametrize("text", [
    "YH-2023-015 2023-07-15", "编号2023-015 2023-07-15",
    "隐患YH-2023-015 2023-07-15复查", "T-1990-0101 1990-01-01", "DH_2023_015 2023_07_15",
])
def test_a_code_followed_by_a_date_stays_readable(text):
    """A hazard or permit number and a date after it are not an ID number (groups of two digits inside) nor a
    landline. A code's letters before digits grouped as an ID's prove nothing (privacy first): see below."""
    assert mask_personal(text) == text


@pytest.mark.parametrize("text,masked", [
    ("110105 19491231 0021", "110105 ******** 0021"),
    ("110105-1949-1231-0021", "110105-****-****-0021"),
    ("1101 0519 4912 3100 21", "1101 05** **** **00 21"),
    ("110 105 1949 1231 0021", "110 105 **** **** 0021"),
    ("110105 1949 12 31 0021", "110105 **** ** ** 0021"),  # the birth month and day apart
    ("110105 491231 002", "110105 ****** 002"),
    ("身份证:110105-19491231-0021", "身份证:110105-********-0021"),
    ("ID:110105 19491231 0021", "ID:110105 ******** 0021"),
    ("ID-110105-19491231-0021", "ID-110105-********-0021"),
    ("T110105 19491231 0021", "T110105 ******** 0021"),
    ("SFZ110105194912310021", "SFZ110105********0021"),
    ("SFZ110105 19491231 0021", "SFZ110105 ******** 0021"),
    ("YH2023015 20230715", "YH202301* *****715"),  # a code and a date grouped as a 15-digit ID's: masked, privacy first
    ("张三１１０１０５１９４９１２３１００２１", "张三１１０１０５********００２１"),
    ("YH-2023-015 2023-07-15 张三110105194912310021", "YH-2023-015 2023-07-15 张三110105********0021"),
])
def test_id_numbers_in_every_grouping_are_still_masked(text, masked):
    assert mask_personal(text) == masked


@st.composite
def not_personal(draw) -> str:
    """A text that holds numbers but no personal number: dates, sums, credit codes, certificate, permit and hazard
    numbers, times, in the forms the ledgers and the findings write them."""
    y, m, d = draw(st.integers(1990, 2030)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    n, h, mi = draw(st.integers(0, 9999)), draw(st.integers(0, 23)), draw(st.integers(0, 59))
    sums = [f"{draw(st.integers(0, 10**10)):,}", f"{draw(st.integers(0, 10**10)):,}.{draw(st.integers(0, 99)):02d}",
            f"{draw(st.integers(0, 9_999_999))}.{draw(st.integers(0, 99)):02d}"]
    region = draw(st.sampled_from(["110105", "140922", "330110", "440305"]))
    uscc = "91" + region + "MA" + "".join(draw(st.lists(st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"),
                                                       min_size=8, max_size=8)))
    return draw(st.sampled_from([
        f"{y}-{m:02d}-{d:02d}", f"{y}.{m:02d}.{d:02d}", f"{y}.{m}.{d}", f"{y}/{m}/{d}", f"{y}年{m}月{d}日", f"{y}{m:02d}{d:02d}",
        f"{y}-{m:02d}-{d:02d} {h:02d}:{mi:02d}", f"{y}.{m:02d}.{d:02d} - {y}.{m:02d}.{d:02d}", f"{h:02d}:{mi:02d}",
        *sums, uscc, "913301001430000001", f"T-{y}-{n:04d}", f"DH-{y}-{n:03d}", f"ZY{y}{n:04d}", f"YH-{y}-{n:03d}",
        f"YH{y}{n:03d}", f"{y}DH{n:04d}",
    ]))


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(not_personal(), min_size=1, max_size=4),
       joins=st.lists(st.sampled_from(["，", "（", "）", "至", "、", "元，", "：", "于", "；罚款"]), min_size=3, max_size=3))
def test_numbers_that_are_not_personal_stay_readable(parts, joins):
    """The near misses of the phone patterns: a date, a sum, a code is never masked, alone or next to another.
    Not next to another with only a space between: a single space may stand inside a number (0351 2848716,
    138 1234 5678), so “2003DH0327 19981124” reads as the landline 0327-19981124 and is masked (where a code and a
    date whose groups no number has, “YH-2023-015 2023-07-15”, stay readable: see the test above)."""
    text = "隐患" + "".join(p + j for p, j in zip(parts, joins + [""]))
    assert mask_personal(text) == text


def _output_texts(folder: Path) -> dict[str, str]:
    """Every output file's text: xlsx and docx unzipped (every XML part), the rest as text."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(p) as z:
                out[p.name] = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        else:
            out[p.name] = p.read_bytes().decode("utf-8", "replace")
    return out


SCRIPT = "<script>alert('积翠')</script>"  # a hazard description that must never run in a browser


def _seeded_submission(tmp_path: Path, numbers: list[str]) -> Path:
    """A submission whose text columns, certificate numbers and a file name carry the 40
    ``numbers`` in the forms clerks write them, and a hazard and an enterprise named as a script.
    A fresh folder each time (hypothesis replays a failing example in the same ``tmp_path``)."""
    import tempfile

    sub = Path(tempfile.mkdtemp(dir=tmp_path)) / "报送"
    sub.mkdir()
    write_case({
        "enterprises": [{"uscc": "91110105MA01234567", "name": "甲公司", "village": "东坡村", "industry": "工贸",
                         "head": "张三", "phone": numbers[1], "employees": 12},
                        {"uscc": "91110105MA01234575", "name": "乙公司" + SCRIPT, "village": "东坡村", "industry": "工贸",
                         "head": "王五", "employees": 3}],
        "hazards": [{"enterprise": "甲公司", "description": f"隐患，联系 {n}", "found_on": "2023-05-20",
                     "source": "企业自查", "immediate": "否", "owner": f"李四 {n}"} for n in numbers[2:20]]
        + [{"enterprise": "甲公司", "description": SCRIPT, "found_on": "2023-05-21", "source": "企业自查", "immediate": "否",
            "owner": "李四"}],
        "special_workers": [{"enterprise": "甲公司", "person": f"焊工{n}", "id_no": n, "category": "焊接与热切割作业",
                             "cert_no": f"T{n}", "valid_until": "2023-01-01"} for n in numbers[20:]],
    }, sub)
    (sub / f"张三{numbers[0]}的台账.pdf").write_bytes(b"%PDF")
    return sub


@settings(max_examples=1, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(numbers=st.lists(personal_number(), min_size=40, max_size=40))
def test_no_unmasked_number_in_any_output(tmp_path, numbers):
    """Every output of check and of every report cadence, seeded with 40 numbers in the forms
    clerks write them (one derandomised example: a full check and four reports per example)."""
    sub = _seeded_submission(tmp_path, numbers)
    out = sub.parent / "结果"
    assert runner.invoke(app, ["check", str(sub), "--out", str(out), "--as-of", "2023-12-31"]).exit_code == 0
    for cadence in ("week", "month", "quarter", "year"):
        res = runner.invoke(app, ["report", str(sub), "--out", str(out), "--as-of", "2023-12-31", "--cadence", cadence])
        assert res.exit_code == 0, res.output
    texts = _output_texts(out)
    assert len(texts) >= 14
    leaks = {name: _unmasked(text, numbers) for name, text in texts.items()}
    assert {k: v for k, v in leaks.items() if v} == {}


@settings(max_examples=1, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(numbers=st.lists(personal_number(), min_size=40, max_size=40))
def test_no_unmasked_number_in_the_village_reports(tmp_path, numbers):
    """`make village-reports` (render_villages.py: papermill, then nbconvert) on the same seeded
    submission: neither the notebook nor its HTML shows an unmasked number or the raw script."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("render_villages", Path(__file__).resolve().parents[1] / "notebooks" / "render_villages.py")
    assert spec is not None and spec.loader is not None
    render_villages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_villages)
    sub = _seeded_submission(tmp_path, numbers)
    out = sub.parent / "按村报告"
    assert render_villages.main([str(sub), "--as-of", "2023-12-31", "--village", "东坡村", "--out", str(out), "--jobs", "1"]) == 0
    texts = _output_texts(out)
    assert sorted(texts) == ["按村报告_东坡村_2023-12-31.html", "按村报告_东坡村_2023-12-31.ipynb"]
    html = texts["按村报告_东坡村_2023-12-31.html"]
    assert "甲公司" in html and "&lt;script&gt;alert(" in html  # the tables are there, the script shown as text
    leaks = {name: _unmasked(text, numbers) for name, text in texts.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    assert "<script>alert(" not in html
    import nbformat

    nb = nbformat.reads(texts["按村报告_东坡村_2023-12-31.ipynb"], as_version=4)
    shown = [v for c in nb.cells for o in c.get("outputs", []) for k, v in o.get("data", {}).items()
             if k in ("text/html", "text/markdown")]  # what a browser renders (text/plain is shown as text)
    assert shown and not [v for v in shown if "<script>alert(" in v]


def test_notebook_outputs_are_masked_and_escaped():
    import nbformat

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks"))
    from render_villages import masked_notebook

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<td>T110105194912310021</td>",
                                                             "text/plain": "138 1234 5678"}),
                    nbformat.v4.new_output("stream", text="０５７１-８８８８６６６６\n")]
    nb.cells.append(cell)
    text = nbformat.writes(masked_notebook(nb))
    assert _unmasked(text, ["110105194912310021", "13812345678", "0571-88886666"]) == []
    import pandas as pd_

    frame = pd_.DataFrame({"隐患描述": ["<script>alert(1)</script>"]})
    with pd_.option_context("styler.format.escape", "html"):
        html = frame.style.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html


_COLUMNS = ["A", "Z", "AA", "IV", "IW", "JA", "ZZ", "AAA", "XFD"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_COLUMNS), max_size=6), st.sampled_from(["", '<row r="3">', "<c r=\"\"/>"]))
def test_the_far_cell_search_from_the_first_wide_cell_finds_what_the_full_search_finds(columns, filler):
    """The zip scan's pre-search (a cell of column AA or further) never hides a far cell (IW or further)."""
    from jicui_compliance.reading import sources

    data = filler.join(f'<c r="{c}{i + 1}" t="s"><v>0</v></c>' for i, c in enumerate(columns)).encode()
    assert sources._has_far_cell(data) == (sources._FAR_CELL.search(data) is not None)
    assert sources._has_far_cell(data) == any(c in ("IW", "JA", "ZZ", "AAA", "XFD") for c in columns)


@pytest.mark.parametrize("others", [["a"], [1.5], [3], [1, 2.5], [True], [dt.datetime(2023, 5, 1)], [dt.date(2023, 5, 1)], []])
def test_an_error_cell_is_found_among_values_of_any_one_kind(others):
    """Error cells come out of a column whatever else it holds (text, numbers, dates)."""
    import numpy as np

    from jicui_compliance.ledgers import _without_formula_errors
    from jicui_compliance.reading.cells import FormulaError

    uniques = np.array([*others, FormulaError("#N/A")], dtype=object)
    clean, errors = _without_formula_errors(uniques)
    assert errors is not None and errors.tolist() == [*[""] * len(others), FormulaError("#N/A"), ""]  # the last: empty
    assert clean[-1] is None and list(clean[:-1]) == others
    assert _without_formula_errors(uniques[:-1])[1] is None



# numbers written with a middle dot, an underscore, a slash, a no-break or thin space, each with the number of its
# leading digits a masked number shows (3 of a mobile, the area code of a landline, 6 of an ID number)
_DOTTED = [("138·1234·5678", 3), ("139_2345_6789", 3), ("１５８·１２３４·５６７９", 3), ("0352·2848719", 4), ("0353_2848720", 4),
           ("131/2345/6780", 3), ("137\xa03456\xa07890", 3), ("136\u20094567\u20098901", 3), ("159 8765\u202f4321", 3),
           ("110105\xa019491231\xa00021", 6)]


def test_numbers_with_dots_underscores_or_no_break_spaces_are_masked_in_every_output(tmp_path):
    """A town whose hazard descriptions, responsible persons and measures carry phone and ID numbers written
    with a middle dot, an underscore, a slash or a no-break or thin space, and a hazard number followed by a
    date: check, the year report and the notices show none of the numbers (not even the start of one cut
    short, “联系138·1234·5…”), and the hazard number and the date as they were written."""
    import html

    sub = tmp_path / "报送"
    sub.mkdir()
    code_and_date = "YH-2023-015 2023-07-15"
    write_case({
        "enterprises": [{"uscc": "91110105MA01234567", "name": "甲公司", "village": "东坡村", "industry": "工贸",
                         "head": "张三", "phone": _DOTTED[0][0], "employees": 12}],
        "hazards": [{"enterprise": "甲公司", "description": f"联系{n}，脚手架缺扣件", "found_on": "2023-05-20",
                     "source": "企业自查", "immediate": "否", "owner": f"李四{n}", "measures": f"补扣件，问{n}",
                     "deadline": "2023-06-30"} for n, _ in _DOTTED]
        + [{"enterprise": "甲公司", "description": f"同{code_and_date}复查", "found_on": "2023-05-21", "source": "企业自查",
            "immediate": "否", "measures": code_and_date, "deadline": "2023-06-30"}],
    }, sub)
    out = tmp_path / "结果"
    assert runner.invoke(app, ["check", str(sub), "--out", str(out / "check"), "--as-of", "2023-12-31"]).exit_code == 0
    res = runner.invoke(app, ["report", str(sub), "--out", str(out / "report"), "--as-of", "2023-12-31", "--cadence", "year"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["notices", str(sub), "--out", str(out / "notices"), "--as-of", "2023-12-31"])
    assert res.exit_code == 0, res.output
    texts = {f"{part}/{name}": html.unescape(re.sub(r"<[^>]+>", "", text))
             for part in ("check", "report", "notices") for name, text in _output_texts(out / part).items()}
    assert len(texts) >= 6
    # each number up to its first two masked digits, as written
    probes = {n: n[: [i for i, ch in enumerate(n) if ch.isdigit()][kept + 1] + 1] for n, kept in _DOTTED}
    leaks = {name: [n for n, probe in probes.items() if probe in text] for name, text in texts.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # the findings cut a description after 20 characters (“同YH-2023-015 2023-07…”), the report shows it whole
    cut = [name for name, text in texts.items() if f"同{code_and_date[:19]}…" in text]
    assert {"check/findings.csv", "check/findings.xlsx"} <= set(cut)
    assert "report/年总结_2023-12-31.xlsx" in [name for name, text in texts.items() if f"同{code_and_date}复查" in text]
    assert not [name for name, text in texts.items() if "YH-2023-01*" in text]
