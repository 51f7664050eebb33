"""`jicui check` as RULEBOOK §7 specifies it: outputs, exit codes, and never writing inputs."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from jicui_compliance.cli import app
from jicui_compliance.findings.schema import COLUMNS, TITLES
from jicui_compliance.writing import KILL_AT_ENV, LOCK_NAME, SIGNAL_AT_ENV

from .rules.runner import write_case

runner = CliRunner()


@pytest.fixture()
def submission(tmp_path):
    return _submission(tmp_path / "报送")


def _submission(folder: Path) -> Path:
    folder.mkdir()
    write_case({
        "head_inspections": [
            {"enterprise": "甲公司", "date": "2023-13-45", "leader": "=HYPERLINK(\"x\")", "hazards_found": 0},
            {"enterprise": "甲公司", "date": "2023-07-01", "leader": "张三", "hazards_found": 0},
        ],
        "special_workers": [
            {"enterprise": "甲公司", "person": "焊工甲", "id_no": "110105194912310021", "category": "焊接与热切割作业",
             "cert_no": "T1", "valid_until": "2025-01-01"},
        ],
        "files": [{"name": "说明.docx", "text": "x"}],
    }, folder)
    return folder


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_writes_findings_and_leaves_input_untouched(submission, tmp_path):
    before = _tree(submission)
    out = tmp_path / "结果"
    res = runner.invoke(app, ["check", str(submission), "--as-of", "2023-12-31", "--out", str(out),
                              "--select", "SCH,FMT,REF"])
    assert res.exit_code == 0, res.output
    assert _tree(submission) == before
    assert "核查完成" in res.output and "findings.xlsx" in res.output
    raw = (out / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    f = pd.read_csv(out / "findings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(f.columns) == COLUMNS
    assert set(f["rule_id"]) == {"SCH000", "SCH002", "FMT002"}
    sch002 = f[f["rule_id"] == "SCH002"].iloc[0]
    assert (sch002["source_file"], sch002["source_sheet"], sch002["source_row"], sch002["column"]) == (
        "台账.xlsx", "主要负责人带队检查记录", "2", "检查日期")
    assert sch002["enterprise_name"] == "甲公司" and sch002["village"] == "东坡村" and sch002["station"] == "应急站"
    fmt = f[f["rule_id"] == "FMT002"].iloc[0]
    assert fmt["value"] == "110105********0021" and "110105194912310021" not in raw.decode("utf-8-sig")


def test_xlsx_output_is_readable_and_formula_safe(submission, tmp_path):
    (submission / "台账.xlsx").unlink()
    write_case({"hazards": [{"enterprise": "甲公司", "description": "=1+1", "found_on": "2023-06-01",
                             "source": "=cmd", "immediate": "是"}]}, submission)
    out = tmp_path / "o"
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--select", "SCH002"])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    assert wb.sheetnames == ["核查发现", "按规则汇总", "按村汇总"]
    village = list(wb["按村汇总"].values)
    assert village[0] == ("所属村", "错误", "警告", "提示", "合计", "涉及企业")
    assert village[1][0] == "东坡村" and village[1][1] >= 1 and village[1][5] == 1
    ws = wb["核查发现"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert [c.value for c in ws[1]] == [TITLES[c] for c in COLUMNS]  # Chinese; the csv name in a comment
    assert [c.comment.text.split("：")[1] for c in ws[1]] == COLUMNS
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    csv = (out / "findings.csv").read_text("utf-8-sig")
    assert ",'=cmd," in csv


@pytest.mark.parametrize("args,needle", [
    (["check", "/no/such/folder", "--out", "{tmp}/o"], "输入路径不存在"),
    (["check", "{sub}", "--out", "{tmp}/o", "--as-of", "2023/12/31"], "YYYY-MM-DD"),
    (["check", "{sub}", "--out", "{sub}/结果"], "输入路径"),
    (["check", "{sub}", "--out", "{tmp}/o", "--fail-on", "严重"], "--fail-on"),
    (["check", "{sub}", "--out", "{tmp}/o", "--select", "HI", "--ignore", "HI"], "没有任何规则"),
    (["check", "{sub}", "--out", "{tmp}/o", "--select", "XYZ"], "--select 中的“XYZ”不是任何规则的编号或前缀"),
    # a typo beside a real rule must not quietly run only the real one
    (["check", "{sub}", "--out", "{tmp}/o", "--select", "EN001,XX999"], "--select 中的“XX999”不是"),
    (["check", "{sub}", "--out", "{tmp}/o", "--ignore", "HI01"], "--ignore 中的“HI01”不是"),
    (["notices", "{sub}", "--out", "{tmp}/o", "--as-of", "2023-12-31", "--date", "2023-06-01"],
     "早于数据截至日 2023-12-31"),
])
def test_cannot_run_exits_2_with_one_line(submission, tmp_path, args, needle):
    args = [a.format(tmp=tmp_path, sub=submission) for a in args]
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert needle in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("command", ["check", "report"])
def test_ctrl_c_exits_130_with_one_line(submission, tmp_path, monkeypatch, command):
    import jicui_compliance.check

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(jicui_compliance.check, "run_check", interrupted)
    res = runner.invoke(app, [command, str(submission), "--out", str(tmp_path / "o")])
    assert res.exit_code == 130
    assert "中断" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "o" / "findings.csv").exists()


def test_no_registry_exits_2(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "a.csv").write_text("企业名称,检查日期,带队负责人,发现隐患数\n甲公司,2023-06-01,张三,0\n", "utf-8")
    res = runner.invoke(app, ["check", str(folder), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "企业名录" in res.output
    assert not (tmp_path / "o").exists()


def test_fail_on(submission, tmp_path):
    base = ["check", str(submission), "--out", str(tmp_path / "o"), "--as-of", "2023-12-31"]
    assert runner.invoke(app, base + ["--select", "SCH000", "--fail-on", "错误"]).exit_code == 0  # only 警告
    assert runner.invoke(app, base + ["--select", "SCH000", "--fail-on", "警告"]).exit_code == 1
    assert runner.invoke(app, base + ["--select", "SCH002", "--fail-on", "错误"]).exit_code == 1


def test_python_m_and_chinese_help():
    res = subprocess.run([sys.executable, "-m", "jicui_compliance", "check", "--help"], capture_output=True, text=True)
    assert res.returncode == 0
    assert "核查" in res.stdout and "--as-of" in res.stdout and "用法：" in res.stdout  # Chinese throughout (issue 14)
    # the type column in Chinese too, not the annotations typer shows (<list[Path]>, <str>, <int>)
    assert "<路径…>" in res.stdout and "<文字>" in res.stdout and "<整数>" in res.stdout
    assert not re.search(r"<(list\[|Path|path|str|int|bool)", res.stdout), res.stdout


def test_rules_command_lists_and_documents():
    res = runner.invoke(app, ["rules", "SCH"])
    assert res.exit_code == 0 and "SCH004" in res.output and "FMT001" not in res.output
    res = runner.invoke(app, ["rules", "SCH002"])
    assert "规则说明" in res.output and "违规示例" in res.output and "合规示例" in res.output
    res = runner.invoke(app, ["rules", "HI001"])  # the plan's numbering and the ledgers' names, as users know them
    assert "条款：方案三（一）（4）（E(4)）" in res.output and "读取台账：企业名录、主要负责人带队检查记录" in res.output
    res = runner.invoke(app, ["rules", "SCH005"])  # no clause of the plan; every ledger
    assert "条款：—" in res.output and "读取台账：全部台账" in res.output
    # ENT001: the RULEBOOK's code 三(二)4 names the plan's 倒查 paragraph; the lead stations are in 一（二）4
    res = runner.invoke(app, ["rules", "ENT001"])
    assert "条款：方案一（二）4（规则目录中记为 三(二)4）" in res.output and "方案三（二）4" not in res.output, res.output
    res = runner.invoke(app, ["rules", "ENT"])
    assert "即方案" in res.output and "一(二)4" in res.output, res.output  # the list names the paragraph too


def test_the_console_command_keeps_exit_codes_and_output(submission, tmp_path):
    """`jicui` ends its process without interpreter teardown: exit codes and printed output
    must survive that."""
    def run(*args):
        return subprocess.run([sys.executable, "-m", "jicui_compliance", *args], capture_output=True, text=True)

    ok = run("check", str(submission), "--out", str(tmp_path / "a"))
    assert ok.returncode == 0 and "核查完成" in ok.stdout and (tmp_path / "a" / "findings.xlsx").stat().st_size > 0
    failing = run("check", str(submission), "--out", str(tmp_path / "b"), "--select", "SCH000", "--fail-on", "警告")
    assert failing.returncode == 1 and "核查完成" in failing.stdout
    missing = run("check", str(tmp_path / "nowhere"), "--out", str(tmp_path / "c"))
    assert missing.returncode == 2 and "输入路径不存在" in missing.stderr
    usage = run("check", "--no-such-option")
    assert usage.returncode == 2 and "no-such-option" in usage.stderr


def test_the_terminal_speaks_chinese(submission, tmp_path):
    """Issue 14: typer's own words (usage, --help, errors) in Chinese; a warning for an as-of outside the campaign."""
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0 and "用法：" in res.output and "显示本帮助并退出" in res.output
    assert "Show this message" not in res.output and "Usage:" not in res.output
    res = runner.invoke(app, ["report", str(submission)])
    assert res.exit_code == 2 and "缺少选项 --out" in res.output and "Missing" not in res.output
    # a usage error ends as every failure does: one line (RULEBOOK §7), not click's usage block and box
    for args, line in ((["report", str(submission)], "无法运行：缺少选项 --out；用 jicui report --help 查看帮助"),
                       (["check", str(submission), "--out", "o", "--bogus"],
                        "无法运行：没有选项 --bogus（相近的选项：--out）；用 jicui check --help 查看帮助")):
        res = runner.invoke(app, args, prog_name="jicui")
        assert res.exit_code == 2 and res.output.strip().splitlines() == [line], res.output
    res = runner.invoke(app, ["check", str(submission), "--out", str(tmp_path / "o"), "--as-of", "2024-03-01",
                              "--select", "HI001"])
    assert res.exit_code == 0 and "不在专项行动期间" in res.output


