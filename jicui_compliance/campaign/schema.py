"""What a campaign file may hold, declared once, and its checking.

:func:`campaign_schema` lists every key of the file with its kind (text, date, list of texts …), whether it is
required and, for tables, the keys inside; :func:`validate` checks a parsed file against it (missing keys,
wrong kinds, unknown keys anywhere) and then the calendar (:func:`_check_calendar`: start ≤ end, the phases
P1–P4 in order and inside the campaign, the head-inspection months, every industry's station).
Every problem is a :class:`CampaignError` with one Chinese sentence naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, fields
from functools import cache
from typing import Any

__all__ = ["CampaignError", "Field", "campaign_schema", "PHASE_IDS", "schema_rows", "validate", "toml_syntax_reason"]


class CampaignError(ValueError):
    """A campaign file that cannot be used; the message is the one line the user reads."""


#: the phases the rules refer to by number (RULEBOOK §2)
PHASE_IDS = ("P1", "P2", "P3", "P4")

TEXT, DATE, BOOL, INT, MONTH, TEXTS, TABLE, TABLES = "text", "date", "bool", "int", "month", "texts", "table", "tables"

#: what each kind should look like, as the message says it
EXPECTED = {
    TEXT: '文字（加英文双引号，如 "积翠镇"）',
    DATE: "日期（写作 2023-05-01，不加引号）",
    BOOL: "布尔值 true 或 false（小写，不加引号）",
    INT: "整数（不加引号）",
    MONTH: '“YYYY-MM”形式的月份（如 "2023-06"，月份在 01—12 之间）',
    TEXTS: '文字列表（如 ["综合行政执法队"]）',
    TABLE: "表",
    TABLES: "一组表（每项以 [[{key}]] 开头）",
}


@dataclass(frozen=True)
class Field:
    key: str
    kind: str
    required: bool = True
    #: a text may be "" / a list may be []
    empty: bool = False
    #: the keys of a table, or of each table of a list of tables
    fields: tuple[Field, ...] = ()
    #: the smallest integer allowed
    minimum: int | None = None
    #: what the key means, in the analysts' words (the user guide's table of keys is made from it)
    doc: str = ""


def _documents_fields() -> tuple[Field, ...]:
    from . import Documents

    out = []
    for f in fields(Documents):
        default = f.default
        if isinstance(default, tuple):
            out.append(Field(f.name, TEXTS, required=False, empty=f.name == "letter_copy"))
        elif isinstance(default, int):
            out.append(Field(f.name, INT, required=False, minimum=1))
        else:
            out.append(Field(f.name, TEXT, required=False))
    return tuple(out)


@cache
def campaign_schema() -> tuple[Field, ...]:
    """Every key of a campaign file (built on first use: ``[documents]`` follows :class:`Documents`)."""
    return (
        # version 2 (RULEBOOK §9): optional, defaults when left out
        Field("enforcers", TEXTS, required=False, doc="有执法主体资格的单位（EN007），默认 [\"综合行政执法队\"]"),
        Field("crowded_venue_keywords", TEXTS, required=False, empty=True,
              doc="人员密集场所的名称关键词（定为高危），默认商场、宾馆、娱乐场所等"),
        Field("campaign", TABLE, doc="专项行动本身", fields=(
            Field("name", TEXT, doc="行动名称"), Field("town", TEXT, doc="镇名"),
            Field("document", TEXT, required=False, empty=True, doc="方案文号"),
            Field("start", DATE, doc="专项行动开始日"), Field("end", DATE, doc="专项行动结束日"),
        )),
        Field("phases", TABLES, doc="依次为 P1、P2、P3、P4 四个阶段（规则按这些编号核查），按时间先后、互不重叠、在专项行动期间之内",
              fields=(Field("id", TEXT, doc="阶段编号 P1—P4"), Field("name", TEXT, doc="阶段名称"),
                      Field("start", DATE, doc="阶段开始日"), Field("end", DATE, doc="阶段结束日"))),
        Field("obligations", TABLE, doc="按期履行的义务", fields=(
            Field("head_inspection_months", TABLE, doc="主要负责人每月带队检查的起止月份（方案 E(4)），在专项行动的月份之内",
                  fields=(Field("first", MONTH, doc="第一个月"), Field("last", MONTH, doc="最后一个月"))),
            Field("drill_year", INT, doc="演练年度（方案 E(15)），在专项行动的年份之内"),
        )),
        Field("leaders", TABLES, required=False, doc="镇领导（方案 G2）；不列时 GV002、GV005 不核查",
              fields=(Field("name", TEXT, doc="姓名"), Field("role", TEXT, required=False, empty=True, doc="职务"))),
        Field("industries", TABLES, doc="行业领域及其牵头站所（行业名称不能重复）", fields=(
            Field("name", TEXT, doc="行业领域"), Field("station", TEXT, doc="牵头站所"),
            Field("high_risk", BOOL, doc="是否默认为高危行业领域"),
            Field("also_accepted", TEXTS, required=False, empty=True, doc="也可牵头的站所"),
        )),
        Field("typical_accidents", TABLES, required=False, empty=True, doc="典型事故（TR006），默认方案所列两起", fields=(
            Field("date", DATE, doc="事故日期"), Field("name", TEXT, doc="事故名称"),
            Field("industries", TEXTS, required=False, empty=True, doc="须开展警示教育的行业（须为上面列出的行业；空为所有行业）"),
            Field("note", TEXT, required=False, empty=True, doc="说明"),
        )),
        Field("documents", TABLE, required=False, doc="发文机关、文号、主送、期限，见使用指南“文书”", fields=_documents_fields()),
    )


#: each kind as the user guide's table of keys names it
KIND_TEXT = {TEXT: "文字", DATE: "日期", BOOL: "true/false", INT: "整数", MONTH: "月份 \"YYYY-MM\"", TEXTS: "文字列表",
             TABLE: "表", TABLES: "一组表"}


def schema_rows() -> list[tuple[str, str, str, str]]:
    """The keys of a campaign file, one row each: (key as written, kind, required, meaning) — the user guide's
    table (docs/_ext), so that it is never written apart from the checking."""
    rows: list[tuple[str, str, str, str]] = []

    def walk(spec: tuple[Field, ...], owner: str, owner_required: bool) -> None:
        for f in spec:
            key = f"{owner} 的 {f.key}" if owner else _shown(f)
            needed = "否" if not f.required else "是" if owner_required else "列出上一级时必填"
            rows.append((key, KIND_TEXT[f.kind], needed, f.doc))
            if f.fields and f.key != "documents":  # [documents]: its own page (文书)
                walk(f.fields, key, f.required and owner_required)

    walk(campaign_schema(), "", True)
    return rows


# -- describing values and places -----------------------------------------------------------------

def _got(v: Any) -> str:
    if isinstance(v, bool):
        return f"布尔值 {'true' if v else 'false'}"
    if isinstance(v, str):
        return f"文字“{v}”" if v.strip() else "空文字"
    if isinstance(v, int | float):
        return f"数字 {v}"
    if isinstance(v, dt.datetime):
        return f"日期时间 {v.isoformat(sep=' ')}"
    if isinstance(v, dt.date):
        return f"日期 {v.isoformat()}"
    if isinstance(v, dt.time):
        return f"时间 {v.isoformat()}"
    if isinstance(v, list):
        return "列表" if v else "空列表 []"
    if isinstance(v, dict):
        return "表"
    return type(v).__name__  # pragma: no cover - tomllib gives no other kind


def _shown(f: Field) -> str:
    """How a key is written in the file: [campaign], [[phases]], or the key."""
    return f"[{f.key}]" if f.kind == TABLE else f"[[{f.key}]]" if f.kind == TABLES else f.key


def _kind_ok(f: Field, v: Any) -> bool:
    if f.kind == TEXT:
        return isinstance(v, str)
    if f.kind == DATE:
        return isinstance(v, dt.date) and not isinstance(v, dt.datetime)
    if f.kind == BOOL:
        return isinstance(v, bool)
    if f.kind == INT:
        return isinstance(v, int) and not isinstance(v, bool)
    if f.kind == MONTH:
        return isinstance(v, str) and _month(v) is not None
    if f.kind == TEXTS:
        return isinstance(v, list)
    if f.kind == TABLE:
        return isinstance(v, dict)
    return isinstance(v, list)  # TABLES


def _month(text: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return int(m.group(1)), int(m.group(2))


def _then(owner: str) -> str:
    """``owner`` followed by Chinese text: a space after a key or ``]``, none after a Chinese character."""
    return owner + " " if owner and (owner[-1].isascii()) else owner


def _item_label(i: int, item: Any) -> str:
    label = f"第{i}项"
    if isinstance(item, dict):
        tag = item.get("id") if isinstance(item.get("id"), str) else item.get("name")
        if isinstance(tag, str) and tag.strip():
            label += f"（{tag.strip()}）"
    return label


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, text: str) -> None:
        raise CampaignError(f"方案文件 {self.source} 中{' ' if text[0].isascii() else ''}{text}")

    def table(self, data: dict, spec: tuple[Field, ...], owner: str, prefix: str) -> None:
        """``owner``: the table as the message names it ("" at the top); ``prefix``: put before a key."""
        known = {f.key: f for f in spec}
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
                hint = f"是否应为 {close[0]}？" if close else ""
                self.fail(f"{_then(owner or '顶层')}有未知的键 {key}（{hint}可用的键：{'、'.join(known)}）")
        for f in spec:
            shown = _shown(f) if not prefix else f.key
            if f.key not in data:
                if f.required:
                    self.fail(f"{_then(owner)}缺少 {shown}")
                continue
            where = shown if not prefix else prefix + f.key
            self.value(f, data[f.key], where, f"[{f.key}] 的 " if not prefix else where + ".")

    def value(self, f: Field, v: Any, where: str, inner: str) -> None:
        """``inner``: put before the keys of ``v`` when it is a table."""
        if not _kind_ok(f, v):
            expected = EXPECTED[f.kind].format(key=f.key)
            self.fail(f"{where} 应为{expected}，收到{_got(v)}")
        if f.kind == TEXT and not f.empty and not v.strip():
            self.fail(f"{where} 不能为空")
        if f.kind == INT and f.minimum is not None and v < f.minimum:
            self.fail(f"{where} 应不小于 {f.minimum}，收到 {v}")
        if f.kind == TEXTS:
            if not v and not f.empty:
                self.fail(f"{where} 不能为空列表")
            for i, x in enumerate(v, 1):
                if not isinstance(x, str) or not x.strip():
                    self.fail(f"{where} 的第{i}个值应为非空文字（加英文双引号），收到{_got(x)}")
        if f.kind == TABLE:
            self.table(v, f.fields, where, inner)
        if f.kind == TABLES:
            if not v and not f.empty:
                self.fail(f"缺少 {_shown(f)}（至少一项）")
            for i, item in enumerate(v, 1):
                name = f"{f.key} {_item_label(i, item)}"
                if not isinstance(item, dict):
                    self.fail(f"{name} 应为表（以 [[{f.key}]] 开头），收到{_got(item)}")
                self.table(item, f.fields, name, f"{name}的 ")


def validate(data: dict, source: str) -> None:
    """Check a parsed campaign file; raise :class:`CampaignError` with one Chinese line at the first problem."""
    check = _Checker(source)
    check.table(data, campaign_schema(), "", "")
    _check_calendar(data, check)


def _d(day: dt.date) -> str:
    return day.isoformat()


def _check_calendar(data: dict, check: _Checker) -> None:
    c = data["campaign"]
    if c["end"] < c["start"]:
        check.fail(f"[campaign] 的 end（{_d(c['end'])}）早于 start（{_d(c['start'])}）")
    phases = data["phases"]
    ids = [p["id"].strip() for p in phases]
    if ids != list(PHASE_IDS):
        check.fail(f"[[phases]] 应依次为 {'、'.join(PHASE_IDS)} 四个阶段（规则按这些编号核查），收到 {'、'.join(ids)}")
    previous = None
    for i, p in enumerate(phases, 1):
        name = f"phases 第{i}项（{p['id']}）"
        if p["end"] < p["start"]:
            check.fail(f"{name}的 end（{_d(p['end'])}）早于 start（{_d(p['start'])}）")
        if p["start"] < c["start"] or p["end"] > c["end"]:
            check.fail(f"{name}（{_d(p['start'])} 至 {_d(p['end'])}）不在 [campaign] 的 start 至 end"
                       f"（{_d(c['start'])} 至 {_d(c['end'])}）之内")
        if previous is not None and p["start"] <= previous["end"]:
            check.fail(f"{name}的 start（{_d(p['start'])}）不晚于上一阶段 {previous['id']} 的 end"
                       f"（{_d(previous['end'])}）：各阶段应按时间先后排列、互不重叠")
        previous = p
    ob = data["obligations"]
    months = ob["head_inspection_months"]
    first, last = _month(months["first"]), _month(months["last"])
    assert first is not None and last is not None  # checked by the schema
    where = "[obligations] 的 head_inspection_months"
    if last < first:
        check.fail(f"{where}.last（{months['last']}）早于 first（{months['first']}）")
    start, end = (c["start"].year, c["start"].month), (c["end"].year, c["end"].month)
    if first < start or last > end:
        check.fail(f"{where}（{months['first']} 至 {months['last']}）不在 [campaign] 的 start 至 end 的月份"
                   f"（{c['start']:%Y-%m} 至 {c['end']:%Y-%m}）之内")
    if not c["start"].year <= ob["drill_year"] <= c["end"].year:
        check.fail(f"[obligations] 的 drill_year（{ob['drill_year']}）不在专项行动的年份"
                   f"（{c['start'].year}{'' if c['start'].year == c['end'].year else ' 至 ' + str(c['end'].year)}）之内")
    _unique(check, "phases", ids)
    _unique(check, "leaders", [x["name"].strip() for x in data.get("leaders", [])])
    names = [x["name"].strip() for x in data["industries"]]
    _unique(check, "industries", names)
    for i, a in enumerate(data.get("typical_accidents", []), 1):
        for x in a.get("industries", []):
            if x.strip() not in names:
                check.fail(f"typical_accidents 第{i}项（{a['name']}）的 industries 中的“{x}”不是 [[industries]] "
                           f"列出的行业（{'、'.join(names)}）")


def _unique(check: _Checker, key: str, values: list[str]) -> None:
    seen: set[str] = set()
    for i, v in enumerate(values, 1):
        if v in seen:
            check.fail(f"{key} 第{i}项的{'id' if key == 'phases' else ' name'}“{v}”与前面某项重复")
        seen.add(v)


# -- TOML syntax errors in Chinese --------------------------------------------------------------------

_TOML_REASONS = (
    ("Invalid value", '值的写法有误（文字要加英文双引号，日期写作 2023-05-01，true/false 小写）'),
    ("Expected '=' after a key", "键后应有“=”"),
    ("Invalid statement", "此处应为“键 = 值”或 [表名]"),
    ("Cannot declare", "同一个表或键定义了两次"),
    ("Cannot overwrite", "同一个键赋值了两次"),
    ("Cannot mutate", "同一个表或键定义了两次"),
    ("Unclosed array", "列表缺少结尾的“]”或列表各值之间缺少英文逗号"),
    ("Unclosed inline table", "内联表缺少结尾的“}”或各项之间缺少英文逗号"),
    ("Unterminated string", "文字缺少结尾的英文双引号"),
    ("Illegal character", "有不允许的字符（如文字中的换行）"),
    ("Invalid date", "日期或时间写法有误（应写作 2023-05-01）"),
    ("Invalid initial character for a key part", "键名写法有误（键名用英文字母、数字、下划线）"),
    ("Found invalid character in key name", "键名写法有误（键名用英文字母、数字、下划线）"),
    ("Expected newline or end of document", "一行只能写一个“键 = 值”"),
)


#: a date written the office way (2024/04/15, 2024.4.15, 2024-6-1, 2024年6月1日) as a value: TOML reads the
#: year as a number and stops at what follows, so its own message says nothing of dates
_OFFICE_DATE = re.compile(r"=\s*[\"']?(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def toml_syntax_reason(message: str, text: str | None = None) -> str:
    """tomllib's English message → "第46行第14列不符合 TOML 语法：值的写法有误（…）"; with the file's ``text``, a
    date written another way on that line is named with the way to write it."""
    reason = next((zh for en, zh in _TOML_REASONS if message.startswith(en)), "写法有误")
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    place = f"第{m.group(1)}行第{m.group(2)}列" if m else "文件末尾" if "end of document" in message else "某处"
    if m and text is not None:
        lines = text.splitlines()
        line = lines[int(m.group(1)) - 1] if int(m.group(1)) <= len(lines) else ""
        date = _OFFICE_DATE.search(line)
        if date:
            y, mo, d = (int(g) for g in date.groups())
            written = date.group(0).lstrip("= \t")
            return (f"第{m.group(1)}行的日期“{written}”写法有误：方案文件中的日期写作 {y}-{mo:02d}-{d:02d}"
                    "（四位年份、两位月份和日，用“-”连接，不加引号）")
    return f"{place}不符合 TOML 语法：{reason}"
