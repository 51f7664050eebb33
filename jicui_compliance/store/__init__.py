"""The campaign's memory: every submission kept, every run of the check recorded (DuckDB, one file).

Villages and stations resubmit their ledgers every week, usually by overwriting last week's
file. :func:`ingest` keeps them all:

- the **bytes** of every submitted file, content-addressed by SHA-256 (an unchanged file is
  stored once, an overwritten one is never lost), compressed so that they restore byte for byte
  (:mod:`.packing`: zlib for text, an xlsx written by a zlib-based tool inflated and xz-compressed);
- a **submission version** per unit (village, station or the town itself: the first folder of a
  file's path, as for 退回重报, or the folder that names a known unit: :func:`_collect`) whose files
  differ from its previous version; a file of the previous version that the unit no longer sends is
  recorded as **withdrawn** (撤回) — all of them only when asked (``withdraw``: an empty folder may
  just not have been sent yet). A unit's versions come in the order received: one received before
  the unit's latest is refused;
- a **run**: the check of the latest version of every unit, its typed ledger rows (stored once
  per file content, with their source sheet and row) and its findings.

One ingest is one DuckDB transaction: a process killed at any point leaves the store as it was
(a new store is written under a temporary name and renamed once committed).

>>> outcome = ingest("专项行动.duckdb", ["收件/第3周"], received=dt.date(2023, 7, 21))  # doctest: +SKIP
>>> with Store.open("专项行动.duckdb") as s:                                            # doctest: +SKIP
...     result = s.load_run()             # a CheckResult, as `run_check` gives
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from lzma import LZMAError
from multiprocessing import get_context
from pathlib import Path
from zlib import error as zlib_error

import pandas as pd

from ..campaign import Campaign, load_campaign
from ..check import CheckResult, InputError, run_check
from ..findings import COLUMNS as FINDING_COLUMNS
from ..ledgers import LEDGERS
from ..reading import cores
from ..reading.sources import discover, shown_name
from ..text import fold, python_strings
from . import keys as _keys
from . import packing

__all__ = ["CHANGE_LABELS", "IngestOutcome", "Store", "StoreError", "ingest"]

SCHEMA_VERSION = "2"  # 2: blobs.codec (packing.py), DATE columns for the ledgers' date fields
#: 64 KiB: DuckDB bit-packs 64-bit integers and timestamps only in blocks of 64 KiB or more (in 16 KiB
#: blocks they are stored uncompressed: the county's typed rows take 20 MiB instead of 14); 256 KiB,
#: the default, would make a town's twenty small tables take whole blocks
BLOCK_SIZE = 65536

#: how a file of a version relates to the unit's previous version
ADDED, CHANGED, UNCHANGED, WITHDRAWN = "added", "changed", "unchanged", "withdrawn"
CHANGE_LABELS = {ADDED: "新增", CHANGED: "修改", UNCHANGED: "未变", WITHDRAWN: "撤回"}

#: test hook: the ingest kills its own process at this stage (see tests/test_store.py)
FAIL_AT_ENV = "JICUI_STORE_FAIL_AT"
STAGES = ("opened", "blobs", "versions", "rows", "findings", "commit")


class StoreError(InputError):
    """The store cannot be used as asked (not a store, locked by another process, no such run)."""


#: how DuckDB (in the operating system's words) says that a file cannot be written
_DENIED = ("permission denied", "operation not permitted", "read-only file system", "access is denied")
_NO_SPACE = ("no space left", "disk quota", "not enough space")


def damaged(path: Path) -> str:
    return (f"数据库文件 {path} 已损坏，无法读取（文件中的数据与其校验值不符，可能因磁盘故障、复制不完整或被别的程序改写）；"
            "请用备份的副本替换它，或把各周的报送按收到日期重新 jicui ingest 到一个新的数据库文件")


def _denied(exc: BaseException, path: Path) -> str | None:
    """The line for a store that cannot be written: the file itself read-only, or its folder (where DuckDB makes
    the ``.wal`` beside it, and a new store is written as ``….partial``)."""
    text = str(exc)
    if not any(w in text.lower() for w in _DENIED):
        return None
    named = re.search(r'file "([^"]+)"', text)
    if path.exists() and (named is None or Path(named.group(1)).name == path.name):
        return (f"无法写入数据库 {path}：该文件是只读的或没有写入权限；请检查文件的权限（或“只读”属性），"
                "或把它复制到有写入权限的文件夹后用 --store 指定副本")
    return _folder_denied(path)


def _folder_denied(path: Path) -> str:
    folder = path.parent if str(path.parent) else Path(".")
    return (f"无法写入数据库 {path}：没有在文件夹 {folder} 中建立文件的权限（写入数据库时要在它旁边建立临时文件）；"
            "请检查该文件夹的权限，或把数据库放在有写入权限的文件夹中")


def _new_store_folder(path: Path) -> list[Path]:
    """Make the folders a new store at ``path`` goes in (as ``--out`` folders are made), and clear what an
    ingest killed before its first commit left beside it; the folders made, innermost first. A folder
    that cannot be made, or in which nothing may be written (no permission, a read-only disk), is one
    Chinese line naming the folder, never the temporary ``….partial``."""
    import errno

    from ..text import os_reason

    missing = [p for p in (path.parent, *path.parent.parents) if str(p) not in ("", ".") and not p.exists()]
    made: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            made.insert(0, folder)
        work = path.with_name(path.name + ".partial")
        work.unlink(missing_ok=True)  # left by an ingest that was killed before its first commit
        Path(str(work) + ".wal").unlink(missing_ok=True)
    except OSError as exc:
        _remove_folders(made)
        code = getattr(exc, "errno", None)
        failed = Path(getattr(exc, "filename", None) or path)
        if failed in missing:  # a folder of the path could not be made
            above = failed.parent if str(failed.parent) else Path(".")
            if code in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, (NotADirectoryError, FileExistsError)):
                blocking = next((p for p in reversed([failed, *failed.parents])
                                 if p.exists() and not p.is_dir()), failed)
                raise StoreError(f"无法建立数据库 {path} 所在的文件夹 {path.parent}：路径中的 {blocking} 是一个文件，"
                                 "不是文件夹；请换一个位置") from exc
            if code in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(exc, PermissionError):
                raise StoreError(f"无法建立数据库 {path} 所在的文件夹 {path.parent}：没有在文件夹 {above} 中建立文件夹的"
                                 "权限；请检查该文件夹的权限，或把数据库放在有写入权限的文件夹中") from exc
            raise StoreError(f"无法建立数据库 {path} 所在的文件夹 {path.parent}"
                             f"（{os_reason(exc, writing=True)}）；请换一个位置") from exc
        if code in (errno.EACCES, errno.EPERM, errno.EROFS) or isinstance(exc, PermissionError):
            raise StoreError(_folder_denied(path)) from exc
        raise StoreError(f"无法写入数据库 {path}（{os_reason(exc, writing=True)}）") from exc
    return made


def _remove_folders(folders: list[Path]) -> None:
    """Remove the folders an ingest made (innermost first) when it stored nothing in them."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:  # something else was put in it meanwhile: it stays
            return


