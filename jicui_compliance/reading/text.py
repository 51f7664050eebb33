"""Text normalisation shared by the reader and the ledgers (RULEBOOK §4, §8)."""

from __future__ import annotations

import re
import unicodedata

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
