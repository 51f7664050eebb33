"""The check pipeline: reading → ledgers → rules → findings, wired once.

>>> result = run_check(["data/samples"], as_of=datetime.date(2023, 12, 31))  # doctest: +SKIP
>>> result.findings.groupby("rule_id").size()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import ledgers as _ledgers
from .campaign import Campaign, load_campaign
from .findings import build_findings, enterprise_key
from .reading import InputError, Submission, Table, gc_paused, read_submission
from .resolution import Resolution, existing
from .rules import Context, Rule, run_rules, select_rules
from .text import fold, python_strings

__all__ = ["BY_VILLAGE_BYTES", "CheckResult", "InputError", "VillageRun", "input_bytes", "run_check",
           "run_check_by_village", "summarise", "summarise_by_village"]


@dataclass
class CheckResult:
    submission: Submission
    context: Context
    findings: pd.DataFrame
    rules: list[Rule]

    @property
    def campaign(self) -> Campaign:
        return self.context.campaign

    @property
    def as_of(self) -> dt.date:
        return self.context.as_of

    @property
    def ledgers(self) -> dict[str, pd.DataFrame]:
        return self.context.ledgers.frames

    @property
    def resolution(self) -> Resolution:
        """The registry and the ledgers attributed to its enterprises."""
        return self.context.resolution

    # -- the records at as-of, as analysis and reports read them ---------------------------------
    @property
    def registry(self) -> pd.DataFrame:
        """One row per registered enterprise (index ``eid``), with effective station and high risk."""
        return self.resolution.registry

    def frame(self, ledger: str) -> pd.DataFrame:
        """A ledger's typed rows; enterprise ledgers carry ``eid`` and ``ref_status``."""
        return self.resolution.frame(ledger)

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    @property
    def as_of_end(self) -> pd.Timestamp:
        """The end of the as-of day (exclusive): records dated before it exist at as-of."""
        return self.as_of_ts + pd.Timedelta(days=1)

    def existing(self, frame: pd.DataFrame, date_field: str, *, undated: bool = True) -> pd.Series:
        """Rows of a registry enterprise that exist at as-of (see :func:`jicui_compliance.resolution.existing`)."""
        return existing(frame, date_field, self.as_of_end, undated=undated)


#: files a registry may be in (an unreadable .docx beside it is no candidate)
_WORKBOOKS = {".xlsx", ".xlsm", ".xls", ".csv", ".ods", ".et"}


def has_registry(sub: Submission) -> bool:
    return any(t.ledger == "enterprises" for t in sub.tables)


def no_registry(sub: Submission) -> InputError:
    """The one line a check without a registry stops with (exit 2), naming the first file it could not
    read, where the registry may be (an encrypted or damaged 企业名录.xlsx)."""
    text = "输入中没有企业名录（表头含“统一社会信用代码、企业名称、所属村、行业领域、主要负责人、从业人数”的表），无法把台账归属到企业"
    unread = [p for p in sub.problems if not p.sheet and Path(p.file).suffix.lower() in _WORKBOOKS]
    unread.sort(key=lambda p: "名录" not in Path(p.file).name)
    if unread:
        many = f"等 {len(unread)} 个文件" if len(unread) > 1 else ""
        text += f"；名录可能在无法读取的文件{many}中：{unread[0].file}（{unread[0].reason}）"
    return InputError(text)


@python_strings()  # pandas' inferred text columns in Python objects (docs/dev.md, “CSV 用 pyarrow 读取”)
def run_check(
    paths: list[str | Path],
    *,
    as_of: dt.date | None = None,
    campaign: Campaign | str | Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    on_file: Callable[[str], None] | None = None,
    on_rule: Callable[[Rule], None] | None = None,
    require_registry: bool = True,
) -> CheckResult:
    """Read, type, resolve and check a submission. Raises :class:`InputError` when it cannot run."""
    if not isinstance(campaign, Campaign):
        campaign = load_campaign(campaign)
    as_of = as_of or campaign.default_as_of()
    sub = read_submission(paths, _ledgers.vocabulary(), progress=on_file)
    # typing and rules hold the county's values in arrays and make few reference cycles: the
    # collector's passes over the growing heap (about 0.1 s of a county) wait until the end
    with gc_paused():
        typed = _ledgers.load(sub, campaign)
        if require_registry and not has_registry(sub):
            raise no_registry(sub)
        ctx = Context(campaign=campaign, as_of=as_of, ledgers=typed, submission=sub)
        rules = select_rules(select, ignore)
        findings = build_findings(run_rules(rules, ctx, on_rule), ctx.resolution)
    return CheckResult(sub, ctx, findings, rules)


