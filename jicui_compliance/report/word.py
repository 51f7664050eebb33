"""The report as a Word document (python-docx) in the 公文 layout of :mod:`.gongwen`: the narrative,
the charts as pictures and every table as a complete 附件."""

from __future__ import annotations

from pathlib import Path

from .model import Chart, Report, Table


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
        numeric = [t.kind(c) in ("int", "float", "pct", "money", "wan") for c in header]
        d.annex(i, t.title, header, rows, numeric, t.note)
    return d.save(path)
