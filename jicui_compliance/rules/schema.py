"""SCH: whether a submission can be read as the ledgers of RULEBOOK §4."""

from __future__ import annotations

from functools import cache

import pandas as pd

from ..ledgers import LEDGERS, vocabulary
from ..ledgers.base import ENTERPRISE_REF
from ..ledgers.enforcement import hazard_key
from ..reading.tables import HeaderIndex
from .base import ERROR, INFO, WARNING, Party, hits, no_hits, rule
from .context import Context, merge_few
from .enforcement import hazard_keys

_HOW = "请按台账填报规范（表头、必填项、格式）修改后重新报送"


@rule("SCH000", WARNING, "—", party=Party.RECORD, reads=(), title="文件或工作表不是可识别的台账",
      message="{where}未纳入核查：{reason}")
def unrecognised_sheet(ctx: Context) -> pd.DataFrame:
    """规则说明：报送的文件或工作表无法作为任何一种台账读取：不是工作簿（.xlsx、.xls、.xlsm、.xlsb、.ods）或 .csv 文件（WPS 表格的 .et 文件请用 WPS 另存为 .xlsx）、文件损坏或为空、
    CSV 编码无法识别，或表头匹配到的已知列名少于 3 个、同时符合两种台账。这样的文件不会被静默跳过，
    而是逐个列出原因，便于退回报送单位。完全空白的工作表（如默认的 Sheet2）和 Excel 临时锁文件（~$ 开头）不报告。
    本工具自己生成的核查结果（findings.csv、findings.xlsx）和报告工作簿（周调度表、月小结、季通报、年总结）
    放进了输入目录时，按内容（结果表的表头、报告的工作表）认出，整个文件跳过并报告一次，不当作台账读取，
    即使文件已改名。

    依据：台账填报规范：每个工作表按表头识别为一种台账。

    违规示例：提交了扫描件“隐患整改照片.pdf”；或一个工作表的表头是“序号、姓名、备注”，不属于任何台账；
    或把上次核查输出的 findings.csv 一并放进了报送目录。

    合规示例：工作表表头含“统一社会信用代码、隐患描述、发现日期、发现方式…”，识别为重大事故隐患台账。
    """
    problems = ctx.submission.problems if ctx.submission else []
    if not problems:
        return no_hits()
    return hits(
        source_file=[p.file for p in problems],
        source_sheet=[p.sheet for p in problems],
        where=[f"“{p.file}”" + (f"的工作表“{p.sheet}”" if p.sheet else "") for p in problems],
        reason=[_titled(p.reason, p.tied) for p in problems],
    )


def _titled(reason: str, ledgers: tuple[str, ...]) -> str:
    """``reason`` with the keys of ``ledgers`` it names replaced by their Chinese titles."""
    for key in sorted(ledgers, key=len, reverse=True):
        reason = reason.replace(key, LEDGERS[key].title)
    return reason


@rule("SCH001", ERROR, "—", party=Party.RECORD, reads=("*",), title="工作表缺少必填列",
      message="{ledger_title}缺少必填列{detail}{consequence}；" + _HOW)
def missing_required_column(ctx: Context) -> pd.DataFrame:
    """规则说明：工作表已识别为某种台账，但缺少该台账的必填列（如隐患台账没有“发现日期”列）。
    缺少企业标识列（“统一社会信用代码”和“企业名称”都没有）的工作表无法把记录归到企业，整表不纳入核查；
    缺少其他必填列时，其余各列照常核查，缺失列不再逐行报“必填项为空”。

    依据：台账填报规范：带 * 的列为必填列。

    违规示例：主要负责人带队检查记录只有“企业名称、检查日期、带队负责人”，缺“发现隐患数”列。

    合规示例：表头含全部必填列：企业名称、检查日期、带队负责人、发现隐患数。
    """
    iss = ctx.ledgers.issues
    iss = iss[iss["rule_id"] == "SCH001"]
    if iss.empty:
        return no_hits()
    dropped = ctx.ledgers.dropped
    return hits(
        ledger=iss["ledger"].to_numpy(),
        sheet=iss["sheet"].to_numpy(),
        field=iss["field"].to_numpy(),
        ledger_title=[f"“{LEDGERS[l].title}”" for l in iss["ledger"]],
        detail=iss["detail"].to_numpy(),
        consequence=[f"，该表 {dropped[int(s)]} 行记录无法归属企业，未纳入核查" if int(s) in dropped else ""
                     for s in iss["sheet"]],
    )


def _row_issues(ctx: Context, rule_id: str) -> pd.DataFrame:
    iss = ctx.ledgers.issues
    iss = iss[iss["rule_id"] == rule_id]
    return hits(
        ledger=iss["ledger"].to_numpy(),
        row=iss["row"].to_numpy(),
        field=iss["field"].to_numpy(),
        value=iss["value"].to_numpy(),
        detail=iss["detail"].to_numpy(),
    )


