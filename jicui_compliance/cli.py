"""The ``jicui`` command (thin: options in, pipeline called, summary out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(
    help="积翠镇重大事故隐患专项排查整治台账核查工具 / Ledger compliance checks for the 积翠镇 campaign.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console(soft_wrap=True)  # paths and messages are never broken across lines
err = Console(stderr=True)

_SEVERITY_ORDER = ["错误", "警告", "提示"]
_STYLE = {"错误": "bold red", "警告": "yellow", "提示": "cyan"}


def _fail(message: str) -> NoReturn:
    err.print(f"[bold red]无法运行 / cannot run:[/] {message}")
    raise typer.Exit(2)


@contextmanager
def _stopped_by_ctrl_c() -> Iterator[None]:
    """Ctrl-C ends the command with one line and exit code 130, not a traceback."""
    try:
        yield
    except KeyboardInterrupt:
        err.print("[bold]已按 Ctrl-C 中断 / interrupted[/]")
        raise typer.Exit(130) from None


def _parse_date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"{what} 应为 YYYY-MM-DD 格式的日期，收到“{text}”")


def _inputs(paths: list[Path], out: Path, campaign: Path | None, as_of: str | None):
    """What every command checks before it runs: the paths, the output folder, the campaign, as-of."""
    from .campaign import load_campaign

    for p in paths:
        if not p.exists():
            _fail(f"输入路径不存在：{p}")
        if _inside(out, p):
            _fail(f"输出文件夹 {out} 位于输入路径 {p} 之内；本工具从不在输入文件夹中写文件，请换一个输出位置")
    try:
        camp = load_campaign(campaign) if campaign else load_campaign()
    except (OSError, KeyError, ValueError) as exc:
        _fail(f"方案文件无法读取：{campaign}（{exc}）")
    return camp, _parse_date(as_of, "--as-of") or camp.default_as_of()


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.replace("，", ",").split(",") if x.strip())
    return out


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve() if parent.is_dir() else parent.resolve().parent)
        return parent.is_dir() or child.resolve() == parent.resolve()
    except ValueError:
        return False


@app.command("check")
def check_cmd(
    paths: Annotated[list[Path], typer.Argument(help="报送的文件夹或文件（.xlsx/.xls/.csv） / submission folders or files")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹，写入 findings.csv 和 findings.xlsx / output folder")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="核查截止日 YYYY-MM-DD（默认：方案最后一天与今天中较早者） / records as of this day")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023 / campaign file")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="有该级别或更严重的发现时退出码为 1：错误 或 警告 / exit 1 on findings of this severity")] = None,
    select: Annotated[list[str] | None, typer.Option("--select", help="只运行这些规则（编号或前缀，逗号分隔，如 HI,DR） / only these rules")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="不运行这些规则（编号或前缀） / skip these rules")] = None,
    formats: Annotated[str, typer.Option("--format", help="输出格式，逗号分隔：csv、xlsx、parquet（findings.csv 总是写出，是完整的结果） / output formats")] = "csv,xlsx",
) -> None:
    """核查报送的台账，输出核查发现 / Check a submission and write its findings."""
    from .check import InputError, run_check, summarise, summarise_by_village

    chosen = _formats(formats)
    if fail_on is not None and fail_on not in ("错误", "警告"):
        _fail(f"--fail-on 只能是“错误”或“警告”，收到“{fail_on}”")
    camp, day = _inputs(paths, out, campaign, as_of)
    select_l, ignore_l = _split(select), _split(ignore)
    from .rules import select_rules

    if (select_l or ignore_l) and not select_rules(select_l, ignore_l):
        _fail("--select/--ignore 之后没有任何规则可运行（用 `jicui rules` 查看规则编号）")

    with _stopped_by_ctrl_c(), Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                        TimeElapsedColumn(), console=err, transient=True,
                                        disable=not err.is_terminal) as progress:
        reading = progress.add_task("读取台账", total=None)
        checking = progress.add_task("执行规则", total=len(select_rules(select_l, ignore_l)))
        try:
            result = run_check(
                [str(p) for p in paths], as_of=day, campaign=camp, select=select_l, ignore=ignore_l,
                on_file=lambda f: progress.update(reading, advance=1, description=f"读取 {f}"),
                on_rule=lambda r: progress.update(checking, advance=1),
            )
        except InputError as exc:
            _fail(str(exc))
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(result.findings, result.rules)
    written, cut_note = _write_findings(result.findings, out, chosen, summary,
                                        {"按村汇总": summarise_by_village(result.findings)})

    f = result.findings
    n_tables = len(result.submission.tables)
    n_files = len(result.submission.files)
    console.print(f"[bold]核查完成[/]：{n_files} 个文件，识别台账工作表 {n_tables} 个；核查截止日 {day.isoformat()}；"
                  f"方案：{camp.name}")
    counts = f["severity"].value_counts()
    console.print("发现：" + "，".join(f"[{_STYLE[s]}]{s} {int(counts.get(s, 0))}[/]" for s in _SEVERITY_ORDER)
                  + f"（共 {len(f)} 条）")
    if len(summary):
        table = Table(title="按规则汇总 / findings by rule（条款见 findings.xlsx 或 jicui rules 编号）", show_lines=False)
        shown = ["规则", "严重程度", "名称", "数量"]
        for c in shown:
            table.add_column(c, justify="right" if c == "数量" else "left", no_wrap=c != "名称")
        for row in summary[shown].itertuples(index=False):
            table.add_row(*[str(v) for v in row], style=_STYLE.get(row[1]))
        console.print(table)
    if cut_note:
        console.print(f"[bold yellow]注意[/]：{cut_note}")
    console.print("结果已写入 / written: " + "  ".join(str(p) for p in written))
    if fail_on:
        worst = _SEVERITY_ORDER[: _SEVERITY_ORDER.index(fail_on) + 1]
        if f["severity"].isin(worst).any():
            raise typer.Exit(1)


_FORMATS = ("xlsx", "csv", "parquet")


def _formats(text: str) -> list[str]:
    chosen = [f.lower() for f in _split([text])]
    unknown = [f for f in chosen if f not in _FORMATS]
    if unknown:
        _fail(f"--format 只能是 csv、xlsx、parquet（逗号分隔），收到“{'、'.join(unknown)}”")
    return [f for f in _FORMATS if f in chosen or f == "csv"]


def _write_findings(findings, out: Path, formats: list[str], summary, extra) -> tuple[list[Path], str | None]:
    """findings.csv (always: the complete findings) and the other chosen formats; the note to print
    when findings.xlsx holds fewer findings than there are."""
    from .findings import write_csv, write_parquet, write_xlsx, xlsx_cut_note

    written, note = [], None
    for fmt in formats:
        path = out / f"findings.{fmt}"
        if fmt == "xlsx":
            if write_xlsx(findings, path, summary, extra) < len(findings):
                note = xlsx_cut_note(len(findings))
        elif fmt == "csv":
            write_csv(findings, path)
        elif fmt == "parquet":
            write_parquet(findings, path)
        written.append(path)
    return written, note


@app.command("rules")
def rules_cmd(
    which: Annotated[str | None, typer.Argument(help="规则编号或前缀（如 HI001、HI） / rule ID or prefix")] = None,
) -> None:
    """列出规则，或显示一条规则的完整说明 / List rules, or show one rule's documentation."""
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
    table = Table(title=f"规则目录（{len(chosen)} 条） / rule catalogue")
    for c in ("编号", "严重程度", "对象", "条款", "名称"):
        table.add_column(c, overflow="fold")
    for r in chosen:
        table.add_row(r.id, r.severity, PARTY_LABELS[r.party], r.clause, r.title, style=_STYLE.get(r.severity))
    console.print(table)


