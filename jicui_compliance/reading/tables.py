"""Sheets → tables: find the header row, classify the sheet, keep the records.

RULEBOOK §4 and §8: the header row may sit below title rows; a sheet is the ledger
whose headers it matches most (distinct columns, canonical or alias); fewer than three
matches, or a tie between two ledgers, is reported. Rows that are blank, that hold only
a 序号 (and placeholders: 无, /, —), or that are footers (合计, a signature's label 填表人：, 审核：,
日期：, 填表说明 and the note lines after it …) are not records; nor is a row of column numbers
(1 2 3 …) right below the header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..text import PLACEHOLDERS, fold, normalize_header
from .sources import RawSheet, SheetProblem

#: ledger → field → accepted header texts (canonical first, then aliases)
Vocabulary = Mapping[str, Mapping[str, Sequence[str]]]

SCAN_ROWS = 30  # the header must be among the first rows of a sheet (sources.HEAD_ROWS: one more)
MIN_MATCHES = 3

#: Two-row headers: a group cell (merged over its columns, e.g. “整改五落实”) above sub-headers
#: (“责任人”, “措施”, “资金(万元)”, “期限”, “预案”). A sub-header is read with its group: the group
#: text and each of the group's synonyms below are tried as a prefix (整改+措施 → 整改措施,
#: 应急+预案 → 应急预案), then the sub-header alone. Keys are normalised group texts.
GROUP_SYNONYMS: dict[str, tuple[str, ...]] = {
    "整改五落实": ("整改", "应急"),
    "五落实": ("整改", "应急"),
    "整改": ("应急",),
    "整改情况": ("整改", "应急"),
    "隐患整改": ("整改", "应急"),
    "隐患整改情况": ("整改", "应急"),
}

#: Header cells that are never a ledger column and never reported as unchecked (RULEBOOK §5, SCH005).
UNCHECKED_HEADERS = frozenset({"序号", "备注", "说明", "附件", "照片"})

# Footer lines (RULEBOOK §4), by their first cell; the one list of words from which both the
# regular expressions and the first characters worth testing are built.
_TOTALS = ("合计", "总计", "小计")  # the whole cell, or followed by ":" or a space
_NOTES_TITLE = ("填表说明",)  # starts the notes
_NOTE_LABELS = ("说明", "备注", "注")  # followed by ":" (注1：, 注①：), starts the notes
_STAMP_UNITS = ("单位", "填报单位")  # followed by "(盖章"
_BLANK_BELOW = ("以下空白", "以下无内容", "本页以下空白")  # the whole cell, also in brackets
_FOOTER_WORDS = _TOTALS + _NOTES_TITLE + _NOTE_LABELS + _STAMP_UNITS + _BLANK_BELOW

#: A signature line: a short label (at most 10 characters, folded: no spaces, full-width forms
#: half-width) ending in a signer's or a date's word, perhaps with “(签字)”, then ":" — 填表人：,
#: 负责人：, 主要负责人签字：, 审核：, 制表：, 审核人(签字)：, 分管领导：, 日期：, 联系电话：. A record's
#: first cell is a 序号, a code or a name, never such a label (日期科技有限公司 has no ":").
_SIGNER_WORDS = ("人", "领导", "审核", "审批", "审定", "复核", "核对", "校对", "批准", "制表", "填表", "填报",
                "统计", "经办", "记录", "录入", "签字", "签名", "签章", "盖章", "日期", "时间", "单位", "电话")
_SIGNED = "签字|签名|签章|盖章"
_SIGNATURE = re.compile(rf"^(?=[\u4e00-\u9fff()]{{1,10}}:)[\u4e00-\u9fff]*(?:{'|'.join(_SIGNER_WORDS)})"
                        rf"(?:\((?:{_SIGNED})\))?:")


def _any(words: tuple[str, ...]) -> str:
    """One of ``words``, each also with white space between its characters (“合 计”, “填　表　人”:
    offices space out short labels to fill the cell)."""
    return "(?:" + "|".join(r"\s*".join(map(re.escape, w)) for w in words) + ")"


_NUMBERED = r"\s*[0-9０-９①-⑳]*\s*"  # 注1：, 注①：
_FOOTER = re.compile(
    rf"^(?:{_any(_TOTALS)}(?:[:：\s].*)?$"
    rf"|{_any(_NOTES_TITLE)}|{_any(_NOTE_LABELS)}{_NUMBERED}[:：]|{_any(_STAMP_UNITS)}\s*[(（]?盖章"
    rf"|[(（]?{_any(_BLANK_BELOW)}[)）]?$)"
)
_FOOTER_START = frozenset(w[0] for w in _FOOTER_WORDS) | {"(", "（"}  # first characters _FOOTER can match
_FIRST_CHARS = np.array(sorted(_FOOTER_START), dtype="U1")
_NOTES_MARKER = re.compile(rf"^(?:{_any(_NOTES_TITLE)}|{_any(_NOTE_LABELS)}\s*[:：]?$|{_any(_NOTE_LABELS)}{_NUMBERED}[:：])")


def _is_footer(text: str) -> bool:
    """Whether a row's first cell (stripped) makes it a footer: a total, a signature, a stamp, the
    notes, 以下空白."""
    return bool(_FOOTER.match(text)) or ((":" in text or "：" in text) and bool(_SIGNATURE.match(fold(text))))


#: the characters ``str.strip()`` removes (those of ``str.isspace()``): pyarrow trims exactly these
#: from a CSV file's texts (:func:`text_columns`), as Python strips a workbook's (:func:`records_of`)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _char_key(ch: str) -> int:
    """A character's UTF-8 bytes as one number (the first three), as :func:`_first_char_keys` reads them."""
    b = ch.encode("utf-8")[:3]
    return int.from_bytes(b, "big")


