"""The documentation: generated reference pages are complete, and the site builds with -W.

The pages come from docs/_ext/jicui_docs.py (run by Sphinx on builder-inited); here the
generator is also called directly, into a temporary folder.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jicui_compliance.ledgers import LEDGERS
from jicui_compliance.rules import REGISTRY
from jicui_compliance.rules.base import DOC_SECTIONS, ERROR, Party, Rule

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def gen():
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        yield importlib.import_module("jicui_docs")
    finally:
        sys.path.remove(str(DOCS / "_ext"))


@pytest.fixture(scope="module")
def generated(gen, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    gen.generate(out, notebooks=None)
    return out


def _unwrapped(gen, text: str) -> list[str]:
    """How a docstring section appears on the page: paragraphs joined, reST-escaped."""
    return [gen.esc(p) for p in gen.unwrap(text)]


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_every_rule_has_a_page_with_its_four_sections(gen, generated, rule_id):
    page = (generated / "rules" / f"{rule_id}.rst").read_text("utf-8")
    rule = REGISTRY[rule_id]
    assert f".. _rule-{rule_id}:" in page
    assert rule.title in page and gen.esc(rule.clause) in page and rule.severity in page
    sections = rule.sections()
    for name in DOC_SECTIONS:
        assert f"\n{name}\n----" in page, f"{rule_id}: no section {name}"
        for para in _unwrapped(gen, sections[name]):
            assert para in page, f"{rule_id}: the {name} text is not on the page"
    assert rule.message.splitlines()[0] in page


def test_rule_pages_list_their_fixture_cases(generated):
    page = (generated / "rules" / "HI001.rst").read_text("utf-8")
    # a case whose expect names HI001 is violating; one that expects only HI002 is compliant for HI001
    assert "``deputy_led_july_counts_as_missing``\n     - 违规" in page
    assert "``head_and_deputy_in_the_same_month``\n     - 合规" in page


def test_the_rule_index_lists_every_rule_once(generated):
    index = (generated / "rules" / "index.rst").read_text("utf-8")
    toctree = index.split(".. toctree::", 1)[1].split()
    assert sorted(t for t in toctree if t in REGISTRY) == sorted(REGISTRY)
    for rule_id in REGISTRY:
        assert f":ref:`{rule_id} <rule-{rule_id}>`" in index


@pytest.mark.parametrize("name", list(LEDGERS))
def test_every_ledger_has_a_page_with_every_header(gen, generated, name):
    led = LEDGERS[name]
    page = (generated / "ledgers" / f"{name}.rst").read_text("utf-8")
    assert led.title in page
    for field in led.fields.values():
        assert gen.esc(field.header) in page, f"{name}: header {field.header} missing"
        assert f"``{field.name}``" in page
        for alias in field.aliases:
            assert gen.esc(alias) in page, f"{name}: alias {alias} missing"
    assert f"schemas/{name}.yaml" in page


def test_cli_page_has_every_command_and_option(generated):
    import typer

    from jicui_compliance.cli import app

    page = (generated / "cli.rst").read_text("utf-8")
    group = typer.main.get_command(app)
    ctx = group.context_class(group, info_name="jicui")
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert f"jicui {name}\n" in page
        for p in cmd.params:
            if p.name != "help":
                shown = [*p.opts, p.metavar] if getattr(p, "metavar", None) else p.opts  # an argument shows its metavar
                assert any(o in page for o in shown), f"{name}: {p.opts} missing"


def _rule_without(section: str) -> Rule:
    doc = {s: f"{s}：示例文字。" for s in DOC_SECTIONS}
    del doc[section]

    def fake(ctx):
        pass

    fake.__doc__ = "\n\n".join(doc.values())
    return Rule("ZZ001", ERROR, "E(1)", ("hazards",), "测试规则", "测试提示语", fake, Party.ENTERPRISE)


@pytest.mark.parametrize("section", DOC_SECTIONS)
def test_a_rule_without_a_doc_section_fails_the_generator(gen, tmp_path, section):
    rule = _rule_without(section)
    with pytest.raises(gen.GenerationError, match=f"ZZ001.*{section}"):
        gen.render_rule_page(rule)
    # every real rule's page is rendered before the error is raised: with no fixture cases folder none of
    # them parses its tests/rules/cases YAML (most of a generate's CPU), which this error does not depend on
    with pytest.raises(gen.GenerationError, match="ZZ001"):
        gen.generate(tmp_path / "out", registry={**REGISTRY, "ZZ001": rule}, notebooks=None,
                     cases_dir=tmp_path / "no-cases")


def test_a_complete_fake_rule_renders(gen):
    rule = _rule_without("合规示例")
    rule.func.__doc__ += "\n\n合规示例：另一段。"
    page = gen.render_rule_page(rule)
    assert "ZZ001 测试规则" in page and "另一段。" in page


def test_chinese_lines_join_without_spaces(gen):
    assert gen.unwrap("甲公司\n主要负责人 Zhang\nSan，\n合规") == ["甲公司主要负责人 Zhang San，合规"]


def test_no_notebooks_gives_a_page_without_a_toctree(gen, tmp_path):
    docs = gen.link_notebooks(tmp_path / "nb", tmp_path / "no-such-folder")
    assert docs == []
    assert "toctree" not in gen.render_notebooks_page(docs)


def test_notebooks_are_linked_not_copied_where_possible(gen, tmp_path):
    src = tmp_path / "notebooks"
    (src / ".ipynb_checkpoints").mkdir(parents=True)
    (src / "01-quickstart.ipynb").write_text("{}", "utf-8")
    (src / ".ipynb_checkpoints" / "01-quickstart-checkpoint.ipynb").write_text("{}", "utf-8")
    docs = gen.link_notebooks(tmp_path / "out" / "nb", src)
    assert docs == ["01-quickstart"]
    assert (tmp_path / "out" / "nb" / "01-quickstart.ipynb").is_file()
    assert "nb/01-quickstart" in gen.render_notebooks_page(docs)
    assert gen.quickstart_doc(docs) == "01-quickstart"


def test_the_docs_build_with_warnings_as_errors(tmp_path):
    """The whole site with -W. The notebooks become pages but are not executed here: nbval runs each of them
    in ``make test`` (notebooks/conftest.py fails a cell that writes to stderr, as this build's
    ``nb_output_stderr = "warn"`` would); executing them twice cost ~80 CPU s of the suite."""
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env={**os.environ, "NB_EXECUTION_MODE": "off"},
    )
    assert proc.returncode == 0, f"sphinx-build -W failed:\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}"
    for page in ["index.html", "_generated/rules/HI001.html", "_generated/ledgers/hazards.html",
                 "_generated/cli.html", "api.html", "glossary.html", "_generated/nb/00_快速上手.html"]:
        assert (out / page).is_file(), page
    assert "HI001 当月无主要负责人带队检查" in (out / "_generated/rules/HI001.html").read_text("utf-8")

    js = (out / "searchindex.js").read_text("utf-8")
    index = json.loads(js[js.index("(") + 1: js.rindex(")")])
    terms = index["terms"]
    # Chinese is indexed word by word (jieba), and the plan's terms stay whole
    for word in ("隐患", "台账", "挂牌督办", "一案双罚", "主要负责人", "hi001"):
        assert word in terms, f"search index lacks {word}"
    # the search page's stemmer exists (Sphinx 9.0 named a ChineseStemmer it never shipped)
    lang_js = (out / "_static" / "language_data.js").read_text("utf-8")
    stemmer = re.search(r"window\.Stemmer = (\w+);", lang_js).group(1)
    assert re.search(rf"\b{stemmer}\s*=\s*function", lang_js), f"language_data.js names an undefined {stemmer}"


def test_the_readme_quotes_the_rule_count():
    """The README cannot use the docs' {{ n_rules }} substitution: its count is checked here."""
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"按 {len(REGISTRY)} 条规则逐条核查" in readme


