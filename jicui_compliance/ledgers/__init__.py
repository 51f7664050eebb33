"""Ledgers: one module per ledger of RULEBOOK §4, each a pandera ``DataFrameModel``.

:func:`load` turns the reader's tables into one typed frame per ledger and the
single-table issues (``SCH001`` missing column, ``SCH002`` unreadable value,
``SCH003`` empty required cell) as a frame that the generic rules report.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..campaign import Campaign
from ..reading import Submission, Table
from ..reading.tables import as_objects
from ..text import TEXT
from . import (
    accidents,
    checklist,
    drills,
    enforcement,
    enterprises,
    hazards,
    head_inspections,
    hot_work,
    meetings,
    outsourcing,
    special_workers,
    training,
    welding_equipment,
)
from .base import ENTERPRISE_REF, KIND_LABELS, SHEET_ID, SOURCE_COLUMNS, Field, Ledger
from .base import cells as _cells

LEDGERS: dict[str, Ledger] = {
    m.LEDGER.name: m.LEDGER
    for m in (
        enterprises, hazards, head_inspections, drills, outsourcing, hot_work, special_workers,
        training, checklist, welding_equipment, enforcement, accidents, meetings,
    )
}

__all__ = ["LEDGERS", "Field", "Ledger", "Ledgers", "ISSUE_COLUMNS", "load", "vocabulary"]

ISSUE_COLUMNS = ["rule_id", "ledger", "row", "sheet", "field", "value", "detail"]


def vocabulary() -> dict[str, dict[str, tuple[str, ...]]]:
    """ledger → field → accepted headers: what the reader classifies sheets by."""
    return {name: {f: spec.headers for f, spec in led.fields.items()} for name, led in LEDGERS.items()}


@dataclass
class Ledgers:
    frames: dict[str, pd.DataFrame]
    tables: list[Table]
    issues: pd.DataFrame  # ISSUE_COLUMNS
    dropped: dict[int, int] = field(default_factory=dict)  # sheet → rows left out (no enterprise column)
    #: (ledger, enterprise_uscc / enterprise_name) → the column as :func:`load` typed it, factorized:
    #: each row's code (-1: empty) into the distinct values of that column in all ledgers (one array,
    #: shared). :mod:`jicui_compliance.resolution` reads the enterprise columns from here instead of
    #: hashing every ledger's rows again; a column missing here (frames built otherwise) is factorized there.
    written: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    #: (ledger, field) → the yes/no, signature and people cells as written: each row's code into the texts
    #: ("" for an empty cell). Typing reads “否”, “无”, “×” and an empty obligation cell all as 否, and “张 三”
    #: as 张三; a finding shows the cell the analyst will find (:meth:`jicui_compliance.rules.context.Context.as_written`).
    cells_as_written: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]


def _issue_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    return frame.astype({"row": "Int64", "sheet": "Int64"})


def _bad_detail(spec: Field) -> str:
    if spec.kind == "datetime":
        return (f"无法识别为{KIND_LABELS[spec.kind]}（须写明年、月、日，可写作 2023-05-20 08:30、2023/5/20 8:30、"
                "2023年5月20日8时30分；只写日期的按当天 00:00 计）")
    if spec.kind == "date":
        also = "；长期有效的写“长期”或 9999-12-31" if spec.long_term else ""
        return f"无法识别为{KIND_LABELS[spec.kind]}（须写明年、月、日，可写作 2023-05-20、2023/5/20、2023.5.20、2023年5月20日、20230520{also}）"
    if spec.kind == "int":
        return "无法识别为整数（可带“人”“项”等单位）"
    if spec.kind == "money":
        return f"无法识别为金额（单位{spec.unit}，可写“元”或“万元”）"
    if spec.kind == "yesno":
        return "无法识别为是/否（可写 是/否、Y/N、√/×、有/无、1/0）"
    if spec.kind == "list" and spec.options:
        return "含不在可选值内的内容（可选：" + " / ".join(spec.options) + "）"
    return f"无法识别为{KIND_LABELS[spec.kind]}"


def _raw_text(values) -> list[str]:
    return [_cells.as_text(v) or "" for v in values]


Encoded = tuple[np.ndarray, Any]  # (codes, distinct values), code -1 missing


def _encoded(table: Table, fname: str) -> Encoded:
    if fname not in table.columns:
        return np.full(len(table), -1, dtype=np.int64), np.empty(0, dtype=object)
    return table.columns[fname]


def _merged(columns: list[Encoded]) -> tuple[np.ndarray, np.ndarray]:
    """Columns of several sheets, one after the other, as (each row's key, distinct values): key k
    (the number of distinct values) is an empty cell.

    A CSV sheet's distinct texts are a pyarrow array (:func:`~jicui_compliance.reading.tables.text_columns`):
    when every sheet's are (or are none), pyarrow finds the distinct texts of them all (a sheet's may
    hold a text twice), and only those become Python texts; otherwise (a workbook among them) pandas does."""
    texts = all(not isinstance(u, np.ndarray) or not len(u) for _, u in columns)
    if len(columns) == 1 and not texts:
        codes, uniques = columns[0]
        return np.where(codes < 0, len(uniques), codes), as_objects(uniques)
    # each sheet's distinct values in a run of slots, after one slot for its empty cells: a row's
    # slot is its code + 1 (code -1: empty) + where its sheet's run starts, all rows in one pass
    slots = np.array([len(u) + 1 for _, u in columns], dtype=np.int64)
    starts = np.cumsum(slots) - slots
    # int32 where the slots fit: a county's groups hold millions of rows, and every int64 array of
    # them is memory touched for the first time (page faults, counted as system CPU)
    index = np.int32 if int(slots.sum()) < 2**31 else np.int64
    at = np.concatenate([c for c, _ in columns], dtype=index, casting="same_kind")
    np.add(at, np.repeat((starts + 1).astype(index), [len(c) for c, _ in columns]), out=at)
    if texts:
        import pyarrow as pa
        import pyarrow.compute as pc

        both = pc.dictionary_encode(pa.concat_arrays([u if not isinstance(u, np.ndarray) else pa.array([], pa.string())
                                                      for _, u in columns]))
        recodes = both.indices.to_numpy(zero_copy_only=False)
        uniques = both.dictionary.to_numpy(zero_copy_only=False)
    else:
        recodes, uniques = pd.factorize(np.concatenate([as_objects(u) for _, u in columns]), use_na_sentinel=True)
    k = len(uniques)
    key_of_slot = np.full(int(slots.sum()), k, dtype=index)
    is_value = np.ones(len(key_of_slot), dtype=bool)
    is_value[starts] = False
    key_of_slot[is_value] = np.where(recodes < 0, k, recodes)  # a missing value among them: empty
    return key_of_slot[at], np.asarray(uniques, dtype=object)


#: the registry's own code and name hold the enterprises the other ledgers refer to
_SAME_VALUES = {("enterprises", "uscc"): "enterprise_uscc", ("enterprises", "name"): "enterprise_name"}
_DATE_PARSERS = (_cells.parse_date, _cells.parse_datetime, _cells.parse_validity)


def _group_of(ledger: str, fname: str, spec: Field) -> Hashable:
    """Which columns are parsed together, over the distinct values of all of them: the dates of
    every ledger, one group per parser (a county's 2023 is a few thousand days, written in every
    ledger), and the enterprise columns of all ledgers (the same enterprises everywhere). Dates
    read each value on its own (vectorised forms first, value by value where those fail), so a
    group never reads slower than its columns one by one; the other columns stay on their own."""
    parser = spec.parser()
    if parser in _DATE_PARSERS:
        return parser
    if fname in ENTERPRISE_REF:
        return fname
    return _SAME_VALUES.get((ledger, fname), (ledger, fname))


@dataclass
class _Column:
    """One ledger's column, parsed: per row the key of its cell into the distinct cells of its group
    (the last key: empty), which is also the key of its typed value; per row whether the cell cannot
    be read (SCH002) and its formula cell (an Excel error, a formula without its result; "" where none)."""

    keys: np.ndarray
    uniques: np.ndarray  # the group's distinct cells, error cells made missing
    typed: Any  # the group's distinct typed values, the last one missing
    bad: np.ndarray  # the value cannot be read
    #: the formula cells (:data:`~jicui_compliance.reading.cells.FORMULA_CELLS`: Excel error cells, formulas saved
    #: without their result), "" elsewhere, for the groups that have any
    errors: np.ndarray | None

    @property
    def values(self):
        return self.typed.take(self.keys)


def _parse_groups(parts: dict[str, list[Table]]) -> dict[tuple[str, str], _Column]:
    """(ledger, field) → the column parsed: each group of columns (:func:`_group_of`) merged over
    all its sheets and parsed once over its distinct values."""
    groups: dict[Hashable, list[tuple[str, str]]] = {}
    for name, tables in parts.items():
        led = LEDGERS[name]
        for f, spec in led.fields.items():
            if any(f in t.columns for t in tables):
                groups.setdefault(_group_of(name, f, spec), []).append((name, f))
    rows = {name: sum(len(t) for t in tables) for name, tables in parts.items()}
    out: dict[tuple[str, str], _Column] = {}
    for members in groups.values():
        spec = LEDGERS[members[0][0]].fields[members[0][1]]
        keys, uniques = _merged([_encoded(t, f) for name, f in members for t in parts[name]])
        uniques, formula_cells = _without_formula_errors(uniques)
        k = len(uniques)
        # each distinct value read once; position k: an empty cell
        typed, bad = _cells.parse_encoded(np.append(np.arange(k), -1), uniques, spec.parser(), spec.dtype)
        start = 0
        for name, f in members:
            mine = keys[start : start + rows[name]]
            start += rows[name]
            errors = None if formula_cells is None else formula_cells[mine]
            out[(name, f)] = _Column(mine, uniques, typed, bad[mine], errors)
    return out


def load(sub: Submission, campaign: Campaign) -> Ledgers:
    issues: list[dict] = []
    dropped: dict[int, int] = {}
    per_ledger: dict[str, list[tuple[int, Table]]] = {n: [] for n in LEDGERS}
    excused: dict[str, set[tuple[int, str]]] = {n: set() for n in LEDGERS}  # (sheet, field) absent
    for sheet_id, table in enumerate(sub.tables):
        led = LEDGERS[table.ledger]
        present = set(table.headers)
        missing = [f for f in led.required_fields if f not in present]
        if led.refers_to_enterprise and not present & set(ENTERPRISE_REF):
            missing.append("enterprise")
        if missing:
            issues.append(dict(rule_id="SCH001", ledger=led.name, row=pd.NA, sheet=sheet_id, field=",".join(missing),
                               value="", detail="、".join(f"“{led.header_of(f)}”" for f in missing)))
        if "enterprise" in missing:
            dropped[sheet_id] = len(table)
            continue
        per_ledger[table.ledger].append((sheet_id, table))
        excused[led.name].update((sheet_id, f) for f in led.fields if f not in present)

    parts = {n: [t for _, t in p] for n, p in per_ledger.items() if p}
    columns = _parse_groups(parts)

    def type_ledger(name: str) -> tuple[pd.DataFrame, list[dict]]:
        led, tables = LEDGERS[name], per_ledger[name]
        sizes = [len(t) for _, t in tables]
        of_table = np.repeat(np.arange(len(tables)), sizes)
        sources = {  # file and sheet names: one per table, spread with a take
            "source_file": pd.array([t.file for _, t in tables], dtype=TEXT).take(of_table),
            "source_sheet": pd.array([t.sheet for _, t in tables], dtype=TEXT).take(of_table),
            "source_row": np.concatenate([np.asarray(t.source_rows, dtype=np.int64) for _, t in tables]),
            SHEET_ID: np.repeat([sid for sid, _ in tables], sizes),
        }
        parsed = {f: columns[(name, f)] for f in led.fields if (name, f) in columns}
        return _type(led, parsed, sources, campaign, excused[name])

    typed = {n: type_ledger(n) for n in parts}
    frames: dict[str, pd.DataFrame] = {}
    for name, led in LEDGERS.items():
        frames[name], ledger_issues = typed[name] if name in typed else (led.empty_frame(), [])  # built only when needed
        issues.extend(ledger_issues)
    return Ledgers(frames, list(sub.tables), _issue_frame(issues), dropped, _written(columns), _cells_as_written(columns))


#: the kinds whose cells a finding shows as written (:attr:`Ledgers.cells_as_written`)
AS_WRITTEN = ("yesno", "signature", "people")


def _cells_as_written(columns: dict[tuple[str, str], _Column]) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """:attr:`Ledgers.cells_as_written`: each group's distinct cells as text once, a last "" for empty."""
    out: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    texts: dict[int, np.ndarray] = {}
    for (name, fname), col in columns.items():
        if LEDGERS[name].fields[fname].kind not in AS_WRITTEN:
            continue
        if id(col.uniques) not in texts:  # a number or an Excel boolean as 是/否: 0, 0.0 and FALSE are one distinct cell
            texts[id(col.uniques)] = np.array([(u if isinstance(u, str) else _cells.as_text(bool(u)) if u in (0, 1)
                                                else _cells.as_text(u) or "") for u in col.uniques] + [""], dtype=object)
        out[(name, fname)] = (col.keys, texts[id(col.uniques)])
    return out


