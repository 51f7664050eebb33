import datetime as dt

from jicui_compliance.campaign import load_campaign


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
