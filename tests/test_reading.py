"""The forgiving reader: every form RULEBOOK §4/§8 promises, on real files, with exact rows."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter

from jicui_compliance.campaign import load_campaign
from jicui_compliance.ledgers import load, vocabulary
from jicui_compliance.ledgers.enforcement import ACTIONS
from jicui_compliance.reading import cells, read_submission

INSPECTION_HEADER = ["序号", "企业名称", "检查日期", "带队负责人", "发现隐患数", "签名确认"]


def read(folder: Path):
    sub = read_submission([folder], vocabulary())
    return sub, load(sub, load_campaign())


def test_xlsx_title_rows_footers_and_blank_rows_keep_excel_rows(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "东坡村.xlsx")
    ws = wb.add_worksheet("带队检查")
    ws.merge_range(0, 0, 0, 5, "东坡村主要负责人带队检查记录")
    ws.write(1, 0, "填报单位：东坡村　　填报日期：2023年8月1日")
    # header on Excel row 3: alias, spaces, a line break, full-width brackets
    ws.write_row(2, 0, ["序号", "单位 名称", "检查\n日期", "带队人", "发现隐患（项）", "签字"])
    ws.write_row(3, 0, [1, "甲公司", "2023-06-10", "张三", "0", "是"])  # Excel row 4
    ws.write_row(4, 0, [2, "甲公司", "2023/7/5", "张三", "1项", "张三"])  # row 5
    # row 6 blank
    ws.write_row(6, 0, [3, "乙公司", "2023年7月8日", "王五", 0, "√"])  # row 7
    ws.write_row(7, 0, [4])  # only a 序号: blank
    ws.write_row(8, 0, ["合计", "", "", "", 1])
    ws.write_row(9, 0, ["填表人：李四", "", "审核人：王五"])
    ws.write_row(10, 0, ["填表说明："])
    ws.write_row(11, 0, ["1. 每月至少检查1次。"])
    wb.add_worksheet("Sheet2")  # empty: ignored silently
    wb.close()
    sub, led = read(tmp_path)
    assert sub.problems == []
    (table,) = sub.tables
    assert (table.ledger, table.sheet, table.header_row) == ("head_inspections", "带队检查", 3)
    assert table.headers["hazards_found"] == "发现隐患（项）"
    df = led["head_inspections"]
    assert df["source_row"].tolist() == [4, 5, 7]
    assert df["source_file"].tolist() == ["东坡村.xlsx"] * 3
    assert df["date"].dt.date.tolist() == [dt.date(2023, 6, 10), dt.date(2023, 7, 5), dt.date(2023, 7, 8)]
    assert df["hazards_found"].tolist() == [0, 1, 0]
    assert df["signed"].tolist() == [True, True, True]


def test_real_excel_dates_serials_and_every_text_form(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "d.xlsx")
    ws = wb.add_worksheet("演练")
    datefmt = wb.add_format({"num_format": "yyyy/m/d"})
    ws.write_row(0, 0, ["企业名称", "演练日期", "参演人数", "含疏散逃生", "评估总结"])
    values = [dt.datetime(2023, 5, 20), 45066, "2023-05-20", "2023/5/20", "2023.5.20", "2023年5月20日", "20230520",
              "２０２３－０５－２０", "2023-05-20 08:30", "2023年5月20日8时30分"]
    yes = ["是", "Y", "√", "有", "true", "1", "y", "TRUE", "是", "是"]
    for i, v in enumerate(values, start=1):
        if isinstance(v, dt.datetime):
            ws.write_datetime(i, 1, v, datefmt)
        else:
            ws.write(i, 1, v)
        ws.write_row(i, 0, ["甲公司"])
        ws.write(i, 2, f"{i},0人" if i == 3 else i)
        ws.write(i, 3, yes[i - 1])
        ws.write(i, 4, ["否", "N", "×", "无", "false", "0", "n", "FALSE", "否", "否"][i - 1])
    wb.close()
    _, led = read(tmp_path)
    df = led["drills"]
    assert df["date"].dt.date.tolist() == [dt.date(2023, 5, 20)] * len(values)
    assert df["source_row"].tolist() == list(range(2, 2 + len(values)))
    assert df["participants"].tolist()[2] == 30  # "3,0人": thousands separator and unit
    assert df["evacuation"].all() and not df["evaluated"].any()
    assert led.issues.empty


def _csv_text() -> str:
    return (
        "西岭村主要负责人带队检查记录,,,,,\n"
        "填报单位：西岭村,,,填报日期：2023-08-01,,\n"
        + ",".join(INSPECTION_HEADER) + "\n"
        "1,丙公司,2023-06-12,孙七,0,是\n"  # line 4
        ",,,,,\n"  # line 5 blank
        "2,丙公司,2023-07-12,孙七,2,孙七\n"  # line 6
        "合计,,,,2,\n"
        "填表人：周八,,,,,\n"
    )


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("gb18030", False), ("gbk", False)])
def test_csv_encodings_are_detected_and_lines_counted(tmp_path, encoding, bom):
    data = _csv_text().encode(encoding)
    (tmp_path / "检查.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["head_inspections"]
    assert df["source_row"].tolist() == [4, 6]
    assert df["source_sheet"].tolist() == ["", ""]
    assert df["enterprise_name"].tolist() == ["丙公司", "丙公司"]
    assert df["hazards_found"].tolist() == [0, 2]


def test_a_gbk_file_whose_first_kilobytes_are_ascii_is_still_gbk(tmp_path):
    # UTF-8 is tried first when the start of the file reads as UTF-8; the Chinese further
    # down then fails strictly and the file is read as GB18030, not mangled or skipped
    padding = ("Jicui town head inspection ledger " * 80 + ",,,,,\n") * 2  # 5 KiB of ASCII title lines
    (tmp_path / "检查.csv").write_bytes((padding + _csv_text()).encode("gbk"))
    sub, led = read(tmp_path)
    assert sub.problems == []
    assert sub.tables[0].encoding == "GB18030"
    df = led["head_inspections"]
    assert df["source_row"].tolist() == [6, 8]
    assert df["enterprise_name"].tolist() == ["丙公司", "丙公司"]


def test_a_utf8_bom_with_gbk_content_is_reported(tmp_path):
    (tmp_path / "检查.csv").write_bytes(b"\xef\xbb\xbf" + _csv_text().encode("gbk"))
    sub, _ = read(tmp_path)
    assert [(p.file, "UTF-8" in p.reason and "BOM" in p.reason) for p in sub.problems] == [("检查.csv", True)]


def test_csv_header_with_quoted_line_break_keeps_line_numbers(tmp_path):
    text = '标题,,,,\n"企业\n名称",检查日期,带队负责人,发现隐患数,签名确认\n甲公司,2023-06-01,张三,0,是\n甲公司,2023-07-01,张三,0,"张三\n（补签）"\n甲公司,2023-08-01,张三,0,是\n'
    (tmp_path / "a.csv").write_text(text, "utf-8")
    _, led = read(tmp_path)
    assert led["head_inspections"]["source_row"].tolist() == [4, 5, 7]


def test_merged_cells_are_filled_and_two_row_headers_joined(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "h.xlsx")
    ws = wb.add_worksheet("隐患")
    top = ["序号", "企业名称", "隐患描述", "发现日期", "发现方式", "是否立即整改"]
    ws.write_row(0, 0, top)
    ws.merge_range(0, 6, 0, 10, "整改五落实")
    ws.write_row(1, 6, ["责任人", "整改措施", "整改资金（万元）", "整改期限", "应急预案"])
    ws.merge_range(2, 1, 4, 1, "甲公司")  # the enterprise written once for three hazards
    for r in range(2, 5):
        ws.write_row(r, 2, [f"隐患{r}", "2023-06-01", "企业自查", "否", "张三", "加装防护", "5000元", "2023-07-01", "有"])
        ws.write(r, 0, r - 1)
    wb.close()
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["hazards"]
    assert df["source_row"].tolist() == [3, 4, 5]
    assert df["enterprise_name"].tolist() == ["甲公司"] * 3
    assert df["funds"].tolist() == [0.5] * 3  # 5000元 in a 万元 column
    assert df["owner"].tolist() == ["张三"] * 3


def test_unreadable_inputs_are_reported_and_the_rest_is_read(tmp_path):
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "空.xlsx").write_bytes(b"")
    (tmp_path / "空.csv").write_bytes(b"")
    (tmp_path / "utf16.csv").write_bytes(_csv_text().encode("utf-16"))
    (tmp_path / "乱码.csv").write_bytes(b"\x80\x81\xff\xfe\xfd,\x80\n")
    (tmp_path / "照片.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "~$锁.xlsx").write_bytes(b"lock")
    (tmp_path / ".DS_Store").write_bytes(b"x")
    wb = xlsxwriter.Workbook(tmp_path / "好.xlsx")
    ws = wb.add_worksheet("名单")
    ws.write_row(0, 0, ["序号", "姓名", "备注"])
    ws2 = wb.add_worksheet("检查")
    ws2.write_row(0, 0, INSPECTION_HEADER)
    ws2.write_row(1, 0, [1, "甲公司", "2023-06-01", "张三", 0, "是"])
    wb.close()
    sub, led = read(tmp_path)
    problems = {(p.file, p.sheet): p.reason for p in sub.problems}
    assert set(problems) == {("坏.xlsx", ""), ("空.xlsx", ""), ("空.csv", ""), ("utf16.csv", ""), ("乱码.csv", ""),
                             ("照片.jpg", ""), ("好.xlsx", "名单")}
    assert "损坏" in problems[("坏.xlsx", "")]
    assert "空文件" in problems[("空.xlsx", "")]
    assert "UTF-16" in problems[("utf16.csv", "")]
    assert "编码" in problems[("乱码.csv", "")]
    assert "不是台账文件" in problems[("照片.jpg", "")]
    assert "未找到可识别的台账表头" in problems[("好.xlsx", "名单")]
    assert led["head_inspections"]["source_row"].tolist() == [2]


def test_files_are_read_in_path_order_with_relative_names(tmp_path):
    for village in ("西岭村", "东坡村"):
        (tmp_path / village).mkdir()
        (tmp_path / village / "检查.csv").write_text(
            ",".join(INSPECTION_HEADER) + "\n1,甲公司,2023-06-01,张三,0,是\n", "utf-8")
    _, led = read(tmp_path)
    assert led["head_inspections"]["source_file"].tolist() == ["东坡村/检查.csv", "西岭村/检查.csv"]


def test_placeholders_mean_empty_and_empty_obligation_yesno_means_no(tmp_path):
    (tmp_path / "e.csv").write_text(
        "企业名称,演练日期,参演人数,含疏散逃生,评估总结\n甲公司,2023-06-01,10,,—\n", "utf-8")
    _, led = read(tmp_path)
    df = led["drills"]
    assert df["evacuation"].tolist() == [False] and df["evaluated"].tolist() == [False]


def test_cells_parse_every_promised_form():

    assert cells.parse_datetime("2023年5月20日8时30分") == dt.datetime(2023, 5, 20, 8, 30)
    assert cells.parse_datetime("2023-05-20 08:30") == dt.datetime(2023, 5, 20, 8, 30)
    assert cells.parse_date("2023-05-20 08:30") == dt.datetime(2023, 5, 20)
    assert cells.parse_date(20230520) == dt.datetime(2023, 5, 20)
    assert cells.parse_date(45066.0) == dt.datetime(2023, 5, 20)
    assert cells.parse_date("2023-02-30") is cells.BAD
    assert cells.parse_date("去年") is cells.BAD
    assert cells.parse_date("2023。7。5") == dt.datetime(2023, 7, 5)
    assert cells.parse_date("2023年11月6日（星期一）") == dt.datetime(2023, 11, 6)
    assert cells.parse_date("2023年11月6日（星期二）") is cells.BAD
    assert cells.wrong_weekday("2023年11月6日（星期二）") == "2023年11月6日是星期一，与所写的星期二不符"
    assert cells.wrong_weekday("２０２３年１１月５日 礼拜六") == "2023年11月5日是星期日，与所写的星期六不符"
    assert [cells.wrong_weekday(v) for v in ("2023年11月6日（星期一）", "2023年2月30日（星期四）", "2023-13-45", 45120)] == [None] * 4
    assert cells.parse_date("2023.12.06.") == dt.datetime(2023, 12, 6)
    assert cells.parse_date("23.12.5") is cells.BAD
    assert cells.parse_int("1,200人") == 1200 and cells.parse_int("3.5") is cells.BAD
    assert cells.money_parser("元")("1.5万元") == 15000 and cells.money_parser("万元")("5000元") == 0.5
    assert cells.money_parser("元")("0") == 0.0
    assert [cells.parse_yesno(v) for v in ("是", "N", "√", "×", "有", "无", "true", "0", "", "也许")] == [
        True, False, True, False, True, False, True, False, None, cells.BAD]
    assert cells.parse_signature("张三") is True and cells.parse_signature("无") is False
    assert cells.list_parser()("张三、李四 王五,赵六；钱七") == ("张三", "李四", "王五", "赵六", "钱七")
    assert cells.parse_text_or_yesno("否") is None and cells.parse_text_or_yesno("设置警戒区") == "设置警戒区"


def test_a_list_of_options_reads_amounts_notes_and_joined_options():
    """处理措施 as offices write it: an amount or a bracketed note after an option, two options joined by 并; anything
    that is no option stays unreadable (SCH002), and a count written as a word for none is 0."""
    actions = cells.list_parser(frozenset(ACTIONS))
    assert [actions(v) for v in ("罚款5000元", "罚款0.5万元", "罚款（企业5000元）", "责令限期整改并罚款",
                                 "一案双罚（企业1万元，负责人2000元）、停产整顿", "罚款和罚款")] == [
        ("罚款",), ("罚款",), ("罚款",), ("责令限期整改", "罚款"), ("一案双罚", "停产整顿"), ("罚款",)]
    assert actions("责令整改并罚款") is cells.BAD and actions("其他") is cells.BAD and actions("无") is None
    assert cells.list_parser()("罚款5000元") == ("罚款5000元",)  # a list without options is read as written
    assert [cells.parse_int(v) for v in ("无", "没有", "零", "/", "—")] == [0, 0, 0, None, None]
    assert [cells.parse_people(v) for v in ("张 三", "刘一/陈二", "张三（队长） 李四", "无")] == [
        ("张三",), ("刘一", "陈二"), ("张三", "李四"), None]
    assert [cells.parse_signature(v) for v in ("待签", "尚未签名", "已签", "张三")] == [False, False, True, True]
    # a yes/no with a note in brackets reads as the yes/no, unless the note says the other one
    assert [cells.parse_yesno(v) for v in ("是（山西某安全咨询公司）", "否（正在联系）", "是（否）", "否(是)", "已退休（返聘）")] == [
        True, False, cells.BAD, cells.BAD, cells.BAD]


def test_csv_with_a_wide_line_in_the_middle(tmp_path):
    rows = ["标题"] + [",".join(INSPECTION_HEADER)] + [f"{i},甲公司,2023-06-01,张三,0,是" for i in range(300)]
    rows[150] += ",,备注,多余"
    (tmp_path / "w.csv").write_text("\n".join(rows) + "\n", "utf-8")
    sub, led = read(tmp_path)
    assert sub.problems == []
    assert led["head_inspections"]["source_row"].tolist() == list(range(3, 303))


def test_obligation_yesno_absent_column_is_not_judged(tmp_path):
    (tmp_path / "a.csv").write_text("企业名称,演练日期,参演人数,含疏散逃生\n甲公司,2023-06-01,10,\n甲公司,2023-07-01,10,是\n", "utf-8")
    (tmp_path / "b.csv").write_text("企业名称,演练日期,参演人数\n甲公司,2023-08-01,10\n", "utf-8")
    (tmp_path / "c.csv").write_text("企业名称,演练日期,参演人数,含疏散逃生\n甲公司,2023-09-01,10,也许\n", "utf-8")
    _, led = read(tmp_path)
    df = led["drills"].set_index("source_file")
    assert df.loc["a.csv", "evacuation"].tolist() == [False, True]  # empty cell: 否
    assert pd.isna(df.loc["b.csv", "evacuation"])  # no such column in that sheet: not judged
    assert pd.isna(df.loc["c.csv", "evacuation"])  # unreadable: SCH002, not judged again


def test_legacy_xls_is_read_like_xlsx(tmp_path):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("带队检查")
    ws.write(0, 0, "东坡村主要负责人带队检查记录")
    for j, h in enumerate(INSPECTION_HEADER):
        ws.write(1, j, h)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ws.write(2, 0, 1)
    ws.write(2, 1, "甲公司")
    ws.write(2, 2, dt.datetime(2023, 6, 10), date_style)
    ws.write(2, 3, "张三")
    ws.write(2, 4, 0)
    ws.write(2, 5, "是")
    wb.save(str(tmp_path / "旧版.xls"))
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["head_inspections"]
    assert df["source_row"].tolist() == [3]
    assert df["date"].dt.date.tolist() == [dt.date(2023, 6, 10)]


def test_a_file_of_another_type_is_told_what_is_accepted(tmp_path):
    """A file that is no workbook or CSV: the SCH000 names every type read (.xlsm, .xlsb, .ods too), and
    a WPS 表格 file (.et, .ett) how to make one of them."""
    for name in ("隐患_WPS表格.et", "模板.ett", "情况说明.wps", "隐患.xlsx.bak"):
        (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60)
    sub, _ = read(tmp_path)
    problems = {p.file: p.reason for p in sub.problems}
    accepted = "只接受 .xlsx、.xls、.xlsm、.xlsb、.ods 工作簿和 .csv 文件"
    assert problems == {
        "隐患_WPS表格.et": f"WPS 表格文件（.et）不能直接读取：{accepted}；请用 WPS 另存为 .xlsx 后重新报送",
        "模板.ett": f"WPS 表格文件（.ett）不能直接读取：{accepted}；请用 WPS 另存为 .xlsx 后重新报送",
        "情况说明.wps": f"不是台账文件（.wps）：{accepted}",
        "隐患.xlsx.bak": f"不是台账文件（.bak）：{accepted}",
    }


def test_a_workbook_under_the_other_workbook_extension_is_read_by_its_content(tmp_path):
    """An .xlsx saved under .xls and an old .xls saved under .xlsx (some systems export them so, WPS
    “另存为” too; Excel opens both) are read by what they hold, with their rows where they are: not
    “已损坏”, no SCH000."""
    import openpyxl
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("带队检查")
    for j, h in enumerate(INSPECTION_HEADER):
        ws.write(0, j, h)
    for j, v in enumerate([1, "甲公司", "2023-06-10", "张三", 0, "是"]):
        ws.write(1, j, v)
    wb.save(str(tmp_path / "其实是xls.xlsx"))
    wb2 = openpyxl.Workbook()
    ws2 = wb2.active
    ws2.title = "带队检查"
    ws2.append(["东坡村主要负责人带队检查记录"])
    ws2.append(INSPECTION_HEADER)
    ws2.append([1, "乙公司", dt.datetime(2023, 7, 10), "李四", 0, "是"])
    wb2.save(tmp_path / "其实是xlsx.xls")
    wb2.save(tmp_path / "其实是xlsx.csv")  # a workbook saved under .csv (audit 7): read as one, not “无法识别文件编码”
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["head_inspections"].sort_values("source_file")
    assert df[["source_file", "source_row"]].values.tolist() == [
        ["其实是xls.xlsx", 2], ["其实是xlsx.csv", 3], ["其实是xlsx.xls", 3]]
    assert df["date"].dt.date.tolist() == [dt.date(2023, 6, 10), dt.date(2023, 7, 10), dt.date(2023, 7, 10)]


SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.mark.parametrize("how", ["small input", "processes", "workers only"])
def test_parallel_reading_gives_the_same_tables_in_the_same_order(how, monkeypatch):
    """In this thread (``workers=1``, or a small input), and with the process pool (forced on the
    small samples; "workers only": this process reads no run itself, so every table comes from a worker)."""
    import functools

    import jicui_compliance.reading as reading
    from jicui_compliance.reading.sources import discover

    if how == "small input":
        monkeypatch.setattr(reading, "PROCESS_POOL_BYTES", float("inf"))
        assert not reading._pool_pays(discover([SAMPLES]).files, 3)
    else:
        monkeypatch.setattr(reading, "PROCESS_POOL_BYTES", 0)  # the samples are small: use the pool anyway
        assert reading._pool_pays(discover([SAMPLES]).files, 3)
    if how == "workers only":
        monkeypatch.setattr(reading, "_read_in_processes", functools.partial(reading._read_in_processes, here=False))
    seen: list[str] = []
    one = read_submission([SAMPLES], vocabulary(), workers=1)
    many = read_submission([SAMPLES], vocabulary(), workers=3, progress=seen.append)
    assert seen == one.files  # progress is told of every file, in order
    assert [(t.file, t.sheet, t.ledger) for t in one.tables] == [(t.file, t.sheet, t.ledger) for t in many.tables]
    assert [(p.file, p.sheet, p.reason) for p in one.problems] == [(p.file, p.sheet, p.reason) for p in many.problems]
    for a, b in zip(one.tables, many.tables):
        pd.testing.assert_frame_equal(a.frame, b.frame)
        assert (a.header_row, a.headers, a.letters, a.encoding) == (b.header_row, b.headers, b.letters, b.encoding)


class ReaderFault(Exception):
    """What a reader raises in a worker process: it must come back as itself."""


class _FaultyPath:
    """Stands for a file; reading it (its suffix is the reader's first question) fails."""

    def stat(self):
        return Path(__file__).stat()

    @property
    def suffix(self):
        raise ReaderFault("台账读不了")


def _worker_sigint_handler():
    import signal

    return signal.getsignal(signal.SIGINT)


def test_an_error_in_a_worker_is_raised_here_as_itself():
    import multiprocessing

    import jicui_compliance.reading as reading
    from jicui_compliance.reading.sources import SourceFile, discover
    from jicui_compliance.reading.tables import HeaderIndex

    files = discover([SAMPLES]).files[:3] + [SourceFile(_FaultyPath(), "坏.csv")]
    children = set(multiprocessing.active_children())
    with pytest.raises(ReaderFault, match="台账读不了") as raised:  # here=False: every run is read by a worker
        list(reading._read_in_processes(files, HeaderIndex(vocabulary()), 2, here=False))
    assert raised.type is ReaderFault
    assert "Traceback" in str(raised.value.__cause__)  # the worker's traceback, attached
    assert set(multiprocessing.active_children()) <= children  # the pool has been shut down


def test_ctrl_c_stops_the_pool_and_workers_ignore_it(monkeypatch):
    """Ctrl-C reaches this process (here: raised while the first file is reported): the pool is
    shut down, its workers have ended, and Ctrl-C is handled as before. The workers ignore it."""
    import multiprocessing
    import signal
    from concurrent.futures import ProcessPoolExecutor

    import jicui_compliance.reading as reading
    from jicui_compliance.reading.tables import HeaderIndex

    monkeypatch.setattr(reading, "PROCESS_POOL_BYTES", 0)
    before = signal.getsignal(signal.SIGINT)
    children = set(multiprocessing.active_children())

    def interrupt(rel):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read_submission([SAMPLES], vocabulary(), workers=2, progress=interrupt)
    assert set(multiprocessing.active_children()) <= children  # the pool's workers have ended
    assert signal.getsignal(signal.SIGINT) is before
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(reading.START_METHOD),
                             initializer=reading._start_worker, initargs=(HeaderIndex(vocabulary()),)) as pool:
        assert pool.submit(_worker_sigint_handler).result() == signal.SIG_IGN


