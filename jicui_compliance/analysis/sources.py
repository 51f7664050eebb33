"""Findings ↔ ledger rows, matched by where they stand (file, sheet, Excel row)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def source_keys(frame: pd.DataFrame) -> pd.MultiIndex:
    """(source_file, source_sheet, source_row) of ledger rows or findings."""
    return pd.MultiIndex.from_arrays([frame["source_file"].astype(object), frame["source_sheet"].astype(object),
                                      frame["source_row"].astype("Int64")])


def flagged(rows: pd.DataFrame, findings: pd.DataFrame) -> np.ndarray:
    """True for the ledger rows that some of ``findings`` stand on (only the rows of the files the
    findings name are keyed: most rules have few findings, most ledgers many rows). The keys are
    integers: file and sheet numbered among the findings' own, the Excel row (a missing one matches a
    missing one, as in :func:`source_keys`)."""
    out = np.zeros(len(rows), dtype=bool)
    if findings.empty or rows.empty:
        return out
    files = pd.Index(findings["source_file"].astype(object).unique())
    maybe = files.get_indexer(rows["source_file"].astype(object)) >= 0
    if not maybe.any():
        return out
    sheets = pd.Index(findings["source_sheet"].astype(object).unique())

    def keys(frame: pd.DataFrame) -> np.ndarray:
        file = files.get_indexer(frame["source_file"].astype(object)).astype("int64")
        sheet = sheets.get_indexer(frame["source_sheet"].astype(object)).astype("int64")
        row = frame["source_row"].astype("Int64").to_numpy(dtype="int64", na_value=-1) + 1
        key = (file * len(sheets) + sheet) * (1 << 32) + row
        return np.where((file >= 0) & (sheet >= 0), key, -1)

    mine = keys(rows[maybe])
    out[maybe] = (mine >= 0) & np.isin(mine, keys(findings))
    return out


def field_at(findings: pd.DataFrame, rows: pd.DataFrame, field: str) -> np.ndarray:
    """The value of ``field`` in the ledger row each finding stands on (missing when none)."""
    lookup = pd.Series(rows[field].to_numpy(), index=source_keys(rows))
    lookup = lookup[~lookup.index.duplicated()]
    return lookup.reindex(source_keys(findings)).to_numpy()
