"""The 四个一批 proposals, the letters and the 退回重报 list (RULEBOOK §5 "Whom a rule judges", §10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from jicui_compliance.analysis import Analysis
from jicui_compliance.analysis.rankings import (
    LIST_COLUMNS,
    LISTS,
    NO_HISTORY,
    PROPOSAL_LISTS,
    UNKNOWN_UNIT,
    Units,
    four_lists,
    letter_findings,
    list_rules_table,
    resubmission_findings,
)
from jicui_compliance.analysis.rankings import letters as letters_of
from jicui_compliance.check import CheckResult, run_check
from jicui_compliance.documents.notices import letters as notice_letters
from jicui_compliance.findings.schema import COLUMNS
from jicui_compliance.rules import REGISTRY, Party

from .rules.runner import write_case

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
NOT_ENTERPRISE = sorted(r for r, rule in REGISTRY.items() if rule.party != Party.ENTERPRISE)
ENTERPRISE = sorted(r for r, rule in REGISTRY.items() if rule.party == Party.ENTERPRISE)
OPEN = dict(immediate="否", owner="a", measures="b", funds=1, contingency="有", posted="是", status="整改中", done_on=None)


def _check(case: dict, folder: Path, as_of: dt.date) -> CheckResult:
    write_case(case, folder)
    return run_check([folder], as_of=as_of)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """甲公司 has hazard H1 (deadline 07-31) listed on 08-10; H2 (deadline 06-30) fined on 08-10 without
    listing; H3 (deadline 07-31) named by no listing (the listed row names no hazard number)."""
    case = {
        "hazards": [
            {"enterprise": "甲公司", "hazard_no": "H1", "description": "a", "found_on": "2023-06-01", "source": "企业自查",
             "deadline": "2023-07-31", "reported_on": "2023-06-02", **OPEN},
            {"enterprise": "乙公司", "hazard_no": "H2", "description": "b", "found_on": "2023-06-01", "source": "执法检查",
             "deadline": "2023-06-30", "reported_on": "2023-06-02", **OPEN},
            {"enterprise": "丙公司", "hazard_no": "H3", "description": "c", "found_on": "2023-06-01", "source": "执法检查",
             "deadline": "2023-07-31", "reported_on": "2023-06-02", **OPEN},
        ],
        "enforcement": [
            {"enterprise": "甲公司", "date": "2023-08-10", "station": "应急站", "officers": "赵、钱", "major_hazards": 1,
             "hazard_nos": "H1", "actions": "责令限期整改", "listed": "是", "supervisor": "赵", "signed": "是"},
            {"enterprise": "乙公司", "date": "2023-08-10", "station": "综合行政执法队", "officers": "孙、李", "major_hazards": 1,
             "hazard_nos": "H2", "actions": "罚款", "fine_company": 5000, "listed": "否", "signed": "是"},
            {"enterprise": "丙公司", "date": "2023-08-01", "station": "城建站", "officers": "周、吴", "major_hazards": 1,
             "actions": "责令限期整改", "listed": "是", "supervisor": "周", "signed": "是"},
        ],
        "accidents": [
            {"enterprise": "丁公司", "occurred_at": "2023-08-20 10:00", "kind": "火灾", "deaths": 0, "injuries": 1,
             "county_at": None, "town_at": "2023-08-20 10:30"},
        ],
    }
    folder = tmp_path_factory.mktemp("proposals")
    write_case(case, folder)
    return {day: run_check([folder], as_of=day) for day in (dt.date(2023, 9, 9), dt.date(2023, 9, 10))}


@pytest.fixture(scope="module")
def samples():
    return run_check([SAMPLES], as_of=dt.date(2023, 12, 31))


def _lists(result) -> pd.DataFrame:
    return Analysis(result).four_lists().set_index("企业名称")


def synthetic(result: CheckResult, rows: list[dict]) -> CheckResult:
    """The same context with hand-made findings (defaults: 甲公司, 错误, no source)."""
    reg = result.context.registry.set_index("name")
    out = []
    for r in rows:
        name = r.get("enterprise", "甲公司")
        rid = r["rule_id"]
        out.append({c: "" for c in COLUMNS} | {
            "rule_id": rid, "severity": r.get("severity", "错误"), "clause": REGISTRY[rid].clause,
            "enterprise_uscc": reg.loc[name, "uscc"] if name else "", "enterprise_name": name or "",
            "village": r.get("village", reg.loc[name, "village"] if name else ""),
            "station": r.get("station", reg.loc[name, "station_eff"] if name else ""), "period": r.get("period", ""),
            "source_file": r.get("source_file", ""), "source_sheet": r.get("source_sheet", ""),
            "source_row": r.get("source_row"), "ledger": r.get("ledger", ""), "message": "x"})
    f = pd.DataFrame(out, columns=COLUMNS).astype({"source_row": "Int64"})
    return CheckResult(result.submission, result.context, f, result.rules)


# -- whom a rule judges ----------------------------------------------------------------------------
@pytest.mark.parametrize("rule_id", NOT_ENTERPRISE)
def test_no_station_village_town_or_record_finding_puts_an_enterprise_on_a_list(base, rule_id):
    result = base[dt.date(2023, 9, 10)]
    real = result.findings
    # every real row finding re-labelled as this rule (so HZ005's hazard rows and AC001's accident rows too),
    # plus coverage findings over many months, all 错误
    relabelled = real.assign(rule_id=rule_id, severity="错误")
    months = [{"rule_id": rule_id, "enterprise": e, "period": f"2023-{m:02d}"} for e in ("甲公司", "乙公司")
              for m in range(6, 12)]
    fake = synthetic(result, months)
    fake = CheckResult(fake.submission, fake.context, pd.concat([relabelled, fake.findings], ignore_index=True),
                       fake.rules)
    assert four_lists(fake).empty


@pytest.mark.parametrize("rule_id", ENTERPRISE)
def test_an_enterprise_error_finding_proposes_the_enterprise(base, rule_id):
    fake = synthetic(base[dt.date(2023, 9, 10)], [{"rule_id": rule_id, "enterprise": "乙公司", "period": "2023"}])
    lists = four_lists(fake)
    assert list(lists["企业名称"]) == ["乙公司"]
    assert lists["名单"].iloc[0] in LISTS and lists["依据发现"].iloc[0].startswith(rule_id + "×1")


def test_over_the_sample_town_only_enterprise_findings_count(samples):
    lists = Analysis(samples).four_lists()
    assert len(lists) > 0
    cited = {part.split("×")[0] for cell in lists["依据发现"] for part in cell.split("、")}
    assert cited and all(REGISTRY[r].party == Party.ENTERPRISE for r in cited)
    f = samples.findings
    ent = f[f["rule_id"].map(lambda r: REGISTRY[r].party) == Party.ENTERPRISE]
    assert set(lists["企业名称"]) <= set(ent["enterprise_name"])
    # without the enterprise findings, nobody is on a list
    rest = CheckResult(samples.submission, samples.context, f.drop(ent.index).reset_index(drop=True), samples.rules)
    assert four_lists(rest).empty


# -- the criteria ------------------------------------------------------------------------------
def test_listed_hazard_overdue_more_than_30_days_after_the_listing_is_stop(base):
    # H1: deadline 07-31, listed 08-10 → the clock runs from 08-10: 30 days on 09-09, 31 on 09-10
    assert _lists(base[dt.date(2023, 9, 9)]).loc["甲公司", "名单"] != "停产整顿一批"
    row = _lists(base[dt.date(2023, 9, 10)]).loc["甲公司"]
    assert row["名单"] == "停产整顿一批" and row["依据发现"] == "HZ005×1"
    assert "H1" in row["列入理由"] and "挂牌督办" in row["列入理由"] and "31天" in row["列入理由"]
    assert row["决定机关"] == PROPOSAL_LISTS[0].decides


def test_fined_hazard_without_listing_is_stop_too(base):
    # H2: fined (not listed) on 08-10, deadline 06-30: 31 days after the fine on 09-10
    assert _lists(base[dt.date(2023, 9, 9)]).loc["乙公司", "名单"] != "停产整顿一批"
    row = _lists(base[dt.date(2023, 9, 10)]).loc["乙公司"]
    assert row["名单"] == "停产整顿一批" and "罚款" in row["列入理由"]


def test_a_listing_that_names_no_hazard_number_links_to_no_hazard(base):
    # H3 is overdue 41 days, and a listed inspection of 丙公司 exists, but it names no hazard
    assert _lists(base[dt.date(2023, 9, 10)]).loc["丙公司", "名单"] != "停产整顿一批"


def test_an_overdue_hazard_never_listed_or_fined_is_not_stop(base):
    result = base[dt.date(2023, 9, 10)]
    hz = result.findings[result.findings["rule_id"] == "HZ005"]
    assert set(hz["enterprise_name"]) >= {"甲公司", "乙公司", "丙公司"}
    assert set(_lists(result).query("名单 == '停产整顿一批'").index) == {"甲公司", "乙公司"}


def _levels_case(tmp_path, levels: dict[str, str | None]):
    """甲公司, 乙公司 and 丙公司 each have one hazard (deadline 07-31) listed on 08-10, of the given 隐患等级;
    as of 09-10 each is overdue 31 days after its listing."""
    hazards = [{"enterprise": e, "hazard_no": f"H{i}", "description": "a", "found_on": "2023-06-01", "source": "部门检查",
                "deadline": "2023-07-31", "reported_on": "2023-06-02", "level": level, **OPEN}
               for i, (e, level) in enumerate(levels.items(), start=1)]
    enforcement = [{"enterprise": e, "date": "2023-08-10", "station": "应急站", "officers": "赵、钱", "major_hazards": 1,
                    "hazard_nos": f"H{i}", "actions": "责令限期整改", "listed": "是", "supervisor": "赵", "signed": "是"}
                   for i, e in enumerate(levels, start=1)]
    return _lists(_check({"hazards": hazards, "enforcement": enforcement}, tmp_path, dt.date(2023, 9, 10)))


def test_only_a_major_hazard_puts_an_enterprise_on_the_stop_list(tmp_path):
    # 隐患等级 一般: overdue and listed all the same, but 停产整顿 is for a 重大 hazard (RULEBOOK §10); an empty
    # level is 重大 (§4), as 重大 written out is
    lists = _levels_case(tmp_path, {"甲公司": "一般", "乙公司": "重大", "丙公司": None})
    # 甲公司 stands where its other findings put it: the list of 丁公司, which has the same coverage gaps and no hazard
    assert lists.loc["甲公司", "名单"] == lists.loc["丁公司", "名单"] != "停产整顿一批"
    assert "H1" not in lists.loc["甲公司", "列入理由"]
    assert lists.loc["乙公司", "名单"] == "停产整顿一批" and "H2" in lists.loc["乙公司", "列入理由"]
    assert lists.loc["丙公司", "名单"] == "停产整顿一批" and "H3" in lists.loc["丙公司", "列入理由"]


def test_a_hazard_its_own_row_records_as_rectified_is_not_proposed_for_stop(tmp_path):
    # all three listed on 08-10 (deadline 07-31) and without 整改完成日期, so HZ005 reports each as overdue (RULEBOOK §8:
    # "done" means a 整改完成日期); but 乙公司's row says 已销号 with a 验收日期 and 丙公司's says 已整改: the row contradicts
    # itself (HZ007, 退回重报), which does not show a refusal to rectify (安全生产法 第102条) — only 甲公司's 整改中 does
    rows = {"甲公司": dict(status="整改中"), "乙公司": dict(status="已销号", verifier="周", verified_on="2023-08-20"),
            "丙公司": dict(status="已整改")}
    case = {"hazards": [{"enterprise": e, "hazard_no": f"H{i}", "description": "a", "found_on": "2023-06-01",
                         "source": "部门检查", "deadline": "2023-07-31", "reported_on": "2023-06-02", **{**OPEN, **extra}}
                        for i, (e, extra) in enumerate(rows.items(), start=1)],
            "enforcement": [{"enterprise": e, "date": "2023-08-10", "station": "应急站", "officers": "赵、钱",
                             "major_hazards": 1, "hazard_nos": f"H{i}", "actions": "责令限期整改", "listed": "是",
                             "supervisor": "赵", "signed": "是"} for i, e in enumerate(rows, start=1)]}
    result = _check(case, tmp_path, dt.date(2023, 9, 10))
    hz = result.findings[result.findings["rule_id"] == "HZ005"]
    assert set(hz["enterprise_name"]) >= set(rows)  # the findings stand as they are
    lists = _lists(result)
    assert lists.loc["甲公司", "名单"] == "停产整顿一批" and "H1" in lists.loc["甲公司", "列入理由"]
    for e in ("乙公司", "丙公司"):
        assert lists.loc[e, "名单"] != "停产整顿一批"
        assert "挂牌督办" not in lists.loc[e, "列入理由"]


def test_a_general_hazard_beside_a_major_one_leaves_the_major_one_on_the_stop_list(tmp_path):
    # 甲公司 has both: the 一般 hazard is not named as the reason, the 重大 one is
    case = {"hazards": [
        {"enterprise": "甲公司", "hazard_no": no, "description": "a", "found_on": "2023-06-01", "source": "部门检查",
         "deadline": "2023-07-31", "reported_on": "2023-06-02", "level": level, **OPEN}
        for no, level in (("G1", "一般"), ("M1", "重大"))],
        "enforcement": [{"enterprise": "甲公司", "date": "2023-08-10", "station": "应急站", "officers": "赵、钱",
                         "major_hazards": 1, "hazard_nos": "G1、M1", "actions": "责令限期整改", "listed": "是",
                         "supervisor": "赵", "signed": "是"}]}
    row = _lists(_check(case, tmp_path, dt.date(2023, 9, 10))).loc["甲公司"]
    assert row["名单"] == "停产整顿一批" and row["依据发现"] == "HZ005×1"
    assert "M1" in row["列入理由"] and "G1" not in row["列入理由"]


def test_an_accident_never_reported_to_the_county_is_joint_punishment(base):
    row = _lists(base[dt.date(2023, 9, 10)]).loc["丁公司"]
    assert row["名单"] == "联合惩戒一批" and row["依据发现"] == "AC001×1"
    assert "2023-08-20" in row["列入理由"] and row["决定机关"] == "县应急管理局"


def _accident_case(tmp_path, county_at, town_at, as_of=dt.date(2023, 9, 30)):
    return _check({"accidents": [{"enterprise": "丁公司", "occurred_at": "2023-08-20 10:00", "kind": "火灾",
                                  "county_at": county_at, "town_at": town_at}]}, tmp_path, as_of)


def test_a_late_county_report_is_a_talk(tmp_path):
    row = _lists(_accident_case(tmp_path, "2023-08-20 12:00", "2023-08-20 10:30")).loc["丁公司"]
    assert row["名单"] == "约谈一批" and "AC001×1" in row["依据发现"] and "迟报县应急管理局" in row["列入理由"]


def test_a_late_town_report_is_a_talk(tmp_path):
    row = _lists(_accident_case(tmp_path, "2023-08-20 10:30", "2023-08-20 12:00")).loc["丁公司"]
    assert row["名单"] == "约谈一批" and "AC002×1" in row["依据发现"]


def test_a_county_report_written_after_as_of_is_no_report(tmp_path):
    row = _lists(_accident_case(tmp_path, "2023-10-05 10:00", "2023-08-20 10:30")).loc["丁公司"]
    assert row["名单"] == "联合惩戒一批"


def test_en005_is_joint_punishment_even_as_a_warning(base):
    fake = synthetic(base[dt.date(2023, 9, 10)], [{"rule_id": "EN005", "enterprise": "乙公司", "severity": "警告",
                                                   "period": "2023"}])
    row = four_lists(fake).set_index("企业名称").loc["乙公司"]
    assert row["名单"] == "联合惩戒一批" and (row["错误"], row["警告"]) == (0, 1)


def test_talk_criteria(base):
    r = base[dt.date(2023, 9, 10)]
    hi = [{"rule_id": "HI001", "enterprise": "乙公司", "period": f"2023-0{m}"} for m in (6, 7, 8)]
    two_hi = [{"rule_id": "HI001", "enterprise": "丙公司", "period": f"2023-0{m}"} for m in (6, 7)]
    three = [{"rule_id": rid, "enterprise": "丁公司"} for rid in ("CHK002", "CHK003", "ENT002")]
    two = [{"rule_id": rid, "enterprise": "甲公司"} for rid in ("CHK002", "CHK003")]
    dr = [{"rule_id": "DR001", "enterprise": "甲公司", "period": "2023", "severity": "错误"}]
    lists = four_lists(synthetic(r, hi + two_hi + three + two)).set_index("企业名称")
    assert lists.loc["乙公司", "名单"] == "约谈一批" and lists.loc["乙公司", "依据发现"] == "HI001×3"
    assert "3个月未带队检查" in lists.loc["乙公司", "列入理由"]
    assert lists.loc["丙公司", "名单"] == "通报一批"  # two months only
    assert lists.loc["丁公司", "名单"] == "约谈一批" and "3类不同" in lists.loc["丁公司", "列入理由"]
    assert lists.loc["甲公司", "名单"] == "通报一批" and lists.loc["甲公司", "依据发现"] == "CHK002×1、CHK003×1"
    assert four_lists(synthetic(r, dr)).set_index("企业名称").loc["甲公司", "名单"] == "约谈一批"


def test_warnings_alone_propose_nobody_and_each_enterprise_is_listed_once(base):
    r = base[dt.date(2023, 9, 10)]
    assert four_lists(synthetic(r, [{"rule_id": "HZ006", "severity": "警告"}])).empty
    lists = Analysis(r).four_lists()
    assert lists["企业名称"].is_unique and list(lists.columns) == LIST_COLUMNS
    order = lists["名单"].map({n: i for i, n in enumerate(LISTS)})
    assert order.is_monotonic_increasing


def test_list_rules_table_says_who_decides_on_what_basis():
    t = list_rules_table()
    assert list(t["名单"]) == list(LISTS)
    assert dict(zip(t["名单"], t["决定机关"])) == {
        "停产整顿一批": "负有安全生产监督管理职责的县级主管部门", "联合惩戒一批": "县应急管理局",
        "约谈一批": "镇人民政府", "通报一批": "镇安委办"}
    assert "第一百零二条" in t["决定依据"].iloc[0] and "严重失信主体名单管理办法" in t["决定依据"].iloc[1]


# -- letters ---------------------------------------------------------------------------------------
def test_letters_go_to_the_unit_that_acted_and_to_the_village(base):
    r = base[dt.date(2023, 9, 10)]
    enf = r.context.frame("enforcement")
    row = int(enf.loc[enf["station"] == "综合行政执法队", "source_row"].iloc[0])
    file, sheet = enf["source_file"].iloc[0], enf["source_sheet"].iloc[0]
    fake = synthetic(r, [
        {"rule_id": "EN003", "enterprise": "乙公司", "ledger": "enforcement", "source_file": file, "source_sheet": sheet,
         "source_row": row},
        {"rule_id": "GV001", "enterprise": None, "village": "西岭村", "period": "P1"},
        {"rule_id": "GV002", "enterprise": None, "village": "积翠镇", "period": "P4"},  # town: no letter
        {"rule_id": "EN002", "enterprise": "丙公司", "severity": "警告"},  # a warning: no letter
    ])
    a = Analysis(fake)
    letters = a.letters().set_index("单位")
    assert letters.loc["综合行政执法队", "类别"] == "站所" and letters.loc["综合行政执法队", "依据发现"] == "EN003×1"
    assert letters.loc["西岭村", "类别"] == "村" and letters.loc["西岭村", "依据发现"] == "GV001×1"
    assert "积翠镇" not in letters.index
    # 乙公司's supervising station did not fine it: EN003 goes to the unit that did, not to 应急站
    assert "EN" not in letters["依据发现"].drop("综合行政执法队").str.cat()
    assert set(letters["函件"]) == {"提醒函"} and set(letters["上期提醒函"]) == {"无上期数据"}
    assert a.letters().attrs["note"] == NO_HISTORY == "无上期数据，暂不能判定督办函"


def test_a_unit_with_a_letter_last_time_gets_a_supervision_letter(base):
    fake = synthetic(base[dt.date(2023, 9, 10)], [{"rule_id": "GV001", "enterprise": None, "village": v, "period": "P1"}
                                                  for v in ("东坡村", "西岭村")])
    a = Analysis(fake)
    first = a.letters()
    again = a.letters(previous=first[first["单位"] == "东坡村"]).set_index("单位")
    assert again.loc["东坡村", "函件"] == "督办函" and again.loc["东坡村", "上期提醒函"] == "是"
    assert again.loc["西岭村", "函件"] == "提醒函" and again.loc["西岭村", "上期提醒函"] == "否"
    assert a.letters(previous=["西岭村"]).set_index("单位").loc["西岭村", "函件"] == "督办函"
    assert a.letters(previous=[]).attrs["note"] == ""


def test_the_lowest_obligation_rate_of_its_kind_gets_a_letter(base):
    a = Analysis(synthetic(base[dt.date(2023, 9, 10)], []))
    letters = a.letters()
    for by, word in (("village", "村"), ("station", "站所")):
        rank = a.ranking(by)
        lowest = set(rank.loc[rank["履行率"] == rank["履行率"].min(), by])
        got = set(letters.loc[letters["类别"] == word, "单位"])
        if rank["履行率"].nunique() > 1:
            assert got == lowest and all("最低" in t for t in letters.loc[letters["类别"] == word, "列入理由"])
        else:
            assert got == set()


def test_samples_letters_and_resubmissions(samples):
    a = Analysis(samples)
    letters = a.letters()
    assert len(letters) and set(letters["决定机关"]) == {"镇纪委"}
    res = a.resubmissions()
    cited = {part.split("×")[0] for cell in res["依据发现"] for part in cell.split("、")}
    assert cited and all(REGISTRY[r].party == Party.RECORD for r in cited)
    # a file in a unit's folder goes back to that unit
    foldered = res[res["来源文件"].str.contains("/")]
    assert (foldered["来源文件"].str.split("/").str[0] == foldered["报送单位"]).all()


def _inspection(enterprise: str, station: str, officer: str) -> dict:
    """An enforcement row by one officer only: EN002 (错误, judges the unit that inspected)."""
    return {"enterprise": enterprise, "date": "2023-08-10", "station": station, "officers": officer, "major_hazards": 0,
            "actions": "责令限期整改", "signed": "是"}


def _letters_by_unit(result, previous=None) -> pd.DataFrame:
    letters = Analysis(result).letters(previous=previous)
    assert letters["单位"].is_unique
    return letters.set_index("单位")


def _findings_of(letters: pd.DataFrame) -> dict[str, str]:
    """Unit → the 依据发现 of its own findings (the ranking's reason left out)."""
    return {u: "、".join(p for p in t.split("、") if not p.startswith("履行率")) for u, t in letters["依据发现"].items()}


@pytest.fixture(scope="module")
def spelled(tmp_path_factory):
    """EN002 at 应急站 written two ways and at the enforcement team written with and without the town's name;
    城建站 once, as written in the registry."""
    case = {"enforcement": [_inspection("甲公司", "应急 站", "赵"), _inspection("乙公司", "应急站", "钱"),
                            _inspection("丙公司", "积翠镇综合行政执法队", "孙"), _inspection("丁公司", "综合行政执法队", "李"),
                            _inspection("丙公司", "城建站", "周")]}
    return _check(case, tmp_path_factory.mktemp("spelled"), dt.date(2023, 9, 30))


def test_letters_compare_units_after_folding_and_the_town_prefix(spelled):
    letters = _letters_by_unit(spelled)
    got = _findings_of(letters)
    # one letter each, addressed as the campaign and the registry spell the unit
    assert got["应急站"] == "EN002×2" and got["综合行政执法队"] == "EN002×2" and got["城建站"] == "EN002×1"
    assert not {"应急 站", "积翠镇综合行政执法队"} & set(letters.index)
    assert (letters.loc[["应急站", "综合行政执法队", "城建站"], "类别"] == "站所").all()


def test_letter_findings_carry_the_canonical_unit(spelled):
    b = letter_findings(spelled)
    assert set(b.loc[b["rule_id"] == "EN002", "_unit"]) == {"应急站", "综合行政执法队", "城建站"}
    assert set(b.loc[b["_kind"] == "village", "_unit"]) == {"东坡村", "西岭村"}  # GV001: as the registry spells them


def test_a_previous_letter_counts_for_the_unit_however_it_was_spelled(spelled):
    letters = _letters_by_unit(spelled, previous=["积翠镇综合行政执法队", "应急 站"])
    assert letters.loc["综合行政执法队", "函件"] == "督办函" and letters.loc["应急站", "函件"] == "督办函"
    assert letters.loc["城建站", "函件"] == "提醒函"
    # and a previous letters() frame, as the reports pass it
    again = _letters_by_unit(spelled, previous=pd.DataFrame({"函件": ["提醒函"], "单位": ["综合行政 执法队"]}))
    assert again.loc["综合行政执法队", "函件"] == "督办函" and again.loc["应急站", "函件"] == "提醒函"


def test_a_previous_letter_to_a_station_under_the_towns_name_counts_for_the_station(spelled):
    """“积翠镇应急站” and “镇城建站” in last time's list are 应急站 and 城建站 (only the enforcement team's town-prefixed
    spelling was understood); a name that is no unit after the prefix is kept as written."""
    letters = _letters_by_unit(spelled, previous=["积翠镇应急站", "镇城建站"])
    assert letters.loc["应急站", "函件"] == "督办函" and letters.loc["城建站", "函件"] == "督办函"
    units = Units(spelled)
    assert units.key("积翠镇东坡村") == units.key("东坡村") and units.key("积翠镇某公司") == "积翠镇某公司"


def test_letter_documents_are_addressed_to_the_canonical_unit(spelled, tmp_path):
    rows = notice_letters(Analysis(spelled), tmp_path, dt.date(2023, 10, 8))
    addressed = [r["主送"] for r in rows]
    assert len(addressed) == len(set(addressed))
    assert {"应急站", "综合行政执法队", "城建站"} <= set(addressed)
    assert not {"应急 站", "积翠镇综合行政执法队"} & set(addressed)
    by_unit = {r["主送"]: r["事项数"] for r in rows}
    assert by_unit["应急站"] >= 2 and by_unit["综合行政执法队"] >= 2  # both spellings' findings in the one letter


def test_a_cell_naming_two_units_is_a_finding_for_each_and_the_placeholder_gets_no_letter(tmp_path):
    case = {"enforcement": [_inspection("甲公司", "应急站、综合行政执法队", "赵"), _inspection("丙公司", "城建站", "孙"),
                            _inspection("乙公司", "其他站所", "钱"), _inspection("丁公司", "其他 站所、城建站", "李")]}
    r = _check(case, tmp_path, dt.date(2023, 9, 30))
    letters = _letters_by_unit(r)
    got = _findings_of(letters)
    assert got["应急站"] == "EN002×1" and got["综合行政执法队"] == "EN002×1" and got["城建站"] == "EN002×2"
    assert not [u for u in letters.index if "、" in u or u == "其他站所"]  # no compound, no placeholder
    assert "其他站所" not in set(letter_findings(r)["_unit"])
    # the letters themselves: one to each named unit, none to the compound cell or to the placeholder
    addressed = [row["主送"] for row in notice_letters(Analysis(r), tmp_path / "out", dt.date(2023, 10, 8))]
    assert {"应急站", "综合行政执法队", "城建站"} <= set(addressed)
    assert not [u for u in addressed if "、" in u or u == "其他站所"]


def test_a_joint_penalty_counts_against_the_unit_without_the_power_only(tmp_path):
    """EN007 on “应急站、综合行政执法队”: the letter goes to 应急站, which has no power to penalise, not to the
    lawful enforcer named beside it; a cell “应急站（）” is 应急站."""
    fine = {"enterprise": "甲公司", "date": "2023-08-10", "station": "应急站、综合行政执法队", "officers": ["赵", "钱"],
            "major_hazards": 0, "actions": "罚款", "fine_company": 5000, "signed": "是"}
    case = {"enforcement": [fine, _inspection("乙公司", "应急站（）", "孙")]}
    r = _check(case, tmp_path, dt.date(2023, 9, 30))
    got = _findings_of(_letters_by_unit(r))
    assert got["应急站"] == "EN002×1、EN007×1"  # the joint fine and 应急站（）'s one-officer inspection
    assert "综合行政执法队" not in got and not [u for u in got if "（" in u or "、" in u]


def _ranking(rates: dict[str, float], by: str = "station") -> pd.DataFrame:
    return pd.DataFrame({by: list(rates), "企业数": 1, "应履行义务": 10, "已履行": [round(v * 10) for v in rates.values()],
                         "未履行": [10 - round(v * 10) for v in rates.values()], "履行率": list(rates.values()), "排名": 1})


def test_rates_that_read_the_same_are_the_same_lowest(base):
    """The letter writes the rate with one decimal: 应急站 at 98.44% and 城建站 at 98.41% both read 98.4%, so both
    are the lowest of three (a letter to one of two units shown at the same rate would single it out on a digit
    nobody sees); rates that all read the same single nobody out."""
    r = synthetic(base[dt.date(2023, 9, 10)], [])
    rankings = {"village": _ranking({}, "village"),
                "station": _ranking({"应急站": 63 / 64, "城建站": 62 / 63, "林业站": 1.0, "其他站所": 0.2})}
    letters = letters_of(r, None, rankings=rankings).set_index("单位")
    assert sorted(letters.index) == ["城建站", "应急站"]
    assert (letters["列入理由"] == "所属企业已到期义务履行率98.4%，为3个站所中最低").all()
    rankings["station"] = _ranking({"应急站": 63 / 64, "城建站": 62 / 63})
    assert letters_of(r, None, rankings=rankings).empty


def test_the_placeholder_station_is_not_ranked_for_the_lowest_rate(base):
    r = synthetic(base[dt.date(2023, 9, 10)], [])
    rankings = {"village": _ranking({}, "village"),
                "station": _ranking({"其他站所": 0.2, "应急站": 0.5, "城建站": 0.9})}
    letters = letters_of(r, None, rankings=rankings).set_index("单位")
    # the lowest real station gets the letter, compared with the other real one only
    assert list(letters.index) == ["应急站"] and "为2个站所中最低" in letters.loc["应急站", "列入理由"]
    # a placeholder beside a single real station singles nobody out
    rankings["station"] = _ranking({"其他站所": 0.2, "应急站": 0.5})
    assert letters_of(r, None, rankings=rankings).empty
    # the compliant case: two real stations, the lower one gets it as before
    rankings["station"] = _ranking({"应急站": 0.5, "城建站": 0.9})
    assert list(letters_of(r, None, rankings=rankings)["单位"]) == ["应急站"]


def _compliant_case(enterprises: dict[str, tuple[str, str, str, str, str]], skip: dict[str, set[int]]) -> dict:
    """Every enterprise (name → village, station, industry, head, USCC token) fulfils every obligation due at
    2023-12-31, except the head-led inspections of the months in ``skip`` (HI001); villages and town hold their
    meetings."""
    case: dict = {"enterprises": [dict(uscc=u, name=n, village=v, industry=i, station=s, high_risk="否", head=h,
                                       phone="13812345678", employees=20, safety_staff="李四", full_time_safety=1, weak="否")
                                  for n, (v, s, i, h, u) in enterprises.items()]}
    case["checklist"] = [dict(enterprise=n, plan_on="2023-05-10", kickoff_on="2023-05-15", duty_system="是",
                              duty_lists="是", experts="否", hot_work_review_on="2023-06-10",
                              outsourcing_review_on="2023-06-10") for n in enterprises]
    case["training"] = [dict(enterprise=n, date=d, kind=k, topic="专项", attendees=20, examined=x, passed=x)
                        for n in enterprises for d, k, x in (("2023-06-05", "专项行动全员培训", 20),
                                                             ("2023-06-06", "动火作业警示教育", None),
                                                             ("2023-06-07", "事故警示教育", None))]
    case["head_inspections"] = [dict(enterprise=n, date=f"2023-{m:02d}-15", leader=h, members="李四", basis="判定标准",
                                     hazards_found=0, signed="是") for n, (_, _, _, h, _) in enterprises.items()
                                for m in range(6, 13) if m not in skip.get(n, set())]
    case["drills"] = [dict(enterprise=n, date=d, kind="综合应急预案", topic="疏散", participants=20, evacuation="是",
                           evaluated="是") for n in enterprises for d in ("2023-06-20", "2023-11-20")]
    villages = sorted({v for v, *_ in enterprises.values()})
    case["meetings"] = [dict(unit=v, date="2023-05-10", kind="动员部署会", chair="支书", note="动员") for v in villages]
    return case


@pytest.fixture(scope="module")
def rank_flip(tmp_path_factory):
    """甲公司 (东坡村, 应急站) missed its head-led inspection in October (HI001). 乙公司 (西岭村, 城建站) did everything;
    城建站 inspected it with one officer and fined it (EN002, EN007: what 城建站 did, not what 乙公司 did)."""
    case = _compliant_case({"甲公司": ("东坡村", "应急站", "工贸", "张三", "{USCC_甲}"),
                            "乙公司": ("西岭村", "城建站", "建筑施工", "王五", "{USCC_乙}")}, skip={"甲公司": {10}})
    case["enforcement"] = [{**_inspection("乙公司", "城建站", "周"), "actions": "罚款", "fine_company": 5000}]
    return _check(case, tmp_path_factory.mktemp("rank_flip"), dt.date(2023, 12, 31))


def test_a_units_rate_counts_its_enterprises_obligations_only(rank_flip):
    """RULEBOOK §10: the lowest “obligation rate of its enterprises”. 城建站's EN002/EN007 about its inspection of
    乙公司 are 城建站's (its own 提醒函), not 乙公司's: 西岭村 and 城建站 are at 100%, 东坡村 and 应急站 lowest."""
    f = rank_flip.findings
    assert sorted(f.loc[(f["severity"] == "错误") & (f["enterprise_name"] != ""), "rule_id"]) == ["EN002", "EN007", "HI001"]
    a = Analysis(rank_flip)
    columns = ["企业数", "应履行义务", "已履行", "未履行", "履行率", "排名"]
    village = a.ranking("village").set_index("village")[columns]
    assert village.loc["西岭村"].tolist() == [1, 37, 37, 0, 1.0, 1]  # with TR006: the 2023-04-18 fire binds all
    assert village.loc["东坡村"].tolist() == [1, 36, 35, 1, 35 / 36, 2]
    station = a.ranking("station").set_index("station")[columns]
    assert station.loc["城建站"].tolist() == [1, 37, 37, 0, 1.0, 1]
    assert station.loc["应急站"].tolist() == [1, 36, 35, 1, 35 / 36, 2]
    letters = a.letters().set_index("单位")
    assert sorted(letters.index) == ["东坡村", "城建站", "应急站"]
    assert letters.loc["东坡村", "列入理由"] == "所属企业已到期义务履行率97.2%，为2个村中最低"
    assert letters.loc["东坡村", "依据发现"] == "履行率排名（未履行1项/应履行36项）"
    assert letters.loc["应急站", "列入理由"] == "所属企业已到期义务履行率97.2%，为2个站所中最低"
    assert letters.loc["城建站", "列入理由"] == "有2条站所履职方面违反方案要求的问题"  # its own findings, not a rate
    assert letters.loc["城建站", "依据发现"] == "EN002×1、EN007×1"


def test_the_report_ranks_villages_as_its_enterprise_sheet_counts_them(rank_flip):
    """The year report says the same everywhere: the one enterprise that fulfilled everything (企业义务履行) is
    西岭村's, which ranks first at 100% in the table, the narrative and the letters."""
    from jicui_compliance.report import build_report

    r = build_report(Analysis(rank_flip), "year")
    ent = r.tables["企业义务履行"].frame.iloc[0]
    assert (ent["有已到期义务的企业"], ent["全部履行的企业"]) == (2, 1)
    assert r.tables["各村排名"].frame["村"].tolist() == ["西岭村", "东坡村"]
    assert r.tables["各站所排名"].frame["站所"].tolist() == ["城建站", "应急站"]
    text = "".join(r.narrative)
    assert "西岭村最高（100%），东坡村最低（97.2%）" in text
    assert "城建站监管企业履行率最高（100%），应急站最低（97.2%）" in text
    lt = r.tables["提醒函督办函"].frame.set_index("单位")
    assert "为2个村中最低" in lt.loc["东坡村", "列入理由"] and "西岭村" not in lt.index


# -- 退回重报 ---------------------------------------------------------------------------------------
#: findings on the root files (the registry): a row of a registered enterprise, and a whole sheet
_REGISTRY_FINDINGS = (
    {"rule_id": "REF002", "enterprise": "丙公司", "source_file": "企业名录.xlsx", "source_sheet": "名录",
     "source_row": 4},
    {"rule_id": "SCH001", "enterprise": None, "village": "", "source_file": "企业名录.xlsx", "source_sheet": "汇总"},
)


def test_resubmissions_per_unit_and_file(base):
    r = base[dt.date(2023, 9, 10)]
    fake = synthetic(r, [
        {"rule_id": "SCH002", "enterprise": "甲公司", "source_file": "东坡村/隐患.xlsx", "source_sheet": "Sheet1",
         "source_row": 3},
        {"rule_id": "FMT001", "enterprise": "甲公司", "source_file": "东坡村/隐患.xlsx", "source_sheet": "Sheet1",
         "source_row": 3},
        {"rule_id": "HZ004", "enterprise": "甲公司", "source_file": "东坡村/隐患.xlsx", "source_sheet": "Sheet1",
         "source_row": 5},
        {"rule_id": "SCH000", "enterprise": None, "village": "", "source_file": "应急站/说明.pdf"},
        *_REGISTRY_FINDINGS,
        {"rule_id": "HZ005", "enterprise": "甲公司", "source_file": "东坡村/隐患.xlsx", "source_row": 6},  # not a record
    ])
    res = Analysis(fake).resubmissions().set_index(["报送单位", "来源文件"])
    assert (res.loc[("东坡村", "东坡村/隐患.xlsx"), ["问题行数", "发现数"]] == [2, 3]).all()
    assert res.loc[("东坡村", "东坡村/隐患.xlsx"), "依据发现"] == "FMT001×1、HZ004×1、SCH002×1"
    assert res.loc[("应急站", "应急站/说明.pdf"), "问题行数"] == 0
    assert res.loc[("西岭村", "企业名录.xlsx"), "依据发现"] == "REF002×1"  # root file: the row's village
    assert res.loc[(UNKNOWN_UNIT, "企业名录.xlsx"), "依据发现"] == "SCH001×1"
    assert res.index.get_level_values(0)[-1] == UNKNOWN_UNIT


def test_resubmissions_group_a_unit_however_its_folder_is_spelled(base):
    r = base[dt.date(2023, 9, 10)]
    fake = synthetic(r, [
        {"rule_id": "SCH000", "enterprise": None, "village": "", "source_file": "积翠镇综合行政执法队/说明.pdf"},
        {"rule_id": "SCH000", "enterprise": None, "village": "", "source_file": "综合行政执法队/照片.jpg"},
        {"rule_id": "SCH000", "enterprise": None, "village": "", "source_file": "应急 站/说明.pdf"},
        {"rule_id": "SCH000", "enterprise": None, "village": "", "source_file": "应急站/照片.jpg"},
        {"rule_id": "SCH000", "enterprise": None, "village": "", "source_file": "城建站/说明.pdf"},
    ])
    res = Analysis(fake).resubmissions()
    units = res.groupby("报送单位")["来源文件"].agg(set).to_dict()
    assert units == {"综合行政执法队": {"积翠镇综合行政执法队/说明.pdf", "综合行政执法队/照片.jpg"},
                     "应急站": {"应急 站/说明.pdf", "应急站/照片.jpg"}, "城建站": {"城建站/说明.pdf"}}
    assert set(resubmission_findings(fake)["_unit"]) == set(units)


def test_resubmissions_when_no_finding_names_a_row(base):
    r = base[dt.date(2023, 9, 10)]
    fake = synthetic(r, [
        {"rule_id": "SCH000", "enterprise": None, "village": "", "source_file": "应急站/说明.pdf"},
        {"rule_id": "SCH001", "enterprise": None, "village": "", "source_file": "东坡村/隐患.xlsx", "source_sheet": "汇总"},
        {"rule_id": "SCH001", "enterprise": None, "village": "", "source_file": "东坡村/隐患.xlsx", "source_sheet": "统计"},
    ])
    res = Analysis(fake).resubmissions().set_index(["报送单位", "来源文件"])
    assert res["问题行数"].tolist() == [0, 0] and res["发现数"].tolist() == [2, 1]
    assert res.loc[("东坡村", "东坡村/隐患.xlsx"), "工作表"] == "汇总、统计"


# -- one village's share ---------------------------------------------------------------------------
def _village_resubmissions_case(base) -> CheckResult:
    """Findings about 东坡村's files that name no village (a whole file, a whole sheet, a row of no registered
    enterprise), a 西岭村 enterprise's row in 东坡村's file, and root files (the registry)."""
    return synthetic(base[dt.date(2023, 9, 10)], [
        {"rule_id": "SCH000", "enterprise": None, "village": "", "source_file": "东坡村/验收单扫描件.pdf"},
        {"rule_id": "SCH005", "enterprise": None, "village": "", "source_file": "东坡村/带队检查.xlsx",
         "source_sheet": "5月"},
        {"rule_id": "REF001", "enterprise": None, "village": "", "source_file": "东坡村/隐患.xlsx",
         "source_sheet": "隐患台账", "source_row": 3},
        {"rule_id": "SCH002", "enterprise": "丙公司", "source_file": "东坡村/隐患.xlsx", "source_sheet": "隐患台账",
         "source_row": 4},
        {"rule_id": "SCH002", "enterprise": "甲公司", "source_file": "应急站/执法.xlsx", "source_sheet": "执法检查",
         "source_row": 2},
        *_REGISTRY_FINDINGS,
    ])


def test_a_village_run_sends_the_village_the_resubmissions_the_town_run_sends_it(base, tmp_path):
    """A finding about a whole file or sheet, or a row naming no registered enterprise, has no village; it still
    goes back to the village whose folder holds the file, in a village run as in the town-wide one, and a
    village run sends nobody else anything (the station's file with the village's enterprise stays the station's)."""
    from jicui_compliance.documents.notices import resubmission_notices

    fake = _village_resubmissions_case(base)
    town = Analysis(fake).resubmissions()
    for village in ("东坡村", "西岭村"):
        own = Analysis(fake, village=village).resubmissions()
        pd.testing.assert_frame_equal(own, town[town["报送单位"] == village].reset_index(drop=True))
    east = Analysis(fake, village="东坡村").resubmissions().set_index("来源文件")
    assert east["发现数"].to_dict() == {"东坡村/带队检查.xlsx": 1, "东坡村/隐患.xlsx": 2, "东坡村/验收单扫描件.pdf": 1}
    west = Analysis(fake, village="西岭村").resubmissions()
    assert west["来源文件"].tolist() == ["企业名录.xlsx"]  # its enterprise's row in 东坡村's file is 东坡村's to correct
    town_rows, _ = resubmission_notices(Analysis(fake), tmp_path / "town", dt.date(2023, 9, 10))
    for village in ("东坡村", "西岭村"):
        rows, unknown = resubmission_notices(Analysis(fake, village=village), tmp_path / village, dt.date(2023, 9, 10))
        assert [(r["主送"], r["事项数"]) for r in rows] == [(r["主送"], r["事项数"]) for r in town_rows
                                                          if r["主送"] == village]
        assert unknown == 0  # the town-wide run counts the files no unit could be found for


def test_a_village_run_sends_the_village_its_town_wide_letter_and_no_station_letter(base, tmp_path):
    """A village's letter is decided town-wide: its own findings and its obligation rate compared with every
    village of the town (not with itself alone); stations' letters are no village's business (RULEBOOK §10)."""
    fake = synthetic(base[dt.date(2023, 9, 10)], [
        {"rule_id": "GV001", "enterprise": None, "village": "西岭村", "period": "P1"},
        {"rule_id": "EN002", "enterprise": "甲公司", "station": "应急站"},  # a station's finding about a 东坡村 enterprise
        {"rule_id": "HI001", "enterprise": "甲公司", "period": "2023-07"},  # 东坡村 the lowest of the 2 villages
    ])
    town = Analysis(fake).letters()
    assert {"站所", "村"} <= set(town["类别"]) and town["列入理由"].str.contains("为2个村中最低").any()
    for village in ("东坡村", "西岭村"):
        own = Analysis(fake, village=village).letters()
        pd.testing.assert_frame_equal(own, town[(town["类别"] == "村") & (town["单位"] == village)].reset_index(drop=True))
        assert own.attrs["note"] == town.attrs["note"]
    town_rows = notice_letters(Analysis(fake), tmp_path / "town", dt.date(2023, 9, 10))
    for village in ("东坡村", "西岭村"):
        rows = notice_letters(Analysis(fake, village=village), tmp_path / village, dt.date(2023, 9, 10))
        assert [(r["主送"], r["事项数"]) for r in rows] == [(r["主送"], r["事项数"]) for r in town_rows
                                                          if r["主送"] == village]
    # with the previous letters a village's 督办函 is decided as the town's is
    prev = Analysis(fake, village="西岭村").letters(previous=["西岭村", "应急站"])
    assert prev["单位"].tolist() == ["西岭村"] and prev["函件"].tolist() == ["督办函"]


def test_a_letters_rate_is_written_as_the_reports_write_it():
    """63 of 66 obligations (0.9545 as the ranking keeps it) was 95.4% in the 提醒函 (numpy rounds half to even)
    and 95.5% in the report's ranking table: both are written by :func:`jicui_compliance.text.percent` now."""
    from jicui_compliance.report.model import pct
    from jicui_compliance.text import percent

    rate = round(63 / 66, 4)
    assert percent(rate) == pct(rate) == "95.5%"
    assert percent(0.99995) == "99.99%" and percent(0.00004) == "0.01%" and percent(1.0) == "100%"
    assert percent(None) == "—" and percent(float("nan")) == "—"


def test_the_letter_gives_the_rate_the_ranking_table_shows(rank_flip):
    a = Analysis(rank_flip)
    village = a.ranking("village")
    village.loc[village["village"] == "东坡村", "履行率"] = round(63 / 66, 4)  # 0.9545: half way at one decimal
    letters = letters_of(rank_flip, a.coded, rankings={"village": village, "station": a.ranking("station")})
    assert letters.set_index("单位").loc["东坡村", "列入理由"] == "所属企业已到期义务履行率95.5%，为2个村中最低"


def test_a_unit_is_not_told_it_submitted_the_towns_own_file(base, tmp_path):
    """The town's registry at the submission's root is no village's submission: 西岭村, with rows of its enterprise
    there only, is asked to verify them (“镇汇总的《企业名录.xlsx》中，涉及你单位所属企业的记录…”), not told
    “你单位报送的专项行动台账中，有1个文件…” and asked to resubmit the town's file."""
    import docx

    from jicui_compliance.documents.notices import resubmission_notices

    rows, _ = resubmission_notices(Analysis(_village_resubmissions_case(base)), tmp_path, dt.date(2023, 9, 10))
    text = {r["主送"]: "\n".join(p.text for p in docx.Document(r["文件"]).paragraphs) for r in rows}
    assert "你单位报送" not in text["西岭村"] and "关于核实更正专项行动台账记录的通知" in text["西岭村"]
    assert "镇汇总的《企业名录.xlsx》中，涉及你单位所属企业的记录" in text["西岭村"]
    assert "你单位报送的专项行动台账中，有3个文件" in text["东坡村"] and "镇汇总" not in text["东坡村"]
