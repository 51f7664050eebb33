"""Planted violations: each one changes an otherwise clean enterprise and says what a
correct checker must find because of it (the consequences included).

The catalogue, with the reasoning, is the table in the package docstring
(:mod:`jicui_samples`). Each planting function here is one line of that table.
Enterprises are drawn so that no two plantings meet (see :meth:`Planter.pick`): a planting
that changes an enterprise's coverage (its July inspections, its drills, its checklist row,
its enforcement history …) has the enterprise to itself; plantings on single rows may share
an enterprise but never a row. An untouched enterprise is always preferred, so in the default
town (150 enterprises) almost every planting has its own. A planted town needs about 30
enterprises or more.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from . import _people as P
from ._town import (
    DAY,
    DT,
    NOT_WELDING,
    D,
    Ent,
    Raw,
    Town,
    _stem,
    add_accident,
    add_check,
    add_drill,
    add_hazard,
    add_inspection,
    add_permit,
    add_training,
    major_open_on,
    must_have_full_time,
    new_certificate,
    norm_name,
)


@dataclass
class Finding:
    """One manifest row before its source location is known."""

    rule: str
    e: int | None = None  # enterprise index
    uscc: str | None = None  # when it is not the registry's (unknown enterprise)
    village: str = ""
    row: tuple[str, int] | None = None  # (ledger, row index)
    dup: tuple[str, int] | None = None  # SCH004: the other occurrence; the later one is flagged
    sheet: str | None = None  # key of a planted sheet (SCH000 / SCH001)
    file: str | None = None  # a non-ledger file (SCH000)
    period: str = ""
    note: str = ""
    expect: tuple[str, object] | None = None  # (column key, canonical value) the row holds


class Planter:
    def __init__(self, town: Town):
        self.town = town
        self.rng = random.Random(f"jicui-plants-{town.seed}")
        self.used: dict[int, dict[str, str]] = {}  # enterprise → aspect → "x" (whole) | "s" (rows)
        self.taken: set[tuple[str, int]] = set()  # rows already planted on
        self.order = list(range(len(town.ents)))
        self.rng.shuffle(self.order)
        self.found: list[Finding] = []
        self.sheets: dict[str, dict] = {}  # planted sheets: key → spec for the layout
        self.files: list[tuple[str, bytes]] = []  # non-ledger files (relative path, content)

    # -- choosing enterprises ------------------------------------------------------------
    def pick(self, aspects: str = "", pred=lambda ent: True, *, shared: str = "") -> Ent:
        """An enterprise for a planting.

        ``aspects`` are parts of the enterprise the planting changes as a whole (a month's
        inspections, its checklist row, its drills coverage, …): no other planting may touch
        them. ``shared`` are ledgers where the planting only adds or changes rows of its
        own: other row plantings may share the enterprise (on other rows), coverage
        plantings may not. An untouched enterprise is preferred while any is left.
        """
        excl, sh = set(aspects.split()), set(shared.split())
        ents = self.town.ents
        for strict in (True, False):
            for i in self.order:
                used = self.used.get(i)
                if strict:
                    ok = used is None
                else:
                    used = used or {}
                    ok = all(a not in used for a in excl) and all(used.get(a) != "x" for a in sh)
                if ok and pred(ents[i]):
                    u = self.used.setdefault(i, {})
                    u.update({a: "x" for a in excl})
                    for a in sh:
                        u.setdefault(a, "s")
                    return ents[i]
        raise RuntimeError(f"no enterprise left for a planting touching {aspects or shared}: "
                           "the town is too small (use more enterprises, or clean=True)")

    def add(self, rule: str, ent: Ent | None, **kw) -> Finding:
        if ent is not None:
            kw.setdefault("e", ent.i)
            kw.setdefault("village", self.town.villages[ent.village])
        f = Finding(rule, **kw)
        self.found.append(f)
        return f

    # -- helpers ---------------------------------------------------------------------------
    def one(self, ledger: str, ent: Ent, pred=lambda i: True) -> int:
        """A row of the enterprise no other planting uses (and marks it used)."""
        rows = [i for i in self.town.t[ledger].rows(ent.i) if (ledger, i) not in self.taken and pred(i)]
        if not rows:
            raise RuntimeError(f"{ledger}: no row to plant on for {ent.name}")
        i = self.rng.choice(rows)
        self.taken.add((ledger, i))
        return i

    def has(self, ledger: str, ent: Ent, pred=lambda i: True) -> bool:
        return any((ledger, i) not in self.taken and pred(i) for i in self.town.t[ledger].rows(ent.i))

    def donor(self, a: Ent) -> Ent:
        """Another enterprise whose name a REF002 row borrows (it is not changed)."""
        for i in self.order:
            e = self.town.ents[i]
            if e.i != a.i and e.ref_mode == "mixed":
                return e
        raise RuntimeError("a town of one enterprise has no other name to borrow")

    def calm(self, ent: Ent) -> bool:
        """No enforcement record and no accident, no planted hazard: a planted hazard, inspection or
        accident there triggers none of DC001–DC004 by chance."""
        t = self.town.t
        return not t["enforcement"].rows(ent.i) and not t["accidents"].rows(ent.i) and \
            "hazards" not in self.used.get(ent.i, {})

    def fresh(self, aspects: str, pred=lambda ent: True) -> Ent:
        """An enterprise for a planting of inspections or accidents: no accident and no planted hazard
        of its own, and its clean enforcement history removed (the planting owns it), so nothing
        meets by chance (DC001–DC004)."""
        t = self.town.t
        ent = self.pick(aspects, lambda e: not t["accidents"].rows(e.i) and "hazards" not in self.used.get(e.i, {})
                        and pred(e))
        for i in t["enforcement"].rows(ent.i):
            t["enforcement"].kill(i)
        return ent

    def hi_major(self, ent: Ent, n: int = 0):
        """发现重大隐患数 of an added head-led inspection (v2 template only)."""
        return n if self.town.v2(ent.village) else None

    def new_name(self, ent: Ent) -> str:
        name = P.distinct_names(self.rng, 1, ent.people)[0]
        ent.people.add(name)
        return name


def plant_all(town: Town) -> Planter:
    p = Planter(town)
    for fn in (_generic, _registry_and_checklist, _hazards, _head_inspections, _drills, _outsourcing,
               _hot_work, _welding_equipment, _special_workers, _training, _enforcement, _d4_review, _accidents,
               _town_level):
        fn(p)
    return p


# =========================================================================================
def _generic(p: Planter) -> None:
    town, rng = p.town, p.rng
    t = town.t
    v0 = 0
    v1 = 1 % len(town.villages)
    # SCH000: a sheet that is no ledger, a scanned PDF and a Word file
    p.sheets["junk"] = {"doc": "registry", "name": "统计汇总"}
    p.add("SCH000", None, sheet="junk", note="企业名录工作簿中的“统计汇总”表不是任何台账")
    pdf_path = f"{town.villages[v1]}/隐患整改验收单扫描件.pdf"
    p.files.append((pdf_path, _tiny_pdf()))
    p.add("SCH000", None, file=pdf_path, note="扫描件（PDF）不是台账文件")
    docx_path = "应急站/执法检查情况说明.docx"
    p.files.append((docx_path, _tiny_docx("执法检查情况说明")))
    p.add("SCH000", None, file=docx_path, note="Word 文档不是台账文件")

    # SCH001: a hazards sheet without 发现方式, a training sheet without 类型 (their rows are
    # extra: read or not, nothing else changes)
    ent = p.pick(shared="hazards", pred=p.calm)
    for _ in range(2):
        r = add_hazard(town, ent.i, town.day(D(2023, 8, 1), D(2023, 9, 30)), "部门检查", immediate=False,
                       open_ok=False, place="补录隐患")
    p.sheets["补录隐患"] = {"ledger": "hazards", "village": ent.village, "omit": ("source",)}
    p.add("SCH001", None, sheet="补录隐患", note="“补录隐患”表缺少必填列“发现方式”")
    ent2 = p.pick(shared="training")
    for m in (3, 4, 5):
        add_training(town, ent2, D(2023, m, 18), "安全例会", "月度安全例会", place="安全例会记录",
                     attendees=min(ent2.employees, 12))
    p.sheets["安全例会记录"] = {"ledger": "training", "village": ent2.village, "omit": ("kind",)}
    p.add("SCH001", None, sheet="安全例会记录", note="“安全例会记录”表缺少必填列“类型”")

    # SCH005 (v2): a column that maps to no field (the village added it): one finding per sheet
    p.sheets["extra-hazards"] = {"ledger": "hazards", "village": v0, "extra": ("所在位置",)}
    p.add("SCH005", None, sheet="extra-hazards", note="隐患台账多出“所在位置”列，该列不在核查范围")
    p.sheets["extra-hi"] = {"ledger": "head_inspections", "village": v1, "extra": ("复查情况",)}
    p.add("SCH005", None, sheet="extra-hi", note="带队检查记录多出“复查情况”列，该列不在核查范围")

    # SCH002: values that cannot be read
    hi = t["head_inspections"]
    ent = p.pick(shared="hi")
    r = hi.add(ent.i, D(2023, 8, 31), date=Raw("2023-13-45"), leader=ent.head, members=None,
               basis="重大事故隐患判定标准", hazards_found=0, major_found=p.hi_major(ent), signed=True)
    p.add("SCH002", ent, row=("head_inspections", r), expect=("date", Raw("2023-13-45")),
          note="检查日期“2023-13-45”不是日期（可能是任何一个月的检查：HI001 暂不判断该企业）")
    ent = p.pick(shared="hi")
    r = hi.add(ent.i, D(2023, 9, 15), date=D(2023, 9, 15), leader=ent.head, members=None,
               basis="重点检查事项清单", hazards_found=Raw("若干"), major_found=p.hi_major(ent), signed=True)
    p.add("SCH002", ent, row=("head_inspections", r), expect=("hazards_found", Raw("若干")),
          note="发现隐患数“若干”不是整数（无法核对 HI004）")
    ent = p.pick(shared="training")
    r = add_training(town, ent, D(2023, 2, 27), "安全例会", "节后复工安全例会", date=Raw("2023-02-30"))
    p.add("SCH002", ent, row=("training", r), expect=("date", Raw("2023-02-30")), note="日期“2023-02-30”不存在")
    ent = p.pick(shared="training")
    r = add_training(town, ent, D(2023, 4, 11), "安全例会", "安全例会", attendees=Raw("abc"))
    p.add("SCH002", ent, row=("training", r), expect=("attendees", Raw("abc")), note="参加人数“abc”不是整数")
    ent = p.pick(shared="drills", pred=lambda e: p.has("drills", e))
    r = p.one("drills", ent)
    t["drills"].set(r, kind=Raw("桌面推演"))
    p.add("SCH002", ent, row=("drills", r), expect=("kind", Raw("桌面推演")),
          note="演练类型“桌面推演”不在可选值中（演练本身有效）")
    ent = p.pick(shared="sw")
    r = new_certificate(town, ent, Raw("司炉工"))
    p.add("SCH002", ent, row=("special_workers", r), expect=("category", Raw("司炉工")),
          note="作业类别“司炉工”不在特种作业目录中（证书有效，非动火人员）")
    ent = p.pick(shared="sw")
    r = new_certificate(town, ent, "电工作业", on_post=Raw("待定"))
    p.add("SCH002", ent, row=("special_workers", r), expect=("on_post", Raw("待定")),
          note="是否在岗“待定”不是是/否（证书有效，无其他问题）")

    # SCH003: empty required cells
    ent = p.pick(shared="hazards", pred=p.calm)
    r = add_hazard(town, ent.i, town.day(D(2023, 6, 1), D(2023, 9, 30)), "部门检查", open_ok=False)
    t["hazards"].set(r, description=None)
    p.add("SCH003", ent, row=("hazards", r), expect=("description", None), note="隐患描述为空")
    ent = p.pick(shared="sw")
    r = new_certificate(town, ent, "电工作业")
    t["special_workers"].set(r, cert_no=None)
    p.add("SCH003", ent, row=("special_workers", r), expect=("cert_no", None), note="证书编号为空（电工，非动火人员）")
    ent = p.pick(shared="os", pred=lambda e: p.has("outsourcing", e))
    r = p.one("outsourcing", ent)
    t["outsourcing"].set(r, party=None)
    p.add("SCH003", ent, row=("outsourcing", r), expect=("party", None), note="承包承租方为空")
    st = "城建站"
    r = t["meetings"].add(-1, D(2023, 6, 20), place="town", unit=st, date=D(2023, 6, 20), kind="企业宣讲",
                          chair=None, note="到建筑施工企业宣讲专项整治方案")
    p.add("SCH003", None, row=("meetings", r), expect=("chair", None), note="企业宣讲记录的主持或带队为空")

    # SCH004: duplicate keys (the later occurrence in reading order is flagged)
    ent = p.pick("registry")
    reg = t["enterprises"]
    vals = {k: reg.get(ent.reg_row, k) for k in reg.fields}
    r = reg.add(ent.i, (10**6, ent.i), **vals)  # pasted again at the end of the list
    p.add("SCH004", ent, row=("enterprises", r), dup=("enterprises", ent.reg_row), expect=("uscc", ent.uscc),
          note="统一社会信用代码在企业名录中重复出现（重复粘贴的整行）")
    ent = p.pick("hazards", lambda e: p.calm(e) and any(t["hazards"].get(i, "source") == "企业自查"
                                                        for i in t["hazards"].rows(e.i)))
    first = p.one("hazards", ent, lambda i: t["hazards"].get(i, "source") == "企业自查")
    r = add_hazard(town, ent.i, town.day(D(2023, 6, 1), D(2023, 10, 31)), "部门检查", open_ok=False)
    no = t["hazards"].get(first, "hazard_no")
    t["hazards"].set(r, hazard_no=no)
    p.add("SCH004", ent, row=("hazards", r), dup=("hazards", first), expect=("hazard_no", no),
          note=f"同一企业隐患编号“{no}”重复")
    ent = p.pick(shared="hw", pred=lambda e: e.hot_work and p.has("hot_work", e))
    first = p.one("hot_work", ent)
    start = t["hot_work"].get(first, "start") + dt.timedelta(days=3)
    r = add_permit(town, ent, start)
    no = t["hot_work"].get(first, "permit_no")
    t["hot_work"].set(r, permit_no=no)
    p.taken.add(("hot_work", r))
    p.add("SCH004", ent, row=("hot_work", r), dup=("hot_work", first), expect=("permit_no", no),
          note=f"同一企业作业票编号“{no}”重复")

    # FMT001: a registry code with a wrong check character (the enterprise's rows name it
    # by name only, so no other cell carries the bad code); a contractor's code
    ent = p.pick("registry ref")
    bad = P.break_uscc(ent.uscc)
    reg.set(ent.reg_row, uscc=bad)
    ent.uscc, ent.ref_mode = bad, "name"
    p.add("FMT001", ent, row=("enterprises", ent.reg_row), expect=("uscc", bad),
          note="企业名录中的统一社会信用代码校验位错误（其台账只写企业名称）")
    ent = p.pick(shared="os", pred=lambda e: p.has("outsourcing", e))
    r = p.one("outsourcing", ent)
    bad = P.break_uscc(t["outsourcing"].get(r, "party_uscc"))
    t["outsourcing"].set(r, party_uscc=bad)
    p.add("FMT001", ent, row=("outsourcing", r), expect=("party_uscc", bad), note="承包承租方信用代码校验位错误")

    # FMT002: ID numbers with a wrong check digit (electricians: no hot work)
    for _ in range(2):
        ent = p.pick(shared="sw")
        r = new_certificate(town, ent, "电工作业")
        bad = P.break_id(t["special_workers"].get(r, "id_no"))
        t["special_workers"].set(r, id_no=bad)
        p.add("FMT002", ent, row=("special_workers", r), expect=("id_no", bad), note="身份证号校验位错误")
    ent = p.pick(shared="sw")
    r = new_certificate(town, ent, "电工作业", birth=D(1968, 3, 12))
    old = P.old_id(rng, D(1968, 3, 12), True)
    t["special_workers"].set(r, id_no=old)
    p.add("FMT002", ent, row=("special_workers", r), expect=("id_no", old),
          note="15位第一代身份证号（2013年1月1日起停止使用）")

    # FMT003: malformed phone numbers in the registry
    for bad in (lambda ph: P.mobile(rng)[:10], lambda ph: f"{P.AREA_CODE}-{rng.randrange(10000, 99999)}"):
        ent = p.pick("registry")
        ph = bad(ent.phone)
        reg.set(ent.reg_row, phone=ph)
        p.add("FMT003", ent, row=("enterprises", ent.reg_row), expect=("phone", ph), note=f"联系电话“{ph}”位数不对")

    # REF001: rows naming an enterprise that is not in the registry
    known = {norm_name(e.name) for e in town.ents}
    unknown = []
    while len(unknown) < 2:
        nm = f"{_stem(rng.choice(town.villages))}{rng.choice(('顺发', '永兴', '利民', '广源'))}商贸有限公司"
        if norm_name(nm) not in known and nm not in unknown:
            unknown.append(nm)
    r = t["training"].add(-1, D(2023, 7, 6), v=v0, ref={"name": unknown[0], "uscc": None}, date=D(2023, 7, 6),
                          kind="安全例会", topic="安全例会", attendees=8)
    p.add("REF001", None, row=("training", r), expect=("@name", unknown[0]), note=f"“{unknown[0]}”不在企业名录中")
    r = t["hazards"].add(-1, D(2023, 8, 9), v=v1, ref={"name": unknown[1], "uscc": None},
                         hazard_no="YH2023-001", description="仓库电气线路私拉乱接", category="现场管理类",
                         found_on=D(2023, 8, 9), source="部门检查", immediate=True, owner="刘强",
                         measures="拆除私拉线路", funds=0, deadline=None, contingency=None, posted=True,
                         reported_on=None, done_on=D(2023, 8, 9), verifier="刘强", verified_on=D(2023, 8, 9),
                         status="已销号")
    p.add("REF001", None, row=("hazards", r), expect=("@name", unknown[1]), note=f"“{unknown[1]}”不在企业名录中")

    # REF002: the USCC of one enterprise with the name of another (the row is the USCC's)
    a = p.pick("ref", shared="hi")
    b = p.donor(a)
    r = hi.add(a.i, D(2023, 10, 20), ref={"uscc": a.uscc, "name": b.name}, date=D(2023, 10, 20), leader=a.head,
               members=None, basis="重大事故隐患判定标准", hazards_found=0, major_found=p.hi_major(a), signed=True)
    p.add("REF002", a, row=("head_inspections", r), expect=("@name", b.name),
          note=f"信用代码属于本企业，企业名称却是“{b.name}”（本行按信用代码归属，负责人带队，无其他问题）")
    a = p.pick("ref", shared="training")
    b = p.donor(a)
    r = add_training(town, a, D(2023, 11, 8), "安全例会", "安全例会", ref={"uscc": a.uscc, "name": b.name})
    p.add("REF002", a, row=("training", r), expect=("@name", b.name),
          note=f"信用代码属于本企业，企业名称却是“{b.name}”")


# =========================================================================================
def _registry_and_checklist(p: Planter) -> None:
    town = p.town
    t = town.t
    reg, ck = t["enterprises"], t["checklist"]
    for k in range(2):
        ent = p.pick("registry")
        lead = town.campaign.industry(ent.industry)
        wrong = next(s for s in town.stations if s not in lead.stations and s != town.enforcement_team
                     and s != ("城建站", "农技站")[k] and any(e.station == s for e in town.ents))
        reg.set(ent.reg_row, station=wrong)
        p.add("ENT001", ent, row=("enterprises", ent.reg_row), expect=("station", wrong),
              note=f"{ent.industry}的监管站所应为{lead.station}，填为{wrong}")
    for value in (None, "无"):
        ent = p.pick("registry")
        reg.set(ent.reg_row, safety_staff=value)
        p.add("ENT002", ent, row=("enterprises", ent.reg_row), expect=("safety_staff", value),
              note="未填安全管理人员" if value is None else "安全管理人员填“无”")

    # ENT003 (E(7), 安全生产法 第24条) and CHK007 (E(8)): full-time safety staff, experts
    ent = p.pick("registry checklist", must_have_full_time)
    reg.set(ent.reg_row, full_time_safety=0)
    ck.set(ent.check_row, experts="是")
    p.add("ENT003", ent, row=("enterprises", ent.reg_row), expect=("full_time_safety", 0),
          note=f"{ent.industry}（从业{ent.employees}人）应配专职安全管理人员，填0人（已聘请专家，故无 CHK007）")
    ent = p.pick("registry checklist", must_have_full_time)
    reg.set(ent.reg_row, full_time_safety=0)
    ck.set(ent.check_row, experts="不需要")
    p.add("ENT003", ent, row=("enterprises", ent.reg_row), expect=("full_time_safety", 0),
          note=f"{ent.industry}（从业{ent.employees}人）应配专职安全管理人员，填0人")
    p.add("CHK007", ent, row=("checklist", ent.check_row), period="P2", expect=("experts", "不需要"),
          note="无专职安全管理人员（技术力量薄弱），聘请专业机构或专家填“不需要”")
    ent = p.pick("registry checklist", lambda e: not must_have_full_time(e) or e.full_time)
    reg.set(ent.reg_row, weak=True)
    ck.set(ent.check_row, experts="否")
    p.add("CHK007", ent, row=("checklist", ent.check_row), period="P2", expect=("experts", "否"),
          note="村认定技术力量薄弱，未聘请专业机构或专家")

    def chk(rule: str, key: str, value, note: str, pred=lambda e: True) -> None:
        ent = p.pick("checklist", pred)
        ck.set(ent.check_row, **{key: value})
        p.add(rule, ent, row=("checklist", ent.check_row), period="P2", expect=(key, value), note=note)

    chk("CHK001", "plan_on", None, "未填方案制定日期")
    chk("CHK001", "kickoff_on", D(2023, 8, 15), "动员部署会在 P2 结束（7月31日）之后才召开")
    chk("CHK002", "duty_system", False, "全员岗位责任制：否")
    chk("CHK002", "duty_system", False, "全员岗位责任制：否")
    chk("CHK003", "duty_lists", False, "负责人职责清单：否")
    chk("CHK003", "duty_lists", False, "负责人职责清单：否")
    chk("CHK004", "hot_work_review_on", None, "未填动火人员排查日期")
    chk("CHK004", "hot_work_review_on", D(2023, 9, 10), "动火人员排查在 P2 结束之后")
    # CHK005 on enterprises with a contract in force during P2: whether or not a checker counts
    # contracts that start after P2 (or ended before it), these need the review
    os_ = t["outsourcing"]
    p2 = town.campaign.phase("P2")
    in_p2 = lambda e: any(os_.get(i, "start") <= p2.end and (os_.get(i, "end") is None or os_.get(i, "end") >= p2.start)  # noqa: E731
                          for i in os_.rows(e.i))
    chk("CHK005", "outsourcing_review_on", None, "有外包外租项目，未填外包外租排查日期", in_p2)
    chk("CHK005", "outsourcing_review_on", D(2023, 8, 20), "外包外租排查在 P2 结束之后", in_p2)
    for _ in range(2):  # no checklist row at all: CHK006 (it stands for every item, E(1)…E(13))
        ent = p.pick("checklist", lambda e: not t["outsourcing"].rows(e.i))
        ck.kill(ent.check_row)
        ent.check_row = -1
        p.add("CHK006", ent, period="P2", note="企业专项行动落实情况表中没有该企业")


# =========================================================================================
def _hazards(p: Planter) -> None:
    town = p.town
    hz = town.t["hazards"]

    def plant(rule: str, note: str, *, immediate=False, expect_key: str | None = None, **vals) -> None:
        ent = p.pick(shared="hazards", pred=p.calm)
        r = add_hazard(town, ent.i, vals.pop("found_on", None) or town.day(D(2023, 6, 1), D(2023, 9, 30)),
                       vals.pop("source", "部门检查"), immediate=immediate, open_ok=False)
        found = hz.get(r, "found_on")
        vals = {k: (v(found) if callable(v) else v) for k, v in vals.items()}
        hz.set(r, **vals)
        key = expect_key or next(iter(vals))
        p.add(rule, ent, row=("hazards", r), expect=(key, hz.get(r, key)), note=note)

    plant("HZ001", "需限期整改，未填整改资金", funds=None)
    plant("HZ001", "需限期整改，应急预案填“无”", contingency="无")
    plant("HZ002", "需限期整改，未公示（否）", posted=False)
    plant("HZ002", "需限期整改，是否公示为空（按否）", posted=None)
    plant("HZ003", "需限期整改，未填报告日期", reported_on=None)
    plant("HZ003", "需限期整改，未填报告日期", reported_on=None)
    plant("HZ004", "验收日期早于整改完成日期", expect_key="verified_on",
          deadline=lambda f: f + DAY * 40, done_on=lambda f: f + DAY * 20, verified_on=lambda f: f + DAY * 15)
    plant("HZ004", "整改期限早于发现日期", expect_key="deadline",
          deadline=lambda f: f - DAY * 5, done_on=lambda f: f + DAY * 12, verified_on=lambda f: f + DAY * 12)
    for k in range(2):
        plant("HZ005", "整改期限已过仍未完成", expect_key="deadline", found_on=D(2023, 9, 5 + k),
              deadline=D(2023, 10, 31), done_on=None, verifier=None, verified_on=None, status="整改中")
    plant("HZ006", "已整改但无验收人、无验收日期", expect_key="verified_on",
          verifier=None, verified_on=None, status="已整改")
    plant("HZ006", "已整改但无验收日期", expect_key="verified_on", verified_on=None, status="已整改")
    plant("HZ007", "状态“整改中”，却已整改完成并验收销号", status="整改中")
    plant("HZ007", "状态“已整改”，却没有整改完成日期（期限在2024年）", expect_key="status",
          found_on=D(2023, 12, 5), deadline=D(2024, 2, 29), done_on=None, verifier=None, verified_on=None,
          status="已整改")
    plant("HZ008", "立即整改，10天后才完成", immediate=True, expect_key="done_on",
          deadline=None, done_on=lambda f: f + DAY * 10, verified_on=lambda f: f + DAY * 10)
    plant("HZ008", "立即整改，至今未完成", immediate=True, expect_key="done_on", found_on=D(2023, 11, 10),
          deadline=None, done_on=None, verifier=None, verified_on=None, status="整改中")


# =========================================================================================
def _head_inspections(p: Planter) -> None:
    town = p.town
    hi, hz = town.t["head_inspections"], town.t["hazards"]

    def month_rows(ent: Ent, m: int) -> list[int]:
        return [i for i in hi.rows(ent.i) if isinstance(hi.get(i, "date"), dt.date) and hi.get(i, "date").month == m]

    for m in (7, 10):  # HI001: a real gap
        ent = p.pick("hi")
        for i in month_rows(ent, m):
            hi.kill(i)
        p.add("HI001", ent, period=f"2023-{m:02d}", note=f"删除了该企业{m}月的全部负责人带队检查")
    # HI002 on an extra inspection (the month still has head-led ones)
    ent = p.pick(shared="hi")
    deputy = ent.deputy
    r = hi.add(ent.i, D(2023, 8, 29), date=D(2023, 8, 29), leader=deputy, members=ent.safety_staff[0],
               basis="重点检查事项清单", hazards_found=0, major_found=p.hi_major(ent), signed=True)
    p.add("HI002", ent, row=("head_inspections", r), expect=("leader", deputy),
          note="副职带队（当月另有主要负责人带队检查，故无 HI001）")
    # HI002 on the only inspection of September: HI001 for September follows
    ent = p.pick("hi")
    sept = month_rows(ent, 9)
    keep = sept[0]
    for i in sept[1:]:
        hi.kill(i)
    hi.set(keep, leader=ent.deputy, hazards_found=0, major_found=p.hi_major(ent))
    p.add("HI002", ent, row=("head_inspections", keep), expect=("leader", ent.deputy),
          note="9月唯一一次检查由副职带队")
    p.add("HI001", ent, period="2023-09", note="后果：9月唯一的检查不是主要负责人带队（见 HI002）")
    for value in (None, "无"):
        ent = p.pick(shared="hi")
        r = p.one("head_inspections", ent, lambda i: isinstance(hi.get(i, "date"), dt.date))
        hi.set(r, signed=value)
        p.add("HI003", ent, row=("head_inspections", r), expect=("signed", value),
              note="未签名确认" if value is None else "签名确认填“无”")
    # HI004 (v2): on the new template the 重大 count is compared with the day's 重大 self-reported
    # hazards; on the old one the 发现隐患数 with all of them
    for v2 in (True, False):
        ent = p.pick(shared="hi", pred=lambda e: town.v2(e.village) == v2 or len(town.villages) == 1)
        r = p.one("head_inspections", ent, lambda i: isinstance(hi.get(i, "date"), dt.date))
        day = hi.get(r, "date")
        same = [i for i in hz.rows(ent.i) if hz.get(i, "source") == "企业自查" and hz.get(i, "found_on") == day]
        if town.v2(ent.village):
            n = sum(1 for i in same if hz.get(i, "level") != "一般")
            hi.set(r, major_found=n + 1, hazards_found=max(hi.get(r, "hazards_found"), n + 1))
            p.add("HI004", ent, row=("head_inspections", r), expect=("major_found", n + 1),
                  note=f"记录发现重大隐患{n + 1}项，当日企业自查的重大隐患只登记了{n}项")
        else:
            n = len(same)
            hi.set(r, hazards_found=n + 2)
            p.add("HI004", ent, row=("head_inspections", r), expect=("hazards_found", n + 2),
                  note=f"记录发现{n + 2}项隐患（旧表，无“发现重大隐患数”列），当日企业自查隐患台账只有{n}项")


# =========================================================================================
def _drills(p: Planter) -> None:
    town = p.town
    dr = town.t["drills"]
    for k in range(2):
        ent = p.pick("drills", lambda e: not e.high_risk)
        for i in dr.rows(ent.i):
            dr.kill(i)
        if k == 0:
            add_drill(town, ent, D(2022, 11, 15))
        p.add("DR001", ent, period="2023", note="2023年无应急演练" + ("（仅有2022年11月的一次）" if k == 0 else ""))
    for k in range(2):
        pred = (lambda e: e.high_risk) if k == 0 else (lambda e: e.high_risk and e.high_risk_cell is True
                                                       and not town.campaign.industry(e.industry).high_risk)
        try:
            ent = p.pick("drills", pred)
        except RuntimeError:
            ent = p.pick("drills", lambda e: e.high_risk)
        for i in dr.rows(ent.i):
            if dr.get(i, "date") >= D(2023, 7, 1):
                dr.kill(i)
        extra = "（行业默认非高危，名录标注是否高危=是）" if not town.campaign.industry(ent.industry).high_risk else ""
        p.add("DR002", ent, period="2023-H2", note="高危企业下半年无应急演练" + extra)
    for value in (False, None):
        ent = p.pick(shared="drills", pred=lambda e: p.has("drills", e))
        r = p.one("drills", ent)
        dr.set(r, evacuation=value)
        p.add("DR003", ent, row=("drills", r), expect=("evacuation", value),
              note="演练不含疏散逃生" + ("（空白按否）" if value is None else ""))
    for _ in range(2):
        ent = p.pick(shared="drills", pred=lambda e: p.has("drills", e))
        r = p.one("drills", ent)
        dr.set(r, evaluated=False)
        p.add("DR004", ent, row=("drills", r), expect=("evaluated", False), note="演练未评估总结")
    for _ in range(2):
        ent = p.pick(shared="drills", pred=lambda e: e.employees >= 10 and p.has("drills", e))
        r = p.one("drills", ent)
        dr.set(r, participants=ent.employees // 3)
        p.add("DR005", ent, row=("drills", r), expect=("participants", ent.employees // 3),
              note=f"参演{ent.employees // 3}人，不足从业人数{ent.employees}的一半")


# =========================================================================================
def _outsourcing(p: Planter) -> None:
    town = p.town
    os_ = town.t["outsourcing"]
    p2 = town.campaign.phase("P2").start

    def running(i: int) -> bool:
        end = os_.get(i, "end")
        return os_.get(i, "start") <= town.as_of and (end is None or end >= p2)

    def plant(rule: str, note: str, key: str, value, pred=running) -> None:
        ent = p.pick(shared="os", pred=lambda e: p.has("outsourcing", e, pred))
        r = p.one("outsourcing", ent, pred)
        value = value(r) if callable(value) else value
        os_.set(r, **{key: value})
        p.add(rule, ent, row=("outsourcing", r), expect=(key, value), note=note)

    # OS001 (v2): no agreement and duties not defined in the contract either; OS004 follows (§8)
    for duties in (False, None):
        ent = p.pick(shared="os", pred=lambda e: p.has("outsourcing", e, running))
        r = p.one("outsourcing", ent, running)
        os_.set(r, agreement_on=None, duties_defined=duties)
        p.add("OS001", ent, row=("outsourcing", r), expect=("agreement_on", None),
              note="未签订安全生产协议，合同也未明确安全管理职责" + ("（空白按否）" if duties is None else ""))
        p.add("OS004", ent, row=("outsourcing", r), expect=("duties_defined", duties),
              note="后果：未明确安全管理职责（见 OS001）")
    signed = lambda i: running(i) and os_.get(i, "agreement_on") is not None  # noqa: E731
    plant("OS002", "协议在开工后才签订", "agreement_on", lambda r: os_.get(r, "start") + DAY * 12, signed)
    plant("OS002", "协议在开工后才签订", "agreement_on", lambda r: os_.get(r, "start") + DAY * 30, signed)
    plant("OS003", "承包方资质证书编号为空", "licence", None)
    plant("OS003", "资质在合同期内（2023-09-30）过期", "licence_until", D(2023, 9, 30),
          lambda i: running(i) and os_.get(i, "start") < D(2023, 9, 1)
          and (os_.get(i, "end") is None or os_.get(i, "end") > D(2023, 10, 31)))
    plant("OS004", "未明确安全管理职责（否）", "duties_defined", False, signed)
    plant("OS004", "明确安全管理职责为空（按否）", "duties_defined", None, signed)
    plant("OS005", "P2 开始后未检查（最近检查在2023年4月）", "last_check", D(2023, 4, 10),
          lambda i: running(i) and os_.get(i, "start") < D(2023, 4, 1))
    plant("OS005", "无最近安全检查日期", "last_check", None)


# =========================================================================================
def _hot_work(p: Planter) -> None:
    town = p.town
    hw = town.t["hot_work"]

    def welding(i: int) -> bool:  # HW007 judges only welding and cutting (or a sheet without 动火方式)
        return hw.get(i, "method") not in NOT_WELDING

    def plant(rule: str, note: str, pred=lambda e: e.hot_work, row=lambda i: True, **vals) -> tuple[Ent, int]:
        ent = p.pick(shared="hw", pred=lambda e: e.hot_work and pred(e) and p.has("hot_work", e, row))
        r = p.one("hot_work", ent, row)
        start = hw.get(r, "start")
        vals = {k: (v(r, start) if callable(v) else v) for k, v in vals.items()}
        hw.set(r, **vals)
        key = next(iter(vals))
        p.add(rule, ent, row=("hot_work", r), expect=(key, hw.get(r, key)), note=note)
        return ent, r

    plant("HW001", "无审批人", approver=None)
    plant("HW001", "无审批时间", approved_at=None)
    plant("HW002", "审批时间晚于动火开始30分钟", approved_at=lambda r, s: s + dt.timedelta(minutes=30))
    plant("HW002", "审批时间晚于动火开始2小时", approved_at=lambda r, s: s + dt.timedelta(hours=2))
    plant("HW003", "无监护人", guardian=None)
    plant("HW003", "监护人就是动火人", guardian=lambda r, s: hw.get(r, "worker"))
    # HW004 binds 危险化学品 and 燃气 (GB 30871-2022 scope); elsewhere the same limits are HW008
    chem_gas = lambda e: e.industry in ("危险化学品", "燃气")  # noqa: E731
    plant("HW004", "危险化学品/燃气企业一级动火作业票10小时", chem_gas, end=lambda r, s: s + dt.timedelta(hours=10),
          level="一级")
    plant("HW004", "危险化学品/燃气企业二级动火作业票80小时", chem_gas, end=lambda r, s: s + dt.timedelta(hours=80),
          level="二级")
    other = lambda e: not chem_gas(e)  # noqa: E731
    plant("HW008", "非危险化学品/燃气企业一级动火作业票10小时（标准仅作参照）", other,
          end=lambda r, s: s + dt.timedelta(hours=10), level="一级")
    plant("HW008", "非危险化学品/燃气企业二级动火作业票80小时（标准仅作参照）", other,
          end=lambda r, s: s + dt.timedelta(hours=80), level="二级")
    plant("HW005", "消防措施未落实（否）", fire_measures=False)
    plant("HW005", "消防措施落实为空（按否）", fire_measures=None)
    chem = lambda e: e.industry == "危险化学品"  # noqa: E731
    gas = lambda e: e.industry == ("燃气" if any(x.industry == "燃气" and x.hot_work for x in town.ents) else "危险化学品")  # noqa: E731
    plant("HW006", "危险化学品企业动火未做气体分析（否）", chem, gas_test=False)
    plant("HW006", "燃气企业动火气体分析为空（按否，v2 起燃气也须气体分析）", gas, gas_test=None)
    # HW007: the cited certificate is an electrician's; a worker not in the register at all
    ent = p.pick(shared="hw sw", pred=lambda e: e.hot_work and p.has("hot_work", e, welding))
    r = p.one("hot_work", ent, welding)
    c = new_certificate(town, ent, "电工作业", on_post=True)
    sw = town.t["special_workers"]
    hw.set(r, worker=sw.get(c, "person"), worker_cert=sw.get(c, "cert_no"))
    p.add("HW007", ent, row=("hot_work", r), expect=("worker_cert", sw.get(c, "cert_no")),
          note="动火人证书编号对应的是电工作业证，不是焊接与热切割作业证")
    ent = p.pick(shared="hw sw", pred=lambda e: e.hot_work and p.has("hot_work", e, welding))
    r = p.one("hot_work", ent, welding)
    name = p.new_name(ent)
    hw.set(r, worker=name, worker_cert=None)
    p.add("HW007", ent, row=("hot_work", r), expect=("worker", name),
          note=f"动火人“{name}”未填证书编号，持证台账中也没有此人")


# =========================================================================================
def _welding_equipment(p: Planter) -> None:
    """E(11): the welding kit checked before the P2 end (EQ001), not used while failed or
    unchecked (EQ002), not left failed (EQ003)."""
    town = p.town
    hw, we = town.t["hot_work"], town.t["welding_equipment"]
    p2_end = town.campaign.phase("P2").end

    def welds(e: Ent) -> bool:
        return any(hw.get(i, "method") not in NOT_WELDING for i in hw.rows(e.i))

    # EQ001: checked in December 2022 and then only after P2 (the 2022 check is not the campaign's)
    ent = p.pick("we", lambda e: e.hot_work and not e.grind_only and welds(e))
    for i in we.rows(ent.i):
        if D(2023, 1, 1) <= we.get(i, "checked_on") <= p2_end:
            we.kill(i)
    p.add("EQ001", ent, period="P2", note="电气焊设备只有2022年12月的检查，P2 结束前未按专项行动检查")
    # EQ001: no equipment checked at all, in a village on the old template (no 设备编号 on its permits)
    old = [e for e in town.ents if not town.v2(e.village)]
    ent = p.pick("we", lambda e: e.hot_work and not e.grind_only and welds(e) and (not town.v2(e.village) or not old))
    for i in we.rows(ent.i):
        if we.get(i, "checked_on") <= p2_end or not old:
            we.kill(i)
    if not old:  # a town without old-template villages: the permits name no kit either
        for i in hw.rows(ent.i):
            hw.set(i, equipment_no=None)
    p.add("EQ001", ent, period="P2", note="有电气焊动火作业，P2 结束前没有任何电气焊设备检查记录")

    # EQ002: the kit named on a permit failed its check that morning (repaired the next day)
    def named(e: Ent):
        rows = [i for i in hw.rows(e.i) if hw.get(i, "equipment_no") and (("hot_work", i) not in p.taken)]
        for i in rows:
            no, day = hw.get(i, "equipment_no"), hw.get(i, "start").date()
            if not any(j != i and hw.get(j, "equipment_no") == no and hw.get(j, "start").date() == day for j in rows):
                return i
        return None

    v2 = lambda e: town.v2(e.village)  # noqa: E731
    ent = p.pick("we", lambda e: v2(e) and e.hot_work and named(e) is not None)
    r = named(ent)
    p.taken.add(("hot_work", r))
    no, day = hw.get(r, "equipment_no"), hw.get(r, "start").date()
    kind = next(we.get(i, "kind") for i in we.rows(ent.i) if we.get(i, "equipment_no") == no)
    add_check(town, ent, no, kind, day, "不合格", action="绝缘破损，停用送修")
    add_check(town, ent, no, kind, day + DAY, "合格", action="更换电缆后复检合格")
    p.add("EQ002", ent, row=("hot_work", r), expect=("equipment_no", no),
          note=f"动火当天设备{no}检查不合格（次日修复复检合格），仍用于动火作业")
    ent = p.pick(shared="hw", pred=lambda e: v2(e) and e.hot_work and p.has("hot_work", e, lambda i: hw.get(i, "equipment_no")))
    r = p.one("hot_work", ent, lambda i: hw.get(i, "equipment_no"))
    hw.set(r, equipment_no="HJ-09")
    p.add("EQ002", ent, row=("hot_work", r), expect=("equipment_no", "HJ-09"),
          note="作业票写的设备编号 HJ-09 在电气焊设备检查台账中没有检查记录")

    # EQ003: failed and left so (no later 合格 or 淘汰); no permit names it
    for k, (first, failed) in enumerate(((D(2023, 6, 12), D(2023, 11, 20)), (None, D(2023, 12, 5)))):
        ent = p.pick(shared="we", pred=lambda e: e.hot_work and not e.grind_only and e.equipment)
        no = f"QP-{9 - k:02d}"
        if first:
            add_check(town, ent, no, "氧气瓶、乙炔瓶组", first)
        r = add_check(town, ent, no, "氧气瓶、乙炔瓶组", failed, "不合格", action="减压器损坏，待维修")
        p.add("EQ003", ent, row=("welding_equipment", r), expect=("result", "不合格"),
              note=f"设备{no}于{failed:%m月%d日}检查不合格，至年底未复检或淘汰")


# =========================================================================================
def _special_workers(p: Planter) -> None:
    town = p.town
    for issued, reviewed, on_post in ((D(2017, 11, 1), D(2021, 6, 15), True), (D(2017, 9, 15), D(2021, 3, 1), None)):
        ent = p.pick(shared="sw")
        r = new_certificate(town, ent, "电工作业", issued=issued, reviewed=reviewed, on_post=on_post)
        until = town.t["special_workers"].get(r, "valid_until")
        p.add("SW001", ent, row=("special_workers", r), expect=("valid_until", until),
              note=f"在岗人员证书已于{until:%Y-%m-%d}过期" + ("（是否在岗为空，按在岗）" if on_post is None else ""))
    for issued, reviewed in ((D(2018, 6, 1), None), (D(2019, 8, 20), D(2020, 8, 1))):
        ent = p.pick(shared="sw")
        r = new_certificate(town, ent, "电工作业", issued=issued, reviewed=reviewed, on_post=True)
        key = "reviewed_on" if reviewed else "issued_on"
        p.add("SW002", ent, row=("special_workers", r), expect=(key, reviewed or issued),
              note="超过3年未复审" + ("（从未复审，自初领起算）" if reviewed is None else ""))
    for issued, reviewed in ((D(2018, 2, 2), D(2021, 1, 25)), (D(2018, 2, 21), D(2021, 2, 10))):
        ent = p.pick(shared="sw")
        r = new_certificate(town, ent, "电工作业", issued=issued, reviewed=reviewed, on_post=True)
        until = town.t["special_workers"].get(r, "valid_until")
        p.add("SW003", ent, row=("special_workers", r), expect=("valid_until", until),
              note=f"证书{until:%Y-%m-%d}到期，距2023-12-31不足60天")
    # SW004: under 18 on the issue date (the birth date read from a valid ID number)
    for issued, birth in ((D(2021, 3, 10), D(2003, 8, 15)), (D(2022, 9, 1), D(2005, 1, 20))):
        ent = p.pick(shared="sw")
        r = new_certificate(town, ent, "电工作业", issued=issued, birth=birth, on_post=True)
        p.add("SW004", ent, row=("special_workers", r), expect=("issued_on", issued),
              note=f"初领证时未满18周岁（出生于{birth:%Y-%m-%d}）")


# =========================================================================================
def _training(p: Planter) -> None:
    town = p.town
    tr = town.t["training"]

    def kind_rows(ent: Ent, kind: str) -> list[int]:
        return [i for i in tr.rows(ent.i) if tr.get(i, "kind") == kind]

    def main_training(ent: Ent) -> int:
        rows = kind_rows(ent, "专项行动全员培训")
        main = max(rows, key=lambda i: tr.get(i, "attendees"))
        for i in rows:
            if i != main:
                tr.kill(i)  # no make-up session: the main one decides
        return main

    ent = p.pick("training")
    r = main_training(ent)
    tr.set(r, examined=None, passed=None)
    p.add("TR001", ent, period="P2", note="专项行动全员培训没有考试（考试人数为空）")
    ent = p.pick("training")
    r = main_training(ent)
    tr.set(r, date=D(2023, 8, 20))
    p.add("TR001", ent, period="P2", note="专项行动全员培训在 P2 结束后（8月20日）才开展")
    for _ in range(2):
        ent = p.pick("training", lambda e: e.employees >= 20)
        r = main_training(ent)
        n = int(ent.employees * 0.8)
        tr.set(r, attendees=n, examined=n, passed=n)
        p.add("TR002", ent, row=("training", r), expect=("attendees", n),
              note=f"全员培训参加{n}人，不足从业人数{ent.employees}的90%")
    ent = p.pick("training")
    for i in kind_rows(ent, "动火作业警示教育"):
        tr.kill(i)
    p.add("TR003", ent, period="P2", note="没有动火作业警示教育")
    ent = p.pick("training")
    for i in kind_rows(ent, "动火作业警示教育"):
        tr.set(i, date=D(2023, 9, 5))
    p.add("TR003", ent, period="P2", note="动火作业警示教育在 P2 结束后（9月5日）才开展")
    # TR006: the typical accidents of the campaign file (E(3))
    p1_end = town.campaign.phase("P1").end
    accs = town.campaign.typical_accidents
    edu = lambda e: [i for i in kind_rows(e, "事故警示教育")]  # noqa: E731
    no_acc = lambda e: not town.t["accidents"].rows(e.i)  # noqa: E731
    if accs:
        a = accs[0]
        until = max(a.date, p1_end) + DAY * 30
        later = [x for x in accs[1:] if x.date <= until]
        ent = p.pick("training", lambda e: no_acc(e) and not any(x.concerns(e.industry) for x in later))
        for i in edu(ent):
            if a.date <= tr.get(i, "date") <= until:
                tr.kill(i)
        p.add("TR006", ent, period=f"{a.date:%Y-%m-%d}", note=f"未开展{a.name}事故警示教育")
    if len(accs) > 1:
        a, first = accs[1], accs[0]
        until = max(a.date, p1_end) + DAY * 30
        ent = p.pick("training", lambda e: no_acc(e) and a.concerns(e.industry) and bool(a.industries))
        for i in edu(ent):
            if a.date <= tr.get(i, "date") <= until:
                mine = first.name in (tr.get(i, "topic") or "")
                tr.set(i, date=max(first.date, p1_end) - DAY * 10 if mine else until + DAY * 20)
        p.add("TR006", ent, period=f"{a.date:%Y-%m-%d}",
              note=f"{a.name}事故警示教育在期限（{until:%m月%d日}）后才开展")
    reg_meeting = lambda i: tr.get(i, "kind") == "安全例会" and isinstance(tr.get(i, "attendees"), int)  # noqa: E731
    for k in range(2):
        ent = p.pick(shared="training", pred=lambda e: p.has("training", e, reg_meeting))
        r = p.one("training", ent, reg_meeting)
        att = tr.get(r, "attendees")
        if k == 0:
            tr.set(r, examined=att + 2, passed=att)
            p.add("TR004", ent, row=("training", r), expect=("examined", att + 2), note="考试人数多于参加人数")
        else:
            tr.set(r, examined=att, passed=att + 1)
            p.add("TR004", ent, row=("training", r), expect=("passed", att + 1), note="合格人数多于考试人数")


# =========================================================================================
def _enforcement(p: Planter) -> None:
    town = p.town
    en, hz = town.t["enforcement"], town.t["hazards"]
    team = town.enforcement_team

    def ent_for(pred=lambda e: True) -> Ent:
        # no enforcement history and no accident of its own: the planted inspections meet no open
        # hazard by chance (DC001/DC002) and no accident follows them (DC003)
        return p.fresh("enforcement hazards accidents", pred)

    def quiet(day):
        return lambda e: not major_open_on(town, e.i, day)

    # EN001
    ent = ent_for()
    r = add_inspection(town, ent, D(2023, 9, 12), hazards=1, listed=False)
    p.add("EN001", ent, row=("enforcement", r), expect=("listed", False), note="发现重大隐患未挂牌督办")
    ent = ent_for()
    r = add_inspection(town, ent, D(2023, 10, 17), hazards=1, supervisor=None)
    p.add("EN001", ent, row=("enforcement", r), expect=("supervisor", None), note="挂牌督办但未明确督办责任人")
    # EN002
    ent = ent_for(quiet(D(2023, 8, 22)))
    st = town.stations[ent.station]
    r = add_inspection(town, ent, D(2023, 8, 22), station=ent.station, officers=[st.officers[0]])
    p.add("EN002", ent, row=("enforcement", r), expect=("officers", [st.officers[0]]), note="执法人员只有1人")
    ent = ent_for(quiet(D(2023, 9, 26)))
    r = add_inspection(town, ent, D(2023, 9, 26), signed=None)
    p.add("EN002", ent, row=("enforcement", r), expect=("signed", None), note="执法检查记录未签名")
    # EN003: fined a self-reported hazard that was being fixed within its deadline
    for k in range(2):
        ent = ent_for()
        f = D(2023, 8, 1 + 3 * k)
        h = add_hazard(town, ent.i, f, "企业自查", immediate=False, open_ok=False)
        hz.set(h, reported_on=f + DAY, deadline=f + DAY * 50, done_on=f + DAY * 40, verified_on=f + DAY * 40,
               status="已销号")
        r = add_inspection(town, ent, f + DAY * 15, hazard_rows=[h], fine=20000 + 10000 * k)
        p.add("EN003", ent, row=("enforcement", r), expect=("fine_company", 20000 + 10000 * k),
              note="企业自查并已报告、正在期限内整改的隐患被罚款")
    # EN004: fined an overdue hazard, company only (a follow-up inspection comes later)
    for k in range(2):
        ent = ent_for(quiet(D(2023, 10, 25 + k)))
        f = D(2023, 7, 10 + k)
        h = add_hazard(town, ent.i, f, "部门检查", immediate=False, open_ok=False)
        hz.set(h, reported_on=f + DAY, deadline=f + DAY * 40, done_on=D(2023, 10, 15), verified_on=D(2023, 10, 15),
               status="已销号")
        r = add_inspection(town, ent, D(2023, 9, 20 + k), hazard_rows=[h], fine=20000)
        add_inspection(town, ent, D(2023, 10, 25 + k))
        p.add("EN004", ent, row=("enforcement", r), expect=("fine_head", None),
              note="对逾期未整改的隐患只罚企业、未罚主要负责人（未一案双罚）；10月已整改并复查")
    # EN005 (v2, 安全生产法 第113条): 3 penalties within 180 days, or 4 within 365 days, a hazard
    # still open at the year end, no 提请关闭
    for k, days in enumerate(((D(2023, 8, 15), D(2023, 9, 20), D(2023, 10, 25)),
                              (D(2023, 1, 10), D(2023, 4, 20), D(2023, 8, 15), D(2023, 11, 20)))):
        ent = ent_for()
        for n, day in enumerate(days):
            last = n == len(days) - 1
            if k == 1 and n == 2:  # a shutdown order, no fine: a penalty all the same
                r = add_inspection(town, ent, day, station=team, hazards=1,
                                   actions="责令限期整改、停产整顿")
            else:
                r = add_inspection(town, ent, day, hazards=1, fine=10000)
            for h in en.get(r, "hazard_nos"):
                if k == 0 or last:
                    hz.set(h, deadline=D(2024, 1, 31) + DAY * (10 * k), done_on=None, verifier=None,
                           verified_on=None, status="整改中")
                else:
                    hz.set(h, deadline=day + DAY * 30, done_on=day + DAY * 20, verified_on=day + DAY * 20,
                           status="已销号")
        note = ("180天内3次行政处罚" if k == 0 else "365天内4次行政处罚（含一次停产整顿，任意180天内不足3次）")
        p.add("EN005", ent, period="2023", note=f"{note}，仍有隐患未整改，未提请关闭")
    # EN006: a fined hazard open after its deadline and no later inspection (→ HZ005 too)
    for k in range(2):
        ent = ent_for()
        day = D(2023, 8, 10 + k)
        for i in en.rows(ent.i):
            if en.get(i, "date") > day:
                en.kill(i)
        r = add_inspection(town, ent, day, hazards=1, fine=30000, fine_head=10000)
        (h,) = en.get(r, "hazard_nos")
        hz.set(h, deadline=D(2023, 9, 30), done_on=None, verifier=None, verified_on=None, status="整改中")
        p.add("EN006", ent, row=("enforcement", r), expect=("fine_company", 30000),
              note="一案双罚后隐患逾期未改，此后再无执法检查（以罚代管）")
        p.add("HZ005", ent, row=("hazards", h), expect=("deadline", D(2023, 9, 30)),
              note="后果：罚款所涉隐患9月30日到期仍未整改（见 EN006）")
    # EN007 (行政处罚法 第18、24条): a penalty recorded by a station, not by the enforcement team
    for k in range(2):
        ent = ent_for(lambda e: e.station != team)
        day = D(2023, 8, 24 + k)
        if k == 0:
            r = add_inspection(town, ent, day, station=ent.station, hazards=1, fine=5000)
            p.add("EN007", ent, row=("enforcement", r), expect=("fine_company", 5000),
                  note=f"{ent.station}作出罚款5000元（只有综合行政执法队可以实施行政处罚）")
        else:
            r = add_inspection(town, ent, day, station=ent.station, hazards=1, actions="责令限期整改、停产整顿")
            p.add("EN007", ent, row=("enforcement", r), expect=("actions", "责令限期整改、停产整顿"),
                  note=f"{ent.station}责令停产整顿（行政处罚应由综合行政执法队实施）")
        for h in en.get(r, "hazard_nos"):  # fixed in time: nothing else follows
            hz.set(h, deadline=day + DAY * 30, done_on=day + DAY * 20, verified_on=day + DAY * 20, status="已销号")


# =========================================================================================
def _d4_review(p: Planter) -> None:
    """D4(7) 倒查: what the inspections missed (DC001, DC002) and accidents after them (DC003, DC004)."""
    town = p.town
    _en, hz = town.t["enforcement"], town.t["hazards"]

    def ent_for() -> Ent:
        return p.fresh("enforcement hazards accidents")

    def hazard(ent: Ent, found, deadline, done) -> int:
        h = add_hazard(town, ent.i, found, "部门检查", immediate=False, open_ok=False, level="重大")
        hz.set(h, deadline=deadline, done_on=done, verified_on=done, status="已销号")
        return h

    # DC001: an inspection recorded 0 major hazards while one found before it was open
    for k in range(2):
        ent = ent_for()
        found = D(2023, 8, 3 + k)
        h = hazard(ent, found, found + DAY * 45, found + DAY * 35)
        day = found + DAY * 20
        r = add_inspection(town, ent, day, station=ent.station, actions="无")
        p.add("DC001", ent, row=("enforcement", r), expect=("major_hazards", 0),
              note=f"{day:%m月%d日}执法检查记录0项重大隐患，而该企业{hz.get(h, 'hazard_no')}号重大隐患当时尚未整改（查不出）")
    # DC002: found open after its deadline, no penalty then or later (fixed in November)
    for k in range(2):
        ent = ent_for()
        found = D(2023, 8, 1 + k)
        h = hazard(ent, found, D(2023, 9, 15), D(2023, 11, 5))
        r = add_inspection(town, ent, D(2023, 10, 10 + k), station=ent.station, hazard_rows=[h] if k == 0 else None,
                           actions="责令限期整改", major_hazards=1, listed=True,
                           supervisor=town.stations[ent.station].head)
        p.add("DC002", ent, row=("enforcement", r), expect=("actions", "责令限期整改"),
              note="检查时该重大隐患已超过整改期限仍未整改，只责令整改、未予处罚（应罚未罚）")
    # DC003: an accident within 90 days (the 90th day included) after a 0-major inspection
    def quiet_day(e: Ent):
        return next((d for d in (D(2023, 7, 1) + DAY * n for n in range(60)) if not major_open_on(town, e.i, d)), None)

    for k, gap in enumerate((71, 90)):
        ent = p.fresh("enforcement hazards accidents", lambda e: quiet_day(e) is not None)
        day = quiet_day(ent)
        add_inspection(town, ent, day, station=ent.station, actions="无")
        acc = day + DAY * gap
        at = DT(acc.year, acc.month, acc.day, 10, 20 + k)
        r = add_accident(town, ent, at, education=5)
        p.add("DC003", ent, row=("accidents", r), expect=("occurred_at", at),
              note=f"事故发生在{day:%m月%d日}执法检查（记录0项重大隐患）后第{gap}天")
    # DC004: an accident while a 重大 hazard was past its deadline and open (fixed afterwards)
    for k in range(2):
        ent = ent_for()
        hazard(ent, D(2023, 8, 20 + k), D(2023, 9, 30), D(2023, 10, 25))
        at = DT(2023, 10, 15 + k, 9, 40)
        r = add_accident(town, ent, at, education=6)
        p.add("DC004", ent, row=("accidents", r), expect=("occurred_at", at),
              note="事故发生时该企业有重大隐患已超过整改期限（9月30日）仍未整改")


# =========================================================================================
def _accidents(p: Planter) -> None:
    town = p.town

    def acc(rule: str, note: str, key: str, value, education=6, **more) -> None:
        ent = p.fresh("accidents training enforcement")
        day = town.day(D(2023, 8, 20), D(2023, 10, 31))
        at = DT(day.year, day.month, day.day, p.rng.randrange(8, 17), p.rng.randrange(60))
        over = {key: value(at) if callable(value) else value} if key else {}
        over.update({k: v(at) for k, v in more.items()})
        r = add_accident(town, ent, at, education=education, **over)
        p.add(rule, ent, row=("accidents", r), expect=(key or "occurred_at", town.t["accidents"].get(r, key or "occurred_at")),
              note=note)

    # AC001 (v2): the hour runs from when the unit's head was informed
    acc("AC001", "单位负责人接报（事故后20分钟）1个半小时后才报告县应急管理局", "county_at",
        lambda at: at + dt.timedelta(minutes=110), head_informed_at=lambda at: at + dt.timedelta(minutes=20))
    acc("AC001", "未报告县应急管理局", "county_at", None)
    acc("AC002", "事故发生2小时后才报告镇政府", "town_at", lambda at: at + dt.timedelta(hours=2))
    acc("AC002", "未报告镇政府", "town_at", None)
    acc("TR005", "事故后30天内无事故警示教育", None, None, education=None)
    acc("TR005", "事故警示教育在事故45天后才开展", None, None, education=45)


# =========================================================================================
def _town_level(p: Planter) -> None:
    """The town's and the stations' own duties. GV002, GV004 and GV005 judge the town as a whole:
    each can fire once, and planting it says nothing about any enterprise, so the sample town
    carries all three (a town that mobilised without its leaders, trained its enforcers late and
    whose leaders never went out to supervise); the rest of the town stays as clean as before."""
    town = p.town
    mt = town.t["meetings"]
    nv = len(town.villages)
    village_mobilisation = {mt.get(i, "unit"): i for i in mt.live() if mt.get(i, "kind") == "动员部署会"}
    targets = [nv - 1, nv - 2] if nv >= 3 else ([nv - 1] if nv == 2 else [])
    for k, v in enumerate(targets):
        name = town.villages[v]
        i = village_mobilisation[name]
        if k == 0:
            mt.set(i, date=D(2023, 6, 10))
            mt.sort[i] = D(2023, 6, 10)
            note = "村动员部署会6月10日才召开（P1 截至5月31日）"
        else:
            mt.set(i, kind="专题会议")
            note = "村未召开动员部署会（只有专题会议）"
        p.add("GV001", None, village=name, period="P1", note=note)
    leaders = set(town.campaign.leader_names)
    for i in mt.live():
        if mt.get(i, "kind") == "现场督导" and mt.get(i, "chair") in leaders:
            mt.kill(i)
    if town.campaign.leader_names:
        late = D(2024, 1, 6)
        mt.add(-1, late, place="town", unit=town.villages[0], date=late, kind="现场督导",
               chair=town.campaign.leader_names[0], note="年终现场督导（已在专项行动结束后）")
    p.add("GV002", None, village=town.campaign.town, period="P4",
          note="镇主要负责同志在专项行动期间未开展现场督导（唯一一次在2024年1月）")
    # GV003: a station's 企业宣讲 after the P2 end; another station held none
    talks = {mt.get(i, "unit"): i for i in mt.live() if mt.get(i, "kind") == "企业宣讲" and mt.get(i, "chair")}
    reg = town.t["enterprises"]
    registered = [reg.get(e.reg_row, "station") for e in town.ents]  # after ENT001 moved some
    stations = [s for s in town.stations if s in talks and s != "城建站" and s in registered]
    for k, st in enumerate(stations[-2:]):
        i = talks[st]
        if k == 0:
            mt.set(i, date=D(2023, 8, 16))
            mt.sort[i] = D(2023, 8, 16)
            note = f"{st}8月16日才到企业宣讲（P2 截至7月31日）"
        else:
            mt.kill(i)
            note = f"{st}监管有企业，未到企业宣讲"
        p.add("GV003", None, village=st, period="P2", note=note)
    # GV004: the enforcers' training only in December (after the P3 end)
    for i in mt.live():
        if mt.get(i, "kind") == "执法培训":
            mt.set(i, date=D(2023, 12, 12))
            mt.sort[i] = D(2023, 12, 12)
    p.add("GV004", None, village=town.campaign.town, period="P3",
          note="执法培训12月12日才举办（应在 P3 精准执法结束前）")
    # GV005: the town's 动员部署会 chaired by the deputy, not by a town leader of the campaign file
    for i in mt.live():
        if mt.get(i, "unit") == town.town_unit and mt.get(i, "kind") == "动员部署会":
            mt.set(i, chair="薛明辉")
    p.add("GV005", None, village=town.campaign.town, period="P1",
          note="镇动员部署会由分管副镇长主持，党委书记、镇长均未主持")


# -- non-ledger files ----------------------------------------------------------------------
def _tiny_pdf() -> bytes:
    """A minimal one-page PDF (fixed bytes)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for k, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _tiny_docx(text: str) -> bytes:
    """A minimal Word document with one paragraph (fixed zip timestamps)."""
    import io
    import zipfile
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), body.encode("utf-8"))
    return buf.getvalue()