def test_files_are_cut_into_runs_in_order(tmp_path):
    from jicui_compliance.reading import _batches
    from jicui_compliance.reading.sources import SourceFile

    files = []
    for i, size in enumerate([10, 1, 1, 1, 30, 2, 2, 2, 2, 1]):
        p = tmp_path / f"{i}.csv"
        p.write_bytes(b"x" * size)
        files.append(SourceFile(p, p.name))
    runs = _batches(files, [1, 1, 1, 1])
    assert [f for run in runs for f in run] == files
    assert [[f.rel[:-4] for f in run] for run in runs] == [["0", "1", "2", "3"], ["4"], ["5", "6", "7", "8", "9"]]
    # sizes in proportion to the weights, and never more runs than weights
    runs = _batches(files, [1, 3])
    assert [[f.rel[:-4] for f in run] for run in runs] == [["0", "1", "2", "3"], ["4", "5", "6", "7", "8", "9"]]


def test_windows_csv_with_crlf_and_quoted_line_breaks(tmp_path):
    text = '标题,,,,\r\n"企业\r\n名称",检查日期,带队负责人,发现隐患数,签名确认\r\n甲公司,2023-06-01,张三,0,是\r\n\r\n甲公司,2023-07-01,张三,0,"张三\r\n补签"\r\n甲公司,2023-08-01,张三,0,是\r\n'
    (tmp_path / "win.csv").write_bytes(text.encode("gbk"))
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["head_inspections"]
    assert df["source_row"].tolist() == [4, 6, 8]
    assert df["enterprise_name"].tolist() == ["甲公司"] * 3
    assert df["signed"].tolist() == [True, True, True]


