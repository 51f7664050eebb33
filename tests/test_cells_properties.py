"""Property tests of the value parsers: every promised form round-trips; nothing raises."""

import datetime as dt
import random
import unicodedata
from itertools import zip_longest
from unittest import mock

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from jicui_compliance import text as text_module
from jicui_compliance.reading import cells
from jicui_compliance.resolution import leader_names
from jicui_compliance.text import BRACKETED, PLACEHOLDERS, fold

DAYS = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))
FORMS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: (d - dt.date(1899, 12, 30)).days,  # Excel serial
    lambda d: dt.datetime(d.year, d.month, d.day),
    # forms real ledgers use beyond the list (v2)
    lambda d: f"{d.year}。{d.month}。{d.day}",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}.",
    lambda d: f"{d.year}年{d.month}月{d.day}日（星期{'一二三四五六日'[d.weekday()]}）",
    lambda d: f"{d.year}年{d.month}月{d.day}日 周{'一二三四五六日'[d.weekday()]}",
]


@given(DAYS, st.sampled_from(FORMS))
def test_every_date_form_round_trips(day, form):
    assert cells.parse_date(form(day)) == dt.datetime(day.year, day.month, day.day)


@given(DAYS, st.integers(0, 23), st.integers(0, 59))
def test_datetimes_with_chinese_and_colon_times(day, h, m):
    want = dt.datetime(day.year, day.month, day.day, h, m)
    assert cells.parse_datetime(f"{day.year}年{day.month}月{day.day}日{h}时{m}分") == want
    assert cells.parse_datetime(f"{day.isoformat()} {h:02d}:{m:02d}") == want


def _part_of_day(h: int, evening: bool) -> tuple[str, int]:
    """An hour (0–23) as accident reports write it: (上午 / 中午 / 下午 / 晚上 / 凌晨, the hour on the 12-hour clock)."""
    if h == 12:
        return ("下午" if evening else "中午"), 12
    if h > 12:
        return ("晚上" if evening and h >= 18 else "下午"), h - 12
    return ("凌晨" if evening and h < 6 else "上午"), h


@given(DAYS, st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_times_with_the_part_of_the_day(day, h, m, evening):
    """2023年7月5日下午3时20分, 晚上8时, Excel's Chinese text 2023/8/7 下午 03:20:00: the 12-hour clock
    with its part of the day reads as the 24-hour time; 下午15时 (a 24-hour time in its part) too."""
    part, h12 = _part_of_day(h, evening)
    want = dt.datetime(day.year, day.month, day.day, h, m)
    assert cells.parse_datetime(f"{day.year}年{day.month}月{day.day}日{part}{h12}时{m}分") == want
    assert cells.parse_datetime(f"{day:%Y/%m/%d} {part} {h12:02d}:{m:02d}:00") == want
    assert cells.parse_datetime(f"{day.year}年{day.month}月{day.day}日{part}{h12}时") == want.replace(minute=0)
    if h > 12:
        assert cells.parse_datetime(f"{day.year}年{day.month}月{day.day}日{part}{h}时{m}分") == want
    assert cells.parse_date(f"{day.year}年{day.month}月{day.day}日{part}{h12}时{m}分") == dt.datetime(
        day.year, day.month, day.day)


def test_a_part_of_the_day_that_leaves_the_hour_in_doubt_is_unreadable():
    """上午12时 (noon or midnight?), 晚上12时, 凌晨12时, 中午1时, and a part that contradicts the hour
    (上午15时, 下午0时) are not guessed: SCH002. A time with no date stays unreadable as before."""
    for text in ("2023年7月5日上午12时", "2023年7月5日晚上12时", "2023年7月5日凌晨12时", "2023年7月5日中午1时",
                 "2023年7月5日上午15时", "2023年7月5日下午0时", "2023年7月5日中午0时", "2023年7月5日下午24时",
                 "上午9时10分", "下午3时"):
        assert cells.parse_datetime(text) is cells.BAD, text
    assert cells.parse_datetime("2023年7月5日中午12时30分") == dt.datetime(2023, 7, 5, 12, 30)
    assert cells.parse_datetime("2023年7月5日下午12时30分") == dt.datetime(2023, 7, 5, 12, 30)
    assert cells.parse_datetime("2023年7月5日凌晨0时30分") == dt.datetime(2023, 7, 5, 0, 30)
    assert cells.parse_datetime("2023年7月5日下午3时20分许") == dt.datetime(2023, 7, 5, 15, 20)


@given(DAYS, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59))
def test_a_serial_as_excel_stores_it_reads_as_the_second_typed(day, h, m, s):
    """Excel keeps 15 significant digits (45066.3388888889 for 2023-05-20 08:08): the time read is
    the whole second, not a few microseconds after it (an hour to the minute is not "over an hour")."""
    want = dt.datetime(day.year, day.month, day.day, h, m, s)
    serial = float(f"{(want - dt.datetime(1899, 12, 30)) / dt.timedelta(days=1):.15g}")
    assert cells.parse_datetime(serial) == want
    assert cells.parse_datetime(repr(serial)) == want


