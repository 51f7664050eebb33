"""执法检查记录 — inspections by stations and the enforcement team (D3, D4)."""

import pandas as pd
from pandera.typing import Series

from ..text import fold, map_distinct
from ._ref import EnterpriseRef
from .base import Ledger, Text, column

ACTIONS = ("责令限期整改", "罚款", "一案双罚", "停产整顿", "提请关闭", "移送司法机关", "无")


class EnforcementModel(EnterpriseRef):
    date: Series[pd.Timestamp] = column("检查日期", "执法日期", kind="date", required=True)
    station: Series[Text] = column("执法站所", "检查单位", required=True)
    officers: Series[object] = column("执法人员", "检查人员", kind="people", required=True)
    major_hazards: Series[pd.Int64Dtype] = column("发现重大隐患数", "重大隐患数", kind="int", required=True, ge=0)
    hazard_nos: Series[object] = column("隐患编号", "涉及隐患编号", kind="list", note="该企业隐患台账中的隐患编号")
    actions: Series[object] = column("处理措施", "处理结果", kind="list", options=ACTIONS)
    fine_company: Series[float] = column("企业罚款(元)", "对企业罚款", kind="money", unit="元", ge=0)
    fine_head: Series[float] = column("负责人罚款(元)", "对主要负责人罚款", kind="money", unit="元", ge=0)
    listed: Series[pd.BooleanDtype] = column("挂牌督办", "是否挂牌督办", kind="yesno")
    supervisor: Series[Text] = column("督办责任人", "跟踪督办责任人")
    signed: Series[pd.BooleanDtype] = column("签名确认", "检查人签名", kind="signature", empty_is_no=True)

    class Config:
        name = "enforcement"
        title = "执法检查记录"


LEDGER = Ledger("enforcement", "执法检查记录", EnforcementModel, "各站所和综合行政执法队的执法检查、处罚与督办记录。",
                date_field="date")


# -- what an enforcement record means (shared by the rules and the lists) ------------------------
#: 处理措施 that are fines (EN003, EN004, EN006; the 停产整顿 list of 四个一批)
FINE_ACTIONS = ("罚款", "一案双罚")
#: 处理措施 that are administrative penalties (安全生产法 第113条: EN005, DC002)
PENALTY_ACTIONS = ("罚款", "一案双罚", "停产整顿")


def has_action(enf: pd.DataFrame, actions: tuple[str, ...]) -> pd.Series:
    """True where the 处理措施 list names any of ``actions``."""
    if enf.empty:
        return pd.Series(False, index=enf.index)
    items = enf["actions"].explode()
    return items.isin(actions).groupby(level=0).any().reindex(enf.index, fill_value=False)


def has_amount(s: pd.Series) -> pd.Series:
    """True where a fine column holds an amount above 0."""
    return s.fillna(0) > 0


def penalised(enf: pd.DataFrame, actions: tuple[str, ...] = PENALTY_ACTIONS) -> pd.Series:
    """A penalty: a fine amount > 0, or 处理措施 naming any of ``actions``."""
    return has_amount(enf["fine_company"]) | has_amount(enf["fine_head"]) | has_action(enf, actions)


def is_fined(enf: pd.DataFrame) -> pd.Series:
    """A fine: an amount > 0, or 处理措施 罚款 / 一案双罚."""
    return penalised(enf, FINE_ACTIONS)


def hazard_key(s: pd.Series) -> pd.Series:
    """A hazard number as matched between ledgers: full-width folded, no spaces, upper case
    (:func:`jicui_compliance.text.fold`, once per distinct number)."""
    return map_distinct(s, lambda v: fold(str(v)).upper()).astype("string")
