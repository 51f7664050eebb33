"""A check by village (`jicui check --by-village`, :func:`run_check_by_village`) finds exactly what
one check of the whole submission finds: the same rows in the same order."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from jicui_compliance.check import input_bytes, run_check, run_check_by_village

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
AS_OF = dt.date(2023, 12, 31)


def _town(folder: Path, *names: str) -> Path:
    """The registry and some other entries (village and station folders, the town's meetings) of the samples:
    a town in which one situation is checked quicker than in the whole sample town. The registry's villages
    without a folder here are still checked village by village (with no ledger of theirs)."""
    folder.mkdir(parents=True)
    for name in ("积翠镇企业名录.xlsx", *names):
        src = SAMPLES / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, folder / name)
    return folder


def _both(path: Path, **options) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    whole = run_check([path], as_of=AS_OF).findings
    with run_check_by_village([path], as_of=AS_OF, masked=False, **options) as run:
        return whole, run.frame(), run


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """A smaller town (the registry, the meetings, two stations, three villages) for the command's runs, each
    of which checks the town twice (all at once and by village), and for the masked run. Read-only: the
    command writes to its --out."""
    return _town(tmp_path_factory.mktemp("small") / "town", "积翠镇会议与督导记录.xlsx", "应急站", "城建站",
                 "东坡村", "北岭村", "南庄村")


@pytest.fixture(scope="module")
def samples(small):
    """The unmodified sample town checked once as a whole and once village by village (one village
    a partition) without masking; the smaller town checked as a whole and village by village with masking
    (``small_whole``, ``masked``): several tests read these runs, and each check of the sample town by
    village costs seconds of CPU. Read-only: the frames are the tests' to compare, not to change
    (a test that needs to change one takes a copy); the runs' parts stay on disk until the module ends."""
    whole = run_check([SAMPLES], as_of=AS_OF).findings
    small_whole = run_check([small], as_of=AS_OF).findings
    with (run_check_by_village([SAMPLES], as_of=AS_OF, partition_bytes=0, masked=False) as plain,
          run_check_by_village([small], as_of=AS_OF, partition_bytes=0, masked=True) as masked):
        yield SimpleNamespace(whole=whole, plain=plain, small_whole=small_whole, masked=masked)


def test_the_sample_town_village_by_village_finds_the_same(samples):
    whole, run = samples.whole, samples.plain
    parts = run.frame()
    assert run.whole is None and not run.merged
    assert len(run.partitions) == 8 and all(len(p) == 1 for p in run.partitions)  # one village at a time
    assert len(whole) > 100
    pd.testing.assert_frame_equal(parts, whole)


@pytest.mark.slow  # generates a town
def test_a_generated_town_in_several_partitions_finds_the_same(tmp_path):
    from jicui_samples import generate_town

    town = tmp_path / "town"
    # 7 villages, 100 enterprises: each partition costs about a second of CPU, whatever its size
    generate_town(town, seed=11, n_villages=7, n_enterprises=100, formats="mixed", manifest=False)
    whole = run_check([town], as_of=AS_OF).findings
    # a quarter of the town: partitions of several villages each (a fixed 200 kB was less than one
    # village of this town, so every partition held one village, as with 0); fewer partitions, less CPU
    for budget in (0, input_bytes([town]) // 4):
        with run_check_by_village([town], as_of=AS_OF, partition_bytes=budget, masked=False) as run:
            assert run.whole is None
            checked = [v for p in run.partitions for v in p]
            assert len(checked) == len(set(checked)) == 7  # every village, once
            if budget == 0:
                assert len(run.partitions) == 7
            else:
                assert 2 <= len(run.partitions) < 7 and any(len(p) > 1 for p in run.partitions), run.partitions
            pd.testing.assert_frame_equal(run.frame(), whole)


def test_the_parts_on_disk_hold_no_personal_number(samples):
    """By default a part is written as the findings files are (masked): while the run lasts, no ID
    number lies unmasked in the temporary folder. Without masking the same parts hold it (the masked run is
    of the smaller town, the unmasked one of the whole sample town: its parts hold the smaller town's
    messages with ID numbers too)."""
    import duckdb

    from jicui_compliance.findings import safe_for_output

    personal = {}
    for name in ("whole", "small_whole"):
        whole = getattr(samples, name)
        safe = safe_for_output(whole)
        personal[name] = set(whole["message"][whole["message"] != safe["message"]])
        assert personal[name]  # the samples' certificate numbers carry ID numbers into messages
    assert personal["small_whole"] <= personal["whole"]
    for masked, run, whole in ((True, samples.masked, samples.small_whole), (False, samples.plain, samples.whole)):
        assert run.masked is masked
        on_disk = set(pd.concat([duckdb.sql(f"SELECT message FROM '{p}'").df() for p in run.parts])["message"])
        for mine in personal.values():
            assert (mine & on_disk) == (set() if masked else mine)
        if masked:
            pd.testing.assert_frame_equal(run.frame(), safe_for_output(whole), check_dtype=False)


def test_rows_filed_in_another_villages_folder_tie_the_two_villages(tmp_path):
    town = _town(tmp_path / "samples", "东坡村", "北岭村", "南庄村")
    moved = town / "北岭村" / "东坡村主要负责人带队检查记录.xlsx"
    (town / "东坡村" / "东坡村主要负责人带队检查记录.xlsx").rename(moved)
    whole, parts, run = _both(town, partition_bytes=0)
    assert sorted(sorted(m) for m in run.merged) == [["东坡村", "北岭村"]]
    assert ["东坡村"] not in run.partitions and ["南庄村"] in run.partitions
    pd.testing.assert_frame_equal(parts, whole)


def test_a_flat_folder_is_checked_as_one(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for p in _town(tmp_path / "town", "应急站", "东坡村", "北岭村").rglob("*"):
        if p.is_file() and not p.name.startswith("~$"):
            shutil.copy(p, flat / p.name)
    whole, parts, run = _both(flat, partition_bytes=0)
    assert run.whole and "村" in run.whole
    pd.testing.assert_frame_equal(parts, whole)
    # the terminal says it was one check, not “分村核查，0 批”
    from typer.testing import CliRunner

    from jicui_compliance.cli import app

    res = CliRunner().invoke(app, ["check", str(flat), "--as-of", "2023-12-31", "--by-village", "--out", str(tmp_path / "o")])
    first = res.output.splitlines()[0]
    assert res.exit_code == 0 and "未能分村：" in first and "改为一次核查" in first and "批" not in first, first


def test_cli_by_village_writes_the_same_files(small, tmp_path):
    from typer.testing import CliRunner

    from jicui_compliance.cli import app

    runner = CliRunner()
    common = ["check", str(small), "--as-of", "2023-12-31", "--format", "csv,xlsx,parquet"]
    a = runner.invoke(app, [*common, "--out", str(tmp_path / "a"), "--all-at-once"])
    b = runner.invoke(app, [*common, "--out", str(tmp_path / "b"), "--by-village"])
    assert a.exit_code == 0 and b.exit_code == 0, b.output
    assert "分村核查" in b.output
    assert len(pd.read_csv(tmp_path / "b" / "findings.csv")) > 100
    assert (tmp_path / "a" / "findings.csv").read_bytes() == (tmp_path / "b" / "findings.csv").read_bytes()
    import duckdb

    pd.testing.assert_frame_equal(duckdb.sql(f"SELECT * FROM '{tmp_path / 'a' / 'findings.parquet'}'").df(),
                                  duckdb.sql(f"SELECT * FROM '{tmp_path / 'b' / 'findings.parquet'}'").df())
    for sheet in ("核查发现", "按规则汇总", "按村汇总"):
        pd.testing.assert_frame_equal(pd.read_excel(tmp_path / "a" / "findings.xlsx", sheet_name=sheet, engine="calamine"),
                                      pd.read_excel(tmp_path / "b" / "findings.xlsx", sheet_name=sheet, engine="calamine"))


@pytest.mark.parametrize("select", ["HI", "DR001"])
def test_cli_by_village_with_rules_the_town_part_has_no_finding_for(small, tmp_path, select):
    """The town's ledgers give no finding for these rules: its part holds no row, yet it is typed as
    the findings are (not NULL), so the parts are read back together and the files are the same."""
    import duckdb
    from typer.testing import CliRunner

    from jicui_compliance.cli import app

    with run_check_by_village([small], as_of=AS_OF, select=[select]) as run:
        assert run.total > 0 and duckdb.sql(f"SELECT count(*) FROM '{run.parts[0]}'").fetchall() == [(0,)]
        assert run.parts[0].stem == "town"
    runner = CliRunner()
    common = ["check", str(small), "--as-of", "2023-12-31", "--select", select, "--format", "csv,parquet"]
    a = runner.invoke(app, [*common, "--out", str(tmp_path / "a"), "--all-at-once"])
    b = runner.invoke(app, [*common, "--out", str(tmp_path / "b"), "--by-village"])
    assert a.exit_code == 0 and b.exit_code == 0, b.output
    assert "分村核查" in b.output
    assert (tmp_path / "a" / "findings.csv").read_bytes() == (tmp_path / "b" / "findings.csv").read_bytes()
    assert len(pd.read_csv(tmp_path / "b" / "findings.csv")) == run.total


def test_findings_parquet_without_findings_has_the_columns_types(tmp_path):
    """No finding at all: findings.parquet still has text columns and an integer row number, so that it
    is read together with other towns' findings."""
    import duckdb

    from jicui_compliance.findings import COLUMNS
    from jicui_compliance.findings.schema import empty
    from jicui_compliance.findings.writers import write_parquet

    write_parquet(empty(), tmp_path / "findings.parquet")
    types = dict(duckdb.sql(f"DESCRIBE SELECT * FROM '{tmp_path / 'findings.parquet'}'").fetchall()[i][:2]
                 for i in range(len(COLUMNS)))
    assert types == {c: "BIGINT" if c == "source_row" else "VARCHAR" for c in COLUMNS}


def test_streamed_xlsx_says_where_the_rest_is(samples, tmp_path, monkeypatch):
    from jicui_compliance.check import summarise
    from jicui_compliance.findings import writers

    monkeypatch.setattr(writers, "XLSX_MAX_FINDINGS", 40)
    run = samples.masked  # the findings as `jicui check` streams them: masked, in several parts
    paths = {"csv": tmp_path / "findings.csv", "xlsx": tmp_path / "findings.xlsx"}
    shown = writers.write_streamed(run.chunks(rows=16), paths, run.total, summarise(run.counts(), run.rules))
    total = run.total
    assert shown == 40 < total
    assert len(pd.read_csv(paths["csv"])) == total
    assert len(pd.read_excel(paths["xlsx"], sheet_name="核查发现", engine="calamine")) == 40
    note = pd.read_excel(paths["xlsx"], sheet_name="按规则汇总", header=None, engine="calamine").astype(str)
    assert note.apply(lambda c: c.str.contains(f"核查发现共 {total:,} 条")).any().any()


@pytest.mark.parametrize("column", ["village", "source_file"])
def test_the_partitions_really_differ(samples, column):
    """Not a tautology: the parts of a run hold different villages' findings."""
    import duckdb

    run = samples.masked
    firsts = [duckdb.sql(f"SELECT {column} FROM '{p}' LIMIT 1").fetchall() for p in run.parts]
    assert len({f[0][0] for f in firsts if f}) > 3


def test_a_name_two_villages_enterprises_bear_resolves_no_row_in_either_run(tmp_path):
    """An enterprise of 北岭村 registered under the name of one of 东坡村: a 北岭村 row giving only that
    name is attributed to neither (REF001 lists both, looked up in the whole registry from a village's view)."""
    import openpyxl
    from stdnum.cn import uscc

    town = _town(tmp_path / "samples", "东坡村", "北岭村")
    book = town / "积翠镇企业名录.xlsx"
    wb = openpyxl.load_workbook(book)
    code = "91140122MA0000001" + uscc.calc_check_digit("91140122MA0000001")
    wb["企业名录"].append([code, "东坡中兴铸造厂", "北岭村", "工贸", "应急站", "N", "钱二", None, "10人", "孙三", "1人", None, None])
    wb.save(book)
    ledger = town / "北岭村" / "北岭村主要负责人带队检查记录.csv"
    lines = ledger.read_text("gb18030").splitlines()
    lines.insert(len(lines) - 1, "466,,东坡中兴铸造厂,2023.7.5,钱二,重大事故隐患判定标准,0,是")
    ledger.write_text("\n".join(lines) + "\n", "gb18030")
    whole, parts, run = _both(town, partition_bytes=0)
    pd.testing.assert_frame_equal(parts, whole)
    ref = whole[(whole["rule_id"] == "REF001") & (whole["source_file"].str.endswith(ledger.name))]
    assert len(ref) == 1 and ref["source_row"].iloc[0] == len(lines) - 1
    assert "企业名录中有2家企业名为“东坡中兴铸造厂”（东坡村，统一社会信用代码 9114012210049482R1；北岭村" in ref["message"].iloc[0]
    assert not ((whole["rule_id"] == "HI002") & (whole["value"] == "钱二")).any()


@pytest.mark.parametrize("registry", ["missing", "unreadable"])
def test_without_a_readable_registry_the_village_run_stops_like_the_whole_run(tmp_path, registry, monkeypatch):
    """RULEBOOK §7: exit 2 when no registry is among the inputs, however the check is cut; an unreadable
    registry file is named with its reason, and no temporary folder is left behind."""
    from typer.testing import CliRunner

    from jicui_compliance.cli import app

    town = _town(tmp_path / "town", "东坡村")
    reg = next(town.glob("*企业名录*"))
    if registry == "missing":
        reg.unlink()
    else:
        reg.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # an OLE file (as Excel's encrypted xlsx)
    spill_root = tmp_path / "tmp"  # this test's own (other tests make spill folders at the same time)
    spill_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill_root))
    for how in ("--by-village", "--all-at-once"):
        r = CliRunner().invoke(app, ["check", str(town), "--as-of", "2023-12-31", "--out", str(tmp_path / how), how])
        assert r.exit_code == 2, (how, r.output)
        assert "输入中没有企业名录" in r.output
        assert (reg.name in r.output) == (registry == "unreadable"), r.output
        assert not (tmp_path / how / "findings.csv").exists()
    assert not any(spill_root.iterdir())


def _village_templates(town: Path, *, town_template_in: str | None = None) -> None:
    """The blank templates of `jicui templates` put in each village's folder there is (and, with ``town_template_in``,
    the town's own blank template saved in that village's folder)."""
    from jicui_compliance.campaign import load_campaign
    from jicui_compliance.documents.templates import read_registry, units, write_template

    campaign = load_campaign(None)
    for u in units(campaign, read_registry([town / "积翠镇企业名录.xlsx"], campaign)):
        if u.kind == "村" and (town / u.name).is_dir():
            write_template(u, campaign, town / u.name / u.file_name, rows=5)
        elif u.kind == "镇" and town_template_in:
            write_template(u, campaign, town / town_template_in / u.file_name, rows=5)


def test_subfolders_templates_and_a_towns_unreadable_cell_keep_the_split_exact(tmp_path):
    """Three independent changes to the sample town, checked in one pair of runs (each costs seconds of CPU):

    * checking.md: 文件夹可在任意层级. A village folder that has a subfolder (东坡村/11月/) is no folder “beside the
      village folders”: its files are 东坡村's, not the town's, and the run is cut by village; a station's folder
      with a subfolder stays the town's.
    * Every 村台账模板 has a 会议与督导记录 sheet: empty, it is no reason to check the town as one; nor is an empty
      sheet of the town's ledgers (名录, 事故) in a village's folder (the town's template saved in 石门村's).
    * DC002 takes an enforcement visit whose 处理措施 cannot be read (SCH002: 责令整改并罚款) as one that may have
      penalised: the villages' rules see the town's unreadable cells of their enterprises' rows too."""
    town = _town(tmp_path / "samples", "应急站", "城建站", "东坡村", "南庄村", "杏花村",
                 "石门村")  # 南庄村's hazards: the station's DC001 (its fourth finding below)
    (town / "东坡村" / "11月").mkdir()
    (town / "东坡村" / "东坡村动火作业审批记录.csv").rename(town / "东坡村" / "11月" / "东坡村动火作业审批记录.csv")
    (town / "应急站" / "2023年").mkdir()  # a station's folder with a subfolder stays the town's
    (town / "应急站" / "应急站执法检查记录.csv").rename(town / "应急站" / "2023年" / "应急站执法检查记录.csv")
    _village_templates(town, town_template_in="石门村")
    ledger = town / "城建站" / "城建站执法检查记录.csv"
    lines = ledger.read_text("gb18030").split("\n")
    assert "杏花江家庭旅馆,2023/10/11" in lines[7] and "责令限期整改" in lines[7]
    lines[7] = lines[7].replace("责令限期整改", "责令整改并罚款")
    ledger.write_text("\n".join(lines), "gb18030")
    whole, parts, run = _both(town, partition_bytes=0)
    assert run.whole is None and not run.merged
    assert sorted(v for p in run.partitions for v in p) == sorted(
        ["东坡村", "北岭村", "南庄村", "杏花村", "柳树湾村", "梨园村", "石门村", "西河村"])
    assert (whole["source_file"] == "东坡村/11月/东坡村动火作业审批记录.csv").sum() == 4
    assert (whole["source_file"] == "应急站/2023年/应急站执法检查记录.csv").sum() == 4
    assert (whole["source_file"] == "东坡村/东坡村台账模板.xlsx").sum() == 0  # a blank template: no finding of its own
    mine = whole[whole["source_file"] == "城建站/城建站执法检查记录.csv"]
    assert mine.loc[mine["source_row"] == 8, "rule_id"].tolist() == ["SCH002"]  # and no DC002
    pd.testing.assert_frame_equal(parts, whole)


def test_a_villages_own_meetings_in_its_folder_count_for_the_town(tmp_path):
    """The villages file their meetings in their own folders (the template's 会议与督导记录), some in another
    village's folder, one with a date that cannot be read: the village-by-village run reads them with the
    town's meetings (GV001 judges every village by all of them) and gives exactly the whole run's findings."""
    import openpyxl

    town = _town(tmp_path / "samples", "积翠镇会议与督导记录.xlsx", "东坡村", "北岭村", "南庄村")
    book = town / "积翠镇会议与督导记录.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["村级会议"]
    for row in (4, 5, 7):  # 东坡村, 西河村 and 南庄村's kick-off meetings are no longer in the town's file
        assert ws.cell(row, 3).value == "动员部署会"
        ws.cell(row, 3).value = "专题会议"
    wb.save(book)
    header = "单位,日期,类型,主持或带队,内容\n"
    (town / "东坡村" / "东坡村会议与督导记录.csv").write_text(
        header + "东坡村,2023-05-15,动员部署会,刘晨飞,传达镇专项行动方案\n", "utf-8-sig")
    (town / "北岭村" / "会议与督导记录.csv").write_text(  # 西河村's, filed in 北岭村's folder
        header + "西河村,2023/5/17,动员部署会,刘波,传达镇专项行动方案\n", "utf-8-sig")
    (town / "南庄村" / "南庄村会议与督导记录.csv").write_text(
        header + "南庄村,5月20日,动员部署会,任军宁,传达镇专项行动方案\n", "utf-8-sig")
    moved = town / "北岭村" / "东坡村主要负责人带队检查记录.xlsx"  # 东坡村 and 北岭村 are read twice
    (town / "东坡村" / "东坡村主要负责人带队检查记录.xlsx").rename(moved)
    whole, parts, run = _both(town, partition_bytes=0)
    # the registry's 8 villages once each: 东坡村 and 北岭村 together, 南庄村 alone (the villages without a folder here,
    # of no input, go together in one more partition)
    assert run.whole is None and len(run.partitions) == 3 and ["南庄村"] in run.partitions
    assert sorted(v for p in run.partitions for v in p) == sorted(
        ["东坡村", "北岭村", "南庄村", "杏花村", "柳树湾村", "梨园村", "石门村", "西河村"])
    assert sorted(["东坡村", "北岭村"]) in [sorted(p) for p in run.partitions]
    assert sorted(sorted(m) for m in run.merged) == [["东坡村", "北岭村"]]
    gv001 = set(whole.loc[whole["rule_id"] == "GV001", "village"])
    assert not gv001 & {"东坡村", "西河村", "南庄村"}  # their meetings in the village folders count
    sch002 = whole[(whole["rule_id"] == "SCH002") & (whole["source_file"] == "南庄村/南庄村会议与督导记录.csv")]
    assert sch002["source_row"].tolist() == [2]  # 5月20日: no year (GV001 waits for the corrected date)
    pd.testing.assert_frame_equal(parts, whole)
    # with the villages' meetings left out, GV001 would name the three: the test can tell
    for f in ("东坡村/东坡村会议与督导记录.csv", "北岭村/会议与督导记录.csv", "南庄村/南庄村会议与督导记录.csv"):
        (town / f).unlink()
    assert {"东坡村", "西河村", "南庄村"} <= set(run_check([town], as_of=AS_OF).findings.query("rule_id == 'GV001'")["village"])


def test_town_records_in_a_village_folder_check_the_town_as_one_and_say_where(tmp_path):
    """An accident filed in a village's folder: the town's ledgers must be known before the villages, so
    the run is one check, and the reason names the file and the sheet."""
    town = _town(tmp_path / "samples", "应急站", "西河村")
    accidents = town / "应急站" / "积翠镇生产安全事故报告记录.xlsx"
    accidents.rename(town / "西河村" / accidents.name)
    whole, parts, run = _both(town, partition_bytes=0)
    sheet = pd.ExcelFile(town / "西河村" / accidents.name, engine="calamine").sheet_names[0]
    assert run.whole == f"以村名命名的文件夹中有企业名录、事故或执法检查记录（西河村/{accidents.name} 的工作表“{sheet}”）"
    assert run.partitions == [] and len(run.parts) == 1
    pd.testing.assert_frame_equal(parts, whole)