@settings(max_examples=300)
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), st.datetimes()))
def test_parsers_never_raise(value):
    for parser in (cells.parse_date, cells.parse_datetime, cells.parse_yesno, cells.parse_signature, cells.parse_int,
                   cells.money_parser("元"), cells.parse_text, cells.parse_code, cells.parse_text_or_yesno,
                   cells.list_parser(frozenset({"罚款"})), cells.choice_parser()):
        parser(value)


@given(st.integers(0, 10**7), st.sampled_from(["", "人", "项", "个"]), st.booleans())
def test_counts_with_units_and_separators(n, unit, thousands):
    text = (f"{n:,}" if thousands else str(n)) + unit
    assert cells.parse_int(text) == n


def test_forms_offices_write_beyond_the_list():
    assert cells.parse_date("2023年5月20号") == dt.datetime(2023, 5, 20)
    assert [cells.parse_yesno(v) for v in ("已公示", "已评估", "未公示", "没有评估", "无签字")] == [
        True, True, False, False, False]
    assert cells.parse_yesno("不清楚") is cells.BAD  # "don't know" is not a no
    assert cells.parse_signature("已签") is True and cells.parse_signature("未签字") is False
    assert cells.parse_text("暂无") is None
    assert cells.parse_yesno("也许") is cells.BAD


def test_an_exact_option_wins_over_yes_no_forms():
    experts = cells.choice_parser(yesno=True, options=("是", "否", "不需要"))
    assert [experts(v) for v in ("不需要", "已聘请", "未聘请", "Y")] == ["不需要", "是", "否", "是"]


WEEKDAYS = ["（星期一）", "(周三)", "星期日", " 周日", "（星期天）", "礼拜六"]  # after a date: they may not agree
WRITTEN = st.one_of(
    st.builds(lambda d, f: f(d), DAYS, st.sampled_from(FORMS[:5])),
    st.builds(lambda d, h, m, sep: f"{d.year}{sep[0]}{d.month}{sep[1]}{d.day}{sep[2]}{h}{sep[3]}{m:02d}{sep[4]}",
              DAYS, st.integers(0, 25), st.integers(0, 61),
              st.sampled_from([("年", "月", "日", "时", "分"), ("/", "/", " ", ":", ""), (".", ".", " ", ":", ""),
                               ("-", "-", " ", ":", ""), ("年", "月", "日", ":", ""), ("年", "月", "号", "点", "分")])),
    st.from_regex(r"\A\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}[日号 ]?\d{0,2}[:时点]?\d{0,2}分?\Z"),
    st.from_regex(r"\A\d{7,9}\Z"),
    st.text(alphabet="0123456789-/. :年月日时分号点T", max_size=18),
    st.builds(lambda d, f: f(d), DAYS, st.sampled_from(FORMS[7:])),
    st.builds(lambda d, w: f"{d.year}年{d.month}月{d.day}日{w}", DAYS, st.sampled_from(WEEKDAYS)),
    st.builds(lambda d: f"{d.year % 100}.{d.month}.{d.day}", DAYS),  # two-digit years stay unreadable
    st.builds(lambda d, part, h, m, f: f.format(d=d, part=part, h=h, m=m), DAYS,  # the part of the day, any hour
              st.sampled_from(["上午", "下午", "晚上", "中午", "凌晨"]), st.integers(0, 25), st.integers(0, 59),
              st.sampled_from(["{d.year}年{d.month}月{d.day}日{part}{h}时{m}分", "{d:%Y/%m/%d} {part} {h:02d}:{m:02d}:00",
                               "{d:%Y-%m-%d} {part}{h}:{m:02d}"])),
)


