"""Generate the reference pages of the docs from the code, at build time.

On ``builder-inited`` this extension writes reStructuredText into ``docs/_generated/``
(gitignored), before Sphinx looks for documents:

- ``rules/index.rst`` and one page per rule of :data:`jicui_compliance.rules.REGISTRY`
  (metadata, the four docstring sections, message template, obligation, fixture cases);
- ``ledgers/index.rst`` and one page per ledger of :data:`jicui_compliance.ledgers.LEDGERS`;
- ``cli.rst`` from the typer app (``typer.main.get_command(app)``), so new commands appear;
- ``notebooks.rst``: a toctree of whatever ``../notebooks`` holds (possibly nothing);
- ``fragments/*.rst.inc``: tables that hand-written pages include (header aliases,
  the findings columns, the ``check`` options);
- ``jieba_dict.txt``: the plan's terms for the Chinese search index.

Files are rewritten only when their text changes (so incremental builds stay
incremental) and stale ones are removed. A rule whose docstring lacks one of the four
sections stops the build: the page would be incomplete, and the rule too.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.transforms import SphinxTransform

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
GENERATED = DOCS / "_generated"
CASES_DIR = ROOT / "tests" / "rules" / "cases"
SCHEMAS_DIR = ROOT / "schemas"
NOTEBOOKS_DIR = ROOT / "notebooks"

SECTIONS = ("依据", "规则说明", "违规示例", "合规示例")  # page order; the set is rules.base.DOC_SECTIONS

#: The areas of the rule catalogue, in RULEBOOK §5 order: (title, ID prefixes).
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("通用：表格、格式与企业引用", ("SCH", "FMT", "REF")),
    ("企业名录与落实情况表", ("ENT", "CHK")),
    ("重大事故隐患", ("HZ",)),
    ("主要负责人带队检查", ("HI",)),
    ("应急演练", ("DR",)),
    ("外包外租", ("OS",)),
    ("动火作业与特种作业人员", ("HW", "SW")),
    ("电气焊设备", ("EQ",)),
    ("培训与警示教育", ("TR",)),
    ("执法检查、事故报告与镇村履职", ("EN", "AC", "GV")),
    ("倒查", ("DC",)),
)
OTHER_AREA = "其他规则"

SEVERITY_CLASSES = {"错误": "error", "警告": "warning", "提示": "info"}

#: Plan terms the Chinese search must keep whole (jieba would cut 挂牌督办 into 挂牌 + 督办,
#: and the search box looks a query up as one term). Headers and titles are added from the code.
SEARCH_TERMS = (
    "重大事故隐患", "事故隐患", "隐患", "台账", "企业名录", "统一社会信用代码", "信用代码", "五落实", "闭环管理",
    "销号", "验收销号", "主要负责人", "带队检查", "第一责任人", "应急演练", "应急预案", "疏散逃生", "外包外租",
    "安全生产协议", "承包承租方", "动火作业", "监护人", "特种作业", "操作证", "复审", "挂牌督办", "一案双罚",
    "以罚代管", "罚而不管", "提请关闭", "站所", "牵头站所", "监管站所", "动员部署", "自查自改", "精准执法",
    "巩固提高", "周调度", "月小结", "季通报", "年总结", "现场督导", "警示教育", "全员培训", "高危行业",
    "核查截止日", "严重程度", "方案条款", "脱敏", "表头", "别名", "必填", "报送", "核查", "规则目录",
)


class GenerationError(RuntimeError):
    """The code cannot be documented as it stands (e.g. a rule docstring lacks a section)."""


# -- text helpers ----------------------------------------------------------------------------

_RST_SPECIAL = re.compile(r"([\\`*_|\[\]<>:])")
_LIST_START = re.compile(r"^(?:[-+*•‣⁃]\s|#\.|\.\.|>>>|\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+|#)[.)]\s)")


def esc(text: object) -> str:
    """Escape text for use inline in reStructuredText (any position, any table cell)."""
    return _RST_SPECIAL.sub(r"\\\1", str(text))


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80 or ch in "“”‘’…—"


def unwrap(text: str) -> list[str]:
    """Paragraphs of a docstring section, each joined into one line.

    Chinese has no spaces between words: a line break between two Chinese characters
    must not become a space in HTML, so lines are joined without one when either side
    is a wide character.
    """
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        if not lines:
            continue
        joined = lines[0]
        for ln in lines[1:]:
            joined += ("" if _wide(joined[-1]) or _wide(ln[0]) else " ") + ln
        out.append(joined)
    return out


def rst_paragraphs(text: str, indent: str = "") -> str:
    paras = []
    for p in unwrap(text):
        e = esc(p)
        if _LIST_START.match(p):
            e = "\\" + e  # not a list item: the text merely starts like one
        paras.append(indent + e)
    return "\n\n".join(paras)


def heading(title: str, char: str = "=") -> str:
    # East Asian characters are two columns wide: the underline must be at least as long
    width = sum(2 if _wide(c) else 1 for c in title)
    return f"{title}\n{char * max(width, 4)}\n"


def list_table(header: list[str], rows: Iterable[list[str]], *, widths: list[int] | None = None,
               cls: str | None = None, stub: int = 0) -> str:
    """A ``list-table``; cells are reST already (escape plain text with :func:`esc`)."""
    lines = [".. list-table::", "   :header-rows: 1" if header else "   :header-rows: 0"]
    if widths:
        lines.append("   :widths: " + " ".join(str(w) for w in widths))
    if cls:
        lines.append(f"   :class: {cls}")
    if stub:
        lines.append(f"   :stub-columns: {stub}")
    lines.append("")
    for row in ([header] if header else []) + list(rows):
        for j, cell in enumerate(row):
            cell = cell if cell not in (None, "") else "—"
            lines.append(("   * - " if j == 0 else "     - ") + cell)
    return "\n".join(lines) + "\n"


def sev(severity: str) -> str:
    return f":jicui-sev:`{severity}`"


# -- the campaign, for obligations in words ---------------------------------------------------

def _campaign():
    from jicui_compliance.campaign import load_campaign

    return load_campaign()


def obligation_text(ob, campaign=None) -> tuple[str, str]:
    """(who, when) of an :class:`~jicui_compliance.rules.base.Obligation`, in Chinese words."""
    from jicui_compliance.ledgers import LEDGERS

    campaign = campaign or _campaign()

    def ledger_title(name: str | None) -> str:
        return f"“{LEDGERS[name].title}”" if name in LEDGERS else f"“{name}”"

    who = ob.who
    if who == "enterprises":
        who_text = "企业名录中的每家企业"
    elif who == "high_risk":
        who_text = "每家高危企业（是否高危=是，或所属行业默认高危）"
    elif who == "villages":
        who_text = "企业名录中出现的每个村"
    elif who == "stations":
        who_text = "监管企业名录中至少一家企业的每个站所（方案所列行业的站所，“其他站所”除外）"
    elif who == "town":
        who_text = f"镇（{campaign.town}）"
    elif who.startswith("with:"):
        who_text = f"在{ledger_title(who[5:])}中有记录的企业"
    else:
        raise GenerationError(f"unknown Obligation.who {who!r}: teach docs/_ext/jicui_docs.py its words")

    when = ob.when
    if when == "months":
        months = campaign.head_inspection_months
        span = f"{months[0].label} 至 {months[-1].label}" if months else "（方案未列月份）"
        when_text = f"专项行动的每个月（{span}），当月最后一天到期"
    elif when == "drill_year":
        when_text = f"演练年度（{campaign.drill_year} 年），年末到期"
    elif when == "drill_halves":
        y = campaign.drill_year
        when_text = f"演练年度的每个半年（{y}-H1：1–6月，{y}-H2：7–12月），各半年最后一天到期"
    elif when == "year":
        when_text = f"专项行动年度（{campaign.end.year} 年），截至核查截止日"
    elif re.fullmatch(r"P\d", when):
        try:
            p = campaign.phase(when)
            when_text = f"{p.id}“{p.name}”阶段结束（{p.end.isoformat()}）前"
        except KeyError:
            when_text = f"{when} 阶段结束前"
    elif when == "as_of":
        when_text = "核查截止日当时的状态"
    elif when == "typical_accidents":
        when_text = ("方案文件所列的每起典型事故（只约束该事故涉及行业的企业，未列行业的约束全部企业），"
                     "事故日期与第一阶段最后一天中较晚者之后第 30 天到期")
    elif when == "records":
        if ob.ledger in LEDGERS:
            led = LEDGERS[ob.ledger]
            date = led.fields[ob.date].header if ob.date in led.fields else None
            when_text = f"{ledger_title(ob.ledger)}的每条记录" + (f"（按“{date}”计入阶段）" if date else "")
        else:
            when_text = "每条记录"
    else:
        raise GenerationError(f"unknown Obligation.when {when!r}: teach docs/_ext/jicui_docs.py its words")
    return who_text, when_text


# -- fixture cases ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    violating: bool
    expected: dict[str, int]


def fixture_cases(rule_id: str, cases_dir: Path = CASES_DIR) -> list[Case] | None:
    """The named cases of ``tests/rules/cases/<ID>.yml``; None when the file does not exist."""
    path = cases_dir / f"{rule_id}.yml"
    if not path.is_file():
        return None
    doc = yaml.safe_load(path.read_text("utf-8")) or {}
    rid = str(doc.get("rule") or rule_id)
    out = []
    for name, case in (doc.get("cases") or {}).items():
        expected: dict[str, int] = {}
        for item in (case or {}).get("expect") or []:
            r = str(item.get("rule", "")) if isinstance(item, dict) else ""
            expected[r] = expected.get(r, 0) + 1
        out.append(Case(str(name), rid in expected, expected))
    return out


# -- rule pages -------------------------------------------------------------------------------

def rule_sections(rule) -> dict[str, str]:
    """The rule's four docstring sections; :class:`GenerationError` when any is missing or empty."""
    from jicui_compliance.rules.base import DOC_SECTIONS

    found = rule.sections()
    missing = [s for s in DOC_SECTIONS if not found.get(s, "").strip()]
    if missing:
        raise GenerationError(
            f"rule {rule.id} ({rule.func.__module__}.{rule.func.__name__}): its docstring lacks the section(s) "
            + "、".join(missing) + "; every rule documents " + "、".join(DOC_SECTIONS)
            + " (see the developer guide, 新增一条规则)"
        )
    return found


