"""Ledgers: one module per ledger of RULEBOOK §4, each a pandera ``DataFrameModel``.

:func:`load` turns the reader's tables into one typed frame per ledger and the
single-table issues (``SCH001`` missing column, ``SCH002`` unreadable value,
``SCH003`` empty required cell) as a frame that the generic rules report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..campaign import Campaign
from ..reading import Submission, Table
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

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]


def _issue_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    return frame.astype({"row": "Int64", "sheet": "Int64"})


def _bad_detail(spec: Field) -> str:
    if spec.kind in ("date", "datetime"):
        also = "；长期有效的写“长期”或 9999-12-31" if spec.long_term else ""
        return f"无法识别为{KIND_LABELS[spec.kind]}（可写作 2023-05-20、2023/5/20、2023.5.20、2023年5月20日、20230520{also}）"
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


Encoded = tuple[np.ndarray, np.ndarray]  # (codes, distinct values), code -1 missing


def _encoded(table: Table, fname: str) -> Encoded:
    if fname not in table.columns:
        return np.full(len(table), -1, dtype=np.int64), np.empty(0, dtype=object)
    return table.columns[fname]


def _union(columns: list[Encoded]) -> Encoded:
    """Columns of several sheets, one after the other, as one (codes, distinct values)."""
    if len(columns) == 1:
        return columns[0]
    all_uniques = np.concatenate([u for _, u in columns]) if columns else np.empty(0, dtype=object)
    recodes, uniques = pd.factorize(all_uniques.astype(object), use_na_sentinel=True)
    out, start = [], 0
    for codes, u in columns:
        mapping = np.append(recodes[start : start + len(u)], -1)  # code -1 stays missing
        out.append(mapping[codes])
        start += len(u)
    return np.concatenate(out), np.asarray(uniques, dtype=object)


def _stacked(columns: list[Encoded]) -> Encoded:
    """Columns of several sheets, one after the other, with their distinct values side by side
    (a value of two sheets is there twice): for columns merged again with others anyway
    (:func:`_parse_dates_together`), which then costs one merge instead of two."""
    if len(columns) == 1:
        return columns[0]
    starts = np.cumsum([0] + [len(u) for _, u in columns])
    codes = np.concatenate([np.where(c < 0, -1, c + start) for (c, _), start in zip(columns, starts)])
    return codes, np.concatenate([np.asarray(u, dtype=object) for _, u in columns])


def _together(led: Ledger, present) -> dict[str, list[str]]:
    """kind → the ledger's date (or date-and-time) fields present that are parsed together (two or more)."""
    out = {}
    for kind in ("date", "datetime"):
        # validity columns (长期) have their own parser
        names = [f for f, spec in led.fields.items() if spec.kind == kind and not spec.long_term and f in present]
        if len(names) >= 2:
            out[kind] = names
    return out


def load(sub: Submission, campaign: Campaign) -> Ledgers:
    issues: list[dict] = []
    dropped: dict[int, int] = {}
    per_ledger: dict[str, list[pd.DataFrame]] = {n: [] for n in LEDGERS}
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

    def type_ledger(name: str) -> tuple[pd.DataFrame, list[dict]]:
        led, parts = LEDGERS[name], per_ledger[name]
        sizes = [len(t) for _, t in parts]
        present = [f for f in led.fields if any(f in t.columns for _, t in parts)]
        together = {f for names in _together(led, present).values() for f in names}
        raw = {f: (_stacked if f in together else _union)([_encoded(t, f) for _, t in parts]) for f in present}
        sources = {
            "source_file": np.repeat(np.array([t.file for _, t in parts], dtype=object), sizes),
            "source_sheet": np.repeat(np.array([t.sheet for _, t in parts], dtype=object), sizes),
            "source_row": np.concatenate([np.asarray(t.source_rows, dtype=np.int64) for _, t in parts]),
            SHEET_ID: np.repeat([sid for sid, _ in parts], sizes),
        }
        return _type(led, raw, sources, campaign, excused[name])

    typed = {n: type_ledger(n) for n in LEDGERS if per_ledger[n]}
    frames: dict[str, pd.DataFrame] = {}
    for name, led in LEDGERS.items():
        frames[name], ledger_issues = typed.get(name, (led.empty_frame(), []))
        issues.extend(ledger_issues)
    return Ledgers(frames, list(sub.tables), _issue_frame(issues), dropped)


