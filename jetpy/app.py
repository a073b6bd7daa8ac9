"""The application: loads a project and answers requests through the stages."""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import escape
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from jetpy.auth.throttle import Throttles
from jetpy.cache import OutputCache
from jetpy.data.db import Database, database_url
from jetpy.data.health import health_response
from jetpy.data.sessionstores import DatabaseSessionStore, RedisSessionStore
from jetpy.definitions.secretkey import key_problems, load_keys
from jetpy.errors import DefinitionError, JetpyError, Problem
from jetpy.kernel import logs, stages
from jetpy.kernel.bases import UrlMap
from jetpy.kernel.context import RequestContext
from jetpy.kernel.errorpages import PageResponse, base_of, error_response
from jetpy.kernel.hosts import check_host
from jetpy.kernel.pages import Content, Page
from jetpy.kernel.proxies import scheme
from jetpy.kernel.request import Request as CleanRequest
from jetpy.kernel.security import NO_BASE
from jetpy.kernel.sessions import SessionManager, SessionStore
from jetpy.kernel.templates import JETPY_PREFIX, JETPY_STATIC, PUBLIC_URL, Templates
from jetpy.media.library import MEDIA_URL, MediaLibrary
from jetpy.modules.events import EventBus
from jetpy.project.check import check_project
from jetpy.project.live import Watcher
from jetpy.project.loader import Project, load_project, write_cache
from jetpy.project.manager import acl_actions
from jetpy.queue import Outbox, make_broker
from jetpy.queue.inline import InlineBroker

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger("jetpy")
_DATABASE_HINT = (
    " in the database (a missing table or column? run `jetpy db upgrade`, or `jetpy db create`"
    " for a project without migrations)"
)