def settle(p: Planter) -> None:
    """What the plantings together imply: a coverage rule does not judge an enterprise with a record whose
    date could not be read (the record may be the one of any month), so the HI001 planted for an enterprise
    that also has an unreadable 检查日期 is not expected."""
    undated = {f.e for f in p.found if f.rule == "SCH002" and f.row is not None and f.row[0] == "head_inspections"
               and f.expect is not None and f.expect[0] == "date"}
    p.found = [f for f in p.found if not (f.rule == "HI001" and f.e in undated)]


# =========================================================================================
#: impossible dates written into a date cell (read as SCH002, never as another day)
_BAD_DATES = ("2023-02-30", "2023-13-45", "2023-04-31", "2023-06-31", "2023-09-31", "2023-11-31")


def plant_bulk(p: Planter, rate: float) -> None:
    """Many findings, as in ledgers filled in by other hands (``plant_rate``; the benchmark's dirty
    county). After :func:`plant_all`, each enterprise no planting touched is taken with probability
    ``rate``; in an enterprise taken, each of the following happens with probability ``rate`` too:

    * a month of head-led inspections missing (HI001), a registry cell wrong (a phone one digit
      short, FMT003; the safety manager left empty or 无, ENT002), an electrician's expired
      certificate (SW001, a certificate added);
    * on every row of its head-led inspections: 签名确认 empty or 无 (HI003), or, in an enterprise with no
      month missing, an impossible 检查日期 when another inspection of the month stays readable and the row
      counted no hazard (SCH002: HI001 does not judge the enterprise, HI004 has nothing to compare);
    * on every 安全例会 row (no coverage rule counts 例会): the enterprise's name mistyped (REF002:
      the row goes by its code), its code mistyped (FMT001 and REF002: the row goes by its name),
      an impossible date (SCH002) or 考试人数 above 参加人数 (TR004);
    * on every hot-work permit: no 监护人 (HW003) or 消防措施落实 否/empty (HW005);
    * on every hazard: 隐患描述 emptied (SCH003), or, on a 重大 hazard with a deadline, 是否公示 否
      (HZ002);
    * on every drill: 含疏散逃生 否/empty (DR003) or 评估总结 否 (DR004).

    Each damage changes one cell of one row and yields one finding (a mistyped code two), listed in the manifest
    like the other plantings. A generator of its own (seeded by the town's seed) draws them, so a
    town generated without a rate is byte for byte what it was.
    """
    if rate <= 0:
        return
    town = p.town
    rng = random.Random(f"jicui-bulk-{town.seed}")
    for e, ent in enumerate(town.ents):
        if e in p.used or rng.random() >= rate:
            continue
        p.used[e] = {"bulk": "x"}
        _bulk_enterprise(p, ent, rng, rate)


