"""The benchmark's summary (``benchmarks/run.py``): one line per target with its verdict."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("benchmark_run_summary", ROOT / "benchmarks" / "run.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_summary_gives_each_target_its_verdict_and_counts_only_targets(capsys, monkeypatch):
    monkeypatch.setattr(bench, "SUMMARY", [])
    bench._target("clean county, csv: pipeline / bare read, CPU", "3.60 / 0.75 = 4.80×", "≤ 2.5×", False)
    bench._target("dirty county, csv: findings.xlsx, CPU", "1.10 s", "≤ 2 s", True)
    bench._target("province: CPU / wall", "287 s / 652 s", "none", None)
    bench._summary(time.perf_counter())
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert lines[0].startswith("== ") and len(lines) == 5
    assert lines[1].lstrip().startswith("✗ clean county") and "4.80×" in lines[1] and "≤ 2.5×" in lines[1]
    assert lines[2].lstrip().startswith("✓ dirty county")
    assert lines[3].lstrip().startswith("· province")
    assert lines[4].strip() == "1 of 2 targets met"
