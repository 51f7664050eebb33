"""The GB/T 9704-2012 layout (党政机关公文格式) for every Word document that leaves the office.

A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm; 正文 仿宋_GB2312 3号 on a grid of 22 lines × 28
characters; headings 黑体 (一、) and 楷体_GB2312 (（一）); the title in 小标宋 2号; a red 版头 with the
issuing organ and the 文号; 主送, 落款 and 成文日期; page numbers "— 1 —" in 宋体 4号, odd pages right,
even pages left; 附件 each on a new page with complete tables whose header row repeats on every page.
Notices and letters (``letter=True``) take the 信函格式 (10.1): the organ's name alone, the 文号 at the right
edge, no page number on the first page, and a 版记 without 印发机关 and 印发日期 or its lines.

Every text put into a document goes through :func:`~..findings.masking.mask_text` (ID and phone numbers
masked, RULEBOOK §6), whatever its caller did before; the document properties (docProps) carry the
title, the issuing organ and the time the file was made, not python-docx's defaults.

The font names are those the standard names; each has an East-Asian fallback declared in the
document's font table (``w:altName``), so Word on a machine without 仿宋_GB2312 uses 仿宋, and
LibreOffice substitutes the nearest CJK font.

>>> doc = Gongwen("积翠镇安全生产委员会办公室", "积安委办〔2023〕7号", "关于……的通报", ["县安委办"])  # doctest: +SKIP
>>> doc.heading("一、基本情况"); doc.para("……"); doc.signature("积翠镇安全生产委员会办公室", day)  # doctest: +SKIP
>>> doc.save(path)                                                                               # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from io import BytesIO
from itertools import chain, repeat
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from ..findings.masking import mask_text
from ..findings.sheets import zip_type
from ..text import text_width

# -- the standard's fonts and sizes ----------------------------------------------------------------
FANGSONG, HEITI, KAITI, XIAOBIAOSONG, SONGTI = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
LATIN = "Times New Roman"
#: font → the fallback Word uses where it is missing (w:altName in the font table)
FALLBACKS = {FANGSONG: "仿宋", KAITI: "楷体", XIAOBIAOSONG: "宋体", HEITI: "SimHei", SONGTI: "SimSun"}
SIZE_2, SIZE_3, SIZE_4, SIZE_5 = 22.0, 16.0, 14.0, 10.5  # 二号、三号、四号、五号 (pt)
RED = "FF0000"

#: margins (GB/T 9704-2012 5.2.1): 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm
MARGIN_TOP, MARGIN_LEFT = Mm(37), Mm(28)
MARGIN_RIGHT, MARGIN_BOTTOM = Mm(210 - 28 - 156), Mm(297 - 37 - 225)
LINES, CHARS = 22, 28
#: one grid line: 225 mm / 22 lines, in points
LINE_PITCH_PT = 225 / LINES / 25.4 * 72


def set_font(target, name: str, size: float | None = None, bold: bool | None = None, colour: str | None = None,
             latin: str | None = None) -> None:
    """Set the East-Asian font ``name`` (and a Latin font) on a style or a run."""
    font = target.font
    font.name = latin or name
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin or name)
    rfonts.set(qn("w:eastAsia"), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour:
        font.color.rgb = RGBColor.from_string(colour)


#: the order of w:pPr's children (ECMA-376 CT_PPrBase): Word rejects them out of order
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
              "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")


def _ppr_child(ppr, name: str):
    """``w:<name>`` of ``ppr``, inserted in schema order if missing."""
    found = ppr.find(qn(f"w:{name}"))
    if found is not None:
        return found
    el = OxmlElement(f"w:{name}")
    later = {qn(f"w:{n}") for n in _PPR_ORDER[_PPR_ORDER.index(name) + 1:]}
    for i, child in enumerate(ppr):
        if child.tag in later:
            ppr.insert(i, el)
            return el
    ppr.append(el)
    return el


def _no_grid(paragraph_or_style) -> None:
    """Do not snap to the 22-line grid (tables, captions: their own line height)."""
    el = getattr(paragraph_or_style, "_element", None)
    el = paragraph_or_style.element if el is None else el
    _ppr_child(el.get_or_add_pPr(), "snapToGrid").set(qn("w:val"), "0")


_RPR_AFTER_SPACING = ("w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
                      "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")


def _char_spacing(style, twentieths: int) -> None:
    """Character spacing (w:spacing in the run properties, in 1/20 pt), in schema order."""
    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(qn("w:spacing")):
        rpr.remove(old)
    el = OxmlElement("w:spacing")
    el.set(qn("w:val"), str(twentieths))
    later = {qn(f"w:{n}") for n in _RPR_AFTER_SPACING}
    for i, child in enumerate(rpr):
        if child.tag in later:
            rpr.insert(i, el)
            return
    rpr.append(el)


_BDR_ORDER = ("top", "left", "bottom", "right", "between", "bar")


def _border(paragraph, side: str = "bottom", size: int = 12, colour: str = RED) -> None:
    bdr = _ppr_child(paragraph._p.get_or_add_pPr(), "pBdr")
    b = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "4"), ("w:color", colour)):
        b.set(qn(k), v)
    later = {qn(f"w:{n}") for n in _BDR_ORDER[_BDR_ORDER.index(side) + 1:]}
    for i, child in enumerate(bdr):
        if child.tag in later:
            bdr.insert(i, b)
            return
    bdr.append(b)


def day_text(d: dt.date) -> str:
    """成文日期 in Arabic numerals (GB/T 9704-2012 7.3.5.1): 2023年12月31日."""
    return f"{d.year}年{d.month}月{d.day}日"


def column_widths(header: list[str], rows: list[list[str]], total: int, size: float) -> list[int]:
    """Column widths (EMU) by content: short columns (codes, dates, counts) get what they need on one
    line, the long ones (names, reasons) share the rest in proportion to their content."""
    unit, pad = Pt(size * 0.56), Pt(18)  # cell margins 2 × 5.4 pt and some air
    natural, short = [], []
    for j, h in enumerate(header):
        longest = max([text_width(v) for v in {r[j] for r in rows[:500]}] + [min(text_width(h), 8), 3])
        natural.append(min(longest, 80) * unit + pad)
        short.append(longest <= 16)
    fixed = sum(n for n, s in zip(natural, short) if s)
    flex = sum(n for n, s in zip(natural, short) if not s)
    if fixed + flex <= total:  # everything fits: widen all in proportion
        return [int(n * total / (fixed + flex)) for n in natural]
    if flex and fixed < total * 0.7:
        return [int(n) if s else int(n * (total - fixed) / flex) for n, s in zip(natural, short)]
    return [int(n * total / (fixed + flex)) for n in natural]


_QUOTE = {'"': "&quot;"}
#: the comment that holds a table's place for its rows until the document is saved
_ROWS = "jicui-rows-"
#: the relationship of Word 2010's copy of the styles (python-docx has no constant for it)
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
#: the table styles a document keeps: the default (普通表格) and the annexes' 网格型 (“Table Grid”), based on it
_TABLE_STYLES_KEPT = ("TableNormal", "TableGrid")
#: a 正文 paragraph's first-line indent: two 3号 characters, in twentieths of a point
_FIRST_LINE = round(SIZE_3 * 2 * 20)
#: characters XML 1.0 cannot hold (python-docx refuses them): left out of table cells
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BREAKS = re.compile(r"([\t\r\n])")
#: what a cell's text must not hold to be written as one plain ``w:t``
_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\t\r\n]")


def _run_content(text: str) -> str:
    """The content of a ``w:r`` holding ``text``, as python-docx writes it: ``w:t`` (``xml:space="preserve"``
    when it starts or ends with white space), ``w:tab`` for a tab, ``w:br`` for a line break."""
    if not _SPECIAL.search(text) and not (text[:1].isspace() or text[-1:].isspace()):  # most cells: one w:t
        return f"<w:t>{escape(text)}</w:t>" if text else ""
    if _NOT_XML.search(text):
        text = _NOT_XML.sub("", text)
    out = []
    for piece in _BREAKS.split(text) if ("\t" in text or "\n" in text or "\r" in text) else (text,):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            out.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            out.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(out)


class Gongwen:
    """One document in the 公文 layout; paragraphs are added in reading order."""

    #: the empty styled document (page, grid, styles, fonts, page numbers) as saved, by ``letter``: made once
    #: per process (:meth:`_base`) and opened for each document, rather than styled anew for each (a notice
    #: took some 40% of its time to be styled)
    _bases: dict[bool, bytes] = {}
    #: a style's id by (name, type), the same in every document (:meth:`_cache_style_ids`)
    _style_ids: dict[tuple[str, object], str | None] = {}

    def __init__(self, organ: str, number: str, title: str, recipients: Sequence[str] = (), letter: bool = False):
        self.organ, self.number, self.title = mask_text(organ), mask_text(number), mask_text(title)
        self.letter = letter
        self.annexes: list[str] = []
        self._rows: list[bytes] = []  # the rows of each table as XML, put into document.xml by save()
        self._rprs: dict[tuple[str, float, str | None], str] = {}
        self.doc = Document(BytesIO(self._base(letter)))
        self._cache_style_ids()
        self._properties()
        self._version_head(letter)
        t = self.p(title, indent=False, style="公文标题")
        t.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if recipients:
            self.p("、".join(recipients) + "：", indent=False)

    # -- set-up ---------------------------------------------------------------------------------
    @classmethod
    def _base(cls, letter: bool) -> bytes:
        """The empty document every 公文 (``letter``: 信函格式) starts from, as saved."""
        if letter not in cls._bases:
            blank = cls.__new__(cls)
            blank.letter = letter
            blank.doc = doc = Document()
            sec = doc.sections[0]
            sec.orientation = WD_ORIENT.PORTRAIT
            sec.page_width, sec.page_height = Mm(210), Mm(297)
            sec.top_margin, sec.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
            sec.left_margin, sec.right_margin = MARGIN_LEFT, MARGIN_RIGHT
            sec.footer_distance = Mm(28) - Pt(SIZE_4)  # 页码 7 mm below the 版心 (5.2.1 + 7.5)
            blank._grid(sec)
            blank._styles()
            blank._font_fallbacks()
            blank._page_numbers()
            blank._template_leftovers()
            out = BytesIO()
            doc.save(out)
            cls._bases[letter] = out.getvalue()
        return cls._bases[letter]

    def _template_leftovers(self) -> None:
        """Parts of python-docx's template that are not this document's: the thumbnail (a picture of the template's
        own page, which a file browser would show as this document's), Word 2010's second copy of the styles
        (``stylesWithEffects``, 0.4 MB of XML that no reader needs: every document read, compressed and written it
        again) and an empty custom XML store; and the template's 98 table styles other than 普通表格 and 网格型 (“Table
        Grid”, the annexes' own): 0.42 MB of the 0.44 MB of ``styles.xml``. Word and WPS still offer them in their
        table-style gallery (they know their built-in styles without a definition in the file)."""
        part = self.doc.part
        for rels, unwanted in ((part.rels, (RT.CUSTOM_XML, _STYLES_WITH_EFFECTS)), (part.package.rels, (RT.THUMBNAIL,))):
            for rid in [rid for rid, rel in rels.items() if rel.reltype in unwanted]:
                del rels[rid]
        styles = self.doc.styles.element
        for style in styles.findall(qn("w:style")):
            if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in _TABLE_STYLES_KEPT:
                styles.remove(style)

    @staticmethod
    def _grid(sec) -> None:
        """22 lines (docGrid type lines) × 28 characters (3号 characters 0.2 pt closer: 28 × 15.8 pt = 156 mm).
        A character grid (linesAndChars) is not used: LibreOffice and WPS lay it out differently from Word."""
        sect = sec._sectPr
        grid = sect.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))  # twips
        grid.attrib.pop(qn("w:charSpace"), None)

    def _styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        set_font(normal, FANGSONG, SIZE_3, latin=LATIN)
        _char_spacing(normal, round((156 / CHARS / 25.4 * 72 - SIZE_3) * 20))  # 28 characters a line
        pf = normal.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(LINE_PITCH_PT)
        pf.space_before = pf.space_after = Pt(0)
        pf.widow_control = False
        for level, font in ((1, HEITI), (2, KAITI), (3, FANGSONG)):
            st = styles[f"Heading {level}"]
            set_font(st, font, SIZE_3, bold=level == 3, colour="000000", latin=LATIN if level > 1 else None)
            st.font.italic = False
            st.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)
            st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            st.paragraph_format.line_spacing = Pt(LINE_PITCH_PT)
            st.paragraph_format.space_before = st.paragraph_format.space_after = Pt(0)
            st.paragraph_format.keep_with_next = True
        title = styles.add_style("公文标题", WD_STYLE_TYPE.PARAGRAPH)
        title.base_style = normal
        set_font(title, XIAOBIAOSONG, SIZE_2)
        title.paragraph_format.line_spacing = Pt(LINE_PITCH_PT * 1.2)
        title.paragraph_format.space_before = Pt(LINE_PITCH_PT * 2)
        title.paragraph_format.space_after = Pt(LINE_PITCH_PT)
        table_text = styles.add_style("表格文字", WD_STYLE_TYPE.PARAGRAPH)
        table_text.base_style = normal
        set_font(table_text, FANGSONG, SIZE_5, latin=LATIN)
        table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        table_text.paragraph_format.first_line_indent = Pt(0)
        _no_grid(table_text)
        _char_spacing(table_text, 0)

    def _cache_style_ids(self) -> None:
        """A style named in a paragraph or a table is looked up once: python-docx otherwise searches the style
        part (some 160 styles, each one's type read) for every ``style=`` given by name (a county's 31 annexes:
        some 150 times). Every document opens the same styled base (:meth:`_base`), whose styles are all made: a
        name has one id in every document, looked up once per process."""
        part = self.doc.part
        lookup = part.get_style_id
        ids = Gongwen._style_ids

        def get_style_id(style_or_name, style_type):
            if not isinstance(style_or_name, str):
                return lookup(style_or_name, style_type)
            key = (style_or_name, style_type)
            if key not in ids:
                ids[key] = lookup(style_or_name, style_type)
            return ids[key]

        part.get_style_id = get_style_id  # type: ignore[method-assign]

    def _font_fallbacks(self) -> None:
        """Declare each standard font with its fallback (w:altName) and the GB2312 charset."""
        part = next((p for p in self.doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
        if part is None:
            return
        blob = part.blob.decode("utf-8")
        entries = "".join(
            f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
            f'<w:family w:val="{"roman" if "宋" in name else "modern"}"/><w:pitch w:val="variable"/></w:font>'
            for name, alt in FALLBACKS.items())
        blob = blob.replace("</w:fonts>", entries + "</w:fonts>")
        part._blob = blob.encode("utf-8")

    def _page_numbers(self) -> None:
        """"— 1 —" in 宋体 4号: odd pages right, even pages left, one character in (7.5)."""
        self.doc.settings.odd_and_even_pages_header_footer = True
        sec = self.doc.sections[0]
        for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                p.paragraph_format.right_indent = Pt(SIZE_4)
            else:
                p.paragraph_format.left_indent = Pt(SIZE_4)
            self._run(p, "— ", SONGTI, SIZE_4)
            run = self._run(p, "", SONGTI, SIZE_4)
            for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
                if kind:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                elif text == " PAGE ":
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = text
                else:
                    el = OxmlElement("w:t")
                    el.text = text
                run._r.append(el)
            self._run(p, " —", SONGTI, SIZE_4)
        if self.letter:  # 信函格式 (10.1): the first page shows no page number
            sec.different_first_page_header_footer = True
            sec.first_page_footer.is_linked_to_previous = False  # an empty footer of its own

    def _properties(self) -> None:
        """文件→属性: the title, the issuing organ as author (and company), the time the file is made; nothing of
        python-docx's template (作者 python-docx, 2013-12-23, "generated by python-docx", 应用程序 Microsoft Macintosh
        Word, a one-page, no-word count)."""
        cp = self.doc.core_properties
        cp.title, cp.author, cp.last_modified_by, cp.comments = self.title, self.organ, self.organ, ""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)  # python-docx writes it as UTC (Z)
        cp.created = cp.modified = now
        part = next((p for p in self.doc.part.package.iter_parts() if str(p.partname) == "/docProps/app.xml"), None)
        if part is not None:  # the extended properties: the organ as 单位, no application named, no counts
            part._blob = (
                "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
                'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                f"<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><Company>{escape(self.organ)}</Company>"
                "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
                "<HyperlinksChanged>false</HyperlinksChanged></Properties>").encode()

    def _version_head(self, letter: bool) -> None:
        """版头: the organ in red 小标宋 (…文件, or the organ alone for a 函), the 文号, the red line."""
        name = self.organ if letter else f"{self.organ}文件"
        size = min(36.0, 156 / 25.4 * 72 / max(len(name), 1) * 0.92)
        head = self.doc.paragraphs[0] if self.doc.paragraphs else self.doc.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        head.paragraph_format.first_line_indent = Pt(0)
        head.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _no_grid(head)
        head.paragraph_format.space_before = Pt(0 if letter else LINE_PITCH_PT)
        self._run(head, name, XIAOBIAOSONG, size, colour=RED)
        num = self.doc.add_paragraph()
        num.alignment = WD_ALIGN_PARAGRAPH.RIGHT if letter else WD_ALIGN_PARAGRAPH.CENTER
        num.paragraph_format.space_before = Pt(LINE_PITCH_PT * (0.5 if letter else 2))
        self._run(num, self.number, FANGSONG, SIZE_3, latin=LATIN)
        _border(num, "bottom", 18 if letter else 12)

    # -- content ----------------------------------------------------------------------------------
    @staticmethod
    def _run(p, text: str, font: str, size: float, bold: bool | None = None, colour: str | None = None,
             latin: str | None = None):
        r = p.add_run(text)
        set_font(r, font, size, bold, colour, latin)
        return r

    def p(self, text: str = "", indent: bool = True, style: str | None = None, align=None):
        """A 正文 paragraph (仿宋 3号, first line indented two characters).

        Written as the XML python-docx writes for ``add_paragraph(text, style)`` with its first-line indent and
        alignment set (``tests/test_documents.py`` compares the two), parsed once: through python-docx's API each
        property looks for its place among the paragraph's children, and a notice's paragraphs took a third of
        its time."""
        props = []
        style_id = self.doc.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH) if style is not None else None
        if style_id is not None:  # the default style (正文, "Normal") is named by no w:pStyle
            props.append(f'<w:pStyle w:val="{escape(style_id, _QUOTE)}"/>')
        props.append(f'<w:ind w:firstLine="{_FIRST_LINE if indent else 0}"/>')
        if align is None and style is None:
            props.append('<w:jc w:val="both"/>')
        content = _run_content(mask_text(text)) if text else ""
        run = f"<w:r>{content}</w:r>" if text else ""
        element = parse_xml(f'<w:p {nsdecls("w")}><w:pPr>{"".join(props)}</w:pPr>{run}</w:p>')
        body = self.doc.element.body
        body._insert_p(element)
        para = Paragraph(element, self.doc._body)
        if align is not None:
            para.alignment = align
        return para

    def heading(self, text: str, level: int = 1):
        """一、… in 黑体 (level 1), （一）… in 楷体 (level 2), 1. … in 仿宋 bold (level 3)."""
        return self.doc.add_paragraph(mask_text(text), style=f"Heading {level}")

    def picture(self, png: bytes, caption: str = "") -> None:
        width = Mm(156)
        self.doc.add_picture(BytesIO(png), width=width)
        pic = self.doc.paragraphs[-1]
        pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pic.paragraph_format.first_line_indent = Pt(0)
        pic.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _no_grid(pic)
        if caption:
            cap = self.doc.add_paragraph(mask_text(caption), style="表格文字")
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def annex_list(self, names: Sequence[str]) -> None:
        """附件说明 (7.3.4): below the body, one blank line, "附件：1. …" two characters in."""
        if not names:
            return
        self.p()
        for i, name in enumerate(names, start=1):
            label = "附件：" if i == 1 else "　　　"
            para = self.p(f"{label}{i}. {name}" if len(names) > 1 else f"附件：{name}")
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT

    def signature(self, organ: str, day: dt.date) -> None:
        """落款 and 成文日期 (7.3.5.2, without seal): one blank line, the organ two characters from the
        right, the date below it."""
        self.p()
        o = self.p(organ, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        o.paragraph_format.right_indent = Pt(SIZE_3 * 2)
        d = self.p(day_text(day), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
        d.paragraph_format.right_indent = Pt(SIZE_3 * 2 + max(0, len(organ) - len(day_text(day))) * SIZE_3 / 2)

    def annex(self, n: int | None, title: str, header: list[str], rows: list[list[str]],
              numeric: Sequence[bool] | None = None, note: str = "") -> None:
        """附件 n on a new page: "附件n" in 黑体 at the top left, its title, the complete table."""
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        label = self.p(f"附件{n}" if n else "附件", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        set_font(label.runs[0], HEITI, SIZE_3)
        t = self.p(title, indent=False, style="公文标题")
        t.paragraph_format.space_before = Pt(0)
        t.runs[0].font.size = Pt(18)
        t.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.table(header, rows, numeric)
        if note:
            self.doc.add_paragraph("注：" + mask_text(note), style="表格文字")

    def table(self, header: list[str], rows: list[list[str]], numeric: Sequence[bool] | None = None) -> None:
        """A complete table: header row repeated on every page, rows kept whole, widths by content.

        The table's frame (style, widths, grid) is made by python-docx; its rows are written as XML
        text in one pass and parsed once (a county's annexes have tens of thousands of cells: made
        one python-docx call at a time they took seconds). Each cell holds what python-docx would make
        of it — a paragraph in 表格文字 with one run in 黑体 (header) or 仿宋 — tabs and line breaks
        as ``w:tab``/``w:br``, control characters XML cannot hold left out."""
        if not rows:
            self.p("无", indent=False)
            return
        numeric = list(numeric or [False] * len(header))
        size = SIZE_5 if len(header) <= 6 else 9.0
        table = self.doc.add_table(rows=0, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = column_widths(header, rows, Mm(156), size)
        for col, cw in zip(table.columns, widths):
            col.width = cw  # the grid (LibreOffice reads this); each cell's own width below (Word reads these)
        style_id = self.doc.part.get_style_id("表格文字", WD_STYLE_TYPE.PARAGRAPH)
        head_rpr, body_rpr = (self._rpr_xml(font, size, latin) for font, latin in ((HEITI, None), (FANGSONG, LATIN)))
        ppr = f'<w:pPr><w:pStyle w:val="{escape(style_id, _QUOTE)}"/>'
        starts = [f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{Emu(cw).twips}"/></w:tcPr><w:p>{ppr}' for cw in widths]
        head_starts = [f'{s}<w:jc w:val="center"/></w:pPr><w:r>{head_rpr}' for s in starts]
        right = '<w:jc w:val="right"/>'
        body_starts = [f'{s}{right if num else ""}</w:pPr><w:r>{body_rpr}' for s, num in zip(starts, numeric)]
        head = "".join(s + _run_content(mask_text(v)) + "</w:r></w:p></w:tc>" for s, v in zip(head_starts, header))
        parts = [f'<w:tr><w:trPr><w:cantSplit/><w:tblHeader w:val="true"/></w:trPr>{head}</w:tr>'.encode()]
        # column by column: each distinct text of a column becomes its whole cell once, as UTF-8 (statuses, villages,
        # dates repeat), then the rows are joined from the columns' cells
        columns = []
        for s, values in zip(body_starts, zip(*rows)):
            cells: dict[str, bytes] = {}
            columns.append([cells.get(v) or cells.setdefault(v, (s + _run_content(mask_text(v)) + "</w:r></w:p></w:tc>").encode())
                            for v in values])
        opening, closing = repeat(b"<w:tr><w:trPr><w:cantSplit/></w:trPr>"), repeat(b"</w:tr>")
        parts.extend(chain.from_iterable(zip(opening, *columns, closing)))
        # the rows go into document.xml as this text when the document is saved (:meth:`save`): parsing
        # them here only for python-docx to serialise them again took most of a county report's Word time
        table._tbl.append(etree.Comment(f"{_ROWS}{len(self._rows)}"))
        self._rows.append(b"".join(parts))

    def _rpr_xml(self, font: str, size: float, latin: str | None) -> str:
        """The ``w:rPr`` python-docx writes for a run in ``font`` at ``size`` (as :meth:`_run` makes it), as XML text
        (made once per document: 31 annexes ask for the same two)."""
        key = (font, size, latin)
        if key not in self._rprs:
            self._rprs[key] = self._make_rpr_xml(font, size, latin)
        return self._rprs[key]

    def _make_rpr_xml(self, font: str, size: float, latin: str | None) -> str:
        r = OxmlElement("w:r")
        run = Run(r, self.doc)
        set_font(run, font, size, latin=latin)
        rpr = r.find(qn("w:rPr"))
        text = etree.tostring(rpr, encoding="unicode")
        return re.sub(r"\s+xmlns:\w+=\"[^\"]*\"", "", text)

    def record(self, copy_to: Sequence[str], printer: str, day: dt.date) -> None:
        """版记 (7.4): 抄送 and 印发机关/印发日期 between lines, at the end of the body; a letter's (10.1) only the
        抄送, without 印发机关, 印发日期 and lines."""
        if copy_to:
            c = self.p(f"抄送：{'，'.join(copy_to)}。", indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
            c.paragraph_format.left_indent = Pt(SIZE_4)
            for r in c.runs:
                r.font.size = Pt(SIZE_4)
            if not self.letter:
                _border(c, "top", 6, "000000")
        if self.letter:
            return
        pr = self.p(f"{printer}　　　　{day.year}年{day.month}月{day.day}日印发", indent=False,
                    align=WD_ALIGN_PARAGRAPH.CENTER)
        for r in pr.runs:
            r.font.size = Pt(SIZE_4)
        _border(pr, "top", 6, "000000")
        _border(pr, "bottom", 12, "000000")

    def save(self, path: Path) -> Path:
        """The document as python-docx writes it, with the table rows of :meth:`table` put in place of their
        markers in ``word/document.xml``.

        python-docx hands the parts, in order, to a zip writer of its own (``docx.opc.pkgwriter.PhysPkgWriter``);
        while it saves, :class:`_Parts` takes its place and writes each part once: zlib level 1 rather than 6 (a
        county's document.xml is 16 MB of repetitive XML, compressed in less than half the time for a file a
        third larger), the pictures (PNG, compressed already) stored as they are. That writer's name and its
        ``write(pack_uri, blob)``/``close()`` are the python-docx internals this leans on (``tests/test_documents.py``
        reads the document back)."""
        if not self._rows:
            self.doc.save(str(path))
            return path
        import docx.opc.pkgwriter as pkgwriter

        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            writer = pkgwriter.PhysPkgWriter
            pkgwriter.PhysPkgWriter = lambda _file: _Parts(out, self._rows)  # type: ignore[assignment,misc,return-value]
            try:
                self.doc.save(BytesIO())
            finally:
                pkgwriter.PhysPkgWriter = writer  # type: ignore[misc]
        return path


class _Parts:
    """python-docx's physical package writer onto an open zip file, the table rows put into ``word/document.xml``."""

    _MARKER = re.compile(rb"<!--" + _ROWS.encode("ascii") + rb"(\d+)-->")

    def __init__(self, out: zipfile.ZipFile, rows: list[bytes]):
        self.out, self.rows = out, rows

    def write(self, pack_uri, blob: bytes) -> None:
        name = pack_uri.membername
        if name == "word/document.xml":
            pieces = self._MARKER.split(blob)
            pieces[1::2] = [self.rows[int(i)] for i in pieces[1::2]]
            blob = b"".join(pieces)
        self.out.writestr(name, blob, compress_type=zip_type(name))

    def close(self) -> None:
        pass