def _bulk_enterprise(p: Planter, ent: Ent, rng: random.Random, rate: float) -> None:
    town = p.town
    t = town.t
    hi, tr, hw, hz, dr = (t[k] for k in ("head_inspections", "training", "hot_work", "hazards", "drills"))

    def hit(ledger: str, i: int) -> bool:
        return (ledger, i) not in p.taken and rng.random() < rate

    def row(rule: str, ledger: str, i: int, key: str, value, note: str) -> None:
        t[ledger].set(i, **{key: value})
        p.taken.add((ledger, i))
        p.add(rule, ent, row=(ledger, i), expect=(key, value), note=note)

    # the enterprise as a whole
    months: dict[str, list[int]] = {}
    for i in hi.rows(ent.i):
        d = hi.get(i, "date")
        if isinstance(d, dt.date):
            months.setdefault(f"{d:%Y-%m}", []).append(i)
    due = [m.label for m in town.campaign.head_inspection_months if m.end <= town.as_of and m.label in months]
    gone = None
    if due and rng.random() < rate:
        gone = rng.choice(due)
        for i in months.pop(gone):
            hi.kill(i)
        p.add("HI001", ent, period=gone, note=f"{gone}的负责人带队检查记录全部缺失")
    if rng.random() < rate:
        if rng.random() < 0.5 and isinstance(ent.phone, str) and len(ent.phone) == 11:
            row("FMT003", "enterprises", ent.reg_row, "phone", ent.phone[:10], f"联系电话“{ent.phone[:10]}”少一位")
        else:
            value = rng.choice((None, "无"))
            row("ENT002", "enterprises", ent.reg_row, "safety_staff", value,
                "未填安全管理人员" if value is None else "安全管理人员填“无”")
    if rng.random() < rate:
        r = new_certificate(town, ent, "电工作业", issued=D(2017, 11, 1), reviewed=D(2021, 6, 15), on_post=True,
                            birth=town.day(D(1966, 1, 1), D(1995, 12, 31)))  # of age when issued: no SW004
        until = t["special_workers"].get(r, "valid_until")
        p.add("SW001", ent, row=("special_workers", r), expect=("valid_until", until),
              note=f"在岗电工证书已于{until:%Y-%m-%d}过期")

    # row by row
    for rows in months.values():
        readable = len(rows)
        for i in rows:
            if not hit("head_inspections", i):
                continue
            # an unreadable date only where no month is missing: such a row may be any month's, so HI001
            # would not judge the enterprise at all (settle)
            if gone is None and readable > 1 and hi.get(i, "hazards_found") == 0 \
                    and hi.get(i, "major_found") in (0, None) and rng.random() < 0.5:
                readable -= 1
                bad = rng.choice(_BAD_DATES)
                row("SCH002", "head_inspections", i, "date", Raw(bad), f"检查日期“{bad}”不是日期（当月另有检查）")
            else:
                value = rng.choice((None, "无"))
                row("HI003", "head_inspections", i, "signed", value, "未签名确认" if value is None else "签名确认填“无”")
    for i in tr.rows(ent.i):
        if tr.get(i, "kind") != "安全例会" or not isinstance(tr.get(i, "attendees"), int) or not hit("training", i):
            continue
        x = rng.random()
        if x < 0.15:  # the name mistyped (one character), the code right: attributed by the code
            typo = ent.name[:2] + ("鑫" if ent.name[2] != "鑫" else "森") + ent.name[3:]
            tr.ref[i] = {"uscc": ent.uscc, "name": typo}
            p.taken.add(("training", i))
            p.add("REF002", ent, row=("training", i), expect=("@name", typo), note=f"企业名称误写为“{typo}”")
        elif x < 0.3 and ent.ref_mode != "name":  # the code mistyped (its check character): attributed by name
            typo = ent.uscc[:-1] + ("X" if ent.uscc[-1] != "X" else "Y")
            tr.ref[i] = {"uscc": typo, "name": ent.name}
            p.taken.add(("training", i))
            p.add("FMT001", ent, row=("training", i), expect=("@uscc", typo), note=f"信用代码误写为“{typo}”（校验位不符）")
            p.add("REF002", ent, row=("training", i), note="后果：信用代码不在名录中，按名称归属")
        elif x < 0.6:
            bad = rng.choice(_BAD_DATES)
            row("SCH002", "training", i, "date", Raw(bad), f"例会日期“{bad}”不存在")
        else:
            att = tr.get(i, "attendees")
            tr.set(i, passed=att)
            row("TR004", "training", i, "examined", att + 2, "考试人数多于参加人数")
    for i in hw.rows(ent.i):
        if not hit("hot_work", i):
            continue
        if rng.random() < 0.5:
            row("HW003", "hot_work", i, "guardian", None, "未填监护人")
        else:
            value = rng.choice((False, None))
            row("HW005", "hot_work", i, "fire_measures", value, "消防措施落实" + ("否" if value is False else "为空（按否）"))
    for i in hz.rows(ent.i):
        if not hit("hazards", i):
            continue
        if hz.get(i, "deadline") is not None and hz.get(i, "level") != "一般" and not hz.get(i, "immediate") \
                and rng.random() < 0.5:
            row("HZ002", "hazards", i, "posted", False, "需限期整改，未公示（否）")
        else:
            row("SCH003", "hazards", i, "description", None, "隐患描述为空")
    for i in dr.rows(ent.i):
        if not hit("drills", i):
            continue
        if rng.random() < 0.5:
            value = rng.choice((False, None))
            row("DR003", "drills", i, "evacuation", value, "演练不含疏散逃生" + ("（空白按否）" if value is None else ""))
        else:
            row("DR004", "drills", i, "evaluated", False, "演练未评估总结")
