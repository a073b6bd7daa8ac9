"""Events as JSON, for listeners that run in another process (queued listeners).

A message is `{"id": uuid, "event": name, "version": N, "listener": "module:handler",
"data": {field: value}}`; `version` is the event class's `event_version` (default 1), so a
worker can tell an old message from a new one after an event changed. A field may hold text,
numbers, booleans, None, Decimal, datetime, date, and lists, tuples and `dict[str, …]` of
those (Optional too): `field_problems()` names the fields that cannot be carried, when the
listeners load. Decimals, datetimes and dates travel as text and are rebuilt from the
annotations.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Union

from jetpy.errors import JetpyError

if TYPE_CHECKING:
    from jetpy.modules.events import Event

_PLAIN = (str, int, float, bool, type(None))
_TEXT = (Decimal, datetime, date)  # carried as text


class MessageError(JetpyError):
    """A message that cannot be turned back into its event."""


def _check(annotation: Any) -> bool:
    if annotation in _PLAIN or annotation in _TEXT or annotation is None:
        return True
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        return all(_check(each) for each in arguments)
    if origin in (list, tuple):
        return all(_check(each) for each in arguments if each is not Ellipsis)
    if origin is dict:
        return len(arguments) == 2 and arguments[0] is str and _check(arguments[1])
    return False


def field_problems(cls: type[Event]) -> list[str]:
    """The fields of `cls` a message cannot carry, each as `name: type`."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception as exc:  # an annotation naming something that cannot be imported
        return [f"(annotations cannot be read: {exc})"]
    return [
        f"{each.name}: {getattr(hints.get(each.name), '__name__', hints.get(each.name))}"
        for each in dataclasses.fields(cls)
        if not _check(hints.get(each.name))
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date):  # datetime is a date
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, list | tuple):
        return [_plain(each) for each in value]
    if isinstance(value, dict):
        return {key: _plain(each) for key, each in value.items()}
    return value


def encode(event: Event, id: str, listener: str) -> str:
    """The message of `event` for `listener` (`module:handler`), as JSON text."""
    data = {each.name: _plain(getattr(event, each.name)) for each in dataclasses.fields(event)}
    message = {
        "id": id,
        "event": event.event_name,
        "version": getattr(type(event), "event_version", 1),
        "listener": listener,
        "data": data,
    }
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def _rebuild(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    if annotation is Decimal:
        return Decimal(value)
    if annotation is datetime:
        return datetime.fromisoformat(value)
    if annotation is date:
        return date.fromisoformat(value)
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (Union, types.UnionType):
        kinds = [each for each in arguments if each is not type(None)]
        return _rebuild(kinds[0], value) if len(kinds) == 1 else value
    if origin is list:
        return [_rebuild(arguments[0] if arguments else Any, each) for each in value]
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(_rebuild(arguments[0], each) for each in value)
        return tuple(_rebuild(kind, each) for kind, each in zip(arguments, value, strict=False))
    if origin is dict:
        return {key: _rebuild(arguments[1], each) for key, each in value.items()}
    return value


def decode(text: str | bytes) -> dict[str, Any]:
    """The message as a mapping; a MessageError when it is not one of ours."""
    try:
        message = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError(f"the message is not JSON: {exc}") from None
    if not isinstance(message, dict) or not all(
        isinstance(message.get(key), str) for key in ("id", "event", "listener")
    ):
        raise MessageError("the message lacks its id, event or listener")
    if not isinstance(message.get("data"), dict):
        raise MessageError("the message has no data mapping")
    return message


def rebuild(cls: type[Event], message: dict[str, Any]) -> Event:
    """The event of `message`, rebuilt as an instance of `cls` (types from its annotations)."""
    hints = typing.get_type_hints(cls)
    data = message["data"]
    try:
        values = {
            each.name: _rebuild(hints.get(each.name), data[each.name])
            for each in dataclasses.fields(cls)
            if each.name in data
        }
        return cls(**values)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise MessageError(
            f"message {message['id']} cannot be rebuilt into {cls.__name__}: {exc}"
        ) from None