def _corrupt(exc: BaseException) -> bool:
    import duckdb

    text = str(exc).lower()
    return (isinstance(exc, (duckdb.IOException, duckdb.SerializationException, duckdb.FatalException))
            or (type(exc) is duckdb.Error and ("corrupt" in text or "checksum" in text)))


def store_failure(exc: BaseException | None, path: Path) -> str | None:
    """One Chinese line for a DuckDB error that is the store file's or the disk's (no write permission, a full
    disk, a damaged file), else None: a wrong query (``BinderException`` …) is a defect of the tool."""
    import duckdb

    if not isinstance(exc, duckdb.Error):
        return None
    said = _denied(exc, path)
    if said:
        return said
    if any(w in str(exc).lower() for w in _NO_SPACE):
        return f"磁盘空间不足，无法写入数据库 {path}；请清理磁盘后重试"
    return damaged(path) if _corrupt(exc) else None


def _raised_here(exc: BaseException) -> bool:
    """Whether ``exc`` came from a query of this package (the store's own connection): the innermost frame of
    the tool's code it passed through is in ``store/``. The block of a ``with Store.open(…)`` may use DuckDB on
    its own connections (`check --store`: the spill parts of --by-village, findings.parquet, the scratch database
    of the streamed outputs); their failures are not the store file's and must not be said to be."""
    here = os.path.dirname(os.path.abspath(__file__))
    package = os.path.dirname(here)
    last = None
    tb = exc.__traceback__
    while tb is not None:
        where = os.path.abspath(tb.tb_frame.f_code.co_filename)
        if where.startswith(package + os.sep):
            last = where
        tb = tb.tb_next
    return last is not None and last.startswith(here + os.sep)


_passed: dict[str, int] = {}


def _stage(name: str) -> None:
    """Test hook: ``JICUI_STORE_FAIL_AT=blobs`` (or ``blobs:3``, the third time) kills the process here."""
    want = os.environ.get(FAIL_AT_ENV)
    if not want:
        return
    _passed[name] = _passed.get(name, 0) + 1
    stage, _, nth = want.partition(":")
    if stage == name and _passed[name] == int(nth or 1):
        if hasattr(signal, "SIGKILL"):
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)


_SQL_TYPES = {"str": "VARCHAR", "datetime64[ns]": "TIMESTAMP", "boolean": "BOOLEAN", "Int64": "BIGINT",
              "float64": "DOUBLE", "object": "VARCHAR[]"}

_FINDINGS_DDL = ", ".join(f'"{c}" {"BIGINT" if c == "source_row" else "VARCHAR"}' for c in FINDING_COLUMNS)

_DDL = [
    "CREATE TABLE IF NOT EXISTS meta(key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS blobs(sha256 VARCHAR PRIMARY KEY, size BIGINT, packed BOOLEAN, data BLOB,"
    " codec VARCHAR)",
    "ALTER TABLE blobs ADD COLUMN IF NOT EXISTS codec VARCHAR",  # a store of schema 1
    "CREATE TABLE IF NOT EXISTS versions(version_id INTEGER PRIMARY KEY, unit VARCHAR, received DATE,"
    " ingested_at TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS version_files(version_id INTEGER, path VARCHAR, sha256 VARCHAR, change VARCHAR)",
    "CREATE TABLE IF NOT EXISTS runs(run_id INTEGER PRIMARY KEY, as_of DATE, received DATE, created_at TIMESTAMP,"
    " campaign VARCHAR, files INTEGER, sheets INTEGER, errors INTEGER, warnings INTEGER, infos INTEGER)",
    "CREATE TABLE IF NOT EXISTS run_versions(run_id INTEGER, version_id INTEGER)",
    "CREATE TABLE IF NOT EXISTS typed_blobs(sha256 VARCHAR PRIMARY KEY)",
    f"CREATE TABLE IF NOT EXISTS findings(run_id INTEGER, {_FINDINGS_DDL}, finding_key VARCHAR)",
]


def _sql_type(spec) -> str:
    # a date field is read as midnight (cells.parse_date): DATE keeps it in 4 bytes, bit-packed to ~9 bits
    return "DATE" if spec.kind == "date" else _SQL_TYPES[str(spec.dtype)]  # TEXT is "str"


def ledger_table(name: str) -> str:
    return f"rows_{name}"


def _ledger_ddl(name: str) -> list[str]:
    led = LEDGERS[name]
    cols = ", ".join(f'"{f}" {_sql_type(spec)}' for f, spec in led.fields.items())
    # the row keys and hashes (keys.py) are computed when the rows are read: they are derived data,
    # and the keys would take a quarter of the store
    out = [f"CREATE TABLE IF NOT EXISTS {ledger_table(name)}(sha256 VARCHAR, sheet_order INTEGER, source_sheet VARCHAR,"
           f" source_row BIGINT, {cols})"]
    # a field added to the ledger since the store was made (all new fields are optional)
    out += [f'ALTER TABLE {ledger_table(name)} ADD COLUMN IF NOT EXISTS "{f}" {_sql_type(spec)}'
            for f, spec in led.fields.items()]
    return out


@dataclass
class StoredFile:
    path: str  # relative to the town's submission root, "/" separators (e.g. 东坡村/东坡村隐患台账.xlsx)
    rel: str  # relative to the root of the paths ingested (as the reader names it)
    unit: str
    sha256: str
    size: int
    source: Path | None = None  # where it was read from (ingest), else None
    data: bytes | None = None


