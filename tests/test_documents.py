"""Documents that leave the office (issue 14): the 公文 layout checked on the docx XML, and the
notices and letters of the sample town."""

from __future__ import annotations

import dataclasses
import datetime as dt
import doctest
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from jicui_compliance import text
from jicui_compliance.report import gongwen, wording
from jicui_compliance.report.gongwen import FANGSONG, HEITI, KAITI, XIAOBIAOSONG, Gongwen

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_wording_doctests():
    assert doctest.testmod(wording).failed == 0


def test_text_doctests():
    result = doctest.testmod(text)
    assert result.attempted > 0 and result.failed == 0


def test_no_rule_id_or_severity_word_survives_plain():
    text = wording.plain("方案 E(4)：……；D3(2)、G1 和 P3（精准执法，截至2023年11月30日）；方案 四(一) 要求")
    assert text == "方案三（一）（4）：……；三（二）3（2）、三（三）1 和 第三阶段（精准执法，截至2023年11月30日）；方案四（一）要求"
    assert not wording.RULE_ID.search(text)


def test_office_frame_and_leaks():
    """A report table in the office's language (the document boundary: the analysis frames keep their IDs)."""
    import pandas as pd

    frame = pd.DataFrame({"规则": ["HI001"], "名称": ["当月无主要负责人带队检查"], "严重程度": ["错误"],
                          "条款": ["E(2); EXT: 生产安全事故报告和调查处理条例 第9条"], "期间": ["P2"],
                          "示例": ["……（方案 E(4)：……）；应在P2（企业自查自改和部门帮扶，截至2023年7月31日）前……"],
                          "依据发现": ["HI001×7、DR001×1、履行率排名（未履行14项/应履行73项）"], "错误": [9], "警告": [1]})
    out = wording.office_frame(frame)
    assert list(out.columns) == ["名称", "问题类别", "条款", "期间", "示例", "依据发现", "违反方案要求的问题（条）",
                                 "需核实完善的问题（条）"]
    row = out.iloc[0]
    # 问题类别 of any finding (a record's too: no breach of the plan); the 四个一批 counts (enterprise rules only) are breaches
    assert row["问题类别"] == "须纠正的问题" and row["期间"] == "第二阶段"
    periods = wording.office_frame(pd.DataFrame({"期间": ["2023-07", "2023-H1", "2023-H2", "2023", "2023-07-21", "P4", "合计"],
                                                 "月份": ["2023-12", "合计", "", "2024-01", "2023-06", "2023-07", "2023-08"]}))
    assert periods["期间"].tolist() == ["2023年7月", "2023年上半年", "2023年下半年", "2023年", "2023年7月21日", "第四阶段", "合计"]
    assert periods["月份"].tolist() == ["2023年12月", "合计", "", "2024年1月", "2023年6月", "2023年7月", "2023年8月"]
    assert row["条款"] == "方案三（一）（2）；生产安全事故报告和调查处理条例 第9条"
    assert row["依据发现"] == "当月无主要负责人带队检查×7、全年无应急演练×1、履行率排名（未履行14项/应履行73项）"
    assert not any(wording.leaks(str(v)) for v in row)
    assert wording.leaks("有3条“错误”级核查发现；HZ005×1；方案 G1；D3(1)；SCH/FMT/REF") == [
        "“错误”", "HZ005", "G1", "D3(1)", "SCH", "FMT", "REF"]
    assert wording.leaks("GB 30871-2022；统一社会信用代码91140122MA0A1B2C6A；隐患XH-01；第三阶段") == []
    assert frame.loc[0, "规则"] == "HI001"  # the frame given is left as it is


def test_a_clause_a_rule_shows_as_another_paragraph():
    """ENT001's clause code 三(二)4 (the RULEBOOK's, kept in findings.csv) is the plan's 倒查 paragraph; the lead
    stations it checks are assigned in 一（二）4: every text a reader sees (a report's 条款, a notice) says 一（二）4."""
    from types import SimpleNamespace

    import pandas as pd

    from jicui_compliance.documents.notices import _basis, _item_text
    from jicui_compliance.rules import REGISTRY

    ent = REGISTRY["ENT001"]
    assert ent.clause == "三(二)4" and wording.clause_text(ent.clause) == "方案一（二）4"
    frame = wording.office_frame(pd.DataFrame({"规则": ["ENT001"], "名称": [ent.title], "条款": [ent.clause]}))
    assert frame["条款"].tolist() == ["方案一（二）4"]
    message = ent.message.format(value="应急站", industry="建筑施工", accepted="城建站")
    row = SimpleNamespace(message=message, clause=ent.clause, rule_id="ENT001", source_file="", source_sheet="",
                          source_row=None)
    assert _item_text(row).endswith("按方案明确的行业分工落实监管（方案一（二）4）。") and _basis(row) == ""


def _east_asia(el) -> str | None:
    rfonts = el.find(f"{W}rPr/{W}rFonts") if el.tag != f"{W}rPr" else el.find(f"{W}rFonts")
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


@pytest.fixture(scope="module")
def sample_doc(tmp_path_factory) -> Path:
    d = Gongwen("积翠镇安全生产委员会办公室", "积安委办〔2023〕7号", "关于专项行动进展情况的通报", ["县安全生产委员会办公室"])
    d.heading("一、基本情况")
    d.p("全镇纳入企业名录的企业123家。")
    d.heading("（一）主要做法", 2)
    d.annex_list(["隐患清单"])
    d.signature("积翠镇安全生产委员会办公室", dt.date(2023, 12, 31))
    d.annex(1, "隐患清单", ["企业名称", "隐患编号"], [[f"积翠某某化工有限公司第{i}分公司", f"YH-{i:03d}"] for i in range(150)], [False, False])
    return d.save(tmp_path_factory.mktemp("gw") / "通报.docx")


