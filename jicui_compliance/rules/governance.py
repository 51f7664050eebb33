"""GV: the town's and the villages' own duties (meetings and on-site supervision)."""

from __future__ import annotations

import pandas as pd

from ..campaign import UnitNames
from ..resolution import leader_names
from ..text import fold, map_distinct
from .base import ERROR, WARNING, Obligation, Party, hits, no_hits, rule
from .context import Context

KICKOFF, SUPERVISION = "动员部署会", "现场督导"


def _by(ctx: Context, mt: pd.DataFrame, limit: pd.Timestamp) -> pd.Series:
    """Meetings dated on or before ``limit``, or whose date was filled but could not be read (SCH002, such as
    5月20日 with no year): such a meeting may be the one looked for, so the unit is not judged until the date is
    corrected (the file goes back for resubmission with its SCH002)."""
    return ((mt["date"] <= limit).fillna(False) | ctx.unreadable(mt, "meetings", "date")).astype(bool)


def _chaired_by(chairs: pd.Series, leaders: tuple[str, ...]) -> bool:
    """Whether any 主持或带队 cell names one of ``leaders``, read as HI001 reads 带队负责人
    (:func:`~jicui_compliance.resolution.leader_names`: several names split at 、，,；;/ or spaces, a
    bracketed title left out: 张庆斌（党委书记）, 薛明辉 王鑫辉)."""
    wanted = {fold(n) for n in leaders}
    return any(wanted.intersection(leader_names(str(c))) for c in chairs.dropna().unique())


@rule("GV001", ERROR, "P1", party=Party.VILLAGE, reads=("enterprises", "meetings"),
      obligation=Obligation(who="villages", when="P1", ledger="meetings"),
      title="村未召开动员部署会",
      message="{village}在{period_text}前无动员部署会记录（会议与督导记录中没有单位为“{village}”、类型为动员部署会的记录）；"
              "方案 四(一) 要求各村相应召开专题会议做好动员部署")