# -- the command line's failure modes (audit "cli") ----------------------------------------------------
def _jicui(*args: object, env: dict | None = None, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    """`python -m jicui_compliance ARGS` in a process of its own (signals, permissions): its exit code and output.
    Ctrl-C is restored in it as a terminal gives it: a suite started in the background (`make test &`) hands its
    processes SIGINT ignored, and a Python started so never hears Ctrl-C (nor would the analyst's)."""
    restore = (lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) if os.name == "posix" else None
    return subprocess.run([*(prefix or []), sys.executable, "-m", "jicui_compliance", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, **(env or {})}, preexec_fn=restore)


def _lines(text: str) -> list[str]:
    return [x for x in text.splitlines() if x.strip()]


def _leftovers(folder: Path) -> list[str]:
    """The lock, journals and temporary files a run may leave in its output folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".jicui"))


def _unprivileged() -> list[str]:
    """What to run a command with so that file permissions bind it: nothing for an ordinary user; as root
    (a container), ``setpriv`` without the capabilities that override them (as the auditor ran it)."""
    if os.name == "nt":
        pytest.skip("POSIX permissions")
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    prefix = [setpriv or "setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all"]
    if setpriv is None or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("root, and its capabilities cannot be dropped here")
    return prefix


# 2. notices and templates: written as a set, under the lock, like check and report
def _notices(submission: Path, out: Path, as_of: str = "2023-12-31"):
    return runner.invoke(app, ["notices", str(submission), "--out", str(out), "--as-of", as_of])


@pytest.fixture(scope="module")
def notices_written(tmp_path_factory) -> Path:
    """The notices of a submission as the ``submission`` fixture writes it, as of 2023-12-31, written once: a test
    that runs notices again into their folder works on a copy of it (:func:`_earlier_notices`)."""
    base = tmp_path_factory.mktemp("notices")
    out = base / "文书"
    done = _notices(_submission(base / "报送"), out)
    assert done.exit_code == 0, done.output
    return out


def _earlier_notices(notices_written: Path, out: Path) -> Path:
    """A copy of the earlier set (every file, the hidden ones too, byte for byte) where a run wrote it."""
    shutil.copytree(notices_written, out)
    assert _tree(out) == _tree(notices_written) and _leftovers(out) == []
    return out


def test_notices_written_again_replace_the_earlier_set_as_a_whole(submission, notices_written, tmp_path):
    """Run into the same folder at 12-31 then 07-31, the letters of the first run stayed beside the second's
    (186 documents, 文书清单 listing 77; two notices numbered 031). The earlier set goes as a whole now."""
    out = _earlier_notices(notices_written, tmp_path / "文书")  # as `_notices(submission, out)` wrote it
    stale = out / "隐患整改通知书" / "031_另一次运行的企业.docx"  # as a run of a bigger batch leaves it
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"old")
    (out / "提醒函").mkdir(exist_ok=True)
    (out / "提醒函" / "001_某村.docx").write_bytes(b"old")
    (out / "我的笔记.txt").write_text("not the tool's", "utf-8")
    res = _notices(submission, out, "2023-07-31")
    assert res.exit_code == 0, res.output
    listed = pd.read_excel(out / "文书清单.xlsx", sheet_name="文书清单", dtype=str, engine="calamine")["文件"].tolist()
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*.docx"))
    assert on_disk == sorted(listed)
    assert not stale.exists() and (out / "我的笔记.txt").read_text("utf-8") == "not the tool's"
    assert _leftovers(out) == []


def test_notices_interrupted_or_failing_leave_the_earlier_set(submission, notices_written, tmp_path, monkeypatch):
    """Ctrl-C after some documents left them without 文书清单.xlsx; a failed write left 112 files and said
    “无法写入 文件（系统错误，错误码 27）”. Now the earlier set stays as it was, and the line names the folder."""
    from jicui_compliance.report.gongwen import Gongwen

    out = _earlier_notices(notices_written, tmp_path / "文书")  # as `_notices(submission, out)` wrote it
    before = _tree(out)
    save = Gongwen.save

    def interrupted(self, path):
        save(self, path)
        raise KeyboardInterrupt

    monkeypatch.setattr(Gongwen, "save", interrupted)
    res = _notices(submission, out, "2023-07-31")
    assert res.exit_code == 130 and _lines(res.output) == ["已按 Ctrl-C 中断"]
    assert _tree(out) == before and _leftovers(out) == []

    def too_big(self, path):
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(Gongwen, "save", too_big)
    res = _notices(submission, out, "2023-07-31")
    assert res.exit_code == 2
    assert _lines(res.output) == [f"无法运行：无法写入 {out.resolve()}（文件超过系统允许的大小）；请换一个输出文件夹"]
    assert _tree(out) == before and _leftovers(out) == []
    # a first run that fails leaves no folder
    res = _notices(submission, tmp_path / "新文书")
    assert res.exit_code == 2 and not (tmp_path / "新文书").exists()


def test_a_second_notices_run_into_the_same_folder_stops_at_once(submission, tmp_path):
    out = tmp_path / "文书"
    out.mkdir()
    (out / LOCK_NAME).write_text(f"{os.getpid()}\n{os.uname().nodename}\n{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    for args in (["notices", str(submission), "--as-of", "2023-12-31"], ["templates"]):
        res = runner.invoke(app, [*args, "--out", str(out)])
        assert res.exit_code == 2 and "另一次运行" in _lines(res.output)[0] and len(_lines(res.output)) == 1
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]


def test_templates_replace_the_earlier_set_and_keep_it_when_stopped(tmp_path, monkeypatch):
    import jicui_compliance.documents.templates as templates

    out = tmp_path / "模板"
    args = ["templates", "--out", str(out), "--rows", "5"]
    assert runner.invoke(app, args).exit_code == 0
    (out / "已撤销村台账模板.xlsx").write_bytes(b"old")  # a unit of an earlier registry
    (out / "2022年度东坡村台账模板.xlsx").write_bytes(b"returned")  # a unit's filled template, renamed
    (out / "填报通知.docx").write_bytes(b"mine")
    assert runner.invoke(app, args).exit_code == 0
    # only this run's own names are replaced: the files that merely end the same way are not the tool's to remove
    assert (out / "已撤销村台账模板.xlsx").read_bytes() == b"old"
    assert (out / "2022年度东坡村台账模板.xlsx").read_bytes() == b"returned"
    assert (out / "填报通知.docx").read_bytes() == b"mine"
    before = _tree(out)
    write = templates.write_template
    calls = []

    def stopped(*a, **k):
        calls.append(write(*a, **k))
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(templates, "write_template", stopped)
    res = runner.invoke(app, [*args[:-1], "7"])
    assert res.exit_code == 130 and _lines(res.output) == ["已按 Ctrl-C 中断"]
    assert _tree(out) == before and _leftovers(out) == []


def test_a_replacement_killed_half_way_is_finished_by_the_next_run(submission, tmp_path):
    out = tmp_path / "模板"
    # the earlier set, written in this process: only the run that is killed needs a process of its own
    assert runner.invoke(app, ["templates", "--out", str(out), "--rows", "3"]).exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    killed = _jicui("templates", "--out", out, "--rows", "4", env={KILL_AT_ENV: "mid-commit"})
    assert killed.returncode == -9
    assert ".jicui-replace" in _leftovers(out)  # the journal of the replacement under way
    assert len([p for p in out.iterdir() if not p.name.startswith(".")]) == 1  # the earlier set aside, one new in
    # the next run into the folder (whatever it writes) first completes the killed run's set, under the lock
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31", "--select", "SCH"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == sorted([*names, "findings.csv", "findings.xlsx"])
    rows = {name: _prepared_rows(out / name) for name in names}
    assert set(rows.values()) == {4}, rows  # every template the killed run's (4 rows), none of the earlier set


def _prepared_rows(path: Path) -> int:
    """How many rows a template's first ledger sheet prepares (its data validations' last row, less the header)."""
    ws = openpyxl.load_workbook(path).worksheets[1]
    last = max(int(re.findall(r"\d+", str(dv.sqref))[-1]) for dv in ws.data_validations.dataValidation)
    first = min(int(re.findall(r"\d+", str(dv.sqref))[0]) for dv in ws.data_validations.dataValidation)
    return last - first + 1


# 3. typer's and pydantic's English, in Chinese
@pytest.mark.parametrize("args,line", [
    (["check", "--store", "x.duckdb", "--version", "abc", "--out", "o"],
     "无法运行：'--version' 的取值无效：应为整数；用 jicui check --help 查看帮助"),
    (["export", "--store", "x.duckdb", "--parquet", "o", "--run", "1.5"],
     "无法运行：'--run' 的取值无效：应为整数；用 jicui export --help 查看帮助"),
    (["diff", "--store", "x.duckdb", "--out", "o", "a", "b"],
     "无法运行：'核查编号' 的取值无效：应为整数；用 jicui diff --help 查看帮助"),
    (["templates", "--out", "o", "--rows", "0"],
     "无法运行：'--rows' 的取值无效：应不小于 1；用 jicui templates --help 查看帮助"),
    (["templates", "--out", "o", "--rows", "100001"],
     "无法运行：'--rows' 的取值无效：应不大于 100000；用 jicui templates --help 查看帮助"),
])
def test_values_typer_cannot_convert_are_said_in_chinese(args, line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, args, prog_name="jicui")
    assert res.exit_code == 2 and _lines(res.output) == [line]


@pytest.mark.parametrize("option", ["--campaign", "--out", "报送路径"])
def test_a_path_typer_finds_unreadable_is_said_in_chinese(submission, tmp_path, monkeypatch, option):
    """“'--campaign' 的取值无效：path 'c.toml' is not readable.” (also --store, --previous, --registry, --out)."""
    monkeypatch.chdir(tmp_path)
    Path("c.toml").write_text("", "utf-8")
    Path("o").mkdir()
    assert submission == tmp_path / "报送"
    access = os.access
    locked = {"c.toml", "o", "报送"}
    monkeypatch.setattr(os, "access", lambda path, mode, **k: str(path) not in locked and access(path, mode, **k))
    res = runner.invoke(app, ["check", "报送", "--out", "o", "--campaign", "c.toml"], prog_name="jicui")
    assert res.exit_code == 2
    [line] = _lines(res.output)
    shown = {"--campaign": "c.toml", "--out": "o", "报送路径": "报送"}
    assert re.fullmatch(r"无法运行：'(--campaign|--out|报送路径)' 的取值无效：路径“(c\.toml|o|报送)”没有读取权限；用 jicui check --help 查看帮助",
                        line), line
    assert not re.search(r"[A-Za-z]{4,}", line.replace("jicui", "").replace("toml", "").replace("campaign", "")
                         .replace("help", "").replace("check", ""))
    locked.clear()
    locked.add(shown[option])
    res = runner.invoke(app, ["check", "报送", "--out", "o", "--campaign", "c.toml"], prog_name="jicui")
    assert _lines(res.output) == [f"无法运行：'{option}' 的取值无效：路径“{shown[option]}”没有读取权限；"
                                  "用 jicui check --help 查看帮助"]


def test_zh_error_knows_every_path_message():
    from jicui_compliance.cli import _zh_error

    for english, chinese in (("is not readable", "没有读取权限"), ("is not writable", "没有写入权限"),
                             ("does not exist", "不存在"), ("is a file", "是文件，应为文件夹"),
                             ("is a directory", "是文件夹，应为文件")):
        for kind, word in (("path", "路径"), ("file", "文件"), ("directory", "文件夹")):
            assert _zh_error(f"Invalid value for '--x': {kind} 'a b.txt' {english}.") == \
                f"'--x' 的取值无效：{word}“a b.txt”{chinese}。"
    assert _zh_error("Invalid value for '--x': Input should be greater than 0") == "'--x' 的取值无效：应大于 0"


# 4. an input file that cannot be opened: SCH000 in Chinese
def test_an_input_file_that_cannot_be_opened_is_said_in_chinese(submission, tmp_path, monkeypatch):
    import jicui_compliance.reading as reading

    (submission / "东坡村").mkdir()
    (submission / "东坡村" / "动火作业审批记录.csv").write_text("企业名称,动火日期\n甲公司,2023-07-01\n", "utf-8")
    read = reading.read_file

    def held(src):
        if src.rel.endswith(".csv"):
            raise PermissionError(errno.EACCES, "Permission denied", str(src.path))
        return read(src)

    monkeypatch.setattr(reading, "read_file", held)
    res = runner.invoke(app, ["check", str(submission), "--out", str(tmp_path / "o"), "--as-of", "2023-12-31",
                              "--select", "SCH000"])
    assert res.exit_code == 0, res.output
    f = pd.read_csv(tmp_path / "o" / "findings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert f.loc[f["source_file"] == "东坡村/动火作业审批记录.csv", "message"].tolist() == [
        "“东坡村/动火作业审批记录.csv”未纳入核查：文件无法读取（没有读取权限，或正被其他程序锁定）"]


def test_unreadable_inputs_for_real(submission, tmp_path):
    """Without the power to override permissions (root in a container drops it): a ledger of mode 000 is an
    SCH000 in Chinese, an input below a folder that may not be read is “无法读取”, a --campaign that may not be
    read is said in Chinese."""
    prefix = _unprivileged()
    ledger = submission / "动火作业审批记录.csv"
    ledger.write_text("企业名称,动火日期\n甲公司,2023-07-01\n", "utf-8")
    closed = tmp_path / "nr"
    (closed / "sub").mkdir(parents=True)
    campaign = tmp_path / "c.toml"
    campaign.write_text("", "utf-8")
    for p in (ledger, closed, campaign):
        p.chmod(0)
    try:
        res = _jicui("check", submission, "--out", tmp_path / "o", "--as-of", "2023-12-31", "--select", "SCH000",
                     prefix=prefix)
        assert res.returncode == 0, res.stderr
        f = pd.read_csv(tmp_path / "o" / "findings.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert "文件无法读取（没有读取权限，或正被其他程序锁定）" in f.loc[f["source_file"] == ledger.name, "message"].iloc[0]
        res = _jicui("check", closed / "sub", "--out", tmp_path / "o2", prefix=prefix)
        assert res.returncode == 2
        assert _lines(res.stderr) == [f"无法运行：无法读取输入路径 {closed / 'sub'}（没有读取权限，或正被其他程序锁定）"]
        res = _jicui("check", submission, "--out", tmp_path / "o3", "--campaign", campaign, prefix=prefix)
        assert res.returncode == 2 and _lines(res.stderr)[0].startswith(
            f"无法运行：'--campaign' 的取值无效：路径“{campaign}”没有读取权限；用 ")
    finally:
        for p in (ledger, closed, campaign):
            p.chmod(0o700)


# 5. input paths that cannot be looked at: a failure to read them, not to write
def test_an_input_path_too_long_is_a_failure_to_read_it(tmp_path):
    long = tmp_path / ("长" * 100)
    res = runner.invoke(app, ["check", str(long), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and _lines(res.output) == [f"无法运行：无法读取输入路径 {long}（路径过长）"]
    res = runner.invoke(app, ["templates", "--out", str(tmp_path / "o"), "--registry", str(long)])
    assert res.exit_code == 2 and _lines(res.output) == [f"无法运行：无法读取企业名录路径 {long}（路径过长）"]


# 8, 9. Ctrl-C from the first moment, SIGTERM and SIGHUP like it
@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("stage", ["startup", "parse", "command"])
def test_ctrl_c_at_any_moment_is_one_line_and_130(stage):
    """In the first 0.3 s a traceback; at 0.4–1.2 s exit 130 and nothing said."""
    res = _jicui("rules", "HI001", env={SIGNAL_AT_ENV: f"{stage}:SIGINT"})
    assert (res.returncode, _lines(res.stderr), res.stdout) == (130, ["已按 Ctrl-C 中断"], "")


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("signal_name,code,line", [
    ("SIGTERM", 143, "已终止（系统或其他程序要求结束，收到信号 SIGTERM）"),
    ("SIGHUP", 129, "已终止（终端已关闭，收到信号 SIGHUP）"),
])
def test_a_termination_ends_like_ctrl_c(tmp_path, signal_name, code, line):
    """SIGTERM ended with 143 and no word, leaving .jicui.lock and a .jicui-tmp-* behind."""
    out = tmp_path / "模板"
    # the earlier set, written in this process: only the runs that receive the signal need a process of their own
    assert runner.invoke(app, ["templates", "--out", str(out), "--rows", "3"]).exit_code == 0
    before = _tree(out)
    for stage in ("between-files", "parse"):
        res = _jicui("templates", "--out", out, "--rows", "4", env={SIGNAL_AT_ENV: f"{stage}:{signal_name}"})
        assert (res.returncode, _lines(res.stderr)) == (code, [line])
        assert _tree(out) == before and _leftovers(out) == []
    res = _jicui("check", "--store", tmp_path / "x.duckdb", "--out", tmp_path / "o", env={SIGNAL_AT_ENV: "startup:" + signal_name})
    assert (res.returncode, _lines(res.stderr)) == (code, [line])


def _jicui_stopped_at(moment: str, *args: object) -> subprocess.CompletedProcess:
    """``jicui ARGS`` in a process of its own (as :func:`_jicui`) that sends itself a signal at a chosen ``moment``
    of its end, from inside (no timing): ``"shutdown:SIGINT"`` while the interpreter shuts down (an atexit callback,
    registered first, so run last), ``"freed"`` while a table freed just after the last line is printed is cleaned
    up (a weakref callback, as pandera's schema registry has one for every table it validated)."""
    driver = f"""
import atexit, os, signal, sys, weakref
import jicui_compliance.cli as cli
from jicui_compliance.__main__ import main

moment = {moment!r}
if moment.startswith("shutdown:"):
    atexit.register(lambda: os.kill(os.getpid(), getattr(signal, moment.partition(":")[2])))
printed, kept = cli._print_findings, []

def print_then_free_a_table(*args, **kwargs):
    printed(*args, **kwargs)
    if moment == "freed":
        class Table:
            pass
        table = Table()
        kept.append(weakref.ref(table, lambda ref: os.kill(os.getpid(), signal.SIGINT)))
        del table  # its callback runs here, and Ctrl-C comes while it runs

cli._print_findings = print_then_free_a_table
sys.argv[0] = "jicui"
main()
"""
    restore = (lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)) if os.name == "posix" else None
    return subprocess.run([sys.executable, "-c", driver, *map(str, args)], capture_output=True, text=True,
                          preexec_fn=restore)


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_stop_while_the_process_shuts_down_is_ignored(submission, tmp_path, signal_name):
    """Once the run is over (everything written and printed), a Ctrl-C while the interpreter shut down printed
    “Exception ignored in …” with Python's traceback and exited 0, or killed the process without a word: it is
    ignored, and the process exits with the run's code (here 1, --fail-on 错误)."""
    out = tmp_path / "结果"
    res = _jicui_stopped_at(f"shutdown:{signal_name}", "check", submission, "--out", out, "--as-of", "2023-12-31",
                            "--fail-on", "错误")
    assert (res.returncode, res.stderr) == (1, "")
    assert _lines(res.stdout)[-1].startswith("结果已写入：")
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.xlsx"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_ctrl_c_while_the_tables_are_freed_after_the_last_line_is_one_line_and_130(submission, tmp_path):
    """Ctrl-C just after “结果已写入” came while pandera's clean-up of the freed tables ran: Python swallowed it,
    printed “Exception ignored in: <function register_schema.<locals>.cleanup>” with a traceback, and exited 0."""
    out = tmp_path / "结果"
    res = _jicui_stopped_at("freed", "check", submission, "--out", out, "--as-of", "2023-12-31")
    assert (res.returncode, res.stderr) == (130, "已按 Ctrl-C 中断\n")
    assert _lines(res.stdout)[-1].startswith("结果已写入：")
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.xlsx"]