def area_of(rule_id: str) -> str:
    prefix = re.match(r"[A-Z]+", rule_id).group(0)
    for title, prefixes in AREAS:
        if prefix in prefixes:
            return title
    return OTHER_AREA


def reads_text(reads: tuple[str, ...], link: bool = True) -> str:
    from jicui_compliance.ledgers import LEDGERS

    if not reads:
        return "（报送的文件与工作表本身）"
    if "*" in reads:
        return "所有台账"
    parts = []
    for name in reads:
        if name in LEDGERS:
            t = LEDGERS[name].title
            parts.append(f":ref:`{esc(t)} <ledger-{name}>`" if link else esc(t))
        else:
            parts.append(f"``{name}``")
    return "、".join(parts)


def render_rule_page(rule, *, cases_dir: Path = CASES_DIR, campaign=None) -> str:
    from jicui_compliance.rules.base import PARTY_LABELS

    sections = rule_sections(rule)
    meta = [
        ["规则编号", f"``{rule.id}``"],
        ["严重程度", sev(rule.severity)],
        ["判定对象", f"{PARTY_LABELS[rule.party]}（:ref:`判定对象说明 <rule-parties>`）"],
        ["方案条款", f"{esc(rule.listed_clause)}（:ref:`条款编号说明 <clause-refs>`）"],
        ["读取台账", reads_text(rule.reads)],
    ]
    if rule.obligation is not None:
        who, when = obligation_text(rule.obligation, campaign)
        meta.append(["义务对象", esc(who)])
        meta.append(["到期", esc(when)])
    meta.append(["实现", f"``{rule.func.__module__}.{rule.func.__name__}``"])
    out = [f".. _rule-{rule.id}:", "", heading(f"{rule.id} {rule.title}"),
           f".. meta::\n   :description: {esc(rule.id)} {esc(rule.title)}（{esc(rule.severity)}，方案 {esc(rule.shown_clause or rule.clause)}）\n",
           list_table([], meta, widths=[18, 82], cls="jicui-rule-meta", stub=1)]
    for name in SECTIONS:
        body = rst_paragraphs(sections[name])
        if name == "依据":
            body = ".. container:: jicui-basis\n\n" + rst_paragraphs(sections[name], indent="   ")
        elif name in ("违规示例", "合规示例"):
            cls = "jicui-bad" if name == "违规示例" else "jicui-good"
            body = f".. container:: {cls}\n\n" + rst_paragraphs(sections[name], indent="   ")
        out += [heading(name, "-"), body, ""]
    out += [heading("提示语模板", "-"),
            "核查发现的“说明”（message）列由此模板生成，花括号中的变量按每条发现填入：", "",
            ".. code-block:: text", "   :class: jicui-template", "", "   " + rule.message.replace("\n", "\n   "), ""]
    cases = fixture_cases(rule.id, cases_dir)
    out.append(heading("测试样例", "-"))
    if cases is None:
        out.append(f"``tests/rules/cases/{rule.id}.yml`` 尚不存在：这条规则还没有按样例文件测试。\n")
    elif not cases:
        out.append(f"``tests/rules/cases/{rule.id}.yml`` 中没有样例。\n")
    else:
        n_bad = sum(c.violating for c in cases)
        out.append(f"``tests/rules/cases/{rule.id}.yml`` 中的 {len(cases)} 个样例（违规 {n_bad} 个，"
                   f"合规 {len(cases) - n_bad} 个），由 ``tests/rules/test_cases.py`` 逐个运行。"
                   f"“违规”表示样例预期产生 {rule.id} 的发现；“预期发现”列出样例预期的全部发现。\n")
        rows = []
        for c in cases:
            exp = "，".join(f"{esc(r)} ×{n}" for r, n in c.expected.items()) or "无"
            rows.append([f"``{c.name}``", "违规" if c.violating else "合规", exp])
        out.append(list_table(["样例", "类型", "预期发现"], rows, widths=[55, 10, 35], cls="jicui-cases"))
    return "\n".join(out).rstrip() + "\n"


