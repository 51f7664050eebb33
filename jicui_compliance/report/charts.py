"""Charts as PNG bytes (matplotlib, Agg; Chinese through the Noto Sans CJK SC font that
mplfonts ships — no system font, never its SimHei).

Each function takes an analysis frame and returns PNG bytes at :data:`DPI`; an empty frame
gives a chart that says “暂无数据”. No pyplot: each chart is its own ``Figure``, drawn inside
an ``rc_context`` that names the font, so nothing global is left changed.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .wording import phase_text

DPI = 160
FONT_FILE = "NotoSansCJKsc-Regular.otf"
COLOURS = {"found": "#c0392b", "fixed": "#e69f00", "closed": "#2e7d32", "ok": "#4c9a5f", "bad": "#d1495b",
           "pending": "#c9c9c9", "bar": "#3b6ea8", "line": "#d1495b"}
PHASE_SHADES = ("#f3f6fb", "#e8eef7")


@lru_cache(maxsize=1)
def font_path() -> Path:
    """The Noto Sans CJK SC file mplfonts ships (also subset into the HTML reports)."""
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / FONT_FILE


@lru_cache(maxsize=1)
def chinese_font() -> str:
    """Register mplfonts' bundled Noto Sans CJK SC with matplotlib (once: each registration adds the font to
    matplotlib's list again and empties its font look-up cache); its family name."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _style() -> dict:
    return {
        "font.family": [chinese_font()], "axes.unicode_minus": False, "font.size": 9.5, "axes.titlesize": 12.5,
        "axes.titleweight": "normal", "axes.labelsize": 9.5, "legend.fontsize": 9, "xtick.labelsize": 9,
        "ytick.labelsize": 9, "axes.spines.top": False, "axes.spines.right": False, "savefig.dpi": DPI,
        "axes.grid": False, "legend.frameon": False,
    }


def _render(draw, size=(8.0, 4.2)) -> bytes:
    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=size, dpi=DPI, layout="constrained")
        canvas = FigureCanvasAgg(fig)
        draw(fig)
        buf = BytesIO()
        # straight to the canvas: one draw (savefig draws twice when a layout engine is set, the
        # first time with rendering disabled, laying out every text of the figure twice); zlib level 3
        # rather than 6: a third less time for the same size within a few per cent (docs/dev.md)
        canvas.print_png(buf, pil_kwargs={"compress_level": 3})
    return buf.getvalue()


def _empty(ax, title: str, why: str = "暂无数据") -> None:
    _title(ax, title)
    ax.set_axis_off()
    ax.text(0.5, 0.5, why, ha="center", va="center", fontsize=16, color="#888888", transform=ax.transAxes)


def empty_chart(title: str, why: str = "暂无数据") -> bytes:
    return _render(lambda fig: _empty(fig.add_subplot(), title, why), size=(8.0, 2.6))


def _title(ax, title: str) -> None:
    """The chart's title, at a fixed height above the axes (``y=1``, matplotlib's own default place).

    With the title's height left to matplotlib, every layout pass and the draw look for anything above the
    axes that the title must clear, and measure each tick label of every axis again to find it (about 8% of
    the charts' time). Nothing is ever drawn above our axes: tick labels are below or beside them, and the
    count axes have no offset text (``_count_axis``); so the title stands where it would anyway."""
    ax.set_title(title, y=1.0)


