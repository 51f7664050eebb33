"""企业名录 — the registry: one row per enterprise."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .base import Ledger, Text, column


class EnterprisesModel(pa.DataFrameModel):
    uscc: Series[Text] = column("统一社会信用代码", "社会信用代码", "信用代码", kind="code", required=True, format="GB 32100-2015")
    name: Series[Text] = column("企业名称", "单位名称", required=True)
    village: Series[Text] = column("所属村", "所在村", "村(社区)", required=True)
    industry: Series[Text] = column(
        "行业领域", "所属行业", "行业类别", kind="choice", required=True,
        note="须为方案所列行业领域之一（方案 一（二）4）",
    )
    station: Series[Text] = column("监管站所", "主管站所", "行业监管部门", note="空白时按行业的牵头站所")
    high_risk: Series[pd.BooleanDtype] = column("是否高危", "高危行业", kind="yesno", note="空白时按行业默认")
    head: Series[Text] = column("主要负责人", "法定代表人/主要负责人", "负责人", required=True)
    phone: Series[Text] = column("联系电话", "负责人电话", "手机", kind="code", personal=True)
    employees: Series[pd.Int64Dtype] = column("从业人数", "职工人数", "员工人数", kind="int", required=True, ge=0)
    safety_staff: Series[Text] = column("安全管理人员", "专(兼)职安全管理人员")
    full_time_safety: Series[pd.Int64Dtype] = column(
        "专职安全管理人员数", "专职安全员人数", kind="int", ge=0,
        note="专职（不含兼职）安全生产管理人员的人数；空白时不据此判断",
    )
    weak: Series[pd.BooleanDtype] = column(
        "技术力量薄弱", "是否技术力量薄弱", kind="yesno", note="由村或站所认定；空白按不薄弱",
    )

    class Config:
        name = "enterprises"
        title = "企业名录"


LEDGER = Ledger("enterprises", "企业名录", EnterprisesModel, "每家企业一行：信用代码、名称、所属村、行业、监管站所、主要负责人等。")