@dataclass
class IngestOutcome:
    versions: pd.DataFrame  # unit, version_id, 新增, 修改, 未变, 撤回 (units with a new version only)
    run_id: int | None  # None when nothing changed
    as_of: dt.date | None = None
    findings: pd.DataFrame | None = None
    files: int = 0
    new_bytes: int = 0
    units_unchanged: list[str] = field(default_factory=list)
    #: one Chinese line each: a folder taken as a unit it does not plainly name, an empty unit folder (not a
    #: withdrawal), a unit that is neither a registry village, a station of the campaign nor the town
    notes: list[str] = field(default_factory=list)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Store:
    """An open store (a DuckDB connection). Use :meth:`open` (read-only by default)."""

    def __init__(self, con, path: Path):
        self.con = con
        self.path = path
        self.name = path  # as messages name it (Store.open's ``shown``)
        self._columns: dict[str, list[str]] = {}  # a table's columns, as the store has them
        self._codec: bool | None = None  # whether blobs has its codec column (schema 2)
        #: files given back with the same contents but not byte for byte (another zlib: :func:`packing.equivalent`)
        self.inexact: list[str] = []

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, write: bool = False, shown: Path | None = None) -> Store:
        """Open the store at ``path``; ``shown``: the name its messages give it (an ingest making a new store
        writes ``….duckdb.partial`` and names the store the user gave)."""
        import duckdb

        path = Path(path)
        name = shown or path
        if not write and not path.exists():
            raise StoreError(f"数据库文件不存在：{path}（先用 jicui ingest 导入报送的台账）")
        # small blocks: a town's store holds twenty small tables, each taking whole blocks (DuckDB's
        # default is 256 KiB); a block size is chosen once, when the file is made
        config: dict[str, str | bool | int | float | list[str]] = (
            {} if path.exists() else {"default_block_size": str(BLOCK_SIZE)})
        try:
            con = duckdb.connect(str(path), read_only=not write, config=config)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"数据库 {name} 正被另一个程序使用（如另一个 jicui ingest），请等它结束后再试") from exc
            said = _denied(exc, name)
            if said:
                raise StoreError(said) from exc
            why = ("这是一个文件夹，不是数据库文件" if path.is_dir()
                   else "文件为空、不完整或不是 DuckDB 数据库（可能已损坏或只复制了一部分）")
            raise StoreError(f"无法打开数据库 {name}：{why}；请指定 jicui ingest 建立的数据库文件") from exc
        except duckdb.Error as exc:  # DuckDB's own words are English: the analyst reads what it means
            said = _denied(exc, name) or (damaged(name) if _corrupt(exc) else None)
            raise StoreError(said or f"{name} 不是本工具的数据库文件（文件已损坏或是别的程序的文件）；"
                             "请指定 jicui ingest 建立的数据库文件") from exc
        store = cls(con, path)
        store.name = name
        try:
            if not write:
                store._check_schema()
        except BaseException:
            con.close()
            raise
        return store

    def _check_schema(self) -> None:
        """A store of this tool, made by this version or an earlier one (whose tables it reads and extends);
        one of a newer version is refused: its marker would be rewritten and its new columns not kept up."""
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except Exception as exc:  # duckdb.CatalogException: not a store of this tool
            failure = store_failure(exc, self.name)
            if failure:
                raise StoreError(failure) from exc
            raise StoreError(f"{self.name} 不是本工具的数据库文件（没有报送记录表）") from exc
        marker = "" if row is None or row[0] is None else str(row[0]).strip()
        if marker and not (marker.isdigit() and int(marker) <= int(SCHEMA_VERSION)):
            raise StoreError(f"数据库 {self.name} 由更新版本的本工具建立（数据格式第 {marker} 版，本工具只能读写到第 "
                             f"{SCHEMA_VERSION} 版）；请升级本工具（jicui）后再使用该数据库，不要用旧版本写入它")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.close()
        failure = store_failure(exc, self.name) if exc is not None and _raised_here(exc) else None
        if failure:  # the file or the disk, not the tool: one line, exit code 2
            raise StoreError(failure) from exc

    def create_schema(self) -> None:
        for sql in _DDL:
            self.con.execute(sql)
        for name in LEDGERS:
            for sql in _ledger_ddl(name):
                self.con.execute(sql)
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", [SCHEMA_VERSION])

    @python_strings()
    def df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    # -- what is in it ---------------------------------------------------------------------------
    def runs(self) -> pd.DataFrame:
        """Every run, oldest first: run_id, as_of, received, created_at, files, sheets, 错误, 警告, 提示."""
        return self.df("SELECT run_id, as_of, received, created_at, campaign, files, sheets, errors AS 错误,"
                       " warnings AS 警告, infos AS 提示 FROM runs ORDER BY run_id")

    def versions(self, unit: str | None = None) -> pd.DataFrame:
        """Every submission version (one unit's files at one time) with the counts of its file changes."""
        where = "WHERE v.unit = ?" if unit else ""
        return self.df(
            "SELECT v.version_id, v.unit, v.received, v.ingested_at,"
            " count(*) FILTER (WHERE f.change <> 'withdrawn') AS files,"
            + ", ".join(f" count(*) FILTER (WHERE f.change = '{k}') AS {k}" for k in CHANGE_LABELS)
            + f" FROM versions v JOIN version_files f USING (version_id) {where}"
            " GROUP BY ALL ORDER BY v.version_id", [unit] if unit else [])

    def version_files(self, version_id: int) -> pd.DataFrame:
        return self.df("SELECT path, sha256, change FROM version_files WHERE version_id = ? ORDER BY path",
                       [version_id])

    def latest_run(self, until: dt.date | None = None) -> int | None:
        sql = "SELECT max(run_id) FROM runs" + (" WHERE as_of <= ?" if until else "")
        row = self.con.execute(sql, [until] if until else []).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def run_info(self, run_id: int) -> dict:
        r = self.df("SELECT * FROM runs WHERE run_id = ?", [run_id])
        if r.empty:
            known = self.runs()["run_id"].tolist()
            raise StoreError(f"数据库中没有第 {run_id} 次核查（已有：{'、'.join(map(str, known)) or '无'}）")
        row = r.iloc[0].to_dict()
        row["as_of"] = pd.Timestamp(row["as_of"]).date()
        return row

    def table_columns(self, table: str) -> list[str]:
        """The columns ``table`` has in this store (none: no such table), which a store written by an earlier
        version may lack: they are read as empty."""
        if table not in self._columns:
            self._columns[table] = self.con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main'"
                " ORDER BY column_index", [table]).df()["column_name"].tolist()
        return self._columns[table]

    @python_strings()
    def run_findings(self, run_id: int) -> pd.DataFrame:
        """The findings of a run, as the check wrote them (the 15 columns), plus ``finding_key``."""
        f = self.df(f"SELECT {', '.join(chr(34) + c + chr(34) for c in FINDING_COLUMNS)}, finding_key"
                    " FROM findings WHERE run_id = ? ORDER BY rowid", [run_id])
        f["source_row"] = f["source_row"].astype("Int64")
        for c in FINDING_COLUMNS:
            if c != "source_row":
                f[c] = f[c].fillna("").astype("str")
        return f

    # -- states: which version of each unit ---------------------------------------------------------
    def state_versions(self, *, run_id: int | None = None, version_id: int | None = None,
                       received: dt.date | None = None) -> pd.DataFrame:
        """The version of each unit in a state: the run's, or the latest with an id ≤ ``version_id``,
        or the latest received on or before ``received``, or the latest of all (latest: received last)."""
        if run_id is not None:
            return self.df("SELECT v.* FROM run_versions r JOIN versions v USING (version_id) WHERE r.run_id = ?"
                           " ORDER BY v.unit", [run_id])
        cond: list[str] = []
        params: list[object] = []
        if version_id is not None:
            last = self.df("SELECT max(version_id) AS n FROM versions")["n"].iloc[0]
            if pd.isna(last) or not 1 <= version_id <= int(last):  # not the latest state, silently
                have = "还没有报送版本" if pd.isna(last) else f"已有：第 1 至第 {int(last)} 个"
                raise StoreError(f"数据库中没有第 {version_id} 个报送版本（{have}；jicui history 列出全部）")
            cond.append("version_id <= ?")
            params.append(version_id)
        if received is not None:
            cond.append("received <= ?")
            params.append(received)
        where = ("WHERE " + " AND ".join(cond)) if cond else ""
        # the latest is the last received (of those received the same day, the last ingested): a store
        # written before ingest refused an older submission after a newer one may hold them out of order
        return self.df(f"SELECT * FROM versions {where} QUALIFY row_number() OVER (PARTITION BY unit"
                       " ORDER BY received DESC, version_id DESC) = 1 ORDER BY unit", params)

    def state_files(self, version_ids) -> pd.DataFrame:
        """path, sha256, unit of the files (withdrawn ones left out) of these versions, by path."""
        ids = [int(v) for v in version_ids]
        if not ids:
            return pd.DataFrame(columns=["path", "sha256", "unit", "version_id"])
        return self.df("SELECT f.path, f.sha256, v.unit, f.version_id FROM version_files f JOIN versions v"
                       " USING (version_id) WHERE f.version_id IN (SELECT unnest(?)) AND f.change <> 'withdrawn'"
                       " ORDER BY f.path", [ids])

    def blob(self, sha256: str) -> bytes:
        """A stored file's bytes, exactly as submitted (checked against its SHA-256)."""
        return self._unpack(sha256, *self._stored(sha256))

    def _stored(self, sha256: str) -> tuple[str, bytes]:
        codec = "coalesce(codec, CASE WHEN packed THEN 'zlib' ELSE 'plain' END)" if self._has_codec() else (
            "CASE WHEN packed THEN 'zlib' ELSE 'plain' END")
        row = self.con.execute(f"SELECT {codec}, data FROM blobs WHERE sha256 = ?", [sha256]).fetchone()
        if row is None:
            raise StoreError(f"数据库中没有内容为 {sha256[:12]}… 的文件")
        return row[0], bytes(row[1])

    def _unpack(self, sha256: str, codec: str, stored: bytes) -> bytes:
        try:
            return packing.unpack(codec, stored, sha256)
        except (packing.RestoreError, ValueError, LZMAError, zlib_error) as exc:
            if codec == packing.ZIP_XZ:
                try:  # another zlib (e.g. zlib-ng): the same contents, compressed otherwise
                    data = packing.equivalent(stored)
                except (packing.RestoreError, ValueError, LZMAError, zlib_error, zipfile.BadZipFile, KeyError):
                    pass
                else:
                    self.inexact.append(sha256)
                    return data
            raise StoreError(f"数据库中内容为 {sha256[:12]}… 的文件无法取回（{exc}）：数据库可能已损坏") from exc

    def _has_codec(self) -> bool:
        if self._codec is None:
            self._codec = bool(self.con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'blobs'"
                                                " AND column_name = 'codec'").fetchone()[0])
        return self._codec

    def file_history(self, path: str) -> pd.DataFrame:
        """Every version of one file (also its withdrawal), oldest first: version_id, unit, received, sha256, change."""
        return self.df("SELECT f.version_id, v.unit, v.received, f.sha256, f.change FROM version_files f"
                       " JOIN versions v USING (version_id) WHERE f.path = ? AND f.change <> 'unchanged'"
                       " ORDER BY f.version_id", [path])

    def materialize(self, files: pd.DataFrame, folder: Path, links: dict[str, Path] | None = None) -> Path:
        """Write the files (path, sha256) under ``folder`` as they were submitted; ``links``: paths whose
        bytes are at hand on disk (the ingest's own inputs) are linked instead of copied."""
        wanted: list[tuple[Path, str, str, bytes]] = []
        for path, sha in zip(files["path"], files["sha256"]):
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            src = (links or {}).get(path)
            if src is not None:
                try:
                    target.symlink_to(src.resolve())
                    continue
                except OSError:  # no symlinks (Windows without the right): copy
                    pass
            wanted.append((target, sha, *self._stored(sha)))
        # unpacked in threads: zlib and xz do not hold the GIL
        with ThreadPoolExecutor(max_workers=cores()) as pool:
            for target, data in zip([w[0] for w in wanted], pool.map(self._unpack_file, wanted)):
                target.write_bytes(data)
        return folder

    def restore(self, files: pd.DataFrame, out: Path) -> Path:
        """:meth:`materialize` into ``out`` (new or empty) whole or not at all: into a folder beside it, renamed
        when every file is there, so that a file that cannot be restored leaves no folder that looks like the
        version and is not."""
        from ..writing import temporary_folder

        if out.exists() and not out.is_dir():
            raise StoreError(f"--out 应为文件夹，但 {out} 是一个已存在的文件；请换一个输出位置")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = temporary_folder(out.parent, f".{out.name}.取回中-")  # mode as os.mkdir gives (umask), not 700
        try:
            self.materialize(files, partial)
            if out.is_dir():
                out.rmdir()  # empty: a folder holding files is refused before
            os.replace(partial, out)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        return out

    def _unpack_file(self, wanted: tuple[Path, str, str, bytes]) -> bytes:
        target, sha, codec, stored = wanted
        try:
            return self._unpack(sha, codec, stored)
        except StoreError as exc:  # name the file, not only its contents' hash
            raise StoreError(f"{target.name}：{exc}") from exc

    @contextmanager
    def checked_out(self, files: pd.DataFrame) -> Iterator[Path]:
        """A temporary folder holding ``files`` as submitted (removed afterwards)."""
        tmp = Path(tempfile.mkdtemp(prefix="jicui-store-"))
        try:
            yield self.materialize(files, tmp / "submission")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- a run as a CheckResult -----------------------------------------------------------------------
    @python_strings()
    def check_state(self, versions: pd.DataFrame, *, as_of: dt.date, campaign: Campaign | str | Path | None = None,
                    **options) -> CheckResult:
        """Check a state (a version per unit) afresh: the files are checked out and checked as ``run_check`` does."""
        files = self.state_files(versions["version_id"])
        if files.empty:
            raise StoreError("数据库中没有可核查的报送版本")
        with self.checked_out(files) as folder:
            return run_check([folder], as_of=as_of, campaign=campaign, **options)

    @python_strings()
    def load_run(self, run_id: int | None = None, *, campaign: Campaign | str | Path | None = None) -> CheckResult:
        """A run as a :class:`~jicui_compliance.check.CheckResult` (what the analysis and reports read): its
        files re-read and typed, its findings as stored."""
        run_id = self.latest_run() if run_id is None else run_id
        if run_id is None:
            raise StoreError(f"数据库 {self.path} 中还没有核查记录（先用 jicui ingest 导入）")
        info = self.run_info(run_id)
        result = self.check_state(self.state_versions(run_id=run_id), as_of=info["as_of"], campaign=campaign,
                                  select=["SCH000"])  # typing only: the findings are the stored ones
        from ..rules import REGISTRY

        result.findings = self.run_findings(run_id)[FINDING_COLUMNS]
        result.rules = list(REGISTRY.values())
        return result

    @python_strings()
    def state_rows(self, ledger: str, versions: pd.DataFrame) -> pd.DataFrame:
        """The stored typed rows of one ledger in a state, in reading order, with ``source_file``,
        ``submitted_by`` (the unit), ``row_key`` (numbered within the unit: ``row_place``) and ``row_hash``."""
        files = self.state_files(versions["version_id"])
        if files.empty:
            return pd.DataFrame()
        t = ledger_table(ledger)
        if not self.table_columns(t):  # a ledger added to the tool since the store was last written
            return pd.DataFrame()
        rows = self.con.execute(
            f"SELECT s.path AS source_file, s.unit AS submitted_by, r.* EXCLUDE (sha256) FROM {t} r"
            " JOIN (SELECT unnest(?) AS path, unnest(?) AS sha256, unnest(?) AS unit) s USING (sha256)"
            " ORDER BY s.path, r.sheet_order, r.source_row",
            [files["path"].tolist(), files["sha256"].tolist(), files["unit"].tolist()]).df()
        for f, spec in LEDGERS[ledger].fields.items():  # DuckDB gives microseconds and plain objects back
            if f not in rows:  # a field added since the store was last written (ingest adds its column): empty
                rows[f] = pd.Series(None, index=rows.index, dtype=spec.dtype)
            elif spec.dtype != "object":
                rows[f] = rows[f].astype(spec.dtype)
        keys = _keys.row_keys(ledger, rows)
        rows["row_place"] = _keys.places(keys, within=rows["submitted_by"])
        rows["row_key"] = _keys.numbered(keys, place=rows["row_place"])
        rows["row_hash"] = _keys.row_hashes(ledger, rows)
        return rows