def test_forms_real_ledgers_use_and_what_stays_unreadable():
    assert cells.parse_date("2023。7。5") == dt.datetime(2023, 7, 5)
    assert cells.parse_date("2023年11月6日（星期一）") == dt.datetime(2023, 11, 6)
    assert cells.parse_date("2023年11月6日周一") == dt.datetime(2023, 11, 6)
    assert cells.parse_date("2023年11月5日(星期日)") == dt.datetime(2023, 11, 5)
    assert cells.parse_datetime("2023年11月6日（星期一）8时30分") == dt.datetime(2023, 11, 6, 8, 30)
    assert cells.parse_date("2023.12.06.") == dt.datetime(2023, 12, 6)
    assert cells.parse_date("23.12.5") is cells.BAD  # which century: not guessed
    assert cells.parse_date("2023年11月7日（星期一）") is cells.BAD  # the weekday contradicts the date
    assert cells.parse_date("2023520") is cells.BAD  # seven digits are no compact date


def test_the_unreadable_sentinel_is_typed_and_survives_pickling():
    import pickle

    assert isinstance(cells.BAD, cells._Unreadable)
    assert pickle.loads(pickle.dumps(cells.BAD)) is cells.BAD


def test_a_single_digit_day_before_a_time():
    # the space matters: "2023-7-6 22:48" is not "2023-7-62 2:48"
    assert cells.parse_datetime("2023-7-6 22:48") == dt.datetime(2023, 7, 6, 22, 48)
    assert cells.parse_datetime("2023/7/6 8:05") == dt.datetime(2023, 7, 6, 8, 5)


#: cells.parse_encoded reads a column through its vectorised forms (cells._fast_path) only when it holds more than
#: this many distinct values (``len(uniques) > 64``); a shorter column takes the per-value parser alone
VECTORISED_ABOVE = 64


def _vectorised(*args):
    """``cells.parse_encoded(*args)``, asserting that it read the column through its vectorised path (that
    ``cells._fast_path`` ran and did not decline it) and not value by value: what the column tests test."""
    real, taken = cells._fast_path, []

    def spy(parser, uniques):
        got = real(parser, uniques)
        taken.append(got is not None)
        return got

    with mock.patch.object(cells, "_fast_path", spy):
        result = cells.parse_encoded(*args)
    assert taken == [True]
    return result


