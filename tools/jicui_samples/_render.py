"""Lay the town out as files and sheets, and write them the way villages and stations do.

Each sheet picks its own header variants (canonical or alias; spaces, line breaks and
full-width brackets), its own cell forms (date forms, 是/否 forms, units), title rows
above the header, blank rows between the data and footers after it. Row numbers are
recorded as they are written (``Table.loc``): the manifest's ``source_row`` is the row a
person sees in Excel, or the line number in a CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from ._spec import LEDGERS, OMITTABLE, REF_NAME, REF_USCC, TITLES, V2_FIELDS, WITH_ENTERPRISE, Field
from ._town import Raw, Town

EXCEL_EPOCH = dt.date(1899, 12, 30)
FILED_ON = dt.date(2024, 1, 8)  # the day the ledgers were handed in
CREATED = dt.datetime(2024, 1, 8, 9, 0, 0)

DATE_STYLES_XLSX = ("xdate", "iso", "serial", "slash", "cn", "dot", "compact", "xdate")
DATE_STYLES_CSV = ("iso", "slash", "cn", "dot", "compact")
DT_STYLES_XLSX = ("xdt", "iso_dt", "cn_dt")
DT_STYLES_CSV = ("iso_dt", "cn_dt")
YESNO = (("是", "否"), ("Y", "N"), ("是", "否"), ("√", "×"), ("有", "无"), ("true", "false"), ("是", "否"), ("1", "0"))
SIGN_YES = ("是", "√", "Y", "已签")
ENCODINGS = ("utf-8-sig", "gbk", "utf-8", "gb18030")
#: what people write in columns that are no field of the ledger
EXTRA_VALUES = {"备注": (None, None, "已复查", None, "见附件"), "附件": (None, "整改照片", None), "说明": (None,),
                "所在位置": ("生产车间", "仓库", "办公楼", "厂区东侧"), "整改前后照片": ("有", "有", "无"),
                "联系电话": (None,), "复查情况": ("已复查", "待复查")}


@dataclass
class SheetPlan:
    name: str
    ledger: str | None  # None: an empty sheet (Sheet2) or a junk sheet
    rows: list[int] = field(default_factory=list)
    omit: tuple[str, ...] = ()
    title: str = ""
    junk: list[list[str]] | None = None
    key: str = ""  # a planted sheet's key (SCH000 / SCH001 / SCH005)
    extra: tuple[str, ...] = ()  # headers of columns that map to no field (备注; a planted SCH005)


@dataclass
class DocPlan:
    stem: str  # relative path without extension
    fmt: str  # xlsx | csv
    unit: str
    sheets: list[SheetPlan]
    encoding: str = "utf-8"


@dataclass
class Written:
    """What the layout wrote: where planted sheets went, and each sheet's columns."""

    sheets: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (file, sheet)
    columns: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # (file, sheet) → key → col
    files: list[str] = field(default_factory=list)
    order: dict[tuple[str, str], int] = field(default_factory=dict)  # (file, sheet) → reading order