# -- ingest ---------------------------------------------------------------------------------------
def _known_units(store: Store | None, campaign: Campaign) -> list[str]:
    """Names a folder may carry to be a unit besides the campaign's stations and enforcers: the units and the
    registry villages already in the store."""
    units: list[str] = []
    if store is not None:
        units += sorted(store.df("SELECT DISTINCT unit FROM versions")["unit"])
        latest = store.state_versions()
        if len(latest):
            reg = store.state_rows("enterprises", latest)
            if len(reg):
                units += sorted(reg["village"].dropna().astype(str).unique())
    return units


#: a note in brackets after a folder's name: 东坡村（更正）, 应急站(补报), 西河村【第二次】 (folded: （ is ()
_BRACKETED = re.compile(r"\s*[(\[【〔][^()\[\]【】〔〕]*[)\]】〕]$")
#: how many folders above a single file's folder (or a folder given that is no unit's) are looked at for a unit
UNIT_ANCESTORS = 2


class _Units:
    """Which unit a folder's name names (:class:`~jicui_compliance.campaign.UnitNames`: the unit itself, or after the
    town's name or 镇, 积翠镇应急站), or either followed by a note in brackets (东坡村（更正）)."""

    def __init__(self, campaign: Campaign, known: Iterable[str]):
        self.units = campaign.units(known)

    def named(self, name: str) -> str | None:
        name = fold(name)  # （更正） is (更正)
        while True:
            unit = self.units.named(name)
            stripped = _BRACKETED.sub("", name)
            if unit is not None or stripped == name or not stripped:
                return unit
            name = stripped

    def above(self, folder: Path) -> Path | None:
        """``folder`` when it is named after a unit, else the nearest of the :data:`UNIT_ANCESTORS` folders above
        it that is, unless ``folder`` holds a unit's folder (a town's submission folder, whose folders are the
        units). A folder holding only other folders (东坡村/7月/附件) is a part of the unit above, as a folder of
        files is."""
        if self.named(folder.name):
            return folder
        try:
            if any(e.is_dir() and not e.name.startswith(".") and self.named(e.name) for e in os.scandir(folder)):
                return None
        except OSError:
            return None
        for f in folder.parents[:UNIT_ANCESTORS]:
            if f.name and self.named(f.name):
                return f
        return None


