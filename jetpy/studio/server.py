"""The studio's WSGI application: page trees, contents, preview, modules and problems.

The studio is a WSGI application of its own, not a base of the site, for three reasons: it
must keep working while the site's definitions are broken (that is when it is needed most);
it writes files, so it runs only where a developer starts it (`jetpy studio`, 127.0.0.1 by
default, off outside debug mode unless enabled); and it may not depend on the site's auth.

- Its own pages live under `/_studio/`. The preview beside the editor is the site itself,
  served in process by `preview_app` on an origin of its own (`jetpy studio` listens on a
  second port for it): the site's pages and scripts can neither read the studio's pages nor
  use its CSRF token, and never get its cookie. The site is read again after every change
  (the generation stamp).
- Every request needs the studio's token: the URL that `jetpy studio` prints carries it once,
  then an HttpOnly, SameSite=Strict cookie does. Only the expected Host is answered (no DNS
  rebinding), every POST carries a CSRF token, and responses forbid framing by other sites.
- Changes go through `jetpy.studio.edits` (validated, all or nothing, YAML kept as written).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect, send_file
from werkzeug.wrappers import Request, Response

from jetpy.app import Application
from jetpy.definitions.generation import bump, read_stamp
from jetpy.definitions.writer import Changes, WriteError, suggest_name
from jetpy.errors import DefinitionError, JetpyError, Problem
from jetpy.kernel.controller import Controller
from jetpy.kernel.pages import Page
from jetpy.kernel.templates import layout_name, static_file
from jetpy.modules.i18n import dictionaries_dir
from jetpy.project.check import LayoutInfo
from jetpy.project.loader import Project, load_project
from jetpy.project.manager import ModuleError, ModuleManager
from jetpy.project.phrases import collect
from jetpy.studio.bases import BaseEditor
from jetpy.studio.edits import PageEditor, PageRef, StudioError
from jetpy.studio.menus import MenuEditor
from jetpy.studio.validate import definition_problems
from jetpy.studio.wizards import KINDS, CrudSpec, FieldSpec, basic_module, crud_module

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger("jetpy.studio")
PREFIX = "/_studio"
COOKIE = "jetpy_studio"
HERE = Path(__file__).parent
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'self'; form-action 'self'; base-uri 'self'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
Outcome = tuple[str, str | None]  # what happened, and the page to show next (None: the same)
Edit = Callable[[PageEditor], Outcome]
_PAGE_TEXTS = ("title", "menu_title", "breadcrumb_title", "id", "layout")


@dataclass
class Site:
    """The site as it is now: its project and an Application serving it (for the preview)."""

    project: Project
    app: Application | None  # None while the definitions have problems
    problems: list[Problem]

    def checked_problems(self) -> list[Problem]:
        """What `jetpy check` reports now: the loading problems, else the cross-checks."""
        return self.problems if self.app is None else self.app.problems()


class Studio:
    """The studio for the project in `root`; `token` is what the printed URL carries."""

    def __init__(
        self, root: Path, token: str, hosts: Iterable[str] = (), preview_origin: str = ""
    ) -> None:
        self.root = root.resolve()
        # where preview_app is served (http://127.0.0.1:8101): frames of the editor show it
        self.preview_origin = preview_origin.rstrip("/")
        self.app_dir = self.root / "application"
        self.token = token
        self.hosts = {host.lower() for host in hosts}
        self.csrf = hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest()
        self.templates = Environment(
            loader=FileSystemLoader(str(HERE / "templates")),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals.update(
            studio=PREFIX, csrf=self.csrf, quote=quote, preview_origin=self.preview_origin
        )
        self.headers = dict(_HEADERS)
        if self.preview_origin:  # the preview's frame comes from its own origin
            self.headers["Content-Security-Policy"] += f"; frame-src {self.preview_origin}"
        self.urls = Map(
            [
                Rule("/", endpoint="home"),
                Rule("/static/<name>", endpoint="static"),
                Rule("/pages/<base>/<locale>/", endpoint="pages"),
                Rule("/pages/<base>/<locale>/create", endpoint="create", methods=["POST"]),
                Rule("/pages/<base>/<locale>/update", endpoint="update", methods=["POST"]),
                Rule("/pages/<base>/<locale>/contents", endpoint="contents", methods=["POST"]),
                Rule("/pages/<base>/<locale>/move", endpoint="move", methods=["POST"]),
                Rule("/pages/<base>/<locale>/rename", endpoint="rename", methods=["POST"]),
                Rule("/pages/<base>/<locale>/copy", endpoint="copy", methods=["POST"]),
                Rule("/pages/<base>/<locale>/delete", endpoint="delete", methods=["GET", "POST"]),
                Rule("/bases/", endpoint="bases"),
                Rule("/bases/create", endpoint="base_create", methods=["POST"]),
                Rule("/bases/<base>/", endpoint="base"),
                Rule("/bases/<base>/update", endpoint="base_update", methods=["POST"]),
                Rule("/bases/<base>/locale", endpoint="base_locale", methods=["POST"]),
                Rule("/menus/", endpoint="menus"),
                Rule("/menus/create", endpoint="menu_set_create", methods=["POST"]),
                Rule("/menus/<menu_set>/", endpoint="menu_set"),
                Rule("/menus/<menu_set>/change", endpoint="menu_change", methods=["POST"]),
                Rule("/modules/", endpoint="modules"),
                Rule("/modules/change", endpoint="module_change", methods=["POST"]),
                Rule("/modules/new", endpoint="module_new", methods=["POST"]),
                Rule("/modules/crud", endpoint="crud", methods=["GET", "POST"]),
                Rule("/problems/", endpoint="problems"),
                Rule("/dictionaries/", endpoint="dictionaries"),
                Rule("/dictionaries/save", endpoint="dictionary_save", methods=["POST"]),
            ]
        )
        self._site: Site | None = None
        self._stamp: Any = object()
        self._lock = threading.Lock()  # the development server answers in threads

    # the site ------------------------------------------------------------------------
    @property
    def site(self) -> Site:
        """The site, read again when its generation stamp changed."""
        with self._lock:
            stamp = read_stamp(self.app_dir)
            if self._site is None or stamp != self._stamp:
                self._stamp = stamp
                self._site = self._read_site()
            return self._site

    def _read_site(self) -> Site:
        try:
            app = Application(self.root, use_cache=False, debug=True)
            return Site(app.project, app, [p for p in app.problems() if p.warning])
        except DefinitionError as error:
            return Site(load_project(self.root, use_cache=False), None, error.problems)

    def editor(self) -> PageEditor:
        return PageEditor(self.site.project, definition_problems)

    # WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self.respond(request)
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        if self.hosts and request.host.lower() not in self.hosts:
            return self._plain(400, "This studio answers only on " + ", ".join(sorted(self.hosts)))
        given = request.args.get("token")
        if given is not None and hmac.compare_digest(given.encode(), self.token.encode()):
            # the same address without the token, so it is not kept in the history
            kept = [(key, value) for key, value in request.args.items(multi=True) if key != "token"]
            target = request.path if request.path.startswith(PREFIX) else f"{PREFIX}/"
            answer = redirect(target + ("?" + urlencode(kept) if kept else ""))
            answer.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
            return self._secure(answer)
        cookie = request.cookies.get(COOKIE, "")
        if not hmac.compare_digest(cookie.encode(), self.token.encode()):
            return self._plain(
                401, "Open the studio with the URL that `jetpy studio` printed (it has the token)."
            )
        if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
            if self.preview_origin:  # the site is served on the preview's origin
                return redirect(self.preview_origin + request.full_path.rstrip("?"))
            return self._plain(404, "The studio's pages are under /_studio/.")
        adapter = self.urls.bind(request.host, url_scheme=request.scheme)
        try:
            endpoint, values = adapter.match(request.path[len(PREFIX) :] or "/", request.method)
            if request.method == "POST":
                self._check_csrf(request)
            response: Response = getattr(self, f"on_{endpoint}")(request, **values)
        except HTTPException as error:
            response = self._plain(error.code or 500, error.description or error.name)
        except Exception:
            log.exception("studio: %s %s failed", request.method, request.path)
            response = self._plain(500, "The studio failed; the terminal shows the traceback.")
        return self._secure(response)

    def preview_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """The site as a visitor gets it, for the preview's own origin (a second port)."""
        return self.preview(Request(environ))(environ, start_response)

    def preview(self, request: Request) -> Response:
        site = self.site
        if site.app is None:
            response = self.render("broken.html", problems=site.problems, status=503)
            return self._secure(response)
        # the site's code never sees the studio's token (cookies are per host, not per port)
        environ = dict(request.environ)
        kept = [
            part
            for part in environ.get("HTTP_COOKIE", "").split(";")
            if part.split("=", 1)[0].strip() != COOKIE
        ]
        environ["HTTP_COOKIE"] = ";".join(kept)
        response = site.app.handle(Request(environ))
        # the editor shows the page in a frame: allow the studio's origin to frame it, no other
        response.headers.pop("X-Frame-Options", None)
        studio = " ".join(f"http://{host}" for host in sorted(self.hosts)) or "'none'"
        policy = response.headers.get("Content-Security-Policy", "")
        kept = [part for part in policy.split(";") if part.split()[:1] != ["frame-ancestors"]]
        response.headers["Content-Security-Policy"] = "; ".join(
            [*(part.strip() for part in kept if part.strip()), f"frame-ancestors {studio}"]
        )
        return response

    def _check_csrf(self, request: Request) -> None:
        sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token", "")
        if not hmac.compare_digest(sent.encode(), self.csrf.encode()):
            raise Forbidden("The form is stale or came from another site; reload and try again.")

    def _secure(self, response: Response) -> Response:
        for name, value in self.headers.items():
            response.headers.setdefault(name, value)
        return response

    def _plain(self, status: int, message: str) -> Response:
        body = self.templates.get_template("message.html").render(status=status, message=message)
        return self._secure(Response(body, status, content_type="text/html; charset=utf-8"))

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        body = self.templates.get_template(template).render(site=self.site, **context)
        return Response(body, status, content_type="text/html; charset=utf-8")

    # pages ------------------------------------------------------------------------------
    def on_static(self, request: Request, name: str) -> Response:
        files = {
            "studio.css": HERE / "static" / "studio.css",
            "studio.js": HERE / "static" / "studio.js",
            # jetpy's admin stylesheet; a project's own copy while jetpy ships none
            "admin.css": static_file(self.root / "public", "jetpy/admin.css"),
        }
        path = files.get(name)
        if path is None or not path.is_file():
            raise NotFound()
        return send_file(path, request.environ, max_age=0)

    def on_home(self, request: Request) -> Response:
        """The overview: each base with its locales' page trees, and the studio's tools with
        what they hold (bases, menu sets, modules, problems)."""
        site = self.site
        project = site.project
        bases = [
            (
                base,
                [
                    (locale, len(project.trees.get((base.id, name), ())))
                    for name, locale in base.locales.items()
                ],
            )
            for base in project.bases.values()
        ]
        problems = site.checked_problems()
        return self.render(
            "home.html",
            bases=bases,
            menu_sets=len(MenuEditor(project, definition_problems).sets()),
            locales=len(_locale_names(project)),
            modules=len(project.modules),
            active_modules=sum(1 for module in project.modules.values() if module.active),
            errors=sum(1 for problem in problems if not problem.warning),
            warnings=sum(1 for problem in problems if problem.warning),
        )

    def on_pages(self, request: Request, base: str, locale: str) -> Response:
        site = self.site
        tree = site.project.trees.get((base, locale))
        if tree is None:
            raise NotFound(f"There is no page tree for base {base} and locale {locale}.")
        path = request.args.get("page", "")
        page = tree.by_path.get(path)
        if page is None:
            raise NotFound(f"There is no page at {path!r}; it may have been moved or deleted.")
        editor = self.editor()
        layout = self._layout(page)
        return self.render(
            "pages.html",
            base=site.project.bases[base],
            locale=locale,
            tree=tree,
            page=page,
            nodes=_tree_nodes(editor, PageRef(base, locale)),
            layout=layout,
            layouts=_layouts(site.project.bases[base].layouts_dir),
            contents=_contents_by_position(page, layout),
            offers=_module_offers(site.project),
            message=request.args.get("message", ""),
            error=request.args.get("error", ""),
            preview=self.preview_origin + page.url() if site.app and self.preview_origin else None,
            locales=[name for name in site.project.bases[base].locales if name != locale],
            suggest=suggest_name,
        )

    def _layout(self, page: Page) -> dict[str, Any]:
        app = self.site.app
        name = page.layout
        if app is None or name == "none":
            return {"name": name, "positions": ["main"], "embeds": []}
        info = LayoutInfo(app.templates.environment(page.base), layout_name(name))
        positions = sorted(info.positions, key=lambda p: (p != "main", p))
        return {"name": name, "positions": positions or ["main"], "embeds": info.embeds}

    def _edit(self, request: Request, base: str, locale: str, action: Edit) -> Response:
        """Run one edit; back to the page editor with what happened (POST, redirect, GET)."""
        path = request.form.get("page", "")
        try:
            message, shown = action(self.editor())
            path = path if shown is None else shown
            query = f"page={quote(path)}&message={quote(message)}"
        except (WriteError, JetpyError) as error:
            query = f"page={quote(path)}&error={quote(str(error))}"
        return redirect(f"{PREFIX}/pages/{base}/{locale}/?{query}", 303)

    def on_create(self, request: Request, base: str, locale: str) -> Response:
        form = request.form
        title = form.get("title", "").strip()
        fragment = form.get("fragment", "").strip() or suggest_name(title)
        parent = PageRef(base, locale, form.get("page", ""))

        def create(editor: PageEditor) -> Outcome:
            if not title:
                raise StudioError("a new page needs a title")
            ref = editor.create(parent, fragment, {"title": title})
            return f"Page “{title}” created at /{ref.path}/.", ref.path

        return self._edit(request, base, locale, create)

    def on_update(self, request: Request, base: str, locale: str) -> Response:
        form = request.form
        ref = PageRef(base, locale, form.get("page", ""))

        def update(editor: PageEditor) -> Outcome:
            values: dict[str, Any] = {key: form.get(key, "").strip() or None for key in _PAGE_TEXTS}
            values["order"] = _int(form.get("order", "0"), "order")
            values["active"] = "active" in form
            for flag in ("secret", "ssl_required"):
                choice = form.get(flag, "")
                values[flag] = {"yes": True, "no": False}.get(choice)
            values["meta_tags"] = _yaml_value(form.get("meta_tags", ""), "meta tags", list)
            values["http_headers"] = _yaml_value(form.get("http_headers", ""), "HTTP headers", dict)
            values["parameters"] = _yaml_value(form.get("parameters", ""), "parameters", dict)
            values["output"] = form.get("output", "").strip() or None
            editor.update(ref, values)
            return "Saved.", None

        return self._edit(request, base, locale, update)

    def on_contents(self, request: Request, base: str, locale: str) -> Response:
        """The whole list of contents, as JSON (drag and drop) or as the add/remove forms."""
        form = request.form
        ref = PageRef(base, locale, form.get("page", ""))

        def contents(editor: PageEditor) -> Outcome:
            items = json.loads(form.get("contents", "[]"))
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise StudioError("contents must be a list of objects")
            if form.get("add_module") or form.get("add_output"):
                items.append(_new_content(form))
            editor.set_contents(ref, items)
            return "Contents saved.", None

        try:
            return self._edit(request, base, locale, contents)
        except json.JSONDecodeError as error:
            raise BadRequest(f"contents is not JSON: {error}") from error

    def on_move(self, request: Request, base: str, locale: str) -> Response:
        form = request.form
        ref = PageRef(base, locale, form.get("page", ""))
        parent = PageRef(base, locale, form.get("parent", ""))

        def move(editor: PageEditor) -> Outcome:
            target = editor.move(ref, parent, _int(form.get("index", "0"), "index"))
            return f"Moved to /{target.path}/.", target.path

        return self._edit(request, base, locale, move)

    def on_rename(self, request: Request, base: str, locale: str) -> Response:
        form = request.form
        ref = PageRef(base, locale, form.get("page", ""))

        def rename(editor: PageEditor) -> Outcome:
            target = editor.rename(ref, form.get("fragment", "").strip())
            return f"Renamed: the page is now /{target.path}/.", target.path

        return self._edit(request, base, locale, rename)

    def on_copy(self, request: Request, base: str, locale: str) -> Response:
        form = request.form
        ref = PageRef(base, locale, form.get("page", ""))
        to_locale = form.get("locale", "")

        def copy(editor: PageEditor) -> Outcome:
            parent = form.get("parent", "")
            target = editor.copy(ref, to_locale, parent, form.get("fragment") or None)
            return f"Copied to {to_locale} at /{target.path}/.", None

        return self._edit(request, base, locale, copy)

    def on_delete(self, request: Request, base: str, locale: str) -> Response:
        if request.method == "GET":
            ref = PageRef(base, locale, request.args.get("page", ""))
            try:
                going = self.editor().subtree(ref)
            except StudioError as error:
                raise NotFound(str(error)) from error
            return self.render("delete.html", base=base, locale=locale, ref=ref, going=going)
        ref = PageRef(base, locale, request.form.get("page", ""))

        def delete(editor: PageEditor) -> Outcome:
            gone = editor.delete(ref)
            listed = ", ".join(f"/{path}/" for path in gone)
            plural = "s" if len(gone) != 1 else ""
            return (
                f"Deleted {len(gone)} page{plural}: {listed}",
                ref.parent.path if ref.parent else "",
            )

        return self._edit(request, base, locale, delete)

    # bases ------------------------------------------------------------------------------
    def on_bases(self, request: Request) -> Response:
        return self.render(
            "bases.html",
            message=request.args.get("message", ""),
            error=request.args.get("error", ""),
        )

    def on_base(self, request: Request, base: str) -> Response:
        found = self.site.project.bases.get(base)
        if found is None:
            raise NotFound(f"There is no base {base!r}.")
        return self.render(
            "base_edit.html",
            base=found,
            base_id=base,
            layouts=_layouts(found.layouts_dir),
            message=request.args.get("message", ""),
            error=request.args.get("error", ""),
        )

    def _base_edit(self, target: str, action: Callable[[BaseEditor], str]) -> Response:
        try:
            query = "message=" + quote(action(BaseEditor(self.site.project, definition_problems)))
        except (WriteError, JetpyError) as error:
            query = "error=" + quote(str(error))
        return redirect(f"{PREFIX}{target}?{query}", 303)

    def on_base_create(self, request: Request) -> Response:
        form = request.form
        base_id = form.get("id", "").strip()

        def create(editor: BaseEditor) -> str:
            editor.create(
                base_id,
                form.get("name", "").strip(),
                form.get("locale", "").strip(),
                form.get("url", "").strip(),
                form.get("title", "").strip(),
            )
            return f"Base “{base_id}” created with its layout, homepage and error pages."

        return self._base_edit(f"/bases/{quote(base_id)}/" if base_id else "/bases/", create)

    def on_base_update(self, request: Request, base: str) -> Response:
        form = request.form

        def update(editor: BaseEditor) -> str:
            values: dict[str, Any] = {
                key: form.get(key, "").strip() or None
                for key in ("name", "initializer", "auth", "layout")
            }
            for flag in ("default", "active", "secret", "ssl_required"):
                values[flag] = flag in form
            values["unused_path"] = form.get("unused_path") or None
            values["errors"] = form.get("errors") or None
            files = [name.strip() for name in form.get("direct_files", "").split(",")]
            values["direct_files"] = [name for name in files if name] or None
            editor.update(base, values)
            return "Saved."

        return self._base_edit(f"/bases/{quote(base)}/", update)

    def on_base_locale(self, request: Request, base: str) -> Response:
        form = request.form

        def set_locale(editor: BaseEditor) -> str:
            locale = form.get("locale", "").strip()
            urls = [line.strip() for line in form.get("urls", "").splitlines() if line.strip()]
            values = {"title": form.get("title", "").strip() or None, "active": "active" in form}
            editor.set_locale(base, locale, urls, values)
            return f"Locale {locale} saved."

        return self._base_edit(f"/bases/{quote(base)}/", set_locale)

    # menus ------------------------------------------------------------------------------
    def _menu_editor(self) -> MenuEditor:
        return MenuEditor(self.site.project, definition_problems)

    def _locales(self) -> list[str]:
        return _locale_names(self.site.project)

    def on_menus(self, request: Request) -> Response:
        editor = self._menu_editor()
        return self.render(
            "menus.html",
            sets=[(name, _menu_counts(editor, name)) for name in editor.sets()],
            locales=self._locales(),
            message=request.args.get("message", ""),
            error=request.args.get("error", ""),
        )

    def on_menu_set_create(self, request: Request) -> Response:
        form = request.form
        name = form.get("menu_set", "").strip()
        labels = {locale: form.get(f"label_{locale}", "") for locale in self._locales()}
        try:
            self._menu_editor().create_set(name, form.get("menu", "").strip(), labels)
            return redirect(
                f"{PREFIX}/menus/{quote(name)}/?message=" + quote("Menu set created."), 303
            )
        except (WriteError, JetpyError) as error:
            return redirect(f"{PREFIX}/menus/?error={quote(str(error))}", 303)

    def on_menu_set(self, request: Request, menu_set: str) -> Response:
        editor = self._menu_editor()
        if menu_set not in editor.sets():
            raise NotFound(f"There is no menu set {menu_set!r}.")
        pages: dict[str, str] = {}
        for (_base, _locale), tree in self.site.project.trees.items():
            for page_id, page in tree.by_id.items():
                pages.setdefault(page_id, page.title or page_id)
        return self.render(
            "menu_set.html",
            menu_set=menu_set,
            menus=editor.read(menu_set),
            locales=self._locales(),
            pages=sorted(pages.items(), key=lambda item: item[1].lower()),
            message=request.args.get("message", ""),
            error=request.args.get("error", ""),
        )

    def on_menu_change(self, request: Request, menu_set: str) -> Response:
        form = request.form
        action = form.get("action", "")
        path = form.get("path", "")
        editor = self._menu_editor()
        try:
            if action in ("save", "add"):
                values: dict[str, Any] = {
                    "label": {lc: form.get(f"label_{lc}", "") for lc in self._locales()},
                    "page": form.get("page") or None,
                    "url": form.get("url", "").strip() or None,
                    "icon": form.get("icon", "").strip() or None,
                    "order": _int(form.get("order", "0"), "order"),
                    "separator": "separator" in form,
                }
                editor.save_item(menu_set, path, values, new=action == "add")
                message = "Menu item saved."
            elif action == "delete":
                editor.delete_item(menu_set, path)
                message = "Menu item deleted."
            elif action in ("up", "down"):
                editor.move_item(menu_set, path, -1 if action == "up" else 1)
                message = "Menu item moved."
            elif action == "menu":
                labels = {lc: form.get(f"label_{lc}", "") for lc in self._locales()}
                editor.add_menu(menu_set, form.get("menu", "").strip(), labels)
                message = "Menu added."
            else:
                raise BadRequest("action must be save, add, delete, up, down or menu")
            query = "message=" + quote(message)
        except (WriteError, JetpyError) as error:
            query = "error=" + quote(str(error))
        return redirect(f"{PREFIX}/menus/{quote(menu_set)}/?{query}", 303)

    # modules and problems ---------------------------------------------------------------
    def on_modules(self, request: Request) -> Response:
        manager = ModuleManager(self.root)
        modules = [
            (module, manager.state(name), sorted(module.controllers))
            for name, module in sorted(manager.modules.items())
        ]
        return self.render(
            "modules.html",
            modules=modules,
            message=request.args.get("message", ""),
            error=request.args.get("error", ""),
        )

    def on_module_change(self, request: Request) -> Response:
        name = request.form.get("module", "")
        action = request.form.get("action", "")
        if action not in ("install", "activate", "deactivate", "uninstall"):
            raise BadRequest("action must be install, activate, deactivate or uninstall")
        try:
            change = getattr(ModuleManager(self.root), action)(name)
            query = f"message={quote(change.message)}"
        except ModuleError as error:
            query = f"error={quote(str(error))}"
        return redirect(f"{PREFIX}/modules/?{query}", 303)

    def on_module_new(self, request: Request) -> Response:
        """The basic wizard: what `jetpy new module NAME` writes."""
        name = request.form.get("name", "").strip()
        try:
            query = "message=" + quote(basic_module(self.root, name))
            bump(self.app_dir)
        except JetpyError as error:
            query = "error=" + quote(str(error))
        return redirect(f"{PREFIX}/modules/?{query}", 303)

    def on_crud(self, request: Request) -> Response:
        """The CRUD wizard: a model and its fields become a working admin module."""
        project = self.site.project
        base = project.bases.get("admin") or next(iter(project.bases.values()))
        locales = list(base.locales)
        form = request.form
        error = ""
        if request.method == "POST":
            try:
                spec = _crud_spec(form, base.id, locales)
                message = crud_module(load_project(self.root, use_cache=False), spec)
                return redirect(f"{PREFIX}/modules/?message={quote(message)}", 303)
            except (WriteError, JetpyError) as failure:
                error = str(failure)
        rows = max(3, len(form.getlist("field_name")))
        return self.render(
            "crud.html",
            base=base,
            locales=locales,
            form=form,
            rows=rows,
            error=error,
            kinds=list(KINDS),
        )

    def on_dictionaries(self, request: Request) -> Response:
        """Phrases that views and code use and a locale's dictionary lacks, to translate."""
        project = self.site.project
        try:
            reports, problems = collect(project, None, ())  # locales with a dictionary
        except JetpyError as error:
            raise BadRequest(str(error)) from error
        return self.render(
            "dictionaries.html",
            reports=[report for report in reports if report.missing_count],
            problems=problems,
            message=request.args.get("message", ""),
            error=request.args.get("error", ""),
        )

    def on_dictionary_save(self, request: Request) -> Response:
        form = request.form
        module = form.get("module", "")
        locale = form.get("locale", "")
        project = self.site.project
        try:
            if locale not in self._locales():
                raise StudioError(f"no base has the locale `{locale}`")
            if module and module not in project.modules:
                raise StudioError(f"there is no module `{module}`")
            folder = dictionaries_dir(project.modules[module].dir if module else project.app_dir)
            phrases = form.getlist("phrase")
            translations = form.getlist("translation")
            changes = Changes(self.app_dir)
            file = folder / f"{locale}.yaml"
            data = changes.read(file)
            added = 0
            for phrase, text in zip(phrases, translations, strict=False):
                if phrase and text.strip():
                    data[phrase] = text.strip()
                    added += 1
            if added:
                changes.write_yaml(file, data)
                changes.commit(definition_problems)
            query = "message=" + quote(f"{added} phrase{'s' if added != 1 else ''} translated.")
        except (WriteError, JetpyError) as error:
            query = "error=" + quote(str(error))
        return redirect(f"{PREFIX}/dictionaries/?{query}", 303)

    def on_problems(self, request: Request) -> Response:
        site = self.site
        return self.render("problems.html", problems=site.checked_problems())


