"""Analysis frames against figures computed by hand on small fixtures."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jicui_compliance.analysis import Analysis, window_for
from jicui_compliance.campaign import load_campaign
from jicui_compliance.check import run_check

from .rules.runner import write_case

CLOSED = dict(immediate="否", owner="a", measures="b", funds=1, contingency="有", posted="是", verifier="v", status="已销号")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    write_case({
        "head_inspections": [
            {"enterprise": "甲公司", "date": "2023-06-10", "leader": "张三", "hazards_found": 0, "signed": "是"},
            {"enterprise": "甲公司", "date": "2023-07-10", "leader": "张三", "hazards_found": 0, "signed": "是"},
            {"enterprise": "乙公司", "date": "2023-06-12", "leader": "王五", "hazards_found": 0, "signed": "是"},
            {"enterprise": "乙公司", "date": "2023-07-12", "leader": "李四", "hazards_found": 0, "signed": "是"},
        ],
        "hazards": [
            {"enterprise": "甲公司", "hazard_no": "Y1", "description": "x", "found_on": "2023-06-01", "source": "企业自查",
             "deadline": "2023-06-30", "reported_on": "2023-06-02", "done_on": "2023-06-20", "verified_on": "2023-06-25", **CLOSED},
            {"enterprise": "乙公司", "hazard_no": "Y2", "description": "y", "found_on": "2023-06-05", "source": "执法检查",
             "deadline": "2023-06-30", "reported_on": "2023-06-06", **{**CLOSED, "status": "整改中", "verifier": None}},
            {"enterprise": "丙公司", "hazard_no": "Y3", "description": "z", "found_on": "2023-07-20", "source": "部门检查",
             "deadline": "2023-09-30", "reported_on": "2023-07-21", "done_on": "2023-07-25", **{**CLOSED, "status": "已整改", "verifier": None}},
            {"enterprise": "丙公司", "hazard_no": "Y4", "description": "later", "found_on": "2023-08-20", "source": "企业自查",
             "deadline": "2023-09-30", "reported_on": "2023-08-21", **{**CLOSED, "status": "整改中", "verifier": None}},
        ],
        "enforcement": [
            {"enterprise": "乙公司", "date": "2023-07-05", "station": "应急站", "officers": "赵、钱", "major_hazards": 1,
             "hazard_nos": "Y2", "actions": "罚款、一案双罚", "fine_company": 10000, "fine_head": 2000, "listed": "是",
             "supervisor": "赵", "signed": "是"},
        ],
    }, folder)
    return run_check([folder], as_of=dt.date(2023, 7, 31))


def test_hazard_kpis_by_hand(small):
    a = Analysis(small)
    h = a.hazards().iloc[0]
    # Y4 is found after as-of: it does not exist yet
    assert (h["隐患数"], h["企业自查"], h["部门/执法检查"], h["已整改"], h["已销号"], h["逾期未改"]) == (3, 1, 2, 2, 1, 1)
    assert h["整改率"] == pytest.approx(2 / 3, abs=1e-4) and h["销号率"] == pytest.approx(1 / 3, abs=1e-4)
    by_village = a.hazards(by="village").set_index("村")
    assert by_village.loc["东坡村", "隐患数"] == 2 and by_village.loc["西岭村", "隐患数"] == 1
    assert a.listed_supervision() == 1


def test_head_inspection_coverage_by_hand(small):
    a = Analysis(small)
    c = a.coverage("HI001").set_index("period")
    # June: 甲 and 乙 led by their heads (2 of 4); July: only 甲 (乙's was led by 李四)
    assert (c.loc["2023-06", "应完成"], c.loc["2023-06", "已完成"]) == (4, 2)
    assert (c.loc["2023-07", "应完成"], c.loc["2023-07", "已完成"]) == (4, 1)
    assert c.loc["2023-08", "待到期"] == 4 and c.loc["2023-08", "应完成"] == 0
    m = a.head_inspection_matrix()
    assert m.loc["东坡村", "2023-06"] == 1.0 and m.loc["西岭村", "2023-06"] == 0.0
    assert pd.isna(m.loc["东坡村", "2023-08"])


def test_phase_table_counts_match_the_status_rows(small):
    a = Analysis(small)
    t = a.phase_table().set_index(["phase", "rule_id"])
    hi = t.loc[("P2", "HI001")]
    assert (hi["应核查"], hi["合规"], hi["不合规"], hi["待到期"]) == (8, 3, 5, 0)
    assert t.loc[("P3", "HI001"), "待到期"] == 16  # Aug–Nov, 4 enterprises
    assert t.loc[("P2", "HZ005"), "不合规"] == 1  # 乙公司's overdue hazard, found in June
    overview = a.phase_overview().set_index("phase")
    assert overview.loc["P3", "合规"] == 0 and overview.loc["P3", "待到期"] > 0


def test_village_narrowing(small):
    a = Analysis(small, village="西岭村")
    assert a.hazards().iloc[0]["隐患数"] == 1
    assert set(a.findings["village"]) <= {"西岭村"}
    assert set(a.status["village"]) <= {"西岭村"}


def test_enforcement_and_four_lists(small):
    a = Analysis(small)
    e = a.enforcement().set_index("月份")
    assert e.loc["2023-07", "检查次数"] == 1 and e.loc["2023-07", "一案双罚（次）"] == 1
    assert e.loc["合计", "企业罚款（元）"] == 10000
    lists = a.four_lists().set_index("企业名称")
    # 乙公司: Y2 is overdue by 31 days at as-of (HZ005), but it was listed and fined on 07-05, 26 days
    # before as-of: not yet overdue by more than 30 days after the order → not 停产整顿一批 (RULEBOOK §10)
    assert lists.loc["乙公司", "名单"] != "停产整顿一批"
    assert set(lists["名单"]) <= {"停产整顿一批", "联合惩戒一批", "约谈一批", "通报一批"}


def test_windows():
    c = load_campaign()
    w = window_for("week", dt.date(2023, 9, 15), c)
    assert (w.start, w.end) == (dt.date(2023, 9, 9), dt.date(2023, 9, 15))
    assert window_for("quarter", dt.date(2023, 9, 15), c).start == dt.date(2023, 7, 1)
    assert window_for("month", dt.date(2023, 9, 15), c).start == dt.date(2023, 9, 1)
    assert window_for("year", dt.date(2023, 12, 31), c).start == dt.date(2023, 5, 1)  # the campaign start (issue 14)


def test_the_change_of_a_rate_is_the_difference_of_the_rates_shown(monkeypatch):
    """与上期对比 (the same table in the HTML, Word and Excel files): 98.1% → 97.5% is -0.6个百分点, the difference of
    the figures beside it, not the -0.7 of the unrounded 159/162 and 155/159."""
    from jicui_compliance.analysis import comparison

    rates = {"before": {"已到期义务履行率": 159 / 162, "隐患整改率": 0.98, "核查发现（条）": 5},
             "now": {"已到期义务履行率": 155 / 159, "隐患整改率": 0.99995, "核查发现（条）": 3}}
    monkeypatch.setattr(comparison, "figures", lambda a: rates[a])
    t = comparison.compare("now", "before").set_index("指标")
    assert t.loc["已到期义务履行率"].tolist() == ["98.1%", "97.5%", "-0.6个百分点"]
    assert t.loc["隐患整改率"].tolist() == ["98%", "99.99%", "+1.99个百分点"]
    assert t.loc["核查发现（条）"].tolist() == [5, 3, "-2"]


def test_a_year_window_before_the_campaign_is_never_reversed():
    w = window_for("year", dt.date(2023, 4, 30), load_campaign())
    assert w.label == "尚未开始（专项行动2023年5月1日开始）" and not w.contains(pd.Series([pd.Timestamp(2023, 4, 30)])).any()


@pytest.mark.parametrize("day, quarter", [(dt.date(2023, 2, 1), "一"), (dt.date(2023, 6, 30), "二"),
                                          (dt.date(2023, 9, 15), "三"), (dt.date(2023, 12, 31), "四")])
def test_quarter_label_numbers_the_quarter_in_chinese(day, quarter):
    """Official style writes 2023年第三季度, not 第3季度."""
    label = window_for("quarter", day, load_campaign()).label
    assert label.startswith(f"{day.year}年第{quarter}季度（") and not re.search(r"第\d", label)


def test_records_dated_after_as_of_are_no_evidence_at_as_of(tmp_path):
    """The phase analysis reads a record obligation's rows with the rules' own cut-off (the end of the as-of day):
    a drill dated the day after as-of (a DR003 breach once it exists) gives P3 no 合规, while a permit written at
    10:00 on the as-of day itself exists, as it does for the rules."""
    write_case({
        "drills": [{"enterprise": "甲公司", "date": "2023-08-01", "participants": 20, "evacuation": "否", "evaluated": "是"}],
        "hot_work": [
            {"enterprise": "乙公司", "permit_no": "DH-1", "level": "二级", "start": "2023-07-31 10:00", "end": "2023-07-31 16:00",
             "approver": "王五", "approved_at": "2023-07-31 09:30", "worker": "张三", "guardian": "李四", "fire_measures": "是"},
            {"enterprise": "乙公司", "permit_no": "DH-2", "level": "二级", "start": "2023-08-01 08:00", "end": "2023-08-01 16:00",
             "approver": "王五", "approved_at": "2023-08-01 07:30", "worker": "张三", "guardian": "李四", "fire_measures": "是"},
        ],
    }, tmp_path)
    a = Analysis(run_check([tmp_path], as_of=dt.date(2023, 7, 31)))
    st = a.status
    assert not st["rule_id"].isin(["DR003", "DR004", "DR005"]).any()
    hw = st[st["rule_id"] == "HW001"]
    assert hw[["phase", "unit", "records"]].values.tolist() == [["P2", "乙公司", 1.0]]
    t = a.phase_table().set_index(["phase", "rule_id"])
    assert ("P3", "DR003") not in t.index
    assert t.loc[("P2", "HW001"), "合规"] == 1


def test_populations_leave_out_enterprises_whose_only_rows_are_dated_after_as_of(tmp_path):
    """``with:<ledger>`` populations count the rows that exist at as-of as the rules read them: a permit, contract,
    equipment check or certificate dated after as-of puts no enterprise among those owing the obligation."""
    write_case({
        "hot_work": [{"enterprise": "甲公司", "permit_no": "DH-9", "level": "二级", "method": "电焊", "start": "2023-08-01 08:00",
                      "end": "2023-08-01 16:00", "approver": "王五", "approved_at": "2023-08-01 07:30", "worker": "张三",
                      "guardian": "李四", "fire_measures": "是"}],
        "outsourcing": [{"enterprise": "乙公司", "project": "仓库出租", "mode": "外租", "party": "戊公司", "start": "2023-08-01"},
                        {"enterprise": "丙公司", "project": "保洁", "mode": "外包", "party": "某保洁公司", "start": "2023-07-31"}],
        "welding_equipment": [{"enterprise": "丙公司", "equipment_no": "HJ-1", "kind": "电焊机", "checked_on": "2023-08-01",
                               "result": "不合格"}],
        "special_workers": [{"enterprise": "丁公司", "person": "李四", "category": "电工作业", "cert_no": "D9",
                             "issued_on": "2023-08-01", "valid_until": "2029-07-31", "reviewed_on": "2023-08-01"}],
    }, tmp_path)
    st = Analysis(run_check([tmp_path], as_of=dt.date(2023, 7, 31))).status
    units = st.groupby("rule_id")["unit"].agg(lambda s: sorted(s))
    assert units.get("CHK005") == ["丙公司"]  # 丙's contract began on as-of; 乙's the day after
    for rid in ("EQ001", "EQ003", "SW001", "SW002", "SW003", "SW004"):
        assert rid not in units.index, rid


def _status_frame() -> pd.DataFrame:
    """A status table with keys out of order, a missing village and a missing enterprise."""
    return pd.DataFrame({
        "phase": ["P2", "P1", "P2", "P1", "P2", "P2", "P1"],
        "rule_id": ["HI001", "HZ005", "HI001", "HZ005", "DR001", "HI001", "HZ005"],
        "title": ["带队", "逾期", "带队", "逾期", "演练", "带队", "逾期"],
        "clause": ["E(1)", "E(2)", "E(1)", "E(2)", "E(15)", "E(1)", "E(2)"],
        "village": ["西岭村", "东坡村", None, "西岭村", "东坡村", "东坡村", "东坡村"],
        "eid": [1, 2, 3, pd.NA, 2, 2, 4],
        "status": ["合规", "不合规", "合规", "待到期", "不合规", "不合规", "合规"],
    }).astype({"phase": "str", "rule_id": "str", "title": "str", "clause": "str", "village": "str", "status": "str"})


def test_codes_count_as_crosstab_does():
    from jicui_compliance.analysis.obligations import STATUSES, Codes

    s = _status_frame()
    keys = ["phase", "rule_id", "village"]
    expected = pd.crosstab([s[k] for k in keys], s["status"]).reindex(columns=list(STATUSES), fill_value=0)
    expected.columns.name = None
    pd.testing.assert_frame_equal(Codes(s).counts(keys), expected.reset_index())


def test_phase_summary_and_ranking_on_codes_and_on_the_frame_agree():
    from jicui_compliance.analysis import phase_summary, unit_ranking
    from jicui_compliance.analysis.obligations import Codes

    s = _status_frame()
    t = phase_summary(s, by=["village"]).set_index(["phase", "rule_id", "village"])
    assert list(t.index) == [("P1", "HZ005", "东坡村"), ("P1", "HZ005", "西岭村"), ("P2", "DR001", "东坡村"),
                             ("P2", "HI001", "东坡村"), ("P2", "HI001", "西岭村")]
    assert t.loc[("P1", "HZ005", "东坡村"), ["title", "应核查", "合规", "不合规", "合规率"]].tolist() == ["逾期", 2, 1, 1, 0.5]
    pd.testing.assert_frame_equal(phase_summary(Codes(s), by=["village"]), phase_summary(s, by=["village"]))
    r = unit_ranking(s, by="village").set_index("village")
    # due rows of an enterprise: 东坡村 has eid 2 (three rows, all 不合规) and 4 (合规); the row without eid is pending
    assert r.loc["东坡村", ["企业数", "应履行义务", "已履行", "排名"]].tolist() == [2, 4, 1, 2]
    assert r.loc["西岭村", ["企业数", "应履行义务", "已履行", "履行率", "排名"]].tolist() == [1, 1, 1, 1.0, 1]
    pd.testing.assert_frame_equal(unit_ranking(Codes(s), by="village"), r.reset_index())


def test_a_units_rate_counts_only_the_obligations_of_rules_that_judge_the_enterprise():
    """RULEBOOK §10 “whose enterprises' obligation rate”, §5: an obligation of a station rule (EN002), a village rule
    (DC004) or a record rule (TR004) carries the enterprise's eid but does not judge the enterprise: 西岭村's one
    enterprise fulfilled its one obligation (100%), whatever its station did or its records say."""
    from jicui_compliance.analysis import unit_ranking
    from jicui_compliance.analysis.obligations import Codes

    s = _status_frame()
    others = pd.DataFrame({"phase": "P2", "rule_id": ["EN002", "DC004", "TR004"], "title": "x", "clause": "x",
                           "village": "西岭村", "eid": 1, "status": "不合规"})
    s = pd.concat([s, others], ignore_index=True).astype({"rule_id": "str", "village": "str", "status": "str"})
    for status in (s, Codes(s)):
        r = unit_ranking(status, by="village").set_index("village")
        assert r.loc["西岭村", ["企业数", "应履行义务", "已履行", "未履行", "履行率", "排名"]].tolist() == [1, 1, 1, 0, 1.0, 1]
        assert r.loc["东坡村", ["应履行义务", "已履行", "排名"]].tolist() == [4, 1, 2]


def test_ranking_of_units_that_are_all_missing_is_empty_on_codes_as_on_the_frame():
    """Due rows whose village is missing count nowhere (as groupby leaves them out): no rows, no error."""
    from jicui_compliance.analysis import unit_ranking
    from jicui_compliance.analysis.obligations import Codes

    s = _status_frame().assign(village=None)
    assert unit_ranking(s, by="village").empty
    assert unit_ranking(Codes(s), by="village").empty


def test_status_is_sorted_with_its_codes(small):
    from jicui_compliance.analysis.obligations import coded_status

    coded = coded_status(small)
    s = coded.frame
    keys = ["phase", "rule_id", "period", "village", "unit"]
    pd.testing.assert_frame_equal(s, s.sort_values(keys, kind="mergesort").reset_index(drop=True))
    for k in keys:
        codes, values = coded(k)
        assert (values.take(codes) == s[k]).all()


def _random_parts(seed: int, n: int = 400):
    """A status table as coded_status keeps it: each column positions into a few values (units with a missing
    village, station and enterprise; rules; labels; statuses), with its sorted codes where coded_status has them."""
    from jicui_compliance.analysis.obligations import STATUSES, _sorted_codes, _strings

    rng = np.random.default_rng(seed)
    units = pd.DataFrame({
        "unit": ["甲", "乙", "丙", "丁", "东坡村", "应急站", "甲"],
        "eid": [1, 2, 3, 4, pd.NA, pd.NA, 5],
        "enterprise_name": ["甲", "乙", "丙", "丁", "", "", "甲"],
        "village": ["东坡村", "西岭村", None, "东坡村", "东坡村", "应急站", "西岭村"],
        "station": ["应急站", "", "应急站", "林业站", "", "应急站", None],
        "industry": ["化工", "建筑", "化工", None, "", "", "建筑"],
    })  # text columns as pandas infers them (as coded_status' units table has them), eid of objects
    rules = [("HI001", "带队", "E(1)", "错误"), ("DR001", "演练", "E(15)", "警告"), ("HZ005", "逾期", "E(2)", "错误")]
    labels = ["2023-07", "P2", "2023-06", "2023-H1", "P1"]
    at, rule_at = rng.integers(0, len(units), n), rng.integers(0, len(rules), n)
    period_at, phase_at, status_at = rng.integers(0, len(labels), n), rng.integers(0, 2, n) + 1, rng.integers(0, 3, n)
    parts = {
        **{k: (rule_at, _strings([r[i] for r in rules])) for i, k in enumerate(("rule_id", "title", "clause", "severity"))},
        "phase": (phase_at, _strings(labels)), "period": (period_at, _strings(labels)),
        **{k: (at, units[k].array) for k in ("unit", "eid", "enterprise_name", "village", "station", "industry")},
        "status": (status_at, _strings(list(STATUSES))),
        "records": (None, rng.integers(0, 5, n).astype(float)), "bad_records": (None, rng.integers(0, 2, n).astype(float)),
    }
    codes = {"phase": _sorted_codes(phase_at, labels), "period": _sorted_codes(period_at, labels),
             "rule_id": _sorted_codes(rule_at, [r[0] for r in rules]), "status": _sorted_codes(status_at, list(STATUSES))}
    for k in ("village", "unit"):
        c, values = pd.factorize(units[k], sort=True)
        codes[k] = _sorted_codes(c[at], values)
    frame = pd.DataFrame({k: v if idx is None else v.take(idx) for k, (idx, v) in parts.items()})
    return parts, codes, frame


@pytest.mark.parametrize("seed", range(6))
def test_counts_on_the_parts_of_a_status_table_equal_those_on_its_frame(seed):
    """The report counts on coded_status' parts (the 490k-row frame is never made); notebooks get the frame."""
    from jicui_compliance.analysis import kpis, phase_summary, unit_ranking
    from jicui_compliance.analysis.obligations import Codes

    parts, codes, frame = _random_parts(seed)
    lazy = Codes.lazy(parts, codes, len(frame))
    for rid in ("HI001", "DR001", "HZ005", "XX000"):
        for by in (None, "village", "station", "industry"):
            pd.testing.assert_frame_equal(kpis.coverage(lazy, rid, by), kpis.coverage(frame, rid, by))
    for by in (None, ["station"], ["industry"]):
        pd.testing.assert_frame_equal(phase_summary(lazy, by=by), phase_summary(frame, by=by))
    for by in ("village", "station", "industry"):
        pd.testing.assert_frame_equal(unit_ranking(lazy, by=by), unit_ranking(frame, by=by))
    pd.testing.assert_frame_equal(kpis.head_inspection_matrix(lazy), kpis.head_inspection_matrix(frame))
    mine = frame["village"].to_numpy() == "东坡村"
    assert (lazy.equals("village", "东坡村") == mine).all() and not lazy.equals("village", "无此村").any()
    part = lazy.where(mine)
    pd.testing.assert_frame_equal(kpis.coverage(part, "HI001", "station"), kpis.coverage(frame[mine], "HI001", "station"))
    pd.testing.assert_frame_equal(part.frame, frame[mine].reset_index(drop=True))
    pd.testing.assert_frame_equal(lazy.frame, frame)
    at = np.array([3, 0, 7])
    assert list(lazy.values("title", at)) == list(frame["title"].take(at))


