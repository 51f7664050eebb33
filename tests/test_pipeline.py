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



def test_ledgers_typed_with_a_forked_process_are_the_same(monkeypatch):
    """Large submissions type the ledgers in this process and a forked one; forced on the
    samples, every typed frame and every issue equals those typed here."""
    import sys
    from pathlib import Path

    import pandas as pd

    from jicui_compliance import _parallel
    from jicui_compliance import ledgers as L
    from jicui_compliance.campaign import load_campaign
    from jicui_compliance.reading import read_submission

    if sys.platform != "linux":
        pytest.skip("ledgers are shared with a forked process on Linux only")
    sub = read_submission([Path(__file__).resolve().parents[1] / "data" / "samples"], L.vocabulary())
    monkeypatch.setattr(L, "FORK_ROWS", float("inf"))
    here = L.load(sub, load_campaign())
    calls = []
    real_share = _parallel.share

    def spy(tasks, run, *, fork, fork_from_back=False, on_done=None):
        calls.append(fork)
        return real_share(tasks, run, fork=fork, fork_from_back=fork_from_back, on_done=on_done)

    monkeypatch.setattr(L, "FORK_ROWS", 0)
    monkeypatch.setattr(L, "share", spy)
    shared = L.load(sub, load_campaign())
    assert calls == [True] and _parallel.can_fork()
    assert len(here.issues) > 0
    pd.testing.assert_frame_equal(here.issues, shared.issues)
    for name, frame in here.frames.items():
        pd.testing.assert_frame_equal(frame, shared.frames[name])
