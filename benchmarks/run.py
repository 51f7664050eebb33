"""County-scale benchmark: `jicui check` end to end vs the bare pandas read of the same files.

    python benchmarks/run.py                 # 5,000 enterprises, CSV and xlsx
    python benchmarks/run.py --enterprises 500 --formats csv   # a quick look

It generates a town with the sample generator (cached under benchmarks/_data/), then, each
in a fresh process so that peak memory is its own:
  * bare read: pandas.read_csv (dtype=str, no type parsing) / read_excel(engine="calamine",
    dtype=object) of every file, the encoding and width decided beforehand, untimed;
  * check: `jicui check` as a user runs it (process start, imports, writing the outputs);
  * pipeline: run_check + writers inside one process (no interpreter start-up);
and prints the seconds, their ratios and the peak RSS (of the process, and of the largest
worker process it started: a county-scale run reads its files with a pool of worker
processes, one per core besides itself). The targets (3× on CSV, 1.5× on xlsx) are held to the pipeline against the
bare read, both timed inside a started interpreter with their libraries imported. For the
command as a user runs it, the CLI is also set against the bare read run the same way
(interpreter start-up and ``import pandas`` added). Then it times each stage and rule
area, serially in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable


_PEAK = ("import resource, json as _j; print(_j.dumps({'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
         "'child_peak_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")


def _once(code: str, *args: str) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([PY, "-c", code + "\n" + _PEAK, *args], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    lines = out.stdout.strip().splitlines()
    data = json.loads(lines[-2])
    data["wall"] = wall
    peaks = json.loads(lines[-1])
    data["peak_mb"] = peaks["peak_kb"] / 1024  # this child's own peak RSS
    data["worker_peak_mb"] = peaks["child_peak_kb"] / 1024  # the largest worker process it started (reading)
    return data


def _child(code: str, *args: str, repeat: int = 1) -> dict:
    """Run ``code`` in fresh interpreters ``repeat`` times; keep the fastest run, note the median."""
    runs = sorted((_once(code, *args) for _ in range(repeat)), key=lambda d: d["seconds"])
    best = dict(runs[0])
    best["median"] = runs[len(runs) // 2]["seconds"]
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["worker_peak_mb"] = max(r["worker_peak_mb"] for r in runs)
    return best


BARE = r"""
import json, sys, time, io
from pathlib import Path
t_import = time.perf_counter()
import pandas as pd
t_import = time.perf_counter() - t_import
from jicui_compliance.reading.sources import decode_csv
root = Path(sys.argv[1])
files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".xlsx"))
prepared = []
for p in files:  # untimed: encoding and width, so that pandas can read the ragged files at all
    if p.suffix.lower() == ".csv":
        raw = p.read_bytes()
        try:
            text, enc = decode_csv(raw)
        except ValueError:
            continue
        enc = {"UTF-8 (BOM)": "utf-8-sig", "UTF-8": "utf-8"}.get(enc, "gb18030")
        width = max(line.count(",") for line in text.split("\n")) + 1
        prepared.append((p, enc, width))
    else:
        prepared.append((p, None, None))
rows = skipped = 0
t0 = time.perf_counter()
for p, enc, width in prepared:
    try:
        if enc:
            rows += len(pd.read_csv(p, encoding=enc, header=None, names=range(width), dtype=str, keep_default_na=False))
        else:
            for df in pd.read_excel(p, sheet_name=None, header=None, engine="calamine", dtype=object).values():
                rows += len(df)
    except Exception:  # the planted corrupt workbook: pandas cannot read it either
        skipped += 1
print(json.dumps({"seconds": time.perf_counter() - t0, "rows": rows, "files": len(files), "skipped": skipped,
                  "import": t_import}))
"""

START = r"""
import json, subprocess, sys, time
t0 = time.perf_counter()
subprocess.run([sys.executable, "-c", "pass"], check=True)
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""

PIPELINE = r"""
import json, sys, time, datetime as dt
from pathlib import Path
t0 = time.perf_counter()
from jicui_compliance.check import run_check, summarise
from jicui_compliance.findings import write_csv, write_xlsx
t1 = time.perf_counter()
res = run_check([sys.argv[1]], as_of=dt.date(2023, 12, 31))
t2 = time.perf_counter()
out = Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
write_csv(res.findings, out / "findings.csv"); write_xlsx(res.findings, out / "findings.xlsx", summarise(res.findings, res.rules))
t3 = time.perf_counter()
rows = sum(len(f) for f in res.ledgers.values())
print(json.dumps({"seconds": t3 - t1, "import": t1 - t0, "check": t2 - t1, "write": t3 - t2,
                  "records": rows, "findings": len(res.findings)}))
"""