def test_gongwen_page_grid_and_margins(sample_doc):
    doc = Document(str(sample_doc))
    sec = doc.sections[0]
    def mm(v):  # stored in twips: compare to the tenth of a millimetre
        return round(v / Mm(1), 1)

    assert (mm(sec.page_width), mm(sec.page_height)) == (210, 297)
    assert mm(sec.top_margin) == 37 and mm(sec.left_margin) == 28
    assert mm(sec.page_width - sec.left_margin - sec.right_margin) == 156  # 版心 156 × 225 mm
    assert mm(sec.page_height - sec.top_margin - sec.bottom_margin) == 225
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert int(grid.get(qn("w:linePitch"))) == round(225 / 22 / 25.4 * 72 * 20)  # 22 lines


def test_gongwen_fonts_and_sizes(sample_doc):
    doc = Document(str(sample_doc))
    normal = doc.styles["Normal"]
    assert _east_asia(normal.element) == FANGSONG and normal.font.size == Pt(16)  # 仿宋_GB2312 3号
    assert _east_asia(doc.styles["Heading 1"].element) == HEITI
    assert _east_asia(doc.styles["Heading 2"].element) == KAITI
    title = doc.styles["公文标题"]
    assert _east_asia(title.element) == XIAOBIAOSONG and title.font.size == Pt(22)  # 小标宋 2号
    # every standard font has an East-Asian fallback in the font table
    with zipfile.ZipFile(sample_doc) as z:
        table = z.read("word/fontTable.xml").decode("utf-8")
    for name, alt in gongwen.FALLBACKS.items():
        assert f'w:name="{name}"><w:altName w:val="{alt}"/>' in table


def test_gongwen_head_number_recipients_signature(sample_doc):
    doc = Document(str(sample_doc))
    texts = [p.text for p in doc.paragraphs]
    head = doc.paragraphs[0]
    assert head.text == "积翠镇安全生产委员会办公室文件"
    assert str(head.runs[0].font.color.rgb) == "FF0000" and _east_asia(head.runs[0]._r) == XIAOBIAOSONG
    number = doc.paragraphs[1]
    assert number.text == "积安委办〔2023〕7号"
    assert number._p.find(f"{W}pPr/{W}pBdr/{W}bottom").get(qn("w:color")) == "FF0000"  # the red line
    assert texts[2] == "关于专项行动进展情况的通报"
    assert texts[3] == "县安全生产委员会办公室："  # 主送
    assert "附件：隐患清单" in texts
    i = texts.index("2023年12月31日")  # 成文日期 in Arabic numerals, under the organ
    assert texts[i - 1] == "积翠镇安全生产委员会办公室"
    assert doc.paragraphs[i].alignment == doc.paragraphs[i - 1].alignment == 2  # right


def test_gongwen_page_numbers_and_complete_annex(sample_doc):
    doc = Document(str(sample_doc))
    assert doc.settings.odd_and_even_pages_header_footer
    sec = doc.sections[0]
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer._element.xml
        assert "— " in xml and " —" in xml and " PAGE " in xml
    table = doc.tables[-1]
    assert len(table.rows) == 151  # every row, no "此处列出前60行"
    header = table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader")
    assert header is not None  # repeated on every page
    widths = [c.width for c in table.columns]
    assert sum(widths) <= Mm(156) + 10 and widths[0] != widths[1]  # by content, not equal


def test_every_document_starts_from_one_styled_base_and_keeps_to_itself(tmp_path, monkeypatch):
    """The page, styles, fonts and page numbers are made once per kind (公文, 信函) and each document opened from
    them: a second document styles nothing again, a letter has its own first-page footer, and what one
    document adds is not in the next."""
    monkeypatch.setattr(Gongwen, "_bases", {})
    styled = []
    real = Gongwen._styles
    monkeypatch.setattr(Gongwen, "_styles", lambda self: (styled.append(self.letter), real(self))[1])
    first = Gongwen("积翠镇应急站", "积应急〔2023〕1号", "第一份通知")
    first.p("只在第一份中的段落")
    second = Gongwen("积翠镇应急站", "积应急〔2023〕2号", "第二份通知")
    letter = Gongwen("积翠镇应急站", "积应急函〔2023〕3号", "一份函", letter=True)
    assert styled == [False, True]
    paths = [d.save(tmp_path / f"{i}.docx") for i, d in enumerate((first, second, letter))]
    docs = [Document(str(p)) for p in paths]
    texts = ["".join(p.text for p in d.paragraphs) for d in docs]
    assert "只在第一份中的段落" in texts[0] and "只在第一份中的段落" not in texts[1]
    assert "第二份通知" in texts[1] and "第一份通知" not in texts[1]
    assert [d.core_properties.title for d in docs] == ["第一份通知", "第二份通知", "一份函"]
    assert [d.sections[0].different_first_page_header_footer for d in docs] == [False, False, True]
    for d in docs:
        assert d.styles["公文标题"].font.name == XIAOBIAOSONG and d.settings.odd_and_even_pages_header_footer
    # nothing of python-docx's template that is not the document's: its page as a thumbnail, Word 2010's second copy
    # of the styles, an empty custom XML store
    for path in paths:
        names = zipfile.ZipFile(path).namelist()
        assert not [n for n in names if "thumbnail" in n or "stylesWithEffects" in n or n.startswith("customXml")]
        assert {"word/document.xml", "word/styles.xml", "word/footer1.xml", "docProps/core.xml"} <= set(names)
    # of the template's 100 table styles, the default and the annexes' 网格型 (Table Grid)
    assert sorted(s.name for s in docs[0].styles if s.type == 3) == ["Normal Table", "Table Grid"]


@pytest.mark.parametrize("text", ["", "一、存在的问题", " 前后有空格 ", "甲\t乙", "第一行\n第二行\r第三", "<&>\"'", "身份证110105194912310021"])
@pytest.mark.parametrize("indent, style, align", [(True, None, None), (False, None, None), (False, "公文标题", None),
                                                  (True, "Normal", None), (False, None, "center"), (True, "表格文字", "right")])
