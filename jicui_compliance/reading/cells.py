"""Cell values → typed values, for every form RULEBOOK §4 promises.

Each parser reads one distinct cell value and returns the typed value, ``None`` for
an empty cell, or :data:`BAD` for a value that cannot be read (→ ``SCH002``).
:func:`parse_column` applies a parser to a whole column through its distinct values
(``pandas.factorize``), so a county's 500k rows cost a few thousand parses.

Dates are defined by one grammar, :func:`parse_datetime` (a regular expression rather than
``dateutil``/``pandas``: neither reads ``2023年5月20日8时30分`` nor tells an Excel serial
number from ``20230520``). A column reads its distinct values first with ``pandas.to_datetime``
in a few exact formats that the grammar reads the same way (:data:`_EXACT_FORMATS`), only to
go faster; whatever those leave is read by :func:`parse_datetime`.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..text import BRACKETED, PLACEHOLDERS, fold, person_names


class _Unreadable(enum.Enum):
    """The type of :data:`BAD`: parsers return ``X | _Unreadable``."""

    BAD = "BAD"


BAD: Final = _Unreadable.BAD  # sentinel: a value that cannot be read as its type


@dataclass(frozen=True)
class FormulaError:
    """An Excel error cell (``#REF!``, ``#N/A``, ``#DIV/0!`` …): not a value, whatever the
    column (SCH002 “单元格为公式错误 #REF!”, never an empty cell)."""

    code: str

    def __str__(self) -> str:
        return self.code

    @property
    def detail(self) -> str:
        """What the SCH002 says of the cell, after “…的值“#REF!””."""
        return f"：单元格为公式错误 {self.code}，显示的不是数据；请修正公式，或改填实际的值"


@dataclass(frozen=True)
class UnsavedFormula:
    """A formula cell saved without its result (a workbook written by a program — openpyxl, a
    business system's export — rather than by Excel or WPS, which calculate and store each
    result): what the cell shows is not in the file, whatever the column (SCH002, never an
    empty cell). ``formula`` is its text without ``=`` ("" for the other cells of a shared formula,
    which hold no text of their own)."""

    formula: str

    def __str__(self) -> str:
        return "=" + self.formula if self.formula else "（公式）"

    @property
    def detail(self) -> str:
        """What the SCH002 says of the cell, after “…的值“=F5+30””."""
        return ("：单元格是公式，文件中没有保存计算结果（常见于程序或业务系统生成的表格），读不出它显示的值；"
                "请在 Excel 或 WPS 中打开、保存后重新报送")


#: the cells that hold no value to read, only what went wrong with a formula
FORMULA_CELLS: Final = (FormulaError, UnsavedFormula)

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL_RANGE = (18264, 73051)  # 1950-01-01 … 2099-12-31 as Excel serials
_YEAR_RANGE = (1950, 2100)

# 2023-05-20, 2023/5/20, 2023.5.20, 2023。7。5, 2023.12.06. (a closing dot), 2023年5月20日 or 号,
# a weekday (（星期一）, 周一, 礼拜天; it must agree with the date), then an optional time
# (8:30, 8时30分, 8点), which may end in 许 or 左右 ("about": 9时50分许, as accident reports write the
# time; read as the time written) and start with the part of the day (下午3时20分, Excel's Chinese
# 2023/8/7 下午 03:20:00: :func:`_hour_of_day`); the text is NFKC-folded first, so （ is ( and
# full-width digits are digits.
_DATE = re.compile(
    r"^(\d{4})\s*[-/.。年]\s*(\d{1,2})\s*[-/.。月]\s*(\d{1,2})\s*(?:[日号]|[.。])?"
    r"(?:\s*\(?\s*(?:星期|周|礼拜)([一二三四五六日天])\s*\)?)?"
    r"(?:\s*T?\s*(?:(上午|下午|晚上|中午|凌晨)\s*)?"
    r"(\d{1,2})\s*[:时点]\s*(?:(\d{1,2})\s*分?)?\s*(?::?\s*(\d{1,2})\s*秒?)?(?:\s*(?:许|左右))?)?$"
)
_WEEKDAYS = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6}
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s*(\d{2}):?(\d{2})(?::?(\d{2}))?)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")

