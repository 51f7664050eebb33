"""Ledger templates that prevent errors (issue 14): one workbook per submitting unit, a sheet per
ledger, generated from the pandera models of :mod:`..ledgers` so that a template and the checker
never disagree.

* **Headers**: the canonical Chinese header of every column (RULEBOOK §4), in model order, under a
  title row; the header is frozen. Required columns have a red header.
* **Input messages**: clicking a cell shows the column's rule (必填/选填, type, options, notes).
* **Data validation**: dropdowns for choice and yes/no columns (是/否; signatures also take a
  name), dates between 1950 and 2100, whole numbers and amounts ≥ 0, USCCs of 18 characters, the
  unit's registered enterprises (name and USCC) as dropdowns when the registry is given, and the
  unit's own name in the 会议与督导记录.
* **Conditional formats**: a row turns red for a single-row breach of the plan (deadline before the
  found date, a hot-work permit of a 危险化学品 or 燃气 enterprise longer than its level allows, an agreement
  signed after the start …) and yellow for a record that cannot prove compliance (unsigned, no evacuation …;
  the long permits of the other enterprises, which take GB 30871-2022 as a reference, HW008). The formulas are
  listed in the 填表说明 sheet in words.
* **填表说明**: how to fill the workbook, and every column with its rule.

Submitting units (:func:`units`): each village (enterprise ledgers and its meetings), each station
of the campaign's industries table and each lawful enforcer (执法检查记录 and meetings), and the
town (企业名录, 生产安全事故报告记录, 会议与督导记录).

A filled template reads back without any ``SCH`` finding: the helper sheets (填表说明 and the
hidden dropdown values) are known to the reader by their first cell
(:data:`..reading.outputs.TEMPLATE_MARKS`) and left out.

>>> write_templates(Path("out/templates"), load_campaign(), registry=read_registry([Path("data/samples")]))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ..campaign import Campaign
from ..ledgers import LEDGERS, Field, Ledger, load, vocabulary
from ..reading import InputError, read_submission
from ..reading.outputs import TEMPLATE_LISTS_MARK, TEMPLATE_NOTES_MARK
from ..resolution import PLACEHOLDER_STATION, Resolution, unknown_village
from ..rules.hot_work import GB30871_INDUSTRIES
from ..writing import checkpoint, output_tree

__all__ = ["ROWS", "TEMPLATE_SUFFIX", "TemplateError", "Unit", "read_registry", "row_checks", "units", "write_template",
           "write_templates"]

#: how the name of every template workbook ends (``东坡村台账模板.xlsx``): the set a run replaces in ``--out``
TEMPLATE_SUFFIX = "台账模板.xlsx"
#: data rows prepared (validation, formats) in each ledger sheet
ROWS = 1000
TITLE_ROW, HEADER_ROW = 0, 1  # 0-based: the title, then the header; data from row 3 (Excel)
FIRST = HEADER_ROW + 1

VILLAGE_LEDGERS = ("hazards", "head_inspections", "drills", "outsourcing", "hot_work", "special_workers", "training",
                   "checklist", "welding_equipment", "meetings")
STATION_LEDGERS = ("enforcement", "meetings")
TOWN_LEDGERS = ("enterprises", "accidents", "meetings")

YES, NO = "是", "否"
DATE_MIN, DATE_MAX = dt.date(1950, 1, 1), dt.date(2100, 12, 31)
#: 安全生产法 第24条: the industries whose enterprises must have full-time safety staff (ENT003)
FULL_TIME_INDUSTRIES = ("非煤矿山", "危险化学品", "建筑施工", "交通运输", "燃气")
ERROR, WARNING = "错误", "警告"


class TemplateError(ValueError):
    """Templates that cannot be made as asked (an unknown village, an unreadable registry): say why."""


@dataclass(frozen=True)
class Unit:
    """A submitting unit: a village, a station or the town, and the ledgers it fills."""

    name: str
    kind: str  # 村 / 站所 / 镇
    ledgers: tuple[str, ...]
    #: the registry enterprises it reports on (name, USCC), for the dropdowns; empty: no dropdown
    enterprises: tuple[tuple[str, str], ...] = ()
    #: the values of the 会议与督导记录's 单位 column
    meeting_units: tuple[str, ...] = ()
    #: the registry's 行业领域 of each of :attr:`enterprises` (same order; "" unknown): the hot-work row check
    #: tells the enterprises GB 30871-2022 binds (HW004) from those that take it as a reference (HW008)
    industries: tuple[str, ...] = ()

    @property
    def gb30871(self) -> bool:
        """Whether the workbook lists an enterprise within GB 30871-2022's scope (危险化学品, 燃气)."""
        return bool(self.enterprises) and any(i in GB30871_INDUSTRIES for i in self.industries)

    @property
    def file_name(self) -> str:
        label = f"{self.name}（镇级）" if self.kind == "镇" else self.name
        return re.sub(r'[\\/:*?"<>|\s]+', "_", label) + TEMPLATE_SUFFIX


