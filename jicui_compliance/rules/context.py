"""What rules read: the typed ledgers resolved to registry enterprises
(:mod:`jicui_compliance.resolution`), the campaign, as-of, and the helpers rules share.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import pandas as pd

from ..campaign import Campaign
from ..ledgers import Ledgers
from ..reading import Submission
from ..reading.cells import LONG_TERM
from ..resolution import (  # noqa: F401 (re-exported)
    BY_NAME_USCC_UNKNOWN,
    NO_REF,
    RESOLVED,
    UNRESOLVED,
    USCC_NAME_MISMATCH,
    Resolution,
    fold_remembered,
    folded,
)
from ..resolution import existing as _existing
from ..resolution import month_label as _month_label
from ..text import map_distinct


@dataclass
class Context:
    campaign: Campaign
    as_of: dt.date
    ledgers: Ledgers
    submission: Submission | None = None
    resolution: Resolution = None  # type: ignore[assignment]  # set in __post_init__ when not given
    _shared: dict[tuple, object] = field(default_factory=dict)  # see shared()

    def __post_init__(self) -> None:
        if self.resolution is None:
            self.resolution = Resolution(self.campaign, self.ledgers)

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    # -- the registry and the resolved ledgers (jicui_compliance.resolution) -------------
    @property
    def registry_rows(self) -> pd.DataFrame:
        return self.resolution.registry_rows

    @property
    def registry(self) -> pd.DataFrame:
        return self.resolution.registry

    def frame(self, name: str) -> pd.DataFrame:
        """A ledger's typed frame; enterprise ledgers gain ``eid`` and ``ref_status``."""
        return self.resolution.frame(name)

    def enterprise_frames(self):
        return self.resolution.enterprise_frames()

    def found_rows(self, found: pd.DataFrame, name: str) -> pd.DataFrame:
        """The rows of ledger ``name`` that findings stand on (``found["row"]``, a rule's ``arises``), each once;
        the day a finding arose, worked out on them, is the finding's by ``found["row"].map(day)``."""
        frame = self.frame(name)
        labels = found["row"].dropna().astype("int64").unique()
        return frame.loc[frame.index.intersection(labels)]

    # -- periods -------------------------------------------------------------------------
    def period_text(self, label: str) -> str:
        return self.campaign.period_text(label)

    # -- due dates and coverage (the as-of rule itself lives in Campaign.is_due) ---------
    def is_due(self, last_day: dt.date) -> bool:
        return self.campaign.is_due(last_day, self.as_of)

    def phase_due(self, phase_id: str) -> bool:
        """"By phase N" obligations are due once as-of has reached the phase's last day."""
        return self.is_due(self.campaign.phase(phase_id).end)

    def due_periods(self, periods) -> list:
        return self.campaign.due(periods, self.as_of)

    def coverage_gaps(self, periods, covered: pd.DataFrame, eids: pd.Index | None = None,
                      undated: np.ndarray | None = None) -> pd.DataFrame:
        """Every (eid, period) of ``eids`` (default: all enterprises) × due ``periods`` that
        ``covered`` (columns ``eid``, ``period``) lacks, as a frame ``eid, period``. The enterprises
        ``undated`` (:meth:`undated_eids`) are left out: a record of theirs whose date could not be read
        may be the one for any period."""
        due = [p.label for p in self.due_periods(periods)]
        eids = self.registry.index if eids is None else eids
        if undated is not None and len(undated):
            eids = eids[~np.isin(np.asarray(eids, dtype=np.int64), undated)]
        if not due or len(eids) == 0:
            return pd.DataFrame({"eid": pd.Series(dtype="Int64"), "period": pd.Series(dtype="str")})
        # (eid, period) as one integer, eid × number of due periods + the period's place among them
        have = covered[["eid", "period"]].dropna()
        # each distinct period looked up once (a string column's get_indexer hashes every row)
        codes, periods = pd.factorize(have["period"])
        at = np.append(pd.Index(due).get_indexer(periods), -1)[codes]
        have_keys = have["eid"].to_numpy(dtype=np.int64)[at >= 0] * len(due) + at[at >= 0]
        grid_eid = np.repeat(np.asarray(eids, dtype=np.int64), len(due))
        grid_at = np.tile(np.arange(len(due)), len(eids))
        gap = ~np.isin(grid_eid * len(due) + grid_at, have_keys)
        return pd.DataFrame({"eid": grid_eid[gap], "period": pd.array(np.asarray(due, dtype=object)[grid_at[gap]],
                                                                       dtype="str")})

    # -- helpers every rule module shares ---------------------------------------------------
    @property
    def as_of_end(self) -> pd.Timestamp:
        """The end of the as-of day (exclusive): datetimes before it exist at as-of."""
        return self.as_of_ts + pd.Timedelta(days=1)

    def existing(self, frame: pd.DataFrame, date_field: str, *, undated: bool = True) -> pd.Series:
        """Rows of a registry enterprise that exist at as-of (see :func:`jicui_compliance.resolution.existing`)."""
        return _existing(frame, date_field, self.as_of_end, undated=undated)

    def as_written(self, frame: pd.DataFrame, ledger: str, field: str) -> np.ndarray:
        """A yes/no, signature or people column's cells as the analyst sees them in the file (“否”, “无”, “×”,
        “张 三”, or "" for an empty cell), for a finding's ``value``; where they are not known (frames built
        otherwise), the reading: “否” for 否, a people cell's names joined with 、, "" for empty."""
        got = self.ledgers.cells_as_written.get((ledger, field))
        if got is not None and (frame.empty or int(frame.index.max()) < len(got[0])):  # rows labelled by position
            codes, texts = got
            keys = codes[frame.index.to_numpy(dtype=np.int64)]
            return texts[np.minimum(keys, len(texts) - 1)]
        if frame[field].dtype == object and frame[field].map(lambda v: isinstance(v, tuple)).any():
            return frame[field].map("、".join, na_action="ignore").fillna("").to_numpy(dtype=object)
        return np.where(frame[field].eq(False).fillna(False).to_numpy(dtype=bool), "否", "")

    def left_blank(self, frame: pd.DataFrame, ledger: str, field: str, values: pd.Series | None = None) -> pd.Series:
        """True where the row's ``field`` was left empty in a sheet that has the column: not a sheet
        without the column (RULEBOOK §8), nor a value written but not readable — SCH002 reports that one,
        and a rule must not say “未填写” of a cell that was filled. ``values``: the column as the rule
        reads it (a date after as-of taken as not yet written), else ``frame[field]``."""
        empty = (frame[field] if values is None else values).isna()
        return empty & self.has_column(frame, field) & ~self.unreadable(frame, ledger, field)

    def undated_eids(self, frame: pd.DataFrame, ledger: str, field: str, where: pd.Series | None = None) -> np.ndarray:
        """The enterprises with a record (of the rows ``where``) whose date ``field`` was filled but could
        not be read (SCH002, such as 7月15日 with no year). Such a record may be the one a coverage rule
        looks for in any period: the rule does not judge these enterprises until the date is corrected
        (the file goes back for resubmission with its SCH002), as it says nothing of any unreadable cell."""
        bad = self.unreadable(frame, ledger, field) & frame["eid"].notna()
        if where is not None:
            bad &= where.fillna(False).astype(bool)
        return np.unique(frame.loc[bad.to_numpy(dtype=bool), "eid"].to_numpy(dtype=np.int64))

    def unreadable(self, frame: pd.DataFrame, ledger: str, field: str) -> pd.Series:
        """True where the row's ``field`` was filled but could not be read (it has its SCH002 and was
        loaded as missing): a rule knows nothing of such a cell, so it must neither read it as empty
        (“未填写”, “未报告”, “未整改”) nor as a value."""
        key = ("unreadable", ledger, field)
        if key not in self._shared:  # the rows with an SCH002 in this column: once per column
            iss = self.ledgers.issues
            self._shared[key] = iss.loc[(iss["rule_id"] == "SCH002") & (iss["ledger"] == ledger)
                                        & (iss["field"] == field), "row"].to_numpy()
        rows: np.ndarray = self._shared[key]  # type: ignore[assignment]
        hit = frame.index.isin(rows) if len(rows) else np.zeros(len(frame), dtype=bool)  # most columns: none
        return pd.Series(hit, index=frame.index, name=field)

    def has_column(self, frame: pd.DataFrame, field: str) -> pd.Series:
        """True where the row's sheet has the column ``field``. RULEBOOK §8: an optional column
        that a sheet lacks altogether gives no finding for that sheet's rows."""
        key = ("has_column", field)  # which sheets have the column: once per field
        if key not in self._shared:
            self._shared[key] = np.array([field in t.headers for t in self.ledgers.tables], dtype=bool)
        present: np.ndarray = self._shared[key]  # type: ignore[assignment]
        return pd.Series(present[frame["_sheet"].to_numpy(dtype=np.int64)], index=frame.index, name="_sheet")

    @staticmethod
    def said_no(frame: pd.DataFrame, field: str) -> pd.Series:
        """True where an obligation yes/no cell (是否公示, 签名确认, 消防措施落实 …) records 否; an empty
        cell counts as 否 (RULEBOOK §8). A column the row's sheet lacks altogether, or a value that
        could not be read (SCH002), was loaded as missing and is not judged here."""
        return frame[field].eq(False).fillna(False).astype(bool)

    @staticmethod
    def month_label(dates: pd.Series) -> pd.Series:
        """``YYYY-MM`` of each date (missing stays missing)."""
        return _month_label(dates)


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


