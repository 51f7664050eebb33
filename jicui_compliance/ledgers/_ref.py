"""The enterprise reference every enterprise ledger carries (RULEBOOK §4, §8)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from .base import Text, column


class EnterpriseRef(pa.DataFrameModel):
    """统一社会信用代码 or 企业名称 (at least one), resolved against the registry."""

    enterprise_uscc: Series[Text] = column(
        "统一社会信用代码", "社会信用代码", "信用代码", kind="code", format="GB 32100-2015",
        note="与“企业名称”至少填一项，用于在企业名录中查找企业",
    )
    enterprise_name: Series[Text] = column(
        "企业名称", "单位名称", note="与“统一社会信用代码”至少填一项",
    )

    class Config:
        # ignore_na=False: the check reads missing values itself; with pandera's default it
        # would also test every column of the ledger for missing values on each validation
        one_filled = {"columns": ["enterprise_uscc", "enterprise_name"], "ignore_na": False}