class Application:
    """A WSGI application serving the project in `project_dir` (it holds `application/`)."""

    def __init__(
        self, project_dir: str | Path = ".", *, use_cache: bool = True, debug: bool | None = None
    ) -> None:
        project = load_project(Path(project_dir), use_cache=use_cache)
        self.project = project
        self.root = project.root
        self.config = project.config
        if debug is not None:
            self.config = dataclasses.replace(self.config, debug=debug)
        # app.db.session() in scripts; ctx.db / controller.db is the request's session
        self.db = Database(database_url(self.config, project.app_dir), self.config.database_echo)
        # failed sign-ins, counted in the database or Redis (config `login_throttle`)
        self.throttles = Throttles(self.config, self.db)
        # the keys that sign cookies and links, newest first (jetpy.definitions.secretkey)
        self.secret_keys = load_keys(self.config, project.app_dir).keys
        self.secret_key = self.secret_keys[0] if self.secret_keys else ""
        # ctx.session / controller.session: kept in a store, the cookie holds a signed id
        self.sessions = SessionManager(
            self.secret_keys,
            self.session_store(),
            self.config.session_idle,
            self.config.session_absolute,
        )
        # GET answers whether the database is reachable (jetpy.data.health); None: off
        self.health_path = self.config.health_path or None
        self.public_dir = self.root / "public"
        # app.media: the stored files, their URLs (/media/…) and the templates' media_* helpers
        self.media = MediaLibrary.for_project(self.config, self.root)
        # events for queued listeners: written with the request's work, then relayed (jetpy.queue)
        config = self.config
        self.outbox = Outbox(
            self.db,
            # `inline` (development): no broker, the listeners run here after the commit
            lambda: InlineBroker(self) if config.queue_broker == "inline" else make_broker(config),
        )
        # app.output_cache: cacheable contents' output, purged by tags (jetpy.cache)
        # (the environment's JETPY_CACHE_BACKEND and JETPY_CACHE_PREFIX win: e.g. the suite
        # run with the cache on)
        self.output_cache = OutputCache.from_config(
            os.environ.get("JETPY_CACHE_BACKEND") or config.cache_backend,
            config.cache_url,
            config.cache_ttl,
            project.app_dir / "data",
            os.environ.get("JETPY_CACHE_PREFIX") or config.cache_prefix,
            self.secret_keys,
            config.cache_max_entries,
        )
        self.use_definitions(project, self.templates_of(project))
        problems = [p for p in self.problems(checked=not project.from_cache) if not p.warning]
        if problems:
            raise DefinitionError(problems)
        if not project.from_cache and use_cache and self.config.map_cache:
            write_cache(project)
        # live definitions: a change is served from the next request on (jetpy.project.live)
        self.watcher = Watcher(project.app_dir, scan=self.config.debug)
        self.definition_problems: list[Problem] = []  # of a change that is not served
        self._reading = threading.Lock()

    def templates_of(self, project: Project) -> Templates:
        templates = Templates(
            list(project.bases.values()), project.modules, self.config.debug, self.public_dir
        )
        for environment in templates.environments.values():
            environment.globals.update(self.media.template_globals())
        return templates

    def use_definitions(self, project: Project, templates: Templates) -> None:
        """Serve `project`'s definitions: at start, and whenever they changed and are valid."""
        self.project = project
        self.modules = project.modules
        # module name → {ACL action: label} of the activated modules, for the auth layer
        self.acl_actions = acl_actions(self.modules)
        self.events = EventBus(self, project.listeners, self.outbox)  # app.events.emit(event)
        self.bases = project.bases
        self.trees = project.trees
        self.translations = project.translations  # dictionaries per locale, see jetpy.modules.i18n
        self.menus = project.menus  # menu sets, see jetpy.modules.menus
        self.templates = templates
        self.url_map = UrlMap(list(project.bases.values()))
        # the Content of each parameterless module() a layout embeds, made once
        self.embedded_contents: dict[tuple[str, str, str], Content] = {}
        # (scheme, host, path, query) of pages rendered and not kept by the page cache: no lookup
        self.unkept_pages: set[tuple[str, str, str, str]] = set()

    def read_definitions(self) -> bool:
        """Read the definitions again; serve them if they are valid, else keep the last good.

        The problems of definitions that are not served are logged and kept in
        `definition_problems` (shown on pages in debug mode). config.yaml is read at start
        only: a change to it (database, keys, sessions) needs a restart.
        """
        with self._reading:
            project = load_project(self.root)
            templates = self.templates_of(project)
            found = [*project.problems, *check_project(project, templates)]
            problems = [problem for problem in found if not problem.warning]
            if problems:
                if problems != self.definition_problems:
                    log.error("%s; serving the last good definitions", DefinitionError(problems))
                self.definition_problems = problems
                return False
            self.use_definitions(project, templates)
            self.output_cache.purge(["definitions"])  # templates, pages, module states
            self.definition_problems = []
            if self.config.map_cache and not project.from_cache:
                write_cache(project)
            log.info("definitions changed: read again")
            return True

    def problems(self, checked: bool = True) -> list[Problem]:
        """Problems found while loading, and (with `checked`) by the cross-checks."""
        found = list(self.project.problems)
        found += key_problems(load_keys(self.config, self.project.app_dir), self.config.debug)
        if checked:
            found += check_project(self.project, self.templates)
        return found

    # page lookup ------------------------------------------------------------------
    def page(self, id: str, base: str | None = None, locale: str | None = None) -> Page:
        """The page with `id` in a base and locale (default: the default base and locale)."""
        if base is not None and locale is not None:  # as views and widgets ask, every request
            tree = self.trees.get((base, locale))
            found = tree.by_id.get(id) if tree is not None else None
            if found is not None:
                return found
        if base is None:
            default = self.url_map.default
            if default is None:
                raise JetpyError("the application has no bases")
            base = default.base.id
        base_obj = self.bases.get(base)
        if base_obj is None:
            raise JetpyError(f"there is no base `{base}`; bases: {', '.join(self.bases)}")
        locale = locale or base_obj.default_locale.name
        tree = self.trees.get((base, locale))
        if tree is None:
            raise JetpyError(
                f"base `{base}` has no locale `{locale}`; locales: {', '.join(base_obj.locales)}"
            )
        found = tree.by_id.get(id)
        if found is None:
            close = difflib.get_close_matches(id, list(tree.by_id), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise JetpyError(f"base `{base}`, locale `{locale}` has no page `{id}`{hint}")
        return found

    # WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id, scope = logs.enter_request(environ)  # in every log line (jetpy.kernel.logs)
        # not populated: environ["werkzeug.request"] would be a reference cycle per request
        request = CleanRequest(environ, populate_request=False)
        try:
            response = self.handle(request)
        finally:
            request.close()  # uploaded files' temporary files
            logs.leave_request(scope)  # even when debug mode lets an error through
        if type(response) is PageResponse:
            # rendered by jetpy: final headers, the body in memory; skip get_wsgi_headers()
            headers = response.wsgi_headers()
            headers.append((logs.HEADER, request_id))
            start_response(response.status, headers)
            body: Iterable[bytes] = response.response  # type: ignore[assignment]
            return () if environ.get("REQUEST_METHOD") == "HEAD" else body
        response.headers[logs.HEADER] = request_id
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Answer one request; the events its code emitted are delivered if it succeeded.

        The definitions are read again first when they changed (at most one look a second).

        The request's database session (if it was opened) is committed by `respond()` when
        the response is not an error and closed here in any case, before events are delivered.
        """
        if self.watcher.changed():
            self.read_definitions()
        token = self.events.collect()
        session = self.db.open_request()
        written = self.outbox.collect()
        try:
            response = self.respond(request)
        finally:
            self.db.close_request(session)
            queued = self.events.release(token)
            self.outbox.flush(written)  # what the request committed for queued listeners
        if self.definition_problems and self.config.debug:
            response = problems_banner(response, self.definition_problems)
        if response.status_code in (204, 304):  # no body, so no type (WSGI servers check it)
            response.headers.pop("Content-Type", None)
        self.secure(request, response)
        if queued is not None:
            self.events.after_response(queued, response)
        return response

    def secure(self, request: Request, response: Response) -> None:
        """Every response gets the security headers of the base its URL falls in.

        Here, where all answers pass (pages, errors, redirects, files, what actions return);
        the lists were made when the base loaded (jetpy.kernel.security). The base is the one
        `stages.match_locale()` found, else (a path refused before) the one the URL points into.
        """
        base = request.environ.get(stages.BASE_KEY)
        if base is None or self.bases.get(base.id) is not base:  # not one of ours: look
            base = base_of(self, request)
        security = base.security if base is not None else NO_BASE
        security.apply(response, scheme(request, self.config.behind_proxy) == "https")

    def respond(self, request: Request) -> Response:
        """The request flow (README: "How a request is answered"), stage by stage."""
        ctx: RequestContext | None = None
        try:
            path = request.environ.get("PATH_INFO", "")
            if path == self.health_path:
                return health_response(self.db, request.method)
            if self.config.trusted_hosts:
                check_host(request, self.config.trusted_hosts)
            if path.startswith(PUBLIC_URL):
                return self.public_file(request)
            if path.startswith(MEDIA_URL):
                return self.media.serve(request)
            ctx = stages.match_locale(self, request)
            stages.initialize(ctx)
            cached = stages.cached_page(ctx)  # a whole page of cached contents
            if cached is not None:
                return cached
            stages.match_page(ctx)
            stages.check_page_method(ctx)
            stages.check_access(ctx)
            static = stages.static_output(ctx)
            if static is not None:
                return static
            stages.begin_caching(ctx)  # before resolve() reads what the output will show
            resolved = stages.resolve(ctx)
            stages.check_leftover(ctx)
            stages.check_csrf(ctx, resolved)
            response = stages.dispatch(ctx, resolved)
            if response is None:
                response = stages.render_page(ctx)
            if response.status_code < 400:
                self.db.commit_request()
            return self.keep_session(ctx, response)
        except HTTPException as error:
            if error.response is None:
                return self.keep_session(ctx, error_response(self, ctx, error, request))
            answer: Response = error.response  # type: ignore[assignment]
            try:  # a redirect raised by a controller keeps its work, as one returned does
                if answer.status_code < 400:
                    self.db.commit_request()
            except Exception as exc:
                return self.failed(request, ctx, exc)
            return self.keep_session(ctx, answer)
        except Exception as exc:
            return self.failed(request, ctx, exc)
        finally:
            if ctx is not None:
                ctx.close()

    def failed(self, request: Request, ctx: RequestContext | None, exc: Exception) -> Response:
        """Log an unexpected error and answer the 500 page (debug mode: let it through)."""
        if self.config.debug:
            raise exc
        hint = _DATABASE_HINT if isinstance(exc, DBAPIError) else ""
        log.error("request %s %s failed%s", request.method, request.path, hint, exc_info=exc)
        return error_response(self, ctx, InternalServerError(), request)

    def session_store(self) -> SessionStore:
        """The store of config.yaml's `sessions.store`: the database (default) or Redis.

        To plug in a store of your own, set `app.sessions.store` (see SessionStore).
        """
        if self.config.session_store == "redis":
            return RedisSessionStore(self.config.session_url)
        return DatabaseSessionStore(self.db)

    def keep_session(self, ctx: RequestContext | None, response: Response) -> Response:
        """Save the session (store, cookie) if the request changed it.

        Not on a server error: a request that failed half-way keeps the session it came with.
        After an error answer the request's database work is rolled back first, so that the
        store's own connection never waits for the request's locks (SQLite).
        """
        if ctx is not None and ctx.loaded_session is not None and response.status_code < 500:
            if response.status_code >= 400:
                self.db.rollback_request()
            self.sessions.save(ctx, ctx.loaded_session, response)
        return response

    def public_file(self, request: Request) -> Response:
        """A file from the project's public/ folder (never outside it)."""
        name = stages.decode_path(request)[len(PUBLIC_URL) :]
        path = stages.file_in(self.public_dir, name)
        if path is None and name.startswith(JETPY_PREFIX):  # jetpy's own assets
            path = stages.file_in(JETPY_STATIC, name[len(JETPY_PREFIX) :])
        if path is None:
            raise NotFound()
        stages.check_method(request, stages.FILE_METHODS)
        # a versioned URL from static() changes with the file, so it may be kept for long
        max_age = 31_536_000 if request.args.get("v") else 3600
        return send_file(path, request.environ, max_age=max_age)


def problems_banner(response: Response, problems: list[Problem]) -> Response:
    """In debug mode: an HTML page with the problems of the definitions not served, on top."""
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    body = response.get_data(as_text=True)
    items = "".join(f"<li>{escape(str(problem))}</li>" for problem in problems)
    banner = (
        '<div role="alert" class="jetpy-definition-problems"><p><strong>The changed definitions'
        " have problems; the site serves the last good ones.</strong></p><ol>"
        f"{items}</ol></div>"
    )
    start = body.find("<body")
    at = body.find(">", start) + 1 if start != -1 else 0
    headers = [
        (name, value) for name, value in response.headers.items() if name != "Content-Length"
    ]
    return Response(body[:at] + banner + body[at:], response.status_code, headers)
