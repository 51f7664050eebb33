"""Export each ledger's pandera schema to ``schemas/<ledger>.yaml`` (Chinese kept readable).

``python -m jicui_compliance.ledgers.export schemas`` rewrites the files; a test fails
when the committed files differ from what the code exports.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from . import LEDGERS


def schema_yaml(name: str) -> str:
    led = LEDGERS[name]
    data = yaml.safe_load(led.model.to_schema().to_yaml() or "")
    data["title"] = led.title
    data["description"] = led.description
    header = f"# {led.title}（{name}）— generated from jicui_compliance/ledgers/{name}.py; do not edit by hand.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def export(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in LEDGERS:
        path = folder / f"{name}.yaml"
        path.write_text(schema_yaml(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in export(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(p)
