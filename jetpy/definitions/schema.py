"""A small declarative schema for YAML definitions: keys, types, defaults, fixes."""

from __future__ import annotations

import builtins
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jetpy.errors import Problem

_TYPE_NAMES = {
    bool: "true or false",
    int: "a whole number",
    str: "text",
    dict: "a mapping",
    list: "a list",
}


@dataclass(frozen=True)
class Field:
    """One key of a definition: its type, default and what its items must be."""

    type: builtins.type | tuple[builtins.type, ...]
    default: Any = None
    required: bool = False
    items: Schema | builtins.type | None = None  # what the items of a list must be
    values: Schema | builtins.type | None = None  # the values of a mapping of free names
    choices: tuple[str, ...] = ()
    nullable: bool = False
    example: str = ""


Schema = Mapping[str, Field]


def _type_name(expected: type | tuple[type, ...]) -> str:
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)


def _is_instance(value: Any, expected: type | tuple[type, ...]) -> bool:
    types = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(value, bool) and bool not in types:
        return False  # YAML `yes` must not pass as a number
    return isinstance(value, types)


def validate(
    data: Mapping[str, Any],
    schema: Schema,
    file: str,
    prefix: str = "",
    problems: list[Problem] | None = None,
) -> dict[str, Any]:
    """Return `data` with defaults filled in; append every problem found to `problems`."""
    found = problems if problems is not None else []
    result: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        field = schema.get(key) if isinstance(key, str) else None
        if field is None:
            close = difflib.get_close_matches(str(key), list(schema), n=1)
            fix = (
                f"did you mean `{close[0]}`?"
                if close
                else ("remove it; known keys: " + ", ".join(sorted(schema)))
            )
            found.append(Problem(file, path, f"unknown key `{key}`", fix))
            continue
        result[key] = _check_value(value, field, file, path, found)
    for key, field in schema.items():
        if key in result:
            continue
        if field.required:
            example = f" e.g. `{key}: {field.example}`" if field.example else ""
            found.append(
                Problem(file, f"{prefix}{key}", f"`{key}` is required", f"add it{example}")
            )
        default = field.default
        result[key] = default() if callable(default) else default
    return result


def _check_value(value: Any, field: Field, file: str, path: str, found: list[Problem]) -> Any:
    if value is None and (field.nullable or not field.required):
        default = field.default
        return default() if callable(default) else default
    if not _is_instance(value, field.type):
        found.append(
            Problem(
                file,
                path,
                f"must be {_type_name(field.type)}, found {type(value).__name__} `{value!r}`",
                f"write {_type_name(field.type)}"
                + (f", e.g. `{field.example}`" if field.example else ""),
            )
        )
        default = field.default
        return default() if callable(default) else default
    if field.choices and value not in field.choices:
        found.append(
            Problem(
                file,
                path,
                f"`{value}` is not one of: {', '.join(field.choices)}",
                f"use one of: {', '.join(field.choices)}",
            )
        )
        return field.default
    if isinstance(value, list) and field.items is not None:
        return [
            _check_item(item, field.items, file, f"{path}[{index}]", found)
            for index, item in enumerate(value)
        ]
    if isinstance(value, dict) and field.values is not None:
        checked = {}
        for key, item in value.items():
            if not isinstance(key, str):
                found.append(
                    Problem(file, f"{path}.{key}", f"key `{key!r}` must be text", "quote the key")
                )
                continue
            checked[key] = _check_item(item, field.values, file, f"{path}.{key}", found)
        return checked
    return value


def _check_item(item: Any, spec: Schema | type, file: str, path: str, found: list[Problem]) -> Any:
    if isinstance(spec, type):
        if not _is_instance(item, spec):
            found.append(
                Problem(
                    file,
                    path,
                    f"must be {_type_name(spec)}, found `{item!r}`",
                    f"write {_type_name(spec)}",
                )
            )
            return None
        return item
    if not isinstance(item, dict):
        found.append(
            Problem(
                file, path, f"must be a mapping, found `{item!r}`", "write `key: value` entries"
            )
        )
        return None
    return validate(item, spec, file, f"{path}.", found)


META_TAG: Schema = {
    "attribute": Field(str, "name"),
    "value": Field(str, required=True, example="description"),
    "content": Field(str, "", example="An example site"),
}

LOCALE: Schema = {
    "urls": Field(list, required=True, items=str, example="[/]"),
    "title": Field(str, ""),
    "active": Field(bool, True),
    "ssl_required": Field(bool, nullable=True),
    "meta_tags": Field(list, list, items=META_TAG),
    "http_headers": Field(dict, dict, values=str),
    "parameters": Field(dict, dict),
}

