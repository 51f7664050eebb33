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


def _fake_generate(calls, race=None):
    def generate(folder, n_enterprises, n_villages, fmt, seed, plant_rate):
        calls.append(folder)
        folder.mkdir(parents=True)
        (folder / "名录.csv").write_text(f"by {folder.name}")
        (folder.parent / f"{folder.name}-planted.csv").write_text("rule")
        if race is not None:  # another benchmark finishes the same town meanwhile
            race()
    return generate


def test_a_town_is_generated_aside_and_moved_into_place_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "HERE", tmp_path)
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    calls: list[Path] = []
    monkeypatch.setattr(bench, "generate", _fake_generate(calls))
    town = bench.ensure_town(10, 2, "csv", 7)
    assert calls and calls[0] != town and calls[0].parent == town.parent  # written aside first
    assert (town / ".complete").exists() and (town / "名录.csv").exists()
    assert (town.parent / f"{town.name}-planted.csv").exists()
    assert sorted(p.name for p in town.parent.iterdir()) == [town.name, f"{town.name}-planted.csv"]
    assert bench.ensure_town(10, 2, "csv", 7) == town and len(calls) == 1  # reused


def test_two_benchmarks_generating_one_town_keep_the_first_copy(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "HERE", tmp_path)
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    folder = tmp_path / "_data" / "town-10-2-csv-7"

    def other():
        folder.mkdir(parents=True)
        (folder / "名录.csv").write_text("by the other")
        (folder / ".complete").write_text("")

    monkeypatch.setattr(bench, "generate", _fake_generate([], race=other))
    town = bench.ensure_town(10, 2, "csv", 7)
    assert town == folder and (town / "名录.csv").read_text() == "by the other"
    assert [p.name for p in town.parent.iterdir()] == [town.name]  # our copy and its manifest dropped


def test_measurements_of_a_county_run_in_turn_and_are_summarised_each(monkeypatch):
    order: list[str] = []
    cpu = {"bare": iter([1.0, 0.9, 1.1]), "pipe": iter([2.5, 2.4, 2.6])}

    def once(code, *args):
        order.append(code)
        return {"cpu": next(cpu[code]), "seconds": 1.0, "peak_mb": 100.0, "worker_peak_mb": 0.0}

    monkeypatch.setattr(bench, "_once", once)
    bare, pipe = bench._in_turn(("bare", ("town",)), ("pipe", ("town", "out")), repeat=3)
    assert order == ["bare", "pipe"] * 3  # a, b, a, b …: not a, a, a, b, b, b
    assert bare["cpu"] == 0.9 and bare["cpu_spread"] == (1.0, 1.1)
    assert pipe["cpu"] == 2.4 and pipe["cpu_spread"] == (2.5, 2.6)
