"""What every ledger shares: how a column is declared, parsed and validated.

A ledger is a pandera ``DataFrameModel`` whose fields carry, besides their dtype
and checks, the Chinese header (``title``), the accepted aliases and the cell kind
(``metadata``) and a Chinese description (exported to ``schemas/*.yaml``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera import extensions
from pandera.dtypes import immutable
from pandera.engines import pandas_engine

from ..reading import cells
from ..text import TEXT


@immutable(init=True)
class Text(pandas_engine.STRING):
    """A model's text column (``Series[Text]``): pandas' ``str`` held in Python objects
    (:data:`~jicui_compliance.text.TEXT`), not ``Series[str]``, whose storage pandas picks when the schema is
    first built (pyarrow, when installed).

    pandera's own string type answers a column of the right type with one ``True`` per row, and pandera then
    builds an (empty) table of failure cases for every text column it validates: about 2 ms a column, a tenth
    of checking a small submission. Here the right type is answered ``True`` once; any other answer (a wrong
    type, an object column's non-text cells) is pandera's own, unchanged."""

    storage: Literal["python", "pyarrow"] | None = "python"

    def check(self, pandera_dtype: Any, data_container: Any = None) -> Any:
        result = super().check(pandera_dtype, data_container)
        if isinstance(result, np.ndarray) and result.all():
            return True
        return result

SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row")
SHEET_ID = "_sheet"  # index into Ledgers.tables: which sheet a row came from

# kind → (pandas dtype of the parsed column, Chinese type name)
_KINDS: dict[str, tuple[Any, str]] = {
    "text": (TEXT, "文本"),
    "code": (TEXT, "编码"),
    "choice": (TEXT, "选项"),
    "date": ("datetime64[ns]", "日期"),
    "datetime": ("datetime64[ns]", "日期时间"),
    "yesno": ("boolean", "是/否（也可写 Y/N、√/×、有/无、1/0、已…/未…）"),
    "signature": ("boolean", "签名（是/否或签名人姓名）"),
    "int": ("Int64", "整数"),
    "money": ("float64", "金额"),
    "list": ("object", "多个值（以、，；或空格分隔）"),
    "people": ("object", "几个人名（以、，；/分隔，或以空格分隔且每个名字至少两个字：“张 三”是一人；括号中的职务不看）"),
    "text_or_yesno": (TEXT, "文本或是/否"),
}
KIND_LABELS = {k: v[1] for k, v in _KINDS.items()}


@extensions.register_check_method(statistics=["columns"], supported_types=pd.DataFrame)
def one_filled(df: pd.DataFrame, *, columns: list[str]) -> pd.Series:
    """Each row fills at least one of ``columns`` (the enterprise: by USCC or by name)."""
    present = [c for c in columns if c in df.columns]
    if not present:
        return pd.Series(True, index=df.index)
    return df[present].notna().any(axis=1)


def column(
    header: str,
    *aliases: str,
    kind: str = "text",
    required: bool = False,
    options: list[str] | tuple[str, ...] | None = None,
    synonyms: dict[str, str] | None = None,
    unit: str | None = None,
    ge: float | None = None,
    empty_is_no: bool = False,
    personal: bool = False,
    format: str | None = None,
    note: str = "",
    long_term: bool = False,
) -> Any:
    """Declare a ledger column: its Chinese header, aliases, kind and checks."""
    label = KIND_LABELS[kind] + (f"（{unit}）" if unit else "") + (f"，{format}" if format else "")
    parts = [f"类型：{label}", "必填" if required else "选填"]
    if aliases:
        parts.insert(0, "别名：" + "、".join(aliases))
    if options:
        parts.append("可选值：" + " / ".join(options))
    if synonyms:
        parts.append("同义写法：" + "，".join(f"{k}→{v}" for k, v in synonyms.items()))
    if empty_is_no:
        parts.append("空白按“否”计（不能证明已落实）；表中没有此列时不据此判断")
    if personal:
        parts.append("个人信息，输出时脱敏")
    if long_term:
        parts.append("填“长期”“长期有效”或 9999-12-31 表示长期有效（不会过期）")
    if note:
        parts.append(note)
    checks: dict[str, Any] = {}
    if options and kind == "choice":
        checks["isin"] = list(options)
    if ge is not None:
        checks["ge"] = ge
    return pa.Field(
        nullable=not required,
        title=header,
        description="；".join(parts) + "。",
        metadata={
            "header": header,
            "aliases": list(aliases),
            "kind": kind,
            "required": required,
            "options": list(options) if options else None,
            "synonyms": dict(synonyms or {}),
            "unit": unit,
            "empty_is_no": empty_is_no,
            "personal": personal,
            "format": format,
            "long_term": long_term,
        },
        **checks,
    )


@dataclass(frozen=True)
class Field:
    """A ledger column as the rest of the toolkit sees it."""

    name: str
    header: str
    aliases: tuple[str, ...]
    kind: str
    required: bool
    options: tuple[str, ...] | None
    synonyms: dict[str, str]
    unit: str | None
    empty_is_no: bool
    personal: bool
    format: str | None
    description: str
    #: a validity date (有效期至): “长期”, “长期有效” and 9999-12-31 read as :data:`cells.LONG_TERM`
    long_term: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def dtype(self) -> Any:
        return _KINDS[self.kind][0]

    def parser(self) -> Callable[[object], object]:
        k = self.kind
        if k == "text":
            return cells.parse_text
        if k == "code":
            return cells.parse_code
        if k == "choice":
            return cells.choice_parser(self.synonyms, yesno=self.options is not None and "是" in self.options,
                                       options=self.options or ())
        if k == "date":
            return cells.parse_validity if self.long_term else cells.parse_date
        if k == "datetime":
            return cells.parse_datetime
        if k == "yesno":
            return cells.parse_yesno
        if k == "signature":
            return cells.parse_signature
        if k == "int":
            return cells.parse_int
        if k == "money":
            return cells.money_parser(self.unit or "元")
        if k == "list":
            return cells.list_parser(frozenset(self.options) if self.options else None)
        if k == "people":
            return cells.parse_people
        if k == "text_or_yesno":
            return cells.parse_text_or_yesno
        raise ValueError(k)


ENTERPRISE_REF = ("enterprise_uscc", "enterprise_name")


@dataclass(frozen=True)
class Ledger:
    """A ledger: its name, Chinese title, model and row key."""

    name: str
    title: str
    model: type[pa.DataFrameModel]
    description: str = ""
    #: fields (besides the enterprise) that must be unique within an enterprise (SCH004)
    unique_within_enterprise: tuple[str, ...] = ()
    #: the field that dates a record (when it happened), for phases and reporting windows
    date_field: str | None = None
    fields: dict[str, Field] = field(default_factory=dict, compare=False)

    def __post_init__(self):
        schema = self.model.to_schema()
        for name, col in schema.columns.items():
            md = (col.metadata or {})
            self.fields[name] = Field(
                name=name,
                header=md["header"],
                aliases=tuple(md["aliases"]),
                kind=md["kind"],
                required=md["required"],
                options=tuple(md["options"]) if md["options"] else None,
                synonyms=md["synonyms"],
                unit=md["unit"],
                empty_is_no=md["empty_is_no"],
                personal=md["personal"],
                format=md["format"],
                description=col.description or "",
                long_term=bool(md.get("long_term")),
            )

    @property
    def refers_to_enterprise(self) -> bool:
        return "enterprise_uscc" in self.fields

    @property
    def required_fields(self) -> list[str]:
        return [f for f, spec in self.fields.items() if spec.required]

    def empty_frame(self) -> pd.DataFrame:
        return self._empty.copy()  # built once: a frame of ~30 typed empty columns costs ~1 ms

    @cached_property
    def _empty(self) -> pd.DataFrame:
        data = {f: pd.Series(dtype=spec.dtype) for f, spec in self.fields.items()}
        data.update({"source_file": pd.Series(dtype=TEXT), "source_sheet": pd.Series(dtype=TEXT),
                     "source_row": pd.Series(dtype="Int64"), SHEET_ID: pd.Series(dtype="int64")})
        return pd.DataFrame(data)

    @cached_property
    def checked_schema(self) -> pa.DataFrameSchema:
        """The model's schema as :func:`jicui_compliance.ledgers.load` validates a typed frame: the
        columns that carry a check (required, options, a lower bound) and the frame-wide checks
        (one of USCC and name). The other columns have no check but their dtype, which the typed
        frame holds by construction (one ``take`` of values converted to the field's dtype); the
        whole model stays the schema that is exported and documented."""
        schema = self.model.to_schema()
        return schema.select_columns([n for n, c in schema.columns.items() if not c.nullable or c.checks])

    def header_of(self, fld: str) -> str:
        if fld in self.fields:
            return self.fields[fld].header
        if fld == "enterprise":
            return "统一社会信用代码/企业名称"
        return fld
