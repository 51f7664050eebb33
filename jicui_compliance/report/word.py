"""The report as a Word document (python-docx), for upward reporting: A4, a red title,
headings, the narrative paragraphs, the tables and the charts as pictures."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .model import Chart, Report, Table

BODY_FONT, HEAD_FONT = "宋体", "黑体"


def _font(style_or_run, name: str, size: float | None = None, bold: bool | None = None, colour=None) -> None:
    font = style_or_run.font
    font.name = name
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour:
        font.color.rgb = RGBColor.from_string(colour)


def write_word(report: Report, path: Path) -> Path:
    from .cadence import DISPLAY_ROWS

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.2)
    sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.2)
    _font(doc.styles["Normal"], BODY_FONT, 11)
    for level, size in ((1, 15), (2, 12)):
        _font(doc.styles[f"Heading {level}"], HEAD_FONT, size, True, "1F4E8C")
    _font(doc.styles["Title"], HEAD_FONT, 20, True, "B00000")

    title = doc.add_paragraph(report.heading, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(report.subtitle)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(sub.runs[0], BODY_FONT, 10.5, colour="5B6470")
    for k, v in report.meta:
        p = doc.add_paragraph()
        r = p.add_run(f"{k}：")
        r.bold = True
        p.add_run(v)
        p.paragraph_format.space_after = Pt(0)
    width = sec.page_width - sec.left_margin - sec.right_margin
    for s in report.sections:
        doc.add_heading(s.heading, level=1)
        for para in s.paragraphs:
            p = doc.add_paragraph(para)
            p.paragraph_format.first_line_indent = Pt(22)
            p.paragraph_format.line_spacing = 1.4
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        for it in s.items:
            if isinstance(it, Table):
                _table(doc, it, DISPLAY_ROWS, report.stem, width)
            elif isinstance(it, Chart):
                doc.add_picture(BytesIO(it.png), width=width)
                cap = doc.add_paragraph(it.caption or it.title)
                cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(cap.runs[0], BODY_FONT, 9, colour="5B6470")
    foot = doc.add_paragraph("本报告由台账核查工具根据报送台账自动生成；个人信息（身份证号、手机号）已脱敏。"
                             "文中数字均取自所附表格，逐项来源见同名工作簿的“叙述数据来源”工作表。")
    _font(foot.runs[0], BODY_FONT, 9, colour="5B6470")
    doc.save(str(path))
    return path


def _widths(header: list[str], rows: list[list[str]], total: int, size: float) -> list[int]:
    """Column widths (EMU): short columns (codes, dates, counts) get what they need on one line,
    the long ones share the rest in proportion to their content (CJK characters count double)."""
    def w(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    unit, pad = Pt(size * 0.62), Pt(14)
    natural, short = [], []
    for j, h in enumerate(header):
        longest = max([w(r[j]) for r in rows[:200]] + [min(w(h), 8), 3])
        natural.append(min(longest, 80) * unit + pad)
        short.append(longest <= 14)
    fixed = sum(n for n, s in zip(natural, short) if s)
    flex = sum(n for n, s in zip(natural, short) if not s)
    if fixed + flex <= total:  # everything fits: widen all in proportion
        return [int(n * total / (fixed + flex)) for n in natural]
    if flex and fixed < total * 0.7:
        return [int(n) if s else int(n * (total - fixed) / flex) for n, s in zip(natural, short)]
    return [int(n * total / (fixed + flex)) for n in natural]


def _table(doc, t: Table, limit: int, stem: str, width: int) -> None:
    doc.add_heading(t.title, level=2)
    header, rows = t.display(limit)
    if not rows:
        doc.add_paragraph("无")
    else:
        numeric = [t.kind(c) in ("int", "float", "pct", "money") for c in header]
        size = 8 if len(header) <= 8 else 7
        table = doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for col, cw in zip(table.columns, _widths(header, rows, width, size)):
            col.width = cw  # the grid (LibreOffice reads this) and each cell (Word reads these)
            for cell in col.cells:
                cell.width = cw
        for j, h in enumerate(header):
            cell = table.rows[0].cells[j]
            cell.text = h
            _font(cell.paragraphs[0].runs[0], HEAD_FONT, size, True)
        # mark the header row as repeating on each page
        trpr = table.rows[0]._tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
        for i, row in enumerate(rows, start=1):
            cells = table.rows[i].cells
            for j, v in enumerate(row):
                cells[j].text = v
                para = cells[j].paragraphs[0]
                _font(para.runs[0], BODY_FONT, size)
                if numeric[j]:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if len(rows) < len(t.frame):
            p = doc.add_paragraph(f"共{len(t.frame)}行，此处列出前{len(rows)}行；完整内容见同名工作簿 {stem}.xlsx 的“{t.name}”工作表。")
            _font(p.runs[0], BODY_FONT, 8.5, colour="5B6470")
    if t.note:
        p = doc.add_paragraph("注：" + t.note)
        _font(p.runs[0], BODY_FONT, 8.5, colour="5B6470")
