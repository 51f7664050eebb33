"""What a rule says the plan or a law says (audit 8): a quote of the plan is word for word, or cut with ……;
the tool's own reading of a paragraph is told apart from the plan's words; a law's article is the one that says it."""

import re

from jicui_compliance.rules import REGISTRY

#: the plan's paragraphs these rules quote (方积政发〔2023〕11号), as the plan writes them
PLAN = {
    "E(10)": "严格履行电气焊等动火作业审批手续，督促作业人员严格遵守消防安全操作规程，明确现场监护人员，"
             "严格落实消防安全措施检查和作业过程监督。",
    "D3(3)": "对排查整治不力导致重大事故隐患依然存在或发生事故的，要依法对企业和企业主要负责人实行“一案双罚”。",
}


def _quoted(text: str, clause: str) -> list[str]:
    """The plan's words a text gives after ``方案 E(10) 要求`` (in “…”) or after ``D3(3)：`` (up to the bracket)."""
    code = re.escape(clause)
    return (re.findall(rf"{code} 要求“([^”]*)”", text)
            + re.findall(rf"(?<![A-Z]){code}：([^（）]*?)(?:）|$)", text))


def test_the_hot_work_messages_quote_e10_and_say_what_the_tool_reads_into_it():
    """方案 E(10) 要求 is followed by the plan's words in quotes; what the tool (or the standard) makes of them
    follows 据此: a notice does not put the tool's requirements in the plan's mouth."""
    tails = {
        "HW001": "方案 E(10) 要求“严格履行电气焊等动火作业审批手续”；据此，作业票应在动火前经审批，并写明审批人和审批时间",
        "HW002": "方案 E(10) 要求“严格履行电气焊等动火作业审批手续”；据此，须经审批后方可动火",
        "HW003": "方案 E(10) 要求“明确现场监护人员”；据此，监护人应由动火人以外的人员担任，并在作业全过程现场监护",
        "HW005": "方案 E(10) 要求“严格落实消防安全措施检查”；据此，动火前应清理可燃物、配备灭火器材，并在作业票上确认",
        "HW008": "方案 E(10) 要求“严格履行电气焊等动火作业审批手续”；据此，长时间动火宜分段重新审批，并重新确认现场安全措施",
    }
    for rid, tail in tails.items():
        assert REGISTRY[rid].message.endswith(tail), (rid, REGISTRY[rid].message)
    messages = [r.message for r in REGISTRY.values() if "方案 E(10) 要求" in r.message]
    assert messages and all("方案 E(10) 要求“" in m for m in messages), messages


def test_every_quote_of_e10_and_d3_3_is_the_plans_own_words():
    """Each quote of E(10) and D3(3) in a rule's message or documentation is a piece of the paragraph as written
    (HW008 quoted “严格履行动火作业审批手续”, DC002 dropped 或发生事故)."""
    for rule in REGISTRY.values():
        for clause, paragraph in PLAN.items():
            for quote in _quoted(rule.message, clause):
                assert quote.rstrip("。") in paragraph, (rule.id, quote)
    doc = REGISTRY["HW008"].doc
    assert "“严格履行电气焊等动火作业审批手续”的参照" in doc and "“严格履行动火作业审批手续”" not in doc
    assert "D3(3)：对排查整治不力导致重大事故隐患依然存在或发生事故的，要依法对企业和企业主要负责人实行“一案双罚”）" \
        in REGISTRY["DC002"].message


def test_sw002_cites_the_article_that_allows_six_years():
    """The six-year review for 10 years in the same work is the second half of 第二十一条 of the 特种作业人员安全技术
    培训考核管理规定 (第二十二条 is the application within 60 days before the review is due)."""
    doc = REGISTRY["SW002"].doc
    assert "规定第二十一条（后半段）允许连续从事本工种 10 年以上的人员" in doc
    assert not [r.id for r in REGISTRY.values() if "第二十二条" in r.doc + r.message]
