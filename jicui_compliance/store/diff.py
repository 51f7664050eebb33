"""What changed between two runs: findings new, fixed and still open; ledger rows added, removed, changed.

Findings are matched by :func:`~.keys.finding_keys` (rule, enterprise or unit, period, column and
the key of the row they stand on), ledger rows by :func:`~.keys.row_keys`, so a row that moved
down the sheet because a village inserted rows above it is the same row.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from ..findings.writers import safe_for_output
from ..ledgers import LEDGERS
from ..text import python_strings
from ..writing import output_set
from . import Store, StoreError
from .keys import paired, unit_key, value_fields

NEW, FIXED, GONE, OPEN = "新增", "已整改", "因撤回而不再出现", "仍未整改"
#: why a finding of run A is gone from run B though not rectified (the column 撤回说明)
FILE_GONE, RECORD_GONE = "所在文件已撤回", "所在记录已从台账中删除"
ADDED, REMOVED, CHANGED = "新增", "删除", "修改"
NO_UNIT = "（未归属）"

FINDING_COLUMNS = ["状态", "单位", "所属村", "监管站所", "规则", "严重程度", "企业名称", "统一社会信用代码", "期间", "台账", "来源文件",
                   "工作表", "行号", "列", "说明", "撤回说明", "首次发现", "已持续天数",
                   "finding_key"]
ROW_COLUMNS = ["变化", "报送单位", "台账", "记录", "变化的列", "来源文件", "工作表", "行号", "上期来源文件", "上期行号"]


@dataclass
class Diff:
    run_a: dict
    run_b: dict
    findings: pd.DataFrame  # FINDING_COLUMNS
    rows: pd.DataFrame  # ROW_COLUMNS
    village: str | None = None

    def summary(self) -> pd.DataFrame:
        """Per unit (the village of a finding, else its station; the submitting unit of a row): counts."""
        f = self.findings
        fs = (pd.crosstab(f["单位"], f["状态"]).reindex(columns=[NEW, FIXED, GONE, OPEN], fill_value=0)
              .rename_axis("单位").reset_index() if len(f) else pd.DataFrame(columns=["单位", NEW, FIXED, GONE, OPEN]))
        fs = fs.rename(columns={NEW: "新增发现", FIXED: "已整改发现", GONE: "因撤回而不再出现的发现", OPEN: "仍未整改发现"})
        r = self.rows
        rs = (pd.crosstab(r["报送单位"], r["变化"]).reindex(columns=[ADDED, REMOVED, CHANGED], fill_value=0)
              .rename(columns={ADDED: "新增记录", REMOVED: "删除记录", CHANGED: "修改记录"})
              .rename_axis("单位").reset_index()) if len(r) else pd.DataFrame(columns=["单位", "新增记录", "删除记录",
                                                                                       "修改记录"])
        out = fs.merge(rs, on="单位", how="outer")
        num = [c for c in out.columns if c != "单位"]
        out[num] = out[num].fillna(0).astype(int)
        out = out.assign(_n=out["单位"] == NO_UNIT).sort_values(["_n", "单位"], kind="mergesort")
        return out.drop(columns="_n").reset_index(drop=True)


def _runs_present(store: Store, until: int) -> pd.DataFrame:
    """Each finding of the runs up to ``until``, by its key and unit (``_key``, :func:`~.keys.unit_key`), with
    its run and day."""
    p = store.df("SELECT f.finding_key, f.source_file, r.run_id, r.received"
                 " FROM findings f JOIN runs r USING (run_id) WHERE r.run_id <= ?", [until])
    return p.assign(_key=unit_key(p))[["_key", "run_id", "received"]]


def _first_seen(store: Store, run_b: int) -> pd.Series:
    """For each finding key of run B: the earliest day a run of its unbroken streak up to B was received (never
    after B's: a store may hold a run of an older submission ingested after a newer one)."""
    runs = store.df("SELECT run_id FROM runs WHERE run_id <= ? ORDER BY run_id", [run_b])
    pos = {r: i for i, r in enumerate(runs["run_id"])}
    p = _runs_present(store, run_b).drop_duplicates(["_key", "run_id"])
    p = p.assign(pos=p["run_id"].map(pos)).sort_values(["_key", "pos"], kind="mergesort")
    new_streak = (p["_key"] != p["_key"].shift()) | (p["pos"] != p["pos"].shift() + 1)
    p["streak"] = new_streak.cumsum()
    start = p.groupby("streak")["received"].transform("min")
    last = p[p["run_id"] == run_b]
    return pd.Series(pd.to_datetime(start[last.index]).to_numpy(), index=last["_key"].to_numpy())


class _States:
    """The stored rows of each ledger in the states of the runs compared (read once for rows and findings)."""

    def __init__(self, store: Store):
        self.store = store
        self._versions: dict[int, pd.DataFrame] = {}
        self._rows: dict[tuple[str, int], pd.DataFrame] = {}

    def versions(self, run: int) -> pd.DataFrame:
        if run not in self._versions:
            self._versions[run] = self.store.state_versions(run_id=run)
        return self._versions[run]

    def files(self, run: int) -> set[str]:
        return set(self.store.state_files(self.versions(run)["version_id"])["path"])

    def rows(self, ledger: str, run: int) -> pd.DataFrame:
        self.versions(run)
        if (ledger, run) not in self._rows:
            self._rows[ledger, run] = self.store.state_rows(ledger, self._versions[run])
        return self._rows[ledger, run]


def _ordinal(findings: pd.DataFrame, states: _States, run: int) -> pd.Series:
    """For each finding on a ledger row: the row's place among the rows of its key in the run's state
    (``row_place``), so that findings pair as their rows do; missing for the others."""
    out = pd.Series(pd.NA, index=findings.index, dtype="Int64")
    where = ["source_file", "source_sheet", "source_row"]
    on_rows = findings["source_row"].notna() & findings["ledger"].isin(list(LEDGERS))
    for ledger, part in findings[on_rows].groupby("ledger", sort=False):
        rows = states.rows(str(ledger), run)
        if rows.empty:
            continue
        places = rows[where].assign(_n=rows["row_place"].to_numpy()).drop_duplicates(where)
        places["source_row"] = places["source_row"].astype("Int64")
        found = part[where].assign(source_row=part["source_row"].astype("Int64")).merge(places, on=where, how="left")
        out.loc[part.index] = found["_n"].astype("Int64").to_numpy()
    return out


def _shown(findings: pd.DataFrame, states: _States, run: int) -> pd.DataFrame:
    """Findings masked for output, their pairing key kept apart (``_key``, :func:`~.keys.paired`) and their key
    and unit (``_unit_key``): runs are compared, and a finding's first run looked up, on the keys as stored,
    which hold the numbers masking hides."""
    return safe_for_output(findings).assign(_key=paired(findings, _ordinal(findings, states, run)).to_numpy(),
                                            _unit_key=unit_key(findings).to_numpy())


def _gone(findings: pd.DataFrame, states: _States, a: int, b: int) -> pd.Series:
    """For findings of run A missing from run B: why, when it is not that they were rectified — the record they
    stand on is no longer in its unit's files (:data:`RECORD_GONE`; a hazard still overdue does not count as
    rectified because its row was deleted), or their file was withdrawn (:data:`FILE_GONE`); else ""."""
    files_b = states.files(b)
    file_gone = (findings["source_file"] != "") & ~findings["source_file"].isin(files_b)
    row_known = pd.Series(False, index=findings.index)  # a finding on a row of run A's state
    row_gone = pd.Series(False, index=findings.index)  # … whose record (unit and key) run B's state lacks
    where = ["source_file", "source_sheet", "source_row"]
    on_rows = findings["source_row"].notna() & findings["ledger"].isin(list(LEDGERS))
    for ledger, part in findings[on_rows].groupby("ledger", sort=False):
        ra, rb = states.rows(str(ledger), a), states.rows(str(ledger), b)
        if ra.empty:
            continue
        rows_a = ra[[*where, "submitted_by", "row_key"]].drop_duplicates(where)
        rows_a = rows_a.assign(source_row=rows_a["source_row"].astype("Int64"))
        found = part[where].assign(source_row=part["source_row"].astype("Int64")).merge(rows_a, on=where, how="left")
        kept = set(zip(rb["submitted_by"], rb["row_key"])) if len(rb) else set()
        known = found["row_key"].notna().to_numpy(dtype=bool)
        row_known.loc[part.index] = known
        present = [(u, k) in kept for u, k in zip(found["submitted_by"], found["row_key"])]
        row_gone.loc[part.index] = known & ~np.array(present, dtype=bool)
    # a record moved to another file of its unit is the same record: its finding gone is rectified
    gone_file = file_gone & (row_gone | ~row_known)
    out = pd.Series("", index=findings.index, dtype=object)
    out = out.where(~row_gone, RECORD_GONE).where(~gone_file, FILE_GONE)
    return out


def _findings(store: Store, a: int, b: int, states: _States) -> pd.DataFrame:
    raw_a = store.run_findings(a)
    fa, fb = _shown(raw_a, states, a), _shown(store.run_findings(b), states, b)
    ka, kb = set(fa["_key"]), set(fb["_key"])
    new = fb[~fb["_key"].isin(ka)].assign(状态=NEW)
    still = fb[fb["_key"].isin(ka)].assign(状态=OPEN)
    fixed = fa[~fa["_key"].isin(kb)]
    why = _gone(raw_a.loc[fixed.index], states, a, b)
    fixed = fixed.assign(状态=pd.Series(FIXED, index=fixed.index, dtype=object).where(why == "", GONE), _why=why)
    f = pd.concat([new, fixed, still], ignore_index=True).drop_duplicates(["状态", "_key"])
    first = _first_seen(store, b)
    received_b = pd.Timestamp(store.run_info(b)["received"])
    seen = f["_unit_key"].map(first).where(f["状态"].isin([NEW, OPEN]))
    out = pd.DataFrame({
        "状态": f["状态"], "单位": f["village"].where(f["village"] != "", f["station"]).replace("", NO_UNIT),
        "所属村": f["village"], "监管站所": f["station"], "规则": f["rule_id"],
        "严重程度": f["severity"], "企业名称": f["enterprise_name"], "统一社会信用代码": f["enterprise_uscc"],
        "期间": f["period"], "台账": f["ledger"].map(lambda n: LEDGERS[n].title if n in LEDGERS else n),
        "来源文件": f["source_file"], "工作表": f["source_sheet"], "行号": f["source_row"], "列": f["column"],
        "说明": f["message"], "撤回说明": f["_why"].fillna("").astype(str), "首次发现": pd.to_datetime(seen).dt.date,
        "已持续天数": (received_b - pd.to_datetime(seen)).dt.days.astype("Int64"), "finding_key": f["finding_key"],
    })
    order = {NEW: 0, FIXED: 1, GONE: 2, OPEN: 3}
    return out.sort_values(["单位", "状态", "规则", "企业名称"], key=lambda s: s.map(order) if s.name == "状态" else s,
                           kind="mergesort").reset_index(drop=True)


def _rows(a: int, b: int, states: _States) -> pd.DataFrame:
    parts = []
    for name, led in LEDGERS.items():
        ra, rb = states.rows(name, a), states.rows(name, b)
        if ra.empty and rb.empty:
            continue
        cols = ["row_key", "row_hash", "submitted_by", "source_file", "source_sheet", "source_row"]
        ra = ra[cols + value_fields(name)] if len(ra) else pd.DataFrame(columns=cols)
        rb = rb[cols + value_fields(name)] if len(rb) else pd.DataFrame(columns=cols)
        # a record is the same record only in the same unit's files (keys.numbered: numbered within the unit)
        m = ra.merge(rb, on=["submitted_by", "row_key"], how="outer", suffixes=("_a", "_b"), indicator=True)
        change = m["_merge"].map({"left_only": REMOVED, "right_only": ADDED, "both": ""}).astype(str)
        both = m["_merge"] == "both"
        change = change.where(~(both & (m["row_hash_a"] != m["row_hash_b"])), CHANGED)
        m = m.assign(_change=change)
        m = m[m["_change"] != ""]
        if m.empty:
            continue
        changed_cols = pd.Series("", index=m.index)
        if (m["_change"] == CHANGED).any() and len(ra) and len(rb):
            for fld in value_fields(name):
                xa, xb = m[f"{fld}_a"], m[f"{fld}_b"]
                differ = ~((xa.astype("string") == xb.astype("string")).fillna(False) | (xa.isna() & xb.isna()))
                differ &= m["_change"] == CHANGED
                changed_cols = changed_cols.where(~differ, changed_cols + "、" + led.fields[fld].header)
        parts.append(pd.DataFrame({
            "变化": m["_change"], "报送单位": m["submitted_by"], "台账": led.title,
            "记录": m["row_key"], "变化的列": changed_cols.str.lstrip("、"),
            "来源文件": m["source_file_b"].fillna(""), "工作表": m["source_sheet_b"].fillna(""),
            "行号": m["source_row_b"].astype("Int64"), "上期来源文件": m["source_file_a"].fillna(""),
            "上期行号": m["source_row_a"].astype("Int64"),
        }))
    if not parts:
        return pd.DataFrame(columns=ROW_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["报送单位", "变化", "台账", "记录"], kind="mergesort").reset_index(drop=True)


@python_strings()
def diff_runs(store: Store, run_a: int | None = None, run_b: int | None = None, village: str | None = None) -> Diff:
    """Compare two runs (default: the last two), the earlier one (by run number) as A whichever is given
    first. ``village``: only that village's findings and rows."""
    runs = store.runs()["run_id"].tolist()
    if run_a is None and run_b is None:
        if len(runs) < 2:
            raise StoreError("数据库中只有一次核查，没有可比较的上一次（再导入一周的报送后再比较）")
        run_a, run_b = runs[-2], runs[-1]
    elif run_a is None or run_b is None:
        raise StoreError("请给出两次核查的编号（jicui history 列出全部），或都不给以比较最近两次")
    elif run_a > run_b:  # 新增 and 已整改 read from the earlier run to the later one, whichever is named first
        run_a, run_b = run_b, run_a
    a, b = store.run_info(run_a), store.run_info(run_b)
    states = _States(store)
    findings, rows = _findings(store, run_a, run_b, states), _rows(run_a, run_b, states)
    if village:
        if village not in set(findings["单位"]) | set(rows["报送单位"]) | set(store.df(
                "SELECT DISTINCT unit FROM versions")["unit"]):
            raise StoreError(f"两次核查中都没有“{village}”的发现或台账记录")
        findings = findings[findings["单位"] == village].reset_index(drop=True)
        rows = rows[rows["报送单位"] == village].reset_index(drop=True)
    return Diff(a, b, findings, rows, village)


# -- writing ------------------------------------------------------------------------------------
def _title(d: Diff) -> str:
    return (f"第 {d.run_a['run_id']} 次（数据截至 {d.run_a['as_of']}）与第 {d.run_b['run_id']} 次"
            f"（数据截至 {d.run_b['as_of']}）核查对比" + (f"｜{d.village}" if d.village else ""))


@python_strings()
def write_diff(d: Diff, out: Path, font_face: Callable[[str], str] | None = None) -> list[Path]:
    """``对比_<A>_<B>.xlsx`` (汇总, 新增发现, 已整改发现, 因撤回而不再出现, 仍未整改发现, 台账变化) and the same as HTML.
    ``font_face``: the ``@font-face`` rule of a font holding a text's characters (the command line gives the
    reports' :func:`~jicui_compliance.report.html.font_face`), so that the page shows its Chinese on a machine
    without Chinese fonts too."""
    stem = f"对比_第{d.run_a['run_id']}次_第{d.run_b['run_id']}次" + (f"_{d.village}" if d.village else "")
    with output_set(out) as outs:  # both files, or neither (a set, as every run writes its outputs)
        _write_diff(d, outs.path(f"{stem}.xlsx"), outs.path(f"{stem}.html"), font_face)
    return [out / f"{stem}.xlsx", out / f"{stem}.html"]


def _write_diff(d: Diff, xlsx: Path, page: Path, font_face: Callable[[str], str] | None = None) -> None:
    f = d.findings.drop(columns="finding_key")
    sheets = {"汇总": d.summary(), **{_SHEETS[s]: f[f["状态"] == s].drop(columns=_DROPPED[s]) for s in _SHEETS},
              "台账变化": _masked_rows(d.rows)}
    wb = xlsxwriter.Workbook(str(xlsx))
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 12})
    for name, frame in sheets.items():
        ws = wb.add_worksheet(name)
        ws.write(0, 0, _title(d), title)
        for j, c in enumerate(frame.columns):
            ws.write(2, j, c, head)
            ws.set_column(j, j, 40 if c in ("说明", "记录", "来源文件") else 12)
        for i, row in enumerate(frame.itertuples(index=False), start=3):
            for j, v in enumerate(row):
                ws.write(i, j, "" if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else
                         (v if isinstance(v, (int, float)) else str(v)))
        ws.freeze_panes(3, 0)
        if len(frame):
            ws.autofilter(2, 0, 2 + len(frame), len(frame.columns) - 1)
    wb.close()
    text = _html(d, sheets)
    if font_face is not None:  # the rule (ASCII) goes before </style>: the font holds the page's characters
        before, mark, after = text.partition("</style>")
        text = before + font_face(text) + mark + after
    page.write_text(text, encoding="utf-8")


