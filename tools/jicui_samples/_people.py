"""Names, identifiers and phone numbers for the synthetic town.

Everything here is a pure function of a :class:`random.Random`, so a seed gives the same
town every time. USCCs get their check character from :func:`stdnum.cn.uscc.calc_check_digit`
and ID numbers their check digit from :func:`stdnum.cn.ric.calc_check_digit`; the region
codes of ID numbers are ones ``stdnum.cn.ric.is_valid`` accepts for every birth year used.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc

# Common surnames (weighted by repetition) and given-name characters: all in GB2312, so
# every generated name survives a GBK-encoded CSV.
_SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁"
    "邓许傅沈曾彭吕苏卢蒋蔡贾丁魏叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康"
    "毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文申闫霍温牛武耿翟"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏建国志宏海峰波林文俊亮成飞"
    "宇浩晓东丹凤梅琳雪婷慧永春生福贵德利忠民学庆云龙虎彪帅健康宁安泰和顺瑞祥喜乐金银凯旭"
    "晨阳光耀荣昌盛兴旺鹰燕蕾莉娇媛晶璐瑶颖佳欣悦新斌"
)
#: Names reserved for the campaign's own people (never drawn at random).
RESERVED_NAMES = frozenset({"张庆斌", "王鑫辉", "薛明辉", "雷建良"})

# ID-number regions (6 digits) that stdnum.cn.ric.is_valid accepts for births 1963–2004:
# mostly the town's own county area (太原 阳曲/清徐/娄烦), a few from neighbouring provinces.
_ID_REGIONS = ("140122", "140122", "140122", "140121", "140123", "140100", "140200",
               "140400", "130100", "410100", "610322", "150121")
#: 忻州 codes created in 2000 (忻州地区 became 忻州市: 142201 → 140902 …): a person born before 2000
#: lawfully holds one when the number was assigned later (RULEBOOK §9, FMT002); stdnum's is_valid
#: rejects them for such births, so the generator checks numbers with :func:`id_ok_v2`.
NEW_REGIONS = ("140902", "140921", "140981")
#: The registry's county code (USCC digits 3–8).
USCC_REGION = "140122"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                    "152", "155", "156", "157", "158", "159", "166", "176", "177", "180", "181",
                    "182", "183", "185", "186", "187", "188", "189", "191", "198", "199")
AREA_CODE = "0351"


def person_name(rng: random.Random) -> str:
    while True:
        given = rng.choice(_GIVEN) if rng.random() < 0.3 else rng.choice(_GIVEN) + rng.choice(_GIVEN)
        name = rng.choice(_SURNAMES) + given
        if name not in RESERVED_NAMES:
            return name


def distinct_names(rng: random.Random, k: int, avoid: set[str] | None = None) -> list[str]:
    """``k`` different names, none in ``avoid`` (order is the draw order: deterministic)."""
    seen = set(avoid or ())
    out: list[str] = []
    while len(out) < k:
        n = person_name(rng)
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


# -- identifiers ------------------------------------------------------------------------
def make_uscc(rng: random.Random, prefix: str = "91", region: str = USCC_REGION) -> str:
    """A valid GB 32100-2015 code: registration prefix, region, 9-character body, check."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    body = rng.choice("MAJ0123456789") + body[1:] if rng.random() < 0.6 else body
    last = rng.choice(_USCC_ALPHABET)
    first17 = prefix + region + body + last
    return first17 + uscc.calc_check_digit(first17)


def break_uscc(code: str) -> str:
    """The same code with a wrong check character (a typo in the last position)."""
    good = code[-1]
    bad = _USCC_ALPHABET[(_USCC_ALPHABET.index(good) + 7) % len(_USCC_ALPHABET)]
    return code[:-1] + bad


def uscc_ok(code: str) -> bool:
    return uscc.is_valid(code)


def make_id(rng: random.Random, birth: dt.date, male: bool, region: str | None = None) -> str:
    region = region or rng.choice(_ID_REGIONS)
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def break_id(number: str) -> str:
    """The same ID number with a wrong check digit."""
    digits = "0123456789X"
    return number[:-1] + digits[(digits.index(number[-1]) + 3) % 11]


def id_ok_v2(number: str) -> bool:
    """GB 11643-1999 as RULEBOOK v2 reads it: 18 characters, a real past birth date, the check digit
    (no address-code-by-birth-year test)."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return birth.year >= 1900 and birth <= dt.date.today() and ric.calc_check_digit(number[:17] + "0") == number[17]


def old_id(rng: random.Random, birth: dt.date, male: bool) -> str:
    """A first-generation 15-digit number (region, YYMMDD, sequence): lapsed on 2013-01-01."""
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    return f"{rng.choice(_ID_REGIONS)}{birth:%y%m%d}{seq:03d}"


def birth_of(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id_ok(number: str) -> bool:
    try:
        return ric.is_valid(number)
    except Exception:  # stdnum raises KeyError for some province-only regions
        return False


# -- phones -----------------------------------------------------------------------------
def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    return f"{AREA_CODE}-{rng.randrange(2, 9)}{rng.randrange(10**6):06d}"


def phone(rng: random.Random) -> str:
    return mobile(rng) if rng.random() < 0.8 else landline(rng)
