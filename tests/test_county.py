"""The benchmark counties (``benchmarks/run.py``: 5,000 enterprises in 50 villages, about 490,000
rows, clean in CSV and xlsx; and the dirty county, 1,900 enterprises planted at a high rate, about
190,000 rows and 100,000 findings) read serially and with the process pool give the same ledgers
and findings (issue #11), and the dirty county gives exactly the generator's manifest.

The dirty town here is a third of the dirty county (633 enterprises in 6 villages at the same plant rate:
about 65,000 rows and 30,000 findings in 73 files), read with the pool by lowering the threshold.

The clean towns are a fifth of the county (1,000 enterprises, about 98,000 rows), in CSV and in xlsx,
read with the pool by lowering the threshold, as the dirty one is. That the county itself is read with the
pool by default (it is well above :data:`~jicui_compliance.reading.PROCESS_POOL_BYTES`) is checked on
the fifth's size: the generator writes the same rows per enterprise whatever the town's size (a fifth of
the CSV county weighs a fifth of it, to within 1 %), so the county is five times the fifth. Generating the
whole CSV county (about 18 s of CPU) only to see it cross the threshold cost more than the rest of its
comparison. Generating the fifth takes about 4 s of CPU in CSV, 15 s in xlsx, and each check 2–8 s:
``make test`` runs this, ``make test-fast`` does not (see ``tests/conftest.py``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import jicui_compliance.reading as reading
from jicui_compliance.check import input_bytes, run_check

from .test_samples_check import _compare, _planted

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("benchmark_run", ROOT / "benchmarks" / "run.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


#: the clean towns: a fifth of the county (generating the whole county in xlsx took 80 s of the suite's
#: slowest worker for the same comparison, in CSV 18 s of CPU); read with the pool by lowering the threshold,
#: as the dirty one is
CLEAN_ENTERPRISES, CLEAN_VILLAGES = 1_000, 10

#: the dirty town: a third of the benchmark's dirty county (as many enterprises per village, the same plant rate:
#: about 65,000 rows and 30,000 findings); the whole county cost about 20 s of CPU to generate and compare, for
#: the same comparison of serial and pooled reading and of the findings with the generator's manifest
DIRTY_ENTERPRISES, DIRTY_VILLAGES = bench.DIRTY_ENTERPRISES // 3, bench.DIRTY_VILLAGES // 3

#: the threshold a run uses (the test lowers it to compare the pool on the smaller towns)
DEFAULT_POOL_BYTES = reading.PROCESS_POOL_BYTES


@pytest.fixture(params=["csv", "dirty csv", "xlsx"])
def county(request, tmp_path_factory) -> Path:
    """The benchmark's counties: a fifth of the clean one (as generated) in CSV and in xlsx, and a third of the
    dirty one (generated with the benchmark's plant rate: ~30,000 findings)."""
    fmt = request.param.split()[-1]
    folder = tmp_path_factory.mktemp(request.param.replace(" ", "-")) / "county"
    if request.param.startswith("dirty"):
        bench.generate(folder, DIRTY_ENTERPRISES, DIRTY_VILLAGES, fmt, plant_rate=bench.PLANT_RATE)
    else:
        bench.generate(folder, CLEAN_ENTERPRISES, CLEAN_VILLAGES, fmt)
    return folder


def test_serial_and_pooled_reading_give_the_same_ledgers_and_findings(county, monkeypatch):
    as_of = dt.date(2023, 12, 31)
    dirty = county.parent.name.startswith("dirty")
    if not dirty:  # the whole clean county, five times this town, is read with the pool by default
        assert (bench.ENTERPRISES, bench.VILLAGES) == (5 * CLEAN_ENTERPRISES, 5 * CLEAN_VILLAGES)
        assert input_bytes([county]) * 5 >= DEFAULT_POOL_BYTES, "the county is read with the pool by default"
    # below the threshold: a run reads these in one process; here the pool is compared too
    monkeypatch.setattr(reading, "PROCESS_POOL_BYTES", 0)
    cores = reading.cores()
    monkeypatch.setattr(reading, "cores", lambda: 1)  # as with workers=1: every file read in this process
    serial = run_check([county], as_of=as_of)
    monkeypatch.setattr(reading, "cores", lambda: max(2, cores))  # the pool, even on a one-core machine
    used = []
    real = reading._read_in_processes
    # every file read by a worker: left to itself, this process reads files while the workers start and, on a
    # town this size, had read them all before a worker was ready (the comparison then compared nothing pooled)
    monkeypatch.setattr(reading, "_read_in_processes", lambda *a: used.append(a[2]) or real(*a, here=False))
    pooled = run_check([county], as_of=as_of)
    assert used == [max(2, cores)], "the county is read with the pool"

    assert sum(len(f) for f in serial.ledgers.values()) > (60_000 if dirty else 80_000)
    assert len(serial.findings) > (28_000 if dirty else 100)
    assert serial.submission.files == pooled.submission.files
    for name, frame in serial.ledgers.items():
        pd.testing.assert_frame_equal(frame, pooled.ledgers[name], obj=name)
    pd.testing.assert_frame_equal(serial.context.ledgers.issues, pooled.context.ledgers.issues)
    pd.testing.assert_frame_equal(serial.findings, pooled.findings)  # the whole frame, sorted as findings are
    if dirty:  # what the generator planted, exactly
        _compare(serial.findings, _planted(county.parent / "county-planted.csv"))