def test_phases_of_days_and_groups_as_one_day_and_factorize_give_them():
    """The phase of every record's day worked out on the whole array (phases with a gap and an overlap, days
    before, between and after), and (enterprise, phase) groups numbered as ``pd.factorize(sort=True)``."""
    from types import SimpleNamespace

    from jicui_compliance.analysis.obligations import _groups, _phases_of_days, phase_of

    phases = [SimpleNamespace(id=i, start=dt.date(2023, *a), end=dt.date(2023, *b)) for i, a, b in
              (("P2", (5, 1), (6, 30)), ("P1", (6, 20), (7, 31)), ("P3", (9, 1), (10, 31)))]

    def holding(day):
        return next((p for p in phases if p.start <= day <= p.end), None)

    campaign = SimpleNamespace(phases=phases, phase_of=holding)
    names = sorted(p.id for p in phases)
    rng = np.random.default_rng(7)
    days = np.datetime64("2023-03-01") + rng.integers(0, 330, 2000)
    want = [names.index(phase_of(campaign, d.item())) for d in days]  # type: ignore[arg-type]
    assert _phases_of_days(campaign, days, names).tolist() == want  # type: ignore[arg-type]
    for key in (rng.integers(0, 50, 300), rng.integers(0, 10**9, 300), np.zeros(0, dtype="int64")):
        got, want_key = _groups(key), pd.factorize(key, sort=True)
        assert got[0].tolist() == want_key[0].tolist() and list(got[1]) == list(want_key[1])


