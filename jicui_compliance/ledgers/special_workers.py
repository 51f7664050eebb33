"""特种作业人员持证台账 — special-operation certificates (E(12))."""

import pandas as pd
from pandera.typing import Series

from ._ref import EnterpriseRef
from .base import Ledger, Text, column

CATEGORIES = (
    "电工作业", "焊接与热切割作业", "高处作业", "制冷与空调作业", "煤矿安全作业", "金属非金属矿山安全作业",
    "石油天然气安全作业", "冶金(有色)生产安全作业", "危险化学品安全作业", "烟花爆竹安全作业", "其他",
)


class SpecialWorkersModel(EnterpriseRef):
    person: Series[Text] = column("姓名", required=True)
    id_no: Series[Text] = column("身份证号", "身份证号码", kind="code", personal=True, format="GB 11643-1999")
    category: Series[Text] = column("作业类别", "工种", kind="choice", required=True, options=CATEGORIES)
    cert_no: Series[Text] = column("证书编号", "操作证号", kind="code", required=True)
    issued_on: Series[pd.Timestamp] = column("初领日期", "发证日期", kind="date")
    valid_until: Series[pd.Timestamp] = column("有效期至", "证书有效期", kind="date", required=True, long_term=True)
    reviewed_on: Series[pd.Timestamp] = column("最近复审日期", "复审日期", kind="date")
    on_post: Series[pd.BooleanDtype] = column("是否在岗", "在岗", kind="yesno", note="空白按“在岗”计")

    class Config:
        name = "special_workers"
        title = "特种作业人员持证台账"


LEDGER = Ledger("special_workers", "特种作业人员持证台账", SpecialWorkersModel, "特种作业人员及其操作证、复审情况。")