YES = frozenset({"是", "y", "yes", "√", "✓", "✔", "有", "true", "1", "对", "在岗", "在职"})
NO = frozenset({"否", "n", "no", "×", "✗", "✘", "无", "false", "0", "错", "不在岗", "不在职"})
# "已公示"/"已评估"/"已签" and "未公示"/"没有评估"/"无签字": how offices fill yes/no columns
_YES_PREFIX = re.compile(r"^已")
_NO_PREFIX = re.compile(r"^(?:未|没有|没|无)")  # not 不…: "不清楚" is not a no
# "已离职"/"已调离"/"退休" (是否在岗): a worker who has left. 已 says it has happened, not yes: the
# cell says the worker is no longer there, which is 否 (read before the 已 prefix). Only the whole cell:
# "退休返聘", "下岗再就业" say more (unreadable, SCH002), and so does a note after it ("已退休（返聘）")
_LEFT = re.compile(r"^已?(?:离职|离岗|调离|调走|退休|辞职|辞退|解聘|停岗|下岗|脱岗|离开)$")
# "是（山西某安全咨询公司）", "否（已整改）": a yes/no followed by a note in brackets (folded: ASCII brackets)
_NOTED = re.compile(r"^([^()]+?)\(([^()]*)\)$")

_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(万元|万|元|人|项|个|次|名|处|条)?$")
COUNT_UNITS = frozenset({"人", "项", "个", "次", "名", "处", "条"})
MONEY_UNITS = {"元": 1.0, "万元": 10000.0, "万": 10000.0}
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _is_empty_text(text: str) -> bool:
    return text == "" or text in PLACEHOLDERS