def test_a_paragraph_is_written_as_python_docx_writes_it(text, indent, style, align):
    """Gongwen.p writes a paragraph's XML at once: the same XML as python-docx's add_paragraph with the indent and
    alignment set through its API (the text masked alike)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from jicui_compliance.findings.masking import mask_text

    aligned = {None: None, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    doc = Gongwen("积翠镇应急站", "积应急〔2023〕1号", "通知")
    ours = doc.p(text, indent=indent, style=style, align=aligned)
    theirs = doc.doc.add_paragraph(mask_text(text), style=style)
    theirs.paragraph_format.first_line_indent = Pt(gongwen.SIZE_3 * 2) if indent else Pt(0)
    if aligned is not None:
        theirs.alignment = aligned
    elif style is None:
        theirs.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    assert etree.tostring(ours._p) == etree.tostring(theirs._p)
    assert ours._p.getnext() is theirs._p  # in the body, in order, before the section properties


def test_annex_table_cells_as_python_docx_would_make_them(tmp_path):
    """The annex rows are written as XML text: each cell still reads back as its text, in 表格文字 with one
    run (黑体 header, 仿宋 body), numbers right-aligned; tabs and line breaks as Word's own, spaces kept,
    ``& <`` as text, control characters XML cannot hold left out."""
    d = Gongwen("积翠镇安全生产委员会办公室", "积安委办〔2023〕7号", "关于……的通报")
    rows = [["甲 & <乙>", "12"], ["  前后空格  ", "3"], ["一\t二\n三", "4"], ["坏\x01字\x0b符", ""]]
    d.annex(1, "测试表", ["名称", "数量"], rows, [False, True])
    doc = Document(str(d.save(tmp_path / "t.docx")))
    table = doc.tables[-1]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["名称", "数量"], ["甲 & <乙>", "12"], ["  前后空格  ", "3"], ["一\t二\n三", "4"], ["坏字符", ""]]
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            (para,) = cell.paragraphs
            (run,) = para.runs  # an empty cell too: one run holding no text
            assert para.style.name == "表格文字"
            assert run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == (HEITI if i == 0 else FANGSONG)
            assert para.alignment == (1 if i == 0 else 2 if j == 1 else None)  # centre / right / as the style
    assert [c.width for c in table.rows[1].cells] == [c.width for c in table.columns]


# -- the sample town -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_checks():
    """The sample town checked at the days of the notices and the reports (each check once)."""
    from jicui_compliance.check import run_check

    return {day: run_check([str(SAMPLES)], as_of=day)
            for day in (dt.date(2023, 9, 15), dt.date(2023, 9, 30), dt.date(2023, 12, 31))}


@pytest.fixture(scope="module")
def notices(tmp_path_factory, sample_checks):
    """The sample town's documents at 09-30 (no previous list), and at 12-31 given the Q3 文书清单 as
    `jicui notices --previous` gives it: its units (督办函) and the 文号 it gave out (this batch numbers on
    after them). Writing the town's documents takes about 9 s of CPU: the tests read these, and write none
    of their own (test_a_later_batch_numbers_on_after_the_previous_list reads the year's numbers here;
    a previous list without its numbers is test_a_previous_report_workbook_turns_its_units_letters_into_supervision's)."""
    from jicui_compliance.documents import previous_numbers, read_previous, write_documents

    base = tmp_path_factory.mktemp("notices")
    q3 = write_documents(sample_checks[dt.date(2023, 9, 30)], base / "q3")
    listing = base / "q3" / "文书清单.xlsx"
    year = write_documents(sample_checks[dt.date(2023, 12, 31)], base / "year", previous=read_previous(listing),
                           numbers_used=previous_numbers(listing))
    return q3, year, base


@pytest.mark.slow  # the sample town checked and all its documents written
def test_the_sample_town_gets_every_kind_of_document(notices):
    from jicui_compliance.documents import NO_HISTORY, NOTICE, RESUBMIT

    q3, year, base = notices
    assert q3.count(NOTICE) > 0 and q3.count("提醒函") > 0 and q3.count(RESUBMIT) > 0
    assert q3.count("督办函") == 0 and NO_HISTORY in q3.notes  # no previous list: no 督办函
    assert year.count("督办函") > 0  # a unit with a 提醒函 in Q3 that still qualifies
    assert NO_HISTORY not in year.notes
    numbers = year.index["文号"]
    assert numbers.is_unique and numbers.str.contains("〔2023〕").all()
    for path in year.paths:
        assert path.exists()


@pytest.mark.slow  # the sample town checked and all its documents written
def test_a_rectification_notice_reads_as_a_notice(notices):
    _, year, base = notices
    row = year.index[year.index["文书"] == "隐患整改通知书"].iloc[0]
    doc = Document(str(base / "year" / row["文件"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "积翠镇人民政府"
    assert row["文号"] in text and f"{row['主送']}：" in text
    assert "2024年1月15日前完成上述问题的整改" in text  # 成文日期 2023-12-31 + 15 days
    assert not wording.RULE_ID.search(text), "no rule ID in a document"
    assert not any(w in text for w in wording.SEVERITY_WORDS)
    assert "E(" not in text and "D3(" not in text  # the plan's own numbering


@pytest.mark.slow  # the sample town checked and all its documents written
def test_letters_and_resubmissions_are_masked_and_plain(notices):
    from jicui_compliance.findings.masking import mask_text

    _, year, base = notices
    for rel in year.index["文件"]:
        doc = Document(str(base / "year" / rel))
        text = "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for r in t.rows for c in r.cells])
        assert mask_text(text) == text, rel  # nothing left to mask
        assert not wording.RULE_ID.search(text), rel
    sup = year.index[year.index["文书"] == "督办函"].iloc[0]
    doc = Document(str(base / "year" / sup["文件"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "上期已就有关问题向你单位发出提醒函" in text and doc.paragraphs[0].text == "中共积翠镇纪律检查委员会"


@pytest.mark.slow  # the sample town checked, its four reports and all its documents written
def test_documents_speak_the_office_language(notices, sample_checks, tmp_path):
    """Every document that leaves the office — the 年总结 and 季通报 (with the 四个一批, the letters, the
    obligation gaps), the 月小结 and 周调度表, in Word, HTML and the workbook, and the notices and letters —
    cites the plan in its own numbering and names findings by their titles: no rule ID (HI001, SCH002), no
    RULEBOOK code (方案 E(4), D3(1), G1, P2（…）, EXT: …) and no severity word (“错误”级, a 警告 label)."""
    from jicui_compliance.report import write_report

    from .ascii_scan import office_leaks

    for cadence, day in (("year", dt.date(2023, 12, 31)), ("quarter", dt.date(2023, 9, 30)),
                         ("month", dt.date(2023, 9, 30)), ("week", dt.date(2023, 9, 15))):
        write_report(sample_checks[day], cadence, tmp_path / cadence)
    written = sorted(p.suffix for p in tmp_path.rglob("*.*"))
    assert written.count(".docx") == written.count(".html") == written.count(".xlsx") == 4
    assert office_leaks(tmp_path) == {}
    _, _, base = notices
    assert office_leaks(base) == {}


@pytest.mark.slow  # the sample town checked and all its documents written
def test_notices_cli(tmp_path):
    import shutil

    from typer.testing import CliRunner

    from jicui_compliance.cli import app

    town = tmp_path / "town"  # the registry and 东坡村's folder: 东坡村's documents, quicker than the whole town's check
    shutil.copytree(SAMPLES / "东坡村", town / "东坡村")
    shutil.copy(SAMPLES / "积翠镇企业名录.xlsx", town)
    res = CliRunner().invoke(app, ["notices", str(town), "--as-of", "2023-12-31", "--out", str(tmp_path / "o"),
                                   "--village", "东坡村"])
    assert res.exit_code == 0, res.output
    assert "隐患整改通知书" in res.output and "无上期数据" in res.output
    res = CliRunner().invoke(app, ["notices", str(SAMPLES), "--out", str(tmp_path / "p"), "--previous", "nope.xlsx"])
    assert res.exit_code == 2 and "上期名单文件不存在" in res.output and "Traceback" not in res.output
    # a document citing the plan cannot be dated before the campaign (it wrote 积安委办退〔2022〕1号 of 2022-12-31)
    res = CliRunner().invoke(app, ["notices", str(SAMPLES), "--as-of", "2022-12-31", "--out", str(tmp_path / "q")])
    assert res.exit_code == 2 and not (tmp_path / "q").exists()
    assert [x for x in res.output.splitlines() if x.strip()] == [
        "无法运行：数据截至日 2022-12-31 早于专项行动开始日 2023-05-01：文书依据方案发出，不能早于专项行动；请给专项行动期间的 --as-of"]


# -- the previous list (--previous): a 文书清单.xlsx, a report's workbook, a text file ---------------
#: tests/test_report.py's town: at 09-30 and at 12-31 东坡村, 西岭村 (村履职), 城建站 (站所履职) and 宣传部门
#: (the lowest rate of the stations) qualify for a 提醒函
LETTERED = {"东坡村", "西岭村", "城建站", "宣传部门"}


def test_next_numbers_follow_the_patterns_numbers_of_the_year():
    from jicui_compliance.documents import next_numbers

    used = ["积政隐改〔2023〕1号", "积政隐改〔2023〕83号", "积政隐改〔2022〕400号", "积纪函〔2023〕8号", "其他〔2023〕99号", " "]
    assert next_numbers(["积政隐改〔{year}〕{n}号", "积纪函〔{year}〕{n}号", "积安委办退〔{year}〕{n}号"], 2023, used) == {
        "积政隐改〔{year}〕{n}号": 84, "积纪函〔{year}〕{n}号": 9, "积安委办退〔{year}〕{n}号": 1}


@pytest.mark.slow  # the sample town checked and all its documents written
def test_a_later_batch_numbers_on_after_the_previous_list(notices):
    """Each run numbered from 1: the Q3 提醒函 and the year's 督办函 to one village were both 积纪函〔2023〕1号.
    Given the Q3 文书清单, the year's batch numbers on after it, and says so."""
    q3, year, _ = notices  # the year's batch given the Q3 list and its numbers (the fixture)
    assert not set(year.index["文号"]) & set(q3.index["文号"])
    last_q3 = q3.index.loc[q3.index["文书"] == "提醒函", "文号"].str.extract(r"〕(\d+)号")[0].astype(int).max()
    firsts = year.index.loc[year.index["文书"].isin(["提醒函", "督办函"]), "文号"].str.extract(r"〕(\d+)号")[0].astype(int)
    assert firsts.min() == last_q3 + 1
    assert any(n.startswith("文号接续上期文书清单：") for n in year.notes)


@pytest.fixture(scope="module")
def previous_outputs(tmp_path_factory):
    """The small town's Q3 workbook, 文书清单 and month workbook (09-30), its year workbook (12-31, told the
    Q3 letters: 督办函 rows) and the check at 12-31: every file a later run is given with ``--previous``."""
    from jicui_compliance.check import run_check
    from jicui_compliance.documents import write_documents
    from jicui_compliance.report import write_report

    from .rules.runner import write_case
    from .test_report import CASE

    base = tmp_path_factory.mktemp("previous")
    folder = base / "报送"
    folder.mkdir()
    write_case(CASE, folder)
    q3, end = (run_check([folder], as_of=dt.date(2023, m, d)) for m, d in ((9, 30), (12, 31)))
    write_report(q3, "quarter", base / "q3")
    write_report(q3, "month", base / "q3")
    write_documents(q3, base / "q3" / "文书")
    write_report(end, "year", base / "year", previous_letters=sorted(LETTERED))
    return base, folder, end


def test_read_previous_finds_the_header_below_a_report_sheets_note(previous_outputs):
    """A report's 提醒函督办函 sheet has its note above the header (函件, 单位 …): the header is found, as the
    ledger reader finds one under title rows; the 文书清单 (header in row 1) and a text file still read."""
    import openpyxl

    from jicui_compliance.documents import DocumentError, read_previous

    base, _, _ = previous_outputs
    quarter, year = base / "q3" / "季通报_2023-09-30.xlsx", base / "year" / "年总结_2023-12-31.xlsx"
    sheet = openpyxl.load_workbook(quarter, read_only=True)["提醒函督办函"]
    first, header = (list(r) for r in sheet.iter_rows(max_row=2, values_only=True))
    assert first[0].startswith("依据方案") and header[:2] == ["函件", "单位"]  # the case of the audit
    assert read_previous(quarter) == LETTERED
    year_sheet = openpyxl.load_workbook(year, read_only=True)["提醒函督办函"]
    assert {r[0] for r in year_sheet.iter_rows(min_row=3, values_only=True)} == {"督办函"}
    assert read_previous(year) == LETTERED  # a 督办函 row had the 提醒函 condition too
    assert read_previous(base / "q3" / "文书" / "文书清单.xlsx") == LETTERED  # no 隐患整改通知书 addressee
    (base / "units.txt").write_text("单位\n东坡村\n城建站, 附注\n", "utf-8")
    assert read_previous(base / "units.txt") == {"东坡村", "城建站"}
    with pytest.raises(DocumentError, match="没有“文书/主送”或“函件/单位”两列"):
        read_previous(base / "q3" / "月小结_2023-09-30.xlsx")  # a month report proposes no letters


def test_a_previous_report_workbook_turns_its_units_letters_into_supervision(previous_outputs, tmp_path):
    """RULEBOOK §10: a 督办函 when the unit had a 提醒函 condition in the previous report of the same cadence
    — given as that report's workbook, through the CLI as the audit ran it."""
    import pandas as pd
    from typer.testing import CliRunner

    from jicui_compliance.cli import app
    from jicui_compliance.documents import read_previous

    base, folder, _ = previous_outputs
    quarter = base / "q3" / "季通报_2023-09-30.xlsx"
    res = CliRunner().invoke(app, ["notices", str(folder), "--as-of", "2023-12-31", "--out", str(tmp_path / "cli"),
                                   "--previous", str(quarter)])
    assert res.exit_code == 0, res.output
    assert "提醒函 0 份，督办函 4 份" in res.output and "无上期数据" not in res.output
    # the documents the command wrote, as its 文书清单 lists them (write_documents' index)
    index = pd.read_excel(tmp_path / "cli" / "文书清单.xlsx", sheet_name="文书清单", engine="calamine")
    assert set(index.loc[index["文书"] == "督办函", "主送"]) == LETTERED and (index["文书"] == "提醒函").sum() == 0
    assert read_previous(quarter) == LETTERED


# -- ledger data that look like clause codes (a hazard numbered D1, a description G3仓库…) ------------------
_OPEN = dict(done_on=None, source="执法检查", immediate="否", owner="张三", measures="整改", funds=1, contingency="停用",
             posted="是", reported_on="2023-07-02")
_FINE = dict(station="应急站", officers=["张警官", "李警官"], major_hazards=1, actions=["罚款", "一案双罚"],
             fine_company=5000, fine_head=1000, listed="是", supervisor="刘站长", signed="是")
#: 甲公司: hazard G9 “S3车间…”, open, fined three times (EN005); 丙公司: hazard D1 “G3仓库…” and D2…D9 “G2号库房…”, open
CODED_CASE = {
    "hazards": [
        {"enterprise": "甲公司", "hazard_no": "G9", "description": "S3车间粉尘除尘系统未泄爆", "found_on": "2023-07-01",
         "deadline": "2023-08-31", **_OPEN},
        {"enterprise": "丙公司", "hazard_no": "D1", "description": "G3仓库货架倒塌风险", "found_on": "2023-08-01",
         "deadline": "2023-09-30", **_OPEN},
        *[{"enterprise": "丙公司", "hazard_no": f"D{i}", "description": "G2号库房消防通道堵塞", "found_on": "2023-08-01",
           "deadline": "2023-09-30", **_OPEN} for i in range(2, 10)],
    ],
    "enforcement": [
        *[{"enterprise": "甲公司", "date": d, "hazard_nos": "G9", **_FINE} for d in ("2023-08-10", "2023-09-12", "2023-10-16")],
        {"enterprise": "甲公司", "date": "2023-11-20", "hazard_nos": "G9",
         **{**_FINE, "actions": "责令限期整改", "fine_company": None, "fine_head": None}},
    ],
}
#: the 隐患逾期未整改 messages as findings.csv has them, and as a document must quote them
G9_RAW = ("隐患“G9”（S3车间粉尘除尘系统未泄爆）整改期限为2023-08-31，截至2023-12-31仍未整改完成（已逾期122天）；"
          "请督促整改并如实填写整改完成日期（方案 E(2)：明确期限，实行闭环管理）")
G9_PLAIN = G9_RAW.replace("方案 E(2)", "方案三（一）（2）")
D1_PLAIN = G9_PLAIN.replace("G9", "D1").replace("S3车间粉尘除尘系统未泄爆", "G3仓库货架倒塌风险").replace(
    "2023-08-31", "2023-09-30").replace("122天", "92天")
#: what the audit found in the documents: the data rewritten as the plan's numbering
MANGLED = ("三（二）1”", "三（三）3仓库", "五（三）车间", "三（三）9", "三（三）2号库房", "三（二）2”")


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """The case checked at 12-31, its documents and its 年总结."""
    from jicui_compliance.check import run_check
    from jicui_compliance.documents import write_documents
    from jicui_compliance.report import write_report

    from .rules.runner import write_case

    base = tmp_path_factory.mktemp("coded")
    (base / "报送").mkdir()
    write_case(CODED_CASE, base / "报送")
    result = run_check([base / "报送"], as_of=dt.date(2023, 12, 31))
    written = write_documents(result, base / "文书")
    write_report(result, "year", base / "年总结")
    return result, written, base


def test_plain_rewrites_a_messages_clauses_not_its_data(coded):
    """The values a message quotes are data as written; only the rule's own words cite the plan in its numbering
    (the phase label the tool fills in too); a message already plain comes back as it is."""
    result, _, _ = coded
    f = result.findings
    messages = dict(zip(f["rule_id"] + "|" + f["enterprise_name"], f["message"]))
    assert messages["HZ005|甲公司"] == G9_RAW  # findings.csv: the data and the RULEBOOK's code
    assert wording.plain(G9_RAW, "HZ005") == G9_PLAIN
    assert wording.plain(G9_PLAIN, "HZ005") == G9_PLAIN
    en005 = wording.plain(messages["EN005|甲公司"], "EN005")
    assert "仍有重大事故隐患G9未整改完成" in en005 and "方案三（二）3（4）：重大事故隐患长期存在" in en005
    period = f.loc[f["rule_id"] == "TR001", "message"].iloc[0]
    assert period.startswith("P2（企业自查自改和部门帮扶，截至2023年7月31日）前")
    assert wording.plain(period, "TR001").startswith("第二阶段（企业自查自改和部门帮扶，截至2023年7月31日）前")
    for rule, message in zip(f["rule_id"], f["message"]):
        out = wording.plain(message, rule)
        # no code left in the rule's words (wording.leaks would flag the data G9, D1 …: it is for texts without such data)
        assert not re.search(r"方案\s*[EDGS]\d|[ED]\d?\(\d+\)|P[1-6]（", out) and not any(m in out for m in MANGLED), out
        assert wording.plain(out, rule) == out
    # a table of a report: by its rule ID, or (made from a report table) by the rule's title
    import pandas as pd

    frame = pd.DataFrame({"规则": ["HZ005"], "名称": ["隐患逾期未整改"], "严重程度": ["错误"], "示例": [G9_RAW]})
    office = wording.office_frame(frame)
    assert office.loc[0, "示例"] == G9_PLAIN
    assert wording.office_frame(office).loc[0, "示例"] == G9_PLAIN
    assert wording.office_frame(frame.drop(columns="规则")).loc[0, "示例"] == G9_PLAIN


def test_notices_quote_the_ledgers_hazard_numbers_and_descriptions(coded):
    """The audit's case: a notice names the hazard as the ledger has it (“D1”, G3仓库…, S3车间…, G9)."""
    _, written, base = coded
    index = written.index.set_index(["文书", "主送"])
    texts = {}
    for unit in ("甲公司", "丙公司"):
        doc = Document(str(base / "文书" / index.loc[("隐患整改通知书", unit), "文件"]))
        texts[unit] = "\n".join(p.text for p in doc.paragraphs)
    assert G9_PLAIN in texts["甲公司"] and "仍有重大事故隐患G9未整改完成" in texts["甲公司"]
    assert D1_PLAIN in texts["丙公司"] and "隐患“D5”（G2号库房消防通道堵塞）" in texts["丙公司"]
    for page in texts.values():
        assert not any(m in page for m in MANGLED)


def test_a_reports_examples_quote_the_ledgers_data(coded):
    """The 年总结's 典型问题 example in the workbook, the Word document and the page, and no mangled data anywhere."""
    import openpyxl

    _, _, base = coded
    folder = base / "年总结"
    book = openpyxl.load_workbook(next(folder.glob("*.xlsx")), read_only=True)
    rows = [r for r in book["典型问题"].iter_rows(values_only=True)]
    header = next(r for r in rows if "示例" in r)
    example = next(r[header.index("示例")] for r in rows if r[header.index("名称")] == "隐患逾期未整改")
    assert example in (G9_PLAIN, D1_PLAIN)
    cells = "\n".join(str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for c in r if c)
    doc = Document(str(next(folder.glob("*.docx"))))
    word = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    html = next(folder.glob("*.html")).read_text("utf-8")
    for page in (cells, word, html):
        assert example in page
        assert not any(m in page for m in MANGLED), [m for m in MANGLED if m in page]


def test_the_html_embeds_a_cjk_subset_that_covers_its_text():
    """On a machine without Chinese fonts the page still renders: a WOFF subset of Noto Sans CJK SC
    with every character of the page is inlined."""
    import base64
    import re
    from io import BytesIO

    from fontTools.ttLib import TTFont

    from jicui_compliance.report.html import EMBEDDED_FAMILY, FONT_STACK, font_face

    text = "积翠镇重大事故隐患专项排查整治年总结：隐患整改率89.8%（“四个一批”）"
    css = font_face(text)
    assert EMBEDDED_FAMILY in css and EMBEDDED_FAMILY in FONT_STACK
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1))
    assert data[:4] == b"wOFF" and len(data) < 60_000 and "format(\"woff\")" in css
    font = TTFont(BytesIO(data))
    cmap = font.getBestCmap()
    assert all(ord(ch) in cmap for ch in text) and ord("隘") not in cmap
    glyphs = font.getGlyphSet()
    assert all(glyphs[cmap[ord(ch)]].width > 0 for ch in text)  # outlines and advances kept, not just the cmap
    assert len(font.getGlyphOrder()) <= 1 + 95 + len(set(text))  # .notdef, printable ASCII, the text: no more


@pytest.mark.slow  # the sample town checked and all its documents written
def test_no_internal_identifier_in_notices_or_findings(notices, tmp_path):
    """Issue 14: the ASCII-identifier scan of the documents and of findings.xlsx finds nothing."""
    from typer.testing import CliRunner

    from jicui_compliance.cli import app

    from .ascii_scan import scan

    _, _, base = notices
    assert scan(base) == {}
    res = CliRunner().invoke(app, ["check", str(SAMPLES), "--as-of", "2023-12-31", "--out", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    assert scan(tmp_path / "c") == {}


def test_a_notice_to_an_enterprise_under_the_placeholder_station_names_the_town_office(tmp_path):
    """其他站所 is the industries table's placeholder, no unit: the notice asks for the report to the
    town's office (Campaign.office: the plan's 镇应急站) and copies no 其他站所; ENT001 cites the lead stations' paragraph
    一（二）4; words a message addresses to the town (EN005's 请研究依法提请…)
    stay out of the enterprise's notice, and a rewritten clause leaves no space before the next word."""
    from jicui_compliance.check import run_check
    from jicui_compliance.documents import write_documents

    from .rules.runner import DEFAULT_ENTERPRISES, write_case

    registry = [dict(e) for e in DEFAULT_ENTERPRISES]
    registry[0].update(industry="食品卫生", station="其他站所")  # 甲公司: accepted for 食品卫生 (no ENT001)
    registry[2].update(station="应急站")  # 丙公司 (建筑施工, led by 城建站): ENT001, whose paragraph is 一（二）4
    write_case({"enterprises": registry, "hot_work": [
        {"enterprise": "甲公司", "permit_no": "DH-1", "level": "一级", "start": "2023-07-20 08:00",
         "end": "2023-07-20 10:00", "approver": "王五", "approved_at": "2023-07-20 09:00", "worker": "焊工甲",
         "guardian": "李四", "fire_measures": "是"}]}, tmp_path)
    written = write_documents(run_check([str(tmp_path)], as_of=dt.date(2023, 12, 31)), tmp_path.parent / f"{tmp_path.name}-out")
    row = written.index[(written.index["文书"] == "隐患整改通知书") & (written.index["主送"] == "甲公司")].iloc[0]
    text = "\n".join(p.text for p in Document(str(tmp_path.parent / f"{tmp_path.name}-out" / row["文件"])).paragraphs)
    assert "先动火后审批" in text  # HW002 is among its items
    assert "其他站所" not in text and "书面报送镇应急站" in text  # the plan's 镇应急站 (Campaign.office), not 镇应急管理站
    assert not re.search(r"[）)] [\u4e00-\u9fff]", text), text
    row = written.index[(written.index["文书"] == "隐患整改通知书") & (written.index["主送"] == "丙公司")].iloc[0]
    text = "\n".join(p.text for p in Document(str(tmp_path.parent / f"{tmp_path.name}-out" / row["文件"])).paragraphs)
    assert "不是“建筑施工”行业的牵头站所" in text and "按方案明确的行业分工落实监管（方案一（二）4）" in text, text
    assert "三（二）4" not in text, text
    # another town's office (its [documents] organ after 镇), not a name written into the code
    from jicui_compliance.campaign import load_campaign

    camp = load_campaign()
    other = dataclasses.replace(camp, documents=dataclasses.replace(camp.documents, organ="积翠镇安全生产委员会"))
    out = tmp_path.parent / f"{tmp_path.name}-other"
    written = write_documents(run_check([str(tmp_path)], as_of=dt.date(2023, 12, 31), campaign=other), out)
    row = written.index[(written.index["文书"] == "隐患整改通知书") & (written.index["主送"] == "甲公司")].iloc[0]
    text = "\n".join(p.text for p in Document(str(out / row["文件"])).paragraphs)
    assert other.office == "镇安全生产委员会" and "书面报送镇安全生产委员会，" in text, text


def test_a_notice_leaves_out_what_a_message_asks_of_the_town():
    from types import SimpleNamespace

    from jicui_compliance.documents.notices import _item_text

    row = SimpleNamespace(message="该企业180日内受到行政处罚3次……（方案 D3(4)：……）；请研究依法提请县人民政府予以关闭",
                          rule_id="EN005", source_file="", source_sheet="", source_row=None)
    assert _item_text(row) == "该企业180日内受到行政处罚3次……（方案三（二）3（4）：……）。"


def test_a_law_the_message_quotes_is_not_cited_again():
    from types import SimpleNamespace

    from jicui_compliance.documents.notices import _basis

    quoted = SimpleNamespace(message="依《安全生产法》第二十四条，应当配备专职安全生产管理人员（方案 E(7)）", clause="E(7); EXT: 安全生产法 第24条",
                             rule_id="ENT003")
    assert _basis(quoted) == ""
    bare = SimpleNamespace(message="未配备专职安全生产管理人员", clause="E(7); EXT: 安全生产法 第24条", rule_id="ENT003")
    assert _basis(bare) == "依据：方案三（一）（7）；安全生产法 第24条。"


# -- personal numbers in the registry's names, folder, file and sheet names (audit 7) ----------------------
_MOBILE, _LANDLINE, _ID = "13912345678", "0351-2848716", "14092219850315105X"
#: what is left of each number once the separators are taken out, none of which a masked number keeps
_CLEAR = ("1391234", "2848716", "19850315")
_FIRM = f"东坡化工有限公司（联系人{_MOBILE}）"
_VILLAGE = f"西河村（村委{_LANDLINE}）"


def _numbered_town(root: Path) -> None:
    """A town whose registry names an enterprise and a village with a phone number, whose village submits in a
    folder named with a mobile, a file named with an ID number and sheets named with a mobile and a landline."""
    from openpyxl import Workbook

    def book(path: Path, sheets) -> None:
        wb = Workbook()
        wb.remove(wb.active)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(r)
        path.parent.mkdir(parents=True, exist_ok=True)
        wb.save(path)

    a, b = "91140922MA0A1B2C3A", "91140922MA0D4E5F6C"
    book(root / "积翠镇企业名录.xlsx", [("名录", [
        ["统一社会信用代码", "企业名称", "所属村", "行业领域", "监管站所", "是否高危", "主要负责人", "联系电话", "从业人数"],
        [a, _FIRM, _VILLAGE, "危险化学品", "应急站", "是", "赵丽", _LANDLINE, 30],
        [b, "积翠东坡五金厂", "东坡村", "工贸", "应急站", "否", "李建国", "13812345678", 20]])])
    hazards = ["统一社会信用代码", "企业名称", "隐患编号", "隐患描述", "发现日期", "发现方式", "是否立即整改", "整改完成日期", "整改状态"]
    inspections = ["企业名称", "检查日期", "带队负责人", "发现隐患数", "签名确认"]
    book(root / _VILLAGE / "报送人 139 1234 5678" / f"台账（经办人{_ID}）.xlsx", [
        (f"隐患 {_MOBILE}", [hazards, [a, _FIRM, "C-1", "储罐区静电接地缺失", "2023年6月31日", "企业自查", "是", "2023-06-05", "已销号"]]),
        (f"带队 {_LANDLINE}", [inspections, [_FIRM, "2023-06-20", "周九", 0, "否"]])])
    book(root / "东坡村" / "东坡村台账.xlsx", [("带队", [inspections, ["积翠东坡五金厂", "2023-06-20", "李建国", 0, "是"]])])


def _clear_numbers(out: Path) -> dict[str, list[str]]:
    """Every number of :data:`_CLEAR` left in ``out``: in a file's or folder's name, and in any part of a .docx or
    .xlsx (document, headers, footers, properties, shared strings, sheet names), its markup and separators left out."""
    def clear(text: str) -> list[str]:
        flat = re.sub(r"[\s\-‐－—()（）+]", "", re.sub(r"<[^>]+>", "", text))
        return [n for n in _CLEAR if n in flat]

    found = {}
    for path in sorted(out.rglob("*")):
        rel = str(path.relative_to(out))
        if clear(rel):
            found[rel] = clear(rel)
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as z:
                for part in z.namelist():
                    hit = clear(z.read(part).decode("utf-8", "replace"))
                    if hit:
                        found[f"{rel}:{part}"] = hit
    return found


def test_documents_mask_the_numbers_in_names_paths_and_sheets(tmp_path):
    """RULEBOOK §6 (“masked in every output”), documents.md (“身份证号和手机号在所有文书中均已脱敏”): the audit found
    the numbers findings.csv masks written clear in the notices' file names, their 主送, the items' “（见…工作表第2行）”,
    the 退回重报通知's 文件 and 工作表 cells, and 文书清单's 主送 and 文件. A later batch given that 文书清单
    (--previous) still knows the village it wrote to, masked, and sends it a 督办函."""
    import openpyxl

    from jicui_compliance.check import run_check
    from jicui_compliance.documents import read_previous, write_documents

    _numbered_town(tmp_path / "报送")
    result = run_check([tmp_path / "报送"], as_of=dt.date(2023, 6, 30))
    out = tmp_path / "文书"
    written = write_documents(result, out)
    assert _clear_numbers(out) == {}
    index = written.index.set_index(["文书", "主送"])
    firm, village = "东坡化工有限公司（联系人139****5678）", "西河村（村委0351-***8716）"
    assert index.loc[("隐患整改通知书", firm), "文件"] == "隐患整改通知书/002_东坡化工有限公司（联系人139＊＊＊＊5678）.docx"
    assert index.loc[("退回重报通知", village), "文件"] == "退回重报通知/001_西河村（村委0351-＊＊＊8716）.docx"
    notice = "\n".join(p.text for p in Document(str(out / index.loc[("隐患整改通知书", firm), "文件"])).paragraphs)
    assert f"{firm}：" in notice
    assert (f"（见{village}/报送人 139 **** 5678/台账（经办人140922********105X）.xlsx“带队 0351-***8716”工作表第2行）"
            in notice)
    table = Document(str(out / index.loc[("退回重报通知", village), "文件"])).tables[0]
    assert [c.text for c in table.rows[1].cells][:3] == [
        f"{village}/报送人 139 **** 5678/台账（经办人140922********105X）.xlsx", "隐患 139****5678", "2"]
    listed = openpyxl.load_workbook(out / "文书清单.xlsx", read_only=True)["文书清单"]
    assert firm in [r[2] for r in listed.iter_rows(values_only=True)]
    assert written.count("提醒函") == 2  # 东坡村 and the village named with a number
    again = write_documents(result, tmp_path / "下期", previous=read_previous(out / "文书清单.xlsx"))
    assert sorted(again.index.loc[again.index["文书"] == "督办函", "主送"]) == ["东坡村", village]
    assert _clear_numbers(tmp_path / "下期") == {}


def test_a_documents_properties_are_its_own(tmp_path):
    """文件→属性 of every Word document: its title, the issuing organ as author, the time it was made; none of
    python-docx's template (作者 python-docx, “generated by python-docx”, 2013-12-23, Microsoft Macintosh Word)."""
    ns = {"dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
          "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
          "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)  # the file records whole seconds
    d = Gongwen("积翠镇应急管理站", "积安委办〔2023〕7号", f"关于东坡化工有限公司（联系人{_MOBILE}）的通报", ["东坡村"], letter=True)
    d.p("正文。")
    path = d.save(tmp_path / "通报.docx")
    after = dt.datetime.now(dt.UTC)
    with zipfile.ZipFile(path) as z:
        core, app = (etree.fromstring(z.read(f"docProps/{n}.xml")) for n in ("core", "app"))
        props = z.read("docProps/core.xml").decode() + z.read("docProps/app.xml").decode()
    assert core.findtext("dc:title", namespaces=ns) == "关于东坡化工有限公司（联系人139****5678）的通报"
    assert core.findtext("dc:creator", namespaces=ns) == core.findtext("cp:lastModifiedBy", namespaces=ns) == "积翠镇应急管理站"
    assert not core.findtext("dc:description", namespaces=ns)
    made = [dt.datetime.fromisoformat(core.findtext(f"dcterms:{n}", namespaces=ns).replace("Z", "+00:00"))
            for n in ("created", "modified")]
    assert made[0] == made[1] and before <= made[0] <= after
    assert app.findtext("ep:Company", namespaces=ns) == "积翠镇应急管理站"
    assert app.find("ep:Application", ns) is None and app.find("ep:Pages", ns) is None
    for word in ("python-docx", "Microsoft", "Macintosh", "2013-12-23"):
        assert word not in props


def test_notices_and_letters_take_the_letter_layout(tmp_path):
    """GB/T 9704-2012 10.1 (信函格式), the layout of the notices and letters: no page number on the first page,
    and a 版记 without 印发机关 and 印发日期; a report (the 文件格式) numbers every page and prints them."""
    day = dt.date(2023, 6, 30)
    docs = {}
    for letter in (True, False):
        d = Gongwen("积翠镇人民政府", "积政隐改〔2023〕1号", "隐患整改通知书", ["东坡村"], letter=letter)
        d.p("正文。")
        d.signature("积翠镇人民政府", day)
        d.record(["应急站", "东坡村"], "积翠镇人民政府", day)
        docs[letter] = Document(str(d.save(tmp_path / f"{letter}.docx")))
    letter, report = docs[True], docs[False]
    sec = letter.sections[0]
    assert sec.different_first_page_header_footer and not sec.first_page_footer.is_linked_to_previous
    assert " PAGE " not in sec.first_page_footer._element.xml and "—" not in sec.first_page_footer._element.xml
    assert " PAGE " in sec.footer._element.xml and " PAGE " in sec.even_page_footer._element.xml  # the pages after it
    texts = [p.text for p in letter.paragraphs]
    assert texts[-1] == "抄送：应急站，东坡村。" and not any("印发" in t for t in texts)
    assert letter.paragraphs[-1]._p.find(f"{W}pPr/{W}pBdr") is None  # no lines around a letter's 版记
    assert not report.sections[0].different_first_page_header_footer
    assert report.paragraphs[-1].text == "积翠镇人民政府　　　　2023年6月30日印发"
