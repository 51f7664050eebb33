"""Rules: one small unit per rule ID; importing this package registers them all.

:data:`REGISTRY` (id → :class:`~jicui_compliance.rules.base.Rule`) is the only list
of rules; the CLI, the docs' rule catalogue and the tests all read it.
"""

from __future__ import annotations

from . import formats, references, schema  # noqa: F401  (registration by import)
from .base import ERROR, INFO, REGISTRY, SEVERITIES, WARNING, Rule, rule
from .context import Context

__all__ = ["ERROR", "INFO", "REGISTRY", "SEVERITIES", "WARNING", "Context", "Rule", "rule", "select_rules"]


def select_rules(select: list[str] | None = None, ignore: list[str] | None = None) -> list[Rule]:
    """Rules whose ID starts with any of ``select`` (all when empty) and none of ``ignore``."""
    out = []
    for rid in sorted(REGISTRY):
        if select and not any(rid.startswith(s.strip().upper()) for s in select if s.strip()):
            continue
        if ignore and any(rid.startswith(s.strip().upper()) for s in ignore if s.strip()):
            continue
        out.append(REGISTRY[rid])
    return out
