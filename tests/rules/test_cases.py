"""Runs every fixture case of tests/rules/cases/ through the real pipeline."""

from pathlib import Path

import pytest

from jicui_compliance.rules import REGISTRY

from .runner import load_cases, run_case

CASES_DIR = Path(__file__).parent / "cases"
ALL = [c for path in sorted(CASES_DIR.glob("*.yml")) for c in load_cases(path)]


@pytest.mark.parametrize("rule_id,name,case,doc", ALL, ids=[f"{c[0]}-{c[1]}" for c in ALL])
def test_case(rule_id, name, case, doc, tmp_path):
    assert rule_id in REGISTRY, f"{rule_id} has fixture cases but no registered rule"
    run_case(rule_id, case, doc, tmp_path)


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_every_rule_has_a_violating_and_a_compliant_case(rule_id):
    path = CASES_DIR / f"{rule_id}.yml"
    assert path.exists(), f"no fixture file {path.name}"
    cases = [c for c in ALL if c[0] == rule_id]
    assert any(any(e["rule"] == rule_id for e in (c[2].get("expect") or [])) for c in cases), "no violating case"
    assert any(not any(e["rule"] == rule_id for e in (c[2].get("expect") or [])) for c in cases), "no compliant case"


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_every_rule_is_documented(rule_id):
    r = REGISTRY[rule_id]
    sections = r.sections()
    for name in ("规则说明", "依据", "违规示例", "合规示例"):
        assert sections.get(name), f"{rule_id}: docstring lacks section {name}"
    assert r.title and r.message and r.clause