# helpers ----------------------------------------------------------------------------------
def _locale_names(project: Project) -> list[str]:
    """Every locale of the project's bases, each once, in the order the bases list them."""
    return list(dict.fromkeys(name for base in project.bases.values() for name in base.locales))


def _menu_counts(editor: MenuEditor, menu_set: str) -> tuple[int, int] | str:
    """How many root menus a menu set's file has, and items in them (nested ones included,
    separators not); what is wrong when it has none to count."""
    try:
        menus = editor.read(menu_set)
    except (JetpyError, OSError, ValueError):  # not YAML, not UTF-8, not readable
        return "Its file cannot be read: open it to see why."
    if not isinstance(menus, Mapping):
        return "Its file holds no menus by id: open it to see how to write one."

    def items(entries: Any) -> int:
        if not isinstance(entries, list):
            return 0
        return sum(
            (0 if entry.get("separator") else 1) + items(entry.get("items"))
            for entry in entries
            if isinstance(entry, Mapping)
        )

    return len(menus), sum(
        items(menu.get("items")) for menu in menus.values() if isinstance(menu, Mapping)
    )


@dataclass
class Node:
    page: Page
    children: list[Node]


def _tree_nodes(editor: PageEditor, ref: PageRef) -> Node:
    children = [
        _tree_nodes(editor, PageRef(ref.base, ref.locale, child.relative_path))
        for child in editor.children(ref)
    ]
    return Node(editor.page(ref), children)


