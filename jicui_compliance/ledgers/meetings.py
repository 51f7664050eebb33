"""会议与督导记录 — meetings and on-site supervision of the town, villages and stations."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .base import Ledger, Text, column

KINDS = ("动员部署会", "专题会议", "现场督导", "企业宣讲", "执法培训", "进展汇报")


class MeetingsModel(pa.DataFrameModel):
    unit: Series[Text] = column("单位", "村/站所", required=True, note="村或站所名称")
    date: Series[pd.Timestamp] = column("日期", "会议日期", "督导日期", kind="date", required=True)
    kind: Series[Text] = column("类型", "会议类型", kind="choice", required=True, options=KINDS)
    enterprises: Series[object] = column("宣讲企业", "覆盖企业", kind="list",
                                         note="企业宣讲覆盖的企业名称或统一社会信用代码")
    chair: Series[Text] = column("主持或带队", "主持人", "带队领导", required=True)
    note: Series[Text] = column("内容", "主要内容")

    class Config:
        name = "meetings"
        title = "会议与督导记录"


LEDGER = Ledger("meetings", "会议与督导记录", MeetingsModel, "镇、村、站所的动员部署会、专题会议、现场督导、企业宣讲、执法培训和进展汇报。",
                date_field="date")