@python_strings()
def summarise(findings: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """Counts by rule (with severity and title), most severe first; rules without findings left out.
    ``findings`` may instead be counts (a column ``n``, :meth:`VillageRun.counts`)."""
    from .rules import REGISTRY, SEVERITIES

    counts = findings.groupby("rule_id")["n"].sum() if "n" in findings.columns else findings.groupby("rule_id").size()
    rows = [
        {"规则": rid, "严重程度": REGISTRY[rid].severity, "名称": REGISTRY[rid].title, "条款": REGISTRY[rid].clause,
         "数量": int(n)}
        for rid, n in counts.items()
    ]
    frame = pd.DataFrame(rows, columns=["规则", "严重程度", "名称", "条款", "数量"])
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return frame.sort_values(["严重程度", "规则"], key=lambda s: s.map(order) if s.name == "严重程度" else s,
                             kind="mergesort").reset_index(drop=True)


@python_strings()
def summarise_by_village(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts by village (or town, for files and town-level findings) and severity, with the
    number of enterprises concerned; findings about unreadable files stand as “（未归属）”.
    ``findings`` may instead be counts (a column ``n``, :meth:`VillageRun.counts`)."""
    from .rules import SEVERITIES

    f = findings.assign(village=findings["village"].replace("", "（未归属）"))
    if "n" in f.columns:
        table = pd.crosstab(f["village"], f["severity"], values=f["n"], aggfunc="sum").fillna(0).astype(int)
    else:
        table = pd.crosstab(f["village"], f["severity"])
    table = table.reindex(columns=list(SEVERITIES), fill_value=0)
    table["合计"] = table.sum(axis=1)
    # enterprises by credit code and name: two registry enterprises may share a name
    named = f.assign(_ent=enterprise_key(f))
    table["涉及企业"] = named[named["_ent"] != ""].groupby("village")["_ent"].nunique()
    table = table.fillna({"涉及企业": 0}).astype(int).sort_values("合计", ascending=False, kind="mergesort")
    table.index.name = "所属村"
    table.columns.name = None
    return table.reset_index()


# -- a check by village: bounded memory for a county or a province -------------------------------
#: the ledgers a town submits once for all its villages (名录, 会议与督导, 事故, 执法检查): read first,
#: kept for the whole run; every other ledger is read, checked and dropped village by village
TOWN_LEDGERS = frozenset({"enterprises", "meetings", "accidents", "enforcement"})

#: the town ledgers that must be known before the villages are checked (the rules of the villages read
#: them): a village's folder must hold none of their records. A village's own meetings may be in its
#: folder (the village template has the sheet): the rules of the meetings run after the villages.
BEFORE_VILLAGES = TOWN_LEDGERS - {"meetings"}

#: villages are checked together, in file order, up to this much input (bytes of CSV; a byte of a
#: workbook counts as :data:`jicui_compliance.reading.WORKBOOK_WEIGHT`): ~2M ledger rows, ~1.3 GiB
PARTITION_BYTES = 256 * 2**20

#: from this much input on (weighted as above), ``jicui check`` checks by village unless told
BY_VILLAGE_BYTES = 1024 * 2**20

#: the order of RULEBOOK §6, as :func:`jicui_compliance.findings.finalize` sorts
SORT_KEYS = ("village", "enterprise_uscc", "enterprise_name", "rule_id", "source_file", "source_sheet",
             "source_row", "period")


def input_bytes(paths: list[str | Path]) -> int:
    """The size of a submission as the reader weighs it (workbooks are compressed)."""
    from .reading import discover, read_cost

    return sum(read_cost(f.path) for f in discover(paths).files)


@dataclass
class VillageRun:
    """The outcome of :func:`run_check_by_village`: the findings wait on disk (``spill``), in
    parts, until they are taken in order (:meth:`chunks`); nothing else of the run is kept.
    With ``masked`` (the default) the parts hold them as they are written out — personal numbers
    masked, control characters removed — so that no ID or phone number lies on disk unmasked, not
    even in the private temporary folder while the run lasts."""

    spill: Path
    parts: list[Path]
    total: int
    files: int
    tables: int
    rules: list[Rule]
    partitions: list[list[str]]  # the villages checked together, in the order they were checked
    merged: list[list[str]]  # villages checked again together: rows of one filed in another's folder
    whole: str | None = None  # why the run could not be cut by village (then one partition)
    spilled: int = 0
    masked: bool = True  # the parts hold the findings as written (:func:`~.findings.safe_for_output`)

    def __post_init__(self) -> None:
        import shutil
        import weakref

        # stopped before its caller holds it (Ctrl-C while the villages are read), the run leaves no findings
        # behind either: the folder goes when the run is dropped, at the latest when the process ends
        weakref.finalize(self, shutil.rmtree, self.spill, True)

    def _query(self, select: str, tail: str = "") -> str:
        from .findings.writers import sql_path

        files = ", ".join(sql_path(p) for p in self.parts)
        return f"SELECT {select} FROM read_parquet([{files}]) {tail}"

    def _con(self):
        import duckdb

        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = true")
        return con

    def chunks(self, rows: int = 200_000):
        """The findings in the order of RULEBOOK §6 (as :func:`run_check` returns them), ``rows`` at a time,
        made safe for output unless the run was made with ``masked=False``. DuckDB merges the parts (each
        sorted already) on disk: the whole table is never in memory."""
        from .findings import COLUMNS

        if not self.parts:
            return
        order = ", ".join(f'"{k}" NULLS FIRST' for k in SORT_KEYS) + ", _part, _pos"
        con = self._con()
        try:
            cur = con.execute(self._query(", ".join(f'"{c}"' for c in COLUMNS), f"ORDER BY {order}"))
            while True:
                with python_strings():  # as run_check's findings (not around the yield: the caller's code)
                    chunk = cur.fetch_df_chunk(max(1, rows // 2048))
                    if chunk.empty:
                        break
                    chunk["source_row"] = chunk["source_row"].astype("Int64")
                    chunk = chunk[COLUMNS]
                yield chunk
        finally:
            con.close()

    @python_strings()
    def frame(self) -> pd.DataFrame:
        """All findings in one frame (small runs and tests), as :meth:`chunks` gives them."""
        from .findings.schema import empty

        parts = list(self.chunks())
        return pd.concat(parts, ignore_index=True) if parts else empty()

    @python_strings()
    def counts(self) -> pd.DataFrame:
        """Findings by (village, severity, enterprise credit code and name, rule): what the summaries need."""
        cols = ["village", "severity", "enterprise_uscc", "enterprise_name", "rule_id", "n"]
        if not self.parts:
            return pd.DataFrame(columns=cols)
        con = self._con()
        try:
            return con.execute(self._query("village, severity, enterprise_uscc, enterprise_name, rule_id, count(*) AS n",
                                           "GROUP BY ALL ORDER BY ALL")).df()[cols]
        finally:
            con.close()

    def close(self) -> None:
        import shutil

        shutil.rmtree(self.spill, ignore_errors=True)

    def __enter__(self) -> VillageRun:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@python_strings()
def run_check_by_village(
    paths: list[str | Path],
    *,
    as_of: dt.date | None = None,
    campaign: Campaign | str | Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    on_file: Callable[[str], None] | None = None,
    on_partition: Callable[[list[str]], None] | None = None,
    partition_bytes: int | None = None,
    spill: Path | None = None,
    masked: bool = True,
) -> VillageRun:
    """The findings of :func:`run_check`, exactly, in memory bounded by a few villages.

    The registry (名录) and the other town ledgers (:data:`TOWN_LEDGERS`) are read once and
    resolved; the town's rules and the record rules on those files run on them. Then the villages'
    folders (a folder named as a registry village, at any depth) are read a few at a time
    (:data:`PARTITION_BYTES`), typed, attributed with the whole registry's lookups, checked with
    the rules that read village ledgers — the registry and town ledgers cut to those villages'
    enterprises — and dropped; their findings go to Parquet parts under ``spill``. A row that names
    an enterprise of another village (filed in the wrong folder) makes the villages concerned be
    checked again together. The rules of the meetings (GV) run last, on the town's meetings and
    those filed in the villages' folders (a village template's 会议与督导记录). A submission that
    cannot be cut this way (no registry beside the village folders, village ledgers outside them,
    records of the registry, accidents or enforcement inside them) is checked as one.

    ``masked`` (default): the findings are made safe for output (:func:`~.findings.safe_for_output`)
    before they reach the disk, and :meth:`VillageRun.chunks` gives them so (the writers are told
    with ``masked=True``); ``masked=False`` keeps them exactly as :func:`run_check` gives them.
    """
    import shutil
    import tempfile

    from . import ledgers as _ledgers
    from .reading import discover, read_cost, read_files
    from .rules import Party

    if not isinstance(campaign, Campaign):
        campaign = load_campaign(campaign)
    as_of = as_of or campaign.default_as_of()
    budget = PARTITION_BYTES if partition_bytes is None else partition_bytes
    vocab = _ledgers.vocabulary()
    found = discover(paths)
    index = {f.rel: i for i, f in enumerate(found.files)}
    rules = select_rules(select, ignore)
    record = [r for r in rules if r.party == Party.RECORD]
    town_rules = [r for r in rules if r.party != Party.RECORD and set(r.reads) <= TOWN_LEDGERS]
    village_rules = [r for r in rules if r.party != Party.RECORD and r not in town_rules]
    meeting_rules = [r for r in town_rules if "meetings" in r.reads]  # after the villages: all meetings known
    town_rules = [r for r in town_rules if r not in meeting_rules]
    village_record = [r for r in record if not set(r.reads) <= BEFORE_VILLAGES or not r.reads]
    out = VillageRun(Path(spill or tempfile.mkdtemp(prefix="jicui-by-village-")), [], 0, len(found.files), 0, rules,
                     [], [], masked=masked)
    out.spill.mkdir(parents=True, exist_ok=True)

    def whole(reason: str) -> VillageRun:
        for p in out.parts:
            p.unlink(missing_ok=True)
        out.parts, out.total, out.partitions, out.merged, out.whole = [], 0, [], [], reason
        sub = read_files(found.root, found.files, found.problems, vocab, on_file)
        if not has_registry(sub):  # as run_check: nothing can be attributed (RULEBOOK §7, exit 2)
            if spill is None:
                shutil.rmtree(out.spill, ignore_errors=True)
            raise no_registry(sub)
        typed = _ledgers.load(sub, campaign)
        ctx = Context(campaign=campaign, as_of=as_of, ledgers=typed, submission=sub)
        out.tables = len(sub.tables)
        _spill(out, "whole", build_findings(run_rules(rules, ctx), ctx.resolution))
        return out

    # 1. the files beside the folders (where the registry is), then the rest of the town's files. A folder
    # beside others may be a village's own (东坡村/ with 东坡村/11月/): the folders nearest the root are read
    # first, so that a village is known from the registry (beside its folder, hence nearer the root) before
    # the files in its folder would be read; a file read so and found to be in a village's folder is the
    # village's (read again with it), not the town's
    villages: set[str] = set()

    def key_of(rel: str) -> str | None:
        for part in rel.split("/")[:-1]:
            if fold(part) in villages:
                return fold(part)
        return None

    parents = [tuple(f.rel.split("/")[:-1]) for f in found.files]
    above = {p[:k] for p in parents for k in range(len(p))}
    beside = [(f, len(p)) for f, p in zip(found.files, parents) if p in above]
    firsts: list[Submission] = []
    for depth in sorted({d for _, d in beside}):
        level = [f for f, d in beside if d == depth and key_of(f.rel) is None]
        if not level:
            continue
        firsts.append(read_files(found.root, level, [], vocab, on_file))
        registries = [t for t in firsts[-1].tables if t.ledger == "enterprises"]
        if registries:
            names = _ledgers.load(Submission(found.root, [], registries, []), campaign)["enterprises"]["village"]
            villages |= {fold(str(v)) for v in names.dropna()}
    if not villages:
        return whole("企业名录不在各村文件夹旁边（或名录中没有所属村）")
    first = [Submission(found.root, [f for f in s.files if key_of(f) is None],
                        [t for t in s.tables if key_of(t.file) is None],
                        [p for p in s.problems if key_of(p.file) is None]) for s in firsts]
    held = _town_records([t for s in firsts for t in s.tables if key_of(t.file) is not None])
    if held:
        return whole(held)

    groups: dict[str, list] = {}
    for f in found.files:
        if (k := key_of(f.rel)) is not None:
            groups.setdefault(k, []).append(f)
    read_first = {f for s in first for f in s.files}
    town_files = [f for f in found.files if key_of(f.rel) is None and f.rel not in read_first]
    rest = read_files(found.root, town_files, [], vocab, on_file)
    town_problems = [p for p in found.problems if key_of(p.file + "/x") is None]
    sub_t = _merged(found.root, [*first, rest], town_problems, index)
    del firsts, first, rest
    typed_t = _ledgers.load(sub_t, campaign)
    stray = [t for t in typed_t.tables if t.ledger not in TOWN_LEDGERS]
    if stray:
        return whole(f"村级台账（隐患、带队检查等）不在以村名命名的文件夹中（{_where(stray)}）")
    ctx_t = Context(campaign=campaign, as_of=as_of, ledgers=typed_t, submission=sub_t)
    res_t = ctx_t.resolution
    reg = res_t.registry
    reg_key = reg["village"].map(lambda v: fold(str(v)), na_action="ignore").fillna("")
    out.tables = len(sub_t.tables)
    if on_partition:
        on_partition([])
    _spill(out, "town", build_findings(run_rules(sorted(town_rules + record, key=lambda r: r.id), ctx_t), res_t))

    # 2. the villages, a few at a time in file order; registry villages without a folder last
    keys = list(groups) + sorted(set(reg_key) - set(groups))
    weight = {k: sum(read_cost(f.path) for f in groups.get(k, [])) for k in keys}
    batches = _pack([[k] for k in keys], weight, budget)
    folder_of = {f.rel: k for k, fs in groups.items() for f in fs}
    parent: dict[str, str] = {k: k for k in keys}

    def root_of(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    done: dict[int, list[str]] = {}
    spilled: dict[int, tuple[Path, int]] = {}
    tables: dict[int, int] = {}
    tangled: set[int] = set()
    meetings: dict[str, list[Table]] = {}  # the villages' folders' meetings, by file
    pending = list(enumerate(batches))
    while pending:
        b, batch = pending.pop(0)
        files = sorted((f for k in batch for f in groups.get(k, [])), key=lambda f: index[f.rel])
        problems = [p for p in found.problems if key_of(p.file + "/x") in batch]
        sub = read_files(found.root, files, problems, vocab, on_file)
        typed = _ledgers.load(sub, campaign)
        if held := _town_records(sub.tables):
            return whole(held)
        for f in files:  # read again (villages checked again together): the last reading counts
            meetings.pop(f.rel, None)
        for t in sub.tables:
            if t.ledger == "meetings" and len(t):
                meetings.setdefault(t.file, []).append(t)
        ctx, pairs = _village_context(set(batch), typed, sub, ctx_t, reg_key, folder_of)
        for here, there in pairs:  # rows in one village's folder of another village's enterprise
            if there in parent:
                parent[root_of(there)] = root_of(here)
        if any(there not in batch and there in parent for _, there in pairs):  # checked again at the end
            tangled.add(b)
        else:
            if on_partition:
                on_partition(batch)
            own = {f.rel for f in files} | {p.file for p in problems}
            found_b = build_findings(run_rules(village_rules + village_record, ctx), ctx.resolution)
            ids = {r.id for r in village_record}
            found_b = found_b[~(found_b["rule_id"].isin(ids) & ~found_b["source_file"].isin(own))]
            spilled[b] = (_spill(out, f"v{b}", found_b), len(found_b))
            done[b], tables[b] = batch, len(sub.tables)
            del found_b
        del ctx, typed, sub
        if not pending and tangled:
            # the villages tied together by such rows are checked again as one (with the other villages of
            # their batches, whose findings are dropped: a part holds a batch), packed again by size
            roots = {root_of(k) for t in tangled for k in batches[t]}
            redo = [i for i in range(len(batches)) if (i in done or i in tangled)
                    and any(root_of(k) in roots for k in batches[i])]
            comps: dict[str, list[str]] = {}
            for i in redo:
                for k in batches[i]:
                    comps.setdefault(root_of(k), []).append(k)
                if i in spilled:
                    path, n = spilled.pop(i)
                    path.unlink(missing_ok=True)
                    out.parts.remove(path)
                    out.total -= n
                done.pop(i, None)
            tangled = set()
            out.merged.extend(c for c in comps.values() if len(c) > 1)
            for batch in _pack(list(comps.values()), weight, budget):
                batches.append(batch)
                pending.append((len(batches) - 1, batch))
    out.partitions = [done[i] for i in sorted(done)]
    out.tables = len(sub_t.tables) + sum(tables[i] for i in done)

    # 3. the rules of the meetings (GV), on the town's meetings and those in the villages' folders
    if meeting_rules:
        if meetings:
            need = set().union(*(r.reads for r in meeting_rules))
            del ctx_t, res_t, typed_t, reg  # typed again with the villages' meetings
            found_m = [t for t in sub_t.tables if t.ledger in need] + [t for ts in meetings.values() for t in ts]
            found_m.sort(key=lambda t: index[t.file])  # in file order, as one check reads them (a stable sort)
            sub_m = Submission(found.root, sorted({t.file for t in found_m}, key=index.__getitem__), found_m, [])
            ctx_m = Context(campaign=campaign, as_of=as_of, ledgers=_ledgers.load(sub_m, campaign), submission=sub_m)
        else:
            ctx_m = ctx_t
        _spill(out, "meetings", build_findings(run_rules(meeting_rules, ctx_m), ctx_m.resolution))
    return out


def _town_records(tables: list[Table]) -> str | None:
    """Why a village's folder cannot be checked with the villages: it holds records of the town's
    ledgers that the villages' rules read (:data:`BEFORE_VILLAGES`). An empty sheet of them (a template)
    and the meetings (checked after the villages) are no reason."""
    held = [t for t in tables if t.ledger in BEFORE_VILLAGES and len(t)]
    return f"以村名命名的文件夹中有企业名录、事故或执法检查记录（{_where(held)}）" if held else None


def _where(tables: list[Table]) -> str:
    """The first of some sheets, as the terminal names it (and how many more there are)."""
    t = tables[0]
    where = f"{t.file} 的工作表“{t.sheet}”" if t.sheet else t.file
    return where + (f"等 {len(tables)} 个工作表" if len(tables) > 1 else "")


def _pack(comps: list[list[str]], weight: dict[str, int], budget: int) -> list[list[str]]:
    """Villages (groups that go together) into batches of about ``budget``, in order."""
    batches: list[list[str]] = []
    size = budget + 1
    for comp in comps:
        w = sum(weight[k] for k in comp)
        if not batches or size + w > budget:
            batches.append([])
            size = 0
        batches[-1].extend(comp)
        size += w
    return batches


def _spill(out: VillageRun, name: str, findings: pd.DataFrame) -> Path:
    """One partition's findings (sorted) to a Parquet part, with its number and their order; made safe
    for output first unless the run keeps them as found (``masked=False``)."""
    from .findings.writers import frame_to_parquet, safe_for_output

    path = out.spill / f"{name}.parquet"
    if out.masked:
        findings = safe_for_output(findings)
    out.spilled += 1
    frame_to_parquet(findings.assign(_part=out.spilled, _pos=np.arange(len(findings), dtype=np.int64)), path,
                     compression="snappy")
    out.parts.append(path)
    out.total += len(findings)
    return path


def _merged(root: Path, subs: list[Submission], problems: list, index: dict[str, int]) -> Submission:
    """Several reads of disjoint files as one, in file order."""
    items: dict[str, list] = {}
    for s in subs:
        for t in s.tables:
            items.setdefault(t.file, []).append(t)
    files = sorted({f for s in subs for f in s.files}, key=index.__getitem__)
    extra = [p for s in subs for p in s.problems]
    probs = sorted(list(problems) + extra, key=lambda p: index.get(p.file, -1))
    return Submission(root, files, [t for f in files for t in items.get(f, [])], probs)


def _village_context(keys: set[str], typed: _ledgers.Ledgers, sub: Submission, town: Context,
                     reg_key: pd.Series, folder_of: dict[str, str]) -> tuple[Context, set[tuple[str, str]]]:
    """The rules' view of some villages: their ledgers after the town's tables (so that a row's
    sheet number means the same sheet), the registry and town ledgers cut to their enterprises,
    rows attributed with the whole registry; and (folder's village, enterprise's village) where
    a row in one village's folder is about another village's enterprise."""
    from .ledgers import LEDGERS, SHEET_ID

    res_t = town.resolution
    offset = len(town.ledgers.tables)
    ours = reg_key.index[reg_key.isin(keys).to_numpy()]
    frames: dict[str, pd.DataFrame] = {}
    resolved: dict[str, pd.DataFrame] = {}
    for name, frame in typed.frames.items():
        if name in BEFORE_VILLAGES:
            r = res_t.frame(name)
            mask = r["eid"].isin(ours)
            frames[name] = town.ledgers.frames[name].loc[mask.to_numpy()]
            resolved[name] = r.loc[mask.to_numpy()]
        else:
            if len(frame):  # in place: the batch's frames are this run's own (no copy of a batch's rows)
                frame[SHEET_ID] = frame[SHEET_ID].to_numpy() + offset
            frames[name] = frame
    # the town's cells that could not be read (SCH002) in the rows kept: the rules read them as unknown
    # (:meth:`~.rules.context.Context.unreadable`), as in one check; their findings are the town's part's
    town_iss = town.ledgers.issues
    kept = pd.Series(False, index=town_iss.index)
    for name in BEFORE_VILLAGES:
        of = (town_iss["ledger"] == name).to_numpy() & town_iss["row"].notna().to_numpy()
        kept.iloc[of] = town_iss.loc[of, "row"].astype("int64").isin(frames[name].index).to_numpy()
    issues = pd.concat([town_iss[kept.to_numpy()], typed.issues.assign(sheet=typed.issues["sheet"] + offset)],
                       ignore_index=True)
    dropped = {k + offset: v for k, v in typed.dropped.items()}
    # the batch's frames keep their rows, the town's ledgers the town's row labels: so their cells as written
    cells = ({k: v for k, v in town.ledgers.cells_as_written.items() if k[0] in BEFORE_VILLAGES}
             | {k: v for k, v in typed.cells_as_written.items() if k[0] not in BEFORE_VILLAGES})
    led = _ledgers.Ledgers(frames, list(town.ledgers.tables) + list(typed.tables), issues, dropped, cells_as_written=cells)
    ent = res_t.frame("enterprises")
    rows = res_t.registry_rows.loc[ent["eid"].isin(ours).to_numpy()]
    res = Resolution(town.campaign, led, _registry_rows=rows, _registry=res_t.registry.loc[ours], _frames=resolved,
                     _name_norms=res_t._name_norms, _lookup_cache=res_t._lookups)
    pairs: set[tuple[str, str]] = set()
    for name, ledger in LEDGERS.items():
        if ledger.refers_to_enterprise and name not in TOWN_LEDGERS:
            f = res.frame(name)
            f = f.loc[f["eid"].notna().to_numpy(), ["source_file", "eid"]].drop_duplicates()
            here = f["source_file"].map(folder_of)
            there = reg_key.reindex(f["eid"].astype("int64")).fillna("").to_numpy()
            pairs.update((h, t) for h, t in zip(here, there) if h != t)
    ctx = Context(campaign=town.campaign, as_of=town.as_of, ledgers=led, submission=sub, resolution=res)
    return ctx, pairs
