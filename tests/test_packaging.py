"""pyproject.toml and environment.yml list the same packages with the same lower bounds."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_NAMES = {"brotli-python": "brotli", "python-duckdb": "duckdb"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", req.strip())
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_mirrors_pyproject():
    py = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = dict(_split(r) for r in py["dependencies"])
    for extra in py["optional-dependencies"].values():
        wanted.update(_split(r) for r in extra)
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    listed = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for item in dep["pip"]:
                if not item.startswith("-"):
                    listed.update([_split(item.split("#")[0])])
        else:
            name, spec = _split(dep)
            if name not in ("python", "pip"):
                listed[CONDA_NAMES.get(name, name)] = spec
    assert listed == wanted


def test_ci_runs_make_test_only():
    text = (ROOT / ".ci/run").read_text()
    assert "make test" in text
    assert text.count("make") == 1