# -- planning ------------------------------------------------------------------------------
def plan(town: Town, formats: str, planted_sheets: dict[str, dict]) -> list[DocPlan]:
    rng = random.Random(f"jicui-layout-{town.seed}")
    t = town.t

    def village_of(ledger: str, i: int) -> int:
        v = t[ledger].v[i]
        return v if v is not None else town.ents[t[ledger].e[i]].village

    def fmt_for(p_xlsx: float) -> str:
        if formats == "csv":
            return "csv"
        if formats == "xlsx":
            return "xlsx"
        return "xlsx" if rng.random() < p_xlsx else "csv"

    by_village: dict[tuple[str, int], list[int]] = {}
    special: dict[str, list[int]] = {}
    town_rows: dict[str, list[int]] = {}
    for name in ("hazards", "head_inspections", "checklist", "training", "drills", "outsourcing", "hot_work",
                 "special_workers", "welding_equipment"):
        tab = t[name]
        for i in tab.live():
            if tab.place[i]:
                special.setdefault(tab.place[i], []).append(i)
            else:
                by_village.setdefault((name, village_of(name, i)), []).append(i)
    for name in ("enterprises", "meetings", "accidents", "enforcement"):
        town_rows[name] = t[name].live()

    def ordered(ledger: str, rows: list[int]) -> list[int]:
        tab = t[ledger]
        return sorted(rows, key=lambda i: (town.ents[tab.e[i]].i if tab.e[i] >= 0 else -1, _key(tab.sort[i]), i))

    def by_date(ledger: str, rows: list[int]) -> list[int]:
        tab = t[ledger]
        return sorted(rows, key=lambda i: (_key(tab.sort[i]), i))

    docs: list[DocPlan] = []

    def sheet(name, ledger, rows, title, **kw) -> SheetPlan:
        return SheetPlan(name, ledger, rows, title=title, **kw)

    # town level: registry, meetings, accidents
    reg = t["enterprises"]
    reg_rows = sorted(town_rows["enterprises"], key=lambda i: (_key(reg.sort[i]), i))
    sheets = [sheet("企业名录", "enterprises", reg_rows, f"{town.campaign.town}企业名录")]
    if "junk" in planted_sheets:
        rows = [["村名", "企业数", "已报送台账", "完成率", "备注"]]
        for v, name in enumerate(town.villages):
            n = sum(1 for e in town.ents if e.village == v)
            rows.append([name, str(n), str(n), "100%", ""])
        sheets.append(SheetPlan(planted_sheets["junk"]["name"], None, junk=rows, key="junk"))
    sheets.append(SheetPlan("Sheet2", None))
    docs.append(DocPlan(f"{town.campaign.town}企业名录", "xlsx" if formats != "csv" else "csv", town.campaign.town, sheets))
    mt = t["meetings"]
    village_meetings = by_date("meetings", [i for i in town_rows["meetings"] if mt.place[i] != "town"])
    town_meetings = by_date("meetings", [i for i in town_rows["meetings"] if mt.place[i] == "town"])
    # the villages' sheet is still on the old template (no 宣讲企业); the town's is on the new one
    docs.append(DocPlan(f"{town.campaign.town}会议与督导记录", "xlsx" if formats != "csv" else "csv", "镇应急站", [
        sheet("村级会议", "meetings", village_meetings, "各村动员部署及专题会议记录", omit=V2_FIELDS["meetings"]),
        sheet("镇站所督导", "meetings", town_meetings, "镇领导现场督导及站所宣讲记录")]))
    if town_rows["accidents"]:
        docs.append(DocPlan(f"应急站/{town.campaign.town}生产安全事故报告记录", fmt_for(0.7), "应急站", [
            sheet("事故报告", "accidents", by_date("accidents", town_rows["accidents"]),
                  f"{town.campaign.town}生产安全事故报告记录")]))

    # stations: enforcement
    en = t["enforcement"]
    by_station: dict[str, list[int]] = {}
    for i in town_rows["enforcement"]:
        by_station.setdefault(en.st[i], []).append(i)
    for st in town.stations:
        rows = by_date("enforcement", by_station.get(st, []))
        if not rows:
            continue
        title = f"{st}执法检查记录"
        fmt = fmt_for(0.5)
        if fmt == "xlsx" and rng.random() < 0.4 and len(rows) > 4:
            p3 = town.campaign.phase("P3").start
            a = [i for i in rows if _key(en.sort[i]) < _key(p3)]
            b = [i for i in rows if _key(en.sort[i]) >= _key(p3)]
            sheets = [s for s in (sheet("帮扶阶段", "enforcement", a, title), sheet("精准执法阶段", "enforcement", b, title)) if s.rows]
        else:
            sheets = [sheet("执法检查", "enforcement", rows, title)]
        docs.append(DocPlan(f"{st}/{title}", fmt, st, sheets))

    # villages: the even ones on the version-2 template, the others still on the old one
    for v, village in enumerate(town.villages):
        def old(ledger: str) -> tuple[str, ...]:
            return () if town.v2(v) else V2_FIELDS[ledger]

        rows = ordered("hazards", by_village.get(("hazards", v), []))
        fmt = fmt_for(0.65)
        sheets = []
        ents = []
        for i in rows:
            if t["hazards"].e[i] not in ents:
                ents.append(t["hazards"].e[i])
        if fmt == "xlsx" and 0 < len(ents) <= 20 and rng.random() < 0.5:
            used: set[str] = set()
            for e in ents:
                sname = _sheet_name(town.ents[e].name if e >= 0 else "其他", used)
                mine = [i for i in rows if t["hazards"].e[i] == e]
                sheets.append(sheet(sname, "hazards", mine, f"{town.ents[e].name if e >= 0 else village}重大事故隐患台账",
                                    omit=old("hazards")))
        elif rows:
            sheets.append(sheet("隐患台账", "hazards", rows, f"{village}重大事故隐患台账", omit=old("hazards")))
        for key, spec in planted_sheets.items():
            if spec.get("ledger") == "hazards" and spec["village"] == v and "extra" not in spec:
                sheets.append(sheet(key, "hazards", ordered("hazards", special.get(key, [])), f"{village}重大事故隐患补录",
                                    omit=spec["omit"] + old("hazards"), key=key))
        if fmt == "xlsx" and rng.random() < 0.5:
            sheets.append(SheetPlan("Sheet2", None))
        docs.append(DocPlan(f"{village}/{village}重大事故隐患台账", fmt, village, sheets))

        rows = by_date("head_inspections", by_village.get(("head_inspections", v), []))
        rows = sorted(rows, key=lambda i: (_key(t["head_inspections"].sort[i]), t["head_inspections"].e[i], i))
        fmt = fmt_for(0.5)
        title = f"{village}企业主要负责人带队检查记录"
        if fmt == "xlsx" and rng.random() < 0.5:
            months: dict[int, list[int]] = {}
            for i in rows:
                months.setdefault(_month(t["head_inspections"].sort[i]), []).append(i)
            sheets = [sheet(f"{m}月", "head_inspections", months[m], f"{title}（{m}月）", omit=old("head_inspections"))
                      for m in sorted(months)]
        else:
            sheets = [sheet("带队检查", "head_inspections", rows, title, omit=old("head_inspections"))]
        docs.append(DocPlan(f"{village}/{village}主要负责人带队检查记录", fmt, village, sheets))

        fmt = fmt_for(0.6)
        sheets = []
        for ledger, sname in (("checklist", "落实情况表"), ("training", "培训教育"), ("drills", "应急演练"),
                              ("outsourcing", "外包外租")):
            rows = ordered(ledger, by_village.get((ledger, v), []))
            if rows:
                sheets.append(sheet(sname, ledger, rows, f"{village}{TITLES[ledger]}"))
        for key, spec in planted_sheets.items():
            if spec.get("ledger") == "training" and spec["village"] == v and "extra" not in spec:
                sheets.append(sheet(key, "training", ordered("training", special.get(key, [])), f"{village}安全例会记录",
                                    omit=spec["omit"], key=key))
        docs.append(DocPlan(f"{village}/{village}企业专项行动落实情况", fmt, village, sheets))

        rows = ordered("hot_work", by_village.get(("hot_work", v), []))
        if rows:
            docs.append(DocPlan(f"{village}/{village}动火作业审批记录", fmt_for(0.4), village,
                                [sheet("动火作业", "hot_work", rows, f"{village}动火作业审批记录", omit=old("hot_work"))]))
        rows = ordered("welding_equipment", by_village.get(("welding_equipment", v), []))
        if rows:  # a new ledger (E(11)): every village sends it, whatever template its other ledgers use
            docs.append(DocPlan(f"{village}/{village}电气焊设备检查台账", fmt_for(0.5), village,
                                [sheet("设备检查", "welding_equipment", rows, f"{village}电气焊设备检查台账")]))
        rows = ordered("special_workers", by_village.get(("special_workers", v), []))
        if rows:
            docs.append(DocPlan(f"{village}/{village}特种作业人员持证台账", fmt_for(0.5), village,
                                [sheet("持证台账", "special_workers", rows, f"{village}特种作业人员持证台账")]))

    # columns that map to no field: 备注 / 附件 now and then (never reported), and the planted ones
    # (SCH005: a column the checker cannot check)
    for d in docs:
        for sp in d.sheets:
            if sp.ledger and not sp.key and rng.random() < 0.15:
                sp.extra = (rng.choice(("备注", "备注", "附件", "说明")),)
    for key, spec in planted_sheets.items():
        if "extra" not in spec:
            continue
        unit = town.villages[spec["village"]] if spec.get("village") is not None else spec["unit"]
        sp = next(sp for d in docs if d.unit == unit for sp in d.sheets if sp.ledger == spec["ledger"] and not sp.key)
        sp.extra = tuple(spec["extra"]) + (("备注",) if rng.random() < 0.5 else ())
        sp.key = key

    # every CSV encoding appears; xlsx-only docs keep "utf-8" (unused)
    k = 0
    for d in docs:
        if d.fmt == "csv":
            d.encoding = ENCODINGS[k % len(ENCODINGS)]
            k += 1
    return docs


