"""The benchmark county (``benchmarks/run.py``: 5,000 enterprises in 50 villages, about 490,000
rows; clean in CSV and xlsx, and dirty) read serially and with the process pool gives the same
ledgers and findings (issue #11).

The county is well above :data:`~jicui_compliance.reading.PROCESS_POOL_BYTES`, so the pool is the
path a run takes by default; the threshold is not forced. Generating the county takes about 10 s
of CPU in CSV and 45 s in xlsx, and each check 3–8 s: ``make test`` runs this, ``make test-fast``
does not (see ``tests/conftest.py``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import jicui_compliance.reading as reading
from jicui_compliance.check import run_check

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Path]:
    return {}  # format → the county generated in it, for the dirty county to start from the clean one


@pytest.fixture(params=["csv", "dirty csv", "xlsx"])
def county(request, generated, tmp_path_factory) -> Path:
    """The benchmark's counties: clean (as generated) in CSV and xlsx, and dirty (30 % of the CSV
    county's ledger rows damaged: ~130,000 findings)."""
    fmt = request.param.split()[-1]
    if fmt not in generated:
        generated[fmt] = tmp_path_factory.mktemp(f"county-{fmt}") / "county"
        bench.generate(generated[fmt], fmt=fmt)
    if request.param.startswith("dirty"):
        return bench.ensure_dirty(generated[fmt], 0.3, bench.SEED)
    return generated[fmt]


def test_serial_and_pooled_reading_give_the_same_ledgers_and_findings(county, monkeypatch):
    as_of = dt.date(2023, 12, 31)
    cores = reading.cores()
    monkeypatch.setattr(reading, "cores", lambda: 1)  # as with workers=1: every file read in this process
    serial = run_check([county], as_of=as_of)
    monkeypatch.setattr(reading, "cores", lambda: max(2, cores))  # the pool, even on a one-core machine
    used = []
    real = reading._read_in_processes
    monkeypatch.setattr(reading, "_read_in_processes", lambda *a: used.append(a[2]) or real(*a))
    pooled = run_check([county], as_of=as_of)
    assert used == [max(2, cores)], "the county is read with the pool by default"

    assert sum(len(f) for f in serial.ledgers.values()) > 400_000
    assert len(serial.findings) > 100
    assert serial.submission.files == pooled.submission.files
    for name, frame in serial.ledgers.items():
        pd.testing.assert_frame_equal(frame, pooled.ledgers[name], obj=name)
    pd.testing.assert_frame_equal(serial.context.ledgers.issues, pooled.context.ledgers.issues)
    pd.testing.assert_frame_equal(serial.findings, pooled.findings)  # the whole frame, sorted as findings are
