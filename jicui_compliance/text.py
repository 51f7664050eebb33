"""Text helpers shared by every layer: folding, header and name normalisation, placeholders
(RULEBOOK §4, §8), and mapping a column once per distinct value.

It imports nothing of the package, so the reader, the ledgers, the resolution and the rules
may all use it without an arrow running back along the corridor."""

from __future__ import annotations

import errno
import math
import re
import unicodedata
from collections.abc import Callable, Container
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

# Required-column markers that templates put around headers ("*企业名称", "企业名称※").
_MARKERS = "*＊※"

#: pandas' ``str`` dtype with its values as Python objects, whatever ``mode.string_storage`` says.
#: With pyarrow installed (the CSV reader's parser), pandas 3 stores ``str`` in pyarrow by default,
#: and every value taken one by one (rules, reports) is then converted: the ledgers' text columns
#: are built with this dtype (docs/dev.md, “CSV 用 pyarrow 读取”).
TEXT = pd.StringDtype("python", na_value=np.nan)


def python_strings():
    """``with python_strings():`` (or ``@python_strings()``): the text columns pandas infers in the
    block (``pd.Series(["…"])``, ``astype(str)``) hold Python objects, as without pyarrow; restored
    after. Around the public entry points (``run_check``, ``run_check_by_village``, ``write_report``,
    the command line), never set for the whole process (docs/dev.md, “CSV 用 pyarrow 读取”)."""
    return pd.option_context("mode.string_storage", "python")


#: Cells that mean "empty" in a text column (RULEBOOK §8).
PLACEHOLDERS = frozenset({"无", "暂无", "/", "／", "-", "—", "——", "－", "--", "─"})


#: characters that show as nothing, which text pasted from WeChat or a web page brings along inside names:
#: zero width space, non-joiner and joiner, left-to-right and right-to-left marks, word joiner, soft hyphen, and the
#: byte order mark (zero width no-break space)
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u00ad\ufeff"
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def fold(text: str) -> str:
    r"""Fold full-width forms to half-width (（）→(), ：→:, ＡＢ→AB) and drop all white space (what
    ``str.split`` splits at is what ``\s`` matches, ``str.isspace``: the same as ``re.sub(r"\s+", "", …)``,
    three times faster; headers, names and people are folded some 80,000 times in a county's check), and the
    invisible characters of :data:`INVISIBLE`. These are format characters, which ``str.isprintable`` (one
    pass in C) says no to: only a text it says no to is translated (a text without them costs about 10%
    more than white space alone, a ``str.translate`` of every text would cost twice as much).

    >>> fold("东坡\u200b中兴 铸造厂\ufeff"), fold("（必填）　Ａ")
    ('东坡中兴铸造厂', '(必填)A')
    """
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return folded if folded.isprintable() else folded.translate(_DROP_INVISIBLE)


#: a template's note after a header, folded: “企业名称（必填）”, “发现方式(选填)”, “整改期限（必填项）”; only these words,
#: so that a header whose brackets are part of it (“资金（万元）”, “金额(元)”, “村(社区)”) keeps them
HEADER_NOTES = tuple(f"({word}{item})" for word in ("必填", "选填", "非必填", "可填", "可选") for item in ("", "项"))


def normalize_header(value: object) -> str:
    r"""A header cell as it is matched: folded, no spaces or line breaks, no required-markers (``*``, ``※``)
    and no note in brackets saying whether it is required (“（必填）”, “（选填）”).

    >>> [normalize_header(h) for h in ("*企业名称（必填）", "发现方式\n（选填）※", "资金（万元）", "必填")]
    ['企业名称', '发现方式', '资金(万元)', '必填']
    """
    if value is None:
        return ""
    text = fold(str(value)).strip(_MARKERS)
    if ")" in text and text.endswith(HEADER_NOTES):  # most headers have no bracket: one quick look
        text = text[: text.rindex("(")].strip(_MARKERS)
    return text


def normalize_name(value: object) -> str:
    """An enterprise name as it is matched against the registry (exact after folding)."""
    if value is None:
        return ""
    return fold(str(value))


