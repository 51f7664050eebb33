"""findings.csv (UTF-8 with BOM) and findings.xlsx; text is never written as a formula."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from .masking import mask_column, mask_text
from .schema import COLUMNS, TITLES

_FORMULA_START = ("=", "+", "-", "@")
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # never written (NUL bytes, …); tab and line breaks stay
_WIDTHS = {"rule_id": 9, "severity": 8, "clause": 12, "ledger": 16, "enterprise_uscc": 21, "enterprise_name": 26,
           "village": 10, "station": 11, "period": 9, "source_file": 34, "source_sheet": 14, "source_row": 7,
           "column": 16, "value": 18, "message": 80}
_COLOURS = {"错误": "#F8CBAD", "警告": "#FFE699", "提示": "#DDEBF7"}


def safe_for_output(findings: pd.DataFrame) -> pd.DataFrame:
    """Every text column as it may be written: personal numbers masked (:func:`mask_column`,
    also in ``source_file`` and ``source_sheet``), control characters (NUL, …) removed."""
    out = findings.copy()
    for c in out.columns:
        if c == "source_row" or pd.api.types.is_numeric_dtype(out[c]):
            continue
        col = mask_column(out[c].astype(object))
        text = col.map(type).eq(str)
        if text.any():
            bad = col[text].astype(str).str.contains(_CONTROL, regex=True)
            if bad.any():
                col = col.copy()
                idx = bad.index[bad.to_numpy()]
                col.loc[idx] = col.loc[idx].astype(str).str.replace(_CONTROL, "", regex=True)
        out[c] = col
    return out


def write_csv(findings: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM (Excel opens it); a cell starting with = + - @ gets a leading ' (never a formula)."""
    out = safe_for_output(findings)
    for c in COLUMNS:
        if c != "source_row":
            col = out[c].astype(str)
            risky = col.str.startswith(_FORMULA_START)
            if risky.any():
                out.loc[risky, c] = "'" + col[risky]
    out.to_csv(path, index=False, encoding="utf-8-sig", errors="replace")


def _ledger_titles() -> dict[str, str]:
    from ..ledgers import LEDGERS

    return {name: ledger.title for name, ledger in LEDGERS.items()} | {"*": "全部台账"}


_LEDGER_TITLES = _ledger_titles()


def write_xlsx(findings: pd.DataFrame, path: Path, summary: pd.DataFrame | None = None,
               extra: dict[str, pd.DataFrame] | None = None) -> None:
    """The findings sheet (frozen header, autofilter, severity colours) and summary sheets:
    ``summary`` as 按规则汇总, and each of ``extra`` (sheet name → table)."""
    out = safe_for_output(findings)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False, "constant_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"})
    sev = {k: wb.add_format({"bg_color": v}) for k, v in _COLOURS.items()}
    wrap = wb.add_format({"text_wrap": False})
    ws = wb.add_worksheet("核查发现")
    for j, c in enumerate(COLUMNS):
        # users read Chinese: the findings.csv column name (RULEBOOK §6) is the header cell's comment
        ws.write_string(0, j, TITLES[c], head)
        ws.write_comment(0, j, f"findings.csv 列名：{c}")
        ws.set_column(j, j, _WIDTHS.get(c, 12), wrap)
    ws.set_row(0, 20)
    out["ledger"] = out["ledger"].map(lambda v: _LEDGER_TITLES.get(v, v))
    records = out.to_dict("records")
    for i, rec in enumerate(records, start=1):
        for j, c in enumerate(COLUMNS):
            v = rec[c]
            if c == "source_row":
                if pd.notna(v):
                    ws.write_number(i, j, int(v))
            elif c == "severity":
                ws.write_string(i, j, v, sev.get(v))
            elif v:
                ws.write_string(i, j, str(v))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(records), 1), len(COLUMNS) - 1)
    sheets = {"按规则汇总": summary} if summary is not None else {}
    sheets.update(extra or {})
    for name, table in sheets.items():
        _table_sheet(wb, name, table, head)
    wb.close()


def _table_sheet(wb, name: str, table: pd.DataFrame, head) -> None:
    ws = wb.add_worksheet(name)
    for j, c in enumerate(table.columns):
        ws.write_string(0, j, str(c), head)
        ws.set_column(j, j, max(10, min(40, 2 * len(str(c)) + 4)))
    for i, row in enumerate(table.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, mask_text(str(v)))
    ws.freeze_panes(1, 0)
