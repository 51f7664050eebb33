import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jicui_compliance.campaign import load_campaign

ROOT = Path(__file__).resolve().parents[1]


def test_default_campaign_matches_rulebook():
    c = load_campaign()
    assert c.town == "积翠镇"
    assert [(p.id, p.end) for p in c.phases] == [
        ("P1", dt.date(2023, 5, 31)), ("P2", dt.date(2023, 7, 31)), ("P3", dt.date(2023, 11, 30)), ("P4", dt.date(2023, 12, 31))]
    assert [m.label for m in c.head_inspection_months] == [f"2023-{m:02d}" for m in range(6, 13)]
    assert c.leader_names == ("张庆斌", "王鑫辉")
    assert c.industry("建筑施工").station == "城建站" and c.industry("建筑施工").high_risk
    assert c.industry("涉农企业").stations == ("农技站", "农经站", "畜牧站")
    assert len(c.industries) == 14


def test_as_of_rule_due_on_the_last_day_not_before():
    c = load_campaign()
    months = c.head_inspection_months
    assert [p.label for p in c.due(months, dt.date(2023, 7, 31))] == ["2023-06", "2023-07"]
    assert [p.label for p in c.due(months, dt.date(2023, 7, 30))] == ["2023-06"]
    year, h1, h2 = c.drill_periods()
    assert c.is_due(h1.end, dt.date(2023, 6, 30)) and not c.is_due(h1.end, dt.date(2023, 6, 29))


def test_default_as_of():
    c = load_campaign()
    assert c.default_as_of(dt.date(2026, 11, 29)) == dt.date(2023, 12, 31)
    assert c.default_as_of(dt.date(2023, 8, 15)) == dt.date(2023, 8, 15)


def test_campaign_file_replaces_the_default(tmp_path):
    from importlib import resources

    text = resources.files("jicui_compliance.campaign").joinpath("data", "jicui-2023.toml").read_text("utf-8")
    text = text.replace("2023", "2024").replace("积翠镇重大", "青山镇重大").replace('town = "积翠镇"', 'town = "青山镇"')
    path = tmp_path / "qingshan-2024.toml"
    path.write_text(text, "utf-8")
    c = load_campaign(path)
    assert c.town == "青山镇" and c.drill_year == 2024
    assert c.head_inspection_months[0].label == "2024-06"


def test_a_version_1_campaign_file_loads_with_the_version_2_defaults(tmp_path):
    """RULEBOOK §9: enforcers, typical_accidents and crowded_venue_keywords are optional keys."""
    import re
    from importlib import resources

    from jicui_compliance.campaign import (
        DEFAULT_CROWDED_VENUE_KEYWORDS,
        DEFAULT_ENFORCERS,
        DEFAULT_TYPICAL_ACCIDENTS,
        load_campaign,
    )

    shipped = load_campaign()

    v2 = resources.files("jicui_compliance.campaign").joinpath("data", "jicui-2023.toml").read_text("utf-8")
    v1 = re.sub(r"(?m)^(enforcers|crowded_venue_keywords) = .*$", "", v2.split("[[typical_accidents]]")[0])
    assert "enforcers =" not in v1 and "crowded_venue_keywords =" not in v1 and "typical_accidents" not in v1
    path = tmp_path / "v1.toml"
    path.write_text(v1, "utf-8")
    old = load_campaign(path)
    assert old.enforcers == DEFAULT_ENFORCERS == ("综合行政执法队",)
    assert old.typical_accidents == DEFAULT_TYPICAL_ACCIDENTS
    assert old.crowded_venue_keywords == DEFAULT_CROWDED_VENUE_KEYWORDS
    assert old.phases == shipped.phases


def test_the_campaign_file_sets_the_version_2_keys(tmp_path):
    from importlib import resources

    from jicui_compliance.campaign import load_campaign

    v2 = resources.files("jicui_compliance.campaign").joinpath("data", "jicui-2023.toml").read_text("utf-8")
    text = v2.replace('enforcers = ["综合行政执法队"]', 'enforcers = ["综合行政执法队", "县应急管理局"]')
    text += '\n[[typical_accidents]]\ndate = 2023-09-01\nname = "某厂粉尘爆炸"\nindustries = ["工贸"]\n'
    path = tmp_path / "c.toml"
    path.write_text(text, "utf-8")
    c = load_campaign(path)
    assert c.enforcers == ("综合行政执法队", "县应急管理局")
    assert [a.name for a in c.typical_accidents][-1] == "某厂粉尘爆炸"
    assert c.typical_accidents[-1].concerns("工贸") and not c.typical_accidents[-1].concerns("燃气")
    assert c.typical_accidents[0].concerns("燃气")  # empty industries: every industry


