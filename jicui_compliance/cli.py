"""The ``jicui`` command (thin: options in, pipeline called, summary out)."""

from __future__ import annotations

import datetime as dt
import functools
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .writing import checkpoint

#: typer's (and click's) own words in Chinese: panel titles, and the error messages, by pattern
_PANELS = {"ARGUMENTS_PANEL_TITLE": "参数", "OPTIONS_PANEL_TITLE": "选项", "COMMANDS_PANEL_TITLE": "命令",
           "ERRORS_PANEL_TITLE": "错误", "ABORTED_TEXT": "已中止。", "DEFAULT_STRING": "[默认：{}]",
           "REQUIRED_LONG_STRING": "[必填]", "ENVVAR_STRING": "[环境变量：{}]", "DEPRECATED_STRING": "（已弃用）",
           "RICH_HELP": "用 [blue]{command_path} {help_option}[/] 查看帮助。"}
#: typer's words for a path it checked, and for what it found
_PATH_KINDS = {"path": "路径", "file": "文件", "dir": "文件夹", "directory": "文件夹"}
_PATH_STATES = {"is not readable": "没有读取权限", "is not writable": "没有写入权限", "does not exist": "不存在",
                "is a file": "是文件，应为文件夹", "is a directory": "是文件夹，应为文件"}
_ERRORS = (
    (r"^Missing argument '?([^'.]+)'?\.?", r"缺少参数 \1。"), (r"^Missing option '?([^'.]+)'?\.?", r"缺少选项 \1。"),
    (r"^Missing parameter:? '?([^'.]+)'?\.?", r"缺少参数 \1。"), (r"^Missing command\.", "缺少命令。"),
    (r"^No such option:? '?([^'\s]+?)'?\.?(?=\s|$)", r"没有选项 \1。"),
    (r"^No such command:? '?([^'\s]+?)'?\.?(?=\s|$)", r"没有命令 \1。"),
    (r"Did you mean ([^?]+)\?", r"您是否想用 \1？"), (r"\(Possible options: ([^)]*)\)", r"（相近的选项：\1）"),
    (r"^Invalid value for ([^:]+): ", r"\1 的取值无效："), (r"^Invalid value: ", "取值无效："),
    (r"^Got unexpected extra arguments? ?\(s\)? \((.*)\)", r"多余的参数：\1"),
    (r"^Option '([^']+)' requires an argument\.", r"选项 \1 需要一个值。"),
    (r"is not a valid ([\w ]+)\.", r"不是有效的\1。"),
    # typer's checks of a path (before the command runs): path 'c.toml' is not readable.
    (r"\b(path|file|dir|directory) (['\"])(.*?)\2 (is not readable|is not writable|does not exist|is a file|is a directory)\.",
     lambda m: f"{_PATH_KINDS[m[1]]}“{m[3]}”{_PATH_STATES[m[4]]}。"),
    # pydantic's words for a value typer could not convert (--version abc, --rows 0)
    (r"Input should be a valid integer\b[^。；]*", "应为整数"),
    (r"Input should be a valid (number|decimal)\b[^。；]*", "应为数"),
    (r"Input should be a valid boolean\b[^。；]*", "应为“是”或“否”"),
    (r"Input should be greater than or equal to (\S+?)\.?(?=$|\s)", r"应不小于 \1"),
    (r"Input should be less than or equal to (\S+?)\.?(?=$|\s)", r"应不大于 \1"),
    (r"Input should be greater than (\S+?)\.?(?=$|\s)", r"应大于 \1"),
    (r"Input should be less than (\S+?)\.?(?=$|\s)", r"应小于 \1"),
)


def _zh_error(message: str) -> str:
    import re

    for pattern, repl in _ERRORS:
        message = re.sub(pattern, repl, message)
    return re.sub(r"。\s+", "；", re.sub(r"。\s*(?=（)", "", message))  # click's sentences, joined in one line


_TYPES = {"Path": "路径", "path": "路径", "file": "文件", "directory": "文件夹", "str": "文字", "int": "整数",
          "float": "数", "bool": "是/否", "int range": "整数", "float range": "数"}


def _zh_type(label: str | None) -> str | None:
    """A parameter's type as the help shows it, in Chinese: <list[Path]> → <路径…>, <str> → <文字>."""
    if not label:
        return label
    inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
    many = inner.startswith("list[") and inner.endswith("]")
    inner = inner[5:-1] if many else inner
    return f"<{_TYPES.get(inner, inner)}{'…' if many else ''}>"


def _speak_chinese() -> None:
    """Make typer (and the click it uses) print usage, help and errors in Chinese: the panel titles,
    the --help option's text, "Usage:" and the usage errors."""
    import typer.rich_utils as ru

    try:
        from typer import _click as tclick  # typer ≥ 0.16 carries its own click
        core, formatting = tclick.core, tclick.formatting
    except ImportError:  # pragma: no cover - older typer uses click itself
        import click.core as core  # type: ignore[no-redef]
        import click.formatting as formatting  # type: ignore[no-redef]
    for name, text in _PANELS.items():
        if hasattr(ru, name):
            setattr(ru, name, text)

    write_usage = formatting.HelpFormatter.write_usage

    def usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]
    get_help_option = core.Command.get_help_option

    def help_option(self, ctx):
        opt = get_help_option(self, ctx)
        if opt is not None:
            opt.help = "显示本帮助并退出。"
        return opt

    core.Command.get_help_option = help_option  # type: ignore[method-assign]
    parse_args = core.Command.parse_args

    def parse_in_context(self, ctx, args):
        """The parser's own errors (an option without its value) know no command: they are the one parsed."""
        checkpoint("parse")
        try:
            return parse_args(self, ctx, args)
        except core.UsageError as exc:
            if exc.ctx is None:
                exc.ctx = ctx
            raise

    core.Command.parse_args = parse_in_context  # type: ignore[method-assign]

    import typer.core as typer_core

    # the type column of the help (typer ≥ 0.24 shows the annotation: <list[Path]>, <str>); other typer
    # versions show click's metavars and are left as they are
    parameter = getattr(typer_core, "_TyperParameter", None)
    if parameter is not None and hasattr(parameter, "display_type"):
        display_type = parameter.display_type

        def chinese_type(self, ctx):
            if getattr(self, "is_flag", False):  # --help, --by-village/--all-at-once: given alone, no value
                return None
            return _zh_type(display_type(self, ctx))

        parameter.display_type = chinese_type

    def error(self):
        """A usage error as every other failure ends (RULEBOOK §7): one line, “无法运行：…”, and where
        to read the help; not click's usage block and box."""
        ctx = getattr(self, "ctx", None)
        hint = f"；用 {ctx.command_path if ctx is not None else 'jicui'} --help 查看帮助"
        _fail_line(_zh_error(self.format_message()).rstrip("。 ") + hint)

    ru.rich_format_error = error