@rule("SCH002", ERROR, "—", party=Party.RECORD, reads=("*",), title="单元格的值无法识别",
      message="“{header}”的值“{value}”{detail}")
def unreadable_value(ctx: Context) -> pd.DataFrame:
    """规则说明：单元格的值无法按该列的类型读取：日期写错（2023-13-45）、数字列写了文字、是/否列写了其他内容、
    选项列的值不在可选范围内、金额或人数为负数；公式出错的单元格（#REF!、#N/A、#DIV/0! 等，不论哪一列）报告为
    “单元格为公式错误 #REF!”，而不是必填项为空；由程序生成、只存了公式没有保存计算结果的单元格（.xlsx）同样
    报告为“单元格是公式，文件中没有保存计算结果”，请在 Excel 或 WPS 中打开、保存后重新报送。
    读不出的值按空白处理，相关规则可能因此另有发现。
    可接受的写法：日期可写 Excel 日期、2023-05-20、2023/5/20、2023.5.20、2023年5月20日、20230520，
    也接受 2023。7。5、2023.12.06.（末尾多一个点）和带星期的 2023年11月6日（星期一）；星期与日期不符
    （2023年11月7日（星期一））时无法确定哪个对，按无法识别报告，并写明那一天是星期几（“2023年11月7日是星期二，与所写的星期一不符”）；两位数年份（23.12.5）不猜世纪，按无法识别报告；
    是/否可写 是/否、Y/N、√/×、有/无、1/0；数字可带千分位和“元、万元、人、项”等单位。

    依据：台账填报规范（各列的类型见文档“台账参考”和“报送格式与可接受的表头”）。

    违规示例：隐患台账“整改期限”填“2023-13-45”；“发现方式”填“自己查的”。

    合规示例：“整改期限”填“2023年9月30日”；“发现方式”填“企业自查”。
    """
    return _row_issues(ctx, "SCH002")


@rule("SCH003", ERROR, "—", party=Party.RECORD, reads=("*",), title="必填项为空",
      message="{detail}；" + _HOW)
def empty_required_cell(ctx: Context) -> pd.DataFrame:
    """规则说明：必填列的单元格为空（或只填了“无”“/”“-”等占位符）。企业台账中“统一社会信用代码”和“企业名称”
    至少填一项，两项都空的记录无法归属企业。

    依据：台账填报规范（带 * 的列为必填列；“无”“/”“-”等视为空）。

    违规示例：隐患台账某行“发现日期”为空；企业名录某行“从业人数”填“/”。

    合规示例：每行都填写了发现日期、隐患描述、发现方式和是否立即整改。
    """
    return _row_issues(ctx, "SCH003")


@rule("SCH004", ERROR, "—", party=Party.RECORD, reads=("enterprises", "hazards", "hot_work"), title="编号重复",
      message="{what}“{value}”重复（与{first_where}重复）；同一{scope}内不得重复")
def duplicate_key(ctx: Context) -> pd.DataFrame:
    """规则说明：同一个键出现了两次：企业名录中同一统一社会信用代码出现两次；同一企业的隐患台账中隐患编号重复；
    同一企业的动火作业票编号重复。编号比较前去掉空格、全角折半角、字母不分大小写（“YH-1”“yh-1”“ＹＨ－１”是同一个编号，
    与执法检查记录按隐患编号对应隐患时的比较相同）。按读取顺序（文件路径、工作表顺序、自上而下），第二次及以后出现的行报告。
    企业名录中重复的行不作为另一家企业，记录归属第一次出现的那一行。

    依据：台账填报规范。

    违规示例：东坡村某企业的隐患台账中两行隐患编号都是“YH-2023-001”。

    合规示例：同一企业的隐患编号依次为 YH-2023-001、YH-2023-002。
    """
    parts = []
    reg = ctx.registry_rows
    dup = reg[reg["duplicate"]]
    if len(dup):
        first = reg[~reg["duplicate"]].reset_index().drop_duplicates("uscc").set_index("uscc")
        parts.append(hits(
            ledger="enterprises", row=dup.index.to_numpy(), field="uscc", value=dup["uscc"].to_numpy(),
            what="统一社会信用代码", scope="企业名录",
            first_where=[_where(*first.loc[u, ["source_file", "source_sheet", "source_row"]]) for u in dup["uscc"]],
        ))
    for name, led in LEDGERS.items():
        for key in led.unique_within_enterprise:
            df = ctx.frame(name)
            ok = df["eid"].notna() & df[key].notna()
            sub = df.loc[ok, ["eid", key, "source_file", "source_sheet", "source_row"]]
            # numbers compared as the enforcement rules match them (YH-1 = yh-1 = ＹＨ－１ = "YH -1"); the
            # hazard numbers' keys are those the EN and DC rules share (the whole ledger's, computed once)
            keys = hazard_keys(ctx)[ok] if (name, key) == ("hazards", "hazard_no") else hazard_key(sub[key])
            sub = sub.assign(_key=keys)
            is_dup = sub.duplicated(["eid", "_key"], keep="first")
            if not is_dup.any():
                continue
            d = sub[is_dup]
            # each repeated row with the first row of its key (one per key: the rows not repeated)
            firsts = merge_few(d[["eid", "_key"]], sub, on=["eid", "_key"], how="left", among=~is_dup)
            parts.append(hits(
                ledger=name, row=d.index.to_numpy(), field=key, value=d[key].to_numpy(),
                what=led.fields[key].header, scope="企业",
                first_where=[_where(f, s, r) for f, s, r in zip(firsts["source_file"], firsts["source_sheet"],
                                                                firsts["source_row"])],
            ))
    return pd.concat(parts, ignore_index=True) if parts else no_hits()


