"""The application's settings from application/config.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jetpy.definitions import schema
from jetpy.definitions.yamlfile import load_yaml
from jetpy.errors import Problem, relative

# a plain path (no `.` or `..` segment), or empty: off
_HEALTH_PATH = re.compile(r"(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+/?|")


@dataclass(frozen=True)
class Config:
    """Settings; every key is optional."""

    debug: bool = False
    secret_key: str = ""  # see jetpy.definitions.secretkey for where keys come from
    secret_keys: tuple[str, ...] = ()  # several keys, newest first (rotation)
    behind_proxy: int = 0  # reverse proxies trusted for the client's address (kernel/proxies.py)
    trusted_hosts: tuple[str, ...] = ()  # the Host headers answered (kernel/hosts.py); (): any
    map_cache: bool = True
    database_url: str = ""  # `database.url`; empty: a SQLite file in application/data/
    database_echo: bool = False
    media_location: str = ""  # `media.location`; empty: application/data/media (jetpy.media)
    media_max_upload_mb: int = 20  # `media.max_upload_mb`
    log_format: str = "text"  # `logging.format`: text or json lines (jetpy.kernel.logs)
    log_level: str = "INFO"  # `logging.level`
    health_path: str = "/_health"  # answers whether the database is reachable; "" turns it off
    # `cache:` the output cache (jetpy.cache): none, memory, files or redis; entries' TTL (s)
    cache_backend: str = "none"
    cache_url: str = ""  # the Redis URL, or the folder of the files backend
    cache_ttl: int = 300
    cache_http_max_age: int = 60  # Cache-Control max-age of pages made only of cached contents
    cache_prefix: str = ""  # Redis keys' prefix; JETPY_CACHE_PREFIX in the environment wins
    cache_max_entries: int = 0  # kept by the memory and files backends; 0: their default
    # `sessions:` (jetpy.kernel.sessions): the store, an idle and an absolute timeout in seconds
    session_store: str = "database"  # or `redis`
    session_url: str = ""  # the Redis URL, e.g. redis://127.0.0.1:6379/0
    session_idle: int = 2 * 3600  # a session unused for this long is over
    session_absolute: int = 24 * 3600  # and any session this long after sign-in
    # `login_throttle:` (jetpy.auth.throttle): where failures are counted, limits, window (s)
    throttle_store: str = "database"  # or `redis`
    throttle_url: str = ""  # the Redis URL
    throttle_per_account: int = 5  # failures of one account from one address
    throttle_per_address: int = 50  # failures from one address, any accounts
    throttle_window: int = 15 * 60
    # `queue:` (jetpy.queue): the broker of queued listeners and how workers treat messages
    queue_broker: str = "redis"  # or `rabbitmq`, or `inline` (development: no broker)
    queue_url: str = ""  # empty: the broker on 127.0.0.1 with its default port
    queue_mode: str = "auto"  # `declared`: only the queues of `queue_declared`
    queue_declared: tuple[str, ...] = ()
    queue_max_attempts: int = 5
    queue_retry_delay: float = 1.0
    queue_visibility_timeout: float = 60.0
    # `mail:` (jetpy.mail): the backend (outbox files or SMTP) and the SMTP server
    mail_backend: str = "outbox"
    mail_host: str = "127.0.0.1"
    mail_port: int = 0  # 0: the port of `mail_tls`
    mail_tls: str = "none"  # or `starttls`, `ssl`
    mail_username: str = ""
    mail_password: str = ""  # JETPY_MAIL_PASSWORD in the environment wins
    mail_from: str = "Jetpy Example website <website@example.com>"
    mail_timeout: float = 30.0
    mail_fallback_locale: str = "en_US"


def load_config(app_dir: Path, root: Path, problems: list[Problem]) -> Config:
    """Read config.yaml when present; unknown keys and wrong types are problems."""
    file = app_dir / "config.yaml"
    if not file.is_file():
        return Config()
    shown = relative(file, root)
    data, found = load_yaml(file, shown)
    problems.extend(found)
    if data is None:
        return Config()
    if not isinstance(data, dict):
        problems.append(
            Problem(shown, "", "must be a mapping of settings", "write `key: value` lines")
        )
        return Config()
    settings = schema.validate(data, schema.CONFIG, shown, problems=problems)
    settings["behind_proxy"] = int(settings["behind_proxy"])  # true is one proxy, false none
    if settings["behind_proxy"] < 0:
        problems.append(
            Problem(shown, "behind_proxy", "must not be negative", "write 0 (no proxy), 1, 2 …")
        )
        settings["behind_proxy"] = 0
    settings["trusted_hosts"] = trusted_hosts(settings["trusted_hosts"], shown, problems)
    database = schema.validate(
        settings.pop("database") or {}, schema.DATABASE, shown, "database.", problems
    )
    media = schema.validate(settings.pop("media") or {}, schema.MEDIA, shown, "media.", problems)
    settings["media_location"] = media["location"]
    settings["media_max_upload_mb"] = media["max_upload_mb"]
    if not 1 <= media["max_upload_mb"] <= 1024:
        problems.append(
            Problem(shown, "media.max_upload_mb", "must be from 1 to 1024", "e.g. 20 (megabytes)")
        )
        settings["media_max_upload_mb"] = Config.media_max_upload_mb
    logs = schema.validate(
        settings.pop("logging") or {}, schema.LOGGING, shown, "logging.", problems
    )
    settings["log_format"], settings["log_level"] = logs["format"], logs["level"]
    if not _HEALTH_PATH.fullmatch(settings["health_path"]):
        problems.append(
            Problem(
                shown,
                "health_path",
                f"{settings['health_path']!r} is not a path of this site",
                "write a path such as /_health, or an empty string to turn it off",
            )
        )
        settings["health_path"] = Config.health_path
    throttle = schema.validate(
        settings.pop("login_throttle") or {},
        schema.LOGIN_THROTTLE,
        shown,
        "login_throttle.",
        problems,
    )
    for key in ("per_account", "per_address", "window"):
        if throttle[key] < 1:
            problems.append(
                Problem(shown, f"login_throttle.{key}", "must be 1 or more", "e.g. 5, 50, 900")
            )
            throttle[key] = schema.LOGIN_THROTTLE[key].default
        settings[f"throttle_{key}"] = throttle[key]
    settings["throttle_store"], settings["throttle_url"] = throttle["store"], throttle["url"]
    sessions = schema.validate(
        settings.pop("sessions") or {}, schema.SESSIONS, shown, "sessions.", problems
    )
    cache = schema.validate(settings.pop("cache") or {}, schema.CACHE, shown, "cache.", problems)
    if cache["max_entries"] < 0:
        problems.append(
            Problem(shown, "cache.max_entries", "must be 0 (the default) or more", "e.g. 10000")
        )
        cache["max_entries"] = 0
    settings.update({f"cache_{key}": value for key, value in cache.items()})
    queue = schema.validate(settings.pop("queue") or {}, schema.QUEUE, shown, "queue.", problems)
    for key in ("max_attempts", "retry_delay", "visibility_timeout"):
        if queue[key] <= 0:
            problems.append(Problem(shown, f"queue.{key}", "must be more than 0", "e.g. 5"))
            queue[key] = schema.QUEUE[key].default
        settings[f"queue_{key}"] = queue[key]
    settings["queue_broker"], settings["queue_url"] = queue["broker"], queue["url"]
    settings["queue_mode"], settings["queue_declared"] = queue["mode"], tuple(queue["declared"])
    mail = schema.validate(settings.pop("mail") or {}, schema.MAIL, shown, "mail.", problems)
    if mail["timeout"] <= 0 or not 0 <= mail["port"] <= 65535:
        problems.append(Problem(shown, "mail", "timeout must be > 0, port 0-65535", "port: 587"))
        mail["timeout"], mail["port"] = 30.0, 0
    settings.update({f"mail_{key}": value for key, value in mail.items()})
    return Config(
        **{**settings, "secret_keys": tuple(settings["secret_keys"])},
        database_url=database["url"],
        database_echo=database["echo"],
        session_store=sessions["store"],
        session_url=sessions["url"],
        session_idle=sessions["idle_timeout"],
        session_absolute=sessions["absolute_timeout"],
    )


# a host name as a Host header carries it (IDNA, no port); a leading dot: it and its subdomains
_HOST_NAME = re.compile(r"\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def trusted_hosts(names: list[str], shown: str, problems: list[Problem]) -> tuple[str, ...]:
    """`trusted_hosts`, lower case and IDNA-encoded; a name that is not a host is a problem."""
    kept = []
    for index, name in enumerate(names):
        if not isinstance(name, str):
            continue  # the schema reported it
        cleaned = name.strip().lower().rstrip(".")  # `example.com.` is the same name
        dot, bare = ("." if cleaned.startswith(".") else ""), cleaned.lstrip(".")
        try:
            host = dot + bare.encode("idna").decode("ascii")
        except UnicodeError:
            host = ""
        if not _HOST_NAME.fullmatch(host):
            problems.append(
                Problem(
                    shown,
                    f"trusted_hosts[{index}]",
                    f"{name!r} is not a host name",
                    "write names as browsers send them, without scheme or port: "
                    "example.com, or .example.com for it and every subdomain",
                )
            )
            continue
        kept.append(host)
    return tuple(kept)
