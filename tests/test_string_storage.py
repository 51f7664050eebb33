"""pandas' ``str`` columns hold Python objects in the toolkit, whatever ``mode.string_storage`` is:
with pyarrow installed (the CSV parser) pandas would store them in pyarrow by default. The ledgers
and the findings are built so; the entry points infer the rest so while they run, and restore the
option after (docs/dev.md, “CSV 用 pyarrow 读取”)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.engines.pandas_engine import STRING, Engine

from jicui_compliance.campaign import load_campaign
from jicui_compliance.check import run_check, summarise
from jicui_compliance.findings import FindingsModel
from jicui_compliance.ledgers import LEDGERS, load, vocabulary
from jicui_compliance.ledgers.base import Text
from jicui_compliance.reading import read_submission
from jicui_compliance.text import TEXT, python_strings

from .rules.runner import write_case


def _storages(frame: pd.DataFrame) -> set[str]:
    return {frame[c].dtype.storage for c in frame.columns if isinstance(frame[c].dtype, pd.StringDtype)}


@pytest.fixture(params=["pyarrow", "python"])
def storage(request):
    """pandas' default string storage as a notebook may have it (pyarrow: what "auto" picks with pyarrow)."""
    if request.param == "pyarrow":
        pytest.importorskip("pyarrow")
    with pd.option_context("mode.string_storage", request.param):
        yield request.param


def test_ledgers_hold_text_in_python_objects_whatever_the_default(tmp_path, storage):
    write_case({"hazards": [{"enterprise": "甲", "description": "消防通道堵塞", "found_on": "2023-06-01",
                             "source": "企业自查", "immediate": "否"}]}, tmp_path)
    typed = load(read_submission([tmp_path], vocabulary()), load_campaign())
    for name, frame in typed.frames.items():
        assert _storages(frame) == {"python"}, name
        LEDGERS[name].model.validate(frame)  # the exported model agrees with what load builds
    assert typed["hazards"]["description"].tolist() == ["消防通道堵塞"]
    assert pd.get_option("mode.string_storage") == storage


def test_a_check_infers_python_text_and_restores_the_option(tmp_path, storage):
    write_case({}, tmp_path)
    result = run_check([tmp_path], as_of=dt.date(2023, 12, 31))
    assert not result.findings.empty
    assert _storages(result.findings) == {"python"}
    FindingsModel.validate(result.findings)
    assert pd.get_option("mode.string_storage") == storage
    # what a script calls after the check infers text columns in Python objects too
    assert _storages(summarise(result.findings, result.rules)) == {"python"}
    assert pd.get_option("mode.string_storage") == storage


def test_python_strings_is_scoped_and_restored_after_an_error(storage):
    with pytest.raises(ValueError):
        with python_strings():
            assert pd.Series(["甲"]).dtype.storage == "python"
            raise ValueError
    assert pd.get_option("mode.string_storage") == storage
    assert pd.Series(["甲"]).dtype.storage == storage


def test_the_schemas_name_python_text_columns():
    schema = LEDGERS["hazards"].model.to_schema()
    assert str(schema.columns["description"].dtype) == "string[python]"
    assert str(FindingsModel.to_schema().columns["message"].dtype) == "string[python]"



def _passes(schema: pa.SeriesSchema, values: pd.Series) -> bool:
    try:
        schema.validate(values)
    except pa.errors.SchemaError:
        return False
    return True


@pytest.mark.parametrize("values, dtype", [
    (["甲", None], TEXT),                    # the toolkit's text
    (["甲"], object),                        # text in an object column
    ([1], object),                           # a number in an object column
    (["甲"], pd.StringDtype("pyarrow")),     # text stored otherwise
    ([], object),
])
def test_a_text_column_is_judged_as_pandera_judges_it(values, dtype):
    """``Text`` (the ledgers' and the findings' text columns) gives pandera's own verdict on every column."""
    column = pd.Series(values, dtype=dtype, name="a")
    assert _passes(pa.SeriesSchema(Text()), column) == _passes(pa.SeriesSchema(STRING("python")), column)


def test_a_text_column_of_the_right_type_is_answered_once():
    """pandera's string type answers the right type with one ``True`` per row, and pandera then builds an empty
    table of failure cases for the column (~2 ms a column, a tenth of checking a small submission); ``Text``
    answers ``True`` once."""
    column = pd.Series(["甲"] * 3, dtype=TEXT)
    assert Text().check(Engine.dtype(column.dtype), column) is True
    assert list(STRING("python").check(Engine.dtype(column.dtype), column)) == [True] * 3
