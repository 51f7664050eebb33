"""The ``jicui`` command (thin: options in, pipeline called, summary out)."""

from __future__ import annotations

import datetime as dt
import functools
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

#: typer's (and click's) own words in Chinese: panel titles, and the error messages, by pattern
_PANELS = {"ARGUMENTS_PANEL_TITLE": "参数", "OPTIONS_PANEL_TITLE": "选项", "COMMANDS_PANEL_TITLE": "命令",
           "ERRORS_PANEL_TITLE": "错误", "ABORTED_TEXT": "已中止。", "DEFAULT_STRING": "[默认：{}]",
           "REQUIRED_LONG_STRING": "[必填]", "ENVVAR_STRING": "[环境变量：{}]", "DEPRECATED_STRING": "（已弃用）",
           "RICH_HELP": "用 [blue]{command_path} {help_option}[/] 查看帮助。"}
_ERRORS = (
    (r"^Missing argument '?([^'.]+)'?\.?", r"缺少参数 \1。"), (r"^Missing option '?([^'.]+)'?\.?", r"缺少选项 \1。"),
    (r"^Missing parameter:? '?([^'.]+)'?\.?", r"缺少参数 \1。"), (r"^Missing command\.", "缺少命令。"),
    (r"^No such option:? '?([^'\s]+?)'?\.?(?=\s|$)", r"没有选项 \1。"),
    (r"^No such command:? '?([^'\s]+?)'?\.?(?=\s|$)", r"没有命令 \1。"),
    (r"Did you mean ([^?]+)\?", r"您是否想用 \1？"), (r"\(Possible options: ([^)]*)\)", r"（可用的选项：\1）"),
    (r"^Invalid value for ([^:]+): ", r"\1 的取值无效："), (r"^Invalid value: ", "取值无效："),
    (r"^Got unexpected extra arguments? ?\(s\)? \((.*)\)", r"多余的参数：\1"),
    (r"^Option '([^']+)' requires an argument\.", r"选项 \1 需要一个值。"),
    (r"is not a valid ([\w ]+)\.", r"不是有效的\1。"),
)


def _zh_error(message: str) -> str:
    import re

    for pattern, repl in _ERRORS:
        message = re.sub(pattern, repl, message)
    return message


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
    format_error = ru.rich_format_error

    def error(self):
        english = self.format_message
        self.format_message = lambda: _zh_error(english())
        return format_error(self)

    ru.rich_format_error = error


_speak_chinese()

#: exit codes (docs/guide/checking.md): 0 ran, 1 findings at --fail-on, 2 cannot run (a bad
#: argument or input path, the output cannot be written), 3 internal error (a defect: the
#: traceback goes to a log file in --out, never to the screen), 130 Ctrl-C
EXIT_CANNOT_RUN, EXIT_INTERNAL, EXIT_INTERRUPTED = 2, 3, 130
ERROR_LOG = "jicui-错误日志.log"