def _key(v):
    """A sort key that orders dates and datetimes together."""
    if isinstance(v, dt.datetime):
        return (v.date(), v.time())
    if isinstance(v, dt.date):
        return (v, dt.time())
    return v


def _month(v) -> int:
    if isinstance(v, tuple):
        v = v[0]
    return v.month


def _sheet_name(text: str, used: set[str]) -> str:
    for ch in "[]:*?/\\":
        text = text.replace(ch, "")
    base = text.replace("有限公司", "").replace("有限责任公司", "")[:28] or "Sheet"
    name, k = base, 2
    while name in used:
        name = f"{base[:26]}{k}"
        k += 1
    used.add(name)
    return name


# -- cells -----------------------------------------------------------------------------------
class SheetStyle:
    """The cell forms one sheet uses (chosen per sheet, a few rows differ)."""

    counter = 0

    def __init__(self, rng: random.Random, fmt: str):
        self.rng, self.fmt = rng, fmt
        SheetStyle.counter += 1
        c = SheetStyle.counter
        xl = fmt == "xlsx"
        self.date_styles = DATE_STYLES_XLSX if xl else DATE_STYLES_CSV
        self.dt_styles = DT_STYLES_XLSX if xl else DT_STYLES_CSV
        self.date = self.date_styles[c % len(self.date_styles)]
        self.dt = self.dt_styles[c % len(self.dt_styles)]
        self.yesno = YESNO[c % len(YESNO)]
        self.sign_yes = SIGN_YES[c % len(SIGN_YES)]
        self.count = ("plain", "unit", "plain", "sep")[c % 4]
        self.money = ("plain", "sep", "unit")[c % 3]
        self.sep = ("、", "，", "、", " ", ",", "；")[c % 6]


