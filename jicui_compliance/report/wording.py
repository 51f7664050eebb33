"""The office's language: clause codes as the plan numbers them, no rule IDs or severity words.

The findings cite the plan by the RULEBOOK's short codes ("方案 E(11)", "D3(2)", "P2（…）"); a
document that leaves the office cites the plan as its readers know it: 三（一）（11）, 三（二）3（2），
第二阶段（…）. :func:`plain` rewrites a finding's message; :func:`clause_text` a clause column.

A message is the rule's template filled with values, and the values are data as written (a hazard
numbered “D1”, a description “G3仓库…”): given the rule, only the template's own words are rewritten.

>>> plain("方案 E(11)：组织对电气焊设备进行全面安全检查")
'方案三（一）（11）：组织对电气焊设备进行全面安全检查'
>>> plain("方案 E(10) 要求严格履行电气焊等动火作业审批手续；方案 四(一) 要求")
'方案三（一）（10）要求严格履行电气焊等动火作业审批手续；方案四（一）要求'
>>> plain("（方案 D3(1)：对企业自查……；D4(7)：……）")
'（方案三（二）3（1）：对企业自查……；三（二）4（7）：……）'
>>> plain("杏花村在P1（动员部署，截至2023年5月31日）前无动员部署会记录")
'杏花村在第一阶段（动员部署，截至2023年5月31日）前无动员部署会记录'
>>> plain("隐患“D1”（G3仓库货架倒塌）整改期限为2023-09-30，截至2023-12-31仍未整改完成（已逾期92天）；"
...       "请督促整改并如实填写整改完成日期（方案 E(2)：明确期限，实行闭环管理）", "HZ005")
'隐患“D1”（G3仓库货架倒塌）整改期限为2023-09-30，截至2023-12-31仍未整改完成（已逾期92天）；请督促整改并如实填写整改完成日期（方案三（一）（2）：明确期限，实行闭环管理）'
>>> clause_text("EXT: GB 30871-2022（参照）")
'GB 30871-2022（参照）'
>>> clause_text("E(4)")
'方案三（一）（4）'
>>> clause_text("G1, P1")
'方案三（三）1；方案四、第一阶段'
>>> rule_titles("HI001×7、DR001×1")
'当月无主要负责人带队检查×7、全年无应急演练×1'
>>> phase_text("P3")
'第三阶段'
"""

from __future__ import annotations

import re
import string
from functools import cache

import pandas as pd

from ..campaign import calendar_text

_PHASE = {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "6": "六"}
_RULES = (
    (re.compile(r"方案\s*(?=[EDGS]\d)"), "方案"),
    (re.compile(r"(?<![A-Za-z0-9])E\((\d+)\)"), r"三（一）（\1）"),
    (re.compile(r"(?<![A-Za-z0-9])D(\d)\((\d+)\)"), r"三（二）\1（\2）"),
    (re.compile(r"(?<![A-Za-z0-9])D(\d)(?![\d(])"), r"三（二）\1"),
    (re.compile(r"(?<![A-Za-z0-9])G(\d)(?!\d)"), r"三（三）\1"),
    (re.compile(r"(?<![A-Za-z0-9])S3(?!\d)"), "五（三）"),
    (re.compile(r"方案\s+(?=[一二三四五六])"), "方案"),
    (re.compile(r"([一二三四五六])\(([一二三四五六七八九十])\)"), r"\1（\2）"),
)
_PHASE_RE = re.compile(r"(?<![A-Za-z0-9])P([1-6])(?=（)")
#: the space that set “E(10)” apart in “方案 E(10) 要求”: Chinese sets none after 三（一）（10）
_SPACE_AFTER_CLAUSE = re.compile(r"(?<=[）)]) (?=[\u4e00-\u9fff])")
#: rule IDs (HZ005, SCH001 …) and the severity words that must not stand in a sentence
RULE_ID = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,3}\d{3}(?![0-9])")
SEVERITY_WORDS = ("“错误”级", "“警告”级", "“提示”级", "错误级", "警告级", "提示级")
#: a finding's severity as the office says it (the narrative's words). Not "违反方案要求的问题": the 错误 of the
#: rules that judge a record (SCH, FMT, REF …) say that a ledger is wrong, not that anyone breached the plan
SEVERITY_TEXT = {"错误": "须纠正的问题", "警告": "需核实完善的问题", "提示": "提示事项"}
#: the 四个一批 counts: they count only the findings of rules that judge the enterprise, whose 错误 are breaches of the plan
LIST_COUNT_TEXT = {"错误": "违反方案要求的问题", "警告": "需核实完善的问题"}
#: what no document may hold: rule IDs, the RULEBOOK's clause and phase codes (E(4), D3(1), G1, P2, EXT:),
#: the data-quality families (SCH/FMT/REF) and severity words used as labels
LEAK = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2,3}\d{3}(?!\d)|E\(\d+\)|D\d(?:\(\d+\))?(?![A-Za-z0-9])|[GSP]\d(?![A-Za-z0-9])"
                  r"|EXT:|SCH|FMT|REF)|“(?:错误|警告|提示)”|(?:错误|警告|提示)级")


