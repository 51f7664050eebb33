"""FMT: identifiers with check digits, and phone numbers."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd
from stdnum.cn import ric, uscc

from ..ledgers import LEDGERS
from ..text import map_distinct, numbers_in
from .base import ERROR, WARNING, Party, hits, no_hits, rule
from .context import Context

_MOBILE = re.compile(r"^(?:\+?86|0086)?1[3-9]\d{9}$")  # matched without spaces and hyphens (138-1234-5678)
_LANDLINE = re.compile(r"^(?:\(?0\d{2,3}\)?-?)?[2-9]\d{6,7}(?:(?:-|转)\d{1,6})?$")


#: the characters of a GB 32100-2015 code (digits and capital letters but I, O, S, V, Z)
USCC_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")


@lru_cache(maxsize=200_000)
def _uscc_ok(value: str) -> bool:
    """GB 32100-2015: 18 characters of its alphabet, digits in places 3–8 (the division code), the check
    character computed by python-stdnum. stdnum's ``is_valid`` also wants digits in places 1–2, but the
    registering authority and the kind of body may be letters (N2…: a village's collective economic
    organisation, Y…: others): those are checked with stdnum's own check character, as every code is.
    A code of the alphabet only is its own compact form (no space, hyphen or full-width character to
    take out): stdnum's ``compact`` is asked only for the others."""
    if not isinstance(value, str):
        return False
    number = value if USCC_ALPHABET.issuperset(value) else uscc.compact(value)
    return (len(number) == 18 and number[2:8].isdigit() and USCC_ALPHABET.issuperset(number)
            and number[-1] == uscc.calc_check_digit(number[:17]))


#: ``id_number`` statuses: valid, or why not (RULEBOOK §5 FMT002)
ID_VALID, ID_FIRST_GENERATION, ID_FORM, ID_BIRTH_DATE, ID_CHECK_DIGIT, ID_FUTURE = (
    "valid", "first_generation", "form", "birth_date", "check_digit", "future",
)
#: the earliest birth year taken as possible: 18-digit numbers were assigned from 1999 on,
#: to people then alive (a year such as 1019 or 1800 is a typing error)
ID_EARLIEST_BIRTH_YEAR = 1880
_RIC_FORM = re.compile(r"[0-9]{17}[0-9X]")
_RIC_FIRST_GENERATION = re.compile(r"[0-9]{15}")


@lru_cache(maxsize=200_000)
def id_number(value: str) -> tuple[str, dt.date | None]:
    """``(status, birth date)`` of one ID number as the ledger holds it (folded, upper case).

    GB 11643-1999: 18 characters, 17 digits and a digit or X; the check digit as
    ``stdnum.cn.ric.calc_check_digit`` computes it; digits 7–14 a possible birth date
    (a calendar date, year :data:`ID_EARLIEST_BIRTH_YEAR` or later). The address code is
    never judged against the birth year (RULEBOOK §9: the code is the one in force when the
    number was assigned). Whether the birth date is after as-of depends on as-of:
    :func:`id_numbers` decides it. The birth date is given only for a valid number.
    """
    if not isinstance(value, str):
        return ID_FORM, None
    if not _RIC_FORM.fullmatch(value):
        return (ID_FIRST_GENERATION if _RIC_FIRST_GENERATION.fullmatch(value) else ID_FORM), None
    if value[-1] != ric.calc_check_digit(value):
        return ID_CHECK_DIGIT, None
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return ID_BIRTH_DATE, None
    if birth.year < ID_EARLIEST_BIRTH_YEAR:
        return ID_BIRTH_DATE, None
    return ID_VALID, birth


