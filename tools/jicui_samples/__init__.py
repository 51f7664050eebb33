"""A seeded synthetic town: the 2023 campaign's ledgers as villages and stations send them.

``generate_town(out_dir, seed=2023, n_villages=8, n_enterprises=150, clean=False,
formats="mixed")`` writes a submission folder and returns the manifest of planted
violations (a DataFrame with columns ``rule_id, enterprise_uscc, village, source_file,
source_sheet, source_row, period, note``); ``python -m jicui_samples --out DIR``
does the same from the command line. The manifest is written next to the folder
(``<out_dir>-planted.csv``, UTF-8 with BOM), never inside it: everything inside the
folder is input to the checker.

What the folder holds (``formats="mixed"``; with ``"csv"`` every sheet is its own CSV,
with ``"xlsx"`` every file is a workbook)::

    积翠镇企业名录.xlsx                 registry (+ an empty Sheet2; planted: 统计汇总)
    积翠镇会议与督导记录.xlsx           meetings: 村级会议, 镇站所督导
    应急站/积翠镇生产安全事故报告记录.*  accidents
    <站所>/<站所>执法检查记录.*          enforcement, per station (+ 综合行政执法队)
    <村>/<村>重大事故隐患台账.*          hazards (one sheet, or a sheet per enterprise)
    <村>/<村>主要负责人带队检查记录.*    head inspections (one sheet, or a sheet per month)
    <村>/<村>企业专项行动落实情况.*      checklist, training, drills, outsourcing
    <村>/<村>动火作业审批记录.*          hot work
    <村>/<村>特种作业人员持证台账.*      special workers
    <村>/<村>电气焊设备检查台账.*        welding equipment checks (v2 ledger, every village)
    <村>/~$<村>重大事故隐患台账.xlsx     an Excel lock file (ignored by the checker)

RULEBOOK version 2: the even-numbered villages (东坡村, 南庄村, 石门村, 杏花村 in the default
town) submit on the new template, with the new optional columns (hazards 隐患等级/判定依据 —
some 一般, some empty = 重大 —, head inspections 发现重大隐患数, hot work 动火方式/设备编号 —
some 砂轮/电钻/喷灯 work by uncertified fitters, no kit named —); the odd ones still use the
old template without them (their hazards are all 重大, their permits all welding, so reading
them the version-1 way gives the same answer). The registry carries 专职安全管理人员数 and
技术力量薄弱; the accidents 单位负责人接报时间; the town's meetings sheet 宣讲企业 and the kinds
执法培训 and 进展汇报 (the villages' sheet keeps the old template). Some sheets carry a 备注,
附件 or 说明 column (never reported, SCH005); some workers hold a 忻州 number (1409xx, a code
created in 2000) though born before 2000: valid under v2.

Every sheet has its own mess: 0–2 title rows (merged in xlsx), a 序号 column, header
aliases with spaces, line breaks (xlsx only: a CSV line stays a line) and full-width
brackets, blank rows, numbered empty template rows, a 合计 row, 填表人/审核人 and 填表说明
footers; dates as Excel dates, serial numbers, ``2023-05-20``, ``2023/5/20``,
``2023.5.20``, ``2023年5月20日``, ``20230520``; datetimes as Excel datetimes,
``2023-05-20 08:30``, ``2023年5月20日8时30分``; yes/no as 是/否, Y/N, √/×, 有/无,
true/false (Excel booleans in xlsx), 1/0; counts with 人/项 and thousands separators,
money with 元/万元; enterprises by USCC and name, by name only, or by USCC only. CSV
files are UTF-8, UTF-8 with BOM, GBK or GB18030.

The clean town (``clean=True``) satisfies every rule of RULEBOOK §5 (version 2) at as-of
2023-12-31 and at each earlier phase end (see :mod:`._town`): the town's 动员部署会 (unit 镇政府)
chaired by the 党委书记 in May (GV005), the 执法培训 of the 综合行政执法队 in July (GV004), a
企业宣讲 of every station supervising enterprises in June–July (GV003), a 事故警示教育 for each
typical accident of the campaign file concerning the enterprise's industry (TR006), penalties
only by the 综合行政执法队 (EN007), full-time safety staff where 安全生产法 第24条 asks for
them and experts hired by technically weak enterprises (ENT003, CHK007), crowded venues
(宾馆, 超市, KTV…) drilling every half-year (DR002), welding kit checked in December 2022 and
again before the P2 end, never used failed (EQ001–EQ003), enforcement visits only on days no
重大 hazard of the enterprise is open and accidents never within 90 days after a visit that
found nothing (DC001–DC004). The version-2 corrections are present as clean cases: a lease
without an agreement that defines the duties (OS001), a head inspection counting more hazards
than the 重大 ledger holds but the right 重大 count (HI004), 砂轮 work without a welding
certificate (HW007), an accident reported 75 minutes after it happened but 35 minutes after the
head heard of it (AC001), enterprises whose only contract ended before P2 and no review
(CHK005), the 1409xx numbers (FMT002). Without ``clean`` the plantings
below are added, on otherwise clean enterprises: a planting that changes an enterprise's
coverage (a month of inspections, its drills, its checklist row, its enforcement history)
has the enterprise to itself, row plantings never share a row, and an untouched enterprise
is preferred while any is left (:meth:`._plants.Planter.pick`; a planted town needs about 30
enterprises, and 3 villages for both GV001). The manifest lists exactly what a correct
checker finds at as-of 2023-12-31 — each planting's own finding and its consequences:

======  ====  ========================================================  =========================================
rule    n     what is planted                                            consequences / why nothing else fires
======  ====  ========================================================  =========================================
SCH000  3     sheet 统计汇总 in the registry workbook (村名/企业数/…);      none: no ledger reads them
              ``<村>/隐患整改验收单扫描件.pdf``; ``应急站/执法检查情况说明.docx``
SCH001  2     extra sheet 补录隐患 without 发现方式 (2 clean hazards);     none: the rows are extra and clean; read or
              extra sheet 安全例会记录 without 类型 (3 例会 rows)          dropped, no coverage depends on them
SCH002  7     检查日期 ``2023-13-45`` on an extra head-led inspection;      the bad date only un-counts an extra
              发现隐患数 ``若干``; 日期 ``2023-02-30`` and 参加人数 ``abc``   inspection/例会 (the month has others;
              on extra 安全例会 rows; 演练类型 ``桌面推演``; 作业类别         hazards_found 0 → no HI004); the drill,
              ``司炉工`` and 是否在岗 ``待定`` on valid certificates        the certificates stay valid (no HW link)
SCH003  4     empty 隐患描述; empty 证书编号 (an electrician); empty        none (no rule reads these cells)
              承包承租方; empty 主持或带队 of a station's 企业宣讲
SCH004  3     a registry row pasted twice; a hazard_no reused by a second   the later occurrence in reading order is
              clean hazard; a permit_no reused by a second clean permit     flagged (both copies sit in one sheet)
FMT001  2     a registry USCC with a wrong check character (that           none: it is still the key of its
              enterprise's rows give its name only); a contractor's code   enterprise; contractors are no reference
FMT002  2     ID numbers with a wrong check digit (electricians)            none
FMT003  2     registry phones ``1xxxxxxxxx`` (10 digits), ``0351-12345``    none
REF001  2     a 安全例会 row and a clean hazard row of an unknown           the rows are otherwise clean (no enterprise
              ``…商贸有限公司`` (name only)                                  to attribute further findings to)
REF002  2     USCC of A with the name of B on an extra head-led             the row is A's: led by A's head, signed,
              inspection of A and on a 安全例会 row of A                     0 hazards → nothing else
ENT001  2     监管站所 of another industry                                  none
ENT002  2     安全管理人员 empty; ``无``                                    none
CHK001  2     方案制定日期 empty; 动员部署会日期 2023-08-15                  period P2 and the checklist row
CHK002  2     全员岗位责任制 否                                             —
CHK003  2     负责人职责清单 否                                             —
CHK004  2     动火人员排查日期 empty; 2023-09-10                            —
CHK005  2     外包外租排查日期 empty / 2023-08-20, enterprises with a       in force during P2: a review is due under
              contract in force during P2                                  any reading of "with outsourcing rows"
CHK006  2     the enterprise's checklist row deleted (an enterprise         CHK006 alone (it cites E(1)…E(13): it
              without outsourcing rows)                                     stands for every item; no CHK001–CHK005)
HZ001   2     extra hazard (not immediate): 整改资金 empty; 应急预案 ``无``  none (other elements, posting, dates fine)
HZ002   2     是否公示 否; empty (empty = 否)                               none
HZ003   2     报告日期 empty                                                none
HZ004   2     验收日期 < 完成日期; 整改期限 < 发现日期 (done later)          done → no HZ005; verified → no HZ006
HZ005   2+2   not done, 整改期限 2023-10-31, 整改中                         (+2 from EN006)
HZ006   2     已整改, done, no 验收人/验收日期; no 验收日期                  status 已整改 agrees with the dates: no HZ007
HZ007   2     整改中 but done and verified; 已整改 without 完成日期         deadline 2024 → no HZ005; not done → no HZ006
              (deadline 2024-02-29)
HZ008   2     立即整改 done after 10 days; 立即整改 not done (no deadline)  no deadline → no HZ005
HI001   2+1   all July inspections of one enterprise removed; all October  (+1 from HI002 below)
              of another
HI002   2     extra deputy-led inspection in August (August has head-led    2nd: HI001 2023-09 (deputy-led inspections
              ones); the only September inspection of another made deputy-led  do not count)
HI003   2     签名确认 empty; ``无``                                        none
DR001   2     all drills of a non-high-risk enterprise removed (one keeps  not high risk → no DR002
              a 2022-11 drill)
DR002   2     the H2 drills of a high-risk enterprise removed (preferably   the H1 drill remains → no DR001
              one high only by its 是否高危=是 cell)
DR003   2     含疏散逃生 否; empty (= 否)                                   none
DR004   2     评估总结 否                                                   none
DR005   2     参演人数 = employees // 3                                    none
OS002   2     agreement 12 / 30 days after the start                        none
OS003   2     资质证书编号 empty; 资质有效期至 2023-09-30 on a contract      none
              running past it
OS004   2+2   明确安全管理职责 否; empty (= 否), with an agreement          (+2 from OS001)
OS005   2     最近安全检查日期 2023-04-10 (started before); empty            none
HW001   2     审批人 empty; 审批时间 empty                                   no time → no HW002
HW002   2     审批时间 30 min / 2 h after the start                         none
HW003   2     监护人 empty; 监护人 = 动火人                                  none
HW005   2     消防措施落实 否; empty (= 否)                                 none
HW007   2     the permit cites the worker's 电工作业 certificate; a worker   the certificates are valid → no SW finding;
              not in the register and no certificate number (welding)     v2: planted on welding permits only
SW001   2     电工 on post, valid until 2023-10-31 / 2023-09-14 (on post    reviewed 2021 → no SW002; expired → no SW003
              empty = yes)
SW002   2     issued 2018-06-01, never reviewed; reviewed 2020-08-01        valid into 2024-05+ → no SW003
SW003   2     valid until 2024-02-01 / 2024-02-20                           reviewed 2021 → no SW002
TR001   2     the campaign training without an exam; held 2023-08-20        attendees ≥ 90% → no TR002
              (make-up sessions removed: periods ``P2``)
TR002   2     campaign training reached 80% of employees (row finding)      exam held in time → no TR001
TR003   2     no 动火作业警示教育; held 2023-09-05 (period ``P2``)           none
TR004   2     a 例会 with 考试人数 > 参加人数; 合格人数 > 考试人数           none
TR005   2     an accident with no 事故警示教育; one 45 days later           reported within the hour → no AC001/AC002
EN001   2     major hazard found, 挂牌督办 否; 督办责任人 empty             no fine → no EN003–EN006
EN002   2     one officer; unsigned                                         no hazards found
EN003   2     a fine on a 企业自查 hazard reported before the inspection    fixed before its deadline → no EN006;
              and fixed within its deadline                                 not overdue → no EN004
EN004   2     a company-only fine on a 部门检查 hazard overdue at the        done in October → no HZ005; a later
              inspection                                                    inspection follows → no EN006
EN006   2     一案双罚 on a hazard due 2023-09-30, never fixed, no later     HZ005 on that hazard (open and overdue);
              inspection                                                    一案双罚 → no EN004
AC002   2     reported to the town 2 h later; not reported                  education within 30 days → no TR005
GV001   2     a village's 动员部署会 on 2023-06-10; a village whose only     period ``P1``, village named, no enterprise
              May meeting is a 专题会议
GV002   1     the leaders' 现场督导 removed; one dated 2024-01-06 added     (at most one finding exists: the town's)
v2      —     *version 2: the new rules, and the changed ones re-planted*   —
SCH005  2     an extra column 所在位置 on a village's hazards sheet,        one finding per sheet (file and sheet, no
              复查情况 on another's head-inspection sheet (with 备注 at     row); 备注 is never listed
              times)
FMT002  +1    a 15-digit first-generation number (an electrician)          (besides the 2 wrong check digits)
ENT003  2     专职安全管理人员数 0 in a must-have enterprise (第24条),       1st: experts 是 → no CHK007; 2nd: experts
              once with experts 是, once with 不需要                        不需要 → CHK007 on its checklist row
CHK007  2     the 2nd ENT003; 技术力量薄弱 是 with experts 否               period P2 and the checklist row
OS001   2     no agreement and duties 否 / empty (v2: duties alone         + OS004 on each row (§8: both fire)
              satisfy 第49条)
HI004   2     v2 sheet: 发现重大隐患数 = that day's 重大 self-reported + 1;  none
              old sheet: 发现隐患数 = that day's self-reported + 2
HW004   2     一级 10 h / 二级 80 h in 危险化学品 or 燃气 enterprises       none
HW008   2     the same in other industries                                none
HW006   2     气体分析 否 (危险化学品); empty (燃气, v2)                    none
EQ001   2     kit checked in Dec 2022, then only after P2; no check at all  period P2; the 2nd in an old-template
              (an old-template village: its permits name no kit)          village (or its permits name none)
EQ002   2     the kit named failed its check that day (repaired the next   no EQ003 (a later 合格)
              day); a permit naming HJ-09, never checked
EQ003   2     a 气瓶组 checked 合格 in June, 不合格 on 11-20; one checked    no permit names them → no EQ002
              only once, 不合格 on 12-05
SW004   2     electricians born 2003 / 2005, certificates issued at 17      valid, reviewed in time → nothing else
TR006   2     no education for the 4-18 accident (an industry the 6-21 one  period the accident's date; no accident
              does not concern); the 6-21 one held 20 days late (燃气…)     of their own → no TR005
EN005   2     3 penalties within 180 days; 4 within 365 (not 3 in any 180,  the last hazard open, deadline 2024 →
              one a 停产整顿 without fine)                                  no HZ005/EN006; all by the 执法队
EN007   2     a fine, and a 停产整顿, recorded by the enterprise's station  its hazard fixed in time → nothing else
AC001   2     county report 90 min after the head was informed (20 min     education in time → no TR005
              after the accident); not reported
DC001   2     0 major hazards recorded 20 days after a 重大 hazard found    fixed in time later → no HZ finding
DC002   2     a visit after the deadline, 责令限期整改 only (fixed in Nov)   listed with a supervisor → no EN001;
                                                                            done → no HZ005
DC003   2     an accident 71 / 90 days after a 0-major inspection          reported in time, education → nothing else
DC004   2     an accident while a 重大 hazard was past its deadline          fixed 10-25 → no HZ005; no inspection →
                                                                            no DC002/DC003
GV003   2     a station's 企业宣讲 on 08-16; another station's removed      village = the station; period P2
GV004   1     the 执法培训 moved to 12-12 (after the P3 end)                 village = the town; period P3
GV005   1     the town's 动员部署会 chaired by the deputy 薛明辉             village = the town; period P1
======  ====  ========================================================  =========================================

Many findings (``plant_rate``, the benchmark's dirty county): besides the table, each enterprise
no planting touched is taken with that probability, and each row of its ledgers damaged with it
(:func:`._plants.plant_bulk`: a missing month of inspections, unsigned or undated inspections,
mistyped names and codes, emptied cells, permits without guardian or fire measures, expired
certificates …), each damage with the one finding it causes (two for a mistyped code) in the
manifest. A generator of its own draws them: without a rate the town is byte for byte the same.

GV002, GV004 and GV005 judge the town as a whole: each can fire once in a town, and none of them
says anything about an enterprise, a village or a station, so the sample town carries all three
(a town whose leaders neither chaired its mobilisation nor went out to supervise, and whose
enforcers were trained late). The rest of the town is as meaningful as before: a planted town
variant without them would show nothing the clean town does not. Plantings that add an
enforcement visit, an accident or a hazard to an enterprise take one with no enforcement
history, accident or other planted hazard (:meth:`._plants.Planter.fresh`), so that no 倒查 rule
(DC001–DC004) fires by chance.

Readings chosen where the RULEBOOK leaves room (also in the report of the change):
TR001 and TR003 are coverage findings with period ``P2`` and no source row; CHK006
carries period ``P2``; an enterprise without a checklist row gets CHK006 only (its clause
E(1)…E(13) covers the items CHK001–CHK005 would cite); CHK005 is planted only where a
contract is in force during P2, so it holds whether or not later contracts count; EN006 is
reported on the fined enforcement row; "overdue" in EN004 is judged at the inspection date.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from jicui_compliance.campaign import Campaign, load_campaign

__all__ = ["generate_town", "main", "MANIFEST_COLUMNS", "default_manifest_path"]

MANIFEST_COLUMNS = ["rule_id", "enterprise_uscc", "village", "source_file", "source_sheet", "source_row",
                    "period", "note"]
RULE_ORDER = ("SCH000 SCH001 SCH002 SCH003 SCH004 FMT001 FMT002 FMT003 REF001 REF002 ENT001 ENT002 CHK001 "
              "CHK002 CHK003 CHK004 CHK005 CHK006 HZ001 HZ002 HZ003 HZ004 HZ005 HZ006 HZ007 HZ008 HI001 HI002 "
              "HI003 HI004 DR001 DR002 DR003 DR004 DR005 OS001 OS002 OS003 OS004 OS005 HW001 HW002 HW003 HW004 "
              "HW005 HW006 HW007 SW001 SW002 SW003 TR001 TR002 TR003 TR004 TR005 EN001 EN002 EN003 EN004 EN005 "
              "EN006 AC001 AC002 GV001 GV002 "
              # version 2
              "SCH005 SW004 GV003 GV004 GV005 EN007 TR006 CHK007 ENT003 EQ001 EQ002 EQ003 DC001 DC002 DC003 DC004 "
              "HW008").split()
_GENERATED_SUFFIXES = {".xlsx", ".csv", ".pdf", ".docx"}


@dataclass
class Result:
    """Everything a generation produced (the tests look inside)."""

    town: object
    written: object
    manifest: pd.DataFrame
    expect: list  # per manifest row: (column key, canonical value) or None
    files: list[str]


def default_manifest_path(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    return out.parent / f"{out.name}-planted.csv"


def generate_town(out_dir: str | Path, *, seed: int = 2023, n_villages: int = 8, n_enterprises: int = 150,
                  clean: bool = False, formats: str = "mixed", manifest: str | Path | None | bool = None,
                  campaign: Campaign | str | Path | None = None, first_village: int = 0,
                  plant_rate: float = 0.0) -> pd.DataFrame:
    """Write a synthetic submission to ``out_dir`` and return its manifest of planted violations.

    ``manifest``: where to write the manifest (default ``<out_dir>-planted.csv``; ``False``:
    not at all). ``campaign``: a campaign file or object (default: the shipped 积翠镇 2023).
    ``first_village``: the villages are the generator's list of names from this position on, so
    that towns generated one after another (the parts of a province, ``benchmarks/run.py``)
    have villages, and so enterprise names, of their own.
    ``plant_rate`` (0 to 1, not with ``clean``): besides the catalogue's plantings, that share of the
    other enterprises gets damaged rows, each row of theirs with that probability
    (:func:`._plants.plant_bulk`): at 0.8 about half of a town's rows carry a finding, as in ledgers
    filled in by other hands; the manifest lists them all. 0 (the default) changes nothing.
    """
    return build(out_dir, seed=seed, n_villages=n_villages, n_enterprises=n_enterprises, clean=clean,
                 formats=formats, manifest=manifest, campaign=campaign, first_village=first_village,
                 plant_rate=plant_rate).manifest


def build(out_dir: str | Path, *, seed: int = 2023, n_villages: int = 8, n_enterprises: int = 150,
          clean: bool = False, formats: str = "mixed", manifest: str | Path | None | bool = None,
          campaign: Campaign | str | Path | None = None, first_village: int = 0, plant_rate: float = 0.0) -> Result:
    from . import _plants, _render, _town

    if formats not in ("mixed", "csv", "xlsx"):
        raise ValueError(f"formats must be mixed, csv or xlsx, not {formats!r}")
    if n_villages < 1 or n_enterprises < 1:
        raise ValueError("a town needs at least one village and one enterprise")
    if not 0 <= plant_rate <= 1 or (clean and plant_rate):
        raise ValueError(f"plant_rate must be between 0 and 1, and 0 for a clean town, not {plant_rate!r}")
    camp = campaign if isinstance(campaign, Campaign) else load_campaign(campaign)
    town = _town.build_clean_town(camp, seed, n_villages, n_enterprises, first_village)
    try:
        planter = None if clean else _plants.plant_all(town)
        if planter is not None:
            _plants.plant_bulk(planter, plant_rate)
            _plants.settle(planter)
    except RuntimeError as exc:  # a town too small for every planting
        raise ValueError(f"n_enterprises={n_enterprises}: {exc}") from exc
    docs = _render.plan(town, formats, planter.sheets if planter else {})
    out = Path(out_dir)
    _clear_previous(out, camp.town)
    out.mkdir(parents=True, exist_ok=True)
    written = _render.Written()
    _render.write(town, docs, out, written)
    extra = list(planter.files) if planter else []
    lock = f"{town.villages[0]}/~${town.villages[0]}重大事故隐患台账.xlsx"
    extra.append((lock, _lock_file_bytes(town.villages[0])))
    for rel, data in extra:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
        written.files.append(rel)
    df, expect = _manifest(town, planter, written)
    if manifest is not False:
        path = default_manifest_path(out) if manifest in (None, True) else Path(manifest)
        path.parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(path, index=False, encoding="utf-8-sig")
    return Result(town, written, df, expect, sorted(written.files))


def _manifest(town, planter, written) -> tuple[pd.DataFrame, list]:
    rows, expect = [], []
    if planter is not None:
        for f in planter.found:
            file = sheet = ""
            line = None
            if f.row is not None:
                ledger, i = f.row
                loc = town.t[ledger].loc[i]
                if f.dup is not None:  # SCH004: the later occurrence in reading order
                    other = town.t[f.dup[0]].loc[f.dup[1]]
                    if _reading_order(written, other) > _reading_order(written, loc):
                        loc = other
                if loc is None:
                    raise RuntimeError(f"{f.rule}: the planted row {f.row} was not written")
                file, sheet, line = loc
            elif f.sheet is not None:
                file, sheet = written.sheets[f.sheet]
            elif f.file is not None:
                file = f.file
            uscc = f.uscc or (town.ents[f.e].uscc if f.e is not None else "")
            rows.append({"rule_id": f.rule, "enterprise_uscc": uscc, "village": f.village, "source_file": file,
                         "source_sheet": sheet, "source_row": line, "period": f.period, "note": f.note})
            expect.append(((file, sheet, line) + tuple(f.expect)) if (f.expect is not None and line) else None)
    df = pd.DataFrame(rows, columns=MANIFEST_COLUMNS)
    df["source_row"] = df["source_row"].astype("Int64")
    order = {r: k for k, r in enumerate(RULE_ORDER)}
    key = df.assign(_r=df["rule_id"].map(order), _row=df["source_row"].fillna(0))
    idx = key.sort_values(["_r", "source_file", "source_sheet", "_row", "period", "enterprise_uscc"],
                          kind="stable").index
    df = df.loc[idx].reset_index(drop=True)
    expect = [expect[i] for i in idx]
    return df, expect


def _reading_order(written, loc) -> tuple:
    file, sheet, line = loc
    return (file, written.order.get((file, sheet), 0), line)


def _lock_file_bytes(owner: str) -> bytes:
    """What Excel leaves while a workbook is open: the owner's name, padded (fixed bytes)."""
    name = owner.encode("utf-16-le")
    return bytes([len(owner)]) + b"\x00" + name + b"\x20\x00" * (54 - len(owner)) + b"\x00" * 54