def _layouts(folder: Path) -> list[str]:
    return sorted(path.stem for path in folder.glob("*.html")) if folder.is_dir() else []


def _contents_by_position(page: Page, layout: dict[str, Any]) -> dict[str, list[Any]]:
    positions: dict[str, list[Any]] = {name: [] for name in layout["positions"]}
    for content in page.contents:
        positions.setdefault(content.position, []).append(content)
    for items in positions.values():
        items.sort(key=lambda content: (content.order, content.index))
    return positions


def _module_offers(project: Project) -> dict[str, dict[str, list[str]]]:
    """module → controller → its actions (methods named `<action>_action`).

    A controller with a micro-router of its own is offered first as `default`: its router
    picks the action from the URL (the list or the detail), which is what a page mounts.
    """
    offers: dict[str, dict[str, list[str]]] = {}
    for name, module in sorted(project.modules.items()):
        if module.state != "activated":
            continue
        controllers: dict[str, list[str]] = {}
        for controller, cls in sorted(module.controllers.items()):
            actions = sorted(
                attribute.removesuffix("_action")
                for attribute in dir(cls)
                if attribute.endswith("_action") and callable(getattr(cls, attribute))
            )
            if cls.get_router is not Controller.get_router and "default" not in actions:
                actions.insert(0, "default")
            if actions:
                controllers[controller] = actions
        if controllers:
            offers[name] = controllers
    return offers