def test_a_lock_of_a_process_that_no_longer_runs_is_taken_over_though_its_number_is_used(submission, tmp_path):
    """A lock left by a run whose process id a later process got (pid 1 after a reboot) refused every run."""
    out = tmp_path / "结果"
    out.mkdir()
    host = os.uname().nodename
    for lock in (f"{os.getpid()}\n{host}\n{time.strftime('%Y-%m-%d %H:%M:%S')}\nanother-boot/12345\n",  # by identity
                 f"{os.getpid()}\n{host}\n2023-12-31 08:00:00\n"):  # an older lock: written before this process began
        if not Path("/proc/self/stat").exists():
            pytest.skip("no /proc: a process's start cannot be told")
        (out / LOCK_NAME).write_text(lock)
        res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31", "--select", "SCH"])
        assert res.exit_code == 0, res.output
        assert not (out / LOCK_NAME).exists()


# 10. --by-village stopped: its temporary findings go too
@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_by_village_stopped_leaves_no_temporary_folder(submission, tmp_path):
    spill = tmp_path / "tmp"
    spill.mkdir()
    res = _jicui("check", submission, "--out", tmp_path / "o", "--as-of", "2023-12-31", "--by-village",
                 env={SIGNAL_AT_ENV: "file-read:SIGINT", "TMPDIR": str(spill)})
    assert (res.returncode, _lines(res.stderr)) == (130, ["已按 Ctrl-C 中断"])
    assert list(spill.iterdir()) == [] and not (tmp_path / "o").exists()


