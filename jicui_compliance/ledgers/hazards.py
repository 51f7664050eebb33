"""重大事故隐患台账 — one row per hazard, with its 五落实 and closed loop."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column

SOURCES = ("企业自查", "部门检查", "执法检查", "举报", "其他")
STATUSES = ("整改中", "已整改", "已销号")
#: the 整改状态 that record a hazard as rectified
DONE_STATUSES = STATUSES[1:]
LEVELS = ("重大", "一般")


class HazardsModel(EnterpriseRef):
    hazard_no: Series[Text] = column("隐患编号", "编号", note="同一企业内不得重复")
    description: Series[Text] = column("隐患描述", "隐患内容", "隐患名称", "存在问题", required=True)
    category: Series[Text] = column("隐患类别", "隐患类型")
    found_on: Series[pd.Timestamp] = column("发现日期", "排查日期", "发现时间", kind="date", required=True)
    source: Series[Text] = column("发现方式", "隐患来源", "排查方式", kind="choice", required=True, options=SOURCES)
    immediate: Series[pd.BooleanDtype] = column("是否立即整改", "立即整改", kind="yesno", required=True)
    owner: Series[Text] = column("整改责任人", "责任人")
    measures: Series[Text] = column("整改措施", "治理措施")
    funds: Series[float] = column("整改资金(万元)", "治理资金", "资金(万元)", kind="money", unit="万元", ge=0,
                                  note="写成“元”的金额按万元换算；0 是有效值")
    deadline: Series[pd.Timestamp] = column("整改期限", "整改时限", "计划完成时间", kind="date")
    contingency: Series[Text] = column("应急预案", "应急措施", "防范措施", kind="text_or_yesno", note="“否”“无”视为未落实")
    posted: Series[pd.BooleanDtype] = column("是否公示", "公开公示", kind="yesno", empty_is_no=True)
    reported_on: Series[pd.Timestamp] = column("报告日期", "上报日期", kind="date")
    done_on: Series[pd.Timestamp] = column("整改完成日期", "完成时间", "实际完成时间", kind="date")
    verifier: Series[Text] = column("验收人", "验收责任人")
    verified_on: Series[pd.Timestamp] = column("验收日期", "销号日期", kind="date")
    status: Series[Text] = column("整改状态", "治理状态", "状态", kind="choice", options=STATUSES)
    level: Series[Text] = column("隐患等级", "隐患级别", kind="choice", options=LEVELS,
                                synonyms={"重大隐患": "重大", "重大事故隐患": "重大", "一般隐患": "一般", "一般事故隐患": "一般"},
                                note="空白或表中没有此列按“重大”计（本台账是重大事故隐患台账）")
    basis: Series[Text] = column("判定依据", "判定标准条款", note="重大事故隐患判定标准或重点检查事项的条款")

    class Config:
        name = "hazards"
        title = "重大事故隐患台账"


LEDGER = Ledger("hazards", "重大事故隐患台账", HazardsModel, "每条重大事故隐患一行：五落实（责任人、措施、资金、期限、预案）与闭环销号。",
                unique_within_enterprise=("hazard_no",),
                date_field="found_on")
