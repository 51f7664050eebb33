"""SW: special-operation certificates (方案 E(12); 特种作业人员安全技术培训考核管理规定).

Every rule reads the 特种作业人员持证台账 row by row, for registry enterprises and for
workers on post (是否在岗 empty counts as on post). A certificate whose 初领日期 is after
as-of does not exist yet at as-of and is not judged; a review dated after as-of has not
happened yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .base import ERROR, INFO, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context, day_text, shared
from .formats import id_numbers

LEDGER = "special_workers"
#: 特种作业人员安全技术培训考核管理规定 第二十一条: 特种作业操作证每3年复审1次.
REVIEW_EVERY = pd.DateOffset(years=3)
#: SW003: how far ahead an expiry is announced.
EXPIRY_NOTICE_DAYS = 60
#: 特种作业人员安全技术培训考核管理规定 第四条（一）: 年满18周岁.
MIN_AGE = 18




@shared
def _on_post(ctx: Context) -> pd.DataFrame:
    """Certificates of registry enterprises, held at as-of by workers on post (是 or empty; not a
    是否在岗 filled but unreadable, SCH002: nothing is known of it)."""
    df = ctx.frame(LEDGER)
    as_of = ctx.as_of_ts
    keep = (
        df["eid"].notna()
        & df["on_post"].fillna(True).astype(bool)
        & ~ctx.unreadable(df, LEDGER, "on_post")
        & (df["issued_on"].isna() | (df["issued_on"] <= as_of))
    )
    return df.loc[keep.to_numpy(dtype=bool)]


def _last_review(ctx: Context, d: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """SW002: the last review at as-of (a review after as-of has not happened yet; no review: the 初领日期) and
    whether it is a review (not the 初领日期)."""
    reviewed = d["reviewed_on"].where(d["reviewed_on"] <= ctx.as_of_ts)
    issued = d["issued_on"]  # already on or before as-of (_on_post)
    last = pd.concat([reviewed, issued], axis=1).max(axis=1)
    return last, reviewed.notna() & (reviewed >= issued.fillna(reviewed))


def _arising(day):
    """A rule's ``arises`` (the special-workers ledger has no date): ``day(ctx, rows)``, never before the
    certificate's 初领日期 (it does not exist before it)."""
    def arises(ctx: Context, found: pd.DataFrame) -> pd.Series:
        d = ctx.found_rows(found, LEDGER)
        on = day(ctx, d)
        return found["row"].map(on.where(d["issued_on"].isna() | (on > d["issued_on"]), d["issued_on"]))
    return arises


def _about(d: pd.DataFrame) -> dict:
    return dict(person=d["person"].fillna("").to_numpy(), category=d["category"].fillna("").to_numpy(),
                cert_no=d["cert_no"].fillna("").to_numpy(), valid_until=day_text(d["valid_until"]).to_numpy())


@rule("SW001", ERROR, "E(12)", party=Party.ENTERPRISE, reads=("enterprises", "special_workers"),
      title="在岗特种作业人员操作证已过期",
      message="{person}（{category}，证书编号{cert_no}）在岗，但操作证有效期至 {valid_until}，至核查截止日 {as_of} 已过期 {days} 天；"
              "方案 E(12) 严禁未取得相关证书的人员在特种作业岗位上岗作业，请立即调离特种作业岗位，复审或重新取证后再上岗",
      obligation=Obligation(who="with:special_workers", when="as_of", ledger="special_workers"),
      arises=_arising(lambda ctx, d: d["valid_until"] + pd.Timedelta(days=1)))  # the day after 有效期至
def expired_on_post(ctx: Context) -> pd.DataFrame:
    """规则说明：在岗人员（“是否在岗”为是或空白；空白按在岗计）的操作证有效期至早于核查截止日。
    有效期至当天仍有效（当天归 SW003 提示）。不在岗的人员不报告：“是否在岗”填“已离职”“已调离”“已退休”“离岗”
    “辞职”等表示已离开岗位的，按否（不在岗）读；填了但无法识别的（如“待定”）只报一次 SCH002，不按在岗计。初领日期晚于核查截止日的证书在截止日尚不存在，不核查。

    依据：方案三(一)3(12)：“举一反三组织对动火等危险作业人员以及易产生重大事故隐患的其他关键岗位人员落实岗位责任情况进行1次全面排查，
    严禁聘用和招请未经安全培训合格、未取得相关证书的人员在特种作业岗位上岗作业，明确“谁招请无证人员，谁负责任”的管理制度。”

    违规示例：核查截止日 2023-07-31，电工李四在岗，操作证有效期至 2023-07-30。

    合规示例：有效期至 2023-07-31（当天仍有效）；或有效期至 2023-07-30 但“是否在岗”为否。
    """
    d = _on_post(ctx)
    as_of = ctx.as_of_ts
    d = d[(d["valid_until"] < as_of).fillna(False).to_numpy(dtype=bool)]
    if d.empty:
        return no_hits()
    return hits(ledger=LEDGER, row=d.index, field="valid_until", value=day_text(d["valid_until"]).to_numpy(),
                as_of=ctx.as_of.isoformat(), days=(as_of - d["valid_until"]).dt.days.to_numpy(), **_about(d))


