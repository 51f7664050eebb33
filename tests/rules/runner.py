"""Per-rule fixture cases, in the manner of sqlfluff: data in YAML, one runner.

Each ``cases/<RULE>.yml`` holds named cases. A case lists ledger rows (by field name,
see ``schemas/*.yaml``) that the runner writes as a real workbook — one sheet per
ledger, the canonical Chinese header on row 1, so the first record is Excel row 2 — and
checks through the real pipeline (``run_check``). ``expect`` lists the findings of the
case's rules, exactly::

    rule: HI002
    as_of: 2023-07-31
    cases:
      deputy_led:
        head_inspections:
          - {enterprise: 甲公司, date: 2023-07-20, leader: 李四, hazards_found: 0, signed: 是}
        expect:
          - {rule: HI002, ledger: head_inspections, row: 2}
          - {rule: HI001, enterprise: 甲公司, period: 2023-07}

Keys of an expected finding: rule, ledger, row (Excel row), period, enterprise (name or
USCC), village, file, sheet, column, value, message (a substring). The findings compared
are those of ``rule``, of the rules named in ``expect`` and of the case's ``also`` list.

Shorthands: ``enterprise: 甲公司`` fills both 统一社会信用代码 and 企业名称 from the case's
registry; ``{USCC_甲}``, ``{USCC_乙}``, ``{USCC_丙}``, ``{USCC_丁}`` are valid credit codes of
the default enterprises 甲公司 (工贸), 乙公司 (危险化学品, high risk), 丙公司 (建筑施工,
high risk), 丁公司 (文化旅游); ``{ID_OK}`` is a valid ID number. The default registry holds
all four; ``enterprises:`` replaces it, ``extra_enterprises:`` adds to it. ``sheets:`` adds
raw grids (``{file, sheet, rows}``) and ``files:`` raw files (``{name, text}``).
``extra_columns: {ledger: {header: value}}`` appends columns that are no field of the ledger
(the same value on every row) after the ledger's columns. ``campaign:`` (in a case, or for the
whole file) changes the default campaign: ``start``, ``end``, ``drill_year`` and ``phases``
(``{P2: [start, end]}``, the phases not named kept as they are), e.g. a campaign across New Year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import xlsxwriter
import yaml
from stdnum.cn import ric, uscc

from jicui_compliance.analysis import four_lists
from jicui_compliance.campaign import Campaign, load_campaign
from jicui_compliance.check import run_check
from jicui_compliance.ledgers import LEDGERS
from jicui_compliance.rules import REGISTRY, Party


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


CODES = {
    "USCC_甲": _uscc("91330110MA2AA0001"),
    "USCC_乙": _uscc("91330110MA2AA0002"),
    "USCC_丙": _uscc("91330110MA2AA0003"),
    "USCC_丁": _uscc("91330110MA2AA0004"),
    "USCC_戊": _uscc("91330110MA2AA0005"),
    "USCC_己": _uscc("91330110MA2AA0006"),
    "ID_OK": "11010519491231002X",
}
assert ric.is_valid(CODES["ID_OK"])

DEFAULT_ENTERPRISES = [
    dict(uscc="{USCC_甲}", name="甲公司", village="东坡村", industry="工贸", station="应急站", high_risk="否",
         head="张三", phone="13812345678", employees=20, safety_staff="李四"),
    dict(uscc="{USCC_乙}", name="乙公司", village="东坡村", industry="危险化学品", station="应急站", high_risk="是",
         head="王五", phone="13912345678", employees=40, safety_staff="赵六"),
    dict(uscc="{USCC_丙}", name="丙公司", village="西岭村", industry="建筑施工", station="城建站", high_risk="是",
         head="孙七", phone="0571-88881234", employees=60, safety_staff="周八"),
    dict(uscc="{USCC_丁}", name="丁公司", village="西岭村", industry="文化旅游", station="宣传部门", high_risk="是",
         head="吴九", phone="13712345678", employees=10, safety_staff="郑十"),
]

_TOKEN = re.compile(r"\{(USCC_[^}]+|ID_OK)\}")


def _sub(v):
    if isinstance(v, str):
        return _TOKEN.sub(lambda m: CODES[m.group(1)], v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "、".join(str(_sub(x)) for x in v)
    return v


def load_cases(path: Path) -> list[tuple[str, str, dict, dict]]:
    doc = yaml.safe_load(path.read_text("utf-8"))
    out = []
    for name, case in (doc.get("cases") or {}).items():
        out.append((doc["rule"], name, case, doc))
    return out


def write_case(case: dict, folder: Path) -> None:
    registry = [dict(e) for e in case.get("enterprises", DEFAULT_ENTERPRISES)] + list(case.get("extra_enterprises", []))
    registry = [{k: _sub(v) for k, v in e.items()} for e in registry]
    by_name = {e.get("name"): e.get("uscc") for e in registry}
    wb = xlsxwriter.Workbook(str(folder / "台账.xlsx"), {"strings_to_numbers": False})
    ledgers = {"enterprises": registry} if registry else {}
    for name in LEDGERS:
        if name != "enterprises" and case.get(name):
            ledgers[name] = case[name]
    for name, rows in ledgers.items():
        led = LEDGERS[name]
        rows = [_expand(dict(r), by_name) for r in rows]
        fields = []
        for r in rows:
            for k in r:
                if k not in fields:
                    fields.append(k)
        unknown = [f for f in fields if f not in led.fields]
        assert not unknown, f"{name}: unknown fields {unknown}"
        ws = wb.add_worksheet(led.title)
        extra = dict((case.get("extra_columns") or {}).get(name, {}))
        ws.write_row(0, 0, [led.fields[f].header for f in fields] + list(extra))
        for i in range(1, len(rows) + 1):
            for j, v in enumerate(extra.values(), start=len(fields)):
                if v is not None:
                    ws.write_string(i, j, str(_sub(v)))
        for i, r in enumerate(rows, start=1):
            for j, f in enumerate(fields):
                v = _sub(r.get(f))
                if v is None:
                    continue
                if isinstance(v, bool):
                    v = "是" if v else "否"
                if isinstance(v, (int, float)):
                    ws.write_number(i, j, v)
                else:
                    ws.write_string(i, j, str(v))
    for sheet in case.get("sheets", []):
        path = folder / sheet["file"]
        rows = [[_sub(c) for c in row] for row in sheet["rows"]]
        if path.suffix == ".csv":
            path.write_text("\n".join(",".join("" if c is None else str(c) for c in row) for row in rows) + "\n", "utf-8")
        else:
            w2 = xlsxwriter.Workbook(str(path))
            ws = w2.add_worksheet(sheet.get("sheet", "Sheet1"))
            for i, row in enumerate(rows):
                for j, c in enumerate(row):
                    if c is not None:
                        ws.write(i, j, c)
            w2.close()
    for f in case.get("files", []):
        (folder / f["name"]).write_text(f.get("text", ""), "utf-8")
    wb.close()


def _expand(row: dict, by_name: dict) -> dict:
    if "enterprise" in row:
        ref = _sub(row.pop("enterprise"))
        if re.fullmatch(r"[0-9A-Z]{18}", str(ref)):
            row = {"enterprise_uscc": ref, **row}
        else:
            row = {"enterprise_uscc": by_name.get(ref), "enterprise_name": ref, **row}
    return row


_KEYS = {"rule": "rule_id", "ledger": "ledger", "row": "source_row", "period": "period", "village": "village",
         "file": "source_file", "sheet": "source_sheet", "column": "column", "value": "value"}


def _matches(exp: dict, f: dict) -> bool:
    for k, v in exp.items():
        v = _sub(str(v)) if v is not None else ""
        if k == "enterprise":
            if v not in (f["enterprise_uscc"], f["enterprise_name"]):
                return False
        elif k == "message":
            if v not in f["message"]:
                return False
        elif k in _KEYS:
            got = f[_KEYS[k]]
            got = "" if got is None or (not isinstance(got, str) and got != got) else str(got)
            if got != v:
                return False
        else:
            raise AssertionError(f"unknown expectation key {k}")
    return True


def case_campaign(changes: dict | None) -> Campaign:
    """The default campaign with a case's ``campaign:`` changes."""
    camp = load_campaign()
    if not changes:
        return camp
    changes = dict(changes)
    phases = changes.pop("phases", {})
    unknown = set(changes) - {"start", "end", "drill_year"}
    assert not unknown, f"campaign: unknown keys {unknown}"
    new = tuple(dataclasses.replace(p, start=phases[p.id][0], end=phases[p.id][1]) if p.id in phases else p
                for p in camp.phases)
    return dataclasses.replace(camp, phases=new, **changes)