@rule("SCH005", INFO, "—", party=Party.RECORD, reads=("*",), title="表头未对应任何字段，该列未核查",
      message="{ledger_title}中有 {n} 列未纳入核查（表头不是该台账的列，或与左边的列重复）：{columns}。"
              "{absent}如这些列填的是台账内容，请改用规范表头后重新报送；如只是附加信息，可不处理")
def unmapped_header(ctx: Context) -> pd.DataFrame:
    """规则说明：工作表已识别为某种台账，但有的表头单元格不是该台账的任何一列（既不是规范表头，也不是可接受的别名），
    该列的内容因此没有被核查。每个工作表报告一次，列出这些列（列号和表头原文）。“序号”“备注”“说明”“附件”“照片”
    和空白表头不列出；两行表头（如合并单元格“整改五落实”下分“责任人、措施、资金（万元）、期限、预案”）按“组名+子表头”
    识别，识别出的列不列出。同一字段的列出现两次时，第二列不核查，也会列出，并注明与左边哪一列重复。写法接近而未能识别的表头
    （如把“整改期限”写成“整改到期时间”）最常见，请分析人员据此提醒报送单位改用规范表头。

    依据：台账填报规范：每个工作表按表头识别为一种台账，各列按规范表头或其别名读取。

    违规示例：带队检查记录表头为“企业名称、检查日期、带队负责人、发现隐患数、检查天气”，“检查天气”一列未核查。

    合规示例：表头为“序号、企业名称、检查日期、带队负责人、发现隐患数、备注”：每列都已识别，“序号”“备注”不需要识别。
    """
    tables = ctx.ledgers.tables
    found = [(i, t) for i, t in enumerate(tables) if t.unmapped]
    if not found:
        return no_hits()
    return hits(
        ledger=[t.ledger for _, t in found],
        sheet=[i for i, _ in found],
        value=["、".join(text for _, text in t.unmapped) for _, t in found],
        ledger_title=[f"“{LEDGERS[t.ledger].title}”" for _, t in found],
        n=[len(t.unmapped) for _, t in found],
        columns=["、".join(f"{letter}列“{text}”{_repeated(t.ledger, text)}" for letter, text in t.unmapped) for _, t in found],
        absent=[_absent_headers(t) for _, t in found],
    )


@cache
def _header_index() -> HeaderIndex:
    """The reader's own header look-up (normalised text → the ledgers' fields it names)."""
    return HeaderIndex(vocabulary())


def _repeated(ledger: str, text: str) -> str:
    """What to add to an unread column's header when the reader takes it for a field of the ledger: it is a
    second column of a field already read from a column on its left (“信用代码” beside “统一社会信用代码”)."""
    fields = [f for led, f in _header_index().lookup(text) if led == ledger]
    return f"（与左边的“{LEDGERS[ledger].fields[fields[0]].header}”列重复，只读取左边一列）" if fields else ""


def _absent_headers(table) -> str:
    """The ledger's columns that the sheet lacks (what an unread column may have meant)."""
    led = LEDGERS[table.ledger]
    have = set(table.headers)
    names = [f for f in led.fields if f not in have and not (f in ENTERPRISE_REF and have & set(ENTERPRISE_REF))]
    if not names:
        return ""
    shown = "、".join(f"“{led.header_of(f)}”" for f in names[:8]) + ("等" if len(names) > 8 else "")
    return f"该台账本表没有的规范列有{shown}；"


def _where(file, sheet, row) -> str:
    sheet = f"工作表“{sheet}”" if sheet else ""
    return f"“{file}”{sheet}第 {row} 行"
