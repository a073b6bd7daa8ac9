"""Hostile input, drawn from a seeded random generator so that every run sends the same.

Path segments and query values are percent-encoded ASCII (what travels in a request line);
form values are bytes (encoded into the body by the caller); JSON values are Python objects
or raw JSON text.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import quote, quote_from_bytes

HUGE_DIGITS = "9" * 5000
# digits of other scripts: str.isdigit() accepts them, int() refuses some, reads others
FULLWIDTH_12 = "\uff11\uff12"
BOLD_9 = "\U0001d7d7"

# one `..` step in every spelling a server or a decoder might turn into a parent folder
TRAVERSAL_STEPS = [
    "../",
    "..%2f",
    "..%2F",
    "%2e%2e/",
    "%2e%2e%2f",
    "%2E%2E%2F",
    ".%2e/",
    "%2e./",
    "..%5c",
    "..%5C",
    "%2e%2e%5c",
    "..\\",
    "%252e%252e%252f",
    "..%252f",
    "..%c0%af",
    "..%c1%9c",
    "%c0%ae%c0%ae/",
    "%c0%ae%c0%ae%c0%af",
    "..%e0%80%af",
    "..%ef%bc%8f",
    "%uff0e%uff0e/",
    "....//",
    "..;/",
    "..%00/",
    "..%01/",
    "%2e%2e%00/",
    ".../",
    "..%u2215",
]
TRAVERSAL_TARGETS = [
    "etc/passwd",
    "etc/passwd%00.css",
    "application/config.yaml",
    "application/data/modules.yaml",
    "pyproject.toml",
    "proc/self/environ",
    "windows/win.ini",
    "",
]

SEGMENTS = [
    "%00",
    "a%00b",
    "%00.html",
    "x.html%00",
    "%ff",
    "%fe%ff",
    "%c0%80",
    "%c0%af",
    "%e0%80%af",
    "%f0%80%80%af",
    "%ed%a0%80",
    "%f4%90%80%80",
    "%80",
    "%C2%B2",
    "%D9%A3",
    "%EF%BC%91",
    "%E2%85%AB",
    HUGE_DIGITS,
    "-1",
    "0",
    "00001",
    "1e309",
    "NaN",
    "inf",
    "%0d%0aSet-Cookie:%20x=1",
    "%0a",
    "%0d",
    "%09",
    "%20",
    "%2520",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "'%20OR%201=1--",
    "%22%3E%3Csvg%20onload=alert(1)%3E",
    "a" * 300,
    "b" * 4000,
    "%C3%A9" * 200,
    ".html",
    "x.html",
    ".",
    "..",
    "%2e",
    "%2e%2e",
    "%2F",
    "%5C",
    "~",
    "~root",
    "con",
    "aux.html",
    "%E2%80%AE",
    "%EF%BB%BF",
    "%F0%9F%98%80",
    "%ef%bf%bf",
    "%",
    "%G1",
    "%%",
    "%u0000",
    "*",
    "?",
    "#",
    "%3F",
    "%23",
    "%3B",
    "index.php",
    ".git/config",
    ".env",
    "wp-admin",
    "%7B%7B7*7%7D%7D",
    "${7*7}",
]

QUERY_VALUES = [
    "",
    "%00",
    "1%00",
    "%C2%B2",
    "%D9%A3",
    "%EF%BC%91%EF%BC%92",
    "%E2%85%AB",
    HUGE_DIGITS,
    "-" + HUGE_DIGITS,
    "-1",
    "0",
    "1",
    "2147483648",
    "9223372036854775808",
    "18446744073709551616",
    "1.5",
    "1e309",
    "1e-309",
    "NaN",
    "inf",
    "-inf",
    "0x10",
    "1_000",
    "%20%201%20",
    "+1",
    "%2B1",
    "%ff",
    "%c0%af",
    "%ed%a0%80",
    "a" * 5000,
    "x" * 70000,
    "%5B%5D",
    "%7B%7D",
    "%0d%0aX:%20y",
    "%3Cscript%3E",
    "'%20OR%201=1--",
    "%25",
    "%",
    "%G1",
    "null",
    "true",
    "-",
    ",",
    "-,-",
    ",,,",
    "%2Bprice,-price",
    "-id,id",
    "__class__",
    "..%2F..%2Fetc%2Fpasswd",
    "http%3A%2F%2Fevil.example%2F",
    "%2F%2Fevil.example",
    "%2F%5Cevil.example",
    "javascript:alert(1)",
]

QUERY_NAMES = [
    "page",
    "per_page",
    "items_per_page",
    "sort",
    "q",
    "status",
    "kind",
    "category",
    "add",
    "edit",
    "view",
    "delete",
    "password",
    "preview",
    "pricelist",
    "amount",
    "rate",
    "next",
    "token",
    "locale",
    "v",
    "id",
    "format",
    "csv",
    "export",
    "confirm",
    "op",
    "ids",
]
JUNK_QUERY_NAMES = ["%00", "%ff", "a%00b", "x" * 300, "%5B%5D", "page%5B%5D", "__proto__", "%0d%0a"]

# what a proxy might pass on as the client's address (X-Forwarded-For)
ADDRESSES = [
    "",
    "unknown",
    "999.1.1.1",
    "::1",
    "1.2.3.4, 5.6.7.8",
    "1.2.3.4,,",
    ",,,",
    "1.2.3.4:5",
    "[::1]:80",
    "fe80::1%eth0",
    "a" * 300,
    "1.2.3.4\x00",
    "\xb2",
    "300.300.300.300",
    "0x7f.1",
]

FORM_TEXT = [
    "",
    " ",
    "   ",
    "\x00",
    "a\x00b",
    "\x00" * 50,
    "\r\n",
    "line one\r\n\r\nline two",
    "x\r\nSet-Cookie: a=b",
    "\r",
    "\t",
    "\x0b\x0c",
    "\x1b[31m",
    "\u2028",
    "\ufeff",
    "\u202e",
    "\uffff",
    "²",
    "٣",
    FULLWIDTH_12,
    "Ⅻ",
    BOLD_9,
    HUGE_DIGITS,
    "-" + HUGE_DIGITS,
    "-1",
    "0",
    "1e309",
    "NaN",
    "inf",
    "1,5",
    "1.5.5",
    "99999999999999999999.99",
    "0.0000000000000000001",
    "2026-02-30",
    "2026-13-01T25:61",
    "0000-00-00",
    "9999-12-31T23:59:59",
    "a" * 300,
    "a" * 5000,
    "é" * 2000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE articles; --",
    "{{ 7*7 }}",
    "%(name)s",
    "{0}",
    "@",
    "a@",
    "@b",
    "a@b",
    "x@example.com\r\nBcc: y@example.com",
    "http://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "PHO-202 ²",
    "PHO-202 " + HUGE_DIGITS,
    "PHO-202 -1",
    "PHO-202",
    "NOPE-1 2",
    "   \n   ",
    "🙂" * 50,
]
FORM_BYTES = [b"\xff", b"\xfe\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"a\x80b", b"\xf4\x90\x80\x80"]
BIG_FORM_VALUE = "z" * 1_000_000

JSON_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**400,
    -(10**400),
    1e308,
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "²",
    FULLWIDTH_12,
    HUGE_DIGITS,
    "1e309",
    "NaN",
    "-1",
    "12.345",
    "12,50",
    "a" * 300,
    "a" * 70000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "2026-02-30T10:00:00Z",
    "2026-01-01",
    "not a date",
    "9999-12-31T23:59:59Z",
    [],
    [1, 2],
    {},
    {"": ""},
    {"a": {"b": {"c": []}}},
    ["\x00"],
    "\ud800",
]
RAW_JSON = [
    "",
    " ",
    "{",
    "}",
    "[",
    "{]",
    '{"a":}',
    '{"a" 1}',
    "{'a': 1}",
    '{"a": 1,}',
    '{"a": 1} trailing',
    "null",
    "true",
    "1",
    '"text"',
    "[]",
    "NaN",
    "Infinity",
    '{"a": NaN}',
    '{"a": -Infinity}',
    '{"a": 1e99999}',
    '{"a": ' + "9" * 100000 + "}",
    '{"a": "\\ud800"}',
    '{"a": "\\u0000"}',
    '{"\\u0000": 1}',
    '{"a": "\\x41"}',
    '{"a": 1, "a": 2}',
    "\ufeff{}",
    "[" * 100000 + "]" * 100000,
    '{"a":' * 50000 + "1" + "}" * 50000,
    "[" * 1000 + "]" * 999,
]
RAW_BODIES = [b"\xff\xfe{\x00}\x00", b"\x00" * 64, b'{"a": "\xff"}', b'{"a": "\xc0\xaf"}', b"\x80"]


def traversal(rng: random.Random) -> str:
    """A path climbing out of a folder of the site in one of many spellings."""
    prefix = rng.choice(
        ["/", "/public/", "/public/css/", "/cs/", "/admin/", "/rest/", "/articles/"]
    )
    step = rng.choice(TRAVERSAL_STEPS)
    return prefix + step * rng.randint(1, 9) + rng.choice(TRAVERSAL_TARGETS)


def segment(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return quote(rng.choice(FORM_TEXT), safe="")
    return rng.choice(SEGMENTS)


def query_value(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return quote(rng.choice(FORM_TEXT), safe="")
    return rng.choice(QUERY_VALUES)


def query_name(rng: random.Random, known: list[str]) -> str:
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(JUNK_QUERY_NAMES)
    if roll < 0.5 and known:
        return rng.choice(known)
    return rng.choice(QUERY_NAMES)


def form_value(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(FORM_BYTES)
    if roll < 0.1:
        return BIG_FORM_VALUE.encode()
    return rng.choice(FORM_TEXT).encode("utf-8")


def encode_form(pairs: list[tuple[str, bytes]]) -> bytes:
    """An application/x-www-form-urlencoded body of raw bytes."""
    return b"&".join(
        quote_from_bytes(name.encode("utf-8"), safe="").encode()
        + b"="
        + quote_from_bytes(value, safe="").encode()
        for name, value in pairs
    )
