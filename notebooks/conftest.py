"""nbval (``pytest --nbval-lax notebooks``, part of ``make test``): a cell that writes to stderr fails.

A warning or a library's stray message in a notebook would be published on the docs page the
notebook becomes (myst-nb's ``nb_output_stderr = "warn"``, with ``-W`` an error when the docs build
executes the notebooks, as ``make docs`` does). The suite's docs build does not execute them again
(tests/test_docs.py): nbval runs each notebook once, and this hook holds its cells to the same rule.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    outputs = getattr(item, "test_outputs", None) or []
    stderr = "".join(out.get("text", "") for out in outputs
                     if out.get("output_type") == "stream" and out.get("name") == "stderr")
    if stderr:
        pytest.fail(f"{item.name} wrote to stderr (the docs page would show it):\n{stderr[:2000]}", pytrace=False)
    return result