@dataclass(frozen=True)
class RowCheck:
    """A single-row breach that turns a row red (错误) or yellow (警告) while it is being typed."""

    severity: str
    text: str  # Chinese, for the 填表说明 sheet
    formula: str  # Excel formula with {field} placeholders for the cell of that field in the row
    fields: tuple[str, ...] = field(default=())


def _check(severity: str, text: str, formula: str) -> RowCheck:
    return RowCheck(severity, text, formula, tuple(dict.fromkeys(re.findall(r"\{(\w+)\}", formula))))


def _day(d: dt.date) -> str:
    return f"DATE({d.year},{d.month},{d.day})"


def _text(value: str) -> str:
    """A text as an Excel string literal."""
    return '"' + value.replace('"', '""') + '"'


#: the white space :func:`jicui_compliance.text.fold` drops that a cell may hold (after ASC, which turns
#: the full-width space into a space): space, no-break and full-width space, tab, line breaks
_SPACES = ('" "', '"\u00a0"', '"\u3000"', "CHAR(9)", "CHAR(10)", "CHAR(13)")


def _folded(ref: str) -> str:
    """An Excel expression of a cell's text as :func:`jicui_compliance.text.fold` compares it (as the rules
    compare names, e.g. EN007's units): full-width forms half-width (ASC), all white space removed."""
    out = f"ASC({ref})"
    for space in _SPACES:
        out = f'SUBSTITUTE({out},{space},"")'
    return out


#: a little more than a second: a permit of exactly 8 hours is not "longer than 8 hours"
_EPS = "1/86400"


def example_day(campaign: Campaign) -> str:
    """The date the hints give as an example: the 20th of the campaign's first month, kept inside the
    campaign (积翠镇 2023: 2023-05-20; a campaign from 2024-04-15: 2024-04-20)."""
    day = dt.date(campaign.start.year, campaign.start.month, 20)
    return min(max(day, campaign.start), campaign.end).isoformat()


