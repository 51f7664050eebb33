"""The one ID-number check (FMT002, SW004, masking) against python-stdnum's check digit and the birth date."""

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from jicui_compliance.rules.formats import (
    ID_BIRTH_DATE,
    ID_CHECK_DIGIT,
    ID_EARLIEST_BIRTH_YEAR,
    ID_FIRST_GENERATION,
    ID_FORM,
    ID_FUTURE,
    ID_VALID,
    id_number,
    id_numbers,
)

# real region codes of several eras (140922 was created in 2000), plus made-up and retired ones
PREFIXES = st.sampled_from(["110105", "330110", "360426", "440301", "510107", "000000", "999999", "330111",
                            "110107", "350582", "420111", "632800", "810000", "140922", "140981"]) | st.from_regex(r"\A\d{6}\Z")
BIRTH = st.from_regex(r"\A(19[0-9]{2}|20[0-3][0-9]|18[0-9]{2}|10[0-9]{2})(0[0-9]|1[0-3])([0-3][0-9])\Z")
AS_OF = dt.date(2023, 12, 31)


@st.composite
def id_numbers_drawn(draw):
    body = draw(PREFIXES) + draw(BIRTH) + draw(st.from_regex(r"\A\d{3}\Z"))
    right = ric.calc_check_digit(body + "0")
    last = draw(st.sampled_from([right, right, "X", "0", "5", "x"]))
    return body + last


VALUES = id_numbers_drawn() | st.from_regex(r"\A\d{15}\Z") | st.text(alphabet="0123456789Xx -", max_size=20)


def expected(value) -> tuple[str, dt.date | None]:
    """GB 11643-1999 as RULEBOOK §5 FMT002 reads it, written out independently."""
    if not isinstance(value, str):
        return ID_FORM, None
    if len(value) == 15 and value.isdigit() and value.isascii():
        return ID_FIRST_GENERATION, None
    if not (len(value) == 18 and value[:17].isascii() and value[:17].isdigit() and value[17] in "0123456789X"):
        return ID_FORM, None
    if value[-1] != ric.calc_check_digit(value):
        return ID_CHECK_DIGIT, None
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return ID_BIRTH_DATE, None
    if birth.year < ID_EARLIEST_BIRTH_YEAR:
        return ID_BIRTH_DATE, None
    return ID_VALID, birth


@settings(max_examples=800)
@given(VALUES)
def test_id_check_is_stdnum_check_digit_plus_birth_date(value):
    id_number.cache_clear()
    assert id_number(value) == expected(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES | st.none(), min_size=1, max_size=40))
def test_many_ids_at_once_equal_one_by_one(values):
    got = id_numbers(pd.Series(values, dtype=object), AS_OF)
    for v, status, birth in zip(values, got["status"], got["birth"]):
        if v is None:
            assert pd.isna(status) and pd.isna(birth)
            continue
        want, born = expected(v)
        if want == ID_VALID and born > AS_OF:
            want, born = ID_FUTURE, None
        assert status == want
        assert (pd.isna(birth) and born is None) or birth.date() == born


def test_address_code_is_not_judged_against_the_birth_year():
    # 140922 (Shanxi) was created in 2000: stdnum's is_valid rejects it for a 1985 birth, the standard does not
    assert not ric.is_valid("140922198503151236")
    assert id_number("140922198503151236") == (ID_VALID, dt.date(1985, 3, 15))


def _with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def test_birth_date_after_as_of_is_future_and_as_of_itself_is_not():
    born_after, born_on = _with_check_digit("11010520240101002"), _with_check_digit("11010520231231002")
    got = id_numbers(pd.Series([born_after, born_on]), AS_OF)
    assert got["status"].tolist() == [ID_FUTURE, ID_VALID]


# -- FMT001: the credit code check, against python-stdnum's own validation -------------------------------------
def uscc_expected(value: str) -> bool:
    """GB 32100-2015 as stdnum's ``is_valid`` reads it, and codes whose first two places are letters (N2…, Y…)
    checked with stdnum's check character: the definition the quicker check must keep."""
    from stdnum.cn import uscc

    if uscc.is_valid(value):
        return True
    number = uscc.compact(value)
    if len(number) != 18 or not number[2:8].isdigit() or number[:2].isdigit():
        return False
    try:
        return number[-1] == uscc.calc_check_digit(number[:17])
    except ValueError:
        return False


@st.composite
def usccs_drawn(draw):
    from stdnum.cn import uscc

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    division = st.from_regex(r"\A[0-9]{6}\Z") | st.from_regex(r"\A[0-9A-H]{6}\Z")  # a letter in places 3–8: invalid
    head = draw(st.sampled_from(["91", "92", "12", "N2", "Y1", "9A", "31"])) + draw(division)
    body = head + draw(st.text(alphabet=alphabet, min_size=9, max_size=9))
    right = uscc.calc_check_digit(body)
    code = body + draw(st.sampled_from([right, right, "0", "X", "Y", "I"]))
    style = draw(st.sampled_from(["as is", "lower", "spaced", "hyphen", "full width", "tab"]))
    if style == "lower":
        return code.lower()
    if style == "spaced":
        return f" {code[:6]} {code[6:]} "
    if style == "hyphen":
        return f"{code[:8]}-{code[8:]}"
    if style == "full width":
        return code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    return code[:16] + "\t" + code[16:] if style == "tab" else code


@settings(max_examples=600, deadline=None)
@given(usccs_drawn() | st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz -\t１Ａ", max_size=22))
def test_uscc_check_matches_stdnum(value):
    from jicui_compliance.rules.formats import _uscc_ok

    assert _uscc_ok.__wrapped__(value) is uscc_expected(value)
