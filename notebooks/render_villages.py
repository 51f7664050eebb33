"""按村报告：用 papermill 为报送中的每个村运行一次 ``08_按村报告.ipynb``，每村一个笔记本（和一份 HTML）。

Render the per-village notebook for every village of a submission::

    python notebooks/render_villages.py data/samples --as-of 2023-12-31 --out out/villages
    python notebooks/render_villages.py data/samples --village 东坡村 --village 北岭村 --out out/villages

Writes ``<out>/按村报告_<村>_<as-of>.ipynb`` (executed, with outputs) and, unless ``--no-html``,
``<out>/按村报告_<村>_<as-of>.html`` (nbconvert; code hidden unless ``--show-code``). The villages
are the distinct 所属村 of the submission's registry. Each notebook runs in its own kernel with
the notebooks folder as working directory; ``--jobs`` runs several at once. Exit code 0 when
every village rendered, 1 when any failed (each failure is named), 2 for a bad argument.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "08_按村报告.ipynb"


def villages_of(submission: Path) -> list[str]:
    """The villages (所属村) of the submission's registry: reading only, no rules run."""
    from jicui_compliance import ledgers
    from jicui_compliance.campaign import load_campaign
    from jicui_compliance.reading import read_submission

    typed = ledgers.load(read_submission([submission], ledgers.vocabulary()), load_campaign())
    registry = typed.frames.get("enterprises")
    if registry is None or registry.empty:
        raise ValueError(f"“{submission}”中没有企业名录，无法确定有哪些村")
    return sorted(registry["village"].dropna().unique())


def render(village: str, submission: Path, as_of: str, out: Path, html: bool = True, show_code: bool = False,
           kernel: str = "python3") -> list[Path]:
    """Run the template for one village; the executed notebook (and its HTML)."""
    import nbformat
    import papermill

    from jicui_compliance.writing import TMP_PREFIX, safe_file_name, write_text_atomic

    stem = out / safe_file_name(f"按村报告_{village}_{as_of}")
    notebook = stem.with_suffix(".ipynb")
    executed = out / f"{TMP_PREFIX}{os.getpid()}-{notebook.name}"  # papermill writes as it goes: never the final name
    try:
        papermill.execute_notebook(
            str(TEMPLATE), str(executed), parameters={"village": village, "as_of": as_of, "submission": str(submission)},
            cwd=str(HERE), kernel_name=kernel, progress_bar=False, log_output=False,
        )
        nb = masked_notebook(nbformat.read(executed, as_version=4))
    finally:
        executed.unlink(missing_ok=True)
    write_text_atomic(notebook, nbformat.writes(nb))
    written = [notebook]
    if html:
        from nbconvert import HTMLExporter

        # the classic template keeps the charts' alt text (the lab template drops it and warns)
        exporter = HTMLExporter(template_name="classic", exclude_input=not show_code, exclude_input_prompt=True,
                                exclude_output_prompt=True)
        body, _ = exporter.from_notebook_node(nb)
        written.append(write_text_atomic(stem.with_suffix(".html"), body))
    return written


def masked_notebook(nb):
    """The executed notebook with personal numbers masked in every text output (tables, text,
    Markdown; images are left as they are) and in the code cells' parameters."""
    from jicui_compliance.text import mask_personal

    def mask(value):
        return "".join(mask_personal(v) for v in value) if isinstance(value, list) else mask_personal(value)

    for cell in nb.cells:
        cell.source = mask(cell.source)
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = mask(output["text"])
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/"):
                    output["data"][kind] = mask(value)
            if "traceback" in output:
                output["traceback"] = [mask_personal(v) for v in output["traceback"]]
    return nb


def _render_timed(args: tuple) -> tuple[str, list[Path] | None, str, float]:
    village, *rest = args
    start = time.perf_counter()
    try:
        return village, render(village, *rest), "", time.perf_counter() - start
    except Exception as exc:  # reported per village, the others still render
        return village, None, _failure(exc), time.perf_counter() - start


def _failure(exc: Exception) -> str:
    """One Chinese line for a village whose notebook could not be rendered: where it stopped, and the error's own
    words (masked) for whoever maintains the notebook."""
    from jicui_compliance.text import mask_personal

    cell = getattr(exc, "cell_index", None)
    if cell is not None:  # papermill: a cell of the notebook raised
        ename, evalue = getattr(exc, "ename", ""), str(getattr(exc, "evalue", "")).strip().splitlines()
        detail = f"{ename}：{evalue[-1] if evalue else ''}".strip("：")
        return mask_personal(f"笔记本第 {cell + 1} 个单元格运行出错，未生成报告；请把这一行发给维护笔记本的同事（{detail}）")
    reason = str(exc).strip().splitlines()
    return mask_personal(f"运行出错，未生成报告（{type(exc).__name__}：{reason[-1] if reason else ''}）")


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：")


