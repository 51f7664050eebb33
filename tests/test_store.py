"""The campaign's memory (jicui_compliance.store): ingest is atomic, versions keep every file,
diff finds exactly what changed, reports compare with the previous one, Parquet export."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import lzma
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from jicui_compliance.campaign import load_campaign
from jicui_compliance.check import run_check
from jicui_compliance.cli import app
from jicui_compliance.findings.writers import safe_for_output
from jicui_compliance.ledgers import LEDGERS
from jicui_compliance.store import FAIL_AT_ENV, STAGES, Store, StoreError, _Units, ingest, packing
from jicui_compliance.store.diff import Diff, diff_runs
from jicui_samples.history import make_history

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
runner = CliRunner()


def _small_town(folder: Path) -> Path:
    """The registry, one village and one station of the samples: quick to check."""
    folder.mkdir(parents=True)
    for name in ("积翠镇企业名录.xlsx", "东坡村", "应急站"):
        src = SAMPLES / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, folder / name)
    return folder


def _snapshot(path: Path) -> dict:
    """Everything a store holds, as comparable values (row counts and the lists of versions and runs)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        out["versions"] = con.execute("SELECT version_id, unit FROM versions ORDER BY 1").fetchall()
        out["runs"] = con.execute("SELECT run_id, as_of FROM runs ORDER BY 1").fetchall()
        return out
    finally:
        con.close()