#: the first characters worth a look for a footer: those :data:`_FOOTER` can start with, and white
#: space (a footer may come after it)
_FIRST_KEYS = np.array(sorted({_char_key(c) for c in _FOOTER_START | set(WHITESPACE)}), dtype=np.int64)


@dataclass
class Table:
    ledger: str
    file: str
    sheet: str
    header_row: int  # Excel row / CSV line of the header
    headers: dict[str, str]  # field → the header text as written in the sheet
    letters: dict[str, str]  # field → Excel column letter
    columns: dict[str, tuple[np.ndarray, np.ndarray]]  # field → (codes, distinct cleaned values); -1 empty
    source_rows: np.ndarray  # the Excel row / CSV line of each record
    encoding: str = ""
    #: header cells that name no field of the ledger, as (column letter, header as written):
    #: those columns are not checked (SCH005). 序号, 备注 … (:data:`UNCHECKED_HEADERS`) are not listed.
    unmapped: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.source_rows)

    def __getstate__(self) -> dict[str, Any]:
        """As pickled (sent back by a worker process): a CSV column's texts are a slice of the texts
        of the file's columns (:func:`text_columns`), and go on their own, not with the whole."""
        import pyarrow as pa

        state = dict(self.__dict__)
        state["columns"] = {f: (codes, u if isinstance(u, np.ndarray) else pa.concat_arrays([u]))
                            for f, (codes, u) in self.columns.items()}
        return state

    @property
    def frame(self) -> pd.DataFrame:
        """The records as a person reads them: one column per matched field (cleaned cells,
        ``None`` where empty) and ``source_row``."""
        out = {}
        for fld, (codes, uniques) in self.columns.items():
            values = np.concatenate([as_objects(uniques), np.array([None], dtype=object)])
            out[fld] = values[np.where(codes < 0, len(uniques), codes)]
        frame = pd.DataFrame(out, dtype=object) if out else pd.DataFrame(index=range(len(self)))
        frame["source_row"] = self.source_rows
        return frame


def as_objects(uniques: Any) -> np.ndarray:
    """A column's distinct values as an object array: a CSV column's are a pyarrow string array
    (:func:`text_columns`), a workbook's an object array already."""
    if isinstance(uniques, np.ndarray):
        return uniques.astype(object, copy=False)
    return np.asarray(uniques.to_numpy(zero_copy_only=False), dtype=object)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class HeaderIndex:
    """Normalised header text → the (ledger, field) pairs it names."""

    def __init__(self, vocabulary: Vocabulary):
        self.ledgers = list(vocabulary)
        self._index: dict[str, list[tuple[str, str]]] = {}
        for ledger, fields in vocabulary.items():
            for fld, headers in fields.items():
                for h in headers:
                    key = normalize_header(h)
                    pairs = self._index.setdefault(key, [])
                    if (ledger, fld) not in pairs:
                        pairs.append((ledger, fld))

        self._memo: dict[str, list[tuple[str, str]]] = {}
        #: every accepted header has a character beyond ASCII (中文): a cell of ASCII only (a date, a
        #: number, a code) names no field, and is not normalised to be looked up
        self._ascii_names = any(key.isascii() for key in self._index)
        self._named: set[str] = set()  # the texts looked up so far that name a field
        #: the ends of accepted headers (“措施” of “整改措施”): a sub-header below a group cell is one of these
        self._ends = {key[i:] for key in self._index for i in range(1, len(key))}
        self._ascii_end_chars = {ch for end in self._ends if end.isascii() for ch in end}  # “)” of “资金(万元)”
        self._ending: set[str] = set()  # the texts looked up so far that are such an end, once normalised
        #: the characters of accepted headers: a text that starts with a CJK ideograph, an ASCII letter or digit (which
        #: normalising leaves as they are, first) not among them names no field and is no header's end (a name, a
        #: place, a date), and is not normalised
        self._header_chars = {ch for key in self._index for ch in key}

    def lookup(self, cell: object) -> list[tuple[str, str]]:
        if not isinstance(cell, str):
            return []
        found = self._memo.get(cell)
        if found is None:
            if cell.isascii() and not self._ascii_names and self._ascii_end_chars.isdisjoint(cell):
                found = self._memo[cell] = []  # normalising ASCII gives ASCII
            elif cell[:1] not in self._header_chars and ("\u4e00" <= cell[:1] <= "\u9fff" or cell[:1].isascii()
                                                        and cell[:1].isalnum()):
                found = self._memo[cell] = []
            else:
                key = normalize_header(cell)
                found = self._memo[cell] = self._index.get(key, [])
                if found:
                    self._named.add(cell)
                if key in self._ends:
                    self._ending.add(cell)
        return found

    def may_extend(self, row: Sequence[object]) -> bool:
        """Whether ``row``, below a row of group cells, could add to what the row above names
        (:func:`_two_rows`): one of its cells names a field, or is the end of an accepted header
        (a sub-header: 整改 + 措施). A row of data (dates, names, numbers) is neither, and the two
        rows together then name no field the upper row does not name alone (:func:`locate`)."""
        for cell in row:
            if isinstance(cell, str):
                if self.lookup(cell) or cell in self._ending:
                    return True
            elif cell is not None:
                key = normalize_header(cell)  # a workbook's number or date, as _two_rows reads it
                if key in self._index or key in self._ends:
                    return True
        return False

    def naming(self, rows: Sequence[Sequence[object]]) -> set | None:
        """The cells of ``rows`` that name a field, each distinct cell looked up once; None when a
        cell cannot be hashed (then each row is looked at cell by cell)."""
        try:
            cells = set().union(*rows)
        except TypeError:
            return None
        for cell in cells.difference(self._memo):
            self.lookup(cell)
        return cells & self._named