#: the sheet of each status of a finding, and the columns it leaves out (a gone finding has no duration, and only
#: one gone because of a withdrawal says so)
_SHEETS = {NEW: "新增发现", FIXED: "已整改发现", GONE: "因撤回而不再出现", OPEN: "仍未整改发现"}
_DROPPED = {NEW: ["撤回说明", "首次发现", "已持续天数"], FIXED: ["撤回说明", "首次发现", "已持续天数"],
            GONE: ["首次发现", "已持续天数"], OPEN: ["撤回说明"]}


def _table_html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "<p class='none'>无</p>"
    return frame.to_html(index=False, na_rep="", border=0, classes="t", escape=True)


def _masked_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The ledger rows' changes as every output writes text (:func:`safe_for_output`: a record's key holds
    its certificate number, T and the holder's ID number)."""
    return safe_for_output(rows)


def _html(d: Diff, sheets: dict[str, pd.DataFrame]) -> str:
    f = d.findings.drop(columns="finding_key")
    parts = [f"<h1>{html.escape(_title(d))}</h1>", "<h2>汇总（按村、站所）</h2>",
             "<p>“首次发现”为该发现连续出现的第一次核查的收到日期，“已持续天数”算到本次核查的收到日期。"
             "发现按所属村归入单位（不属于任何村的归入其站所），台账记录按报送单位归入；"
             "发现按规则、企业、期间、列和所在记录（按隐患编号、作业票编号、日期等识别，不按行号）配对，"
             "记录和发现都只在同一报送单位的文件之间配对。上次有、这次没有的发现，所在的记录已从台账中删除或所在的文件已撤回的，"
             "列为“因撤回而不再出现”（不算已整改：隐患并不因记录被删除而消除），其余列为“已整改”。</p>",
             _table_html(sheets["汇总"])]
    rows = sheets["台账变化"]  # masked
    units = sorted(set(f["单位"]) | set(rows["报送单位"]), key=lambda u: (u == NO_UNIT, u))
    for u in units:
        parts.append(f"<h2>{html.escape(u)}</h2>")
        fu = f[f["单位"] == u]
        for status in (NEW, FIXED, GONE, OPEN):
            x = fu[fu["状态"] == status].drop(columns=["状态", "单位", *_DROPPED[status]])
            parts.append(f"<h3>{status}{'的' if status == GONE else ''}发现（{len(x)} 条）</h3>" + _table_html(x))
        r = rows[rows["报送单位"] == u].drop(columns="报送单位")
        parts.append(f"<h3>台账记录变化（{len(r)} 条）</h3>" + _table_html(r))
    style = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei','PingFang SC','Jicui Noto Sans CJK SC',sans-serif;"
             "margin:2em;}"
             "table.t{border-collapse:collapse;font-size:13px;margin-bottom:1em}"
             "table.t th,table.t td{border:1px solid #ccc;padding:2px 6px;vertical-align:top}"
             "table.t th{background:#DDEBF7}.none{color:#888}")
    return (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{html.escape(_title(d))}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>")
