"""The report as a Word document (python-docx), for upward reporting: A4, a red title,
headings, the narrative paragraphs, the tables and the charts as pictures."""

from __future__ import annotations

from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

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


def write_word(report: Report, path: Path, number: int | None = None) -> Path:
    """The report in the GB/T 9704-2012 layout (:mod:`.gongwen`): 版头 with the issuing organ and the 文号
    (``number`` fills the pattern's ``{n}``; without it the place is left blank to be filled in), 主送, the
    title, the narrative in 仿宋 3号 with 黑体 headings, the charts, 落款 and 成文日期 (as-of), and every
    table complete as an 附件 on pages of its own."""
    from ..campaign import DEFAULT_DOCUMENTS
    from .gongwen import Gongwen

    docs = report.documents or DEFAULT_DOCUMENTS
    num = docs.numbered(docs.number, report.as_of.year, number) if number else \
        docs.number.replace("{year}", str(report.as_of.year)).replace("{n}", "\u3000\u3000")
    d = Gongwen(docs.organ, num, report.heading, list(docs.recipients))
    annexes: list[Table] = []
    for s in report.sections:
        d.heading(s.heading, 1)
        for para in s.paragraphs:
            d.p(para)
        tables = [it for it in s.items if isinstance(it, Table)]
        if tables:
            first = len(annexes) + 1
            annexes.extend(tables)
            refs = f"附件{first}" if len(tables) == 1 else f"附件{first}至附件{len(annexes)}"
            d.p(f"有关情况详见{refs}。")
        for it in s.items:
            if isinstance(it, Chart):
                d.picture(it.png, it.caption or it.title)
    d.annex_list([t.title for t in annexes])
    d.signature(docs.organ, report.as_of)
    for i, t in enumerate(annexes, start=1):
        header, rows = t.display(None)
        numeric = [t.kind(c) in ("int", "float", "pct", "money") for c in header]
        d.annex(i, t.title, header, rows, numeric, t.note)
    return d.save(path)


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