def _written(columns: dict[tuple[str, str], _Column]) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """:attr:`Ledgers.written`: the enterprise columns of all ledgers are one group (:func:`_group_of`),
    whose distinct typed values are factorized once (two values may type alike, a bad one is missing)."""
    out: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    groups: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for (name, fname), col in columns.items():
        if fname not in ENTERPRISE_REF:
            continue
        if id(col.typed) not in groups:
            codes, values = pd.factorize(np.asarray(col.typed, dtype=object), use_na_sentinel=True)
            groups[id(col.typed)] = (codes.astype(np.int32), np.asarray(values, dtype=object))
        codes, values = groups[id(col.typed)]
        out[(name, fname)] = (codes[col.keys], values)
    return out


def _type(led: Ledger, parsed: dict[str, _Column], sources: dict[str, Any], campaign: Campaign,
          excused: set[tuple[int, str]]):
    issues: list[dict] = []
    sheets = sources[SHEET_ID]
    n = len(sheets)
    out: dict[str, object] = {}
    bad_cells: set[tuple[int, str]] = set()
    fills: dict[str, np.ndarray] = {}  # field → the empty cells read as 否
    for fname, spec in led.fields.items():
        if fname not in parsed:  # no sheet of this ledger has the column
            out[fname] = [None] * n
            continue
        col = parsed[fname]
        values, bad = col.values, col.bad
        if bad.any():
            rows = np.flatnonzero(bad)
            texts = _raw_text(col.uniques[col.keys[rows]])  # a bad cell is never empty
            detail = _bad_detail(spec)
            dated = spec.kind in ("date", "datetime")
            for r, text in zip(rows, texts):
                weekday = _cells.wrong_weekday(text) if dated else None
                issues.append(dict(rule_id="SCH002", ledger=led.name, row=int(r), sheet=int(sheets[r]), field=fname,
                                   value=text, detail=f"有误：{weekday}（请核对日期和星期，也可以只写日期）" if weekday else detail))
                bad_cells.add((int(r), fname))
        if col.errors is not None and (col.errors != "").any():  # Excel error cells, formulas without a result:
            errors = col.errors                                    # SCH002 saying so, never “为空”
            for r in np.flatnonzero(errors != ""):
                issues.append(dict(rule_id="SCH002", ledger=led.name, row=int(r), sheet=int(sheets[r]), field=fname,
                                   value=str(errors[r]), detail=errors[r].detail))
                bad_cells.add((int(r), fname))
            bad = bad | (errors != "")
        if spec.empty_is_no:
            # An empty cell cannot prove compliance: 否. A column the sheet lacks altogether,
            # or a value that cannot be read (SCH002), stays missing: it is not judged.
            absent = np.isin(sheets, [s for s, f in excused if f == fname])
            fill = np.asarray(pd.isna(values)) & ~bad & ~absent
            if fill.any():
                values = values.copy()
                values[fill] = False
                fills[fname] = fill
        out[fname] = values
    columns = {f: _column(out[f], spec.dtype, n) for f, spec in led.fields.items()}
    columns.update({c: sources[c] for c in SOURCE_COLUMNS})
    columns["source_row"] = pd.array(sources["source_row"], dtype="Int64")
    columns[SHEET_ID] = sheets
    typed = pd.DataFrame(columns, copy=False)
    if led.name == "enterprises":
        issues.extend(_industry_issues(typed, campaign, sheets))
    issues.extend(_validate(led, typed, excused, bad_cells, sheets, _suspects(led, typed, parsed, fills)))
    return typed, issues


