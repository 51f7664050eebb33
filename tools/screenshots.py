"""`make screenshots`: pictures of the documents of the sample town for the docs (docs/_static/screens/).

The Word documents go through LibreOffice (headless, to PDF) and pdftoppm (to PNG); the HTML report
through headless Chromium. On Debian or Ubuntu:

    apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils chromium fonts-noto-cjk

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
PROGRAMS = {"soffice": "libreoffice-writer-nogui libreoffice-calc-nogui", "pdftoppm": "poppler-utils", "chromium": "chromium"}


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


def template_page(work: Path) -> list[Path]:
    """The 重大事故隐患台账 sheet of 东坡村's template with two rows typed in, the second breaking the plan
    (its 整改期限 before its 发现日期: the row turns red), printed through LibreOffice."""
    import openpyxl

    from jicui_compliance.campaign import load_campaign
    from jicui_compliance.documents.templates import FIRST, read_registry, units, write_template

    camp = load_campaign()
    unit = units(camp, read_registry([SAMPLES], camp), village="东坡村")[0]
    path = write_template(unit, camp, work / "模板" / unit.file_name, rows=30)
    wb = openpyxl.load_workbook(path)
    ws = wb["重大事故隐患台账"]
    header = {c.value: c.column for c in ws[FIRST]}
    name, uscc = unit.enterprises[0]
    rows = [
        {"统一社会信用代码": uscc, "企业名称": name, "隐患编号": "YH-001", "隐患描述": "配电箱未接地", "发现日期": dt.date(2023, 6, 1),
         "发现方式": "企业自查", "是否立即整改": "否", "整改责任人": "张三", "整改措施": "重新接地", "整改资金(万元)": 0.2,
         "整改期限": dt.date(2023, 6, 30), "应急预案": "有", "是否公示": "是", "报告日期": dt.date(2023, 6, 2),
         "隐患等级": "重大"},
        {"统一社会信用代码": uscc, "企业名称": name, "隐患编号": "YH-002", "隐患描述": "储罐区报警器失效", "发现日期": dt.date(2023, 7, 10),
         "发现方式": "企业自查", "是否立即整改": "否", "整改责任人": "李四", "整改措施": "更换报警器", "整改资金(万元)": 1.5,
         "整改期限": dt.date(2023, 7, 1), "应急预案": "有", "是否公示": "是", "报告日期": dt.date(2023, 7, 11),
         "隐患等级": "重大"},
    ]
    for i, row in enumerate(rows):
        for head, value in row.items():
            ws.cell(FIRST + 1 + i, header[head], value)
    for other in wb.worksheets:
        if other.title != ws.title:
            other.sheet_state = "hidden"
    wb.active = wb.worksheets.index(ws)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = "A1:O6"  # up to 是否公示: the red row shows its cause (整改期限 before 发现日期)
    filled = work / "模板" / "东坡村台账模板（示例）.xlsx"
    wb.save(filled)
    (shot,) = docx_pages(filled, [1], "template", work, dpi=200)
    from PIL import Image, ImageChops

    with Image.open(shot) as img:  # the sheet is wide and short: keep the printed part of the page
        rgb = img.convert("RGB")
        box = ImageChops.difference(rgb, Image.new("RGB", rgb.size, "white")).getbbox()
        if box:
            pad = 12
            rgb.crop((max(box[0] - pad, 0), max(box[1] - pad, 0), min(box[2] + pad, rgb.width),
                      min(box[3] + pad, rgb.height))).save(shot)
    return [shot]


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
        shots += template_page(work)
    for s in shots:
        print(s.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
