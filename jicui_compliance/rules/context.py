"""What rules read: the typed ledgers resolved to registry enterprises, the campaign, as-of.

Resolution (RULEBOOK §4, §8): a row names its enterprise by 统一社会信用代码 and/or
企业名称 (exact after folding spaces and full-width forms). The USCC decides; when the
USCC is not in the registry but the name is, the row is attributed by its name (and
``REF002`` says the two disagree); a row neither resolves is ``REF001`` and is left out
of the enterprise rules.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import numpy as np
import pandas as pd

from ..campaign import Campaign
from ..ledgers import LEDGERS, Ledgers
from ..reading import Submission, fold, normalize_name
from ..reading.cells import map_distinct

# how a row was resolved
RESOLVED, BY_NAME_USCC_UNKNOWN, USCC_NAME_MISMATCH, UNRESOLVED, NO_REF = (
    "ok", "uscc_unknown", "name_mismatch", "unresolved", "no_ref",
)


@dataclass
class Context:
    campaign: Campaign
    as_of: dt.date
    ledgers: Ledgers
    submission: Submission | None = None
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    _shared: dict[tuple, object] = field(default_factory=dict)  # see shared()
    _name_norms: dict[str, str] = field(default_factory=dict)  # enterprise name → normalize_name

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    # -- the registry ------------------------------------------------------------------
    @cached_property
    def registry_rows(self) -> pd.DataFrame:
        """Every registry row, with ``duplicate`` marking second and later USCCs."""
        reg = self.ledgers["enterprises"].copy()
        reg["duplicate"] = reg["uscc"].notna() & reg["uscc"].duplicated(keep="first")
        reg["name_norm"] = reg["name"].map(normalize_name, na_action="ignore")
        return reg

    @cached_property
    def registry(self) -> pd.DataFrame:
        """One row per enterprise (index = ``eid``), with effective station and high-risk.

        High risk (RULEBOOK §3): the enterprise's own 是否高危 cell when filled; else a crowded
        venue (its registered name contains a ``crowded_venue_keywords`` keyword, kept in
        ``crowded_venue``) or the industry default."""
        reg = self.registry_rows.loc[~self.registry_rows["duplicate"]].copy()
        reg.index.name = "eid"
        ind = {i.name: i for i in self.campaign.industries}
        lead = reg["industry"].map(lambda x: ind[x].station if x in ind else None, na_action="ignore")
        reg["lead_station"] = lead
        reg["station_eff"] = reg["station"].fillna(lead)
        default_risk = reg["industry"].map(lambda x: ind[x].high_risk if x in ind else False, na_action="ignore")
        default_risk = default_risk.astype("boolean").fillna(False)
        keywords = [k for k in self.campaign.crowded_venue_keywords if k]
        if keywords:
            import re
            # the first keyword found in the folded name (case-insensitive: KTV, ktv, ＫＴＶ), once per distinct name
            keyword_of = {fold(k).casefold(): k for k in keywords}
            pattern = re.compile("|".join(map(re.escape, keyword_of)))
            reg["crowded_venue"] = map_distinct(
                reg["name"], lambda n: (keyword_of[m.group(0)] if (m := pattern.search(fold(n).casefold())) else None))
        else:
            reg["crowded_venue"] = pd.Series(None, index=reg.index, dtype=object)
        default_risk = default_risk | reg["crowded_venue"].notna()
        reg["high_risk_eff"] = reg["high_risk"].astype("boolean").fillna(default_risk).fillna(False).astype(bool)
        return reg

    @cached_property
    def _uscc_index(self) -> pd.Series:
        reg = self.registry
        s = reg["uscc"].dropna()
        return pd.Series(s.index, index=s.to_numpy())

    @cached_property
    def _lookups(self) -> tuple[dict[str, int], dict[str, int], np.ndarray]:
        """USCC → eid, normalised name → eid (the first enterprise of that name), and the
        registry's normalised name by eid (position eid; the last slot, for "no eid", is None)."""
        reg = self.registry
        by_uscc = dict(self._uscc_index.items())
        names = reg["name_norm"].dropna()
        names = names[~names.duplicated(keep="first")]
        by_name = dict(zip(names.to_numpy(), names.index))
        size = int(reg.index.max()) + 2 if len(reg) else 1
        name_of = np.full(size, None, dtype=object)
        name_of[reg.index.to_numpy()] = reg["name_norm"].astype(object).where(reg["name_norm"].notna(), None).to_numpy()
        return by_uscc, by_name, name_of

    # -- resolved ledgers ----------------------------------------------------------------
    def frame(self, name: str) -> pd.DataFrame:
        """A ledger's typed frame; enterprise ledgers gain ``eid`` and ``ref_status``."""
        if name not in self._frames:
            df = self.ledgers[name]
            if name == "enterprises":
                # each row is its own enterprise; a duplicate USCC row belongs to the first row of that USCC
                eid = pd.Series(df.index, index=df.index, dtype="Int64")
                dup = self.registry_rows["duplicate"]
                eid[dup] = df.loc[dup, "uscc"].map(self._uscc_index).astype("Int64")
                df = df.assign(eid=eid)
            elif LEDGERS[name].refers_to_enterprise:
                df = self._resolve(df)
            self._frames[name] = df
        return self._frames[name]

    def _resolve(self, df: pd.DataFrame) -> pd.DataFrame:
        """``eid`` and ``ref_status`` of each row, decided once per distinct (USCC, name) pair."""
        uscc_eid, name_eid, name_of = self._lookups
        u_codes, u_values = pd.factorize(df["enterprise_uscc"].to_numpy(dtype=object), use_na_sentinel=True)
        n_codes, n_values = pd.factorize(df["enterprise_name"].to_numpy(dtype=object), use_na_sentinel=True)
        width = len(n_values) + 1  # codes shifted by one: -1 (missing) becomes 0
        pair_codes, pairs = pd.factorize((u_codes.astype(np.int64) + 1) * width + (n_codes + 1))
        pu, pn = pairs // width - 1, pairs % width - 1  # each pair's codes, -1 missing
        known = self._name_norms  # the same names recur in every ledger: normalised once
        for v in n_values:
            if v not in known:
                known[v] = normalize_name(v)
        norms = np.asarray([known[v] for v in n_values] + [None], dtype=object)
        by_uscc = np.append(np.asarray([uscc_eid.get(v, -1) for v in u_values], dtype=np.int64), -1)[pu]
        name_norm = norms[pn]
        by_name = np.asarray([name_eid.get(x, -1) for x in norms], dtype=np.int64)[pn]
        has_uscc, has_name = pu >= 0, pn >= 0
        found_uscc, found_name = by_uscc >= 0, by_name >= 0
        status = pd.array(np.select(
            [
                ~has_uscc & ~has_name,
                found_uscc & has_name & (name_norm != name_of[by_uscc]),  # by_uscc -1 → None: differs
                found_uscc,
                has_uscc & found_name,
                found_name,
            ],
            [NO_REF, USCC_NAME_MISMATCH, RESOLVED, BY_NAME_USCC_UNKNOWN, RESOLVED],
            default=UNRESOLVED,
        ), dtype="str").take(pair_codes)
        eid = np.where(found_uscc, by_uscc, by_name)[pair_codes]
        return df.assign(eid=pd.arrays.IntegerArray(np.maximum(eid, 0), eid < 0), ref_status=status)

    def enterprise_frames(self):
        for name, led in LEDGERS.items():
            if led.refers_to_enterprise:
                yield name, self.frame(name)

    def resolve_all(self) -> None:
        """Resolve every ledger now (they are otherwise resolved when a rule first reads them)."""
        self.registry
        for name in LEDGERS:
            self.frame(name)

    # -- periods -------------------------------------------------------------------------
    def period_text(self, label: str) -> str:
        """"2023-07" → 2023年7月, "2023-H1" → 2023年上半年, "P2" → 第二阶段（…）."""
        if not label:
            return ""
        if label.startswith("P"):
            p = self.campaign.phase(label)
            return f"{label}（{p.name}，截至{p.end.year}年{p.end.month}月{p.end.day}日）"
        if label.endswith("-H1"):
            return f"{label[:4]}年上半年"
        if label.endswith("-H2"):
            return f"{label[:4]}年下半年"
        if len(label) == 7:
            return f"{label[:4]}年{int(label[5:])}月"
        return f"{label}年"

    # -- due dates and coverage (the as-of rule itself lives in Campaign.is_due) ---------
    def is_due(self, last_day: dt.date) -> bool:
        return self.campaign.is_due(last_day, self.as_of)

    def phase_due(self, phase_id: str) -> bool:
        """"By phase N" obligations are due once as-of has reached the phase's last day."""
        return self.is_due(self.campaign.phase(phase_id).end)

    def due_periods(self, periods) -> list:
        return self.campaign.due(periods, self.as_of)

    def coverage_gaps(self, periods, covered: pd.DataFrame, eids: pd.Index | None = None) -> pd.DataFrame:
        """Every (eid, period) of ``eids`` (default: all enterprises) × due ``periods`` that
        ``covered`` (columns ``eid``, ``period``) lacks, as a frame ``eid, period``."""
        due = [p.label for p in self.due_periods(periods)]
        eids = self.registry.index if eids is None else eids
        if not due or len(eids) == 0:
            return pd.DataFrame({"eid": pd.Series(dtype="Int64"), "period": pd.Series(dtype="str")})
        grid = pd.MultiIndex.from_product([eids, due], names=["eid", "period"]).to_frame(index=False)
        have = covered[["eid", "period"]].dropna().drop_duplicates()
        have = have.assign(eid=have["eid"].astype("int64"), _hit=True)
        grid = grid.assign(eid=grid["eid"].astype("int64")).merge(have, on=["eid", "period"], how="left")
        return grid.loc[grid["_hit"].isna(), ["eid", "period"]].reset_index(drop=True)

    # -- helpers every rule module shares ---------------------------------------------------
    @property
    def as_of_end(self) -> pd.Timestamp:
        """The end of the as-of day (exclusive): datetimes before it exist at as-of."""
        return self.as_of_ts + pd.Timedelta(days=1)

    def existing(self, frame: pd.DataFrame, date_field: str, *, undated: bool = True) -> pd.Series:
        """Rows of a registry enterprise that exist at as-of: dated before the end of the as-of
        day (records dated later do not exist yet). ``undated`` rows are kept unless False."""
        when = frame[date_field]
        after = (when >= self.as_of_end).fillna(not undated).astype(bool)
        if not undated:
            after |= when.isna().to_numpy()
        resolved = frame["eid"].notna() if "eid" in frame.columns else pd.Series(True, index=frame.index)
        return resolved.astype(bool) & ~after

    def has_column(self, frame: pd.DataFrame, field: str) -> pd.Series:
        """True where the row's sheet has the column ``field``. RULEBOOK §8: an optional column
        that a sheet lacks altogether gives no finding for that sheet's rows."""
        present = {i: field in t.headers for i, t in enumerate(self.ledgers.tables)}
        return frame["_sheet"].map(present).fillna(False).astype(bool)

    @staticmethod
    def said_no(frame: pd.DataFrame, field: str) -> pd.Series:
        """True where an obligation yes/no cell (是否公示, 签名确认, 消防措施落实 …) records 否; an empty
        cell counts as 否 (RULEBOOK §8). A column the row's sheet lacks altogether, or a value that
        could not be read (SCH002), was loaded as missing and is not judged here."""
        return frame[field].eq(False).fillna(False).astype(bool)

    @staticmethod
    def month_label(dates: pd.Series) -> pd.Series:
        """``YYYY-MM`` of each date (missing stays missing), formatted once per distinct month."""
        ym = dates.dt.year * 100 + dates.dt.month
        labels = {v: f"{int(v) // 100:04d}-{int(v) % 100:02d}" for v in pd.unique(ym.dropna())}
        return ym.map(labels)


