"""The columnar sheet writer (findings.xlsx, the report workbook): every kind of cell as xlsxwriter writes it."""

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import escape

import numpy as np
import openpyxl
import pandas as pd
import pytest

from jicui_compliance.findings import writers
from jicui_compliance.findings.sheets import Column, ColumnarSheet, Workbook

LONG = "长" * 20_000 + "\U00020000" * 10_000  # 40,000 UTF-16 units: cut to 32,766 (a pair is never split)
TEXTS = ["甲", "", None, " 前后空格 ", "A & B <c>", "<r>像富文本</r>", "响铃\x07", "_x0041_", LONG, "甲"]
NUMBERS = [1.0, np.nan, -0.0, 0.0, 0.1 + 0.2, 1e20, np.inf, -np.inf, 12345678901234567.0, 3.0]
DAYS = pd.Series([dt.date(2023, 1, 5), None, dt.date(1900, 3, 1), dt.date(1900, 2, 28), dt.date(1900, 1, 1),
                  dt.date(2023, 12, 31), None, dt.date(1899, 12, 31), dt.date(2024, 2, 29), dt.date(2023, 1, 5)],
                 dtype=object)
STAMPS = pd.Series(pd.to_datetime(["2023-06-01 08:30", None, "2023-06-02", "1900-01-01", "2023-06-03 23:59:59.5",
                                   "2023-06-03", None, "1900-02-28 12:00", "2023-01-01", "2023-01-01"], format="ISO8601"))
MIXED = ["文字", 2.5, None, "", 7.0, "乙", np.nan, 0.0, "甲", None]


def _formats(wb):
    names = ["head", "num", "date", "red", "blue", "wrap", "note"]
    props = [{"bold": True, "bg_color": "#D9E1F2"}, {"num_format": "0.0%"}, {"num_format": "yyyy-mm-dd"},
             {"bg_color": "#F8CBAD"}, {"bg_color": "#DDEBF7"}, {"text_wrap": True}, {"font_color": "#C00000"}]
    f = {k: wb.add_format(p) for k, p in zip(names, props)}
    for fmt in f.values():  # the same style numbers in both workbooks, whatever order the cells use them in
        fmt._get_xf_index()
    return f


def _around(ws, f, n):
    """What xlsxwriter writes around the block: a note, a header, widths, frozen panes, a filter, a note below."""
    ws.write_string(0, 0, "表的说明", f["note"])
    ws.set_row(0, 30)
    for j in range(8):
        ws.write_string(1, j, f"列{j}", f["head"])
    ws.set_column(5, 5, 70, f["wrap"])  # a column format: the block's cells without their own format take it
    ws.set_column(0, 0, 12)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, 1 + n, 7)
    ws.write_string(n + 3, 0, "表下的注", f["note"])


def _columnar(path):
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                              "nan_inf_to_errors": True})
    f = _formats(wb)
    ws = wb.add_worksheet("表", worksheet_class=ColumnarSheet)
    _around(ws, f, len(TEXTS))
    mixed_text = [v if isinstance(v, str) else None for v in MIXED]
    mixed_number = np.array([v if isinstance(v, float) else np.nan for v in MIXED])
    ws.write_columns(2, 0, [
        Column(text=TEXTS),
        Column(number=np.array(NUMBERS), number_format=f["num"]),
        Column(number=ws.excel_dates(DAYS), number_format=f["date"]),
        Column(number=ws.excel_dates(STAMPS), number_format=f["date"]),
        Column(text=["红", "蓝", "无色", None, "", "红", "蓝", "红", None, "无色"],
               text_formats={"红": f["red"], "蓝": f["blue"]}, keep_empty_text=False),
        Column(text=mixed_text, number=mixed_number, number_format=f["num"]),
        Column(text=[None] * len(TEXTS)),  # nothing at all
        Column(text=pd.array(["a", None, "b", "", None, "c", "a", None, None, "d"], dtype="string").to_numpy(
            dtype=object, na_value=None)),
    ])
    wb.close()


