"""Three weekly versions of a generated town, with planted fixes and regressions.

``python -m jicui_samples.history --from data/samples --out data/history`` copies the town as
``第1周`` and edits copies of it into ``第2周`` and ``第3周``, the way villages resubmit: each edit
overwrites the village's file (a cell fixed or broken, a row inserted or deleted), and two
non-ledger files are withdrawn. ``manifest.json`` lists what was planted: per week, the findings
that must be new or fixed, the ledger rows added, removed or changed (by their keys), and the files
withdrawn. ``jicui diff`` between the weeks, checked with the same ``--as-of``, reports exactly these
(tests/test_store.py); with a later ``--as-of`` each week, the calendar adds its own changes
(records dated in the new week appear).

The targets are chosen from the town's own findings (checked as of ``--as-of``), so the history
follows the generator when the generator changes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from jicui_compliance.check import CheckResult, run_check
from jicui_compliance.ledgers import LEDGERS
from jicui_compliance.rules import REGISTRY
from jicui_compliance.store.keys import numbered, row_keys

WEEKS = ("第1周", "第2周", "第3周")
RECEIVED = (dt.date(2023, 12, 15), dt.date(2023, 12, 22), dt.date(2023, 12, 29))
AS_OF = dt.date(2023, 12, 31)
NOT_LEDGER_SUFFIXES = (".pdf", ".docx", ".doc", ".jpg", ".png")


@dataclass
class Row:
    """One ledger record of the base town: where it is and its key."""

    ledger: str
    file: str
    sheet: str
    row: int
    key: str
    enterprise: str
    index: int  # in the typed frame


class Town:
    """A folder of submitted files and a check of it (as of a fixed day), to pick and edit records."""

    def __init__(self, folder: Path, as_of: dt.date):
        self.folder = folder
        self.result: CheckResult = run_check([folder], as_of=as_of)
        self.tables = {(t.file, t.sheet, t.ledger): t for t in self.result.submission.tables}
        f = self.result.findings
        self.busy_rows = set(zip(f["source_file"], f["source_sheet"], f["source_row"].astype("Int64")))
        # (ledger, enterprise) for every ledger a rule with a finding on the enterprise reads: an edit of that
        # ledger for that enterprise could change the other finding too, so such enterprises are not edited
        self.busy_enterprises = {(led, e) for rid, own, e in zip(f["rule_id"], f["ledger"], f["enterprise_name"])
                                 for led in (*REGISTRY[rid].reads, own)}
        self._findings_of = f.groupby("enterprise_name")["rule_id"].agg(list).to_dict()
        self.keys = {name: numbered(row_keys(name, frame)) for name, frame in self.result.ledgers.items()
                     if len(frame)}

    def frame(self, ledger: str) -> pd.DataFrame:
        return self.result.ledgers[ledger]

    def row(self, ledger: str, i: int) -> Row:
        r = self.frame(ledger).loc[i]
        name = r.get("enterprise_name")
        reg = self.result.context.registry
        eid = self.result.context.frame(ledger).loc[i].get("eid")
        ent = reg.loc[int(eid), "name"] if eid is not None and not pd.isna(eid) else (name or "")
        return Row(ledger, r["source_file"], r["source_sheet"], int(r["source_row"]), self.keys[ledger][i], str(ent), i)

    def clean(self, ledger: str, where: pd.Series | None = None) -> list[int]:
        """Rows without any finding, of enterprises without findings on this ledger, in a village folder."""
        df = self.frame(ledger)
        ok = pd.Series(True, index=df.index) if where is None else where.fillna(False).astype(bool)
        ok &= df["source_file"].str.contains("/")
        ok &= pd.Series([(f, s, r) not in self.busy_rows for f, s, r in zip(
            df["source_file"], df["source_sheet"], df["source_row"].astype("Int64"))], index=df.index)
        ent = self.result.context.frame(ledger)
        reg = self.result.context.registry
        names = ent["eid"].map(lambda e: reg.loc[int(e), "name"] if not pd.isna(e) else None)
        ok &= names.notna() & ~names.isin({e for led, e in self.busy_enterprises if led == ledger})
        return list(df.index[ok])

    def finding_rows(self, rule: str, ledger: str) -> list[int]:
        """Rows of ``ledger`` with a finding of ``rule`` and no other finding."""
        f = self.result.findings
        counts = f.groupby(["source_file", "source_sheet", "source_row"]).size()
        f = f[(f["rule_id"] == rule) & (f["ledger"] == ledger)]
        df = self.frame(ledger)
        at = {(a, b, int(c)): i for i, a, b, c in zip(df.index, df["source_file"], df["source_sheet"],
                                                     df["source_row"].astype("Int64")) if not pd.isna(c)}
        out = []
        for a, b, c, e in zip(f["source_file"], f["source_sheet"], f["source_row"], f["enterprise_name"]):
            if pd.isna(c) or counts.get((a, b, c), 0) != 1 or "/" not in a:
                continue
            others = [r for r in self._findings_of.get(e, []) if r != rule and ledger in REGISTRY[r].reads]
            if others:  # another finding of the enterprise depends on this ledger: it could move too
                continue
            if (a, b, int(c)) in at:
                out.append(at[(a, b, int(c))])
        return out

    def letter(self, row: Row, field: str) -> str:
        return self.tables[(row.file, row.sheet, row.ledger)].letters[field]


# -- editing cells in the files (xlsx with openpyxl, csv as text in its own encoding) ----------------------
def _col(letter: str) -> int:
    n = 0
    for ch in letter:
        n = n * 26 + ord(ch) - 64
    return n


def _read_csv(path: Path) -> tuple[list[list[str]], str]:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    lines = text.splitlines()
    return [next(csv.reader([line])) if line else [] for line in lines], enc


def _write_csv(path: Path, rows: list[list[str]], enc: str) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for r in rows:
        writer.writerow(r)
    path.write_bytes(buf.getvalue().encode(enc))


def set_cells(folder: Path, row: Row, values: dict[str, object], town: Town) -> None:
    """Overwrite cells of one record (field → value), the way a village corrects its file."""
    path = folder / row.file
    present = town.tables[(row.file, row.sheet, row.ledger)].letters
    cols = {present[f]: v for f, v in values.items() if f in present}
    if path.suffix.lower() == ".csv":
        rows, enc = _read_csv(path)
        line = rows[row.row - 1]
        for letter, v in cols.items():
            i = _col(letter) - 1
            line.extend([""] * (i + 1 - len(line)))
            line[i] = v.isoformat() if isinstance(v, dt.date) else str(v)
        _write_csv(path, rows, enc)
        return
    wb = openpyxl.load_workbook(path)
    ws = wb[row.sheet] if row.sheet else wb.active
    for letter, v in cols.items():
        ws[f"{letter}{row.row}"] = v
    wb.save(path)


def insert_copy(folder: Path, row: Row, values: dict[str, object], town: Town) -> None:
    """Insert a copy of a record right below it, with some cells changed (rows below move down)."""
    path = folder / row.file
    if path.suffix.lower() == ".csv":
        rows, enc = _read_csv(path)
        copy = list(rows[row.row - 1])
        for f, v in values.items():
            i = _col(town.letter(row, f)) - 1
            copy[i] = v.isoformat() if isinstance(v, dt.date) else str(v)
        rows.insert(row.row, copy)
        _write_csv(path, rows, enc)
        return
    wb = openpyxl.load_workbook(path)
    ws = wb[row.sheet] if row.sheet else wb.active
    ws.insert_rows(row.row + 1)
    for cell in ws[row.row]:
        ws.cell(row.row + 1, cell.column, cell.value)
    for f, v in values.items():
        ws[f"{town.letter(row, f)}{row.row + 1}"] = v
    wb.save(path)


def delete_row(folder: Path, row: Row) -> None:
    path = folder / row.file
    if path.suffix.lower() == ".csv":
        rows, enc = _read_csv(path)
        del rows[row.row - 1]
        _write_csv(path, rows, enc)
        return
    wb = openpyxl.load_workbook(path)
    ws = wb[row.sheet] if row.sheet else wb.active
    ws.delete_rows(row.row)
    wb.save(path)


# -- the history ---------------------------------------------------------------------------------------
def make_history(base: Path, out: Path, as_of: dt.date = AS_OF) -> dict:
    """Write the three weeks under ``out`` and return (and write) the manifest."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    week = [out / w for w in WEEKS]
    shutil.copytree(base, week[0], ignore=shutil.ignore_patterns("~$*", ".*"))
    town = Town(week[0], as_of)
    manifest: dict = {"as_of": as_of.isoformat(), "weeks": [
        {"folder": w, "received": d.isoformat(), "findings": [], "rows": [], "withdrawn": []}
        for w, d in zip(WEEKS, RECEIVED)]}

    def finding(w: int, change: str, rule: str, row: Row | None = None, file: str = "") -> None:
        manifest["weeks"][w]["findings"].append({"change": change, "rule": rule, "enterprise": row.enterprise if row
                                                 else "", "file": row.file if row else file})

    def changed(w: int, change: str, row: Row, key: str | None = None) -> None:
        manifest["weeks"][w]["rows"].append({"change": change, "ledger": LEDGERS[row.ledger].title,
                                             "unit": row.file.split("/")[0], "key": key or row.key})

    used: set[str] = set()  # one edit per file and week keeps the edits independent

    def pick(candidates: list[int], ledger: str) -> Row:
        for i in candidates:
            r = town.row(ledger, i)
            if r.file not in used and r.enterprise not in {u.split("|")[0] for u in used}:
                used.add(r.file)
                used.add(r.enterprise + "|")
                return r
        raise SystemExit(f"history: no record of {ledger} to edit in {base}")

    # week 2: three fixes, a file withdrawn, a record added
    shutil.copytree(week[0], week[1])
    hz = town.frame("hazards")
    r = pick(town.finding_rows("HZ005", "hazards"), "hazards")
    set_cells(week[1], r, {"done_on": dt.datetime(2023, 12, 18), "verified_on": dt.datetime(2023, 12, 20),
                           "verifier": "王建国", "status": "已销号"}, town)
    finding(1, "已整改", "HZ005", r)
    changed(1, "修改", r)
    r = pick(town.finding_rows("HW005", "hot_work"), "hot_work")
    set_cells(week[1], r, {"fire_measures": "是"}, town)
    finding(1, "已整改", "HW005", r)
    changed(1, "修改", r)
    r = pick(town.finding_rows("DR004", "drills"), "drills")
    set_cells(week[1], r, {"evaluated": "是"}, town)
    finding(1, "已整改", "DR004", r)
    changed(1, "修改", r)
    f = town.result.findings
    loose = [p for p in f.loc[f["rule_id"] == "SCH000", "source_file"]
             if p.lower().endswith(NOT_LEDGER_SUFFIXES) and "/" in p]
    if len(loose) < 2:
        raise SystemExit(f"history: {base} has fewer than two non-ledger files to withdraw")
    (week[1] / loose[0]).unlink()
    finding(1, "因撤回而不再出现", "SCH000", file=loose[0])
    manifest["weeks"][1]["withdrawn"].append(loose[0])
    closed = hz["done_on"].notna() & hz["verified_on"].notna() & hz["hazard_no"].notna()
    added = pick(town.clean("hazards", closed), "hazards")
    new_no = f"{hz.loc[added.index, 'hazard_no']}-补"
    insert_copy(week[1], added, {"hazard_no": new_no, "description": f"{hz.loc[added.index, 'description']}（复查补登）"},
                town)
    new_key = numbered(row_keys("hazards", hz.loc[[added.index]].assign(hazard_no=new_no))).iloc[0]
    changed(1, "新增", added, new_key)

    # week 3: two regressions, another file withdrawn, last week's added record deleted again
    shutil.copytree(week[1], week[2])
    used.clear()
    used.update({added.file, added.enterprise + "|"})
    hw = town.frame("hot_work")
    r = pick(town.clean("hot_work", hw["fire_measures"].eq(True)), "hot_work")
    set_cells(week[2], r, {"fire_measures": "否"}, town)
    finding(2, "新增", "HW005", r)
    changed(2, "修改", r)
    r = pick(town.clean("hazards", hz["immediate"].eq(False) & hz["posted"].eq(True) & closed), "hazards")
    set_cells(week[2], r, {"posted": "否"}, town)
    finding(2, "新增", "HZ002", r)
    changed(2, "修改", r)
    (week[2] / loose[1]).unlink()
    finding(2, "因撤回而不再出现", "SCH000", file=loose[1])
    manifest["weeks"][2]["withdrawn"].append(loose[1])
    delete_row(week[2], Row(added.ledger, added.file, added.sheet, added.row + 1, new_key, added.enterprise, -1))
    changed(2, "删除", added, new_key)

    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m jicui_samples.history",
                                description="示例镇的三周报送历史（含整改、回退、撤回文件） / a three-week history")
    p.add_argument("--from", dest="base", type=Path, default=Path("data/samples"), help="生成的示例镇（默认 data/samples）")
    p.add_argument("--out", type=Path, default=Path("data/history"), help="输出文件夹（默认 data/history）")
    p.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF, help="选取目标时的核查截止日")
    args = p.parse_args(argv)
    if not args.base.is_dir():
        p.error(f"示例镇文件夹不存在：{args.base}（先运行 make samples）")
    m = make_history(args.base, args.out, args.as_of)
    for w in m["weeks"]:
        print(f"{args.out / w['folder']}  收到 {w['received']}：发现变化 {len(w['findings'])}，记录变化 {len(w['rows'])}，"
              f"撤回文件 {len(w['withdrawn'])}")
    print(f"清单：{args.out / 'manifest.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