def map_distinct(col: pd.Series, func: Callable[[Any], object], dtype: object = object) -> pd.Series:
    """``col.map(func)`` computed once per distinct value (missing stays missing)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[: len(uniques)] = [func(u) for u in np.asarray(uniques, dtype=object)]
    mapped[len(uniques)] = None
    out = pd.Series(mapped[codes], index=col.index, dtype=object)
    return out if dtype is object else out.astype(dtype)


# -- personal data in outputs (RULEBOOK §6) --------------------------------------------------
# One masking function for every output: findings csv/xlsx, reports, notebooks, logs and the
# terminal. It masks by form, whatever the check digit says: ID numbers of 18 and 15
# characters (a possible birth date after a region code 1–8; separators allowed), mainland
# mobiles (with +86/86/0086, separators, full-width digits) and landlines with an area code (or the country code
# and the area code without its trunk 0).
# Credit codes (USCC) stay readable: an enterprise's code starts with 9 (or a letter).
_D = "[0-9０-９]"
# the spaces a cell may hold between digit groups: space, tab, no-break and thin spaces (Word and web forms paste
# them), the ideographic space
_SP_CHARS = r" \t\u00a0\u2000-\u200a\u202f\u205f\u3000"
_SP = f"[{_SP_CHARS}]"
_S = rf"[{_SP_CHARS}\-‐－—·・•_＿]"  # one separator between digit groups (a space, a dash, a middle dot, an underscore)
_NO_DIGIT_BEFORE = r"(?<![0-9０-９])"
_NO_DIGIT_AFTER = r"(?![0-9０-９])"
# Each pattern opens with a lookahead for the characters a match can start with: the regular expression engine
# then passes over the other characters quickly, where a lookbehind first is tried at every character (a third
# to a half of the time of each pattern over the findings' texts, measured on 65,000 texts with dates and sums)
_ID18 = re.compile("(?=[1-8１-８])" + _NO_DIGIT_BEFORE + rf"([1-8１-８]{_D}(?:{_S}?{_D}){{15}}{_S}?[0-9０-９XxＸｘ])" + _NO_DIGIT_AFTER)
# a 特种作业操作证 number is “T” and the holder's ID number: masked whatever its length or birth date
# (a mistyped ID is still the person's), where a bare digit run of the wrong shape stays readable
_CERT_ID = re.compile(r"(?=[TtＴｔ])(?<![0-9０-９A-Za-zＡ-Ｚａ-ｚ])[TtＴｔ]" + rf"({_D}{{14,19}}[0-9０-９XxＸｘ])" + _NO_DIGIT_AFTER)
_ID15 = re.compile("(?=[1-8１-８])" + _NO_DIGIT_BEFORE + rf"([1-8１-８]{_D}(?:{_S}?{_D}){{13}})" + r"(?![0-9０-９A-Za-z])")
# between the groups of a phone number (138 - 1234 - 5678, 138.1234.5678, 0351 - 2848716, +86 351 2848716): a dash
# or a dot with up to three spaces either side, or up to three spaces; only at the group boundaries a phone number
# is written with (3-4-4 of a mobile, after the area code of a landline), where :data:`_S` may stand between any two
# digits: a date (2023.07.15), a sum (1,234,567.89), a certificate (T-2023-0001) is not grouped so
# a slash too (131/2345/6780, 0351/2848716): at these boundaries only, where a date (2023/07/15) has no place
_W = rf"(?:{_SP}{{0,3}}[\-‐－—–.．·・•_＿/／]{_SP}{{0,3}}|{_SP}{{1,3}})"
# the country code: +86, 0086, (+86), 86; before a landline's area code a bare 86 is followed by a separator,
# or by the trunk 0 in brackets (86(0)21 90002090, as in a certificate number T86(0)2190002090)
_CC_MOBILE = rf"[(（]?(?:[+＋]|[0０]{{2}})?[8８][6６][)）]?{_W}?"
_CC = rf"(?:[(（]?(?:[+＋]|[0０]{{2}})[8８][6６][)）]?{_W}?|[8８][6６](?:{_W}|(?=[(（][0０][)）])))"
_MOBILE_RE = re.compile(r"(?=[(（+＋0０8８1１])(?<![0-9０-９+＋])(" + rf"(?:{_CC_MOBILE})?[1１][3-9３-９]{_D}"
                        + rf"(?:(?:{_S}?{_D}){{8}}|{_W}?{_D}{{4}}{_W}?{_D}{{4}}))" + _NO_DIGIT_AFTER)
_LANDLINE = re.compile(r"(?=[(（0０])(?<![0-9０-９])([(（]?[0０][1-9１-９]" + _D + rf"{{1,2}}[)）]?{_W}?"
                       + rf"[1-9１-９](?:{_S}?{_D}){{6,7}})" + _NO_DIGIT_AFTER)
# a landline with the country code, where the area code loses its trunk 0 (+86 351 2848716, 0086-10-12345678,
# +86 (0)351 2848716): 10 and 2x are the two-digit area codes, the others have three digits
_INTL_LANDLINE = re.compile(r"(?=[(（+＋0０8８])(?<![0-9０-９+＋])(" + rf"{_CC}(?:[(（][0０][)）])?[(（]?"
                            + rf"(?:[1１][0０]|[2２]{_D}|[3-9３-９]{_D}{{2}})[)）]?{_W}?"
                            + rf"[1-9１-９](?:{_S}?{_D}){{6,7}})" + _NO_DIGIT_AFTER)
_ANY_DIGIT = re.compile(_D)


#: the Chinese numerals of headings, phases and quarters (一、二、…; 第三季度), one to ten
NUMERALS = "一二三四五六七八九十"


def percent(v: float | None) -> str:
    """A rate as the reports, letters and charts write it: 0.8976 → 89.8% (one decimal, half up on the
    value as stored; the rates are stored unrounded, so 28/34 is 82.4% and 97/115 is 84.3%); a rate that is
    not 1 never prints as 100% (0.99995 → 99.99%), one above 0 never as 0%.

    >>> percent(28 / 34), percent(97 / 115), percent(0.8235), percent(0.125), percent(0.99995), percent(1e-5)
    ('82.4%', '84.3%', '82.4%', '12.5%', '99.99%', '0.01%')
    """
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    p = float((Decimal(repr(float(v))) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))  # not float's
    if p == 100 and v < 1:
        return f"{math.floor(v * 10000) / 100:.2f}%"
    if p == 0 and v > 0:
        return f"{math.ceil(v * 10000) / 100:.2f}%"
    return f"{p:g}%"


#: what the operating system's errors mean, in the words a user reads (the system's own words are English and
#: differ from system to system): one reason, or (reading, writing) where the two differ. The one table for
#: every layer: the reader's problems (SCH000), the command line's inputs and :mod:`.writing`'s outputs.
OS_REASONS: dict[int, str | tuple[str, str]] = {
    errno.EACCES: ("没有读取权限，或正被其他程序锁定", "没有写入权限"),
    errno.EPERM: ("没有读取权限，或正被其他程序锁定", "没有写入权限"),
    errno.ENOENT: ("不存在", "该位置不存在，也无法在那里建立文件夹"),
    errno.ENOTDIR: ("路径中有一部分是文件，不是文件夹", "路径中有一部分是文件，不是文件夹"),
    errno.EISDIR: ("是文件夹，不是文件", "同名的文件夹已存在"),
    errno.ENAMETOOLONG: "路径过长",
    errno.ELOOP: "循环链接",
    errno.EBUSY: "文件或设备正忙",
    errno.EIO: "磁盘读写出错",
    errno.EINVAL: "文件名或位置无效",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.EMFILE: "同时打开的文件过多",
    errno.ENFILE: "同时打开的文件过多",
    errno.ENODEV: ("该位置不是可读的磁盘", "该位置不是可写的磁盘"),
    errno.ENOSPC: "磁盘空间不足",
    getattr(errno, "EDQUOT", errno.ENOSPC): "磁盘空间不足",
    errno.EROFS: "磁盘只读",
    errno.EFBIG: "文件超过系统允许的大小",
    errno.ETIMEDOUT: "网络位置没有响应",
    errno.ENOMEM: "内存不足",
}


def os_reason(exc: BaseException, *, writing: bool = False) -> str:
    """Why an operating-system call failed, in Chinese (:data:`OS_REASONS`), for a file being read
    (default) or written: never the system's English; an unknown error by its number.

    >>> os_reason(PermissionError(13, "Permission denied")), os_reason(OSError(27, "File too large"), writing=True)
    ('没有读取权限，或正被其他程序锁定', '文件超过系统允许的大小')
    >>> os_reason(OSError(95, "Operation not supported"))
    '系统错误，错误码 95'
    """
    code = getattr(exc, "errno", None)
    if code is None and isinstance(exc, PermissionError):
        code = errno.EACCES
    if code is None:
        return "系统错误"
    reason = OS_REASONS.get(code, f"系统错误，错误码 {code}")
    return reason if isinstance(reason, str) else reason[writing]


def text_width(text: str) -> int:
    """Display width, for sizing columns in the Excel and Word writers: a CJK character (from U+2E80,
    full-width forms included) counts 2, anything else 1.

    >>> text_width("东坡村"), text_width("2023-05-20"), text_width("（方案 E(4)）")
    (6, 10, 13)
    """
    return len(text) if text.isascii() else sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


#: what separates the items a cell lists (people, units): 、，,；;/ — white space is no separator of its own
_LISTING = "、,，;；/／"
LIST_SEPARATORS = re.compile(f"[{_LISTING}]+")


#: what stands between two numbers written in one cell (17644968942/0351-2848716, 138…、139…, 138… 或 139…;
#: T12345678、T87654321; QP-01、GJ-01): white space is none, it is part of a number (138 1234 5678)
BETWEEN_NUMBERS = re.compile(r"([/／、，,;；]|或)")
#: what stands between two numbers always, where a "/" may be part of one (HJ/01, T/2023-001)
_BETWEEN_CODES = re.compile(r"[、，,;；]|或")
_SLASH = re.compile(r"[/／]")


def numbers_in(cell: str, known: Container[str] | None = None) -> list[str]:
    """The numbers a cell lists — phone, certificate and equipment numbers — each stripped (:data:`BETWEEN_NUMBERS`;
    the masking of outputs splits a phone cell alike).

    >>> numbers_in("17644968942/0351-2848716"), numbers_in("T12345678、T87654321"), numbers_in("QP-01"), numbers_in(" / ")
    (['17644968942', '0351-2848716'], ['T12345678', 'T87654321'], ['QP-01'], [])

    With ``known`` (the numbers of the enterprise's register: certificate and equipment numbers, which may hold a
    "/" themselves), a cell is split at 、，,；; and 或 always, but at "/" only where every part is a known number;
    else the piece stays whole (an unknown “T/2023-001” is that number, not “T”):

    >>> known = {"HJ/01", "QP-02", "T001", "T002"}
    >>> numbers_in("HJ/01、QP-02", known), numbers_in("T001/T002", known), numbers_in("T/2023-001", known)
    (['HJ/01', 'QP-02'], ['T001', 'T002'], ['T/2023-001'])
    >>> numbers_in("T001/T009、/", known)
    ['T001/T009']
    """
    if known is None:
        return [p.strip() for p in BETWEEN_NUMBERS.split(cell)[::2] if p.strip()]
    numbers: list[str] = []
    for piece in _BETWEEN_CODES.split(cell):
        parts = [p.strip() for p in _SLASH.split(piece) if p.strip()]
        if len(parts) > 1 and all(p in known for p in parts):
            numbers.extend(parts)
        elif parts:
            numbers.append(piece.strip())
    return numbers


#: a part in brackets: a title or role after a name (张三（总经理）, 张三(焊工)), which is not part of the name,
#: or a note after an option of a list (罚款（企业5000元）)
BRACKETED = re.compile(r"[(（][^()（）]*[)）]")


#: a names cell that is one name as written: no list separator (:data:`LIST_SEPARATORS`), bracket
#: (:data:`BRACKETED`) or white space (``\s`` is what ``str.split`` splits at)
ONE_NAME = re.compile(rf"[^{_LISTING}()（）\s]+")


def person_names(cell: str) -> list[str]:
    """The people a names cell lists (动火人, 监护人, 带队负责人, 执法人员, 主要负责人): a bracketed title or role
    after a name is dropped (“张三（焊工）” is 张三); the rest is split at 、，,；;/ and, between names, at white
    space — but a name padded with spaces to line up a column (“张 三”, “欧阳 明”) is one person: no one's name
    is one character, so characters standing alone are put together (“张 三” is 张三, “李明 王 刚” is 李明 and
    王刚), and a single one left over joins the name before it (“欧阳 明” is 欧阳明), else the one after.

    >>> person_names("张三、李四"), person_names("张三 李四"), person_names("张 三"), person_names("欧阳　明")
    (['张三', '李四'], ['张三', '李四'], ['张三'], ['欧阳明'])
    >>> person_names("张三（焊工）、李四(电工)"), person_names("刘一/陈二"), person_names(" ; "), person_names("（焊工）")
    (['张三', '李四'], ['刘一', '陈二'], [], [])
    >>> person_names("李明 王 刚"), person_names("张 三 李四"), person_names("王 李四")
    (['李明', '王刚'], ['张三', '李四'], ['王李四'])
    """
    if ONE_NAME.fullmatch(cell):  # most cells: one name, nothing to split or drop
        return [cell]
    return _split_names(cell)


def _split_names(cell: str) -> list[str]:
    """:func:`person_names` of any cell, the long way."""
    names: list[str] = []
    for piece in LIST_SEPARATORS.split(BRACKETED.sub(" ", cell)):
        names.extend(_padded(piece.split()))
    return names


def _padded(parts: list[str]) -> list[str]:
    """The names white space separates in one piece of a names cell (:func:`person_names`): single characters
    standing together are one name, a single one alone joins the name before it, else the one after."""
    if all(len(p) >= 2 for p in parts):
        return parts
    out: list[str] = []
    alone = ""  # single characters not yet placed
    for p in parts:
        if len(p) == 1:
            alone += p
            continue
        if len(alone) >= 2:
            out.append(alone)
        elif alone and out:
            out[-1] += alone
        elif alone:
            p = alone + p
        alone = ""
        out.append(p)
    if len(alone) >= 2 or (alone and not out):
        out.append(alone)
    elif alone:
        out[-1] += alone
    return out


def _digits(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def _birth_ok(y: int, m: int, d: int) -> bool:
    return 1850 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31


def _keep_ends(text: str, head: int, tail: int) -> str:
    """``text`` with every digit masked except the first ``head`` and the last ``tail`` digits
    (separators and brackets stay, so the shape is still recognisable)."""
    pos = [i for i, ch in enumerate(text) if _ANY_DIGIT.match(ch) or ch in "XxＸｘ"]
    keep = set(pos[:head]) | set(pos[len(pos) - tail:])
    return "".join("*" if (i in pos and i not in keep) else ch for i, ch in enumerate(text))


#: a run of the digits of a match (its groups, as its separators or brackets set them apart)
_DIGIT_RUN = re.compile("[0-9０-９XxＸｘ]+")


def _grouped_as_number(text: str, short_at: tuple[int, ...] = ()) -> bool:
    """Whether the digit groups of a match are those a personal number is written in: 6-8-4, 6-4-4-4, 4-4-4-4-2,
    3-3-4-4-4 (an ID number), 3-4-4 (a mobile), 0351-2848716 — no group but the last of one or two digits, save a
    birth month or day written apart (two digits at an offset in ``short_at``). A date's -07-15 is no part of a
    number: “YH-2023-015 2023-07-15” is a hazard number and a date.

    >>> _grouped_as_number("110105 1949 1231 0021"), _grouped_as_number("2023-015 2023-07-15", (6, 8, 10))
    (True, False)
    """
    at = 0
    runs = _DIGIT_RUN.findall(text)
    for run in runs[:-1]:
        if len(run) == 1 or (len(run) == 2 and at not in short_at):
            return False
        at += len(run)
    return True


def _mask_id18(m: re.Match) -> str:
    d = _digits(m.group(1))
    if not _birth_ok(int(d[6:10]), int(d[10:12]), int(d[12:14])):
        return m.group(0)
    if not _grouped_as_number(m.group(1), (10, 12)):
        return m.group(0)
    return _keep_ends(m.group(1), 6, 4)


def _mask_cert_id(m: re.Match) -> str:
    return m.group(0)[0] + _keep_ends(m.group(1), 6, 4)


def _mask_id15(m: re.Match) -> str:
    d = _digits(m.group(1))
    if not _birth_ok(1900 + int(d[6:8]), int(d[8:10]), int(d[10:12])):
        return m.group(0)
    if not _grouped_as_number(m.group(1), (6, 8, 10)):
        return m.group(0)
    return _keep_ends(m.group(1), 6, 3)


def _mask_mobile(m: re.Match) -> str:
    s = m.group(1)
    prefix = len(_digits(s)) - 11  # 0, or 2 for 86
    return _keep_ends(s, prefix + 3, 4)


def _mask_landline(m: re.Match) -> str:
    s = m.group(1)
    if not _grouped_as_number(s):  # “015 2023-07-15”: the end of a hazard number and a date
        return m.group(0)
    d = _digits(s)
    area = 3 if d[1] in "12" else 4  # 010, 02x; else 0xxx
    return _keep_ends(s, area, 4)


def _mask_intl_landline(m: re.Match) -> str:
    """The country code (86 or 0086), a trunk 0 in brackets and the area code stay, as a landline's area code does."""
    s = m.group(1)
    d = _digits(s)
    head = 2 if d.startswith("86") else 4  # 86, 0086
    if d[head] == "0":  # +86 (0)351 …
        head += 1
    area = 2 if d[head] in "12" else 3  # 10, 2x; else xxx
    return _keep_ends(s, head + area, 4)


