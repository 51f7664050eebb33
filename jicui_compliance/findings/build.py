"""Rule hits → findings rows: source rows, registry attribution, column headers, messages.

Everything here works column-wise: a county run can produce hundreds of thousands of
findings, so no per-row pandas access; templates are filled with ``str.format_map`` on
just the variables they name.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from functools import cache

import numpy as np
import pandas as pd

from ..ledgers import LEDGERS
from ..resolution import Resolution
from ..rules.base import HIT_COLUMNS, Rule
from .masking import mask_id, mask_phone
from .schema import COLUMNS, finalize


class _Vars(dict):
    def __missing__(self, key):  # a template variable a hit did not give: shown empty
        return ""


@cache
def template_fields(template: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(template) if f))


#: what a message says where it names a cell of the ledger row that is empty (动火作业票〔未填〕（二级，动火人〔未填〕）),
#: rather than leaving an empty slot (“动火作业票（二级，动火人）”); its brackets nest in the messages' （）
UNFILLED = "〔未填〕"


@cache
def _ledger_fields(ledgers: tuple[str, ...]) -> frozenset[str]:
    """The field names of the ledgers a rule reads: a message variable of one of these names is a cell of the row."""
    return frozenset(f for name in ledgers if name in LEDGERS for f in LEDGERS[name].fields)


#: nouns a field before them qualifies (“{kind}事故”, “{industry}企业的”, “{level}动火作业票”, “{station}执法检查”):
#: such a field is left out when empty
_QUALIFIED = ("事故", "企业", "动火作业票", "执法检查", "的执法检查")


@cache
def _qualifiers(template: str) -> frozenset[str]:
    """The fields of a message template that qualify the noun after them: an empty one is left out
    (“发生的事故”, “2023-08-01执法检查”; not “发生的〔未填〕事故”)."""
    parsed = list(string.Formatter().parse(template))
    return frozenset(field for (_, field, _, _), (after, _, _, _) in zip(parsed, parsed[1:])
                     if field and after.startswith(_QUALIFIED))


def _masker(ledger, field):
    spec = LEDGERS[ledger].fields.get(field) if ledger in LEDGERS else None
    if spec is None or not spec.personal:
        return None
    return mask_id if spec.format and "11643" in spec.format else mask_phone


def _text(v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v)


def findings_from_hits(rule: Rule, h: pd.DataFrame, resolution: Resolution) -> pd.DataFrame:
    """One rule's hits as findings rows (the columns of RULEBOOK §6, not yet sorted)."""
    return _frame(_finding_columns([(rule, h)], resolution) or {c: [] for c in COLUMNS})