def run_case(rule_id: str, case: dict, doc: dict, tmp: Path) -> None:
    folder = tmp / "submission"
    folder.mkdir()
    write_case(case, folder)
    expect = case.get("expect") or []
    rules = {rule_id, *(e["rule"] for e in expect), *case.get("also", [])}
    as_of = case.get("as_of", doc.get("as_of", dt.date(2023, 12, 31)))
    campaign = case_campaign(case.get("campaign", doc.get("campaign")))
    result = run_check([folder], as_of=as_of, campaign=campaign, select=sorted(rules))
    found = result.findings[result.findings["rule_id"].isin(rules)].to_dict("records")
    unmatched = list(found)
    missing = []
    for exp in expect:
        hit = next((f for f in unmatched if _matches(exp, f)), None)
        if hit is None:
            missing.append(exp)
        else:
            unmatched.remove(hit)
    def show(fs):
        return "\n".join(f"  {f['rule_id']} {f['ledger']} row={f['source_row']} period={f['period']} "
                         f"{f['enterprise_name']} | {f['message']}" for f in fs)
    assert not missing and not unmatched, (
        f"\nexpected but not found: {missing}\nfound but not expected:\n{show(unmatched)}\nall findings:\n{show(found)}"
    )
    _lists_name_enterprises_for_their_own_findings_only(result)


def _lists_name_enterprises_for_their_own_findings_only(result) -> None:
    """RULEBOOK §5, §10: no station, village, town or record finding ever puts an enterprise on a
    四个一批 list — checked on every fixture case's real findings."""
    lists = four_lists(result)
    cited = {rid for text in lists["依据发现"] for rid in re.findall(r"[A-Z]+\d{3}", str(text))}
    assert all(REGISTRY[rid].party is Party.ENTERPRISE for rid in cited), cited
    if not result.findings["rule_id"].map(lambda r: REGISTRY[r].party is Party.ENTERPRISE).any():
        assert lists.empty, lists