def id_numbers(values: pd.Series, as_of: dt.date) -> pd.DataFrame:
    """:func:`id_number` of every value (each distinct value checked once), as a frame with
    ``status`` (missing for an empty cell) and ``birth`` (valid numbers only), index that of
    ``values``. A birth date after ``as_of`` makes the number ``future``: the records as
    they stood on the as-of day cannot hold a person not yet born (as-of rather than today,
    so that a check gives the same result whenever it is run)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    checked = [id_number(v) for v in uniques]
    status = np.array([s for s, _ in checked] + [None], dtype=object)
    birth = pd.to_datetime(pd.Series([b for _, b in checked] + [None], dtype=object))
    future = (birth > pd.Timestamp(as_of)).to_numpy(dtype=bool)
    status[future] = ID_FUTURE
    birth[future] = pd.NaT
    return pd.DataFrame({"status": status[codes], "birth": birth.to_numpy()[codes]}, index=values.index)


def _invalid(values: pd.Series, is_valid) -> pd.Series:
    """True where a filled value fails ``is_valid`` (each distinct value checked once)."""
    return map_distinct(values, lambda v: not is_valid(v)).fillna(False).astype(bool)


@rule("FMT001", ERROR, "EXT: GB 32100-2015", party=Party.RECORD, reads=("*",), title="统一社会信用代码校验位错误",
      message="“{header}”的值“{value}”{detail}")
def invalid_uscc(ctx: Context) -> pd.DataFrame:
    """规则说明：统一社会信用代码应为 18 位，末位校验码按 GB 32100-2015 计算（用 python-stdnum 校验）。
    第 1、2 位（登记管理部门、机构类别）可以是字母，如村级集体经济组织的“N2”开头、“Y”开头的其他组织，同样只看位数、
    第 3–8 位为数字（行政区划码）和校验码。
    检查企业名录的信用代码、外包外租台账的承包承租方信用代码，以及其他台账中填写的、不在企业名录里的信用代码
    （名录里已有的代码只在名录那一行报告一次，不在引用它的每一行重复报告）。全为数字的代码（如“12”开头的事业单位）
    在不是文本格式的列中会被 Excel 存成数字（显示为“1.21401224056123E+17”），只留下前 15 位有效数字：消息单独说明，
    请把该列设为文本格式后重新填写。

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
        # a registry code is reported once, on its registry row (each distinct code looked up once)
        codes, values = ctx.resolution.written_usccs(name)
        unknown = pd.Series(np.append([v not in known for v in values], False)[codes], index=col.index)
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
    if not parts:
        return no_hits()
    found = pd.concat(parts, ignore_index=True)
    number = found["value"].astype(str).str.fullmatch(_SCIENTIFIC).to_numpy(dtype=bool)
    return found.assign(detail=np.where(number, _USCC_AS_NUMBER, _USCC_INVALID))


_USCC_INVALID = "不是有效的统一社会信用代码（GB 32100-2015 校验位不符或位数不对），请核对"
_USCC_AS_NUMBER = ("是 Excel 存成数字的信用代码（该列不是文本格式，只留下前 15 位有效数字，后几位已丢失），原代码已无法从文件中得知；"
                   "请把该列设为“文本”格式，按营业执照重新填写信用代码后报送")


_ID_PROBLEMS = {
    ID_FIRST_GENERATION: "是 15 位的第一代居民身份证号码，第一代居民身份证已于 2013 年 1 月 1 日停止使用；"
                         "请填写本人 18 位公民身份号码（GB 11643-1999）",
    ID_FORM: "不是 18 位公民身份号码（应为 17 位数字加 1 位数字或 X，GB 11643-1999），请核对后重填",
    ID_CHECK_DIGIT: "末位校验码与前 17 位不符（GB 11643-1999），多为抄错某一位，请对照身份证核对",
    ID_BIRTH_DATE: "第 7–14 位不是可能的出生日期（GB 11643-1999：出生年月日），请对照身份证核对",
    ID_FUTURE: "第 7–14 位的出生日期晚于核查截止日，不可能是持证人的身份号码，请对照身份证核对",
}


@rule("FMT002", ERROR, "EXT: GB 11643-1999", party=Party.RECORD, reads=("special_workers",), title="身份证号无效",
      message="“{header}”的值“{value}”{detail}")
