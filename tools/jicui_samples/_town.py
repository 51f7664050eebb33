"""The clean town: every ledger as canonical values that satisfy every rule of RULEBOOK §5.

Values are Python objects (``date``, ``datetime``, ``bool``, ``int``, ``float``, ``str``);
``None`` is an empty cell and :class:`Raw` a text written literally that is *not* a
readable value of its column (a planted ``SCH002``). How a value looks in a file (date
forms, 是/否 forms, units) is decided later, per sheet, by :mod:`._render`.

The clean data are built to hold at as-of 2023-12-31 and at every earlier as-of one
would use (each phase end): obligations are met well before they fall due, no hazard is
ever overdue, no certificate expires or needs review before 2024-03.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from dataclasses import dataclass, field

from jicui_compliance.campaign import Campaign

from . import _people as P
from ._spec import LEDGERS

D = dt.date
DT = dt.datetime
DAY = dt.timedelta(days=1)


class Raw(str):
    """A cell written as-is that cannot be read as its column's type (a planted SCH002)."""


# -- tables ------------------------------------------------------------------------------
class Table:
    """One ledger as columns of canonical values, plus where each row goes."""

    def __init__(self, name: str):
        self.name = name
        self.fields = tuple(f.key for f in LEDGERS[name])
        self.cols: dict[str, list] = {k: [] for k in self.fields}
        self.e: list[int] = []  # enterprise index (-1: none / unknown)
        self.v: list[int | None] = []  # village index for placement (None: the enterprise's)
        self.st: list[str | None] = []  # station for placement (enforcement)
        self.place: list[str | None] = []  # a special sheet (planted) instead of the usual one
        self.sort: list = []  # ordering key inside a sheet (a date / datetime)
        self.ref: list[dict | None] = []  # overrides of the enterprise cells (REF plants)
        self.dead: list[bool] = []
        self.by_e: dict[int, list[int]] = {}
        self.loc: list[tuple[str, str, int] | None] = []  # (file, sheet, row) once written
        self.cells: list[tuple[str | None, str | None] | None] = []  # (uscc, name) cells as written

    def __len__(self) -> int:
        return len(self.e)

    def add(self, e: int, sort, *, v=None, st=None, place=None, ref=None, **vals) -> int:
        i = len(self.e)
        cols = self.cols
        for k in self.fields:
            cols[k].append(vals.pop(k, None))
        if vals:
            raise TypeError(f"{self.name}: unknown fields {sorted(vals)}")
        self.e.append(e)
        self.v.append(v)
        self.st.append(st)
        self.place.append(place)
        self.sort.append(sort)
        self.ref.append(ref)
        self.dead.append(False)
        self.by_e.setdefault(e, []).append(i)
        return i

    def get(self, i: int, key: str):
        return self.cols[key][i]

    def set(self, i: int, **vals) -> None:
        for k, val in vals.items():
            self.cols[k][i] = val

    def rows(self, e: int) -> list[int]:
        return [i for i in self.by_e.get(e, ()) if not self.dead[i]]

    def kill(self, i: int) -> None:
        self.dead[i] = True

    def live(self) -> list[int]:
        return [i for i, d in enumerate(self.dead) if not d]


# -- the town ----------------------------------------------------------------------------
@dataclass
class Ent:
    i: int
    uscc: str
    name: str
    village: int
    industry: str
    station: str
    high_risk_cell: bool | None
    high_risk: bool
    head: str
    deputy: str
    phone: str
    employees: int
    safety_staff: list[str]
    staff: list[str]
    hot_work: bool
    full_time: int | None = None  # 专职安全管理人员数 (v2)
    weak: bool | None = None  # 技术力量薄弱, set by the village (v2)
    grind_only: bool = False  # hot work only with 砂轮/电钻/喷灯: no welding equipment (v2 villages)
    ref_mode: str = "mixed"  # "name": its rows never carry its USCC (FMT001 on the registry)
    reg_row: int = -1
    check_row: int = -1
    welders: list[tuple[str, str]] = field(default_factory=list)  # (name, cert_no)
    equipment: dict[str, list[tuple[dt.date, str]]] = field(default_factory=dict)  # no → [(checked_on, result)]
    people: set[str] = field(default_factory=set)  # every name used in the enterprise
    hazard_prefix: str = "YH2023-"
    hazard_seq: int = 0
    permit_prefix: str = "DH2023-"
    permit_seq: int = 0


@dataclass
class Station:
    name: str
    head: str
    officers: list[str]


@dataclass
class Town:
    campaign: Campaign
    seed: int
    rng: random.Random
    villages: list[str]
    secretaries: list[str]
    stations: dict[str, Station]
    ents: list[Ent] = field(default_factory=list)
    t: dict[str, Table] = field(default_factory=dict)
    enforcement_team: str = "综合行政执法队"
    town_unit: str = "镇政府"  # the unit of the town's own meetings (GV005)
    first_village: int = 0  # where in the generator's list of village names this town's begin

    def v2(self, v: int) -> bool:
        """Whether a village submits on the version-2 template (the even ones; the others keep
        the old template, without the new columns)."""
        return v % 2 == 0

    @property
    def as_of(self) -> dt.date:
        return self.campaign.end

    def day(self, a: dt.date, b: dt.date) -> dt.date:
        """A random day in [a, b]."""
        return a + DAY * self.rng.randrange((b - a).days + 1)

    def new_hazard_no(self, e: int) -> str:
        ent = self.ents[e]
        ent.hazard_seq += 1
        return f"{ent.hazard_prefix}{ent.hazard_seq:03d}"

    def new_permit_no(self, e: int) -> str:
        ent = self.ents[e]
        ent.permit_seq += 1
        return f"{ent.permit_prefix}{ent.permit_seq:04d}"


# -- pools -------------------------------------------------------------------------------
VILLAGES = (
    "东坡村", "西河村", "南庄村", "北岭村", "石门村", "柳树湾村", "杏花村", "梨园村", "马家庄村",
    "王家峪村", "上庄村", "下庄村", "龙泉村", "青山村", "红岩村", "白水村", "黄土坡村", "大营村",
    "小营村", "前进村", "后沟村", "枣林村", "桃园村", "沙河村", "新庄村", "古城村", "东关村",
    "西关村", "南关村", "槐树庄村", "李家沟村", "张家湾村", "刘家堡村", "赵家岭村", "陈家坪村",
    "杨树湾村", "高家庄村", "郭家寨村", "何家河村", "周家窑村", "吴家坡村", "孙家沟村", "冯家庄村",
    "韩家岭村", "程家峪村", "贾家堡村", "范家湾村", "宋家庄村", "蔡家坡村", "潘家河村", "田家窑村",
    "董家营村", "袁家坪村", "于家沟村", "许家庄村", "安乐村", "和平村", "丰收村", "团结村", "积翠社区",
)