def encode(values: np.ndarray, strip: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """One column as (codes, distinct values): empty cells missing (code -1); with ``strip``
    (the ledger's columns) text is stripped and white-space-only cells are missing too.

    This is the only pass over every cell of a column: later stages (the record mask, the
    ledgers' parsers) work on the distinct values and on integer codes. A workbook's column is
    numbered here; a CSV file's comes numbered from the parser (:func:`records_of` alone).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return records_of(codes, np.asarray(uniques, dtype=object), 0, strip)


def records_of(codes: np.ndarray, uniques: np.ndarray, start: int, strip: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A column as (codes, distinct values) (``codes[i]`` -1: no cell), cut to its rows from
    ``start`` on (the records), as :func:`encode` describes: only the distinct values the records
    use are looked at (stripped, emptied), and every cell's code is mapped once."""
    rows = codes[start:]
    used = np.zeros(len(uniques) + 1, dtype=bool)
    used[rows] = True  # code -1 (no cell) marks the last slot
    keep = used[:-1]
    values = uniques
    if strip:  # other columns (序号, 备注 …) only tell whether a row is blank or a footer
        texts = uniques.tolist()
        try:
            stripped = list(map(str.strip, texts))
        except TypeError:  # a workbook's numbers and dates among the texts
            stripped = [t.strip() if isinstance(t, str) else t for t in texts]
        if stripped != texts:  # str.strip returns the text itself when there is nothing to strip
            values = np.array(stripped, dtype=object)
    if len(values):
        keep = keep & (values != "")
    remap = np.full(len(uniques) + 1, -1, dtype=np.intp)
    if values is not uniques:  # stripping may merge values (" 张三" and "张三"): factorize the few again
        recodes, distinct = pd.factorize(values[keep], use_na_sentinel=True)
        remap[:-1][keep] = recodes
        return remap[rows], np.asarray(distinct, dtype=object)
    remap[:-1][keep] = np.arange(int(keep.sum()), dtype=np.intp)
    return remap[rows], uniques[keep]


def _lengths(texts: Any) -> np.ndarray:
    """The length in bytes of each text of a pyarrow string array."""
    offsets = _offsets(texts)
    return offsets[1:] - offsets[:-1]


def _offsets(texts: Any) -> np.ndarray:
    if not len(texts):
        return np.zeros(1, dtype=np.int64)
    wide = texts.type.id == 14  # large_string (never from the CSV parser)
    return np.frombuffer(texts.buffers()[1], dtype=np.int64 if wide else np.int32, count=len(texts) + 1,
                         offset=texts.offset * (8 if wide else 4))


def text_columns(columns: list[tuple[np.ndarray, Any]], start: int,
                 mapped: set[int]) -> tuple[list[tuple[np.ndarray, Any]], bool]:
    """:func:`records_of` for every column of a CSV file, whose distinct texts are pyarrow string
    arrays: trimmed (:data:`WHITESPACE`, as ``str.strip``) and measured by pyarrow, the ledger's
    columns of the file at once, and left pyarrow arrays; the codes are those of the parser, an empty
    cell's made -1.

    A ledger's column (``mapped``) keeps its texts trimmed: two of them may be the same text once
    trimmed (" 张三" and "张三"), which :func:`jicui_compliance.ledgers.load` merges with the texts of
    the other sheets; a few are no record's (the header's, a title's, ""): they are parsed with the
    others, and no row takes them. Another column (序号, 备注 …) only tells whether a row is blank or a
    footer: its texts stay as they are.

    Also whether a text of the ledger's columns is a placeholder (无, /, —): measured at once, only the short
    texts asked."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out: list[tuple[np.ndarray, Any]] = [(codes[start:], texts) for codes, texts in columns]
    mine = [j for j in sorted(mapped) if j < len(columns)]
    trimmed = pc.utf8_trim(pa.concat_arrays([columns[j][1] for j in mine]), WHITESPACE) if mine else None
    lengths = _lengths(trimmed) if trimmed is not None else None
    empty = lengths == 0 if lengths is not None else None
    placeholders = False
    if trimmed is not None and lengths is not None:
        placeholders = _any_placeholder(trimmed, lengths)
    at = 0
    for j, (rows, texts) in enumerate(out):
        if j in mapped and trimmed is not None and empty is not None:
            n = len(texts)
            texts, blank = trimmed.slice(at, n), empty[at : at + n]
            at += n
        else:
            blank = _lengths(texts) == 0
        if blank.any():
            recode = np.arange(len(blank) + 1, dtype=rows.dtype)  # a code → itself, or -1 for an empty text
            recode[np.append(blank, True)] = -1  # code -1 (no cell) takes the last slot
            rows = recode[rows]
        out[j] = (rows, texts)
    return out, placeholders


def _first_char_keys(texts: Any, which: np.ndarray) -> np.ndarray:
    """For the texts ``which`` of a pyarrow string array, the first character as :func:`_char_key`
    numbers it (0 for an empty text), read from the array's bytes: no text becomes a Python text."""
    offsets = _offsets(texts)
    starts = offsets[which]
    data = texts.buffers()[2] if len(texts) else None
    if data is None or not len(data):
        return np.zeros(len(which), dtype=np.int64)
    raw = np.frombuffer(data, dtype=np.uint8)
    last = len(raw) - 1
    b0 = raw[np.minimum(starts, last)].astype(np.int64)
    b1 = raw[np.minimum(starts + 1, last)].astype(np.int64)
    b2 = raw[np.minimum(starts + 2, last)].astype(np.int64)
    key = np.where(b0 < 0x80, b0, np.where(b0 < 0xE0, (b0 << 8) | b1, (b0 << 16) | (b1 << 8) | b2))
    key[offsets[which + 1] == starts] = 0
    return key


def _among_first_keys(keys: np.ndarray) -> np.ndarray:
    at = np.minimum(np.searchsorted(_FIRST_KEYS, keys), len(_FIRST_KEYS) - 1)
    return _FIRST_KEYS[at] == keys


def _score_row(row: Sequence[object], index: HeaderIndex, naming: set | None = None) -> dict[str, dict[str, int]]:
    """ledger → field → first column position, for one candidate header row (``naming``: a set
    holding every cell of the row that names a field, :meth:`HeaderIndex.naming`)."""
    found: dict[str, dict[str, int]] = {}
    if naming is not None and naming.isdisjoint(row):  # the usual row: a record
        return found
    known = index._memo.get  # most cells are data already seen: skip the call
    for pos, cell in enumerate(row):
        if not isinstance(cell, str):
            continue
        pairs = known(cell)
        if pairs is None:
            pairs = index.lookup(cell)
        for ledger, fld in pairs:
            found.setdefault(ledger, {}).setdefault(fld, pos)
    return found


@dataclass
class _Layout:
    """One way of reading the header: a row, or two rows (group cells above sub-headers)."""

    rows: list[int]
    keys: list[object]  # per column: the text looked up (a sub-header read with its group) or None
    written: list[str]  # per column: the header as written ("" for none)
    found: dict[str, dict[str, int]]  # ledger → field → first column position

    @property
    def top(self) -> int:
        return max((len(f) for f in self.found.values()), default=0)


def _written(cell: object) -> str:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ""
    return re.sub(r"\s+", "", str(cell))


def _one_row(r: int, row: Sequence[object], index: HeaderIndex, naming: set | None = None) -> _Layout:
    """``written`` is left empty, and filled by :func:`locate` for the layout it takes only."""
    return _Layout([r], list(row), [], _score_row(row, index, naming))


def _two_rows(r: int, upper: Sequence[object], lower: Sequence[object], index: HeaderIndex) -> _Layout:
    """Row ``r`` as group cells over the sub-headers of row ``r + 1``. A merged cell holds its
    text in every column it spans (the reader fills merged ranges); in a CSV the group is
    written once, so an empty upper cell right of a group continues it."""
    keys: list[object] = []
    written: list[str] = []
    group = ""
    for u_cell, l_cell in zip(upper, lower):
        u, low = normalize_header(u_cell), normalize_header(l_cell)
        if u and u != low:
            group = u if low else ""
        elif u:
            group = ""
        if not low:
            keys.append(u_cell)
            written.append(_written(u_cell))
            continue
        g = u if u and u != low else group
        if not g:  # a header merged over both rows, or a lone sub-header
            keys.append(l_cell)
            written.append(_written(l_cell))
            continue
        tries = [g + low] + [p + low for p in GROUP_SYNONYMS.get(g, ())] + [low, g]
        key = next((t for t in tries if index.lookup(t)), None)
        keys.append(key)
        written.append(_written(l_cell) if key == low else f"{g}/{_written(l_cell)}" if key != g else g)
    return _Layout([r, r + 1], keys, written, _score_row(keys, index))


def locate(raw: RawSheet, index: HeaderIndex) -> Table | SheetProblem:
    """Find the header row and ledger of a sheet, and cut out its records."""
    n_rows = len(raw)
    n_scan = min(SCAN_ROWS, n_rows)
    top_rows = raw.head(n_scan + 1)  # the header is among these
    naming = index.naming(top_rows[:n_scan])
    singles = [_one_row(r, top_rows[r], index, naming) for r in range(n_scan)]
    best: _Layout | None = None
    for r, single in enumerate(singles):
        layouts = [single]
        # two rows count only when they name more columns than either row alone: a title row
        # above the header, or the first record below it, adds nothing
        if single.found and r + 1 < n_rows and index.may_extend(top_rows[r + 1]):
            pair = _two_rows(r, top_rows[r], top_rows[r + 1], index)
            below = singles[r + 1].top if r + 1 < n_scan else 0
            if pair.top > max(single.top, below):
                layouts.append(pair)
        for layout in layouts:
            if layout.found and (best is None or layout.top > best.top):
                best = layout
    where = f"前 {n_scan} 行"
    if best is None or best.top < MIN_MATCHES:
        n = 0 if best is None else best.top
        return SheetProblem(raw.file, raw.sheet, f"{where}中未找到可识别的台账表头（最多只匹配到 {n} 个已知列名，至少需要 {MIN_MATCHES} 个）")
    score = best.top
    leaders = [led for led, f in best.found.items() if len(f) == score]
    if len(leaders) > 1:
        return SheetProblem(
            raw.file, raw.sheet,
            f"第 {raw.line_numbers[best.rows[-1]]} 行的表头同时符合{len(leaders)}种台账（{'、'.join(leaders)}，各匹配 {score} 列），无法判断是哪种台账",
            tied=tuple(leaders),
        )
    ledger = leaders[0]
    positions = dict(best.found[ledger])
    if len(best.rows) == 1:
        best.written = [_written(c) for c in best.keys]
    data_start = best.rows[-1] + 1
    # a row of column numbers (1 2 3 …) right below the header, or below a units row the header was not
    # read with (:func:`_two_rows`), is part of the heading: the records keep their own rows (line_numbers)
    n_headers = sum(map(bool, best.written))
    for numbers in (data_start, data_start + 1):
        if numbers < len(top_rows) and _column_numbers(top_rows[numbers], n_headers):
            data_start = numbers + 1
            break
        if not (numbers + 1 < len(top_rows) and _units_row(top_rows[numbers])):
            break
    header_text = {fld: best.written[pos] for fld, pos in positions.items()}
    mapped_pos = set(positions.values())
    unmapped = [(column_letter(j), text) for j, text in enumerate(best.written)
                if text and j not in mapped_pos and not _unchecked(text)]
    lines = np.asarray(raw.line_numbers[data_start:])
    columns: list[tuple[np.ndarray, Any]]
    placeholders = True  # whether a ledger's cell may be a placeholder (无, /, —): a CSV file's texts tell
    if raw.columns is not None:  # a CSV file: codes + distinct texts already
        columns, placeholders = text_columns(raw.columns, data_start, mapped_pos)
    else:
        columns = [encode(a[data_start:], strip=j in mapped_pos) for j, a in enumerate(raw.column_arrays())]
    keep = _record_mask(columns, list(positions.values()), placeholders)
    keep &= ~_headings_again(columns, {pos: best.written[pos] for pos in mapped_pos})
    if raw.merged is not None and len(raw.merged):
        keep &= ~_merged_notes(raw.merged, data_start, columns, sorted(mapped_pos),
                               [j for j, text in enumerate(best.written) if text])
    return Table(
        ledger=ledger,
        file=raw.file,
        sheet=raw.sheet,
        header_row=int(raw.line_numbers[best.rows[0]]),
        headers=header_text,
        letters={f: column_letter(p) for f, p in positions.items()},
        columns={fld: (columns[pos][0][keep], columns[pos][1]) for fld, pos in positions.items()},
        source_rows=lines[keep],
        encoding=raw.encoding,
        unmapped=unmapped,
    )


#: what a column-number row may start with before its numbers: 栏次 (under 序号), 甲 乙 丙 (under the
#: columns of names and codes, which government forms letter rather than number)
_COLUMN_LABELS = frozenset({"栏次", "栏号", "列次", "甲", "乙", "丙", "丁", "戊", "己"})


_UNITS = re.compile(r"^\([^()]{1,8}\)$")


def _units_row(row: Sequence[object]) -> bool:
    """Whether ``row`` holds only units in brackets (（万元）, （人）, （年月日）), under the headers."""
    cells = [normalize_header(c) for c in row]
    cells = [c for c in cells if c and c != "nan"]
    return bool(cells) and all(_UNITS.match(c) for c in cells)


def _column_numbers(row: Sequence[object], n_headers: int) -> bool:
    """Whether ``row``, directly below the header, numbers the columns as government forms print it:
    its cells in column order are 1, 2, 3 … k (k ≥ 3, “（1）” too), perhaps after 栏次 or 甲 乙, and
    they are more than half as many as the header's cells. A record is never such a row."""
    cells = []
    for c in row:
        if isinstance(c, float) and c.is_integer():
            c = int(c)
        text = normalize_header(c)
        if text and text != "nan":
            cells.append(text.removeprefix("(").removesuffix(")"))
    labels = 0
    while labels < len(cells) and cells[labels] in _COLUMN_LABELS:
        labels += 1
    numbers = cells[labels:]
    return (len(numbers) >= 3 and 2 * len(cells) > n_headers
            and numbers == [str(k) for k in range(1, len(numbers) + 1)])


def _unchecked(written: str) -> bool:
    """序号, 备注, 说明, 附件, 照片 (also as a sub-header: 整改情况/备注): not a ledger column."""
    return normalize_header(written.rsplit("/", 1)[-1]) in UNCHECKED_HEADERS


def _record_mask(columns: list[tuple[np.ndarray, Any]], mapped: list[int], placeholders: bool = True) -> np.ndarray:
    """True for rows that are records: not blank, not a footer, not a note line.

    ``columns`` are every column of the sheet as (codes, distinct values), ``mapped`` the
    positions of the ledger's columns; only distinct values are looked at as text. A row is blank
    when none of the ledger's cells holds a value: a placeholder (无, /, —) is empty (RULEBOOK §8),
    so a row of a 序号 and placeholders holds only a 序号. A merged cell's value is in every cell of
    its range (:func:`.sources._fill_merged`): a note line is told by its distinct values, not its
    filled cells. ``placeholders``: False when no cell of the ledger's columns is a placeholder.
    """
    n = len(columns[0][0]) if columns else 0
    if n == 0:
        return np.zeros(0, dtype=bool)
    filled = np.empty((len(columns), n), dtype=bool)  # column × row
    for j, (codes, _) in enumerate(columns):
        np.greater_equal(codes, 0, out=filled[j])
    js = sorted(set(mapped))
    if placeholders:
        has_value = _has_value(columns, js, filled)
    else:
        has_value = np.array(filled[js].any(axis=0), dtype=bool) if js else np.zeros(n, dtype=bool)
    n_filled = filled.sum(axis=0)
    # The first non-empty cell of each row, over all columns (序号 and unmapped ones
    # included), decides whether the row is a footer or starts the notes.
    footer = np.zeros(n, dtype=bool)
    notes = np.zeros(n, dtype=bool)
    first_column = np.where(n_filled > 0, filled.argmax(axis=0), -1)
    for j in np.flatnonzero(np.bincount(first_column + 1)[1:]).tolist():  # the columns that come first, in order
        codes, uniques = columns[j]
        take = first_column == j
        first = codes[take]
        used = np.zeros(len(uniques), dtype=bool)
        used[first] = True
        is_footer, is_notes = _footer_kinds(uniques, np.flatnonzero(used))
        if is_footer.any() or is_notes.any():
            footer[take] = is_footer[first]
            notes[take] = is_notes[first]
    if notes.any():
        # A note label with its text beside it (备注 | 本表每月5日前报送, the text merged across) is a note line.
        labels = np.flatnonzero(notes & ~footer & has_value)
        footer[labels] = _distinct_counts(columns, labels) <= 2
        # After a 填表说明 / 说明： line, numbered note lines (one text, in one cell or merged across the
        # table) are notes, not records.
        lines = np.flatnonzero((np.arange(n) > np.flatnonzero(notes)[0]) & ~footer & has_value)
        footer[lines] = _distinct_counts(columns, lines) <= 1
    return has_value & ~footer


def _has_value(columns: list[tuple[np.ndarray, Any]], mapped: list[int], filled: np.ndarray) -> np.ndarray:
    """Which rows hold a value in one of the ``mapped`` columns: a cell that is neither empty nor a placeholder
    (无, /, —, ——, - …: empty, RULEBOOK §8). The columns are asked in turn, each only about the rows no column
    before it answered: a record nearly always has its enterprise, the first of them, so the other columns
    are seldom looked at."""
    has_value = np.zeros(filled.shape[1], dtype=bool)
    pending = np.array(filled[mapped].any(axis=0), dtype=bool) if mapped else has_value.copy()  # some cell filled
    for j in mapped:
        rows = np.flatnonzero(pending)
        if not len(rows):
            break
        codes, uniques = columns[j]
        at = codes[rows]
        real = np.append(~_placeholders(uniques), False)  # code -1 (no cell): the last slot
        found = real[at]
        has_value[rows[found]] = True
        pending[rows[found]] = False
    return has_value


def _placeholders(uniques: Any) -> np.ndarray:
    """For each distinct (stripped) value of a column: is it a placeholder for empty. Only a short text can
    be one: a CSV column's texts (pyarrow) are measured by their bytes, a workbook's (numpy) asked one by one."""
    if isinstance(uniques, np.ndarray):
        return np.fromiter((isinstance(u, str) and u in PLACEHOLDERS for u in uniques.tolist()), dtype=bool,
                           count=len(uniques))
    return _placeholder_texts(uniques, _lengths(uniques))


_PLACEHOLDER_BYTES = max(len(t.encode()) for t in PLACEHOLDERS)


def _byte_keys(texts: Any, which: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The texts ``which`` of a pyarrow string array (each at most 7 bytes) as numbers: their length and
    bytes, read from the array's buffer, packed in one int64 (no text becomes a Python text)."""
    raw = np.frombuffer(texts.buffers()[2], dtype=np.uint8)
    n = lengths[which]
    at = _offsets(texts)[which][:, None] + np.arange(7)
    packed = np.zeros((len(which), 8), dtype=np.uint8)
    packed[:, 0] = n
    packed[:, 1:] = np.where(np.arange(7) < n[:, None], raw[np.minimum(at, len(raw) - 1)], 0)
    return packed.view(np.int64).ravel()


@lru_cache(maxsize=1)
def _placeholder_keys() -> np.ndarray:
    texts = pa.array(sorted(PLACEHOLDERS), type=pa.string())
    return np.sort(_byte_keys(texts, np.arange(len(texts)), _lengths(texts)))


def _placeholder_texts(texts: Any, lengths: np.ndarray) -> np.ndarray:
    """For each text of the pyarrow string array ``texts`` (``lengths``: their bytes): is it a placeholder.
    Only the short ones are looked at, by their bytes (:func:`_byte_keys`)."""
    flags = np.zeros(len(texts), dtype=bool)
    short = np.flatnonzero((lengths > 0) & (lengths <= _PLACEHOLDER_BYTES))
    if len(short):
        keys, known = _byte_keys(texts, short, lengths), _placeholder_keys()  # known: sorted
        flags[short] = known[np.minimum(np.searchsorted(known, keys), len(known) - 1)] == keys
    return flags


def _any_placeholder(texts: Any, lengths: np.ndarray) -> bool:
    """Whether a text of the pyarrow string array ``texts`` (``lengths``: their bytes) is a placeholder."""
    return bool(_placeholder_texts(texts, lengths).any())


#: the first characters of the CJK unified ideographs (U+4E00–U+9FFF) as :func:`_char_key` numbers them
_CJK_KEYS = (_char_key("\u4e00"), _char_key("\u9fff"))


def _distinct_counts(columns: list[tuple[np.ndarray, Any]], rows: np.ndarray) -> np.ndarray:
    """How many distinct values (stripped) each of ``rows`` holds: a merged cell, whose value is in
    every cell of its range, counts once."""
    seen: list[set[str]] = [set() for _ in range(len(rows))]
    if not len(rows):
        return np.zeros(0, dtype=np.intp)
    for codes, uniques in columns:
        c = codes[rows]
        at = np.flatnonzero(c >= 0)
        if not len(at):
            continue
        values = uniques[c[at]].tolist() if isinstance(uniques, np.ndarray) else uniques.take(c[at]).to_pylist()
        for k, v in zip(at.tolist(), values):
            seen[k].add(str(v).strip())
    return np.array([len(x) for x in seen], dtype=np.intp)


#: a ledger's title as offices write it again over a continued page: “（续）”, “续表”, or ending as a
#: ledger's name does (…台账, …记录, …情况表, …登记表, …统计表)
_TITLE = re.compile(r"[(（]\s*续\s*[)）]|续表|(?:台账|记录|情况表|登记表|统计表)\s*$")
_TITLE_HINT = re.compile("续|台账|记录|情况表|登记表|统计表")


def _headings_again(columns: list[tuple[np.ndarray, Any]], written: dict[int, str]) -> np.ndarray:
    """True for rows that repeat the sheet's heading below the data (a print-out put together page by
    page): the header rows again — at least two, and at least half, of the row's filled ledger cells hold
    their own column's header (a two-row header's group row holds the group, “五落实”, over its
    sub-headers' columns); or the title again (“东坡村动火作业审批记录（续）”), the row's only text, in
    one cell or merged across. No record holds two headers, nor a title only.

    Both kinds hold a heading in the leftmost ledger column, so only that column's distinct values are
    looked at first (a county has some hundred thousand); the few rows found are then read whole."""
    n = len(columns[0][0]) if columns else 0
    out = np.zeros(n, dtype=bool)
    if n == 0 or not written:
        return out
    names = {pos: {normalize_header(part) for part in (h, *h.split("/"))} - {""} for pos, h in written.items()}
    left = min(written)
    codes, uniques = columns[left]
    firsts = {x[0] for x in names[left]}
    longest = max((len(x) for x in names[left]), default=0) + 8
    values = uniques.to_pylist() if isinstance(uniques, pa.Array) else uniques  # a CSV's texts: pyarrow
    candidates = ((k, v) for k, v in enumerate(values) if isinstance(v, str))
    hit = [k for k, v in candidates
           if _TITLE_HINT.search(v) or len(v) <= longest and v.lstrip(" \t\r\n\u3000*＊※")[:1] in firsts
           and normalize_header(v) in names[left]]
    if not hit:
        return out
    for i in np.flatnonzero(np.isin(codes, hit)).tolist():
        cells = {pos: _value(u, c[i]) for pos, (c, u) in enumerate(columns) if c[i] >= 0}
        mine = [(pos, v) for pos, v in cells.items() if pos in written]
        own = sum(isinstance(v, str) and normalize_header(v) in names[pos] for pos, v in mine)
        texts = set(map(str, cells.values()))
        out[i] = (own >= 2 and 2 * own >= len(mine)) or (
            len(texts) == 1 and bool(_TITLE.search(next(iter(texts)))))
    return out


def _merged_notes(merged: np.ndarray, start: int, columns: list[tuple[np.ndarray, Any]], mapped: list[int],
                  header: list[int]) -> np.ndarray:
    """True for the rows (from ``start`` on, the records' rows) whose ledger cells all lie in one merged range
    that spans the table's width: all the header's columns (``header``) but one (a 序号 or 备注 column left out
    of the merge), of a header of eight columns or more all but a quarter — “本月未发现重大事故隐患” merged
    across the row, as a village reports an empty month, wherever it stands. The merge copies its text into
    every cell it spans (:func:`.sources._fill_merged`), and a record never holds one text in every column:
    such a row is a note. A cell of the ledger's columns filled outside the range makes the row a record.

    ``merged``: the sheet's ranges across two columns or more, (r0, c0, r1, c1) in grid positions; only the
    few wide enough are looked at, a row range at a time."""
    n = len(columns[0][0]) if columns else 0
    out = np.zeros(n, dtype=bool)
    if n == 0 or not header or not mapped:
        return out
    width = max(len(columns), int(merged[:, 3].max()) + 1)
    in_header = np.zeros(width, dtype=np.int64)
    in_header[header] = 1
    before = np.concatenate([[0], np.cumsum(in_header)])  # header columns left of each column
    covered = before[merged[:, 3] + 1] - before[merged[:, 1]]
    need = max(2, len(header) - max(1, len(header) // 4))
    wide = merged[(covered >= need) & (merged[:, 2] >= start)]
    for r0, c0, r1, c1 in wide.tolist():
        rows = np.arange(max(r0, start) - start, min(r1 - start + 1, n))
        if not len(rows):
            continue
        alone = np.ones(len(rows), dtype=bool)
        inside = False
        for j in mapped:
            codes = columns[j][0][rows]
            if c0 <= j <= c1:
                inside = True
            else:
                alone &= codes < 0
        if inside:
            out[rows[alone]] = True
    return out


def _value(uniques: Any, code: int) -> object:
    value = uniques[code]
    return value.as_py() if isinstance(value, pa.Scalar) else value


def _footer_kinds(uniques: Any, used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each distinct (stripped) value among ``used``: is it a footer line, does it start
    the notes."""
    is_footer = np.zeros(len(uniques), dtype=bool)
    is_notes = np.zeros(len(uniques), dtype=bool)
    if not isinstance(uniques, np.ndarray):  # a CSV column's texts (pyarrow): the first characters of many
        if len(used) > 64:
            import pyarrow.compute as pc

            keys = _first_char_keys(uniques, used)
            maybe = _among_first_keys(keys)
            # a signature's label (负责人：) starts with a Chinese character and holds a colon
            cjk = np.flatnonzero((keys >= _CJK_KEYS[0]) & (keys <= _CJK_KEYS[1]) & ~maybe)
            if len(cjk):
                texts = uniques.take(pa.array(used[cjk]))
                colon = pc.or_(pc.match_substring(texts, ":"), pc.match_substring(texts, "："))
                maybe[cjk] = colon.to_numpy(zero_copy_only=False)
            used = used[maybe]
        for i, u in zip(used.tolist(), uniques.take(used).to_pylist() if len(used) else []):
            if _may_be_footer(u):
                u = u.strip()
                is_footer[i] = _is_footer(u)
                is_notes[i] = bool(_NOTES_MARKER.match(u))
        return is_footer, is_notes
    texts = uniques[used]
    if len(used) > 64 and pd.api.types.infer_dtype(texts, skipna=False) == "string":
        # most first cells are 序号 numbers: test only those whose first character could
        # start a footer, or is white space (a string array of width 1 keeps the first one),
        # and those with a ":" (a signature's label)
        first = np.array(texts, dtype="U1")
        colon = pd.Series(texts, dtype=object).str.contains("[:：]", regex=True).to_numpy(dtype=bool)
        used = used[np.isin(first, _FIRST_CHARS) | np.char.isspace(first) | colon]
    for i in used:
        u = uniques[i]
        if isinstance(u, str) and _may_be_footer(u):
            u = u.strip()
            is_footer[i] = _is_footer(u)
            is_notes[i] = bool(_NOTES_MARKER.match(u))
    return is_footer, is_notes


def _may_be_footer(text: str) -> bool:
    return text.lstrip()[:1] in _FOOTER_START or ":" in text or "：" in text
