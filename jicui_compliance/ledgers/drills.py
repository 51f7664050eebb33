"""应急演练记录 — emergency drills (E(15))."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column

KINDS = ("综合应急预案", "专项应急预案", "现场处置方案")


class DrillsModel(EnterpriseRef):
    date: Series[pd.Timestamp] = column("演练日期", "演练时间", kind="date", required=True)
    kind: Series[Text] = column("演练类型", "预案类型", kind="choice", options=KINDS)
    topic: Series[Text] = column("演练科目", "演练内容", "演练名称")
    participants: Series[pd.Int64Dtype] = column("参演人数", "参加人数", kind="int", required=True, ge=0)
    evacuation: Series[pd.BooleanDtype] = column("含疏散逃生", "疏散逃生演练", kind="yesno", empty_is_no=True)
    evaluated: Series[pd.BooleanDtype] = column("评估总结", "是否评估", kind="yesno", empty_is_no=True)

    class Config:
        name = "drills"
        title = "应急演练记录"


LEDGER = Ledger("drills", "应急演练记录", DrillsModel, "事故应急救援预案演练记录。",
                date_field="date")
