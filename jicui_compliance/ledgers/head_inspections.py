"""主要负责人带队检查记录 — the monthly inspections led by the enterprise head (E(4))."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column


class HeadInspectionsModel(EnterpriseRef):
    date: Series[pd.Timestamp] = column("检查日期", "检查时间", kind="date", required=True)
    leader: Series[Text] = column("带队负责人", "带队人", "带队领导", required=True)
    members: Series[Text] = column("参加人员", "检查人员")
    basis: Series[Text] = column("检查依据", "检查内容")
    hazards_found: Series[pd.Int64Dtype] = column("发现隐患数", "发现隐患(项)", "隐患数量", kind="int", required=True, ge=0)
    major_found: Series[pd.Int64Dtype] = column(
        "发现重大隐患数", "重大隐患数", kind="int", ge=0,
        note="其中的重大事故隐患数；每项须记入重大事故隐患台账（发现日期为检查日期、发现方式为“企业自查”），"
             "核查时按此数核对（方案 三（一）（4）：对发现和解决的重大问题及隐患要记录在案）",
    )
    signed: Series[pd.BooleanDtype] = column("签名确认", "检查人签名", "签字", kind="signature", empty_is_no=True)

    class Config:
        name = "head_inspections"
        title = "主要负责人带队检查记录"


LEDGER = Ledger("head_inspections", "主要负责人带队检查记录", HeadInspectionsModel, "主要负责人每月带队检查的记录。",
                date_field="date")
