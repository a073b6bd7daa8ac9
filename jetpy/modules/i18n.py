"""Translations and locale formats: dictionaries per locale, `_()`, numbers, dates and money.

A dictionary is a flat YAML mapping `phrase: translation` in `application/dictionaries/` (the
common one) or in a module's `dictionaries/` folder, one file per locale (`cs_CZ.yaml`).
`_()` looks a phrase up in the module's dictionary, then the common one, then jetpy's own
(jetpy/modules/dictionaries/: the texts of its views and messages), and otherwise returns the phrase
as written. Formatting uses Babel's CLDR data for the request's locale.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
)
from jinja2 import Undefined, pass_context

from jetpy.definitions.yamlfile import load_yaml
from jetpy.errors import JetpyError, Problem, relative

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context

    from jetpy.kernel.bases import Base
    from jetpy.modules.discovery import Module

log = logging.getLogger("jetpy")

DEFAULT_LOCALE = "en_US"  # formats of a locale CLDR does not know
LOCALE_NAME = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_PLACEHOLDER = re.compile(r"%\((\w+)\)")
# CLDR's currency spacing, which Babel leaves out: a currency symbol ending (or starting) with
# a letter is kept apart from the digits by a no-break space (`CZK 1,234.50`, `$1,234.50`)
_LETTER_BY_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")

Phrases = dict[str, str]  # phrase → translation
JETPY_DICTIONARIES = Path(__file__).parent / "dictionaries"  # jetpy's own phrases per locale


def dictionaries_dir(folder: Path) -> Path:
    """The dictionaries folder of `application/` or of a module's folder."""
    return folder / "dictionaries"


@functools.cache
def jetpy_phrases(locale: str) -> Phrases:
    """jetpy's own dictionary for `locale` (its views, messages, forms), read once; {} if none."""
    file = JETPY_DICTIONARIES / f"{locale}.yaml"
    if not file.is_file():
        return {}
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    return {str(key): str(value) for key, value in (data or {}).items()}


# translating ------------------------------------------------------------------------
class Translator:
    """Translates phrases for one locale: a module's dictionary over the common one over jetpy's.

    Called as `_("Hello %(name)s", name=user)`: the phrase is translated first, then the
    placeholders are filled in. Without values the text is returned as it is (no `%` is
    interpreted). A placeholder without a value is left as written and logged, so a missing
    value shows a readable phrase instead of failing the page.
    """

    __slots__ = ("locale", "module", "phrases")

    def __init__(self, locale: str, module: str | None, phrases: Phrases) -> None:
        self.locale = locale
        self.module = module
        self.phrases = phrases  # the dictionaries merged: one lookup per phrase

    def __call__(self, phrase: str, /, **values: Any) -> str:
        text = self.phrases.get(phrase, phrase)
        if not values:
            return text
        try:
            return text % _Values(self, phrase, values)
        except (TypeError, ValueError) as exc:
            log.warning(
                "cannot fill in %r (locale %s, module %s): %s",
                text,
                self.locale,
                self.module or "-",
                exc,
            )
            return text

    def __repr__(self) -> str:
        return f"<Translator {self.locale} {self.module or '(common)'}: {len(self.phrases)}>"


