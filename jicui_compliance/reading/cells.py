"""Cell values → typed values, for every form RULEBOOK §4 promises.

Each parser reads one distinct cell value and returns the typed value, ``None`` for
an empty cell, or :data:`BAD` for a value that cannot be read (→ ``SCH002``).
:func:`parse_column` applies a parser to a whole column through its distinct values
(``pandas.factorize``), so a county's 500k rows cost a few thousand parses.

Dates are read with one regular expression rather than ``dateutil``/``pandas``: neither
reads ``2023年5月20日8时30分`` nor tells an Excel serial number from ``20230520``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..text import PLACEHOLDERS, fold

BAD = object()  # sentinel: a value that cannot be read as its type

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_SERIAL_RANGE = (18264, 73051)  # 1950-01-01 … 2099-12-31 as Excel serials
_YEAR_RANGE = (1950, 2100)

_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*T?\s*(\d{1,2})\s*[:时点]\s*(?:(\d{1,2})\s*分?)?\s*(?::?\s*(\d{1,2})\s*秒?)?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\s*(\d{2}):?(\d{2})(?::?(\d{2}))?)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")

YES = frozenset({"是", "y", "yes", "√", "✓", "✔", "有", "true", "1", "对"})
NO = frozenset({"否", "n", "no", "×", "✗", "✘", "无", "false", "0", "错"})
# "已公示"/"已评估"/"已签" and "未公示"/"没有评估"/"无签字": how offices fill yes/no columns
_YES_PREFIX = re.compile(r"^已")
_NO_PREFIX = re.compile(r"^(?:未|没有|没|无)")  # not 不…: "不清楚" is not a no

_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(万元|万|元|人|项|个|次|名|处|条)?$")
COUNT_UNITS = frozenset({"人", "项", "个", "次", "名", "处", "条"})
MONEY_UNITS = {"元": 1.0, "万元": 10000.0, "万": 10000.0}
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _is_empty_text(text: str) -> bool:
    return text == "" or text in PLACEHOLDERS


def as_text(v: object) -> str | None:
    """A cell as text: integral floats lose their ``.0`` (Excel stores 13812345678 as a float)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    text = str(v).strip()
    return text or None


# -- parsers of one value ---------------------------------------------------------------
def parse_text(v: object) -> object:
    text = as_text(v)
    if text is None or _is_empty_text(text):
        return None
    return text


def parse_code(v: object) -> object:
    """Identifiers (USCC, ID and phone numbers): folded, no spaces, upper case."""
    text = parse_text(v)
    return None if text is None else fold(text).upper()


def _valid(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> dt.datetime | object:
    if not (_YEAR_RANGE[0] <= y <= _YEAR_RANGE[1]):
        return BAD
    try:
        return dt.datetime(y, m, d, hh, mm, ss)
    except ValueError:
        return BAD


def parse_datetime(v: object) -> object:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, bool):
        return BAD
    if isinstance(v, (int, float)):
        if _SERIAL_RANGE[0] <= v <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + dt.timedelta(days=float(v))
        if float(v).is_integer() and 10_000_000 <= v <= 99_999_999:
            return parse_datetime(str(int(v)))
        return BAD
    # full-width forms folded, but white space kept: "2023-7-6 22:48" must not become "2023-7-622:48"
    text = unicodedata.normalize("NFKC", str(v)).strip()
    if _is_empty_text(text):
        return None
    m = _DATE.match(text) or _COMPACT.match(text)
    if m:
        parts = [int(g) if g else 0 for g in m.groups()]
        return _valid(*parts)
    if _SERIAL.match(text):
        return parse_datetime(float(text))
    return BAD


def parse_date(v: object) -> object:
    value = parse_datetime(v)
    if isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def parse_yesno(v: object) -> object:
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
    if _NO_PREFIX.match(text):
        return False
    if _YES_PREFIX.match(text):
        return True
    return BAD


def parse_signature(v: object) -> object:
    """签名确认: yes/no, or a person's name (a name counts as signed)."""
    yn = parse_yesno(v)
    if yn is not BAD:
        return yn
    return True  # any other text is a name


def _number(v: object, units: dict[str, float] | frozenset[str]) -> object:
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


def parse_int(v: object) -> object:
    got = _number(v, COUNT_UNITS)
    if got is None or got is BAD:
        return got
    value, _ = got
    return int(value) if value.is_integer() else BAD


def money_parser(column_unit: str) -> Callable[[object], object]:
    """Amounts in 元 or 万元: a value written in the other unit is converted to the column's."""
    scale = MONEY_UNITS[column_unit]

    def parse_money(v: object) -> object:
        got = _number(v, MONEY_UNITS)
        if got is None or got is BAD:
            return got
        value, unit = got
        return value * MONEY_UNITS[unit] / scale if unit else value

    return parse_money


def choice_parser(synonyms: dict[str, str] | None = None, yesno: bool = False,
                  options: tuple[str, ...] = ()) -> Callable[[object], object]:
    """One of a list: folded; an exact option wins, then known synonyms, then (for 是/否 lists)
    the yes/no forms. Membership itself is the schema's ``isin``."""
    syn = {fold(k): v for k, v in (synonyms or {}).items()}
    exact = {fold(o): o for o in options}

    def parse_choice(v: object) -> object:
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


def list_parser(options: frozenset[str] | None = None) -> Callable[[object], object]:
    """Several values in one cell, separated by 、 , ， ; or spaces."""

    def parse_list(v: object) -> object:
        text = parse_text(v)
        if text is None:
            return None
        items = tuple(
            i for i in LIST_SEPARATORS.split(unicodedata.normalize("NFKC", text)) if i and i not in PLACEHOLDERS
        )
        if options is not None and any(i not in options for i in items):
            return BAD
        return items or None

    return parse_list