def test_the_documents_keys_are_optional(tmp_path):
    """[documents] (issuing organs, 文号 patterns, 主送, deadlines) may be left out: the defaults apply."""
    from importlib import resources

    from jicui_compliance.campaign import DEFAULT_DOCUMENTS, load_campaign

    shipped = load_campaign()
    assert shipped.documents.notice_days == 15
    assert shipped.documents.numbered(shipped.documents.number, 2023, 7) == "积安委办〔2023〕7号"
    text = resources.files("jicui_compliance.campaign").joinpath("data", "jicui-2023.toml").read_text("utf-8")
    without = text.split("\n[documents]")[0] + "\n"
    path = tmp_path / "c.toml"
    path.write_text(without, "utf-8")
    assert load_campaign(path).documents == DEFAULT_DOCUMENTS
    path.write_text(without + '[documents]\nnotice_days = 7\nrecipients = ["县应急管理局"]\n', "utf-8")
    c = load_campaign(path)
    assert c.documents.notice_days == 7 and c.documents.recipients == ("县应急管理局",)
    assert c.documents.organ == DEFAULT_DOCUMENTS.organ
    path.write_text(without + '[documents]\nnotice_dayz = 7\n', "utf-8")
    import pytest

    with pytest.raises(ValueError, match="notice_dayz"):
        load_campaign(path)


# -- a campaign file that cannot be used: one Chinese line, exit 2 (RULEBOOK §7), for every command ----------

def _shipped() -> str:
    from importlib import resources

    return resources.files("jicui_compliance.campaign").joinpath("data", "jicui-2023.toml").read_text("utf-8")


def _v1() -> str:
    """The shipped file as version 1 wrote it: no enforcers, crowded_venue_keywords, typical_accidents, [documents]."""
    import re

    text = re.sub(r"(?m)^(enforcers|crowded_venue_keywords) = .*$", "", _shipped().split("[[typical_accidents]]")[0])
    assert "enforcers =" not in text and "typical_accidents" not in text and "[documents]" not in text
    return text


_P2 = 'id = "P2"\nname = "企业自查自改和部门帮扶"\nstart = 2023-06-01\nend = 2023-07-31'
#: the top-level keys as the refusal of an unknown one lists them
_TOP_KEYS = "可用的键：enforcers、crowded_venue_keywords、campaign、phases、obligations、leaders、industries、typical_accidents、documents）"

