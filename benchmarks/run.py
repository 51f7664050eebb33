"""Benchmark: `jicui check` end to end vs the bare read of the same files, on three inputs.

    python benchmarks/run.py                 # make bench: clean county (CSV, xlsx), dirty county, province
    python benchmarks/run.py --counties clean,dirty        # the counties only (about 5 minutes)
    python benchmarks/run.py --enterprises 500 --formats csv --counties clean   # a quick look

The inputs come from the sample generator (cached under benchmarks/_data/):

  * the *clean* county: a town of ``--enterprises`` (5,000) enterprises in 50 villages as generated
    (the catalogue's few plantings), in CSV and in xlsx — about 490,000 records;
  * the *dirty* county: a CSV town of ``--dirty-enterprises`` (1,900) enterprises in 19 villages
    generated with ``plant_rate`` ``--plant-rate`` (0.8): most enterprises have rows damaged as
    other hands damage them (missing months, impossible dates, mistyped names and codes, empty
    cells, expired certificates …), about 190,000 records and 100,000 findings, all in the
    generator's manifest;
  * the *province*: ``--province-enterprises`` (200,000) enterprises generated in parts of 5,000,
    checked village by village (``run_check_by_village``, findings streamed), ``--province-repeat``
    times (1).

Each measurement runs in a fresh process pinned to the same cores (``--cores``, default one core,
with ``os.sched_setaffinity``: the figures then say something about the code, not about whether a
second core was free), ``--repeat`` times (3), the bare read, the pipeline and the report of a county in
turn (bare, pipeline, report, bare, pipeline, report …), so that a change in the machine's load falls on
every side of a ratio alike:

  * bare read: pandas.read_csv (dtype=object: plain Python str cells, no type parsing; unlike
    dtype=str it costs the same whether or not pyarrow backs pandas' string dtype) /
    read_excel(engine="calamine", dtype=object) of every file, the encoding and width decided beforehand, untimed;
  * pipeline: run_check + the writers (csv, xlsx) inside one process (no interpreter start-up);
  * report: run_check + ``write_report(…, "year")`` (the counties in CSV, and the clean one in xlsx);
  * check: `jicui check` as a user runs it (process start, imports, writing the outputs);
  * documents (the dirty county, once; ``--no-documents`` leaves them out): ``write_documents`` after the
    check, as `jicui notices` writes them (some 1,500 notices, letters and resubmission notices): a figure.

Each is reported as CPU seconds (of the process and the reading workers it started) and wall
seconds, best [median, worst] of the runs, with the peak RSS of the process (and of the largest
worker process it started). The targets are held to CPU seconds: pipeline ≤ 2.5× the bare read
on CSV and ≤ 1.3× on xlsx (the clean county; the dirty county's ratio is a figure); findings.xlsx of the dirty county ≤ 2 s; the report ≤ 1.5× the check;
the province's peak memory < 8 GB with its findings written. A summary at the end gives one line
per target: the figure and ✓ or ✗. Then it times each stage and rule area (CPU seconds), serially in one process.

The generated inputs are kept in ``benchmarks/_data`` and reused; the outputs (findings, reports,
stores) go to a temporary folder of this run, removed at the end, or to ``--out`` to be looked at:
two benchmarks at once never write into the same folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable


# A process's own peak: VmHWM (Linux), not ru_maxrss, which Linux carries over from the parent
# through fork and exec (a child of a 400 MiB benchmark process would report 400 MiB at least).
# The workers' figure (ru_maxrss of the children) has that flaw and is an upper bound.
_PEAK = ("import resource, json as _j\n"
         "def _hwm():\n"
         "    try:\n"
         "        with open('/proc/self/status') as f:\n"
         "            return next(int(x.split()[1]) for x in f if x.startswith('VmHWM:'))\n"
         "    except (OSError, StopIteration):\n"
         "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
         "print(_j.dumps({'peak_kb': _hwm(), 'child_peak_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))")
# every child pins itself first (its reading workers inherit the pinning), then measures CPU and wall
_PIN = ("import os as _os, time as _t, resource as _r\n"
        "_os.sched_setaffinity(0, {int(c) for c in _os.environ['JICUI_BENCH_CORES'].split(',')})\n"
        "def _cpu():\n"
        "    s, c = _r.getrusage(_r.RUSAGE_SELF), _r.getrusage(_r.RUSAGE_CHILDREN)\n"
        "    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime\n")
CORES = "0"
#: where this run writes its outputs (set in :func:`main`)
OUT = Path(tempfile.gettempdir())


def _once(code: str, *args: str) -> dict:
    t0 = time.perf_counter()
    env = {**os.environ, "JICUI_BENCH_CORES": CORES}
    out = subprocess.run([PY, "-c", _PIN + code + "\n" + _PEAK, *args], capture_output=True, text=True, cwd=ROOT,
                         env=env)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    lines = out.stdout.strip().splitlines()
    data = json.loads(lines[-2])
    data["process_wall"] = wall
    peaks = json.loads(lines[-1])
    data["peak_mb"] = peaks["peak_kb"] / 1024  # this child's own peak RSS
    data["worker_peak_mb"] = peaks["child_peak_kb"] / 1024  # the largest worker process it started (reading)
    return data


def _child(code: str, *args: str, repeat: int = 1) -> dict:
    """Run ``code`` in fresh interpreters ``repeat`` times: for each figure the best run, and the
    median and worst (``<key>_spread``); peaks the highest."""
    return _summary_of([_once(code, *args) for _ in range(repeat)])


def _in_turn(*measurements: tuple[str, tuple[str, ...]], repeat: int = 1) -> list[dict]:
    """Several measurements (code, args), each ``repeat`` times, run in turn (a, b, c, a, b, c …) rather
    than one after the other: a change in the machine's load during the benchmark then falls on every side
    alike, and a ratio compares runs made side by side. Each summarised as :func:`_child` does."""
    runs: list[list[dict]] = [[] for _ in measurements]
    for _ in range(repeat):
        for i, (code, args) in enumerate(measurements):
            runs[i].append(_once(code, *args))
    return [_summary_of(r) for r in runs]


def _summary_of(runs: list[dict]) -> dict:
    best = dict(min(runs, key=lambda d: d["cpu"]))
    for k in runs[0]:
        if isinstance(runs[0][k], float):
            vals = sorted(r[k] for r in runs)
            best[k] = vals[0]
            best[k + "_spread"] = (vals[len(vals) // 2], vals[-1])
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["worker_peak_mb"] = max(r["worker_peak_mb"] for r in runs)
    return best


def _fig(d: dict, key: str, unit: str = "s") -> str:
    med, worst = d.get(key + "_spread", (d[key], d[key]))
    return f"{d[key]:6.2f} {unit} [{med:.2f}, {worst:.2f}]"


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
t0 = time.perf_counter(); c0 = _cpu()
for p, enc, width in prepared:
    try:
        if enc:
            rows += len(pd.read_csv(p, encoding=enc, header=None, names=range(width), dtype=object, keep_default_na=False))
        else:
            for df in pd.read_excel(p, sheet_name=None, header=None, engine="calamine", dtype=object).values():
                rows += len(df)
    except Exception:  # the planted corrupt workbook: pandas cannot read it either
        skipped += 1
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "rows": rows, "files": len(files),
                  "skipped": skipped, "import": t_import}))
"""