def ordered_rules(registry: dict) -> list[tuple[str, list]]:
    groups: dict[str, list] = {title: [] for title, _ in AREAS}
    groups[OTHER_AREA] = []
    for rid in sorted(registry):
        groups[area_of(rid)].append(registry[rid])
    return [(t, rs) for t, rs in groups.items() if rs]


def render_rules_index(registry: dict) -> str:
    from jicui_compliance.rules.base import PARTY_LABELS, SEVERITIES

    counts = {s: sum(r.severity == s for r in registry.values()) for s in SEVERITIES}
    groups = ordered_rules(registry)
    out = [".. _rule-catalogue:", "", heading("规则目录"),
           f"本工具共有 {len(registry)} 条规则（" + "，".join(f"{sev(s)} {n} 条" for s, n in counts.items())
           + "）。每条规则有稳定的编号，核查发现（``findings.csv``）的“规则编号”列就是它；"
           "用 ``jicui check --select``/``--ignore`` 按编号或前缀选择规则，用 ``jicui rules 编号`` 在命令行查看说明。"
           "本目录和每条规则的页面都在构建文档时由代码中的规则注册表（``REGISTRY``）和规则函数的文档字符串生成，"
           "与程序不会不一致。", "",
           heading("严重程度", "-"),
           list_table(["严重程度", "含义"], [
               [sev("错误"), "违反方案要求"],
               [sev("警告"), "可能违反方案，或记录不足以证明已落实"],
               [sev("提示"), "供分析人员参考的信息"],
           ], widths=[20, 80]), "",
           ".. _rule-parties:", "", heading("判定对象", "-"),
           "每条规则都声明它的发现说的是谁，名单和函件据此生成：", "",
           list_table(["对象", "含义", "发现会进入"], [
               [PARTY_LABELS["enterprise"], "企业未落实方案要求（E 条款）", "“四个一批”建议名单、隐患整改通知书"],
               [PARTY_LABELS["station"], "监管或执法站所做了或没做的事（D 条款）", "给站所的提醒函、督办函；从不让企业进入“四个一批”"],
               [PARTY_LABELS["village"], "村的属地责任", "给村的提醒函、督办函；从不让企业进入“四个一批”"],
               [PARTY_LABELS["town"], "镇党委政府自身的工作（G 条款）", "年总结的“存在问题”"],
               [PARTY_LABELS["record"], "台账本身填得不对，并不说明谁违反了方案", "报送单位的退回重报清单；从不让任何人进入名单"],
           ], widths=[12, 44, 44]), "",
           ".. _clause-refs:", "", heading("条款编号", "-"),
           "“方案条款”一列引用《积翠镇重大事故隐患专项排查整治2023行动实施方案》（方积政发〔2023〕11号）的条目：", "",
           list_table(["编号", "方案中的位置"], [
               ["E(1)…E(15)", "三、工作内容（一），企业主体责任第 (1)–(15) 项"],
               ["D1、D2、D3(1)…D3(6)、D4(7)、D4(8)", "三（二），部门监管；D3 为“加大执法查处力度”，D4 为“倒查机制”"],
               ["G1…G5", "三（三），镇党委政府属地责任"],
               ["P1…P4", "四、阶段安排的四个阶段"],
               ["S3", "五（三），周调度、月小结、季通报、年总结"],
               [esc("三(二)4（即方案 一(二)4）"), "行业领域的牵头站所（ENT001）。规则目录沿用编号 三(二)4，但方案的三（二）4 是"
                "“建立倒查机制严格问责问效”，牵头站所写在一（二）4“细化责任落实”：提示语、文书和报告都引用方案一（二）4"],
               [esc("EXT:…"), "方案依托但未写明的国家规定或标准（写明出处）"],
               ["—", "台账填报规范本身（表头、格式、引用），不对应方案条目"],
           ], widths=[35, 65]), ""]
    for title, rules in groups:
        prefixes = sorted({r.area for r in rules})
        out.append(heading(f"{title}（{' / '.join(prefixes)}）", "-"))
        rows = [[f":ref:`{r.id} <rule-{r.id}>`", sev(r.severity), PARTY_LABELS[r.party], esc(r.listed_clause), esc(r.title),
                 reads_text(r.reads)] for r in rules]
        out.append(list_table(["编号", "严重程度", "对象", "条款", "名称", "读取台账"], rows,
                              widths=[10, 8, 7, 17, 35, 23], cls="jicui-rule-table"))
        out.append("")
    out += [".. toctree::", "   :hidden:", "   :maxdepth: 1", ""]
    out += [f"   {r.id}" for _, rules in groups for r in rules]
    return "\n".join(out).rstrip() + "\n"


