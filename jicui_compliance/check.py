"""The check pipeline: reading → ledgers → rules → findings, wired once.

>>> result = run_check(["data/samples"], as_of=datetime.date(2023, 12, 31))  # doctest: +SKIP
>>> result.findings.groupby("rule_id").size()  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import ledgers as _ledgers
from .campaign import Campaign, load_campaign
from .findings import build_findings
from .reading import InputError, Submission, read_submission
from .resolution import Resolution, existing
from .rules import Context, Rule, run_rules, select_rules

__all__ = ["CheckResult", "InputError", "run_check", "summarise", "summarise_by_village"]


@dataclass
class CheckResult:
    submission: Submission
    context: Context
    findings: pd.DataFrame
    rules: list[Rule]

    @property
    def campaign(self) -> Campaign:
        return self.context.campaign

    @property
    def as_of(self) -> dt.date:
        return self.context.as_of

    @property
    def ledgers(self) -> dict[str, pd.DataFrame]:
        return self.context.ledgers.frames

    @property
    def resolution(self) -> Resolution:
        """The registry and the ledgers attributed to its enterprises."""
        return self.context.resolution

    # -- the records at as-of, as analysis and reports read them ---------------------------------
    @property
    def registry(self) -> pd.DataFrame:
        """One row per registered enterprise (index ``eid``), with effective station and high risk."""
        return self.resolution.registry

    def frame(self, ledger: str) -> pd.DataFrame:
        """A ledger's typed rows; enterprise ledgers carry ``eid`` and ``ref_status``."""
        return self.resolution.frame(ledger)

    @property
    def as_of_ts(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_of)

    @property
    def as_of_end(self) -> pd.Timestamp:
        """The end of the as-of day (exclusive): records dated before it exist at as-of."""
        return self.as_of_ts + pd.Timedelta(days=1)

    def existing(self, frame: pd.DataFrame, date_field: str, *, undated: bool = True) -> pd.Series:
        """Rows of a registry enterprise that exist at as-of (see :func:`jicui_compliance.resolution.existing`)."""
        return existing(frame, date_field, self.as_of_end, undated=undated)


def run_check(
    paths: list[str | Path],
    *,
    as_of: dt.date | None = None,
    campaign: Campaign | str | Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    on_file: Callable[[str], None] | None = None,
    on_rule: Callable[[Rule], None] | None = None,
    require_registry: bool = True,
) -> CheckResult:
    """Read, type, resolve and check a submission. Raises :class:`InputError` when it cannot run."""
    if not isinstance(campaign, Campaign):
        campaign = load_campaign(campaign)
    as_of = as_of or campaign.default_as_of()
    sub = read_submission(paths, _ledgers.vocabulary(), progress=on_file)
    typed = _ledgers.load(sub, campaign)
    if require_registry and not any(t.ledger == "enterprises" for t in sub.tables):
        raise InputError("输入中没有企业名录（表头含“统一社会信用代码、企业名称、所属村、行业领域、主要负责人、从业人数”的表），无法把台账归属到企业")
    ctx = Context(campaign=campaign, as_of=as_of, ledgers=typed, submission=sub)
    rules = select_rules(select, ignore)
    findings = build_findings(run_rules(rules, ctx, on_rule), ctx.resolution)
    return CheckResult(sub, ctx, findings, rules)


def summarise(findings: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """Counts by rule (with severity and title), most severe first; rules without findings left out."""
    from .rules import REGISTRY, SEVERITIES

    counts = findings.groupby("rule_id").size()
    rows = [
        {"规则": rid, "严重程度": REGISTRY[rid].severity, "名称": REGISTRY[rid].title, "条款": REGISTRY[rid].clause,
         "数量": int(n)}
        for rid, n in counts.items()
    ]
    frame = pd.DataFrame(rows, columns=["规则", "严重程度", "名称", "条款", "数量"])
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return frame.sort_values(["严重程度", "规则"], key=lambda s: s.map(order) if s.name == "严重程度" else s,
                             kind="mergesort").reset_index(drop=True)


def summarise_by_village(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts by village (or town, for files and town-level findings) and severity, with the
    number of enterprises concerned; findings about unreadable files stand as “（未归属）”."""
    from .rules import SEVERITIES

    f = findings.assign(village=findings["village"].replace("", "（未归属）"))
    table = pd.crosstab(f["village"], f["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    table["合计"] = table.sum(axis=1)
    table["涉及企业"] = f[f["enterprise_name"] != ""].groupby("village")["enterprise_name"].nunique()
    table = table.fillna({"涉及企业": 0}).astype(int).sort_values("合计", ascending=False, kind="mergesort")
    table.index.name = "所属村"
    table.columns.name = None
    return table.reset_index()
