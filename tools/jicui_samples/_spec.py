"""The ledgers of RULEBOOK §4 as the generator writes them: headers, aliases, cell kinds.

This is a copy of the contract's tables, kept here on purpose: the generator must write
what the RULEBOOK promises, not what the reader happens to accept.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str
    header: str
    aliases: tuple[str, ...]
    kind: str  # text code date datetime yesno sign int wan yuan enum names contingency
    required: bool = False
    unit: str = ""  # suffix a person might type after a count: 人 / 项
    v2: bool = False  # a column of the version-2 template (RULEBOOK §9): old-template sheets lack it


def _f(key, header, aliases=(), kind="text", required=False, unit="", v2=False):
    return Field(key, header, tuple(aliases), kind, required, unit, v2)


#: The enterprise columns every ledger but the registry carries (one of them is enough).
REF_USCC = ("统一社会信用代码", "社会信用代码", "信用代码")
REF_NAME = ("企业名称", "单位名称")

LEDGERS: dict[str, tuple[Field, ...]] = {
    "enterprises": (
        _f("uscc", "统一社会信用代码", ("社会信用代码", "信用代码"), "code", True),
        _f("name", "企业名称", ("单位名称",), "text", True),
        _f("village", "所属村", ("所在村", "村(社区)"), "text", True),
        _f("industry", "行业领域", ("所属行业", "行业类别"), "text", True),
        _f("station", "监管站所", ("主管站所", "行业监管部门"), "text"),
        _f("high_risk", "是否高危", ("高危行业",), "yesno"),
        _f("head", "主要负责人", ("法定代表人/主要负责人", "负责人"), "text", True),
        _f("phone", "联系电话", ("负责人电话", "手机"), "code"),
        _f("employees", "从业人数", ("职工人数", "员工人数"), "int", True, "人"),
        _f("safety_staff", "安全管理人员", ("专(兼)职安全管理人员",), "text"),
        _f("full_time_safety", "专职安全管理人员数", ("专职安全员人数",), "int", False, "人", v2=True),
        _f("weak", "技术力量薄弱", ("是否技术力量薄弱",), "yesno", v2=True),
    ),
    "hazards": (
        _f("hazard_no", "隐患编号", ("编号",), "text"),
        _f("description", "隐患描述", ("隐患内容", "隐患名称", "存在问题"), "text", True),
        _f("category", "隐患类别", ("隐患类型",), "text"),
        _f("found_on", "发现日期", ("排查日期", "发现时间"), "date", True),
        _f("source", "发现方式", ("隐患来源", "排查方式"), "enum", True),
        _f("immediate", "是否立即整改", ("立即整改",), "yesno", True),
        _f("owner", "整改责任人", ("责任人",), "text"),
        _f("measures", "整改措施", ("治理措施",), "text"),
        _f("funds", "整改资金(万元)", ("治理资金", "资金(万元)"), "wan"),
        _f("deadline", "整改期限", ("整改时限", "计划完成时间"), "date"),
        _f("contingency", "应急预案", ("应急措施", "防范措施"), "contingency"),
        _f("posted", "是否公示", ("公开公示",), "yesno"),
        _f("reported_on", "报告日期", ("上报日期",), "date"),
        _f("done_on", "整改完成日期", ("完成时间", "实际完成时间"), "date"),
        _f("verifier", "验收人", ("验收责任人",), "text"),
        _f("verified_on", "验收日期", ("销号日期",), "date"),
        _f("status", "整改状态", ("治理状态", "状态"), "enum"),
        _f("level", "隐患等级", ("隐患级别",), "enum", v2=True),
        _f("basis", "判定依据", ("判定标准条款",), "text", v2=True),
    ),
    "head_inspections": (
        _f("date", "检查日期", ("检查时间",), "date", True),
        _f("leader", "带队负责人", ("带队人", "带队领导"), "text", True),
        _f("members", "参加人员", ("检查人员",), "text"),
        _f("basis", "检查依据", ("检查内容",), "text"),
        _f("hazards_found", "发现隐患数", ("发现隐患(项)", "隐患数量"), "int", True, "项"),
        _f("major_found", "发现重大隐患数", ("重大隐患数",), "int", False, "项", v2=True),
        _f("signed", "签名确认", ("检查人签名", "签字"), "sign"),
    ),
    "drills": (
        _f("date", "演练日期", ("演练时间",), "date", True),
        _f("kind", "演练类型", ("预案类型",), "enum"),
        _f("topic", "演练科目", ("演练内容", "演练名称"), "text"),
        _f("participants", "参演人数", ("参加人数",), "int", True, "人"),
        _f("evacuation", "含疏散逃生", ("疏散逃生演练",), "yesno"),
        _f("evaluated", "评估总结", ("是否评估",), "yesno"),
    ),
    "outsourcing": (
        _f("project", "项目或场所名称", ("外包项目", "出租场所"), "text", True),
        _f("mode", "方式", ("外包外租方式",), "enum", True),
        _f("party", "承包承租方", ("承包单位", "承租单位"), "text", True),
        _f("party_uscc", "承包承租方信用代码", ("承包方统一社会信用代码",), "code"),
        _f("licence", "资质证书编号", ("资质证书",), "text"),
        _f("licence_until", "资质有效期至", ("资质有效期",), "date"),
        _f("agreement_on", "安全生产协议签订日期", ("协议签订日期", "安全协议签订时间"), "date"),
        _f("duties_defined", "明确安全管理职责", ("职责是否明确",), "yesno"),
        _f("start", "开始日期", ("起租日期", "开工日期"), "date", True),
        _f("end", "结束日期", ("到期日期", "完工日期"), "date"),
        _f("last_check", "最近安全检查日期", ("最近检查日期",), "date"),
    ),
    "hot_work": (
        _f("permit_no", "作业票编号", ("动火证编号", "票号"), "text", True),
        _f("level", "动火级别", ("作业级别",), "enum", True),
        _f("start", "开始时间", ("动火开始时间",), "datetime", True),
        _f("end", "结束时间", ("动火结束时间",), "datetime", True),
        _f("approver", "审批人", ("批准人",), "text"),
        _f("approved_at", "审批时间", ("批准时间",), "datetime"),
        _f("worker", "动火人", ("作业人员",), "text", True),
        _f("worker_cert", "动火人证书编号", ("特种作业操作证号",), "text"),
        _f("guardian", "监护人", (), "text"),
        _f("gas_test", "气体分析", ("是否气体分析",), "yesno"),
        _f("fire_measures", "消防措施落实", ("安全措施确认",), "yesno"),
        _f("method", "动火方式", ("作业方式",), "enum", v2=True),
        _f("equipment_no", "设备编号", ("焊机编号",), "text", v2=True),
    ),
    "special_workers": (
        _f("person", "姓名", (), "text", True),
        _f("id_no", "身份证号", ("身份证号码",), "code"),
        _f("category", "作业类别", ("工种",), "enum", True),
        _f("cert_no", "证书编号", ("操作证号",), "text", True),
        _f("issued_on", "初领日期", ("发证日期",), "date"),
        _f("valid_until", "有效期至", ("证书有效期",), "date", True),
        _f("reviewed_on", "最近复审日期", ("复审日期",), "date"),
        _f("on_post", "是否在岗", ("在岗",), "yesno"),
    ),
    "training": (
        _f("date", "日期", ("培训日期", "活动日期"), "date", True),
        _f("kind", "类型", ("培训类型", "活动类型"), "enum", True),
        _f("topic", "主题", ("内容",), "text"),
        _f("attendees", "参加人数", ("参训人数",), "int", True, "人"),
        _f("examined", "考试人数", ("参考人数",), "int", False, "人"),
        _f("passed", "合格人数", ("考试合格人数",), "int", False, "人"),
    ),
    "checklist": (
        _f("plan_on", "方案制定日期", ("专项方案印发日期",), "date"),
        _f("kickoff_on", "动员部署会日期", ("动员会日期",), "date"),
        _f("duty_system", "全员岗位责任制", ("全员安全生产责任制",), "yesno"),
        _f("duty_lists", "负责人职责清单", ("职责清单和工作清单",), "yesno"),
        _f("experts", "聘请专业机构或专家", ("技术服务",), "enum"),
        _f("hot_work_review_on", "动火人员排查日期", ("危险作业人员排查日期",), "date"),
        _f("outsourcing_review_on", "外包外租排查日期", ("外包外租排查时间",), "date"),
    ),
    "welding_equipment": (
        _f("equipment_no", "设备编号", ("焊机编号",), "text", True),
        _f("kind", "设备名称", ("设备类型",), "text"),
        _f("checked_on", "检查日期", ("检查时间",), "date", True),
        _f("result", "检查结果", ("检查结论",), "enum", True),
        _f("action", "处理情况", ("整改情况",), "text"),
        _f("inspector", "检查人", (), "text"),
    ),
    "enforcement": (
        _f("date", "检查日期", ("执法日期",), "date", True),
        _f("station", "执法站所", ("检查单位",), "text", True),
        _f("officers", "执法人员", ("检查人员",), "names", True),
        _f("major_hazards", "发现重大隐患数", ("重大隐患数",), "int", True, "项"),
        _f("hazard_nos", "隐患编号", ("涉及隐患编号",), "names"),
        _f("actions", "处理措施", ("处理结果",), "text"),
        _f("fine_company", "企业罚款(元)", ("对企业罚款",), "yuan"),
        _f("fine_head", "负责人罚款(元)", ("对主要负责人罚款",), "yuan"),
        _f("listed", "挂牌督办", ("是否挂牌督办",), "yesno"),
        _f("supervisor", "督办责任人", ("跟踪督办责任人",), "text"),
        _f("signed", "签名确认", ("检查人签名",), "sign"),
    ),
    "accidents": (
        _f("occurred_at", "事故发生时间", ("发生时间",), "datetime", True),
        _f("kind", "事故类型", (), "text"),
        _f("deaths", "死亡人数", (), "int", False, "人"),
        _f("injuries", "受伤人数", (), "int", False, "人"),
        _f("county_at", "报告县应急管理局时间", ("报县应急局时间",), "datetime"),
        _f("town_at", "报告镇政府时间", ("报镇政府时间",), "datetime"),
        _f("head_informed_at", "单位负责人接报时间", ("负责人接报时间",), "datetime", v2=True),
    ),
    "meetings": (
        _f("unit", "单位", ("村/站所",), "text", True),
        _f("date", "日期", ("会议日期", "督导日期"), "date", True),
        _f("kind", "类型", ("会议类型",), "enum", True),
        _f("enterprises", "宣讲企业", ("覆盖企业",), "names", v2=True),
        _f("chair", "主持或带队", ("主持人", "带队领导"), "text", True),
        _f("note", "内容", ("主要内容",), "text"),
    ),
}

#: Ledgers whose rows name an enterprise (all but the registry and the meetings).
WITH_ENTERPRISE = frozenset(LEDGERS) - {"enterprises", "meetings"}

#: Optional columns a sheet may leave out without changing any rule's outcome.
OMITTABLE = {
    "hazards": ("category",),
    "head_inspections": ("members", "basis"),
    "drills": ("topic", "kind"),
    "training": ("topic",),
    "meetings": ("note",),
    "accidents": ("kind",),
    "welding_equipment": ("action",),
}

#: The version-2 columns of each ledger: a sheet on the old template leaves them out.
V2_FIELDS = {name: tuple(f.key for f in fields if f.v2) for name, fields in LEDGERS.items()}

ENUMS = {
    ("hazards", "source"): ("企业自查", "部门检查", "执法检查", "举报", "其他"),
    ("hazards", "status"): ("整改中", "已整改", "已销号"),
    ("drills", "kind"): ("综合应急预案", "专项应急预案", "现场处置方案"),
    ("outsourcing", "mode"): ("外包", "外租", "委托", "合作"),
    ("hot_work", "level"): ("特级", "一级", "二级"),
    ("special_workers", "category"): (
        "电工作业", "焊接与热切割作业", "高处作业", "制冷与空调作业", "煤矿安全作业",
        "金属非金属矿山安全作业", "石油天然气安全作业", "冶金(有色)生产安全作业",
        "危险化学品安全作业", "烟花爆竹安全作业", "其他"),
    ("training", "kind"): ("专项行动全员培训", "动火作业警示教育", "事故警示教育", "安全例会"),
    ("checklist", "experts"): ("是", "否", "不需要"),
    ("meetings", "kind"): ("动员部署会", "专题会议", "现场督导", "企业宣讲", "执法培训", "进展汇报"),
    ("hazards", "level"): ("重大", "一般"),
    ("hot_work", "method"): ("电焊", "气焊", "气割", "等离子切割", "砂轮", "喷灯", "电钻", "其他"),
    ("welding_equipment", "result"): ("合格", "不合格", "淘汰"),
}

#: Plain titles of the ledgers (used in sheet titles and notes).
TITLES = {
    "enterprises": "企业名录",
    "hazards": "重大事故隐患台账",
    "head_inspections": "主要负责人带队检查记录",
    "drills": "应急演练记录",
    "outsourcing": "外包外租台账",
    "hot_work": "动火作业审批记录",
    "special_workers": "特种作业人员持证台账",
    "training": "培训与警示教育记录",
    "checklist": "企业专项行动落实情况表",
    "welding_equipment": "电气焊设备检查台账",
    "enforcement": "执法检查记录",
    "accidents": "生产安全事故报告记录",
    "meetings": "会议与督导记录",
}


def field(ledger: str, key: str) -> Field:
    for f in LEDGERS[ledger]:
        if f.key == key:
            return f
    raise KeyError((ledger, key))
