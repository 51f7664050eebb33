"""电气焊设备检查台账 — checks of welding and cutting equipment (E(11), v2)."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column

RESULTS = ("合格", "不合格", "淘汰")


class WeldingEquipmentModel(EnterpriseRef):
    equipment_no: Series[Text] = column("设备编号", "焊机编号", kind="code", required=True,
                                       note="与动火作业审批记录的“设备编号”对应")
    kind: Series[Text] = column("设备名称", "设备类型", note="如交流电焊机、气瓶、割炬")
    checked_on: Series[pd.Timestamp] = column("检查日期", "检查时间", kind="date", required=True)
    result: Series[Text] = column("检查结果", "检查结论", kind="choice", required=True, options=RESULTS)
    action: Series[Text] = column("处理情况", "整改情况")
    inspector: Series[Text] = column("检查人")

    class Config:
        name = "welding_equipment"
        title = "电气焊设备检查台账"


LEDGER = Ledger("welding_equipment", "电气焊设备检查台账", WeldingEquipmentModel,
                "电焊机、气瓶、割炬等电气焊设备的安全检查记录，每次检查一台设备一行。", date_field="checked_on")
