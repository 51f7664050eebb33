"""Reports of plan 五 (三) — 周调度表、月小结、季通报、年总结 — from a check result.

Reads the analysis (and through it the findings and the campaign), never the other way
round, and never re-reads the submission. One job per module:

========================  ===========================================================
``cadence``               what each product holds: tables, facts, sections
``facts``                 named facts picked from the tables (every narrative figure)
``narrative``             the Chinese narrative, Jinja2 templates rendered from facts
``charts``                matplotlib PNGs with the bundled Noto Sans CJK SC font
``html`` / ``workbook``   the three formats: self-contained HTML, .xlsx, .docx
/ ``word``
``model``                 Report / Section / Table / Chart (masked at creation)
========================  ===========================================================

>>> paths = write_report(result, "year", Path("out"))          # doctest: +SKIP
>>> report = build_report(Analysis(result, village="东坡村"), "week")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from ..analysis import Analysis
from ..check import CheckResult
from ..resolution import unknown_village
from ..text import python_strings
from ..writing import output_set
from .cadence import CADENCE_NAMES
from .cadence import build as build_report
from .html import render_html, write_html
from .model import Chart, Report, Section, Table
from .word import write_word
from .workbook import write_workbook

__all__ = ["CADENCE_NAMES", "Chart", "Report", "ReportError", "Section", "Table", "build_report", "cadence_of",
           "render_html", "write_report"]


class ReportError(ValueError):
    """A report that cannot be made as asked (unknown cadence, a village not in the registry): say why."""

_ALIASES = {**{k: k for k in CADENCE_NAMES}, **{v: k for k, v in CADENCE_NAMES.items()},
            "周调度": "week", "月小结": "month", "季通报": "quarter", "年总结": "year"}


def cadence_of(text: str) -> str:
    """``week``/``month``/``quarter``/``year`` from itself or its Chinese name; ValueError otherwise."""
    key = _ALIASES.get(text.strip().lower() if text.isascii() else text.strip())
    if key is None:
        raise ReportError(f"报告类型应为 week/month/quarter/year（周调度表/月小结/季通报/年总结），收到“{text}”")
    return key


@python_strings()  # pandas' inferred text columns in Python objects (docs/dev.md, “CSV 用 pyarrow 读取”)
def write_report(result: CheckResult, cadence: str, out: Path, village: str | None = None,
                 previous_letters=None, comparison=None) -> list[Path]:
    """Write the product of ``cadence`` as ``<名称>[_<村>]_<as-of>.html/.xlsx/.docx`` in ``out``.
    ``previous_letters``: the units with a 提醒函 in the previous report of the same cadence (督办函);
    ``comparison``: the previous report from the store, for 与上期对比 (see :mod:`.comparison`)."""
    cadence = cadence_of(cadence)
    if village is not None:
        unknown = unknown_village(village, result.registry, result.context.campaign)
        if unknown:
            raise ReportError(unknown)
    import gc

    # the objects that exist already (the check result among them) are left out of the garbage collector's
    # full passes while the report is made: a county's report triggers several, each walking them all again
    # (docs/dev.md, 年总结的写出); unless the caller has frozen objects of its own
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        report = build_report(Analysis(result, village=village), cadence, previous_letters=previous_letters,
                              comparison=comparison)
        report = masked(report)
        with output_set(out) as outs:  # the three files appear together, or not at all
            for suffix, write in ((".html", write_html), (".xlsx", write_workbook), (".docx", write_word)):
                write(report, outs.path(report.stem + suffix))
    finally:
        if freeze:
            gc.unfreeze()
    return [out / (report.stem + suffix) for suffix in (".html", ".xlsx", ".docx")]


def masked(report: Report) -> Report:
    """The report with personal numbers masked in every text it shows (tables are masked when made)."""
    import dataclasses

    from ..text import mask_personal as m

    sections = [dataclasses.replace(s, heading=m(s.heading), paragraphs=[m(p) for p in s.paragraphs])
                for s in report.sections]
    return dataclasses.replace(report, heading=m(report.heading), subtitle=m(report.subtitle),
                               meta=[(m(k), m(v)) for k, v in report.meta], narrative=[m(p) for p in report.narrative],
                               sections=sections)
