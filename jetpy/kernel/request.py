"""The input layer: the query parameters and form fields every controller reads are clean.

jetpy answers every request with its own `Request` (a werkzeug Request), which reads the
input once, the same way for every form, query parameter and module:

- A NUL character (`%00`) in a query parameter or a form field (its name or value, or an
  uploaded file's name) is refused with 400 naming the parameter: no visitor types it and no
  database keeps it (PostgreSQL refuses it in text). The parameters are empty afterwards, so
  the error page itself reads nothing hostile.
- Line endings are normalised to LF: browsers send a textarea's lines with CRLF, but texts
  are stored and split (`"\\n\\n"` between paragraphs) with LF only.
- Whole numbers typed in (ids, page numbers, page sizes, quantities) are read by
  `parse_int()`: ASCII digits only (`str.isdigit()` also takes `²`, which `int()` refuses),
  never longer than the largest number allowed, within a range; None otherwise.

The URL path is checked by `jetpy.kernel.stages.decode_path()`, JSON bodies by jetpy.rest.body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from werkzeug._internal import _wsgi_decoding_dance
from werkzeug.datastructures import EnvironHeaders, Headers, ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wsgi import _get_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment
    from werkzeug.datastructures import MultiDict

MAX_INT = 2**31 - 1  # an SQL INTEGER's largest value (PostgreSQL refuses to compare more)
_WHOLE = re.compile(r"0|[1-9][0-9]*")  # [0-9]: ASCII digits, unlike \d and str.isdigit()
_SHOWN = 40  # characters of a hostile parameter name quoted in a message


def parse_int(text: str | None, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """The whole number `text` writes (ASCII digits, no sign, no leading zero) within
    `minimum`..`maximum`; None when it is anything else."""
    if text is None or len(text) > len(str(maximum)) or not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


class Request(WerkzeugRequest):
    """A werkzeug Request whose `args`, `form` and `files` went through the input layer.

    What werkzeug reads from the environ as the request is made (server address, decoded
    paths, query string, headers, client address) is read here when first asked for: a
    page reads few of them.
    """

    def __init__(
        self, environ: WSGIEnvironment, populate_request: bool = True, shallow: bool = False
    ) -> None:
        # werkzeug's Request.__init__ without what the properties below make on first use
        self.environ = environ
        self.shallow = shallow
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        self.scheme = environ.get("wsgi.url_scheme", "http")
        if populate_request and not shallow:
            environ["werkzeug.request"] = self

    @cached_property
    def server(self) -> tuple[str, int | None] | None:
        return _get_server(self.environ)

    @cached_property
    def root_path(self) -> str:
        return _wsgi_decoding_dance(self.environ.get("SCRIPT_NAME") or "").rstrip("/")

    @cached_property
    def path(self) -> str:
        return "/" + _wsgi_decoding_dance(self.environ.get("PATH_INFO") or "").lstrip("/")

    @cached_property
    def query_string(self) -> bytes:
        query: str = self.environ.get("QUERY_STRING", "")
        return query.encode("latin1")

    @cached_property
    def headers(self) -> Headers:
        return EnvironHeaders(self.environ)

    @cached_property
    def remote_addr(self) -> str | None:
        return self.environ.get("REMOTE_ADDR")

    @cached_property
    def args(self) -> MultiDict[str, str]:
        """The query parameters: NUL refused (400), line endings LF."""
        raw = WerkzeugRequest.args.fget(self)  # type: ignore[attr-defined]
        try:
            return cleaned(raw, "query parameter")
        except BadRequest:
            self.__dict__["args"] = ImmutableMultiDict()
            raise

    def close(self) -> None:
        """Close the uploaded files' temporary files; nothing to do when none were parsed."""
        if "files" in self.__dict__:
            super().close()

    def _load_form_data(self) -> None:
        """Parse the body as werkzeug does, then clean the fields (see the module docstring)."""
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        found = self.__dict__
        try:
            found["form"] = cleaned(found["form"], "form field")
            for name, upload in found["files"].items(multi=True):
                if "\x00" in name or "\x00" in (upload.filename or ""):
                    raise _nul_refused("file field", name)
        except BadRequest:
            for upload in found["files"].values():
                upload.close()
            found["form"], found["files"] = ImmutableMultiDict(), ImmutableMultiDict()
            raise


def cleaned(pairs: MultiDict[str, str], what: str) -> MultiDict[str, str]:
    """`pairs` with LF line endings; BadRequest naming the first parameter holding a NUL."""
    changed = False
    for name, value in pairs.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise _nul_refused(what, name)
        changed = changed or "\r" in value
    if not changed:
        return pairs
    return ImmutableMultiDict([(name, _lf(value)) for name, value in pairs.items(multi=True)])


def _lf(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


class InputRefused(BadRequest):
    """A 400 for bad input whose description the error page can translate.

    `phrase` (with `%(name)s` placeholders) and `values` go through the locale's `_()` once
    the locale is known; `description` is the English text for everything else.
    """

    def __init__(self, phrase: str, **values: Any) -> None:
        super().__init__(phrase % values)
        self.phrase = phrase
        self.values = values


_NUL_PHRASES = {
    "query parameter": "The query parameter `%(name)s` contains a NUL character (%%00), "
    "which no text may hold; send it without.",
    "form field": "The form field `%(name)s` contains a NUL character (%%00), "
    "which no text may hold; send it without.",
    "file field": "The file field `%(name)s` contains a NUL character (%%00), "
    "which no text may hold; send it without.",
}


def _nul_refused(what: str, name: Any) -> InputRefused:
    shown = str(name).replace("\x00", "%00")
    if len(shown) > _SHOWN:
        shown = shown[:_SHOWN] + "…"
    return InputRefused(_NUL_PHRASES[what], name=shown)
