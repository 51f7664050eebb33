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


def test_reading_with_the_process_pool_gives_the_same_findings(monkeypatch):
    """Large submissions are read with a process pool; forced here on the sample town, the
    ledgers and findings equal those of reading every file in this process."""
    from pathlib import Path

    import pandas as pd

    import jicui_compliance.reading as reading

    samples = Path(__file__).resolve().parents[1] / "data" / "samples"
    monkeypatch.setattr(reading, "PROCESS_POOL_BYTES", float("inf"))
    here = run_check([samples], as_of=dt.date(2023, 12, 31))
    monkeypatch.setattr(reading, "PROCESS_POOL_BYTES", 0)
    used = []
    real = reading._read_in_processes
    monkeypatch.setattr(reading, "_read_in_processes", lambda *a: used.append(True) or real(*a))
    seen = []
    pooled = run_check([samples], as_of=dt.date(2023, 12, 31), on_rule=lambda r: seen.append(r.id))
    assert used == [True] or reading.cores() == 1
    assert seen == [r.id for r in pooled.rules]  # progress hears of every rule once, in order
    assert len(here.findings) > 100
    pd.testing.assert_frame_equal(here.findings, pooled.findings)
    assert here.submission.files == pooled.submission.files
    for name, frame in here.ledgers.items():
        pd.testing.assert_frame_equal(frame, pooled.ledgers[name])
    pd.testing.assert_frame_equal(here.context.ledgers.issues, pooled.context.ledgers.issues)
