"""Findings ↔ ledger rows, matched by where they stand (file, sheet, Excel row)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def source_keys(frame: pd.DataFrame) -> pd.MultiIndex:
    """(source_file, source_sheet, source_row) of ledger rows or findings."""
    return pd.MultiIndex.from_arrays([frame["source_file"].astype(object), frame["source_sheet"].astype(object),
                                      frame["source_row"].astype("Int64")])


def source_codes(rows: pd.DataFrame) -> tuple[np.ndarray, pd.Index, np.ndarray, pd.Index, np.ndarray]:
    """Rows' files and sheets numbered (codes and names, a missing one a name of its own) and their Excel
    rows (+1, 0 for missing): worked out once for rows asked about rule after rule (the obligations)."""
    fc, fn = _factorize_runs(rows["source_file"])
    sc, sn = _factorize_runs(rows["source_sheet"])
    row = rows["source_row"].astype("Int64").to_numpy(dtype="int64", na_value=-1) + 1
    return fc, pd.Index(fn, dtype=object), sc, pd.Index(sn, dtype=object), row


def _factorize_runs(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(column.astype(object), use_na_sentinel=False)``, the same codes and values, looked up once
    per run of equal values: a ledger's rows come file by file and sheet by sheet, so a county's 160,000 rows
    of one ledger are some fifty runs (hashing every row's file name took most of the time)."""
    if column.empty:
        return pd.factorize(column.astype(object), use_na_sentinel=False)
    values = column.to_numpy(dtype=object)
    head = np.empty(len(values), dtype=bool)
    head[0] = True
    try:
        np.not_equal(values[1:], values[:-1], out=head[1:])
    except TypeError:  # pd.NA compares to nothing
        return pd.factorize(column.astype(object), use_na_sentinel=False)
    starts = np.flatnonzero(head)
    if pd.isna(values[starts]).any():  # a missing value differs from the one before it: it starts a run
        return pd.factorize(column.astype(object), use_na_sentinel=False)
    codes, uniques = pd.factorize(values[starts], use_na_sentinel=False)
    return np.repeat(codes, np.diff(np.append(starts, len(values)))), uniques


def flagged(rows: pd.DataFrame, findings: pd.DataFrame) -> np.ndarray:
    """True for the ledger rows that some of ``findings`` stand on (only the rows of the files the
    findings name are keyed: most rules have few findings, most ledgers many rows). The keys are
    integers: file and sheet numbered among the findings' own, the Excel row (a missing one matches a
    missing one, as in :func:`source_keys`)."""
    out = np.zeros(len(rows), dtype=bool)
    if findings.empty or rows.empty:
        return out
    files, sheets = _names(findings)
    maybe = _in_files(rows, files)
    if not maybe.any():
        return out
    mine = _keys(rows[maybe], files, sheets)
    out[maybe] = (mine >= 0) & np.isin(mine, _keys(findings, files, sheets))
    return out


def _names(findings: pd.DataFrame) -> tuple[pd.Index, pd.Index]:
    """The files and the sheets the findings name, each once: the numbering of :func:`_keys`."""
    return (pd.Index(findings["source_file"].astype(object).unique()),
            pd.Index(findings["source_sheet"].astype(object).unique()))


def _in_files(rows: pd.DataFrame, files: pd.Index) -> np.ndarray:
    """True for the rows of one of ``files`` (each run of rows of one file looked up once)."""
    fc, fn = _factorize_runs(rows["source_file"])
    return files.get_indexer(pd.Index(fn, dtype=object))[fc] >= 0


def _keys(frame: pd.DataFrame, files: pd.Index, sheets: pd.Index) -> np.ndarray:
    """:func:`row_keys` of rows or findings, their file and sheet numbered in ``files`` and ``sheets``."""
    return row_keys(len(sheets), files.get_indexer(frame["source_file"].astype(object)).astype("int64"),
                    sheets.get_indexer(frame["source_sheet"].astype(object)).astype("int64"),
                    frame["source_row"].astype("Int64").to_numpy(dtype="int64", na_value=-1) + 1)


def row_keys(n_sheets: int, file: np.ndarray, sheet: np.ndarray, row: np.ndarray) -> np.ndarray:
    """(file, sheet, Excel row + 1) as one integer, -1 where the file or the sheet is not known."""
    return np.where((file >= 0) & (sheet >= 0), (file * n_sheets + sheet) * (1 << 32) + row, -1)


def rows_at(findings: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """For each finding, the position of the first of ``rows`` it stands on (-1 for none), matched as
    :func:`flagged` matches them: on integer keys, only the rows of the findings' files keyed."""
    out = np.full(len(findings), -1, dtype="int64")
    if findings.empty or rows.empty:
        return out
    files, sheets = _names(findings)
    maybe = np.flatnonzero(_in_files(rows, files))
    mine = _keys(rows.iloc[maybe], files, sheets)
    keys, first = np.unique(mine, return_index=True)  # each key's first row
    theirs = _keys(findings, files, sheets)
    at = np.clip(np.searchsorted(keys, theirs), 0, max(len(keys) - 1, 0))
    hit = (len(keys) > 0) & (theirs >= 0)
    if len(keys):
        hit &= keys[at] == theirs
        out[hit] = maybe[first[at[hit]]]
    return out


def field_at(findings: pd.DataFrame, rows: pd.DataFrame, field: str, at: np.ndarray | None = None) -> np.ndarray:
    """The value of ``field`` in the ledger row each finding stands on (missing when none); ``at``:
    :func:`rows_at` of the same findings and rows where the caller has it."""
    at = rows_at(findings, rows) if at is None else at
    return pd.Series(rows[field].to_numpy()).reindex(at).to_numpy()
