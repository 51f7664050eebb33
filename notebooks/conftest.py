"""nbval (``pytest --nbval-lax notebooks``, part of ``make test``): a cell that writes to stderr fails.

A warning or a library's stray message in a notebook would be published on the docs page the
notebook becomes (myst-nb's ``nb_output_stderr = "warn"``, with ``-W`` an error when the docs build
executes the notebooks, as ``make docs`` does). The suite's docs build does not execute them again
(tests/test_docs.py): nbval runs each notebook once, and this hook holds its cells to the same rule.

A cell that shows an ID or phone number unmasked fails too: what the notebooks show is published, and
personal numbers are masked in every output (a finding's message may quote a certificate number that
holds an ID number: show findings through ``safe_for_output``, as findings.csv writes them).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable

import pytest

from jicui_compliance.text import mask_personal


def unmasked(outputs: Iterable[dict]) -> list[str]:
    """The places where the outputs (a cell's, as nbformat stores them) show a personal number unmasked:
    every text they hold (stream text, text/plain, text/html, Markdown…; not images) that the one masking
    function of the outputs (:func:`jicui_compliance.text.mask_personal`) would change, as a short excerpt."""
    found = []
    for out in outputs:
        texts = [out.get("text", "")] + [v for k, v in (out.get("data") or {}).items() if k.startswith("text/")]
        for text in texts:
            text = "".join(text) if isinstance(text, list) else text
            masked = mask_personal(text)
            if masked != text:
                at = next(i for i, (a, b) in enumerate(zip(text, masked)) if a != b)
                found.append(text[max(0, at - 30):at + 25])
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    outputs = getattr(item, "test_outputs", None) or []
    stderr = "".join(out.get("text", "") for out in outputs
                     if out.get("output_type") == "stream" and out.get("name") == "stderr")
    if stderr:
        pytest.fail(f"{item.name} wrote to stderr (the docs page would show it):\n{stderr[:2000]}", pytrace=False)
    shown = unmasked(outputs)
    if shown:
        pytest.fail(f"{item.name} shows a personal number unmasked (use safe_for_output / mask_personal):\n"
                    + "\n".join(shown[:5]), pytrace=False)
    return result
