"""Typing the ledgers: columns read together over their distinct values read as each read alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jicui_compliance.campaign import load_campaign
from jicui_compliance.ledgers import LEDGERS, load, vocabulary
from jicui_compliance.ledgers import _group_of as group_of
from jicui_compliance.reading import cells, read_submission

USCC_A, USCC_B = "91140122MA0K1234X5", "９１１４０１２２ＭＡ０Ｋ５６７８Ｙ６"  # the second full-width: read per value

FILES = {
    "东坡村/带队检查.csv": (
        ["统一社会信用代码", "企业名称", "检查日期", "带队负责人", "发现隐患数", "签名确认"],
        [[USCC_A, "甲公司", "2023-06-10", "张三", "0", "是"],
         [USCC_B, "乙公司", "2023年7月8日", "王五", "1项", "王五"],
         ["", "丙公司", "2023-13-45", "赵六", "2", "是"]],
    ),
    "东坡村/培训.csv": (
        ["统一社会信用代码", "企业名称", "日期", "类型", "参加人数"],
        [[USCC_B, "乙公司", "2023/7/8", "专项行动全员培训", "12人"],
         [USCC_A, "甲公司", "2023-06-10", "专项行动全员培训", "9"]],
    ),
    "北岭村/演练.csv": (
        ["企业名称", "演练日期", "参演人数", "含疏散逃生"],
        [["乙公司", "20230708", "30", "是"],
         ["丁公司", "2023-02-30", "8", "否"],
         ["甲公司", "2023.6.10", "15", ""]],
    ),
    "北岭村/带队检查.csv": (
        ["企业名称", "统一社会信用代码", "检查日期", "带队负责人", "发现隐患数", "签名确认"],
        [["甲公司", USCC_A.lower(), "2023-07-08", "张三", "0", "是"]],
    ),
}


def write(folder: Path) -> None:
    for name, (header, rows) in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")


def test_columns_parsed_together_read_as_each_column_alone(tmp_path):
    """Dates of all ledgers, and the enterprise columns of all ledgers, are each parsed once over
    the distinct values of all their sheets: every typed column and every SCH002 is what reading
    that column alone gives."""
    write(tmp_path)
    sub = read_submission([tmp_path], vocabulary())
    typed = load(sub, load_campaign())
    checked = 0
    for name, frame in typed.frames.items():
        tables = [t for t in sub.tables if t.ledger == name]
        if not tables:
            continue
        raw = pd.concat([t.frame for t in tables], ignore_index=True)
        for f, spec in LEDGERS[name].fields.items():
            if f not in raw or spec.empty_is_no:
                continue
            alone, bad = cells.parse_column(raw[f], spec.parser(), spec.dtype)
            expected = pd.Series(alone, dtype=spec.dtype if spec.dtype != "object" else object, name=f)
            pd.testing.assert_series_equal(frame[f], expected, check_exact=True)
            issues = typed.issues[(typed.issues["ledger"] == name) & (typed.issues["field"] == f)
                                  & (typed.issues["rule_id"] == "SCH002")]
            assert issues["row"].tolist() == np.flatnonzero(bad).tolist(), (name, f)
            checked += 1
    assert checked == 13
    dates = typed.issues[typed.issues["rule_id"] == "SCH002"].set_index("ledger")["value"].to_dict()
    assert dates == {"head_inspections": "2023-13-45", "drills": "2023-02-30"}
    inspections = typed["head_inspections"]
    assert inspections["enterprise_uscc"].tolist()[:2] == [USCC_A, "91140122MA0K5678Y6"]
    assert inspections["enterprise_uscc"].iloc[3] == USCC_A  # the lower-case one, folded
    assert inspections["source_file"].tolist() == ["东坡村/带队检查.csv"] * 3 + ["北岭村/带队检查.csv"]
    assert typed["drills"]["evacuation"].tolist() == [True, False, False]  # empty: 否


def test_columns_parsed_together_share_their_parser():
    """A group of columns is parsed with the parser of its first column: all read alike."""
    groups: dict = {}
    for name, led in LEDGERS.items():
        for f, spec in led.fields.items():
            groups.setdefault(group_of(name, f, spec), []).append(spec)
    shared = [specs for specs in groups.values() if len(specs) > 1]
    assert len(shared) >= 4  # dates, date-and-times, validity dates, the enterprise columns
    for specs in shared:
        assert len({(s.kind, s.dtype, s.long_term, s.unit, s.options) for s in specs}) == 1, specs


def test_pandera_validates_the_rows_that_could_fail_and_finds_what_it_finds_in_all(tmp_path, monkeypatch):
    """The checked schema is validated on the rows the parsed columns say could fail (empty where
    required, a value outside the options, a negative number, no enterprise at all): the same SCH002
    and SCH003, in the same order, as pandera validating every row."""
    import jicui_compliance.ledgers as ledgers

    files = {
        "a/隐患.csv": (["企业名称", "隐患描述", "发现日期", "隐患来源", "整改资金", "隐患级别", "整改状态"],
                       [["甲公司", "消防通道堵塞", "2023-06-01", "企业自查", "1.5", "一般", "已整改"],
                        ["乙公司", "", "2023-06-02", "路人", "-2", "一般", "已整改"],
                        ["", "", "2023-06-03", "企业自查", "3", "一般", "已整改"],
                        ["丙公司", "配电箱未接地", "", "企业自查", "0", "特别", "已整改"]]),
        "a/带队检查.csv": (["企业名称", "检查日期", "带队负责人", "发现隐患数", "签名确认"],
                          [["甲公司", "2023-06-10", "张三", "-1", "是"], ["乙公司", "2023-06-11", "", "0", "是"],
                           ["丙公司", "2023-06-12", "李四", "2", "是"]]),
        "a/培训.csv": (["企业名称", "日期", "类型", "参加人数"], [["甲公司", "2023-06-10", "专项行动全员培训", "9"]]),
    }
    for name, (header, rows) in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    sub = read_submission([tmp_path], vocabulary())
    shortcut = load(sub, load_campaign()).issues
    suspected = []
    real = ledgers._suspects
    monkeypatch.setattr(ledgers, "_suspects", lambda *a: suspected.append(real(*a)))  # None: every row
    everything = load(sub, load_campaign()).issues
    pd.testing.assert_frame_equal(shortcut, everything)
    assert {"SCH002", "SCH003"} <= set(shortcut["rule_id"]) and len(shortcut) >= 6
    assert any(s is not None and 0 < s[0].sum() < len(s[0]) for s in suspected)  # some rows only, not none, not all
    assert any(s is not None and 0 < len(s[1]) < len(LEDGERS[n].checked_schema.columns)  # and some columns only
               for s, n in zip(suspected, ["hazards", "head_inspections", "training"]))



@pytest.mark.parametrize("change", ["column unique", "column regex", "frame unique"])
def test_rows_are_not_singled_out_when_a_check_spans_rows(change):
    """A uniqueness constraint (of a column or of the frame), or columns matched by pattern, is not a
    row-by-row check: pandera then validates every row (no suspects are worked out)."""
    from types import SimpleNamespace

    import jicui_compliance.ledgers as ledgers

    schema = LEDGERS["training"].checked_schema
    first = next(iter(schema.columns))
    if change == "column unique":
        schema = schema.update_column(first, unique=True)
    elif change == "column regex":
        schema = schema.update_column(first, regex=True)
    else:
        schema = schema.__class__(schema.columns, checks=schema.checks, unique=[first])
    assert ledgers._suspects(SimpleNamespace(checked_schema=schema), pd.DataFrame(), {}, {}) is None


def test_the_enterprise_columns_come_factorized_and_resolve_as_the_frames_do():
    """load hands the enterprise columns on factorized (Ledgers.written): each row's value is the frame's,
    and the resolution from them is the resolution from the frames themselves."""
    from jicui_compliance.resolution import Resolution

    samples = Path(__file__).resolve().parents[1] / "data" / "samples"
    typed = load(read_submission([samples], vocabulary()), load_campaign())
    assert {f for _, f in typed.written} == {"enterprise_uscc", "enterprise_name"}
    for (name, fname), (codes, values) in typed.written.items():
        frame = typed[name][fname]
        got = np.append(values, None)[codes]  # code -1: the last slot
        assert [None if pd.isna(v) else v for v in frame] == got.tolist(), (name, fname)
    carried = Resolution(load_campaign(), typed)
    plain = Resolution(load_campaign(), type(typed)(typed.frames, typed.tables, typed.issues, typed.dropped))
    for (name, a), (_, b) in zip(carried.enterprise_frames(), plain.enterprise_frames()):
        pd.testing.assert_frame_equal(a, b, obj=name)


@pytest.mark.parametrize("cell,names", [
    ("张三", ("张三",)),
    (" 张 三 ", ("张三",)),  # spaces padding one name
    ("欧阳 明", ("欧阳明",)),  # a piece of one character: one person
    ("张三（总经理）", ("张三(总经理)", "张三")),  # the cell as written (folded) first, as today
    ("张三(经理)", ("张三(经理)", "张三")),
    ("张三、李四", ("张三、李四", "张三", "李四")),
    ("张三，李四", ("张三,李四", "张三", "李四")),
    ("张三 李四", ("张三李四", "张三", "李四")),  # every piece two characters or more: two people
    ("李四/张三（总经理）；赵六", ("李四/张三(总经理);赵六", "李四/张三;赵六", "李四", "张三", "赵六")),
    ("欧阳 明、李四", ("欧阳明、李四", "欧阳明", "李四")),
    ("Li Ming", ("LiMing", "Li", "Ming")),  # the whole cell too: a head registered "Li Ming"
    ("张三 四", ("张三四",)),
    ("（张三）", ("(张三)",)),
])
def test_the_people_a_leader_cell_names(cell, names):
    """The folded names a 带队负责人 cell is compared by (HI001, HI002): the cell as written, without a
    bracketed title, and each leader it lists."""
    from jicui_compliance.resolution import leader_names

    assert leader_names(cell) == names


def test_merged_keys_of_several_sheets():
    """``_merged`` gives each row the key of its (trimmed) cell among the distinct values of all the
    sheets (the last key: empty), in int32 for a group that fits: CSV sheets (pyarrow texts) merged by
    pyarrow, a workbook among them by pandas; a workbook's int64 codes and -1 cells alike."""
    import pyarrow as pa

    from jicui_compliance.ledgers import _merged

    csv_a = (np.array([0, 1, -1, 0], dtype=np.int32), pa.array(["张三", "李四"]))
    csv_b = (np.array([1, 0, 2], dtype=np.int32), pa.array(["王五", "李四", "张三"]))
    keys, uniques = _merged([csv_a, csv_b])
    assert keys.dtype == np.int32
    assert list(uniques) == ["张三", "李四", "王五"]
    assert [uniques[k] if k < len(uniques) else None for k in keys] == ["张三", "李四", None, "张三", "李四", "王五",
                                                                        "张三"]
    book = (np.array([-1, 0, 1], dtype=np.int64), np.array(["王五", "赵六"], dtype=object))
    keys, uniques = _merged([csv_a, book])
    assert keys.dtype == np.int32
    assert [uniques[k] if k < len(uniques) else None for k in keys] == ["张三", "李四", None, "张三", None, "王五", "赵六"]