# -- ledger pages -----------------------------------------------------------------------------

_SHOWN_PARTS = ("别名：", "类型：", "必填", "选填", "可选值：")


def field_type(f) -> str:
    from jicui_compliance.ledgers import KIND_LABELS

    label = KIND_LABELS[f.kind] + (f"（{f.unit}）" if f.unit else "")
    return label + (f"，{f.format}" if f.format else "")


def field_notes(f) -> str:
    """What the description says beyond alias, type, required and options."""
    parts = [p for p in f.description.rstrip("。").split("；") if p and not p.startswith(_SHOWN_PARTS)]
    return "；".join(parts)


def field_options(f, campaign=None) -> str:
    if f.options:
        return " / ".join(f.options)
    if f.kind == "choice" and f.name == "industry":
        campaign = campaign or _campaign()
        return " / ".join(campaign.industry_names) + "（默认方案文件）"
    return ""


def render_ledger_page(led, registry: dict, campaign=None, schema_link: str | None = None) -> str:
    fields = list(led.fields.values())
    out = [f".. _ledger-{led.name}:", "", heading(f"{led.title}（{led.name}）"), esc(led.description), ""]
    facts = [["台账名", f"``{led.name}``"],
             ["Python 模型", f"``{led.model.__module__}.{led.model.__name__}``"]]
    if led.date_field:
        facts.append(["记录日期", f"“{esc(led.fields[led.date_field].header)}”（``{led.date_field}``）"])
    if led.unique_within_enterprise:
        facts.append(["同一企业内不得重复",
                      "、".join(f"“{esc(led.fields[u].header)}”" for u in led.unique_within_enterprise)])
    if led.refers_to_enterprise:
        facts.append(["企业", "“统一社会信用代码”与“企业名称”至少填一项，按企业名录查找企业（REF001、REF002）"])
    required = [f"“{esc(f.header)}”" for f in fields if f.required]
    facts.append(["必填列", "、".join(required) or "无"])
    if schema_link:
        facts.append(["字段定义文件", schema_link])
    out += [list_table([], facts, widths=[22, 78], cls="jicui-ledger-meta", stub=1), ""]
    out.append(heading("字段", "-"))
    out.append("表头在去掉空格、换行并把全角字符折成半角后与“中文表头”或任一“别名”相同即可识别；"
               "工作表按匹配的列数识别为某一种台账（至少 3 列）。\n")
    rows = [[f"``{f.name}``", esc(f.header), "、".join(esc(a) for a in f.aliases), esc(field_type(f)),
             "是" if f.required else "否", esc(field_options(f, campaign)), esc(field_notes(f))]
            for f in fields]
    out.append(list_table(["字段", "中文表头", "别名", "类型", "必填", "可选值", "说明"], rows,
                          widths=[13, 13, 16, 12, 6, 18, 22], cls="jicui-fields"))
    readers = [r for rid, r in sorted(registry.items()) if led.name in r.reads]
    out.append(heading("核查本台账的规则", "-"))
    if readers:
        out.append("除通用规则（SCH、FMT、REF，适用于所有台账）外，以下规则读取本台账：\n")
        out.append(list_table(["编号", "严重程度", "名称"],
                              [[f":ref:`{r.id} <rule-{r.id}>`", sev(r.severity), esc(r.title)] for r in readers],
                              widths=[15, 15, 70]))
    else:
        out.append("只有通用规则（SCH、FMT、REF）核查本台账。\n")
    return "\n".join(out).rstrip() + "\n"


