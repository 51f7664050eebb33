"""The campaign as data: calendar, phases, due dates, industries and leaders.

Everything time-related in the toolkit asks this module; the as-of rule of
RULEBOOK §2 ("an obligation is due once as-of has reached the last day of its
period") lives in :meth:`Campaign.is_due` and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..text import fold
from .schema import CampaignError, toml_syntax_reason, validate

__all__ = ["Campaign", "CampaignError", "UnitNames", "Documents", "Phase", "Industry", "Leader", "Period", "TypicalAccident", "load_campaign", "default_as_of"]


@dataclass(frozen=True)
class Phase:
    id: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Industry:
    name: str
    station: str
    high_risk: bool
    also_accepted: tuple[str, ...] = ()

    @property
    def stations(self) -> tuple[str, ...]:
        """Every station that may supervise this industry (the lead one first)."""
        return (self.station, *self.also_accepted)


@dataclass(frozen=True)
class Leader:
    name: str
    role: str


@dataclass(frozen=True)
class TypicalAccident:
    """A typical accident the campaign asks enterprises to learn from (E(3), TR006)."""

    date: dt.date
    name: str
    industries: tuple[str, ...] = ()  # empty: every industry
    note: str = ""

    def concerns(self, industry: str | None) -> bool:
        return not self.industries or industry in self.industries


#: the town of the shipped campaign, whose values fill the sections another town's file leaves out
DEFAULT_TOWN = "积翠镇"

#: RULEBOOK §9: the defaults of the version-2 keys, used when a (version-1) campaign file lacks them
DEFAULT_ENFORCERS = ("综合行政执法队",)
DEFAULT_TYPICAL_ACCIDENTS = (
    TypicalAccident(dt.date(2023, 4, 18), "北京长峰医院重大火灾", (), "违规动火作业引发"),
    TypicalAccident(dt.date(2023, 6, 21), "银川富洋烧烤店燃气爆炸", ("燃气", "食品卫生", "文化旅游", "消防"),
                    "液化石油气泄漏爆炸"),
)
DEFAULT_CROWDED_VENUE_KEYWORDS = ("商场", "购物", "超市", "宾馆", "酒店", "旅馆", "民宿", "娱乐", "KTV", "网吧",
                                  "网络会所", "影院", "游乐")


@dataclass(frozen=True)
class Documents:
    """Who issues the documents that leave the office, how they are numbered, whom they go to and
    the deadlines they set (``[documents]`` in the campaign file; every key optional).

    A 文号 pattern holds ``{year}`` (the year of the 成文日期) and ``{n}`` (the sequence number)."""

    #: reports (周调度表、月小结、季通报、年总结) and the 退回重报通知: 发文机关, 主送, 文号
    organ: str = "积翠镇安全生产委员会办公室"
    recipients: tuple[str, ...] = ("县安全生产委员会办公室",)
    number: str = "积安委办〔{year}〕{n}号"
    #: 隐患整改通知书 (to each enterprise): 发文机关, 文号, days to rectify from the 成文日期
    notice_organ: str = "积翠镇人民政府"
    notice_number: str = "积政隐改〔{year}〕{n}号"
    notice_days: int = 15
    #: 提醒函 / 督办函 (to villages and stations, plan 三（二）4（8）): 发文机关, 文号, days to reply
    letter_organ: str = "中共积翠镇纪律检查委员会"
    letter_number: str = "积纪函〔{year}〕{n}号"
    letter_days: int = 10
    #: 退回重报通知 (to each submitting unit): 文号, days to resubmit
    resubmit_number: str = "积安委办退〔{year}〕{n}号"
    resubmit_days: int = 5
    #: the 抄送 line of the letters (empty: none)
    letter_copy: tuple[str, ...] = ("镇安全生产委员会办公室",)

    def numbered(self, pattern: str, year: int, n: int) -> str:
        """``积安委办〔{year}〕{n}号`` → ``积安委办〔2023〕7号``."""
        return pattern.replace("{year}", str(year)).replace("{n}", str(n))


DEFAULT_DOCUMENTS = Documents()


def _documents(data: dict) -> Documents:
    """``[documents]`` (its keys checked by the schema)."""
    values: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.get("documents", {}).items()}
    return Documents(**values)


@dataclass(frozen=True)
class Period:
    """A reporting period: a month, a half-year, a year or a phase."""

    label: str  # "2023-07", "2023-H1", "2023", "P2"
    start: dt.date
    end: dt.date


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _parse_month(text: str) -> tuple[int, int]:
    year, month = text.strip().split("-")
    return int(year), int(month)


@dataclass(frozen=True)
class Campaign:
    name: str
    town: str
    document: str
    start: dt.date
    end: dt.date
    phases: tuple[Phase, ...]
    head_inspection_months: tuple[Period, ...]
    drill_year: int
    leaders: tuple[Leader, ...]
    industries: tuple[Industry, ...]
    #: units that may lawfully impose penalties (EN007; 行政处罚法 第18、24条)
    enforcers: tuple[str, ...] = DEFAULT_ENFORCERS
    #: typical accidents to learn from (E(3), TR006)
    typical_accidents: tuple[TypicalAccident, ...] = DEFAULT_TYPICAL_ACCIDENTS
    #: name keywords of crowded venues (商场、宾馆、娱乐场所), high risk whatever their industry (§3)
    crowded_venue_keywords: tuple[str, ...] = DEFAULT_CROWDED_VENUE_KEYWORDS
    #: issuing organs, 文号 patterns, 主送 and deadlines of the documents (``[documents]``)
    documents: Documents = DEFAULT_DOCUMENTS
    source: str = field(default="", compare=False)
    #: the sections a campaign of another town left out, filled with 积翠镇 2023's (:meth:`borrowed`)
    left_out: tuple[str, ...] = field(default=(), compare=False)

    @property
    def office(self) -> str:
        """The town office that runs the campaign day to day, as reports and templates name it (“镇应急站继续按周调度”,
        “名录有误请先报镇应急站更正”): the office that issues the reports (``[documents] organ``) after 镇 rather than
        the town's name (镇安全生产委员会办公室); 积翠镇's, seated in its 应急站 (plan 二), is called 镇应急站."""
        organ = self.documents.organ
        if organ == DEFAULT_DOCUMENTS.organ:
            return "镇应急站"
        return "镇" + organ[len(self.town):] if organ.startswith(self.town) else organ

    def borrowed(self) -> list[str]:
        """One Chinese line for each thing a campaign of another town takes from 积翠镇 2023 because its file
        leaves the section out (RULEBOOK §9's defaults): the analyst of another town should know."""
        notes = {
            "documents": "方案文件没有 [documents]：公文的发文机关和文号沿用积翠镇的写法（“积翠镇人民政府”“积政隐改〔年〕号”等），"
                         "发出前请在方案文件中写明本镇的",
            "typical_accidents": "方案文件没有 typical_accidents：典型事故警示教育按积翠镇2023年方案所列的两起事故核查"
                                 "（北京长峰医院重大火灾、银川富洋烧烤店燃气爆炸）",
            "enforcers": "方案文件没有 enforcers：有行政处罚权的单位按积翠镇的“综合行政执法队”认定",
        }
        return [notes[k] for k in self.left_out if k in notes]

    # -- the as-of rule (RULEBOOK §2), once -------------------------------------------
    @staticmethod
    def is_due(last_day: dt.date, as_of: dt.date) -> bool:
        """A period's obligation is due once as-of has reached its last day."""
        return as_of >= last_day

    def default_as_of(self, today: dt.date | None = None) -> dt.date:
        """The campaign's last day if today is later, else today."""
        today = today or dt.date.today()
        return min(today, self.end)

    @property
    def year_start(self) -> dt.date:
        """1 January of the year the campaign starts: "the campaign year" (EQ001, EN005) runs from it, also
        for a campaign across New Year (2023-10-01 – 2024-06-30: from 2023-01-01, not 2024-01-01)."""
        return dt.date(self.start.year, 1, 1)

    # -- lookups -------------------------------------------------------------------------
    def phase(self, phase_id: str) -> Phase:
        for p in self.phases:
            if p.id == phase_id:
                return p
        raise KeyError(phase_id)

    def phase_of(self, day: dt.date) -> Phase | None:
        for p in self.phases:
            if p.start <= day <= p.end:
                return p
        return None

    def phase_period(self, phase_id: str) -> Period:
        p = self.phase(phase_id)
        return Period(p.id, p.start, p.end)

    def industry(self, name: str) -> Industry | None:
        return self._industries_by_name.get(name)

    @property
    def _industries_by_name(self) -> dict[str, Industry]:
        return {i.name: i for i in self.industries}

    @property
    def industry_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.industries)

    @property
    def leader_names(self) -> tuple[str, ...]:
        return tuple(l.name for l in self.leaders)

    def spellings(self, unit: str) -> set[str]:
        """Each way a village, station or enforcer of the town may be written, folded (no spaces, half-width
        forms): its name, or its name after the town's name or 镇 ("积翠镇应急站", "镇应急站" are 应急站). Which
        unit a name stands for, when one unit's spelling is another's own name, is :class:`UnitNames`'s."""
        return {fold(prefix + unit) for prefix in ("", self.town, "镇")}

    def units(self, names: Iterable[object] = ()) -> UnitNames:
        """The town's units: this campaign's stations and enforcers and the ``names`` given (a registry's villages,
        a store's units), and which of them a name as written stands for (:class:`UnitNames`)."""
        return UnitNames(self, names)

    def enforcer_spellings(self) -> dict[str, str]:
        """Each of :meth:`spellings` of each lawful enforcer → the enforcer as the campaign spells it
        ("积翠镇综合行政执法队", "镇综合行政执法队" are 综合行政执法队). EN007 and the letters compare units by it."""
        return {k: e for e in self.enforcers for k in self.spellings(e)}

    def drill_periods(self) -> tuple[Period, Period, Period]:
        """The drill year and its two halves: (year, H1, H2)."""
        y = self.drill_year
        return (
            Period(str(y), dt.date(y, 1, 1), dt.date(y, 12, 31)),
            Period(f"{y}-H1", dt.date(y, 1, 1), dt.date(y, 6, 30)),
            Period(f"{y}-H2", dt.date(y, 7, 1), dt.date(y, 12, 31)),
        )

    def period_text(self, label: str) -> str:
        """A period label as users read it: "2023-07" → 2023年7月, "2023-H1" → 2023年上半年,
        "P2" → P2（企业自查自改和部门帮扶，截至2023年7月31日）, "2023" → 2023年."""
        if not label:
            return ""
        if label.startswith("P"):
            p = self.phase(label)
            return f"{label}（{p.name}，截至{p.end.year}年{p.end.month}月{p.end.day}日）"
        return calendar_text(label)

    def due(self, periods, as_of: dt.date) -> list[Period]:
        """The periods among ``periods`` whose obligation is due at ``as_of``."""
        return [p for p in periods if self.is_due(p.end, as_of)]