def plain(text: str, rule: str | None = None) -> str:
    """A finding's message in the plan's own numbering (see the module doc). ``rule``: the ID of the
    rule whose message ``text`` is: only the words of its template are rewritten (and the phase label
    the tool fills in, :data:`TOOL_FIELDS`), never the values filled into it; the message of an earlier
    run through :func:`plain` is recognised too, and comes back as it is. Without ``rule``, or for a
    text that is not that rule's message, the whole text is rewritten: for texts that quote no data
    (a clause, a list's criterion)."""
    if not text:
        return text
    parts = _template(rule) if rule else None
    if parts is not None:
        _, literals, fields = parts
        for office in (False, True):  # as built, else as written by plain
            m = _pattern(rule, office).fullmatch(text)
            if m is None:
                continue
            out, values = [], iter(m.groups())
            for literal, field in zip(literals, fields):
                out.append(literal)
                if field is not None:
                    value = next(values)
                    out.append(_codes(value) if field in TOOL_FIELDS else value)
            return "".join(out)
    return _codes(text)


#: the fields of a message template the tool fills with its own words rather than the ledgers' data:
#: the phase label "P2（企业自查自改和部门帮扶，截至2023年7月31日）" (``Campaign.period_text``)
TOOL_FIELDS = frozenset({"period_text"})


@cache
def _template(rule: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str | None, ...]] | None:
    """A rule's message template: its words, its words in the plan's numbering, and the field after each."""
    from ..rules import REGISTRY

    if rule not in REGISTRY:
        return None
    parsed = list(string.Formatter().parse(REGISTRY[rule].message))
    literals = tuple(lit for lit, _, _, _ in parsed)
    fields = tuple(field for _, field, _, _ in parsed)
    return literals, tuple(_codes(lit) for lit in literals), fields


@cache
def _pattern(rule: str, office: bool) -> re.Pattern[str]:
    """The pattern matching a rule's messages as built (``office`` False) or as :func:`plain` wrote them (a group per
    field). Compiled when first asked for: a report's messages are as built, and compiling both patterns of the
    some eighty rules with findings took a county report 18 ms."""
    template = _template(rule)
    assert template is not None
    literals, office_words, fields = template
    words = office_words if office else literals
    return re.compile("".join(re.escape(w) + ("(.*?)" if f is not None else "") for w, f in zip(words, fields)), re.S)


def _codes(text: str) -> str:
    """Every clause and phase code of ``text`` in the plan's numbering."""
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    text = _PHASE_RE.sub(lambda m: f"第{_PHASE[m.group(1)]}阶段", text)
    return _SPACE_AFTER_CLAUSE.sub("", text)


def phase_text(phase: str) -> str:
    """A phase as the plan names it: "P3" → 第三阶段 (anything else as it is)."""
    m = re.fullmatch(r"P([1-6])", str(phase))
    return f"第{_PHASE[m.group(1)]}阶段" if m else str(phase)


def period_text(period: str) -> str:
    """A period label of findings.csv as a report writes it: "P3" → 第三阶段, and the calendar's labels as
    :func:`~jicui_compliance.campaign.calendar_text` writes them ("2023-07" → 2023年7月, "2023-H1" → 2023年上半年)."""
    return calendar_text(phase_text(period))


