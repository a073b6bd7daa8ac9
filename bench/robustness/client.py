"""Two ways to send a raw request, and a browser keeping cookies on top of either.

The site is served as behind one reverse proxy, which the suite plays: each simulated
client's address goes in `X-Forwarded-For`. A request target is sent as written (already
percent-encoded ASCII), so hostile paths reach the application as a real server would pass
them: `InProcess` builds the WSGI environ the way gunicorn does (PATH_INFO percent-decoded to
bytes, read as latin-1; the query string raw) and calls the application; `OverHttp` writes
the request on a socket to 127.0.0.1 and reads the answer until the server closes it. Only
127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import io
import logging
import socket
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

LOOPBACK = "127.0.0.1"


@dataclass
class Answer:
    """What came back: a status and headers, or `error` (a connection reset, a timeout)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    error: str = ""
    traceback: str = ""  # in process: the last line of the logged traceback of a 5xx

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _Tracebacks(logging.Handler):
    """Keeps the exceptions the application logs while a request runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def summary(exc_info: Any) -> str:
    """`Type: message` and the innermost frame of the project's code, on one line."""
    import traceback

    _, exc, tb = exc_info
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/jetpy/" in f.filename or "/application/" in f.filename]
    frame = (ours or frames or [None])[-1]
    where = f" at {_short(frame.filename)}:{frame.lineno} in {frame.name}" if frame else ""
    message = str(exc).replace("\n", " ")[:160]
    return f"{type(exc).__name__}: {message}{where}"


def _short(filename: str) -> str:
    for marker in ("/jetpy/", "/application/", "/site-packages/"):
        if marker in filename:
            return marker.strip("/") + "/" + filename.split(marker, 1)[1]
    return filename


class InProcess:
    """Calls the WSGI application directly (a fresh environ per request, as gunicorn makes it)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.tracebacks = _Tracebacks()
        logging.getLogger("jetpy").addHandler(self.tracebacks)

    def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes = b"",
        address: str = LOOPBACK,
    ) -> Answer:
        path, _, query = target.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "RAW_URI": target,
            "REQUEST_URI": target,
            "SERVER_NAME": LOOPBACK,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": LOOPBACK,  # the proxy; the client's address is in X-Forwarded-For
            "HTTP_HOST": LOOPBACK,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)) if body else "",
        }
        for name, value in [*headers, ("X-Forwarded-For", address)]:
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
            else:
                environ["HTTP_" + key] = value
        started: list[Any] = []

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> Any:
            started[:] = [int(status.split()[0]), response_headers]
            return lambda data: None

        self.tracebacks.records.clear()
        result = self.app(environ, start_response)
        try:
            data = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        answer = Answer(started[0], list(started[1]), data)
        if answer.status >= 500:
            logged = [r for r in self.tracebacks.records if r.exc_info]
            answer.traceback = summary(logged[-1].exc_info) if logged else "(nothing logged)"
        return answer


class OverHttp:
    """HTTP/1.1 on a new connection per request to 127.0.0.1:`port` (`Connection: close`)."""

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout

    def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes = b"",
        address: str = LOOPBACK,
    ) -> Answer:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {LOOPBACK}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append(f"X-Forwarded-For: {address}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: close")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=self.timeout) as conn:
                conn.sendall(request)
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
        except (ConnectionError, TimeoutError, OSError) as error:
            return Answer(0, [], b"", error=type(error).__name__)
        return parse_response(b"".join(chunks))


def parse_response(raw: bytes) -> Answer:
    """Status, headers and body of a whole HTTP/1.1 response (chunked bodies joined)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    if not head:
        return Answer(0, [], b"", error="EmptyResponse")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return Answer(0, [], raw, error="MalformedResponse")
    headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:] if ":" in line]
    answer = Answer(int(parts[1]), [(k, v) for k, v in headers], body)
    if (answer.header("Transfer-Encoding") or "").lower() == "chunked":
        answer.body = _unchunk(body)
    return answer


def _unchunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return bytes(out)


@dataclass
class Browser:
    """A visitor: a target, a client address and the cookies the site set."""

    target: InProcess | OverHttp
    address: str = LOOPBACK
    cookies: dict[str, str] = field(default_factory=dict)

    def send(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        headers: list[tuple[str, str]] | None = None,
        address: str | None = None,
    ) -> Answer:
        sent = list(headers or [])
        if self.cookies:
            sent.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        answer = self.target.send(method, url, sent, body, address or self.address)
        for name, value in answer.headers:
            if name.lower() == "set-cookie":
                self._keep(value)
        return answer

    def get(self, url: str) -> Answer:
        return self.send("GET", url)

    def follow(self, url: str, limit: int = 3) -> tuple[str, Answer]:
        """GET `url`, following redirects on this site; the final URL and answer."""
        answer = self.get(url)
        while answer.status in (301, 302, 303, 307, 308) and limit > 0:
            location = answer.header("Location") or ""
            parts = urlsplit(location)
            if parts.netloc and parts.hostname != LOOPBACK:
                break
            url = parts.path + (f"?{parts.query}" if parts.query else "")
            answer = self.get(url)
            limit -= 1
        return url, answer

    def _keep(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        expired = any(
            a.strip().lower().startswith(("max-age=0", "expires=thu, 01 jan 1970"))
            for a in attributes
        )
        if expired or not value:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value