def row_checks(ledger: str, campaign: Campaign, *, gb30871: bool = False) -> list[RowCheck]:
    """The single-row breaches of a ledger, as conditional formats (the rules they anticipate are
    named in the text: the 填表说明 sheet explains each). ``gb30871``: the workbook lists enterprises within
    GB 30871-2022's scope with their industries (:attr:`Unit.gb30871`, the names 企业名称/信用代码/企业行业):
    their too long permits turn red (HW004, 错误), the others' yellow (HW008: the standard a reference); without
    it every too long permit turns yellow, the text saying which enterprises the standard binds."""
    p2_end = _day(campaign.phase("P2").end)
    full_time = ",".join(f'{{industry}}="{i}"' for i in FULL_TIME_INDUSTRIES)
    penalties = ",".join(f'ISNUMBER(FIND("{a}",{{actions}}))' for a in ("罚款", "一案双罚", "停产整顿", "提请关闭"))
    station = _folded("{station}")
    enforcers = ",".join(f"{station}={_text(s)}" for s in campaign.enforcer_spellings()) or "FALSE"
    one_name = ",".join(f'ISERROR(FIND("{sep}",TRIM({{officers}})))' for sep in ("、", ",", "，", ";", "；", "/", "／", " "))
    c = _check
    # GB 30871-2022 5.1 (HW004 / HW008): 特级、一级 8 h, 二级 72 h
    too_long = (f'AND({{start}}<>"",{{end}}<>"",OR(AND(OR({{level}}="特级",{{level}}="一级"),'
                f'{{end}}-{{start}}>8/24+{_EPS}),AND({{level}}="二级",{{end}}-{{start}}>3+{_EPS})))')
    limits = "特级、一级8小时，二级72小时"
    if gb30871:  # the row's enterprise (by name or USCC) registered in an industry of the standard's scope
        scoped = "+".join(
            f'IF({{{col}}}="",0,' + "+".join(f'COUNTIFS({names},{{{col}}},企业行业,"{i}")' for i in GB30871_INDUSTRIES) + ")"
            for names, col in (("企业名称", "enterprise_name"), ("信用代码", "enterprise_uscc")))
        in_scope = f"{scoped}>0"
        permit_checks = [
            c(ERROR, f"危险化学品、燃气企业的作业时长超过动火级别允许的时限（GB 30871-2022 5.1：{limits}）",
              f"=AND({too_long},{in_scope})"),
            c(WARNING, f"其他企业的作业时长超过 GB 30871-2022 5.1 的时限（{limits}）：该标准适用于危险化学品企业，"
                       "其他企业参照执行，长时间动火宜分段重新审批", f"=AND({too_long},NOT({in_scope}))"),
        ]
    else:
        permit_checks = [
            c(WARNING, f"作业时长超过 GB 30871-2022 5.1 的时限（{limits}）：危险化学品、燃气企业超过即违反该标准，"
                       "须重新办理作业票；其他企业参照执行，长时间动火宜分段重新审批", f"={too_long}"),
        ]
    checks: dict[str, list[RowCheck]] = {
        "enterprises": [
            c(ERROR, "未填安全管理人员（方案 三（一）（7））", '=OR({safety_staff}="",{safety_staff}="无",{safety_staff}="/")'),
            c(ERROR, "须配备专职安全管理人员的企业（非煤矿山、危险化学品、建筑施工、交通运输、燃气，或从业人员超过100人）"
                     "专职安全管理人员数为0（安全生产法第二十四条）",
              f'=AND({{full_time_safety}}<>"",{{full_time_safety}}=0,OR({full_time},{{employees}}>100))'),
        ],
        "hazards": [
            c(ERROR, "整改期限早于发现日期", '=AND({deadline}<>"",{found_on}<>"",{deadline}<{found_on})'),
            c(ERROR, "整改完成日期早于发现日期", '=AND({done_on}<>"",{found_on}<>"",{done_on}<{found_on})'),
            c(ERROR, "验收日期早于整改完成日期", '=AND({verified_on}<>"",{done_on}<>"",{verified_on}<{done_on})'),
            c(ERROR, "不能立即整改的隐患，责任人、措施、资金、期限、应急预案未全部落实（方案 三（一）（2））",
              '=AND({immediate}="否",OR({owner}="",{measures}="",{funds}="",{deadline}="",{contingency}="",'
              '{contingency}="否",{contingency}="无"))'),
            c(ERROR, "不能立即整改的隐患未公示（方案 三（一）（2））", '=AND({immediate}="否",{posted}<>"是")'),
            c(ERROR, "不能立即整改的隐患未填报告日期（方案 三（一）（2）：向监管站所报告）",
              '=AND({immediate}="否",{reported_on}="")'),
            c(WARNING, "整改状态与日期矛盾（已销号却无验收日期，或整改中却已有完成日期）",
              '=OR(AND({status}="已销号",{verified_on}=""),AND({status}="整改中",{done_on}<>""))'),
            c(WARNING, "已整改但未验收销号（缺验收人或验收日期）", '=AND({done_on}<>"",OR({verifier}="",{verified_on}=""))'),
        ],
        "head_inspections": [
            c(WARNING, "检查记录未签名确认（方案 三（二）4（7）：谁检查、谁签名、谁负责）",
              '=OR({signed}="",{signed}="否")'),
            c(WARNING, "发现重大隐患数大于发现隐患数", '=AND({major_found}<>"",{hazards_found}<>"",{major_found}>{hazards_found})'),
        ],
        "drills": [
            c(WARNING, "演练未含疏散逃生（方案 三（一）（15）：熟知安全逃生出口）", '={evacuation}<>"是"'),
            c(WARNING, "演练未评估总结", '={evaluated}<>"是"'),
        ],
        "outsourcing": [
            c(ERROR, "安全生产协议签订日期晚于开始日期（方案 三（一）（13））",
              '=AND({agreement_on}<>"",{start}<>"",{agreement_on}>{start})'),
            c(ERROR, "未明确安全管理职责（方案 三（一）（13））", '={duties_defined}<>"是"'),
            c(ERROR, "未填承包承租方资质证书编号（方案 三（一）（13））", '={licence}=""'),
            c(ERROR, "资质有效期早于结束日期", '=AND({licence_until}<>"",{end}<>"",{licence_until}<{end})'),
            c(WARNING, "结束日期早于开始日期", '=AND({end}<>"",{start}<>"",{end}<{start})'),
        ],
        "hot_work": [
            c(ERROR, "动火作业未审批（缺审批人或审批时间，方案 三（一）（10））", '=OR({approver}="",{approved_at}="")'),
            c(ERROR, "审批时间晚于动火开始时间", '=AND({approved_at}<>"",{start}<>"",{approved_at}>{start})'),
            c(ERROR, "无监护人，或监护人就是动火人（方案 三（一）（10））", '=OR({guardian}="",{guardian}={worker})'),
            c(ERROR, "消防措施未落实（方案 三（一）（10））", '={fire_measures}<>"是"'),
            *permit_checks,
            c(WARNING, "结束时间早于开始时间", '=AND({end}<>"",{start}<>"",{end}<{start})'),
        ],
        "special_workers": [
            c(WARNING, "有效期早于初领日期", '=AND({issued_on}<>"",{valid_until}<>"",{valid_until}<{issued_on})'),
        ],
        "training": [
            c(ERROR, "人数顺序不对：合格人数不得多于考试人数，考试人数不得多于参加人数",
              '=OR(AND({passed}<>"",{examined}<>"",{passed}>{examined}),'
              'AND({examined}<>"",{attendees}<>"",{examined}>{attendees}),'
              'AND({passed}<>"",{attendees}<>"",{passed}>{attendees}))'),
        ],
        "checklist": [
            c(ERROR, "方案制定或动员部署会晚于第二阶段结束（方案 三（一）（1））",
              f'=OR(AND({{plan_on}}<>"",{{plan_on}}>{p2_end}),AND({{kickoff_on}}<>"",{{kickoff_on}}>{p2_end}))'),
            c(ERROR, "未建立全员岗位责任制（方案 三（一）（5））", '={duty_system}<>"是"'),
            c(ERROR, "未制定负责人职责清单和专项行动工作清单（方案 三（一）（6））", '={duty_lists}<>"是"'),
            c(ERROR, "动火人员排查晚于第二阶段结束（方案 三（一）（12））",
              f'=AND({{hot_work_review_on}}<>"",{{hot_work_review_on}}>{p2_end})'),
            c(ERROR, "外包外租排查晚于第二阶段结束（方案 三（一）（13））",
              f'=AND({{outsourcing_review_on}}<>"",{{outsourcing_review_on}}>{p2_end})'),
        ],
        "enforcement": [
            c(ERROR, "发现重大隐患但未挂牌督办或未明确督办责任人（方案 三（二）3（1））",
              '=AND({major_hazards}<>"",{major_hazards}>0,OR({listed}<>"是",{supervisor}=""))'),
            c(ERROR, "执法人员少于2人或未签名确认（方案 三（二）4（7）；行政处罚法第四十二条）",
              f'=OR({{signed}}="",{{signed}}="否",AND({{officers}}<>"",{one_name}))'),
            c(ERROR, "处罚由不具备执法主体资格的单位作出（行政处罚法第十八、二十四条）",
              f'=AND({station}<>"",NOT(OR({enforcers})),OR({penalties},{{fine_company}}>0,{{fine_head}}>0))'),
        ],
        "accidents": [
            c(ERROR, "未报告县应急管理局，或晚于负责人接报后1小时（生产安全事故报告和调查处理条例第九条）",
              f'=OR({{county_at}}="",{{county_at}}-IF({{head_informed_at}}<>"",{{head_informed_at}},{{occurred_at}})'
              f'>1/24+{_EPS})'),
            c(ERROR, "未报告镇政府，或晚于事故发生后1小时（方案 三（一）（2））",
              f'=OR({{town_at}}="",{{town_at}}-{{occurred_at}}>1/24+{_EPS})'),
        ],
    }
    fields = LEDGERS[ledger].fields
    return [chk for chk in checks.get(ledger, []) if all(f in fields for f in chk.fields)]


