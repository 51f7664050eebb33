"""Property test of the CSV reader: any grid Python's csv module writes is read back cell for
cell, with the line each record starts on, whatever its widths, quotes, line breaks and encoding.
A cell a line lacks and an empty cell are the same to the reader (both empty), so they compare equal,
and so do rows that differ only by empty cells at their end."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jicui_compliance.reading.sources import SourceFile, read_csv

# separators, quotes, both line breaks, spaces and Chinese (GB18030 encodes all of them)
TEXT = "ab 1甲乙，\"\n\r"
CELLS = st.text(alphabet=st.sampled_from(list(TEXT)), max_size=6)
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=12)


def _expected(text: str, sep: str) -> tuple[list[list[str | None]], list[int]]:
    """What Python's csv module reads: rows padded with None to the widest (a blank line stays
    ``[]``), and the line on which each record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows, lines, previous = [], [], 0
    for row in reader:
        rows.append(row)
        lines.append(previous + 1)
        previous = reader.line_num
    width = max(len(r) for r in rows)
    return [r + [None] * (width - len(r)) if r else [] for r in rows], lines


def _text(cell: object) -> str:
    """A cell as the reader's later stages see it: missing (``None``/NaN) and ``""`` are both empty."""
    return cell if isinstance(cell, str) else ""


def _cells(row: list) -> list[str]:
    """A row's cells, without the empty ones at its end (a grid read one column wider, e.g. when
    a lone CR ends the lines, holds nothing more)."""
    cells = [_text(c) for c in row]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ROWS, st.sampled_from([",", "\t"]), st.sampled_from(["\r\n", "\n", "\r"]),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), st.booleans())
def test_any_grid_the_csv_module_writes_is_read_back_cell_for_cell(tmp_path, rows, sep, newline, encoding, last_newline):
    if sep == "\t":  # a tab-separated file holds no commas in its cells (the separator is told by counting)
        rows = [[c.replace(",", "，") for c in r] for r in rows]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=sep, lineterminator=newline).writerows(rows)
    text = buffer.getvalue()
    if not last_newline:
        text = text[: -len(newline)]
    if not text.strip():
        return  # an empty file is a problem of its own (test_reading)
    (tmp_path / "a.csv").write_bytes(text.encode(encoding))
    (sheet,) = read_csv(SourceFile(tmp_path / "a.csv", "a.csv"))
    grid, lines = _expected(text, sep)
    got = sheet.cells.values.tolist()
    assert len(got) == len(grid)
    for row, want in zip(got, grid):
        if want:
            assert _cells(row) == _cells(want)
        else:  # a blank line (csv: no cell) is a row of empty cells
            assert set(row) <= {"", None}
    assert sheet.line_numbers.tolist() == lines