# 11. the wording
def test_a_summary_that_cannot_be_printed_says_the_results_are_written(submission, tmp_path, monkeypatch):
    """stdout on a full disk: “磁盘空间不足，无法写入 文件；…（原有结果未改动）” though the new results were written."""
    import io

    import jicui_compliance.cli as cli

    class Full(io.StringIO):
        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli, "console", cli._Console(file=Full(), soft_wrap=True))
    out = tmp_path / "o"
    res = runner.invoke(app, ["check", str(submission), "--out", str(out), "--as-of", "2023-12-31"])
    assert res.exit_code == 2
    assert _lines(res.output) == [f"无法运行：无法写入标准输出（磁盘空间不足），屏幕上的输出不完整；结果已完整写入 {out.resolve()}"]
    assert (out / "findings.csv").exists()
    res = runner.invoke(app, ["rules"])
    assert _lines(res.output) == ["无法运行：无法写入标准输出（磁盘空间不足），屏幕上的输出不完整"]


@pytest.mark.parametrize("day,line", [
    ("2023-02-30", "无法运行：--as-of 的日期“2023-02-30”不存在：2023年2月只有28天"),
    ("2024-02-30", "无法运行：--as-of 的日期“2024-02-30”不存在：2024年2月只有29天"),
    ("2023-13-01", "无法运行：--as-of 的日期“2023-13-01”不存在：没有13月"),
    ("2023/12/31", "无法运行：--as-of 应为 YYYY-MM-DD 格式的日期，收到“2023/12/31”"),
])
def test_a_day_not_in_the_calendar_is_said_so(submission, tmp_path, day, line):
    res = runner.invoke(app, ["check", str(submission), "--out", str(tmp_path / "o"), "--as-of", day])
    assert res.exit_code == 2 and _lines(res.output) == [line]