PROVINCE = r"""
import json, sys, time, datetime as dt
from pathlib import Path
t0 = time.perf_counter(); c0 = _cpu()
from jicui_compliance.check import run_check_by_village, summarise, summarise_by_village
from jicui_compliance.findings import write_streamed
out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
parts = sys.argv[2:]
steps = []  # after the town and after each batch of villages: CPU s, peak RSS MiB so far, villages
def step(villages):
    steps.append((round(_cpu() - c0, 1), _r.getrusage(_r.RUSAGE_SELF).ru_maxrss // 1024, len(villages)))
    print(json.dumps(steps[-1]), file=sys.stderr, flush=True)
with run_check_by_village(parts, as_of=dt.date(2023, 12, 31), on_partition=step) as run:
    c1 = _cpu()
    counts = run.counts()
    in_sheet = write_streamed(run.chunks(), {"csv": out / "findings.csv", "xlsx": out / "findings.xlsx"}, run.total,
                              summarise(counts, run.rules), {"按村汇总": summarise_by_village(counts)})
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "check_cpu": c1 - c0,
                      "findings": run.total, "files": run.files, "partitions": len(run.partitions),
                      "merged": len(run.merged), "whole": run.whole, "steps": steps}))
"""

START = r"""
import json, subprocess, sys, time
t0 = time.perf_counter(); c0 = _cpu()
subprocess.run([sys.executable, "-c", "pass"], check=True)
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0}))
"""