BRANDS = (
    "鑫源", "恒通", "华泰", "金鼎", "宏达", "瑞丰", "泰和", "永盛", "兴旺", "昌隆", "德润", "天成",
    "聚福", "万通", "盛世", "隆昌", "富康", "汇丰", "恒信", "大通", "晋阳", "龙城", "汾河", "新元",
    "鼎盛", "荣华", "福瑞", "祥和", "中兴", "亿达", "金辉", "宏远", "三晋", "宝泰", "安泰", "华盛",
    "嘉禾", "润泽", "长兴", "同心", "兴业", "春晖", "明远", "佳和", "通达", "瑞祥", "国泰", "金盛",
)

NAME_TEMPLATES = {
    "非煤矿山": ("{p}{b}石料厂", "{b}矿业有限公司", "{p}{b}砂石有限公司", "阳曲县{p}{b}石灰石矿"),
    "危险化学品": ("{b}化工有限公司", "{p}{b}加油站", "{b}（山西）化学品有限公司", "{p}{b}危险品仓储有限公司"),
    "工贸": ("{b}机械制造有限公司", "{p}{b}铸造厂", "{b}建材有限公司", "{p}{b}木业有限公司",
             "{b}纺织有限公司", "{p}{b}金属制品有限公司", "{p}{b}粮油加工厂", "{p}{b}冶炼有限公司"),
    "交通运输": ("{b}物流有限公司", "{p}{b}运输有限公司", "{p}{b}汽车运输队", "{p}{b}危险货物运输有限公司"),
    "建筑施工": ("{b}建筑工程有限公司", "{b}建设集团有限公司（{p}项目部）", "{p}{b}市政工程有限公司"),
    "自建房": ("{p}{x}家庭旅馆", "{p}{b}出租公寓", "{p}{b}民宿"),
    "燃气": ("{b}燃气有限公司", "{p}{b}液化石油气供应站", "{p}{b}天然气加气站"),
    "消防": ("{b}购物广场", "{p}{b}大酒店", "{p}{b}网络会所", "{p}{b}商贸城", "{p}{b}KTV"),
    "涉农企业": ("{p}{b}农业专业合作社", "{p}{b}养殖场", "{p}{b}农机服务专业合作社", "{p}{b}粮食收储站"),
    "河道治理": ("{b}水利工程有限公司", "{p}{b}河道清淤工程队"),
    "文化旅游": ("{p}{b}景区管理有限公司", "{p}{b}农家乐", "{b}文化旅游开发有限公司", "{p}{b}度假村"),
    "校园安全": ("积翠镇{p}小学", "积翠镇{p}{b}幼儿园", "积翠镇{p}中心幼儿园", "积翠镇{p}{b}培训学校"),
    "护林防火": ("{p}{b}林场", "{p}{b}苗木专业合作社", "{p}{b}生态林管护站"),
    "食品卫生": ("{p}{b}饭店", "{b}食品有限公司", "{p}{b}超市", "{p}{b}餐饮管理有限公司"),
}
INDUSTRY_WEIGHTS = {
    "工贸": 24, "涉农企业": 11, "交通运输": 8, "建筑施工": 8, "危险化学品": 6, "食品卫生": 8,
    "自建房": 5, "消防": 5, "文化旅游": 5, "非煤矿山": 4, "燃气": 4, "校园安全": 4, "河道治理": 3,
    "护林防火": 3,
}
EMPLOYEES = {  # (low, high) of a log-uniform draw
    "非煤矿山": (25, 260), "危险化学品": (12, 320), "工贸": (8, 520), "交通运输": (6, 160),
    "建筑施工": (20, 400), "自建房": (2, 9), "燃气": (8, 70), "消防": (15, 260), "涉农企业": (3, 60),
    "河道治理": (10, 80), "文化旅游": (6, 150), "校园安全": (20, 160), "护林防火": (5, 40),
    "食品卫生": (3, 90),
}
HOT_WORK_P = {
    "非煤矿山": 1.0, "危险化学品": 1.0, "工贸": 0.85, "交通运输": 0.6, "建筑施工": 1.0, "自建房": 0.0,
    "燃气": 1.0, "消防": 0.25, "涉农企业": 0.3, "河道治理": 0.7, "文化旅游": 0.2, "校园安全": 0.1,
    "护林防火": 0.1, "食品卫生": 0.2,
}
EXTRA_CATEGORY = {
    "非煤矿山": "金属非金属矿山安全作业", "危险化学品": "危险化学品安全作业", "建筑施工": "高处作业",
    "燃气": "危险化学品安全作业", "食品卫生": "制冷与空调作业", "涉农企业": "制冷与空调作业",
}
HAZARDS = {
    "非煤矿山": ("边坡未按设计分台阶开采，存在坍塌风险", "爆破器材库未按规定设置防雷设施",
                 "采场作业面伞檐、浮石未及时清理", "排土场未按规定设置截排水设施"),
    "危险化学品": ("涉及重点监管危险化工工艺的装置未实现自动化控制", "可燃气体检测报警装置失效",
                   "储罐区防火堤破损未修复", "危险化学品仓库超量储存"),
    "工贸": ("粉尘涉爆除尘系统未采取泄爆、隔爆措施", "有限空间作业未执行先通风、再检测、后作业",
             "冲压设备双手启动装置失效", "熔融金属吊运设备未设置两套制动器", "涉氨制冷区域未设置氨气泄漏报警装置"),
    "交通运输": ("营运车辆动态监控装置不在线", "危险货物运输车辆未按规定配备押运人员",
                 "客运车辆安全带损坏未修复", "驾驶员连续驾驶超过4小时未停车休息"),
    "建筑施工": ("深基坑未按规定进行监测", "高大模板支撑系统未按专项方案搭设",
                 "塔式起重机安全限位装置失效", "脚手架连墙件缺失"),
    "自建房": ("经营性自建房擅自加层改变结构", "房屋承重墙体出现贯通裂缝", "疏散通道被占用"),
    "燃气": ("燃气管道穿越卧室等密闭场所", "液化石油气瓶存放场所未设置可燃气体报警器",
             "燃气调压箱防护设施损坏", "使用超期未检验钢瓶"),
    "消防": ("疏散通道、安全出口被堵塞", "自动喷水灭火系统处于瘫痪状态", "消防控制室无人值班",
             "电动自行车在楼道内充电"),
    "涉农企业": ("农机具未按规定年检", "沼气池未设置防护栏和警示标志", "粮食仓储熏蒸作业未落实防护措施",
                 "饲料粉碎车间粉尘积尘严重"),
    "河道治理": ("河道施工围堰未设置警示标志", "采砂作业区未设置安全防护", "汛期施工未制定度汛方案"),
    "文化旅游": ("景区游乐设施未按规定检验", "玻璃栈道未定期检测", "人员密集场所未设置应急照明",
                 "景区未落实限流措施"),
    "校园安全": ("教学楼安全出口数量不足", "校车未按规定配备随车照管人员", "食堂燃气管道老化",
                 "学生宿舍违规使用大功率电器"),
    "护林防火": ("林区防火隔离带未按要求清理", "林区违规野外用火", "护林防火物资储备不足"),
    "食品卫生": ("后厨燃气软管老化未更换", "冷库氨制冷系统无泄漏报警", "油烟管道未定期清洗",
                 "液化气瓶与灶具间距不足"),
}
MEASURES = ("立即停止相关作业，更换损坏部件", "制定整改方案，委托专业单位整改", "增设安全防护设施并组织验收",
            "清理现场，落实专人管理", "采购合格设备替换", "修订操作规程并组织培训", "设置警示标志，限期整改")