@pytest.fixture(scope="module")
def samples():
    return run_check([Path(__file__).parents[1] / "data" / "samples"], as_of=dt.date(2023, 12, 31))


@pytest.mark.parametrize("town", ["small", "samples"])
def test_record_obligations_as_a_groupby_counts_them(town, request):
    """Each records obligation's rows: per (enterprise, phase of the record's date), the ledger rows dated up to
    as-of and those a finding of the rule stands on — as a plain groupby on the ledger counts them."""
    from jicui_compliance.analysis.obligations import phase_of
    from jicui_compliance.analysis.sources import source_keys

    small = request.getfixturevalue(town)
    status = Analysis(small).status
    seen, bad = 0, 0
    for r in small.rules:
        ob = r.obligation
        if ob is None or ob.when != "records":
            continue
        rows = small.frame(ob.ledger)
        rows = rows[rows["eid"].notna() & rows[ob.date].notna() & (rows[ob.date] < small.as_of_ts + pd.Timedelta(days=1))]
        if rows.empty:
            assert not (status["rule_id"] == r.id).any()
            continue
        f = small.findings[(small.findings["rule_id"] == r.id) & (small.findings["ledger"] == ob.ledger)]
        g = pd.DataFrame({"eid": rows["eid"].astype("int64").to_numpy(),
                          "phase": [phase_of(small.campaign, d.date()) for d in rows[ob.date]],
                          "bad": source_keys(rows).isin(source_keys(f))}).groupby(["eid", "phase"])
        expected = pd.DataFrame({"records": g.size().astype(float), "bad_records": g["bad"].sum().astype(float)})
        got = status[status["rule_id"] == r.id].assign(eid=lambda s: s["eid"].astype("int64"))
        got = got.set_index(["eid", "phase"])[["records", "bad_records"]].sort_index()
        pd.testing.assert_frame_equal(got, expected, check_names=False)
        assert (status.loc[status["rule_id"] == r.id, "status"] == "不合规").sum() == (expected["bad_records"] > 0).sum()
        seen, bad = seen + len(expected), bad + int(expected["bad_records"].sum())
    assert seen > 0 and (bad > 0 or town == "small")