CLI = r"""
import json, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.run([sys.executable, "-m", "jicui_compliance", "check", sys.argv[1], "--as-of", "2023-12-31",
                    "--out", sys.argv[2]], capture_output=True, text=True)
if p.returncode != 0:
    sys.stderr.write(p.stdout + p.stderr); sys.exit(3)
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""

INGEST = r"""
import json, subprocess, sys, time
from pathlib import Path
store = Path(sys.argv[2])
if sys.argv[3] == "new":
    for leftover in (store, Path(str(store) + ".wal")):
        leftover.unlink(missing_ok=True)
t0 = time.perf_counter()
p = subprocess.run([sys.executable, "-m", "jicui_compliance", "ingest", sys.argv[1], "--store", str(store),
                    "--received", "2023-12-31" if sys.argv[3] == "new" else "2024-01-07"], capture_output=True, text=True)
if p.returncode != 0:
    sys.stderr.write(p.stdout + p.stderr); sys.exit(3)
print(json.dumps({"seconds": time.perf_counter() - t0, "store_bytes": store.stat().st_size}))
"""

AREAS = r"""
import json, sys, time, datetime as dt
from collections import defaultdict
from jicui_compliance import ledgers as L
from jicui_compliance.campaign import load_campaign
from jicui_compliance.reading import read_submission
from jicui_compliance.rules import Context, select_rules
from jicui_compliance.findings.build import findings_from_hits
t = {}
t0 = time.perf_counter(); read_submission([sys.argv[1]], L.vocabulary(), workers=1); t["读取（单进程） reading, serial"] = time.perf_counter() - t0
t0 = time.perf_counter(); sub = read_submission([sys.argv[1]], L.vocabulary()); t["读取 reading"] = time.perf_counter() - t0
camp = load_campaign()
t0 = time.perf_counter(); typed = L.load(sub, camp); t["台账类型与校验 ledgers"] = time.perf_counter() - t0
ctx = Context(camp, dt.date(2023, 12, 31), typed, sub)
t0 = time.perf_counter()
for name, _ in ctx.enterprise_frames(): pass
ctx.registry
t["企业归属 resolution"] = time.perf_counter() - t0
areas = defaultdict(float)
for r in select_rules():
    t0 = time.perf_counter(); findings_from_hits(r, r(ctx), ctx.resolution); areas[r.area] += time.perf_counter() - t0
