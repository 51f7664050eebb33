"""Files this tool wrote (findings.csv / findings.xlsx, the report workbooks), met among the
inputs: they are no ledgers, and are skipped with one ``SCH000`` (never read as ledgers: a
report's tables carry headers such as 企业名称, 所属村, 行业领域).

They are known by content, not by file name: the findings table's header row (the columns of
RULEBOOK §6, each optionally followed by a line break and its Chinese title, as findings.xlsx
writes them), or a report workbook's sheets. The texts below are those of
``findings.schema.COLUMNS`` and ``report.workbook``; the reader cannot import those modules
(they import the rules, which import the reader), so ``tests/test_reading.py`` holds them
together and reads real outputs of both writers.
"""

from __future__ import annotations

from collections.abc import Sequence

from .sources import RawSheet, SheetProblem

FINDINGS_COLUMNS = (
    "rule_id", "severity", "clause", "ledger", "enterprise_uscc", "enterprise_name", "village", "station",
    "period", "source_file", "source_sheet", "source_row", "column", "value", "message",
)
#: findings.xlsx's header row (the Chinese titles, ``findings.schema.TITLES``; earlier versions wrote the columns)
FINDINGS_TITLES = (
    "规则编号", "严重程度", "方案条款", "台账", "统一社会信用代码", "企业名称", "所属村", "监管站所",
    "期间", "来源文件", "工作表", "行号", "列", "值", "说明",
)
REPORT_COVER, REPORT_FACTS = "报告正文", "叙述数据来源"  # report.workbook.COVER, FACTS
FACTS_HEADER = ("序号", "取值", "来源（表｜列｜取法｜条件）")  # report.facts.Facts.frame()
FACTS_HEADER_V1 = ("名称", "取值", "来源（表｜列｜取法｜条件）")  # before issue 14
HEAD_ROWS = 3  # a header row is among the first rows (the facts sheet has a note above it)

REASON = "本工具生成的核查结果/报告，不是台账，已跳过"

#: The first cell of the helper sheets of a ledger template (``documents.templates``): the 填表说明
#: sheet and the hidden sheet of dropdown values. A filled template comes back with them; they are
#: the template's own pages, not ledgers, and are left out silently (no ``SCH000``).
TEMPLATE_NOTES_MARK = "填表说明（台账模板）"
TEMPLATE_LISTS_MARK = "下拉可选值（台账模板，请勿修改）"
TEMPLATE_MARKS = (TEMPLATE_NOTES_MARK, TEMPLATE_LISTS_MARK)


def _first_lines(row: Sequence[object]) -> tuple[str, ...]:
    return tuple(str(c).split("\n", 1)[0].strip() if isinstance(c, str) else "" for c in row)


def _has_header(sheet: RawSheet, header: tuple[str, ...], starts: set[tuple[str, ...]]) -> bool:
    """``starts``: the first two cells (first lines) of the sheet's top rows (:func:`_starts`);
    a header that does not start so is not looked at further (most sheets are ledgers)."""
    n = len(header)
    if sheet.width < n or header[:2] not in starts:
        return False
    # the first rows' first n cells only
    return any(_first_lines(row[:n]) == header for row in sheet.head(HEAD_ROWS, n))


def _starts(sheet: RawSheet) -> set[tuple[str, ...]]:
    if sheet.width < 2:
        return set()
    return {_first_lines(row) for row in sheet.head(HEAD_ROWS, 2)}


def template_page(sheet: RawSheet) -> bool:
    """A helper sheet of a ledger template (填表说明, dropdown values): known by its first cell."""
    if not len(sheet) or not sheet.width:
        return False
    first = sheet.head(1, 1)[0][0]
    return isinstance(first, str) and first.strip() in TEMPLATE_MARKS


def own_output(file: str, parts: list[RawSheet | SheetProblem]) -> SheetProblem | None:
    """One problem for the whole file when it is a findings table or a report workbook of this tool."""
    sheets = [p for p in parts if isinstance(p, RawSheet)]
    if not sheets:
        return None
    names = {s.sheet for s in sheets}
    starts = [_starts(s) for s in sheets]
    findings = any(_has_header(s, FINDINGS_COLUMNS, st) or _has_header(s, FINDINGS_TITLES, st)
                   for s, st in zip(sheets, starts))
    report = {REPORT_COVER, REPORT_FACTS} <= names or any(
        _has_header(s, FACTS_HEADER, st) or _has_header(s, FACTS_HEADER_V1, st) for s, st in zip(sheets, starts))
    if findings or report:
        return SheetProblem(file, "", REASON)
    return None
