"""Rankings of villages and stations, and the plan's four lists (三 (二) 3 (6)).

The four lists — 通报一批、约谈一批、联合惩戒一批、停产整顿一批 — are drawn by a fixed,
documented rule from the findings (see :func:`four_lists`); each enterprise stands in the
most severe list it qualifies for only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .obligations import COMPLIANT, NOT_COMPLIANT
from .sources import field_at

#: rules about data quality, not about what the plan asks of an enterprise
DATA_RULES = ("SCH", "FMT", "REF")

LISTS = ("停产整顿一批", "联合惩戒一批", "约谈一批", "通报一批")
LIST_RULES = {
    "停产整顿一批": "重大事故隐患逾期未整改（HZ005）超过30天，或逾期隐患被罚款后仍未整改且无后续检查（EN006）",
    "联合惩戒一批": "一年内3次以上被罚款而隐患仍未消除（EN005），或事故迟报、漏报（AC001/AC002）",
    "约谈一批": "主要负责人3个月以上未带队检查（HI001），或全年未开展应急演练（DR001），或违反3条以上不同规则（错误级）",
    "通报一批": "有任何“错误”级别的方案规则问题（不含表格格式类 SCH/FMT/REF）",
}


def unit_ranking(status: pd.DataFrame, by: str = "village") -> pd.DataFrame:
    """Villages (or stations, industries) ranked by their enterprises' compliance with due obligations."""
    s = status[status["eid"].notna() & status["status"].isin([COMPLIANT, NOT_COMPLIANT])]
    if s.empty:
        return pd.DataFrame(columns=[by, "企业数", "应履行义务", "已履行", "未履行", "履行率", "排名"])
    g = s.groupby(by).agg(企业数=("eid", "nunique"), 应履行义务=("status", "size"),
                          已履行=("status", lambda x: int((x == COMPLIANT).sum())))
    g["未履行"] = g["应履行义务"] - g["已履行"]
    g["履行率"] = (g["已履行"] / g["应履行义务"]).round(4)
    g = g.sort_values(["履行率", "企业数"], ascending=[False, False], kind="mergesort").reset_index()
    g["排名"] = g["履行率"].rank(method="min", ascending=False).astype(int)
    return g


def four_lists(result) -> pd.DataFrame:
    """The enterprises for 通报、约谈、联合惩戒、停产整顿 (plan 三 (二) 3 (6)), by the rule in ``LIST_RULES``.

    Each enterprise appears once, in the most severe list it qualifies for; within a list,
    enterprises with more 错误 findings come first. Columns: 名单, 企业名称, 统一社会信用代码,
    所属村, 监管站所, 错误, 警告, 依据 (the rules that put it there).
    """
    f = result.findings
    f = f[(f["enterprise_name"] != "") & ~f["rule_id"].str.startswith(DATA_RULES)]
    if f.empty:
        return pd.DataFrame(columns=["名单", "企业名称", "统一社会信用代码", "所属村", "监管站所", "错误", "警告", "依据"])
    key = ["enterprise_uscc", "enterprise_name", "village", "station"]
    ent = f.groupby(key).agg(
        错误=("severity", lambda s: int((s == "错误").sum())),
        警告=("severity", lambda s: int((s == "警告").sum())),
        error_rules=("rule_id", lambda s: set(s[f.loc[s.index, "severity"] == "错误"])),
        rules=("rule_id", set),
    ).reset_index()
    hz = result.findings[result.findings["rule_id"] == "HZ005"]
    overdue_days = _overdue_days(result, hz)
    long_overdue = set(hz.loc[overdue_days > 30, "enterprise_uscc"])
    hi_months = result.findings[result.findings["rule_id"] == "HI001"].groupby("enterprise_uscc").size()
    conditions = {
        "停产整顿一批": lambda r: r.enterprise_uscc in long_overdue or "EN006" in r.rules,
        "联合惩戒一批": lambda r: bool({"EN005", "AC001", "AC002"} & r.rules),
        "约谈一批": lambda r: hi_months.get(r.enterprise_uscc, 0) >= 3 or "DR001" in r.rules or len(r.error_rules) >= 3,
        "通报一批": lambda r: r.错误 > 0,
    }
    chosen, why = [], []
    for r in ent.itertuples(index=False):  # one row per enterprise with findings, not per ledger row
        name = next((n for n in LISTS if conditions[n](r)), None)
        chosen.append(name)
        why.append("、".join(sorted(r.rules)))
    ent["名单"] = chosen
    ent["依据"] = why
    ent = ent[ent["名单"].notna()]
    ent["_order"] = ent["名单"].map({n: i for i, n in enumerate(LISTS)})
    ent = ent.sort_values(["_order", "错误", "警告", "enterprise_name"], ascending=[True, False, False, True], kind="mergesort")
    return ent.rename(columns={"enterprise_name": "企业名称", "enterprise_uscc": "统一社会信用代码", "village": "所属村",
                               "station": "监管站所"})[["名单", "企业名称", "统一社会信用代码", "所属村", "监管站所", "错误", "警告", "依据"]].reset_index(drop=True)


def _overdue_days(result, hz_findings: pd.DataFrame) -> pd.Series:
    """Days overdue at as-of of the hazards behind HZ005 findings (looked up by source row)."""
    if hz_findings.empty:
        return pd.Series(dtype=float)
    h = result.context.frame("hazards")
    d = field_at(hz_findings, h, "deadline")
    days = (result.context.as_of_ts - pd.to_datetime(d)).days
    return pd.Series(np.asarray(days, dtype=float), index=hz_findings.index)