def as_text(v: object) -> str | None:
    """A cell as text: integral floats lose their ``.0`` (Excel stores 13812345678 as a float). Excel keeps 15
    significant digits of a number: one of 16 digits or more (an ID number typed into a cell that is not text) has
    lost its last digits, and is written as Excel shows it (1.40922198503151E+17), never with made-up digits."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else f"{v:.15G}"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    text = str(v).strip()
    return text or None


# -- parsers of one value ---------------------------------------------------------------
def parse_text(v: object) -> str | None:
    text = as_text(v)
    if text is None or _is_empty_text(text):
        return None
    return text


def parse_code(v: object) -> str | None:
    """Identifiers (USCC, ID and phone numbers): folded, no spaces, upper case; without the leading
    apostrophe offices type to keep Excel from turning a long number into 9.1E+17 ('91140122…)."""
    text = parse_text(v)
    if text is None:
        return None
    code = fold(text).lstrip("'‘’").upper()
    return code or None


def _valid(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime | _Unreadable:
    if not (_YEAR_RANGE[0] <= y <= _YEAR_RANGE[1]):
        return BAD
    try:
        return dt.datetime(y, m, d, hh, mm, ss)
    except ValueError:
        return BAD


def _hour_of_day(part: str | None, hour: int) -> int | _Unreadable:
    """The hour (0–23) of a time written with the part of the day: 下午/晚上 3 is 15, 上午/凌晨 9 is 9,
    中午/下午 12 is noon; a 24-hour time in its part (下午15时, 晚上20时) is itself. Where the part leaves
    the hour in doubt (上午12时, 晚上12时, 中午1时) or contradicts it (上午15时), it is unreadable."""
    if part is None:
        return hour
    if part in ("下午", "晚上"):
        if 1 <= hour <= 11:
            return hour + 12
        return hour if 13 <= hour <= 23 or (hour == 12 and part == "下午") else BAD
    if part in ("上午", "凌晨"):
        return hour if hour <= 11 else BAD
    return hour if hour == 12 else BAD  # 中午


def parse_datetime(v: object) -> dt.datetime | None | _Unreadable:
    """The one definition of what a date (and time) cell may hold (RULEBOOK §4)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, dt.datetime):  # a real Excel date: the same years as a written one (9999-12-31 is SCH002)
        return v if _YEAR_RANGE[0] <= v.year <= _YEAR_RANGE[1] else BAD
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day) if _YEAR_RANGE[0] <= v.year <= _YEAR_RANGE[1] else BAD
    if isinstance(v, bool):
        return BAD
    if isinstance(v, (int, float)):
        if _SERIAL_RANGE[0] <= v <= _SERIAL_RANGE[1]:
            # Excel keeps 15 significant digits: 45066.3388888889 is 08:08 and a few microseconds;
            # a time a person typed is whole seconds
            return _EXCEL_EPOCH + dt.timedelta(seconds=round(float(v) * 86400))
        if float(v).is_integer() and 10_000_000 <= v <= 99_999_999:
            return parse_datetime(str(int(v)))
        return BAD
    # full-width forms folded, but white space kept: "2023-7-6 22:48" must not become "2023-7-622:48"
    text = unicodedata.normalize("NFKC", str(v)).strip()
    if _is_empty_text(text):
        return None
    m = _DATE.match(text)
    if m:
        y, mo, d, weekday, part, hh, mm, ss = m.groups()
        hour = _hour_of_day(part, int(hh or 0))
        if hour is BAD:
            return BAD
        value = _valid(int(y), int(mo), int(d), hour, int(mm or 0), int(ss or 0))
        if weekday and isinstance(value, dt.datetime) and value.weekday() != _WEEKDAYS[weekday]:
            return BAD  # 2023年11月7日（星期一）: the date or the weekday is wrong
        return value
    m = _COMPACT.match(text)
    if m:
        return _valid(*(int(g) if g else 0 for g in m.groups()))
    if _SERIAL.match(text):
        return parse_datetime(float(text))
    return BAD


def wrong_weekday(v: object) -> str | None:
    """Why a date that :func:`parse_datetime` reads as unreadable is so, when only its weekday is wrong:
    the date is a real one and falls on another day of the week (2023年11月6日（星期二） →
    ``2023年11月6日是星期一，与所写的星期二不符``); else None. Asked of the unreadable cells only (SCH002's
    detail), never on the parsing path.

    >>> wrong_weekday("2023年11月6日（星期二）"), wrong_weekday("2023-11-05 周六 8:30"), wrong_weekday("2023年11月6日（星期一）")
    ('2023年11月6日是星期一，与所写的星期二不符', '2023年11月5日是星期日，与所写的星期六不符', None)
    """
    if not isinstance(v, str):
        return None
    m = _DATE.match(unicodedata.normalize("NFKC", v).strip())
    if not m or not m.group(4):
        return None
    y, mo, d, weekday, part, hh, mm, ss = m.groups()
    hour = _hour_of_day(part, int(hh or 0))
    value = BAD if hour is BAD else _valid(int(y), int(mo), int(d), hour, int(mm or 0), int(ss or 0))
    if not isinstance(value, dt.datetime) or value.weekday() == _WEEKDAYS[weekday]:
        return None
    names = "一二三四五六日"
    return (f"{value.year}年{value.month}月{value.day}日是星期{names[value.weekday()]}，"
            f"与所写的星期{names[_WEEKDAYS[weekday]]}不符")


def parse_date(v: object) -> dt.datetime | None | _Unreadable:
    value = parse_datetime(v)
    if isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


#: “长期” in a validity column (有效期至): the last day pandas can hold (2262-04-11), so that it is
#: after every date a rule compares it with (never expired, never expiring) and reviews still count.
#: Shown as “长期” (:func:`jicui_compliance.rules.context.day_text`).
LONG_TERM: Final = dt.datetime(2262, 4, 11)
LONG_TERM_WORDS = frozenset({"长期", "长期有效"})


def parse_validity(v: object) -> dt.datetime | None | _Unreadable:
    """A validity date (有效期至): a date, or 长期 — written “长期”, “长期有效” or 9999-12-31
    (as clerks write it, a real Excel date or text in any date form); other far years
    (3023, a typo) stay unreadable, as in :func:`parse_date`."""
    if isinstance(v, dt.date):
        if (v.year, v.month, v.day) == (9999, 12, 31):
            return LONG_TERM
        return parse_date(v)
    if isinstance(v, str):
        text = unicodedata.normalize("NFKC", v).strip()
        if text in LONG_TERM_WORDS:
            return LONG_TERM
        m = _DATE.match(text) or _COMPACT.match(text)
        if m and m.group(1, 2, 3) == ("9999", "12", "31") and not any(m.groups()[3:]):
            return LONG_TERM
    return parse_date(v)


def parse_yesno(v: object) -> bool | None | _Unreadable:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    text = fold(str(v)).lower()
    if text == "":
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    if text in PLACEHOLDERS:
        return None
    noted = _NOTED.match(text)
    if noted:  # the yes/no before the note decides; a note after no yes/no, or after "left", is no reading,
        head = parse_yesno(noted.group(1))  # nor one that says the other (是（否）)
        said = parse_yesno(noted.group(2)) if noted.group(2) else None
        contradicts = isinstance(said, bool) and said is not head
        return BAD if head is None or contradicts or _LEFT.match(noted.group(1)) else head
    if _NO_PREFIX.match(text) or _LEFT.match(text):
        return False
    if _YES_PREFIX.match(text):
        return True
    return BAD


#: a 签名确认 cell saying the signature is still to come or refused (folded): 待签, 待补签, 尚未签名, 暂无签字, 签字待补,
#: 拒签, 拒绝签字 … — no one's name
_PENDING_SIGNATURE = re.compile(r"^(?:(?:待补?|尚未|暂未|还未|尚无|暂无|还没有?|拒绝?)签|签[字名]?待补)")


def parse_signature(v: object) -> bool | None:
    """签名确认: yes/no, or a person's name (a name counts as signed); a cell saying the signature is still to
    come (待签, 尚未签名) is no name: unsigned."""
    yn = parse_yesno(v)
    if yn is not BAD:
        return yn
    return not _PENDING_SIGNATURE.match(fold(str(v)))  # any other text is a name


def parse_people(v: object) -> tuple[str, ...] | None:
    """Several people in one cell (执法人员) as every names cell is read (:func:`~jicui_compliance.text.person_names`:
    at 、，,；;/, and at spaces between names of two characters or more — “张 三” and “欧阳 明” are one; a title in
    brackets is not part of the name); placeholders (无, /) are no one."""
    text = parse_text(v)
    if text is None:
        return None
    return tuple(n for n in person_names(unicodedata.normalize("NFKC", text)) if n not in PLACEHOLDERS) or None


def _number(v: object, units: dict[str, float] | frozenset[str]) -> tuple[float, str | None] | None | _Unreadable:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool):
        return BAD
    if isinstance(v, (int, float)):
        return (float(v), None)
    text = fold(str(v)).replace(",", "")
    if _is_empty_text(text):
        return None
    m = _NUMBER.match(text)
    if not m or (m.group(2) and m.group(2) not in units):
        return BAD
    return (float(m.group(1)), m.group(2))


#: a count written as a word for none (从业人数, 专职安全管理人员数, 发现重大隐患数 …): 0, not an empty cell — “无” says
#: how many there are; “/” and “—” stay empty (not applicable, not filled)
NONE_COUNT = frozenset({"无", "没有", "零"})


def parse_int(v: object) -> int | None | _Unreadable:
    """A count: a whole number, with a unit (12人, 3项) or not; 无/没有/零 is 0 (:data:`NONE_COUNT`)."""
    if isinstance(v, str) and fold(v) in NONE_COUNT:
        return 0
    got = _number(v, COUNT_UNITS)
    if got is None or got is BAD:
        return got
    value, _ = got
    return int(value) if value.is_integer() else BAD


def money_parser(column_unit: str) -> Callable[[object], float | None | _Unreadable]:
    """Amounts in 元 or 万元: a value written in the other unit is converted to the column's."""
    scale = MONEY_UNITS[column_unit]

    def parse_money(v: object) -> float | None | _Unreadable:
        got = _number(v, MONEY_UNITS)
        if got is None or got is BAD:
            return got
        value, unit = got
        return value * MONEY_UNITS[unit] / scale if unit else value

    return parse_money


def choice_parser(synonyms: dict[str, str] | None = None, yesno: bool = False,
                  options: tuple[str, ...] = ()) -> Callable[[object], str | None]:
    """One of a list: folded; an exact option wins, then known synonyms, then (for 是/否 lists)
    the yes/no forms. Membership itself is the schema's ``isin``."""
    syn = {fold(k): v for k, v in (synonyms or {}).items()}
    exact = {fold(o): o for o in options}

    def parse_choice(v: object) -> str | None:
        text = parse_text(v)
        if text is None:
            return None
        text = fold(text)
        if text in exact:
            return exact[text]
        if text in syn:
            return syn[text]
        if yesno:
            yn = parse_yesno(text)
            if yn is not BAD and yn is not None:
                return "是" if yn else "否"
        return text

    return parse_choice


#: between two options of a list of options, besides the separators: 并, 和, 及 (“责令限期整改并罚款”)
_OPTION_JOINS = re.compile(r"并且|并|和|及")
#: what may follow an option in a list of options: an amount (罚款5000元, 罚款0.5万元); a note in brackets
#: (罚款（企业5000元）) is dropped before (:data:`~jicui_compliance.text.BRACKETED`)
_OPTION_NOTE = re.compile(r"(?:\d+(?:\.\d+)?(?:万元|万|元)?)?$")


def list_parser(options: frozenset[str] | None = None) -> Callable[[object], tuple[str, ...] | None | _Unreadable]:
    """Several values in one cell, separated by 、 , ， ; or spaces. Of a list of ``options`` (处理措施), notes in
    brackets are not read (“罚款（企业5000元）”, “一案双罚（企业1万元，负责人2000元）”), and options may also be joined
    by 并/和/及 and carry an amount (“罚款5000元”, “责令限期整改并罚款”): each is read as its option; anything else
    is unreadable."""

    def option(item: str) -> str | None:
        if item in options:  # type: ignore[operator]
            return item
        bare = _OPTION_NOTE.sub("", item)
        return bare if bare in options else None  # type: ignore[operator]

    def parse_list(v: object) -> tuple[str, ...] | None | _Unreadable:
        text = parse_text(v)
        if text is None:
            return None
        text = unicodedata.normalize("NFKC", text)
        items = tuple(i for i in LIST_SEPARATORS.split(text) if i and i not in PLACEHOLDERS)
        if options is not None and any(i not in options for i in items):
            noted = (i for i in LIST_SEPARATORS.split(BRACKETED.sub("", text)) if i and i not in PLACEHOLDERS)
            read = [option(p) for i in noted for p in (_OPTION_JOINS.split(i) if option(i) is None else [i]) if p]
            if any(r is None for r in read):
                return BAD
            items = tuple(dict.fromkeys(r for r in read if r is not None))
        return items or None

    return parse_list


def parse_text_or_yesno(v: object) -> str | None:
    """应急预案: a text, or yes/no; 否/无 mean missing."""
    text = parse_text(v)
    if text is None:
        return None
    yn = parse_yesno(text)
    if yn is False:
        return None
    return "是" if yn is True else text


# -- columns ------------------------------------------------------------------------------
#: The forms offices write most, as exact ``pandas.to_datetime`` formats, keyed by the fifth
#: character of the text (the first separator), its number of colons and whether it writes 时
#: ("8": eight digits).
#: Each reads a value as :func:`parse_datetime` does, or not at all (the property tests hold
#: the two together); ``%Y%m%d`` is tried on eight digits only, for ``strptime`` would also
#: read ``2023520``.
_EXACT_FORMATS: dict[str, str] = {
    "-0": "%Y-%m-%d", "/0": "%Y/%m/%d", ".0": "%Y.%m.%d", "年0": "%Y年%m月%d日",
    "-1": "%Y-%m-%d %H:%M", "/1": "%Y/%m/%d %H:%M", ".1": "%Y.%m.%d %H:%M",
    "-2": "%Y-%m-%d %H:%M:%S", "/2": "%Y/%m/%d %H:%M:%S", "年0时": "%Y年%m月%d日%H时%M分",
    "8": "%Y%m%d",
}


def _format_keys(texts: pa.Array) -> pa.Array:
    """The key of :data:`_EXACT_FORMATS` each text may be written in (a failed try costs as much
    as twenty successful ones, so each text is tried with one format at most): its fifth
    character, its number of colons and 时 if it writes one; "8" for eight ASCII digits.
    The key only chooses the format tried first; what no format reads goes to the parser."""
    key = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(texts, 4, 5), pc.cast(pc.count_substring(texts, ":"), pa.string()),
        pc.if_else(pc.match_substring(texts, "时"), "时", ""), "")
    return pc.if_else(pc.match_substring_regex(texts, "^[0-9]{8}$"), "8", key)


#: The Chinese forms of :data:`_EXACT_FORMATS` (``pandas`` reads them value by value, about
#: ten times slower than its ISO parser): a text that is exactly digits and the unit
#: characters, nothing else (ASCII digits only), is turned into the ISO form character by
#: character and read by the ISO parser first; the ISO form holds the same numbers.
_CHINESE_FORMS: dict[str, tuple[str, str]] = {
    "年0时": (r"^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日[0-9]{1,2}时[0-9]{1,2}分$", "%Y-%m-%d %H:%M"),
}
_TO_ISO = (("年", "-"), ("月", "-"), ("日", " "), ("时", ":"), ("分", ""))


def _to_datetime(values: np.ndarray, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[ns], read) of texts in one exact format; read only for years 1950–2100."""
    got = pd.DatetimeIndex(pd.to_datetime(values, format=fmt, errors="coerce"))
    ok = np.asarray(got.notna() & (got.year >= _YEAR_RANGE[0]) & (got.year <= _YEAR_RANGE[1]), dtype=bool)
    return got[ok].as_unit("ns").to_numpy(), ok  # in range: a nanosecond datetime holds it


def _exact_dates(text: pd.Series) -> pd.Series:
    """Datetimes of the texts written in one of :data:`_EXACT_FORMATS`, NaT for the rest
    (and for years outside 1950–2100, which :func:`parse_datetime` rejects itself)."""
    values = text.to_numpy(dtype=object)
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    texts = pa.array(values, type=pa.string())
    keys = _format_keys(texts).dictionary_encode()
    codes = keys.indices.to_numpy(zero_copy_only=False)
    for i, key in enumerate(keys.dictionary.to_pylist()):
        fmt = _EXACT_FORMATS.get(key)
        if fmt is None:
            continue
        at = np.flatnonzero(codes == i)
        if key in _CHINESE_FORMS:
            pattern, iso = _CHINESE_FORMS[key]
            some = texts.take(pa.array(at))
            strict = pc.match_substring_regex(some, pattern).to_numpy(zero_copy_only=False).astype(bool)
            if strict.any():
                plain = some.filter(pa.array(strict))
                for unit, sep in _TO_ISO:
                    plain = pc.replace_substring(plain, unit, sep)
                got, ok = _to_datetime(plain.to_numpy(zero_copy_only=False), iso)
                out[at[strict][ok]] = got
                left = np.ones(len(at), dtype=bool)
                left[np.flatnonzero(strict)[ok]] = False
                at = at[left]  # the rest still tries the Chinese format itself
        got, ok = _to_datetime(values[at], fmt)
        out[at[ok]] = got
    return pd.Series(out, index=text.index)


def _fast_path(parser, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Vectorised parsing of the common forms; returns (values, done) or None.

    Dates in the common exact forms go through ``pandas.to_datetime`` (:func:`_exact_dates`);
    text that is already clean needs no per-value work. Everything else takes the per-value parser.
    """
    if parser in (parse_date, parse_datetime, parse_validity):
        # a validity date in an exact form is a date of 1950–2100 (长期 and 9999-12-31 are left to the parser)
        s = pd.Series(uniques, dtype=object)
        kinds = s.map(type)
        is_str = kinds.eq(str).to_numpy()
        # a real Excel date (a workbook's date cell) of 1950–2100 is itself, as parse_datetime
        # keeps it (far years are left to the parser: SCH002, or 长期 for a validity)
        is_stamp = kinds.eq(dt.datetime).to_numpy(copy=True)
        if is_stamp.any():
            try:
                got = pd.DatetimeIndex(pd.to_datetime(uniques[is_stamp], errors="coerce"))
            except (TypeError, ValueError):  # time zones (calamine gives none): the parser decides
                got = pd.DatetimeIndex([pd.NaT] * int(is_stamp.sum()))
            in_range = np.asarray(got.notna() & (got.year >= _YEAR_RANGE[0]) & (got.year <= _YEAR_RANGE[1])
                                  & (got.tz is None), dtype=bool)
            is_stamp[np.flatnonzero(is_stamp)[~in_range]] = False
            real = got[in_range]
        if not is_str.any() and not is_stamp.any():
            return None
        stamps = _exact_dates(s[is_str].reset_index(drop=True))
        ok = stamps.notna().to_numpy()
        if not ok.any() and not is_stamp.any():
            return None
        done = np.zeros(len(s), dtype=bool)
        done[np.flatnonzero(is_str)[ok]] = True
        values = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
        values[done] = stamps[ok].to_numpy(dtype="datetime64[ns]")
        if is_stamp.any():
            done |= is_stamp
            values[is_stamp] = real.as_unit("ns").to_numpy()
        if parser is not parse_datetime:
            values = pd.DatetimeIndex(values).normalize().to_numpy(dtype="datetime64[ns]")  # the day
        return values, done
    if parser is parse_text:
        s = pd.Series(uniques, dtype=object)
        if pd.api.types.infer_dtype(s, skipna=True) != "string":
            return None
        values = s.where(~s.isin(PLACEHOLDERS), None).to_numpy(dtype=object)
        return values, np.ones(len(s), dtype=bool)
    if parser is parse_code:
        # codes written in plain ASCII without spaces (the usual USCC, ID and phone numbers):
        # folding leaves them as they are, so upper case is all there is to do, on all at once;
        # the others (the header cells read along, codes with spaces or full-width forms) take the parser
        if pd.api.types.infer_dtype(uniques, skipna=False) != "string":
            return None
        texts = pa.array(uniques, type=pa.string())
        plain = pc.match_substring_regex(texts, _PLAIN).to_numpy(zero_copy_only=False).astype(bool)
        values = pc.ascii_upper(texts).to_numpy(zero_copy_only=False)
        values[np.isin(uniques, list(PLACEHOLDERS))] = None
        return values, plain
    return None


_PLAIN = r"^[\x21-\x26\x28-\x7e][\x21-\x7e]*$"  # printable ASCII without spaces, not starting with an apostrophe


def parse_column(col: pd.Series, parser: Callable[[object], object], dtype: str = "object") -> tuple[object, np.ndarray]:
    """Parse a column through its distinct values: (typed values, bad mask)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return parse_encoded(codes, np.asarray(uniques, dtype=object), parser, dtype)


def parse_encoded(codes: np.ndarray, uniques: np.ndarray, parser: Callable[[object], object],
                  dtype: str = "object") -> tuple[Any, np.ndarray]:
    """Parse a column given as (codes, distinct values), code -1 missing: (typed values, bad mask).

    Each distinct value is parsed once (vectorised where the form allows), converted to
    ``dtype`` once, and spread over the rows with a single ``take``.
    """
    parsed = np.empty(len(uniques) + 1, dtype=object)
    fast = _fast_path(parser, uniques) if len(uniques) > 64 else None
    idx = np.where(codes < 0, len(uniques), codes)
    if fast is not None and fast[0].dtype.kind == "M":  # dates: stay datetime64, no Python objects
        stamps, done = fast
        rest = np.flatnonzero(~done)
        slow = [parser(u) for u in uniques[rest]]
        bad_u = np.zeros(len(uniques) + 1, dtype=bool)
        bad_u[rest] = [x is BAD for x in slow]
        typed = np.append(stamps, np.datetime64("NaT")).astype("datetime64[ns]")
        typed[rest] = _typed(np.array([None if x is BAD else x for x in slow], dtype=object), dtype)
        return typed.take(idx), bad_u[idx]
    bad_u = np.zeros(len(uniques) + 1, dtype=bool)
    if fast is not None:
        values, done = fast
        parsed[: len(uniques)][done] = values[done]
        rest = np.flatnonzero(~done)
        slow = [parser(u) for u in uniques[rest]]
        parsed[rest] = slow
        bad_u[rest] = [x is BAD for x in slow]  # the vectorised forms never give BAD
    else:
        parsed[: len(uniques)] = [parser(u) for u in uniques]
        bad_u[:] = np.fromiter((x is BAD for x in parsed), dtype=bool, count=len(parsed))
    parsed[len(uniques)] = None  # code -1: missing
    parsed[bad_u] = None
    return _typed(parsed, dtype).take(idx), bad_u[idx]


def _typed(values: np.ndarray, dtype: str):
    """Distinct parsed values (None = missing) as an array of ``dtype``."""
    if dtype == "object":
        return values
    if dtype == "datetime64[ns]":
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]").to_numpy()
    if dtype == "float64":
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    return pd.array(values, dtype=dtype)