def test_header_only_sheets_are_tables_without_records(tmp_path):
    (tmp_path / "空表.csv").write_text(",".join(INSPECTION_HEADER) + "\n", "utf-8")
    wb = xlsxwriter.Workbook(tmp_path / "空表.xlsx")
    wb.add_worksheet("隐患").write_row(0, 0, ["企业名称", "隐患描述", "发现日期", "发现方式", "是否立即整改"])
    wb.close()
    sub, led = read(tmp_path)
    assert sub.problems == [] and len(sub.tables) == 2
    assert len(led["head_inspections"]) == 0 and len(led["hazards"]) == 0
    assert led.issues.empty


def test_tables_travel_between_processes_unchanged():
    """A table pickled (as it comes back from a worker process) comes back equal, whatever its texts hold."""
    import pickle

    from jicui_compliance.reading.tables import Table

    texts = np.array(["甲公司", "乙\x00公司", "", "丙"], dtype=object)  # one holds the separator
    mixed = np.array([1.0, "2023-05-01", dt.datetime(2023, 5, 1)], dtype=object)
    plain = np.array(["张三", "李四", "王五"], dtype=object)
    t = Table("hazards", "a.xlsx", "s", 3, {}, {}, {"a": (np.array([0, 1, -1, 3]), texts),
                                                  "b": (np.array([0, 1, 2, -1]), mixed),
                                                  "c": (np.array([2, 1, 0, 0]), plain)}, np.array([4, 5, 6, 7]))
    back = pickle.loads(pickle.dumps(t))
    pd.testing.assert_frame_equal(back.frame, t.frame)
    for f, (codes, uniques) in t.columns.items():
        assert back.columns[f][1].tolist() == uniques.tolist()
        assert back.columns[f][0].tolist() == codes.tolist()