#: class of error → (edit of the shipped file, the exact line after "方案文件 {path} ")
BAD = {
    "syntax": (lambda t: t.replace("drill_year = 2023 ", "drill_year = = 2023 "),
               "第46行第14列不符合 TOML 语法：值的写法有误（文字要加英文双引号，日期写作 2023-05-01，true/false 小写）"),
    "missing_table": (lambda t: t.replace("[obligations]\nhead_inspection_months = { first = \"2023-06\", last = \"2023-12\" }", "")
                      .replace("drill_year = 2023 ", "# "), "中缺少 [obligations]"),
    "missing_key": (lambda t: t.replace('name = "积翠镇重大事故隐患专项排查整治2023行动"\n', ""), "中 [campaign] 缺少 name"),
    "missing_station": (lambda t: t.replace('name = "河道治理"\nstation = "水利站"\n', 'name = "河道治理"\n'),
                        "中 industries 第10项（河道治理）缺少 station"),
    "empty_station": (lambda t: t.replace('station = "水利站"', 'station = ""'), "中 industries 第10项（河道治理）的 station 不能为空"),
    "unknown_top_key": (lambda t: t.replace("[[leaders]]", "[[leader]]"),
                        "中顶层有未知的键 leader（是否应为 leaders？" + _TOP_KEYS),
    "unknown_key": (lambda t: t.replace('enforcers = ["综合行政执法队"]', 'enforcer = ["综合行政执法队", "消防工作所"]'),
                    "中顶层有未知的键 enforcer（是否应为 enforcers？" + _TOP_KEYS),
    "unknown_phase_key": (lambda t: t.replace("end = 2023-07-31", "ennd = 2023-07-31"),
                          "中 phases 第2项（P2）有未知的键 ennd（是否应为 end？可用的键：id、name、start、end）"),
    "date_as_text": (lambda t: t.replace("start = 2023-05-01          #", 'start = "2023-05-01"  #'),
                     "中 [campaign] 的 start 应为日期（写作 2023-05-01，不加引号），收到文字“2023-05-01”"),
    "date_with_slashes": (lambda t: t.replace("end = 2023-07-31", "end = 2023/7/31"),
                          "第30行的日期“2023/7/31”写法有误：方案文件中的日期写作 2023-07-31（四位年份、两位月份和日，用“-”连接，不加引号）"),
    "date_in_chinese": (lambda t: t.replace("end = 2023-07-31", "end = 2023年7月31日"),
                        "第30行的日期“2023年7月31日”写法有误：方案文件中的日期写作 2023-07-31（四位年份、两位月份和日，用“-”连接，不加引号）"),
    "date_as_number": (lambda t: t.replace("end = 2023-07-31", "end = 20230731"),
                       "中 phases 第2项（P2）的 end 应为日期（写作 2023-05-01，不加引号），收到数字 20230731"),
    "bool_as_text": (lambda t: t.replace('name = "非煤矿山"\nstation = "应急站"\nhigh_risk = true',
                                         'name = "非煤矿山"\nstation = "应急站"\nhigh_risk = "否"'),
                     "中 industries 第1项（非煤矿山）的 high_risk 应为布尔值 true 或 false（小写，不加引号），收到文字“否”"),
    "list_as_text": (lambda t: t.replace('enforcers = ["综合行政执法队"]', 'enforcers = "综合行政执法队"'),
                     '中 enforcers 应为文字列表（如 ["综合行政执法队"]），收到文字“综合行政执法队”'),
    "int_as_text": (lambda t: t.replace("drill_year = 2023 ", 'drill_year = "2023"'),
                    "中 [obligations] 的 drill_year 应为整数（不加引号），收到文字“2023”"),
    "bad_month": (lambda t: t.replace('first = "2023-06"', 'first = "2023-13"'),
                  '中 [obligations] 的 head_inspection_months.first 应为“YYYY-MM”形式的月份（如 "2023-06"，月份在 01—12 之间），'
                  "收到文字“2023-13”"),
    "months_reversed": (lambda t: t.replace('first = "2023-06", last = "2023-12"', 'first = "2023-12", last = "2023-06"'),
                        "中 [obligations] 的 head_inspection_months.last（2023-06）早于 first（2023-12）"),
    "months_outside": (lambda t: t.replace('first = "2023-06"', 'first = "2023-04"'),
                       "中 [obligations] 的 head_inspection_months（2023-04 至 2023-12）不在 [campaign] 的 start 至 end 的月份"
                       "（2023-05 至 2023-12）之内"),
    "drill_year_outside": (lambda t: t.replace("drill_year = 2023 ", "drill_year = 2022 "),
                           "中 [obligations] 的 drill_year（2022）不在专项行动的年份（2023）之内"),
    "campaign_reversed": (lambda t: t.replace("end = 2023-12-31\n\n# 方案四", "end = 2023-04-30\n\n# 方案四"),
                          "中 [campaign] 的 end（2023-04-30）早于 start（2023-05-01）"),
    "phase_reversed": (lambda t: t.replace(_P2, _P2.replace("2023-06-01", "X").replace("2023-07-31", "2023-06-01")
                                           .replace("X", "2023-07-31")),
                       "中 phases 第2项（P2）的 end（2023-06-01）早于 start（2023-07-31）"),
    "phase_overlap": (lambda t: t.replace("start = 2023-08-01\nend = 2023-11-30", "start = 2023-07-01\nend = 2023-11-30"),
                      "中 phases 第3项（P3）的 start（2023-07-01）不晚于上一阶段 P2 的 end（2023-07-31）：各阶段应按时间先后排列、互不重叠"),
    "phase_outside": (lambda t: t.replace("start = 2023-12-01\nend = 2023-12-31", "start = 2023-12-01\nend = 2024-01-31"),
                      "中 phases 第4项（P4）（2023-12-01 至 2024-01-31）不在 [campaign] 的 start 至 end（2023-05-01 至 2023-12-31）之内"),
    "phase_missing": (lambda t: t.replace("[[phases]]\n" + _P2 + "\n\n", ""),
                      "中 [[phases]] 应依次为 P1、P2、P3、P4 四个阶段（规则按这些编号核查），收到 P1、P3、P4"),
    "accident_industry": (lambda t: t.replace('industries = ["燃气", "食品卫生"', 'industries = ["燃气行业", "食品卫生"'),
                          "中 typical_accidents 第2项（银川富洋烧烤店燃气爆炸）的 industries 中的“燃气行业”不是 [[industries]] 列出的行业"
                          "（非煤矿山、危险化学品、工贸、交通运输、建筑施工、自建房、燃气、消防、涉农企业、河道治理、文化旅游、校园安全、"
                          "护林防火、食品卫生）"),
    "documents_key": (lambda t: t.replace("notice_days = 15", "notice_dayz = 15"),
                      "中 [documents] 有未知的键 notice_dayz（是否应为 notice_days？可用的键：organ、recipients、number、"
                      "notice_organ、notice_number、notice_days、letter_organ、letter_number、letter_days、resubmit_number、"
                      "resubmit_days、letter_copy）"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_campaign_file_is_refused_with_one_chinese_line(tmp_path, case):
    from jicui_compliance.campaign import CampaignError

    edit, line = BAD[case]
    text = edit(_shipped())
    assert text != _shipped()
    path = tmp_path / "方案.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(CampaignError) as exc:
        load_campaign(path)
    assert str(exc.value) == f"方案文件 {path} {line}"
    assert "\n" not in str(exc.value)


def test_encodings(tmp_path):
    """UTF-8 with or without a BOM loads; a GB18030 file is refused with a line saying to save it as UTF-8."""
    from jicui_compliance.campaign import CampaignError

    path = tmp_path / "c.toml"
    path.write_bytes(b"\xef\xbb\xbf" + _shipped().encode("utf-8"))
    assert load_campaign(path) == load_campaign()
    path.write_bytes(_shipped().encode("gb18030"))
    with pytest.raises(CampaignError) as exc:
        load_campaign(path)
    assert str(exc.value) == (f"方案文件 {path} 不是 UTF-8 编码（第1行起无法按 UTF-8 读取，看来是 GBK/GB18030 编码）；"
                              "请用记事本、WPS 或 VS Code 将它另存为 UTF-8 编码后再试")
    with pytest.raises(CampaignError, match=r"^方案文件 \S+nosuch.toml 不存在$"):
        load_campaign(tmp_path / "nosuch.toml")


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "jicui_compliance", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)


#: the cases run as the user runs them, `python -m jicui_compliance` in a process of its own (the exit code, standard
#: error holding the one line and no traceback); the others run in this process (typer's CliRunner, the same command
#: and the same streams apart), which asserts the same line for each kind of mistake without a second's start-up each
REAL_PROCESS = {("check", "syntax"), ("check", "nosuch"), ("templates", "gb18030"), ("templates", "phase_missing")}


@pytest.mark.parametrize("case", ["syntax", "missing_key", "date_as_text", "date_as_number", "bool_as_text",
                                  "unknown_top_key", "phase_reversed", "phase_missing", "gb18030", "nosuch"])
@pytest.mark.parametrize("command", ["check", "templates"])
def test_the_cli_exits_2_with_the_line(tmp_path, case, command):
    path = tmp_path / "方案.toml"
    if case == "gb18030":
        path.write_bytes(_shipped().encode("gb18030"))
        line = ("不是 UTF-8 编码（第1行起无法按 UTF-8 读取，看来是 GBK/GB18030 编码）；"
                "请用记事本、WPS 或 VS Code 将它另存为 UTF-8 编码后再试")
    elif case == "nosuch":
        line = "不存在"
    else:
        edit, line = BAD[case]
        path.write_text(edit(_shipped()), "utf-8")
    out = tmp_path / "out"
    args = (["check", str(ROOT / "data" / "samples"), "--as-of", "2023-12-31"] if command == "check" else ["templates"])
    args += ["--out", str(out), "--campaign", str(path)]
    if (command, case) in REAL_PROCESS:
        res = _cli(*args)
        code, stdout, stderr = res.returncode, res.stdout, res.stderr
    else:
        from typer.testing import CliRunner

        from jicui_compliance.cli import app

        done = CliRunner().invoke(app, args)
        code, stdout, stderr = done.exit_code, done.stdout, done.stderr
        assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)
    assert code == 2, stderr
    lines = [x for x in stderr.splitlines() if x.strip()]
    assert lines == [f"无法运行：方案文件 {path} {line}"], stderr
    assert "Traceback" not in stderr + stdout and not out.exists()