def test_field_at_takes_the_first_row_a_finding_stands_on():
    from jicui_compliance.analysis.sources import field_at, flagged, rows_at

    rows = pd.DataFrame({"source_file": ["a.csv", "a.csv", "b.csv", "a.csv", "c.csv"],
                         "source_sheet": ["", "", "", "", ""],
                         "source_row": pd.array([2, 3, 2, 3, None], dtype="Int64"),
                         "eid": [10, 11, 12, 13, 14]})
    findings = pd.DataFrame({"source_file": ["a.csv", "b.csv", "a.csv", "c.csv", "d.csv"],
                             "source_sheet": ["", "", "", "", ""],
                             "source_row": pd.array([3, 9, 2, None, 2], dtype="Int64")})
    # a.csv row 3 twice: the first; b.csv has no row 9; a missing row matches a missing row; d.csv is not there
    assert rows_at(findings, rows).tolist() == [1, -1, 0, 4, -1]
    got = field_at(findings, rows, "eid")
    assert got[[0, 2, 3]].tolist() == [11, 10, 14] and pd.isna(got[[1, 4]]).all()
    assert flagged(rows, findings).tolist() == [True, True, False, True, True]


@pytest.mark.parametrize("values", [
    ["a.xlsx", "a.xlsx", "b.xlsx", "a.xlsx", "c.csv", "c.csv", "b.xlsx"],  # runs, a value coming back
    ["", "", "", ""], ["x"], [],
    ["a.xlsx", None, "a.xlsx", None, "b.xlsx"],  # missing values: a value of their own
    [None, None, "a.xlsx", "a.xlsx"], ["a.xlsx", "a.xlsx", None, None],  # runs of missing values
])
@pytest.mark.parametrize("dtype", ["str", "ledger"])
def test_source_codes_as_factorize(values, dtype):
    """The files and sheets of ledger rows are numbered run by run as ``pd.factorize`` numbers them row by row."""
    from jicui_compliance.analysis.sources import source_codes
    from jicui_compliance.text import TEXT

    dtype = TEXT if dtype == "ledger" else dtype  # the ledgers' text columns: Python strings, NaN for missing
    frame = pd.DataFrame({"source_file": pd.Series(values, dtype=dtype),
                          "source_sheet": pd.Series(values[::-1], dtype=dtype),
                          "source_row": pd.Series(range(len(values)), dtype="Int64")})
    fc, fn, sc, sn, row = source_codes(frame)
    for col, codes, names in (("source_file", fc, fn), ("source_sheet", sc, sn)):
        want_codes, want_names = pd.factorize(frame[col].astype(object), use_na_sentinel=False)
        assert codes.tolist() == want_codes.tolist()
        assert names.equals(pd.Index(want_names, dtype=object))
    assert row.tolist() == [i + 1 for i in range(len(values))]