def _clear_previous(out: Path, town: str) -> None:
    """Remove what an earlier generation wrote (ledger files only), so no stale file stays.

    Only a folder that is empty or holds a generated town (its registry file) is touched:
    anything else is refused rather than emptied."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ValueError(f"{out} is not a folder")
    if any(out.iterdir()) and not any(out.glob(f"{town}企业名录*")):
        raise ValueError(f"{out} is not empty and holds no generated town: choose another --out")
    for p in sorted(out.rglob("*"), reverse=True):
        if p.is_file() and (p.suffix.lower() in _GENERATED_SUFFIXES or p.name.startswith("~$")):
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()


# -- command line ------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m jicui_samples",
                                 description="生成积翠镇2023专项行动的合成台账（含预埋违规及其清单）")
    ap.add_argument("--out", required=True, help="submission folder to write")
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--villages", type=int, default=8)
    ap.add_argument("--enterprises", type=int, default=150)
    ap.add_argument("--clean", action="store_true", help="no planted violations")
    ap.add_argument("--formats", choices=("mixed", "csv", "xlsx"), default="mixed")
    ap.add_argument("--manifest", help="manifest path (default: <out>-planted.csv next to the folder)")
    ap.add_argument("--campaign", help="campaign TOML file (default: the shipped 积翠镇 2023)")
    ap.add_argument("--plant-rate", type=float, default=0.0,
                    help="share (0-1) of the other enterprises, and of their rows, damaged besides the plantings "
                         "(many findings: the benchmark's dirty county)")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = build(a.out, seed=a.seed, n_villages=a.villages, n_enterprises=a.enterprises, clean=a.clean,
                formats=a.formats, manifest=a.manifest, campaign=a.campaign, plant_rate=a.plant_rate)
    rows = sum(len(t.live()) for t in res.town.t.values())
    where = a.manifest or default_manifest_path(a.out)
    print(f"{a.out}: {len(res.files)} files, {rows} ledger rows, {len(res.manifest)} planted findings "
          f"({where}), {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