@app.command("report")
def report_cmd(
    paths: Annotated[list[Path], typer.Argument(help="报送的文件夹或文件（.xlsx/.xls/.csv） / submission folders or files")],
    out: Annotated[Path, typer.Option("--out", help="输出文件夹，写入同名的 .html、.xlsx、.docx 三个文件 / output folder")],
    cadence: Annotated[str, typer.Option("--cadence", help="报告类型：week 周调度表、month 月小结、quarter 季通报、year 年总结（默认） / week, month, quarter or year")] = "year",
    as_of: Annotated[str | None, typer.Option("--as-of", help="数据截至日 YYYY-MM-DD，报告期以此日结束（默认：方案最后一天与今天中较早者） / records as of this day; the report period ends on it")] = None,
    campaign: Annotated[Path | None, typer.Option("--campaign", help="方案文件（TOML），默认积翠镇2023 / campaign file")] = None,
    village: Annotated[str | None, typer.Option("--village", help="只报告该村（与企业名录“所属村”一致），文件名加村名 / only this village")] = None,
) -> None:
    """按“周调度、月小结、季通报、年总结”生成报告（HTML、Excel、Word） / Write the weekly, monthly, quarterly or annual report."""
    from .check import InputError, run_check
    from .report import ReportError, cadence_of, write_report

    try:
        cadence = cadence_of(cadence)
    except ReportError as exc:
        _fail(str(exc))
    camp, day = _inputs(paths, out, campaign, as_of)
    with _stopped_by_ctrl_c(), err.status("读取台账、核查并生成报告…") if err.is_terminal else nullcontext():
        try:
            result = run_check([str(p) for p in paths], as_of=day, campaign=camp)
            written = write_report(result, cadence, out, village=village)
        except (InputError, ReportError) as exc:
            _fail(str(exc))
    console.print(f"[bold]报告已生成[/]：{written[0].stem}（数据截至 {day.isoformat()}；范围：{village or camp.town}）")
    for path in written:
        console.print(f"  {path}")


def main() -> None:
    """The console command (``jicui``)."""
    app()


if __name__ == "__main__":
    main()
