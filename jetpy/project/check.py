"""Cross-checks of definitions: layouts, positions, modules, controllers, actions, views, menus."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from jinja2 import Environment, TemplateNotFound, meta, nodes
from jinja2.exceptions import TemplateSyntaxError

from jetpy.errors import Problem, relative
from jetpy.kernel.controller import Controller
from jetpy.kernel.pages import Content, Page
from jetpy.kernel.templates import NO_LAYOUT, Templates, layout_name
from jetpy.modules.discovery import Module
from jetpy.modules.menus import menu_problems
from jetpy.project.loader import Project

_RENDER_CALL = re.compile(r"""\brender(?:_view)?\(\s*["']([^"']+)["']""")


class LayoutInfo:
    """What a layout offers: its positions, and the modules it embeds."""

    def __init__(self, environment: Environment, name: str) -> None:
        self.positions: set[str] = set()
        self.embeds: list[tuple[str, str, str]] = []
        self.menus: list[tuple[str, str | None]] = []  # menu(set, menu_id) calls
        self.error = ""
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            try:
                source, _, _ = environment.loader.get_source(  # type: ignore[union-attr]
                    environment, current
                )
                tree = environment.parse(source)
            except TemplateNotFound:
                if current == name:
                    self.error = "missing"
                    return
                continue
            except TemplateSyntaxError as exc:
                self.error = f"template syntax error at line {exc.lineno}: {exc.message}"
                return
            self._read(tree)
            pending.extend(ref for ref in meta.find_referenced_templates(tree) if ref)

    def _read(self, tree: nodes.Template) -> None:
        for call in tree.find_all(nodes.Call):
            if not isinstance(call.node, nodes.Name) or not call.args:
                continue
            first = call.args[0]
            if not isinstance(first, nodes.Const):
                continue
            if call.node.name == "position":
                self.positions.add(str(first.value))
            elif call.node.name == "module":
                options = {
                    kw.key: kw.value.value
                    for kw in call.kwargs
                    if isinstance(kw.value, nodes.Const)
                }
                self.embeds.append(
                    (
                        str(first.value),
                        str(options.get("controller", "Main")),
                        str(options.get("action", "default")),
                    )
                )
            elif call.node.name == "menu":
                second = call.args[1] if len(call.args) > 1 else None
                second = second or next(
                    (kw.value for kw in call.kwargs if kw.key == "menu_id"), None
                )
                menu_id = second.value if isinstance(second, nodes.Const) else None
                self.menus.append((str(first.value), None if menu_id is None else str(menu_id)))


def check_project(project: Project, templates: Templates) -> list[Problem]:
    """Every cross-reference problem of the project (definitions were checked on load)."""
    problems: list[Problem] = []
    root = project.root
    layouts: dict[tuple[str, str], LayoutInfo] = {}
    for module in project.modules.values():
        problems.extend(_view_problems(module, root))
    problems.extend(menu_problems(project.menus, project.trees))
    problems.extend(_auth_problems(project))
    for (base_id, _), tree in project.trees.items():
        base = project.bases[base_id]
        environment = templates.environments[base_id]
        for page in tree:
            definition = page.definition
            if definition.output is not None or definition.output_file is not None:
                continue
            key = (base_id, page.layout)
            info = layouts.get(key)
            if page.layout == NO_LAYOUT:
                info = None  # its modules answer with responses: there are no positions
            elif info is None:
                info = layouts[key] = LayoutInfo(environment, layout_name(page.layout))
                problems.extend(
                    _layout_problems(
                        info, base.id, page.layout, relative(base.layouts_dir, root), project
                    )
                )
            shown = relative(page.file, root)
            for content in definition.contents:
                problems.extend(_content_problems(content, page, info, shown, project))
    return problems


def _auth_problems(project: Project) -> list[Problem]:
    """A base's auth provider from a module that is not active (its tables may be missing)."""
    found: list[Problem] = []
    for base in project.bases.values():
        if not base.auth_factory:
            continue
        source = base.auth_factory.partition(":")[0]
        for module in project.modules.values():
            inside = source == module.package or source.startswith(module.package + ".")
            if inside and not module.active:
                found.append(
                    Problem(
                        relative(base.dir / "base.yaml", project.root),
                        "auth",
                        f"the auth provider comes from module {module.name}, which is not active",
                        f"run `jetpy modules install --activate {module.name}`",
                        warning=True,
                    )
                )
    return found


def _layout_problems(
    info: LayoutInfo, base: str, name: str, shown: str, project: Project
) -> list[Problem]:
    file = f"{shown}/{name}.html"
    if info.error == "missing":
        return [
            Problem(
                file,
                "layout",
                f"layout `{name}` of base `{base}` does not exist",
                f"create {file} or name an existing layout",
            )
        ]
    if info.error:
        return [Problem(file, "", info.error, "correct the template")]
    problems = []
    sets = project.menus.sets
    for set_name, menu_id in info.menus:
        key = f"menu({set_name!r})" if menu_id is None else f"menu({set_name!r}, {menu_id!r})"
        if set_name not in sets:
            problems.append(
                Problem(
                    file,
                    key,
                    f"there is no menu set `{set_name}`",
                    f"create application/menus/{set_name}.yaml; sets: {', '.join(sets) or 'none'}",
                )
            )
        elif menu_id is not None and menu_id not in sets[set_name]:
            problems.append(
                Problem(
                    file,
                    key,
                    f"menu set `{set_name}` has no menu `{menu_id}`",
                    f"add it to application/menus/{set_name}.yaml or name one of: "
                    + (", ".join(sets[set_name]) or "none"),
                )
            )
    for module, controller, action in info.embeds:
        found = project.modules.get(module)
        if found is not None and not found.active:
            problems.append(
                Problem(
                    file,
                    f"module({module!r})",
                    f"module `{module}` is {found.state}, not activated: it renders nothing",
                    f"run `jetpy modules install --activate {module}`",
                    warning=True,
                )
            )
        message = action_problem(project, module, controller, action, explicit=True)
        if message:
            problems.append(Problem(file, f"module({module!r})", message[0], message[1]))
    return problems


def _content_problems(
    content: Content, page: Page, info: LayoutInfo | None, shown: str, project: Project
) -> list[Problem]:
    key = f"contents[{content.index}]"
    problems = []
    if info is None and content.output is not None:
        problems.append(
            Problem(
                shown,
                f"{key}.output",
                "a page without a layout (`layout: none`) has nowhere to show static output",
                "give the page a layout, or make it a static-output page with `output:`",
            )
        )
    if info is not None and not info.error and content.position not in info.positions:
        offered = ", ".join(sorted(info.positions)) or "none"
        problems.append(
            Problem(
                shown,
                f"{key}.position",
                f"layout `{page.layout}` has no position `{content.position}` (it has: {offered})",
                "use one of its positions or add "
                f"{{{{ position('{content.position}') }}}} to the layout",
            )
        )
    module = project.modules.get(content.module) if content.module else None
    if module is not None and not module.active:
        problems.append(
            Problem(
                shown,
                f"{key}.module",
                f"module `{module.name}` is {module.state}, not activated: "
                "this content renders nothing",
                f"run `jetpy modules install --activate {module.name}`",
                warning=True,
            )
        )
    if content.module is not None:
        message = action_problem(
            project,
            content.module,
            content.controller,
            content.action,
            explicit=content.action != "default",
        )
        if message:
            problems.append(Problem(shown, key, message[0], message[1]))
    return problems


def action_problem(
    project: Project, module_name: str, controller: str, action: str, explicit: bool
) -> tuple[str, str] | None:
    """What is wrong with running module:controller.action, and the fix; None when fine."""
    module = project.modules.get(module_name)
    if module is None:
        close = difflib.get_close_matches(module_name, list(project.modules), n=1)
        fix = (
            f"did you mean `{close[0]}`?"
            if close
            else (f"create application/modules/{module_name.replace('.', '/')}/manifest.yaml")
        )
        return f"module `{module_name}` does not exist", fix
    if not module.loaded:
        return None  # its own problem is reported already; don't pile follow-ons on it
    cls = module.controllers.get(controller)
    if cls is None:
        close = difflib.get_close_matches(controller, list(module.controllers), n=1)
        fix = (
            f"did you mean `{close[0]}`?"
            if close
            else (
                f"define `class {controller}(Controller)` in "
                f"{relative(module.dir / 'controllers.py', project.root)}"
            )
        )
        return f"module `{module_name}` has no controller `{controller}`", fix
    routed = cls.get_router is not Controller.get_router or cls.resolve is not Controller.resolve
    if not callable(getattr(cls, f"{action}_action", None)) and (explicit or not routed):
        actions = sorted(
            name[:-7]
            for name in dir(cls)
            if name.endswith("_action") and callable(getattr(cls, name))
        )
        close = difflib.get_close_matches(action, actions, n=1)
        fix = (
            f"did you mean `{close[0]}`?"
            if close
            else (f"define `def {action}_action(self)` in {controller}")
        )
        return f"controller `{module_name}:{controller}` has no action `{action}`", fix
    return None


def _view_problems(module: Module, root: Path) -> list[Problem]:
    source = module.dir / "controllers.py"
    if not source.is_file():
        return []
    problems = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        for view in _RENDER_CALL.findall(line):
            if not (module.views_dir / view).is_file():
                problems.append(
                    Problem(
                        relative(source, root),
                        f"render({view!r})",
                        f"view `{view}` does not exist",
                        f"create {relative(module.views_dir / view, root)}",
                        line=number,
                    )
                )
    return problems