# -- the units --------------------------------------------------------------------------------
def read_registry(paths: Sequence[Path], campaign: Campaign) -> pd.DataFrame:
    """The registry (one row per enterprise, with its effective station) from a submission folder or
    files, or the registry file alone: only the 企业名录 among them is used."""
    for p in paths:
        if not p.exists():
            raise TemplateError(f"企业名录路径不存在：{p}")
    try:
        sub = read_submission([str(p) for p in paths], vocabulary())
    except InputError as exc:
        raise TemplateError(str(exc)) from exc
    if not any(t.ledger == "enterprises" for t in sub.tables):
        raise TemplateError("所给路径中没有企业名录（表头含“统一社会信用代码、企业名称、所属村、行业领域”的表）")
    reg = Resolution(campaign, load(sub, campaign)).registry
    return reg[reg["name"].notna()]


def _listed(reg: pd.DataFrame) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The enterprises of ``reg`` by name, as the dropdowns list them: (name, USCC) pairs, and the 行业领域 of each."""
    reg = reg.sort_values("name", kind="mergesort")
    return (tuple((str(n), "" if pd.isna(u) else str(u)) for n, u in zip(reg["name"], reg["uscc"])),
            tuple("" if pd.isna(i) else str(i) for i in reg["industry"]))


def _pairs(reg: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    return _listed(reg)[0]


def stations(campaign: Campaign) -> list[str]:
    """The stations of the industries table (the placeholder 其他站所 left out) and the lawful enforcers."""
    out: dict[str, None] = {}
    for ind in campaign.industries:
        for s in ind.stations:
            if s != PLACEHOLDER_STATION:
                out.setdefault(s)
    for e in campaign.enforcers:
        out.setdefault(e)
    return list(out)


def units(campaign: Campaign, registry: pd.DataFrame | None = None, village: str | None = None) -> list[Unit]:
    """Every submitting unit: the villages of the registry (or ``village``; without a registry and
    without ``village``, one village template with no name), the stations and enforcers, and the town."""
    town = campaign.town
    if registry is not None:
        villages = sorted(registry["village"].dropna().unique())
        if village is not None and (unknown := unknown_village(village, registry, campaign)):
            raise TemplateError(unknown)
    else:
        villages = [village] if village else [""]
    if village is not None:
        villages = [village]
    out = []
    ents: tuple[tuple[str, str], ...]
    for v in villages:
        ents, industries = _listed(registry[registry["village"] == v]) if registry is not None else ((), ())
        out.append(Unit(v or "村", "村", VILLAGE_LEDGERS, ents, (v,) if v else (), industries))
    if village is not None:
        return out
    for s in stations(campaign):
        if registry is None:
            ents = ()
        elif s in campaign.enforcers:
            ents = _pairs(registry)  # the enforcement team inspects every enterprise of the town
        else:
            ents = _pairs(registry[registry["station_eff"] == s])
        out.append(Unit(s, "站所", STATION_LEDGERS, ents, (s,)))
    ents = _pairs(registry) if registry is not None else ()
    out.append(Unit(town, "镇", TOWN_LEDGERS, ents, ("镇政府", "镇党委", town)))
    return out


# -- one workbook -----------------------------------------------------------------------------
def _rule_text(spec: Field) -> str:
    """The column's rule for its input message: 必填/选填, type, options and notes (no aliases)."""
    parts = [p for p in spec.description.rstrip("。").split("；") if not p.startswith("别名：")]
    return "；".join(parts) + "。"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _options(led: Ledger, spec: Field, campaign: Campaign) -> tuple[str, ...] | None:
    if led.name == "enterprises" and spec.name == "industry":
        return campaign.industry_names
    return spec.options