@rule("SW002", ERROR, "EXT: 特种作业人员安全技术培训考核管理规定 第21条", party=Party.ENTERPRISE, reads=("enterprises", "special_workers"),
      title="特种作业操作证逾期未复审",
      message="{person}（{category}，证书编号{cert_no}）{basis} {last}，至核查截止日 {as_of} 已超过 3 年未复审"
              "（特种作业人员安全技术培训考核管理规定 第二十一条：特种作业操作证每 3 年复审 1 次）；"
              "请安排复审，复审合格前不得从事特种作业（方案 E(12)）",
      obligation=Obligation(who="with:special_workers", when="as_of", ledger="special_workers"),
      arises=_arising(lambda ctx, d: _last_review(ctx, d)[0] + REVIEW_EVERY + pd.Timedelta(days=1)))  # 3 years + 1 day
def review_overdue(ctx: Context) -> pd.DataFrame:
    """规则说明：在岗人员的操作证，自最近一次复审日期（没有复审记录时为初领日期）起到核查截止日已超过 3 年
    （按日历年计：2020-07-31 复审的，2023-07-31 恰好 3 年不报告，2023-08-01 起报告）。
    复审日期、初领日期晚于核查截止日的在截止日尚未发生，不计。两项都没填的，无法判断，不报告。
    已过有效期的证书归 SW001（在岗时）报告，本规则只核查核查截止日仍在有效期内的证书；不在岗的人员不报告。
    规定第二十一条（后半段）允许连续从事本工种 10 年以上的人员经同意延长至每 6 年复审 1 次，台账中没有这一信息，按 3 年核查。

    依据：方案三(一)3(12)：“举一反三组织对动火等危险作业人员以及易产生重大事故隐患的其他关键岗位人员落实岗位责任情况进行1次全面排查，
    严禁聘用和招请未经安全培训合格、未取得相关证书的人员在特种作业岗位上岗作业，明确“谁招请无证人员，谁负责任”的管理制度。”；
    《特种作业人员安全技术培训考核管理规定》第二十一条：“特种作业操作证每3年复审1次。”

    违规示例：核查截止日 2023-08-01，焊工张三初领日期 2020-07-31、没有复审记录、有效期至 2026-07-30。

    合规示例：同一证书核查截止日为 2023-07-31（恰好 3 年）；或最近复审日期 2022-05-10。
    """
    d = _on_post(ctx)
    as_of = ctx.as_of_ts
    d = d[(d["valid_until"] >= as_of).fillna(False).to_numpy(dtype=bool)]
    last, by_review = _last_review(ctx, d)
    sel = ((last + REVIEW_EVERY) < as_of).fillna(False).to_numpy(dtype=bool)
    if not sel.any():
        return no_hits()
    d, last, by_review = d[sel], last[sel], by_review[sel].to_numpy(dtype=bool)
    return hits(ledger=LEDGER, row=d.index, field=pd.Series(by_review).map({True: "reviewed_on", False: "issued_on"}).to_numpy(),
                value=day_text(last).to_numpy(), last=day_text(last).to_numpy(), as_of=ctx.as_of.isoformat(),
                basis=pd.Series(by_review).map({True: "最近复审日期为", False: "无复审记录，初领日期为"}).to_numpy(),
                **_about(d))


@rule("SW003", INFO, "E(12)", party=Party.ENTERPRISE, reads=("enterprises", "special_workers"),
      title="特种作业操作证即将到期",
      message="{person}（{category}，证书编号{cert_no}）的操作证有效期至 {valid_until}，{when}（核查截止日 {as_of}）；"
              "请提前安排复审或换证，过期后不得在特种作业岗位上岗（方案 E(12)）",
      obligation=Obligation(who="with:special_workers", when="as_of", ledger="special_workers"),
      arises=_arising(lambda ctx, d: d["valid_until"] - pd.Timedelta(days=EXPIRY_NOTICE_DAYS)))  # 60 days before