def mask_personal(text: str) -> str:
    """Mask ID, mobile and landline numbers in any text, in every form they are written.

    >>> mask_personal("身份证 110105 19491231 002X，电话 +86 138-1234-5678，座机 (0571)88886666")
    '身份证 110105 ******** 002X，电话 +86 138-****-5678，座机 (0571)****6666'
    >>> mask_personal("操作证 T11010519850315123，证号 110105198503151230X1")
    '操作证 T110105*******5123，证号 110105********1230X1'

    A landline with the country code keeps it and the area code; a dash with spaces or a dot may set the groups
    apart; a date, a sum or a code with dashes is no phone number:

    >>> mask_personal("+86 351 2848716，0351 - 2848716，138 - 1234 - 5678，138.1234.5678")
    '+86 351 ***8716，0351 - ***8716，138 - **** - 5678，138.****.5678'
    >>> mask_personal("2023.07.15 08:30 罚款1,234,567.89元，YH-2023-015，T-2023-0001")
    '2023.07.15 08:30 罚款1,234,567.89元，YH-2023-015，T-2023-0001'

    A middle dot, an underscore, a slash (between the groups of a phone number only) or a no-break, thin or tab
    space stands between the groups as a dash does; a "、" lists numbers, and stands inside none:

    >>> mask_personal("138·1234·5678，139_2345_6789，131/2345/6780，0351·2848716，0351/2848716，１５８·１２３４·５６７９")
    '138·****·5678，139_****_6789，131/****/6780，0351·***8716，0351/***8716，１５８·****·５６７９'
    >>> mask_personal("手机137\u00a03456\u00a07890，身份证110105\u00a019491231\u00a00021，110105·19491231·002X")
    '手机137\xa0****\xa07890，身份证110105\xa0********\xa00021，110105·********·002X'

    A hazard number and a date after it are no ID number and no landline: a date's groups of two digits
    (-07-15) stand inside no number, save a birth month and day written apart. Letters before a number prove
    nothing (SFZ, a certificate's T): a number grouped as a person's is masked after them.

    >>> mask_personal("YH-2023-015 2023-07-15，DH_2023_015 2023_07_15")
    'YH-2023-015 2023-07-15，DH_2023_015 2023_07_15'
    >>> mask_personal("110105 1949 12 31 0021，ID-110105-19491231-0021，SFZ110105 19491231 0021，110105 491231 002")
    '110105 **** ** ** 0021，ID-110105-********-0021，SFZ110105 ******** 0021，110105 ****** 002'
    """
    if not isinstance(text, str) or len(text) < 7 or not _ANY_DIGIT.search(text):
        return text
    text = _CERT_ID.sub(_mask_cert_id, text)
    text = _ID18.sub(_mask_id18, text)
    text = _ID15.sub(_mask_id15, text)
    text = _MOBILE_RE.sub(_mask_mobile, text)
    text = _INTL_LANDLINE.sub(_mask_intl_landline, text)
    return _LANDLINE.sub(_mask_landline, text)


#: a text may hold a number that :func:`mask_personal` masks (a quick test for whole columns): seven digits, with
#: what may stand between the digits of one (:data:`_S`, :data:`_W`, brackets) between them
MAY_HOLD_PERSONAL = rf"[0-9０-９](?:{_SP}{{0,3}}[\-‐－—–.．()（）·・•_＿/／]?{_SP}{{0,3}}[0-9０-９]){{6}}"


def mask_column(col: pd.Series) -> pd.Series:
    """:func:`mask_personal` over a column (text cells only), once per distinct text that may
    hold a number; other values are left as they are."""
    is_text = col.map(type).eq(str)
    if not is_text.any():
        return col
    text = col[is_text].astype(str)
    maybe = text.str.contains(MAY_HOLD_PERSONAL, regex=True)
    if not maybe.any():
        return col
    out = col.astype(object)
    idx = text.index[maybe.to_numpy()]
    out.loc[idx] = map_distinct(text.loc[idx], mask_personal)
    return out