def merge_few(left: pd.DataFrame, right: pd.DataFrame, on: str | list[str], how: str = "inner", *,
              among: pd.Series | None = None) -> pd.DataFrame:
    """``left.merge(right, on=on, how=how)`` for a few ``left`` rows against a large ``right``
    (``how`` "inner" or "left", ``on`` includes ``eid``): the ``right`` rows of enterprises not in
    ``left`` are dropped first, which cannot change the result but spares hashing all of ``right``.
    ``among`` (a mask of ``right``): merge with ``right[among]`` (without copying all of it first)."""
    if how not in ("inner", "left"):
        raise ValueError(f"merge_few: how={how!r}")
    keep = right["eid"].isin(left["eid"].unique()).to_numpy(dtype=bool)
    if among is not None:
        keep &= among.to_numpy(dtype=bool)
    right = right[keep]
    return left.merge(right, on=on, how=how)


# -- text for messages and names for comparison (module level: helpers without a ctx use them) --


def day_text(dates: pd.Series) -> pd.Series:
    """Dates as ``2023-07-20`` ("" when missing; “长期” for a validity read as long-term),
    formatted once per distinct value."""
    return map_distinct(dates, lambda d: "长期" if d == LONG_TERM else d.strftime("%Y-%m-%d")).fillna("")


def time_text(stamps: pd.Series) -> pd.Series:
    """Datetimes as ``2023-07-20 08:30``; a date without a time as ``2023-07-20``; "" when missing."""
    return map_distinct(
        stamps, lambda d: d.strftime("%Y-%m-%d %H:%M") if (d.hour or d.minute) else d.strftime("%Y-%m-%d")
    ).fillna("")