def test_texts_joined_per_key_as_a_groupby_joins_them():
    """Reasons, rule counts and sheets are joined per key in one pass, as a groupby (sort=False) joins them:
    keys in the order met, a missing key left out, and (unique) the non-empty texts each once."""
    from jicui_compliance.analysis.rankings import _joined

    f = pd.DataFrame({"k": ["b", "a", "b", None, "a", "b", "c"], "t": ["x", "y", "", "z", "y", "w", ""]})
    want = f.groupby("k", sort=False)["t"].agg("、".join)
    pd.testing.assert_series_equal(_joined(f["k"], f["t"], "、", "k"), want, check_names=False)
    unique = f.groupby("k", sort=False)["t"].agg(lambda s: "；".join(dict.fromkeys(v for v in s if v)))
    pd.testing.assert_series_equal(_joined(f["k"], f["t"], "；", "k", unique=True), unique, check_names=False)


@pytest.mark.parametrize("members", [40, 10**7])  # marked in one array; sorted (too many places to mark)
def test_distinct_per_group_is_groupby_nunique(members):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from jicui_compliance.analysis.rankings import distinct_per_group

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, members)), max_size=60))
    def check(pairs):
        group = np.array([g for g, _ in pairs], dtype=np.int64)
        member = np.array([m for _, m in pairs], dtype=np.int64)
        expected = pd.Series(member).groupby(group).nunique().reindex(range(7), fill_value=0).to_numpy()
        assert distinct_per_group(group, member, 7).tolist() == expected.tolist()

    check()


