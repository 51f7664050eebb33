"""findings.csv (UTF-8 with BOM) and findings.xlsx; text is never written as a formula."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from ..text import python_strings
from .masking import mask_column, mask_text
from .schema import COLUMNS, TITLES
from .sheets import Column, ColumnarSheet, Workbook

_FORMULA_START = ("=", "+", "-", "@")
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # never written (NUL bytes, …); tab and line breaks stay
_WIDTHS = {"rule_id": 9, "severity": 8, "clause": 12, "ledger": 16, "enterprise_uscc": 21, "enterprise_name": 26,
           "village": 10, "station": 11, "period": 9, "source_file": 34, "source_sheet": 14, "source_row": 7,
           "column": 16, "value": 18, "message": 80}
_COLOURS = {"错误": "#F8CBAD", "警告": "#FFE699", "提示": "#DDEBF7"}

#: Rows of findings one sheet holds (Excel's 1,048,576 rows less the header); findings.csv holds them all.
XLSX_MAX_FINDINGS = 1_048_575


@python_strings()  # the text columns inferred here in Python objects (docs/dev.md, “CSV 用 pyarrow 读取”)
def safe_for_output(findings: pd.DataFrame) -> pd.DataFrame:
    """Every text column as it may be written: personal numbers masked (:func:`mask_column`,
    also in ``source_file`` and ``source_sheet``), control characters (NUL, …) removed.

    A column of the string dtype (all text or missing, as the findings schema has them) is made
    safe once per distinct text and spread back: a county's 100k findings hold ~40k distinct
    texts in all their columns, most of them in ``message``; other columns as they are."""
    out = findings.copy()
    for c in out.columns:
        if c == "source_row" or pd.api.types.is_numeric_dtype(out[c]):
            continue
        values = out[c].astype(object)
        if isinstance(out[c].dtype, pd.StringDtype):
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
            if len(uniques):
                safe = _safe_cells(pd.Series(np.asarray(uniques, dtype=object), dtype=object)).to_numpy(dtype=object)
                cells = safe.take(codes)
                missing = codes < 0
                cells[missing] = values.to_numpy()[missing]
                values = pd.Series(cells, index=values.index, dtype=object)
            out[c] = values
        else:
            out[c] = _safe_cells(values)
    return out


def _safe_cells(col: pd.Series) -> pd.Series:
    """:func:`safe_for_output` of one column of objects."""
    col = mask_column(col)
    text = col.map(type).eq(str)
    if text.any():
        bad = col[text].astype(str).str.contains(_CONTROL, regex=True)
        if bad.any():
            col = col.copy()
            idx = bad.index[bad.to_numpy()]
            col.loc[idx] = col.loc[idx].astype(str).str.replace(_CONTROL, "", regex=True)
    return col


@python_strings()
def write_csv(findings: pd.DataFrame, path: Path, masked: bool = False) -> None:
    """UTF-8 with BOM (Excel opens it); a cell starting with = + - @ gets a leading ' (never a formula).
    ``masked``: ``findings`` come from :func:`safe_for_output` already (as for every writer here:
    ``jicui check`` masks once for all the files it writes)."""
    _csv_cells(findings, masked).to_csv(path, index=False, encoding="utf-8-sig", errors="replace")


def _csv_cells(findings: pd.DataFrame, masked: bool) -> pd.DataFrame:
    out = findings.copy() if masked else safe_for_output(findings)
    for c in COLUMNS:
        if c != "source_row":
            col = out[c].astype(str)
            risky = col.str.startswith(_FORMULA_START)
            if risky.any():
                out.loc[risky, c] = "'" + col[risky]
    return out


def _no_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "source_row" else object) for c in COLUMNS})


@python_strings()
def write_streamed(chunks: Iterable[pd.DataFrame], paths: dict[str, Path], total: int,
                   summary: pd.DataFrame | None = None, extra: dict[str, pd.DataFrame] | None = None,
                   masked: bool = False) -> int:
    """The findings files from the findings in order, a frame at a time (a check by village): each
    frame is masked once (unless ``masked``: the frames come from :func:`safe_for_output` already)
    and appended to findings.csv (the same bytes as :func:`write_csv` of the whole), and to
    findings.parquet (through a DuckDB table on disk beside it); findings.xlsx gets
    the first :data:`XLSX_MAX_FINDINGS` of ``total``. ``paths``: format → file. Returns how many
    findings the xlsx sheet holds (``total`` without xlsx)."""
    import duckdb

    kept: list[pd.DataFrame] = []
    room = XLSX_MAX_FINDINGS if "xlsx" in paths else 0
    scratch = paths["parquet"].with_name(paths["parquet"].name + ".duckdb") if "parquet" in paths else None
    con = duckdb.connect(str(scratch)) if scratch else None
    try:
        with open(paths["csv"], "w", encoding="utf-8-sig", errors="replace", newline="") as fh:
            first = True
            for chunk in chain(chunks, [_no_findings()]):
                if len(chunk) == 0 and not first:
                    continue
                safe = chunk if masked else safe_for_output(chunk)
                _csv_cells(safe, True).to_csv(fh, index=False, header=first)
                if con is not None:
                    con.register("chunk", safe)
                    con.execute("CREATE TABLE findings AS SELECT * FROM chunk" if first else
                                "INSERT INTO findings SELECT * FROM chunk")
                    con.unregister("chunk")
                if room > 0 and len(safe):
                    kept.append(safe.iloc[:room])
                    room -= len(kept[-1])
                first = False
        if con is not None:
            con.execute(f"COPY findings TO {sql_path(paths['parquet'])} (FORMAT parquet, COMPRESSION zstd)")
    finally:
        if con is not None:
            con.close()
        if scratch is not None:
            scratch.unlink(missing_ok=True)
            scratch.with_name(scratch.name + ".wal").unlink(missing_ok=True)
    if "xlsx" not in paths:
        return total
    shown = pd.concat(kept, ignore_index=True) if kept else _no_findings()
    return write_xlsx(shown, paths["xlsx"], summary, extra, masked=True, total=total)


def _ledger_titles() -> dict[str, str]:
    from ..ledgers import LEDGERS

    return {name: ledger.title for name, ledger in LEDGERS.items()} | {"*": "全部台账"}


_LEDGER_TITLES = _ledger_titles()


@python_strings()
def write_parquet(findings: pd.DataFrame, path: Path, masked: bool = False) -> None:
    """findings.parquet (zstd), masked like the csv, for counties that combine towns' findings:
    ``duckdb.sql("select * from '*/findings.parquet'")``; ``source_row`` is a nullable integer."""
    frame_to_parquet(findings if masked else safe_for_output(findings), path)


def sql_path(path: Path) -> str:
    """A file path as a DuckDB string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def frame_to_parquet(frame: pd.DataFrame, path: Path, compression: str = "zstd") -> None:
    """A findings frame written as one Parquet file by DuckDB (the store's engine; no pyarrow needed).
    Each findings column has its schema's type (:data:`.schema.SQL_TYPES`), also when the frame has no
    rows or a column only empty values: DuckDB would type such a column NULL, and a file so typed is not
    read back together with others (the parts of a check by village). Other columns are kept as they are."""
    import duckdb

    from .schema import SQL_TYPES

    cols = ", ".join(f'CAST("{c}" AS {SQL_TYPES[c]}) AS "{c}"' if c in SQL_TYPES else f'"{c}"'
                     for c in (str(c).replace('"', '""') for c in frame.columns))
    con = duckdb.connect()
    try:
        con.register("frame", frame)
        con.execute(f"COPY (SELECT {cols} FROM frame) TO {sql_path(path)} (FORMAT parquet, COMPRESSION {compression})")
    finally:
        con.close()