PIPELINE = r"""
import json, sys, time, datetime as dt
from pathlib import Path
t0 = time.perf_counter()
from jicui_compliance.check import run_check, summarise, summarise_by_village
from jicui_compliance.findings import safe_for_output, write_csv, write_xlsx
t1 = time.perf_counter(); c1 = _cpu()
res = run_check([sys.argv[1]], as_of=dt.date(2023, 12, 31))
t2 = time.perf_counter(); c2 = _cpu()
out = Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
safe = safe_for_output(res.findings)  # as jicui check does it: masked once for every file
c3 = _cpu()
write_csv(safe, out / "findings.csv", masked=True)
c4 = _cpu(); t4 = time.perf_counter()
write_xlsx(safe, out / "findings.xlsx", summarise(res.findings, res.rules),
           {"按村汇总": summarise_by_village(res.findings)}, masked=True)
t5 = time.perf_counter(); c5 = _cpu()
rows = sum(len(f) for f in res.ledgers.values())
print(json.dumps({"seconds": t5 - t1, "cpu": c5 - c1, "import": t1 - t0, "check": t2 - t1, "check_cpu": c2 - c1,
                  "write": t5 - t2, "write_cpu": c5 - c2, "mask_cpu": c3 - c2, "xlsx_cpu": c5 - c4, "xlsx": t5 - t4,
                  "records": rows, "findings": len(res.findings)}))
"""

REPORT = r"""
import json, sys, time, datetime as dt
from pathlib import Path
from jicui_compliance.check import run_check
from jicui_compliance.report import write_report
t1 = time.perf_counter(); c1 = _cpu()
res = run_check([sys.argv[1]], as_of=dt.date(2023, 12, 31))
c2 = _cpu()
write_report(res, "year", Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - t1, "cpu": _cpu() - c1, "report_cpu": _cpu() - c2}))
"""

DOCUMENTS = r"""
import json, sys, time, datetime as dt
from pathlib import Path
from jicui_compliance.check import run_check
from jicui_compliance.documents import write_documents
res = run_check([sys.argv[1]], as_of=dt.date(2023, 12, 31))
t1 = time.perf_counter(); c1 = _cpu()
written = write_documents(res, Path(sys.argv[2]))
docs = [p for p in Path(sys.argv[2]).rglob("*.docx")]
print(json.dumps({"seconds": time.perf_counter() - t1, "cpu": _cpu() - c1, "documents": len(docs),
                  "mib": sum(p.stat().st_size for p in docs) / 2**20}))
"""

CLI = r"""
import json, subprocess, sys, time
t0 = time.perf_counter(); c0 = _cpu()
p = subprocess.run([sys.executable, "-m", "jicui_compliance", "check", sys.argv[1], "--as-of", "2023-12-31",
                    "--out", sys.argv[2]], capture_output=True, text=True)
if p.returncode != 0:
    sys.stderr.write(p.stdout + p.stderr); sys.exit(3)
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0}))
"""

