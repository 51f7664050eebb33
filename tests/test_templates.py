"""Ledger templates (issue 14): generated from the pandera models; a filled template reads back
without any SCH finding (property test: random valid rows of every ledger); LibreOffice keeps the
validations and conditional formats when it re-saves a template.

LibreOffice is not a Python dependency: the round-trip test runs where ``soffice`` is installed
(Debian/Ubuntu: ``apt-get install libreoffice-calc-nogui``) and is skipped elsewhere."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as uscc_check
from typer.testing import CliRunner

from jicui_compliance.campaign import load_campaign
from jicui_compliance.check import run_check
from jicui_compliance.cli import app
from jicui_compliance.documents.templates import (
    FIRST,
    HEADER_ROW,
    STATION_LEDGERS,
    TOWN_LEDGERS,
    VILLAGE_LEDGERS,
    Unit,
    example_day,
    read_registry,
    row_checks,
    units,
    write_template,
)
from jicui_compliance.ledgers import LEDGERS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
CAMPAIGN = load_campaign()


def _uscc(n: int) -> str:
    body = f"91330110MA2AB{n:04d}"
    return body + uscc_check.calc_check_digit(body)


REGISTRY = [(f"测试{n}号公司", _uscc(n)) for n in range(1, 5)]
VILLAGE = Unit("东坡村", "村", VILLAGE_LEDGERS, tuple(REGISTRY), ("东坡村",))
TOWN = Unit(CAMPAIGN.town, "镇", TOWN_LEDGERS, tuple(REGISTRY), ("镇政府", CAMPAIGN.town))
STATION = Unit("综合行政执法队", "站所", STATION_LEDGERS, tuple(REGISTRY), ("综合行政执法队",))


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("templates")
    return {u.kind: write_template(u, CAMPAIGN, base / u.file_name, rows=50) for u in (VILLAGE, TOWN, STATION)}


# -- random valid rows ---------------------------------------------------------------------------
TEXT = st.text(alphabet="安全隐患检查整改企业设备车间仓库张王李赵刘陈杨", min_size=1, max_size=8)
NAME = st.text(alphabet="张王李赵刘陈杨明华军丽", min_size=2, max_size=3)
CODE = st.text(alphabet="ABCDEFGHJK0123456789", min_size=4, max_size=12)
DATES = st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)).map(lambda d: dt.datetime(d.year, d.month, d.day))
TIMES = st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2026, 12, 31)).map(lambda t: t.replace(second=0, microsecond=0))
YESNO = st.sampled_from(["是", "否"])


def _value(led, spec, unique: int):
    """A strategy for one valid cell of a field (``unique``: the row's number, for keys)."""
    if spec.name in ("hazard_no", "permit_no"):
        return st.just(f"NO-{unique:03d}")
    if led.name == "enterprises":
        if spec.name == "village":
            return st.just("东坡村")
        if spec.name == "industry":
            return st.sampled_from(CAMPAIGN.industry_names)
    kind = spec.kind
    if kind == "code":
        if spec.format == "GB 32100-2015":
            return st.integers(100, 999).map(_uscc)
        return CODE
    if kind == "choice":
        return st.sampled_from(spec.options)
    if kind == "date":
        return DATES
    if kind == "datetime":
        return TIMES
    if kind == "yesno":
        return YESNO
    if kind == "signature":
        return YESNO | NAME
    if kind == "int":
        return st.integers(0, 500)
    if kind == "money":
        return st.integers(0, 100000).map(lambda n: n / 100)
    if kind == "list":
        pool = st.sampled_from(spec.options) if spec.options else NAME
        return st.lists(pool, min_size=1, max_size=3, unique=True).map("、".join)
    if kind == "text_or_yesno":
        return TEXT | YESNO
    if spec.name in ("head", "leader", "worker", "guardian", "person", "chair", "approver"):
        return NAME
    return TEXT


@st.composite
def _rows(draw, ledger: str, n_max: int = 4) -> list[dict]:
    led = LEDGERS[ledger]
    rows = []
    for i in range(draw(st.integers(0, n_max))):
        row = {}
        for spec in led.fields.values():
            if spec.name in ("enterprise_uscc", "enterprise_name"):
                continue
            value = _value(led, spec, i)
            row[spec.name] = draw(value) if spec.required else draw(st.none() | value)
        if led.refers_to_enterprise:
            name, code = draw(st.sampled_from(REGISTRY))
            how = draw(st.sampled_from(["both", "uscc", "name"]))
            row["enterprise_uscc"] = code if how != "name" else None
            row["enterprise_name"] = name if how != "uscc" else None
        rows.append(row)
    return rows


def _fill(template: Path, target: Path, data: dict[str, list[dict]]) -> None:
    """Write rows into the template's cells (as a clerk would: the header row is left as it is)."""
    wb = openpyxl.load_workbook(template)
    for ledger, rows in data.items():
        led = LEDGERS[ledger]
        ws = wb[led.title]
        header = [c.value for c in ws[HEADER_ROW + 1]]
        col = {spec.name: header.index(spec.header) + 1 for spec in led.fields.values()}
        for i, row in enumerate(rows):
            for name, value in row.items():
                if value is not None:
                    ws.cell(FIRST + 1 + i, col[name], value)
    wb.save(target)


def _registry_rows() -> list[dict]:
    return [dict(uscc=code, name=name, village="东坡村", industry="工贸", head="张三", employees=10,
                 safety_staff="李四") for name, code in REGISTRY]


# no shrinking: each example is a whole check (about a second); the drawn rows are reported as they are
@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@pytest.mark.slow  # 12 whole checks
@given(st.data())
def test_a_filled_template_reads_back_without_sch_findings(blank, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("filled")
    village = {name: data.draw(_rows(name), label=name) for name in VILLAGE_LEDGERS}
    town = {name: data.draw(_rows(name), label=name) for name in TOWN_LEDGERS if name != "enterprises"}
    extra = data.draw(_rows("enterprises", 2), label="enterprises")
    for i, row in enumerate(extra):  # further registry enterprises: unique codes
        row["uscc"] = _uscc(500 + i)
    town["enterprises"] = _registry_rows() + extra
    station = {"enforcement": data.draw(_rows("enforcement"), label="enforcement")}
    _fill(blank["村"], folder / "东坡村.xlsx", village)
    _fill(blank["镇"], folder / "镇.xlsx", town)
    _fill(blank["站所"], folder / "执法队.xlsx", station)
    result = run_check([str(folder)], as_of=dt.date(2023, 12, 31))
    sch = result.findings[result.findings["rule_id"].str.startswith("SCH")]
    assert sch.empty, sch[["rule_id", "source_file", "source_sheet", "source_row", "column", "value", "message"]].to_string()
    read = {t.ledger: len(t) for t in result.submission.tables}
    for name, rows in {**village, **town, **station}.items():
        assert read.get(name, 0) == len(rows), name  # every row read, no note line taken for a record


def test_the_template_follows_the_model(blank):
    wb = openpyxl.load_workbook(blank["村"])
    assert wb.sheetnames[0] == "填表说明" and wb["可选值"].sheet_state == "hidden"
    ws = wb["重大事故隐患台账"]
    led = LEDGERS["hazards"]
    assert [c.value for c in ws[HEADER_ROW + 1]] == [s.header for s in led.fields.values()]
    assert ws.freeze_panes == f"A{FIRST + 1}"
    dv = {str(d.sqref).split(":")[0][:-1]: d for d in ws.data_validations.dataValidation}
    col = {s.name: openpyxl.utils.get_column_letter(j + 1) for j, s in enumerate(led.fields.values())}
    assert dv[col["source"]].type == "list" and "企业自查" in dv[col["source"]].formula1
    assert dv[col["immediate"]].formula1 == '"是,否"'
    assert dv[col["found_on"]].type == "date"
    assert dv[col["funds"]].type == "decimal"
    assert dv[col["enterprise_name"]].formula1 == "企业名称"
    assert dv[col["enterprise_uscc"]].formula1 == "信用代码"
    assert "必填" in dv[col["description"]].prompt
    rules = [r.formula[0] for c in ws.conditional_formatting for r in c.rules]
    assert len(rules) == len(row_checks("hazards", CAMPAIGN))
    assert any(f'${col["deadline"]}3<${col["found_on"]}3' in f for f in rules)  # deadline before found date
    hot = wb["动火作业审批记录"]
    assert any("8/24" in r.formula[0] for c in hot.conditional_formatting for r in c.rules)  # permit too long
    # a validity column takes what its prompt offers: a date, 长期, 长期有效 or 9999-12-31 (the reader does)
    sw, spec = wb["特种作业人员持证台账"], LEDGERS["special_workers"]
    letter = openpyxl.utils.get_column_letter(list(spec.fields).index("valid_until") + 1)
    v = {str(d.sqref).split(":")[0][:-1]: d for d in sw.data_validations.dataValidation}[letter]
    assert v.type == "custom" and "长期" in v.prompt
    assert v.formula1 == (f'OR(AND(ISNUMBER({letter}{FIRST + 1}),{letter}{FIRST + 1}>=DATE(1950,1,1),'
                          f'{letter}{FIRST + 1}<=DATE(2100,12,31)),{letter}{FIRST + 1}=DATE(9999,12,31),'
                          f'{letter}{FIRST + 1}="长期",{letter}{FIRST + 1}="长期有效")')


def _hot_work_rows(path: Path) -> tuple[list[tuple[str, str]], list]:
    """The 填表说明's (colour, text) rows of the 动火作业审批记录 and that sheet's conditional-format rules."""
    wb = openpyxl.load_workbook(path)
    title = LEDGERS["hot_work"].title
    notes = [(row[1], row[3]) for row in wb["填表说明"].iter_rows(values_only=True) if row[0] == title and row[1] in ("红", "黄")]
    return notes, [r for cf in wb[title].conditional_formatting for r in cf.rules]


def test_a_long_hot_work_permit_is_red_only_where_gb30871_binds_the_enterprise(blank, tmp_path):
    """HW004 (错误) holds GB 30871-2022's time limits against 危险化学品 and 燃气 enterprises only; for the others HW008
    (警告) takes the standard as a reference (参照). The template says the same: a village without such an enterprise
    (or a template without a registry) colours a long permit yellow and says 参照; a village with one colours it red
    for that enterprise (found by name or USCC in the hidden list of the unit's enterprises and industries), yellow
    for the others."""
    notes, rules = _hot_work_rows(blank["村"])  # 测试1号…4号公司, industries unknown
    long_ = [(colour, text) for colour, text in notes if "30871" in text]
    assert [colour for colour, _ in long_] == ["黄"] and "其他企业参照执行" in long_[0][1], long_
    (rule,) = [r for r in rules if "8/24" in r.formula[0]]
    assert not rule.stopIfTrue  # a warning: the red rules stop the others

    industries = ("工贸", "危险化学品", "燃气", "工贸")
    unit = dataclasses.replace(VILLAGE, industries=industries)
    assert unit.gb30871 and not VILLAGE.gb30871
    path = write_template(unit, CAMPAIGN, tmp_path / unit.file_name, rows=5)
    notes, rules = _hot_work_rows(path)
    long_ = [(colour, text) for colour, text in notes if "30871" in text]
    assert long_ == [
        ("红", "危险化学品、燃气企业的作业时长超过动火级别允许的时限（GB 30871-2022 5.1：特级、一级8小时，二级72小时）"),
        ("黄", "其他企业的作业时长超过 GB 30871-2022 5.1 的时限（特级、一级8小时，二级72小时）：该标准适用于危险化学品企业，"
              "其他企业参照执行，长时间动火宜分段重新审批")]
    red, yellow = [r.formula[0] for r in rules if "8/24" in r.formula[0]]
    col = {n: openpyxl.utils.get_column_letter(j + 1) for j, n in enumerate(LEDGERS["hot_work"].fields)}
    scoped = (f'IF(${col["enterprise_name"]}3="",0,COUNTIFS(企业名称,${col["enterprise_name"]}3,企业行业,"危险化学品")'
              f'+COUNTIFS(企业名称,${col["enterprise_name"]}3,企业行业,"燃气"))')
    assert scoped in red and f"NOT({scoped}" in yellow
    wb = openpyxl.load_workbook(path)
    assert [c.value for c in wb["可选值"]["C"][FIRST:FIRST + 4]] == list(industries)
    assert wb.defined_names["企业行业"].attr_text == f"'可选值'!$C${FIRST + 1}:$C${FIRST + 4}"


def test_units_of_the_sample_town():
    reg = read_registry([SAMPLES], CAMPAIGN)
    all_units = units(CAMPAIGN, reg)
    kinds = [u.kind for u in all_units]
    assert kinds.count("村") == reg["village"].nunique() and kinds[-1] == "镇"
    assert "综合行政执法队" in [u.name for u in all_units] and "其他站所" not in [u.name for u in all_units]
    east = units(CAMPAIGN, reg, village="东坡村")
    assert len(east) == 1 and {n for n, _ in east[0].enterprises} == set(reg.loc[reg["village"] == "东坡村", "name"])
    by_name = dict(zip(reg["name"], reg["industry"]))
    assert [by_name[n] for n, _ in east[0].enterprises] == list(east[0].industries)


def test_templates_command(tmp_path):
    res = CliRunner().invoke(app, ["templates", "--out", str(tmp_path / "t"), "--village", "东坡村",
                                   "--registry", str(SAMPLES / "积翠镇企业名录.xlsx"), "--rows", "20"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "t" / "东坡村台账模板.xlsx").exists()
    res = CliRunner().invoke(app, ["templates", "--out", str(tmp_path / "u"), "--village", "无此村",
                                   "--registry", str(SAMPLES)])
    assert res.exit_code == 2 and "无此村" in res.output


def _texts(path: Path) -> list[str]:
    """What a user reads in a workbook besides the data: every input message and error message, and the
    填表说明 sheet."""
    wb = openpyxl.load_workbook(path)
    out = [t for ws in wb.worksheets for d in ws.data_validations.dataValidation for t in (d.prompt, d.error) if t]
    return out + [v for row in wb["填表说明"].iter_rows(values_only=True) for v in row if isinstance(v, str)]


def _other_campaign(tmp_path: Path):
    """青石镇's 2024 campaign: from 2024-04-15, its safety station called 安监站."""
    from importlib import resources

    text = resources.files("jicui_compliance.campaign").joinpath("data", "jicui-2023.toml").read_text("utf-8")
    text = text.replace("2023", "2024").replace("积翠镇", "青石镇").replace("应急站", "安监站")
    text = text.replace("2024-05-01", "2024-04-15")  # the campaign's and P1's start
    path = tmp_path / "qingshi-2024.toml"
    path.write_text(text, "utf-8")
    return load_campaign(path)


def test_the_hints_cite_the_plan_in_chinese_without_rule_ids(blank):
    """The hints (input and error messages, 填表说明) speak the plan's words: no rule ID, no clause code, no
    English; the 发现重大隐患数 and 行业领域 hints cite the plan's clause."""
    from jicui_compliance.report.wording import LEAK

    texts = [t for path in blank.values() for t in _texts(path)]
    assert not [t for t in texts if LEAK.search(t)]
    assert not [t for t in texts if re.search(r"[A-Za-z]{3,}", t)]
    major = LEDGERS["head_inspections"].fields["major_found"].header
    industry = LEDGERS["enterprises"].fields["industry"].header
    for path, header, clause in ((blank["村"], major, "方案 三（一）（4）"), (blank["镇"], industry, "方案 一（二）4")):
        ws = openpyxl.load_workbook(path)["填表说明"]
        (rule,) = [row[3] for row in ws.iter_rows(values_only=True) if row[1] == header]
        assert clause in rule, rule


def test_the_default_hints_name_the_office_and_an_example_date(blank):
    """积翠镇 2023: the 企业名录 is corrected by 镇应急站 (方案五（三）), dates are shown as 2023-05-20."""
    texts = [t for path in blank.values() for t in _texts(path)]
    assert any("名录有误请先报镇应急站更正" in t for t in texts)
    assert {d for t in texts for d in re.findall(r"\d{4}-\d{2}-\d{2}", t)} - {"9999-12-31"} == {"2023-05-20"}


def test_the_hints_follow_the_campaign(tmp_path):
    """The office that corrects the 企业名录 and the example dates come from the campaign: a 2024 campaign of
    another town names its own office (the reports' 发文机关) and a date inside the campaign."""
    other = _other_campaign(tmp_path)
    paths = [write_template(dataclasses.replace(u, name=u.name.replace("积翠镇", other.town)), other,
                            tmp_path / u.file_name, rows=5) for u in (VILLAGE, TOWN, STATION)]
    texts = [t for path in paths for t in _texts(path)]
    assert any("名录有误请先报镇安全生产委员会办公室更正" in t for t in texts)  # its [documents] organ
    assert not [t for t in texts if "应急站" in t or "2023" in t or "积翠" in t]
    days = {dt.date.fromisoformat(d) for t in texts for d in re.findall(r"\d{4}-\d{2}-\d{2}", t)} - {dt.date(9999, 12, 31)}
    assert days and all(other.start <= d <= other.end for d in days), days
    for start in (dt.date(2024, 4, 25), dt.date(2024, 12, 1)):  # an example inside a campaign that starts late
        late = dataclasses.replace(other, start=start, end=dt.date(2024, 12, 10))
        assert start <= dt.date.fromisoformat(example_day(late)) <= late.end


def _penalty_check(campaign) -> str:
    return next(c.formula for c in row_checks("enforcement", campaign) if "执法主体" in c.text)


def test_the_penalty_unit_check_accepts_the_spellings_en007_accepts():
    """The row check for EN007 compares the folded 执法站所 with every spelling the checker accepts
    (the campaign's enforcers, alone or after the town's name or 镇): not only the exact names."""
    assert set(CAMPAIGN.enforcer_spellings()) == {"综合行政执法队", "积翠镇综合行政执法队", "镇综合行政执法队"}
    campaign = dataclasses.replace(CAMPAIGN, enforcers=("综合行政执法队", "消防 工作所"))
    formula = _penalty_check(campaign)
    folded = 'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(ASC({station})," ",""),' \
             '"\u00a0",""),"\u3000",""),CHAR(9),""),CHAR(10),""),CHAR(13),"")'
    spellings = campaign.enforcer_spellings()
    assert set(spellings) == {f"{p}{e}" for p in ("", "积翠镇", "镇") for e in ("综合行政执法队", "消防工作所")}
    assert formula.startswith(f'=AND({folded}<>"",NOT(OR(' + ",".join(f'{folded}="{s}"' for s in spellings) + ")),")
    assert "{station}=" not in formula


#: 执法站所 spellings of a penalty row (罚款, 5000 元): whether EN007 reports it, as its rule text says
PENALTY_UNITS = {
    "综合行政执法队": False, "积翠镇综合行政执法队": False, "镇综合行政执法队": False, "综合行政执法队 ": False,
    " 综合 行政执法队\u3000": False, "积翠镇\n综合行政执法队": False, "": False,
    "应急站": True, "应急站、综合行政执法队": True, "县综合行政执法队": True, "积翠镇应急站": True,
}


def test_en007_judges_the_penalty_units_so():
    """The spellings of :data:`PENALTY_UNITS` as EN007 matches them (the template's check is held to these)."""
    from jicui_compliance.text import fold

    spellings = CAMPAIGN.enforcer_spellings()
    assert {u: fold(u) != "" and fold(u) not in spellings for u in PENALTY_UNITS} == PENALTY_UNITS


@pytest.mark.slow  # LibreOffice calculates a workbook
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_colours_a_penalty_row_as_en007_judges_it(blank, tmp_path):
    """The station template's own conditional format, calculated by LibreOffice for rows of :data:`PENALTY_UNITS`
    (and one 责令限期整改 without a fine, never red): red exactly where EN007 reports the row."""
    import csv

    from openpyxl.utils import get_column_letter

    led = LEDGERS["enforcement"]
    ws = openpyxl.load_workbook(blank["站所"])[led.title]
    (formula,) = [r.formula[0] for cf in ws.conditional_formatting for r in cf.rules if '"提请关闭"' in r.formula[0]]
    col = {name: get_column_letter(j + 1) for j, name in enumerate(led.fields)}
    cases = [(u, "罚款", 5000, want) for u, want in PENALTY_UNITS.items()] + [("应急站", "责令限期整改", None, False)]
    book = openpyxl.Workbook()
    sheet = book.active
    out = get_column_letter(len(led.fields) + 1)
    for i, (unit, action, fine, _) in enumerate(cases):
        row = FIRST + 1 + i
        sheet[f"{col['enterprise_name']}{row}"] = "测试1号公司"
        sheet[f"{col['station']}{row}"] = unit or None
        sheet[f"{col['actions']}{row}"] = action
        sheet[f"{col['fine_company']}{row}"] = fine
        sheet[f"{out}{row}"] = "=" + re.sub(rf"\$([A-Z]+){FIRST + 1}(?!\d)", rf"$\g<1>{row}", formula)
    book.save(tmp_path / "cf.xlsx")
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "csv",
                           "--outdir", str(tmp_path / "out"), str(tmp_path / "cf.xlsx")],
                          capture_output=True, text=True, timeout=180)
    if not (tmp_path / "out" / "cf.csv").exists():
        pytest.skip(f"LibreOffice could not convert the workbook (is Calc installed?): {done.stderr[-300:]}")
    rows = list(csv.reader((tmp_path / "out" / "cf.csv").open(encoding="utf-8")))[FIRST:]
    got = [(unit, r[-1]) for (unit, *_), r in zip(cases, rows)]
    assert got == [(unit, "TRUE" if want else "FALSE") for unit, _, _, want in cases]


def _validations(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        dvs = sorted((d.type or "any", str(d.sqref), d.formula1 if d.type else None, d.operator or "between",
                      d.errorStyle or "stop", d.promptTitle, d.prompt) for d in ws.data_validations.dataValidation)
        cfs = sorted(r.formula[0] for c in ws.conditional_formatting for r in c.rules)
        out[ws.title] = [dvs, cfs]
    return out


@pytest.mark.slow  # LibreOffice converts each template
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_keeps_the_validations(blank, tmp_path):
    profile = (tmp_path / "profile").as_uri()
    out = tmp_path / "out"
    for kind, path in blank.items():
        src = tmp_path / f"{kind}.xlsx"
        shutil.copy(path, src)
        done = subprocess.run(["soffice", "--headless", f"-env:UserInstallation={profile}", "--convert-to", "xlsx",
                               "--outdir", str(out), str(src)], capture_output=True, text=True, timeout=180)
        saved = out / src.name
        if not saved.exists():
            pytest.skip(f"LibreOffice could not convert the workbook (is Calc installed?): {done.stderr[-300:]}")
        before, after = _validations(path), _validations(saved)
        changed = {sheet: ([e for e in before[sheet][i] if e not in after.get(sheet, [[], []])[i]],
                           [e for e in after.get(sheet, [[], []])[i] if e not in before[sheet][i]])
                   for sheet in before for i in (0, 1)
                   if before[sheet][i] != after.get(sheet, [[], []])[i]}
        assert not changed, (kind, changed)
        assert sum(len(v[0]) for v in after.values()) > 10
        result = run_check([str(saved)], as_of=dt.date(2023, 12, 31), require_registry=False)
        assert not result.findings["rule_id"].str.startswith("SCH").any()