def _count_axis(ax) -> None:
    """Whole numbers on the y axis, written out in full: no “1e6” or offset text above the axis."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)


def _pct_axis(axis, decimals: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.{decimals}f}%"))


def _pct(v: float) -> str:
    from .model import pct

    return pct(v)


_MONTH = re.compile(r"\d{4}(?:-|年)(\d{1,2})月?")


def _month(label) -> str:
    """A month on an axis: "2023-08" (an analysis frame) or "2023年8月" (a report table) → 8月; anything else as it is."""
    m = _MONTH.fullmatch(str(label))
    return f"{int(m.group(1))}月" if m else str(label)


def _rate_floor(rates) -> float:
    """Where a rate axis starts: 0, or closer to the data when every rate is high (marked on the axis)."""
    r = [x for x in rates if x == x]
    if not r or min(r) < 0.6:
        return 0.0
    return max(0.0, math.floor((min(r) - 0.03) * 20) / 20)


# -- hazard flow ----------------------------------------------------------------------------
def hazard_flow(flow: pd.DataFrame, phases=(), title: str = "隐患发现、整改、销号累计趋势（按周）") -> bytes:
    """Cumulative found / fixed / closed by week (``Analysis.hazard_flow``), campaign phases shaded."""

    if flow.empty or flow.to_numpy().sum() == 0:
        return empty_chart(title)

    def draw(fig):
        ax = fig.add_subplot()
        x = pd.to_datetime(flow.index)
        span = max(x.max() - x.min(), pd.Timedelta(days=7))
        ymax = float(flow.to_numpy().max())
        for i, p in enumerate(phases):
            lo, hi = max(pd.Timestamp(p.start), x.min()), min(pd.Timestamp(p.end) + pd.Timedelta(days=1), x.max())
            if lo >= hi:
                continue
            ax.axvspan(lo, hi, color=PHASE_SHADES[i % 2], zorder=0, lw=0)
            ax.text(lo + (hi - lo) / 2, ymax * 1.13, phase_text(p.id), ha="center", va="center", fontsize=8.5,
                    color="#555555")  # the plan's words (第一阶段), not the short code P1
        # 整改 drawn wide and solid underneath a dashed 销号: when every fixed hazard is closed at once the two
        # curves coincide and both stay visible (the orange band shows through the gaps of the dashes)
        styles = (("发现", "found", "累计发现", 2.0, "-"), ("整改", "fixed", "累计整改", 5.0, "-"),
                  ("销号", "closed", "累计销号", 1.8, (0, (4, 2.5))))
        for col, key, label, lw, ls in styles:
            if col in flow:
                ax.plot(x, flow[col], color=COLOURS[key], lw=lw, ls=ls, label=label, solid_capstyle="butt",
                        marker="o" if len(x) < 12 else None, ms=3)
        last = flow.iloc[-1]
        gap = ymax * 0.06
        y_found = float(last["发现"])
        y_fixed = min(float(last["整改"]), y_found - gap)
        ax.annotate(f"发现 {int(last['发现'])}", (x[-1], last["发现"]), xytext=(x[-1] + span * 0.015, y_found),
                    fontsize=8.5, color=COLOURS["found"], va="center")
        ax.annotate(f"整改 {int(last['整改'])}（橙色实线）", (x[-1], last["整改"]),
                    xytext=(x[-1] + span * 0.015, y_fixed - gap * 0.1), fontsize=8.5, color=COLOURS["fixed"], va="center")
        ax.annotate(f"销号 {int(last['销号'])}（绿色虚线）", (x[-1], last["销号"]),
                    xytext=(x[-1] + span * 0.015, y_fixed - gap * 1.1), fontsize=8.5, color=COLOURS["closed"], va="center")
        ax.set_xlim(x.min() - span * 0.02, x.max() + span * 0.22)
        ax.set_ylim(0, ymax * 1.22)
        _title(ax, title)
        ax.set_ylabel("隐患数（项）")
        months = pd.date_range(x.min().to_period("M").to_timestamp(), x.max(), freq="MS")
        months = months[months >= x.min() - span * 0.02]
        ax.set_xticks(months, [f"{m.month}月" if m.month != 1 or len(months) < 2 else f"{m.year}年1月" for m in months])
        _count_axis(ax)
        ax.grid(axis="y", color="#e5e5e5", lw=0.6)  # the curves are labelled at their ends: no legend over the data
        if phases:
            ax.set_xlabel("阴影为专项行动各阶段：" + "，".join(f"{phase_text(p.id)}（{p.name}）" for p in phases),
                          fontsize=8, color="#555555")

    return _render(draw)


# -- head inspections ------------------------------------------------------------------------
HEAT_NOTE = "格内只标出低于100%的覆盖率和待到期的格，未标注的格均为100%"
#: a map of more villages than this leaves out the villages whose due months are all 100% (a note says how many)
HEAT_ROWS = 15
#: a ranking chart shows at most this many villages / stations: the lowest rates (the table above it has all)
UNIT_ROWS = 20


def head_inspection_heatmap(matrix: pd.DataFrame, title: str = "主要负责人带队检查覆盖率（村 × 月）") -> bytes:
    """Village × month share of enterprises with a head-led inspection; NaN months are pending.

    The cells are one ``pcolormesh`` (a quad per cell, not an image resampled to the figure's pixels), and
    only the cells that need reading carry a label: a rate below 100% or 待到期. A county's map is mostly
    100%; a label in each of its ~600 cells cost most of the chart's time and hid the few cells that matter
    (a note under the map, when a cell is left unlabelled, says that those are 100%; docs/guide/analysis.md).

    With more than :data:`HEAT_ROWS` villages, a village whose due months are all 100% (and that has a due
    month) is left out and counted in a second note line: a county's map of fifty rows of green said only
    that, and the few villages that fell short were hard to find in it. When no village is left, the chart
    says in one line that every village's due months are 100%."""
    full, left_out = len(matrix), 0
    if full > HEAT_ROWS:
        rates = matrix.to_numpy(dtype=float)
        complete = ~(rates < 1.0).any(axis=1) & (rates >= 1.0).any(axis=1)
        left_out = int(complete.sum())
        if left_out == full:
            return empty_chart(title, f"全部{full}个村已到期各月的覆盖率均为100%")
        matrix = matrix[~complete]
    n = max(len(matrix), 1)

    if matrix.empty:
        return empty_chart(title)

    def draw(fig):
        ax = fig.add_subplot()
        data = matrix.to_numpy(dtype=float)
        rows, cols = data.shape
        cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad=COLOURS["pending"])
        mesh = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, np.ma.masked_invalid(data),
                             cmap=cmap, vmin=0.5, vmax=1.0, edgecolors="white", linewidth=0.5)
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)  # the first village on top, as a table reads
        colours = cmap((np.clip(data, 0.5, 1.0) - 0.5) / 0.5)  # every cell's colour at once (NaN: pending, grey ink)
        size = 8 if cols > 8 else 8.5
        for i, j in zip(*np.nonzero(~(data >= 1.0))):  # below 100%, or NaN (pending)
            v = data[i, j]
            text = "待到期" if np.isnan(v) else _pct(v)
            # inside its cell: not measured by the constrained layout
            ax.text(j, i, text, ha="center", va="center", fontsize=size,
                    color="#444444" if np.isnan(v) else _ink(colours[i, j]), in_layout=False)
        ax.set_xticks(range(cols), [_month(c) for c in matrix.columns])
        ax.set_yticks(range(rows), [str(v) for v in matrix.index])
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        _title(ax, title)
        notes = [HEAT_NOTE] if (data >= 1.0).any() else []  # some cells left unlabelled: say what they hold
        if left_out:
            notes.append(f"共{full}个村，另有{left_out}个村已到期各月均为100%，未列入图中")
        if notes:
            ax.set_xlabel("\n".join(notes), fontsize=8, color="#555555")
        # a bar at most about 0.3 inch wide: the default aspect (20) makes a county's tall map's bar an inch wide
        cb = fig.colorbar(mesh, ax=ax, shrink=0.9, pad=0.02, aspect=max(20.0, 0.9 * fig.get_size_inches()[1] / 0.3))
        _pct_axis(cb.ax.yaxis)
        cb.set_label("覆盖率（低于50%按50%着色；灰色为待到期）", fontsize=8)

    return _render(draw, size=(8.0, max(2.4, 0.42 * n + 1.3)))


