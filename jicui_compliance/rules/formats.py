"""FMT: identifiers with check digits, and phone numbers."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError
from stdnum.util import isdigits

from ..ledgers import LEDGERS
from ..text import map_distinct
from .base import Party, ERROR, WARNING, hits, no_hits, rule
from .context import Context

_MOBILE = re.compile(r"^(?:\+?86-?)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(?:\(?0\d{2,3}\)?-?)?[2-9]\d{6,7}(?:(?:-|转)\d{1,6})?$")


@lru_cache(maxsize=200_000)
def _uscc_ok(value: str) -> bool:
    return uscc.is_valid(value)


@lru_cache(maxsize=None)
def _birth_place_ok(prefix: str, year: int) -> bool:
    """stdnum's region check for a 6-digit region code in a birth year (the costly part of
    ``ric.validate``: a lookup in its region database). It reads only those two, so it is
    asked once per (region, year) instead of once per number."""
    try:
        ric.get_birth_place(f"{prefix}{year:04d}01010000")
        return True
    except ValidationError:
        return False


@lru_cache(maxsize=200_000)
def _id_ok(value: str) -> bool:
    """Exactly ``stdnum.cn.ric.is_valid`` (a property test holds them equal), in its order:
    length, digits, check digit, birth date, birth place, the last one cached."""
    number = ric.compact(value)
    if len(number) != 18 or not isdigits(number[:-1]) or number[-1] != ric.calc_check_digit(number):
        return False
    try:
        birth = ric.get_birth_date(number)
    except ValidationError:
        return False
    return _birth_place_ok(number[:6], birth.year)


_RIC_FORM = r"[0-9]{17}[0-9X]"  # already in stdnum's compact form: no separators, upper case


def _ids_ok(values: np.ndarray) -> np.ndarray:
    """``_id_ok`` of many distinct values at once (a property test holds them equal).

    Numbers already in compact form (nearly all, after the ledger folded them) are checked
    together: stdnum's check digit of each, their birth dates in one ``pandas.to_datetime``,
    the region once per (region, year). Anything else takes :func:`_id_ok` itself.
    """
    s = pd.Series(values, dtype=object)
    is_str = s.map(type).eq(str).to_numpy()
    compact = np.zeros(len(s), dtype=bool)
    compact[is_str] = s[is_str].str.fullmatch(_RIC_FORM).to_numpy(dtype=bool)
    numbers = s[compact]
    born = pd.to_datetime(numbers.str[6:14], format="%Y%m%d", errors="coerce")
    plain = (born.notna() & born.dt.year.between(1900, 2100)).to_numpy(dtype=bool)  # else: stdnum decides
    ok = np.zeros(len(s), dtype=bool)
    fast = np.flatnonzero(compact)[plain]
    years = born[plain].dt.year.to_numpy()
    ok[fast] = [v[-1] == ric.calc_check_digit(v) and _birth_place_ok(v[:6], int(y))
                for v, y in zip(s.to_numpy()[fast], years)]
    rest = np.setdiff1d(np.arange(len(s)), fast)
    ok[rest] = [isinstance(v, str) and _id_ok(v) for v in s.to_numpy()[rest]]
    return ok


def _invalid(values: pd.Series, is_valid) -> pd.Series:
    """True where a filled value fails ``is_valid`` (each distinct value checked once)."""
    return map_distinct(values, lambda v: not is_valid(v)).fillna(False).astype(bool)


@rule("FMT001", ERROR, "EXT: GB 32100-2015", party=Party.RECORD, reads=("*",), title="统一社会信用代码校验位错误",
      message="“{header}”的值“{value}”不是有效的统一社会信用代码（GB 32100-2015 校验位不符或位数不对），请核对")
def invalid_uscc(ctx: Context) -> pd.DataFrame:
    """规则说明：统一社会信用代码应为 18 位，末位校验码按 GB 32100-2015 计算（用 python-stdnum 校验）。
    检查企业名录的信用代码、外包外租台账的承包承租方信用代码，以及其他台账中填写的、不在企业名录里的信用代码
    （名录里已有的代码只在名录那一行报告一次，不在引用它的每一行重复报告）。

    依据：GB 32100-2015《法人和其他组织统一社会信用代码编码规则》。

    违规示例：企业名录填“91330110MA2XXXXX1A”，末位校验码应为其他字符。

    合规示例：“91110000600037341L”（校验位正确）。
    """
    parts = []
    reg = ctx.ledgers["enterprises"]
    bad = _invalid(reg["uscc"], _uscc_ok)
    if bad.any():
        parts.append(hits(ledger="enterprises", row=reg.index[bad], field="uscc", value=reg.loc[bad, "uscc"].to_numpy()))
    known = set(reg["uscc"].dropna())
    for name in (n for n, led in LEDGERS.items() if led.refers_to_enterprise):
        df = ctx.ledgers[name]  # the codes as written: no need to resolve the enterprises
        col = df["enterprise_uscc"]
        unknown = col.notna() & ~col.isin(known)  # a registry code is reported once, on its registry row
        if not unknown.any():
            continue
        bad = pd.Series(False, index=col.index)
        bad[unknown] = _invalid(col[unknown], _uscc_ok)
        if bad.any():
            parts.append(hits(ledger=name, row=df.index[bad], field="enterprise_uscc", value=col[bad].to_numpy()))
    out = ctx.ledgers["outsourcing"]
    bad = _invalid(out["party_uscc"], _uscc_ok)
    if bad.any():
        parts.append(hits(ledger="outsourcing", row=out.index[bad], field="party_uscc", value=out.loc[bad, "party_uscc"].to_numpy()))
    return pd.concat(parts, ignore_index=True) if parts else no_hits()


@rule("FMT002", ERROR, "EXT: GB 11643-1999", party=Party.RECORD, reads=("special_workers",), title="身份证号校验位错误",
      message="“{header}”的值“{value}”不是有效的公民身份号码（GB 11643-1999 校验位、出生日期或位数不符），请核对")
def invalid_id_number(ctx: Context) -> pd.DataFrame:
    """规则说明：公民身份号码应为 18 位，含有效的出生日期，末位校验码按 GB 11643-1999 计算（用 python-stdnum 校验）。
    输出中身份证号一律脱敏（如 110105********1234）。

    依据：GB 11643-1999《公民身份号码》；特种作业人员持证台账的“身份证号”列。

    违规示例：“110105198001011235”（校验位应为 4）。

    合规示例：“11010519491231002X”。
    """
    df = ctx.ledgers["special_workers"]
    codes, uniques = pd.factorize(df["id_no"], use_na_sentinel=True)
    bad = np.append(~_ids_ok(np.asarray(uniques, dtype=object)), False)[codes]
    if not bad.any():
        return no_hits()
    return hits(ledger="special_workers", row=df.index[bad], field="id_no", value=df.loc[bad, "id_no"].to_numpy())


def _phone_ok(value: str) -> bool:
    v = value.replace(" ", "")
    return bool(_MOBILE.match(v) or _LANDLINE.match(v))


@rule("FMT003", WARNING, "—", party=Party.RECORD, reads=("enterprises",), title="联系电话格式不对",
      message="“{header}”的值“{value}”既不是11位手机号（1[3-9]开头），也不是固定电话（区号-号码），无法联系主要负责人，请核对")
def invalid_phone(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录的联系电话应为大陆手机号（11 位，以 13–19 开头）或固定电话（可带区号和分机，如
    0571-88881234、88881234）。输出中电话号码一律脱敏（如 138****5678）。

    依据：台账填报规范（RULEBOOK §5 FMT003）；发生事故和督办整改需要能联系到主要负责人。

    违规示例：“1381234567”（少一位）；“12345”。

    合规示例：“13812345678”；“0571-88881234”。
    """
    reg = ctx.ledgers["enterprises"]
    bad = _invalid(reg["phone"], _phone_ok)
    if not bad.any():
        return no_hits()
    return hits(ledger="enterprises", row=reg.index[bad], field="phone", value=reg.loc[bad, "phone"].to_numpy())