t.update({f"规则 {a}": s for a, s in sorted(areas.items())})
t["seconds"] = sum(t.values()) - t["读取（单进程） reading, serial"]
print(json.dumps(t, ensure_ascii=False))
"""


def ensure_town(n_enterprises: int, n_villages: int, fmt: str, seed: int) -> Path:
    folder = HERE / "_data" / f"town-{n_enterprises}-{n_villages}-{fmt}-{seed}"
    if not (folder / ".complete").exists():
        from jicui_samples import generate_town

        t0 = time.perf_counter()
        generate_town(folder, seed=seed, n_villages=n_villages, n_enterprises=n_enterprises, formats=fmt,
                      manifest=folder.parent / f"{folder.name}-planted.csv")
        (folder / ".complete").write_text("")
        print(f"  generated {folder.relative_to(ROOT)} in {time.perf_counter() - t0:.1f} s")
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enterprises", type=int, default=5000)
    ap.add_argument("--villages", type=int, default=50)
    ap.add_argument("--formats", default="csv,xlsx")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-areas", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the fastest is kept)")
    ap.add_argument("--store", action="store_true",
                    help="only `jicui ingest` of one week into a new store against `jicui check` (issue 13)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    targets = {"csv": 3.0, "xlsx": 1.5}
    print(f"机器 / machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    for fmt in args.formats.split(","):
        print(f"\n== {fmt}: {args.enterprises} enterprises, {args.villages} villages ==")
        town = ensure_town(args.enterprises, args.villages, fmt, args.seed)
        size = sum(p.stat().st_size for p in town.rglob("*") if p.is_file()) / 2**20
        out = HERE / "_data" / f"out-{fmt}"
        if args.store:
            _store_figures(town, out, size, args.repeat)
            continue
        bare = _child(BARE, str(town), repeat=args.repeat)
        pipe = _child(PIPELINE, str(town), str(out), repeat=args.repeat)
        cli = _child(CLI, str(town), str(out), repeat=args.repeat)
        start = _child(START, repeat=args.repeat)
        print(f"  files {bare['files']}, {size:.0f} MiB, raw rows {bare['rows']:,}, records {pipe['records']:,}, "
              f"findings {pipe['findings']:,}")
        print(f"  (best of {args.repeat} runs each; median in brackets)")
        print(f"  bare pandas read      {bare['seconds']:7.2f} s  [{bare['median']:.2f}]  peak {bare['peak_mb']:5.0f} MiB")
        print(f"  pipeline (in process) {pipe['seconds']:7.2f} s  [{pipe['median']:.2f}]  peak {pipe['peak_mb']:5.0f} MiB  "
              f"(check {pipe['check']:.2f} s + write {pipe['write']:.2f} s; imports {pipe['import']:.2f} s; "
              f"largest reading worker peak {pipe['worker_peak_mb']:.0f} MiB)")
        print(f"  jicui check (CLI)     {cli['seconds']:7.2f} s  [{cli['median']:.2f}]")
        r_pipe, r_cli = pipe["seconds"] / bare["seconds"], cli["seconds"] / bare["seconds"]
        goal = targets.get(fmt)
        verdict = "" if goal is None else ("  ✓ within" if r_pipe <= goal else "  ✗ over") + f" the {goal}× target"
        print(f"  ratio pipeline/bare   {r_pipe:7.2f}×{verdict}")
        print(f"  ratio CLI/bare        {r_cli:7.2f}×  (includes interpreter start-up and imports)")
        bare_process = start["seconds"] + bare["import"] + bare["seconds"]
        print(f"  ratio CLI/bare as a process {cli['seconds'] / bare_process:5.2f}×  (the bare read with the same start-up: "
              f"interpreter {start['seconds']:.2f} s + import pandas {bare['import']:.2f} s + read; jicui check also "
              f"imports pandera and its own modules, {pipe['import']:.2f} s in all)")
        if not args.no_areas:
            areas = _once(AREAS, str(town))
            print("  per stage (s; reading also in one process for comparison, then as a run does it; rule areas one after another):")
            for k, v in areas.items():
                if k not in ("wall", "peak_mb", "worker_peak_mb", "seconds"):
                    print(f"    {k:<24} {v:7.2f}")


def _store_figures(town: Path, out: Path, size_mib: float, repeat: int) -> None:
    """A week ingested into a new store (copy, check, typed rows, findings, one transaction) against the
    stateless `jicui check`, and the store file against the submitted files (target: ≤ 1.5×, smaller)."""
    cli = _child(CLI, str(town), str(out), repeat=repeat)
    store = HERE / "_data" / f"{town.name}.duckdb"
    ing = _child(INGEST, str(town), str(store), "new", repeat=repeat)
    again = _child(INGEST, str(town), str(store), "again")
    store_mib = ing["store_bytes"] / 2**20
    ratio = ing["seconds"] / cli["seconds"]
    print(f"  (best of {repeat} runs each; median in brackets)")
    print(f"  jicui check (CLI)     {cli['seconds']:7.2f} s  [{cli['median']:.2f}]")
    print(f"  jicui ingest (CLI)    {ing['seconds']:7.2f} s  [{ing['median']:.2f}]  peak {ing['worker_peak_mb']:5.0f} MiB")
    print(f"  ratio ingest/check    {ratio:7.2f}×  " + ("✓ within" if ratio <= 1.5 else "✗ over") + " the 1.5× target")
    print(f"  store file {store_mib:7.1f} MiB against submitted files {size_mib:.1f} MiB ({store_mib / size_mib:.2f}×)  "
          + ("✓ smaller" if store_mib < size_mib else "✗ larger"))
    print(f"  the same files a week later: {again['seconds']:.2f} s, no new version, store "
          f"{(again['store_bytes'] - ing['store_bytes']) / 2**20:+.1f} MiB")


if __name__ == "__main__":
    main()