CONTINGENCY = ("已制定专项应急预案", "落实临时管控措施", "设置警戒区，专人值守", "有", "是",
               "停用相关设备，专人监护")
INSPECTION_BASIS = ("重大事故隐患判定标准", "重点检查事项清单", "本单位专项行动方案", "行业重大事故隐患判定标准逐条检查")
DRILL_TOPICS = ("火灾事故应急疏散演练", "触电事故现场处置演练", "有限空间中毒窒息救援演练",
                "危险化学品泄漏处置演练", "防汛应急演练", "机械伤害现场处置演练", "燃气泄漏应急处置演练")
MEETING_TOPICS = ("学习重大事故隐患判定标准", "通报近期典型事故", "部署本周安全检查", "讨论隐患整改进度",
                  "学习安全生产法", "班组安全交底")
CONTRACT_TYPES = ("劳务有限公司", "建筑安装工程有限公司", "物业服务有限公司", "设备维修有限公司",
                  "保洁服务有限公司", "运输服务有限公司")
BASIS = ("第四条第（一）项", "第五条第（三）项", "第六条第（二）项", "第七条", "第八条第（四）项", "第十一条第（一）项")
EQUIPMENT = (("HJ", "交流电焊机"), ("HJ", "直流电焊机"), ("QG", "氧气乙炔割炬"), ("QP", "氧气瓶、乙炔瓶组"),
             ("DL", "等离子切割机"))
WELDING = ("电焊", "电焊", "电焊", "气焊", "气割", "等离子切割")
NOT_WELDING = ("砂轮", "电钻", "喷灯")
#: 安全生产法 第24条: these industries, and any enterprise with more than 100 employees, need
#: full-time safety staff (ENT003, CHK007)
FULL_TIME_INDUSTRIES = ("非煤矿山", "危险化学品", "建筑施工", "交通运输", "燃气")
ACCIDENT_KINDS = ("机械伤害", "高处坠落", "物体打击", "触电", "车辆伤害", "起重伤害")


def _log_uniform(rng: random.Random, lo: int, hi: int) -> int:
    return int(round(math.exp(rng.uniform(math.log(lo), math.log(hi)))))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month_days(year: int, month: int) -> int:
    return ((D(year + (month == 12), month % 12 + 1, 1)) - D(year, month, 1)).days


# -- building ----------------------------------------------------------------------------
def build_clean_town(campaign: Campaign, seed: int, n_villages: int, n_enterprises: int,
                     first_village: int = 0) -> Town:
    rng = random.Random(f"jicui-town-{seed}")
    villages = _village_names(first_village + n_villages)[first_village:]
    secretaries = P.distinct_names(rng, len(villages))
    station_names: list[str] = []
    for ind in campaign.industries:
        for s in ind.stations:
            if s not in station_names:
                station_names.append(s)
    station_names.append("综合行政执法队")
    stations = {}
    for s in station_names:
        people = P.distinct_names(rng, 7)
        stations[s] = Station(s, people[0], people[1:])
    town = Town(campaign, seed, rng, villages, secretaries, stations)
    town.first_village = first_village
    town.t = {name: Table(name) for name in LEDGERS}
    _enterprises(town, n_enterprises)
    for ent in town.ents:
        _special_workers(town, ent)
        _head_inspections(town, ent)
        _extra_hazards(town, ent)
        _drills(town, ent)
        _outsourcing(town, ent)
        _welding_equipment(town, ent)
        _hot_work(town, ent)
        _training(town, ent)
        _checklist(town, ent)
        _enforcement(town, ent)
    _accidents(town)
    _meetings(town)
    return town


def _village_names(n: int) -> list[str]:
    if n <= len(VILLAGES):
        return list(VILLAGES[:n])
    out = list(VILLAGES)
    k = 1
    while len(out) < n:
        out.append(f"{VILLAGES[k % len(VILLAGES)][:-1]}{k // len(VILLAGES) + 1}组村")
        k += 1
    return out


def _stem(village: str) -> str:
    return village.removesuffix("村").removesuffix("社区")