def _fmt_date(d: dt.date, style: str):
    if style == "xdate":
        return d
    if style == "serial":
        return (d - EXCEL_EPOCH).days
    if style == "iso":
        return f"{d:%Y-%m-%d}"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d:%Y%m%d}"


def _fmt_dt(d: dt.datetime, style: str):
    if style == "xdt":
        return d
    if style == "iso_dt":
        return f"{d:%Y-%m-%d %H:%M}"
    return f"{d.year}年{d.month}月{d.day}日{d.hour}时{d.minute:02d}分"


def _num_text(x) -> str:
    if isinstance(x, float):
        return f"{x:.10g}"
    return str(x)


class Renderer:
    def __init__(self, town: Town, rng: random.Random):
        self.town, self.rng = town, rng
        self.hazard_no = town.t["hazards"].cols["hazard_no"]

    def cell(self, f: Field, value, st: SheetStyle, xl: bool):
        """A canonical value as one cell of a sheet (None: empty)."""
        if value is None:
            return None
        if isinstance(value, Raw):
            return str(value)
        rng = self.rng
        kind = f.kind
        if kind == "date":
            style = st.date if rng.random() < 0.9 else rng.choice(st.date_styles)
            return _fmt_date(value, style)
        if kind == "datetime":
            style = st.dt if rng.random() < 0.9 else rng.choice(st.dt_styles)
            return _fmt_dt(value, style)
        if kind == "yesno":
            pair = st.yesno if rng.random() < 0.95 else rng.choice(YESNO)
            word = pair[0] if value else pair[1]
            if xl and pair[0] == "true":
                return bool(value)
            if xl and pair[0] == "1":
                return 1 if value else 0
            return word
        if kind == "sign":
            if value is True:
                return st.sign_yes
            if value is False:
                return "否"
            return value
        if kind == "int":
            if st.count == "unit" and f.unit:
                return f"{value}{f.unit}"
            if st.count == "sep" and value >= 1000:
                return f"{value:,}"
            return value if xl else str(value)
        if kind == "wan":
            if st.money == "unit":
                return f"{_num_text(value)}万元"
            return value if xl else _num_text(value)
        if kind == "yuan":
            if st.money == "unit":
                return f"{value}元"
            if st.money == "sep":
                return f"{value:,}"
            return value if xl else str(value)
        if kind == "names":
            if isinstance(value, list):
                if value and isinstance(value[0], int):
                    value = [self.hazard_no[i] for i in value]
                return st.sep.join(value)
            return value
        return value


