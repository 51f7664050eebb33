"""GV: the town's and the villages' own duties (meetings and on-site supervision)."""

from __future__ import annotations

import pandas as pd

from ..text import fold
from .base import Party, ERROR, Obligation, WARNING, hits, no_hits, rule
from .context import Context

KICKOFF, SUPERVISION = "动员部署会", "现场督导"
CHAIR_SEPARATORS = r"[、,，;；/]"


@rule("GV001", ERROR, "P1", party=Party.VILLAGE, reads=("enterprises", "meetings"),
      obligation=Obligation(who="villages", when="P1", ledger="meetings"),
      title="村未召开动员部署会",
      message="{village}在{period_text}前无动员部署会记录（会议与督导记录中没有单位为“{village}”、类型为动员部署会的记录）；"
              "方案 四(一) 要求各村相应召开专题会议做好动员部署")
def village_without_kickoff(ctx: Context) -> pd.DataFrame:
    """规则说明：企业名录中出现的每个村（“所属村”的不同取值），会议与督导记录中须有一行“单位”为该村、“类型”为
    动员部署会、日期不晚于第一阶段（动员部署）最后一天（默认 2023-05-31，当天仍合规）的记录。村名比对时去掉空格、
    统一全角半角，其余须完全一致（“东坡村村委会”不等于“东坡村”）。第一阶段结束后核查（--as-of 早于第一阶段最后
    一天时不报告），每村一条，期间为 P1；发现不指向企业，“村”列为该村。只要求日期不晚于第一阶段末，不设起始日期
    （方案印发前按县方案召开的动员会同样计入）。没有企业的村不在企业名录中，无法核查。

    依据：方案 四(一)“动员部署（2023年5月下旬前）。镇政府制定印发行动方案，召开专题会议动员部署。各村相应召开专题会议
    做好动员部署。”

    违规示例：企业名录有东坡村、西岭村的企业，会议与督导记录只有东坡村 2023-05-20 的动员部署会。

    合规示例：西岭村 2023-05-31 召开动员部署会，单位填“西岭村”。
    """
    if not ctx.phase_due("P1"):
        return no_hits()
    villages = ctx.registry["village"].dropna()
    villages = pd.DataFrame({"village": villages.to_numpy(), "key": villages.map(fold).to_numpy()})
    villages = villages.drop_duplicates("key", keep="first")
    if villages.empty:
        return no_hits()
    mt = ctx.frame("meetings")
    limit = pd.Timestamp(ctx.campaign.phase("P1").end)
    held = mt.loc[(mt["kind"] == KICKOFF) & (mt["date"] <= limit).fillna(False) & mt["unit"].notna(), "unit"]
    missing = villages.loc[~villages["key"].isin(set(held.map(fold)))]
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
    “主持或带队”含方案文件（campaign）所列镇领导（默认 张庆斌、王鑫辉）之一的记录。带队栏可写多人，以“、”（也接受
    ，,；;/）分隔；比对时去掉空格、统一全角半角，每个姓名须与领导姓名完全一致（“王鑫辉镇长”不计入，请只写姓名）。
    “单位”不限（镇、村或站所组织的督导均可）。专项行动结束后核查（--as-of 早于最后一天时不报告）；全镇一条，
    期间为最后一个阶段 P4，“村”列为镇名（积翠镇）。方案所说“政府主要负责同志”按 RULEBOOK 取方案文件的全部领导组组长
    （党委书记、镇长）；方案文件未列领导时不核查。

    依据：方案 G2“建立专项整治督导检查工作机制，加强全过程动态监督。政府主要负责同志至少开展1次专项整治工作现场督导；
    分管负责同志按照职责分工，定期组织开展分管行业领域安全生产重大风险分析研判、重大隐患督导检查以及重点问题挂牌督办等工作。”

    违规示例：全年的现场督导都由副镇长薛明辉带队。

    合规示例：2023-09-12 现场督导，带队“薛明辉、王鑫辉”。
    """
    campaign = ctx.campaign
    if not ctx.is_due(campaign.end) or not campaign.leader_names:
        return no_hits()
    leaders = {fold(n) for n in campaign.leader_names}
    mt = ctx.frame("meetings")
    sel = (mt["kind"] == SUPERVISION) & (mt["date"] <= pd.Timestamp(campaign.end)).fillna(False) & mt["chair"].notna()
    names = mt.loc[sel, "chair"].map(fold).str.split(CHAIR_SEPARATORS).explode()
    if names.isin(leaders).any():
        return no_hits()
    return hits(ledger="meetings", village=[campaign.town], period=campaign.phases[-1].id,
                leaders="、".join(campaign.leader_names))