def _type(led: Ledger, raw: dict[str, Encoded], sources: dict[str, np.ndarray], campaign: Campaign,
          excused: set[tuple[int, str]]):
    issues: list[dict] = []
    sheets = sources[SHEET_ID]
    n = len(sheets)
    out: dict[str, object] = {}
    bad_cells: set[tuple[int, str]] = set()
    raw, formula_errors = _without_formula_errors(raw)
    parsed = _parse_dates_together(led, raw)
    for fname, spec in led.fields.items():
        if fname not in raw:  # no sheet of this ledger has the column
            out[fname] = [None] * n
            continue
        codes, uniques = raw[fname]
        values, bad = parsed[fname] if fname in parsed else _cells.parse_encoded(codes, uniques, spec.parser(), spec.dtype)
        if bad.any():
            rows = np.flatnonzero(bad)
            texts = _raw_text(uniques[codes[rows]])
            detail = _bad_detail(spec)
            for r, text in zip(rows, texts):
                issues.append(dict(rule_id="SCH002", ledger=led.name, row=int(r), sheet=int(sheets[r]),
                                   field=fname, value=text, detail=detail))
                bad_cells.add((int(r), fname))
        if fname in formula_errors:  # Excel error cells: SCH002 with their code, never “为空”
            errors = formula_errors[fname]
            for r in np.flatnonzero(errors != ""):
                issues.append(dict(rule_id="SCH002", ledger=led.name, row=int(r), sheet=int(sheets[r]), field=fname,
                                   value=str(errors[r]),
                                   detail=f"：单元格为公式错误 {errors[r]}，显示的不是数据；请修正公式，或改填实际的值"))
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
        out[fname] = values
    typed = pd.DataFrame({f: _column(out[f], spec.dtype, n) for f, spec in led.fields.items()}, copy=False)
    for c in SOURCE_COLUMNS:
        typed[c] = sources[c] if c != "source_row" else pd.array(sources[c], dtype="Int64")
    typed["source_sheet"] = typed["source_sheet"].astype("str")
    typed["source_file"] = typed["source_file"].astype("str")
    typed[SHEET_ID] = sheets
    if led.name == "enterprises":
        issues.extend(_industry_issues(typed, campaign, sheets))
    issues.extend(_validate(led, typed, excused, bad_cells, sheets))
    return typed, issues


#: ``infer_dtype`` kinds of values all of one type (or of numbers only): an error cell among
#: them would make the kind "mixed"
_ONE_KIND = frozenset({"string", "empty", "floating", "integer", "mixed-integer-float", "datetime", "date", "boolean"})


def _without_formula_errors(raw: dict[str, Encoded]) -> tuple[dict[str, Encoded], dict[str, np.ndarray]]:
    """The columns with their Excel error cells (:class:`~jicui_compliance.reading.cells.FormulaError`)
    made missing, and field → each row's error code ("" where none), for the columns that have any."""
    clean = dict(raw)
    errors: dict[str, np.ndarray] = {}
    for fname, (codes, uniques) in raw.items():
        if pd.api.types.infer_dtype(uniques, skipna=True) in _ONE_KIND:  # text only (CSV), numbers or dates only: no error cell
            continue
        if _cells.FormulaError not in set(map(type, uniques)):  # the usual workbook column
            continue
        is_error = np.fromiter((isinstance(u, _cells.FormulaError) for u in uniques), dtype=bool, count=len(uniques))
        if not is_error.any():
            continue
        texts = np.full(len(uniques) + 1, "", dtype=object)  # the last: code -1 (empty)
        texts[np.flatnonzero(is_error)] = [str(u) for u in uniques[is_error]]
        errors[fname] = texts[np.where(codes < 0, len(uniques), codes)]
        uniques = uniques.copy()
        uniques[is_error] = None
        clean[fname] = (codes, uniques)
    return clean, errors


def _parse_dates_together(led: Ledger, raw: dict[str, Encoded]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(values, bad) of the ledger's date (and date-and-time) columns, each kind parsed once
    over the distinct values of all its columns: 开始时间, 结束时间 and 审批时间 share most."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for names in _together(led, raw).values():
        spec = led.fields[names[0]]
        codes, uniques = _union([raw[f] for f in names])
        values, bad = _cells.parse_encoded(codes, uniques, spec.parser(), spec.dtype)
        n = len(raw[names[0]][0])
        for i, f in enumerate(names):
            out[f] = values[i * n : (i + 1) * n], bad[i * n : (i + 1) * n]
    return out


def _column(values, dtype: str, n: int) -> pd.Series:
    if isinstance(values, list):  # no sheet has the column: all missing
        return pd.Series(_cells._typed(np.array([None] * n, dtype=object), dtype))
    return pd.Series(values, dtype=dtype if dtype != "object" else object)


def _industry_issues(typed: pd.DataFrame, campaign: Campaign, sheets: np.ndarray) -> list[dict]:
    known = set(campaign.industry_names)
    bad = typed["industry"].notna() & ~typed["industry"].isin(known)
    return [
        dict(rule_id="SCH002", ledger="enterprises", row=int(r), sheet=int(sheets[r]), field="industry",
             value=str(typed.at[r, "industry"]),
             detail="不是方案所列行业领域（可选：" + " / ".join(campaign.industry_names) + "）")
        for r in np.flatnonzero(bad.to_numpy())
    ]


def _validate(led: Ledger, typed: pd.DataFrame, excused, bad_cells, sheets) -> list[dict]:
    try:
        led.checked_schema.validate(typed, lazy=True, inplace=True)  # nothing coerced: no copy
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