def test_welding_equipment_and_hot_work_share_the_equipment_number_and_are_told_apart(tmp_path):
    """设备编号 / 焊机编号 belong to both ledgers (v2), 检查日期 also to head inspections and
    enforcement: each sheet is still the ledger it matches most."""
    wb = xlsxwriter.Workbook(tmp_path / "设备.xlsx")
    wb.add_worksheet("焊机检查").write_row(0, 0, ["企业名称", "焊机编号", "检查日期", "检查结果"])
    wb.worksheets()[0].write_row(1, 0, ["甲公司", "hj-01", "2023-07-01", "不合格"])
    wb.add_worksheet("设备检查").write_row(0, 0, ["统一社会信用代码", "设备编号", "设备类型", "检查时间", "检查结论", "检查人"])
    wb.add_worksheet("动火").write_row(0, 0, ["企业名称", "作业票编号", "动火级别", "开始时间", "结束时间", "动火人",
                                             "作业方式", "焊机编号"])
    wb.worksheets()[2].write_row(1, 0, ["甲公司", "DH-1", "二级", "2023-07-20 08:00", "2023-07-20 12:00", "张三", "砂轮", "HJ-01"])
    wb.add_worksheet("带队检查").write_row(0, 0, INSPECTION_HEADER)
    wb.close()
    sub, led = read(tmp_path)
    assert sub.problems == []
    assert [t.ledger for t in sub.tables] == ["welding_equipment", "welding_equipment", "hot_work", "head_inspections"]
    assert led["welding_equipment"]["equipment_no"].tolist() == ["HJ-01"]
    assert led["welding_equipment"]["result"].tolist() == ["不合格"]
    assert led["hot_work"][["method", "equipment_no"]].values.tolist() == [["砂轮", "HJ-01"]]


