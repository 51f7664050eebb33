"""The office's language: clause codes as the plan numbers them, no rule IDs or severity words.

The findings cite the plan by the RULEBOOK's short codes ("方案 E(11)", "D3(2)", "P2（…）"); a
document that leaves the office cites the plan as its readers know it: 三（一）（11）, 三（二）3（2），
第二阶段（…）. :func:`plain` rewrites a finding's message; :func:`clause_text` a clause column.

>>> plain("方案 E(11)：组织对电气焊设备进行全面安全检查")
'方案三（一）（11）：组织对电气焊设备进行全面安全检查'
>>> plain("（方案 D3(1)：对企业自查……；D4(7)：……）")
'（方案三（二）3（1）：对企业自查……；三（二）4（7）：……）'
>>> plain("杏花村在P1（动员部署，截至2023年5月31日）前无动员部署会记录")
'杏花村在第一阶段（动员部署，截至2023年5月31日）前无动员部署会记录'
>>> clause_text("EXT: GB 30871-2022（参照）")
'GB 30871-2022（参照）'
>>> clause_text("E(4)")
'方案三（一）（4）'
"""

from __future__ import annotations

import re

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
#: rule IDs (HZ005, SCH001 …) and the severity words that must not stand in a sentence
RULE_ID = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2,3}\d{3}(?![0-9])")
SEVERITY_WORDS = ("“错误”级", "“警告”级", "“提示”级", "错误级", "警告级", "提示级")


def plain(text: str) -> str:
    """A finding's message in the plan's own numbering (see the module doc)."""
    if not text:
        return text
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return _PHASE_RE.sub(lambda m: f"第{_PHASE[m.group(1)]}阶段", text)


def clause_text(clause: str) -> str:
    """A clause column as the reader knows it: "E(4)" → 方案三（一）（4）; "EXT: 行政处罚法 第18条" → 行政处罚法 第18条;
    several (``;``-separated) joined with "；"; "—" (none) → ""."""
    parts = []
    for c in (clause or "").split(";"):
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