def test_a_version_1_file_and_the_shipped_one_give_identical_findings_on_the_samples(tmp_path):
    """RULEBOOK §9: the version-1 file loads with the defaults, and the checked samples do not change."""
    from jicui_compliance.check import run_check

    path = tmp_path / "v1.toml"
    path.write_text(_v1(), "utf-8")
    samples = [ROOT / "data" / "samples"]
    shipped = run_check(samples, as_of=dt.date(2023, 12, 31)).findings
    old = run_check(samples, as_of=dt.date(2023, 12, 31), campaign=load_campaign(path)).findings
    assert len(shipped) > 100
    assert shipped.astype(str).equals(old.astype(str))


def test_another_towns_file_without_a_section_is_told_what_it_takes_from_jicui(tmp_path):
    """A file of 青石镇 without [documents], typical_accidents and enforcers silently sent letters as
    “中共积翠镇纪律检查委员会” and judged 积翠镇's typical accidents: the analyst is told, one line each; the shipped
    file and 积翠镇's own version-1 file (RULEBOOK §9) say nothing."""
    from jicui_compliance.campaign import load_campaign

    other = tmp_path / "青石镇.toml"
    other.write_text(_v1().replace('town = "积翠镇"', 'town = "青石镇"'), "utf-8")
    notes = load_campaign(other).borrowed()
    assert len(notes) == 3 and any("[documents]" in n and "积翠镇人民政府" in n for n in notes)
    assert any("typical_accidents" in n and "北京长峰医院" in n for n in notes)
    own = tmp_path / "积翠镇.toml"
    own.write_text(_v1(), "utf-8")
    assert load_campaign(own).borrowed() == [] and load_campaign().borrowed() == []
    complete = tmp_path / "完整.toml"
    complete.write_text(_shipped().replace('town = "积翠镇"', 'town = "青石镇"'), "utf-8")
    assert load_campaign(complete).borrowed() == []
    res = _cli("templates", "--out", str(tmp_path / "out"), "--campaign", str(other))
    assert res.returncode == 0, res.stderr
    assert sum(line.startswith("注意：方案文件没有") for line in res.stderr.splitlines()) == 3, res.stderr


