"""FMT002 v2: valid ID numbers of real people are not reported for their address code.

A person born before 2000 lawfully holds an address code created in 2000 or later (the code
in force when the number was assigned, e.g. 140922 五台县, created in 2000): python-stdnum's
``is_valid`` rejects such numbers, the standard does not.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from stdnum.cn import ric

from jicui_compliance.check import run_check
from jicui_compliance.findings import mask_text, write_csv
from jicui_compliance.rules.formats import ID_VALID, id_number
from jicui_samples import generate_town

NEW_REGIONS = ("140922", "140902")  # 忻州: 五台县 and 忻府区, codes created in 2000
_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


def _move_to_new_regions(folder: Path) -> list[str]:
    """Give every worker born before 2000 a 1409xx address code (with its check digit), the same
    number everywhere it is written (身份证号, and certificate numbers built from it)."""
    moved: dict[str, str] = {}

    def swap(m: re.Match) -> str:
        old = m.group(0)
        status, birth = id_number(old)
        if status != ID_VALID or birth.year >= 2000:
            return old
        if old not in moved:
            first17 = NEW_REGIONS[len(moved) % 2] + old[6:17]
            moved[old] = first17 + ric.calc_check_digit(first17 + "0")
        return moved[old]

    for path in sorted(folder.rglob("*.csv")):
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        path.write_bytes(_ID.sub(swap, text).encode(encoding))
    return sorted(set(moved.values()))


def test_a_clean_town_whose_workers_hold_post_2000_address_codes_gets_no_fmt002(tmp_path):
    town = tmp_path / "clean"
    generate_town(town, seed=7, n_villages=2, n_enterprises=25, clean=True, formats="csv", manifest=False)
    moved = _move_to_new_regions(town)
    assert len(moved) >= 3
    assert not any(ric.is_valid(x) for x in moved)  # what version 1 reported as wrong
    findings = run_check([town], as_of=dt.date(2023, 12, 31)).findings
    assert not (findings["rule_id"] == "FMT002").any()
    # rules whose ledgers the sample generator does not write yet (welding equipment) are left out
    bad = findings[findings["severity"].isin(["错误", "警告"])]
    assert bad.empty, bad[["rule_id", "enterprise_name", "source_file", "source_row", "message"]].head(20).to_string()
    write_csv(findings, tmp_path / "findings.csv")
    shown = (tmp_path / "findings.csv").read_text("utf-8-sig")
    assert not any(x in shown for x in moved)  # masked wherever they appear (certificate numbers hold them)
    assert mask_text(f"证书编号T{moved[0]}") == f"证书编号T{moved[0][:6]}********{moved[0][-4:]}"