def test_footer_words_are_one_list_for_the_pattern_and_its_first_characters():
    from jicui_compliance.reading import tables

    for word in tables._FOOTER_WORDS:
        line = word + ("（盖章）" if word in tables._STAMP_UNITS else "" if word in tables._BLANK_BELOW else "：某某")
        assert tables._FOOTER.match(line), line
        assert line[0] in tables._FOOTER_START
    assert not tables._FOOTER.match("合计数量不符")
    assert not tables._FOOTER.match("以下空白处理")
    # a signature's label is a rule, not a list: each signer word, after any short words, then ":"
    for word in tables._SIGNER_WORDS:
        assert tables._is_footer(f"分管{word}：某某") and tables._is_footer(f"{word}（签字）:")
    for name in ("日期科技有限公司", "东坡村(原单位:东坡石料厂)", "张三：负责", "9114012210049482R1", "2023-06-01 08:30"):
        assert not tables._is_footer(name), name


def test_a_workbook_that_cannot_be_opened_is_described_in_chinese(tmp_path):
    """The analyst reads what the file is (an HTML table saved as .xls, a cut zip, a broken old .xls),
    never the Excel library's own English error."""
    (tmp_path / "系统导出.xls").write_text("<html><body><table><tr><td>企业名称</td></tr></table></body></html>", "utf-8")
    (tmp_path / "半截.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 60)
    (tmp_path / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60)
    (tmp_path / "乱码.xlsx").write_bytes(b"\x01\x02 not a workbook")
    (tmp_path / "半截.xls").write_bytes(b"PK\x03\x04" + b"\x00" * 60)  # damaged, under the other extension:
    (tmp_path / "旧表.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60)  # said as it is
    (tmp_path / "带标记.csv").write_bytes(b"\xef\xbb\xbf\xe4\xbc\x81\xe4\xb8\x9a,a\n\xb6\xab,b\n")
    sub, _ = read(tmp_path)
    problems = {p.file: p.reason for p in sub.problems}
    assert "网页（HTML）或 XML 文本" in problems["系统导出.xls"]
    assert "压缩包格式" in problems["半截.xlsx"]
    assert "旧版 Excel（.xls）文件已损坏" in problems["旧表.xls"]
    assert "不是 Excel 工作簿" in problems["乱码.xlsx"]
    assert "压缩包格式" in problems["半截.xls"]
    assert "旧版 Excel（.xls）文件已损坏" in problems["旧表.xlsx"]
    assert "第 2 行有不是 UTF-8 的字符" in problems["带标记.csv"]
    for reason in problems.values():  # no English beyond the names of formats
        assert not re.search(r"[A-Za-z]{2,}", re.sub(r"HTML|XML|Excel|UTF-8|CSV|BOM|xlsx|xls", "", reason)), reason


def test_spaced_out_footer_labels_and_a_sheet_of_spaces_are_not_records(tmp_path):
    """Offices space out short labels (“合 计”, “填　表　人：”); a sheet holding only a stray space is
    as empty as the default Sheet2."""
    wb = xlsxwriter.Workbook(tmp_path / "东坡村.xlsx")
    ws = wb.add_worksheet("带队检查")
    ws.write_row(0, 0, ["企业名称", "检查日期", "带队人", "发现隐患数", "签字"])
    ws.write_row(1, 0, ["甲公司", "2023-06-10", "张三", 0, "是"])  # Excel row 2
    ws.write_row(2, 0, ["合 计", "", "", 0])
    ws.write_row(3, 0, ["甲公司", "2023-07-10", "张三", 1, "是"])  # row 4: a record between totals
    ws.write_row(4, 0, ["合　计", "", "", 1])
    ws.write_row(5, 0, ["总  计", "", "", 1])
    ws.write_row(6, 0, ["填　表　人：李四", "", "审 核 人：王五"])
    spaces = wb.add_worksheet("只有空格")
    spaces.write(0, 0, " ")
    spaces.write(4, 2, "\u3000")
    wb.close()
    sub, led = read(tmp_path)
    assert sub.problems == []
    assert [t.sheet for t in sub.tables] == ["带队检查"]
    assert led["head_inspections"]["source_row"].tolist() == [2, 4]


def test_the_heading_again_after_a_page_break_is_not_a_record(tmp_path):
    """Print-outs put together page by page repeat the header rows, or a “（续）” title, below the data;
    neither is a record (they used to be REF001 and an SCH002 for every cell). A record whose first cell
    happens to end as a title does stays one."""
    wb, ws, first = _two_row_hazards(tmp_path / "h.xlsx", "整改五落实", ["责任人", "措施", "资金（万元）", "期限", "预案"])
    row = [1, "甲公司", "配电箱无防护", "2023-06-01", "企业自查", "否", "张三", "加装防护罩", 0.5, "2023-07-01", "设置警戒区"]
    ws.write_row(first, 0, row)  # Excel row 4
    ws.merge_range(first + 1, 0, first + 1, 11, "东坡村重大事故隐患台账（续）")  # row 5
    singles = ["序号", "企业名称", "隐患描述", "发现日期", "发现方式", "是否立即整改"]
    for j, h in enumerate(singles):  # rows 6–7: the two header rows again
        ws.merge_range(first + 2, j, first + 3, j, h)
    ws.merge_range(first + 2, 6, first + 2, 10, "整改五落实")
    ws.write_row(first + 3, 6, ["责任人", "措施", "资金（万元）", "期限", "预案"])
    ws.write_row(first + 4, 0, [2, "甲公司", "消防检查记录", "2023-06-02", "企业自查", "否", "李四", "补齐", 0, "2023-06-30", "无"])
    wb.close()
    (tmp_path / "检查.csv").write_text(
        "东坡村主要负责人带队检查记录\n"
        "企业名称,检查日期,带队负责人,发现隐患数,签名确认\n"
        "甲公司,2023-06-10,张三,0,是\n"  # line 3
        "东坡村主要负责人带队检查记录（续）\n"
        "企业名称,检查日期,带队负责人,发现隐患数,签名确认\n"
        "甲公司,2023-07-10,张三,1,是\n"  # line 6
        "东坡档案记录,2023-08-10,王五,0,是\n", "utf-8")  # line 7: a name that ends as a title does
    sub, led = read(tmp_path)
    assert sub.problems == []
    assert led["hazards"]["source_row"].tolist() == [4, 8]
    assert led["hazards"]["description"].tolist() == ["配电箱无防护", "消防检查记录"]
    assert led["head_inspections"]["source_row"].tolist() == [3, 6, 7]


def _two_row_hazards(path, group, subs, title=True):
    """A hazards sheet as offices draw it: a merged title, headers merged over two rows, and
    ``group`` merged over ``subs``."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("隐患台账")
    singles = ["序号", "企业名称", "隐患描述", "发现日期", "发现方式", "是否立即整改"]
    top = 1 if title else 0
    if title:
        ws.merge_range(0, 0, 0, len(singles) + len(subs), "东坡村重大事故隐患台账")
    for j, h in enumerate(singles):
        ws.merge_range(top, j, top + 1, j, h)
    ws.merge_range(top, len(singles), top, len(singles) + len(subs) - 1, group)
    ws.write_row(top + 1, len(singles), subs)
    ws.write(top, len(singles) + len(subs), "备注")
    return wb, ws, top + 2


def test_a_group_header_over_the_five_elements_maps_all_five(tmp_path):
    wb, ws, first = _two_row_hazards(tmp_path / "h.xlsx", "整改五落实", ["责任人", "措施", "资金（万元）", "期限", "预案"])
    ws.write_row(first, 0, [1, "甲公司", "配电箱无防护", "2023-06-01", "企业自查", "否", "张三", "加装防护罩", 0.5,
                            "2023-07-01", "设置警戒区"])
    ws.write_row(first + 1, 0, [2, "甲公司", "消防通道堵塞", "2023-06-02", "企业自查", "是", "李四", "清理通道", 0,
                                "2023-06-03", "无"])
    wb.close()
    sub, led = read(tmp_path)
    assert sub.problems == []
    (table,) = sub.tables
    assert table.ledger == "hazards" and table.header_row == 2
    assert table.letters == {"enterprise_name": "B", "description": "C", "found_on": "D", "source": "E",
                             "immediate": "F", "owner": "G", "measures": "H", "funds": "I", "deadline": "J",
                             "contingency": "K"}
    assert table.headers["measures"] == "整改五落实/措施" and table.headers["description"] == "隐患描述"
    assert table.unmapped == []  # 序号 and 备注 are never listed
    df = led["hazards"]
    assert df["source_row"].tolist() == [4, 5]
    assert df["owner"].tolist() == ["张三", "李四"]
    assert df["measures"].tolist() == ["加装防护罩", "清理通道"]
    assert df["funds"].tolist() == [0.5, 0.0]
    assert df["deadline"].dt.date.tolist() == [dt.date(2023, 7, 1), dt.date(2023, 6, 3)]
    assert df.at[0, "contingency"] == "设置警戒区" and pd.isna(df.at[1, "contingency"])  # 无: not in place


@pytest.mark.parametrize("group", ["整改", "五落实", "整改情况"])
def test_other_group_headers_read_their_sub_headers(tmp_path, group):
    wb, ws, first = _two_row_hazards(tmp_path / "h.xlsx", group, ["措施", "期限", "预案", "完成日期", "验收人"],
                                     title=False)
    ws.write_row(first, 0, [1, "甲公司", "配电箱无防护", "2023-06-01", "企业自查", "否", "加装防护罩", "2023-07-01",
                            "设置警戒区", "2023-06-20", "王五"])
    wb.close()
    sub, led = read(tmp_path)
    (table,) = sub.tables
    assert {"measures", "deadline", "contingency", "verifier"} <= set(table.letters)
    df = led["hazards"]
    assert df["source_row"].tolist() == [3]
    assert (df.at[0, "measures"], df.at[0, "contingency"], df.at[0, "verifier"]) == ("加装防护罩", "设置警戒区", "王五")
    assert df.at[0, "deadline"].date() == dt.date(2023, 7, 1)
    if group != "五落实":  # 整改+完成日期 → 整改完成日期
        assert df.at[0, "done_on"].date() == dt.date(2023, 6, 20)


def test_a_csv_two_row_header_writes_the_group_once(tmp_path):
    text = ("序号,企业名称,隐患描述,发现日期,发现方式,是否立即整改,整改五落实,,,,\n"
            ",,,,,,责任人,措施,资金(万元),期限,预案\n"
            "1,甲公司,配电箱无防护,2023-06-01,企业自查,否,张三,加装防护罩,0.5,2023-07-01,设置警戒区\n")
    (tmp_path / "h.csv").write_text(text, "utf-8")
    sub, led = read(tmp_path)
    df = led["hazards"]
    assert df["source_row"].tolist() == [3]
    assert df.loc[0, ["owner", "measures", "funds", "contingency"]].tolist() == ["张三", "加装防护罩", 0.5, "设置警戒区"]


def test_headers_that_name_no_field_are_recorded_once_with_their_column(tmp_path):
    text = ("序号,企业名称,检查日期,带队负责人,发现隐患数,检查天气,备注,照片,,陪同人员\n"
            "1,甲公司,2023-07-01,张三,0,晴,,,,\n")
    (tmp_path / "a.csv").write_text(text, "utf-8")
    sub, _ = read(tmp_path)
    (table,) = sub.tables
    assert table.unmapped == [("F", "检查天气"), ("J", "陪同人员")]


def test_headers_with_a_required_note_in_brackets_are_matched(tmp_path):
    """Templates write “（必填）”/“（选填）” after a header, as they write * or ※: the header is matched
    without the note; a header whose brackets are its own (资金（万元）) keeps them; the header as written is
    kept for the messages. In a workbook and in a CSV file alike, every record is read."""
    header = ["序号", "企业名称（必填）", "隐患描述(必填)", "发现日期\n（必填）", "*发现方式（必填项）", "是否立即整改※（必填）",
              "资金（万元）", "整改期限（选填）", "备注（选填）"]
    record = [1, "甲公司", "配电箱未接地", "2023-07-01", "企业自查", "是", "0.5", "2023-07-31", ""]
    wb = xlsxwriter.Workbook(tmp_path / "隐患.xlsx")
    ws = wb.add_worksheet("隐患")
    ws.write_row(0, 0, header)
    ws.write_row(1, 0, record)
    ws.write_row(2, 0, [2, "乙公司", "消防通道堵塞", "2023-07-02", "部门检查", "否", "1", "2023-08-15"])
    wb.close()
    (tmp_path / "隐患.csv").write_text(",".join(f'"{h}"' for h in header) + "\n" + ",".join(map(str, record)) + "\n",
                                      "utf-8")
    sub, led = read(tmp_path)
    assert sub.problems == []
    assert {(t.file, t.ledger) for t in sub.tables} == {("隐患.xlsx", "hazards"), ("隐患.csv", "hazards")}
    for table in sub.tables:
        assert table.headers == {"enterprise_name": "企业名称（必填）", "description": "隐患描述(必填)",
                                 "found_on": "发现日期（必填）", "source": "*发现方式（必填项）",
                                 "immediate": "是否立即整改※（必填）", "funds": "资金（万元）", "deadline": "整改期限（选填）"}
        assert table.unmapped == []
    df = led["hazards"]
    assert df[["source_file", "source_row"]].values.tolist() == [["隐患.csv", 3], ["隐患.xlsx", 2], ["隐患.xlsx", 3]]  # the header spans lines 1–2
    assert df["funds"].tolist() == [0.5, 0.5, 1.0]


def test_outputs_of_this_tool_among_the_inputs_are_skipped_by_their_content(tmp_path):
    import shutil

    from jicui_compliance.analysis import Analysis
    from jicui_compliance.check import run_check, summarise
    from jicui_compliance.findings import schema, write_csv, write_xlsx
    from jicui_compliance.reading import outputs
    from jicui_compliance.report import build_report, workbook

    from .rules.runner import write_case

    assert outputs.FINDINGS_COLUMNS == tuple(schema.COLUMNS)
    assert outputs.FINDINGS_TITLES == tuple(schema.TITLES[c] for c in schema.COLUMNS)
    assert (outputs.REPORT_COVER, outputs.REPORT_FACTS) == (workbook.COVER, workbook.FACTS)
    first = tmp_path / "first"
    first.mkdir()
    write_case({"head_inspections": [{"enterprise": "甲公司", "date": "2023-07-01", "leader": "李四",
                                      "hazards_found": 0}]}, first)
    result = run_check([first], as_of=dt.date(2023, 7, 31))
    assert len(result.findings)
    again = tmp_path / "again"
    shutil.copytree(first, again)
    write_csv(result.findings, again / "上次结果.csv")  # renamed: known by content
    write_xlsx(result.findings, again / "findings.xlsx", summarise(result.findings, result.rules))
    report = build_report(Analysis(result), "week")
    assert tuple(report.facts.frame().columns) == outputs.FACTS_HEADER
    for name in ("周调度表.xlsx", "汇总.xlsx"):
        workbook.write_workbook(report, again / name)
    sub = read_submission([again], vocabulary())
    skipped = {p.file: p.reason for p in sub.problems}
    assert skipped == {n: outputs.REASON for n in ("上次结果.csv", "findings.xlsx", "周调度表.xlsx", "汇总.xlsx")}
    assert {t.file for t in sub.tables} == {"台账.xlsx"}
    assert len(run_check([again], as_of=dt.date(2023, 7, 31), select=["SCH000"]).findings) == 4


def test_the_garbage_collector_is_paused_while_a_file_is_read_and_restored_after(monkeypatch):
    import gc

    from jicui_compliance import reading

    during: list[bool] = []
    real = reading.read_file

    def spy(src):
        during.append(gc.isenabled())
        return real(src)

    monkeypatch.setattr(reading, "read_file", spy)
    assert gc.isenabled()
    sub = read_submission([SAMPLES], vocabulary(), workers=1)
    assert sub.tables and during and not any(during)
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off itself keeps it off
    try:
        read_submission([SAMPLES], vocabulary(), workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_two_row_header_is_tried_only_below_a_row_that_could_add_to_it(monkeypatch):
    """``locate`` reads two rows together only when the lower one names a field or ends an accepted
    header (措施 of 整改措施): a row of data adds nothing, and trying it anyway finds the same tables."""
    from jicui_compliance.reading.tables import HeaderIndex

    index = HeaderIndex(vocabulary())
    assert index.may_extend(["", "", "责任人", "措施", "资金（万元）"]) and index.may_extend(["企业名称"])
    assert not index.may_extend(["1", "甲公司", "2023-06-01", "张三", "0.5", 3, dt.date(2023, 6, 1), None, ""])
    assert index.may_extend(["", "（万元）"])  # the end of 资金(万元), full-width
    lenient = read_submission([SAMPLES], vocabulary(), workers=1)
    monkeypatch.setattr(HeaderIndex, "may_extend", lambda self, row: True)
    every = read_submission([SAMPLES], vocabulary(), workers=1)
    assert [(p.file, p.sheet, p.reason) for p in lenient.problems] == [(p.file, p.sheet, p.reason) for p in every.problems]
    assert [(t.file, t.sheet, t.ledger, t.header_row, t.headers, t.letters) for t in lenient.tables] == \
        [(t.file, t.sheet, t.ledger, t.header_row, t.headers, t.letters) for t in every.tables]
    for a, b in zip(lenient.tables, every.tables):
        pd.testing.assert_frame_equal(a.frame, b.frame)


def test_a_sheets_rows_become_one_grid_with_the_values_untouched():
    """calamine's rows into the 2-D grid the header finder reads: each value the very object given
    (no type inference), rows of one width in place, a shorter row padded with None."""
    from jicui_compliance.reading.sources import _grid

    stamp = dt.datetime(2023, 5, 1, 8, 30)
    rows = [["企业名称", "日期", 1.0], ["甲公司", stamp, ""], ["乙公司", "2023-05-02", 3]]
    grid = _grid(rows)
    assert grid.shape == (3, 3) and grid.dtype == object
    assert grid[1, 1] is stamp and grid[2, 2] == 3 and type(grid[2, 2]) is int and grid[1, 2] == ""
    assert grid.tolist() == rows
    ragged = _grid([["a", "b", "c"], ["d"]])
    assert ragged.tolist() == [["a", "b", "c"], ["d", None, None]]
    assert _grid([]).shape == (0, 0)


def _inspections_with(tmp_path, below, merged=True, above=()):
    """The same head-inspection table as a workbook (each one-cell line of ``below`` merged across the
    table, as printed forms lay out footers and notes, when ``merged``) and as a CSV file (one cell):
    a title, ``above`` (rows between the header and the records), two records, then ``below``.
    Returns the records' source rows of both, (xlsx, csv)."""
    width = len(INSPECTION_HEADER)
    rows = [["东坡村主要负责人带队检查记录"], INSPECTION_HEADER, *above,
            [1, "甲公司", "2023-06-10", "张三", 0, "是"], [2, "乙公司", "2023-07-10", "李四", 1, "是"], *below]
    wb = xlsxwriter.Workbook(tmp_path / "检查.xlsx")
    ws = wb.add_worksheet("带队检查")
    for r, row in enumerate(rows):
        if merged and len(row) == 1 and row[0] is not None:
            ws.merge_range(r, 0, r, width - 1, row[0])
        elif merged and len(row) == 2 and row[0] in ("备注", "说明"):  # a label, its text merged beside it
            ws.write(r, 0, row[0])
            ws.merge_range(r, 1, r, width - 1, row[1])
        else:
            ws.write_row(r, 0, row)
    wb.close()
    (tmp_path / "检查.csv").write_text(
        "\n".join(",".join("" if c is None else str(c) for c in row) for row in rows) + "\n", "utf-8")
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["head_inspections"]
    return (df.loc[df["source_file"] == "检查.xlsx", "source_row"].tolist(),
            df.loc[df["source_file"] == "检查.csv", "source_row"].tolist())


SIGNATURES = ["负责人：王五", "主要负责人签字：", "审核：李四", "制表：张三", "经办人：赵六", "统计人：钱七",
              "日期：2024年1月8日", "填报：刘晨飞", "审核人（签字）：", "分管领导：孙九", "统计：", "填　表：",
              "记录人:周八", "联系电话：0351-1234567"]


@pytest.mark.parametrize("merged", [True, False])
def test_signature_lines_of_any_signer_label_are_not_records(tmp_path, merged):
    """A signature line (“负责人：”, “审核：”, “日期：” …, not only the labels of a fixed list) is no record,
    merged across the table or not, in a workbook and in a CSV file alike; a record whose name starts with
    such a word (日期科技有限公司) stays one."""
    below = [[s] for s in SIGNATURES] + [[None, "负责人：王五", None, "审核：李四", None, "制表：张三"],
                                         [3, "日期科技有限公司", "2023-08-10", "王五", 0, "是"]]
    assert _inspections_with(tmp_path, below, merged) == ([3, 4, 20], [3, 4, 20])


def test_note_lines_merged_across_the_table_are_not_records(tmp_path):
    """Note lines after 填表说明, each merged across the table (the merge copies the text into every cell),
    a 备注/说明 label with its text merged beside it, 注1：… and a merged 以下空白 are not records."""
    below = [["以下空白"], ["填表说明："], ["1. 每月至少检查1次；"], ["2. 发现隐患数填项数。"]]
    assert _inspections_with(tmp_path, below) == ([3, 4], [3, 4])
    below = [["备注", "本表每月5日前报送镇应急站"], ["说明", "1. 隐患编号按年度流水号填写"], [None, "2. 资金单位为万元"],
             ["注1：本表一式两份"]]
    for f in tmp_path.iterdir():
        f.unlink()
    assert _inspections_with(tmp_path, below) == ([3, 4], [3, 4])


HAZARD_HEADER = ["序号", "企业名称", "隐患描述", "发现日期", "发现方式", "是否立即整改", "整改期限", "整改完成日期"]


def test_a_text_merged_across_the_table_is_a_note_wherever_it_stands(tmp_path):
    """“本月未发现重大事故隐患” merged across the row (A3:H3, how a village reports an empty month) is a note,
    not a record (it was REF001 and five SCH002): right below the header, between records, over two rows, or
    leaving the 序号 column out (a 序号 beside it). A merge that leaves a ledger cell filled outside it, or that
    spans only part of the table, stays a record."""
    record = ["甲公司", "配电箱未接地", "2023-09-01", "企业自查", "是", "2023-09-30", "2023-09-20"]
    wb = xlsxwriter.Workbook(tmp_path / "隐患.xlsx")
    ws = wb.add_worksheet("8月")
    ws.merge_range(0, 0, 0, 7, "东坡村重大事故隐患台账（8月）")
    ws.write_row(1, 0, HAZARD_HEADER)
    ws.merge_range(2, 0, 2, 7, "本月未发现重大事故隐患")  # A3:H3
    ws = wb.add_worksheet("9月")
    ws.write_row(0, 0, HAZARD_HEADER)
    ws.write_row(1, 0, [1, *record])  # row 2
    ws.merge_range(2, 0, 2, 7, "以下为9月15日补报")  # row 3: a note between records
    ws.write_row(3, 0, [2, *record])  # row 4
    ws.write(4, 0, 3)
    ws.merge_range(4, 1, 4, 7, "本月隐患均已整改")  # row 5: B5:H5, a 序号 in A5
    ws.merge_range(5, 0, 5, 6, "乙公司")  # row 6: A6:G6, and 整改完成日期 filled in H6: a record
    ws.write(5, 7, "2023-09-25")
    ws.merge_range(6, 0, 6, 3, "丙公司")  # row 7: A7:D7, half the table: a record
    ws.merge_range(7, 0, 8, 7, "说明文字写了两行高")  # rows 8–9 merged across
    wb.close()
    sub, led = read(tmp_path)
    assert sub.problems == []
    rows = {t.sheet: t.source_rows.tolist() for t in sub.tables}
    assert rows == {"8月": [], "9月": [2, 4, 6, 7]}
    df = led["hazards"]
    assert df[["source_sheet", "source_row", "enterprise_name"]].values.tolist() == [
        ["9月", 2, "甲公司"], ["9月", 4, "甲公司"], ["9月", 6, "乙公司"], ["9月", 7, "丙公司"]]


def test_rows_of_a_number_and_placeholders_only_are_blank(tmp_path):
    """无, /, —, ——, - read as empty (§8), so a row holding them and a 序号 holds only a 序号: blank, no record.
    A row with real data and some placeholders stays a record."""
    below = [[3, "/", "/", "/", "/", "/"], [4, None, "无"], [5, "—", "——", "-"], [None, "—", "—", "—", "—", "—"],
             [6, "丙公司", "2023-08-10", "—", "/", "无"]]
    assert _inspections_with(tmp_path, below, merged=False) == ([3, 4, 9], [3, 4, 9])


@pytest.mark.parametrize("numbers", [[1, 2, 3, 4, 5, 6], ["栏次", 1, 2, 3, 4, 5], ["甲", "乙", "1", "2", "3", "4"],
                                     ["（1）", "（2）", "（3）", "（4）", "（5）", "（6）"]])
def test_a_column_number_row_under_the_header_is_not_a_record(tmp_path, numbers):
    """Government forms print the columns' numbers under the header (1 2 3 …, 栏次, 甲 乙 1 2 …): part of
    the heading, no record; the records keep their Excel rows (and CSV lines)."""
    assert _inspections_with(tmp_path, [], merged=False, above=[numbers]) == ([4, 5], [4, 5])


def test_a_column_number_row_under_a_units_row_is_not_a_record(tmp_path):
    """A units row the header is not read with (发现隐患数 names the field alone), then the column numbers:
    both are heading. A units row without numbers below is read as before (a record, here without an
    enterprise)."""
    units = [None, None, "（年月日）", None, "（项）"]
    assert _inspections_with(tmp_path, [], merged=False, above=[units, [1, 2, 3, 4, 5, 6]]) == ([5, 6], [5, 6])
    for f in tmp_path.iterdir():
        f.unlink()
    assert _inspections_with(tmp_path, [], merged=False, above=[units]) == ([3, 4, 5], [3, 4, 5])


def test_a_record_of_small_numbers_under_the_header_stays_a_record(tmp_path):
    """Only consecutive numbers 1, 2, 3 … across most of the header are column numbers."""
    above = [[1, "2", "2023-05-10", "3", 4, "是"], [1, 2, 3]]
    assert _inspections_with(tmp_path, [], merged=False, above=above) == ([3, 4, 5, 6], [3, 4, 5, 6])