def _enterprises(town: Town, n: int) -> None:
    rng, camp = town.rng, town.campaign
    names = camp.industry_names
    weights = [INDUSTRY_WEIGHTS.get(x, 3) for x in names]
    industries = list(names[:n]) + rng.choices(names, weights, k=max(0, n - len(names)))
    rng.shuffle(industries)
    nv = len(town.villages)
    # every village gets enterprises; bigger villages more
    vweights = [rng.uniform(0.6, 1.6) for _ in range(nv)]
    villages = [k % nv for k in range(min(n, nv))] + rng.choices(range(nv), vweights, k=max(0, n - nv))
    rng.shuffle(villages)
    seen_names: set[str] = set()
    seen_uscc: set[str] = set()
    reg = town.t["enterprises"]
    for i, (ind_name, v) in enumerate(zip(industries, villages)):
        ind = camp.industry(ind_name)
        stem = _stem(town.villages[v])
        name = _enterprise_name(rng, ind_name, stem, seen_names, placed=town.first_village > 0)
        prefix = "93" if "合作社" in name else "12" if name.endswith(("小学", "中学", "幼儿园", "学校")) else (
            "92" if any(k in name for k in ("农家乐", "家庭旅馆", "饭店", "民宿")) else "91")
        code = P.make_uscc(rng, prefix)
        while code in seen_uscc:
            code = P.make_uscc(rng, prefix)
        seen_uscc.add(code)
        lo, hi = EMPLOYEES.get(ind_name, (5, 80))
        employees = _log_uniform(rng, lo, hi)
        cell: bool | None = ind.high_risk if rng.random() < 0.6 else None
        if ind_name == "交通运输" and "危险货物" in name:
            cell = True  # carries hazardous goods (RULEBOOK §3)
        elif ind_name == "工贸" and "冶炼" in name:
            cell = True  # metal smelting
        elif ind_name == "文化旅游" and "农家乐" in name:
            cell = False  # a farm-stay is no crowded venue
        crowded = any(k in name for k in camp.crowded_venue_keywords)
        if crowded and cell is False and rng.random() < 0.7:
            cell = rng.choice((None, True))  # a crowded venue: half-yearly drills (§3)
        high_risk = (ind.high_risk or crowded) if cell is None else cell
        n_safety = 1 if employees < 60 else 2
        n_staff = min(10, 3 + employees // 25)
        people = P.distinct_names(rng, 2 + n_safety + n_staff)
        head, deputy = people[0], people[1]
        safety = people[2:2 + n_safety]
        staff = people[2 + n_safety:]
        hot = rng.random() < HOT_WORK_P.get(ind_name, 0.3)
        must = ind_name in FULL_TIME_INDUSTRIES or employees > 100
        full_time = n_safety if must else rng.choice((0, 0, 1))
        weak = (employees < 30 and rng.random() < 0.25) if rng.random() < 0.85 else None
        ent = Ent(i, code, name, v, ind_name, ind.station, cell, high_risk, head, deputy,
                  P.phone(rng), employees, safety, staff, hot, full_time, weak)
        ent.grind_only = hot and town.v2(v) and rng.random() < 0.1
        ent.hazard_prefix = rng.choice(("YH2023-", "2023-", "ZG2023-", "YH-"))
        ent.permit_prefix = rng.choice(("DH2023-", "DH-", "2023DH"))
        ent.people.update(people)
        town.ents.append(ent)
        ent.reg_row = reg.add(
            i, (v, i), uscc=code, name=name, village=town.villages[v], industry=ind_name,
            station=ind.station, high_risk=cell, head=head, phone=ent.phone, employees=employees,
            safety_staff="、".join(safety), full_time_safety=full_time, weak=weak)


def must_have_full_time(ent: Ent) -> bool:
    return ent.industry in FULL_TIME_INDUSTRIES or ent.employees > 100


def norm_name(name: str) -> str:
    """An enterprise name as RULEBOOK §4 matches it: full-width folded, no white space."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def _enterprise_name(rng: random.Random, industry: str, stem: str, seen: set[str], placed: bool = False) -> str:
    """A new name; ``placed``: always with the village's name (towns generated as the parts of a
    province: their villages differ, so their enterprises' names do too)."""
    templates = NAME_TEMPLATES.get(industry, ("{p}{b}有限公司",))
    for attempt in range(60):
        t = rng.choice(templates)
        if (placed or attempt > 20) and "{p}" not in t:
            t = "{p}" + t
        name = t.format(p=stem, b=rng.choice(BRANDS), x=P.person_name(rng)[0])
        if attempt > 40:
            name = name.replace("有限公司", f"第{attempt - 39}分公司") if "有限公司" in name else f"{name}{attempt - 39}部"
        key = norm_name(name)
        if key not in seen:
            seen.add(key)
            return name
    raise RuntimeError("cannot invent a new enterprise name")


# -- people with certificates -----------------------------------------------------------
def new_certificate(town: Town, ent: Ent, category: str, *, name: str | None = None,
                    issued: dt.date | None = None, on_post="auto", reviewed="auto", birth: dt.date | None = None) -> int:
    """A special-operation certificate that is valid and reviewed through 2024-03 (clean)."""
    rng = town.rng
    person = name or P.distinct_names(rng, 1, ent.people)[0]
    ent.people.add(person)
    birth = birth or town.day(D(1966, 1, 1), D(1999, 12, 31))
    # some hold a 忻州 number created in 2000 although born before it (valid, RULEBOOK §9)
    region = rng.choice(P.NEW_REGIONS) if rng.random() < 0.08 else None
    id_no = P.make_id(rng, birth, rng.random() < 0.85, region)
    issued = issued or town.day(D(2018, 4, 1), D(2022, 10, 31))
    valid_until = _add_years(issued, 6) - DAY
    if reviewed == "auto":
        due = _add_years(issued, 3)
        reviewed = min(due - DAY * rng.randrange(5, 60), D(2023, 12, 20)) if due <= D(2024, 1, 31) else None
    if isinstance(on_post, str) and on_post == "auto" and not isinstance(on_post, Raw):
        r = rng.random()
        on_post = None if r < 0.4 else (True if r < 0.95 else False)
    return town.t["special_workers"].add(
        ent.i, (category, person), person=person, id_no=id_no, category=category, cert_no="T" + id_no,
        issued_on=issued, valid_until=valid_until, reviewed_on=reviewed, on_post=on_post)


def _special_workers(town: Town, ent: Ent) -> None:
    rng, sw = town.rng, town.t["special_workers"]
    if ent.hot_work:
        for _ in range(1 + (ent.employees > 40) + (ent.employees > 150) + (ent.employees > 300)):
            r = new_certificate(town, ent, "焊接与热切割作业", on_post=rng.choice((None, True)))
            ent.welders.append((sw.get(r, "person"), sw.get(r, "cert_no")))
    if ent.employees >= 8:
        for _ in range(1 + (ent.employees > 80) + (ent.employees > 250)):
            new_certificate(town, ent, "电工作业", on_post="auto")
    extra = EXTRA_CATEGORY.get(ent.industry)
    if ent.name.endswith("冶炼有限公司"):
        extra = "冶金(有色)生产安全作业"
    if extra and ent.employees >= 5:
        for _ in range(1 + ent.employees // 80):
            new_certificate(town, ent, extra, on_post="auto")


# -- hazards -------------------------------------------------------------------------------
def add_hazard(town: Town, e: int, found: dt.date, source: str, *, immediate: bool | None = None,
               open_ok: bool = True, place: str | None = None, v: int | None = None, level: str | None = "auto") -> int:
    """A clean hazard: five elements, posted, reported, done in time and closed (or open
    with a deadline in 2024). ``level``: 重大 / 一般 / None (empty = 重大); on the old template
    the column is not written, so only 重大 (or empty) is used there."""
    rng, ent, as_of = town.rng, town.ents[e], town.as_of
    if level == "auto":
        level = rng.choice(("重大", "重大", "重大", None)) if town.v2(ent.village if v is None else v) else None
    imm = (rng.random() < 0.4) if immediate is None else immediate
    desc = rng.choice(("", "", "1号", "2号", "3号", "东区", "西区", "南侧", "北侧")) + rng.choice(
        HAZARDS.get(ent.industry, HAZARDS["工贸"]))
    owner = rng.choice(ent.safety_staff + [ent.deputy])
    verifier = rng.choice([ent.head, *ent.safety_staff])
    category = rng.choice((f"{ent.industry}重大事故隐患", "现场管理类", "基础管理类"))
    vals = dict(description=desc, category=category, found_on=found, source=source, owner=owner,
                measures=rng.choice(MEASURES))
    if imm:
        done = min(found + DAY * rng.randrange(0, 3), as_of)
        vals.update(immediate=True, funds=0 if rng.random() < 0.7 else round(rng.uniform(0.1, 2), 1),
                    deadline=done if rng.random() < 0.5 else None,
                    contingency=rng.choice((None, "/", "停用相关设备，专人监护")),
                    posted=rng.choice((True, None, False)), reported_on=rng.choice((found, None)),
                    done_on=done, verifier=verifier, verified_on=done, status="已销号")
    else:
        span = rng.randrange(10, 61)
        deadline = found + DAY * span
        reported = found  # reported the day it is found: no as-of ever sees it unreported
        done = found + DAY * rng.randrange(1, span + 1)
        is_open = open_ok and ((found >= D(2023, 11, 1) and rng.random() < 0.5) or done > as_of)
        if not is_open and done > as_of:
            done = as_of
        vals.update(immediate=False, funds=0 if rng.random() < 0.05 else round(rng.uniform(0.2, 30), 1),
                    contingency=rng.choice(CONTINGENCY), posted=True, reported_on=min(reported, as_of))
        if is_open:
            vals.update(deadline=max(deadline, D(2024, 1, 10) + DAY * rng.randrange(0, 60)), done_on=None,
                        verifier=rng.choice((None, "/")), verified_on=None, status="整改中")
        else:
            vals.update(deadline=deadline, done_on=done, verifier=verifier, verified_on=done, status="已销号")
    vals["hazard_no"] = town.new_hazard_no(e)
    vals["level"] = level
    if town.v2(ent.village if v is None else v) and rng.random() < 0.9:
        vals["basis"] = (f"{ent.industry}重大事故隐患判定标准" if level != "一般" else "重点检查事项清单") + rng.choice(BASIS)
    return town.t["hazards"].add(e, (found, ent.hazard_seq), place=place, v=v, **vals)


def is_major(town: Town, h: int) -> bool:
    return town.t["hazards"].get(h, "level") != "一般"


def major_open_on(town: Town, e: int, day: dt.date) -> bool:
    """A 重大 hazard of the enterprise found on or before ``day`` and not done before it (DC001
    would fire on a 0-major enforcement inspection that day; both ends kept clear)."""
    hz = town.t["hazards"]
    for h in hz.rows(e):
        found, done = hz.get(h, "found_on"), hz.get(h, "done_on")
        if is_major(town, h) and isinstance(found, dt.date) and found <= day and (done is None or done >= day):
            return True
    return False


def _head_inspections(town: Town, ent: Ent) -> None:
    rng, hi = town.rng, town.t["head_inspections"]
    first = town.campaign.head_inspection_months[0].start
    last = town.campaign.head_inspection_months[-1].end
    mean = 2.4 + min(3.0, ent.employees / 35)
    months = [(first.year, first.month - 1)] if (first.month > 1 and rng.random() < 0.3) else []
    for p in town.campaign.head_inspection_months:
        months.append((p.start.year, p.start.month))
    for y, m in months:
        k = max(1, min(8, round(mean * rng.uniform(0.6, 1.4))))
        for dday in sorted(rng.sample(range(1, _month_days(y, m) + 1), k)):
            day = D(y, m, dday)
            if day > last:
                continue
            r = rng.random()
            found = 0 if r < 0.7 else 1 if r < 0.92 else 2 if r < 0.98 else 3
            pool = ent.safety_staff + ent.staff
            members = "、".join(rng.sample(pool, min(len(pool), rng.randrange(1, 4))))
            major, unrecorded = found, 0
            if town.v2(ent.village):
                # the v2 template counts the 重大 ones apart; a 一般 hazard may be entered with its
                # level, or not at all (this is the 重大 ledger): HI004 reads 发现重大隐患数
                levels = [rng.choice(("重大", "重大", "重大", None, "一般")) for _ in range(found)]
                major = sum(1 for x in levels if x != "一般")
                unrecorded = 1 if rng.random() < 0.08 else 0
            else:
                levels = [None] * found
            hi.add(ent.i, day, date=day, leader=ent.head, members=members or None,
                   basis=rng.choice(INSPECTION_BASIS), hazards_found=found + unrecorded,
                   major_found=major if town.v2(ent.village) else None,
                   signed=True if rng.random() < 0.7 else ent.head)
            for lv in levels:
                add_hazard(town, ent.i, day, "企业自查", level=lv)


def _extra_hazards(town: Town, ent: Ent) -> None:
    rng = town.rng
    for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
        add_hazard(town, ent.i, town.day(D(2023, 3, 1), D(2023, 12, 20)), rng.choice(("部门检查", "部门检查", "其他")))
    if rng.random() < 0.03:
        add_hazard(town, ent.i, town.day(D(2023, 4, 1), D(2023, 11, 30)), "举报")


# -- drills --------------------------------------------------------------------------------
def add_drill(town: Town, ent: Ent, day: dt.date, **over) -> int:
    rng = town.rng
    e = ent.employees
    vals = dict(date=day, kind=rng.choice(("综合应急预案", "专项应急预案", "现场处置方案")),
                topic=rng.choice(DRILL_TOPICS), participants=rng.randrange(math.ceil(0.6 * e), e + 1),
                evacuation=True, evaluated=True)
    vals.update(over)
    return town.t["drills"].add(ent.i, day, **vals)


def _drills(town: Town, ent: Ent) -> None:
    rng = town.rng
    if ent.high_risk:
        add_drill(town, ent, town.day(D(2023, 3, 1), D(2023, 6, 25)))
        add_drill(town, ent, town.day(D(2023, 7, 5), D(2023, 11, 30)))
        if rng.random() < 0.5:
            add_drill(town, ent, town.day(D(2023, 5, 1), D(2023, 12, 20)))
    else:
        add_drill(town, ent, town.day(D(2023, 3, 1), D(2023, 11, 30)))
        if rng.random() < 0.5:
            add_drill(town, ent, town.day(D(2023, 3, 1), D(2023, 12, 20)))


# -- outsourcing ---------------------------------------------------------------------------
def contractor(town: Town) -> tuple[str, str]:
    rng = town.rng
    place = _stem(rng.choice(town.villages)) if rng.random() < 0.5 else rng.choice(("太原", "阳曲", "清徐", "晋中"))
    return f"{place}{rng.choice(BRANDS)}{rng.choice(CONTRACT_TYPES)}", P.make_uscc(rng, "91", rng.choice(("140100", "140122", "140700")))


def add_contract(town: Town, ent: Ent, *, running: bool = True, **over) -> int:
    rng = town.rng
    party, party_uscc = contractor(town)
    if running:
        start = town.day(D(2022, 1, 10), D(2023, 10, 31))
        end = rng.choice((None, _add_years(start, rng.choice((1, 2, 3))) - DAY))
        if end is not None and end < D(2023, 6, 1):
            end = _add_years(end, 2)
        # checked as soon as P2 starts (or on the first day of a later contract): the check
        # is already on record at every as-of from P2 on
        check = town.day(D(2023, 6, 1), D(2023, 6, 10)) if start < D(2023, 6, 1) else start
    else:  # ended before the campaign (no OS005 due)
        start = town.day(D(2021, 3, 1), D(2022, 5, 31))
        end = town.day(D(2023, 1, 1), D(2023, 5, 20))
        check = town.day(max(start, end - DAY * 120), end)
    mode = rng.choice(("外包", "外包", "外租", "委托", "合作"))
    # a lease that defines the safety duties in the contract itself, without a separate agreement,
    # satisfies 安全生产法 第49条 (OS001 v2)
    lease_only = mode == "外租" and rng.random() < 0.5
    project = {"外包": ("设备检修维护", "厂区保洁", "土建施工", "货物装卸"), "外租": ("临街门面房", "闲置厂房", "仓库"),
               "委托": ("危废转运处置", "消防设施维保"), "合作": ("联合经营项目",)}[mode]
    vals = dict(project=rng.choice(project), mode=mode, party=party, party_uscc=party_uscc,
                licence=rng.choice(("D2141", "D3141", "JZ")) + f"{rng.randrange(10**7):07d}",
                licence_until=town.day(max(D(2024, 12, 31), end or D(2024, 12, 31)), D(2027, 12, 31)),
                agreement_on=None if lease_only else start - DAY * rng.randrange(0, 16), duties_defined=True,
                start=start, end=end, last_check=check)
    vals.update(over)
    return town.t["outsourcing"].add(ent.i, start, **vals)


def _outsourcing(town: Town, ent: Ent) -> None:
    rng = town.rng
    if rng.random() < 0.35:
        for _k in range(1 + (ent.employees > 100) + (rng.random() < 0.3)):
            add_contract(town, ent, running=rng.random() < 0.85)


# -- welding equipment (E(11), v2) ------------------------------------------------------------
def add_check(town: Town, ent: Ent, no: str, kind: str, day: dt.date, result: str = "合格", **over) -> int:
    rng = town.rng
    action = {"合格": rng.choice((None, "正常使用", "/")), "不合格": "停用，送修",
              "淘汰": "报废，停止使用"}[result]
    vals = dict(equipment_no=no, kind=kind, checked_on=day, result=result, action=action,
                inspector=rng.choice(ent.safety_staff))
    vals.update(over)
    ent.equipment.setdefault(no, []).append((day, vals["result"]))
    ent.equipment[no].sort()
    return town.t["welding_equipment"].add(ent.i, (no, day), **vals)


def usable(ent: Ent, day: dt.date) -> list[str]:
    """Equipment whose latest check on or before ``day`` is 合格 (EQ002 stays silent)."""
    out = []
    for no, checks in ent.equipment.items():
        before = [r for d, r in checks if d <= day]
        if before and before[-1] == "合格":
            out.append(no)
    return out


def _welding_equipment(town: Town, ent: Ent) -> None:
    """Every enterprise with welding or cutting checks its kit before the P2 end (a yearly check in
    December 2022 covers the permits of early 2023); some kit fails and is repaired, or retired."""
    if not ent.hot_work or ent.grind_only:
        return
    rng = town.rng
    p2_end = town.campaign.phase("P2").end
    n = 1 + (ent.employees > 60) + (ent.employees > 200)
    for k, (prefix, kind) in enumerate(rng.sample(EQUIPMENT, n)):
        no = f"{prefix}-{k + 1:02d}"
        add_check(town, ent, no, kind, town.day(D(2022, 12, 1), D(2022, 12, 28)))
        day = town.day(D(2023, 5, 10), p2_end - DAY * 12)
        r = rng.random()
        if r < 0.1:  # failed, repaired and passed within days (no permit names it meanwhile; no phase
            day = max(day, D(2023, 6, 1))  # end falls between the two checks)
            add_check(town, ent, no, kind, day, "不合格", action="焊把线破损，停用送修")
            add_check(town, ent, no, kind, day + DAY * rng.randrange(3, 10), "合格", action="更换焊把线后复检合格")
        else:
            add_check(town, ent, no, kind, day)
        if r > 0.93 and k > 0:  # retired in the autumn: later permits use the other kit
            add_check(town, ent, no, kind, town.day(D(2023, 9, 1), D(2023, 10, 31)), "淘汰")
        elif rng.random() < 0.4:
            add_check(town, ent, no, kind, town.day(D(2023, 10, 1), D(2023, 12, 15)))


# -- hot work ------------------------------------------------------------------------------
def add_permit(town: Town, ent: Ent, start: dt.datetime, **over) -> int:
    rng = town.rng
    level = "特级" if (ent.industry == "危险化学品" and rng.random() < 0.08) else rng.choice(("一级", "二级", "二级", "二级"))
    hours = rng.choice((1, 2, 2, 3, 4, 4, 6, 7.5)) if level != "二级" else rng.choice((2, 3, 4, 6, 8, 8, 10, 24, 48, 70))
    worker, cert = rng.choice(ent.welders)
    approver = ent.head if level == "特级" else rng.choice([ent.head, ent.deputy, *ent.safety_staff])
    vals = dict(permit_no=town.new_permit_no(ent.i), level=level, start=start,
                end=start + dt.timedelta(hours=hours), approver=approver,
                approved_at=start - dt.timedelta(minutes=rng.choice((10, 15, 20, 30, 45, 60, 90, 120))),
                worker=worker, worker_cert=cert if rng.random() < 0.85 else None,
                guardian=rng.choice(ent.staff or ent.safety_staff),
                gas_test=True if ent.industry in ("危险化学品", "燃气") or rng.random() < 0.95 else False,
                fire_measures=True)
    # v2: the method, and the welding kit used (only welding and cutting need a certificate and kit)
    if ent.grind_only or (town.v2(ent.village) and rng.random() < 0.15):
        vals.update(method=rng.choice(NOT_WELDING), equipment_no=None)
        fitters = [x for x in ent.staff if x != vals["guardian"]]
        if fitters and rng.random() < 0.6:  # a fitter with an angle grinder: no welding certificate needed
            vals.update(worker=rng.choice(fitters), worker_cert=None)
    else:
        kit = usable(ent, start.date())
        vals.update(method=rng.choice(WELDING), equipment_no=rng.choice(kit) if kit and rng.random() < 0.9 else None)
    vals.update(over)
    return town.t["hot_work"].add(ent.i, start, **vals)


def _hot_work(town: Town, ent: Ent) -> None:
    if not ent.hot_work:
        return
    rng = town.rng
    n = max(2, round((6 + min(90, ent.employees * 0.33)) * rng.uniform(0.5, 1.5)))
    days = sorted(town.day(D(2023, 1, 4), D(2023, 12, 20)) for _ in range(n))
    for day in days:
        start = DT(day.year, day.month, day.day, rng.randrange(7, 15), rng.choice((0, 15, 30, 45)))
        add_permit(town, ent, start)


# -- training ------------------------------------------------------------------------------
def campaign_training(town: Town, ent: Ent, day: dt.date, **over) -> int:
    rng, e = town.rng, ent.employees
    need = math.ceil(0.9 * e)
    attendees = rng.randrange(need, e + 1)
    passed = max(0, attendees - rng.choice((0, 0, 0, 1, 2)))
    vals = dict(date=day, kind="专项行动全员培训", topic="重大事故隐患专项排查整治全员培训及考试",
                attendees=attendees, examined=attendees, passed=passed)
    vals.update(over)
    return town.t["training"].add(ent.i, day, **vals)


def add_training(town: Town, ent: Ent, day: dt.date, kind: str, topic: str, **over) -> int:
    rng, e = town.rng, ent.employees
    vals = dict(date=day, kind=kind, topic=topic, attendees=rng.randrange(max(1, math.ceil(0.6 * e)), e + 1))
    vals.update(over)
    return town.t["training"].add(ent.i, day, **vals)


def _training(town: Town, ent: Ent) -> None:
    rng, e = town.rng, ent.employees
    campaign_training(town, ent, town.day(D(2023, 5, 20), D(2023, 7, 20)))
    if e >= 30 and rng.random() < 0.2:  # a make-up session for those absent
        k = max(1, e // 20)
        add_training(town, ent, town.day(D(2023, 7, 21), D(2023, 7, 31)), "专项行动全员培训", "全员培训补训及补考",
                     attendees=k, examined=k, passed=k)
    add_training(town, ent, town.day(D(2023, 5, 15), D(2023, 7, 25)), "动火作业警示教育",
                 rng.choice(("吸取违规动火事故教训警示教育", "电气焊作业安全警示教育")))
    # E(3), TR006: every typical accident of the campaign that concerns the industry, learnt from
    # within 30 days after max(its date, the P1 end)
    p1_end = town.campaign.phase("P1").end
    for acc in town.campaign.typical_accidents:
        if acc.concerns(ent.industry) or rng.random() < 0.3:
            a = max(acc.date, p1_end - DAY * 20)
            b = max(acc.date, p1_end) + DAY * 25
            add_training(town, ent, town.day(a, b), "事故警示教育",
                         f"{acc.name}（{acc.date.month}·{acc.date.day}）事故警示教育")
    per_month = 1 + (e > 20) + (e > 100) + (rng.random() < 0.5)
    for m in range(1, 13):
        for dday in sorted(rng.sample(range(1, 29), per_month)):
            day = D(2023, m, dday)
            att = rng.randrange(max(1, min(e, 5)), min(e, 40) + 1)
            if rng.random() < 0.1:
                ex = rng.randrange(max(1, att - 3), att + 1)
                add_training(town, ent, day, "安全例会", rng.choice(MEETING_TOPICS) + "及安全知识测试",
                             attendees=att, examined=ex, passed=rng.randrange(max(0, ex - 2), ex + 1))
            else:
                add_training(town, ent, day, "安全例会", rng.choice(MEETING_TOPICS), attendees=att)


# -- checklist -----------------------------------------------------------------------------
def _checklist(town: Town, ent: Ent) -> None:
    rng = town.rng
    plan = town.day(D(2023, 5, 8), D(2023, 6, 20))
    os_, p2 = town.t["outsourcing"], town.campaign.phase("P2")
    # CHK005 (v2): only a contract running during P2 needs the campaign review
    has_os = any(os_.get(i, "start") <= p2.end and (os_.get(i, "end") is None or os_.get(i, "end") >= p2.start)
                 for i in os_.rows(ent.i))
    experts = "是" if ent.industry in ("危险化学品", "非煤矿山", "燃气") else rng.choice(("是", "否", "不需要"))
    if ent.weak or (ent.full_time == 0 and must_have_full_time(ent)):
        experts = "是"  # E(8): a technically weak enterprise hires experts (CHK007)
    ent.check_row = town.t["checklist"].add(
        ent.i, (ent.village, ent.i), plan_on=plan, kickoff_on=plan + DAY * rng.randrange(0, 10),
        duty_system=True, duty_lists=True, experts=experts,
        hot_work_review_on=town.day(D(2023, 6, 5), D(2023, 7, 25)),
        outsourcing_review_on=town.day(D(2023, 6, 5), D(2023, 7, 25)) if has_os or rng.random() < 0.2 else None)


def running_in_p2(town: Town, ent: Ent) -> bool:
    os_, p2 = town.t["outsourcing"], town.campaign.phase("P2")
    return any(os_.get(i, "start") <= p2.end and (os_.get(i, "end") is None or os_.get(i, "end") >= p2.start)
               for i in os_.rows(ent.i))


# -- enforcement ---------------------------------------------------------------------------
def add_inspection(town: Town, ent: Ent, day: dt.date, *, station: str | None = None, hazards: int = 0,
                   fine: int = 0, fine_head: int = 0, hazard_rows: list[int] | None = None, **over) -> int:
    """An enforcement inspection; ``hazards`` new major hazards (source 执法检查) found that day."""
    rng = town.rng
    if station is None:  # EN007: only the lawful enforcer imposes penalties
        station = town.enforcement_team if (fine or fine_head) else (
            ent.station if rng.random() < 0.8 else town.enforcement_team)
    st = town.stations[station]
    rows = list(hazard_rows or [])
    for _ in range(hazards):
        rows.append(add_hazard(town, ent.i, day, "执法检查", immediate=False))
    n = len(rows)
    acts = []
    if n:
        acts.append("责令限期整改")
    if fine and fine_head:
        acts.append("一案双罚")
    elif fine or fine_head:
        acts.append("罚款")
    vals = dict(date=day, station=station, officers=rng.sample(st.officers, rng.choice((2, 2, 3))),
                major_hazards=n, hazard_nos=rows or None,
                actions="、".join(acts) if acts else rng.choice(("无", "责令限期整改")),
                fine_company=fine or None, fine_head=fine_head or None,
                listed=True if n else rng.choice((False, None)), supervisor=st.head if n else None,
                signed=True if rng.random() < 0.6 else "name")
    vals.update(over)
    if vals["signed"] == "name":
        vals["signed"] = vals["officers"][0]
    return town.t["enforcement"].add(ent.i, day, st=station, **vals)


def _enforcement(town: Town, ent: Ent) -> None:
    rng = town.rng
    if rng.random() < 0.6:
        r = rng.random()
        n = 0 if r < 0.8 else 1 if r < 0.97 else 2
        for _ in range(20):  # DC001: a 0-major inspection never meets an open 重大 hazard
            day = town.day(D(2023, 6, 5), D(2023, 7, 28)) if rng.random() < 0.3 else town.day(D(2023, 8, 1), D(2023, 11, 30))
            if n or not major_open_on(town, ent.i, day):
                break
        else:
            return
        fine = rng.randrange(5, 51) * 1000 if (n and rng.random() < 0.35) else 0
        add_inspection(town, ent, day, hazards=n, fine=fine)
        again = day + DAY * rng.randrange(20, 40)
        if rng.random() < 0.2 and again <= D(2023, 12, 28) and not major_open_on(town, ent.i, again):
            add_inspection(town, ent, again)


def zero_major_before(town: Town, e: int, day: dt.date, days: int = 100) -> bool:
    """An enforcement inspection with 0 major hazards in the ``days`` before ``day`` (DC003)."""
    en = town.t["enforcement"]
    return any(en.get(i, "major_hazards") == 0 and isinstance(en.get(i, "date"), dt.date)
               and day - DAY * days <= en.get(i, "date") <= day for i in en.rows(e))


def overdue_open_on(town: Town, e: int, day: dt.date) -> bool:
    """A 重大 hazard of the enterprise past its deadline and open on ``day`` (DC004)."""
    hz = town.t["hazards"]
    for h in hz.rows(e):
        dl, done = hz.get(h, "deadline"), hz.get(h, "done_on")
        if is_major(town, h) and isinstance(dl, dt.date) and dl <= day and (done is None or done >= day):
            return True
    return False


# -- accidents -------------------------------------------------------------------------------
def add_accident(town: Town, ent: Ent, at: dt.datetime, *, education: int | None = 5, **over) -> int:
    rng = town.rng
    # v2: the head learns of it a few minutes later (AC001 counts the hour from then)
    informed = at + dt.timedelta(minutes=rng.randrange(0, 11))
    vals = dict(occurred_at=at, kind=rng.choice(ACCIDENT_KINDS), deaths=0, injuries=rng.choice((1, 1, 2)),
                county_at=informed + dt.timedelta(minutes=rng.randrange(15, 51)),
                town_at=at + dt.timedelta(minutes=rng.randrange(10, 46)), head_informed_at=informed)
    vals.update(over)
    row = town.t["accidents"].add(ent.i, at, **vals)
    if education is not None:  # TR005: 事故警示教育 within 30 days after
        add_training(town, ent, at.date() + DAY * education, "事故警示教育", f"本单位{vals['kind']}事故警示教育")
    return row


def _accidents(town: Town) -> None:
    rng = town.rng
    pool = [e for e in town.ents if e.industry in ("工贸", "建筑施工", "交通运输", "非煤矿山")] or town.ents
    for k, ent in enumerate(rng.sample(pool, min(len(pool), max(1, round(len(town.ents) / 50))))):
        for _ in range(20):  # DC003/DC004 stay silent in the clean town
            day = town.day(D(2023, 3, 1), D(2023, 11, 20))
            if not zero_major_before(town, ent.i, day) and not overdue_open_on(town, ent.i, day):
                break
        else:
            continue
        at = DT(day.year, day.month, day.day, rng.randrange(7, 18), rng.randrange(60))
        over = {}
        if k == 0:  # the head heard of it 40 min later: reported within the hour after that (AC001 v2)
            informed = at + dt.timedelta(minutes=40)
            over = dict(head_informed_at=informed, county_at=informed + dt.timedelta(minutes=35),
                        town_at=at + dt.timedelta(minutes=50))
        add_accident(town, ent, at, education=rng.randrange(2, 20), **over)


# -- meetings --------------------------------------------------------------------------------
def _meetings(town: Town) -> None:
    rng, mt = town.rng, town.t["meetings"]
    p1_end = town.campaign.phase("P1").end
    leaders = town.campaign.leader_names
    office = town.campaign.industries[0].station  # 领导组办公室 at the 应急站
    if leaders:  # G1: the town's own 动员部署会, chaired by a town leader (GV005)
        mt.add(-1, D(2023, 5, 12), place="town", unit=town.town_unit, date=D(2023, 5, 12), kind="动员部署会",
               chair=leaders[0], note="全镇重大事故隐患专项排查整治动员部署会")
        mt.add(-1, D(2023, 5, 26), place="town", unit=office, date=D(2023, 5, 26), kind="专题会议",
               chair=town.stations[office].head, note="领导组办公室研究部署企业自查自改")
    # D2: the enforcers' training before 精准执法 (GV004)
    team = town.stations[town.enforcement_team]
    day = town.day(D(2023, 7, 10), D(2023, 7, 28))
    mt.add(-1, day, place="town", unit=town.enforcement_team, date=day, kind="执法培训", chair=team.head,
           note="精准执法阶段执法人员业务培训（重大事故隐患判定标准、行政处罚程序）")
    for v, village in enumerate(town.villages):
        sec = town.secretaries[v]
        day = town.day(D(2023, 5, 15), p1_end)
        mt.add(-1, day, v=v, unit=village, date=day, kind="动员部署会", chair=sec, note="传达镇专项行动方案，部署本村排查整治")
        for a, b in ((D(2023, 7, 1), D(2023, 7, 31)), (D(2023, 10, 1), D(2023, 10, 31))):
            day = town.day(a, b)
            mt.add(-1, day, v=v, unit=village, date=day, kind="专题会议", chair=sec, note="研究隐患整改进展")
    deputy = "薛明辉"
    lead = {ind.station for ind in town.campaign.industries}
    for s in list(town.stations)[:-1]:
        if s not in lead or not any(e.station == s for e in town.ents):
            continue
        day = town.day(D(2023, 6, 1), D(2023, 7, 15))
        mine = [e.name for e in town.ents if e.station == s]
        reached = rng.sample(mine, min(len(mine), rng.randrange(1, 6)))
        mt.add(-1, day, place="town", unit=s, date=day, kind="企业宣讲", chair=town.stations[s].head,
               enterprises=reached, note="到企业宣讲专项整治方案")
        day = town.day(D(2023, 9, 4), D(2023, 9, 29))
        mt.add(-1, day, place="town", unit=s, date=day, kind="进展汇报", chair=town.stations[s].head,
               note="向镇专项行动领导组汇报本行业排查整治进展")
    for k, leader in enumerate(leaders):
        v = rng.randrange(len(town.villages))
        day = town.day(D(2023, 6, 10), D(2023, 6, 30)) if k == 0 else town.day(D(2023, 9, 1), D(2023, 9, 28))
        mt.add(-1, day, place="town", unit=town.villages[v], date=day, kind="现场督导", chair=leader,
               note="现场督导重大事故隐患排查整治")
    for _ in range(max(2, len(town.villages) // 3)):
        v = rng.randrange(len(town.villages))
        day = town.day(D(2023, 6, 1), D(2023, 12, 15))
        mt.add(-1, day, place="town", unit=town.villages[v], date=day, kind="现场督导", chair=deputy,
               note="分管领导现场督导")