def _ink(rgba) -> str:
    """Black or white text, whichever reads better on a cell colour."""
    r, g, b = rgba[:3]
    return "#1a1a1a" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


# -- compliance -------------------------------------------------------------------------------
def compliance_by_unit(ranking: pd.DataFrame, unit: str, title: str) -> bytes:
    """Horizontal bars of 履行率 per village / station (``Analysis.ranking``, best first), best on top.

    Of a longer ranking only the :data:`UNIT_ROWS` lowest rates are drawn, and the axis label says so: the
    chart is there to show who lags, and the ranking table printed above it has every unit."""
    shown = ranking.iloc[-UNIT_ROWS:] if len(ranking) > UNIT_ROWS else ranking
    cut = (f"共{len(ranking)}个{unit}，图中为履行率最低的{len(shown)}个，全部见上表"
           if len(shown) < len(ranking) else "")
    ranking = shown
    n = max(len(ranking), 1)

    if ranking.empty:
        return empty_chart(title)

    def draw(fig):
        ax = fig.add_subplot()
        r = ranking.iloc[::-1]
        rates = r["履行率"].astype(float).to_numpy()
        lo = _rate_floor(rates)
        y = np.arange(len(r))
        colours = [COLOURS["bad"] if v == rates.min() and len(r) > 1 else COLOURS["bar"] for v in rates]
        ax.barh(y, rates - lo, left=lo, color=colours, height=0.62)
        for yi, (v, done, due) in enumerate(zip(rates, r["已履行"], r["应履行义务"])):
            ax.text(v + (1 - lo) * 0.01, yi, f"{_pct(v)}（{int(done)}/{int(due)}）", va="center", fontsize=8.5)
        ax.set_yticks(y, [str(v) for v in r[unit]])
        ax.set_xlim(lo, 1 + (1 - lo) * 0.28)
        ax.set_xticks([t for t in np.linspace(lo, 1, 6) if t <= 1 + 1e-9])
        _pct_axis(ax.xaxis, 0 if (1 - lo) > 0.2 else 1)
        floor = f"各单位均在{lo * 100:.0f}%以上，横轴自{lo * 100:.0f}%起以便看清差距" if lo > 0 else ""
        why = "；".join(x for x in (floor, cut) if x)
        ax.set_xlabel("已到期义务的履行率" + (f"（{why}）" if why else ""))
        _title(ax, title)
        ax.grid(axis="x", color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)

    return _render(draw, size=(8.0, max(2.4, 0.36 * n + 1.2)))