Suspects = tuple[np.ndarray, list[str]]  # rows that could fail, and the columns they could fail on


def _suspects(led: Ledger, typed: pd.DataFrame, parsed: dict[str, _Column], fills: dict[str, np.ndarray]) -> Suspects | None:
    """The rows the ledger's checked schema (:attr:`Ledger.checked_schema`) could fail on, and the
    schema's columns they could fail on, told from the columns as parsed: which rows are empty, and
    which distinct values fail a check (each check of the schema is run on the distinct values the
    rows use). None when that cannot be told so (a check of another kind, a column not of the
    schema's dtype, a uniqueness or shape constraint): pandera then looks at every row.

    pandera itself validates these rows and columns only (:func:`_validate`): the checks are row by
    row, so the other rows cannot fail, nor can these rows fail the other columns; the failures are
    the same, in the same order."""
    from pandera.engines import pandas_engine

    schema = led.checked_schema
    if schema.unique or schema.strict or schema.ordered or schema.index is not None \
            or any(c.unique or c.regex for c in schema.columns.values()):
        return None  # a check across rows, or on the frame's shape: pandera looks at every row
    n = len(typed)
    suspect = np.zeros(n, dtype=bool)
    columns: list[str] = []
    nulls: dict[str, np.ndarray] = {}

    def empty(fname: str) -> np.ndarray:
        if fname not in nulls:
            col = parsed.get(fname)
            if col is None:  # no sheet has the column
                nulls[fname] = np.ones(n, dtype=bool)
            else:
                nulls[fname] = np.asarray(pd.isna(col.typed), dtype=bool)[col.keys]
                if fname in fills:  # empty cells read as 否
                    nulls[fname] &= ~fills[fname]
        return nulls[fname]

    for name, column in schema.columns.items():
        if not column.dtype.check(pandas_engine.Engine.dtype(typed[name].dtype)):
            return None
        if not column.nullable and empty(name).any():
            suspect |= empty(name)
            columns.append(name)
        col = parsed.get(name)
        if not column.checks or col is None:  # no check, or no value (an element check passes on empty cells)
            continue
        if name in fills:
            return None
        used = np.flatnonzero(np.bincount(col.keys, minlength=len(col.typed)))  # np.unique, without sorting the rows
        values = pd.Series(col.typed.take(used))
        for check in column.checks:
            if check.name not in ("isin", "greater_than_or_equal_to") or not check.ignore_na:
                return None
            passed = check(values).check_output  # of the values that are not empty, by their position
            if not isinstance(passed, pd.Series):
                return None
            failing = np.asarray(passed.index[~passed.to_numpy(dtype=bool, na_value=False)], dtype=np.intp)
            if len(failing):
                flag = np.zeros(len(col.typed), dtype=bool)
                flag[used[failing]] = True
                suspect |= flag[col.keys]
                if name not in columns:
                    columns.append(name)
    for check in schema.checks:
        if check.name != "one_filled":
            return None
        present = [c for c in check.statistics["columns"] if c in typed.columns]
        if present:
            both = np.ones(n, dtype=bool)
            for c in present:
                both &= empty(c)
            suspect |= both
    return suspect, columns