def expiring_soon(ctx: Context) -> pd.DataFrame:
    """规则说明：在岗人员的操作证在核查截止日仍有效（有效期至不早于截止日），且在截止日之后 60 天内到期
    （有效期至 ≤ 截止日 + 60 天；截止日当天到期的也提示）。已过期的归 SW001。不在岗的人员不提示。

    依据：方案三(一)3(12)：“举一反三组织对动火等危险作业人员以及易产生重大事故隐患的其他关键岗位人员落实岗位责任情况进行1次全面排查，
    严禁聘用和招请未经安全培训合格、未取得相关证书的人员在特种作业岗位上岗作业，明确“谁招请无证人员，谁负责任”的管理制度。”

    违规示例：核查截止日 2023-07-31，有效期至 2023-09-29（还有 60 天）。

    合规示例：核查截止日 2023-07-31，有效期至 2023-09-30（还有 61 天），不提示。
    """
    d = _on_post(ctx)
    as_of = ctx.as_of_ts
    until = d["valid_until"]
    sel = ((until >= as_of) & (until <= as_of + pd.Timedelta(days=EXPIRY_NOTICE_DAYS))).fillna(False)
    d = d[sel.to_numpy(dtype=bool)]
    if d.empty:
        return no_hits()
    return hits(ledger=LEDGER, row=d.index, field="valid_until", value=day_text(d["valid_until"]).to_numpy(),
                as_of=ctx.as_of.isoformat(), when=_days_left(d["valid_until"] - as_of), **_about(d))


def _days_left(left: pd.Series) -> list:
    days = left.dt.days
    return ("还有 " + days.astype(str) + " 天到期").where(days > 0, "当日到期").to_numpy()


@rule("SW004", WARNING, "EXT: 特种作业人员安全技术培训考核管理规定 第4条", party=Party.ENTERPRISE,
      reads=("enterprises", "special_workers"),
      title="特种作业操作证初领时持证人未满18周岁",
      message="{person}（{category}，证书编号{cert_no}）的操作证初领日期为 {issued_on}，按身份证号的出生日期，当时未满 18 周岁"
              "（{age}）；特种作业人员安全技术培训考核管理规定 第四条要求特种作业人员年满 18 周岁，"
              "请核实身份证号、初领日期和证书的真实性，证书存疑的人员不得在特种作业岗位上岗（方案 E(12)）",
      obligation=Obligation(who="with:special_workers", when="as_of", ledger="special_workers"),
      arises=_arising(lambda ctx, d: d["issued_on"]))  # the certificate's 初领日期
def certificate_issued_to_minor(ctx: Context) -> pd.DataFrame:
    """规则说明：在岗人员（“是否在岗”为是或空白）的操作证，初领日期时持证人未满 18 周岁。出生日期取自有效的身份证号
    （与 FMT002 同一套判断：18 位、校验码正确、出生日期可能且不晚于核查截止日）；身份证号为空或无效的不判断
    （无效的由 FMT002 报告）。周岁按生日计：18 周岁生日当天初领视为已满 18 周岁，合规；2 月 29 日出生的，
    平年以 3 月 1 日为生日。初领日期为空的不判断；初领日期晚于核查截止日的证书在截止日尚不存在，不核查；
    不在岗的人员不报告。一个人未满 18 周岁时取证，多为身份证号或初领日期填错，也可能是假证，故为警告。

    依据：方案三(一)3(12)：“严禁聘用和招请未经安全培训合格、未取得相关证书的人员在特种作业岗位上岗作业”；
    《特种作业人员安全技术培训考核管理规定》第四条：“特种作业人员应当符合下列条件：（一）年满18周岁，
    且不超过国家法定退休年龄；……”

    违规示例：身份证号的出生日期为 2005-08-01，焊接与热切割作业操作证初领日期 2023-07-31（17 周岁）。

    合规示例：出生日期 2005-08-01，初领日期 2023-08-01（18 周岁生日当天）。
    """
    d = _on_post(ctx)
    d = d.loc[d["id_no"].notna() & d["issued_on"].notna()]
    if d.empty:
        return no_hits()
    birth = id_numbers(d["id_no"], ctx.as_of)["birth"]
    issued = d["issued_on"]
    before_birthday = (issued.dt.month * 100 + issued.dt.day) < (birth.dt.month * 100 + birth.dt.day)
    age = issued.dt.year - birth.dt.year - before_birthday.astype("Int64")
    sel = (age < MIN_AGE).fillna(False).to_numpy(dtype=bool)
    if not sel.any():
        return no_hits()
    d, age = d[sel], age[sel]
    return hits(ledger=LEDGER, row=d.index, field="issued_on", value=day_text(d["issued_on"]).to_numpy(),
                issued_on=day_text(d["issued_on"]).to_numpy(),
                age=np.where(age >= 0, age.astype("int64").astype(str) + " 周岁", "初领日期早于出生日期"), **_about(d))