def compliance_by_phase(overview: pd.DataFrame, title: str = "各阶段义务合规率") -> bytes:
    """Bars of 合规率 per phase (``Analysis.phase_overview``); phases not yet due shown as 待到期."""

    if overview.empty:
        return empty_chart(title)

    def draw(fig):
        ax = fig.add_subplot()
        rates = overview["合规率"].astype(float).to_numpy()
        lo = _rate_floor(rates)
        x = np.arange(len(overview))
        labels = []
        for i, row in enumerate(overview.itertuples(index=False)):
            due = int(row.合规) + int(row.不合规)
            name = str(row.阶段).replace("企业自查自改和部门帮扶", "企业自查自改\n和部门帮扶")
            labels.append(f"{name}\n已到期{due}项")
            if due == 0:
                ax.bar(i, 1 - lo, bottom=lo, color="white", edgecolor=COLOURS["pending"], hatch="//", width=0.6)
                ax.text(i, lo + (1 - lo) / 2, "待到期", ha="center", va="center", fontsize=10, color="#666666")
                continue
            ax.bar(i, rates[i] - lo, bottom=lo, color=COLOURS["bar"], width=0.6)
            ax.text(i, rates[i] + (1 - lo) * 0.015, _pct(rates[i]), ha="center", va="bottom", fontsize=9)
            if int(row.待到期):
                ax.text(i, lo + (1 - lo) * 0.05, f"另有待到期{int(row.待到期)}项", ha="center", fontsize=8,
                        color="white")
        ax.set_xticks(x, labels)
        ax.set_ylim(lo, 1 + (1 - lo) * 0.1)
        _pct_axis(ax.yaxis, 0 if (1 - lo) > 0.2 else 1)
        ax.set_ylabel("合规率" + (f"（均在{lo * 100:.0f}%以上，纵轴自{lo * 100:.0f}%起）" if lo > 0 else ""))
        _title(ax, title)
        ax.grid(axis="y", color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)

    return _render(draw)


# -- findings -----------------------------------------------------------------------------------
def findings_pareto(by_rule: pd.DataFrame, title: str = "核查发现按规则分布（帕累托图）", top: int = 20) -> bytes:
    """Bars of findings for the ``top`` most frequent rules and the cumulative share of all findings
    (the rules left out are named in a note, not lumped into one bar that would dwarf the others)."""

    if by_rule.empty or by_rule["数量"].sum() == 0:
        return empty_chart(title)

    def draw(fig):
        ax = fig.add_subplot()
        total = int(by_rule["数量"].sum())
        d = by_rule.head(top)
        counts = d["数量"].astype(int).to_numpy()
        cum = counts.cumsum() / total
        x = np.arange(len(d))
        ax.bar(x, counts, color=COLOURS["bar"], width=0.65, zorder=2)
        for xi, c in zip(x, counts):
            ax.text(xi, c, str(c), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, _rule_labels(d), rotation=45, ha="right", rotation_mode="anchor", fontsize=7.5)
        ax.set_ylabel("发现数（条）")
        ax.set_ylim(0, counts.max() * 1.45)
        ax.set_xlim(-0.6, len(d) - 0.4)
        _count_axis(ax)
        ax2 = ax.twinx()
        ax2.plot(x, cum, color=COLOURS["line"], marker="o", ms=3.5, lw=1.8, label="累计占比（占全部发现）", zorder=3)
        ax2.axhline(0.8, color=COLOURS["line"], ls="--", lw=0.8, alpha=0.6)
        ax2.text(len(d) - 0.5, 0.815, "80%", color=COLOURS["line"], fontsize=8, ha="right", va="bottom")
        ax2.set_ylim(0, 1.05)
        _pct_axis(ax2.yaxis)
        ax2.spines["right"].set_visible(True)
        ax2.set_ylabel("累计占比（红线，占全部发现）")
        # the line is named by the right axis (no legend, which would cover bars or the line)
        if len(by_rule) > top:
            rest = by_rule.iloc[top:]
            ax.set_xlabel(f"另有{len(rest)}类问题共{int(rest['数量'].sum())}条发现未列出；累计占比按全部{total}条发现计算",
                          fontsize=8.5, color="#555555")
        _title(ax, title)

    return _render(draw)


