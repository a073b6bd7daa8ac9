"""Events between modules: small dataclasses delivered synchronously to the listening modules.

A module listens in its manifest (`listens: {contact.submitted: on_contact_submitted}`); the
handler is a function of the module's `listeners.py`, called as `handler(app, event)`.

- **Order**: the listening modules in alphabetical order of their names; only activated
  modules hear events.
- **When**: during a request `emit()` queues the event; the queue is delivered once the request
  has succeeded (its response is not a 4xx or 5xx), before the response is returned. A request
  that fails drops its queued events (logged), since what it emitted about may not have
  happened. Outside a request (commands, tests) `emit()` delivers at once.
- **Nesting**: events that handlers emit are queued behind those already waiting and
  delivered in turn (breadth-first); a chain deeper than `max_depth` or a delivery of more
  than `max_events` events is cut off with an error in the log.
- **Failures**: a failing handler is logged (logger `jetpy`, with the event and
  `module:handler`); the other handlers still run, and the emitter's work and response stand.
- **Queued listeners** (`listens: {contact.submitted: {handler: on_contact, queue: mail}}`)
  run in a worker (`jetpy worker`, see jetpy.queue): `emit()` hands the event to the
  application's outbox at once, which writes it in the request's own transaction.
"""

from __future__ import annotations

import difflib
import inspect
import logging
import re
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from jetpy.cache import event_tags
from jetpy.errors import JetpyError, Problem, relative
from jetpy.modules.discovery import Module, import_file
from jetpy.modules.eventcodec import field_problems

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from jetpy.app import Application
    from jetpy.cache import OutputCache
    from jetpy.queue.outbox import Outbox

log = logging.getLogger("jetpy")

LISTENERS_FILE = "listeners.py"


@dataclass(frozen=True)
class Event:
    """Base of events: subclass it as a frozen dataclass with a class-level `event_name`.

    The name is what manifests listen to, e.g. `event_name: ClassVar[str] = "contact.submitted"`.
    (Not `name`: events often carry a field of that name.)
    """

    event_name: ClassVar[str] = ""
    event_version: ClassVar[int] = 1  # raise it when the fields change (queued messages)


@dataclass(frozen=True)
class Listener:
    """A module's handler for one event."""

    module: Module
    handler: str  # the function's name in the module's listeners.py
    call: Callable[[Application, Any], object]
    queue: str | None = None  # run by a worker of this queue; None: in the emitting process

    def __str__(self) -> str:
        return f"{self.module.name}:{self.handler}"


Listeners = dict[str, tuple[Listener, ...]]


class _Queue:
    """Events waiting for delivery, each with the chain of events that led to it."""

    __slots__ = ("chain", "events")

    def __init__(self) -> None:
        self.events: deque[tuple[Event, tuple[str, ...]]] = deque()
        self.chain: tuple[str, ...] = ()  # the events whose handlers are running


_REQUEST = _Queue()  # marks a request that has not emitted anything (yet): no allocation