def render_ledgers_index(ledgers: dict) -> str:
    out = [".. _ledger-reference:", "", heading("台账参考"),
           "一份报送是一个文件夹（或若干文件）中的 ``.xlsx``/``.xls``/``.csv`` 文件；每个工作表按表头识别为下列台账之一，"
           "与文件名、工作表名无关。每种台账的字段（中文表头、可接受的别名、类型、是否必填、可选值）在构建文档时"
           "由 ``jicui_compliance/ledgers/`` 中的 pandera 模型生成；同样的定义导出在仓库的 ``schemas/<台账名>.yaml``。", "",
           list_table(["台账", "台账名", "说明", "字段数"],
                      [[f":ref:`{esc(l.title)} <ledger-{n}>`", f"``{n}``", esc(l.description), str(len(l.fields))]
                       for n, l in ledgers.items()], widths=[24, 16, 50, 10]),
           "", ".. toctree::", "   :hidden:", "   :maxdepth: 1", ""]
    out += [f"   {n}" for n in ledgers]
    return "\n".join(out).rstrip() + "\n"


# -- fragments for hand-written pages ------------------------------------------------------------

def render_aliases_fragment(ledgers: dict) -> str:
    out = []
    for n, led in ledgers.items():
        out.append(f".. rubric:: {esc(led.title)}（``{n}``）\n")
        rows = [[esc(f.header) + (" \\*" if f.required else ""), "、".join(esc(a) for a in f.aliases),
                 esc(field_type(f))] for f in led.fields.values()]
        out.append(list_table(["中文表头", "也接受的别名", "类型"], rows, widths=[28, 46, 26], cls="jicui-aliases"))
        out.append(f"完整说明见 :ref:`ledger-{n}`。\n")
    return "\n".join(out)


def render_campaign_fragment() -> str:
    """The campaign file's keys, from the schema its loading checks (jicui_compliance.campaign.schema)."""
    from jicui_compliance.campaign.schema import schema_rows

    rows = [[f"``{key}``".replace(" 的 ", "`` 的 ``"), esc(kind), esc(needed), esc(doc)] for key, kind, needed, doc in schema_rows()]
    return list_table(["键", "类型", "必填", "含义"], rows, widths=[34, 12, 12, 42], cls="jicui-columns")


def render_findings_fragment() -> str:
    from jicui_compliance.findings.schema import COLUMNS, TITLES

    notes = {
        "rule_id": "规则编号，见 :ref:`rule-catalogue`",
        "severity": "错误 / 警告 / 提示",
        "clause": "方案条款，见 :ref:`clause-refs`",
        "ledger": "台账名（英文，如 ``hazards``），见 :ref:`ledger-reference`",
        "enterprise_uscc": "企业名录中的信用代码（按名录归属，不是原行所填）",
        "enterprise_name": "企业名录中的企业名称",
        "village": "企业名录中的所属村；GV001 为村名，GV003 为站所名，GV002、GV004、GV005 为镇名",
        "station": "企业名录中的监管站所，空白时为所属行业的牵头站所",
        "period": "覆盖类规则的期间：``YYYY-MM``、``YYYY-H1``/``YYYY-H2``、``YYYY`` 或 ``P1``…``P4``；逐行规则为空",
        "source_file": "相对报送根目录的文件路径；期间类发现为空",
        "source_sheet": "工作表名；CSV 为空",
        "source_row": "Excel 中看到的行号（从 1 起，含标题行）；CSV 为文件中的行号",
        "column": "工作表中所写的表头",
        "value": "单元格的值（身份证号、电话号码已脱敏）",
        "message": "中文说明：错在哪里、方案要求什么、怎么改",
    }
    rows = [[str(i), f"``{c}``", esc(TITLES.get(c, "")), notes.get(c, "")] for i, c in enumerate(COLUMNS, 1)]
    return list_table(["序", "列名", "中文名", "含义"], rows, widths=[5, 20, 17, 58], cls="jicui-columns")


