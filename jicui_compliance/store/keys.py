"""What identifies a ledger row and a finding from one week to the next.

A village overwrites its file every week: rows move, are inserted above others, get fixed.
A row is therefore matched across versions by its **key** — the enterprise (统一社会信用代码,
else the normalised 企业名称) and the ledger's own identifying fields (隐患编号, 作业票编号,
the date …) — never by its row number — within the unit that sent it: the same record in a
village's file and in a station's copy are two records. Two rows with the same key in one unit's
files are told apart by their order (the second is ``key#2``). A finding is matched by its rule,
enterprise (or unit), period, column and the key of the row it stands on (:func:`finding_keys`,
stored), and, when two runs are compared, by the unit whose file it stands on (:func:`paired`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ledgers import LEDGERS
from ..reading.cells import LONG_TERM
from ..text import map_distinct, normalize_name

#: per ledger, the fields that (with the enterprise) identify a record across versions
ROW_KEYS: dict[str, tuple[str, ...]] = {
    "enterprises": ("uscc",),
    "hazards": ("hazard_no",),
    "head_inspections": ("date", "leader"),
    "drills": ("date", "topic"),
    "outsourcing": ("project", "party"),
    "hot_work": ("permit_no",),
    "special_workers": ("cert_no",),
    "training": ("date", "kind", "topic"),
    "checklist": (),
    "welding_equipment": ("equipment_no", "checked_on"),
    "enforcement": ("date", "station"),
    "accidents": ("occurred_at",),
    "meetings": ("unit", "date", "kind"),
}

#: the fields of a ledger that hold its values (provenance and internal columns left out)
def value_fields(ledger: str) -> list[str]:
    return list(LEDGERS[ledger].fields)


def _text(series: pd.Series) -> pd.Series:
    """A column as comparable text: dates as 2023-07-20 (with the time when there is one), “长期” for a
    validity read as long-term, "" for missing."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return map_distinct(series, lambda d: "长期" if d == LONG_TERM else d.strftime("%Y-%m-%d %H:%M")
                            if (d.hour or d.minute) else d.strftime("%Y-%m-%d")).fillna("").astype(str)
    if series.dtype == object:
        return series.map(lambda v: "、".join(map(str, v)) if isinstance(v, (list, tuple)) else
                          ("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))).astype(str)
    return series.astype("string").fillna("").astype(str)


def row_keys(ledger: str, frame: pd.DataFrame) -> pd.Series:
    """The key of every row of a typed ledger frame (not yet numbered: see :func:`numbered`)."""
    if frame.empty:
        return pd.Series([], dtype=str, index=frame.index)
    parts: list[pd.Series] = []
    if ledger != "enterprises" and "enterprise_uscc" in frame:
        uscc = _text(frame["enterprise_uscc"])
        name = map_distinct(frame["enterprise_name"], lambda v: normalize_name(str(v))).fillna("").astype(str)
        parts.append(uscc.where(uscc != "", "名称:" + name))
    for f in ROW_KEYS.get(ledger, ()):
        parts.append(_text(frame[f]) if f in frame else pd.Series("", index=frame.index))
    if ledger == "enterprises":
        parts.append(_text(frame["name"]).where(_text(frame["uscc"]) == "", ""))
    key = parts[0] if parts else pd.Series("", index=frame.index)
    for p in parts[1:]:
        key = key + "|" + p
    return key


def places(keys: pd.Series, within: pd.Series | None = None) -> pd.Series:
    """Each key's place among the same keys in reading order: 1, 2 …; with ``within`` (the unit of each
    row), counted within each unit."""
    by = [keys] if within is None else [within, keys]
    return keys.groupby(by, sort=False).cumcount() + 1


def numbered(keys: pd.Series, within: pd.Series | None = None, place: pd.Series | None = None) -> pd.Series:
    """Keys in reading order with repeats told apart: the second ``K`` is ``K#2``, the third ``K#3`` …
    (:func:`places`; ``place`` when already counted)."""
    n = places(keys, within) if place is None else place
    return keys.where(n == 1, keys + "#" + n.astype(str))


def unit_of(path: str, town: str) -> str:
    """The submitting unit of a stored path: its first folder (a village or station sends a folder),
    the town for a file at the root (the registry)."""
    return path.split("/", 1)[0] if "/" in path else town


def unit_of_file(source_file: pd.Series) -> pd.Series:
    """:func:`unit_of` of a column of files, "" for a file at the root (the registry) or a finding
    without a file."""
    return source_file.str.split("/", n=1).str[0].where(source_file.str.contains("/", regex=False), "")


def unit_key(findings: pd.DataFrame) -> pd.Series:
    """A finding's stored ``finding_key`` and the unit whose file it stands on: the same finding in two
    units' files (a station's copy of a village's record) is two findings."""
    return findings["finding_key"].astype(str) + "||" + unit_of_file(findings["source_file"].astype(str))


def paired(findings: pd.DataFrame, ordinal: pd.Series | None = None) -> pd.Series:
    """What pairs a finding across two runs: its :func:`unit_key` and, to tell apart the findings of records
    with the same key in one unit (hazards without a 隐患编号), the record's place among them — ``ordinal``:
    the finding's row's place in its state (``row_place``, :func:`places`: 1 for ``K``, 2 for ``K#2``), so that
    the findings pair as the rows do; where it is missing (a finding on no ledger row), the finding's order
    among its run's findings with the same key."""
    f = findings
    key = unit_key(f)
    order = pd.DataFrame({"file": f["source_file"].astype(str), "sheet": f["source_sheet"].astype(str),
                          "row": pd.to_numeric(f["source_row"], errors="coerce")}, index=f.index)
    in_order = order.sort_values(["file", "sheet", "row"], kind="mergesort").index
    by_order = numbered(key.loc[in_order]).reindex(f.index)
    if ordinal is None:
        return by_order
    known = ordinal.notna()
    return by_order.where(~known, key + "#@" + ordinal.astype("Int64").astype(str))


def row_hashes(ledger: str, frame: pd.DataFrame) -> pd.Series:
    """A 64-bit hash of each row's values (what "changed" compares)."""
    fields = value_fields(ledger)
    if frame.empty:
        return pd.Series([], dtype="int64", index=frame.index)
    text = pd.DataFrame({f: _text(frame[f]) for f in fields}, index=frame.index)
    return pd.util.hash_pandas_object(text, index=False).astype("uint64").astype("int64")


def finding_keys(findings: pd.DataFrame, row_key: pd.Series) -> pd.Series:
    """The key of each finding: rule, ledger, enterprise (or its unit), period, column, and the key of
    its row (or its file and sheet, for a finding about a whole sheet, or a row no ledger holds)."""
    f = findings
    who = f["enterprise_uscc"].where(f["enterprise_uscc"] != "", f["enterprise_name"])
    who = who.where(who != "", f["village"] + "/" + f["station"])
    has_row = f["source_row"].notna()
    where = row_key.fillna("")
    fallback = f["source_file"] + "|" + f["source_sheet"] + "|" + f["source_row"].astype("string").fillna("")
    where = where.where(where != "", fallback.where(has_row | (f["source_file"] != ""), ""))
    return (f["rule_id"] + "|" + f["ledger"] + "|" + who + "|" + f["period"] + "|" + f["column"] + "|" + where)