class _Values(dict[str, Any]):
    """The values of a phrase; a missing one stays in the text as its placeholder."""

    def __init__(self, translator: Translator, phrase: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.translator = translator
        self.phrase = phrase

    def __missing__(self, key: str) -> str:
        log.warning(
            "no value for %%(%s)s in %r (locale %s, module %s)",
            key,
            self.phrase,
            self.translator.locale,
            self.translator.module or "-",
        )
        return f"%({key})s"


class Translations:
    """Every dictionary of an application; hands out one Translator per (locale, module)."""

    def __init__(
        self,
        common: dict[str, Phrases] | None = None,
        modules: dict[str, dict[str, Phrases]] | None = None,
    ) -> None:
        self.common = common or {}  # locale → phrases
        self.modules = modules or {}  # module name → locale → phrases
        self._translators: dict[tuple[str, str | None], Translator] = {}

    def translator(self, locale: str, module: str | None = None) -> Translator:
        """The translator for `locale`: `module`'s dictionary first, the common one, jetpy's."""
        key = (locale, module)
        found = self._translators.get(key)
        if found is None:
            phrases = {**jetpy_phrases(locale), **self.common.get(locale, {})}
            if module is not None:
                phrases.update(self.modules.get(module, {}).get(locale, {}))
            found = self._translators[key] = Translator(locale, module, phrases)
        return found

    def has_dictionary(self, locale: str, module: str | None = None) -> bool:
        """Whether the common dictionary (or `module`'s) has a file for `locale`."""
        if locale in self.common:
            return True
        return module is not None and locale in self.modules.get(module, {})


# loading and validating -----------------------------------------------------------
def load_translations(
    app_dir: Path,
    modules: Mapping[str, Module],
    bases: Mapping[str, Base],
    root: Path,
    problems: list[Problem],
) -> Translations:
    """Read and validate every dictionary; problems are appended to `problems`."""
    common = read_dictionaries(dictionaries_dir(app_dir), root, problems)
    per_module: dict[str, dict[str, Phrases]] = {}
    for name, module in modules.items():
        found = read_dictionaries(dictionaries_dir(module.dir), root, problems)
        if found:
            per_module[name] = found
    locales = {name for base in bases.values() for name in base.locales}
    folders = [(app_dir, common)] + [(modules[n].dir, d) for n, d in per_module.items()]
    for folder, dictionaries in folders:
        for locale in sorted(set(dictionaries) - locales):
            problems.append(
                Problem(
                    relative(dictionaries_dir(folder) / f"{locale}.yaml", root),
                    "",
                    f"no base has the locale `{locale}`: this dictionary is never used",
                    "add the locale to a base.yaml, or rename or remove the file",
                    warning=True,
                )
            )
    for base in bases.values():
        for locale in base.locales:
            if LOCALE_NAME.match(locale) and babel_locale(locale) is None:
                problems.append(
                    Problem(
                        relative(base.dir / "base.yaml", root),
                        f"locales.{locale}",
                        f"Babel has no data for `{locale}`: numbers and dates are "
                        f"formatted as {DEFAULT_LOCALE}",
                        "use a locale CLDR knows, e.g. en_US or cs_CZ",
                        warning=True,
                    )
                )
    return Translations(common, per_module)


def read_dictionaries(folder: Path, root: Path, problems: list[Problem]) -> dict[str, Phrases]:
    """Every `<locale>.yaml` in `folder`, validated."""
    found: dict[str, Phrases] = {}
    if not folder.is_dir():
        return found
    for file in sorted(folder.iterdir()):
        if file.name.startswith(".") or file.is_dir():
            continue
        shown = relative(file, root)
        if file.suffix != ".yaml":
            problems.append(
                Problem(
                    shown,
                    "",
                    "is not read: dictionaries are `<locale>.yaml` files",
                    f"rename it to {file.stem}.yaml or move it out of {relative(folder, root)}",
                    warning=True,
                )
            )
            continue
        if not LOCALE_NAME.match(file.stem):
            problems.append(
                Problem(
                    shown,
                    "",
                    f"`{file.stem}` is not a locale name",
                    "name the file after a locale of a base, e.g. cs_CZ.yaml",
                )
            )
            continue
        data, errors = load_yaml(file, shown)
        problems.extend(errors)
        if data is not None:
            found[file.stem] = read_phrases(data, shown, problems)
    return found


def read_phrases(data: Mapping[Any, Any], shown: str, problems: list[Problem]) -> Phrases:
    """The `phrase: translation` entries of one dictionary; other entries are problems."""
    phrases: Phrases = {}
    for phrase, translation in data.items():
        if not isinstance(phrase, str):
            problems.append(
                Problem(
                    shown,
                    str(phrase),
                    f"the phrase is read as {_kind(phrase)}, not text",
                    "put the phrase in quotes (YAML reads yes, no, on, off and numbers "
                    "as other types)",
                )
            )
            continue
        if translation is None or translation == "":
            problems.append(
                Problem(
                    shown,
                    phrase,
                    "has no translation yet: the phrase is shown as written",
                    "write the translation after the colon",
                    warning=True,
                )
            )
            continue
        if not isinstance(translation, str):
            flat = isinstance(translation, dict | list)
            problems.append(
                Problem(
                    shown,
                    phrase,
                    f"the translation is {_kind(translation)}, not text",
                    "dictionaries are flat: one `phrase: translation` per line"
                    if flat
                    else f'put it in quotes: `"{phrase}": "{translation}"`',
                )
            )
            continue
        unknown = set(_PLACEHOLDER.findall(translation)) - set(_PLACEHOLDER.findall(phrase))
        if unknown:
            names = ", ".join(f"%({name})s" for name in sorted(unknown))
            problems.append(
                Problem(
                    shown,
                    phrase,
                    f"the translation uses {names}, which the phrase does not have",
                    "use the placeholders of the phrase (unless the code passes that value)",
                    warning=True,
                )
            )
        phrases[phrase] = translation
    return phrases


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


# formatting -----------------------------------------------------------------------
@functools.cache
def babel_locale(name: str) -> BabelLocale | None:
    """Babel's locale `name` (`cs_CZ`), or None when CLDR does not know it."""
    try:
        return BabelLocale.parse(name)
    except (UnknownLocaleError, ValueError):
        return None


@functools.cache
def locale_label(name: str, among: tuple[str, ...] = ()) -> str:
    """A locale as people name it, in its own language: `English`, `Čeština`.

    The territory is added only when another locale of `among` has the same language
    (`English (United States)` next to `English (United Kingdom)`); a locale CLDR does not
    know keeps its code.
    """
    found = babel_locale(name)
    if found is None:
        return name
    language = found.language
    twin = any(other != name and other.split("_")[0] == language for other in among)
    text = (found.get_display_name(name) if twin else found.get_language_name(name)) or name
    return text[:1].upper() + text[1:]


def currency_spaced(text: str) -> str:
    """An amount Babel formatted with its currency, with CLDR's currency spacing applied: a
    no-break space between a symbol of letters and the digits (`CZK 1,234.50`)."""
    return _LETTER_BY_DIGIT.sub("\u00a0", text)


class Formats:
    """Numbers, dates and money as one locale writes them (CLDR data through Babel).

    None (and an undefined template value) formats as an empty string, so an optional date
    needs no `if` around it.
    """

    def __init__(self, locale: str) -> None:
        self.name = locale
        self.locale = (
            babel_locale(locale)
            or babel_locale(locale.split("_")[0])
            or BabelLocale.parse(DEFAULT_LOCALE)
        )
        self._fixed: dict[int, NumberPattern] = {}

    def number(self, value: Any) -> str:
        """A number with the locale's grouping and decimal sign: `1,234.5` / `1 234,5`."""
        if _empty(value):
            return ""
        return format_decimal(to_decimal(value), locale=self.locale)

    def decimal(self, value: Any, places: int = 2) -> str:
        """A number with exactly `places` decimals, rounded half up: `1,234.50`."""
        if _empty(value):
            return ""
        pattern = self._fixed.get(places)
        if pattern is None:
            pattern = copy.copy(self.locale.decimal_formats[None])
            pattern.frac_prec = (places, places)
            self._fixed[places] = pattern
        text: str = pattern.apply(_round(to_decimal(value), places), self.locale)
        return text

    def percent(self, value: Any) -> str:
        """A fraction as a percentage: 0.25 → `25%` / `25 %`."""
        if _empty(value):
            return ""
        return format_percent(to_decimal(value), locale=self.locale)

    def money(self, amount: Any, currency: str) -> str:
        """An amount in `currency` (ISO code), rounded half up to the currency's digits."""
        if _empty(amount):
            return ""
        currency = currency.upper()
        exact = _round(to_decimal(amount), get_currency_precision(currency))
        return currency_spaced(format_currency(exact, currency, locale=self.locale))

    def date(self, value: dt.date | None, format: str = "medium") -> str:
        """A date: format `short`, `medium`, `long`, `full` or a CLDR pattern."""
        if _empty(value):
            return ""
        return format_date(value, format, locale=self.locale)

    def datetime(
        self, value: dt.datetime | None, format: str = "medium", tzinfo: dt.tzinfo | None = None
    ) -> str:
        """A date and time; with `tzinfo`, converted to that zone (naive values count as UTC)."""
        if _empty(value):
            return ""
        return format_datetime(value, format, tzinfo=tzinfo, locale=self.locale)

    def time(
        self,
        value: dt.time | dt.datetime | None,
        format: str = "medium",
        tzinfo: dt.tzinfo | None = None,
    ) -> str:
        """A time of day."""
        if _empty(value):
            return ""
        return format_time(value, format, tzinfo=tzinfo, locale=self.locale)


@functools.cache
def formats_for(locale: str) -> Formats:
    """The Formats of `locale`, made once per process (they only hold CLDR data)."""
    return Formats(locale)


def to_decimal(value: Any) -> Decimal:
    """`value` as a Decimal; a float goes through its shortest text, never through float maths."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"cannot format {type(value).__name__} {value!r} as a number")
    try:
        return Decimal(str(value).strip() if isinstance(value, str) else repr(value))
    except InvalidOperation:
        raise ValueError(f"cannot format {value!r} as a number") from None


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _empty(value: Any) -> bool:
    return value is None or isinstance(value, Undefined)


# templates ----------------------------------------------------------------------------
FORMATS = ("number", "decimal", "percent", "money", "date", "datetime", "time")


_WITHOUT_CONTEXT = (
    "this template has no request context: render it through a controller's render() "
    "(or pass `{what}`), and import macros that use it `with context`, e.g. "
    "{{% import 'forms.html' as forms with context %}}"
)


def _template_helper(name: str) -> Callable[..., str]:
    @pass_context
    def helper(context: Context, value: Any, *args: Any, **options: Any) -> str:
        locale = context.get("locale")
        if locale is None:
            raise JetpyError(f"format_{name}: " + _WITHOUT_CONTEXT.format(what="locale="))
        method: Callable[..., str] = getattr(formats_for(str(locale)), name)
        return method(value, *args, **options)

    helper.__name__ = helper.__qualname__ = f"format_{name}"
    return helper


def _no_translator(phrase: str, /, **values: Any) -> str:
    """`_` where the rendering did not bring a translator: say how to bring one."""
    raise JetpyError(f"_({phrase!r}): " + _WITHOUT_CONTEXT.format(what="_="))


TEMPLATE_HELPERS = {f"format_{name}": _template_helper(name) for name in FORMATS}


def install(environment: Environment) -> None:
    """Add the format_* filters and globals, which use the `locale` of the rendering.

    Views, layouts and error pages get `_` from their rendering; the global one only
    explains what is missing when a template is rendered without them.
    """
    environment.filters.update(TEMPLATE_HELPERS)
    environment.globals.update(TEMPLATE_HELPERS)
    environment.globals["_"] = _no_translator
    environment.globals["locale_label"] = locale_label
