"""生产安全事故报告记录 — accidents and when they were reported (E(2))."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column


class AccidentsModel(EnterpriseRef):
    occurred_at: Series[pd.Timestamp] = column("事故发生时间", "发生时间", kind="datetime", required=True)
    kind: Series[Text] = column("事故类型")
    deaths: Series[pd.Int64Dtype] = column("死亡人数", kind="int", ge=0)
    injuries: Series[pd.Int64Dtype] = column("受伤人数", kind="int", ge=0)
    county_at: Series[pd.Timestamp] = column("报告县应急管理局时间", "报县应急局时间", kind="datetime")
    town_at: Series[pd.Timestamp] = column("报告镇政府时间", "报镇政府时间", kind="datetime")
    head_informed_at: Series[pd.Timestamp] = column("单位负责人接报时间", "负责人接报时间", kind="datetime",
                                                    note="填写时，报告县应急管理局的1小时从此时起算")

    class Config:
        name = "accidents"
        title = "生产安全事故报告记录"


LEDGER = Ledger("accidents", "生产安全事故报告记录", AccidentsModel, "生产安全事故、单位负责人接报时间及其向县应急管理局、镇政府报告的时间。",
                date_field="occurred_at")
