"""Personal data in outputs: ID and phone numbers are masked everywhere (RULEBOOK §6)."""

from __future__ import annotations

import re

from ..text import BETWEEN_NUMBERS, mask_column, mask_personal

__all__ = ["mask_column", "mask_id", "mask_personal", "mask_phone", "mask_text"]


def mask_id(value: str) -> str:
    """``110105194912310021`` → ``110105********0021`` (also for invalid numbers)."""
    v = value.strip()
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]




#: a landline's area code and what sets it apart from the number (not a digit)
_AREA_CODE = re.compile(r"[(（]?[0０][0-9０-９]{2,3}[)）]?(?=[^0-9０-９])")


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``: keep the first 3 digits (or the area code) and the last 4; several
    numbers in one cell (``17644968942/0351-2848716``) each so, split as FMT003 splits them
    (:data:`jicui_compliance.text.BETWEEN_NUMBERS`)."""
    parts = BETWEEN_NUMBERS.split(value.strip())
    if len(parts) > 1:
        return "".join(p if i % 2 else _mask_one_phone(p) for i, p in enumerate(parts))
    return _mask_one_phone(value)


def _mask_one_phone(value: str) -> str:
    v = value.strip()
    digits = [i for i, ch in enumerate(v) if ch.isdigit()]
    if len(digits) <= 4:
        return "*" * len(v)
    area = _AREA_CODE.match(v)
    if area:  # a landline's area code set apart (0351-, (0351), 0351—, ０３５１－, 0351·): it stays
        keep = {i for i in digits if i < area.end()} | set(digits[-4:])
    elif len(digits) >= 9:
        keep = set(digits[:3]) | set(digits[-4:])
    else:
        keep = set(digits[-4:])
    return "".join(ch if (not ch.isdigit() or i in keep) else "*" for i, ch in enumerate(v))


def mask_text(text: str) -> str:
    """A safety net over any free text: :func:`jicui_compliance.text.mask_personal`, the one
    masking function of every output (ID numbers of 15 and 18 characters whatever their check
    digit, with or without separators; mobiles with +86/86, separators or full-width digits;
    landlines with an area code). An enterprise's credit code stays readable; values of the
    personal columns themselves (身份证号, 联系电话) are masked by field, whatever they hold."""
    return mask_personal(text)
