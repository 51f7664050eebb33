"""Rule hits → findings rows: source rows, registry attribution, column headers, messages."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from ..ledgers import LEDGERS
from ..rules.base import HIT_COLUMNS, Rule
from ..rules.context import Context
from .masking import mask_id, mask_phone
from .schema import COLUMNS, finalize


class _Vars(dict):
    def __missing__(self, key):  # a template variable a hit did not give: shown empty
        return ""


def _format(template: str, rows: list[dict]) -> list[str]:
    fmt = string.Formatter()
    return [fmt.vformat(template, (), _Vars(r)) for r in rows]


def _mask(field: str, ledger: str, value: str) -> str:
    spec = LEDGERS[ledger].fields.get(field) if ledger in LEDGERS else None
    if not value or spec is None or not spec.personal:
        return value
    return mask_id(value) if spec.format and "11643" in spec.format else mask_phone(value)


def findings_from_hits(rule: Rule, h: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    if h is None or h.empty:
        return pd.DataFrame(columns=COLUMNS)
    h = h.reset_index(drop=True).copy()
    for c in HIT_COLUMNS:
        if c not in h.columns:
            h[c] = None
    n = len(h)
    tables = ctx.ledgers.tables
    src_file = np.array([None] * n, dtype=object)
    src_sheet = np.array([None] * n, dtype=object)
    src_row = np.array([None] * n, dtype=object)
    sheet_id = np.array([None] * n, dtype=object)
    eid = np.array(h["eid"].astype(object), dtype=object)
    # row findings: look the rows up in their ledger frames
    has_row = h["row"].notna().to_numpy() & h["ledger"].notna().to_numpy()
    for ledger in pd.unique(h.loc[has_row, "ledger"]):
        sel = has_row & (h["ledger"] == ledger).to_numpy()
        frame = ctx.frame(ledger)
        rows = frame.loc[h.loc[sel, "row"].astype(int).to_numpy()]
        src_file[sel] = rows["source_file"].to_numpy()
        src_sheet[sel] = rows["source_sheet"].to_numpy()
        src_row[sel] = rows["source_row"].astype(object).to_numpy()
        sheet_id[sel] = rows["_sheet"].to_numpy()
        if "eid" in rows.columns:
            no_eid = pd.isna(eid[sel])
            idx = np.flatnonzero(sel)[no_eid]
            eid[idx] = rows["eid"].astype(object).to_numpy()[no_eid]
    # sheet findings
    has_sheet = ~has_row & h["sheet"].notna().to_numpy()
    for i in np.flatnonzero(has_sheet):
        t = tables[int(h.at[i, "sheet"])]
        src_file[i], src_sheet[i], sheet_id[i] = t.file, t.sheet, int(h.at[i, "sheet"])
    # explicit sources (files the reader could not read)
    for c, arr in (("source_file", src_file), ("source_sheet", src_sheet)):
        given = h[c].notna().to_numpy()
        arr[given] = h.loc[given, c].to_numpy()

    # registry attribution
    reg = ctx.registry
    eid_s = pd.Series(eid, dtype="Int64") if n else pd.Series([], dtype="Int64")
    uscc = eid_s.map(reg["uscc"]).astype(object)
    name = eid_s.map(reg["name"]).astype(object)
    village = eid_s.map(reg["village"]).astype(object)
    station = eid_s.map(reg["station_eff"]).astype(object)
    village = village.where(village.notna(), h["village"])

    # column headers as written in the sheet, and masked values
    headers, values = [], []
    for i in range(n):
        ledger, field = h.at[i, "ledger"], h.at[i, "field"]
        headers.append(_header(ledger, field, sheet_id[i], tables))
        v = h.at[i, "value"]
        v = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        values.append(_mask(field or "", ledger or "", v))

    variables = h.drop(columns=["value"]).to_dict("records")
    for i, r in enumerate(variables):
        r.update(value=values[i], header=headers[i], name=r.get("name") or name.iat[i] or "",
                 period_text=ctx.period_text(r["period"] or ""),
                 head=r.get("head") or (reg["head"].get(eid_s.iat[i], "") if pd.notna(eid_s.iat[i]) else ""))
    out = pd.DataFrame({
        "rule_id": rule.id,
        "severity": rule.severity,
        "clause": rule.clause,
        "ledger": h["ledger"].fillna("").to_numpy(),
        "enterprise_uscc": uscc.fillna("").to_numpy(),
        "enterprise_name": name.fillna("").to_numpy(),
        "village": village.fillna("").to_numpy(),
        "station": station.fillna("").to_numpy(),
        "period": h["period"].fillna("").to_numpy(),
        "source_file": pd.Series(src_file).fillna("").to_numpy(),
        "source_sheet": pd.Series(src_sheet).fillna("").to_numpy(),
        "source_row": pd.array(src_row, dtype="Int64"),
        "column": headers,
        "value": values,
        "message": _format(rule.message, variables),
    })
    return out


def _header(ledger, field, sheet, tables) -> str:
    if not field or not ledger or ledger not in LEDGERS:
        return ""
    led = LEDGERS[ledger]
    written = tables[int(sheet)].headers if sheet is not None and not pd.isna(sheet) else {}
    names = field.split(",")
    out = []
    for f in names:
        if f == "enterprise":
            parts = [written.get(x) for x in ("enterprise_uscc", "enterprise_name") if written.get(x)]
            out.append("/".join(parts) if parts else led.header_of("enterprise"))
        else:
            out.append(written.get(f) or led.header_of(f))
    return "、".join(out)


def build_findings(rules: list[Rule], ctx: Context, on_rule=None) -> pd.DataFrame:
    parts = []
    for r in rules:
        parts.append(findings_from_hits(r, r(ctx), ctx))
        if on_rule:
            on_rule(r)
    parts = [p for p in parts if len(p)]
    return finalize(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS))
