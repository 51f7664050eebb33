"""The report as one self-contained HTML file: images inline (base64 PNG), no external
resource, an A4 print stylesheet and a Chinese font stack."""

from __future__ import annotations

import base64
from pathlib import Path

from .model import Chart, Report, Table
from .narrative import environment

#: the font stack the page names (the reader's machine supplies one of them)
FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", sans-serif'


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
    return environment().get_template("report.html.j2").render(
        r=report, sections=sections, font_stack=FONT_STACK, workbook=f"{report.stem}.xlsx")


def _classes(t: Table, header: list[str], rows: list[list[str]]) -> list[str]:
    """Per column: ``num`` (right-aligned figures), ``nw`` (short codes, dates, names: never broken) or ""."""
    out = []
    for j, c in enumerate(header):
        kind = t.kind(c)
        longest = max((len(r[j]) for r in rows), default=0)
        code = all(r[j].isascii() and " " not in r[j] for r in rows) and longest <= 22  # credit codes, numbers
        out.append("num" if kind in ("int", "float", "pct", "money")
                   else "nw" if kind == "date" or longest <= 12 or code else "")
    return out


def write_html(report: Report, path: Path) -> Path:
    path.write_text(render_html(report), encoding="utf-8")
    return path
