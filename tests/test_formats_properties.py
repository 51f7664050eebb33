"""The fast identifier checks of the FMT rules agree with python-stdnum on every input."""

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

import numpy as np

from jicui_compliance.rules.formats import _id_ok, _ids_ok

# real region codes of several eras, plus made-up ones and codes retired or not yet assigned
PREFIXES = st.sampled_from(["110105", "330110", "360426", "440301", "510107", "000000", "999999", "330111",
                            "110107", "350582", "420111", "632800", "810000"]) | st.from_regex(r"\A\d{6}\Z")
BIRTH = st.from_regex(r"\A(19[0-9]{2}|20[0-2][0-9]|18[0-9]{2})(0[0-9]|1[0-3])([0-3][0-9])\Z")


@st.composite
def id_numbers(draw):
    body = draw(PREFIXES) + draw(BIRTH) + draw(st.from_regex(r"\A\d{3}\Z"))
    right = ric.calc_check_digit(body + "0")
    last = draw(st.sampled_from([right, right, "X", "0", "5", "x"]))
    return body + last


@settings(max_examples=800)
@given(id_numbers() | st.text(alphabet="0123456789Xx -", max_size=20))
def test_id_check_equals_stdnum(value):
    _id_ok.cache_clear()
    assert _id_ok(value) == ric.is_valid(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(id_numbers() | st.text(alphabet="0123456789Xx -", max_size=20) | st.none(), min_size=1, max_size=40))
def test_many_ids_at_once_equal_stdnum(values):
    got = _ids_ok(np.array(values, dtype=object))
    assert got.tolist() == [isinstance(v, str) and ric.is_valid(v) for v in values]