class EventBus:
    """Delivers events to the modules that listen to them; `app.events`."""

    max_depth = 10  # how long a chain of events emitted by handlers may grow
    max_events = 1000  # how many events one delivery may carry

    def __init__(
        self, app: Application, listeners: Listeners, outbox: Outbox | None = None
    ) -> None:
        self.app = app
        self.listeners = listeners
        self.outbox = outbox  # where events for queued listeners go
        # what is being queued in this thread or task: None outside requests and deliveries
        self._queue: ContextVar[_Queue | None] = ContextVar(
            f"jetpy.modules.events.{id(self):x}", default=None
        )

    def emit(self, event: Event) -> None:
        """Send `event` to its listeners: at once, or after the current request succeeded."""
        if not isinstance(event, Event) or not event.event_name:
            raise JetpyError(
                f"cannot emit {event!r}: an event is a dataclass subclassing jetpy.Event "
                'with a class-level name, e.g. `event_name: ClassVar[str] = "contact.submitted"`'
            )
        queued = [each for each in self.listeners_of(event.event_name) if each.queue]
        if queued:
            if self.outbox is None:
                raise JetpyError(f"event {event.event_name} has queued listeners but no outbox")
            self.outbox.add(event, queued)
        queue = self._queue.get()
        if queue is None:
            queue = _Queue()
            queue.events.append((event, ()))
            self.deliver(queue)
            return
        if queue is _REQUEST:
            queue = _Queue()
            self._queue.set(queue)
        queue.events.append((event, queue.chain))

    def listeners_of(self, event_name: str) -> list[Listener]:
        """The listeners `event_name` is delivered to, in order (activated modules only)."""
        return [each for each in self.listeners.get(event_name, ()) if each.module.active]

    # delivery -----------------------------------------------------------------------
    def deliver(self, queue: _Queue) -> None:
        """Deliver the queued events in order, and the events their handlers emit."""
        token = self._queue.set(queue)
        cache: OutputCache | None = getattr(self.app, "output_cache", None)
        try:
            delivered = 0
            pending = queue.events
            while pending:
                event, chain = pending.popleft()
                name = event.event_name
                if len(chain) >= self.max_depth:
                    log.error(
                        "event %s not delivered: it is %d events deep (%s → %s); "
                        "does a handler emit, directly or not, the event it listens to?",
                        name,
                        len(chain),
                        " → ".join(chain[:3]) + (" → …" if len(chain) > 3 else ""),
                        name,
                    )
                    continue
                delivered += 1
                if delivered > self.max_events:
                    log.error(
                        "event %s and %d more not delivered: one delivery may carry at most "
                        "%d events; do handlers emit events in a loop?",
                        name,
                        len(pending),
                        self.max_events,
                    )
                    pending.clear()
                    break
                queue.chain = (*chain, name)
                if cache is not None:
                    cache.purge(event_tags(event))  # what the change shows is stale
                for listener in self.listeners.get(name, ()):
                    if listener.module.active and listener.queue is None:
                        self._call(listener, event)
        finally:
            queue.chain = ()
            self._queue.reset(token)

    def _call(self, listener: Listener, event: Event) -> None:
        try:
            listener.call(self.app, event)
        except Exception:
            log.exception(
                "event %s (%s): handler %s failed; the other handlers still run and "
                "the emitter's work stands",
                event.event_name,
                type(event).__name__,
                listener,
            )

    # requests -----------------------------------------------------------------------
    def collect(self) -> Token[_Queue | None]:
        """A request begins: queue what it emits until `release()`."""
        return self._queue.set(_REQUEST)

    def release(self, token: Token[_Queue | None]) -> _Queue | None:
        """The request ended: stop queueing; return what it emitted (None: nothing)."""
        queue = self._queue.get()
        self._queue.reset(token)
        return None if queue is _REQUEST else queue

    def after_response(self, queue: _Queue, response: Response) -> None:
        """Deliver a request's events if its response is a success; drop them if not."""
        if response.status_code < 400:
            self.deliver(queue)
            return
        names = ", ".join(event.event_name for event, _ in queue.events)
        log.warning(
            "events not delivered since the request was answered %s: %s",
            response.status,
            names,
        )


# loading ----------------------------------------------------------------------------
def load_listeners(modules: dict[str, Module], root: Path, problems: list[Problem]) -> Listeners:
    """Import each module's listeners.py and find the handlers its manifest names."""
    found: dict[str, list[Listener]] = {}
    for name in sorted(modules):  # the delivery order
        module = modules[name]
        if not module.listens:
            continue
        shown = relative(module.dir / "manifest.yaml", root)
        source = module.dir / LISTENERS_FILE
        if not source.is_file():
            event_name, handler = next(iter(module.listens.items()))
            handler = handler.get("handler", "on_event") if isinstance(handler, dict) else handler
            problems.append(
                Problem(
                    shown,
                    "listens",
                    f"the module listens to events but has no {LISTENERS_FILE}",
                    f"create {relative(source, root)} with the handlers, e.g. "
                    f"`def {handler}(app, event): ...` for `{event_name}`",
                )
            )
            continue
        imported = import_file(f"{module.package}.listeners", source, root, problems)
        if imported is None:
            continue
        for event_name, value in module.listens.items():
            key = f"listens.{event_name}"
            parsed = _listen_value(value, shown, key, problems)
            if parsed is None:
                continue
            handler, queue = parsed
            function = getattr(imported, handler, None)
            if not callable(function):
                functions = [n for n, v in vars(imported).items() if inspect.isfunction(v)]
                close = difflib.get_close_matches(handler, functions, n=1)
                problems.append(
                    Problem(
                        shown,
                        key,
                        f"{relative(source, root)} has no function `{handler}`",
                        f"did you mean `{close[0]}`?"
                        if close
                        else f"define `def {handler}(app, event): ...` there",
                    )
                )
                continue
            if not _takes_app_and_event(function):
                problems.append(
                    Problem(
                        shown,
                        key,
                        f"`{handler}` in {relative(source, root)} cannot be called as "
                        f"`{handler}(app, event)`",
                        f"define it as `def {handler}(app, event): ...`",
                    )
                )
                continue
            if queue is not None:
                problems.extend(_unserializable(event_name, shown, key))
            found.setdefault(event_name, []).append(Listener(module, handler, function, queue))
    problems.extend(_misspelled_events(modules, root))
    return {event_name: tuple(listeners) for event_name, listeners in found.items()}