def rule_titles(text: str) -> str:
    """Every rule ID in ``text`` replaced by the rule's title: "HI001×7" → 当月无主要负责人带队检查×7."""
    from ..rules import REGISTRY

    if not isinstance(text, str):
        return text
    return RULE_ID.sub(lambda m: REGISTRY[m.group()].title if m.group() in REGISTRY else m.group(), text)


def leaks(text: str) -> list[str]:
    """What ``text`` holds that a document leaving the office may not (see :data:`LEAK`)."""
    return [m.group() for m in LEAK.finditer(text or "")]


def office_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A report table in the office's language (the report's tables are made through it): a rule ID
    column (规则) beside the rule's title (名称) is dropped, or else shows the title; 严重程度 becomes
    问题类别 in :data:`SEVERITY_TEXT`'s words, and the 四个一批 counts "错误", "警告" say which problems
    they count (:data:`LIST_COUNT_TEXT`); 条款 as :func:`clause_text`; 示例, 说明 and 列入条件 as :func:`plain`; 依据发现 names the rules by
    their titles; a 期间 or 月份 (P2, 2023-07, 2023-H1) as :func:`period_text`. The analysis frames keep their IDs: notebooks and findings.csv speak the RULEBOOK's.
    示例 and 说明 are findings' messages: :func:`plain` is told each row's rule (by its 规则, or by its title in
    名称 once 规则 is gone: a table made from a report table), so the data they quote stay as written."""
    out = frame
    rules = _row_rules(frame)
    if "规则" in out.columns:
        out = out.drop(columns="规则") if "名称" in out.columns else out.assign(规则=out["规则"].map(rule_titles))
    if "严重程度" in out.columns:
        out = out.assign(严重程度=out["严重程度"].map(lambda v: SEVERITY_TEXT.get(str(v), v)))
        out = out.rename(columns={"严重程度": "问题类别"})
    out = out.rename(columns={k: f"{v}（条）" for k, v in LIST_COUNT_TEXT.items() if k in out.columns})
    for column, how in (("条款", clause_text), ("列入条件", plain), ("依据发现", rule_titles), ("期间", period_text),
                        ("月份", period_text)):
        if column in out.columns:
            out = out.assign(**{column: out[column].map(lambda v, how=how: how(v) if isinstance(v, str) else v)})
    for column in ("示例", "说明"):
        if column in out.columns:
            out = out.assign(**{column: [plain(v, r) if isinstance(v, str) else v for v, r in zip(out[column], rules)]})
    return out


def _row_rules(frame: pd.DataFrame) -> list[str | None]:
    """Each row's rule ID: its 规则 (an ID, or the title :func:`office_frame` put there) or its 名称 (a title)."""
    from ..rules import REGISTRY

    by_title = {r.title: rid for rid, r in REGISTRY.items()}
    out: list[str | None] = [None] * len(frame)
    for column in ("名称", "规则"):  # 规则 wins
        if column in frame.columns:
            out = [v if v in REGISTRY else by_title.get(v, r) if isinstance(v, str) else r
                   for v, r in zip(frame[column], out)]
    return out


def clause_text(clause: str) -> str:
    """A clause column as the reader knows it: "E(4)" → 方案三（一）（4）; "EXT: 行政处罚法 第18条" → 行政处罚法 第18条;
    several (``;``-separated) joined with "；"; "—" (none) → "". A code a rule shows as another paragraph
    (:attr:`~jicui_compliance.rules.base.Rule.shown_clause`: ENT001's 三(二)4) is shown as that paragraph.

    >>> clause_text("三(二)4")
    '方案一（二）4'
    """
    from ..rules.base import SHOWN_CLAUSES

    clause = SHOWN_CLAUSES.get(clause.strip(), clause) if clause else clause
    parts = []
    for c in re.split(r"[;,]", clause or ""):
        c = c.strip()
        if not c or c == "—":
            continue
        if c.startswith("EXT:"):
            parts.append(c[4:].strip())
        elif re.fullmatch(r"P[1-6]", c):
            parts.append(f"方案四、第{_PHASE[c[1]]}阶段")
        else:
            parts.append("方案" + plain(c))
    return "；".join(parts)
