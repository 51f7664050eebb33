"""Rules: one small unit per rule ID, one module per ID prefix; importing registers them.

Every module of this package other than ``base`` and ``context`` is imported here, so a
new rule module needs no second list. :data:`REGISTRY` (id → :class:`Rule`) is the only
list of rules; the CLI, the docs' rule catalogue and the tests all read it.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._running import run_rules
from .base import ERROR, INFO, PARTY_LABELS, REGISTRY, SEVERITIES, WARNING, Party, Rule, Severity, rule
from .context import Context

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _mod not in ("base", "context") and not _mod.startswith("_"):
        importlib.import_module(f"{__name__}.{_mod}")

__all__ = ["ERROR", "INFO", "PARTY_LABELS", "Party", "Severity", "REGISTRY", "SEVERITIES", "WARNING", "Context", "Rule", "rule", "run_rules", "select_rules"]


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