def test_unit_names_are_one_reading_of_the_towns_units():
    """The campaign's stations and enforcers, then the names given; a unit after the town's name or 镇 is the
    unit, unless that is another unit's own name; the town and empty cells are no unit; the first spelling stays."""
    campaign = load_campaign()
    units = campaign.units(["南村", "镇南村", " 东坡 村", "东坡村", campaign.town, "", float("nan"), "应急 站"])
    names = list(units)
    assert names[: len(names) - 3] == list(dict.fromkeys([*(s for i in campaign.industries for s in i.stations),
                                                          *campaign.enforcers]))
    assert names[-3:] == ["南村", "镇南村", "东坡 村"]
    assert units.named("积翠镇南村") == "南村" and units.named("镇南村") == "镇南村"
    assert units.named("积翠镇 应急站") == "应急站" and units.named("镇综合行政执法队") == "综合行政执法队"
    assert units.named("东坡村") == "东坡 村" and units.key("东 坡村") == "东坡村"
    assert units.named(campaign.town) is None and units.named("西岭村") is None and units.named(None) is None
    assert units.key("积翠镇西岭村") == "积翠镇西岭村"  # not a unit here: compared as written
    given = campaign.units(["积翠镇东坡村", "东坡村", "积翠镇西岭村"])
    assert list(given)[-2:] == ["东坡村", "西岭村"] and given.named("东坡村") == given.named("积翠镇东坡村") == "东坡村"