QUEUE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,62}")


def _listen_value(
    value: object, shown: str, key: str, problems: list[Problem]
) -> tuple[str, str | None] | None:
    """A `listens:` value: a handler's name, or `{handler: on_x, queue: name}`."""
    if isinstance(value, str):
        return value, None
    example = "write `on_x` or `{handler: on_x, queue: mail}`"
    if not isinstance(value, dict):
        found = f"must be a handler's name, found `{value!r}`"
        problems.append(Problem(shown, key, found, example))
        return None
    unknown = sorted(str(each) for each in value if each not in ("handler", "queue"))
    handler, queue = value.get("handler"), value.get("queue")
    if unknown or not isinstance(handler, str) or not isinstance(queue, str):
        what = f"unknown keys {', '.join(unknown)}" if unknown else "needs `handler` and `queue`"
        problems.append(Problem(shown, key, f"a queued listener {what}", example))
        return None
    if not QUEUE_NAME.fullmatch(queue):
        problems.append(
            Problem(
                shown,
                f"{key}.queue",
                f"`{queue}` is not a queue name",
                "use lowercase letters, digits, - and _, starting with a letter, e.g. `mail`",
            )
        )
        return None
    return handler, queue


def _unserializable(event_name: str, shown: str, key: str) -> list[Problem]:
    """A queued listener's event must travel as JSON: its fields' types are checked here."""
    classes = [cls for cls in _subclasses(Event) if cls.event_name == event_name]
    if not classes:
        return [
            Problem(
                shown,
                key,
                f"no loaded event class is named `{event_name}`, so its fields cannot be checked",
                "define the event in application/classes/ (imported before the listeners)",
                warning=True,
            )
        ]
    problems = []
    for cls in classes:
        bad = field_problems(cls)
        if bad:
            problems.append(
                Problem(
                    shown,
                    key,
                    f"event {cls.__module__}.{cls.__name__} cannot be queued: fields "
                    f"{', '.join(bad)} cannot travel as JSON",
                    "use str, int, float, bool, None, Decimal, datetime, date, or lists "
                    "and dict[str, …] of those (e.g. an id instead of a model object)",
                )
            )
    return problems


def _takes_app_and_event(function: Callable[..., object]) -> bool:
    try:
        inspect.signature(function).bind(None, None)
    except TypeError:
        return False
    except ValueError:  # no signature to read (some builtins): let it be tried
        return True
    return True


def _misspelled_events(modules: dict[str, Module], root: Path) -> list[Problem]:
    """Warn about a listened name that no event has but one nearly has (a typo)."""
    known = {cls.event_name for cls in _subclasses(Event) if cls.event_name}
    warnings = []
    for module in modules.values():
        for event_name in module.listens:
            if event_name in known:
                continue
            close = difflib.get_close_matches(event_name, sorted(known), n=1, cutoff=0.8)
            if close:
                warnings.append(
                    Problem(
                        relative(module.dir / "manifest.yaml", root),
                        f"listens.{event_name}",
                        f"no event is named `{event_name}`, so this handler never runs",
                        f"did you mean `{close[0]}`?",
                        warning=True,
                    )
                )
    return warnings


def _subclasses(cls: type[Event]) -> list[type[Event]]:
    found: list[type[Event]] = []
    pending = [cls]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found