def test_a_village_is_ranked_among_the_town_s_villages(samples):
    """The village's ranking row is its row of the town-wide ranking: 排名 its place among all villages, as its
    letter's “为N个村中最低” compares it (not 1 of 1)."""
    town = Analysis(samples).ranking("village")
    for village in town["village"]:
        own = Analysis(samples, village=village).ranking("village")
        pd.testing.assert_frame_equal(own, town[town["village"] == village].reset_index(drop=True))
    assert town["排名"].max() > 1


def test_the_comparison_counts_every_hazard_and_does_not_call_them_all_major(tmp_path):
    """与上期对比 counted 一般 hazards in a row named 重大事故隐患（项）: the row now says 隐患（项）, as the
    reports' other hazard tables, which count 重大 and 一般 alike (docs/guide/analysis.md)."""
    from jicui_compliance.analysis.comparison import figures

    write_case({"hazards": [
        {"enterprise": "甲公司", "hazard_no": "Y1", "description": "x", "found_on": "2023-06-01", "source": "企业自查",
         "level": "重大", "deadline": "2023-06-30", "reported_on": "2023-06-02", "done_on": "2023-06-20",
         "verified_on": "2023-06-25", **CLOSED},
        {"enterprise": "乙公司", "hazard_no": "Y2", "description": "y", "found_on": "2023-06-05", "source": "企业自查",
         "level": "一般", "deadline": "2023-06-30", "reported_on": "2023-06-06",
         **{**CLOSED, "status": "整改中", "verifier": None}},
    ]}, tmp_path)
    f = figures(Analysis(run_check([tmp_path], as_of=dt.date(2023, 7, 31))))
    assert not any("重大" in name for name in f)
    assert (f["隐患（项）"], f["已整改（项）"], f["未整改（项）"], f["其中逾期（项）"]) == (2, 1, 1, 1)