def _rule_labels(by_rule: pd.DataFrame, width: int = 12) -> list[str]:
    """The bars' labels: each rule by its title (名称; a frame with only 规则 IDs gets their titles), long
    titles cut at ``width`` characters with "…" (the table beside the chart has them whole)."""
    from .wording import rule_titles

    names = by_rule["名称"] if "名称" in by_rule.columns else by_rule["规则"].map(rule_titles)
    return [n if len(n) <= width else n[:width - 1] + "…" for n in map(str, names)]


# -- drills -----------------------------------------------------------------------------------
def drill_coverage(groups: list[tuple[str, pd.Series | None]], title: str = "应急演练完成情况") -> bytes:
    """Stacked bars per group (label, a coverage row with 已完成/未完成/待到期/完成率)."""

    rows = [(label, row) for label, row in groups if row is not None]
    if not rows:
        return empty_chart(title)

    def draw(fig):
        ax = fig.add_subplot()
        x = np.arange(len(rows))
        top = max(int(r["已完成"] + r["未完成"] + r["待到期"]) for _, r in rows) or 1
        for i, (_label, r) in enumerate(rows):
            done, bad, pend = int(r["已完成"]), int(r["未完成"]), int(r["待到期"])
            ax.bar(i, done, color=COLOURS["ok"], width=0.55, label="已完成" if i == 0 else None)
            ax.bar(i, bad, bottom=done, color=COLOURS["bad"], width=0.55, label="未完成" if i == 0 else None)
            ax.bar(i, pend, bottom=done + bad, color="white", edgecolor=COLOURS["pending"], hatch="//", width=0.55,
                   label="待到期" if i == 0 else None)
            text = f"完成率 {_pct(float(r['完成率']))}\n{done}/{done + bad}家" if done + bad else f"待到期\n{pend}家"
            ax.text(i, done + bad + pend + top * 0.02, text, ha="center", va="bottom", fontsize=9)
        ax.set_xticks(x, [label for label, _ in rows])
        ax.set_ylim(0, top * 1.3)
        ax.set_ylabel("企业数（家）")
        _count_axis(ax)
        ax.legend(loc="upper right", ncols=3)
        _title(ax, title)

    return _render(draw, size=(8.0, 3.8))


# -- enforcement ------------------------------------------------------------------------------
ENFORCEMENT_SERIES = ("检查次数", "发现重大隐患", "罚款企业（次）", "一案双罚（次）", "挂牌督办（次）", "停产整顿（次）")


def enforcement_by_month(monthly: pd.DataFrame, title: str = "执法检查与处理（按月）") -> bytes:
    """Grouped bars per month (rows of ``Analysis.enforcement`` without 合计) and fines (万元) as a line."""

    d = monthly[monthly["月份"] != "合计"] if not monthly.empty else monthly
    if d.empty:
        return empty_chart(title)

    def draw(fig):
        ax = fig.add_subplot()
        series = [s for s in ENFORCEMENT_SERIES if s in d.columns]
        x = np.arange(len(d))
        w = 0.8 / len(series)
        palette = ["#3b6ea8", "#e69f00", "#d1495b", "#8e44ad", "#2e7d32", "#555555"]
        for k, s in enumerate(series):
            vals = d[s].astype(float).to_numpy()
            bars = ax.bar(x - 0.4 + w * (k + 0.5), vals, width=w, color=palette[k], label=s.replace("（次）", ""))
            for b, v in zip(bars, vals):
                if v:
                    ax.text(b.get_x() + b.get_width() / 2, v, f"{int(v)}", ha="center", va="bottom", fontsize=7)
        ax.set_xticks(x, [_month(m) for m in d["月份"]])
        ax.set_ylabel("次数 / 项数")
        _count_axis(ax)
        ymax = float(d[series].to_numpy(dtype=float).max() or 1)
        ax.set_ylim(0, ymax * 1.3)
        fines = (d.get("企业罚款（元）", 0) + d.get("负责人罚款（元）", 0)).astype(float).to_numpy() / 10000
        ax2 = ax.twinx()
        ax2.plot(x, fines, color="#111111", marker="D", ms=4, lw=1.4, label="罚款合计（万元，右轴）")
        ax2.set_ylim(0, max(fines.max(), 1) * 1.3)
        ax2.ticklabel_format(axis="y", style="plain", useOffset=False)
        ax2.spines["right"].set_visible(True)
        ax2.set_ylabel("罚款（万元）")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left", ncols=4, fontsize=8)
        _title(ax, title)

    return _render(draw)
