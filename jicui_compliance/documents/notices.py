"""The documents sent to each enterprise and unit, one .docx each, in the 公文 layout:

* 隐患整改通知书 — to each enterprise with open findings of rules that judge the enterprise
  (``party == enterprise``; 错误 and 警告, 提示 are advice and are left out): every finding in plain
  words with the plan clause and the ledger row it stands on, and a deadline (campaign
  ``documents.notice_days`` after the 成文日期);
* 提醒函 / 督办函 — from the 镇纪委 to each village or station :func:`~..analysis.rankings.letters`
  proposes (plan 三（二）4（8）, RULEBOOK §10): the unit's own 错误 findings and, where it is the
  reason, its enterprises' obligation rate; a 督办函 where the unit already had a 提醒函 in the
  previous report (``previous``), otherwise the 督办函 cannot be decided (无上期数据);
* 退回重报通知 — to each submitting unit with ``record`` findings: the files, sheets and rows to
  correct and resubmit.

Each document has a 文号 from the campaign's pattern, numbered 1, 2, … per kind in the order
written (by village, then name), and everything is masked (ID and phone numbers) with the one masking
function, :func:`~..findings.masking.mask_text`: the documents' text (:class:`~..report.gongwen.Gongwen`
masks all it is given: the addressee from the registry, the file, folder and sheet names a finding
stands on), the file names (:func:`_file_name`) and the 主送 of 文书清单 (:func:`addressee`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..analysis import Analysis
from ..analysis.rankings import REMINDER, SUPERVISION, UNKNOWN_UNIT, letter_findings, party_of
from ..findings.masking import mask_text
from ..report.gongwen import Gongwen, day_text
from ..report.wording import clause_text, plain
from ..resolution import PLACEHOLDER_STATION
from ..rules import Party
from ..text import normalize_name

NOTICE, RESUBMIT = "隐患整改通知书", "退回重报通知"
KINDS = (NOTICE, REMINDER, SUPERVISION, RESUBMIT)
NO_HISTORY = "无上期数据：未提供上期的提醒函名单（--previous），所有函件均按提醒函发出，暂不能判定督办函"
INDEX_COLUMNS = ["文书", "文号", "主送", "事项数", "期限", "文件"]
#: the severities a 隐患整改通知书 lists (提示 is advice, not a breach to rectify)
NOTICE_SEVERITIES = ("错误", "警告")
_BAD_FILE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass
class Written:
    """What :func:`write_documents` wrote: the index (one row per document) and its notes."""

    index: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return int((self.index["文书"] == kind).sum()) if len(self.index) else 0


def addressee(name: str) -> str:
    """The 主送 as the document, its file name and 文书清单 show it: personal numbers masked."""
    return mask_text(name)


def _file_name(n: int, name: str) -> str:
    """``001_东坡化工有限公司（联系人139＊＊＊＊5678）.docx``: the addressee masked, its ``*`` written ``＊`` (a file
    name on Windows cannot hold ``*``), then what else a file name cannot hold made ``_``."""
    return f"{n:03d}_{_BAD_FILE.sub('_', addressee(name).replace('*', '＊'))[:60]}.docx"


def _source(row) -> str:
    """Where a finding stands: 东坡村/隐患台账.xlsx“重大隐患”第12行."""
    if not row.source_file:
        return ""
    where = row.source_file
    if row.source_sheet and not row.source_file.endswith(".csv"):
        where += f"“{row.source_sheet}”工作表"
    if pd.notna(row.source_row) and str(row.source_row) not in ("", "<NA>"):
        where += f"第{int(row.source_row)}行"
    return where


def _plan(campaign) -> str:
    name = campaign.name
    doc = f"（{campaign.document}）" if campaign.document else ""
    return f"《{name}实施方案》{doc}"


#: the closing words of a message that ask the town (the analyst), not the enterprise, to act (EN005:
#: 请研究依法提请县人民政府予以关闭): left out of the enterprise's notice, which has its own 整改要求
_TO_THE_TOWN = re.compile(r"；请研究依法提请[^；。]*$")


def _item_text(row) -> str:
    text = _TO_THE_TOWN.sub("", plain(mask_text(row.message), row.rule_id).rstrip("。；;"))
    src = _source(row)
    return text + (f"（见{src}）" if src else "") + "。"


#: a law's article as a clause names it: 安全生产法 第113条 (the message cites it 第一百一十三条)
_LAW_ARTICLE = re.compile(r"^(?P<law>\S+) 第\d+条$")


def _cited(clause: str, text: str) -> bool:
    """Whether the message ``text`` already cites ``clause``: the plan's item as written, a law by its
    name (a message quotes the article in Chinese numerals: 《安全生产法》第二十四条)."""
    law = _LAW_ARTICLE.match(clause)
    return (law is not None and law["law"] in text) or clause.removeprefix("方案") in text


def _basis(row) -> str:
    """"依据：…。" unless the message already cites every clause of the finding."""
    text = plain(row.message, row.rule_id)
    missing = [c for c in clause_text(row.clause).split("；") if c and not _cited(c, text)]
    return f"依据：{'；'.join(missing)}。" if missing else ""


# -- 隐患整改通知书 -----------------------------------------------------------------------------------
def _shared_names(registry: pd.DataFrame) -> set[str]:
    """The enterprise names (as compared: :func:`~..text.normalize_name`) that several registry enterprises bear."""
    names = registry["name"].dropna().map(normalize_name)
    return set(names[names.duplicated()])


def _named(name: str, uscc: str, village: str, shared: set[str]) -> str:
    """An enterprise as its notice and 文书清单 name it: its name, followed by its credit code when another
    registry enterprise bears the same name (its village when it has no code), so that the notice, its file
    name and its row of 文书清单 say which of them it is for."""
    if normalize_name(name) not in shared:
        return name
    return f"{name}（统一社会信用代码：{uscc}）" if uscc else f"{name}（{village}）"


def rectification_notices(analysis: Analysis, out: Path, day: dt.date, first: int = 1) -> list[dict]:
    camp, docs = analysis.campaign, analysis.campaign.documents
    f = analysis.findings
    f = f[(party_of(f["rule_id"]) == Party.ENTERPRISE) & f["severity"].isin(NOTICE_SEVERITIES)
          & (f["enterprise_name"] != "")]
    deadline = day + dt.timedelta(days=docs.notice_days)
    rows: list[dict] = []
    if f.empty:
        return rows
    order = {s: i for i, s in enumerate(NOTICE_SEVERITIES)}
    # in each notice's order, once (a group keeps its rows' order): most severe first, then by file and row
    f = f.assign(_sev=f["severity"].map(order)).sort_values(["_sev", "source_file", "source_row"], kind="mergesort")
    f = f.reset_index(drop=True)
    records = list(f.itertuples(index=False))  # each finding as a row once (a row type made per call, not per notice)
    # one notice per enterprise: by its credit code as well as its name (two registry enterprises may share a name)
    groups = f.groupby(["village", "enterprise_name", "enterprise_uscc"], sort=True)
    shared = _shared_names(analysis.whole.registry)
    folder = out / NOTICE
    folder.mkdir(parents=True, exist_ok=True)
    for n, ((village, name, uscc), g) in enumerate(groups, start=first):
        number = docs.numbered(docs.notice_number, day.year, n)
        name = _named(name, uscc, village, shared)
        d = Gongwen(docs.notice_organ, number, NOTICE, [name], letter=True)
        d.p(f"根据{_plan(camp)}，镇专项行动工作专班对你单位报送的专项行动台账（数据截至{day_text(analysis.as_of)}）"
            f"进行了核查，发现你单位存在下列{len(g)}项问题，须认真整改：")
        d.heading("一、存在的问题")
        for i, row in enumerate((records[k] for k in g.index), start=1):
            d.p(f"{i}. {_item_text(row)}" + _basis(row))
        d.heading("二、整改要求")
        # the placeholder 其他站所 is no unit to report to (docs/guide/documents.md): the town's office then
        # (the plan's 镇应急站, plan 二; another town's campaign names its own)
        station = next((s for s in g["station"] if s and s != PLACEHOLDER_STATION), "")
        to = station or camp.office
        d.p(f"请你单位于{day_text(deadline)}前完成上述问题的整改，逐项明确整改责任人、措施、资金、期限和应急预案；"
            f"能立即整改的，要立即整改。整改完成后，将整改情况（附相关记录或照片）书面报送{to}，并在相应台账中如实登记。")
        d.p("整改期间，要采取必要的安全防范措施，防止发生生产安全事故。逾期未整改或者整改不到位的，"
            "将依照《中华人民共和国安全生产法》有关规定处理。")
        if station:
            d.p(f"联系单位：{station}。")
        d.signature(docs.notice_organ, day)
        copy = [x for x in (station, village) if x]
        d.record(copy, docs.notice_organ, day)
        path = d.save(folder / _file_name(n, name))
        rows.append({"文书": NOTICE, "文号": number, "主送": addressee(name), "事项数": len(g), "期限": deadline, "文件": path})
    return rows


# -- 提醒函 / 督办函 ----------------------------------------------------------------------------------
def letters(analysis: Analysis, out: Path, day: dt.date, previous=None, first: int = 1) -> list[dict]:
    camp, docs = analysis.campaign, analysis.campaign.documents
    table = analysis.letters(previous=previous)
    found = letter_findings(analysis.whole)  # the letters are decided town-wide (a village run: its own)
    deadline = day + dt.timedelta(days=docs.letter_days)
    rows = []
    counters = {REMINDER: 0, SUPERVISION: 0}
    for rec in table.itertuples(index=False):
        kind, unit = rec.函件, rec.单位
        counters[kind] += 1
        n = first - 1 + sum(counters.values())
        number = docs.numbered(docs.letter_number, day.year, n)
        g = found[found["_unit"] == unit].sort_values(["rule_id", "source_file", "source_row"], kind="mergesort")
        ranking = [r for r in str(rec.列入理由).split("；") if "履行率" in r]
        title = f"关于{unit}重大事故隐患专项排查整治工作的{kind}"
        d = Gongwen(docs.letter_organ, number, title, [unit], letter=True)
        d.p(f"按照{_plan(camp)}三（二）4（8）“对排查整治不力的有关村和站所，镇纪委要下达提醒函、督办函，"
            f"严肃指出存在的突出问题”的要求，经对截至{day_text(analysis.as_of)}报送台账的核查，"
            f"你单位在专项排查整治工作中存在以下突出问题：")
        if kind == SUPERVISION:
            d.p("上期已就有关问题向你单位发出提醒函，但问题仍然存在，排查整治工作仍未落实到位。")
        i = 0
        for r in ranking:
            i += 1
            d.p(f"{i}. {unit}{r}。")
        for row in g.itertuples(index=False):
            i += 1
            d.p(f"{i}. {_item_text(row)}")
        if kind == SUPERVISION:
            d.p(f"现对上述问题进行督办。请你单位主要负责人亲自研究部署，逐项整改落实，于{day_text(deadline)}前将整改落实情况"
                f"书面报{docs.letter_organ}。镇纪委将跟踪督办，对整改不力、敷衍塞责的，依规依纪严肃追责问责。")
        else:
            d.p(f"请你单位高度重视，认真对照检查，逐项整改，于{day_text(deadline)}前将整改落实情况书面报{docs.letter_organ}。"
                "下期核查问题仍然存在的，将下达督办函。")
        d.signature(docs.letter_organ, day)
        d.record(list(docs.letter_copy), docs.letter_organ, day)
        path = d.save(_folder(out, kind) / _file_name(n, unit))
        rows.append({"文书": kind, "文号": number, "主送": addressee(unit), "事项数": i, "期限": deadline, "文件": path})
    return rows


def _folder(out: Path, kind: str) -> Path:
    p = out / kind
    p.mkdir(parents=True, exist_ok=True)
    return p


# -- 退回重报通知 -------------------------------------------------------------------------------------
def resubmission_notices(analysis: Analysis, out: Path, day: dt.date, first: int = 1) -> tuple[list[dict], int]:
    """One notice per submitting unit; the findings no unit could be found for are counted, not sent."""
    docs = analysis.campaign.documents
    f = analysis.resubmission_findings()  # decided town-wide: a village run sends the village what the town run does
    unknown = int((f["_unit"] == UNKNOWN_UNIT).sum())
    f = f[f["_unit"] != UNKNOWN_UNIT]
    deadline = day + dt.timedelta(days=docs.resubmit_days)
    rows = []
    for n, (unit, g) in enumerate(f.groupby("_unit", sort=True), start=first):
        g = g.sort_values(["source_file", "source_sheet", "source_row"], kind="mergesort", na_position="first")
        number = docs.numbered(docs.resubmit_number, day.year, n)
        # a file at the submission's root is the town's own (its registry, say), not one the unit sent: the
        # unit gets the rows of its enterprises there to verify, and is not told it submitted the file
        own = list(pd.unique(g.loc[~g["_town_file"], "source_file"]))
        town = list(pd.unique(g.loc[g["_town_file"], "source_file"]))
        problems = "存在无法识别、缺少必填内容或填写有误的问题，影响对相关记录的核查"
        town_files = "、".join(f"《{x}》" for x in town)
        if own:
            d = Gongwen(docs.organ, number, "关于退回专项行动台账重新报送的通知", [unit], letter=True)
            also = f"；镇汇总的{town_files}中涉及你单位所属企业的记录也有此类问题" if town else ""
            d.p(f"你单位报送的专项行动台账中，有{len(own)}个文件{problems}{also}。"
                f"现予退回，请对照下表逐项更正，于{day_text(deadline)}前重新报送。")
            d.p("更正时请使用统一的台账模板，保持表头不变，每行填写一条记录；已更正的文件整份重新报送"
                + ("，镇汇总文件中的记录请核实后报送更正的内容。" if town else "。"))
        else:
            d = Gongwen(docs.organ, number, "关于核实更正专项行动台账记录的通知", [unit], letter=True)
            d.p(f"镇汇总的{town_files}中，涉及你单位所属企业的记录{problems}。"
                f"请对照下表逐项核实，于{day_text(deadline)}前报送更正的内容。")
        header = ["文件", "工作表", "行号", "列", "问题及更正要求"]
        table = [[r.source_file, r.source_sheet or "—",
                  str(int(r.source_row)) if pd.notna(r.source_row) else "整表",
                  mask_text(r.column) or "—", plain(mask_text(r.message), r.rule_id)] for r in g.itertuples(index=False)]
        d.table(header, table, [False, False, True, False, False])
        d.signature(docs.organ, day)
        d.record([], docs.organ, day)
        path = d.save(_folder(out, RESUBMIT) / _file_name(n, unit))
        rows.append({"文书": RESUBMIT, "文号": number, "主送": addressee(unit), "事项数": len(g), "期限": deadline, "文件": path})
    return rows, unknown
