"""The workbook scan's byte searches (:func:`jicui_compliance.reading.sources._holds`): finding a text through its
rare byte, one occurrence at a time, answers exactly as ``text in data`` — with few occurrences of that byte, with
more than it looks at one by one, at the edges of the data."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jicui_compliance.reading import sources
from jicui_compliance.reading.sources import _ERROR_TYPE, _formula_tag, _holds

# the pieces a sheet's XML is made of, the texts looked for, and their bytes alone or cut short
PIECES = st.sampled_from([b'<c r="A2" s="1" t="s"><v>0</v></c>', b'<row r="2" spans="1:15">', b"</row>", b"f", b"e",
                          b"<", b":", b'"', b"<f>A1+1</f>", b"<x:f>", b'<f t="shared" si="0"/>', b't="e"', b't="',
                          b'="e"', b"defaultRowHeight", b"customHeight", b"ff", b"ee", b" ", b"f" * 40, b"e" * 40])
DATA = st.lists(PIECES, max_size=200).map(b"".join)


@settings(max_examples=600)
@given(DATA)
def test_a_formula_tag_is_found_as_the_search_finds_it(data):
    assert _formula_tag(data) is (b"<f" in data or b":f" in data)


@settings(max_examples=600)
@given(DATA)
def test_an_error_type_is_found_as_the_search_finds_it(data):
    assert _holds(data, (_ERROR_TYPE,), 3) is (_ERROR_TYPE in data)


def test_past_the_occurrences_looked_at_one_by_one_the_texts_are_searched():
    # only f's that are not a formula's tag, as many as are looked at one by one, then the tag
    many = b"f" * sources._FEW
    assert _formula_tag(many + b"<f>") and _formula_tag(many + b"<x:f>")
    assert not _formula_tag(many + b"f")
    assert not _formula_tag(b"f" * (sources._FEW - 1))
    # the tag at the very start, and a byte before the data's start is no byte of it
    assert _formula_tag(b"<f>") and not _formula_tag(b"f<") and not _formula_tag(b"")
    assert _holds(b't="e"', (_ERROR_TYPE,), 3) and not _holds(b'="e"', (_ERROR_TYPE,), 3)