def test_an_overdue_hazard_is_new_on_the_day_it_falls_overdue_not_in_the_month_it_was_found(tmp_path):
    """Dated by 发现日期 (July), HZ005 of a hazard overdue from 16 August was “new” in no report: July's report
    came before it existed, August's looked for July dates. It arises the day after its 整改期限 now; HZ006
    (done, not closed) on its 整改完成日期."""
    write_case({"hazards": [
        {"enterprise": "甲公司", "hazard_no": "Y1", "description": "x", "found_on": "2023-07-10", "source": "企业自查",
         "deadline": "2023-08-15", "reported_on": "2023-07-11", **{**CLOSED, "status": "整改中", "verifier": None}},
        {"enterprise": "乙公司", "hazard_no": "Y2", "description": "y", "found_on": "2023-07-01", "source": "企业自查",
         "deadline": "2023-09-30", "reported_on": "2023-07-02", "done_on": "2023-08-05",
         **{**CLOSED, "status": "已整改", "verifier": None}},
        {"enterprise": "丙公司", "hazard_no": "Y3", "description": "z", "found_on": "2023-08-18", "source": "企业自查",
         "deadline": "2023-08-10", "reported_on": "2023-08-18", **{**CLOSED, "status": "整改中", "verifier": None}},
    ]}, tmp_path)
    a = Analysis(run_check([tmp_path], as_of=dt.date(2023, 8, 20)))
    d = a.dated.set_index(["rule_id", "enterprise_name"])["date"]
    assert d[("HZ005", "甲公司")] == pd.Timestamp("2023-08-16")
    assert d[("HZ006", "乙公司")] == pd.Timestamp("2023-08-05")
    assert d[("HZ005", "丙公司")] == pd.Timestamp("2023-08-18")  # found after its deadline: new when found
    august = a.dated[(a.dated["date"] >= "2023-08-01") & (a.dated["date"] <= "2023-08-20")]
    assert {("HZ005", "甲公司"), ("HZ006", "乙公司")} <= set(zip(august["rule_id"], august["enterprise_name"]))