INGEST = r"""
import json, subprocess, sys, time
from pathlib import Path
store = Path(sys.argv[2])
if sys.argv[3] == "new":
    for leftover in (store, Path(str(store) + ".wal")):
        leftover.unlink(missing_ok=True)
t0 = time.perf_counter(); c0 = _cpu()
p = subprocess.run([sys.executable, "-m", "jicui_compliance", "ingest", sys.argv[1], "--store", str(store),
                    "--received", "2023-12-31" if sys.argv[3] == "new" else "2024-01-07"], capture_output=True, text=True)
if p.returncode != 0:
    sys.stderr.write(p.stdout + p.stderr); sys.exit(3)
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": _cpu() - c0, "store_bytes": store.stat().st_size}))
"""

AREAS = r"""
import json, sys, time, datetime as dt
from collections import defaultdict
from jicui_compliance import ledgers as L
from jicui_compliance.campaign import load_campaign
from jicui_compliance.reading import read_submission
from jicui_compliance.rules import Context, select_rules
from jicui_compliance.findings.build import findings_from_hits
from jicui_compliance.text import python_strings
python_strings().__enter__()  # as inside run_check: text columns in Python storage, not pyarrow's
t = {}
t0 = _cpu(); read_submission([sys.argv[1]], L.vocabulary(), workers=1); t["读取（单进程） reading, serial"] = _cpu() - t0
t0 = _cpu(); sub = read_submission([sys.argv[1]], L.vocabulary()); t["读取 reading"] = _cpu() - t0
camp = load_campaign()
t0 = _cpu(); typed = L.load(sub, camp); t["台账类型与校验 ledgers"] = _cpu() - t0
ctx = Context(camp, dt.date(2023, 12, 31), typed, sub)
t0 = _cpu()
for name, _ in ctx.enterprise_frames(): pass
ctx.registry
t["企业归属 resolution"] = _cpu() - t0
areas = defaultdict(float)
for r in select_rules():
    t0 = _cpu(); findings_from_hits(r, r(ctx), ctx.resolution); areas[r.area] += _cpu() - t0
t.update({f"规则 {a}": s for a, s in sorted(areas.items())})
t["cpu"] = sum(t.values()) - t["读取（单进程） reading, serial"]
t["seconds"] = t["cpu"]
print(json.dumps(t, ensure_ascii=False))
"""


#: the benchmark county (the defaults of the command line; tests/test_county.py checks the same county)
ENTERPRISES, VILLAGES, SEED = 5000, 50, 7


#: the dirty county: about 190,000 records, most enterprises planted at this rate (~100,000 findings)
DIRTY_ENTERPRISES, DIRTY_VILLAGES, PLANT_RATE = 1900, 19, 0.8


def generate(folder: Path, n_enterprises: int = ENTERPRISES, n_villages: int = VILLAGES, fmt: str = "csv",
             seed: int = SEED, plant_rate: float = 0.0) -> None:
    """Generate the benchmark's town into ``folder`` (its planted findings in ``<folder>-planted.csv``);
    with ``plant_rate``, the dirty county (:func:`jicui_samples.generate_town`)."""
    from jicui_samples import generate_town

    generate_town(folder, seed=seed, n_villages=n_villages, n_enterprises=n_enterprises, formats=fmt,
                  manifest=folder.parent / f"{folder.name}-planted.csv", plant_rate=plant_rate)


def ensure_town(n_enterprises: int, n_villages: int, fmt: str, seed: int, plant_rate: float = 0.0) -> Path:
    """The benchmark's town, generated once into ``benchmarks/_data`` and reused. It is generated
    into a folder of this process's own and renamed into place when complete, so two benchmarks
    started at once never write into one folder (the second's copy is dropped)."""
    rate = f"-rate{round(plant_rate * 100)}" if plant_rate else ""
    folder = HERE / "_data" / f"town-{n_enterprises}-{n_villages}-{fmt}-{seed}{rate}"
    if not (folder / ".complete").exists():
        t0 = time.perf_counter()
        shutil.rmtree(folder, ignore_errors=True)  # an incomplete one (a generation stopped half-way)
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
        generate(tmp, n_enterprises, n_villages, fmt, seed, plant_rate)
        (tmp / ".complete").write_text("")
        manifest = tmp.parent / f"{tmp.name}-planted.csv"
        try:
            tmp.rename(folder)
            manifest.replace(folder.parent / f"{folder.name}-planted.csv")
        except OSError:  # another benchmark finished the same town first: use that one
            shutil.rmtree(tmp, ignore_errors=True)
            manifest.unlink(missing_ok=True)
        print(f"  generated {folder.relative_to(ROOT)} in {time.perf_counter() - t0:.1f} s")
    return folder


