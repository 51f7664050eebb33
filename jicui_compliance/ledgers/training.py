"""培训与警示教育记录 — training and warning education (E(1), E(3), E(9))."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column

KINDS = ("专项行动全员培训", "动火作业警示教育", "事故警示教育", "安全例会")


class TrainingModel(EnterpriseRef):
    date: Series[pd.Timestamp] = column("日期", "培训日期", "活动日期", kind="date", required=True)
    kind: Series[Text] = column("类型", "培训类型", "活动类型", kind="choice", required=True, options=KINDS)
    topic: Series[Text] = column("主题", "内容")
    attendees: Series[pd.Int64Dtype] = column("参加人数", "参训人数", kind="int", required=True, ge=0)
    examined: Series[pd.Int64Dtype] = column("考试人数", "参考人数", kind="int", ge=0)
    passed: Series[pd.Int64Dtype] = column("合格人数", "考试合格人数", kind="int", ge=0)

    class Config:
        name = "training"
        title = "培训与警示教育记录"


LEDGER = Ledger("training", "培训与警示教育记录", TrainingModel, "全员培训考试、动火作业和事故警示教育、安全例会。",
                date_field="date")