@st.composite
def padded_columns(draw, values: st.SearchStrategy, pools: dict[str, list], vectorised: frozenset[str]) -> list:
    """A column of more than :data:`VECTORISED_ABOVE` distinct values, in an order drawn: a short unique list
    drawn from ``values`` (what the test explores), padded with fixed values of the same kinds from ``pools``,
    of which it always holds one of ``vectorised`` (each fills a column alone).

    Drawing 65–200 values of these strategies for every example cost ~1 ms a value (≈20 s a test), for
    nothing the column needs but its length: each value takes its path by itself. So hypothesis draws a
    few values, which kinds of padding surround them (at least one that the vectorised path reads, from
    ``vectorised``, so that it is taken and not left for the per-value parser: the vectorised forms are
    what is under test), how long the column is and where the drawn values sit in it.
    """
    drawn = draw(st.lists(values, min_size=1, max_size=30, unique=True))
    kinds = sorted({draw(st.sampled_from(sorted(vectorised)))} | draw(st.sets(st.sampled_from(sorted(pools)), max_size=3)))
    size = draw(st.integers(VECTORISED_ABOVE + 1, 200))
    column, seen, gap = list(drawn), set(drawn), object()  # gap: the end of a shorter pool
    for value in (v for row in zip_longest(*(pools[k] for k in kinds), fillvalue=gap) for v in row):
        if len(column) >= size:
            break
        if value is not gap and value not in seen:
            column.append(value)
            seen.add(value)
    random.Random(draw(st.integers(0, 2**32 - 1))).shuffle(column)
    return column


#: the padding's days: every 260th from 1950 to 2098 (one- and two-digit months and days, all weekdays) after
#: the edges the parsers must get right (the first and last day of the years read, leap days)
_PAD_DAYS = [dt.date(1950, 1, 1), dt.date(2099, 12, 31), dt.date(2000, 2, 29), dt.date(2024, 2, 29)] + [
    dt.date(1950, 1, 2) + dt.timedelta(days=260 * i) for i in range(206)]


def _pool(*forms) -> list:
    """The padding days written in ``forms`` (one after another), each form given (day, i): the time of
    day (:func:`_time`) and other numbers vary with i; distinct values."""
    return list(dict.fromkeys(forms[i % len(forms)](d, i) for i, d in enumerate(_PAD_DAYS)))


def _time(i: int) -> dt.time:
    """The time of day of the i-th padding value: every hour, minute and second comes up."""
    return dt.time(i % 24, 7 * i % 60, 13 * i % 60)