_CALENDAR = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-H([12]))?")


class UnitNames:
    """The town's units — the campaign's stations and enforcers, then the names given (villages, a store's units) —
    each once however it is written (folded: no spaces, half-width forms), as first written: the campaign's spelling
    before a registry's; a name given after the town's name (a registry's 所属村 "积翠镇东坡村") is the unit without it
    (东坡村). The town itself and empty cells are no unit.

    :meth:`named` reads a name as written: a unit's name, or its name after the town's name or 镇 ("积翠镇应急站",
    "镇应急站" are 应急站, :meth:`Campaign.spellings`), unless that is another unit's own name (with villages 南村 and
    镇南村, "镇南村" is 镇南村). The rules (GV001, GV003), the letters' and rankings' units and the store's unit
    folders all ask this one reading."""

    def __init__(self, campaign: Campaign, names: Iterable[object] = ()):
        town = fold(campaign.town)
        self._units: dict[str, str] = {}
        # each name looked at once: ``names`` is often a registry's whole 所属村 column
        for name in dict.fromkeys([*(s for i in campaign.industries for s in i.stations), *campaign.enforcers, *names]):
            if isinstance(name, str) and (key := fold(name)) and key != town:
                if town and key.startswith(town) and len(key) - len(town) >= 2:  # 积翠镇东坡村 is 东坡村
                    key = name = key[len(town):]
                self._units.setdefault(key, name.strip())
        self._spelled = dict(self._units)  # a unit's own name first: never another's spelling
        for unit in self._units.values():
            for spelling in campaign.spellings(unit):
                self._spelled.setdefault(spelling, unit)

    def __iter__(self):
        return iter(self._units.values())

    def __len__(self) -> int:
        return len(self._units)

    def named(self, name: object) -> str | None:
        """The unit ``name`` stands for, as first written; None when it names none."""
        return self._spelled.get(fold(name)) if isinstance(name, str) else None

    def key(self, name: str) -> str:
        """``name`` as compared: its unit's folded name, else ``name`` folded (a unit not among these)."""
        unit = self.named(name)
        return fold(unit if unit is not None else name)


