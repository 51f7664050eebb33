"""The corridor (docs/dev.md, 架构): every module imports only from the layers to its left,
and never another layer's private modules (``_name``).

The checker reads the import statements of every module (``ast``, nothing is imported), so it
also sees imports inside functions. ``test_a_forbidden_import_is_caught`` shows it failing.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jicui_compliance"

#: left to right; a module may import its own layer and the layers before it
LAYERS = (
    "text",        # text helpers, no package imports
    "writing",     # outputs written as a set (temporary files, rename, lock), no package imports
    "campaign",    # the campaign as data, read by all
    "reading",     # files → sheets → header row → canonical columns
    "ledgers",     # one pandera model per ledger
    "resolution",  # rows → registry enterprises
    "rules",       # one unit per rule ID
    "findings",    # hits → the findings table, writers, masking
    "check",       # wires the corridor above
    "store",       # every submission version and run (DuckDB), beside the corridor
    "analysis",    # phases, cadences, lists
    "report",      # charts, HTML, Excel, Word
    "documents",   # notices, letters, templates
    "cli",         # thin: parse, call, print
    "__main__",
)
RANK = {name: i for i, name in enumerate(LAYERS)}


def _layer(parts: tuple[str, ...]) -> str:
    return parts[0] if parts else "__init__"


@functools.cache
def _tree(source: str) -> ast.Module:
    """A module's syntax tree, parsed once per text: the copies of the package below hold the same files
    (ast.walk only reads the tree)."""
    return ast.parse(source)


def _imports(path: Path, root: Path) -> list[tuple[int, tuple[str, ...]]]:
    """(line, module path inside the package) of each import of the package by ``path``."""
    rel = path.relative_to(root).with_suffix("")
    here = rel.parts[:-1] if rel.name == "__init__" else rel.parts[:-1]
    out = []
    for node in ast.walk(_tree(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                mod = tuple(filter(None, (node.module or "").split(".")))
                target = (*base, *mod)
            elif node.module and node.module.split(".")[0] == root.name:
                target = tuple(node.module.split(".")[1:])
            else:
                continue
            names = [a.name for a in node.names]
            # `from . import x` / `from .. import ledgers`: the names are modules
            if not node.module and target == base:
                out += [(node.lineno, (*target, n)) for n in names]
            elif not target:
                out += [(node.lineno, (n,)) for n in names]
            else:
                out.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == root.name:
                    out.append((node.lineno, tuple(a.name.split(".")[1:])))
    return out


def violations(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] == "__init__.py":
            continue
        own = rel.with_suffix("").parts[0]
        if own not in RANK:
            found.append(f"{rel}: module outside every layer (add it to LAYERS)")
            continue
        for line, target in _imports(path, root):
            layer = _layer(target)
            if layer == own:
                continue
            if layer not in RANK:
                found.append(f"{rel}:{line}: imports {'.'.join(target)}, which belongs to no layer")
            elif RANK[layer] > RANK[own]:
                found.append(f"{rel}:{line}: {own} imports {'.'.join(target)} (a layer to its right)")
            elif any(p.startswith("_") and not p.startswith("__") for p in target[1:]):
                found.append(f"{rel}:{line}: imports the private module {'.'.join(target)} of {layer}")
    return found


def test_the_package_follows_the_corridor():
    assert violations() == []


@pytest.mark.parametrize("source", [
    "from ..rules import REGISTRY\n",               # reading → rules: an arrow back
    "from jicui_compliance.report import charts\n",  # absolute form
    "from .. import analysis\n",                     # a module named by `from .. import`
    "def late():\n    from ..findings.writers import write_csv\n",  # inside a function
])
def test_a_forbidden_import_is_caught(tmp_path, source):
    root = tmp_path / "jicui_compliance"
    for path in PACKAGE.rglob("*.py"):
        target = root / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text("utf-8"), "utf-8")
    (root / "reading" / "late.py").write_text(source, "utf-8")
    found = violations(root)  # the package's files parsed once for both assertions
    assert len(found) == 1
    assert "reading/late.py" in found[0]


def test_private_modules_of_another_layer_are_caught(tmp_path):
    root = tmp_path / "jicui_compliance"
    (root / "rules").mkdir(parents=True)
    (root / "findings").mkdir()
    (root / "rules" / "_running.py").write_text("", "utf-8")
    (root / "findings" / "build.py").write_text("from ..rules._running import run_rules\n", "utf-8")
    assert violations(root) == ["findings/build.py:1: imports the private module rules._running of rules"]