def _new_content(form: Any) -> dict[str, Any]:
    parameters = _yaml_value(form.get("add_parameters", ""), "parameters", dict)
    item: dict[str, Any] = {"position": form.get("add_position") or "main"}
    if form.get("add_output"):
        item["output"] = form["add_output"]
    else:
        module, _, rest = form["add_module"].partition(":")
        controller, _, action = rest.partition(":")
        item.update(module=module, controller=controller or "Main", action=action or "default")
    if parameters:
        item["parameters"] = parameters
    return item


def _crud_spec(form: Any, base: str, locales: list[str]) -> CrudSpec:
    """The CRUD wizard's form as a spec (rows without a name are left out)."""
    fields = []
    names = form.getlist("field_name")
    for index, name in enumerate(names):
        if not name.strip():
            continue
        row = str(index)
        labels = {locale: form.get(f"field_label_{locale}_{row}", "").strip() for locale in locales}
        fields.append(
            FieldSpec(
                name.strip(),
                form.get(f"field_kind_{row}", "text"),
                {locale: label for locale, label in labels.items() if label},
                required=f"field_required_{row}" in form,
                size=_int(form.get(f"field_size_{row}", "") or "200", "length"),
                in_grid=f"field_grid_{row}" in form,
            )
        )
    return CrudSpec(
        module=form.get("module", "").strip(),
        model=form.get("model", "").strip(),
        table=form.get("table", "").strip(),
        fragment=form.get("fragment", "").strip(),
        titles={locale: form.get(f"title_{locale}", "").strip() for locale in locales},
        singular={locale: form.get(f"singular_{locale}", "").strip() for locale in locales},
        fields=fields,
        base=base,
    )


def _int(text: str, what: str) -> int:
    text = text.strip() or "0"
    if not (text.isascii() and text.lstrip("-").isdigit()) or len(text) > 9:
        raise StudioError(f"{what} must be a whole number, not {text[:20]!r}")
    return int(text)


def _yaml_value(text: str, what: str, kind: type) -> Any:
    """A YAML value typed in a text area (`{count: 3}`); empty is None (the default)."""
    if not text.strip():
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise StudioError(f"the {what} are not valid YAML{where}") from error
    if not isinstance(value, kind):
        shape = "a mapping like `name: value`" if kind is dict else "a list like `- item`"
        raise StudioError(f"the {what} must be {shape}")
    return value


def new_token() -> str:
    """A one-time token for the studio URL (printed by `jetpy studio`)."""
    return secrets.token_urlsafe(24)
