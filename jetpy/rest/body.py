"""The JSON body of a POST or PUT: read, parsed, and checked field by field.

`read_json()` refuses (with the envelope) a body that is not JSON: a wrong content type is
415, invalid JSON or anything but an object is 400, more than `MAX_BODY` bytes is 413.
Numbers with a fraction are parsed as `Decimal`, never as float.

A `Body` reads typed fields and collects every problem under the field's path
(`localizations.cs_CZ.slug`, `set_items[2].quantity`); `check()` then raises one
`ValidationError` listing them all, together with the fields nobody read (unknown ones):

    body = self.body()
    title = body.text("title", required=True, max_length=200)
    published = body.datetime("published")
    body.check()
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from werkzeug.wrappers import Request

from jetpy.rest.errors import ApiError, ValidationError

MAX_BODY = 1024 * 1024  # bytes; an API body holding more is a mistake or an attack
MAX_INTEGER = 2**31 - 1  # the largest value of an SQL INTEGER column


def read_json(request: Request) -> dict[str, Any]:
    """The request's body as a JSON object; anything else answers the error envelope."""
    mimetype = request.mimetype
    if mimetype != "application/json" and not re.fullmatch(r"application/[\w.+-]+\+json", mimetype):
        sent = f"`{request.content_type}`" if request.content_type else "no Content-Type"
        raise ApiError(
            415,
            f"The body must be JSON, sent with `Content-Type: application/json`; "
            f"this request sent {sent}.",
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiError(415, f"The body must be UTF-8 JSON, not charset `{charset}`.")
    if (request.content_length or 0) > MAX_BODY:
        raise ApiError(413, f"The body is larger than {MAX_BODY} bytes; send less at once.")
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise ApiError(413, f"The body is larger than {MAX_BODY} bytes; send less at once.")
    if not raw.strip():
        raise ApiError(400, "The body is empty; send a JSON object.", code="invalid_json")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not valid UTF-8.", code="invalid_json") from None
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
        if "\\u" in text:
            # an escaped lone surrogate (\ud800) parses, but no database or answer can hold it
            json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            code="invalid_json",
        ) from None
    except UnicodeEncodeError:
        raise ApiError(
            400,
            "The body holds an unpaired surrogate escape (\\ud800 to \\udfff); send valid Unicode.",
            code="invalid_json",
        ) from None
    except (ValueError, RecursionError) as exc:  # a huge integer, nesting too deep
        raise ApiError(400, f"The body cannot be read: {exc}.", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(
            400,
            f"The body must be a JSON object ({{…}}), not {json_type(data)}.",
            code="invalid_json",
        )
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def json_type(value: Any) -> str:
    """How JSON calls the type of `value`, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _plain(number: Decimal | int | None) -> str:
    """A bound as people write it: 10000000000, not 1E+10 (an int bound too)."""
    return "" if number is None else f"{Decimal(number):f}"


class Body:
    """A JSON object read field by field; problems are collected, `check()` raises them.

    A missing field and `null` are the same: absent. Every read marks the field as known;
    `check()` reports the fields nobody read as unknown (typos do not pass silently).
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        path: str = "",
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        self.data = data
        self.path = path
        self.errors: dict[str, list[str]] = {} if errors is None else errors
        self._read: set[str] = set()
        self._children: list[Body] = []

    def __contains__(self, name: str) -> bool:
        return self.data.get(name) is not None

    def names(self) -> list[str]:
        """The names of the fields sent (for objects keyed by free names, e.g. locales)."""
        return [str(key) for key in self.data]

    def key(self, name: str) -> str:
        """The path of field `name` in messages: `localizations.cs_CZ.slug`."""
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, message: str) -> None:
        """Record a problem of field `name` (e.g. a slug another article uses)."""
        self._read.add(name)
        self.errors.setdefault(self.key(name), []).append(message)

    def ignore(self, *names: str) -> None:
        """Accept these fields without reading them (e.g. `id` sent back from a GET)."""
        self._read.update(names)

    def _value(self, name: str, required: bool) -> Any:
        self._read.add(name)
        value = self.data.get(name)
        if value is None and required:
            self.error(name, "required")
        return value

    def _wrong(self, name: str, expected: str, value: Any) -> None:
        self.error(name, f"must be {expected}, not {json_type(value)}")

    # typed fields ---------------------------------------------------------------------
    def text(
        self, name: str, *, required: bool = False, max_length: int | None = None
    ) -> str | None:
        """A text field; a required one must not be blank."""
        value = self._value(name, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self._wrong(name, "text", value)
            return None
        if "\x00" in value:  # PostgreSQL cannot store it in a text column
            self.error(name, "must not contain the NUL character (\\u0000)")
            return None
        if required and not value.strip():
            self.error(name, "required: give a text that is not blank")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(name, f"at most {max_length} characters, not {len(value)}")
            return None
        return value

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int = MAX_INTEGER,
    ) -> int | None:
        """A whole number (not text, not true/false) within the bounds."""
        value = self._value(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(name, "a whole number", value)
            return None
        if (minimum is not None and value < minimum) or value > maximum:
            low = "" if minimum is None else f"{minimum} "
            self.error(name, f"must be {low}to {maximum}, not {value}")
            return None
        return value

    def boolean(self, name: str, *, default: bool = False) -> bool:
        """true or false; absent gives `default`."""
        value = self._value(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._wrong(name, "true or false", value)
            return default
        return value

    def decimal(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        places: int | None = None,
    ) -> Decimal | None:
        """A decimal number, as a JSON number or text (`"12.50"`); never a float."""
        value = self._value(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
            self._wrong(name, "a decimal number", value)
            return None
        try:
            number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
        except InvalidOperation:
            self.error(name, f'must be a decimal number such as "12.50", not {value!r}')
            return None
        if not number.is_finite():
            self.error(name, f"must be a finite decimal number, not {value!r}")
            return None
        too_low = minimum is not None and number < minimum
        if too_low or (maximum is not None and number > maximum):
            low, high = _plain(minimum), _plain(maximum)
            if minimum is not None and maximum is not None:
                bounds = f"{low} to {high}"
            else:
                bounds = f"{low} or more" if minimum is not None else f"at most {high}"
            self.error(name, f"must be {bounds}, not {number:f}")
            return None
        exponent = number.as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            self.error(name, f"at most {places} decimal places, not {number:f}")
            return None
        return number

    def datetime(self, name: str, *, required: bool = False) -> dt.datetime | None:
        """An ISO 8601 date and time with a time zone: `2026-11-02T09:00:00Z`."""
        value = self._value(name, required)
        if value is None:
            return None
        example = "e.g. 2026-11-02T09:00:00Z"
        if not isinstance(value, str):
            self._wrong(name, f"a date and time as text ({example})", value)
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            self.error(name, f"must be an ISO 8601 date and time ({example}), not {value!r}")
            return None
        if parsed.tzinfo is None:
            self.error(name, f"needs a time zone ({example} or +01:00), not {value!r}")
            return None
        try:  # 0001-01-01T00:00+01:00 is in year 0 in UTC, which no datetime holds
            parsed.astimezone(dt.UTC)
        except OverflowError:
            self.error(name, f"must be between the years 1 and 9999 in UTC, not {value!r}")
            return None
        return parsed

    def object(self, name: str, *, required: bool = False) -> Body | None:
        """A nested object, read like the body (its problems go to the same list)."""
        value = self._value(name, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self._wrong(name, "an object", value)
            return None
        child = Body(value, self.key(name), self.errors)
        self._children.append(child)
        return child

    def objects(self, name: str, *, required: bool = False) -> list[Body] | None:
        """A list of objects; each one's fields are named `name[index].field`."""
        value = self._value(name, required)
        if value is None:
            return None
        if not isinstance(value, list):
            self._wrong(name, "a list", value)
            return None
        items = []
        for index, item in enumerate(value):
            path = f"{self.key(name)}[{index}]"
            if not isinstance(item, dict):
                self.errors.setdefault(path, []).append(f"must be an object, not {json_type(item)}")
                continue
            child = Body(item, path, self.errors)
            self._children.append(child)
            items.append(child)
        return items

    # the end -------------------------------------------------------------------------
    def check(self) -> None:
        """Raise ValidationError (400) listing every problem, unknown fields included."""
        self._report_unknown()
        if self.errors:
            raise ValidationError(self.errors)

    def _report_unknown(self) -> None:
        for key in self.data:
            if key not in self._read:
                close = difflib.get_close_matches(str(key), sorted(self._read), n=1)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                known = ", ".join(sorted(self._read)) or "none"
                message = f"unknown field{hint}" if close else f"unknown field; known: {known}"
                self.errors.setdefault(self.key(str(key)), []).append(message)
        for child in self._children:
            child._report_unknown()
