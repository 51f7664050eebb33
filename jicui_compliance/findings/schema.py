"""The findings table: exactly the columns of RULEBOOK §6, validated by its own schema."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..ledgers.base import Text
from ..text import TEXT

COLUMNS = [
    "rule_id", "severity", "clause", "ledger", "enterprise_uscc", "enterprise_name", "village", "station",
    "period", "source_file", "source_sheet", "source_row", "column", "value", "message",
]

#: each column's type in a Parquet file (findings.parquet, the parts of a check by village): written
#: so even when there are no findings, whose columns would otherwise be typed NULL
SQL_TYPES = {c: "BIGINT" if c == "source_row" else "VARCHAR" for c in COLUMNS}

#: Chinese column titles: the findings sheet's header in findings.xlsx (the findings.csv name is each
#: header cell's comment) and the docs.
TITLES = {
    "rule_id": "规则编号", "severity": "严重程度", "clause": "方案条款", "ledger": "台账",
    "enterprise_uscc": "统一社会信用代码", "enterprise_name": "企业名称", "village": "所属村", "station": "监管站所",
    "period": "期间", "source_file": "来源文件", "source_sheet": "工作表", "source_row": "行号",
    "column": "列", "value": "值", "message": "说明",
}


class FindingsModel(pa.DataFrameModel):
    rule_id: Series[Text] = pa.Field(str_matches=r"^[A-Z]{2,3}\d{3}$", title="规则编号")
    severity: Series[Text] = pa.Field(isin=["错误", "警告", "提示"], title="严重程度")
    clause: Series[Text] = pa.Field(title="方案条款")
    ledger: Series[Text] = pa.Field(title="台账")
    enterprise_uscc: Series[Text] = pa.Field(title="统一社会信用代码")
    enterprise_name: Series[Text] = pa.Field(title="企业名称")
    village: Series[Text] = pa.Field(title="所属村")
    station: Series[Text] = pa.Field(title="监管站所")
    period: Series[Text] = pa.Field(str_matches=r"^(|\d{4}|\d{4}-\d{2}|\d{4}-\d{2}-\d{2}|\d{4}-H[12]|P[1-9])$", title="期间")
    source_file: Series[Text] = pa.Field(title="来源文件")
    source_sheet: Series[Text] = pa.Field(title="工作表")
    source_row: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1, title="行号")
    column: Series[Text] = pa.Field(title="列")
    value: Series[Text] = pa.Field(title="值")
    message: Series[Text] = pa.Field(str_length={"min_value": 1}, title="说明")

    class Config:
        strict = True
        ordered = True
        name = "findings"
        title = "核查发现"


def enterprise_key(frame: pd.DataFrame) -> pd.Series:
    """Each finding's enterprise as one text, its credit code and its name (both the registry's), "" for a
    finding that names no enterprise: two registry enterprises may bear one name (only a duplicate credit
    code is an error), so enterprises are grouped and counted by this key, never by name alone. An enterprise
    the registry gives no credit code (SCH003) is told apart by its village as well (the registry's, which its
    findings carry), as the 隐患整改通知书 name it."""
    name = frame["enterprise_name"].astype(object).fillna("")
    uscc = frame["enterprise_uscc"].astype(object).fillna("")
    village = frame["village"].astype(object).fillna("")
    return (uscc + "\x1f" + name + ("\x1f" + village).where(uscc == "", "")).where(name != "", "")


def registry_keys(registry: pd.DataFrame) -> pd.Series:
    """Each registry enterprise's :func:`enterprise_key` (its findings carry the registry's credit code, name and
    village), indexed as ``registry``; "" for an enterprise without a name, whose findings name no enterprise."""
    return enterprise_key(pd.DataFrame({"enterprise_name": registry["name"].astype(object),
                                        "enterprise_uscc": registry["uscc"].astype(object),
                                        "village": registry["village"].astype(object)}, index=registry.index))


def empty() -> pd.DataFrame:
    """The findings table without a finding (a copy: the caller may add to it)."""
    return _EMPTY.copy()


_EMPTY = pd.DataFrame({c: pd.Series(dtype="Int64" if c == "source_row" else TEXT) for c in COLUMNS})


def finalize(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate and sort stably by village, enterprise, rule, source row (RULEBOOK §6)."""
    if frame.empty:
        return empty()
    frame = frame[COLUMNS]
    text_cols = [c for c in COLUMNS if c != "source_row"]
    frame = frame.astype({c: TEXT for c in text_cols}).fillna({c: "" for c in text_cols})
    frame["source_row"] = frame["source_row"].astype("Int64")
    frame = frame.sort_values(
        ["village", "enterprise_uscc", "enterprise_name", "rule_id", "source_file", "source_sheet", "source_row", "period"],
        kind="mergesort", na_position="first",
    ).reset_index(drop=True)
    return FindingsModel.validate(frame)