#: padding of a written date column, by kind: one for each form the vectorised path reads (cells._EXACT_FORMATS,
#: by its key there: a column costs one ``pandas.to_datetime`` a form, so a column holds a few of them, drawn),
#: and two of forms it leaves to the per-value parser (which reads them or not)
WRITTEN_PADDING: dict[str, list] = {
    "-0": _pool(lambda d, i: d.isoformat(), lambda d, i: f"{d.year}-{d.month}-{d.day}"),
    "/0": _pool(lambda d, i: f"{d.year}/{d.month}/{d.day}", lambda d, i: f"{d:%Y/%m/%d}"),
    ".0": _pool(lambda d, i: f"{d.year}.{d.month}.{d.day}", lambda d, i: f"{d:%Y.%m.%d}"),
    "-1": _pool(lambda d, i: f"{d.year}-{d.month}-{d.day} {_time(i).hour}:{_time(i):%M}",
                lambda d, i: f"{d.isoformat()} {_time(i):%H:%M}"),
    "/1": _pool(lambda d, i: f"{d:%Y/%m/%d} {_time(i):%H:%M}",
                lambda d, i: f"{d.year}/{d.month}/{d.day} {_time(i).hour}:{_time(i):%M}"),
    ".1": _pool(lambda d, i: f"{d:%Y.%m.%d} {_time(i):%H:%M}"),
    "-2": _pool(lambda d, i: f"{d.isoformat()} {_time(i):%H:%M:%S}"),
    "/2": _pool(lambda d, i: f"{d:%Y/%m/%d} {_time(i):%H:%M:%S}"),
    "年0": _pool(lambda d, i: f"{d.year}年{d.month}月{d.day}日", lambda d, i: f"{d:%Y年%m月%d日}"),
    "年0时": _pool(lambda d, i: f"{d.year}年{d.month}月{d.day}日{_time(i).hour}时{_time(i).minute}分",
                  lambda d, i: f"{d:%Y年%m月%d日}{_time(i):%H时%M分}"),
    "8": _pool(lambda d, i: f"{d:%Y%m%d}"),
    "other": _pool(*(lambda d, i, form=form: form(d) for form in FORMS[7:]), lambda d, i: f"{d.year}年{d.month}月{d.day}号",
                   lambda d, i: f"{d.year}年{d.month}月{d.day}日{_time(i).hour}点{_time(i).minute}分",
                   lambda d, i: f"{d.isoformat()}T{_time(i):%H:%M}",
                   lambda d, i: f"{d.year}年{d.month}月{d.day}日{_time(i).hour}时{_time(i).minute}分许",
                   lambda d, i: f"{d.year}年{d.month}月{d.day}日{_time(i).hour}:{_time(i):%M}",
                   lambda d, i: f"{d.year}年{d.month}月{d.day}日 {_time(i).hour}时{_time(i).minute}分",
                   lambda d, i: f"{d.year}年{d.month}月{d.day}日{_time(i).hour}时",
                   lambda d, i: f"{d:%Y%m%d} {_time(i):%H%M}",
                   lambda d, i: f"{d.year}-{d.month}-{d.day}".translate({c: c + 0xFEE0 for c in range(48, 58)}),
                   lambda d, i: f"{d.year}年{d.month}月{d.day}日{WEEKDAYS[i % len(WEEKDAYS)]}",
                   lambda d, i: "{}年{}月{}日{}{}时{}分".format(d.year, d.month, d.day, *_part_of_day(_time(i).hour, i % 2 == 0),
                                                            _time(i).minute),
                   lambda d, i: "{:%Y/%m/%d} {} {:02d}:{:%M:%S}".format(d, *_part_of_day(_time(i).hour, False), _time(i))),
    "unreadable": ["", " ", "动火开始时间", "日期", "T", "::"] + _pool(
        lambda d, i: f"{d.year % 100}.{d.month}.{d.day}", lambda d, i: f"{d.year}-{d.month}-{d.day + 31}",
        lambda d, i: f"{d.year}年{d.month + 12}月{d.day}日", lambda d, i: f"{d:%Y%m%d}"[:7],
        lambda d, i: f"{d.year}/{d.month}/{d.day} {24 + i % 12}:{_time(i):%M}",
        lambda d, i: f"{d.year}年{d.month}月{d.day}日{_time(i).hour}时{60 + i % 40}分",
        lambda d, i: f"{1900 + i % 50}-{d.month:02d}-{d.day:02d}", lambda d, i: f"{2101 + 37 * i}年{d.month}月{d.day}日",
        lambda d, i: f"{d.year}-02-{29 + i % 2}", lambda d, i: f"{d.year}{d.month + 12:02d}{d.day:02d}"),
}
WRITTEN_VECTORISED = frozenset(WRITTEN_PADDING) - {"other", "unreadable"}
assert WRITTEN_VECTORISED == set(cells._EXACT_FORMATS), "a kind of padding for each vectorised form"


@settings(max_examples=150, deadline=None)
@given(padded_columns(WRITTEN, WRITTEN_PADDING, WRITTEN_VECTORISED))
def test_column_parsing_equals_the_value_parser(values):
    """A whole column (vectorised for the common forms) reads each value as the per-value parser does.

    The drawn values take the same path as in a column of drawn values only: the vectorised forms read a
    text by itself (its format is chosen by its own characters, pandas reads each with that exact format,
    the Chinese ISO shortcut matches each by itself), and whatever they leave goes to the per-value
    parser. The padding only decides that the vectorised path runs at all (more than 64 values, one of
    them in a vectorised form) and what else is in the column, as a real one holds other forms."""

    for parser in (cells.parse_datetime, cells.parse_date, cells.parse_validity):
        _read_as_the_value_parser(values, parser)


