"""Documents that leave the office (issue 14): the 隐患整改通知书 to enterprises, the 提醒函 and
督办函 to villages and stations, and the 退回重报通知 to submitting units, each a .docx in the
GB/T 9704-2012 layout (:mod:`..report.gongwen`), plus 文书清单.xlsx listing them.

Sits after :mod:`..report` in the corridor: it reads the analysis and lays documents out; only
the CLI imports it.

>>> written = write_documents(result, Path("out/notices"), previous=read_previous(Path("上期/文书清单.xlsx")))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..analysis import Analysis
from ..analysis.rankings import REMINDER, SUPERVISION
from ..check import CheckResult
from ..reading.tables import SCAN_ROWS
from ..resolution import unknown_village
from ..text import os_reason
from ..writing import checkpoint, output_tree
from .notices import (
    INDEX_COLUMNS,
    KINDS,
    NO_HISTORY,
    NOTICE,
    RESUBMIT,
    Written,
    letters,
    rectification_notices,
    resubmission_notices,
)

__all__ = ["DocumentError", "INDEX_NAME", "KINDS", "NO_HISTORY", "NOTICE", "RESUBMIT", "Written", "next_numbers",
           "previous_numbers", "read_previous", "write_documents"]

INDEX_NAME = "文书清单.xlsx"


class DocumentError(ValueError):
    """Documents that cannot be made as asked (an unreadable previous list, an unknown village): say why."""


def read_previous(path: Path) -> set[str]:
    """The units that had a 提醒函 or 督办函 last time: from a previous 文书清单.xlsx (文书 and 主送 columns),
    a previous report's workbook (a sheet with 函件 and 单位 columns, below the sheet's note), or a text/CSV
    file with one unit a line. In a workbook the header is the first row, among the first
    :data:`~..reading.tables.SCAN_ROWS`, that holds both columns (title or note rows above it are skipped)."""
    if not path.exists():
        raise DocumentError(f"上期名单文件不存在：{path}")
    if path.suffix.lower() in (".xlsx", ".xls"):
        try:
            sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="calamine")
        except Exception as exc:
            raise DocumentError(f"上期名单工作簿无法读取：{path}（{exc}）") from exc
        for frame in sheets.values():
            units = _letter_units(frame)
            if units is not None:
                return units
        raise DocumentError(f"上期名单工作簿 {path} 中没有“文书/主送”或“函件/单位”两列的工作表")
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise DocumentError(f"上期名单文件无法读取：{path}（{os_reason(exc)}）") from exc
    return {line.split(",")[0].strip() for line in text.splitlines() if line.strip() and line.strip() != "单位"}


def previous_numbers(path: Path) -> list[str]:
    """The 文号 a previous 文书清单.xlsx gave out (its 文书清单 sheet's 文号 column), so that this batch numbers on
    from them; none for any other kind of previous list (a report's workbook, a text file)."""
    if path.suffix.lower() not in (".xlsx", ".xls") or not path.exists():
        return []
    try:
        frame = pd.read_excel(path, sheet_name="文书清单", dtype=str, engine="calamine")
    except Exception:  # not a 文书清单 (read_previous has said what is wrong with the file, if anything)
        return []
    return [] if "文号" not in frame.columns else frame["文号"].dropna().astype(str).tolist()


def next_numbers(patterns: list[str], year: int, used: list[str]) -> dict[str, int]:
    """For each 文号 pattern (``积政隐改〔{year}〕{n}号``), the first sequence number after those of ``year`` in
    ``used``: 1 when none was given out."""
    out = {}
    for pattern in patterns:
        regex = re.compile(re.escape(pattern).replace(re.escape("{year}"), str(year)).replace(re.escape("{n}"), r"(\d+)"))
        taken = [int(m.group(1)) for m in map(regex.fullmatch, (u.strip() for u in used)) if m]
        out[pattern] = max(taken, default=0) + 1
    return out


def _letter_units(frame: pd.DataFrame) -> set[str] | None:
    """The units of a sheet's 提醒函 and 督办函 rows, or None when no row among its first rows is a header
    with 文书 and 主送 (文书清单) or 函件 and 单位 (a report's 提醒函督办函 sheet)."""
    for r in range(min(SCAN_ROWS, len(frame))):
        cells = [c.strip() if isinstance(c, str) else "" for c in frame.iloc[r]]
        for kind_col, unit_col in (("文书", "主送"), ("函件", "单位")):
            if kind_col in cells and unit_col in cells:
                body = frame.iloc[r + 1:]
                kinds = body.iloc[:, cells.index(kind_col)].astype(str).str.strip()
                units = body.iloc[:, cells.index(unit_col)].loc[kinds.isin([REMINDER, SUPERVISION])]
                return set(units.dropna().astype(str).str.strip()) - {""}
    return None


#: the hidden file saying whose documents a folder holds (the town's, or one village's: ``--village``)
SCOPE_NAME = ".文书范围"
WHOLE_TOWN = "全镇"
#: the name of a document this tool writes (:func:`.notices` ``_file_name``: 001_单位.docx)
_OUR_DOCUMENT = re.compile(r"\d{3,}_.+\.docx")


def _not_replaceable(out: Path, village: str | None) -> str | None:
    """Why the documents already in ``out`` may not be replaced by this run's as a set, or None: they are
    another scope's (the town's when this run is one village's, or the other way round: each numbers from
    1, and the set replaced would lose the other's), or a folder of a kind holds a file this tool did not
    write (a signed scan put beside the letters), which the replacement would delete."""
    scope = out / SCOPE_NAME
    if scope.is_file():
        before = scope.read_text("utf-8").strip()
        if before != (village or WHOLE_TOWN):
            shown = {WHOLE_TOWN: "全镇"}
            return (f"输出文件夹 {out} 中已是{shown.get(before, before)}的文书，这次生成的是{shown.get(village or WHOLE_TOWN, village)}"
                    "的：两套文书的文号各自从头编起，再次生成会整套换掉原有的一套；请换一个输出文件夹")
    for kind in KINDS:
        folder = out / kind
        if folder.is_dir():
            others = sorted(p.name for p in folder.iterdir()
                            if not p.name.startswith(".") and not _OUR_DOCUMENT.fullmatch(p.name))
            if others:
                more = f"等 {len(others)} 个" if len(others) > 3 else ""
                return (f"输出文件夹 {out} 的“{kind}”中有不是本工具写出的文件（{'、'.join(others[:3])}{more}）：再次生成会把这个"
                        "文件夹整个换成新的一套；请先把它们移到别处，或换一个输出文件夹")
    return None


def write_documents(result: CheckResult, out: Path, day: dt.date | None = None, previous=None,
                    village: str | None = None, numbers_used: list[str] | None = None) -> Written:
    """Write every document into ``out`` (a folder per kind) and ``out/文书清单.xlsx``, as one set
    (:func:`~..writing.output_tree`): they are written into a temporary folder, and only when all are
    complete do they replace, together, what an earlier run left there (its folders of documents and its
    文书清单), so that the folder never holds letters another run numbered, nor half a batch.
    ``day``: the 成文日期 (default: as-of); ``previous``: the units with a 提醒函 last time (督办函);
    ``numbers_used``: the 文号 given out before (:func:`previous_numbers`): this batch numbers on after them."""
    if village is not None:
        not_a_village = unknown_village(village, result.registry, result.context.campaign)
        if not_a_village:
            raise DocumentError(not_a_village)
    analysis = Analysis(result, village=village)
    day = day or analysis.as_of
    docs = analysis.campaign.documents
    first = next_numbers([docs.notice_number, docs.letter_number, docs.resubmit_number], day.year, numbers_used or [])
    with output_tree(out, lambda name: name in (*KINDS, INDEX_NAME)) as stage:
        said = _not_replaceable(out, village)
        if said:
            raise DocumentError(said)
        (stage / SCOPE_NAME).write_text(village or WHOLE_TOWN, "utf-8")
        rows = rectification_notices(analysis, stage, day, first[docs.notice_number])
        checkpoint("between-files")
        rows += letters(analysis, stage, day, previous, first[docs.letter_number])
        resub, unknown = resubmission_notices(analysis, stage, day, first[docs.resubmit_number])
        rows += resub
        notes = []
        if numbers_used and any(n > 1 for n in first.values()):
            notes.append("文号接续上期文书清单：" + "，".join(
                f"{docs.numbered(p, day.year, n)}起" for p, n in first.items() if n > 1))
        if previous is None:
            notes.append(NO_HISTORY)
        if unknown:
            notes.append(f"另有{unknown}条文件问题未能确定报送单位（如镇级文件中未填企业的行），未生成退回重报通知，请人工转交")
        index = pd.DataFrame(rows, columns=INDEX_COLUMNS)
        files = [Path(p).relative_to(stage) for p in index["文件"]]
        index["文件"] = [str(f) for f in files]
        _write_index(index, notes, stage / INDEX_NAME)
    return Written(index, notes, [*(out / f for f in files), out / INDEX_NAME])


def _write_index(index: pd.DataFrame, notes: list[str], path: Path) -> None:
    """文书清单 (one row per document; the sheet a later run reads with ``--previous``) and 说明."""
    with pd.ExcelWriter(path, engine="xlsxwriter") as xw:
        frame = index.copy()
        frame["期限"] = pd.to_datetime(frame["期限"]).dt.strftime("%Y-%m-%d")
        frame.to_excel(xw, sheet_name="文书清单", index=False)
        ws = xw.sheets["文书清单"]
        for j, width in enumerate((14, 24, 28, 8, 12, 48)):
            ws.set_column(j, j, width)
        ws.freeze_panes(1, 0)
        counts = index["文书"].value_counts()
        about = pd.DataFrame({"说明": [f"{k}：{int(counts.get(k, 0))}份" for k in KINDS] + notes})
        about.to_excel(xw, sheet_name="说明", index=False)
        xw.sheets["说明"].set_column(0, 0, 100)
