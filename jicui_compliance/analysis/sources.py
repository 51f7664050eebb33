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
    rows (+1, 0 for missing): worked out once for rows that :func:`flagged` is asked about rule after rule."""
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


def flagged(rows: pd.DataFrame, findings: pd.DataFrame, coded=None) -> np.ndarray:
    """True for the ledger rows that some of ``findings`` stand on (only the rows of the files the
    findings name are keyed: most rules have few findings, most ledgers many rows). The keys are
    integers: file and sheet numbered among the findings' own, the Excel row (a missing one matches a
    missing one, as in :func:`source_keys`). ``coded``: :func:`source_codes` of ``rows`` where the caller
    has it (the same rows asked about for several rules)."""
    if coded is not None:
        return flagged_at(len(rows), findings, coded)
    out = np.zeros(len(rows), dtype=bool)
    if findings.empty or rows.empty:
        return out
    files = pd.Index(findings["source_file"].astype(object).unique())
    sheets = pd.Index(findings["source_sheet"].astype(object).unique())

    def of(frame: pd.DataFrame) -> np.ndarray:
        return row_keys(len(sheets), files.get_indexer(frame["source_file"].astype(object)).astype("int64"),
                     sheets.get_indexer(frame["source_sheet"].astype(object)).astype("int64"),
                     frame["source_row"].astype("Int64").to_numpy(dtype="int64", na_value=-1) + 1)

    maybe = files.get_indexer(rows["source_file"].astype(object)) >= 0
    if not maybe.any():
        return out
    mine = of(rows[maybe])
    out[maybe] = (mine >= 0) & np.isin(mine, of(findings))
    return out


def flagged_at(n: int, findings: pd.DataFrame, coded) -> np.ndarray:
    """:func:`flagged` for ``n`` rows known by their :func:`source_codes` ``coded`` only."""
    out = np.zeros(n, dtype=bool)
    if findings.empty or n == 0:
        return out
    files = pd.Index(findings["source_file"].astype(object).unique())
    sheets = pd.Index(findings["source_sheet"].astype(object).unique())
    fc, fn, sc, sn, row = coded  # the rows' names looked up once per distinct file and sheet
    file = files.get_indexer(fn).astype("int64")[fc]
    maybe = file >= 0
    if not maybe.any():
        return out
    mine = row_keys(len(sheets), file[maybe], sheets.get_indexer(sn).astype("int64")[sc[maybe]], row[maybe])
    theirs = row_keys(len(sheets), files.get_indexer(findings["source_file"].astype(object)).astype("int64"),
                   sheets.get_indexer(findings["source_sheet"].astype(object)).astype("int64"),
                   findings["source_row"].astype("Int64").to_numpy(dtype="int64", na_value=-1) + 1)
    out[maybe] = (mine >= 0) & np.isin(mine, theirs)
    return out


def row_keys(n_sheets: int, file: np.ndarray, sheet: np.ndarray, row: np.ndarray) -> np.ndarray:
    """(file, sheet, Excel row + 1) as one integer, -1 where the file or the sheet is not known."""
    return np.where((file >= 0) & (sheet >= 0), (file * n_sheets + sheet) * (1 << 32) + row, -1)


def rows_at(findings: pd.DataFrame, rows: pd.DataFrame) -> np.ndarray:
    """For each finding, the position of the first of ``rows`` it stands on (-1 for none), matched as
    :func:`flagged` matches them: on integer keys, only the rows of the findings' files keyed."""
    out = np.full(len(findings), -1, dtype="int64")
    if findings.empty or rows.empty:
        return out
    files = pd.Index(findings["source_file"].astype(object).unique())
    sheets = pd.Index(findings["source_sheet"].astype(object).unique())

    def of(frame: pd.DataFrame) -> np.ndarray:
        file = files.get_indexer(frame["source_file"].astype(object)).astype("int64")
        sheet = sheets.get_indexer(frame["source_sheet"].astype(object)).astype("int64")
        row = frame["source_row"].astype("Int64").to_numpy(dtype="int64", na_value=-1) + 1
        return np.where((file >= 0) & (sheet >= 0), (file * len(sheets) + sheet) * (1 << 32) + row, -1)

    fc, fn = _factorize_runs(rows["source_file"])  # each run of rows of one file looked up once
    maybe = np.flatnonzero(files.get_indexer(pd.Index(fn, dtype=object))[fc] >= 0)
    mine = of(rows.iloc[maybe][["source_file", "source_sheet", "source_row"]])
    keys, first = np.unique(mine, return_index=True)  # each key's first row
    theirs = of(findings)
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