# -- writing ---------------------------------------------------------------------------------
def write(town: Town, docs: list[DocPlan], out: Path, written: Written) -> None:
    rng = random.Random(f"jicui-cells-{town.seed}")
    SheetStyle.counter = 0
    for tab in town.t.values():
        tab.loc = [None] * len(tab)
        tab.cells = [None] * len(tab)
    ren = Renderer(town, rng)
    for d in docs:
        if d.fmt == "xlsx":
            _write_xlsx(town, ren, d, out, written)
        else:
            _write_csvs(town, ren, d, out, written)


def _columns(town: Town, sp: SheetPlan, rng: random.Random, xl: bool, need_uscc: bool):
    """[(key, header, Field|None)] for one sheet."""
    fields = [f for f in LEDGERS[sp.ledger] if f.key not in sp.omit]
    tab = town.t[sp.ledger]
    # an optional column may be left out, unless a row holds something planted in it
    drop = [k for k in OMITTABLE.get(sp.ledger, ()) if rng.random() < 0.25
            and not any(isinstance(tab.cols[k][i], Raw) for i in sp.rows)]
    fields = [f for f in fields if f.key not in drop]
    cols: list[tuple[str, str, Field | None]] = []
    if rng.random() < 0.8:
        cols.append(("@seq", "序号", None))
    if sp.ledger in WITH_ENTERPRISE:
        uh = _decorate(rng.choice(REF_USCC) if rng.random() < 0.4 else REF_USCC[0], rng, xl)
        nh = _decorate(rng.choice(REF_NAME) if rng.random() < 0.3 else REF_NAME[0], rng, xl)
        both = need_uscc or rng.random() < 0.8
        refs = [("@name", nh, None)] + ([("@uscc", uh, None)] if both else [])
        if both and rng.random() < 0.6:
            refs.reverse()
        cols.extend(refs)
    for f in fields:
        header = f.header if rng.random() < 0.65 or not f.aliases else rng.choice(f.aliases)
        cols.append((f.key, _decorate(header, rng, xl), f))
    for h in sp.extra:
        cols.append((f"@x:{h}", h, None))
    return cols


def _decorate(header: str, rng: random.Random, xl: bool) -> str:
    """A header as people type it: full-width brackets, spaces, a line break."""
    h = header
    if "(" in h and rng.random() < 0.7:
        h = h.replace("(", "（").replace(")", "）")
    r = rng.random()
    if r < 0.12 and 2 <= len(h) <= 4:
        h = (" " if rng.random() < 0.5 else "\u3000").join(h)
    elif r < 0.24 and xl and len(h) >= 5:
        k = len(h) // 2
        h = h[:k] + "\n" + h[k:]
    elif r < 0.3:
        h = " " + h + " "
    return h


def _ref_cells(town: Town, tab, i: int, rng: random.Random) -> tuple[str | None, str | None]:
    """(uscc cell, name cell) of a row."""
    ov = tab.ref[i]
    e = tab.e[i]
    if ov is not None:
        return ov.get("uscc"), ov.get("name")
    ent = town.ents[e]
    name = ent.name
    r = rng.random()
    if "（" in name and r < 0.3:
        name = name.replace("（", "(").replace("）", ")")
    elif r < 0.04:
        name = " " + name + " "
    if ent.ref_mode == "name":
        return None, name
    r = rng.random()
    if r < 0.75:
        return ent.uscc, name
    if r < 0.95:
        return None, name
    return ent.uscc, None