# -- the command line -------------------------------------------------------------------------

def _contexts(group):
    ctx_cls = getattr(group, "context_class", None)
    if ctx_cls is None:  # plain click
        import click

        ctx_cls = click.Context
    return ctx_cls


def cli_commands(app, prog: str = "jicui"):
    """Yield (path, command, context) for every visible command of the typer app, depth first."""
    import typer

    group = typer.main.get_command(app)
    root = _contexts(group)(group, info_name=prog)

    def walk(cmd, ctx, path):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is None or getattr(sub, "hidden", False):
                continue
            sub_ctx = _contexts(sub)(sub, info_name=name, parent=ctx)
            yield (*path, name), sub, sub_ctx
            if hasattr(sub, "list_commands"):
                yield from walk(sub, sub_ctx, (*path, name))

    if not hasattr(group, "list_commands"):  # an app with a single command
        return group, root, [((prog,), group, root)]
    return group, root, list(walk(group, root, (prog,)))


def _param_rows(cmd, ctx) -> list[list[str]]:
    rows = []
    for p in cmd.get_params(ctx):
        if getattr(p, "hidden", False) or p.name == "help":
            continue
        is_arg = type(p).__name__.endswith("Argument") or getattr(p, "param_type_name", "") == "argument"
        record = p.get_help_record(ctx) or (p.name, "")
        spec = record[0]
        help_text = getattr(p, "help", None) or ""
        default = p.default
        extra = []
        if getattr(p, "multiple", False) or (is_arg and p.nargs == -1):
            extra.append("可重复" if not is_arg else "可给多个")
        choices = getattr(getattr(p, "type", None), "choices", None)
        if choices:
            extra.append("可选：" + " / ".join(map(str, choices)))
        rows.append([
            f"``{spec}``",
            "参数" if is_arg else "选项",
            "是" if p.required else "否",
            f"``{default}``" if default not in (None, (), [], False) and not callable(default) else "—",
            esc(help_text) + ("（" + "；".join(esc(x) for x in extra) + "）" if extra else ""),
        ])
    return rows


def render_cli_page(app, prog: str = "jicui") -> str:
    group, root, commands = cli_commands(app, prog)
    out = [".. _cli-reference:", "", heading("命令行参考"),
           esc(group.help or ""), "",
           f"本页在构建文档时由命令行程序本身（typer 应用 ``jicui_compliance.cli.app``）生成，新增的命令和选项会自动出现。"
           f"``{prog} 命令 --help`` 在终端显示同样的说明；``python -m jicui_compliance`` 与 ``{prog}`` 相同。", "",
           ".. code-block:: text", "", "   " + group.get_usage(root), ""]
    for path, cmd, ctx in commands:
        name = " ".join(path)
        out += [f".. _cli-{'-'.join(path[1:])}:", "", heading(name, "-"), esc(cmd.help or cmd.get_short_help_str(200) or ""), "",
                ".. code-block:: text", "", "   " + cmd.get_usage(ctx), ""]
        rows = _param_rows(cmd, ctx)
        if rows:
            out.append(list_table(["参数或选项", "种类", "必填", "默认值", "说明"], rows,
                                  widths=[24, 8, 7, 11, 50], cls="jicui-cli"))
        if cmd.epilog:
            out += [esc(cmd.epilog), ""]
    return "\n".join(out).rstrip() + "\n"


def render_check_options_fragment(app, prog: str = "jicui", command: str = "check") -> str:
    _, _, commands = cli_commands(app, prog)
    for path, cmd, ctx in commands:
        if path[-1] == command:
            return list_table(["参数或选项", "种类", "必填", "默认值", "说明"], _param_rows(cmd, ctx),
                              widths=[24, 8, 7, 11, 50], cls="jicui-cli")
    raise GenerationError(f"the CLI has no command {command!r}")


# -- notebooks --------------------------------------------------------------------------------

NOTEBOOK_SUFFIXES = (".ipynb", ".md")


def render_obligations_fragment(registry: dict, campaign=None) -> str:
    """The obligations the phase analysis counts: one row per rule that declares one."""
    rows = []
    for _, rules in ordered_rules(registry):
        for r in rules:
            if r.obligation is None:
                continue
            who, when = obligation_text(r.obligation, campaign)
            rows.append([f":doc:`{r.id} </_generated/rules/{r.id}>`", esc(r.title), esc(who), esc(when)])
    return list_table(["规则", "规则名称", "义务对象", "期间"], rows, widths=[10, 30, 25, 35])


