"""The findings table: its schema, order, masking."""

import pandas as pd
import pandera.pandas as pa
import pytest

from jicui_compliance.findings import COLUMNS, FindingsModel, finalize, mask_id, mask_phone, mask_text


def test_masking_forms():
    assert mask_id("110105194912310021") == "110105********0021"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0571-88881234") == "0571-****1234"
    assert mask_phone("1381234567") == "138***4567"
    # several numbers in one cell: each masked as it would be alone (not one mask over the whole cell)
    assert mask_phone("17644968942/0351-2848716") == "176****8942/0351-***8716"
    assert mask_phone("13812345678、13912345678") == "138****5678、139****5678"
    assert mask_phone("138 1234 5678") == "138 **** 5678"  # one number written with spaces
    # the area code of a landline stays however it is set apart; a middle dot, an underscore, a no-break space
    for written, masked in [("(0351)2848716", "(0351)***8716"), ("0351—2848716", "0351—***8716"),
                            ("０３５１－２８４８７１６", "０３５１－***８７１６"), ("0351·2848716", "0351·***8716"),
                            ("0351 2848716", "0351 ***8716"), ("0351-2848716-8001", "0351-*******-8001"),
                            ("138·1234·5678", "138·****·5678"), ("139_2345_6789", "139_****_6789"),
                            ("137\xa03456\xa07890", "137\xa0****\xa07890"), ("03512848716", "035****8716")]:
        assert mask_phone(written) == masked, written


@pytest.mark.parametrize("text,hidden", [
    ("联系人电话13812345678", "13812345678"),
    ("身份证11010519491231002X", "11010519491231002X"),
    ("证书“T11010519491231002X”类别不符", "11010519491231002X"),  # certificate number = T + ID number
    # a mistyped ID in a certificate number is still the person's: 17, 16 and 19 digits, a wrong month
    ("证书编号“T11010519850315123”不在台账中", "19850315"),
    ("证书编号“T1101051985031512”不在台账中", "19850315"),
    ("证书编号“T1101051985031512301”不在台账中", "19850315"),
    ("证书编号“T110105198513321230”不在台账中", "19851332"),
    ("证号 110105198503151230X1", "19850315"),  # an ID with letters after it
])
def test_mask_text_hides_personal_numbers(text, hidden):
    assert hidden not in mask_text(text)


def test_mask_text_keeps_credit_codes_and_dates():
    for text in ("代码91330110MA2AA0001J", "代码911101080000000001", "2023-07-20 08:30", "作业票2023DH0010"):
        assert mask_text(text) == text


def test_findings_are_sorted_and_validated():
    rows = []
    for village, uscc, rule, row in [("西岭村", "B", "HZ001", 5), ("东坡村", "A", "HZ005", 3), ("东坡村", "A", "HZ001", 9),
                                     ("东坡村", "A", "HZ001", 2), ("", "", "SCH000", None)]:
        rows.append({c: "" for c in COLUMNS} | {"rule_id": rule, "severity": "错误", "village": village,
                                               "enterprise_uscc": uscc, "source_row": row, "message": "x"})
    f = finalize(pd.DataFrame(rows))
    assert list(f.columns) == COLUMNS
    assert list(zip(f["village"], f["rule_id"], f["source_row"].astype("object"))) == [
        ("", "SCH000", pd.NA), ("东坡村", "HZ001", 2), ("东坡村", "HZ001", 9), ("东坡村", "HZ005", 3), ("西岭村", "HZ001", 5)]
    FindingsModel.validate(f)


def test_schema_rejects_a_bad_severity():
    row = {c: "" for c in COLUMNS} | {"rule_id": "HZ001", "severity": "严重", "message": "x", "source_row": 1}
    with pytest.raises(pa.errors.SchemaError):
        finalize(pd.DataFrame([row]))


def test_safe_for_output_of_text_columns_is_the_same_once_per_distinct_text():
    """Text columns (the string dtype) are made safe once per distinct text and spread back: the same cells
    as the cell-by-cell path of object columns — personal numbers masked, control characters removed, missing
    cells and repeated texts where they were."""
    from jicui_compliance.findings import safe_for_output

    texts = ["身份证 110105 19491231 002X\x00", None, "(010) 1234567 座机", "张三13812345678.csv", "HZ001", "",
             "代码91330110MA2AA0001J", "2023-07-20"]
    cells = [texts[(i * 5) % len(texts)] for i in range(40)]  # every text several times, in a shuffled order
    frame = pd.DataFrame({"value": pd.array(cells, dtype="str"), "message": pd.array(cells[::-1], dtype="str"),
                          "source_row": pd.array(range(40), dtype="Int64")})
    fast, cell_by_cell = safe_for_output(frame), safe_for_output(frame.astype({"value": object, "message": object}))
    pd.testing.assert_frame_equal(fast, cell_by_cell)
    assert fast["value"].iloc[0] == "身份证 110105 ******** 002X" and pd.isna(fast["value"].iloc[5])
    assert fast["value"].tolist().count("(010) ***4567 座机") == cells.count("(010) 1234567 座机")


def test_safe_for_output_masks_phone_numbers_whose_groups_are_set_apart():
    """The quick test of a whole column (:data:`jicui_compliance.text.MAY_HOLD_PERSONAL`) lets through a number
    whose groups are set apart by a dash with spaces or by dots (no seven digits with one character between them),
    in the string dtype and in objects alike."""
    from jicui_compliance.findings import safe_for_output

    cells = ["联系138 - 1234 - 5678", "电话138.1234.5678", "举报+86 351 2848716", "期限“联系0351 - 2848716后定”", "2023.07.15"]
    masked = ["联系138 - **** - 5678", "电话138.****.5678", "举报+86 351 ***8716", "期限“联系0351 - ***8716后定”", "2023.07.15"]
    for dtype in ("str", object):
        frame = pd.DataFrame({"message": pd.array(cells, dtype=dtype)})
        assert safe_for_output(frame)["message"].tolist() == masked


def test_safe_for_output_masks_numbers_with_middle_dots_underscores_slashes_or_no_break_spaces():
    """The quick test of a whole column lets through the groups set apart by "·", "_", "/" or a no-break space."""
    from jicui_compliance.findings import safe_for_output

    cells = ["联系138·1234·5678", "电话139_2345_6789", "131/2345/6780", "137\xa03456\xa07890", "身份证110105\xa019491231\xa00021",
             "YH-2023-015 2023-07-15"]
    masked = ["联系138·****·5678", "电话139_****_6789", "131/****/6780", "137\xa0****\xa07890", "身份证110105\xa0********\xa00021",
              "YH-2023-015 2023-07-15"]
    for dtype in ("str", object):
        frame = pd.DataFrame({"message": pd.array(cells, dtype=dtype)})
        assert safe_for_output(frame)["message"].tolist() == masked