def test_the_docs_promise_letters_only_where_the_reports_have_them():
    """提醒函、督办函 are in the 季通报 and 年总结 only (analysis.md's table of products; the 周调度表 and 月小结 have no
    letters table): no command line of a weekly or monthly report says it has one."""
    for path in [ROOT / "README.md", *sorted((DOCS / "guide").glob("*.md"))]:
        for line in path.read_text("utf-8").splitlines():
            if re.search(r"--cadence\s+(week|month)\b", line):
                assert "督办函" not in line and "提醒函" not in line, (path.name, line)


def test_the_docs_cite_the_plan_where_it_says_it(generated):
    """Audit 8: the lead stations are assigned in 方案一（二）4 (ENT001's code 三(二)4 kept, the paragraph shown beside
    it); a hazard may be 一般 since version 2; the villages' kick-off meetings are 四（一）, not the town's 三（三）;
    CHK006's basis and clause name the same items."""
    page = (generated / "rules" / "ENT001.rst").read_text("utf-8")
    assert "三(二)4（即方案 一(二)4）" in page and "方案 一(二)4）" in page
    index = (generated / "rules" / "index.rst").read_text("utf-8")
    assert index.count("三(二)4（即方案 一(二)4）") == 2  # the clause table and ENT001's row
    glossary = (DOCS / "glossary.rst").read_text("utf-8")
    assert "方案一（二）4 为每个行业领域指定的牵头站所" in glossary and "三（二）4 为" not in glossary
    assert "本工具中的隐患都是重大隐患" not in glossary and "可填“重大”或“一般”" in glossary
    intro = (DOCS / "intro.md").read_text("utf-8")
    town = next(line for line in intro.splitlines() if line.startswith(": 主要负责同志召开专题会议动员部署"))
    assert "各村" not in town and "各村相应召开专题会议，方案四（一）" in intro
    basis = REGISTRY["CHK006"].sections()["依据"]
    assert REGISTRY["CHK006"].clause == "E(1)…E(13)" and "本规则的条款记为 E(1)…E(13)" in basis
    assert "即 E(1)–E(15)" not in basis