class _Parser(argparse.ArgumentParser):
    """argparse in Chinese: the help's headings, and its own error messages (a missing or malformed value)."""

    _SAID = ((r"the following arguments are required: (.+)", r"缺少参数：\1"),
             (r"argument (\S+): invalid int value: '(.*)'", r"\1 应为整数，收到“\2”"),
             (r"argument (\S+): expected one argument", r"\1 后面缺少取值"),
             (r"unrecognized arguments: (.+)", r"不认识的参数：\1"))

    def __init__(self, **kwargs):
        super().__init__(formatter_class=_Formatter, add_help=False, **kwargs)
        self._positionals.title, self._optionals.title = "位置参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str):
        import re

        for pattern, said in self._SAID:
            message = re.sub(pattern, said, message)
        self.exit(2, f"无法运行：{message}（用 --help 查看用法）\n")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(description="为报送中的每个村生成按村报告（08_按村报告.ipynb，papermill）")
    parser.add_argument("submission", type=Path, help="报送文件夹（含企业名录）")
    parser.add_argument("--as-of", default="2023-12-31", help="核查截止日 YYYY-MM-DD（默认 2023-12-31）")
    parser.add_argument("--out", type=Path, required=True, help="输出文件夹")
    parser.add_argument("--village", action="append", help="只生成这个村（可重复）；默认名录中的全部村")
    parser.add_argument("--jobs", type=int, default=4, help="同时运行的笔记本个数（默认 4）")
    parser.add_argument("--no-html", action="store_true", help="不生成 HTML")
    parser.add_argument("--show-code", action="store_true", help="HTML 中保留代码（默认只留文字、表格和图）")
    parser.add_argument("--kernel", default="python3", help="Jupyter 内核名（默认 python3）")
    args = parser.parse_args(argv)

    submission = args.submission.resolve()
    if not submission.exists():
        parser.error(f"报送路径不存在：{args.submission}")
    try:
        as_of = dt.date.fromisoformat(args.as_of).isoformat()
    except ValueError:
        parser.error(f"--as-of 应为 YYYY-MM-DD，收到“{args.as_of}”")
    try:
        known = villages_of(submission)
    except ValueError as exc:
        parser.error(str(exc))
    villages = args.village or known
    unknown = [v for v in villages if v not in known]
    if unknown:
        parser.error(f"名录中没有这些村：{'、'.join(unknown)}（名录中的村：{'、'.join(known)}）")

    out = args.out.resolve()
    inputs = submission if submission.is_dir() else submission.parent
    if out == inputs or inputs in out.parents:
        parser.error(f"输出文件夹 {out} 位于报送文件夹 {inputs} 之内；不在输入文件夹中写文件，请换一个输出位置")
    from jicui_compliance.writing import OutputError, locked

    try:
        with locked(out):
            return _render_all(villages, submission, as_of, out, args)
    except OutputError as exc:
        print(f"无法运行：{exc}", file=sys.stderr, flush=True)
        return 2


def _render_all(villages: list[str], submission: Path, as_of: str, out: Path, args: argparse.Namespace) -> int:
    jobs = [(v, submission, as_of, out, not args.no_html, args.show_code, args.kernel) for v in villages]
    print(f"{len(villages)} 个村，核查截止日 {as_of}，输出到 {out}", flush=True)
    started = time.perf_counter()
    failed = []
    if args.jobs > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(args.jobs, len(jobs))) as pool:
            outcomes = pool.map(_render_timed, jobs)
            failed = _report(outcomes)
    else:
        failed = _report(map(_render_timed, jobs))
    print(f"完成 {len(villages) - len(failed)}/{len(villages)} 个村，用时 {time.perf_counter() - started:.1f} 秒", flush=True)
    return 1 if failed else 0


def _report(outcomes) -> list[str]:
    failed = []
    for village, written, error, seconds in outcomes:
        if written is None:
            failed.append(village)
            print(f"  {village}：失败（{error}）", file=sys.stderr, flush=True)
        else:
            print(f"  {village}：{'、'.join(p.name for p in written)}（{seconds:.1f} 秒）", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
