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


def test_rules_shared_with_a_forked_process_give_the_same_findings(monkeypatch):
    """Large submissions run the rule areas in this process and a forked one; forced here on
    the samples, the findings equal those of running every rule in this process."""
    import sys
    from pathlib import Path

    import pandas as pd

    import jicui_compliance.rules._running as running

    if sys.platform != "linux":
        pytest.skip("rules are shared with a forked process on Linux only")
    samples = Path(__file__).resolve().parents[1] / "data" / "samples"
    monkeypatch.setattr(running, "FORK_ROWS", float("inf"))
    here = run_check([samples], as_of=dt.date(2023, 12, 31))
    assert not running._forking_pays(here.context, 10)
    monkeypatch.setattr(running, "FORK_ROWS", 0)
    assert running._forking_pays(here.context, 10)
    seen = []
    shared = run_check([samples], as_of=dt.date(2023, 12, 31), on_rule=lambda r: seen.append(r.id))
    assert sorted(seen) == sorted(r.id for r in shared.rules)  # progress hears of every rule once
    assert len(here.findings) > 100
    pd.testing.assert_frame_equal(here.findings, shared.findings)