@python_strings()
def write_xlsx(findings: pd.DataFrame, path: Path, summary: pd.DataFrame | None = None,
               extra: dict[str, pd.DataFrame] | None = None, masked: bool = False, total: int | None = None) -> int:
    """The findings sheet (frozen header, autofilter, severity colours) and summary sheets:
    ``summary`` as 按规则汇总, and each of ``extra`` (sheet name → table). Returns how many
    findings the findings sheet holds.

    The findings are written column by column (:class:`.sheets.ColumnarSheet`), not cell by cell. Above
    :data:`XLSX_MAX_FINDINGS` the sheet holds the first ones and 按规则汇总 (or a sheet 说明) says
    that findings.csv holds them all. ``total``: how many findings there are, when ``findings`` are
    only the first of them (:func:`write_streamed`)."""
    total = len(findings) if total is None else total
    cut = total > XLSX_MAX_FINDINGS
    shown = findings.iloc[:XLSX_MAX_FINDINGS] if cut else findings
    out = shown.copy() if masked else safe_for_output(shown)
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "top"})
    sev = {k: wb.add_format({"bg_color": v}) for k, v in _COLOURS.items()}
    ws = wb.add_worksheet("核查发现", worksheet_class=ColumnarSheet)
    for j, c in enumerate(COLUMNS):
        # users read Chinese: the findings.csv column name (RULEBOOK §6) is the header cell's comment
        ws.write_string(0, j, TITLES[c], head)
        ws.write_comment(0, j, f"findings.csv 列名：{c}")
        ws.set_column(j, j, _WIDTHS.get(c, 12))
    ws.set_row(0, 20)
    out["ledger"] = out["ledger"].map(lambda v: _LEDGER_TITLES.get(v, v))
    # every text as a shared string, an empty one left out (as cell-by-cell writing left it out); the row number a number
    ws.write_columns(1, 0, [
        Column(number=out[c].to_numpy(dtype=float, na_value=np.nan)) if c == "source_row" else
        Column(text=out[c].astype(str).to_numpy(), text_formats=sev if c == "severity" else None, keep_empty_text=False)
        for c in COLUMNS])
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(out), 1), len(COLUMNS) - 1)
    sheets = {"按规则汇总": summary} if summary is not None else {}
    sheets.update(extra or {})
    if cut and summary is None:
        sheets = {"说明": pd.DataFrame(), **sheets}
    for k, (name, table) in enumerate(sheets.items()):
        note = xlsx_cut_note(total) if cut and k == 0 else None
        _table_sheet(wb, name, table, head, note)
    wb.close()
    return len(out)


def xlsx_cut_note(n: int) -> str:
    """What the workbook and the terminal say when ``n`` findings are more than one sheet holds."""
    return (f"核查发现共 {n:,} 条，超过 Excel 一张工作表的行数上限，“核查发现”表只列出前 {XLSX_MAX_FINDINGS:,} 条；"
            f"全部 {n:,} 条见同一文件夹中的 findings.csv（完整）。")


def _table_sheet(wb, name: str, table: pd.DataFrame, head, note: str | None = None) -> None:
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
    if note:
        ws.write_string(len(table) + 2, 0, note, wb.add_format({"bold": True, "font_color": "#C00000"}))