def _validation(led: Ledger, spec: Field, campaign: Campaign, unit: Unit, cell: str = "A3") -> dict:
    """The data validation of a column (with its input message); ``cell``: the column's first data cell,
    which a formula validation refers to."""
    day = example_day(campaign)
    title = _clip(spec.header, 32)
    message = _clip(_rule_text(spec), 255)
    base = {"input_title": title, "input_message": message, "error_title": _clip(f"“{spec.header}”填写有误", 32),
            "ignore_blank": True}
    kind = spec.kind
    options = _options(led, spec, campaign)
    if spec.name == "enterprise_name" and unit.enterprises:
        return {**base, "validate": "list", "source": "=企业名称", "error_type": "warning",
                "error_message": f"该企业不在本单位的企业名录中：请从下拉列表选择，名录有误请先报{campaign.office}"
                                 "更正企业名录。"}
    if spec.name == "enterprise_uscc" and unit.enterprises:
        return {**base, "validate": "list", "source": "=信用代码", "error_type": "warning",
                "error_message": "该信用代码不在本单位的企业名录中：请从下拉列表选择，或核对18位统一社会信用代码。"}
    if led.name == "meetings" and spec.name == "unit" and unit.meeting_units:
        return {**base, "validate": "list", "source": list(unit.meeting_units), "error_type": "warning",
                "error_message": f"单位一般填“{unit.meeting_units[0]}”。"}
    if kind == "choice" and options:
        return {**base, "validate": "list", "source": list(options), "error_type": "stop",
                "error_message": _clip("只能填：" + " / ".join(options) + "（请从下拉列表选择）。", 255)}
    if kind == "yesno":
        return {**base, "validate": "list", "source": [YES, NO], "error_type": "stop",
                "error_message": "只能填“是”或“否”（请从下拉列表选择）。"}
    if kind == "signature":
        return {**base, "validate": "list", "source": [YES, NO], "error_type": "information",
                "error_message": "填“是”“否”或签名人姓名；“否”或空白视为未签名。"}
    if kind == "list" and options:
        return {**base, "validate": "list", "source": list(options), "error_type": "information",
                "error_message": _clip("可填多项，以“、”分隔：" + " / ".join(options) + "。", 255)}
    if kind == "date" and spec.long_term:  # a date, or 长期 / 长期有效 / 9999-12-31 as the prompt says
        lo, hi = (f"DATE({d.year},{d.month},{d.day})" for d in (DATE_MIN, DATE_MAX))
        return {**base, "validate": "custom", "error_type": "stop",
                "value": f'=OR(AND(ISNUMBER({cell}),{cell}>={lo},{cell}<={hi}),{cell}=DATE(9999,12,31),'
                         f'{cell}="长期",{cell}="长期有效")',
                "error_message": f"请填写日期，如 {day}（1950年至2100年之间）；长期有效的填“长期”“长期有效”或 9999-12-31。"}
    if kind in ("date", "datetime"):
        what = "日期" if kind == "date" else "日期时间"
        example = day if kind == "date" else f"{day} 08:30"
        return {**base, "validate": "date", "criteria": "between", "minimum": DATE_MIN, "maximum": DATE_MAX,
                "error_type": "stop", "error_message": f"请填写{what}，如 {example}（1950年至2100年之间）。"}
    if kind == "int":
        return {**base, "validate": "integer", "criteria": ">=", "value": 0, "error_type": "stop",
                "error_message": "请填写不小于0的整数。"}
    if kind == "money":
        return {**base, "validate": "decimal", "criteria": ">=", "value": 0, "error_type": "stop",
                "error_message": f"请填写不小于0的金额（单位：{spec.unit or '元'}），只填数字。"}
    if kind == "code" and spec.format == "GB 32100-2015":
        return {**base, "validate": "length", "criteria": "==", "value": 18, "error_type": "stop",
                "error_message": "统一社会信用代码应为18位（数字和大写字母）。"}
    if kind == "code" and spec.format == "GB 11643-1999":
        return {**base, "validate": "length", "criteria": "==", "value": 18, "error_type": "stop",
                "error_message": "居民身份证号应为18位（末位可为X）。"}
    return {**base, "validate": "any"}