def render_four_lists_fragment() -> str:
    """The 四个一批 proposals (who decides, basis, criterion), the letters and 退回重报, from the code."""
    from jicui_compliance.analysis.rankings import LETTER_BASIS, LETTER_DECIDES, NO_HISTORY, PROPOSAL_LISTS

    table = list_table(["名单", "决定机关", "决定依据", "列入条件（一家企业只列入最严重的一个名单）"],
                       [[esc(p.name), esc(p.decides), esc(p.basis), esc(p.criterion)] for p in PROPOSAL_LISTS],
                       widths=[12, 18, 30, 40])
    letters = (f"提醒函、督办函由{esc(LETTER_DECIDES)}决定（{esc(LETTER_BASIS)}）：村、站所有其履职方面违反方案要求的问题（判定其履职的“错误”级核查发现），"
               "或所属企业已到期义务履行率在各村（各站所）中最低的，建议下达提醒函（履行率只计判定企业自身的规则的义务，"
               "站所、村的履职问题和台账填报问题不计入）；上期报告已有提醒函、本期仍有条件的，"
               f"建议下达督办函（``a.letters(previous=上期名单)``；不给上期名单时注明“{esc(NO_HISTORY)}”）。"
               "单位名称去掉空格、全角折半角后比较，执法单位前冠以本镇镇名或“镇”的写法视为同一单位，主送按方案文件和企业名录的写法；"
               "一格写了几个单位的，各单位分别列入；占位的“其他站所”不发函，也不参加履行率最低的比较。"
               "台账记录本身有误（规则对象为“台账记录”）的文件列入退回重报名单（``a.resubmissions()``），"
               "退回报送该文件的村或站所。")
    return table + "\n" + letters + "\n"


def link_notebooks(target: Path, source: Path = NOTEBOOKS_DIR) -> list[str]:
    """Make ``target`` show the notebooks folder; return the document names found there.

    A directory symlink keeps a notebook's working directory its real folder when myst-nb
    executes it (relative paths such as ``../data/samples`` keep working); where symlinks
    cannot be made (Windows without the privilege) the notebooks are copied.
    """
    docs = []
    if source.is_dir():
        docs = sorted(p.relative_to(source) for p in source.rglob("*")
                      if p.suffix in NOTEBOOK_SUFFIXES and p.is_file()
                      and not any(part.startswith((".", "_")) for part in p.relative_to(source).parts))
    link = os.path.relpath(source, target.parent)
    if docs and target.is_symlink() and os.readlink(target) == link:
        return [p.with_suffix("").as_posix() for p in docs]  # already in place
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    if not docs:
        return []
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.symlink_to(link, target_is_directory=True)
    except OSError:
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*", "_*"))
    return [p.with_suffix("").as_posix() for p in docs]


def render_notebooks_page(docs: list[str]) -> str:
    out = [".. _notebooks:", "", heading("分析笔记本"),
           "仓库 ``notebooks/`` 中的笔记本；构建文档时由 myst-nb 执行（见 :ref:`dev-docs`），输出随页面发布。", ""]
    if not docs:
        out.append("``notebooks/`` 中暂无笔记本。把 ``.ipynb`` 放进该文件夹，下次构建文档时就会出现在这里。\n")
        return "\n".join(out)
    out += [".. toctree::", "   :maxdepth: 1", ""] + [f"   nb/{d}" for d in docs]
    return "\n".join(out) + "\n"


def quickstart_doc(docs: list[str]) -> str | None:
    for d in docs:
        stem = d.rsplit("/", 1)[-1].lower()
        if "quick" in stem or "快速" in stem or "start" in stem:
            return d
    return docs[0] if docs else None


def render_quickstart_fragment(docs: list[str]) -> str:
    qs = quickstart_doc(docs)
    if qs is None:
        return (".. note::\n\n   快速上手笔记本（``notebooks/`` 中的第一个笔记本）尚未加入仓库；加入后此处自动链接到它，"
                "它也会出现在下方的笔记本目录中。\n")
    return f".. tip::\n\n   打开快速上手笔记本：:doc:`/_generated/nb/{qs}`。\n"


# -- the search dictionary --------------------------------------------------------------------

def render_jieba_dict(ledgers: dict, registry: dict) -> str:
    words = dict.fromkeys(SEARCH_TERMS)
    han = re.compile(r"^[\u4e00-\u9fff]{2,}$")
    for led in ledgers.values():
        for w in (led.title, *(h for f in led.fields.values() for h in f.headers)):
            if han.match(w):
                words.setdefault(w)
    for r in registry.values():
        if han.match(r.title):
            words.setdefault(r.title)
    return "".join(f"{w} 100000 n\n" for w in words)


# -- writing ----------------------------------------------------------------------------------

