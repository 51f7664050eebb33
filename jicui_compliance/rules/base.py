"""A rule: one function with its metadata beside it, registered once.

::

    @rule("HI001", ERROR, "E(4)", reads=("enterprises", "head_inspections"),
          title="当月无主要负责人带队检查", message="{period_text}无主要负责人（{head}）带队检查记录（…）")
    def missing_monthly_head_inspection(ctx: Context) -> pd.DataFrame:
        \"\"\"规则说明：…\n\n依据：…\n\n违规示例：…\n\n合规示例：…\"\"\"

The function returns *hits*: a frame with some of the columns of :data:`HIT_COLUMNS`
plus the variables its message template names. The findings module turns hits into
findings (source rows, registry names, masked values, the message).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

import pandas as pd


class Severity(StrEnum):
    """How grave a finding is; the values are what users read and filter on."""

    ERROR = "错误"  # a breach of the plan
    WARNING = "警告"  # a likely breach, or a record that cannot prove compliance
    INFO = "提示"  # information for the analyst


ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
SEVERITIES = (ERROR, WARNING, INFO)  # most severe first


class Party(StrEnum):
    """Whom a rule's finding is about (RULEBOOK §5): it decides which list or letter a finding
    can lead to. Only ``enterprise`` findings can put an enterprise on a 四个一批 list;
    ``station`` and ``village`` findings go to 提醒函, ``record`` findings to 退回重报."""

    ENTERPRISE = "enterprise"
    STATION = "station"
    VILLAGE = "village"
    TOWN = "town"
    RECORD = "record"


#: the Chinese word for each party, as users read it
PARTY_LABELS = {Party.ENTERPRISE: "企业", Party.STATION: "站所", Party.VILLAGE: "村",
                Party.TOWN: "镇", Party.RECORD: "台账记录"}

#: What a rule may return (all optional but ``ledger``+``row`` or ``eid``+``period`` or a sheet):
#: ledger / row — the ledger and the row label in its frame (a row finding);
#: sheet — the reader's table number (a sheet finding); source_file / source_sheet — explicit;
#: eid — the registry enterprise (else the row's); period — a coverage period label;
#: field — the ledger field the finding is about; value — the cell value as text;
#: village — the unit for findings that name no enterprise (GV rules).
HIT_COLUMNS = ("ledger", "row", "sheet", "source_file", "source_sheet", "eid", "period", "field", "value", "village")

DOC_SECTIONS = ("规则说明", "依据", "违规示例", "合规示例")


#: whom an obligation binds (``with:<ledger>`` is also accepted: enterprises with rows in that ledger)
Who = Literal["enterprises", "high_risk", "villages", "stations", "town"] | str
#: when an obligation falls due
When = Literal["months", "drill_year", "drill_halves", "year", "P1", "P2", "P3", "P4", "as_of", "records",
               "typical_accidents"]
WHEN_KINDS: tuple[str, ...] = get_args(When)


@dataclass(frozen=True)
class Obligation:
    """What a rule asks, of whom and when: the phase analysis derives its tables from this.

    ``who``: ``enterprises`` (every registered enterprise), ``high_risk``, ``villages``
    (every village of the registry), ``stations`` (the stations of the industries table that
    supervise a registered enterprise), ``town`` (the town itself), or ``with:<ledger>``
    (enterprises that have rows in that ledger).
    ``when``: ``months`` (the campaign's head-inspection months), ``drill_year``,
    ``drill_halves``, ``year`` (the campaign year), a phase ``P1``…``P4`` ("by the end of the
    phase"), ``as_of`` (a standing state, judged at as-of in the current phase), or
    ``records``: every row of ``ledger`` (dated by its ``date`` field) must comply; ``typical_accidents``:
    once per typical accident of the campaign, due on the last day of its education (TR006), binding the
    enterprises of its industries (all of them when it names none).
    """

    who: Who = "enterprises"
    when: When = "records"
    ledger: str | None = None
    date: str | None = None

    def __post_init__(self) -> None:
        if self.when not in WHEN_KINDS:
            raise ValueError(f"unknown obligation period kind {self.when!r}")


#: The day each of a rule's findings arose, for the rules whose findings arise later than the date of their ledger
#: row or have none (the reports count a finding as new in the period of that day, analysis.windows): called with
#: the check's context and the rule's findings, each with ``eid`` (its registry enterprise) and ``row`` (the label,
#: in ``ctx.frame(ledger)``, of the ledger row it stands on), both <NA> for none; returns one day per finding, NaT
#: where the finding arose on its row's date or its period's end. A finding never arises before its row's date.
Arises = Callable[..., pd.Series]


_SECTION = re.compile(r"^({})[:：]\s*".format("|".join(DOC_SECTIONS)), re.M)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    clause: str
    reads: tuple[str, ...]
    title: str
    message: str
    func: Callable[..., pd.DataFrame]
    party: Party
    obligation: Obligation | None = None
    arises: Arises | None = None
    #: the plan paragraph shown to readers where the clause code (RULEBOOK §5, kept in findings.csv and in
    #: the catalogues) numbers it otherwise: ENT001's 三(二)4 is 一(二)4 in the plan (:data:`SHOWN_CLAUSES`)
    shown_clause: str | None = None

    @property
    def listed_clause(self) -> str:
        """The clause as the catalogues list it: the code, and the paragraph readers are shown where it differs
        ("三(二)4（即方案 一(二)4）")."""
        return f"{self.clause}（即方案 {self.shown_clause}）" if self.shown_clause else self.clause

    @property
    def area(self) -> str:
        m = re.match(r"[A-Z]+", self.id)
        if m is None:
            raise ValueError(f"rule ID {self.id!r} does not start with its area's letters")
        return m.group(0)

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    def sections(self) -> dict[str, str]:
        """The docstring's sections (规则说明 / 依据 / 违规示例 / 合规示例)."""
        doc = self.doc
        marks = list(_SECTION.finditer(doc))
        out = {}
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(doc)
            out[m.group(1)] = doc[m.end():end].strip()
        return out

    def __call__(self, ctx) -> pd.DataFrame:
        return self.func(ctx)


REGISTRY: dict[str, Rule] = {}
#: clause code → the plan paragraph shown for it (:attr:`Rule.shown_clause`): the reports' and notices' clause
#: columns carry the code alone, so a code shown otherwise is shown so for every rule that cites it
SHOWN_CLAUSES: dict[str, str] = {}


def rule(id: str, severity: Severity, clause: str, *, party: Party, reads: tuple[str, ...], title: str,
         message: str, obligation: Obligation | None = None, arises: Arises | None = None,
         shown_clause: str | None = None):
    """Register a rule function under its ID (once; the registry is the only list of rules). ``arises``: the day
    each finding arose (:data:`Arises`), for a rule whose findings arise after their row's date or have none.
    ``shown_clause``: the plan paragraph readers are shown for ``clause`` where the RULEBOOK's code numbers it
    otherwise."""
    severity, party = Severity(severity), Party(party)

    def register(func: Callable[..., pd.DataFrame]) -> Rule:
        if id in REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        if any(r.clause == clause and r.shown_clause != shown_clause for r in REGISTRY.values()):
            raise ValueError(f"rule {id}: clause {clause} is shown as another paragraph by another rule")
        r = Rule(id, severity, clause, tuple(reads), title, message, func, party, obligation, arises, shown_clause)
        REGISTRY[id] = r
        if shown_clause:
            SHOWN_CLAUSES[clause] = shown_clause
        return r

    return register


def hits(**columns) -> pd.DataFrame:
    """Build a hits frame from columns (scalars broadcast)."""
    return pd.DataFrame(columns)


def no_hits() -> pd.DataFrame:
    return pd.DataFrame(columns=["ledger", "row"])