_speak_chinese()

#: exit codes (docs/guide/checking.md): 0 ran, 1 findings at --fail-on, 2 cannot run (a bad
#: argument or input path, the output cannot be written), 3 internal error (a defect: the
#: traceback goes to a log file in --out, never to the screen), 130 Ctrl-C, 143 SIGTERM and
#: 129 SIGHUP (:func:`~.writing.stopped`)
EXIT_CANNOT_RUN, EXIT_INTERNAL = 2, 3
ERROR_LOG = "jicui-错误日志.log"


class _GuardedTyper(typer.Typer):
    """Every command registered on it runs inside :func:`_guarded`: one line and an exit code
    for every exception, whoever adds the command; pandas' inferred text columns in Python objects
    (:func:`~jicui_compliance.text.python_strings`, docs/dev.md “CSV 用 pyarrow 读取”)."""

    def command(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        register = super().command(*args, **kwargs)
        return lambda func: register(_guarded(func))


def _guarded(func: Callable) -> Callable:
    @functools.wraps(func)
    def run(*args, **kwargs):
        from . import writing

        committed = len(writing.COMMITTED)
        try:  # the imports too: a Ctrl-C while pandas loads is a Ctrl-C like any other
            from .text import python_strings

            checkpoint("command")
            with python_strings():
                return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            _stop(exc)
        except writing.OutputError as exc:
            _fail(str(exc))
        except MemoryError:
            _fail("内存不足，无法完成；请分批核查，或在内存更大的计算机上运行")
        except _ScreenError as exc:  # stdout redirected to a full disk, say: what was written is written
            from .text import os_reason

            done = writing.COMMITTED[committed:]
            outcome = (f"；结果已完整写入 {'、'.join(dict.fromkeys(str(p) for p in done))}" if done
                       else "；结果未写入" if kwargs.get("out") is not None else "")
            _fail(f"无法写入标准输出（{os_reason(exc.__cause__ or exc, writing=True)}），屏幕上的输出不完整{outcome}")
        except OSError as exc:
            _fail(writing.describe_os_error(exc, getattr(exc, "filename", None) or "文件"))
        except Exception as exc:
            from .check import InputError

            if isinstance(exc, InputError):  # raised as a context closes (a damaged store found by `check --store`)
                _fail(str(exc))
            log = _write_log(traceback.format_exc(), kwargs.get("out"))
            where = f"详细信息已写入 {_shown(log)}" if log else "详细信息无法写入日志文件"
            err.print(f"[bold red]内部错误：[/]程序出错，未完成（这是本工具的缺陷，不是台账的问题）；"
                      f"{where}，请把它发给维护人员")
            raise typer.Exit(EXIT_INTERNAL) from None

    return run


def _write_log(text: str, out: object) -> Path | None:
    """The traceback (personal numbers masked) in ``out``, else in the temporary folder."""
    import tempfile

    from .text import mask_personal

    body = (f"jicui {dt.datetime.now().isoformat(timespec='seconds')}\n命令：{mask_personal(' '.join(sys.argv))}\n\n"
            + mask_personal(text))
    for folder in ([Path(out)] if isinstance(out, (str, Path)) else []) + [Path(tempfile.gettempdir())]:
        try:
            if folder.is_dir():
                path = folder / ERROR_LOG
                with path.open("a", encoding="utf-8", errors="replace") as fh:
                    fh.write(body + "\n")
                return path
        except OSError:
            continue
    return None


def _shown(value: object) -> str:
    """A path or text as printed: personal numbers masked, undecodable bytes as �."""
    from .text import mask_personal

    return mask_personal(str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


class _ScreenError(OSError):
    """Printing failed (stdout redirected to a full disk): the outputs are not at fault."""


class _Console(Console):
    """A console whose failure to print is a :class:`_ScreenError`, told apart from the outputs' errors."""

    def print(self, *args, **kwargs) -> None:
        try:
            super().print(*args, **kwargs)
        except OSError as exc:
            raise _ScreenError(exc.errno, exc.strerror) from exc


app = _GuardedTyper(
    help="积翠镇重大事故隐患专项排查整治台账核查工具。各命令的说明：jicui 命令 --help。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]...",
)
console = _Console(soft_wrap=True)  # paths and messages are never broken across lines
err = _Console(stderr=True, soft_wrap=True)  # one line, never broken in the middle of a path

_SEVERITY_ORDER = ["错误", "警告", "提示"]
_STYLE = {"错误": "bold red", "警告": "yellow", "提示": "cyan"}


def _fail_line(message: str) -> None:
    from rich.markup import escape

    err.print(f"[bold red]无法运行：[/]{escape(_shown(message))}")


def _fail(message: str) -> NoReturn:
    _fail_line(message)
    raise typer.Exit(EXIT_CANNOT_RUN)


@contextmanager
def _stopped_by_ctrl_c() -> Iterator[None]:
    """Ctrl-C (or a termination) ends the command with one line and its exit code, not a traceback."""
    try:
        yield
    except KeyboardInterrupt as exc:
        _stop(exc)


def _stop(exc: KeyboardInterrupt) -> NoReturn:
    """The end of a run stopped by Ctrl-C or a signal: its one line and exit code (:func:`_say_stopped`)."""
    raise typer.Exit(_say_stopped(exc)) from None


def _say_stopped(exc: KeyboardInterrupt) -> int:
    """Print the one line of a run stopped by Ctrl-C or a signal (:func:`~.writing.stopped`); its exit code."""
    from .writing import stopped

    line, code = stopped(exc)
    try:
        err.print(f"[bold]{line}[/]")
    except OSError:  # the terminal is gone (SIGHUP): the exit code says it
        pass
    return code


#: the days --as-of may name: those the reader reads as dates (RULEBOOK §4, years 1950–2100)
AS_OF_RANGE = (dt.date(1950, 1, 1), dt.date(2100, 12, 31))


def _parse_date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        import re

        written = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if written:  # the format is right: the day is not in the calendar
            year, month, _ = map(int, written.groups())
            if not 1 <= month <= 12:
                _fail(f"{what} 的日期“{text}”不存在：没有{month}月")
            import calendar

            _fail(f"{what} 的日期“{text}”不存在：{year}年{month}月只有{calendar.monthrange(year, month)[1]}天")
        _fail(f"{what} 应为 YYYY-MM-DD 格式的日期，收到“{text}”")
    if not (AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1]):
        _fail(f"{what} 应在 {AS_OF_RANGE[0].isoformat()} 至 {AS_OF_RANGE[1].isoformat()} 之间，收到“{text}”")
    return day


def _campaign(path: Path | None):
    """The campaign file (or the shipped one); a file that cannot be used: exit 2 with its one Chinese line."""
    from .campaign import CampaignError, load_campaign

    try:
        camp = load_campaign(path) if path else load_campaign()
    except CampaignError as exc:
        _fail(str(exc))
    for note in camp.borrowed():
        err.print(f"[yellow]注意：[/]{note}")
    return camp


def _inputs(paths: list[Path], out: Path, campaign: Path | None, as_of: str | None, documents: bool = False,
            option: str = "--out"):
    """What every command checks before it runs: the paths, the output folder, the campaign, as-of.
    ``documents``: the run writes documents that cite the plan, which cannot predate the campaign;
    ``option``: the option that names the output folder (``export --parquet``)."""
    for p in paths:
        _must_exist(p)
        if _inside(out, p):
            where = p if p.is_dir() else p.parent
            _fail(f"输出文件夹 {out} 位于输入路径 {where} 之内；本工具从不在输入文件夹中写文件，请换一个输出位置")
    if out.exists() and not out.is_dir():
        _fail(f"{option} 应为文件夹，但 {out} 是一个已存在的文件；请换一个输出位置")
    camp = _campaign(campaign)
    day = _parse_date(as_of, "--as-of") or camp.default_as_of()
    if documents and day < camp.start:
        _fail(f"数据截至日 {day.isoformat()} 早于专项行动开始日 {camp.start.isoformat()}：文书依据方案发出，"
              "不能早于专项行动；请给专项行动期间的 --as-of")
    if not camp.start <= day <= camp.end:
        err.print(f"[yellow]注意：[/]数据截至日 {day.isoformat()} 不在专项行动期间（{camp.start.isoformat()} 至 "
                  f"{camp.end.isoformat()}）内，按该日核查，结果可能不是所期望的")
    return camp, day


def _must_exist(p: Path, what: str = "输入路径") -> None:
    """An input path that does not exist, or cannot be looked at (a folder on the way that may not be
    read, a path too long): exit 2, saying which, as a failure to read it."""
    try:
        if p.exists():
            return
    except OSError as exc:
        from .text import os_reason

        _fail(f"无法读取{what} {p}（{os_reason(exc)}）")
    _fail(f"{what}不存在：{p}")


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.replace("，", ",").split(",") if x.strip())
    return out


