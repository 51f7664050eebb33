"""Text helpers shared by every layer: folding, header and name normalisation, placeholders
(RULEBOOK §4, §8), and mapping a column once per distinct value.

It imports nothing of the package, so the reader, the ledgers, the resolution and the rules
may all use it without an arrow running back along the corridor."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

_SPACE = re.compile(r"\s+")
# Required-column markers that templates put around headers ("*企业名称", "企业名称※").
_MARKERS = "*＊※"

#: Cells that mean "empty" in a text column (RULEBOOK §8).
PLACEHOLDERS = frozenset({"无", "暂无", "/", "／", "-", "—", "——", "－", "--", "─"})


def fold(text: str) -> str:
    """Fold full-width forms to half-width (（）→(), ：→:, ＡＢ→AB) and drop all white space."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def normalize_header(value: object) -> str:
    """A header cell as it is matched: folded, no spaces or line breaks, no required-markers."""
    if value is None:
        return ""
    text = fold(str(value)).strip(_MARKERS)
    return text


def normalize_name(value: object) -> str:
    """An enterprise name as it is matched against the registry (exact after folding)."""
    if value is None:
        return ""
    return fold(str(value))


def map_distinct(col: pd.Series, func: Callable[[Any], object], dtype: object = object) -> pd.Series:
    """``col.map(func)`` computed once per distinct value (missing stays missing)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[: len(uniques)] = [func(u) for u in np.asarray(uniques, dtype=object)]
    mapped[len(uniques)] = None
    out = pd.Series(mapped[codes], index=col.index, dtype=object)
    return out if dtype is object else out.astype(dtype)
