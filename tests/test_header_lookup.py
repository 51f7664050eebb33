"""The header index's quick answers (a text of ASCII only, a text whose first character is in no accepted
header) against the long way: normalise the text and look it up, for what it names and whether it is the end
of a header (a sub-header below a group cell)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jicui_compliance.ledgers import vocabulary
from jicui_compliance.reading.tables import HeaderIndex
from jicui_compliance.text import normalize_header

INDEX = HeaderIndex(vocabulary())
HEADERS = sorted({h for fields in vocabulary().values() for headers in fields.values() for h in headers})
# characters of the headers, others that begin names, places and dates, and what normalising folds or drops
CHARS = sorted(set("".join(HEADERS))) + list("张王李东坡村镇2023年月日9AQxz0 　*※（）()\u200b\t") + ["Ａ", "１", "⼈"]


@st.composite
def cells(draw):
    kind = draw(st.sampled_from(["header", "end", "padded", "text"]))
    if kind == "text":
        return draw(st.text(alphabet=st.sampled_from(CHARS), min_size=1, max_size=8))
    header = draw(st.sampled_from(HEADERS))
    if kind == "end":
        return header[draw(st.integers(0, len(header) - 1)):]
    return draw(st.sampled_from(["", " ", "*", "　"])) + header + draw(st.sampled_from(["", "（必填）", " "]))


@settings(max_examples=1500, deadline=None)
@given(cells())
def test_lookup_as_the_long_way(cell):
    key = normalize_header(cell)
    assert INDEX.lookup(cell) == INDEX._index.get(key, [])
    assert (cell in INDEX._ending) is (key in INDEX._ends)
    assert (cell in INDEX._named) is bool(INDEX._index.get(key))


def test_quick_answers_are_taken(monkeypatch):
    """Names, places and dates are answered without normalising (the point of the quick answers), and a header
    whose first character is among them is still found."""
    import jicui_compliance.reading.tables as tables

    index = HeaderIndex(vocabulary())
    normalised = []
    monkeypatch.setattr(tables, "normalize_header", lambda v: normalised.append(v) or normalize_header(v))
    assert index.lookup("张三") == [] and index.lookup("2023年7月") == [] and index.lookup("9133") == []
    assert normalised == []
    assert index.lookup("*企业名称（必填）") and normalised == ["*企业名称（必填）"]