def _number_format(spec: Field) -> str:
    return {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "int": "0", "money": "0.00##"}.get(spec.kind, "@")


def _width(spec: Field) -> float:
    base = {"date": 13, "datetime": 18, "code": 22, "money": 12, "int": 10}.get(spec.kind, 14)
    if spec.name in ("enterprise_name", "description", "measures", "project", "party", "note", "topic", "basis"):
        base = 28
    return max(base, len(spec.header) * 2.1 + 2)


def _formula(chk: RowCheck, letters: dict[str, str], row: int) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"${letters[m.group(1)]}{row}", chk.formula)


def write_template(unit: Unit, campaign: Campaign, path: Path, rows: int = ROWS) -> Path:
    """One workbook for one unit: a sheet per ledger, the 填表说明 sheet and the dropdown values."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": f"{unit.name}台账模板", "subject": campaign.name, "comments": TEMPLATE_NOTES_MARK})
    fmt = _formats(wb)
    notes = wb.add_worksheet("填表说明")
    sheets = [(LEDGERS[n], _ledger_sheet(wb, fmt, LEDGERS[n], unit, campaign, rows)) for n in unit.ledgers]
    _notes_sheet(notes, fmt, unit, campaign, [led for led, _ in sheets], rows)
    if unit.enterprises:
        lists = wb.add_worksheet("可选值")
        lists.write(0, 0, TEMPLATE_LISTS_MARK)
        lists.write_row(1, 0, ["企业名称", "统一社会信用代码", "行业领域"], fmt["header"])
        for i, (name, uscc) in enumerate(unit.enterprises):
            lists.write_string(FIRST + i, 0, name)
            lists.write_string(FIRST + i, 1, uscc)
            if i < len(unit.industries):
                lists.write_string(FIRST + i, 2, unit.industries[i])
        last = FIRST + len(unit.enterprises)
        wb.define_name("企业名称", f"='可选值'!$A${FIRST + 1}:$A${last}")
        wb.define_name("信用代码", f"='可选值'!$B${FIRST + 1}:$B${last}")
        wb.define_name("企业行业", f"='可选值'!$C${FIRST + 1}:$C${last}")
        lists.set_column(0, 0, 36)
        lists.set_column(1, 2, 24)
        lists.hide()
    sheets[0][1].activate()
    wb.close()
    return path


def _formats(wb) -> dict:
    return {
        "title": wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "header": wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
                                 "border": 1, "bg_color": "#DDEBF7"}),
        "required": wb.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True,
                                   "border": 1, "bg_color": "#DDEBF7", "font_color": "#C00000"}),
        "error": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "warning": wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "bold": wb.add_format({"bold": True}),
        **{k: wb.add_format({"num_format": v}) for k, v in
           (("yyyy-mm-dd", "yyyy-mm-dd"), ("yyyy-mm-dd hh:mm", "yyyy-mm-dd hh:mm"), ("0", "0"), ("0.00##", "0.00##"),
            ("@", "@"))},
    }


def _ledger_sheet(wb, fmt: dict, led: Ledger, unit: Unit, campaign: Campaign, rows: int):
    ws = wb.add_worksheet(led.title)
    specs = list(led.fields.values())
    last_col = len(specs) - 1
    owner = f"{unit.name} " if unit.kind != "村" or unit.enterprises or unit.meeting_units else ""
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, f"{owner}{led.title}（{campaign.name}）", fmt["title"])
    ws.set_row(TITLE_ROW, 28)
    ws.set_row(HEADER_ROW, 32)
    end = FIRST + rows - 1
    letters = {}
    for j, spec in enumerate(specs):
        letters[spec.name] = xl_col_to_name(j)
        ws.write_string(HEADER_ROW, j, spec.header, fmt["required" if spec.required else "header"])
        ws.set_column(j, j, _width(spec), fmt[_number_format(spec)])
        ws.data_validation(FIRST, j, end, j, _validation(led, spec, campaign, unit, f"{xl_col_to_name(j)}{FIRST + 1}"))
    last = xl_col_to_name(last_col)
    for chk in row_checks(led.name, campaign, gb30871=unit.gb30871):
        body = _formula(chk, letters, FIRST + 1).lstrip("=")
        ws.conditional_format(FIRST, 0, end, last_col, {
            "type": "formula", "criteria": f"=AND(COUNTA($A{FIRST + 1}:${last}{FIRST + 1})>0,{body})",
            "format": fmt["error" if chk.severity == ERROR else "warning"], "stop_if_true": chk.severity == ERROR})
    ws.freeze_panes(FIRST, 0)
    ws.autofilter(HEADER_ROW, 0, HEADER_ROW, last_col)
    return ws


def _notes_sheet(ws, fmt: dict, unit: Unit, campaign: Campaign, ledgers: list[Ledger], rows: int) -> None:
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 8)
    ws.set_column(3, 3, 90, fmt["wrap"])
    ws.write(0, 0, TEMPLATE_NOTES_MARK, fmt["title"])
    who = {"村": "村", "站所": "站所", "镇": "镇"}[unit.kind]
    day = example_day(campaign)
    lines = [
        f"填报单位：{unit.name}（{who}）；方案：{campaign.name}（{campaign.document}）。",
        f"每种台账一张工作表，每条记录一行，从第{FIRST + 1}行起填写；请勿修改、删除第{HEADER_ROW + 1}行的表头，可以在表尾另加“填表人：”“审核人：”等行。",
        "红色表头的列必填。点击单元格会显示该列的填写要求；有下拉箭头的列请从列表中选择。",
        f"日期写作 {day}（日期时间写作 {day} 08:30）；是/否列只填“是”或“否”；金额、人数只填数字。",
        "统一社会信用代码、身份证号、联系电话、证书编号等列已设为文本格式，请照原样填写，不要改为数字格式（否则末几位会丢失）。",
        "整行变红：这一行本身已经违反方案或法规要求（见下方“整行变红/变黄的情形”），请核实后更正或补齐；"
        "整行变黄：记录不足以证明已落实（如未签名、未评估），请补齐。",
        f"企业名称、统一社会信用代码与镇企业名录一致，才能归属到企业；名录有误请先报{campaign.office}更正。",
        "填好后按原样报送本工作簿（可以改文件名）；核查工具会跳过本说明页和隐藏的下拉值页。",
    ]
    r = 2
    for i, line in enumerate(lines, 1):
        ws.merge_range(r, 0, r, 3, f"{i}. {line}", fmt["wrap"])
        ws.set_row(r, 32)
        r += 1
    r += 1
    ws.write_row(r, 0, ["工作表", "列", "必填", "填写要求"], fmt["header"])
    r += 1
    for led in ledgers:
        for spec in led.fields.values():
            ws.write_row(r, 0, [led.title, spec.header, "是" if spec.required else "", _rule_text(spec)])
            r += 1
    r += 1
    ws.write_row(r, 0, ["工作表", "整行变色", "", "整行变红/变黄的情形"], fmt["header"])
    r += 1
    for led in ledgers:
        for chk in row_checks(led.name, campaign, gb30871=unit.gb30871):
            ws.write_row(r, 0, [led.title, "红" if chk.severity == ERROR else "黄", "", chk.text])
            r += 1
    ws.freeze_panes(1, 0)


# -- every unit -------------------------------------------------------------------------------
def write_templates(out: Path, campaign: Campaign, registry: pd.DataFrame | None = None,
                    village: str | None = None, rows: int = ROWS) -> list[Path]:
    """One workbook per submitting unit into ``out``; the paths written. The workbooks are one set
    (:func:`~..writing.output_tree`): written into a temporary folder first, they replace together the
    templates an earlier run left in ``out`` (the files named …:data:`TEMPLATE_SUFFIX`), or, when the run
    fails or is stopped, leave them as they were. Only the workbooks of the same names are replaced: a file
    that merely ends in 台账模板.xlsx (a unit's returned template, renamed as the 填表说明 allows; a unit no
    longer in the registry) is not this run's to remove, and with ``village`` the other units' stay."""
    chosen = units(campaign, registry, village)
    mine = {u.file_name for u in chosen}
    with output_tree(out, lambda name: name in mine) as stage:
        for u in chosen:
            write_template(u, campaign, stage / u.file_name, rows)
            checkpoint("between-files")
    return [out / u.file_name for u in chosen]
