"""The sample town: `jicui check` finds exactly what the generator planted, and nothing in a clean town."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from jicui_compliance.check import run_check
from jicui_compliance.rules import REGISTRY
from jicui_samples import generate_town

ROOT = Path(__file__).resolve().parents[1]
KEY = ["rule_id", "enterprise_uscc", "source_file", "source_sheet", "source_row", "period"]
AS_OF = dt.date(2023, 12, 31)


def _keys(frame: pd.DataFrame) -> Counter:
    f = frame.copy()
    f["source_row"] = f["source_row"].astype("string").fillna("")
    f = f.astype(str).replace({"<NA>": "", "nan": ""})
    # GV findings name no enterprise: their unit (village or town) is the key
    f.loc[f["rule_id"].str.startswith("GV"), "enterprise_uscc"] = f["village"]
    return Counter(tuple(r) for r in f[KEY].itertuples(index=False))


def _planted(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _compare(found: pd.DataFrame, planted: pd.DataFrame) -> None:
    planted = planted[planted["rule_id"].isin(set(REGISTRY))]
    got, want = _keys(found), _keys(planted)
    extra, missing = got - want, want - got
    assert not extra and not missing, (
        f"found but not planted ({sum(extra.values())}):\n" + "\n".join(map(str, sorted(extra)[:40]))
        + f"\nplanted but not found ({sum(missing.values())}):\n" + "\n".join(map(str, sorted(missing)[:40])))


def test_committed_samples_give_exactly_the_planted_findings():
    result = run_check([ROOT / "data" / "samples"], as_of=AS_OF)
    _compare(result.findings, _planted(ROOT / "data" / "samples-planted.csv"))


def test_every_rule_is_planted_in_the_committed_samples():
    planted = set(_planted(ROOT / "data" / "samples-planted.csv")["rule_id"])
    assert set(REGISTRY) <= planted, sorted(set(REGISTRY) - planted)


def test_a_freshly_generated_town_gives_exactly_its_planted_findings(tmp_path):
    town = tmp_path / "town"
    manifest = generate_town(town, seed=11, n_villages=5, n_enterprises=80)
    _compare(run_check([town], as_of=AS_OF).findings, manifest)


@pytest.fixture(scope="module")
def clean_town(tmp_path_factory) -> Path:
    """A clean town, generated once for both as-of days (a check only reads it)."""
    town = tmp_path_factory.mktemp("clean") / "clean"
    generate_town(town, seed=5, n_villages=4, n_enterprises=60, clean=True)
    return town


@pytest.mark.parametrize("as_of", [dt.date(2023, 7, 31), AS_OF])
def test_a_clean_town_has_no_errors_or_warnings(clean_town, as_of):
    f = run_check([clean_town], as_of=as_of).findings
    bad = f[f["severity"].isin(["错误", "警告"])]
    assert bad.empty, bad[["rule_id", "enterprise_name", "source_file", "source_row", "period", "message"]].head(20).to_string()


def test_a_town_planted_at_a_high_rate_gives_exactly_its_planted_findings(tmp_path):
    # the benchmark's dirty county in small: most enterprises damaged, row after row
    town = tmp_path / "dirty"
    manifest = generate_town(town, seed=11, n_villages=4, n_enterprises=250, plant_rate=0.8)
    bulk = manifest["rule_id"].value_counts()
    assert len(manifest) > 5000
    for rule in ("HI001", "HI003", "SCH002", "SCH003", "TR004", "HW003", "HW005", "HZ002", "DR003", "DR004",
                 "SW001", "REF002", "FMT001"):
        assert bulk[rule] > (10 if rule in ("HI001", "SW001", "DR003", "DR004", "FMT001") else 100), rule
    _compare(run_check([town], as_of=AS_OF).findings, manifest)