def _cell_by_cell(path):
    # xlsxwriter's own Worksheet, cell by cell (the workbook class only compresses and writes the shared strings)
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                              "nan_inf_to_errors": True})
    f = _formats(wb)
    ws = wb.add_worksheet("表")
    _around(ws, f, len(TEXTS))
    for i in range(len(TEXTS)):
        r = i + 2
        if TEXTS[i] is not None:
            ws.write_string(r, 0, TEXTS[i])
        if NUMBERS[i] == NUMBERS[i]:
            ws.write_number(r, 1, NUMBERS[i], f["num"])
        for j, s in ((2, DAYS), (3, STAMPS)):
            if not pd.isna(s[i]):
                ws.write_datetime(r, j, pd.Timestamp(s[i]).to_pydatetime(), f["date"])
        colour = ["红", "蓝", "无色", None, "", "红", "蓝", "红", None, "无色"][i]
        if colour:
            ws.write_string(r, 4, colour, {"红": f["red"], "蓝": f["blue"]}.get(colour))
        v = MIXED[i]
        if isinstance(v, str):
            ws.write_string(r, 5, v)
        elif isinstance(v, float) and v == v:
            ws.write_number(r, 5, v, f["num"])
        v = ["a", None, "b", "", None, "c", "a", None, None, "d"][i]
        if v is not None:
            ws.write_string(r, 7, v)
    wb.close()


def _sheet(path):
    """The worksheet's XML with each shared string in place of its number and without the (optional) row spans."""
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        sst = z.read("xl/sharedStrings.xml").decode()
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    strings = [escape("".join(t.text or "" for t in si.iter(f"{{{ns['m']}}}t"))) for si in ET.fromstring(sst)]
    sheet = re.sub(r' t="s"><v>(\d+)</v>', lambda m: f' t="s"><v>{strings[int(m.group(1))]}</v>', sheet)
    return re.sub(r' spans="[^"]*"', "", sheet)


def test_every_kind_of_cell_as_xlsxwriter_writes_it(tmp_path):
    """Text (empty, odd, too long), numbers (-0, inf, large), dates (whole days, times of day, around Excel's 1900
    leap day), styles by value, a column's own format, mixed columns, empty cells and rows: the sheet XML is the one
    cell-by-cell xlsxwriter writes, byte for byte but for the shared strings' order. This pins the xlsxwriter
    internals the writer leans on (findings/sheets.py): if xlsxwriter changes them, this fails."""
    _columnar(tmp_path / "columns.xlsx")
    _cell_by_cell(tmp_path / "cells.xlsx")
    got, want = _sheet(tmp_path / "columns.xlsx"), _sheet(tmp_path / "cells.xlsx")
    assert got == want
    ws = openpyxl.load_workbook(tmp_path / "columns.xlsx")["表"]
    assert ws["A3"].value == "甲" and ws["A4"].value == "" and ws["A5"].value is None  # "" is a cell, None is not
    assert ws["A11"].value == LONG[:20_000 + 6_383]
    assert ws["B5"].value == 0 and ws["B9"].value == "=1/0"
    assert ws["C3"].value == dt.datetime(2023, 1, 5) and ws["C3"].number_format == "yyyy-mm-dd"
    assert [ws.cell(r, 5).fill.fgColor.rgb for r in (3, 4, 5)] == ["FFF8CBAD", "FFDDEBF7", "00000000"]
    assert ws["E7"].value is None  # keep_empty_text=False: "" left out
    assert ws["F3"].alignment.wrap_text and ws["F4"].number_format == "0.0%"  # the column's format; the number's own
    assert all(ws.cell(r, 7).value is None for r in range(3, 13))
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:H12" and ws["A14"].value == "表下的注"


def test_an_empty_block_and_a_block_of_nothing(tmp_path):
    wb = Workbook(str(tmp_path / "e.xlsx"))
    ws = wb.add_worksheet("空", worksheet_class=ColumnarSheet)
    ws.write_string(0, 0, "表头")
    ws.write_columns(1, 0, [Column(text=[]), Column(number=np.array([]))])
    ws2 = wb.add_worksheet("无", worksheet_class=ColumnarSheet)
    ws2.write_columns(0, 0, [Column(text=[None, None])])
    wb.close()
    book = openpyxl.load_workbook(tmp_path / "e.xlsx")
    assert book["空"].max_row == 1 and book["空"]["A1"].value == "表头"
    assert book["无"].max_row == 1 and book["无"]["A1"].value is None


