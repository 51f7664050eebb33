"""What a rule says the plan or a law says (audit 8): a quote of the plan is word for word, or cut with ……;
the tool's own reading of a paragraph is told apart from the plan's words; a law's article is the one that says it."""

from jicui_compliance.rules import REGISTRY


def test_sw002_cites_the_article_that_allows_six_years():
    """The six-year review for 10 years in the same work is the second half of 第二十一条 of the 特种作业人员安全技术
    培训考核管理规定 (第二十二条 is the application within 60 days before the review is due)."""
    doc = REGISTRY["SW002"].doc
    assert "规定第二十一条（后半段）允许连续从事本工种 10 年以上的人员" in doc
    assert not [r.id for r in REGISTRY.values() if "第二十二条" in r.doc + r.message]