#: what a workbook's date column holds: real Excel dates (any year, with times, 9999-12-31),
#: date-only cells, serial numbers and text
WORKBOOK_CELLS = st.one_of(
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)),
    st.builds(lambda d: dt.datetime(d.year, d.month, d.day), DAYS),
    st.just(dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.floats(min_value=10_000, max_value=80_000),
    WRITTEN,
)


#: padding of a workbook's date column: real Excel dates of 1950–2100 ("stamps", which the vectorised path takes
#: as they are), far ones (SCH002, or 长期 for 9999-12-31), date-only cells, serial numbers, and text. No time
#: zones: one real date with a time zone sends all of a column's real dates to the per-value parser
#: (cells._fast_path), which would hide the vectorised path from the drawn ones (none have a time zone).
WORKBOOK_PADDING: dict[str, list] = {
    **WRITTEN_PADDING,
    "stamps": _pool(lambda d, i: dt.datetime(d.year, d.month, d.day),
                    lambda d, i: dt.datetime.combine(d, _time(i)),
                    lambda d, i: dt.datetime.combine(d, _time(i).replace(microsecond=7919 * i % 1_000_000))),
    "far_stamps": [dt.datetime(9999, 12, 31), dt.datetime(9999, 12, 31, 23, 59, 59)] + _pool(
        lambda d, i: dt.datetime.combine(dt.date(1900 + i % 50, d.month, min(d.day, 28)), _time(i)),
        lambda d, i: dt.datetime(2101 + 37 * i, d.month, min(d.day, 28)), lambda d, i: dt.datetime(2262, 4, 12 + i % 18)),
    "dates": [dt.date(9999, 12, 31)] + _pool(lambda d, i: d, lambda d, i: dt.date(1900 + i % 50, d.month, min(d.day, 28)),
                                              lambda d, i: dt.date(2101 + 37 * i, d.month, min(d.day, 28))),
    "serials": _pool(lambda d, i: 10_000 + 333.3337 * i, lambda d, i: float((d - dt.date(1899, 12, 30)).days),
                     lambda d, i: float(f"{(d - dt.date(1899, 12, 30)).days + (i % 86400) / 86400:.15g}")),
}
WORKBOOK_VECTORISED = WRITTEN_VECTORISED | {"stamps"}


@settings(max_examples=150, deadline=None)
@given(padded_columns(WORKBOOK_CELLS, WORKBOOK_PADDING, WORKBOOK_VECTORISED))
def test_workbook_date_columns_read_each_cell_as_the_value_parser(values):
    """Real Excel dates are taken as a whole column (the years the parser accepts), and read as
    the per-value parser reads each: 1950–2100 as they are (the day for a date), others SCH002 or 长期.

    The real dates are converted together (one ``pandas.to_datetime``), each to itself; only an error
    there (a time zone) would change the path of all of them, and the padding has none (the rest as in
    :func:`test_column_parsing_equals_the_value_parser`)."""

    for parser in (cells.parse_datetime, cells.parse_date, cells.parse_validity):
        _read_as_the_value_parser(values, parser)


def _read_as_the_value_parser(values: list, parser) -> tuple[pd.Series, np.ndarray]:
    """Parse ``values`` as one column (the vectorised forms) and assert that every cell comes out as
    ``parser`` reads it alone: the same SCH002 cells and the same datetimes; (datetimes, unreadable).
    The column must take the vectorised path (more than 64 values, some in the vectorised forms)."""
    uniques = np.array(values, dtype=object)
    assert len(uniques) > VECTORISED_ABOVE
    got, bad = _vectorised(np.arange(len(values)), uniques, parser, "datetime64[ns]")
    one = [parser(v) for v in values]
    assert bad.tolist() == [x is cells.BAD for x in one]
    assert [None if v != v else v.to_pydatetime() for v in pd.Series(got)] == [
        None if x is cells.BAD or x is None else x for x in one]
    return pd.Series(got), bad