BASE: Schema = {
    "name": Field(str, ""),
    "default": Field(bool, False),
    "active": Field(bool, True),
    "secret": Field(bool, False),
    "ssl_required": Field(bool, False),
    "initializer": Field(str, nullable=True, example="application.bases.web.init:setup"),
    # the auth provider: a class or function called once at load, without arguments
    "auth": Field(
        str, nullable=True, example="application.modules.admin.auth.login.auth:AdminAuth"
    ),
    "unused_path": Field(str, "not_found", choices=("not_found", "redirect")),
    "direct_files": Field(list, list, items=str),
    "layout": Field(str, "default"),  # `none`: pages answer through their modules' responses
    "errors": Field(str, "html", choices=("html", "json")),  # json: the REST error envelope
    "csrf": Field(bool, nullable=True),  # check unsafe requests; default: not for errors: json
    "http_headers": Field(dict, dict, values=str),
    # Content-Security-Policy, framing, referrer, HSTS, no-store (jetpy.kernel.security)
    "security_headers": Field(dict, dict, example="{no_store: true}"),
    "locales": Field(dict, required=True, values=LOCALE, example="{en_US: {urls: [/]}}"),
}

SECURITY_HEADERS: Schema = {
    # text: the whole policy; a mapping: directives changed in the default one
    "content_security_policy": Field(
        (str, dict), nullable=True, values=str, example="{img-src: \"'self' data: https:\"}"
    ),
    "frame_options": Field(str, "DENY", choices=("DENY", "SAMEORIGIN", "")),
    "referrer_policy": Field(
        str,
        "strict-origin-when-cross-origin",
        choices=(
            "no-referrer",
            "no-referrer-when-downgrade",
            "origin",
            "origin-when-cross-origin",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin",
            "unsafe-url",
            "",
        ),
    ),
    "hsts": Field(str, "max-age=31536000", example="max-age=31536000; includeSubDomains"),
    "no_store": Field(bool, False),  # Cache-Control: no-store on every response of the base
}

CONTENT: Schema = {
    "module": Field(str, example="content.articles.browser"),
    "controller": Field(str, "Main"),
    "action": Field(str, "default"),
    "position": Field(str, "main"),
    "order": Field(int, 0),
    "parameters": Field(dict, dict),
    "output": Field(str),
    "cacheable": Field(bool, False),  # kept in the output cache (jetpy.cache)
    "cache_ttl": Field(int, 0),  # seconds; 0: config.yaml's cache.ttl
}

PAGE: Schema = {
    "id": Field(str),
    "title": Field(str, ""),
    "menu_title": Field(str),
    "breadcrumb_title": Field(str),
    "order": Field(int, 0),
    "active": Field(bool, True),
    "secret": Field(bool, nullable=True),
    "ssl_required": Field(bool, nullable=True),
    "layout": Field(str),
    "http_headers": Field(dict, dict, values=str),
    "parameters": Field(dict, dict),
    "meta_tags": Field(list, list, items=META_TAG),
    "contents": Field(list, list, items=CONTENT),
    "output": Field(str),
    "output_file": Field(str),
}

MANIFEST: Schema = {
    "label": Field(str, required=True, example="Articles browser"),
    "description": Field(str, ""),
    "version": Field(str, "1.0.0"),
    "acl_actions": Field(dict, dict, values=str),
    # event name → handler, or {handler: on_x, queue: mail} (checked in jetpy.modules.events)
    "listens": Field(dict, dict, example="{contact.submitted: {handler: on_x, queue: mail}}"),
    "service": Field(bool, False),  # runs in workers only: no controllers, no pages
}

CONFIG: Schema = {
    "debug": Field(bool, False),
    "secret_key": Field(str, ""),
    "secret_keys": Field(list, list, items=str),  # newest first; the newest signs
    "behind_proxy": Field((bool, int), 0),  # how many reverse proxies; true: 1, false: 0
    "trusted_hosts": Field(list, list, items=str),  # Host headers answered; empty: any
    "map_cache": Field(bool, True),
    "sessions": Field(dict, dict, example="{store: redis, url: 'redis://127.0.0.1:6379/0'}"),
    "cache": Field(dict, dict, example="{backend: redis, url: 'redis://127.0.0.1:6379/0'}"),
    "login_throttle": Field(dict, dict, example="{per_account: 5, per_address: 50}"),
    "database": Field(dict, dict, example="{url: 'postgresql+psycopg://user@host/db'}"),
    "media": Field(dict, dict, example="{location: /srv/site/media, max_upload_mb: 20}"),
    "logging": Field(dict, dict, example="{format: json, level: INFO}"),
    "health_path": Field(str, "/_health"),  # "" turns the health endpoint off
    "queue": Field(dict, dict, example="{broker: redis, url: 'redis://127.0.0.1:6379/0'}"),
    "mail": Field(dict, dict, example="{backend: smtp, host: smtp.example.com, tls: starttls}"),
}