T = TypeVar("T")


def shared(helper: Callable[..., T]) -> Callable[..., T]:
    """A rule module's helper that prepares a frame from ``ctx`` (and hashable options),
    computed once per Context: the rules of an area that start from the same prepared rows
    share them. What it returns is read-only by convention; rules derive new frames from it.
    """

    @functools.wraps(helper)
    def once(ctx: Context, *args, **kwargs) -> T:
        key = (helper, args, tuple(sorted(kwargs.items())))
        if key not in ctx._shared:
            ctx._shared[key] = helper(ctx, *args, **kwargs)
        return ctx._shared[key]  # type: ignore[return-value]

    return once


# -- text for messages and names for comparison (module level: helpers without a ctx use them) --
def folded(values: pd.Series) -> pd.Series:
    """Names as compared: no spaces or line breaks, full-width forms folded (each distinct value once)."""
    return map_distinct(values, fold)


def day_text(dates: pd.Series) -> pd.Series:
    """Dates as ``2023-07-20`` ("" when missing), formatted once per distinct value."""
    return map_distinct(dates, lambda d: d.strftime("%Y-%m-%d")).fillna("")


def time_text(stamps: pd.Series) -> pd.Series:
    """Datetimes as ``2023-07-20 08:30``; a date without a time as ``2023-07-20``; "" when missing."""
    return map_distinct(
        stamps, lambda d: d.strftime("%Y-%m-%d %H:%M") if (d.hour or d.minute) else d.strftime("%Y-%m-%d")
    ).fillna("")
