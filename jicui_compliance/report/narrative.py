"""The Chinese narrative, rendered by Jinja2 from the facts alone.

Templates live in ``templates/narrative_<cadence>.txt.j2``. They receive ``f`` (the
:class:`~.facts.Facts`; ``{{ f.hz_total }}`` prints a fact's text, ``f.hz_total.value`` is its
value for conditions) and the lists ``named_phases`` (the campaign's phases) / ``phases`` (those with
obligations) / ``typical`` of the fact groups present. They never write an Arabic numeral themselves,
so every number of the text is a fact (tested).
``---`` (on a line of its own) separates paragraphs; the lines of one paragraph are joined without a space
(Chinese text), so a template may break its long sentences over lines freely.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2

from ..findings.masking import mask_text
from ..text import NUMERALS
from .facts import Facts


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("jicui_compliance.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
    )
    env.globals["numerals"] = NUMERALS
    return env


def render(cadence: str, facts: Facts) -> list[str]:
    """The narrative paragraphs of ``cadence`` (week / month / quarter / year), masked (headings left out)."""
    return [p for _, paragraphs in render_sections(cadence, facts) for p in paragraphs]


def render_sections(cadence: str, facts: Facts) -> list[tuple[str | None, list[str]]]:
    """The narrative as (heading, paragraphs): a block whose text starts with ``#`` opens a section of
    that heading (年总结：基本情况 / 主要做法和成效 / 存在问题 / 下一步工作); the blocks before the first
    heading have the heading ``None``."""
    named = [k[len("phase_"):-len("_name")] for k in facts.items if k.startswith("phase_") and k.endswith("_name")]
    phases = [p for p in named if f"phase_{p}_due" in facts]  # the phases with obligations (the phase table's rows)
    typical = [int(k.split("_")[1]) for k in facts.items if k.startswith("typ_") and k.endswith("_rule")]
    gaps = [int(k.split("_")[1]) for k in facts.items if k.startswith("gap_") and k.endswith("_title")]
    meetings = [k.split("_")[1] for k in facts.items if k.startswith("mt_") and k.endswith("_name")]
    text = environment().get_template(f"narrative_{cadence}.txt.j2").render(
        f=facts, named_phases=named, phases=phases, typical=typical, gaps=gaps, meetings=meetings)
    # a block tag at the end of a line eats its newline (trim_blocks): split on the marker itself
    out: list[tuple[str | None, list[str]]] = [(None, [])]
    for block in text.split("---"):
        para = "".join(line.strip() for line in block.splitlines())
        if para.startswith("#"):
            out.append((para.lstrip("#").strip(), []))
        elif para:
            out[-1][1].append(mask_text(para))
    return [(h, ps) for h, ps in out if h is not None or ps]