@dataclass
class _Collected:
    files: list[StoredFile]
    #: the units whose whole folder was given (only those can withdraw a file: a unit sent as single files
    #: keeps its other files), with that folder
    whole: dict[str, Path]
    notes: list[str]  # what folder was taken as which unit, when not by its plain name


def _collect(paths: list[str | Path], campaign: Campaign, known: Iterable[str]) -> _Collected:
    """The files with their stored paths (``<unit>/…``, or the file's name for the town's own files) and units.

    Each path given is a unit's folder when its name names a unit (:class:`_Units`), else a town's submission
    folder whose subfolders are the units and whose files are the town's. A single file, or a folder below a
    unit's (东坡村/7月), belongs to the unit whose folder is among the few above it (:data:`UNIT_ANCESTORS`) —
    as a part of it: the unit's other files stay."""
    found = discover(paths)
    units = _Units(campaign, known)
    given = sorted({Path(p).resolve() for p in paths}, key=lambda p: len(p.parts), reverse=True)  # deepest first
    # per path given: (folder the stored paths are relative to, its unit or None for a town's folder, whole)
    bases: dict[Path, tuple[Path, str | None, bool]] = {}
    notes: list[str] = []
    whole: dict[str, Path] = {}

    def taken(folder: Path, unit: str) -> None:
        if folder.name != unit:
            note = f"文件夹“{shown_name(folder.name)}”按{unit}的报送导入"
            if note not in notes:
                notes.append(note)

    def unit_folder(unit: str, folder: Path) -> None:
        if whole.setdefault(unit, folder) != folder:
            raise StoreError(f"未入库：文件夹“{shown_name(whole[unit].name)}”和“{shown_name(folder.name)}”都是{unit}的"
                             f"报送；请只保留一个（如更正后的）再导入")

    for p in given:
        folder = p if p.is_dir() else p.parent
        own = units.named(folder.name) if p.is_dir() else None
        if own:  # `ingest 收件/东坡村`, `ingest 收件/东坡村（更正）`
            bases[p] = (folder, own, True)
            unit_folder(own, folder)
            taken(folder, own)
            continue
        above = units.above(folder)
        if above is None:  # a town's folder, or a file of the town
            bases[p] = (folder, None, p.is_dir())
            if p.is_dir():
                for e in sorted(os.scandir(folder), key=lambda e: e.name):
                    if e.is_dir() and not e.name.startswith("."):
                        unit = units.named(e.name) or shown_name(e.name)
                        unit_folder(unit, folder / e.name)
            continue
        unit = str(units.named(above.name))
        bases[p] = (above, unit, False)
        if above == folder:  # a file of 东坡村/ itself is 东坡村's
            taken(folder, unit)
        else:
            what = (f"文件夹“{shown_name(p.name)}”不是村或站所的名称，按上级文件夹“{shown_name(above.name)}”把其中的文件"
                    if p.is_dir() else f"“{shown_name(p.name)}”所在的文件夹“{shown_name(folder.name)}”不是村或站所的名称，"
                    f"按上级文件夹“{shown_name(above.name)}”")
            notes.append(f"{what}作为{unit}的文件导入（{unit}的其他文件不变）")

    out: dict[str, StoredFile] = {}
    for src in found.files:
        p = next(g for g in given if src.path == g or src.path.is_relative_to(g))
        base, of, is_whole = bases[p]
        parts = src.path.relative_to(base).parts
        if of is not None:
            unit, path = of, "/".join([of, *parts])
        elif len(parts) > 1:  # a unit's folder in a town's folder
            unit = units.named(parts[0]) or shown_name(parts[0])
            path = "/".join([unit, *parts[1:]])
            if is_whole:
                taken(base / parts[0], unit)
        else:  # the town's own file (the registry)
            path, unit = "/".join(parts), campaign.town
            if is_whole:
                whole.setdefault(unit, base)
        path = shown_name(path)
        data = src.path.read_bytes()
        if path in out:
            raise StoreError(f"未入库：{shown_name(str(out[path].source))} 和 {shown_name(str(src.path))} 都是{path}；"
                             "请一次只导入一个单位的一份报送")
        out[path] = StoredFile(path, src.rel, unit, _sha(data), len(data), src.path, data)
    return _Collected([out[k] for k in sorted(out)], whole, notes)