def _inside(child: Path, parent: Path) -> bool:
    """Whether ``child`` lies in the input ``parent``: the folder itself, or a file's folder."""
    folder = parent.resolve() if parent.is_dir() else parent.resolve().parent
    try:
        child.resolve().relative_to(folder)
        return True
    except ValueError:
        return False


@app.command("check")
def check_cmd(
    out: Annotated[Path, typer.Option("--out", help="输出文件夹，写入 findings.csv 和 findings.xlsx")],
    paths: Annotated[list[Path] | None, typer.Argument(metavar="报送路径", help="报送的文件夹或文件（.xlsx/.xlsm/.xls/.xlsb/.ods/.csv）；用 --store 时不给")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="核查截止日 YYYY-MM-DD（默认：方案最后一天与今天中较早者；用 --store 时为最近一次收到报送的日期）")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="有该级别或更严重的发现时退出码为 1：错误 或 警告")] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="只运行这些规则（编号或前缀，逗号分隔，如 HI,DR）")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="不运行这些规则（编号或前缀）")] = None,
    formats: Annotated[str, typer.Option("--format", help="输出格式，逗号分隔：csv、xlsx、parquet（findings.csv 总会写出，是完整的结果）")] = "csv,xlsx",
    store: Annotated[Path | None, typer.Option("--store", help="从数据库（jicui ingest 建立）读取各单位最新的报送版本")] = None,
    version: Annotated[int | None, typer.Option("--version", help="与 --store 一起：各单位截至该版本号的报送（见 jicui history）")] = None,
    by_village: Annotated[bool | None, typer.Option("--by-village/--all-at-once", help="分村核查：名录读一次，各村台账分批读取、核查后即释放，内存只需几个村的量；结果与一次核查相同。默认在报送（用 --store 时为取出的各单位版本）超过 1 GiB 时自动分村")] = None,
) -> None:
    """核查报送的台账，输出核查发现。"""
    chosen = _formats(formats)
    if fail_on is not None and fail_on not in ("错误", "警告"):
        _fail(f"--fail-on 只能是“错误”或“警告”，收到“{fail_on}”")
    paths = _paths_or_store(paths, store, version)
    camp, day = _inputs(paths, out, campaign, as_of)
    # the check's modules (pandera, the ledgers, the writers: about a second) once the arguments, the paths and
    # the campaign file are known to be usable: a mistake among them is said at once
    from .check import summarise, summarise_by_village
    from .findings import safe_for_output, write_csv, write_parquet, write_xlsx
    from .writing import checkpoint, locked, output_set

    select_l, ignore_l = _split(select), _split(ignore)
    from .rules import REGISTRY, select_rules

    for option, given in (("--select", select_l), ("--ignore", ignore_l)):
        unknown = [s for s in given if not any(rid.startswith(s.strip().upper()) for rid in REGISTRY)]
        if unknown:  # a typo must not quietly run (or skip) other rules than meant
            _fail(f"{option} 中的“{'、'.join(unknown)}”不是任何规则的编号或前缀（用 `jicui rules` 查看规则编号）")
    if (select_l or ignore_l) and not select_rules(select_l, ignore_l):
        _fail("--select/--ignore 之后没有任何规则可运行（用 `jicui rules` 查看规则编号）")

    with ExitStack() as held:
        if store is not None:  # the state's files checked out into a temporary folder, checked as a submission
            from .check import InputError
            from .store import Store

            try:
                s = held.enter_context(Store.open(store))
                versions = s.state_versions(version_id=version)
                if as_of is None:
                    day = camp.default_as_of(_latest_received(versions))
                files = s.state_files(versions["version_id"])
                if files.empty:
                    _fail("数据库中没有可核查的报送版本")
                paths = [held.enter_context(s.checked_out(files))]
            except InputError as exc:  # the store's own errors (StoreError) among them
                _fail(str(exc))
            _say_inexact(s)
        if by_village is None:
            from .check import BY_VILLAGE_BYTES, input_bytes

            by_village = input_bytes([str(p) for p in paths]) >= BY_VILLAGE_BYTES
        if by_village:
            _check_by_village(out, paths, camp, day, fail_on, select_l, ignore_l, chosen)
            return
        with locked(out), _stopped_by_ctrl_c():
            result = _check_at_once(paths, camp, day, select_l, ignore_l)
            summary = summarise(result.findings, result.rules)
            checkpoint("after-rules")
            safe = safe_for_output(result.findings)  # masked once for every file written
            with output_set(out) as outs:
                write_csv(safe, outs.path("findings.csv"), masked=True)
                checkpoint("between-files")
                in_sheet = len(safe)
                if "xlsx" in chosen:
                    in_sheet = write_xlsx(safe, outs.path("findings.xlsx"), summary,
                                          {"按村汇总": summarise_by_village(result.findings)}, masked=True)
                if "parquet" in chosen:
                    write_parquet(safe, outs.path("findings.parquet"), masked=True)

    f = result.findings
    n_tables = len(result.submission.tables)
    n_files = len(result.submission.files)
    console.print(f"[bold]核查完成[/]：{n_files} 个文件，识别台账工作表 {n_tables} 个；核查截止日 {day.isoformat()}；"
                  f"方案：{camp.name}")
    _print_findings(f["severity"].value_counts(), len(f), summary, [out / f"findings.{x}" for x in chosen], in_sheet)
    if fail_on:
        worst = _SEVERITY_ORDER[: _SEVERITY_ORDER.index(fail_on) + 1]
        if f["severity"].isin(worst).any():
            raise typer.Exit(1)