def _lines(town: Town, ren: Renderer, d: DocPlan, sp: SheetPlan, xl: bool):
    """The rows of one sheet: (lines, header line number, {row index: line number}, columns, n_titles)."""
    rng = ren.rng
    tab = town.t[sp.ledger]
    need_uscc = any(tab.ref[i] is not None and tab.ref[i].get("uscc") for i in sp.rows)
    cols = _columns(town, sp, rng, xl, need_uscc)
    has_uscc_col = any(k == "@uscc" for k, _, _ in cols)
    st = SheetStyle(rng, "xlsx" if xl else "csv")
    ncol = len(cols)
    lines: list[list | None] = []
    r = rng.random()
    n_titles = 2 if r < 0.55 else 1 if r < 0.85 else 0
    if n_titles >= 1:
        lines.append([sp.title] + [None] * (ncol - 1))
    if n_titles == 2:
        filler = town.secretaries[0] if d.unit in town.villages else "雷建良"
        lines.append([f"填报单位：{d.unit}（盖章）        填报日期：{FILED_ON.year}年{FILED_ON.month}月{FILED_ON.day}日"
                      f"        联系人：{filler}"] + [None] * (ncol - 1))
    lines.append([h for _, h, _ in cols])
    header_line = len(lines)
    at: dict[int, int] = {}
    seq = 0
    sums: dict[int, float] = {}
    for i in sp.rows:
        if seq and rng.random() < 0.015:
            lines.append(None)
        seq += 1
        uscc, name = (None, None)
        if sp.ledger in WITH_ENTERPRISE:
            uscc, name = _ref_cells(town, tab, i, rng)
            if not has_uscc_col:
                uscc = None
                if name is None:
                    name = town.ents[tab.e[i]].name
            tab.cells[i] = (uscc, name)
        row = []
        for c, (k, _, f) in enumerate(cols):
            if k == "@seq":
                row.append(seq if xl else str(seq))
            elif k == "@uscc":
                row.append(uscc)
            elif k == "@name":
                row.append(name)
            elif k.startswith("@x:"):
                row.append(EXTRA_VALUES.get(k[3:], (None,))[seq % len(EXTRA_VALUES.get(k[3:], (None,)))])
            else:
                v = tab.cols[k][i]
                row.append(ren.cell(f, v, st, xl))
                if f.kind in ("int", "yuan") and type(v) is int:
                    sums[c] = sums.get(c, 0) + v
        lines.append(row)
        at[i] = len(lines)
    seq_col = next((c for c, (k, _, _) in enumerate(cols) if k == "@seq"), None)
    if seq_col is not None and sp.rows and rng.random() < 0.35:
        for k in range(rng.randrange(1, 5)):  # numbered template rows nobody filled
            row = [None] * ncol
            row[seq_col] = seq + k + 1 if xl else str(seq + k + 1)
            lines.append(row)
    if rng.random() < 0.5:
        lines.append(None)
    if sums and rng.random() < 0.6:
        row = [None] * ncol
        row[seq_col if seq_col is not None else 0] = "合计"
        for c, s in sums.items():
            if c != (seq_col if seq_col is not None else 0):
                row[c] = s if xl else str(s)
        lines.append(row)
    if rng.random() < 0.75:
        a, b = rng.sample(["赵敏", "钱晓东", "孙丽", "李建国", "周涛", "吴娟"], 2)
        lines.append([f"填表人：{a}        审核人：{b}"] + [None] * (ncol - 1))
    if rng.random() < 0.4:
        lines.append(["填表说明：1.本表由企业如实填写，村（站所）汇总；2.日期按“年月日”填写；3.无此项的填“无”。"]
                     + [None] * (ncol - 1))
    return lines, header_line, at, cols, n_titles


