"""REF: rows that name an enterprise the registry does not know (or several), or name two."""

from __future__ import annotations

import pandas as pd

from .base import ERROR, WARNING, Party, hits, no_hits, rule
from .context import BY_NAME_USCC_UNKNOWN, UNRESOLVED, USCC_NAME_MISMATCH, Context


@rule("REF001", ERROR, "—", party=Party.RECORD, reads=("*",), title="企业不在企业名录中或名称有重名",
      message="该行所填企业（{ref}）{problem}，记录无法归属企业、未纳入各项核查；{fix}")
def unknown_enterprise(ctx: Context) -> pd.DataFrame:
    """规则说明：台账行所填的统一社会信用代码和企业名称在企业名录中都找不到，或者信用代码未填（或不在名录中）、
    而所填名称在企业名录中有几家企业同名（如两个村各有一家“同名工贸有限公司”）：无法确定是哪一家，不按其中任何一家归属，
    消息列出同名的各家企业（所属村、信用代码），请填写信用代码。名称比对时去掉空格、换行并统一全角半角
    （“（”与“(”视为相同），其余须完全一致。这样的记录无法归属企业，不参与按企业统计的各项规则。

    依据：台账填报规范（企业以统一社会信用代码或企业名称引用，按企业名录解析）。

    违规示例：检查记录填“积翠镇某某商贸公司”，企业名录中没有这家企业；或企业名录中东坡村、西河村各有一家
    “同名工贸有限公司”，检查记录只填了名称“同名工贸有限公司”、没有填信用代码。

    合规示例：检查记录的信用代码或名称与企业名录中的一行一致；同名企业的记录填了其中一家的信用代码。
    """
    parts = []
    for name, df in ctx.enterprise_frames():
        sel = df["ref_status"] == UNRESOLVED
        if sel.any():
            d = df[sel]
            named = ctx.resolution.namesakes(d["enterprise_name"])
            shared = (named.map(len) > 1).to_numpy()
            problem = [
                ("的信用代码不在企业名录中，" if isinstance(u, str) else "在")
                + f"企业名录中有{len(n)}家企业名为“{n[0][0]}”（{_listed(n)}），无法确定是哪一家" if sh else "不在企业名录中"
                for u, n, sh in zip(d["enterprise_uscc"], named, shared)
            ]
            fix = [("请更正" if isinstance(u, str) else "请填写") + "该企业的统一社会信用代码" if sh
                   else "请补报企业名录或更正信用代码/名称" for u, sh in zip(d["enterprise_uscc"], shared)]
            parts.append(hits(ledger=name, row=d.index, field="enterprise",
                              value=_ref_value(d), ref=_ref_value(d), problem=problem, fix=fix))
    return pd.concat(parts, ignore_index=True) if parts else no_hits()


def _ref_value(d: pd.DataFrame) -> list[str]:
    return [" / ".join(str(x) for x in (u, n) if isinstance(x, str)) for u, n in zip(d["enterprise_uscc"], d["enterprise_name"])]


def _listed(enterprises: tuple) -> str:
    """Registry enterprises (name, village, USCC) as the message lists them: village and credit code."""
    return "；".join(f"{v or '所属村未填'}，" + (f"统一社会信用代码 {u}" if u else "信用代码未填") for _, v, u in enterprises)


@rule("REF002", WARNING, "—", party=Party.RECORD, reads=("*",), title="信用代码与企业名称不一致",
      message="该行的统一社会信用代码与企业名称不一致：{detail}；记录已按{basis}归属“{name}”，请核对")
def mismatched_reference(ctx: Context) -> pd.DataFrame:
    """规则说明：台账行同时填了统一社会信用代码和企业名称，但两者在企业名录中不对应：信用代码指向的企业名称与所填名称不同
    （所填名称是名录中另一家企业的名称，或名录中没有这个名称，如简称），或信用代码不在名录中而名称在。
    信用代码能在名录中找到时，记录归属信用代码对应的企业；信用代码找不到、名称只对应名录中的一家企业时，按名称归属
    （不让一处笔误使整行记录丢失）；名称有几家企业同名时无法确定是哪一家，报告为 REF001。
    名录中有几家企业同名、信用代码对应其中一家时，名称与信用代码一致，不报告。消息写明所填名称是另一家企业的名称
    （列出所属村和信用代码），还是名录中没有这个名称（给出名录登记的名称）。

    依据：台账填报规范（信用代码与名称不一致的行归属信用代码对应的企业）。

    违规示例：信用代码是甲公司的，名称却填了乙公司；或信用代码是“甲工贸有限公司”的，名称填了简称“甲工贸”。

    合规示例：信用代码与名称都对应企业名录中的同一家企业（名录中另有一家同名企业也是如此）。
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
        named = ctx.resolution.namesakes(d["enterprise_name"])
        detail = [
            f"信用代码“{u}”不在企业名录中，名称“{n}”在名录中" if bn
            else f"信用代码“{u}”在企业名录中对应“{rn}”，所填名称“{n}”" + (
                f"是企业名录中{'另一家企业' if len(others) == 1 else f'另外{len(others)}家企业'}（{_listed(others)}）的名称"
                if others else f"与企业名录登记的名称“{rn}”不同，企业名录中没有名为“{n}”的企业")
            for u, n, rn, bn, others in zip(d["enterprise_uscc"], d["enterprise_name"], reg_name, by_name, named)
        ]
        parts.append(hits(ledger=name, row=d.index, field="enterprise", value=_ref_value(d), detail=detail,
                          basis=["名称" if bn else "信用代码" for bn in by_name], name=reg_name.to_numpy()))
    return pd.concat(parts, ignore_index=True) if parts else no_hits()
