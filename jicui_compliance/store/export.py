"""The ledgers and findings of a run as Parquet: the interchange a county or province combines towns with.

``DIR/<ledger>/village=<村>/*.parquet`` for each ledger with rows, ``DIR/findings/village=<村>/…``,
and ``DIR/runs.parquet``; every row carries ``town``, ``run_id`` and ``as_of`` so that the exports
of several towns can be read as one table (see the guide page 多镇汇总). Personal data (ID and
phone numbers) are masked as in every other output.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..findings import COLUMNS as FINDING_COLUMNS
from ..findings import mask_id, mask_phone
from ..findings.writers import safe_for_output
from ..ledgers import LEDGERS
from ..text import map_distinct, mask_column, mask_personal, normalize_name, python_strings
from . import Store, StoreError

NO_VILLAGE = "（未归属）"


def _registry_villages(store: Store, versions: pd.DataFrame) -> tuple[dict, dict]:
    reg = store.state_rows("enterprises", versions)
    if reg.empty:
        return {}, {}
    reg = reg.dropna(subset=["village"])
    by_uscc = dict(zip(reg["uscc"].dropna(), reg.loc[reg["uscc"].notna(), "village"]))
    by_name = dict(zip(reg["name"].dropna().map(normalize_name), reg.loc[reg["name"].notna(), "village"]))
    return by_uscc, by_name


def _masked(frame: pd.DataFrame, ledger: str) -> pd.DataFrame:
    for f, spec in LEDGERS[ledger].fields.items():
        if spec.personal and f in frame:
            mask = mask_id if spec.format and "11643" in spec.format else mask_phone
            frame[f] = map_distinct(frame[f], lambda v, m=mask: m(str(v)))  # type: ignore[misc]
    lists = {f for f, spec in LEDGERS[ledger].fields.items() if spec.dtype == "object"}  # stored as lists
    for f in frame.columns:  # numbers in other texts too: a 特种作业操作证 number is T and the ID, a row's key holds it
        if f in lists:  # a cell listing several (执法人员, 隐患编号 …): each item masked
            frame[f] = frame[f].map(lambda v: [mask_personal(x) for x in v]
                                    if isinstance(v, (list, tuple, np.ndarray)) else v)
        elif frame[f].dtype == object or pd.api.types.is_string_dtype(frame[f]):
            frame[f] = mask_column(frame[f])
    return frame


def _copy(store: Store, frame: pd.DataFrame, target: Path, partition: bool = True) -> None:
    """Write ``frame`` to ``target`` whole: into a temporary name beside it, then in place of what was there
    (an earlier export's partitions, a village withdrawn since, are not left mixed with this run's)."""
    tmp = target.with_name(f".{target.name}.tmp")
    _remove(tmp)
    store.con.register("export_df", frame)
    opts = "FORMAT PARQUET, COMPRESSION ZSTD" + (", PARTITION_BY (village)" if partition else "")
    store.con.execute(f"COPY (SELECT * FROM export_df) TO '{tmp.as_posix()}' ({opts})")
    store.con.unregister("export_df")
    _remove(target)
    tmp.rename(target)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


@python_strings()
def export_parquet(store: Store, out: Path, run_id: int | None = None, town: str = "") -> list[Path]:
    """Write the run's ledgers and findings under ``out``; returns the folders and files written."""
    run_id = store.latest_run() if run_id is None else run_id
    if run_id is None:
        raise StoreError(f"数据库 {store.path} 中还没有核查记录（先用 jicui ingest 导入）")
    info = store.run_info(run_id)
    versions = store.state_versions(run_id=run_id)
    by_uscc, by_name = _registry_villages(store, versions)
    out.mkdir(parents=True, exist_ok=True)
    stamp = {"town": town, "run_id": run_id, "as_of": pd.Timestamp(info["as_of"])}
    written = []
    for name in LEDGERS:
        rows = store.state_rows(name, versions)
        if rows.empty:
            continue
        if name == "enterprises":
            village = rows["village"]
        elif "enterprise_uscc" not in rows:  # meetings: the village or station is the record's own unit
            village = rows["unit"]
        else:
            village = rows["enterprise_uscc"].map(by_uscc)
            village = village.fillna(rows["enterprise_name"].map(
                lambda v: by_name.get(normalize_name(str(v))) if isinstance(v, str) else None))
        village = village.fillna(rows["submitted_by"]).fillna(NO_VILLAGE).astype(str)
        rows = _masked(rows.drop(columns=["sheet_order", "row_hash", "row_place"]), name)
        rows = rows.assign(**stamp)
        rows["village"] = village
        _copy(store, rows, out / name)
        written.append(out / name)
    f = safe_for_output(store.run_findings(run_id))
    f = f.assign(**stamp, village=f["village"].where(f["village"] != "", NO_VILLAGE))
    _copy(store, f[[*stamp, *FINDING_COLUMNS, "finding_key"]], out / "findings")
    written.append(out / "findings")
    runs = store.runs().assign(town=town)
    _copy(store, runs, out / "runs.parquet", partition=False)
    written.append(out / "runs.parquet")
    return written