def _check_at_once(paths: list[Path], camp, day: dt.date, select_l: list[str], ignore_l: list[str]):
    """`jicui check --all-at-once`: every ledger in memory together, with progress bars."""
    from .check import InputError, run_check
    from .rules import select_rules

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True, disable=not err.is_terminal) as progress:
        reading = progress.add_task("读取台账", total=None)
        checking = progress.add_task("执行规则", total=len(select_rules(select_l, ignore_l)))
        try:
            return run_check([str(p) for p in paths], as_of=day, campaign=camp, select=select_l, ignore=ignore_l,
                             on_file=_on_file(progress, reading),
                             on_rule=lambda r: progress.update(checking, advance=1))
        except InputError as exc:
            _fail(str(exc))


def _on_file(progress: Progress, task) -> Callable[[str], None]:
    """The progress bar's line for each file read (and a point the tests stop a run at: ``file-read``)."""
    from rich.markup import escape

    def read(name: str) -> None:
        checkpoint("file-read")
        progress.update(task, advance=1, description=f"读取 {escape(_shown(name))}")

    return read


def _check_by_village(out: Path, paths: list[Path], camp, day: dt.date, fail_on: str | None,
                      select_l: list[str], ignore_l: list[str], chosen: list[str]) -> None:
    """`jicui check --by-village`: the findings streamed from the villages' parts to the files."""
    from rich.markup import escape

    from .check import InputError, run_check_by_village, summarise, summarise_by_village
    from .findings import write_streamed
    from .writing import locked, output_set

    with locked(out), _stopped_by_ctrl_c(), Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
            transient=True, disable=not err.is_terminal) as progress:
        reading = progress.add_task("读取台账", total=None)
        try:
            run = run_check_by_village(
                [str(p) for p in paths], as_of=day, campaign=camp, select=select_l, ignore=ignore_l,
                on_file=_on_file(progress, reading),
                on_partition=lambda v: progress.update(
                    reading, description=f"核查 {escape('、'.join(v[:3]) + ('等' if len(v) > 3 else '')) or '全镇台账'}"))
        except InputError as exc:
            _fail(str(exc))
        with run:
            counts = run.counts()
            summary = summarise(counts, run.rules)
            with output_set(out) as outs:
                in_sheet = write_streamed(run.chunks(), {x: outs.path(f"findings.{x}") for x in chosen}, run.total,
                                          summary, {"按村汇总": summarise_by_village(counts)}, masked=run.masked)
    how = (f"未能分村：{run.whole}，改为一次核查" if run.whole else
           f"分村核查，{len(run.partitions)} 批"
           + (f"；{len(run.merged)} 组村因台账行填在别村文件夹中而合并核查" if run.merged else ""))
    console.print(f"[bold]核查完成[/]（{how}"
                  + f"）：{run.files} 个文件，识别台账工作表 {run.tables} 个；核查截止日 {day.isoformat()}；方案：{camp.name}")
    by_sev = counts.groupby("severity")["n"].sum()
    _print_findings(by_sev, run.total, summary,
                    [out / f"findings.{x}" for x in chosen], in_sheet)
    if fail_on:
        worst = _SEVERITY_ORDER[: _SEVERITY_ORDER.index(fail_on) + 1]
        if int(by_sev.reindex(worst).fillna(0).sum()):
            raise typer.Exit(1)


