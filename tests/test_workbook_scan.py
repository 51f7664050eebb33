"""The workbook scan's byte searches (:func:`jicui_compliance.reading.sources._holds`): finding a text through its
rare byte, one occurrence at a time, answers exactly as ``text in data`` — with few occurrences of that byte, with
more than it looks at one by one, at the edges of the data."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jicui_compliance.reading import sources
from jicui_compliance.reading.sources import _ERROR_TYPE, _holds

# the pieces a sheet's XML is made of, the texts looked for, and their bytes alone or cut short
PIECES = st.sampled_from([b'<c r="A2" s="1" t="s"><v>0</v></c>', b'<row r="2" spans="1:15">', b"</row>", b"f", b"e",
                          b"<", b":", b'"', b"<f>A1+1</f>", b"<x:f>", b'<f t="shared" si="0"/>', b't="e"', b't="',
                          b'="e"', b"defaultRowHeight", b"customHeight", b"ff", b"ee", b" ", b"f" * 40, b"e" * 40])
DATA = st.lists(PIECES, max_size=200).map(b"".join)
#: what the scan looks for, and the place of its rare byte
SEARCHED = [(b"<f", 1), (b":f", 1), (_ERROR_TYPE, 3)]


@pytest.mark.parametrize(("text", "key"), SEARCHED)
@settings(max_examples=400)
@given(data=DATA)
def test_a_text_is_found_as_the_search_finds_it(text, key, data):
    assert _holds(data, text, key) is (text in data)


def test_past_the_occurrences_looked_at_one_by_one_the_text_is_searched():
    # only f's that are not a formula's tag, as many as are looked at one by one, then the tag
    many = b"f" * sources._FEW
    assert _holds(many + b"<f>", b"<f", 1) and _holds(many + b"<x:f>", b":f", 1)
    assert not _holds(many + b"f", b"<f", 1)
    assert not _holds(b"f" * (sources._FEW - 1), b"<f", 1)
    # the text at the very start, and a byte before the data's start is no byte of it
    assert _holds(b"<f>", b"<f", 1) and not _holds(b"f<", b"<f", 1) and not _holds(b"", b"<f", 1)
    assert _holds(b't="e"', _ERROR_TYPE, 3) and not _holds(b'="e"', _ERROR_TYPE, 3)