def test_an_option_without_its_value_points_to_the_commands_help(submission):
    res = runner.invoke(app, ["check", str(submission), "--out"], prog_name="jicui")
    assert res.exit_code == 2 and _lines(res.output) == ["无法运行：选项 --out 需要一个值；用 jicui check --help 查看帮助"]


def test_the_help_shows_no_type_for_a_flag():
    for command in ("check", "templates"):
        res = runner.invoke(app, [command, "--help"], terminal_width=200)
        rows = [x for x in res.output.splitlines() if "--help" in x or "--by-village" in x or "--rows" in x]
        assert rows and not any("是/否" in x or "range" in x for x in rows), rows
        assert all(re.search(r"--help\s+显示本帮助", x) for x in rows if "--help" in x)
    assert "<整数>" in res.output


def test_templates_for_one_village_replace_only_its_workbook(tmp_path):
    """`--village 东坡村` into the folder of the town's set replaces 东坡村台账模板.xlsx and keeps the others'."""
    out = tmp_path / "模板"
    registry = str(Path(__file__).resolve().parent.parent / "data" / "samples" / "积翠镇企业名录.xlsx")
    assert runner.invoke(app, ["templates", "--out", str(out), "--rows", "3", "--registry", registry]).exit_code == 0
    names = sorted(p.name for p in out.iterdir())
    before = {n: (out / n).read_bytes() for n in names}
    res = runner.invoke(app, ["templates", "--out", str(out), "--rows", "4", "--registry", registry, "--village", "东坡村"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == names and len(names) > 10
    changed = [n for n in names if (out / n).read_bytes() != before[n]]
    assert changed == ["东坡村台账模板.xlsx"]


def test_notices_never_replace_files_the_tool_did_not_write_nor_another_scopes_set(submission, notices_written, tmp_path):
    """A signed scan put beside the letters would go with the set replaced; a village's documents (numbered
    from 1) written into the town's folder would replace the town's set: both are refused, nothing changes."""
    out = _earlier_notices(notices_written, tmp_path / "文书")  # as `_notices(submission, out)` wrote it
    kind = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    (kind / "东坡村_已签收扫描件.pdf").write_bytes(b"signed")
    before = _tree(out)
    res = _notices(submission, out)
    assert res.exit_code == 2 and "东坡村_已签收扫描件.pdf" in res.output and "不是本工具写出的文件" in res.output
    assert _tree(out) == before
    (kind / "东坡村_已签收扫描件.pdf").unlink()
    village = runner.invoke(app, ["notices", str(submission), "--as-of", "2023-12-31", "--out", str(out),
                                  "--village", "东坡村"])
    assert village.exit_code == 2 and "已是全镇的文书" in village.output, village.output
    assert _notices(submission, out).exit_code == 0  # the town's set again: replaced as before