def test_what_the_block_refuses(tmp_path):
    wb = Workbook(str(tmp_path / "r.xlsx"), {"in_memory": True})  # no temporary files left open by the refusal
    ws = wb.add_worksheet("表", worksheet_class=ColumnarSheet)
    with pytest.raises(ValueError, match="both a text and a number"):
        ws.write_columns(1, 0, [Column(text=["a", None], number=np.array([1.0, 2.0]))])
    ws = wb.add_worksheet("表2", worksheet_class=ColumnarSheet)
    with pytest.raises(TypeError, match="text column holds int"):
        ws.write_columns(1, 0, [Column(text=["a", 3])])
    ws = wb.add_worksheet("表3", worksheet_class=ColumnarSheet)
    with pytest.raises(ValueError, match="differ in length"):
        ws.write_columns(1, 0, [Column(text=["a", "b"]), Column(number=np.array([1.0]))])
    ws = wb.add_worksheet("表4", worksheet_class=ColumnarSheet)
    with pytest.raises(ValueError, match="do not fit"):
        ws.write_columns(1_048_575, 0, [Column(text=["a", "b"])])
    ws = wb.add_worksheet("表5", worksheet_class=ColumnarSheet)
    ws.write_columns(1, 0, [Column(text=["a", "b"])])
    ws.write_string(2, 3, "块中的格")  # inside the block's rows: refused when the sheet is written
    with pytest.raises(ValueError, match="inside the block"):
        wb.close()


def test_the_findings_sheet_cut_at_the_row_limit_says_so(tmp_path, monkeypatch):
    """Above the rows a sheet holds the findings sheet keeps the first ones and 按规则汇总 says where the rest are
    (the limit lowered to 3 here; the slow test in test_findings_xlsx.py writes 1.1 million)."""
    monkeypatch.setattr(writers, "XLSX_MAX_FINDINGS", 3)
    from jicui_compliance.findings import COLUMNS

    frame = pd.DataFrame({c: [f"{c}{i}" for i in range(5)] for c in COLUMNS})
    frame["severity"] = ["错误", "警告", "提示", "错误", "警告"]
    frame["source_row"] = pd.array([1, 2, None, 4, 5], dtype="Int64")
    summary = pd.DataFrame({"规则": ["FMT001"], "数量": [5]})
    assert writers.write_xlsx(frame, tmp_path / "f.xlsx", summary) == 3
    book = openpyxl.load_workbook(tmp_path / "f.xlsx")
    ws = book["核查发现"]
    assert ws.max_row == 4 and ws.auto_filter.ref == "A1:O4"
    assert [ws.cell(r, COLUMNS.index("source_row") + 1).value for r in (2, 3, 4)] == [1, 2, None]
    assert [ws.cell(r, 2).fill.fgColor.rgb for r in (2, 3, 4)] == ["FFF8CBAD", "FFFFE699", "FFDDEBF7"]
    note = book["按规则汇总"]["A4"]
    assert "核查发现共 5 条" in note.value and "前 3 条" in note.value and note.font.b


@pytest.mark.parametrize("in_memory", [True, False])
def test_the_workbook_is_compressed_at_level_1_and_pictures_stored(tmp_path, in_memory):
    """Every XML part deflated at zlib level 1, also in memory (where xlsxwriter hands each part over with a ZipInfo
    of its own, which would take zlib's default level 6); a picture stored as it is."""
    import struct
    import zlib

    png = (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
           + b"\0" * 4 + struct.pack(">I", 0) + b"IEND" + b"\0" * 4)
    path = tmp_path / "c.xlsx"
    wb = Workbook(str(path), {"in_memory": in_memory})
    ws = wb.add_worksheet("表", worksheet_class=ColumnarSheet)
    ws.write_columns(0, 0, [Column(text=[f"第{i}行" for i in range(2_000)])])
    ws.insert_image(0, 2, "p.png", {"image_data": io.BytesIO(png)})
    wb.close()
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
        for name, info in infos.items():
            if name.endswith(".png"):
                assert info.compress_type == zipfile.ZIP_STORED
                continue
            c = zlib.compressobj(1, zlib.DEFLATED, -15)
            data = z.read(name)
            assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size == len(c.compress(data) + c.flush()), name
    assert any(n.endswith(".png") for n in infos) and "xl/sharedStrings.xml" in infos