#: a province is generated in parts of this many enterprises (and PART_VILLAGES villages), each
#: in its own process: the generator holds a whole town in memory (~370 MiB for a part)
PART_ENTERPRISES, PART_VILLAGES = 5000, 50


def ensure_province(n_enterprises: int, seed: int) -> list[Path]:
    """The parts of a province of ``n_enterprises``: towns of :data:`PART_ENTERPRISES` generated
    one after another, each with villages of its own (``first_village``), under one folder
    ``benchmarks/_data/province-<seed>/part-NN`` (a part once generated is reused by larger
    provinces). Checked together they are one submission: 40 registries, 2,000 villages."""
    parts = []
    root = HERE / "_data" / f"province-{seed}"
    for k in range(max(1, n_enterprises // PART_ENTERPRISES)):
        folder = root / f"part-{k:02d}"
        parts.append(folder)
        if (folder / ".complete").exists():
            continue
        t0 = time.perf_counter()
        code = ("import sys\nfrom pathlib import Path\nfrom jicui_samples import generate_town\n"
                f"generate_town(Path({str(folder)!r}), seed={seed + k}, n_villages={PART_VILLAGES}, "
                f"n_enterprises={PART_ENTERPRISES}, formats='csv', first_village={k * PART_VILLAGES}, "
                f"manifest=Path({str(root / f'part-{k:02d}-planted.csv')!r}))")
        subprocess.run([PY, "-c", code], check=True, cwd=ROOT)
        (folder / ".complete").write_text("")
        print(f"  generated {folder.relative_to(ROOT)} in {time.perf_counter() - t0:.1f} s", flush=True)
    return parts


def _line(label: str, d: dict, extra: str = "") -> None:
    print(f"  {label:<22} CPU {_fig(d, 'cpu')}  wall {_fig(d, 'seconds')}  peak {d['peak_mb']:5.0f} MiB{extra}")


def _verdict(ratio: float, goal: float) -> str:
    return ("✓ within" if ratio <= goal else "✗ over") + f" the {goal}× target"


#: the summary: (what, figure, target, met; None: a figure without a target)
SUMMARY: list[tuple[str, str, str, bool | None]] = []


def _target(what: str, figure: str, target: str, met: bool | None) -> None:
    SUMMARY.append((what, figure, target, met))


def _summary(started: float) -> None:
    print(f"\n== 目标一览 / targets (this run took {(time.perf_counter() - started) / 60:.1f} min wall) ==")
    width = max((len(w) for w, *_ in SUMMARY), default=0)
    for what, figure, target, met in SUMMARY:
        print(f"  {'·' if met is None else '✓' if met else '✗'} {what:<{width}}  {figure:>22}  target {target}")
    held = [m for *_, m in SUMMARY if m is not None]
    print(f"  {sum(held)} of {len(held)} targets met")


def main() -> None:
    global CORES, OUT
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enterprises", type=int, default=ENTERPRISES, help="of the clean county")
    ap.add_argument("--villages", type=int, default=VILLAGES, help="of the clean county")
    ap.add_argument("--formats", default="csv,xlsx", help="of the clean county (the dirty one is CSV)")
    ap.add_argument("--counties", default="clean,dirty,province",
                    help="clean (as generated), dirty (generated with --plant-rate), province (checked by "
                         "village; the only one with --enterprises from 100000 on)")
    ap.add_argument("--dirty-enterprises", type=int, default=DIRTY_ENTERPRISES)
    ap.add_argument("--dirty-villages", type=int, default=DIRTY_VILLAGES)
    ap.add_argument("--plant-rate", type=float, default=PLANT_RATE, help="the generator's plant_rate of the dirty county")
    ap.add_argument("--province-enterprises", type=int, default=200_000)
    ap.add_argument("--province-repeat", type=int, default=1, help="runs of the province (each about 5 minutes)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--cores", default="0", help="the cores every measured process is pinned to (comma-separated)")
    ap.add_argument("--no-areas", action="store_true")
    ap.add_argument("--no-cli", action="store_true")
    ap.add_argument("--no-documents", action="store_true",
                    help="without the dirty county's documents (jicui notices: about 1,500 documents, one run)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement of the counties")
    ap.add_argument("--store", action="store_true",
                    help="only `jicui ingest` of one week into a new store against `jicui check` (issue 13)")
    ap.add_argument("--out", type=Path, default=None,
                    help="keep the outputs (findings, reports) in this folder (default: a temporary folder, removed)")
    args = ap.parse_args()
    CORES = args.cores
    OUT = args.out if args.out else Path(tempfile.mkdtemp(prefix="jicui-bench-"))
    try:
        _run(args)
    finally:
        if args.out is None:
            shutil.rmtree(OUT, ignore_errors=True)


def _run(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # a long run shows its progress in a log
    sys.path.insert(0, str(ROOT))
    print(f"机器 / machine: {os.cpu_count()} cores, measured processes pinned to core(s) {CORES}; "
          f"Python {sys.version.split()[0]}; load {os.getloadavg()[0]:.1f}")
    print(f"(best of {args.repeat} runs [median, worst]; CPU = the process and its reading workers)")
    counties = ["clean"] if args.store else args.counties.split(",")
    if args.enterprises >= 20 * PART_ENTERPRISES:  # as before: a province of that size, nothing else
        counties, args.province_enterprises = ["province"], args.enterprises
    for county in counties:
        if county == "province":
            _province(args.province_enterprises, args.seed, args.province_repeat)
            continue
        for fmt in args.formats.split(",") if county == "clean" else ["csv"]:
            if county == "dirty":
                town = ensure_town(args.dirty_enterprises, args.dirty_villages, fmt, args.seed, args.plant_rate)
                print(f"\n== dirty county, {fmt}: {args.dirty_enterprises} enterprises, {args.dirty_villages} villages, "
                      f"planted at rate {args.plant_rate} ==")
            else:
                town = ensure_town(args.enterprises, args.villages, fmt, args.seed)
                print(f"\n== {county} county, {fmt}: {args.enterprises} enterprises, {args.villages} villages ==")
            size = sum(p.stat().st_size for p in town.rglob("*") if p.is_file()) / 2**20
            out = OUT / f"out-{county}-{fmt}"
            if args.store:
                _store_figures(town, out, size, args.repeat)
                continue
            _county(county, fmt, town, out, size, args)
    if not args.store:
        _summary(started)


def _county(county: str, fmt: str, town: Path, out: Path, size: float, args: argparse.Namespace) -> None:
    targets = {"csv": 2.5, "xlsx": 1.3}
    name = f"{county} county, {fmt}"
    report = fmt == "csv" or county == "clean"
    measured = _in_turn((BARE, (str(town),)), (PIPELINE, (str(town), str(out))),
                        *([(REPORT, (str(town), str(out / "report")))] if report else []), repeat=args.repeat)
    bare, pipe = measured[:2]
    print(f"  files {bare['files']}, {size:.0f} MiB, raw rows {bare['rows']:,}, records {pipe['records']:,}, "
          f"findings {pipe['findings']:,}")
    _line("bare read", bare)
    _line("pipeline (in process)", pipe, f" (largest reading worker {pipe['worker_peak_mb']:.0f} MiB)")
    print(f"    check {_fig(pipe, 'check_cpu')} CPU; writing {_fig(pipe, 'write_cpu')} CPU, of which "
          f"masking {_fig(pipe, 'mask_cpu')} and findings.xlsx {_fig(pipe, 'xlsx_cpu')} "
          f"(wall {_fig(pipe, 'xlsx')}); imports {pipe['import']:.2f} s")
    r = pipe["cpu"] / bare["cpu"]
    if county == "dirty":
        # issue #15 sets the reading target on the mostly clean county (CSV and xlsx); the dirty county's
        # targets are its findings.xlsx and its report: most of its pipeline is writing 100k findings,
        # which a bare read does not do. Its ratio is printed as a figure (docs/dev.md).
        print(f"  ratio pipeline/bare read, CPU  {r:5.2f}×  (a figure: the reading target is the clean county's)")
        _target(f"{name}: pipeline / bare read, CPU", f"{pipe['cpu']:.2f} / {bare['cpu']:.2f} = {r:.2f}×",
                "none", None)
    else:
        print(f"  ratio pipeline/bare read, CPU  {r:5.2f}×  {_verdict(r, targets[fmt])}")
        _target(f"{name}: pipeline / bare read, CPU", f"{pipe['cpu']:.2f} / {bare['cpu']:.2f} = {r:.2f}×",
                f"≤ {targets[fmt]}×", r <= targets[fmt])
    r_check = pipe["check_cpu"] / bare["cpu"]
    print(f"  ratio check (no writing)/bare read, CPU  {r_check:5.2f}×")
    if county == "dirty":
        ok = pipe["xlsx_cpu"] <= 2.0
        print(f"  findings.xlsx {pipe['xlsx_cpu']:.2f} CPU s (wall {pipe['xlsx']:.2f} s) for {pipe['findings']:,} "
              f"findings  {'✓ within' if ok else '✗ over'} 2 s")
        _target(f"{name}: findings.xlsx of {pipe['findings']:,} findings, CPU", f"{pipe['xlsx_cpu']:.2f} s", "≤ 2 s", ok)
    if report:
        rep = measured[2]
        _line("check + year report", rep)
        r = rep["cpu"] / pipe["cpu"]
        print(f"  ratio report/check, CPU  {r:5.2f}×  {_verdict(r, 1.5)} (report alone {rep['report_cpu']:.2f} s)")
        _target(f"{name}: check + year report / check, CPU", f"{rep['cpu']:.2f} / {pipe['cpu']:.2f} = {r:.2f}×",
                "≤ 1.5×", r <= 1.5)
    if county == "dirty" and not args.no_documents:
        # a figure without a target: the documents grow with the enterprises (a county sends a notice to each)
        d = _once(DOCUMENTS, str(town), str(out / "documents"))
        print(f"  documents (jicui notices) CPU {d['cpu']:6.2f} s  wall {d['seconds']:6.2f} s: {d['documents']:,} documents, "
              f"{1000 * d['cpu'] / max(d['documents'], 1):.0f} ms each, {d['mib']:.0f} MiB  peak {d['peak_mb']:5.0f} MiB")
    if not args.no_cli:
        cli = _child(CLI, str(town), str(out), repeat=args.repeat)
        cli["peak_mb"] = cli["worker_peak_mb"]  # the command runs as this child's own child
        _line("jicui check (CLI)", cli, " (process start and imports included)")
    if not args.no_areas:
        areas = _once(AREAS, str(town))
        print("  per stage (CPU s, one run; reading also in one process for comparison, then as a run does it; "
              "rule areas one after another):")
        for k, v in areas.items():
            if k not in ("process_wall", "peak_mb", "worker_peak_mb", "seconds", "cpu"):
                print(f"    {k:<24} {v:7.2f}")


def _province(n_enterprises: int, seed: int, repeat: int) -> None:
    """A province generated in parts (:func:`ensure_province`), checked by village (`jicui check
    --by-village`: findings.csv and findings.xlsx streamed), in a process pinned like the others."""
    t0 = time.perf_counter()
    parts = ensure_province(n_enterprises, seed)
    files = [p for part in parts for p in part.rglob("*") if p.is_file() and p.name != ".complete"]
    size = sum(p.stat().st_size for p in files) / 2**20
    print(f"\n== province: {n_enterprises:,} enterprises in {len(parts)} parts of {PART_ENTERPRISES:,} "
          f"({len(parts) * PART_VILLAGES} villages), {len(files):,} files, {size:,.0f} MiB "
          f"(generated or found in {time.perf_counter() - t0:.0f} s); best of {repeat} ==", flush=True)
    out = OUT / f"out-province-{n_enterprises}"
    d = _child(PROVINCE, str(out), *map(str, parts), repeat=repeat)
    written = [p.name for p in (out / "findings.csv", out / "findings.xlsx") if p.exists() and p.stat().st_size]
    print(f"  {d['findings']:,} findings; {d['partitions']} partitions, {d['merged']} merged"
          + (f"; not cut: {d['whole']}" if d["whole"] else "") + f"; written: {', '.join(written)}")
    _line("check --by-village", d, f" (check {d['check_cpu']:.1f} CPU s, the rest writing)")
    steps = d["steps"]
    print("  CPU s and peak MiB so far, before the town's rules and before each batch of villages:")
    print("    " + "; ".join(f"{c:.0f} s {m:,} MiB ({v} villages)" for c, m, v in steps))
    ok = d["peak_mb"] * 2**20 < 8e9
    print(f"  peak memory {d['peak_mb'] / 1024:.2f} GiB  {'✓ within' if ok else '✗ over'} the 8 GB target")
    _target(f"province ({n_enterprises:,} enterprises): peak memory", f"{d['peak_mb'] / 1024:.2f} GiB", "< 8 GB", ok)
    _target("province: findings streamed to csv and xlsx", f"{d['findings']:,} findings",
            "both written", len(written) == 2)
    _target("province: CPU / wall", f"{d['cpu']:.0f} s / {d['seconds']:.0f} s", "none", None)


def _store_figures(town: Path, out: Path, size_mib: float, repeat: int) -> None:
    """A week ingested into a new store (copy, check, typed rows, findings, one transaction) against the
    stateless `jicui check`, and the store file against the submitted files (target: ≤ 1.5× in wall
    seconds, best of the runs; smaller). Run it with ``--cores 0,1`` for the wall figure to mean anything."""
    cli = _child(CLI, str(town), str(out), repeat=repeat)
    store = OUT / f"{town.name}.duckdb"
    ing = _child(INGEST, str(town), str(store), "new", repeat=repeat)
    again = _child(INGEST, str(town), str(store), "again")
    store_mib = ing["store_bytes"] / 2**20
    ratio = ing["cpu"] / cli["cpu"]
    print(f"  jicui check (CLI)     CPU {_fig(cli, 'cpu')}  wall {_fig(cli, 'seconds')}")
    print(f"  jicui ingest (CLI)    CPU {_fig(ing, 'cpu')}  wall {_fig(ing, 'seconds')}  "
          f"peak {ing['worker_peak_mb']:5.0f} MiB")
    wall = ing["seconds"] / cli["seconds"]
    wall_median = ing["seconds_spread"][0] / cli["seconds_spread"][0]
    # issue #13's target is the time the analyst waits (wall), held to the medians (one lucky run of either
    # side moves the best-of ratio a lot); the packing of xlsx runs in a worker process beside the check
    print(f"  ratio ingest/check, wall {wall_median:5.2f}× (medians; best {wall:.2f}×)  "
          + ("✓ within" if wall_median <= 1.5 else "✗ over") + f" the 1.5× target   (CPU {ratio:.2f}×)")
    print(f"  store file {store_mib:7.1f} MiB against submitted files {size_mib:.1f} MiB ({store_mib / size_mib:.2f}×)  "
          + ("✓ smaller" if store_mib < size_mib else "✗ larger"))
    print(f"  the same files a week later: {again['cpu']:.2f} CPU s, no new version, store "
          f"{(again['store_bytes'] - ing['store_bytes']) / 2**20:+.1f} MiB")


if __name__ == "__main__":
    main()