#: ``infer_dtype`` kinds of values all of one type (or of numbers only): an error cell among
#: them would make the kind "mixed"
_ONE_KIND = frozenset({"string", "empty", "floating", "integer", "mixed-integer-float", "datetime", "date", "boolean"})


def _without_formula_errors(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Distinct cell values with the formula cells (:data:`~jicui_compliance.reading.cells.FORMULA_CELLS`: Excel
    error cells, formulas saved without their result) made missing, and each value's formula cell ("" where
    none; the last position: an empty cell), or None when there is no formula cell."""
    if pd.api.types.infer_dtype(uniques, skipna=True) in _ONE_KIND:  # text only (CSV), numbers or dates only: none
        return uniques, None
    if not set(_cells.FORMULA_CELLS) & set(map(type, uniques)):  # the usual workbook column
        return uniques, None
    is_error = np.fromiter((isinstance(u, _cells.FORMULA_CELLS) for u in uniques), dtype=bool, count=len(uniques))
    cells = np.full(len(uniques) + 1, "", dtype=object)
    cells[: len(uniques)][is_error] = uniques[is_error]
    uniques = uniques.copy()
    uniques[is_error] = None
    return uniques, cells


def _column(values, dtype: str, n: int) -> pd.Series:
    if isinstance(values, list):  # no sheet has the column: all missing
        return pd.Series(_cells._typed(np.array([None] * n, dtype=object), dtype))
    # the values are taken afresh for this frame: no copy (pandas copies an array into a Series by default)
    return pd.Series(values, dtype=dtype if dtype != "object" else object, copy=False)


def _industry_issues(typed: pd.DataFrame, campaign: Campaign, sheets: np.ndarray) -> list[dict]:
    known = set(campaign.industry_names)
    bad = typed["industry"].notna() & ~typed["industry"].isin(known)
    return [
        dict(rule_id="SCH002", ledger="enterprises", row=int(r), sheet=int(sheets[r]), field="industry",
             value=str(typed.at[r, "industry"]),
             detail="不是方案所列行业领域（可选：" + " / ".join(campaign.industry_names) + "）")
        for r in np.flatnonzero(bad.to_numpy())
    ]


def _validate(led: Ledger, typed: pd.DataFrame, excused, bad_cells, sheets, suspects: Suspects | None = None) -> list[dict]:
    """SCH002/SCH003 from pandera's validation of the typed frame by the ledger's checked schema:
    of the rows and columns that could fail (``suspects``, :func:`_suspects`), or of all."""
    schema = led.checked_schema
    if suspects is not None:
        rows, columns = suspects
        if not rows.any():
            return []
        typed = typed.iloc[np.flatnonzero(rows)]  # the rows keep their index: the failures name them
        if len(columns) < len(schema.columns):  # the frame-wide checks stay
            schema = schema.select_columns([c for c in schema.columns if c in columns])
    try:
        schema.validate(typed, lazy=True, inplace=True)  # nothing coerced: no copy
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    issues: list[dict] = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        r = case.index
        if r is None or pd.isna(r):
            raise RuntimeError(f"{led.name}: schema failure without a row: {check} {case.column}")  # a bug, not data
        r = int(r)
        sheet = int(sheets[r])
        if check == "not_nullable":
            fname = str(case.column)
            if (r, fname) in bad_cells or (sheet, fname) in excused:
                continue  # already SCH002, or the whole column is missing (SCH001)
            issues.append(dict(rule_id="SCH003", ledger=led.name, row=r, sheet=sheet, field=fname, value="",
                               detail=f"必填项“{led.header_of(fname)}”为空"))
        elif check.startswith("one_filled"):
            if (r, "enterprise") in bad_cells or any((r, f) in bad_cells for f in ENTERPRISE_REF):
                continue  # pandera lists a dataframe check once per column it reads; or a cell is SCH002
            bad_cells.add((r, "enterprise"))
            issues.append(dict(rule_id="SCH003", ledger=led.name, row=r, sheet=sheet, field="enterprise",
                               value="", detail="“统一社会信用代码”和“企业名称”均为空，无法确定是哪家企业"))
        elif check.startswith("isin"):
            spec = led.fields[str(case.column)]
            issues.append(dict(rule_id="SCH002", ledger=led.name, row=r, sheet=sheet, field=spec.name,
                               value=str(case.failure_case),
                               detail="不在可选值内（可选：" + " / ".join(spec.options or ()) + "）"))
        elif check.startswith("greater_than_or_equal_to"):
            issues.append(dict(rule_id="SCH002", ledger=led.name, row=r, sheet=sheet, field=str(case.column),
                               value=str(case.failure_case), detail="不能为负数"))
        else:
            raise RuntimeError(f"{led.name}: unexpected schema failure {check} on {case.column}")
    return issues