def test_a_typical_accident_is_an_obligation_of_the_enterprises_of_its_industries(tmp_path):
    """TR006 had no obligation: its findings were reported but counted in no 履行率. Each typical accident of the
    campaign now binds the enterprises of its industries (the 2023-04-18 fire: all four; the 2023-06-21 gas
    explosion: 丁公司 alone, 文化旅游), due on the last day of its education, counted in the phase it falls in."""
    write_case({"training": [
        {"enterprise": n, "date": "2023-06-07", "kind": "事故警示教育", "topic": "警示", "attendees": 10}
        for n in ("甲公司", "乙公司", "丙公司", "丁公司")]}, tmp_path)
    st = Analysis(run_check([tmp_path], as_of=dt.date(2023, 12, 31))).status
    tr = st[st["rule_id"] == "TR006"]
    got = sorted(zip(tr["period"], tr["unit"], tr["status"], tr["phase"]))
    assert got == [("2023-04-18", n, "合规", "P2") for n in ("丁公司", "丙公司", "乙公司", "甲公司")] + [
        ("2023-06-21", "丁公司", "不合规", "P2")]
    early = Analysis(run_check([tmp_path], as_of=dt.date(2023, 7, 1))).status
    assert sorted(early.loc[early["rule_id"] == "TR006", "status"]) == ["合规"] * 4 + ["待到期"]


def test_hazards_of_a_sheet_without_completion_dates_are_counted_by_their_status(tmp_path):
    """A hazard sheet without 整改完成日期 and 验收日期 columns: the report counts its hazards as HZ005 reads them
    (audit 7): 已整改 done, 已销号 done and closed, 整改中 past its deadline overdue, an empty status neither done nor
    overdue."""
    base = {"enterprise": "甲公司", "description": "配电箱未接地", "found_on": "2023-06-10", "source": "企业自查",
            "immediate": "否", "deadline": "2023-07-20"}
    write_case({"hazards": [
        {**base, "hazard_no": "YH-1", "status": "整改中"},
        {**base, "hazard_no": "YH-2", "status": "已整改"},
        {**base, "hazard_no": "YH-3", "status": "已销号"},
        {**base, "hazard_no": "YH-4", "status": ""},
    ]}, tmp_path)
    result = run_check([tmp_path], as_of=dt.date(2023, 7, 31))
    h = Analysis(result).existing_hazards.set_index("hazard_no")
    assert h["done"].to_dict() == {"YH-1": False, "YH-2": True, "YH-3": True, "YH-4": False}
    assert h["closed"].to_dict() == {"YH-1": False, "YH-2": False, "YH-3": True, "YH-4": False}
    assert h["overdue"].to_dict() == {"YH-1": True, "YH-2": False, "YH-3": False, "YH-4": False}
    hz005 = result.findings[result.findings["rule_id"] == "HZ005"]
    assert len(hz005) == int(h["overdue"].sum()) == 1
