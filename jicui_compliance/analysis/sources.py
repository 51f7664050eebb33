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
    findings name are keyed: most rules have few findings, most ledgers many rows)."""
    out = np.zeros(len(rows), dtype=bool)
    if findings.empty or rows.empty:
        return out
    maybe = rows["source_file"].isin(findings["source_file"].unique()).to_numpy()
    if maybe.any():
        out[maybe] = source_keys(rows[maybe]).isin(source_keys(findings))
    return out


def field_at(findings: pd.DataFrame, rows: pd.DataFrame, field: str) -> np.ndarray:
    """The value of ``field`` in the ledger row each finding stands on (missing when none)."""
    lookup = pd.Series(rows[field].to_numpy(), index=source_keys(rows))
    lookup = lookup[~lookup.index.duplicated()]
    return lookup.reindex(source_keys(findings)).to_numpy()