def parse_text_or_yesno(v: object) -> object:
    """应急预案: a text, or yes/no; 否/无 mean missing."""
    text = parse_text(v)
    if text is None:
        return None
    yn = parse_yesno(text)
    if yn is False:
        return None
    return "是" if yn is True else text


# -- columns ------------------------------------------------------------------------------
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?$")


# The written forms offices use most: 2023-05-20, 2023/5/20, 2023.5.20, 2023年5月20日, 20230520,
# each with an optional time (8:30, 8时30分). One regular expression over all the values
# joined by line breaks reads their parts in a single pass; anything else (seconds, spaces
# inside, full-width digits, Excel serials …) is left to parse_datetime.
_WRITTEN_DATE = re.compile(
    r"^(?:([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})[日号]?(?:[ T]?([0-9]{1,2})[:时点](?:([0-9]{1,2})分?)?)?"
    r"|([0-9]{4})([0-9]{2})([0-9]{2})|.*)$",
    re.M,
)


def _vector_dates(text: pd.Series) -> pd.Series:
    """Datetimes of the common written forms, read in one pass; NaT for anything else, and
    for impossible dates and years outside 1950–2100 (the per-value parser then reads or
    rejects those). Only forms that :func:`parse_datetime` reads the same way are taken."""
    values = text.to_numpy(dtype=object)
    joined = "\n".join(values)
    parts = _WRITTEN_DATE.findall(joined) if joined.count("\n") == len(values) - 1 else []
    if len(parts) != len(values):  # a value holding a line break: match each on its own
        parts = [_WRITTEN_DATE.match(v).groups("") for v in values]
    g = np.array(parts, dtype="U4").reshape(len(values), 8)
    compact = g[:, 5] != ""
    g[compact, :3] = g[compact, 5:]  # 20230520: the same parts
    found = g[:, 0] != ""
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not found.any():
        return pd.Series(out, index=text.index)

    year, month, day, hour, minute = _digits_value(g[found, :5]).T
    ok = (year >= _YEAR_RANGE[0]) & (year <= _YEAR_RANGE[1]) & (hour <= 23) & (minute <= 59)
    stamps = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day, "hour": hour, "minute": minute}),
                            errors="coerce").to_numpy(dtype="datetime64[ns]")
    out[np.flatnonzero(found)[ok]] = stamps[ok]
    return pd.Series(out, index=text.index)


def _digits_value(digits: np.ndarray) -> np.ndarray:
    """The numbers written in a 2-D array of up to four ASCII digits each ("" → 0), computed
    from the characters' code points rather than parsed one by one."""
    points = np.ascontiguousarray(digits, dtype="U4").view(np.uint32).reshape(*digits.shape, 4)
    present = points != 0
    value = np.zeros(digits.shape, dtype=np.int64)
    for k in range(4):  # most significant first; a shorter number ends in zero code points
        value = np.where(present[..., k], value * 10 + (points[..., k].astype(np.int64) - 48), value)
    return value


def _fast_path(parser, uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Vectorised parsing of the common forms; returns (values, done) or None.

    Dates written as ISO text go through ``pandas.to_datetime`` in one call; text that is
    already clean needs no per-value work. Everything else takes the per-value parser.
    """
    if parser in (parse_date, parse_datetime):
        s = pd.Series(uniques, dtype=object)
        is_str = s.map(type).eq(str).to_numpy()
        if not is_str.any():
            return None
        stamps = _vector_dates(s[is_str])
        ok = stamps.notna()
        if not ok.any():
            return None
        if parser is parse_date:
            stamps = stamps.dt.normalize()
        done = np.zeros(len(s), dtype=bool)
        done[np.flatnonzero(is_str)[ok.to_numpy()]] = True
        values = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
        values[done] = stamps[ok].to_numpy(dtype="datetime64[ns]")
        return values, done
    if parser is parse_text:
        s = pd.Series(uniques, dtype=object)
        if pd.api.types.infer_dtype(s, skipna=True) != "string":
            return None
        values = s.where(~s.isin(PLACEHOLDERS), None).to_numpy(dtype=object)
        return values, np.ones(len(s), dtype=bool)
    if parser is parse_code:
        # codes written in plain ASCII without spaces (the usual USCC, ID and phone numbers):
        # folding leaves them as they are, so upper case is all there is to do, on all at once
        if pd.api.types.infer_dtype(uniques, skipna=False) != "string":
            return None
        joined = "\x00".join(uniques)
        if joined.count("\x00") != len(uniques) - 1 or _NOT_PLAIN.search(joined):
            return None
        values = np.array(joined.upper().split("\x00"), dtype=object)
        values[np.isin(uniques, list(PLACEHOLDERS))] = None
        return values, np.ones(len(uniques), dtype=bool)
    return None


_NOT_PLAIN = re.compile(r"[^\x00\x21-\x7e]")  # anything but printable ASCII (and the joining NUL)


def parse_column(col: pd.Series, parser: Callable[[object], object], dtype: str = "object") -> tuple[object, np.ndarray]:
    """Parse a column through its distinct values: (typed values, bad mask)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return parse_encoded(codes, np.asarray(uniques, dtype=object), parser, dtype)


def parse_encoded(codes: np.ndarray, uniques: np.ndarray, parser: Callable[[object], object],
                  dtype: str = "object") -> tuple[object, np.ndarray]:
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