MAIL: Schema = {  # how the site's mail leaves (jetpy.mail)
    "backend": Field(str, "outbox", choices=("outbox", "smtp")),  # outbox: files, for development
    "host": Field(str, "127.0.0.1"),
    "port": Field(int, 0),  # 0: 25, 587 with starttls, 465 with ssl
    "tls": Field(str, "none", choices=("none", "starttls", "ssl")),
    "username": Field(str, ""),
    "password": Field(str, ""),  # better: the environment variable JETPY_MAIL_PASSWORD
    "from": Field(str, "Jetpy Example website <website@example.com>"),
    "timeout": Field((int, float), 30.0),  # seconds for connecting and each SMTP command
    "fallback_locale": Field(str, "en_US"),  # templates of a locale without its own files
}

QUEUE: Schema = {  # queued listeners and `jetpy worker` (jetpy.queue)
    # inline: no broker, listeners run in the emitting process after commit (development)
    "broker": Field(str, "redis", choices=("redis", "rabbitmq", "inline")),
    "url": Field(str, "", example="amqp://guest:guest@127.0.0.1:5672/"),  # default: local
    "mode": Field(str, "auto", choices=("auto", "declared")),  # declared: only `declared`
    "declared": Field(list, list, items=str),
    "max_attempts": Field(int, 5),  # then the message goes to the queue's dead letters
    "retry_delay": Field((int, float), 1.0),  # seconds before the first retry, doubled each time
    # Redis: a message unacknowledged this long (its worker died) goes to another worker
    "visibility_timeout": Field((int, float), 60.0),
}

CACHE: Schema = {  # the output cache (jetpy.cache)
    "backend": Field(str, "none", choices=("none", "memory", "files", "redis")),
    "url": Field(str, "", example="redis://127.0.0.1:6379/0"),  # Redis URL or files folder
    "ttl": Field(int, 300),  # seconds an entry lives unless its content says otherwise
    "http_max_age": Field(int, 60),  # Cache-Control max-age of fully cacheable pages
    # Redis: what every key starts with (sites sharing a database need different ones);
    # empty: jetpy:cache: and a digest of the site's oldest secret key (jetpy.cache.output)
    "prefix": Field(str, "", example="shop:cache:"),
    # entries the memory (per process) and files backends keep, the oldest dropped first;
    # 0: 1,000 in memory, 10,000 in files (Redis: its maxmemory, README)
    "max_entries": Field(int, 0),
}

SESSIONS: Schema = {
    "store": Field(str, "database", choices=("database", "redis")),
    "url": Field(str, "", example="redis://127.0.0.1:6379/0"),  # of the Redis store
    "idle_timeout": Field(int, 2 * 3600),  # seconds without a request that end a session
    "absolute_timeout": Field(int, 24 * 3600),  # seconds after sign-in that end it anyway
}

LOGIN_THROTTLE: Schema = {  # jetpy.auth.throttle
    "store": Field(str, "database", choices=("database", "redis")),
    "url": Field(str, "", example="redis://127.0.0.1:6379/0"),  # of the Redis store
    "per_account": Field(int, 5),  # failures of one account from one address
    "per_address": Field(int, 50),  # failures from one address for any accounts
    "window": Field(int, 15 * 60),  # seconds from a count's first failure
}

DATABASE: Schema = {
    "url": Field(str, "", example="sqlite:///application/data/site.sqlite3"),
    "echo": Field(bool, False),  # log every SQL statement (debugging)
}

MEDIA: Schema = {  # the media library (jetpy.media)
    "location": Field(str, "", example="application/data/media"),  # relative to the project
    "max_upload_mb": Field(int, 20),  # the largest file an upload may have
}

LOGGING: Schema = {  # what servers log (jetpy.kernel.logs)
    "format": Field(str, "text", choices=("text", "json")),  # json: one object a line
    "level": Field(str, "INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
}
