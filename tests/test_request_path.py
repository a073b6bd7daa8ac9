"""What the request path's shortcuts (issue 13) must leave as it was."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import escape
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request as WerkzeugRequest

from jetpy import Application
from jetpy.kernel.head import _replaced
from jetpy.kernel.request import Request


def test_the_request_reads_what_werkzeug_reads() -> None:
    environ = EnvironBuilder(
        path="/a%20b/%C3%A9/",
        base_url="https://example.org:8443/mount/",
        query_string="x=1&y=%00",
        headers=[("X-Thing", "yes")],
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    ).get_environ()
    ours, theirs = Request(environ.copy()), WerkzeugRequest(environ.copy())
    for name in ("method", "scheme", "server", "root_path", "path", "query_string", "host"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.remote_addr == theirs.remote_addr == "192.0.2.7"
    assert ours.headers["X-Thing"] == "yes"
    assert ours.url == theirs.url
    populated = {**environ}
    assert Request(populated).environ["werkzeug.request"] is not None
    assert "werkzeug.request" not in Request(environ.copy(), populate_request=False).environ


def test_a_global_changed_after_the_first_page_is_seen(project: Path) -> None:
    app = Application(project)
    client = Client(app)
    environment = app.templates.environments["web"]
    view = app.root / "application/modules/test/hello/views/hello.html"
    view.write_text("<p>Hello {{ name }}! {{ greeting }}</p>")
    environment.globals["greeting"] = "first"
    assert "first" in client.get("/").get_data(as_text=True)
    environment.globals["greeting"] = "second"
    page = client.get("/").get_data(as_text=True)
    assert "second" in page and "first" not in page


@given(st.text())
@example("<script>alert('x') & \"y\"</script>")
def test_the_heads_fallback_escaping_is_markupsafes(text: str) -> None:
    """The replacements Head uses if markupsafe stops offering its str-to-str escaping."""
    assert _replaced(text) == str(escape(text))
