"""Key figures of the campaign at as-of, as small frames with Chinese column names.

Every figure counts records that exist at as-of (dated on or before it) of enterprises in
the registry. Rates are fractions (0.0–1.0); reports format them as percentages.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..ledgers.enforcement import hazard_key
from ..ledgers.hazards import DONE_STATUSES
from ..resolution import folded, month_label
from ..rules.accidents import LIMIT as REPORT_LIMIT
from ..rules.accidents import hour_starts
from .obligations import COMPLIANT, NOT_COMPLIANT, PENDING, Codes
from .sources import flagged


def _rate(num, den):
    den = np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, np.asarray(num, dtype=float) / np.where(den > 0, den, 1), np.nan)


def _by(frame: pd.DataFrame, ctx, by: str | None, scope: str = "全镇") -> pd.Series | str:
    if by is None:
        return pd.Series(scope, index=frame.index)
    col = {"village": "village", "station": "station_eff", "industry": "industry"}[by]
    return frame["eid"].map(ctx.registry[col]).fillna("（未知）")


def past_deadline(deadline: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """Hazards past their 整改期限 at as-of, as HZ005 reads it: the deadline is before as-of (the deadline day
    itself is still in time); no deadline is never past. The one reading of every report figure."""
    return (deadline < as_of).fillna(False).astype(bool)


def hazards_existing(result) -> pd.DataFrame:
    """The hazards that exist at as-of, each once: a row repeating an earlier one's enterprise, hazard number,
    发现日期 and 隐患描述 (SCH004, as when a station also sent a village's file) is the same hazard, as its
    first row says; two hazards given one number by mistake (another day or description) stay two.
    With done / closed / past_deadline / overdue."""
    ctx = result
    h = ctx.frame("hazards")
    h = h[ctx.existing(h, "found_on", undated=False)]
    keyed = (h["eid"].notna() & h["hazard_no"].notna()).to_numpy(dtype=bool)
    again = np.zeros(len(h), dtype=bool)
    if keyed.any():
        k = h[keyed]
        again[keyed] = pd.DataFrame({"eid": k["eid"], "key": hazard_key(k["hazard_no"]), "found_on": k["found_on"],
                                     "what": folded(k["description"].astype(object))}).duplicated().to_numpy()
    h = h[~again].copy()
    end = ctx.as_of_end
    h["done"] = (h["done_on"] < end).fillna(False).astype(bool)
    h["closed"] = h["done"] & (h["verified_on"] < end).fillna(False).astype(bool)
    h["past_deadline"] = past_deadline(h["deadline"], ctx.as_of_ts)
    h["overdue"] = ~h["done"] & h["past_deadline"]
    context = getattr(ctx, "context", None)
    if context is not None and len(h):
        _as_hz005_reads(context, h, end)
    return h


def _as_hz005_reads(context, h: pd.DataFrame, end: pd.Timestamp) -> None:
    """Done, closed and overdue as HZ005/HZ006 read a hazard whose sheet has no 整改完成日期 (or 验收日期) column:
    by its 整改状态 (已整改/已销号 done, 已销号 closed; 整改中 past its deadline overdue; an empty status is neither);
    and a 整改完成日期 written but not readable (SCH002) makes the hazard neither done nor overdue."""
    status = h["status"].astype(object)
    no_done = ~context.has_column(h, "done_on").to_numpy(dtype=bool)
    no_verified = ~context.has_column(h, "verified_on").to_numpy(dtype=bool)
    unread = context.unreadable(h, "hazards", "done_on").to_numpy(dtype=bool)
    if not (no_done.any() or no_verified.any() or unread.any()):
        return
    said_done = status.isin(DONE_STATUSES).to_numpy(dtype=bool)
    in_progress = status.eq("整改中").to_numpy(dtype=bool)
    done = np.where(no_done, said_done, h["done"].to_numpy(dtype=bool))
    verified = (h["verified_on"] < end).fillna(False).to_numpy(dtype=bool)
    closed = done & np.where(no_verified, status.eq("已销号").to_numpy(dtype=bool), verified)
    overdue = ~done & h["past_deadline"].to_numpy(dtype=bool) & (~no_done | in_progress) & ~unread
    h["done"], h["closed"], h["overdue"] = done, closed, overdue


def hazard_counts(hazards: pd.DataFrame) -> tuple[dict[str, np.ndarray], np.ndarray, pd.Index]:
    """What :func:`hazard_kpis` counts of each hazard (a 0/1 column per figure) and the hazards' enterprises
    numbered (codes into the distinct ``eid`` values, a missing one among them): the same for every ``by``."""
    h = hazards
    src, sources = pd.factorize(h["source"].astype(object), use_na_sentinel=False)
    sources = pd.Index(sources, dtype=object)
    counted = {
        "隐患数": np.ones(len(h), dtype=bool),
        "企业自查": (sources == "企业自查")[src],
        "部门/执法检查": sources.isin(["部门检查", "执法检查"])[src],
        "举报及其他": (~sources.isin(["企业自查", "部门检查", "执法检查"]))[src],
        "已整改": h["done"].to_numpy(dtype=bool),
        "已销号": h["closed"].to_numpy(dtype=bool),
        "逾期未改": h["overdue"].to_numpy(dtype=bool),
    }
    ent, eids = pd.factorize(h["eid"], use_na_sentinel=False)
    return counted, ent, pd.Index(eids)


def hazard_kpis(result, by: str | None = None, scope: str = "全镇", hazards: pd.DataFrame | None = None,
                counts: tuple[dict[str, np.ndarray], np.ndarray, pd.Index] | None = None) -> pd.DataFrame:
    """隐患：发现（按来源）、整改、销号、整改率、销号率、逾期未改；``by``: village / station / industry.
    ``hazards``: :func:`hazards_existing` of ``result`` where the caller has it, ``counts``: its
    :func:`hazard_counts`."""
    ctx = result
    h = hazards_existing(result) if hazards is None else hazards
    counted, ent, eids = hazard_counts(h) if counts is None else counts
    # as groupby(key).sum(): the keys numbered in sorted order (missing left out), each column counted by bincount
    if by is None:
        keys = pd.Index(pd.Series(scope, index=h.index[:1]))
        codes = np.zeros(len(h), dtype="int64")
    else:  # an enterprise's key looked up once
        c, keys = pd.factorize(_by(pd.DataFrame({"eid": eids}), ctx, by, scope), sort=True)
        codes = c[ent]
    keep = codes >= 0
    g = pd.DataFrame({k: np.bincount(codes[keep & v], minlength=len(keys)).astype("int64") for k, v in counted.items()},
                     index=keys)
    g["整改率"] = _rate(g["已整改"], g["隐患数"])
    g["销号率"] = _rate(g["已销号"], g["隐患数"])
    g.index.name = {None: "范围", "village": "村", "station": "站所", "industry": "行业领域"}[by]
    return g.reset_index()


def listed_supervision(result) -> int:
    """挂牌督办（次）：执法检查记录中“挂牌督办”为“是”的次数（截至 as-of）。"""
    ctx = result
    e = ctx.frame("enforcement")
    e = e[ctx.existing(e, "date", undated=False)]
    return int(e["listed"].eq(True).fillna(False).sum())


def hazard_flow(result, freq: str = "W-SUN", hazards: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cumulative hazards found / fixed / closed by week (or ``freq``), up to as-of."""
    h = hazards_existing(result) if hazards is None else hazards
    end = result.as_of_end
    series = {
        "发现": h["found_on"],
        "整改": h["done_on"].where(h["done_on"] < end),
        "销号": h["verified_on"].where(h["closed"]),
    }
    out = pd.DataFrame({k: v.dropna().dt.to_period(freq).value_counts() for k, v in series.items()}).fillna(0)
    if out.empty:
        return pd.DataFrame(columns=list(series))
    full = pd.period_range(out.index.min(), result.as_of_ts.to_period(freq), freq=freq)
    out = out.reindex(full, fill_value=0).sort_index().cumsum().astype(int)
    ends = out.index.end_time.normalize()
    out.index = ends.where(ends <= result.as_of_ts, result.as_of_ts)  # the last week ends on as-of
    out.index.name = "截至"
    return out


def coverage(status: pd.DataFrame | Codes, rule_id: str, by: str | None = None) -> pd.DataFrame:
    """For a coverage obligation (HI001, DR001, …): per period (and ``by``), units due, compliant, rate.
    ``status``: the status table, or its :class:`~.obligations.Codes` (counted on integers)."""
    keys = ["period"] + ([by] if by else [])
    empty = pd.DataFrame(columns=[*keys, "应完成", "已完成", "未完成", PENDING, "完成率"])
    if isinstance(status, Codes):
        rows = status.equals("rule_id", rule_id)
        if not rows.any():
            return empty
        if not all((status(k)[0][rows] >= 0).any() for k in keys):  # nothing to count: as crosstab has it
            return coverage(status.frame[rows], rule_id, by)
        t = status.counts(keys, rows)
    else:
        s = status[status["rule_id"] == rule_id]
        if s.empty:
            return empty
        t = pd.crosstab([s[k] for k in keys], s["status"]).reindex(columns=[COMPLIANT, NOT_COMPLIANT, PENDING],
                                                                   fill_value=0)
        t.columns.name = None
        t = t.reset_index()
    t = t.rename(columns={COMPLIANT: "已完成", NOT_COMPLIANT: "未完成"})
    t.insert(len(keys), "应完成", t["已完成"] + t["未完成"])
    t["完成率"] = _rate(t["已完成"], t["应完成"])
    return t


def head_inspection_matrix(status: pd.DataFrame | Codes) -> pd.DataFrame:
    """Village × month: share of due enterprises with a head-led inspection (NaN where not yet due)."""
    c = coverage(status, "HI001", by="village")
    if c.empty:
        return pd.DataFrame()
    return c.pivot(index="village", columns="period", values="完成率").sort_index()


def _row_compliance(result, ledger: str, prefix: str, date: str, columns: list[str]) -> pd.DataFrame:
    """Records of a ledger existing at as-of (only ``columns`` and where they stand), each marked compliant when
    no ``prefix`` rule flags its row."""
    ctx = result
    df = ctx.frame(ledger)
    df = df[list(dict.fromkeys([*columns, "source_file", "source_sheet", "source_row"]))][
        ctx.existing(df, date, undated=False)]
    f = result.findings
    f = f[f["rule_id"].str.startswith(prefix) & (f["ledger"] == ledger)]
    return df.assign(compliant=~flagged(df, f))


def outsourcing_kpis(result, since: dt.date | None = None) -> pd.DataFrame:
    """外包外租：项目数、涉及企业、已签安全协议、开工前签订、全部合规；``since``：只计该日仍在履行的项目（结束日期
    为空或不早于该日；年总结用专项行动开始日：开始前已结束的项目不在本次排查之列）。开始日期晚于截止日的项目当时
    尚不存在，不计。"""
    d = _row_compliance(result, "outsourcing", "OS", "start", ["eid", "agreement_on", "start", "end"])
    if since is not None:
        d = d[~(d["end"] < pd.Timestamp(since)).fillna(False).astype(bool).to_numpy()]
    end = result.as_of_end
    signed = (d["agreement_on"] < end).fillna(False).astype(bool)
    timely = signed & (d["agreement_on"] <= d["start"]).fillna(False).astype(bool)
    n = len(d)
    return pd.DataFrame([{
        "外包外租项目": n, "涉及企业": d["eid"].nunique(), "已签安全协议": int(signed.sum()),
        "开工前签订": int(timely.sum()), "全部合规": int(d["compliant"].sum()),
        "协议签订率": _rate(signed.sum(), n).item(), "合规率": _rate(d["compliant"].sum(), n).item(),
    }])


def hot_work_kpis(result, since: dt.date | None = None) -> pd.DataFrame:
    """动火作业票：张数、涉及企业、合规作业票；``since``：只计开始时间在该日及以后的作业票（年总结用专项行动开始日：
    此前审批的作业票不计入）。"""
    d = _row_compliance(result, "hot_work", "HW", "start", ["eid", "start"])
    if since is not None:
        d = d[(d["start"] >= pd.Timestamp(since)).fillna(False).astype(bool).to_numpy()]
    n = len(d)
    return pd.DataFrame([{
        "动火作业票": n, "涉及企业": d["eid"].nunique(), "合规作业票": int(d["compliant"].sum()),
        "合规率": _rate(d["compliant"].sum(), n).item(),
    }])


def certificate_kpis(result) -> pd.DataFrame:
    ctx = result
    w = ctx.frame("special_workers")
    w = w[w["eid"].notna() & ~w["on_post"].eq(False).fillna(False).astype(bool)]
    valid = (w["valid_until"] >= ctx.as_of_ts).fillna(False).astype(bool)
    soon = valid & (w["valid_until"] <= ctx.as_of_ts + pd.Timedelta(days=60)).fillna(False).astype(bool)
    f = result.findings
    overdue = int((f["rule_id"] == "SW002").sum())
    n = len(w)
    return pd.DataFrame([{
        "在岗特种作业人员": n, "证书有效": int(valid.sum()), "证书过期": int(n - valid.sum()),
        "60天内到期": int(soon.sum()), "复审逾期": overdue, "持证有效率": _rate(valid.sum(), n).item(),
    }])


def training_kpis(result, status: pd.DataFrame | Codes, since: dt.date | None = None) -> pd.DataFrame:
    """培训：全员培训场次、人次、考试和合格人数，动火作业、事故警示教育场次，覆盖率；``since``：只计该日及以后的
    培训（年总结的报告期自专项行动开始日起，此前的培训不计入场次和人次）。"""
    ctx = result
    t = ctx.frame("training")
    keep = ctx.existing(t, "date", undated=False)
    if since is not None:
        keep &= (t["date"] >= pd.Timestamp(since)).fillna(False).astype(bool)
    rows = np.flatnonzero(keep.to_numpy(dtype=bool))
    # the kinds numbered once (a county's training ledger has some 160,000 rows), the counts taken from them
    kind, kinds = pd.factorize(t["kind"].to_numpy(dtype=object)[rows])
    of_kind = {k: np.flatnonzero(kind == i) for i, k in enumerate(kinds)
               if k in ("专项行动全员培训", "动火作业警示教育", "事故警示教育")}
    campaign = rows[of_kind.get("专项行动全员培训", np.zeros(0, dtype="int64"))]

    def total(column: str) -> int:
        return int(t[column].take(campaign).fillna(0).sum())

    tr1 = coverage(status, "TR001")
    tr3 = coverage(status, "TR003")
    row: dict[str, float] = {
        "全员培训（场）": len(campaign), "培训人次": total("attendees"), "考试人数": total("examined"),
        "合格人数": total("passed"),
        "动火作业警示教育（场）": len(of_kind.get("动火作业警示教育", ())),
        "事故警示教育（场）": len(of_kind.get("事故警示教育", ())),
    }
    for label, cov in (("全员培训考试覆盖率", tr1), ("动火警示教育覆盖率", tr3)):
        row[label] = float(cov["完成率"].iloc[0]) if len(cov) and cov["应完成"].iloc[0] else np.nan
    return pd.DataFrame([row])


ACTIONS = ("责令限期整改", "罚款", "一案双罚", "停产整顿", "提请关闭", "移送司法机关")


def enforcement_by_month(result, since: dt.date | None = None) -> pd.DataFrame:
    """执法：每月检查次数、发现重大隐患、罚款、一案双罚、停产整顿、提请关闭、移送司法机关；``since``：只计该日及以后的
    检查（年总结的报告期自专项行动开始日起，此前的检查不计入合计）。"""
    ctx = result
    e = ctx.frame("enforcement")
    keep = ctx.existing(e, "date", undated=False)
    if since is not None:
        keep &= (e["date"] >= pd.Timestamp(since)).fillna(False).astype(bool)
    e = e[keep]
    actions = e["actions"].map(lambda a: set(a) if isinstance(a, tuple) else set())
    fc, fh = e["fine_company"].fillna(0), e["fine_head"].fillna(0)
    d = pd.DataFrame({
        "月份": month_label(e["date"]),
        "检查次数": 1,
        "发现重大隐患": e["major_hazards"].fillna(0).astype(int),
        "罚款企业（次）": (fc > 0).astype(int),
        "企业罚款（元）": fc,
        "处罚负责人（次）": (fh > 0).astype(int),
        "负责人罚款（元）": fh,
        "一案双罚（次）": ((fc > 0) & (fh > 0)).astype(int),
        "挂牌督办（次）": e["listed"].eq(True).fillna(False).astype(int),
        **{f"{a}（次）": actions.map(lambda s, a=a: a in s).astype(int) for a in ("停产整顿", "提请关闭", "移送司法机关")},
    })
    if d.empty:
        return d
    out = d.groupby("月份").sum().reset_index()
    total = out.drop(columns="月份").sum().to_frame().T
    total.insert(0, "月份", "合计")
    return pd.concat([out, total], ignore_index=True)


def accident_kpis(result) -> pd.DataFrame:
    ctx = result
    a = ctx.frame("accidents")
    a = a[ctx.existing(a, "occurred_at", undated=False)]
    row: dict[str, float] = {"事故起数": len(a), "死亡人数": int(a["deaths"].fillna(0).sum()), "受伤人数": int(a["injuries"].fillna(0).sum())}
    for label, col, from_head in (("报县应急局", "county_at", True), ("报镇政府", "town_at", False)):
        # timed as AC001 and AC002 time it: to the county from when the unit's head was informed, where recorded
        start = hour_starts(a, from_head)
        reported = a[col].where(a[col] < ctx.as_of_end)
        delay = (reported - start).dt.total_seconds() / 60
        row[f"{label}平均用时（分钟）"] = round(float(delay.mean()), 1) if delay.notna().any() else np.nan
        row[f"{label}最长用时（分钟）"] = round(float(delay.max()), 1) if delay.notna().any() else np.nan
        missing = reported.isna() & (start + REPORT_LIMIT < ctx.as_of_end)  # unreported once its hour ran out
        early = (reported < a["occurred_at"]).fillna(False)  # before the accident: no proof of a report in time
        row[f"{label}超1小时或未报（起）"] = int(((delay > 60) | missing | early).fillna(False).sum())
    return pd.DataFrame([row])
