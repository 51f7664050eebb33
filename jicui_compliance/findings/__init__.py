"""Findings: one table (its own pandera schema), built from rule hits, written masked."""

from .build import build_findings, findings_from_hits
from .masking import mask_id, mask_phone, mask_text
from .schema import COLUMNS, TITLES, FindingsModel, enterprise_key, finalize, registry_keys
from .writers import (
    XLSX_MAX_FINDINGS,
    safe_for_output,
    write_csv,
    write_parquet,
    write_streamed,
    write_xlsx,
    xlsx_cut_note,
)

__all__ = ["COLUMNS", "TITLES", "XLSX_MAX_FINDINGS", "FindingsModel", "build_findings", "enterprise_key", "finalize",
           "findings_from_hits", "mask_id", "mask_phone", "mask_text", "registry_keys", "safe_for_output", "write_csv",
           "write_parquet", "write_streamed", "write_xlsx", "xlsx_cut_note"]