_FORMATS = ("xlsx", "csv", "parquet")


def _formats(text: str) -> list[str]:
    """The output formats asked for, in a fixed order; findings.csv is always among them."""
    chosen = [f.lower() for f in _split([text])]
    unknown = [f for f in chosen if f not in _FORMATS]
    if unknown:
        _fail(f"--format 只能是 csv、xlsx、parquet（逗号分隔），收到“{'、'.join(unknown)}”")
    return [f for f in _FORMATS if f in chosen or f == "csv"]


@app.command("rules")
def rules_cmd(
    which: Annotated[str | None, typer.Argument(metavar="规则编号", help="规则编号或前缀（如 HI001、HI）")] = None,
) -> None:
    """列出规则，或显示一条规则的完整说明。"""
    from .ledgers import LEDGERS
    from .rules import PARTY_LABELS, REGISTRY, select_rules

    if which and which.upper() in REGISTRY:
        from .report.wording import clause_text  # the report package (charts, Word) only for one rule's page

        r = REGISTRY[which.upper()]
        console.print(f"[bold]{r.id}[/]  {r.title}")
        clause = clause_text(r.clause)
        if r.shown_clause:  # the RULEBOOK's code numbers the paragraph otherwise (the rule's 依据 says why)
            clause = f"{clause}（规则目录中记为 {r.clause}）"
        else:
            clause = f"{clause}（{r.clause}）" if clause and clause != r.clause else r.clause
        ledgers = "、".join(LEDGERS[n].title if n in LEDGERS else "全部台账" if n == "*" else n for n in r.reads) or "（文件本身）"
        console.print(f"严重程度：{r.severity}    对象：{PARTY_LABELS[r.party]}    条款：{clause}    读取台账：{ledgers}")
        console.print(f"提示语模板：{r.message}\n")
        for name, text in r.sections().items():
            console.print(f"[bold]{name}[/]")
            console.print(text + "\n")
        return
    chosen = select_rules([which] if which else None)
    if not chosen:
        _fail(f"没有编号以“{which}”开头的规则")
    table = Table(title=f"规则目录（{len(chosen)} 条）")
    for c in ("编号", "严重程度", "对象", "条款", "名称"):
        table.add_column(c, overflow="fold")
    for r in chosen:
        table.add_row(r.id, r.severity, PARTY_LABELS[r.party], r.listed_clause, r.title, style=_STYLE.get(r.severity))
    console.print(table)