class _GuardedTyper(typer.Typer):
    """Every command registered on it runs inside :func:`_guarded`: one line and an exit code
    for every exception, whoever adds the command."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)
        return lambda func: register(_guarded(func))


def _guarded(func: Callable) -> Callable:
    @functools.wraps(func)
    def run(*args, **kwargs):
        from .writing import OutputError

        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            err.print("[bold]已按 Ctrl-C 中断[/]")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except OutputError as exc:
            _fail(str(exc))
        except MemoryError:
            _fail("内存不足，无法完成；请分批核查，或在内存更大的计算机上运行")
        except OSError as exc:
            from .writing import describe_os_error

            _fail(describe_os_error(exc, getattr(exc, "filename", None) or "文件"))
        except Exception:
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


app = _GuardedTyper(
    help="积翠镇重大事故隐患专项排查整治台账核查工具。各命令的说明：jicui 命令 --help。",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console(soft_wrap=True)  # paths and messages are never broken across lines
err = Console(stderr=True, soft_wrap=True)  # one line, never broken in the middle of a path

_SEVERITY_ORDER = ["错误", "警告", "提示"]
_STYLE = {"错误": "bold red", "警告": "yellow", "提示": "cyan"}


def _fail(message: str) -> NoReturn:
    from rich.markup import escape

    err.print(f"[bold red]无法运行：[/]{escape(_shown(message))}")
    raise typer.Exit(EXIT_CANNOT_RUN)


@contextmanager
def _stopped_by_ctrl_c() -> Iterator[None]:
    """Ctrl-C ends the command with one line and exit code 130, not a traceback."""
    try:
        yield
    except KeyboardInterrupt:
        err.print("[bold]已按 Ctrl-C 中断[/]")
        raise typer.Exit(130) from None


#: the days --as-of may name: those the reader reads as dates (RULEBOOK §4, years 1950–2100)
AS_OF_RANGE = (dt.date(1950, 1, 1), dt.date(2100, 12, 31))


def _parse_date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"{what} 应为 YYYY-MM-DD 格式的日期，收到“{text}”")
    if not (AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1]):
        _fail(f"{what} 应在 {AS_OF_RANGE[0].isoformat()} 至 {AS_OF_RANGE[1].isoformat()} 之间，收到“{text}”")
    return day


def _inputs(paths: list[Path], out: Path, campaign: Path | None, as_of: str | None):
    """What every command checks before it runs: the paths, the output folder, the campaign, as-of."""
    from .campaign import load_campaign

    for p in paths:
        if not p.exists():
            _fail(f"输入路径不存在：{p}")
        if _inside(out, p):
            where = p if p.is_dir() else p.parent
            _fail(f"输出文件夹 {out} 位于输入路径 {where} 之内；本工具从不在输入文件夹中写文件，请换一个输出位置")
    if out.exists() and not out.is_dir():
        _fail(f"--out 应为文件夹，但 {out} 是一个已存在的文件；请换一个输出位置")
    try:
        camp = load_campaign(campaign) if campaign else load_campaign()
    except (OSError, KeyError, ValueError) as exc:
        _fail(f"方案文件无法读取：{campaign}（{exc}）")
    day = _parse_date(as_of, "--as-of") or camp.default_as_of()
    if not camp.start <= day <= camp.end:
        err.print(f"[yellow]注意：[/]数据截至日 {day.isoformat()} 不在专项行动期间（{camp.start.isoformat()} 至 "
                  f"{camp.end.isoformat()}）内，按该日核查，结果可能不是所期望的")
    return camp, day


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
    paths: Annotated[list[Path], typer.Argument(help="报送的文件夹或文件（.xlsx/.xls/.csv）")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹，写入 findings.csv 和 findings.xlsx")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="核查截止日 YYYY-MM-DD（默认：方案最后一天与今天中较早者）")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="有该级别或更严重的发现时退出码为 1：错误 或 警告")] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="只运行这些规则（编号或前缀，逗号分隔，如 HI,DR）")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="不运行这些规则（编号或前缀）")] = None,
    formats: Annotated[str, typer.Option("--format", help="输出格式，逗号分隔：csv、xlsx、parquet（findings.csv 总会写出，是完整的结果）")] = "csv,xlsx",
) -> None:
    """核查报送的台账，输出核查发现。"""
    from rich.markup import escape

    from .check import InputError, run_check, summarise, summarise_by_village
    from .findings import safe_for_output, write_csv, write_parquet, write_xlsx, xlsx_cut_note
    from .writing import checkpoint, locked, output_set

    chosen = _formats(formats)
    if fail_on is not None and fail_on not in ("错误", "警告"):
        _fail(f"--fail-on 只能是“错误”或“警告”，收到“{fail_on}”")
    camp, day = _inputs(paths, out, campaign, as_of)
    select_l, ignore_l = _split(select), _split(ignore)
    from .rules import select_rules

    if (select_l or ignore_l) and not select_rules(select_l, ignore_l):
        _fail("--select/--ignore 之后没有任何规则可运行（用 `jicui rules` 查看规则编号）")

    with locked(out), _stopped_by_ctrl_c(), Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
            transient=True, disable=not err.is_terminal) as progress:
        reading = progress.add_task("读取台账", total=None)
        checking = progress.add_task("执行规则", total=len(select_rules(select_l, ignore_l)))
        try:
            result = run_check(
                [str(p) for p in paths], as_of=day, campaign=camp, select=select_l, ignore=ignore_l,
                on_file=lambda f: progress.update(reading, advance=1, description=f"读取 {escape(_shown(f))}"),
                on_rule=lambda r: progress.update(checking, advance=1),
            )
        except InputError as exc:
            _fail(str(exc))
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
    counts = f["severity"].value_counts()
    console.print("发现：" + "，".join(f"[{_STYLE[s]}]{s} {int(counts.get(s, 0))}[/]" for s in _SEVERITY_ORDER)
                  + f"（共 {len(f)} 条）")
    if len(summary):
        table = Table(title="按规则汇总（条款见 findings.xlsx 或 jicui rules 编号）", show_lines=False)
        shown = ["规则", "严重程度", "名称", "数量"]
        for c in shown:
            table.add_column(c, justify="right" if c == "数量" else "left", no_wrap=c != "名称")
        for row in summary[shown].itertuples(index=False):
            table.add_row(*[str(v) for v in row], style=_STYLE.get(row[1]))
        console.print(table)
    console.print("结果已写入：" + "  ".join(escape(_shown(out / f"findings.{x}")) for x in chosen))
    if in_sheet < len(f):
        console.print(f"[yellow]{escape(xlsx_cut_note(len(f)))}[/]")
    if fail_on:
        worst = _SEVERITY_ORDER[: _SEVERITY_ORDER.index(fail_on) + 1]
        if f["severity"].isin(worst).any():
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
    which: Annotated[str | None, typer.Argument(help="规则编号或前缀（如 HI001、HI）")] = None,
) -> None:
    """列出规则，或显示一条规则的完整说明。"""
    from .rules import PARTY_LABELS, REGISTRY, select_rules

    if which and which.upper() in REGISTRY:
        r = REGISTRY[which.upper()]
        console.print(f"[bold]{r.id}[/]  {r.title}")
        console.print(f"严重程度：{r.severity}    对象：{PARTY_LABELS[r.party]}    条款：{r.clause}    读取台账：{'、'.join(r.reads) or '（文件本身）'}")
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
        table.add_row(r.id, r.severity, PARTY_LABELS[r.party], r.clause, r.title, style=_STYLE.get(r.severity))
    console.print(table)


@app.command("report")
def report_cmd(
    paths: Annotated[list[Path], typer.Argument(help="报送的文件夹或文件（.xlsx/.xls/.csv）")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹，写入同名的 .html、.xlsx、.docx 三个文件")],
    cadence: Annotated[str, typer.Option("--cadence", help="报告类型：week 周调度表、month 月小结、quarter 季通报、year 年总结（默认）")] = "year",
    as_of: Annotated[str | None, typer.Option("--as-of", help="数据截至日 YYYY-MM-DD，报告期以此日结束（默认：方案最后一天与今天中较早者）")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只报告该村（与企业名录“所属村”一致），文件名加村名")] = None,
) -> None:
    """按“周调度、月小结、季通报、年总结”生成报告（HTML、Excel、Word）。"""
    from .check import InputError, run_check
    from .report import ReportError, cadence_of, write_report

    try:
        cadence = cadence_of(cadence)
    except ReportError as exc:
        _fail(str(exc))
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
    paths: Annotated[list[Path], typer.Argument(help="报送的文件夹或文件（.xlsx/.xls/.csv）")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹：每类文书一个子文件夹，另写文书清单.xlsx")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="数据截至日 YYYY-MM-DD（默认：方案最后一天与今天中较早者）")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="上期的文书清单.xlsx（或报告工作簿、每行一个单位的文本文件）：其中已发提醒函的单位本期改发督办函")] = None,
    date: Annotated[str | None, typer.Option("--date", help="成文日期 YYYY-MM-DD（默认：数据截至日）；整改、回复和重报期限由此起算")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只生成该村的文书")] = None,
) -> None:
    """生成隐患整改通知书、提醒函/督办函和退回重报通知（Word，公文格式）."""
    from .check import InputError, run_check
    from .documents import DocumentError, read_previous, write_documents

    camp, day = _inputs(paths, out, campaign, as_of)
    issued = _parse_date(date, "--date")
    try:
        units = read_previous(previous) if previous else None
    except DocumentError as exc:
        _fail(str(exc))
    with err.status("读取台账、核查并生成文书…") if err.is_terminal else nullcontext():
        try:
            result = run_check([str(p) for p in paths], as_of=day, campaign=camp)
            written = write_documents(result, out, day=issued, previous=units, village=village)
        except (InputError, DocumentError) as exc:
            _fail(str(exc))
    from .documents import KINDS

    console.print(f"[bold]文书已生成[/]（数据截至 {day.isoformat()}；范围：{village or camp.town}）："
                  + "，".join(f"{k} {written.count(k)} 份" for k in KINDS))
    for note in written.notes:
        console.print(f"[yellow]说明[/]：{note}")
    console.print(f"文书清单：{out / '文书清单.xlsx'}")


def main() -> None:
    """The console command (``jicui``)."""
    app()


if __name__ == "__main__":
    main()
