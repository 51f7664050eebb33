"""`make screenshots`: pictures of the documents of the sample town for the docs (docs/_static/screens/).

The Word documents go through LibreOffice (headless, to PDF) and pdftoppm (to PNG); the HTML report
through headless Chromium. On Debian or Ubuntu:

    apt-get install -y libreoffice-writer-nogui poppler-utils chromium fonts-noto-cjk

``make test`` needs none of them (the tests that would are skipped where a program is missing).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SCREENS = ROOT / "docs" / "_static" / "screens"
PROGRAMS = {"soffice": "libreoffice-writer-nogui", "pdftoppm": "poppler-utils", "chromium": "chromium"}


def missing_programs() -> list[str]:
    return [name for name in PROGRAMS if shutil.which(name) is None]


def docx_pages(docx: Path, pages: list[int], stem: str, work: Path, dpi: int = 70) -> list[Path]:
    """Pages (1-based) of a .docx as PNGs: LibreOffice to PDF, then pdftoppm."""
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(docx)], check=True,
                   capture_output=True, timeout=300)
    pdf = work / (docx.stem + ".pdf")
    out = []
    for n in pages:
        target = SCREENS / f"{stem}-{n}"
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(n), "-l", str(n), "-singlefile", str(pdf),
                        str(target)], check=True, timeout=120)
        out.append(target.with_suffix(".png"))
    return out


def html_shot(html: Path, stem: str, width: int = 1000, height: int = 1400) -> Path:
    target = SCREENS / f"{stem}.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={width},{height}", f"--screenshot={target}", html.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return target


def main() -> int:
    missing = missing_programs()
    if missing:
        print("无法生成截图：缺少 " + "、".join(missing) + "。安装：apt-get install -y "
              + " ".join(PROGRAMS[m] for m in missing) + " fonts-noto-cjk", file=sys.stderr)
        return 1
    from jicui_compliance.check import run_check
    from jicui_compliance.documents import read_previous, write_documents
    from jicui_compliance.report import write_report

    SCREENS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        q3 = run_check([str(SAMPLES)], as_of=dt.date(2023, 9, 30))
        first = write_documents(q3, work / "q3")
        year = run_check([str(SAMPLES)], as_of=dt.date(2023, 12, 31))
        second = write_documents(year, work / "year", previous=read_previous(work / "q3" / "文书清单.xlsx"))
        html, _, docx = write_report(year, "year", work / "report")
        shots = docx_pages(docx, [1, 2, 12], "year-docx", work)
        shots.append(html_shot(html, "year-html"))
        picks = {"notice": (second, "隐患整改通知书", work / "year"), "reminder": (first, "提醒函", work / "q3"),
                 "supervision": (second, "督办函", work / "year"), "resubmit": (second, "退回重报通知", work / "year")}
        for stem, (written, kind, base) in picks.items():
            rows = written.index[written.index["文书"] == kind]
            if len(rows):
                # a document with two or three items fits on its first page
                row = rows.iloc[(rows["事项数"] - 2.5).abs().argsort(kind="stable").iloc[0]]
                shots += docx_pages(base / row["文件"], [1], stem, work)
    for s in shots:
        print(s.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
