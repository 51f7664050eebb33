"""与上期对比: this report's figures beside those of the previous report of the same cadence, and for
the 周调度 what was fixed and what became overdue since last week.

The previous report is rebuilt from the store (:mod:`jicui_compliance.store`): the submissions as they
stood at the end of the previous period, checked as of that day. Both sides are
:class:`~jicui_compliance.analysis.Analysis` objects, so the figures are the ones the reports show.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..findings import enterprise_key
from ..text import percent
from .kpis import hazards_existing
from .obligations import COMPLIANT, NOT_COMPLIANT
from .rankings import REMINDER, SUPERVISION

COMPARISON_COLUMNS = ["指标", "上期", "本期", "变化"]
NO_PREVIOUS = "无上期数据"


def figures(a) -> dict[str, float | int | None]:
    """The figures compared: counts (int) and rates (float in 0..1, or None when nothing is due)."""
    f = a.findings
    h = hazards_existing(a.result)
    if a.village:
        h = h[h["eid"].map(a.result.context.registry["village"]) == a.village]
    n = len(h)
    ok, bad = int(a.coded.equals("status", COMPLIANT).sum()), int(a.coded.equals("status", NOT_COMPLIANT).sum())
    lt = a.letters()
    return {
        "核查发现（条）": len(f),
        "其中须纠正的问题（条）": int((f["severity"] == "错误").sum()),
        "有须纠正问题的企业（家）": int(enterprise_key(f).loc[(f["severity"] == "错误") & (f["enterprise_name"] != "")]
                                     .nunique()),
        # every hazard of the ledger, 重大 and 一般, as the reports' other hazard tables count them: only a
        # figure that says 重大事故隐患 counts level 重大 alone (docs/guide/analysis.md)
        "隐患（项）": n,
        "已整改（项）": int(h["done"].sum()),
        "未整改（项）": int((~h["done"]).sum()),
        "其中逾期（项）": int(h["overdue"].sum()),
        "隐患整改率": (float(h["done"].sum()) / n) if n else None,
        "已到期义务履行率": (ok / (ok + bad)) if ok + bad else None,
        "提醒函、督办函条件（个单位）": int(lt["函件"].isin([REMINDER, SUPERVISION]).sum()),
    }


def point_change(old: float, new: float) -> str:
    """The change of a rate in 百分点, as the difference of the two rates as shown (:func:`.percent`), so that
    the three figures of a row agree: 159/162 (98.1%) → 155/159 (97.5%) is -0.6, not the -0.7 of the unrounded
    rates. One decimal, or two where a rate is shown with two (99.99%).

    >>> point_change(159 / 162, 155 / 159), point_change(0.5, 0.5), point_change(0.98, 0.99995)
    ('-0.6个百分点', '+0.0个百分点', '+1.99个百分点')
    """
    shown = [Decimal(percent(v).rstrip("%")) for v in (old, new)]
    places = max(1, *(-int(d.as_tuple().exponent) for d in shown))
    return f"{shown[1] - shown[0] + 0:+.{places}f}个百分点"


def compare(current, previous) -> pd.DataFrame:
    """指标 / 上期 / 本期 / 变化 (counts as numbers, rates as percentages, their change in 百分点);
    ``previous`` None: the 上期 and 变化 columns say :data:`NO_PREVIOUS`."""
    now = figures(current)
    before = figures(previous) if previous is not None else None
    rows = []
    for name, value in now.items():
        rate = name.endswith("率")
        old = before[name] if before is not None else None

        def show(v, rate=rate):
            return "—" if v is None else (percent(v) if rate else int(v))

        if before is None:
            change = NO_PREVIOUS
        elif value is None or old is None:
            change = "—"
        elif rate:
            change = point_change(old, value)
        else:
            change = f"{int(value) - int(old):+d}"
        rows.append({"指标": name, "上期": NO_PREVIOUS if before is None else show(old), "本期": show(value),
                     "变化": change})
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _hazard_states(a) -> pd.DataFrame:
    h = hazards_existing(a.result)
    reg = a.result.context.registry
    out = pd.DataFrame({
        "eid": h["eid"], "uscc": h["eid"].map(reg["uscc"]), "企业名称": h["eid"].map(reg["name"]),
        "所属村": h["eid"].map(reg["village"]), "隐患编号": h["hazard_no"], "隐患描述": h["description"],
        "发现日期": h["found_on"].dt.date, "整改期限": h["deadline"].dt.date, "整改完成日期": h["done_on"].dt.date,
        "done": h["done"], "overdue": h["overdue"],
        "逾期天数": (a.result.context.as_of_ts - h["deadline"]).dt.days.where(h["overdue"]),
    })
    if a.village:
        out = out[out["所属村"] == a.village]
    key = out["uscc"].astype("string").fillna(out["企业名称"].astype("string")) + "|" + out["隐患编号"].astype(
        "string").fillna(out["隐患描述"].astype("string"))
    return out.assign(_key=key).drop_duplicates("_key")


def week_changes(current, previous) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fixed, newly overdue) since the previous report: hazards open then and done now; hazards not overdue
    then (or not yet recorded) and overdue now. Hazards are matched by enterprise and 隐患编号."""
    now = _hazard_states(current)
    cols_fixed = ["企业名称", "所属村", "隐患编号", "隐患描述", "发现日期", "整改期限", "整改完成日期"]
    cols_over = ["企业名称", "所属村", "隐患编号", "隐患描述", "发现日期", "整改期限", "逾期天数"]
    if previous is None:
        return pd.DataFrame(columns=cols_fixed), pd.DataFrame(columns=cols_over)
    before = _hazard_states(previous).set_index("_key")
    was_open = now["_key"].map(~before["done"]).fillna(False).astype(bool)
    was_overdue = now["_key"].map(before["overdue"]).fillna(False).astype(bool)
    fixed = now[now["done"] & was_open]
    newly = now[now["overdue"] & ~was_overdue]
    return (fixed[cols_fixed].sort_values(["所属村", "企业名称"], kind="mergesort").reset_index(drop=True),
            newly[cols_over].sort_values(["逾期天数", "企业名称"], ascending=[False, True], kind="mergesort")
            .reset_index(drop=True))
