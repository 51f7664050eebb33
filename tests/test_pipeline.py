"""The whole pipeline on thin submissions: every rule copes with empty and missing ledgers."""

import datetime as dt

import pytest

from jicui_compliance.check import run_check
from jicui_compliance.rules import REGISTRY

from .rules.runner import write_case


@pytest.mark.parametrize("as_of", [dt.date(2023, 5, 1), dt.date(2023, 7, 31), dt.date(2023, 12, 31)])
def test_registry_only_submission_runs_every_rule(tmp_path, as_of):
    write_case({}, tmp_path)
    result = run_check([tmp_path], as_of=as_of)
    assert {r.id for r in result.rules} == set(REGISTRY)
    f = result.findings
    # nothing is due on 1 May; by year end every coverage obligation is missing for each enterprise
    if as_of == dt.date(2023, 5, 1):
        assert f.empty
    if as_of == dt.date(2023, 12, 31):
        assert (f["rule_id"] == "HI001").sum() == 4 * 7  # 4 enterprises × June–December
        assert (f["rule_id"] == "DR001").sum() == 4
        assert set(f.loc[f["rule_id"] == "GV001", "village"]) == {"东坡村", "西岭村"}