def calendar_text(label: str) -> str:
    """A period label of the calendar as users read it: "2023-07" → 2023年7月, "2023-H1" → 2023年上半年,
    "2023" → 2023年, "2023-07-21" → 2023年7月21日; anything else as it is."""
    m = _CALENDAR.fullmatch(label)
    if m is None:
        return label
    year, month, day, half = m.groups()
    if half:
        return f"{year}年{'上' if half == '1' else '下'}半年"
    return f"{year}年" + (f"{int(month)}月" if month else "") + (f"{int(day)}日" if day else "")


def _load(data: dict, source: str) -> Campaign:
    validate(data, source)
    c = data["campaign"]
    ob = data["obligations"]
    first = _parse_month(ob["head_inspection_months"]["first"])
    last = _parse_month(ob["head_inspection_months"]["last"])
    months = []
    y, m = first
    while (y, m) <= last:
        months.append(Period(f"{y:04d}-{m:02d}", dt.date(y, m, 1), _month_end(y, m)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return Campaign(
        name=c["name"],
        town=c["town"],
        document=c.get("document", ""),
        start=c["start"],
        end=c["end"],
        phases=tuple(Phase(p["id"], p["name"], p["start"], p["end"]) for p in data["phases"]),
        head_inspection_months=tuple(months),
        drill_year=ob["drill_year"],
        leaders=tuple(Leader(l["name"], l.get("role", "")) for l in data.get("leaders", [])),
        industries=tuple(
            Industry(i["name"], i["station"], i["high_risk"], tuple(i.get("also_accepted", ())))
            for i in data["industries"]
        ),
        enforcers=tuple(data.get("enforcers", DEFAULT_ENFORCERS)),
        typical_accidents=tuple(
            TypicalAccident(a["date"], a["name"], tuple(a.get("industries", ())), a.get("note", ""))
            for a in data["typical_accidents"]
        ) if "typical_accidents" in data else DEFAULT_TYPICAL_ACCIDENTS,
        crowded_venue_keywords=tuple(data.get("crowded_venue_keywords", DEFAULT_CROWDED_VENUE_KEYWORDS)),
        documents=_documents(data),
        source=source,
        left_out=tuple(k for k in ("documents", "typical_accidents", "enforcers") if k not in data)
        if c["town"] != DEFAULT_TOWN else (),
    )


DEFAULT_CAMPAIGN = "jicui-2023.toml"


def load_campaign(path: str | Path | None = None) -> Campaign:
    """Load a campaign file; without a path, the shipped 积翠镇 2023 campaign.

    The file is checked against :func:`schema.campaign_schema` and its calendar; any problem (missing file, not
    UTF-8, TOML syntax, a missing or unknown key, a wrong kind of value, an impossible calendar) raises
    :class:`CampaignError` (a ``ValueError``) whose message is one Chinese line naming the file and the key.
    """
    if path is None:
        raw = resources.files(__package__).joinpath("data", DEFAULT_CAMPAIGN).read_bytes()
        source = f"(内置) {DEFAULT_CAMPAIGN}"
    else:
        path = Path(path)
        source = str(path)
        raw = _read(path)
    return _load(_parse(raw, source), source)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CampaignError(f"方案文件 {path} 不存在") from None
    except IsADirectoryError:
        raise CampaignError(f"方案文件 {path} 是一个文件夹；--campaign 应给出 .toml 文件") from None
    except PermissionError:
        raise CampaignError(f"方案文件 {path} 无法读取：没有读取权限") from None
    except OSError as exc:
        raise CampaignError(f"方案文件 {path} 无法读取（系统错误 {exc.errno}）") from None


def _parse(raw: bytes, source: str) -> dict:
    """UTF-8, with or without a BOM (TOML files are UTF-8); a GB18030 file is refused, not guessed."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        try:
            raw.decode("gb18030")
            guess = "，看来是 GBK/GB18030 编码"
        except UnicodeDecodeError:
            guess = ""
        raise CampaignError(f"方案文件 {source} 不是 UTF-8 编码（第{line}行起无法按 UTF-8 读取{guess}）；"
                            f"请用记事本、WPS 或 VS Code 将它另存为 UTF-8 编码后再试") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"方案文件 {source} {toml_syntax_reason(str(exc), text)}") from None


def default_as_of(campaign: Campaign, today: dt.date | None = None) -> dt.date:
    return campaign.default_as_of(today)
