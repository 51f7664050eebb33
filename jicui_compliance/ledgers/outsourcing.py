"""外包外租台账 — outsourced and leased projects and premises (E(13), E(14))."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column

MODES = ("外包", "外租", "委托", "合作")


class OutsourcingModel(EnterpriseRef):
    project: Series[Text] = column("项目或场所名称", "外包项目", "出租场所", required=True)
    mode: Series[Text] = column("方式", "外包外租方式", kind="choice", required=True, options=MODES)
    party: Series[Text] = column("承包承租方", "承包单位", "承租单位", required=True)
    party_uscc: Series[Text] = column("承包承租方信用代码", "承包方统一社会信用代码", kind="code", format="GB 32100-2015")
    licence: Series[Text] = column("资质证书编号", "资质证书")
    licence_until: Series[pd.Timestamp] = column("资质有效期至", "资质有效期", kind="date", long_term=True)
    agreement_on: Series[pd.Timestamp] = column("安全生产协议签订日期", "协议签订日期", "安全协议签订时间", kind="date")
    duties_defined: Series[pd.BooleanDtype] = column("明确安全管理职责", "职责是否明确", kind="yesno", empty_is_no=True)
    start: Series[pd.Timestamp] = column("开始日期", "起租日期", "开工日期", kind="date", required=True)
    end: Series[pd.Timestamp] = column("结束日期", "到期日期", "完工日期", kind="date")
    last_check: Series[pd.Timestamp] = column("最近安全检查日期", "最近检查日期", kind="date")

    class Config:
        name = "outsourcing"
        title = "外包外租台账"


LEDGER = Ledger("outsourcing", "外包外租台账", OutsourcingModel, "生产经营项目、场所外包外租（含委托、合作）情况。",
                date_field="start")
