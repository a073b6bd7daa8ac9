"""Product codes and EANs: the one rule for each, for the admin forms and the REST API alike.

A code names a product in URLs of the API, in set items (`CODE QUANTITY` lines) and in
exports, so it is plain ASCII without spaces. An EAN is a GTIN: EAN-8, UPC-A (12 digits),
EAN-13 or GTIN-14 with a right check digit. Each function answers what is wrong ('' when
nothing), in English, as the API says it; the admin translates the rules.
"""

from __future__ import annotations

import re

CODE_LENGTH = 64  # the column's length
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
CODE_RULE = "1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit"
EAN_LENGTHS = (8, 12, 13, 14)
EAN_RULE = "8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14)"
_DIGITS = re.compile(r"[0-9]+")  # ASCII digits only, unlike str.isdigit()


def code_problem(code: str) -> str:
    """What is wrong with `code` as a product code; '' when nothing."""
    return "" if CODE.fullmatch(code) else f"must be {CODE_RULE}"


def ean_check_digit(body: str) -> int:
    """The check digit of a GTIN's other digits (weights 3, 1, 3 … from the right)."""
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def ean_problem(ean: str) -> str:
    """What is wrong with `ean` as a GTIN; '' when nothing."""
    if len(ean) not in EAN_LENGTHS or not _DIGITS.fullmatch(ean):
        return f"must be {EAN_RULE}"
    check = ean_check_digit(ean[:-1])
    if check != int(ean[-1]):
        return f"the check digit is wrong: {ean[:-1]}{check} would be right"
    return ""
