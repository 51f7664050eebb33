"""The ledgers and findings of a run as Parquet: the interchange a county or province combines towns with.

``DIR/<ledger>/village=<村>/*.parquet`` for each ledger with rows, ``DIR/findings/village=<村>/…``,
and ``DIR/runs.parquet``; every row carries ``town``, ``run_id`` and ``as_of`` so that the exports
of several towns can be read as one table (see the guide page 多镇汇总). Personal data (ID and
phone numbers) are masked as in every other output.

An export is one set: written into a folder beside ``DIR`` and put in its place when complete, so that
exported again into the same folder it replaces the earlier export whole (a ledger that run has and this
one has not is not left behind) and a failed export leaves the earlier one.
"""

from __future__ import annotations

import errno
import os
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ..campaign import Campaign
from ..findings import COLUMNS as FINDING_COLUMNS
from ..findings import mask_id, mask_phone
from ..findings.writers import safe_for_output
from ..ledgers import LEDGERS
from ..text import map_distinct, mask_column, mask_personal, normalize_name, python_strings
from ..writing import TMP_PREFIX, remove_quietly, temporary_folder
from . import _DENIED, _NO_SPACE, Store, StoreError

NO_VILLAGE = "（未归属）"


def _registry_villages(store: Store, versions: pd.DataFrame) -> tuple[dict, dict]:
    reg = store.state_rows("enterprises", versions)
    if reg.empty:
        return {}, {}
    reg = reg.dropna(subset=["village"])
    by_uscc = dict(zip(reg["uscc"].dropna(), reg.loc[reg["uscc"].notna(), "village"]))
    # a name names a village only when every registry enterprise of that name is in it: a record written with the
    # name alone of two same-named enterprises of two villages is neither's (REF001), it stays its sender's
    named = pd.DataFrame({"name": reg["name"].dropna().map(normalize_name), "village": reg.loc[reg["name"].notna(), "village"]})
    one = named.groupby("name")["village"].nunique() == 1
    named = named[named["name"].map(one).fillna(False).astype(bool)].drop_duplicates("name")
    by_name = dict(zip(named["name"], named["village"]))
    return by_uscc, by_name


def _one_name(units, written: str) -> str:
    """A village or unit as written, read as its one name (:meth:`jicui_compliance.campaign.UnitNames.named`)."""
    return units.named(written) or written


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
    """Write ``frame`` to ``target`` (in the export's temporary folder: :func:`export_parquet`)."""
    import duckdb

    store.con.register("export_df", frame)
    opts = "FORMAT PARQUET, COMPRESSION ZSTD" + (", PARTITION_BY (village)" if partition else "")
    where = target.as_posix().replace("'", "''")  # a path is a SQL string here (COPY takes no parameter for it)
    try:
        store.con.execute(f"COPY (SELECT * FROM export_df) TO '{where}' ({opts})")
    except duckdb.IOException as exc:  # the export's folder, not the store: said as for every output written
        text = str(exc).lower()
        code = (errno.ENOSPC if any(w in text for w in _NO_SPACE) else
                errno.EACCES if any(w in text for w in _DENIED) else errno.EIO)
        raise OSError(code, str(exc), str(target)) from exc
    finally:
        store.con.unregister("export_df")


#: what an export folder holds: a folder holding anything else is not replaced by an export. Besides the
#: export's own datasets, only the file managers' files (.DS_Store, Thumbs.db, desktop.ini) and this tool's own
#: hidden leftovers (a temporary export, an earlier export being replaced, a temporary file) are let be; any
#: other hidden entry (.git, .obsidian …) is someone's data and would be deleted with the folder
_EXPORTED = {*LEDGERS, "findings", "runs.parquet"}
_FILE_MANAGERS = {".ds_store", "thumbs.db", "desktop.ini"}
_OWN_HIDDEN = (".导出中-", ".旧-")


def _ours(name: str) -> bool:
    return (name in _EXPORTED or name.lower() in _FILE_MANAGERS or name.startswith(TMP_PREFIX)
            or (name.startswith(".") and any(mark in name for mark in _OWN_HIDDEN)))


def _not_exported(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if not _ours(p.name))


def _swap(tmp: Path, out: Path) -> None:
    """Put the export written in ``tmp`` in place of ``out`` (an earlier export, or nothing)."""
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.with_name(f".{out.name}.旧-{os.getpid()}")
    remove_quietly(old)
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        os.replace(old, out)
        raise
    remove_quietly(old)


@python_strings()
def export_parquet(store: Store, out: Path, run_id: int | None = None, town: str = "",
                   campaign: Campaign | None = None) -> list[Path]:
    """Write the run's ledgers and findings under ``out``; returns the folders and files written. With the
    ``campaign``, each record's village is its village's one name, as the findings have it ("积翠镇桃源村"
    beside "桃源村" is 桃源村: :meth:`jicui_compliance.resolution.Resolution.one_village`)."""
    run_id = store.latest_run() if run_id is None else run_id
    if run_id is None:
        raise StoreError(f"数据库 {store.path} 中还没有核查记录（先用 jicui ingest 导入）")
    info = store.run_info(run_id)
    given, out = out, out.resolve()  # "." or "x/..": the folder it names, put in place under that folder's name
    if not out.name:
        raise StoreError(f"--parquet 不能是根目录 {given}：导出会整体替换该文件夹；请换一个新的、空的文件夹")
    if out.exists() and not out.is_dir():
        raise StoreError(f"--parquet 应为文件夹，但 {given} 是一个已存在的文件；请换一个输出位置")
    if out.is_dir():
        other = _not_exported(out)
        if other:  # replaced whole, the folder would lose them
            raise StoreError(f"导出文件夹 {given} 中有不是导出数据的“{other[0]}”" + (f"等 {len(other)} 项" if len(other) > 1 else "")
                             + "：再次导出会整体替换该文件夹；请换一个新的、空的或只放过本工具导出数据的文件夹")
    made = [p for p in [out.parent, *out.parent.parents] if not p.exists()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_folder(out.parent, f".{out.name}.导出中-")
    try:
        written = _export(store, tmp, run_id, info, town, campaign)
        _swap(tmp, out)
    except BaseException:
        remove_quietly(tmp)
        for p in made:  # the folders made for it, when nothing was exported into them
            try:
                p.rmdir()
            except OSError:
                break
        raise
    return [given / p.relative_to(tmp) for p in written]


def _export(store: Store, out: Path, run_id: int, info: dict, town: str, campaign: Campaign | None) -> list[Path]:
    versions = store.state_versions(run_id=run_id)
    by_uscc, by_name = _registry_villages(store, versions)
    units = campaign.units(sorted(set(by_uscc.values()) | set(by_name.values()))) if campaign is not None else None
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
        if units is not None:  # one name per village, as the findings' village column
            village = map_distinct(village, partial(_one_name, units))
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
