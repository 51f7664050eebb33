"""动火作业审批记录 — hot-work permits (E(10), GB 30871-2022)."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column

LEVELS = ("特级", "一级", "二级")
#: 动火方式 (v2); the first four are welding and cutting, which need a 焊接与热切割作业 certificate (HW007)
METHODS = ("电焊", "气焊", "气割", "等离子切割", "砂轮", "喷灯", "电钻", "其他")


class HotWorkModel(EnterpriseRef):
    permit_no: Series[Text] = column("作业票编号", "动火证编号", "票号", required=True, note="同一企业内不得重复")
    level: Series[Text] = column("动火级别", "作业级别", kind="choice", required=True, options=LEVELS,
                                synonyms={"特级动火": "特级", "一级动火": "一级", "二级动火": "二级"})
    start: Series[pd.Timestamp] = column("开始时间", "动火开始时间", kind="datetime", required=True)
    end: Series[pd.Timestamp] = column("结束时间", "动火结束时间", kind="datetime", required=True)
    approver: Series[Text] = column("审批人", "批准人")
    approved_at: Series[pd.Timestamp] = column("审批时间", "批准时间", kind="datetime")
    worker: Series[Text] = column("动火人", "作业人员", required=True)
    worker_cert: Series[Text] = column("动火人证书编号", "特种作业操作证号", kind="code")
    guardian: Series[Text] = column("监护人")
    gas_test: Series[pd.BooleanDtype] = column("气体分析", "是否气体分析", kind="yesno", empty_is_no=True)
    fire_measures: Series[pd.BooleanDtype] = column("消防措施落实", "安全措施确认", kind="yesno", empty_is_no=True)
    method: Series[Text] = column("动火方式", "作业方式", kind="choice", options=METHODS,
                                 note="电焊、气焊、气割、等离子切割须持焊接与热切割作业操作证")
    equipment_no: Series[Text] = column("设备编号", "焊机编号", kind="code",
                                       note="本企业电气焊设备检查台账中的设备编号")

    class Config:
        name = "hot_work"
        title = "动火作业审批记录"


LEDGER = Ledger("hot_work", "动火作业审批记录", HotWorkModel, "电气焊等动火作业的审批、监护和措施落实记录。",
                unique_within_enterprise=("permit_no",),
                date_field="start")