def test_a_validity_column_reads_long_term_and_dates_as_the_value_parser():
    """有效期至 takes the vectorised date forms too; 长期 and 9999-12-31 stay the parser's."""

    days = ([f"2023-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 15, 28)]  # more than 64: vectorised
            + [f"2024年{m}月{d}日" for m in range(1, 13) for d in (3, 9, 20)])
    values = days + ["长期", "长期有效", "9999-12-31", "9999年12月31日", "3023-01-01", "2023-02-30", "20230520", "无"]
    assert len(values) > 64
    got, _ = _read_as_the_value_parser(values, cells.parse_validity)
    assert got[values.index("9999年12月31日")] == pd.Timestamp(cells.LONG_TERM)


CODES = st.one_of(
    st.from_regex(r"\A[0-9A-Za-z]{6,18}\Z"),
    st.text(alphabet="0123456789abcXYZ -/（）ＡＢ１２'\t\u3000", min_size=1, max_size=12),
    st.from_regex(r"\A'[0-9A-Z]{6,18}\Z"),  # Excel's text marker before a long number
    st.sampled_from(sorted(PLACEHOLDERS)),
)


#: padding of a code column (as the reader gives it: stripped): plain ASCII codes, which the vectorised path
#: upper-cases all at once, and those the per-value parser reads (a leading apostrophe, spaces, full-width
#: forms); placeholders of both. All text: a column of codes is vectorised only if every value is a ``str``
#: (and then each plain one is taken by itself), as every drawn value is, so the padding changes the path of
#: none of them; a number in the padding would send the whole column to the per-value parser.
CODE_PADDING: dict[str, list] = {
    "plain": _pool(lambda d, i: f"91140122MA{i:07d}{'ABCDEFGHJKLMNPQRTUWXY'[i % 21]}",
                   lambda d, i: f"140122{d:%Y%m%d}{i % 1000:03d}{'0123456789Xx'[i % 12]}",
                   lambda d, i: f"1{3 + i % 7}{i * 7919 % 10**9:09d}", lambda d, i: f"abc{i}XyZ",
                   lambda d, i: f"No.{i}-{i % 7}/a", lambda d, i: f"{i}'q\"", lambda d, i: f"0351-{i:07d}"),
    "other": _pool(lambda d, i: f"'91140122MA{i:07d}X", lambda d, i: f"‘{i:011d}", lambda d, i: f"’a{i}",
                   lambda d, i: f"9114 0122 {i}", lambda d, i: f"ab\t{i}", lambda d, i: f"1 {i}\u3000x",
                   lambda d, i: f"ＡＢ{i}", lambda d, i: f"（{i}）", lambda d, i: f"１２-{i}", lambda d, i: f"'{i}ab"),
    "placeholders": sorted(PLACEHOLDERS),
}


@settings(max_examples=100, deadline=None)
@given(padded_columns(CODES, CODE_PADDING, frozenset({"plain", "other"})))
def test_code_columns_read_each_value_as_the_value_parser(values):
    """Identifiers (USCC, ID and phone numbers) parsed as a column, plain ASCII ones all at once,
    equal the per-value parser."""

    uniques = np.array([v.strip() or "x" for v in values], dtype=object)  # the reader strips cells
    assert len(uniques) > VECTORISED_ABOVE
    got, bad = _vectorised(np.arange(len(uniques)), uniques, cells.parse_code, "object")
    assert list(got) == [cells.parse_code(v) for v in uniques]
    assert not bad.any()


CELLS = st.one_of(st.none(), st.text(alphabet="ab 张\t", max_size=4), st.sampled_from(["", " ", "a", " a", "a "]),
                  st.floats(allow_nan=False, width=16))


@settings(max_examples=200, deadline=None)
@given(st.lists(CELLS, max_size=40), st.booleans())
def test_encoding_a_column_keeps_every_cell(values, strip):
    """The reader's one pass over a column (codes + distinct values) gives back every cell,
    stripped (mapped columns) or as written, with empty and blank cells missing."""

    from jicui_compliance.reading.tables import encode

    codes, uniques = encode(np.array(values, dtype=object), strip=strip)
    assert len(set(map(repr, uniques))) == len(uniques)  # distinct
    decoded = [None if c < 0 else uniques[c] for c in codes]

    def expected(v):
        if v is None or v == "":
            return None
        if strip and isinstance(v, str):
            return v.strip() or None
        return v

    assert decoded == [expected(v) for v in values]


def test_chinese_datetimes_read_through_the_iso_form_as_the_value_parser():
    """``2023年2月2日13时45分`` is read as ISO text when it is exactly digits and units; the near
    misses (impossible days and hours, full-width digits, spaces, a header) end up as the parser reads them."""

    values = [f"2023年{m}月{d}日{h}时{mi}分" for m in (1, 2, 11) for d in (1, 9, 28) for h in (0, 8, 13) for mi in (0, 5, 45)]
    values += ["2023年2月30日10时00分", "2023年2月3日24时00分", "1900年2月3日10时00分", "2023年２月3日10时00分",
               "2023年2月3日 10时00分", "2023年2月3日10时60分", "2023年13月3日10时00分", "动火开始时间",
               "2023年2月3日10时", "2023年2月3日10时00", "2023年2-3日10时00分", "20231年2月3日10时00分"]
    assert len(values) > 64
    got, bad = _read_as_the_value_parser(values, cells.parse_datetime)
    assert got[values.index("2023年２月3日10时00分")] == pd.Timestamp(2023, 2, 3, 10)
    assert bad[values.index("2023年2月30日10时00分")] and bad[values.index("动火开始时间")]


@settings(max_examples=500)
# a list of characters joined: st.text(alphabet=sampled | characters) never draws the sampled ones
@given(st.lists(st.sampled_from(list(" \t\n\u3000\xa0\u2028\x1c\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\ufeffＡ（）：张三ab1"))
                | st.characters(), max_size=12).map("".join))
def test_fold_drops_what_the_pattern_of_white_space_drops(text):
    # fold splits at white space (str.split: str.isspace), as re's \s matches it, and drops the invisible
    # characters (zero width space …) that text pasted from WeChat or a web page brings along
    import re
    import unicodedata

    from jicui_compliance.text import fold

    assert fold(text) == re.sub(r"[\s\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\ufeff]+", "", unicodedata.normalize("NFKC", text))


def test_split_and_the_pattern_know_the_same_white_space():
    import re

    space = re.compile(r"\s")
    assert [c for c in map(chr, range(0x110000)) if space.match(c)] == \
        [c for c in map(chr, range(0x110000)) if not c.split()]


NAME_SEPARATORS = list("、,，;；/／ \u3000\t\n\u00a0") + ["（焊工）", "(电工)", "（", ")"]
A_NAME = st.text(st.sampled_from(list("张三李四欧阳明王刚A1Ａ\u200b")), min_size=1, max_size=3)


@settings(max_examples=400)
@given(st.one_of(
    st.builds(lambda names, seps: "".join(n + s for n, s in zip(names, seps)),
              st.lists(A_NAME, min_size=1, max_size=3), st.lists(st.sampled_from(NAME_SEPARATORS + [""]), max_size=3)),
    st.text(max_size=10)))
def test_person_names_shortcut_for_one_name_agrees_with_the_long_way(cell):
    """person_names and leader_names answer a cell without separators, brackets or white space at once: the
    same names as the full split (brackets dropped, list separators, padded single characters)."""
    assert text_module.person_names(cell) == text_module._split_names(cell)
    long_way = [fold(unicodedata.normalize("NFKC", cell)), fold(BRACKETED.sub("", unicodedata.normalize("NFKC", cell))),
                *map(fold, text_module._split_names(unicodedata.normalize("NFKC", cell)))]
    assert leader_names.__wrapped__(cell) == tuple(dict.fromkeys(n for n in long_way if n))