def _typed_rows(result: CheckResult, new_paths: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Per ledger, the typed rows of the files whose content is new to the store, ready to insert."""
    out = {}
    for name, led in LEDGERS.items():
        frame = result.ledgers.get(name)
        if frame is None or frame.empty:
            continue
        frame = frame[frame["source_file"].isin(new_paths)]
        if frame.empty:
            continue
        order = frame.groupby("source_file")["_sheet"].rank(method="dense").astype("int64") - 1
        rows = pd.DataFrame({
            "sha256": frame["source_file"].map(new_paths), "sheet_order": order,
            "source_sheet": frame["source_sheet"].astype(str), "source_row": frame["source_row"].astype("Int64"),
        })
        for f, spec in led.fields.items():
            col = frame[f]
            if spec.dtype == "object":
                col = col.map(lambda v: [str(x) for x in v] if isinstance(v, (list, tuple)) else None)
            rows[f] = col
        out[name] = rows.reset_index(drop=True)
    return out


def _finding_rows(result: CheckResult, run_id: int) -> pd.DataFrame:
    """The run's findings with their ``finding_key``; the key of a finding's row is computed for the rows
    that have findings only (a few thousand of half a million at county scale)."""
    f = result.findings.reset_index(drop=True)
    src = ["source_file", "source_sheet", "source_row"]
    row_key = pd.Series(pd.NA, index=f.index, dtype="string")
    on_rows = f["source_row"].notna() & f["ledger"].isin(list(LEDGERS))
    for name, part in f[on_rows].groupby("ledger", sort=False):
        frame = result.ledgers.get(str(name))
        if frame is None or frame.empty:
            continue
        wanted = part[src].drop_duplicates()
        where = frame[src].reset_index().merge(wanted, on=src, how="inner").drop_duplicates(src)
        if where.empty:
            continue
        keys = _keys.row_keys(str(name), frame.loc[where["index"]])
        at = pd.Series(keys.to_numpy(), index=pd.MultiIndex.from_frame(where[src]))
        idx = pd.MultiIndex.from_frame(part[src])
        row_key.loc[part.index] = at.reindex(idx).to_numpy()
    out = f.copy()
    out.insert(0, "run_id", run_id)
    out["finding_key"] = _keys.finding_keys(f, row_key)
    return out


@python_strings()  # pandas' inferred text columns in Python objects (docs/dev.md, “CSV 用 pyarrow 读取”)
def ingest(store_path: str | Path, paths: list[str | Path], *, received: dt.date | None = None,
           as_of: dt.date | None = None, campaign: Campaign | str | Path | None = None,
           on_file: Callable[[str], None] | None = None, withdraw: list[str] | tuple[str, ...] = ()) -> IngestOutcome:
    """Store a submission and check the new state (see the module's documentation). ``withdraw``: units whose
    files are all withdrawn (an empty folder is not taken as that: it may just not have been sent yet)."""
    if not isinstance(campaign, Campaign):
        campaign = load_campaign(campaign)
    received = received or dt.date.today()
    as_of = as_of or campaign.default_as_of(received)
    store_path = Path(store_path)
    fresh = not store_path.exists()
    work = store_path.with_name(store_path.name + ".partial") if fresh else store_path
    made = _new_store_folder(store_path) if fresh else []
    try:
        store = Store.open(work, write=True, shown=store_path)
    except BaseException:
        _remove_folders(made)
        raise
    try:
        if not fresh:
            store._check_schema()
        outcome = _ingest(store, fresh, paths, received, as_of, campaign, on_file, tuple(withdraw))
    except BaseException as exc:
        store.close()
        if fresh:  # nothing was stored: no half-made database beside the user's files
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            _remove_folders(made)
        failure = store_failure(exc, store_path) if _raised_here(exc) else None  # not the check's own DuckDB
        if failure:  # the file or the disk (damaged, read-only, full): one line; the transaction was not committed
            raise StoreError(failure) from exc
        raise
    store.close()
    if fresh:
        if outcome.run_id is None:
            work.unlink(missing_ok=True)
            _remove_folders(made)
        else:
            os.replace(work, store_path)
    return outcome


def _unchecked(why: str, paths, campaign: Campaign, whole: Collection[str], previous: pd.DataFrame) -> str:
    """Why an ingest stored nothing: the check's reason, and when a folder the store does not know as a unit
    replaced the town's own files (the registry among them), that folder's name."""
    names = [Path(p).name for p in paths if Path(p).is_dir()]
    if campaign.town in whole and campaign.town in set(previous["unit"]) and names:
        return (f"未入库：按文件夹名“{'、'.join(names)}”认不出报送单位（应为村名或站所名），其中的文件被当作镇的文件，"
                f"镇的企业名录因此被视为撤回，{why}；请把文件夹改名为村或站所的名称后再导入")
    return f"未入库：{why}"


#: from this many bytes of new zipped files (xlsx) on, they are packed in a worker process
PACK_PROCESS_BYTES = 8 * 2**20


@contextmanager
def _packing_pool(files: list[StoredFile]) -> Iterator[Executor]:
    """Where the new files are packed: a worker process (the standard pool, started as the reader's
    are: spawn, ignoring Ctrl-C) when there are :data:`PACK_PROCESS_BYTES` of zipped files and more
    than one core; else one thread (zlib and xz release the GIL, the rest of packing does not)."""
    from ..reading import START_METHOD, sigint_ignored

    zipped = sum(len(f.data or b"") for f in files if (f.data or b"")[:4] == b"PK\x03\x04")
    if zipped >= PACK_PROCESS_BYTES and cores() > 1:
        pool: Executor = ProcessPoolExecutor(max_workers=1, mp_context=get_context(START_METHOD),
                                             initializer=_ignore_sigint)
        with sigint_ignored():  # the worker starts now (not waited for), ignoring Ctrl-C from its first moment
            pool.submit(_ignore_sigint)
    else:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jicui-pack")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the process that started it


def _ingest(store: Store, fresh: bool, paths, received, as_of, campaign: Campaign, on_file,
            withdraw: tuple[str, ...] = ()) -> IngestOutcome:
    con = store.con
    _stage("opened")
    collected = (_collect(paths, campaign, _known_units(None if fresh else store, campaign)) if paths
                 else _Collected([], {}, []))
    files, whole, notes = collected.files, dict(collected.whole), list(collected.notes)
    if not fresh:
        for name in LEDGERS:  # new optional fields since the store was made
            for sql in _ledger_ddl(name)[1:]:
                con.execute(sql)
        for sql in _DDL:  # new columns (blobs.codec)
            if sql.startswith("ALTER"):
                con.execute(sql)
        store._codec = None
        store._columns.clear()
    latest = pd.DataFrame(columns=["version_id", "unit"]) if fresh else store.state_versions()
    previous = (store.state_files(latest["version_id"]) if len(latest)
                else pd.DataFrame(columns=["path", "sha256", "unit", "version_id"]))
    new_versions: list[dict] = []
    version_files: list[dict] = []
    next_version = 1 if fresh else int(con.execute("SELECT coalesce(max(version_id), 0) FROM versions").fetchone()[0]) + 1
    by_unit: dict[str, list[StoredFile]] = {}
    for f in files:
        by_unit.setdefault(f.unit, []).append(f)
    for unit in withdraw:
        if unit in by_unit:
            raise StoreError(f"未入库：{unit}既要撤回全部文件（--withdraw）又有本次报送的文件；请二选一")
        if unit not in set(previous["unit"]):
            have = "、".join(sorted(set(previous["unit"]) - {campaign.town})) or "无"
            why = "的文件此前已全部撤回" if unit in set(latest["unit"]) else "没有报送过文件"
            raise StoreError(f"未入库：数据库中{unit}{why}，没有可撤回的文件（有文件的村、站所：{have}）")
        by_unit[unit] = []
        whole[unit] = Path()
    for unit in sorted(set(whole) - set(by_unit)):  # a unit's folder given empty
        if unit != campaign.town and (previous["unit"] == unit).any():
            day = pd.Timestamp(latest.loc[latest["unit"] == unit, "received"].iloc[0]).date().isoformat()
            notes.append(f"{unit}的文件夹是空的，没有当作撤回：{unit}仍按 {day} 收到的版本核查；要撤回它的全部文件，"
                         f"请用 jicui ingest --withdraw {unit}")
    unchanged_units = []
    for unit, ufiles in sorted(by_unit.items()):
        before = previous[previous["unit"] == unit]
        before_map = dict(zip(before["path"], before["sha256"]))
        now_map = {f.path: f.sha256 for f in ufiles}
        if unit not in whole:  # single files of the unit: its other files stay as they were
            now_map = {**before_map, **now_map}
        if now_map == before_map:
            unchanged_units.append(unit)
            continue
        vid = next_version
        next_version += 1
        new_versions.append({"version_id": vid, "unit": unit, "received": received})
        for p, sha in sorted(now_map.items()):
            change = ADDED if p not in before_map else (UNCHANGED if before_map[p] == sha else CHANGED)
            version_files.append({"version_id": vid, "path": p, "sha256": sha, "change": change})
        for p, sha in sorted(before_map.items()):
            if p not in now_map:
                version_files.append({"version_id": vid, "path": p, "sha256": sha, "change": WITHDRAWN})
    if not new_versions:
        return IngestOutcome(pd.DataFrame(), None, files=len(files), units_unchanged=unchanged_units, notes=notes)
    _in_order(store, fresh, [v["unit"] for v in new_versions], received)

    vf = pd.DataFrame(version_files)
    changed_units = {v["unit"] for v in new_versions}
    state = pd.concat([previous[~previous["unit"].isin(changed_units)][["path", "sha256"]],
                       vf[vf["change"] != WITHDRAWN][["path", "sha256"]]], ignore_index=True).sort_values("path")
    at_hand = {f.path: f for f in files}
    known_blobs = set() if fresh else set(store.df("SELECT sha256 FROM blobs WHERE sha256 IN (SELECT unnest(?))",
                                                   [sorted({f.sha256 for f in files})])["sha256"])
    new_files = list({f.sha256: f for f in files if f.sha256 not in known_blobs}.values())
    # the new files are packed (packing.py) while the check runs: in a worker process when there is
    # much to pack and a second core (the check's typing and rules run on one core), else in a thread
    with _packing_pool(new_files) as pool:
        jobs = [pool.submit(packing.pack, f.data or b"", f.sha256) for f in new_files]
        try:
            if set(state["path"]) == set(at_hand) and all(f.path == f.rel for f in files):
                # the whole state was submitted now, from one folder: check it where it is
                result = run_check(list(paths), as_of=as_of, campaign=campaign, on_file=on_file)
            else:  # some units' files come from the store: check out the state
                with tempfile.TemporaryDirectory(prefix="jicui-ingest-") as tmp:
                    folder = store.materialize(state, Path(tmp) / "submission",
                                               links={p: f.source for p, f in at_hand.items() if f.source is not None})
                    result = run_check([folder], as_of=as_of, campaign=campaign, on_file=on_file)
        except InputError as exc:  # the state cannot be checked (no registry): nothing is stored
            for job in jobs:
                job.cancel()
            raise StoreError(_unchecked(str(exc), paths, campaign, whole, previous)) from None
        except BaseException:
            for job in jobs:
                job.cancel()
            raise
        blobs = [(f, *job.result()) for f, job in zip(new_files, jobs)]

    typed_already = set() if fresh else set(store.df(
        "SELECT sha256 FROM typed_blobs WHERE sha256 IN (SELECT unnest(?))", [state["sha256"].tolist()])["sha256"])
    untyped = {p: s for p, s in zip(state["path"], state["sha256"]) if s not in typed_already}
    untyped_paths: dict[str, str] = {}
    for p, s in untyped.items():  # one path per content: the rows of a file are stored once
        if s not in untyped_paths.values():
            untyped_paths[p] = s
    rows = _typed_rows(result, untyped_paths)
    run_id = 1 if fresh else int(con.execute("SELECT coalesce(max(run_id), 0) FROM runs").fetchone()[0]) + 1
    findings = _finding_rows(result, run_id)
    counts = result.findings["severity"].value_counts()
    now = dt.datetime.now().replace(microsecond=0)
    new_bytes = 0

    con.execute("BEGIN TRANSACTION")
    if fresh:
        store.create_schema()
    else:  # a store of schema 1 gets packed blobs and DATE columns from now on
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", [SCHEMA_VERSION])
    for f, codec, data in blobs:
        con.execute("INSERT INTO blobs (sha256, size, packed, data, codec) VALUES (?, ?, ?, ?, ?)",
                    [f.sha256, f.size, codec != packing.PLAIN, data, codec])
        new_bytes += f.size
        _stage("blobs")
    versions = pd.DataFrame(new_versions).assign(ingested_at=now)
    con.register("versions_df", versions)
    con.execute("INSERT INTO versions SELECT version_id, unit, received, ingested_at FROM versions_df")
    con.register("vf_df", vf)
    con.execute("INSERT INTO version_files SELECT version_id, path, sha256, change FROM vf_df")
    _stage("versions")
    state_versions = pd.concat([latest[~latest["unit"].isin(changed_units)][["version_id"]],
                                versions[["version_id"]]], ignore_index=True)
    con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, as_of, received, now, campaign.name, len(result.submission.files),
                 len(result.submission.tables), int(counts.get("错误", 0)), int(counts.get("警告", 0)),
                 int(counts.get("提示", 0))])
    con.register("rv_df", state_versions.assign(run_id=run_id))
    con.execute("INSERT INTO run_versions SELECT run_id, version_id FROM rv_df")
    for name, frame in rows.items():
        con.register("rows_df", frame)
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"INSERT INTO {ledger_table(name)} ({cols}) SELECT {cols} FROM rows_df")
        con.unregister("rows_df")
        _stage("rows")
    con.register("typed_df", pd.DataFrame({"sha256": sorted(set(untyped_paths.values()))}))
    con.execute("INSERT INTO typed_blobs SELECT sha256 FROM typed_df")
    con.register("findings_df", findings)
    cols = ", ".join(f'"{c}"' for c in ["run_id", *FINDING_COLUMNS, "finding_key"])
    con.execute(f"INSERT INTO findings ({cols}) SELECT {cols} FROM findings_df")
    _stage("findings")
    _stage("commit")
    con.execute("COMMIT")
    summary = vf.assign(n=1).pivot_table(index="version_id", columns="change", values="n", aggfunc="sum",
                                         fill_value=0).reindex(columns=list(CHANGE_LABELS), fill_value=0)
    summary = versions[["version_id", "unit"]].merge(summary.rename(columns=CHANGE_LABELS).reset_index(),
                                                     on="version_id")
    return IngestOutcome(summary, run_id, as_of, result.findings, len(files), new_bytes, unchanged_units,
                         notes + _unknown_units(result, campaign, sorted(changed_units - set(withdraw))))


def _in_order(store: Store, fresh: bool, units: list[str], received: dt.date) -> None:
    """A submission received before a unit's latest version would become its latest state (and its findings'
    durations negative): refused. One received the same day (a resubmission) is the later one."""
    if fresh:
        return
    last = store.df("SELECT unit, max(received) AS received FROM versions WHERE unit IN (SELECT unnest(?))"
                    " GROUP BY unit ORDER BY unit", [units])
    later = [(u, pd.Timestamp(d).date()) for u, d in zip(last["unit"], last["received"])
             if pd.Timestamp(d).date() > received]
    if later:
        which = "、".join(f"{u}（已有 {d.isoformat()} 收到的版本）" for u, d in later)
        raise StoreError(f"未入库：本次的收到日期 {received.isoformat()} 早于{which}；较早收到的报送不能在较晚的之后导入"
                         f"成为最新版本，请按收到的先后导入（同一天收到的重报可以导入）")


def _unknown_units(result: CheckResult, campaign: Campaign, units: list[str]) -> list[str]:
    """A line for each unit with a new version that is neither a village of the registry, a station or enforcer
    of the campaign, nor the town: a folder named otherwise (“w5”, “东坡村0728”) made a unit of its own."""
    reg = result.ledgers.get("enterprises")
    villages = set(reg["village"].dropna().astype(str)) if reg is not None and "village" in reg else set()
    known = villages | {s for i in campaign.industries for s in i.stations} | set(campaign.enforcers) | {campaign.town}
    return [f"报送单位“{u}”既不是企业名录中的村，也不是方案中的站所或{campaign.town}：按文件夹名作为一个单位导入；"
            f"如文件夹名有误，请用 jicui ingest --withdraw {u} 撤回，把文件夹改名为村或站所的名称后重新导入"
            for u in units if u not in known]