def _frame(columns: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame({**columns, "source_row": pd.array(columns["source_row"], dtype="Int64")}, columns=COLUMNS)


def _finding_columns(rule_hits: Iterable[tuple[Rule, pd.DataFrame]], resolution: Resolution) -> dict[str, list] | None:
    """The findings columns of the rules' hits, rule after rule (None when there are none).
    The rules' hits are taken together: the source rows, the registry and the headers are
    looked up once for all of them; only the messages are filled rule by rule."""
    parts = [(rule, h.reset_index(drop=True)) for rule, h in rule_hits if h is not None and not h.empty]
    if not parts:
        return None
    sizes = [len(h) for _, h in parts]
    n = sum(sizes)
    col = {c: np.concatenate([h[c].astype(object).to_numpy() if c in h.columns else np.full(len(h), None, dtype=object)
                              for _, h in parts])
           for c in HIT_COLUMNS}
    tables = resolution.ledgers.tables
    src_file = np.full(n, None, dtype=object)
    src_sheet = np.full(n, None, dtype=object)
    src_row = np.full(n, None, dtype=object)
    sheet_id = np.full(n, None, dtype=object)
    eid = col["eid"].copy()
    has_row = pd.notna(col["row"]) & pd.notna(col["ledger"])
    for ledger in pd.unique(col["ledger"][has_row]):
        sel = has_row & (col["ledger"] == ledger)
        frame = resolution.frame(ledger)
        at = frame.index.get_indexer(col["row"][sel].astype(np.int64))  # the hit rows' positions

        def cells(name: str, frame: pd.DataFrame = frame, at: np.ndarray = at) -> np.ndarray:
            return frame[name].take(at).to_numpy(dtype=object, na_value=None)

        src_file[sel], src_sheet[sel] = cells("source_file"), cells("source_sheet")
        src_row[sel], sheet_id[sel] = cells("source_row"), cells("_sheet")
        if "eid" in frame.columns:
            idx = np.flatnonzero(sel)
            own = cells("eid")
            missing = pd.isna(eid[idx])
            eid[idx[missing]] = own[missing]
    has_sheet = ~has_row & pd.notna(col["sheet"])
    for i in np.flatnonzero(has_sheet):
        t = tables[int(col["sheet"][i])]
        src_file[i], src_sheet[i], sheet_id[i] = t.file, t.sheet, int(col["sheet"][i])
    for c, arr in (("source_file", src_file), ("source_sheet", src_sheet)):
        given = pd.notna(col[c])
        arr[given] = col[c][given]

    # registry attribution
    reg = resolution.registry
    at = reg.index.get_indexer(pd.array(eid, dtype="Int64"))  # -1: no registry enterprise

    def registry(name: str) -> np.ndarray:
        if reg.empty:  # an empty registry (a blank template): no finding names an enterprise
            return np.full(len(at), None, dtype=object)
        values = np.array(reg[name].take(np.maximum(at, 0)).to_numpy(dtype=object, na_value=None))
        values[at < 0] = None
        return values

    uscc, name, head, station = registry("uscc"), registry("name"), registry("head"), registry("station_eff")
    village = registry("village")
    village = np.where(pd.isna(village), col["village"], village)

    # column headers as written in each sheet, and masked values
    header_of = _HeaderLookup(tables)
    headers = [header_of(l, f, s) for l, f, s in zip(col["ledger"], col["field"], sheet_id)]
    values = [_text(v) for v in col["value"]]
    for (ledger, field) in {(l, f) for l, f in zip(col["ledger"], col["field"]) if f}:
        m = _masker(ledger, field)
        if m:
            for i in np.flatnonzero((col["ledger"] == ledger) & (col["field"] == field)):
                values[i] = m(values[i]) if values[i] else ""

    # messages, rule by rule: only the variables the template names
    period = [_text(p) for p in col["period"]]
    name_text, head_text = [_text(v) for v in name], [_text(v) for v in head]
    messages: list[str] = []
    start = 0
    for (rule, h), size in zip(parts, sizes):
        end = start + size
        names = template_fields(rule.message)
        rule_period = period[start:end]
        columns = []
        for f in names:
            if f == "value":
                columns.append(values[start:end])
            elif f == "header":
                columns.append(headers[start:end])
            elif f == "period":
                columns.append(rule_period)
            elif f == "period_text":
                columns.append([resolution.campaign.period_text(p) for p in rule_period] if any(rule_period)
                               else rule_period)
            elif f in h.columns:
                texts = [_text(v) for v in h[f].astype(object)]
                if f in _ledger_fields(rule.reads) and f not in _qualifiers(rule.message):
                    # a cell of the row left empty: said so, not an empty slot
                    texts = [t or UNFILLED for t in texts]
                columns.append(texts)
            elif f == "name":
                columns.append(name_text[start:end])
            elif f == "head":
                columns.append(head_text[start:end])
            else:
                columns.append([""] * size)
        template = rule.message
        messages.extend([template.format_map(_Vars(zip(names, vals))) for vals in zip(*columns)] if names
                        else [template] * size)
        start = end

    return {
        "rule_id": [rule.id for (rule, _), size in zip(parts, sizes) for _ in range(size)],
        "severity": [rule.severity for (rule, _), size in zip(parts, sizes) for _ in range(size)],
        "clause": [rule.clause for (rule, _), size in zip(parts, sizes) for _ in range(size)],
        "ledger": [_text(v) for v in col["ledger"]],
        "enterprise_uscc": [_text(v) for v in uscc],
        "enterprise_name": name_text,
        "village": [_text(v) for v in village],
        "station": [_text(v) for v in station],
        "period": period,
        "source_file": [_text(v) for v in src_file],
        "source_sheet": [_text(v) for v in src_sheet],
        "source_row": list(src_row),
        "column": headers,
        "value": values,
        "message": messages,
    }


class _HeaderLookup:
    """The header of a field as written in its sheet (canonical when no sheet)."""

    def __init__(self, tables):
        self.tables = tables
        self.memo: dict = {}

    def __call__(self, ledger, field, sheet) -> str:
        key = (ledger, field, None if sheet is None or pd.isna(sheet) else int(sheet))
        if key not in self.memo:
            self.memo[key] = self._lookup(*key)
        return self.memo[key]

    def _lookup(self, ledger, field, sheet) -> str:
        if not field or not isinstance(field, str) or ledger not in LEDGERS:
            return ""
        led = LEDGERS[ledger]
        written = self.tables[sheet].headers if sheet is not None else {}
        out = []
        for f in field.split(","):
            if f == "enterprise":
                parts = [h for x in ("enterprise_uscc", "enterprise_name") if (h := written.get(x))]
                out.append("/".join(parts) if parts else led.header_of("enterprise"))
            else:
                out.append(written.get(f) or led.header_of(f))
        return "、".join(out)


def build_findings(hits: Iterable[tuple[Rule, pd.DataFrame]], resolution: Resolution) -> pd.DataFrame:
    """Each rule's hits turned into the findings table (one frame built at the end)."""
    return finalize(_frame(_finding_columns(hits, resolution) or {c: [] for c in COLUMNS}))