def _write_csvs(town: Town, ren: Renderer, d: DocPlan, out: Path, written: Written) -> None:
    sheets = [s for s in d.sheets if s.ledger or s.junk]
    for sp in sheets:
        rel = f"{d.stem}.csv" if len(sheets) == 1 else f"{d.stem}-{sp.name}.csv"
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        nl = "\n" if d.encoding == "utf-8" else "\r\n"
        with open(path, "w", encoding=d.encoding, newline="") as fh:
            w = csv.writer(fh, lineterminator=nl)
            if sp.junk:
                for row in sp.junk:
                    w.writerow(row)
                cols_map = {}
            else:
                lines, header_line, at, cols, _ = _lines(town, ren, d, sp, False)
                blank = "," * (len(cols) - 1)
                for line in lines:
                    if line is None:
                        fh.write(("" if ren.rng.random() < 0.3 else blank) + nl)
                    else:
                        w.writerow(["" if v is None else v for v in line])
                tab = town.t[sp.ledger]
                for i, ln in at.items():
                    tab.loc[i] = (rel, "", ln)
                cols_map = {k: c for c, (k, _, _) in enumerate(cols)}
                cols_map["#header"] = header_line
        written.files.append(rel)
        written.columns[(rel, "")] = cols_map
        written.order[(rel, "")] = len(written.order)
        if sp.key:
            written.sheets[sp.key] = (rel, "")


def _write_xlsx(town: Town, ren: Renderer, d: DocPlan, out: Path, written: Written) -> None:
    import xlsxwriter

    rel = f"{d.stem}.xlsx"
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    # small workbooks are built in memory (no temporary files); big ones row by row
    big = sum(len(sp.rows) for sp in d.sheets) > 20000
    wb = xlsxwriter.Workbook(str(path), {"constant_memory" if big else "in_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": d.stem.split("/")[-1], "author": d.unit, "company": town.campaign.town,
                       "created": CREATED})
    f_title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    f_sub = wb.add_format({"align": "left"})
    f_head = wb.add_format({"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1})
    f_date = [wb.add_format({"num_format": n}) for n in ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')]
    f_dt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for sp in d.sheets:
        ws = wb.add_worksheet(sp.name)
        if sp.key:
            written.sheets[sp.key] = (rel, sp.name)
        written.order[(rel, sp.name)] = len(written.order)
        if sp.ledger is None:
            for r, row in enumerate(sp.junk or ()):
                for c, v in enumerate(row):
                    if v:
                        ws.write_string(r, c, v)
            written.columns[(rel, sp.name)] = {}
            continue
        lines, header_line, at, cols, n_titles = _lines(town, ren, d, sp, True)
        ncol = len(cols)
        fd = f_date[SheetStyle.counter % 3]
        for c, (k, h, _f) in enumerate(cols):
            width = 6 if k == "@seq" else 22 if k in ("@uscc", "@name") else max(10, min(30, len(h) * 2 + 2))
            ws.set_column(c, c, width)
        for r, line in enumerate(lines):
            if line is None:
                continue
            if r < n_titles:
                ws.merge_range(r, 0, r, ncol - 1, line[0], f_title if r == 0 else f_sub)
                continue
            if r == header_line - 1:
                if any("\n" in h for h in line):
                    ws.set_row(r, 30)
                for c, v in enumerate(line):
                    ws.write_string(r, c, v, f_head)
                continue
            for c, v in enumerate(line):
                if v is None:
                    continue
                tv = type(v)
                if tv is str:
                    ws.write_string(r, c, v)
                elif tv is int or tv is float:
                    ws.write_number(r, c, v)
                elif tv is bool:
                    ws.write_boolean(r, c, v)
                elif tv is dt.datetime:
                    ws.write_datetime(r, c, v, f_dt)
                elif tv is dt.date:
                    ws.write_datetime(r, c, v, fd)
                else:
                    ws.write_string(r, c, str(v))
        tab = town.t[sp.ledger]
        for i, ln in at.items():
            tab.loc[i] = (rel, sp.name, ln)
        cmap = {k: c for c, (k, _, _) in enumerate(cols)}
        cmap["#header"] = header_line
        written.columns[(rel, sp.name)] = cmap
    wb.close()
    written.files.append(rel)
