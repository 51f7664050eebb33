"""企业专项行动落实情况表 — one row per enterprise (E(1)–E(13))."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column


class ChecklistModel(EnterpriseRef):
    plan_on: Series[pd.Timestamp] = column("方案制定日期", "专项方案印发日期", kind="date")
    kickoff_on: Series[pd.Timestamp] = column("动员部署会日期", "动员会日期", kind="date")
    duty_system: Series[pd.BooleanDtype] = column("全员岗位责任制", "全员安全生产责任制", kind="yesno")
    duty_lists: Series[pd.BooleanDtype] = column("负责人职责清单", "职责清单和工作清单", kind="yesno")
    experts: Series[Text] = column("聘请专业机构或专家", "技术服务", kind="choice", options=("是", "否", "不需要"))
    hot_work_review_on: Series[pd.Timestamp] = column("动火人员排查日期", "危险作业人员排查日期", kind="date")
    outsourcing_review_on: Series[pd.Timestamp] = column("外包外租排查日期", "外包外租排查时间", kind="date")

    class Config:
        name = "checklist"
        title = "企业专项行动落实情况表"


LEDGER = Ledger("checklist", "企业专项行动落实情况表", ChecklistModel, "每家企业一行：专项方案、动员会、责任制、清单、排查。")
