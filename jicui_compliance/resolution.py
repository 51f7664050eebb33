"""Enterprise resolution: which registry enterprise each ledger row is about.

A row names its enterprise by 统一社会信用代码 and/or 企业名称 (exact after folding spaces and
full-width forms; RULEBOOK §4, §8). The USCC decides; when the USCC is not in the registry but
the name is, the row is attributed by its name (``REF002`` says the two disagree); a row
neither resolves is ``REF001`` and is left out of the enterprise rules. A name that several
registry enterprises bear (two villages' 同名 enterprises) resolves no row: which of them the row
is about is not guessed.

This layer sits between the typed ledgers and the rules: rules, findings, analysis and
reports all read the registry and the resolved frames from here, and nothing here knows
about rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from .campaign import Campaign, UnitNames
from .ledgers import LEDGERS, Ledgers
from .text import BRACKETED, ONE_NAME, fold, map_distinct, normalize_name, person_names

__all__ = ["BY_NAME_USCC_UNKNOWN", "NO_REF", "RESOLVED", "SHARED_NAME", "STATUSES", "UNRESOLVED", "USCC_NAME_MISMATCH", "Resolution",
           "existing", "fold_remembered", "folded", "leader_names", "month_label", "unknown_village"]

#: the placeholder station of the industries table, which supervises nothing of its own (GV003)
PLACEHOLDER_STATION = "其他站所"

# how a row was resolved
RESOLVED, BY_NAME_USCC_UNKNOWN, USCC_NAME_MISMATCH, UNRESOLVED, NO_REF = (
    "ok", "uscc_unknown", "name_mismatch", "unresolved", "no_ref",
)
#: the categories of a resolved frame's ``ref_status`` column (a categorical: rows are compared by code)
STATUSES = (RESOLVED, BY_NAME_USCC_UNKNOWN, USCC_NAME_MISMATCH, UNRESOLVED, NO_REF)
#: the enterprise of a normalised name that several registry enterprises bear: none (the row is UNRESOLVED)
SHARED_NAME = -2


@dataclass
class Resolution:
    """The typed ledgers attributed to registry enterprises (computed once, lazily)."""

    campaign: Campaign
    ledgers: Ledgers
    _registry_rows: pd.DataFrame | None = None
    _registry: pd.DataFrame | None = None
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    _name_norms: dict[str, str] = field(default_factory=dict)  # enterprise name → normalize_name
    _lookup_cache: tuple[dict[str, int], dict[str, int], np.ndarray, pd.DataFrame] | None = None
    _heads: tuple[dict[str, tuple[int, ...]], np.ndarray] | None = None  # the registry's heads, numbered (led_by_head)
    _written_cells: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # each ledger column as written, factorized (_written)
    _per_values: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # _per_value
    _villages: UnitNames | None = None  # the town's units, the registry's villages among them (one_village)

    # -- the registry ------------------------------------------------------------------
    @property
    def registry_rows(self) -> pd.DataFrame:
        """Every registry row, with ``duplicate`` marking second and later USCCs."""
        if self._registry_rows is None:
            self._registry_rows = self._read_registry_rows()
        return self._registry_rows

    def _read_registry_rows(self) -> pd.DataFrame:
        reg = self.ledgers["enterprises"].copy()
        reg["village"] = self.one_village(reg["village"])
        reg["duplicate"] = reg["uscc"].notna() & reg["uscc"].duplicated(keep="first")
        reg["name_norm"] = reg["name"].map(normalize_name, na_action="ignore")
        return reg

    def one_village(self, written: pd.Series) -> pd.Series:
        """Each 所属村 as written read as its village's one name, as GV001 and the letters read units
        (:class:`~jicui_compliance.campaign.UnitNames`, made of the campaign's units and the registry's villages):
        "积翠镇桃源村" beside "桃源村" is 桃源村, "桃源 村" the village as first written, and a spelling that is
        another unit's own name stays that unit (with villages 南村 and 镇南村, "镇南村" is 镇南村). The registry
        and its frame carry this name, so that every rule, analysis, report, document and template sees one
        village; a cell that names no unit (the town's name alone) stays as written."""
        if self._villages is None:
            self._villages = self.campaign.units(self.ledgers["enterprises"]["village"].dropna())
        units = self._villages
        return map_distinct(written, lambda v: units.named(v) or v).astype(written.dtype)

    @property
    def registry(self) -> pd.DataFrame:
        """One row per enterprise (index = ``eid``), with effective station and high-risk.

        High risk (RULEBOOK §3): the enterprise's own 是否高危 cell when filled; else a crowded
        venue (its registered name contains a ``crowded_venue_keywords`` keyword, kept in
        ``crowded_venue``) or the industry default."""
        if self._registry is None:
            self._registry = self._build_registry()
        return self._registry

    def _build_registry(self) -> pd.DataFrame:
        reg = self.registry_rows.loc[~self.registry_rows["duplicate"]].copy()
        reg.index.name = "eid"
        ind = {i.name: i for i in self.campaign.industries}
        lead = reg["industry"].map(lambda x: ind[x].station if x in ind else None, na_action="ignore")
        reg["lead_station"] = lead
        # a station written after the town's name or 镇 (积翠镇应急站) is the campaign's station, as everywhere
        stations = self.campaign.units()
        reg["station_eff"] = map_distinct(reg["station"], lambda s: stations.named(s) or s).fillna(lead)
        default_risk = reg["industry"].map(lambda x: ind[x].high_risk if x in ind else False, na_action="ignore")
        default_risk = default_risk.astype("boolean").fillna(False)
        keywords = [k for k in self.campaign.crowded_venue_keywords if k]
        if keywords:
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

    @property
    def _uscc_index(self) -> pd.Series:
        reg = self.registry
        s = reg["uscc"].dropna()
        return pd.Series(s.index, index=s.to_numpy())

    @property
    def _lookups(self) -> tuple[dict[str, int], dict[str, int], np.ndarray, pd.DataFrame]:
        """USCC → eid, normalised name → eid (:data:`SHARED_NAME` for a name several enterprises bear; the name
        of a duplicate USCC row is a name of the enterprise of that USCC), the registry's normalised name by eid
        (position eid; the last slot, for "no eid", is None), and the registry rows whose names the messages list
        (:meth:`namesakes`: the enterprises' and their duplicate rows', each name and USCC once; a village's
        view shares the whole registry's)."""
        if self._lookup_cache is None:
            self._lookup_cache = self._build_lookups()
        return self._lookup_cache

    def _build_lookups(self) -> tuple[dict[str, int], dict[str, int], np.ndarray, pd.DataFrame]:
        reg = self.registry
        by_uscc = dict(self._uscc_index.items())
        names = reg["name_norm"].dropna()
        # a duplicate USCC row (SCH004; a rename entered as a new row) names the enterprise of its USCC's first row:
        # a record written with its name is that enterprise's, as a record written with its code is
        rows = self.registry_rows
        dup = rows.loc[rows["duplicate"] & rows["name_norm"].notna(), ["uscc", "name_norm"]]
        also = pd.Series(dup["uscc"].map(by_uscc).to_numpy(), index=dup["name_norm"].to_numpy()).dropna()
        named = pd.DataFrame({"norm": [*names.to_numpy(), *also.index],
                              "eid": [*names.index, *also.astype("int64")]}).drop_duplicates()
        shared = named["norm"].duplicated(keep=False).to_numpy()  # a name of several enterprises: none of them
        by_name = dict(zip(named["norm"].tolist(), np.where(shared, SHARED_NAME, named["eid"]).tolist()))
        size = int(reg.index.max()) + 2 if len(reg) else 1
        name_of = np.full(size, None, dtype=object)
        name_of[reg.index.to_numpy()] = reg["name_norm"].astype(object).where(reg["name_norm"].notna(), None).to_numpy()
        # the names the messages list: every row's, a duplicate row's too, each (name, USCC) once
        # (rows without a code are each an enterprise: two such rows of one name are two namesakes, not one)
        listed = rows[["name_norm", "name", "village", "uscc"]]
        listed = listed[listed["uscc"].isna() | ~listed.duplicated(["name_norm", "uscc"])]
        return by_uscc, by_name, name_of, listed

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
                df = df.assign(eid=eid, village=self.one_village(df["village"]))
            elif LEDGERS[name].refers_to_enterprise:
                df = self._resolve(name, df)
            self._frames[name] = df
        return self._frames[name]

    def written_usccs(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The 企业统一社会信用代码 cells of ledger ``name`` as written (all its rows), factorized
        once: each row's code (-1: empty) and distinct values (resolution, FMT001): those
        :func:`jicui_compliance.ledgers.load` gives (:attr:`Ledgers.written`, the values of all ledgers),
        else the ledger's own."""
        return self._written(name, "enterprise_uscc")

    def _written(self, name: str, fname: str) -> tuple[np.ndarray, np.ndarray]:
        key = (name, fname)
        if key not in self._written_cells:
            got = self.ledgers.written.get(key)
            if got is None or len(got[0]) != len(self.ledgers[name]):
                got = pd.factorize(self.ledgers[name][fname].to_numpy(dtype=object), use_na_sentinel=True)
            self._written_cells[key] = got
        return self._written_cells[key]

    def _per_value(self, values: np.ndarray, what: str) -> np.ndarray:
        """For the distinct written values ``values`` (and a last slot: missing), the registry
        enterprise of each USCC (``what`` "uscc") or each name's normalised form ("norm") and the
        enterprise of that name ("name"), -1 where none (:data:`SHARED_NAME`: several); once per array
        of values (the ledgers' enterprise columns share one)."""
        memo = self._per_values.get((what, id(values)))
        if memo is not None and memo[0] is values:
            return memo[1]
        uscc_eid, name_eid, _, _ = self._lookups
        if what == "uscc":
            out = np.append(np.asarray([uscc_eid.get(v, -1) for v in values], dtype=np.int64), -1)
        elif what == "norm":
            known = self._name_norms  # the same names recur in every ledger: normalised once
            for v in values:
                if v not in known:
                    known[v] = normalize_name(v)
            out = np.asarray([known[v] for v in values] + [None], dtype=object)
        else:
            out = np.asarray([name_eid.get(x, -1) for x in self._per_value(values, "norm")], dtype=np.int64)
        self._per_values[(what, id(values))] = (values, out)
        return out

    def _resolve(self, name: str, df: pd.DataFrame) -> pd.DataFrame:
        """``eid`` and ``ref_status`` of each row, decided once per distinct (USCC, name) pair."""
        _, _, name_of, _ = self._lookups
        u_codes, u_values = self.written_usccs(name)
        n_codes, n_values = self._written(name, "enterprise_name")
        width = len(n_values) + 1  # codes shifted by one: -1 (missing) becomes 0
        pair_codes, pairs = pd.factorize((u_codes.astype(np.int64) + 1) * width + (n_codes + 1))
        pu, pn = pairs // width - 1, pairs % width - 1  # each pair's codes, -1 missing
        by_uscc = self._per_value(u_values, "uscc")[pu]
        name_norm = self._per_value(n_values, "norm")[pn]
        by_name = self._per_value(n_values, "name")[pn]
        has_uscc, has_name = pu >= 0, pn >= 0
        found_uscc, found_name = by_uscc >= 0, by_name >= 0
        pair_status = np.select(  # each pair's place in STATUSES
            [
                ~has_uscc & ~has_name,
                # by_uscc -1 → None: differs; a name of the enterprise's duplicate registry row does not
                found_uscc & has_name & (name_norm != name_of[by_uscc]) & (by_name != by_uscc),
                found_uscc,
                has_uscc & found_name,
                found_name,
            ],
            [STATUSES.index(s) for s in (NO_REF, USCC_NAME_MISMATCH, RESOLVED, BY_NAME_USCC_UNKNOWN, RESOLVED)],
            default=STATUSES.index(UNRESOLVED),
        ).astype(np.int8)
        status = pd.Categorical.from_codes(pair_status[pair_codes], categories=pd.Index(STATUSES, dtype="str"))
        eid = np.where(found_uscc, by_uscc, by_name)[pair_codes]
        return df.assign(eid=pd.arrays.IntegerArray(np.maximum(eid, 0), eid < 0), ref_status=status)

    def namesakes(self, names: pd.Series) -> pd.Series:
        """The registry enterprises each written enterprise name names (exact after normalisation), as a
        tuple of (registered name, village, USCC) per row, empty where none (or no name); looked up in
        the whole registry, a duplicate USCC row's name too, also from a village's view (REF001, REF002 name them)."""
        reg = self._lookups[3]
        norms = map_distinct(names, normalize_name)
        found = reg.loc[reg["name_norm"].isin(set(norms.dropna())), ["name_norm", "name", "village", "uscc"]]
        found = found.astype(object).where(found.notna(), None)
        named = {k: tuple(zip(g["name"], g["village"], g["uscc"])) for k, g in found.groupby("name_norm", sort=False)}
        return pd.Series([named.get(n, ()) for n in norms], index=names.index, dtype=object)

    def enterprise_frames(self):
        for name, led in LEDGERS.items():
            if led.refers_to_enterprise:
                yield name, self.frame(name)

    # -- views --------------------------------------------------------------------------------
    def for_village(self, village: str) -> Resolution:
        """The same resolution seen from one village: its enterprises and their records only
        (meetings: the village's own)."""
        reg = self.registry[self.registry["village"] == village]
        rows = self.registry_rows
        frames = {name: frame[frame["eid"].isin(reg.index)] for name, frame in self.enterprise_frames()}
        ent = self.frame("enterprises")
        frames["enterprises"] = ent[ent["village"] == village]
        meetings = self.frame("meetings")
        frames["meetings"] = meetings[meetings["unit"] == village]
        return Resolution(self.campaign, self.ledgers, _registry_rows=rows[rows["village"] == village],
                          _registry=reg, _frames=frames, _name_norms=self._name_norms)

    def supervising_stations(self) -> list[str]:
        """The stations of the campaign's industries table (RULEBOOK §3) that supervise at least one
        registered enterprise (its 监管站所, else its industry's lead station), in table order; the
        placeholder 其他站所 is left out (GV003 and its obligation)."""
        known: dict[str, str] = {}
        for ind in self.campaign.industries:
            for s in ind.stations:
                if s != PLACEHOLDER_STATION:
                    known.setdefault(fold(s), s)
        used = {fold(s) for s in self.registry["station_eff"].dropna().unique()}
        return [s for key, s in known.items() if key in used]

    def led_by_head(self, df: pd.DataFrame) -> pd.Series:
        """True where a record's ``leader`` names one of its enterprise's registered heads. Both cells
        are read alike (:func:`leader_names`, folded: no spaces, half-width forms): the whole cell, the
        cell without a bracketed title, or one of the people it lists — a registry's “张三（总经理）” or
        “张三/李四” names 张三, and an inspection led by “张三” or “张三、王五” is led by a head. An
        enterprise whose registry row names no head (SCH003 there) cannot be judged: any leader counts."""
        heads_of, at_head = self._head_ids
        codes, leaders = pd.factorize(df["leader"].to_numpy(dtype=object), use_na_sentinel=True)
        head = at_head[self.registry.index.get_indexer(df["eid"])]  # -2: no head to judge by (or no enterprise)
        # each distinct leader read once: the distinct head cells it names, as pairs leader × (number of head cells) + head
        width = len(at_head) + 1
        named = [c * width + h for c, v in enumerate(leaders) for h in
                 dict.fromkeys(h for n in leader_names(str(v)) for h in heads_of.get(n, ()))]
        by_head = (codes >= 0) & (head >= 0) & np.isin(codes.astype(np.int64) * width + head, named)
        return pd.Series(by_head | (head == -2), index=df.index)

    @property
    def _head_ids(self) -> tuple[dict[str, tuple[int, ...]], np.ndarray]:
        """Each folded name a registry head cell may mean (:func:`leader_names`) → the numbers of the
        distinct head cells that mean it; and each enterprise's head cell number by registry position
        (the last slot, for "no enterprise", and an empty head: -2)."""
        if self._heads is None:
            # as written (张三 李四 is two people, 张三李四 one), each distinct cell read once
            numbers, distinct = pd.factorize(self.registry["head"].to_numpy(dtype=object), use_na_sentinel=True)
            names = [leader_names(str(cell)) for cell in distinct]
            known = np.append([bool(n) for n in names], False)  # a cell of spaces names no one
            at_head = np.append(np.where(known[numbers], numbers, -2), -2).astype(np.int64)
            heads_of: dict[str, list[int]] = {}
            for number, cell_names in enumerate(names):
                for name in cell_names:
                    heads_of.setdefault(name, []).append(number)
            self._heads = ({n: tuple(h) for n, h in heads_of.items()}, at_head)
        return self._heads


# -- records at as-of, and names as compared (module level: no Resolution needed) -------------
def unknown_village(village: str, registry: pd.DataFrame, campaign: Campaign) -> str | None:
    """None when ``village`` (a ``--village``) is a village of the resolved ``registry``; else the one line that
    says it is not, listing the villages, and naming the village it is written for ("积翠镇东坡村" → 东坡村:
    the registry names each village once, without the town's name, :meth:`Resolution.one_village`)."""
    villages = sorted(registry["village"].dropna().unique())
    if village in villages:
        return None
    line = f"村“{village}”不在企业名录的“所属村”中（名录中的村：{'、'.join(villages) or '无'}）"
    named = campaign.units(villages).named(village)
    if named in villages:
        prefixed = fold(village).startswith((fold(campaign.town), "镇"))
        line += f"；{'所属村前的镇名不看，' if prefixed else ''}请写“{named}”"
    return line


def existing(frame: pd.DataFrame, date_field: str, as_of_end: pd.Timestamp, *, undated: bool = True) -> pd.Series:
    """Rows of a registry enterprise that exist at as-of: dated before ``as_of_end`` (the end of
    the as-of day; records dated later do not exist yet). ``undated`` rows are kept unless False."""
    when = frame[date_field]
    after = (when >= as_of_end).fillna(not undated).astype(bool)
    if not undated:
        after |= when.isna().to_numpy()
    resolved = frame["eid"].notna() if "eid" in frame.columns else pd.Series(True, index=frame.index)
    return resolved.astype(bool) & ~after


def month_label(dates: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each date (missing stays missing), formatted once per distinct month."""
    ym = dates.dt.year * 100 + dates.dt.month
    labels = {v: f"{int(v) // 100:04d}-{int(v) % 100:02d}" for v in pd.unique(ym.dropna())}
    return ym.map(labels)


def folded(values: pd.Series) -> pd.Series:
    """Names as compared: no spaces or line breaks, full-width forms folded (each distinct value once;
    the same people and places recur in many ledgers and rules, so recent values are remembered)."""
    return map_distinct(values, fold_remembered)


#: :func:`jicui_compliance.text.fold` remembering recent values (names recur in many ledgers and rules)
fold_remembered = lru_cache(maxsize=1 << 16)(fold)


@lru_cache(maxsize=1 << 16)
def leader_names(cell: str) -> tuple[str, ...]:
    """The folded names a names cell may mean — a 带队负责人 or 主持 cell, or the registry's 主要负责人 — any of
    which can be the person sought: the cell as written, the cell without bracketed titles (张三（总经理）),
    and each person it lists as :func:`~jicui_compliance.text.person_names` reads them (the one reading of
    people: titles in brackets dropped; 张三、李四, 张三/李四 and 张三 李四 are two, 张 三 and 欧阳 明 one)."""
    text = unicodedata.normalize("NFKC", cell)
    if ONE_NAME.fullmatch(text):  # most cells: one name, as written, without a title
        return (whole,) if (whole := fold(text)) else ()
    plain = BRACKETED.sub("", text)
    names = [fold(text), fold(plain), *map(fold, person_names(text))]
    return tuple(dict.fromkeys(n for n in names if n))
