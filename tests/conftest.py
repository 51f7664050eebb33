from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

#: Test modules that build documents, run notebooks, generate towns or explore many generated
#: values: `make test` runs them, `make test-fast` (pytest -m "not slow") leaves them out.
SLOW_MODULES = {
    "test_docs.py",             # the whole Sphinx build with -W
    "test_notebooks.py",        # notebook execution
    "test_report.py",           # every cadence in HTML, xlsx and docx
    "test_samples_generator.py",  # generates towns
    "test_cells_properties.py",   # hypothesis, hundreds of examples each
    "test_formats_properties.py",
    "test_hostile.py",          # subprocesses with resource limits
    "test_county.py",           # the benchmark county, read serially and with the process pool
}


#: The longest test modules, longest first (CPU seconds of one process, about: 190, 110, 90, 75, 70, 65, 60, 55, 50,
#: 36, 34, 31, 30, 27). `make test` hands whole modules to the workers in collection order
#: (``--dist loadscope --no-loadscope-reorder``), so these come first and the short ones fill in at the end:
#: xdist's own order (most tests first) left a long module of few tests (the counties, the docs build) to start
#: last, with the other worker idle until it ended.
LONGEST_FIRST = (
    "test_store.py", "test_report.py", "test_by_village.py", "test_hostile.py", "test_cases.py", "test_cli.py",
    "test_county.py", "test_documents.py", "test_docs.py", "test_samples_generator.py", "test_proposals.py",
    "test_findings_xlsx.py", "test_reading.py", "test_notebooks.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if path.name in SLOW_MODULES or path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).name, len(rank)))  # stable: a module keeps its order


@pytest.fixture(scope="module")
def built(results):
    """``built(cadence, day, village=None)``: the report of the module's ``results[day]`` (a checked town per
    as-of day: test_report, test_report_hazards) as :func:`build_report` makes it, made once for the module. A
    year summary draws its charts (about 2 s of CPU) and several tests read the same report. Read-only: a test
    compares a report's facts, tables and text, never changes them (facts.verify and Table.display only read);
    a test that writes from a report makes its own."""
    from jicui_compliance.analysis import Analysis
    from jicui_compliance.report import build_report

    made: dict = {}

    def get(cadence: str, day, village: str | None = None):
        key = (cadence, day, village)
        if key not in made:
            made[key] = build_report(Analysis(results[day], village=village), cadence)
        return made[key]

    return get