def _ingest_cli(store: Path, folder: Path, received: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`jicui ingest` in a process of its own: what a kill (the store's test hook, SIGKILL) ends."""
    return subprocess.run([sys.executable, "-m", "jicui_compliance", "ingest", str(folder), "--store", str(store),
                           "--received", received], capture_output=True, text=True, env={**os.environ, **(env or {})},
                          cwd=ROOT)


#: A process that has imported the command line once and forks a new process for each `jicui ingest` asked of it:
#: the child runs the console command's own entry point (``jicui_compliance.__main__.main``) with the request's
#: arguments and environment, and is killed for real by the store's hook (SIGKILL); the server reports how it
#: ended (``-9``), as :func:`subprocess.run` does. The child skips only the new interpreter's imports (about 2 s
#: of CPU each), which no kill stage reaches (the first, "opened", comes once the store is open).
_FORK_SERVER = r"""
import json, os, sys, traceback

from jicui_compliance.__main__ import main
import jicui_compliance.cli, jicui_compliance.store  # the command's heavy imports, done once

for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            for fd, name in ((1, "stdout"), (2, "stderr")):
                os.dup2(os.open(req[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
            os.chdir(req["cwd"])
            os.environ.update(req["env"])
            sys.argv = ["jicui", *req["args"]]
            try:
                main()
                code = 0
            except SystemExit as exc:
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


@pytest.fixture(scope="module")
def forked(tmp_path_factory) -> Iterator:
    """``forked(store, folder, received, env)``: `jicui ingest` in a process of its own, forked from a server
    that imported the command line once (:data:`_FORK_SERVER`); a :class:`subprocess.CompletedProcess` as
    :func:`_ingest_cli` gives. POSIX only (fork); elsewhere the new interpreter of :func:`_ingest_cli`."""
    if not hasattr(os, "fork"):
        yield _ingest_cli
        return
    logs = tmp_path_factory.mktemp("forked")
    server = subprocess.Popen([sys.executable, "-c", _FORK_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, cwd=ROOT, env={**os.environ, FAIL_AT_ENV: ""})
    asked = iter(range(1, 10**6))

    def run(store: Path, folder: Path, received: str, env: dict | None = None) -> subprocess.CompletedProcess:
        n = next(asked)
        out, err = logs / f"{n}.out", logs / f"{n}.err"
        args = ["ingest", str(folder), "--store", str(store), "--received", received]
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps({"args": args, "env": env or {}, "cwd": str(ROOT), "stdout": str(out),
                                       "stderr": str(err)}) + "\n")
        server.stdin.flush()
        code = int(server.stdout.readline())
        return subprocess.CompletedProcess(args, code, out.read_text("utf-8"), err.read_text("utf-8"))

    try:
        yield run
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=60)


def _ingest_here(store: Path, folder: Path, received: str):
    """The same command in this process (typer's CliRunner): where no process is killed, the second's start-up of
    a new interpreter (pandas, pandera, DuckDB) proves nothing more."""
    return runner.invoke(app, ["ingest", str(folder), "--store", str(store), "--received", received])


def _keep_diffs(monkeypatch) -> list[tuple[tuple, dict, Diff]]:
    """The comparisons the `diff` command makes, as they pass (the arguments diff_runs is given after the store, and
    the Diff it returns, unchanged): a test reads the very comparison the command wrote, not a second one."""
    import jicui_compliance.store.diff as diff_module

    made: list[tuple[tuple, dict, Diff]] = []

    def kept(store, *args, **kwargs):
        made.append((args, kwargs, diff_runs(store, *args, **kwargs)))
        return made[-1][2]

    monkeypatch.setattr(diff_module, "diff_runs", kept)
    return made


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> dict:
    """A store with a first ingest of a small town, and a changed second week of it."""
    base = tmp_path_factory.mktemp("kill")
    week1 = _small_town(base / "week1")
    week2 = base / "week2"
    shutil.copytree(week1, week2)
    with open(week2 / "东坡村" / "东坡村动火作业审批记录.csv", "ab") as f:  # overwritten: other bytes
        f.write(b"\r\n")
    (week2 / "应急站" / "执法检查情况说明.docx").unlink()
    store = base / "store.duckdb"
    done = _ingest_here(store, week1, "2023-07-07")
    assert done.exit_code == 0, done.output
    return {"store": store, "week1": week1, "week2": week2, "base": base}


@pytest.fixture(scope="module")
def second_week(town) -> dict:
    """The town's store given its first week again (received 2023-07-10: identical files) and then its second week
    (received 2023-07-14), with what each ingest returned: shared by the tests that read two runs; a test that
    writes to the store (damages it, drops a column) works on a copy."""
    store = town["base"] / "two_weeks.duckdb"
    shutil.copy(town["store"], store)
    again = ingest(store, [town["week1"]], received=dt.date(2023, 7, 10))
    out = ingest(store, [town["week2"]], received=dt.date(2023, 7, 14))
    assert out.run_id == 2
    assert not Path(f"{store}.wal").exists()  # all in the file: a copy of it is the store
    return {"store": store, "again": again, "out": out}


@pytest.fixture(scope="module")
def two_weeks(second_week) -> Path:
    """The town's store with its second week ingested (received 2023-07-14)."""
    return second_week["store"]


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)  # every place the ingest can be killed
def test_a_killed_ingest_leaves_the_store_as_it_was(town, forked, stage, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    before = _snapshot(store)
    # the console command in a new interpreter once (killed as it commits), forked from one that imported it else
    killed = (_ingest_cli if stage == "commit" else forked)(store, town["week2"], "2023-07-14", {FAIL_AT_ENV: stage})
    assert killed.returncode != 0, f"{stage}: the ingest was not killed ({killed.stdout})"
    assert _snapshot(store) == before, stage
    # the store still works: the same ingest, not killed, goes through (in this process: it is the store the kill
    # left that is tested, not a second interpreter)
    again = _ingest_here(store, town["week2"], "2023-07-14")
    assert again.exit_code == 0, again.output
    assert len(_snapshot(store)["runs"]) == 2


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["blobs", "blobs:5", "rows:4", "findings", "commit", "random"])
def test_a_killed_first_ingest_leaves_no_store(town, forked, stage, tmp_path):
    if stage == "random":  # the first ingest stores many files and ledgers: a random one of them
        stage = random.choice([f"blobs:{random.randint(1, 7)}", f"rows:{random.randint(1, 6)}"])
    store = tmp_path / "new.duckdb"
    killed = forked(store, town["week1"], "2023-07-07", {FAIL_AT_ENV: stage})
    assert killed.returncode != 0
    assert not store.exists()
    again = _ingest_here(store, town["week1"], "2023-07-07")  # over what the kill left (….partial, its .wal)
    assert again.exit_code == 0, again.output
    assert len(_snapshot(store)["runs"]) == 1


def test_versions_of_changed_unchanged_and_removed_files(town, second_week, tmp_path):
    store = second_week["store"]  # only read
    again, out = second_week["again"], second_week["out"]
    assert again.run_id is None, "identical files make no new version"
    assert out.run_id == 2
    v = out.versions.set_index("unit")
    n_files = sum(1 for p in (town["week1"] / "东坡村").iterdir() if not p.name.startswith(("~$", ".")))
    assert v.loc["东坡村", "修改"] == 1 and v.loc["东坡村", "未变"] == n_files - 1
    assert v.loc["应急站", "撤回"] == 1
    assert "积翠镇" in out.units_unchanged
    with Store.open(store) as s:
        hist = s.file_history("应急站/执法检查情况说明.docx")
        assert hist["change"].tolist() == ["added", "withdrawn"]
        # the withdrawn file stays retrievable, byte for byte
        assert s.blob(hist["sha256"].iloc[0]) == (town["week1"] / "应急站" / "执法检查情况说明.docx").read_bytes()
        latest = s.state_files(s.state_versions()["version_id"])
        assert "应急站/执法检查情况说明.docx" not in set(latest["path"])
        # the overwritten file's first version too
        first = s.state_files(s.state_versions(run_id=1)["version_id"]).set_index("path")
        assert s.blob(first.loc["东坡村/东坡村动火作业审批记录.csv", "sha256"]) == (
            town["week1"] / "东坡村" / "东坡村动火作业审批记录.csv").read_bytes()
        distinct = {hashlib.sha256(p.read_bytes()).hexdigest() for p in town["week1"].rglob("*") if p.is_file()
                    and not p.name.startswith(("~$", "."))}
        assert s.df("SELECT count(*) AS n FROM blobs")["n"][0] == len(distinct) + 1  # + the overwritten file
    shown = runner.invoke(app, ["history", "--store", str(store)])
    assert shown.exit_code == 0, shown.output
    assert "撤回：应急站/执法检查情况说明.docx" in shown.output
    restored = runner.invoke(app, ["restore", "--store", str(store), "--version", "3", "--out", str(tmp_path / "r")])
    assert restored.exit_code == 0, restored.output
    assert (tmp_path / "r" / "应急站" / "执法检查情况说明.docx").exists()


def test_stored_rows_are_the_typed_rows_of_the_check(town):
    """Dates are stored as DATE, date-times as TIMESTAMP: what comes back is what the check typed."""
    checked = run_check([town["week1"]], as_of=dt.date(2023, 7, 7))
    src = ["source_file", "source_sheet", "source_row"]
    with Store.open(town["store"]) as s:
        state = s.state_versions(run_id=1)
        compared = 0
        for name, led in LEDGERS.items():
            want = checked.ledgers.get(name)
            if want is None or want.empty:
                continue
            got = s.state_rows(name, state)
            fields = [f for f in led.fields if led.fields[f].dtype != "object"]
            got = got[src + fields].sort_values(src).reset_index(drop=True)
            want = want[src + fields].sort_values(src).reset_index(drop=True)
            want["source_row"] = want["source_row"].astype("Int64")
            pd.testing.assert_frame_equal(got, want, check_dtype=False, check_index_type=False)
            compared += 1
        assert compared >= 5
        dates = s.df("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'rows_hazards'"
                     " AND column_name IN ('found_on', 'deadline')")
        assert set(dates["data_type"]) == {"DATE"}


def _xlsx_by(writer: str, path: Path) -> Path:
    rows = [["序号", "单位名称", "排查日期", "资金（万元）"]] + [
        [i, f"积翠镇第{i % 37}机械厂", dt.date(2023, 5, 1 + i % 28), i * 0.5] for i in range(1, 400)]
    if writer == "xlsxwriter":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("隐患台账")
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
        wb.close()
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(path)
    return path


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_an_xlsx_of_a_zlib_based_writer_is_stored_smaller_and_restored_exactly(writer, tmp_path):
    data = _xlsx_by(writer, tmp_path / "台账.xlsx").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    codec, stored = packing.pack(data, sha)
    assert codec == packing.ZIP_XZ
    assert len(stored) < len(data) * 0.8
    assert packing.unpack(codec, stored, sha) == data


def _zip_with_foreign_deflate(path: Path, monkeypatch, foreign: set[str]) -> bytes:
    """A zip whose members in ``foreign`` are deflated as no zlib level does (Huffman only, as an
    encoder other than zlib's would): its streams cannot be reproduced."""
    real = zipfile._get_compressor  # type: ignore[attr-defined]

    def compressor(compress_type, compresslevel=None):
        if compresslevel == 1:
            return zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_HUFFMAN_ONLY)
        return real(compress_type, compresslevel)

    monkeypatch.setattr(zipfile, "_get_compressor", compressor)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        sheet = "<sheetData>" + "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 3000))
        for name, text in [("[Content_Types].xml", "<Types/>" * 20), ("xl/styles.xml", "<styleSheet/>" * 30),
                           ("xl/worksheets/sheet1.xml", sheet + "</sheetData>"),
                           ("xl/worksheets/sheet2.xml", sheet.replace("<v>", "<v>1") + "</sheetData>")]:
            z.writestr(name, text, compresslevel=1 if name in foreign else 6)
    monkeypatch.setattr(zipfile, "_get_compressor", real)
    return path.read_bytes()


def test_a_zip_not_written_by_zlib_is_stored_as_it_is(tmp_path, monkeypatch):
    data = _zip_with_foreign_deflate(tmp_path / "excel.xlsx", monkeypatch,
                                     {"[Content_Types].xml", "xl/styles.xml", "xl/worksheets/sheet1.xml",
                                      "xl/worksheets/sheet2.xml"})
    assert packing.pack(data) == (packing.PLAIN, data)


def test_members_that_do_not_reproduce_are_kept_verbatim(tmp_path, monkeypatch):
    data = _zip_with_foreign_deflate(tmp_path / "mixed.xlsx", monkeypatch, {"xl/worksheets/sheet2.xml"})
    sha = hashlib.sha256(data).hexdigest()
    codec, stored = packing.pack(data, sha)
    assert codec == packing.ZIP_XZ and packing.unpack(codec, stored, sha) == data
    header = lzma.decompress(stored).split(b"\n", 2)[1]
    assert len(json.loads(header)["members"]) == 3  # the second worksheet stays deflated as it was


def test_a_restore_by_another_zlib_gives_the_same_contents_and_says_so(town, tmp_path):
    """A packed xlsx rebuilt by a zlib that deflates otherwise (simulated: another level): not the
    same bytes, so the file comes back re-zipped with the same contents, and the store says so."""
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    con = duckdb.connect(str(store))
    sha, stored = con.execute("SELECT sha256, data FROM blobs WHERE codec = 'zip-xz' ORDER BY size DESC"
                              " LIMIT 1").fetchone()
    payload = lzma.decompress(stored)
    magic, header, body = payload.split(b"\n", 2)
    meta = json.loads(header)
    for m in meta["members"]:
        m[3] = 1 if m[3] != 1 else 9
    con.execute("UPDATE blobs SET data = ? WHERE sha256 = ?",
                [lzma.compress(magic + b"\n" + json.dumps(meta).encode() + b"\n" + body), sha])
    con.close()
    with Store.open(store) as s:
        data = s.blob(sha)
        assert s.inexact == [sha]
    # the same members with the same contents (each checked by its CRC-32); the bytes may differ
    original = next(p for p in town["week1"].rglob("*.xlsx") if hashlib.sha256(p.read_bytes()).hexdigest() == sha)
    with zipfile.ZipFile(original) as a, zipfile.ZipFile(io.BytesIO(data)) as b:
        assert b.testzip() is None
        assert a.namelist() == b.namelist()
        assert all(a.read(n) == b.read(n) for n in a.namelist())


def test_a_store_damaged_beyond_repair_is_one_error(town, tmp_path):
    """A packed blob whose contents no longer match their CRC-32 is an error, never another file."""
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    con = duckdb.connect(str(store))
    sha, stored = con.execute("SELECT sha256, data FROM blobs WHERE codec = 'zip-xz' ORDER BY size DESC"
                              " LIMIT 1").fetchone()
    payload = bytearray(lzma.decompress(stored))
    i = payload.index(b"<sheetData")
    payload[i + 20] ^= 0x01  # one bit of a worksheet's content
    con.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", [lzma.compress(bytes(payload)), sha])
    con.close()
    with Store.open(store) as s, pytest.raises(StoreError, match="无法取回"):
        s.blob(sha)


def test_a_store_of_schema_1_is_read_and_extended(town, tmp_path):
    """A store made before blobs had their codec: its blobs are read as before; an ingest adds the column."""
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    con = duckdb.connect(str(store))
    con.execute("DELETE FROM blobs WHERE codec = 'zip-xz'")  # schema 1 kept zips as they were
    con.execute("ALTER TABLE blobs DROP COLUMN codec")
    con.close()
    with Store.open(store) as s:
        csv = s.df("SELECT sha256 FROM blobs WHERE packed LIMIT 1")["sha256"][0]
        assert hashlib.sha256(s.blob(csv)).hexdigest() == csv
    out = ingest(store, [town["week2"]], received=dt.date(2023, 7, 14))
    assert out.run_id == 2
    with Store.open(store) as s:
        assert set(s.df("SELECT DISTINCT codec FROM blobs")["codec"].dropna()) >= {"zlib"}


def test_a_unit_folder_ingested_alone_is_that_unit(town, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    out = ingest(store, [town["week2"] / "东坡村"], received=dt.date(2023, 7, 14))
    assert out.versions["unit"].tolist() == ["东坡村"]
    with Store.open(store) as s:  # the other units keep their versions: the registry is still there
        assert "积翠镇企业名录.xlsx" in set(s.state_files(s.state_versions()["version_id"])["path"])


def test_a_version_the_store_does_not_have_is_one_error(town, tmp_path):
    """--version 99 of a store with fewer versions is an error, not the latest state in silence."""
    with Store.open(town["store"]) as s:
        last = int(s.state_versions()["version_id"].max())
    for args in (["check", "--store", str(town["store"]), "--out", str(tmp_path / "c")],
                 ["restore", "--store", str(town["store"]), "--out", str(tmp_path / "r")]):
        done = runner.invoke(app, [*args, "--version", "99"])
        assert done.exit_code == 2 and f"数据库中没有第 99 个报送版本（已有：第 1 至第 {last} 个" in done.output, done.output
        assert "Traceback" not in done.output
    assert not (tmp_path / "r").exists()
    kept = runner.invoke(app, ["restore", "--store", str(town["store"]), "--out", str(tmp_path / "r"), "--version", str(last)])
    assert kept.exit_code == 0, kept.output
    # into a folder that already holds files, a restore would no longer be that version: refused
    again = runner.invoke(app, ["restore", "--store", str(town["store"]), "--out", str(tmp_path / "r"), "--version", "1"])
    assert again.exit_code == 2 and "不是空的" in again.output, again.output


def test_single_files_withdraw_nothing(town, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    out = ingest(store, [town["week2"] / "东坡村" / "东坡村动火作业审批记录.csv"], received=dt.date(2023, 7, 14))
    v = out.versions.set_index("unit")
    assert v.loc["东坡村", "修改"] == 1 and v.loc["东坡村", "撤回"] == 0 and v.loc["东坡村", "未变"] > 0
    with Store.open(store) as s:
        assert len(s.state_files(s.state_versions()["version_id"])) == len(
            s.state_files(s.state_versions(run_id=1)["version_id"]))


def test_store_errors_are_one_line(tmp_path):
    missing = runner.invoke(app, ["history", "--store", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "数据库文件不存在" in missing.output
    (tmp_path / "x.duckdb").write_bytes(b"not a database")
    bad = runner.invoke(app, ["diff", "--store", str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "d")])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    both = runner.invoke(app, ["check", str(SAMPLES), "--store", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)])
    assert both.exit_code == 2
    for mode in ("--all-at-once", "--by-village"):  # checked from a store that is not one
        broken = runner.invoke(app, ["check", "--store", str(tmp_path / "x.duckdb"), mode, "--out", str(tmp_path / "c")])
        assert broken.exit_code == 2 and "无法打开数据库" in broken.output, broken.output
    (tmp_path / "folder.duckdb").mkdir()
    for name in ("x.duckdb", "folder.duckdb"):  # in Chinese, without DuckDB's English
        said = runner.invoke(app, ["history", "--store", str(tmp_path / name)])
        words = said.output.replace(str(tmp_path / name), "").replace("DuckDB", "").replace("jicui ingest", "")
        assert said.exit_code == 2 and not re.search(r"[A-Za-z]{4,}", words), said.output


# -- the sample history ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def history(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("history")
    manifest = make_history(SAMPLES, out / "history")
    store = out / "history.duckdb"
    for w in manifest["weeks"]:
        ingest(store, [out / "history" / w["folder"]], received=dt.date.fromisoformat(w["received"]),
               as_of=dt.date.fromisoformat(manifest["as_of"]))
    return {"manifest": manifest, "store": store, "folder": out / "history"}


@pytest.mark.slow
@pytest.mark.parametrize("week", [1, 2])
def test_diff_reports_exactly_the_planted_changes(history, week, tmp_path, monkeypatch):
    planted = history["manifest"]["weeks"][week]
    assert planted["findings"] and planted["rows"]
    made = _keep_diffs(monkeypatch)  # the comparison `jicui diff A B` makes: read here, written below as xlsx, HTML
    done = runner.invoke(app, ["diff", str(week), str(week + 1), "--store", str(history["store"]), "--out",
                               str(tmp_path)])
    assert done.exit_code == 0, done.output
    [(runs, options, d)] = made
    assert runs == (week, week + 1) and options == {"village": None}
    moved = d.findings[d.findings["状态"] != "仍未整改"]
    assert sorted(zip(moved["状态"], moved["规则"], moved["企业名称"], moved["来源文件"])) == sorted(
        (x["change"], x["rule"], x["enterprise"], x["file"]) for x in planted["findings"])
    assert sorted(zip(d.rows["变化"], d.rows["台账"], d.rows["报送单位"], d.rows["记录"])) == sorted(
        (x["change"], x["ledger"], x["unit"], x["key"]) for x in planted["rows"])
    still = d.findings[d.findings["状态"] == "仍未整改"]
    assert len(still) > 0 and (still["已持续天数"] == 7 * week).all()  # open since the first week
    # the command writes the same as xlsx and HTML
    xlsx = next(tmp_path.glob("*.xlsx"))
    sheets = pd.read_excel(xlsx, sheet_name=None, header=2, engine="openpyxl")
    assert set(sheets) == {"汇总", "新增发现", "已整改发现", "因撤回而不再出现", "仍未整改发现", "台账变化"}
    assert len(sheets["台账变化"]) == len(planted["rows"])
    page = next(tmp_path.glob("*.html")).read_text("utf-8")
    assert "仍未整改" in page
    # the page carries the font of its own characters: its Chinese shows on a machine without Chinese fonts
    import base64
    import io

    from fontTools.ttLib import TTFont

    data = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", page)
    assert data and "Jicui Noto Sans CJK SC" in page.split("</style>")[0]
    cmap = TTFont(io.BytesIO(base64.b64decode(data.group(1)))).getBestCmap()
    assert {ord(ch) for ch in "仍未整改发现台账记录变化汇总"} <= set(cmap)


@pytest.mark.slow
def test_check_from_the_store_is_the_stateless_check(history, tmp_path):
    done = runner.invoke(app, ["check", "--store", str(history["store"]), "--as-of", "2023-12-31", "--out",
                               str(tmp_path)])
    assert done.exit_code == 0, done.output
    stateless = safe_for_output(run_check([history["folder"] / "第3周"], as_of=dt.date(2023, 12, 31)).findings)
    from_store = pd.read_csv(tmp_path / "findings.csv", dtype=str, keep_default_na=False)
    assert len(from_store) == len(stateless)
    assert sorted(from_store["message"]) == sorted(stateless["message"])
    with Store.open(history["store"]) as s:  # what the ingest stored is the same
        stored = safe_for_output(s.run_findings(3))
        result = s.load_run(3)
    assert sorted(stored["message"]) == sorted(stateless["message"])
    assert len(result.findings) == len(stateless) and len(result.ledgers["hazards"]) > 0
    # village by village from the store: the state's folders, checked out, cut as a submission's are
    by_village = runner.invoke(app, ["check", "--store", str(history["store"]), "--as-of", "2023-12-31", "--out",
                                     str(tmp_path / "v"), "--by-village"])
    assert by_village.exit_code == 0, by_village.output
    assert "分村核查" in by_village.output and "未能分村" not in by_village.output
    assert (tmp_path / "v" / "findings.csv").read_bytes() == (tmp_path / "findings.csv").read_bytes()


@pytest.mark.slow  # the sample town's three weeks generated and ingested
def test_export_parquet_by_village(history, tmp_path):
    done = runner.invoke(app, ["export", "--store", str(history["store"]), "--parquet", str(tmp_path / "pq")])
    assert done.exit_code == 0, done.output
    q = duckdb.connect()
    hz = q.execute(f"SELECT * FROM read_parquet('{(tmp_path / 'pq' / 'hazards').as_posix()}/**/*.parquet',"
                   " hive_partitioning=true)").df()
    assert set(hz["town"]) == {"积翠镇"} and "东坡村" in set(hz["village"])
    assert hz["hazard_no"].str.endswith("-补").sum() == 0  # week 3 deleted it again
    sw = q.execute(f"SELECT id_no FROM read_parquet('{(tmp_path / 'pq' / 'special_workers').as_posix()}/**/*.parquet')"
                   " WHERE id_no IS NOT NULL").df()
    assert len(sw) and sw["id_no"].str.contains(r"\*{4}").all(), "ID numbers are masked"
    # and in every other text: a 特种作业操作证 number is T and the ID number, a row's key holds it
    certs = q.execute(f"SELECT cert_no, row_key FROM read_parquet('{(tmp_path / 'pq' / 'special_workers').as_posix()}"
                      "/**/*.parquet') WHERE cert_no LIKE 'T%'").df()
    assert len(certs) and not certs["cert_no"].str.contains(r"T\d{17}").any()
    assert not certs["row_key"].str.contains(r"T\d{17}").any()
    f = q.execute(f"SELECT count(*) FROM read_parquet('{(tmp_path / 'pq' / 'findings').as_posix()}/**/*.parquet')")
    with Store.open(history["store"]) as s:
        assert f.fetchone()[0] == len(s.run_findings(3))
    # exported again into the same folder, an earlier run's data is replaced whole, not mixed in
    again = runner.invoke(app, ["export", "--store", str(history["store"]), "--parquet", str(tmp_path / "pq"), "--run", "1"])
    assert again.exit_code == 0, again.output
    runs = q.execute(f"SELECT DISTINCT run_id FROM read_parquet('{(tmp_path / 'pq' / 'hazards').as_posix()}/**/*.parquet',"
                     " hive_partitioning=true)").df()
    assert runs["run_id"].tolist() == [1]


# -- reports compared with the previous one --------------------------------------------------------
@pytest.fixture(scope="module")
def dated_store(history, tmp_path_factory) -> Path:
    """The three weeks received on 2023-09-29, 2023-12-22 and 2023-12-29: the history's store (received 12-15,
    12-22, 12-29) with its first week's versions and run received on 2023-09-29 instead. A report re-checks the
    states it reads as of its own day and of the previous period's end (Store.check_state), never the runs' stored
    findings, so the day the ingests checked them as of (the history's 2023-12-31) plays no part: ingesting the full
    town three times again would store the same files, rows and versions."""
    store = tmp_path_factory.mktemp("dated") / "s.duckdb"
    shutil.copy(history["store"], store)
    weeks = [dt.date.fromisoformat(w["received"]) for w in history["manifest"]["weeks"]]
    assert weeks == [dt.date(2023, 12, 15), dt.date(2023, 12, 22), dt.date(2023, 12, 29)]
    con = duckdb.connect(str(store))
    try:
        for table in ("versions", "runs"):
            con.execute(f"UPDATE {table} SET received = DATE '2023-09-29' WHERE received = DATE '2023-12-15'")
        got = con.execute("SELECT run_id, received FROM runs ORDER BY 1").fetchall()
        first = con.execute("SELECT DISTINCT received FROM versions WHERE version_id IN"
                            " (SELECT version_id FROM run_versions WHERE run_id = 1)").fetchall()
    finally:
        con.close()
    assert got == [(1, dt.date(2023, 9, 29)), (2, dt.date(2023, 12, 22)), (3, dt.date(2023, 12, 29))]
    assert first == [(dt.date(2023, 9, 29),)]
    return store


def history_fix(manifest: dict) -> tuple[str, str]:
    """The hazard the history fixed in week 2 (HZ005 fixed): enterprise and 隐患编号."""
    week = manifest["weeks"][1]
    name = next(f["enterprise"] for f in week["findings"] if f["rule"] == "HZ005")
    key = next(r["key"] for r in week["rows"] if r["ledger"] == "重大事故隐患台账" and r["change"] == "修改")
    return name, key.rsplit("|", 1)[1]


def _comparison(out: Path) -> pd.DataFrame:
    book = next(out.glob("*.xlsx"))
    return pd.read_excel(book, sheet_name="与上期对比", header=1, engine="openpyxl")


@pytest.mark.slow
@pytest.mark.parametrize("cadence", ["week", "month", "quarter"])
def test_reports_compare_with_the_previous_report(dated_store, history, cadence, tmp_path):
    done = runner.invoke(app, ["report", "--store", str(dated_store), "--cadence", cadence, "--as-of", "2023-12-29",
                               "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    t = _comparison(tmp_path)
    assert "无上期数据" not in set(t["上期"].astype(str))
    assert t.loc[t["指标"] == "隐患（项）", "变化"].iloc[0].startswith(("+", "-"))
    page = next(tmp_path.glob("*.html")).read_text("utf-8")
    assert "与上期对比" in page
    if cadence == "week":
        book = next(tmp_path.glob("*.xlsx"))
        fixed = pd.read_excel(book, sheet_name="本周已整改隐患", header=1, engine="openpyxl")
        fixed_w2 = history_fix(history["manifest"])
        assert fixed_w2 not in set(zip(fixed["企业名称"], fixed["隐患编号"].astype(str)))  # fixed in week 2 already
        assert len(fixed) > 0
    if cadence == "quarter":  # the 督办函 are decided from the previous report: no "cannot decide" note
        assert "暂不能判定督办函" not in page


@pytest.mark.slow
def test_the_first_report_says_there_is_no_previous_one(dated_store, tmp_path):
    done = runner.invoke(app, ["report", "--store", str(dated_store), "--cadence", "week", "--as-of", "2023-09-29",
                               "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "无上期数据" in done.output
    assert "无上期数据" in set(_comparison(tmp_path)["上期"].astype(str))
    assert "无上期数据" in next(tmp_path.glob("*.html")).read_text("utf-8")


@pytest.mark.slow  # the sample town's three weeks generated and ingested
def test_the_history_guide_restores_and_names_the_files_as_it_says(history, tmp_path):
    """docs/guide/history.md: the version its restore example gives is the whole week its folder is named after
    (the sample history's week, byte for byte), and the diff with --village writes the file names it gives."""
    guide = (ROOT / "docs" / "guide" / "history.md").read_text("utf-8")
    version, week = re.search(r"jicui restore --store 专项行动\.duckdb --version (\d+) --out 取回/(第\d周)", guide).groups()
    out = tmp_path / week
    done = runner.invoke(app, ["restore", "--store", str(history["store"]), "--version", version, "--out", str(out)])
    assert done.exit_code == 0, done.output
    sent = history["folder"] / week
    files = sorted(p.relative_to(sent) for p in sent.rglob("*") if p.is_file())
    assert sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()) == files
    assert all((out / f).read_bytes() == (sent / f).read_bytes() for f in files)
    a, b, village = re.search(r"jicui diff (\d) (\d) --store 专项行动\.duckdb --village (\S+) --out 对比", guide).groups()
    done = runner.invoke(app, ["diff", a, b, "--store", str(history["store"]), "--village", village,
                               "--out", str(tmp_path / "对比")])
    assert done.exit_code == 0, done.output
    written = sorted(p.name for p in (tmp_path / "对比").iterdir())
    assert written == [f"对比_第{a}次_第{b}次_{village}.html", f"对比_第{a}次_第{b}次_{village}.xlsx"]
    assert all(f"`{name}`" in guide for name in written)


@pytest.mark.slow  # the sample town's three weeks generated and ingested
def test_manifest_is_written(history):
    m = json.loads((history["folder"] / "manifest.json").read_text("utf-8"))
    assert [w["folder"] for w in m["weeks"]] == ["第1周", "第2周", "第3周"]
    assert m["weeks"][1]["withdrawn"] and m["weeks"][2]["withdrawn"]


def test_an_ingest_that_packs_in_a_worker_process_stores_the_same(town, tmp_path, monkeypatch):
    """Large xlsx submissions are packed in a worker process beside the check: the store holds the same
    files (restored byte for byte), rows and findings as when they are packed in a thread."""
    import jicui_compliance.store as store_mod

    # the town's store: the same submission, received the same day, packed in a thread (far below PACK_PROCESS_BYTES)
    threaded = town["store"]
    assert sum(p.stat().st_size for p in town["week1"].rglob("*") if p.is_file()) < store_mod.PACK_PROCESS_BYTES
    monkeypatch.setattr(store_mod, "PACK_PROCESS_BYTES", 0)
    monkeypatch.setattr(store_mod, "cores", lambda: 2)
    started = []

    class Pool(store_mod.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs["mp_context"].get_start_method())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(store_mod, "ProcessPoolExecutor", Pool)
    pooled = tmp_path / "process.duckdb"
    ingest(pooled, [town["week1"]], received=dt.date(2023, 7, 7))
    assert started == ["spawn"]
    with Store.open(threaded) as a, Store.open(pooled) as b:
        blobs_a = a.df("SELECT sha256, codec, size FROM blobs ORDER BY sha256")
        pd.testing.assert_frame_equal(blobs_a, b.df("SELECT sha256, codec, size FROM blobs ORDER BY sha256"))
        assert (blobs_a["codec"] == packing.ZIP_XZ).any()  # the small town has packed xlsx too
        for sha in blobs_a["sha256"]:
            assert hashlib.sha256(b.blob(sha)).hexdigest() == sha
        cols = "rule_id, source_file, source_sheet, source_row, message"
        pd.testing.assert_frame_equal(a.df(f"SELECT {cols} FROM findings ORDER BY ALL"),
                                      b.df(f"SELECT {cols} FROM findings ORDER BY ALL"))


def test_the_ledger_changes_of_a_diff_are_masked():
    from jicui_compliance.store.diff import _masked_rows

    rows = pd.DataFrame({"变化": ["新增"], "报送单位": ["东坡村"], "记录": ["9114012295012373GG|T140122198503151232"],
                         "行号": [3]})
    shown = _masked_rows(rows)
    assert shown.at[0, "记录"] == "9114012295012373GG|T140122*********1232" or "198503151232" not in shown.at[0, "记录"]
    assert shown.at[0, "行号"] == 3 and shown.at[0, "报送单位"] == "东坡村"


def test_diff_pairs_rows_and_findings_within_the_unit_that_sent_them(tmp_path):
    """The same record in two units' files (a station keeps a copy of a village's hot-work permits): when the
    village deletes one, the diff says the village deleted it — not the station, whose copy is unchanged —
    and the findings on the station's copy stay open while those on the village's row are gone."""
    week1 = _small_town(tmp_path / "week1")
    src = week1 / "东坡村" / "东坡村动火作业审批记录.csv"
    shutil.copy(src, week1 / "应急站" / "抄送动火作业审批记录.csv")
    week2 = tmp_path / "week2"
    shutil.copytree(week1, week2)
    lines = src.read_bytes().split(b"\n")
    (week2 / "东坡村" / src.name).write_bytes(b"\n".join(lines[:82] + lines[83:]))  # deleted by the village
    store = tmp_path / "store.duckdb"
    first = ingest(store, [week1], received=dt.date(2023, 7, 7), as_of=dt.date(2023, 12, 31))
    # the first week's check (the ingest's own, of week1 as it is): a permit without 消防措施落实
    assert "HW005" in _rules_on(first.findings, "东坡村/" + src.name, 83)
    ingest(store, [week2], received=dt.date(2023, 7, 14), as_of=dt.date(2023, 12, 31))
    with Store.open(store) as s:
        d = diff_runs(s, 1, 2)
    rows = d.rows[d.rows["台账"] == LEDGERS["hot_work"].title]
    assert rows[["变化", "报送单位"]].values.tolist() == [["删除", "东坡村"]]
    assert rows["上期来源文件"].iloc[0] == "东坡村/" + src.name and rows["上期行号"].iloc[0] == 83
    moved = d.findings[d.findings["状态"] != "仍未整改"]
    copy = "应急站/抄送动火作业审批记录.csv"
    # gone: the finding on the village's deleted row (not rectified: its record is gone), and the station's copy
    # of it is no longer a duplicate (rectified)
    assert sorted(moved[["状态", "规则", "来源文件", "行号", "撤回说明"]].values.tolist()) == [
        ["因撤回而不再出现", "HW005", "东坡村/" + src.name, 83, "所在记录已从台账中删除"], ["已整改", "SCH004", copy, 83, ""]]
    still = d.findings[(d.findings["来源文件"] == copy) & (d.findings["行号"] == 83) & (d.findings["规则"] == "HW005")]
    assert still["状态"].tolist() == ["仍未整改"]  # the station's copy is unchanged
    assert (d.findings["状态"] == "新增").sum() == 0


def _rules_on(f: pd.DataFrame, file: str, row: int) -> set[str]:
    return set(f.loc[(f["source_file"] == file) & (f["source_row"] == row), "rule_id"])


def test_an_ingest_that_cannot_be_checked_is_one_line_and_stores_nothing(town, tmp_path):
    """No registry in a first ingest: exit 2 with check's reason, and no half-made database left beside it.
    A village folder under a name the store does not know (东坡村0728) would replace the town's files, the
    registry among them: exit 2 naming the folder, and the store as it was."""
    village = tmp_path / "收件" / "东坡村"
    shutil.copytree(town["week1"] / "东坡村", village)
    fresh = tmp_path / "new.duckdb"
    done = _ingest_cli(fresh, village.parent, "2023-07-14")
    assert done.returncode == 2, done.stderr
    assert "企业名录" in done.stderr and "内部错误" not in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not fresh.exists() and not Path(str(fresh) + ".partial").exists()
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    before = _snapshot(store)
    odd = village.rename(tmp_path / "收件" / "东坡村0728")
    here = _ingest_here(store, odd, "2023-07-28")  # the process's exit code and stderr are the first case's
    assert here.exit_code == 2, here.output
    assert "东坡村0728" in here.stderr and "改名" in here.stderr and "内部错误" not in here.stderr
    assert _snapshot(store) == before


def test_the_export_masks_numbers_inside_list_cells():
    """执法人员, 隐患编号, 处理措施 are cells listing several items (stored as lists): each item is masked."""
    import numpy as np

    from jicui_compliance.store.export import _masked

    rows = pd.DataFrame({"officers": [np.array(["张三13812345678", "李四"], dtype=object), ["王五 110105194912310021"],
                                      None], "station": ["应急站", "应急站", "城建站"]})
    out = _masked(rows, "enforcement")
    assert list(out.at[0, "officers"]) == ["张三138****5678", "李四"]
    assert list(out.at[1, "officers"]) == ["王五 110105********0021"]
    assert out.at[2, "officers"] is None and out["station"].tolist() == ["应急站", "应急站", "城建站"]


_HAZARD_HEADER = ("统一社会信用代码,企业名称,隐患编号,隐患描述,发现日期,发现方式,是否立即整改,整改责任人,整改措施,整改资金(万元),"
                  "整改期限,应急预案,是否公示,报告日期,整改完成日期,验收人,验收日期,整改状态")


def _hazards(*rows: tuple[str, bool]) -> str:
    """A hazard CSV of one sample enterprise, hazards without a 隐患编号: (description, fixed) each."""
    lines = [_HAZARD_HEADER]
    for i, (what, fixed) in enumerate(rows, start=1):
        done = "2023-06-18,张验收,2023-06-19,已销号" if fixed else ",,,整改中"
        lines.append(f"91140122186327491R,东坡同心石料厂,,{what},2023-06-0{i},企业自查,否,韩兰悦,整改,0.5,2023-06-20,有,是,"
                     f"2023-06-0{i},{done}")
    return "\n".join(lines) + "\n"


def test_diff_pairs_the_findings_of_records_without_a_number_as_their_rows(tmp_path):
    """Three overdue hazards of one enterprise without a 隐患编号 (the column is optional): the village fixes
    the first two. The diff says those two are 已整改 and the third still open — as its 台账变化 pairs the rows.
    The registry and this one file: the pairing is within the file, the village's other ledgers would only be
    checked and stored twice more."""
    week1 = tmp_path / "week1"
    (week1 / "东坡村").mkdir(parents=True)
    shutil.copy(SAMPLES / "积翠镇企业名录.xlsx", week1)
    week2 = tmp_path / "week2"
    shutil.copytree(week1, week2)
    (week1 / "东坡村" / "补充隐患.csv").write_text(_hazards(("破碎机防护罩缺失", False), ("配电箱未接地", False),
                                                            ("料仓护栏损坏", False)), "utf-8")
    (week2 / "东坡村" / "补充隐患.csv").write_text(_hazards(("破碎机防护罩缺失", True), ("配电箱未接地", True),
                                                            ("料仓护栏损坏", False)), "utf-8")
    store = tmp_path / "store.duckdb"
    ingest(store, [week1], received=dt.date(2023, 7, 14), as_of=dt.date(2023, 7, 14))
    ingest(store, [week2], received=dt.date(2023, 7, 21), as_of=dt.date(2023, 7, 14))
    with Store.open(store) as s:
        d = diff_runs(s, 1, 2)
    f = d.findings[(d.findings["来源文件"] == "东坡村/补充隐患.csv") & (d.findings["规则"] == "HZ005")]
    assert sorted(zip(f["状态"], f["行号"])) == [("仍未整改", 4), ("已整改", 2), ("已整改", 3)]
    assert (f.loc[f["状态"] == "仍未整改", "首次发现"] == dt.date(2023, 7, 14)).all()
    rows = d.rows[d.rows["来源文件"] == "东坡村/补充隐患.csv"]
    assert sorted(zip(rows["变化"], rows["行号"])) == [("修改", 2), ("修改", 3)]


def test_history_of_a_station_counts_its_findings_and_masks_withdrawn_names(town, tmp_path):
    """`history --village 应急站`: the findings on its own files (its enforcement records) and of the enterprises it
    supervises are its findings; a withdrawn file's name holding a phone number is shown masked."""
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    with Store.open(store) as s:
        f = s.run_findings(1)
    own = int((f["source_file"].str.startswith("应急站/") | (f["station"] == "应急站") | (f["village"] == "应急站")).sum())
    assert own > 0
    week = tmp_path / "week"
    shutil.copytree(town["week1"], week)
    (week / "应急站" / "联系人13912345678执法记录.csv").write_bytes(
        (week / "应急站" / "应急站执法检查记录.csv").read_bytes())
    ingest(store, [week], received=dt.date(2023, 7, 14))
    (week / "应急站" / "联系人13912345678执法记录.csv").unlink()
    ingest(store, [week], received=dt.date(2023, 7, 21))
    done = runner.invoke(app, ["history", "--store", str(store), "--village", "应急站"])
    assert done.exit_code == 0, done.output
    assert "13912345678" not in done.output and "139****5678" in done.output
    first = next(line for line in done.output.splitlines() if line.strip().startswith("│ 1 "))
    assert sum(int(x) for x in first.split("│")[5:8]) == own  # 错误, 警告, 提示 of the first run


def test_a_restore_that_fails_leaves_no_folder_and_names_the_file(town, tmp_path):
    """One stored file damaged: `restore` is exit 2 naming that file, and --out is not left holding the other
    files as if it were the version (it is restored whole or not at all)."""
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    con = duckdb.connect(str(store))
    path, sha = con.execute("SELECT path, sha256 FROM version_files WHERE path LIKE '东坡村/%.csv' ORDER BY path"
                            " LIMIT 1").fetchone()
    data = bytes(con.execute("SELECT data FROM blobs WHERE sha256 = ?", [sha]).fetchone()[0])
    con.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", [data[:-8] + b"\0" * 8, sha])
    con.close()
    out = tmp_path / "取回"
    done = runner.invoke(app, ["restore", "--store", str(store), "--out", str(out)])
    assert done.exit_code == 2, done.output
    assert Path(path).name in done.output and "无法取回" in done.output
    assert not out.exists() and not list(tmp_path.glob(".取回*"))
    # into an empty folder that exists, the same: it stays empty
    out.mkdir()
    assert runner.invoke(app, ["restore", "--store", str(store), "--out", str(out)]).exit_code == 2
    assert out.is_dir() and not any(out.iterdir())
    # a whole restore still works for a unit whose files are intact
    ok = runner.invoke(app, ["restore", "--store", str(store), "--out", str(out), "--village", "应急站"])
    assert ok.exit_code == 0, ok.output
    assert sorted(p.name for p in (out / "应急站").iterdir()) == sorted(
        p.name for p in (town["week1"] / "应急站").iterdir() if not p.name.startswith(("~$", ".")))


def test_a_diff_writes_both_files_or_neither(two_weeks, tmp_path, monkeypatch):
    import jicui_compliance.store.diff as diff_module

    store = two_weeks  # only read
    monkeypatch.setattr(diff_module, "_html", lambda d, sheets: (_ for _ in ()).throw(OSError(28, "No space left")))
    out = tmp_path / "对比"
    done = runner.invoke(app, ["diff", "--store", str(store), "--out", str(out)])
    assert done.exit_code == 2, done.output
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


# -- the store file: damaged, read-only, from another version ---------------------------------------
HEADER = 3 * 4096  # DuckDB's file header before the first block


def _damage_table(store: Path, table: str) -> None:
    """Flip 32 bytes in the block holding ``table``'s rows: its checksum no longer matches (a disk fault)."""
    con = duckdb.connect(str(store), read_only=True)
    block = con.execute(f"SELECT min(block_id) FROM pragma_storage_info('{table}') WHERE block_id >= 0").fetchone()[0]
    size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    con.close()
    with store.open("r+b") as f:
        f.seek(HEADER + block * size + 200)
        data = f.read(32)
        f.seek(HEADER + block * size + 200)
        f.write(bytes(b ^ 0x5A for b in data))


def test_a_damaged_store_is_one_line_and_exit_2_in_every_command(town, two_weeks, tmp_path):
    """One block of the store damaged (its checksum no longer matches): every command that reads it says the file
    is damaged and what to do, exit 2, not 内部错误 (a defect of the tool), and writes nothing."""
    store = tmp_path / "store.duckdb"
    shutil.copy(two_weeks, store)  # two runs to compare
    _damage_table(store, "version_files")  # every command reads which files a version holds
    s = str(store)
    commands = {"history": ["history", "--store", s], "diff": ["diff", "--store", s, "--out", str(tmp_path / "d")],
                "restore": ["restore", "--store", s, "--out", str(tmp_path / "r")],
                "export": ["export", "--store", s, "--parquet", str(tmp_path / "p")],
                "check": ["check", "--store", s, "--out", str(tmp_path / "c")],
                "ingest": ["ingest", str(town["week2"]), "--store", s, "--received", "2023-07-14"],
                "report": ["report", "--store", s, "--cadence", "week", "--out", str(tmp_path / "w")]}
    for name, args in commands.items():
        done = runner.invoke(app, args)
        assert done.exit_code == 2, f"{name}: {done.output}"
        assert f"数据库文件 {store} 已损坏" in done.output and "请用备份的副本替换它" in done.output, f"{name}: {done.output}"
        assert "内部错误" not in done.output
    assert not [p.name for p in tmp_path.iterdir() if p.name != "store.duckdb"]


def test_a_duckdb_error_of_another_connection_is_not_the_stores(town, tmp_path):
    """Inside `with Store.open(…)` (`check --store` checks and writes its outputs there) DuckDB is used on other
    connections too: a spill part gone, a full --out disk. Their errors are not the store file's: the store is not
    said to be damaged (the analyst might discard a healthy one); the store's own queries still are."""
    gone = tmp_path / "spill" / "part-0.parquet"
    with pytest.raises(duckdb.IOException):
        with Store.open(town["store"]):
            duckdb.connect().execute(f"SELECT * FROM read_parquet(['{gone}'])")
    full = duckdb.IOException(f'Could not write file "{tmp_path}/findings.parquet": No space left on device')
    with pytest.raises(duckdb.IOException):
        with Store.open(town["store"]):
            raise full
    with pytest.raises(StoreError, match="磁盘空间不足，无法写入数据库"):
        with Store.open(town["store"]) as s:
            s.con.close()  # the store's own query failing as a full disk would make it fail
            s.con = _Failing(full)
            s.runs()


class _Failing:
    def __init__(self, exc: Exception):
        self.exc = exc

    def execute(self, *args):
        raise self.exc

    def close(self):
        pass


def test_a_wrong_query_is_still_a_defect(town, monkeypatch):
    """Only the file's faults are the user's to mend: DuckDB refusing the tool's own SQL stays exit 3."""
    monkeypatch.setattr(Store, "runs", lambda self: self.df("SELECT no_such_column FROM runs"))
    done = runner.invoke(app, ["history", "--store", str(town["store"])])
    assert done.exit_code == 3 and "内部错误" in done.output, done.output


@contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """``path`` (a file or folder) not writable: immutable for root, who may write whatever the mode says."""
    if getattr(os, "geteuid", lambda: 1)() == 0:
        if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
            pytest.skip("chattr +i is not available here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def test_a_read_only_store_or_folder_is_said_so(town, tmp_path):
    store = tmp_path / "ro.duckdb"
    shutil.copy(town["store"], store)
    week2 = ["ingest", str(town["week2"]), "--received", "2023-07-14", "--store"]
    with _read_only(store):
        done = runner.invoke(app, [*week2, str(store)])
        assert done.exit_code == 2, done.output
        assert f"无法写入数据库 {store}：该文件是只读的或没有写入权限" in done.output, done.output
        assert runner.invoke(app, ["history", "--store", str(store)]).exit_code == 0  # reading it is fine
    folder = tmp_path / "只读"
    folder.mkdir()
    shutil.copy(town["store"], folder / "s.duckdb")
    with _read_only(folder):
        new = runner.invoke(app, [*week2, str(folder / "新.duckdb")])  # a new store (written as ….partial first)
        kept = runner.invoke(app, [*week2, str(folder / "s.duckdb")])  # DuckDB writes its .wal beside the store
    for path, done in ((folder / "新.duckdb", new), (folder / "s.duckdb", kept)):
        assert done.exit_code == 2, done.output
        assert f"无法写入数据库 {path}：没有在文件夹 {folder} 中建立文件的权限" in done.output, done.output
        assert ".partial" not in done.output and ".wal" not in done.output
    assert sorted(p.name for p in folder.iterdir()) == ["s.duckdb"]
    assert len(_snapshot(folder / "s.duckdb")["runs"]) == 1


def test_a_new_store_in_a_folder_that_does_not_exist_makes_the_folder(town, tmp_path, monkeypatch):
    """The store's folder is made as an --out folder is (not "the file is empty or damaged"); a folder that cannot
    be made is said so; an ingest that stores nothing leaves no folder it made."""
    monkeypatch.chdir(tmp_path)
    done = _ingest_here(Path("不存在的文件夹") / "专项行动.duckdb", town["week1"], "2023-07-07")
    assert done.exit_code == 0, done.output
    assert (tmp_path / "不存在的文件夹" / "专项行动.duckdb").is_file()
    deep = tmp_path / "a" / "b" / "s.duckdb"
    refused = runner.invoke(app, ["ingest", "--withdraw", "东坡村", "--store", str(deep), "--received", "2023-07-07"])
    assert refused.exit_code == 2 and "东坡村没有报送过文件" in refused.output, refused.output
    assert not (tmp_path / "a").exists()  # nothing stored: the folders it made are gone
    (tmp_path / "文件").write_text("x")
    blocked = _ingest_here(tmp_path / "文件" / "x" / "s.duckdb", town["week1"], "2023-07-07")
    assert blocked.exit_code == 2, blocked.output
    assert (f"无法建立数据库 {tmp_path / '文件' / 'x' / 's.duckdb'} 所在的文件夹 {tmp_path / '文件' / 'x'}：路径中的 "
            f"{tmp_path / '文件'} 是一个文件，不是文件夹") in " ".join(blocked.output.split()), blocked.output


def test_a_new_store_on_a_read_only_disk_names_its_folder(town, tmp_path, monkeypatch):
    """On a read-only disk (or mount) even removing a file that is not there fails (EROFS): the line names the
    store's folder and the missing permission, never the temporary ….partial nor an "输出文件夹"."""
    import errno

    folder = tmp_path / "只读"
    folder.mkdir()
    unlink, mkdir = Path.unlink, Path.mkdir

    def refused(call):
        def on_the_disk(self, *args, **kwargs):
            if folder in (self, *self.parents):
                raise OSError(errno.EROFS, "Read-only file system", str(self))
            return call(self, *args, **kwargs)
        return on_the_disk

    monkeypatch.setattr(Path, "unlink", refused(unlink))
    monkeypatch.setattr(Path, "mkdir", refused(mkdir))
    new = _ingest_here(folder / "new.duckdb", town["week1"], "2023-07-07")
    assert new.exit_code == 2, new.output
    said = " ".join(new.output.split())
    assert f"无法写入数据库 {folder / 'new.duckdb'}：没有在文件夹 {folder} 中建立文件的权限" in said, new.output
    assert ".partial" not in said and "输出" not in said
    sub = _ingest_here(folder / "子" / "new.duckdb", town["week1"], "2023-07-07")
    assert sub.exit_code == 2, sub.output
    assert (f"无法建立数据库 {folder / '子' / 'new.duckdb'} 所在的文件夹 {folder / '子'}：没有在文件夹 {folder} "
            "中建立文件夹的权限") in " ".join(sub.output.split()), sub.output


def test_a_store_of_a_newer_version_is_refused_and_left_as_it_is(town, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    con = duckdb.connect(str(store))
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema'")
    con.close()
    for args in (["ingest", str(town["week2"]), "--received", "2023-07-14"], ["history"]):
        done = runner.invoke(app, [*args, "--store", str(store)])
        assert done.exit_code == 2, done.output
        assert f"数据库 {store} 由更新版本的本工具建立（数据格式第 3 版，本工具只能读写到第 2 版）；请升级" in done.output
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] == "3"
    assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    con.close()


def test_a_store_without_a_later_field_is_read_as_if_it_were_empty(two_weeks, tmp_path, monkeypatch):
    """A store last written before a ledger field existed (rows_hazards.basis): diff and export read the missing
    column as empty (an ingest adds it), the same as a store that has it empty."""
    store = tmp_path / "store.duckdb"
    shutil.copy(two_weeks, store)
    con = duckdb.connect(str(store))
    assert con.execute("UPDATE rows_hazards SET basis = NULL").fetchone()[0] > 0  # the field left empty
    con.close()
    old = tmp_path / "old.duckdb"
    shutil.copy(store, old)
    con = duckdb.connect(str(old))
    con.execute("ALTER TABLE rows_hazards DROP COLUMN basis")  # the store of a version before the field
    con.close()
    with Store.open(store) as s:
        want = diff_runs(s, 1, 2)
    made = _keep_diffs(monkeypatch)  # the comparison `jicui diff` makes of the old store (its last two runs: 1, 2)
    assert runner.invoke(app, ["diff", "--store", str(old), "--out", str(tmp_path / "d")]).exit_code == 0
    [(_, _, got)] = made
    assert (got.run_a["run_id"], got.run_b["run_id"]) == (1, 2)
    pd.testing.assert_frame_equal(got.rows, want.rows)
    assert got.findings["状态"].value_counts().to_dict() == want.findings["状态"].value_counts().to_dict()
    done = runner.invoke(app, ["export", "--store", str(old), "--parquet", str(tmp_path / "p")])
    assert done.exit_code == 0, done.output
    hz = pd.read_parquet(tmp_path / "p" / "hazards")
    assert len(hz) and hz["basis"].isna().all()


# -- export and restore: the folders they write ---------------------------------------------------------
def _runs_in(folder: Path) -> dict[str, set]:
    return {p.name: set(pd.read_parquet(p)["run_id"]) for p in sorted(folder.iterdir()) if p.name != "runs.parquet"}


def test_an_export_into_an_earlier_export_replaces_it_whole(town, tmp_path):
    """Run 1 holds a hot-work ledger, run 2 not (the village withdrew its only one): exported into the folder of
    run 1's export, run 2's leaves no hot_work dataset behind. Every dataset is run 2's, nothing else is left."""
    store = tmp_path / "store.duckdb"
    shutil.copy(town["store"], store)
    week = tmp_path / "week"
    shutil.copytree(town["week1"], week)
    (week / "东坡村" / "东坡村动火作业审批记录.csv").unlink()
    assert ingest(store, [week], received=dt.date(2023, 7, 14)).run_id == 2
    out = tmp_path / "导出"
    assert runner.invoke(app, ["export", "--store", str(store), "--parquet", str(out), "--run", "1"]).exit_code == 0
    assert "hot_work" in _runs_in(out)
    done = runner.invoke(app, ["export", "--store", str(store), "--parquet", str(out)])
    assert done.exit_code == 0, done.output
    runs = _runs_in(out)
    assert "hot_work" not in runs and set(map(frozenset, runs.values())) == {frozenset({2})}, runs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.duckdb", "week", "导出"]  # no temporary folder left
    # a folder that holds other things than an export is not replaced (they would be lost)
    (out / "说明.txt").write_text("县里的汇总说明", "utf-8")
    refused = runner.invoke(app, ["export", "--store", str(store), "--parquet", str(out), "--run", "1"])
    assert refused.exit_code == 2 and "中有不是导出数据的“说明.txt”" in refused.output, refused.output
    assert (out / "说明.txt").exists() and not (out / "hot_work").exists()


def test_an_export_refuses_a_folder_holding_hidden_data_and_keeps_it(town, tmp_path):
    """Only the datasets, the file managers' files and the tool's own leftovers may be replaced: a folder holding
    only ``.git`` (or ``.obsidian``) is someone's, not an export, and is refused whole."""
    for hidden in [".git", ".obsidian"]:
        out = tmp_path / hidden.strip(".")
        (out / hidden).mkdir(parents=True)
        (out / hidden / "HEAD").write_text("precious", "utf-8")
        done = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", str(out)])
        assert done.exit_code == 2 and f"中有不是导出数据的“{hidden}”" in done.output, done.output
        assert (out / hidden / "HEAD").read_text("utf-8") == "precious"
        assert sorted(p.name for p in out.iterdir()) == [hidden]
    out = tmp_path / "导出"
    out.mkdir()
    for name in [".DS_Store", "Thumbs.db", "desktop.ini", ".导出.导出中-1a2b3c4d", ".jicui-tmp-12-x"]:
        (out / name).write_bytes(b"x")
    done = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", str(out)])
    assert done.exit_code == 0, done.output
    assert "hazards" in {p.name for p in out.iterdir()}


def test_an_export_into_the_current_folder(town, tmp_path, monkeypatch):
    out = tmp_path / "导出"
    assert runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", str(out)]).exit_code == 0
    monkeypatch.chdir(out)
    done = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", "."])
    assert done.exit_code == 0, done.output
    assert set(pd.read_parquet(out / "hazards")["run_id"]) == {1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["导出"]  # no temporary or earlier export left
    (out / "说明.txt").write_text("x", "utf-8")
    monkeypatch.chdir(out)  # the folder put in place is a new one: the earlier one is gone
    refused = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", "."])
    assert refused.exit_code == 2 and "导出文件夹 . 中有不是导出数据的“说明.txt”" in refused.output, refused.output


def test_an_export_path_with_a_quote_and_a_failed_export_leave_nothing_half_made(town, tmp_path, monkeypatch):
    out = tmp_path / "rs" / "O'Brien导出"
    done = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", str(out)])
    assert done.exit_code == 0, done.output
    assert set(pd.read_parquet(out / "hazards")["run_id"]) == {1}
    import jicui_compliance.store.export as export_module

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, "safe_for_output", full)  # the findings, after the ledgers were written
    failed = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", str(tmp_path / "新" / "x'y")])
    assert failed.exit_code == 2 and "磁盘空间不足" in failed.output, failed.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rs"]  # neither 新 nor a temporary folder
    again = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", str(out)])
    assert again.exit_code == 2 and set(pd.read_parquet(out / "hazards")["run_id"]) == {1}  # the earlier export kept
    assert sorted(p.name for p in (tmp_path / "rs").iterdir()) == ["O'Brien导出"]


def test_restore_and_export_name_the_option_and_the_path_given(town, tmp_path):
    file = tmp_path / "afile"
    file.write_text("x")
    done = runner.invoke(app, ["restore", "--store", str(town["store"]), "--out", str(file)])
    assert done.exit_code == 2 and f"--out 应为文件夹，但 {file} 是一个已存在的文件" in done.output, done.output
    done = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", str(file)])
    assert done.exit_code == 2 and f"--parquet 应为文件夹，但 {file} 是一个已存在的文件" in done.output, done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_a_restored_folder_has_the_modes_of_any_new_folder(town, tmp_path):
    before = os.umask(0o022)
    try:
        done = runner.invoke(app, ["restore", "--store", str(town["store"]), "--out", str(tmp_path / "取回")])
        assert done.exit_code == 0, done.output
        assert (tmp_path / "取回").stat().st_mode & 0o777 == 0o755
        os.umask(0o027)
        export = runner.invoke(app, ["export", "--store", str(town["store"]), "--parquet", str(tmp_path / "导出")])
        assert export.exit_code == 0, export.output
        assert (tmp_path / "导出").stat().st_mode & 0o777 == 0o750
    finally:
        os.umask(before)


def test_a_diff_of_a_later_run_first_compares_in_order_and_says_so(two_weeks, tmp_path, monkeypatch):
    store = two_weeks  # only read
    made = _keep_diffs(monkeypatch)  # the comparison `jicui diff 2 1` makes
    done = runner.invoke(app, ["diff", "2", "1", "--store", str(store), "--out", str(tmp_path / "d")])
    assert done.exit_code == 0, done.output
    assert "注意：第 2 次晚于第 1 次，按先后比较：第 1 次 → 第 2 次" in done.output
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["对比_第1次_第2次.html", "对比_第1次_第2次.xlsx"]
    [(runs, _, later_first)] = made
    assert runs == (2, 1)
    with Store.open(store) as s:
        pd.testing.assert_frame_equal(later_first.findings, diff_runs(s, 1, 2).findings)


# -- the order of submissions, empty folders, which folder is which unit, withdrawn findings ----------------
_TINY_REG = ("统一社会信用代码,企业名称,所属村,行业领域,监管站所,是否高危,主要负责人,联系电话,从业人数,安全管理人员\n"
             "9114012210049482R1,东坡甲厂,东坡村,工贸,应急站,否,丁燕雪,18988463524,10,郝泰\n"
             "91140122186327491R,东坡乙厂,东坡村,工贸,应急站,否,韩兰悦,17644968942,20,邹峰\n"
             "91140122740588227B,西河丙厂,西河村,工贸,应急站,否,段昌,15510118729,30,袁强\n")


def _tiny_hazard(uscc: str, name: str, no: str, found: str, done: str = "") -> str:
    end = f"{done},李四,{done},已销号" if done else ",,,整改中"
    return f"{uscc},{name},{no},设备未接地,{found},企业自查,否,王五,更换设备,1,2023-07-10,有预案,是,{found},{end}"


def _tiny_week(folder: Path, week: int) -> Path:
    """A town of three enterprises in two villages, as hand-made CSVs. Week 2: 东坡村 fixes A-001 and adds A-003
    (in a file under a new name). Week 3: 西河村 withdraws its hazard file (C-001, still overdue) and sends its
    head inspections instead; 应急站 sends a copy of 东坡村's file."""
    a, b, c = ("9114012210049482R1", "东坡甲厂"), ("91140122186327491R", "东坡乙厂"), ("91140122740588227B", "西河丙厂")
    dongpo = [_tiny_hazard(*a, "A-001", "2023-06-10", "2023-08-05" if week > 1 else ""),
              *([_tiny_hazard(*a, "A-003", "2023-06-20")] if week > 1 else []), _tiny_hazard(*b, "B-001", "2023-06-15")]
    files = {"积翠镇企业名录.csv": _TINY_REG,
             ("东坡村/7月/东坡 隐患台账.csv" if week > 2 else "东坡村/东坡村隐患台账.csv"): [_HAZARD_HEADER, *dongpo]}
    if week < 3:
        files["西河村/西河村隐患台账.csv"] = [_HAZARD_HEADER, _tiny_hazard(*c, "C-001", "2023-06-05")]
    else:
        files["西河村/西河村检查记录.csv"] = ["统一社会信用代码,企业名称,检查日期,带队负责人,发现隐患数,签名确认",
                                        *(f"{c[0]},{c[1]},2023-0{m}-20,段昌,0,段昌" for m in (6, 7, 8))]
        files["应急站/东坡村隐患台账副本.csv"] = [_HAZARD_HEADER, *dongpo]
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text if isinstance(text, str) else "\n".join(text) + "\n", encoding="utf-8-sig")
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict:
    """The tiny town's weeks 1–3, ingested in order (received 08-04, 08-11, 08-18)."""
    base = tmp_path_factory.mktemp("tiny")
    weeks = {w: _tiny_week(base / f"w{w}", w) for w in (1, 2, 3)}
    store = base / "store.duckdb"
    for w, day in ((1, 4), (2, 11), (3, 18)):
        ingest(store, [weeks[w]], received=dt.date(2023, 8, day), as_of=dt.date(2023, 8, 31))
    return {"base": base, "store": store, **weeks}


def _cli(*args: str) -> tuple[int, list[str]]:
    """The exit code and the lines a command printed (standard output and error)."""
    done = runner.invoke(app, list(args))
    return done.exit_code, [line for line in done.output.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def out_of_order(tiny) -> dict:
    """The tiny town's week 1 (received 08-04) and week 3 (08-18) in a store (``skipped``), and a copy of it given
    week 2 as a resubmission received the same day as week 3 (``resent``, with what that ingest returned)."""
    skipped = tiny["base"] / "skipped.duckdb"
    ingest(skipped, [tiny[1]], received=dt.date(2023, 8, 4), as_of=dt.date(2023, 8, 31))
    ingest(skipped, [tiny[3]], received=dt.date(2023, 8, 18), as_of=dt.date(2023, 8, 31))
    resent = tiny["base"] / "resent.duckdb"
    shutil.copy(skipped, resent)
    same_day = ingest(resent, [tiny[2]], received=dt.date(2023, 8, 18), as_of=dt.date(2023, 8, 31))
    return {"skipped": skipped, "resent": resent, "same_day": same_day}


def test_an_older_submission_after_a_newer_one_is_refused(out_of_order, tiny, tmp_path):
    """Week 2 (received 08-11) ingested after week 3 (08-18) would make week 2 the villages' latest state (西河村's
    withdrawn hazard file back) and durations negative: refused with one line naming the unit and both dates."""
    store = tmp_path / "store.duckdb"
    shutil.copy(out_of_order["skipped"], store)
    before = _snapshot(store)
    code, lines = _cli("ingest", str(tiny[2]), "--store", str(store), "--received", "2023-08-11", "--as-of", "2023-08-31")
    assert code == 2 and lines == [
        "无法运行：未入库：本次的收到日期 2023-08-11 早于东坡村（已有 2023-08-18 收到的版本）、西河村（已有 2023-08-18 收到的版本）；"
        "较早收到的报送不能在较晚的之后导入成为最新版本，请按收到的先后导入（同一天收到的重报可以导入）"], lines
    assert _snapshot(store) == before
    # a resubmission received the same day is the later version (ingested into the same store as it was)
    same_day = out_of_order["same_day"]
    assert sorted(same_day.versions["unit"]) == ["东坡村", "西河村"] and same_day.run_id == 3


def test_the_latest_version_is_the_last_received_and_durations_are_never_negative(out_of_order, tmp_path):
    """A store written before the refusal holds week 2 (08-11) ingested after week 3 (08-18): the latest state and the
    state of 08-18 are week 3's, and the diff's 已持续天数 counts from the earliest day a finding was seen, never < 0."""
    store = tmp_path / "store.duckdb"
    shutil.copy(out_of_order["resent"], store)  # weeks 1, 3, then 2 received 08-18
    con = duckdb.connect(str(store))  # as the earlier tool stored `--received 2023-08-11` after 08-18
    con.execute("UPDATE versions SET received = DATE '2023-08-11' WHERE version_id > 6")
    con.execute("UPDATE runs SET received = DATE '2023-08-11' WHERE run_id = 3")
    con.close()
    with Store.open(store) as s:
        week3 = s.state_versions(run_id=2)[["unit", "version_id"]].values.tolist()
        assert s.state_versions()[["unit", "version_id"]].values.tolist() == week3
        assert s.state_versions(received=dt.date(2023, 8, 18))[["unit", "version_id"]].values.tolist() == week3
        d = diff_runs(s, 2, 3)
    still = d.findings[d.findings["状态"] == "仍未整改"]
    assert len(still) and (still["已持续天数"] >= 0).all(), still[["规则", "首次发现", "已持续天数"]]
    b001 = still[(still["规则"] == "HZ005") & (still["企业名称"] == "东坡乙厂") & (still["来源文件"].str.startswith("东坡村/"))]
    assert b001[["首次发现", "已持续天数"]].values.tolist() == [[dt.date(2023, 8, 4), 7]]


def test_an_empty_unit_folder_is_no_withdrawal_and_withdraw_is_said(tiny, tmp_path):
    """应急站 empties its folder (its copy of 东坡村's file was a mistake): not taken as a withdrawal (it may not have
    sent yet), but said in one line with how to withdraw; `--withdraw 应急站` withdraws all its files."""
    store = tmp_path / "store.duckdb"
    shutil.copy(tiny["store"], store)
    week4 = tmp_path / "w4"
    shutil.copytree(tiny[3], week4)
    for f in (week4 / "应急站").iterdir():
        f.unlink()
    note = ("注意：应急站的文件夹是空的，没有当作撤回：应急站仍按 2023-08-18 收到的版本核查；要撤回它的全部文件，"
            "请用 jicui ingest --withdraw 应急站")
    for given in (week4, week4 / "应急站"):
        code, lines = _cli("ingest", str(given), "--store", str(store), "--received", "2023-08-25")
        assert code == 0 and lines[0] == note and lines[1].startswith("无变化") and len(lines) == 2, lines
    code, lines = _cli("ingest", "--withdraw", "应急站", "--store", str(store), "--received", "2023-08-25",
                       "--as-of", "2023-08-31")
    assert code == 0 and any(line.endswith("应急站：撤回 1") for line in lines), lines
    with Store.open(store) as s:
        assert not any(p.startswith("应急站/") for p in s.state_files(s.state_versions()["version_id"])["path"])
        f = s.run_findings(4)
    assert not f["source_file"].str.startswith("应急站/").any()
    code, lines = _cli("ingest", "--withdraw", "应急站", "--store", str(store), "--received", "2023-08-25")
    assert code == 2 and "数据库中应急站的文件此前已全部撤回" in lines[0], lines


def test_the_unit_is_the_folder_that_names_it_and_an_unknown_unit_is_said(tiny, tmp_path):
    store = tmp_path / "store.duckdb"
    shutil.copy(tiny["store"], store)
    # a single file two folders below its village: 东坡村's, not the town's
    w4 = tmp_path / "w4"
    shutil.copytree(tiny[3], w4)
    one = w4 / "东坡村" / "7月" / "东坡 隐患台账.csv"
    one.write_text(one.read_text("utf-8-sig").replace("2023-06-15,企业自查", "2023-06-16,企业自查"), "utf-8-sig")
    out = ingest(store, [one], received=dt.date(2023, 8, 19), as_of=dt.date(2023, 8, 31))
    assert out.versions[["unit", "修改", "新增"]].values.tolist() == [["东坡村", 1, 0]]
    assert out.notes == ["“东坡 隐患台账.csv”所在的文件夹“7月”不是村或站所的名称，按上级文件夹“东坡村”作为东坡村的文件导入"
                         "（东坡村的其他文件不变）"]
    # unit folders from two receipt folders: each its own unit, not “w5”, “w6”
    w5, w6 = _tiny_week(tmp_path / "r" / "w5", 3), _tiny_week(tmp_path / "r" / "w6", 3)
    (w5 / "西河村" / "西河村检查记录.csv").write_text(
        (w5 / "西河村" / "西河村检查记录.csv").read_text("utf-8-sig").replace("2023-08-20", "2023-08-21"), "utf-8-sig")
    out = ingest(store, [w5 / "西河村", w6 / "东坡村"], received=dt.date(2023, 8, 25), as_of=dt.date(2023, 8, 31))
    assert out.versions["unit"].tolist() == ["东坡村", "西河村"] and out.notes == []
    # a folder named after a village with a note in brackets is that village, said once
    w8 = tmp_path / "w8"
    shutil.copytree(tiny[2] / "东坡村", w8 / "东坡村（更正）")
    out = ingest(store, [w8], received=dt.date(2023, 8, 26), as_of=dt.date(2023, 8, 31))
    assert out.versions["unit"].tolist() == ["东坡村"] and out.notes == ["文件夹“东坡村（更正）”按东坡村的报送导入"]
    with Store.open(store) as s:
        assert set(s.state_versions()["unit"]) == {"积翠镇", "东坡村", "西河村", "应急站"}
    # the village's folder beside its correction: which one is meant cannot be told
    shutil.copytree(tiny[3] / "东坡村", w8 / "东坡村")
    before = _snapshot(store)
    code, lines = _cli("ingest", str(w8), "--store", str(store), "--received", "2023-08-27")
    assert code == 2 and lines == ["无法运行：未入库：文件夹“东坡村”和“东坡村（更正）”都是东坡村的报送；请只保留一个（如更正后的）再导入"]
    assert _snapshot(store) == before
    # a folder that names no village, station or the town: imported under its name, and said
    odd = tmp_path / "w9"
    shutil.copytree(tiny[1] / "西河村", odd / "西河村0825")
    code, lines = _cli("ingest", str(odd), "--store", str(store), "--received", "2023-08-28")
    assert code == 0 and lines[0] == (
        "注意：报送单位“西河村0825”既不是企业名录中的村，也不是方案中的站所或积翠镇：按文件夹名作为一个单位导入；"
        "如文件夹名有误，请用 jicui ingest --withdraw 西河村0825 撤回，把文件夹改名为村或站所的名称后重新导入"), lines
    assert lines[1].startswith("已入库") and "西河村0825：新增 1" in lines[2]


def test_a_unit_named_as_another_after_the_town_word_is_its_own(tmp_path):
    """Villages 南村 and 镇南村: "镇南村" is 镇南村's own name, not 南村 after 镇 — a folder 镇南村（更正） or “镇南村 ”
    is 镇南村's, and 南村's files stay; 积翠镇南村 (no village of that name) is still 南村."""
    week = _tiny_week(tmp_path / "w1", 1)
    for f in week.rglob("*.csv"):
        f.write_text(f.read_text("utf-8-sig").replace("东坡村", "南村").replace("西河村", "镇南村"), "utf-8-sig")
    (week / "东坡村").rename(week / "南村")
    (week / "西河村").rename(week / "镇南村")
    store = tmp_path / "store.duckdb"
    ingest(store, [week], received=dt.date(2023, 8, 4), as_of=dt.date(2023, 8, 31))
    for n, name in enumerate(["镇南村（更正）", "镇南村 "]):
        again = tmp_path / f"r{n}" / name
        shutil.copytree(week / "镇南村", again)
        (again / "西河村隐患台账.csv").write_text(
            (again / "西河村隐患台账.csv").read_text("utf-8-sig").replace("2023-06-05", f"2023-06-0{6 + n}"), "utf-8-sig")
        out = ingest(store, [again], received=dt.date(2023, 8, 11 + n), as_of=dt.date(2023, 8, 31))
        assert out.versions["unit"].tolist() == ["镇南村"], out.versions
        assert out.notes == [f"文件夹“{name}”按镇南村的报送导入"], out.notes
    with Store.open(store) as s:
        files = s.state_files(s.state_versions()["version_id"])["path"].tolist()
    assert "南村/东坡村隐患台账.csv" in files and "镇南村/西河村隐患台账.csv" in files, files
    assert _Units(load_campaign(), {"南村", "镇南村"}).named("积翠镇南村") == "南村"


def test_a_folder_below_a_units_holding_a_folder_is_still_that_units(tiny, tmp_path):
    """东坡村/7月 holding 附件/ is a part of 东坡村, as it is without 附件/ — not a town's folder (whose files would
    be the town's, withdrawing its registry) nor 附件 a unit."""
    store = tmp_path / "store.duckdb"
    shutil.copy(tiny["store"], store)
    month = tmp_path / "x" / "东坡村" / "7月"
    shutil.copytree(tiny[3] / "东坡村" / "7月", month)
    one = month / "东坡 隐患台账.csv"
    one.write_text(one.read_text("utf-8-sig").replace("2023-06-15,企业自查", "2023-06-16,企业自查"), "utf-8-sig")
    (month / "附件").mkdir()
    (month / "附件" / "照片说明.txt").write_text("照片", "utf-8")
    out = ingest(store, [month], received=dt.date(2023, 8, 19), as_of=dt.date(2023, 8, 31))
    assert out.versions[["unit", "修改", "撤回"]].values.tolist() == [["东坡村", 1, 0]], out.versions
    assert out.notes == ["文件夹“7月”不是村或站所的名称，按上级文件夹“东坡村”把其中的文件作为东坡村的文件导入（东坡村的其他文件不变）"]
    with Store.open(store) as s:
        assert set(s.state_versions()["unit"]) == {"积翠镇", "东坡村", "西河村", "应急站"}
        assert "积翠镇企业名录.csv" in set(s.state_files(s.state_versions()["version_id"])["path"])


def test_a_withdrawn_files_open_hazard_is_not_counted_as_rectified(tiny, tmp_path):
    """Week 3: 西河村 withdraws its hazard file, whose C-001 is still overdue (HZ005), and sends head inspections
    (its three HI001 are rectified). The diff lists C-001 apart, as gone because its file was withdrawn."""
    with Store.open(tiny["store"]) as s:
        d = diff_runs(s, 2, 3)
    f = d.findings[d.findings["单位"] == "西河村"]
    moved = f[f["状态"] != "仍未整改"]
    assert sorted(moved[["状态", "规则", "撤回说明"]].values.tolist()) == [
        ["因撤回而不再出现", "HZ005", "所在文件已撤回"], *[["已整改", "HI001", ""]] * 3]
    summary = d.summary().set_index("单位")
    assert summary.loc["西河村", "已整改发现"] == 3 and summary.loc["西河村", "因撤回而不再出现的发现"] == 1
    done = runner.invoke(app, ["diff", "2", "3", "--store", str(tiny["store"]), "--out", str(tmp_path)])
    assert done.exit_code == 0 and "已整改 3，因撤回而不再出现 1" in done.output, done.output
    sheets = pd.read_excel(next(tmp_path.glob("*.xlsx")), sheet_name=None, header=2, engine="openpyxl")
    gone = sheets["因撤回而不再出现"]
    assert gone[["规则", "企业名称", "来源文件", "撤回说明"]].values.tolist() == [
        ["HZ005", "西河丙厂", "西河村/西河村隐患台账.csv", "所在文件已撤回"]]
    assert "HZ005" not in set(sheets["已整改发现"]["规则"])
    assert "因撤回而不再出现的发现（1 条）" in next(tmp_path.glob("*.html")).read_text("utf-8")


def test_an_ingests_duckdb_error_outside_the_store_is_not_the_stores(town, tmp_path, monkeypatch):
    """As for `with Store.open(…)`: during an ingest the check itself may use DuckDB on its own connections; their
    failure is not the store file's (nor said to be damaged), and the store is left as it was."""
    import jicui_compliance.check as check
    import jicui_compliance.store as store_module

    store = tmp_path / "s.duckdb"
    shutil.copy(town["store"], store)
    before = _snapshot(store)

    def failing(*args, **kwargs):
        return duckdb.connect().execute(f"SELECT * FROM read_parquet(['{tmp_path / 'gone.parquet'}'])")

    monkeypatch.setattr(check, "read_submission", failing)  # raised below check.run_check, the store's caller
    assert store_module.run_check is check.run_check
    with pytest.raises(duckdb.IOException):
        ingest(store, [town["week2"]], received=dt.date(2023, 7, 14), as_of=dt.date(2023, 7, 31))
    assert _snapshot(store) == before


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def _report_texts(out: Path) -> dict[str, str]:
    """The words of a report's three files: the HTML page, the Word document, the workbook's sheet names and cells."""
    import openpyxl

    book = openpyxl.load_workbook(next(out.glob("*.xlsx")), read_only=True)
    cells = [" ".join(book.sheetnames)] + [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                                           for v in row if v is not None]
    return {"html": next(out.glob("*.html")).read_text("utf-8"), "docx": _docx_text(next(out.glob("*.docx"))),
            "xlsx": "\n".join(cells)}


def test_a_year_report_has_no_previous_period_and_none_is_reversed(tiny, tmp_path):
    """上期 is 上周、上月、上季度: a 年总结 from the store has no 与上期对比 (not a "previous period" of 5月1日—4月30日)
    and proposes no 督办函."""
    code, lines = _cli("report", "--store", str(tiny["store"]), "--cadence", "year", "--as-of", "2023-12-31",
                       "--out", str(tmp_path / "year"))
    assert code == 0 and "年总结不与上期对比" in lines[0], lines
    texts = _report_texts(tmp_path / "year")
    for kind, text in texts.items():
        assert "上期报告期" not in text and "与上期对比" not in text and "4月30日" not in text, kind
        assert "年总结覆盖整个专项行动，没有上期报告，不下达督办函" in text, kind
    letters = pd.read_excel(next((tmp_path / "year").glob("*.xlsx")), sheet_name="提醒函督办函", header=1,
                            engine="openpyxl")
    assert len(letters) and set(letters["函件"]) == {"提醒函"} and set(letters["上期提醒函"]) == {"无上期数据"}


def test_a_year_report_before_the_campaign_began_says_it_covers_no_day_of_it(tiny, tmp_path):
    code, lines = _cli("report", str(tiny[1]), "--cadence", "year", "--as-of", "2023-04-30", "--out", str(tmp_path / "early"))
    assert code == 0, lines
    for kind, text in _report_texts(tmp_path / "early").items():
        assert "2023年5月1日—2023年4月30日" not in text, kind
        assert "尚未开始（专项行动2023年5月1日开始）" in text, kind


def test_letters_of_the_first_period_in_the_store_say_there_is_no_previous_one(tiny, tmp_path):
    """The store holds nothing of the previous quarter: 上期提醒函 is 无上期数据 (as without --store), not 否."""
    code, lines = _cli("report", "--store", str(tiny["store"]), "--cadence", "quarter", "--as-of", "2023-09-30",
                       "--out", str(tmp_path))
    assert code == 0 and "与上期对比：无上期数据" in lines[0], lines
    letters = pd.read_excel(next(tmp_path.glob("*.xlsx")), sheet_name="提醒函督办函", header=1, engine="openpyxl")
    assert len(letters) and set(letters["函件"]) == {"提醒函"} and set(letters["上期提醒函"]) == {"无上期数据"}
    for kind, text in _report_texts(tmp_path).items():
        assert "数据库中没有上期的报送，本期为第一期，不下达督办函" in text, kind


def test_the_export_gives_each_village_its_one_name(tmp_path):
    """A registry village written with the town's name in front (积翠镇西岭村 beside 西岭村) is one village in the
    Parquet export's partitions, as in the findings (audit 7)."""
    from tests.rules.runner import DEFAULT_ENTERPRISES, write_case

    registry = [dict(e) for e in DEFAULT_ENTERPRISES]
    assert {e["village"] for e in registry} == {"东坡村", "西岭村"}
    for e in registry:
        if e["name"] == "丁公司":
            e["village"] = "积翠镇西岭村"
    town = tmp_path / "town"
    town.mkdir()
    write_case({"enterprises": registry, "hazards": [
        {"enterprise": "丁公司", "hazard_no": "YH-1", "description": "配电箱未接地", "found_on": "2023-06-10",
         "source": "企业自查", "immediate": "否", "deadline": "2023-07-20"}]}, town)
    store = tmp_path / "store.duckdb"
    assert _ingest_here(store, town, "2023-07-31").exit_code == 0
    done = runner.invoke(app, ["export", "--store", str(store), "--parquet", str(tmp_path / "pq")])
    assert done.exit_code == 0, done.output
    q = duckdb.connect()
    for table in ("enterprises", "hazards", "findings"):
        got = q.execute(f"SELECT DISTINCT village FROM read_parquet('{(tmp_path / 'pq' / table).as_posix()}/**/*.parquet',"
                        " hive_partitioning=true)").df()["village"]
        assert "积翠镇西岭村" not in set(got) and "西岭村" in set(got), (table, got.tolist())
