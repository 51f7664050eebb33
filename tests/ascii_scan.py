"""Find internal identifiers (ledger and field names, ``eid``, ``as-of``…) in what users read."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from jicui_compliance.ledgers import LEDGERS

#: words of the code that no user-facing text may hold
EXTRA = {"eid", "as-of", "as_of", "campaign", "head_inspection_months", "cell", "len", "rule_id", "enterprise_uscc",
         "enterprise_name", "source_file", "source_sheet", "source_row", "ledger", "severity", "hazards_existing",
         "obligation", "party", "record", "station", "village", "enterprise", "town", "None", "nan", "NaT", "True",
         "False"}


def vocabulary() -> set[str]:
    words = set(EXTRA)
    for name, ledger in LEDGERS.items():
        words.add(name)
        words.update(f for f in ledger.fields if len(f) > 3 or "_" in f)
    return words


_WORD = re.compile(r"(?<![A-Za-z0-9_.\-/])[A-Za-z_][A-Za-z0-9_]*(?:-[a-z]+)?(?![A-Za-z0-9_/])")


def identifiers(text: str, words: set[str]) -> set[str]:
    return {w for w in _WORD.findall(text) if w in words}


def texts(path: Path) -> list[str]:
    """The text a person sees in an output file."""
    if path.suffix == ".html":
        html = path.read_text("utf-8")
        html = re.sub(r"(?s)<style.*?</style>|<[^>]+>|data:[^\"')]+", " ", html)
        return [html]
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(".xml") and ("sharedStrings" in n or "worksheets/" in n
                                                                         or n.startswith("word/document")
                                                                         or "footer" in n)]
            out = []
            for n in names:
                xml = z.read(n).decode("utf-8")
                out.extend(re.findall(r"<(?:w:)?t(?: [^>]*)?>([^<]*)</(?:w:)?t>", xml))
                out.extend(re.findall(r"<is><t[^>]*>([^<]*)</t></is>", xml))
            return out
    if path.suffix == ".csv":
        return []  # findings.csv keeps the RULEBOOK §6 column names: it is the machine contract
    return []


#: an English word: two or more ASCII letters (a half-year label such as 2023-H1 is a period, not a word)
_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def sheet_texts(path: Path, sheet: str) -> list[str]:
    """The text cells of one sheet of a workbook (none when it has no such sheet), as a person sees them."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        if sheet not in wb.sheetnames:
            return []
        return [v for row in wb[sheet].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    finally:
        wb.close()


def ascii_words(folder: Path, sheet: str) -> dict[str, set[str]]:
    """Any English word (:data:`_ASCII_WORD`) in the sheet ``sheet`` of each workbook under ``folder`` that has it:
    a sheet written wholly in the office's words (the 叙述数据来源 of a report) holds no code, field or key name,
    whether or not :func:`scan`'s vocabulary knows it."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.xlsx")):
        hits = {w for t in sheet_texts(path, sheet) for w in _ASCII_WORD.findall(t)}
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found


def scan(folder: Path) -> dict[str, set[str]]:
    words = vocabulary()
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".html", ".docx", ".xlsx"):
            continue
        hits = set()
        for t in texts(path):
            hits |= identifiers(t, words)
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found


_CELL = re.compile(r"<t[dh][^>]*>\s*([^<]*?)\s*</t[dh]>")


def office_leaks(folder: Path) -> dict[str, set[str]]:
    """What the Word, HTML and workbook files under ``folder`` hold that a document leaving the office may not
    (:func:`jicui_compliance.report.wording.leaks`: rule IDs, the RULEBOOK's clause and phase codes, severity
    words), and any cell that is a bare severity word (错误, 警告, 提示 as a label)."""
    from jicui_compliance.report.wording import SEVERITY_TEXT, leaks

    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".html", ".docx", ".xlsx"):
            continue
        cells = texts(path)
        if path.suffix == ".html":
            cells = cells + _CELL.findall(path.read_text("utf-8"))
        hits = {h for t in cells for h in leaks(t)} | {t.strip() for t in cells if t.strip() in SEVERITY_TEXT}
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found
