"""The report as one self-contained HTML file: images inline (base64 PNG), no external
resource, an A4 print stylesheet in the 公文 proportions and a Chinese font embedded in the page:
the characters the page uses, subset (fontTools) from the Noto Sans CJK SC font the charts use and
inlined as WOFF, so that the page renders on a machine without any Chinese font."""

from __future__ import annotations

import base64
from pathlib import Path

from .model import Chart, Report, Table
from .narrative import environment

#: the family name of the embedded subset
EMBEDDED_FAMILY = "Jicui Noto Sans CJK SC"
#: the font stack the page names: the embedded subset last, so an installed Chinese font is preferred
FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Jicui Noto Sans CJK SC", sans-serif'


def render_html(report: Report, max_rows: int | None = None) -> str:
    from .cadence import DISPLAY_ROWS

    limit = DISPLAY_ROWS if max_rows is None else max_rows
    sections = []
    for s in report.sections:
        items = []
        for it in s.items:
            if isinstance(it, Table):
                header, rows = it.display(limit)
                items.append({"type": "table", "title": it.title, "note": it.note, "header": header, "rows": rows,
                              "classes": _classes(it, header, rows),
                              "total": len(it.frame), "shown": len(rows), "sheet": it.name})
            elif isinstance(it, Chart):
                items.append({"type": "chart", "title": it.title, "caption": it.caption,
                              "src": "data:image/png;base64," + base64.b64encode(it.png).decode("ascii")})
        sections.append({"heading": s.heading, "paragraphs": s.paragraphs, "items": items})
    template = environment().get_template("report.html.j2")
    # rendered once, with a mark where the @font-face rule goes: the font holds the characters of the page without
    # it (the rule itself is ASCII, which the subset always holds); a text of the page is escaped and cannot hold "<"
    page = template.render(r=report, sections=sections, font_stack=FONT_STACK, workbook=f"{report.stem}.xlsx",
                           font_face=_FONT_FACE_MARK)
    before, mark, after = page.partition(_FONT_FACE_MARK)
    if not mark or _FONT_FACE_MARK in after:
        raise AssertionError("the template holds the @font-face rule once")
    return before + font_face(before + after) + after


_FONT_FACE_MARK = "<!--jicui:font-face-->"


def font_face(text: str) -> str:
    """An ``@font-face`` rule with the glyphs of every non-ASCII character of ``text`` (and the printable
    ASCII ones), subset from Noto Sans CJK SC and inlined as WOFF."""
    data = base64.b64encode(subset_font(text)).decode("ascii")
    return (f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; font-style: normal; font-weight: 400; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')


#: tables a horizontal page does not need: vertical metrics and layout (CJK text needs no shaping)
_DROPPED_TABLES = ("vhea", "vmtx", "VORG", "BASE", "GSUB", "GPOS")


def subset_font(text: str) -> bytes:
    """The WOFF bytes of Noto Sans CJK SC reduced to the characters of ``text``.

    HarfBuzz's subsetter (uharfbuzz) cuts the 16 MiB font in milliseconds where fontTools' needs
    about a second; fontTools' SFNT writer wraps the result as WOFF (zlib: WOFF2's brotli took another
    second for a county's page, for a file only a tenth smaller), each table as HarfBuzz made it, in
    the same order: ``TTFont.save`` would import every table's module (CFF, OpenType layout: some
    0.04 s in a fresh process), set the time of the save in ``head`` and compress every table twice."""
    from io import BytesIO

    import uharfbuzz as hb
    from fontTools.ttLib.sfnt import SFNTReader, SFNTWriter

    from .charts import font_path

    chars = {ord(ch) for ch in set(text) if ord(ch) >= 0x20} | set(range(0x20, 0x7F))  # distinct characters first
    face = hb.Face(hb.Blob.from_file_path(str(font_path())))
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(chars)
    for tag in _DROPPED_TABLES:
        wanted.drop_table_tag_set.add(int.from_bytes(tag.encode("ascii"), "big"))
    wanted.name_id_set.update(range(256))  # every name record, the licence among them
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.DESUBROUTINIZE
    reader = SFNTReader(BytesIO(bytes(hb.subset(face, wanted).blob.data)))
    out = BytesIO()
    writer = SFNTWriter(out, len(reader.tables), reader.sfntVersion, flavor="woff")
    for tag in reader.keys():
        writer[tag] = reader[tag]
    writer.close()
    return out.getvalue()


def _classes(t: Table, header: list[str], rows: list[list[str]]) -> list[str]:
    """Per column: ``num`` (right-aligned figures), ``nw`` (short codes, dates, names: never broken) or ""."""
    out = []
    for j, c in enumerate(header):
        kind = t.kind(c)
        longest = max((len(r[j]) for r in rows), default=0)
        code = all(r[j].isascii() and " " not in r[j] for r in rows) and longest <= 22  # credit codes, numbers
        out.append("num" if kind in ("int", "float", "pct", "money", "wan")
                   else "nw" if kind == "date" or longest <= 12 or code else "")
    return out


def write_html(report: Report, path: Path) -> Path:
    path.write_text(render_html(report), encoding="utf-8")
    return path