class _Writer:
    def __init__(self, root: Path):
        self.root = root
        self.written: set[Path] = set()

    def __call__(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
        self.written.add(path)
        return path

    def prune(self, keep: Iterable[Path] = ()) -> None:
        keep = set(keep)
        for path in sorted(self.root.rglob("*"), reverse=True):
            if any(k == path or k in path.parents for k in keep):
                continue
            if path.is_symlink() or path.is_file():
                if path not in self.written:
                    path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def generate(out: Path = GENERATED, *, registry: dict | None = None, ledgers: dict | None = None,
             app=None, cases_dir: Path = CASES_DIR, notebooks: Path | None = NOTEBOOKS_DIR) -> list[Path]:
    """Write every generated page under ``out``; return the paths written."""
    from jicui_compliance.ledgers import LEDGERS
    from jicui_compliance.ledgers.export import schema_yaml
    from jicui_compliance.rules import REGISTRY

    registry = REGISTRY if registry is None else registry
    ledgers = LEDGERS if ledgers is None else ledgers
    if app is None:
        from jicui_compliance.cli import app
    campaign = _campaign()
    out.mkdir(parents=True, exist_ok=True)
    write = _Writer(out)

    errors = []
    for rid, r in sorted(registry.items()):
        try:
            write(f"rules/{rid}.rst", render_rule_page(r, cases_dir=cases_dir, campaign=campaign))
        except GenerationError as exc:
            errors.append(str(exc))
    if errors:
        raise GenerationError("\n".join(errors))
    write("rules/index.rst", render_rules_index(registry))

    for name, led in ledgers.items():
        committed = SCHEMAS_DIR / f"{name}.yaml"
        if committed.is_file():
            target = os.path.relpath(committed, out / "ledgers").replace(os.sep, "/")
            link = f":download:`schemas/{name}.yaml <{target}>`\\ （由 ``make schemas`` 从模型导出）"
        else:  # a checkout without schemas/: export it here so the link still works
            write(f"schemas/{name}.yaml", schema_yaml(name))
            link = f":download:`{name}.yaml <../schemas/{name}.yaml>`\\ （由模型导出）"
        write(f"ledgers/{name}.rst", render_ledger_page(led, registry, campaign, link))
    write("ledgers/index.rst", render_ledgers_index(ledgers))

    write("cli.rst", render_cli_page(app))
    write("fragments/check_options.rst.inc", render_check_options_fragment(app))
    write("fragments/aliases.rst.inc", render_aliases_fragment(ledgers))
    write("fragments/findings_columns.rst.inc", render_findings_fragment())
    write("fragments/campaign_keys.rst.inc", render_campaign_fragment())
    write("fragments/report_options.rst.inc", render_check_options_fragment(app, command="report"))
    write("fragments/obligations.rst.inc", render_obligations_fragment(registry, campaign))
    write("fragments/four_lists.rst.inc", render_four_lists_fragment())

    nb_docs = link_notebooks(out / "nb", notebooks) if notebooks is not None else []
    write("notebooks.rst", render_notebooks_page(nb_docs))
    write("fragments/quickstart.rst.inc", render_quickstart_fragment(nb_docs))
    write("jieba_dict.txt", render_jieba_dict(ledgers, registry))
    write.prune(keep=[out / "nb"])
    return sorted(write.written)


# -- Sphinx -----------------------------------------------------------------------------------

class JoinChineseLines(SphinxTransform):
    """Drop the line breaks of wrapped source lines next to Chinese text.

    A soft line break becomes a space in HTML; between two Chinese characters (or after a
    full-width comma) that space is a visible gap. Markdown pages are wrapped at ~110
    columns, so every paragraph would have a few. Code, literals and math are left alone.
    """

    default_priority = 700
    _KEEP = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.comment, nodes.math)

    def apply(self, **kwargs) -> None:
        for node in list(self.document.findall(nodes.Text)):
            text = str(node)
            if "\n" not in text or self._kept(node):
                continue
            out = []
            for i, ch in enumerate(text):
                if ch == "\n":
                    before = text[i - 1] if i > 0 else self._neighbour(node, -1)
                    after = text[i + 1] if i + 1 < len(text) else self._neighbour(node, 1)
                    if (before and _wide(before)) or (after and _wide(after)):
                        continue
                out.append(ch)
            new = "".join(out)
            if new != text:
                node.parent.replace(node, nodes.Text(new))

    def _kept(self, node) -> bool:
        p = node.parent
        while p is not None:
            if isinstance(p, self._KEEP):
                return True
            p = p.parent
        return False

    @staticmethod
    def _neighbour(node, step: int) -> str:
        parent = node.parent
        i = parent.index(node) + step
        if 0 <= i < len(parent):
            t = parent[i].astext()
            return t[-1:] if step < 0 else t[:1]
        return ""


def severity_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    cls = SEVERITY_CLASSES.get(text.strip(), "other")
    return [nodes.inline(rawtext, text, classes=["jicui-sev", f"jicui-sev-{cls}"])], []


def _on_builder_inited(app) -> None:
    from sphinx.errors import ExtensionError

    try:
        written = generate(Path(app.srcdir) / "_generated")
    except GenerationError as exc:
        raise ExtensionError(f"jicui_docs: cannot generate the reference pages:\n{exc}") from exc
    from sphinx.util import logging

    logging.getLogger(__name__).info(f"jicui_docs: {len(written)} generated files in _generated/")


def _fix_chinese_search_stemmer(app) -> None:
    """Make the browser side of the zh search run on Sphinx 9.0.

    Sphinx 9.0 names the JavaScript stemmer after ``language_name`` (``ChineseStemmer``), but
    the zh search ships the English stemmer (it stems the Latin words only), so the search
    page dies with "ChineseStemmer is not defined" (sphinx-doc/sphinx#14229, fixed upstream by
    deriving the name from the stemmer file). Naming the language after its stemmer file gives
    ``window.Stemmer = EnglishStemmer`` on every version; only a log line changes.
    """
    from sphinx.search.zh import SearchChinese

    stemmer = (SearchChinese.js_stemmer_rawcode or "").removesuffix("-stemmer.js").capitalize()
    if stemmer and SearchChinese.language_name != stemmer:
        fixed = type("SearchChinese", (SearchChinese,), {"language_name": stemmer, "__module__": __name__})
        app.add_search_language(fixed)


def setup(app):
    _fix_chinese_search_stemmer(app)
    app.add_role("jicui-sev", severity_role)
    app.add_transform(JoinChineseLines)
    app.connect("builder-inited", _on_builder_inited)
    # env_version: bump when a transform changes, so that cached doctrees are read again
    return {"version": "1", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
