"""REF: rows that name an enterprise the registry does not know, or name two."""

from __future__ import annotations

import pandas as pd

from .base import ERROR, WARNING, Party, hits, no_hits, rule
from .context import BY_NAME_USCC_UNKNOWN, UNRESOLVED, USCC_NAME_MISMATCH, Context


@rule("REF001", ERROR, "—", party=Party.RECORD, reads=("*",), title="企业不在企业名录中",
      message="该行所填企业（{ref}）不在企业名录中，记录无法归属企业、未纳入各项核查；请补报企业名录或更正信用代码/名称")
def unknown_enterprise(ctx: Context) -> pd.DataFrame:
    """规则说明：台账行所填的统一社会信用代码和企业名称在企业名录中都找不到。名称比对时去掉空格、换行并统一全角半角
    （“（”与“(”视为相同），其余须完全一致。这样的记录无法归属企业，不参与按企业统计的各项规则。

    依据：台账填报规范（企业以统一社会信用代码或企业名称引用，按企业名录解析）。

    违规示例：检查记录填“积翠镇某某商贸公司”，企业名录中没有这家企业。

    合规示例：检查记录的信用代码或名称与企业名录中的一行一致。
    """
    parts = []
    for name, df in ctx.enterprise_frames():
        sel = df["ref_status"] == UNRESOLVED
        if sel.any():
            d = df[sel]
            parts.append(hits(ledger=name, row=d.index, field="enterprise",
                              value=_ref_value(d), ref=_ref_value(d)))
    return pd.concat(parts, ignore_index=True) if parts else no_hits()


def _ref_value(d: pd.DataFrame) -> list[str]:
    return [" / ".join(str(x) for x in (u, n) if isinstance(x, str)) for u, n in zip(d["enterprise_uscc"], d["enterprise_name"])]


@rule("REF002", WARNING, "—", party=Party.RECORD, reads=("*",), title="信用代码与企业名称不一致",
      message="该行的统一社会信用代码与企业名称不一致：{detail}；记录已按{basis}归属“{name}”，请核对")
def mismatched_reference(ctx: Context) -> pd.DataFrame:
    """规则说明：台账行同时填了统一社会信用代码和企业名称，但两者在企业名录中不对应：信用代码指向的企业名称与所填名称不同
    （含所填名称不在名录中），或信用代码不在名录中而名称在。信用代码能在名录中找到时，记录归属信用代码对应的企业；
    信用代码找不到、名称找得到时，按名称归属（不让一处笔误使整行记录丢失）。

    依据：台账填报规范（信用代码与名称不一致的行归属信用代码对应的企业）。

    违规示例：信用代码是甲公司的，名称却填了乙公司。

    合规示例：信用代码与名称都对应企业名录中的同一家企业。
    """
    parts = []
    reg = ctx.registry
    for name, df in ctx.enterprise_frames():
        sel = df["ref_status"].isin([USCC_NAME_MISMATCH, BY_NAME_USCC_UNKNOWN])
        if not sel.any():
            continue
        d = df[sel]
        reg_name = d["eid"].map(reg["name"])
        by_name = d["ref_status"] == BY_NAME_USCC_UNKNOWN
        detail = [
            f"信用代码“{u}”不在企业名录中，名称“{n}”在名录中" if bn
            else f"信用代码“{u}”在企业名录中对应“{rn}”，所填名称为“{n}”"
            for u, n, rn, bn in zip(d["enterprise_uscc"], d["enterprise_name"], reg_name, by_name)
        ]
        parts.append(hits(ledger=name, row=d.index, field="enterprise", value=_ref_value(d), detail=detail,
                          basis=["名称" if bn else "信用代码" for bn in by_name], name=reg_name.to_numpy()))
    return pd.concat(parts, ignore_index=True) if parts else no_hits()
