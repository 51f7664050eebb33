"""schemas/*.yaml are exported from the ledger models; stale or escaped files fail."""

from pathlib import Path

import pytest
import yaml

from jicui_compliance.ledgers import LEDGERS
from jicui_compliance.ledgers.export import schema_yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_schema_export_is_current_and_readable(name):
    path = ROOT / "schemas" / f"{name}.yaml"
    assert path.exists(), "run `make schemas`"
    text = path.read_text("utf-8")
    assert text == schema_yaml(name), f"schemas/{name}.yaml is stale: run `make schemas`"
    assert "\\u" not in text
    data = yaml.safe_load(text)
    assert data["title"] == LEDGERS[name].title
    for field, spec in LEDGERS[name].fields.items():
        assert data["columns"][field]["title"] == spec.header


def test_enterprise_reference_check_survives_export():
    data = yaml.safe_load((ROOT / "schemas" / "hazards.yaml").read_text("utf-8"))
    assert "one_filled" in str(data["checks"])


def test_every_ledger_of_the_rulebook_is_modelled():
    assert set(LEDGERS) == {"enterprises", "hazards", "head_inspections", "drills", "outsourcing", "hot_work",
                            "special_workers", "training", "checklist", "welding_equipment", "enforcement", "accidents",
                            "meetings"}


def test_loading_validates_every_column_that_carries_a_check():
    """Loading validates with the model restricted to the columns that carry a check: none is left out."""
    for led in LEDGERS.values():
        full, checked = led.model.to_schema(), led.checked_schema
        assert [str(c) for c in checked.checks] == [str(c) for c in full.checks], led.name
        carrying = [n for n, c in full.columns.items() if not c.nullable or c.checks]
        assert list(checked.columns) == carrying, led.name
        for n in carrying:
            assert checked.columns[n].nullable == full.columns[n].nullable
            assert [str(c) for c in checked.columns[n].checks] == [str(c) for c in full.columns[n].checks]