@app.command("report")
def report_cmd(
    out: Annotated[Path, typer.Option("--out", help="输出文件夹，写入同名的 .html、.xlsx、.docx 三个文件")],
    paths: Annotated[list[Path] | None, typer.Argument(metavar="报送路径", help="报送的文件夹或文件（.xlsx/.xlsm/.xls/.xlsb/.ods/.csv）；用 --store 时不给")] = None,
    cadence: Annotated[str, typer.Option("--cadence", help="报告类型：week 周调度表、month 月小结、quarter 季通报、year 年总结（默认）")] = "year",
    as_of: Annotated[str | None, typer.Option("--as-of", help="数据截至日 YYYY-MM-DD，报告期以此日结束（默认：方案最后一天与今天中较早者；用 --store 时为最近一次收到报送的日期）")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只报告该村（与企业名录“所属村”一致），文件名加村名")] = None,
    store: Annotated[Path | None, typer.Option("--store", help="从数据库读取报送，并与上期报告对比（与上期对比、督办函；年总结没有上期）")] = None,
    version: Annotated[int | None, typer.Option("--version", help="与 --store 一起：各单位截至该版本号的报送")] = None,
) -> None:
    """按“周调度、月小结、季通报、年总结”生成报告（HTML、Excel、Word）。"""
    from .check import InputError, run_check
    from .report import ReportError, cadence_of, write_report

    try:
        cadence = cadence_of(cadence)
    except ReportError as exc:
        _fail(str(exc))
    paths = _paths_or_store(paths, store, version)
    if store is not None:
        from .report.comparison import write_stored_report
        from .writing import locked

        camp, day = _inputs([], out, campaign, as_of)
        with locked(out), _stopped_by_ctrl_c(), \
                err.status("读取数据库、核查并生成报告（含上期）…") if err.is_terminal else nullcontext():
            try:
                written, day, comparison = write_stored_report(
                    store, cadence, out, as_of=_parse_date(as_of, "--as-of"), version=version, village=village,
                    campaign=camp)
            except (InputError, ReportError) as exc:
                _fail(str(exc))
        console.print(f"[bold]报告已生成[/]：{written[0].stem}（数据截至 {day.isoformat()}；范围：{village or camp.town}；"
                      + ("年总结不与上期对比）" if comparison is None else
                         f"与上期对比：{comparison.label if comparison.previous is not None else '无上期数据'}）"))
        for path in written:
            console.print(f"  {path}")
        return
    camp, day = _inputs(paths, out, campaign, as_of)
    from .writing import locked

    with locked(out), _stopped_by_ctrl_c(), err.status("读取台账、核查并生成报告…") if err.is_terminal else nullcontext():
        try:
            result = run_check([str(p) for p in paths], as_of=day, campaign=camp)
            written = write_report(result, cadence, out, village=village)
        except (InputError, ReportError) as exc:
            _fail(str(exc))
    console.print(f"[bold]报告已生成[/]：{written[0].stem}（数据截至 {day.isoformat()}；范围：{village or camp.town}）")
    for path in written:
        console.print(f"  {_shown(path)}", markup=False)


@app.command("notices")
def notices_cmd(
    paths: Annotated[list[Path], typer.Argument(metavar="报送路径", help="报送的文件夹或文件（.xlsx/.xlsm/.xls/.xlsb/.ods/.csv）")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹：每类文书一个子文件夹，另写文书清单.xlsx")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="数据截至日 YYYY-MM-DD（默认：方案最后一天与今天中较早者）")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="上期的文书清单.xlsx（或报告工作簿、每行一个单位的文本文件）：其中已发提醒函的单位本期改发督办函；给上期文书清单时，本期文号接着上期的编")] = None,
    date: Annotated[str | None, typer.Option("--date", help="成文日期 YYYY-MM-DD（默认：数据截至日）；整改、回复和重报期限由此起算")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只生成该村的文书")] = None,
) -> None:
    """生成隐患整改通知书、提醒函/督办函和退回重报通知（Word，公文格式）."""
    camp, day = _inputs(paths, out, campaign, as_of, documents=True)
    issued = _parse_date(date, "--date")
    if issued is not None and issued < day:  # a notice cannot be issued before the data it cites
        _fail(f"--date（成文日期 {issued.isoformat()}）早于数据截至日 {day.isoformat()}：文书不能早于其所依据的数据；"
              "请改用不早于截至日的日期，或不给 --date（即用截至日）")
    # the documents' modules (the check, the report's, python-docx: about two seconds) once the arguments are
    # known to be usable: a bad campaign file or date is said at once
    from .check import InputError, run_check
    from .documents import DocumentError, previous_numbers, read_previous, write_documents

    try:
        units = read_previous(previous) if previous else None
    except DocumentError as exc:
        _fail(str(exc))
    from .writing import locked

    with locked(out), _stopped_by_ctrl_c(), err.status("读取台账、核查并生成文书…") if err.is_terminal else nullcontext():
        try:
            result = run_check([str(p) for p in paths], as_of=day, campaign=camp)
            written = write_documents(result, out, day=issued, previous=units, village=village,
                                      numbers_used=previous_numbers(previous) if previous else None)
        except (InputError, DocumentError) as exc:
            _fail(str(exc))
    from .documents import KINDS

    console.print(f"[bold]文书已生成[/]（数据截至 {day.isoformat()}；范围：{village or camp.town}）："
                  + "，".join(f"{k} {written.count(k)} 份" for k in KINDS))
    for note in written.notes:
        console.print(f"[yellow]说明[/]：{note}")
    console.print(f"文书清单：{out / '文书清单.xlsx'}")


@app.command("templates")
def templates_cmd(
    out: Annotated[Path, typer.Option("--out", help="输出文件夹：每个报送单位（各村、各站所、镇）一个工作簿")],
    village: Annotated[str | None, typer.Option("--village", help="只生成该村的模板")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
    registry: Annotated[list[Path] | None, typer.Option("--registry", help="企业名录：名录文件，或含名录的报送文件夹；给出时各村、各站所的模板带本单位企业的下拉列表")] = None,
    rows: Annotated[int, typer.Option("--rows", help="每张台账预设数据有效性和条件格式的行数", min=1, max=100000)] = 1000,
) -> None:
    """生成防错的台账模板（Excel）：规范表头、填写提示、下拉选项、日期和数字校验、违规整行变红。"""
    camp = _campaign(campaign)
    for p in registry or []:
        _must_exist(p, "企业名录路径")
        if _inside(out, p):
            _fail(f"输出文件夹 {out} 位于输入路径 {p} 之内；本工具从不在输入文件夹中写文件，请换一个输出位置")
    # the templates' modules (the ledgers, the documents package: about two seconds) once the campaign file and
    # the paths are known to be usable: a mistake in them is said at once
    from .documents.templates import TemplateError, read_registry, write_templates
    from .writing import locked

    with locked(out), _stopped_by_ctrl_c():
        try:
            reg = read_registry(registry, camp) if registry else None
            written = write_templates(out, camp, reg, village=village, rows=rows)
        except TemplateError as exc:
            _fail(str(exc))
    console.print(f"[bold]台账模板已生成[/]：{len(written)} 个工作簿（方案：{camp.name}；"
                  f"{'带企业名录下拉列表' if reg is not None else '未给企业名录，无企业下拉列表'}）")
    for path in written:
        console.print(f"  {path}")


def _paths_or_store(paths: list[Path] | None, store: Path | None, version: int | None) -> list[Path]:
    """Either submission paths or ``--store`` (then the paths come from the store)."""
    if store is None:
        if version is not None:
            _fail("--version 只能与 --store 一起使用")
        if not paths:
            _fail("请给出报送的文件夹或文件，或用 --store 指定数据库")
        return list(paths or [])
    if paths:
        _fail("用 --store 时不再给出报送路径（先用 jicui ingest 把报送导入数据库）")
    if not store.exists():
        _fail(f"数据库文件不存在：{store}（先用 jicui ingest 导入报送的台账）")
    return []


def _latest_received(versions) -> dt.date:
    import pandas as pd

    if versions.empty:
        _fail("数据库中没有符合条件的报送版本")
    return pd.Timestamp(versions["received"].max()).date()


_STORE_HELP = "数据库文件（DuckDB，一个文件），如 专项行动.duckdb"


@app.command("ingest")
def ingest_cmd(
    store: Annotated[Path, typer.Option("--store", help=_STORE_HELP)],
    paths: Annotated[list[Path] | None, typer.Argument(metavar="报送路径", help="本次收到的报送文件夹或文件")] = None,
    received: Annotated[str | None, typer.Option("--received", help="收到日期 YYYY-MM-DD（默认今天）")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="核查截止日（默认收到日期，不晚于方案最后一天）")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
    withdraw: Annotated[list[str] | None, typer.Option(
        "--withdraw", help="撤回该村（或站所）的全部文件（可重复给出；空文件夹不当作撤回）")] = None,
) -> None:
    """把收到的报送存入数据库（保留每个版本），并核查最新状态。"""
    from rich.markup import escape

    paths = list(paths or [])
    withdraw = _split(withdraw)
    if not paths and not withdraw:
        _fail("请给出收到的报送文件夹或文件（或用 --withdraw 撤回某个村、站所的全部文件）")
    for p in paths:
        _must_exist(p)
        if _inside(store, p):
            _fail(f"数据库文件 {store} 位于输入路径 {p} 之内；请放在报送文件夹之外")
    day_received = _parse_date(received, "--received") or dt.date.today()
    camp, _ = _inputs(paths, store.parent / "_", campaign, None)
    day = _parse_date(as_of, "--as-of")
    from .store import StoreError, ingest  # the check's modules: once the arguments are known to be usable

    with err.status("保存报送并核查…") if err.is_terminal else nullcontext():
        try:
            outcome = ingest(store, paths, received=day_received, as_of=day, campaign=camp, withdraw=withdraw)
        except StoreError as exc:
            _fail(str(exc))
    for note in outcome.notes:
        err.print(f"[yellow]注意：[/]{escape(_shown(note))}")
    if outcome.run_id is None:
        console.print(f"[bold]无变化[/]：{outcome.files} 个文件与各单位上一版本完全相同，未新增版本（{store}）"
                      if outcome.files else f"[bold]无变化[/]：没有读到报送文件，未新增版本（{store}）")
        return
    v = outcome.versions
    console.print(f"[bold]已入库[/]：第 {outcome.run_id} 次核查（收到 {day_received.isoformat()}，核查截止日 "
                  f"{outcome.as_of}）；{len(v)} 个单位有新版本，新存文件 {outcome.new_bytes:,} 字节；{store}")
    for row in v.itertuples(index=False):
        parts = "，".join(f"{k} {getattr(row, k)}" for k in ("新增", "修改", "未变", "撤回") if getattr(row, k))
        console.print(f"  版本 {row.version_id}  {row.unit}：{parts}")
    if outcome.units_unchanged:
        console.print(f"  未变：{'、'.join(outcome.units_unchanged)}")
    found = outcome.findings if outcome.findings is not None else pd_empty()
    counts = found["severity"].value_counts()
    console.print("发现：" + "，".join(f"[{_STYLE[s]}]{s} {int(counts.get(s, 0))}[/]" for s in _SEVERITY_ORDER)
                  + f"（共 {len(found)} 条；jicui diff --store {store} 查看与上次的差别）")


@app.command("history")
def history_cmd(
    store: Annotated[Path, typer.Option("--store", help=_STORE_HELP)],
    village: Annotated[str | None, typer.Option(
        "--village", help="只看该村（或站所）的报送版本和发现：所属村或监管站所是它的企业的发现，以及它报送的文件上的发现")] = None,
) -> None:
    """列出数据库中的报送版本和历次核查（按严重程度计数）。"""
    from .store import Store, StoreError
    from .text import mask_personal

    try:
        with Store.open(store) as s:
            versions = s.versions(village)
            runs = s.runs()
            if village:
                per = s.df("SELECT run_id, severity, count(*) AS n FROM findings WHERE village = ? OR station = ?"
                           " OR starts_with(source_file, ?) GROUP BY ALL", [village, village, village + "/"])
                if versions.empty and per.empty:
                    _fail(f"数据库中没有“{village}”的报送版本或核查发现")
                table = per.pivot_table(index="run_id", columns="severity", values="n", fill_value=0)
                for sev in _SEVERITY_ORDER:
                    runs[sev] = runs["run_id"].map(table[sev] if sev in table else {}).fillna(0).astype(int)
            withdrawn = s.df("SELECT f.version_id, v.unit, f.path FROM version_files f JOIN versions v USING (version_id)"
                             " WHERE f.change = 'withdrawn'" + (" AND v.unit = ?" if village else "") + " ORDER BY 1",
                             [village] if village else [])
    except StoreError as exc:
        _fail(str(exc))
    t = Table(title=f"报送版本（{village or '全部单位'}）")
    for c in ("版本", "单位", "收到日期", "文件数", "新增", "修改", "未变", "撤回"):
        t.add_column(c)
    for r in versions.itertuples(index=False):
        t.add_row(str(r.version_id), r.unit, str(pd_date(r.received)), str(r.files), str(r.added), str(r.changed),
                  str(r.unchanged), str(r.withdrawn))
    console.print(t)
    for r in withdrawn.itertuples(index=False):
        console.print(f"  版本 {r.version_id} {r.unit} 撤回：{mask_personal(r.path)}（上一版本仍保存在数据库中）")
    t = Table(title="历次核查" + (f"（{village}的发现）" if village else ""))
    for c in ("核查", "收到日期", "核查截止日", "文件数", "错误", "警告", "提示"):
        t.add_column(c)
    for r in runs.itertuples(index=False):
        t.add_row(str(r.run_id), str(pd_date(r.received)), str(pd_date(r.as_of)), str(r.files),
                  str(r.错误), str(r.警告), str(r.提示))
    console.print(t)


def pd_empty():
    import pandas as pd

    return pd.DataFrame({"severity": pd.Series(dtype=str)})


def pd_date(v) -> dt.date:
    import pandas as pd

    return pd.Timestamp(v).date()


@app.command("diff")
def diff_cmd(
    store: Annotated[Path, typer.Option("--store", help=_STORE_HELP)],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹，写入对比的 .xlsx 和 .html")],
    runs: Annotated[list[int] | None, typer.Argument(metavar="核查编号", help="两次核查的编号 A B（默认最近两次；见 jicui history）")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只看该村（或站所）")] = None,
) -> None:
    """比较两次核查：新增、已整改、仍未整改的发现，台账记录的增删改。"""
    from .store import Store, StoreError
    from .store.diff import FIXED, GONE, NEW, OPEN, diff_runs, write_diff

    if runs and len(runs) != 2:
        _fail("请给出两次核查的编号（如 jicui diff 1 3），或都不给以比较最近两次")
    try:
        with Store.open(store) as s:
            run_a, run_b = runs if runs else (None, None)
            d = diff_runs(s, run_a, run_b, village=village)
        from .report.html import font_face

        written = write_diff(d, out, font_face)
    except StoreError as exc:
        _fail(str(exc))
    if runs and runs[0] > runs[1]:
        console.print(f"[yellow]注意：[/]第 {runs[0]} 次晚于第 {runs[1]} 次，按先后比较：第 {runs[1]} 次 → 第 {runs[0]} 次"
                      "（“新增”“已整改”都从较早的一次算到较晚的一次）")
    n = d.findings["状态"].value_counts()
    r = d.rows["变化"].value_counts()
    console.print(f"[bold]对比完成[/]：第 {d.run_a['run_id']} 次 → 第 {d.run_b['run_id']} 次（{village or '全部单位'}）："
                  f"发现 新增 {int(n.get(NEW, 0))}，已整改 {int(n.get(FIXED, 0))}，因撤回而不再出现 {int(n.get(GONE, 0))}，"
                  f"仍未整改 {int(n.get(OPEN, 0))}；"
                  f"台账记录 新增 {int(r.get('新增', 0))}，删除 {int(r.get('删除', 0))}，修改 {int(r.get('修改', 0))}")
    for path in written:
        console.print(f"  {path}")


@app.command("export")
def export_cmd(
    store: Annotated[Path, typer.Option("--store", help=_STORE_HELP)],
    parquet: Annotated[Path, typer.Option("--parquet", help="输出文件夹：每张台账和核查发现一个按村分区的 Parquet 数据集")],
    run: Annotated[int | None, typer.Option("--run", help="导出哪一次核查（默认最近一次）")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
) -> None:
    """把台账和核查发现导出为 Parquet（供县、市汇总多个镇）。"""
    camp, _ = _inputs([], parquet, campaign, None, option="--parquet")
    from .store import Store, StoreError  # the store's modules: once the arguments are known to be usable
    from .store.export import export_parquet

    try:
        with Store.open(store) as s:
            written = export_parquet(s, parquet, run, town=camp.town, campaign=camp)
    except StoreError as exc:
        _fail(str(exc))
    console.print(f"[bold]已导出[/]：{len(written) - 2} 张台账、核查发现和核查记录 → {parquet}")


def _print_findings(by_severity, total: int, summary, written: list[Path], in_sheet: int) -> None:
    """The findings by severity, the table by rule, the files written and the xlsx row-limit note."""
    from rich.markup import escape

    from .findings import xlsx_cut_note

    console.print("发现：" + "，".join(f"[{_STYLE[s]}]{s} {int(by_severity.get(s, 0))}[/]" for s in _SEVERITY_ORDER)
                  + f"（共 {total} 条）")
    if len(summary):
        table = Table(title="按规则汇总（条款见 findings.xlsx 或 jicui rules 编号）", show_lines=False)
        shown = ["规则", "严重程度", "名称", "数量"]
        for c in shown:
            table.add_column(c, justify="right" if c == "数量" else "left", no_wrap=c != "名称")
        for row in summary[shown].itertuples(index=False):
            table.add_row(*[str(v) for v in row], style=_STYLE.get(row[1]))
        console.print(table)
    console.print("结果已写入：" + "  ".join(escape(_shown(p)) for p in written))
    if in_sheet < total:
        console.print(f"[yellow]{escape(xlsx_cut_note(total))}[/]")


def _say_inexact(store) -> None:
    """One line when files came back with their contents but not their exact bytes (another zlib)."""
    if store.inexact:
        console.print(f"[yellow]注意[/]：{len(store.inexact)} 个 xlsx 文件无法逐字节还原（本机的 zlib 与导入时不同），"
                      "已按相同内容重新压缩取回：每个部件都按文件自带的 CRC-32 核对过，内容相同，文件字节与报送时不同")


@app.command("restore")
def restore_cmd(
    store: Annotated[Path, typer.Option("--store", help=_STORE_HELP)],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹，按原路径写出报送的文件")],
    version: Annotated[int | None, typer.Option("--version", help="各单位截至该版本号的报送（默认最新；见 jicui history）")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只取该村（或站所）的文件")] = None,
) -> None:
    """取回某个版本时的报送文件（被覆盖或撤回的文件也能取回）。"""
    from .store import Store, StoreError

    if out.exists() and not out.is_dir():
        _fail(f"--out 应为文件夹，但 {out} 是一个已存在的文件；请换一个输出位置")
    if out.is_dir() and any(out.iterdir()):  # restored among other files, the folder would be no version at all
        _fail(f"输出文件夹 {out} 不是空的：取回的文件会与其中已有的文件混在一起，不再是该版本的报送；请换一个新的或空的文件夹")

    try:
        with Store.open(store) as s:
            files = s.state_files(s.state_versions(version_id=version)["version_id"])
            if village:
                files = files[files["unit"] == village]
            if files.empty:
                _fail("没有符合条件的报送文件")
            s.restore(files, out)
            _say_inexact(s)
    except StoreError as exc:
        _fail(f"未取回：{exc}")
    console.print(f"[bold]已取回[/]：{len(files)} 个文件 → {out}")


def main() -> None:
    """The console command (``jicui``; :func:`jicui_compliance.__main__.main` calls it once the
    signals are handled). Every stop ends with its line and exit code (:func:`~.writing.stopped`):
    one while typer parses the arguments too, which typer would turn into a silent exit 130.

    Once the command is over (its outputs written, everything printed, its exit code decided), Ctrl-C and the
    other stop signals are ignored while the interpreter shuts down (:func:`~.writing.finished`): the process exits
    with the run's code. A Ctrl-C before that, while the last lines are printed or the command's tables are freed,
    is one like any other."""
    from .writing import finished, stop_on_termination

    stop_on_termination()
    try:
        app()
    except SystemExit as exc:
        context = exc.__context__
        cause = getattr(context, "__cause__", None)
        if not (isinstance(context, typer.Exit) and isinstance(cause, KeyboardInterrupt)):
            cause = finished()
            if cause is None or exc.code not in (0, 1, None):  # a failure has said its one line already
                raise
        raise SystemExit(_say_stopped(cause)) from None
    cause = finished()  # (typer's app() ends in SystemExit; if ever not, the same)
    if cause is not None:
        raise SystemExit(_say_stopped(cause))


if __name__ == "__main__":
    main()