def invalid_id_number(ctx: Context) -> pd.DataFrame:
    """规则说明：公民身份号码（GB 11643-1999）须同时满足：18 位，前 17 位为数字、末位为数字或 X（小写 x、全角字符、
    空格在读取时已统一）；第 7–14 位是可能的出生日期（真实存在的日期，年份不早于 1880 年，且不晚于核查截止日
    --as-of：按截止日而不是运行当天判断，同一份报送无论何时核查结果都相同）；末位校验码按 GB 11643-1999 计算相符
    （用 python-stdnum 的校验码函数）。**不**按出生年份核对前 6 位地址码是否已设立：地址码是赋码时有效的行政区划
    代码，1985 年出生、2000 年以后在新设县区办证的人持有新代码是合法的（本工具早先的版本曾据此误报，现已更正）。
    15 位的第一代身份证号码单独说明：第一代居民身份证已于 2013 年 1 月 1 日停止使用。Excel 按科学计数法写出的号码
    （“1.40922E+17”，身份证号列不是文本格式时另存为 CSV 的结果）也单独说明：原号码已无法从文件中得知。消息说明是哪一项不符。
    输出中身份证号一律脱敏（如 110105********1234）。

    依据：GB 11643-1999《公民身份号码》：公民身份号码由六位数字地址码、八位数字出生日期码、三位数字顺序码和一位
    数字校验码组成；《全国人民代表大会常务委员会关于批准第一代居民身份证停止使用的决定》：第一代居民身份证
    自 2013 年 1 月 1 日起停止使用。

    违规示例：“110105194912310021”（校验位应为 X）；“110105491231002”（15 位第一代号码）；“110105194902300026”
    （2 月 30 日）。

    合规示例：“11010519491231002X”；“140922198503151236”（地址码 140922 设于 2000 年，持有人生于 1985 年，仍有效）。
    """
    df = ctx.ledgers["special_workers"]
    status = id_numbers(df["id_no"], ctx.as_of)["status"]
    bad = (status.notna() & status.ne(ID_VALID)).to_numpy(dtype=bool)
    if not bad.any():
        return no_hits()
    values = df.loc[bad, "id_no"]
    detail = status[bad].map(_ID_PROBLEMS).where(~values.str.fullmatch(_SCIENTIFIC).fillna(False).astype(bool),
                                                 _SCIENTIFIC_PROBLEM)
    return hits(ledger="special_workers", row=df.index[bad], field="id_no", value=values.to_numpy(),
                detail=detail.to_numpy())


#: a number as Excel writes it in scientific notation (1.40922E+17): a CSV saved from a sheet whose ID column was a number
_SCIENTIFIC = r"\d(?:\.\d+)?E\+?\d+"
_SCIENTIFIC_PROBLEM = ("是 Excel 按科学计数法写出的数字（该列不是文本格式，保存为 CSV 时只留下前几位），原号码已无法从文件中得知；"
                       "请对方把该列设为文本格式、按身份证重新填写后报送")


def _one_phone_ok(value: str) -> bool:
    v = value.replace(" ", "")
    return bool(_MOBILE.match(v.replace("-", "")) or _LANDLINE.match(v))


def _phone_ok(value: str) -> bool:
    """Every number the cell lists (:func:`~jicui_compliance.text.numbers_in`: 17644968942/0351-2848716,
    0351-2848716、13812345679) is a mobile or a landline; the cell as a whole is one number when it is one."""
    numbers = numbers_in(value)
    return _one_phone_ok(value) or (bool(numbers) and all(map(_one_phone_ok, numbers)))


@rule("FMT003", WARNING, "—", party=Party.RECORD, reads=("enterprises",), title="联系电话格式不对",
      message="“{header}”的值“{value}”{which}既不是11位手机号（1[3-9]开头），也不是固定电话（区号-号码），无法联系主要负责人，请核对")
def invalid_phone(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录的联系电话应为大陆手机号（11 位，以 13–19 开头；可带 +86 或 0086，数字间可有空格或短横，
    如 138-1234-5678）或固定电话（可带区号和分机，如 0571-88881234、88881234）。一格写了几个号码的（以 / 、 ， ； 或“或”分隔，
    如“17644968942/0351-2848716”），逐个核对，每个都须是手机号或固定电话；其中一个不对即报告。
    输出中电话号码一律脱敏（如 138****5678，几个号码各自脱敏）。

    依据：台账填报规范；发生事故和督办整改需要能联系到主要负责人。

    违规示例：“1381234567”（少一位）；“12345”；“13812345678/12345”（第二个号码不对）。

    合规示例：“13812345678”；“0571-88881234”；“17644968942/0351-2848716”；“0351-2848716、13812345679”。
    """
    reg = ctx.ledgers["enterprises"]
    bad = _invalid(reg["phone"], _phone_ok)
    if not bad.any():
        return no_hits()
    phones = reg.loc[bad, "phone"]
    return hits(ledger="enterprises", row=reg.index[bad], field="phone", value=phones.to_numpy(),
                which=map_distinct(phones, _which_wrong).to_numpy())


def _which_wrong(value: str) -> str:
    """Which numbers of a cell of several are wrong, by place (“中的第2个号码”; the numbers themselves are
    personal data), "" for a cell of one number."""
    numbers = numbers_in(value)
    if len(numbers) < 2:
        return ""
    return "中的" + "、".join(f"第{i}个" for i, n in enumerate(numbers, 1) if not _one_phone_ok(n)) + "号码"
