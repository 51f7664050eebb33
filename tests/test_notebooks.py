"""The example notebooks in ``notebooks/``: stored clean, and the per-village one renders with papermill.

Running every notebook top to bottom, with its assertion cells on the key figures, is
``pytest --nbval-lax notebooks/`` (part of ``make test``; a cell writing to stderr fails,
notebooks/conftest.py); ``make docs`` executes them again for the published pages.
Here: each notebook is stored without outputs or execution counts (so diffs show code, not
results, and the docs never publish stale figures), has assertion cells, and
``08_按村报告.ipynb`` has a ``parameters`` cell and renders for another village through
``notebooks/render_villages.py`` (papermill + nbconvert).
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
VILLAGE_NOTEBOOK = NOTEBOOKS / "08_按村报告.ipynb"
EXPECTED = ["00_快速上手", "01_P1_动员部署", "02_P2_自查自改", "03_P3_精准执法", "04_P4_巩固提高", "05_年终总结", "06_培训",
            "07_自定义方案", "08_按村报告"]


def _render_villages():
    spec = importlib.util.spec_from_file_location("render_villages", NOTEBOOKS / "render_villages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_notebook_is_there():
    assert set(EXPECTED) <= {p.stem for p in ALL}


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs_or_execution_counts(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [], f"{path.name}, cell {cell.id}: stored with outputs (clear them before committing)"
        assert cell.execution_count is None, f"{path.name}, cell {cell.id}: stored with an execution count"
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebook_checks_its_key_figures(path):
    """Each notebook ends its analysis with assertion cells, so nbval fails when a result changes."""
    nb = nbformat.read(path, as_version=4)
    asserts = sum(isinstance(node, ast.Assert) for c in nb.cells if c.cell_type == "code"
                  for node in ast.walk(ast.parse("\n".join(line for line in c.source.splitlines()
                                                           if not line.lstrip().startswith("%")))))
    assert asserts >= 3, f"{path.name}: {asserts} assert statements"


def test_a_notebook_cell_showing_a_personal_number_unmasked_fails():
    """notebooks/conftest.py fails a cell (under nbval) whose outputs show an ID or phone number unmasked:
    any text the outputs hold, as :func:`jicui_compliance.text.mask_personal` would change it."""
    spec = importlib.util.spec_from_file_location("notebooks_conftest", NOTEBOOKS / "conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    leaked = [{"output_type": "execute_result", "execution_count": 1,
               "data": {"text/html": "<td>陈祥（电工作业，证书编号T130100197911110232）在岗</td>", "text/plain": "证书编号"}},
              {"output_type": "stream", "name": "stdout", "text": ["联系电话 138 1234 ", "5678\n"]}]
    assert conftest.unmasked(leaked) == ["<td>陈祥（电工作业，证书编号T130100197911110232）在岗</td>", "联系电话 138 1234 5678\n"]
    masked = [{"output_type": "execute_result", "execution_count": 1, "data": {
        "text/html": "<td>证书编号T130100********0232，电话 138****5678，统一社会信用代码 911401222110077596</td>",
        "image/png": "iVBORw0KGgo1381234567813810"}}]
    assert conftest.unmasked(masked) == []


def test_village_notebook_has_a_parameters_cell():
    nb = nbformat.read(VILLAGE_NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    defaults: dict = {}
    exec(tagged[0].source, defaults)
    assert (defaults["village"], defaults["as_of"], defaults["submission"]) == ("东坡村", "2023-12-31", "../data/samples")


def test_village_notebook_renders_for_another_village(tmp_path):
    render = _render_villages()
    code = render.main([str(ROOT / "data" / "samples"), "--as-of", "2023-12-31", "--village", "北岭村",
                        "--out", str(tmp_path), "--jobs", "1"])
    assert code == 0
    notebook = tmp_path / "按村报告_北岭村_2023-12-31.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    parameters: dict = {}
    exec(injected[0].source, parameters)
    assert parameters["village"] == "北岭村" and Path(parameters["submission"]) == ROOT / "data" / "samples"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"], "the notebook wrote to stderr (warnings)"
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    with (ROOT / "data" / "samples-planted.csv").open(encoding="utf-8-sig", newline="") as f:
        planted = sum(row["village"] == "北岭村" for row in csv.DictReader(f))
    assert planted > 0 and f"核对通过：北岭村，15 家企业，{planted} 条核查发现" in printed
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    html = (tmp_path / "按村报告_北岭村_2023-12-31.html").read_text("utf-8")
    assert "北岭村" in html and "data:image/png;base64," in html
    assert "run_check(" not in html  # the village HTML hides the code unless --show-code


def test_village_report_writes_rates_as_the_reports_do_with_chinese_headers_and_masked_numbers(tmp_path):
    """东坡村 at year end: 外包外租 3 of 4 projects compliant, 动火 514 of 517 permits, 持证 47 of 48 valid,
    written as the reports write them (:func:`jicui_compliance.text.percent`), never rounded to “1”; every
    header Chinese (no ``phase``, ``period``, ``village``, ``eid``); the certificate number in SW001's
    message masked as findings.csv has it."""
    import io

    import pandas as pd

    notebook, page = _render_villages().render("东坡村", ROOT / "data" / "samples", "2023-12-31", tmp_path)
    html = page.read_text("utf-8")
    duties = [t for t in pd.read_html(io.StringIO(html)) if list(t.columns) == ["类别", "项目", "数值"]]
    assert len(duties) == 1
    rates = duties[0][duties[0]["项目"].str.endswith("率")].astype(str).values.tolist()
    assert rates == [["外包外租", "协议签订率", "100%"], ["外包外租", "合规率", "75%"], ["动火作业", "合规率", "99.4%"],
                     ["特种作业持证", "持证有效率", "97.9%"]]
    headers = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", html, re.S)]
    assert "合规率" in headers and "期间" in headers and "村" in headers
    assert [h for h in headers if re.search(r"[A-Za-z]", h)] == []
    assert "T130100********0232" in html and "T130100197911110232" not in html
    positions = [t for t in pd.read_html(io.StringIO(html)) if "位置（文件｜工作表｜行｜期间）" in t.columns][0]
    assert "东坡村/东坡村企业专项行动落实情况.xlsx｜落实情况表｜第6行｜期间 P2" in set(positions["位置（文件｜工作表｜行｜期间）"])


def test_render_villages_rejects_a_village_not_in_the_registry(tmp_path, capsys):
    import shutil

    submission = tmp_path / "报送"  # the samples' registry: the villages are its 所属村 (no ledger need be read)
    submission.mkdir()
    shutil.copy(ROOT / "data" / "samples" / "积翠镇企业名录.xlsx", submission)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(SystemExit) as exit_:
        _render_villages().main([str(submission), "--village", "不存在村", "--out", str(out)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "名录中没有这些村：不存在村" in err and "（名录中的村：东坡村、" in err
    assert not any(out.iterdir())


def test_render_villages_speaks_chinese_on_a_wrong_command_line(capsys):
    rv = _render_villages()
    with pytest.raises(SystemExit) as stop:
        rv.main(["报送", "--jobs", "四"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == "无法运行：--jobs 应为整数，收到“四”（用 --help 查看用法）"
    with pytest.raises(SystemExit):
        rv.main(["报送"])
    assert capsys.readouterr().err.strip() == "无法运行：缺少参数：--out（用 --help 查看用法）"
    with pytest.raises(SystemExit):
        rv.main(["--help"])
    shown = capsys.readouterr().out
    assert shown.startswith("用法：") and "位置参数" in shown and "显示本帮助并退出" in shown
    assert not re.search(r"usage|positional|show this help", shown)


def test_a_village_whose_notebook_fails_is_one_chinese_line_with_the_cell(monkeypatch, capsys):
    """A notebook that raises in a cell (papermill) is reported in Chinese — which cell, no report written — with
    the error's own words, masked, in brackets for whoever maintains the notebook; the other villages go on."""
    from papermill.exceptions import PapermillExecutionError

    rv = _render_villages()

    def fails(village, *rest):
        if village == "东坡村":
            raise PapermillExecutionError(6, 7, "hi.pivot(...)", "ValueError",
                                          "Index contains duplicate entries 13812345678", [])
        raise OSError("磁盘已满")

    monkeypatch.setattr(rv, "render", fails)
    failed = rv._report(map(rv._render_timed, [("东坡村",), ("北岭村",)]))
    assert failed == ["东坡村", "北岭村"]
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "  东坡村：失败（笔记本第 7 个单元格运行出错，未生成报告；请把这一行发给维护笔记本的同事"
        "（ValueError：Index contains duplicate entries 138****5678））",
        "  北岭村：失败（运行出错，未生成报告（OSError：磁盘已满））",
    ]