def village_without_kickoff(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中出现的每个村（“所属村”的不同取值），会议与督导记录中须有一行“单位”为该村、“类型”为
    动员部署会、日期不晚于第一阶段（动员部署）最后一天（默认 2023-05-31，当天仍合规）的记录。村名比对时去掉空格、
    统一全角半角，其余须完全一致（“东坡村村委会”不等于“东坡村”）；村名前加镇名或“镇”
    （“积翠镇东坡村”）也算该村，但这样写出的恰是另一个村或站所的名称时算那个单位（既有南村又有镇南村时，
    “镇南村”的会不算南村的）。第一阶段结束后核查（--as-of 早于第一阶段最后一天时不报告），每村一条，期间为 P1；发现不指向企业，“村”列为该村。只要求日期不晚于第一阶段末，不设起始日期
    （方案印发前按县方案召开的动员会同样计入）。没有企业的村不在企业名录中，无法核查。
    会议日期填了但无法识别的记录（SCH002，如不写年份的“5月20日”）可能正是期限内的那一次：有这样一行（单位、类型相符）的
    本条暂不判断，只报 SCH002、文件列入退回重报，改正日期重报后再核查。

    依据：方案 四(一)“动员部署（2023年5月下旬前）。镇政府制定印发行动方案，召开专题会议动员部署。各村相应召开专题会议
    做好动员部署。”

    违规示例：企业名录有东坡村、西岭村的企业，会议与督导记录只有东坡村 2023-05-20 的动员部署会。

    合规示例：西岭村 2023-05-31 召开动员部署会，单位填“西岭村”。
    """
    if not ctx.phase_due("P1"):
        return no_hits()
    units = _units(ctx)
    villages = ctx.registry["village"].dropna()  # each village once however written (积翠镇东坡村 is 东坡村)
    villages = pd.DataFrame({"village": map_distinct(villages, lambda v: units.named(v) or v).to_numpy(),
                             "key": map_distinct(villages, units.key).to_numpy()})
    villages = villages.drop_duplicates("key", keep="first")
    if villages.empty:
        return no_hits()
    mt = ctx.frame("meetings")
    limit = pd.Timestamp(ctx.campaign.phase("P1").end)
    held = mt.loc[(mt["kind"] == KICKOFF) & _by(ctx, mt, limit) & mt["unit"].notna(), "unit"]
    held_keys = {units.key(u) for u in held}
    missing = villages.loc[[k not in held_keys for k in villages["key"]]]
    if missing.empty:
        return no_hits()
    return hits(ledger="meetings", village=missing["village"].to_numpy(), period="P1")


@rule("GV002", WARNING, "G2", party=Party.TOWN, reads=("meetings",),
      obligation=Obligation(who="town", when="P4", ledger="meetings"),
      title="镇主要负责同志未带队现场督导",
      message="{village}在{period_text}前无镇党委、政府主要负责同志（{leaders}）带队的专项整治现场督导记录；"
              "方案 G2 要求政府主要负责同志至少开展1次专项整治工作现场督导")
def no_leader_supervision(ctx: Context) -> pd.DataFrame:
    """规则说明：会议与督导记录中须至少有一行“类型”为现场督导、日期不晚于专项行动最后一天（默认 2023-12-31）、
    “主持或带队”含方案文件所列镇领导（默认 张庆斌、王鑫辉）之一的记录。带队栏可写多人，以“、”（也接受
    ，,；;/ 和空格）分隔，姓名后括号中的职务不看（“王鑫辉（镇长）”），与主要负责人带队检查（HI001）的读法相同；比对时
    统一全角半角，一个姓名中间的空格去掉（“张 庆斌”），每个姓名须与领导姓名完全一致（“王鑫辉镇长”不计入，请只写姓名，
    职务写在括号中）。
    “单位”不限（镇、村或站所组织的督导均可）。专项行动结束后核查（--as-of 早于最后一天时不报告）；全镇一条，
    期间为最后一个阶段 P4，“村”列为镇名（积翠镇）。方案所说“政府主要负责同志”按本工具的约定取方案文件的全部领导组组长
    （党委书记、镇长）；方案文件未列领导时不核查。
    会议日期填了但无法识别的记录（SCH002，如不写年份的“5月20日”）可能正是期限内的那一次：有这样一行（单位、类型相符）的
    本条暂不判断，只报 SCH002、文件列入退回重报，改正日期重报后再核查。

    依据：方案 G2“建立专项整治督导检查工作机制，加强全过程动态监督。政府主要负责同志至少开展1次专项整治工作现场督导；
    分管负责同志按照职责分工，定期组织开展分管行业领域安全生产重大风险分析研判、重大隐患督导检查以及重点问题挂牌督办等工作。”

    违规示例：全年的现场督导都由副镇长薛明辉带队。

    合规示例：2023-09-12 现场督导，带队“薛明辉、王鑫辉”。
    """
    campaign = ctx.campaign
    if not ctx.is_due(campaign.end) or not campaign.leader_names:
        return no_hits()
    mt = ctx.frame("meetings")
    sel = (mt["kind"] == SUPERVISION) & _by(ctx, mt, pd.Timestamp(campaign.end)) & mt["chair"].notna()
    if _chaired_by(mt.loc[sel, "chair"], campaign.leader_names):
        return no_hits()
    return hits(ledger="meetings", village=[campaign.town], period=campaign.phases[-1].id,
                leaders="、".join(campaign.leader_names))


BRIEFING, ENFORCER_TRAINING, TOPIC_MEETING = "企业宣讲", "执法培训", "专题会议"


def _units(ctx: Context) -> UnitNames:
    """The town's stations, enforcers and villages (in the registry): a meeting's 单位 "积翠镇东坡村" is 东坡村's,
    and a spelling of one that is another's own name is the other's (with villages 南村 and 镇南村, 镇南村's
    meeting is not 南村's)."""
    return ctx.campaign.units(ctx.registry["village"].dropna() if "village" in ctx.registry else ())


def _held(ctx: Context, kinds: tuple[str, ...], phase: str) -> pd.DataFrame:
    """Meetings of ``kinds`` dated on or before the end of ``phase`` (no start date: a meeting held
    before the plan was issued counts too), with ``unit_key`` the folded unit."""
    mt = ctx.frame("meetings")
    limit = pd.Timestamp(ctx.campaign.phase(phase).end)
    sel = mt["kind"].isin(kinds) & _by(ctx, mt, limit)
    out = mt.loc[sel]
    return out.assign(unit_key=out["unit"].map(fold, na_action="ignore"))


@rule("GV003", WARNING, "G1", party=Party.STATION, reads=("enterprises", "meetings"),
      obligation=Obligation(who="stations", when="P2", ledger="meetings"),
      title="站所未到企业宣讲专项整治方案",
      message="{village}监管有企业，但在{period_text}前无该站所的企业宣讲记录（会议与督导记录中没有单位为“{village}”、"
              "类型为企业宣讲的记录）；方案 G1 要求各站所负责同志到企业宣讲专项整治方案，把专项整治有关要求通知到每一家企业")
def station_without_briefing(ctx: Context) -> pd.DataFrame:
    """规则说明：方案所列行业的监管站所（方案文件 campaign 的行业表，含涉农企业的农技站、农经站、畜牧站等），凡企业名录中
    至少有一家企业归它监管（“监管站所”，空白时按行业的牵头站所），会议与督导记录中须有一行“单位”为该站所、“类型”为
    企业宣讲、日期不晚于第二阶段（企业自查自改和部门帮扶）最后一天（默认 2023-07-31，当天仍合规）的记录。
    站所名称比对时去掉空格、统一全角半角，其余须完全一致（“应急管理站”不等于“应急站”，请按方案的站所名称填写）；
    站所名称前加镇名或“镇”（“积翠镇应急站”“镇城建站”）也算该站所（恰是另一个村或站所的名称时除外）。
    行业表中的占位名称“其他站所”不是一个具体站所，不要求宣讲；名录中填写的、不在行业表中的站所名称由 ENT001 报告，
    本规则不核查。只要求日期不晚于第二阶段末，不设起始日期；“宣讲企业”一列填了哪些企业不影响本规则（宣讲覆盖面见报告）。
    第二阶段结束后核查（--as-of 早于第二阶段最后一天时不报告），每个站所一条，期间为 P2；发现不指向企业，“所属村”列为
    该站所名称。
    会议日期填了但无法识别的记录（SCH002，如不写年份的“5月20日”）可能正是期限内的那一次：有这样一行（单位、类型相符）的
    本条暂不判断，只报 SCH002、文件列入退回重报，改正日期重报后再核查。

    依据：方案 三(三)1（G1）“……分管同志要按照职责分工，定期开展现场督导，加强重点问题挂牌督办和重大事故隐患督促整改。
    各站所负责同志和各行业分管班子成员要到企业宣讲专项整治方案。同时，注重发挥基层“网格”作用，切实把专项整治有关要求
    通知到辖区每一家企业。”；方案 四(二)“企业自查自改和部门帮扶（2023年7月底前）。”

    违规示例：企业名录有城建站监管的建筑施工企业，会议与督导记录中城建站只有 2023-06-20 的专题会议，没有企业宣讲。

    合规示例：城建站 2023-07-31 企业宣讲，单位填“城建站”，宣讲企业填“丙公司、某燃气站”。
    """
    if not ctx.phase_due("P2"):
        return no_hits()
    stations = ctx.resolution.supervising_stations()
    if not stations:
        return no_hits()
    units = _units(ctx)
    held = {units.key(u) for u in _held(ctx, (BRIEFING,), "P2")["unit"].dropna()}
    missing = [s for s in stations if units.key(s) not in held]
    if not missing:
        return no_hits()
    return hits(ledger="meetings", village=missing, period="P2")


@rule("GV004", ERROR, "D2", party=Party.TOWN, reads=("meetings",),
      obligation=Obligation(who="town", when="P3", ledger="meetings"),
      title="未开展监管执法人员专题培训",
      message="{village}在{period_text}前无执法培训记录（会议与督导记录中没有类型为执法培训的记录）；方案 D2 要求镇综合行政执法办"
              "重点针对一线监管执法人员组织开展1次安全生产专题培训，请组织培训并登记")
def no_enforcer_training(ctx: Context) -> pd.DataFrame:
    """规则说明：会议与督导记录中须至少有一行“类型”为执法培训、日期不晚于第三阶段（精准执法）最后一天（默认 2023-11-30，
    当天仍合规）的记录。“单位”不限：方案指定镇综合行政执法办组织，但各地名称不一（执法办、执法队、应急站代办），由哪个单位
    登记都计入。不设起始日期。第三阶段结束后核查（--as-of 早于第三阶段最后一天时不报告）；全镇一条，期间为 P3，
    “所属村”列为镇名（积翠镇），不指向企业。
    会议日期填了但无法识别的记录（SCH002，如不写年份的“5月20日”）可能正是期限内的那一次：有这样一行（单位、类型相符）的
    本条暂不判断，只报 SCH002、文件列入退回重报，改正日期重报后再核查。

    依据：方案 三(二)2（D2）“开展监管执法人员业务能力专题培训。镇综合行政执法办要重点针对一线监管执法人员组织开展 1 次
    安全生产专题培训，系统学习习近平总书记关于安全生产重要论述，加强专项整治相关的法律法规、制度标准以及重大风险、
    重大隐患和重点检查事项等业务知识的教育，切实提升监管执法人员能力水平。”；方案 四(三)“精准执法（2023年8-11月）。”

    违规示例：全年的会议与督导记录只有动员部署会、专题会议和现场督导，没有执法培训；或执法培训在 2023-12-05 才举办。

    合规示例：综合行政执法队 2023-11-30 举办执法培训。
    """
    if not ctx.phase_due("P3"):
        return no_hits()
    if not _held(ctx, (ENFORCER_TRAINING,), "P3").empty:
        return no_hits()
    return hits(ledger="meetings", village=[ctx.campaign.town], period="P3")


def town_units(town: str) -> set[str]:
    """GV005: how a meeting's 单位 names the town itself (folded): 镇政府, 镇党委 or the town's name
    (RULEBOOK §5), the same with the town's name in front (积翠镇政府, 积翠镇人民政府, 积翠镇党委…), and the 党委's
    formal name (中共积翠镇委员会, 中国共产党积翠镇委员会)."""
    bodies = ("政府", "人民政府", "党委", "党委政府", "党委、政府")
    names = {town, *(p + b for p in ("镇", town) for b in bodies), *(p + town + "委员会" for p in ("中共", "中国共产党"))}
    return {fold(n) for n in names}


@rule("GV005", ERROR, "G1, P1", party=Party.TOWN, reads=("meetings",),
      obligation=Obligation(who="town", when="P1", ledger="meetings"),
      title="镇主要负责同志未主持召开动员部署会",
      message="{village}在{period_text}前无镇党委、政府主要负责同志（{leaders}）主持召开的镇级动员部署会或专题会议记录"
              "（单位为镇政府、镇党委或{village}）；方案 G1 要求镇党委、政府主要负责同志亲自组织召开专题会议进行动员部署，"
              "请如实补报或说明情况（方案 四(一)：镇政府制定印发行动方案，召开专题会议动员部署）")
def no_town_kickoff(ctx: Context) -> pd.DataFrame:
    """规则说明：会议与督导记录中须至少有一行镇级会议：“单位”为镇政府、镇党委或镇名（积翠镇），“类型”为动员部署会或
    专题会议，日期不晚于第一阶段（动员部署）最后一天（默认 2023-05-31，当天仍合规），“主持或带队”含方案文件
    所列镇领导（默认 张庆斌、王鑫辉）之一。单位也接受带镇名和“人民政府”“党委政府”的写法（积翠镇人民政府、积翠镇党委、
    镇党委政府等）和党委的全称（中共积翠镇委员会、中国共产党积翠镇委员会）；村、站所召开的会议不计入（村的动员部署会见 GV001）。单位和主持人比对时去掉空格、统一全角半角；
    主持栏可写多人，以“、”（也接受，,；;/ 和空格）分隔，姓名后括号中的职务不看（“张庆斌（党委书记）”），
    每个姓名须与领导姓名完全一致（“王鑫辉镇长”不计入，请只写姓名，职务写在括号中）。
    不设起始日期。第一阶段结束后核查（--as-of 早于第一阶段最后一天时不报告）；全镇一条，期间为 P1，“所属村”列为镇名，
    不指向企业。方案文件未列领导时不核查。
    会议日期填了但无法识别的记录（SCH002，如不写年份的“5月20日”）可能正是期限内的那一次：有这样一行（单位、类型相符）的
    本条暂不判断，只报 SCH002、文件列入退回重报，改正日期重报后再核查。

    依据：方案 三(三)1（G1）“全面做好专项整治统筹推进。镇党委、政府主要负责同志要亲自组织召开专题会议进行动员部署；
    专项整治期间，镇党委、政府主要负责同志要定期听取工作进展情况汇报，研究解决安全生产重大问题……”；方案 四(一)
    “动员部署（2023年5月下旬前）。镇政府制定印发行动方案，召开专题会议动员部署。”

    违规示例：镇政府 2023-05-25 的动员部署会由副镇长薛明辉主持；或镇长主持的专题会议在 2023-06-05 才召开。

    合规示例：2023-05-31 单位“镇政府”、类型“专题会议”、主持“张庆斌”。
    """
    campaign = ctx.campaign
    if not ctx.phase_due("P1") or not campaign.leader_names:
        return no_hits()
    held = _held(ctx, (KICKOFF, TOPIC_MEETING), "P1")
    held = held.loc[held["unit_key"].isin(town_units(campaign.town)) & held["chair"].notna()]
    if _chaired_by(held["chair"], campaign.leader_names):
        return no_hits()
    return hits(ledger="meetings", village=[campaign.town], period="P1", leaders="、".join(campaign.leader_names))
