"""The CSV reader: what it does beyond the common case, on real files (lines of other widths,
quotes, line breaks of every kind, encodings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jicui_compliance.campaign import load_campaign
from jicui_compliance.ledgers import load, vocabulary
from jicui_compliance.reading import read_submission
from jicui_compliance.reading.sources import SourceFile, read_csv

HEADER = "序号,企业名称,检查日期,带队负责人,发现隐患数,签名确认"


def read(folder: Path):
    sub = read_submission([folder], vocabulary())
    return sub, load(sub, load_campaign())


def sheet_of(path: Path):
    (sheet,) = read_csv(SourceFile(path, path.name))
    return sheet


def test_lines_narrower_or_wider_than_the_table_keep_their_cells_and_lines(tmp_path):
    text = ("西岭村主要负责人带队检查记录\n"  # one cell: narrower than the table
            f"{HEADER}\n"
            "1,甲公司,2023-06-01,张三,0,是\n"
            "2,乙公司,2023-06-02,李四,1,李四,多写的一格,再一格\n"  # wider
            "3,丙公司,2023-06-03\n"  # narrower: the rest of the row is missing
            "合计,,,,1\n"
            "填表人：周八\n")
    (tmp_path / "a.csv").write_text(text, "utf-8")
    sheet = sheet_of(tmp_path / "a.csv")
    grid = sheet.cells.values.tolist()
    assert grid[0] == ["西岭村主要负责人带队检查记录"] + [""] * 7
    assert grid[3] == ["2", "乙公司", "2023-06-02", "李四", "1", "李四", "多写的一格", "再一格"]
    assert grid[4] == ["3", "丙公司", "2023-06-03"] + [""] * 5
    assert grid[5] == ["合计", "", "", "", "1", "", "", ""]
    assert sheet.line_numbers.tolist() == [1, 2, 3, 4, 5, 6, 7]
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["head_inspections"]
    assert df["source_row"].tolist() == [3, 4, 5]
    assert df["enterprise_name"].tolist() == ["甲公司", "乙公司", "丙公司"]
    assert sub.tables[0].unmapped == []  # the extra cells have no header: nothing to report


def test_gb18030_with_a_narrow_title_and_a_quoted_line_break(tmp_path):
    text = ("东坡村带队检查记录\r\n"
            f"{HEADER}\r\n"
            '1,"甲公司\r\n（东坡）",2023-06-01,张三,0,是\r\n'
            "2,乙公司,2023-06-02,李四,0,是\r\n")
    (tmp_path / "a.csv").write_bytes(text.encode("gb18030"))
    sub, led = read(tmp_path)
    assert sub.problems == [] and sub.tables[0].encoding == "GB18030"
    df = led["head_inspections"]
    assert df["source_row"].tolist() == [3, 5]
    assert df["enterprise_name"].tolist() == ["甲公司\r\n（东坡）", "乙公司"]


def test_a_quote_inside_an_unquoted_cell_is_a_character_and_lines_stay_exact(tmp_path):
    # 5"钢管 opens no quoted cell (as in Excel): counting quotes alone would run the lines together
    text = (f"{HEADER}\n"
            '1,甲公司,2023-06-01,张三,0,是\n'
            '2,乙公司 5"钢管,2023-06-02,李四,0,是\n'
            '3,丙公司,2023-06-03,"王五\n（补签）",0,是\n'
            '4,丁公司,2023-06-04,赵六,0,是')  # the last line has no line break
    (tmp_path / "a.csv").write_text(text, "utf-8")
    sheet = sheet_of(tmp_path / "a.csv")
    assert sheet.cells[1].tolist() == ["企业名称", "甲公司", '乙公司 5"钢管', "丙公司", "丁公司"]
    assert sheet.line_numbers.tolist() == [1, 2, 3, 4, 6]
    _, led = read(tmp_path)
    assert led["head_inspections"]["source_row"].tolist() == [2, 3, 4, 6]


def test_line_breaks_of_every_kind_count_as_lines(tmp_path):
    for name, newline in (("crlf.csv", "\r\n"), ("lf.csv", "\n"), ("cr.csv", "\r")):
        rows = ["标题", HEADER, "1,甲公司,2023-06-01,张三,0,是", "", '2,"乙公司' + newline + '（二）",2023-06-02,李四,0,是']
        (tmp_path / name).write_text(newline.join(rows) + newline, "utf-8", newline="")
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["head_inspections"]
    assert df.groupby("source_file")["source_row"].apply(list).to_dict() == {
        "cr.csv": [3, 5], "crlf.csv": [3, 5], "lf.csv": [3, 5]}
    names = df.groupby("source_file")["enterprise_name"].apply(list).to_dict()
    assert names == {"cr.csv": ["甲公司", "乙公司\r（二）"], "crlf.csv": ["甲公司", "乙公司\r\n（二）"],
                     "lf.csv": ["甲公司", "乙公司\n（二）"]}


def test_a_bom_file_with_a_200_column_header(tmp_path):
    extra = [f"附加列{j}" for j in range(194)]
    header = HEADER + "," + ",".join(extra)
    row = "1,甲公司,2023-06-01,张三,0,是" + "," * 194
    (tmp_path / "a.csv").write_bytes(b"\xef\xbb\xbf" + f"{header}\n{row}\n".encode())
    sub, led = read(tmp_path)
    assert sub.problems == [] and sub.tables[0].encoding == "UTF-8 (BOM)"
    assert len(sub.tables[0].unmapped) == 194
    assert sub.tables[0].frame["enterprise_name"].tolist() == ["甲公司"]
    assert led["head_inspections"]["source_row"].tolist() == [2]


def test_white_space_is_stripped_in_ledger_columns_only(tmp_path):
    text = f"{HEADER},备注\n 1 , 甲公司 ,2023-06-01,张三,0,是,  \n2,\u3000,2023-06-02,李四,0,是, 说明 \n"
    (tmp_path / "a.csv").write_text(text, "utf-8")
    sub, _ = read(tmp_path)
    frame = sub.tables[0].frame
    assert frame["enterprise_name"].tolist() == ["甲公司", None]  # white space only (a full-width space): empty
    sheet = sheet_of(tmp_path / "a.csv")
    assert sheet.cells[6].tolist() == ["备注", "  ", " 说明 "]  # the reader hands cells on as written


def test_a_line_wider_than_the_column_limit_is_reported(tmp_path):
    rows = [HEADER] + ["1,甲公司,2023-06-01,张三,0,是"] * 50 + ["," * 300] + ["2,乙公司,2023-06-01,张三,0,是"]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n", "utf-8")
    sub, _ = read(tmp_path)
    assert [p.reason for p in sub.problems] == ["CSV 格式无法解析：有一行有 301 列，超过上限 256 列"]


def test_a_bom_and_nothing_else_is_an_empty_file(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    sub, _ = read(tmp_path)
    assert [p.reason for p in sub.problems] == ["空文件，没有任何内容"]


@pytest.mark.parametrize("sep", [",", "\t"])
def test_tab_and_comma_separated_files_read_alike(tmp_path, sep):
    text = "\n".join(line.replace(",", sep) for line in [HEADER, "1,甲公司,2023-06-01,张三,0,是"]) + "\n"
    (tmp_path / "a.csv").write_text(text, "utf-8")
    _, led = read(tmp_path)
    assert led["head_inspections"]["enterprise_name"].tolist() == ["甲公司"]


def test_a_quote_never_closed_is_reported_not_read_as_one_cell(tmp_path):
    # the parser would read everything after the quote as one cell: the records below it would be lost
    text = (f"{HEADER}\n"
            "1,甲公司,2023-06-01,张三,0,是\n"
            '2,"乙公司,2023-06-02,李四,0,是\n'
            "3,丙公司,2023-06-03,王五,0,是\n")
    (tmp_path / "a.csv").write_text(text, "utf-8")
    sub, _ = read(tmp_path)
    assert [p.reason for p in sub.problems] == [
        "CSV 格式无法解析：第 3 行有一个引号没有配对的结束引号，从这里到文件末尾会被读成一格；请检查这一行的引号"]
    # an odd number of quotes is not enough: a quote inside an unquoted cell is a character
    (tmp_path / "a.csv").write_text(text.replace('"乙公司', '乙公司 5"钢管'), "utf-8")
    sub, led = read(tmp_path)
    assert sub.problems == [] and led["head_inspections"]["source_row"].tolist() == [2, 3, 4]
    # a quote inside a cell above and one never closed below: an even number of quotes, still reported
    (tmp_path / "a.csv").write_text(text.replace("1,甲公司", '1,甲公司 5"钢管'), "utf-8")
    sub, _ = read(tmp_path)
    assert [p.reason for p in sub.problems] == [
        "CSV 格式无法解析：第 3 行有一个引号没有配对的结束引号，从这里到文件末尾会被读成一格；请检查这一行的引号"]
    # a quoted cell closed on its line (with a doubled quote inside it): read, nothing reported
    (tmp_path / "a.csv").write_text(text.replace('"乙公司', '"乙""公司"'), "utf-8")
    sub, led = read(tmp_path)
    assert sub.problems == [] and led["head_inspections"]["enterprise_name"].tolist() == ["甲公司", '乙"公司', "丙公司"]


def test_a_large_file_with_lone_cr_line_breaks_is_not_one_long_line(tmp_path):
    # an old Mac export: every line ends with a lone CR; over 1 MB in all, no line near the limit
    rows = "".join(f"{i},企业{i},2023-06-01,张三,0,是\r" for i in range(1, 40001))
    (tmp_path / "a.csv").write_bytes((HEADER + "\r" + rows).encode("utf-8"))
    assert (tmp_path / "a.csv").stat().st_size > 2**20
    sub, led = read(tmp_path)
    assert sub.problems == []
    assert led["head_inspections"]["source_row"].iloc[[0, -1]].tolist() == [2, 40001]


def test_a_csv_column_is_read_as_codes_and_its_distinct_texts(tmp_path):
    # pyarrow hands each column over dictionary-encoded: one text per distinct value, an integer per line
    rows = [f"{i},甲公司,2023-06-0{1 + i % 3},张三,0,是" for i in range(1, 501)]
    (tmp_path / "a.csv").write_text("\n".join(["带队检查记录", HEADER, *rows, "合计,,,,0"]) + "\n", "utf-8")
    sheet = sheet_of(tmp_path / "a.csv")
    assert sheet.grid is None and sheet.columns is not None and sheet.width == 6
    codes, texts = sheet.columns[1]
    assert len(codes) == len(sheet) == 503
    assert sorted(texts.tolist()) == sorted(["", "企业名称", "甲公司"])  # "": 合计's empty cell (the title has none)
    codes, texts = sheet.columns[2]
    assert len(texts) == 1 + 3 + 1  # 检查日期, three days, and 合计's empty cell
    assert sheet.cells[2].tolist()[:4] == ["", "检查日期", "2023-06-02", "2023-06-03"]
    sub, led = read(tmp_path)
    assert sub.problems == [] and len(led["head_inspections"]) == 500
    assert led["head_inspections"]["source_row"].iloc[[0, -1]].tolist() == [3, 502]


def test_pyarrow_trims_what_python_strips():
    # a CSV file's texts are trimmed by pyarrow (text_columns), a workbook's stripped by Python (records_of):
    # both remove the same characters, those of str.isspace
    from jicui_compliance.reading.tables import WHITESPACE

    assert WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


def test_a_csv_files_columns_are_cut_to_their_records_as_a_workbooks_are():
    # text_columns (pyarrow texts) gives the records records_of gives (Python texts): the same cells,
    # empty where only white space, texts trimmed; and the record mask finds the same footers
    import random

    import numpy as np
    import pyarrow as pa

    from jicui_compliance.reading.tables import _footer_kinds, as_objects, records_of, text_columns

    rnd = random.Random(7)
    pieces = ["", " ", "\u3000", "\xa0", "\t", "张三", "合计", "1", "abc", "填表人：周八", "说明：", "注", "é", "\U0001f600"]
    texts = sorted({"".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 4))) for _ in range(400)})
    uniques = np.array(texts, dtype=object)
    codes = np.array([rnd.randint(-1, len(texts) - 1) for _ in range(2000)])
    for start in (0, 3):
        (mine, mine_texts), (other, other_texts) = text_columns([(codes, pa.array(texts)), (codes, pa.array(texts))],
                                                                start, {0})[0]
        want, want_texts = records_of(codes, uniques, start)
        got = as_objects(mine_texts)
        assert [got[c] if c >= 0 else None for c in mine] == [want_texts[c] if c >= 0 else None for c in want]
        plain, plain_texts = records_of(codes, uniques, start, strip=False)
        assert [texts[c] if c >= 0 else None for c in other] == [plain_texts[c] if c >= 0 else None for c in plain]
    used = np.arange(len(texts))
    for kinds_a, kinds_b in zip(_footer_kinds(pa.array(texts), used), _footer_kinds(uniques, used)):
        assert kinds_a.tolist() == kinds_b.tolist()
    assert _footer_kinds(uniques, used)[0].sum() > 0


@pytest.mark.parametrize("data", [
    "甲公司,2023-06-01".encode(), b"", b"plain ascii", "\U0001f600 emoji".encode(),
    "甲".encode()[:2], b"\xed\xa0\x80 surrogate", b"\xc0\xaf overlong", b"\xf4\x90\x80\x80 beyond", b"\xff",
    "中文".encode("gb18030"), "中文".encode() + b"\x80",
])
def test_utf8_is_checked_as_strictly_as_python_decodes(data):
    from jicui_compliance.reading.sources import _valid_utf8

    try:
        data.decode("utf-8")
        python = True
    except UnicodeDecodeError:
        python = False
    assert _valid_utf8(data) == python


def test_gbk_decodes_every_sequence_it_accepts_as_gb18030_does():
    """The reader decodes a GB file with the GBK codec first (faster), GB18030 when that fails: the same
    text, since every one- and two-byte sequence GBK accepts is the same character in GB18030."""
    for lead in range(0x80, 0x100):
        for seq in [bytes([lead])] + [bytes([lead, trail]) for trail in range(0x100)]:
            try:
                gbk = seq.decode("gbk")
            except UnicodeDecodeError:
                continue
            assert seq.decode("gb18030") == gbk, seq


@pytest.mark.parametrize("text", ["台账,甲公司\n", "四字节 \u20ac \U00020000 𠀀,乙\n", "ÿ 乱码 \u00b7\u2014\u2015\n"])
def test_gb_files_are_read_as_gb18030(tmp_path, text):
    from jicui_compliance.reading.sources import decode_csv

    try:
        raw = text.encode("gb18030")
    except UnicodeEncodeError:
        pytest.skip("not in GB18030")
    assert decode_csv(raw) == (raw.decode("gb18030"), "GB18030")


def test_text_columns_of_many_columns_are_records_of_each():
    # all columns of a file are renumbered at once (text_columns): each as records_of gives it alone,
    # whichever are the ledger's, with empty columns, columns without an empty text, and no cell at all
    import random

    import numpy as np
    import pyarrow as pa

    from jicui_compliance.reading.tables import as_objects, records_of, text_columns

    rnd = random.Random(11)
    pieces = ["", " ", "\u3000", "张三", "1", "合计", "ab"]
    for _ in range(60):
        n_rows, columns, objects = rnd.randint(0, 30), [], []
        for _ in range(rnd.randint(1, 6)):
            kind = rnd.random()
            texts = [] if kind < 0.15 else sorted({"".join(rnd.choice(pieces[3:] if kind < 0.3 else pieces)
                                                         for _ in range(rnd.randint(1, 3))) for _ in range(8)})
            codes = np.array([rnd.randint(-1, len(texts) - 1) if texts else -1 for _ in range(n_rows)], dtype=np.int32)
            columns.append((codes, pa.array(texts, type=pa.string())))
            objects.append(np.array(texts, dtype=object))
        mapped = {j for j in range(len(columns) + 1) if rnd.random() < 0.5}
        start = rnd.randint(0, 3)
        for j, (codes, texts) in enumerate(text_columns(columns, start, mapped)[0]):
            want, want_texts = records_of(columns[j][0], objects[j], start, strip=j in mapped)
            got = as_objects(texts)
            assert [got[c] if c >= 0 else None for c in codes] == [want_texts[c] if c >= 0 else None for c in want]


def test_a_semicolon_separated_file_is_read(tmp_path):
    """Excel writes “CSV” with ; where the system's list separator is ; — read like a comma file; a
    full-width ； in the text is no separator, and a comma file with a ; in a cell stays a comma file."""
    (tmp_path / "分号.csv").write_text(
        "东坡村主要负责人带队检查记录\n"
        "企业名称;检查日期;带队负责人;发现隐患数;检查内容\n"
        "甲公司;2023-06-10;张三;0;配电；消防\n", "utf-8")
    (tmp_path / "逗号.csv").write_text(
        "企业名称,检查日期,带队负责人,发现隐患数,检查内容\n"
        "乙公司,2023-06-11,李四,1,配电;消防;仓储\n", "utf-8")
    sub, led = read(tmp_path)
    assert sub.problems == []
    df = led["head_inspections"].sort_values("source_file")
    assert df["source_file"].tolist() == ["分号.csv", "逗号.csv"] and df["source_row"].tolist() == [3, 2]
    assert df["basis"].tolist() == ["配电；消防", "配电;消防;仓储"]
