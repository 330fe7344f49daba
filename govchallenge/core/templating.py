"""Filters and globals every template may use."""
import math
from decimal import Decimal

from babel.dates import format_datetime as babel_datetime
from functools import lru_cache

from babel import Locale
from babel.numbers import parse_pattern
from flask import g, request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

from .forms import EmptyForm, character_limit
from .geo import country_name, format_money
from .languages import INTERFACE_LANGUAGES, language_autonym, language_name, pick
from .markdown import render_markdown
from .timeutil import as_utc, to_zone
from .urls import is_web_url


def zone_label(moment, zone_name):
    """'CET (Europe/Warsaw)': the abbreviation people know and the name that is unambiguous."""
    abbreviation = moment.tzname() or ""
    if abbreviation.startswith(("+", "-")):
        abbreviation = "UTC" + abbreviation
    return f"{abbreviation} ({zone_name})" if zone_name != "UTC" else "UTC"


def formatting_locale():
    """English dates in the European style (24-hour clock, day before month)."""
    code = str(get_locale() or "en")
    return "en_GB" if code == "en" else code


def format_number(value, places=None):
    """A number in the viewer's locale ("1 234,56" in Polish, "1.234,56" in German, "1,234.56" in English).
    `places` fixes the decimals shown (scores: 2); without it, up to three, none when the number is whole
    (weights, thresholds). None and non-numbers are shown as they are."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return "" if value is None else value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    locale, pattern = number_format(formatting_locale(), places)
    return pattern.apply(value, locale)


@lru_cache(maxsize=64)
def number_format(locale_code, places):
    """(Locale, NumberPattern) parsed once: babel's format_decimal parses both on every call (~0.3 ms, a results
    page of 320 entries shows some 2,000 numbers); applying the parsed pattern is what it then does."""
    locale = Locale.parse(locale_code)
    if places is None:
        return locale, locale.decimal_formats[None]
    return locale, parse_pattern("#,##0." + "0" * places if places else "#,##0")


def format_moment(value, zone_name=None, fmt="medium"):
    """A moment in the viewer's zone (or the given one), always with the zone named."""
    if value is None:
        return ""
    zone_name = zone_name or str(get_timezone())
    local = to_zone(value, zone_name)
    text = babel_datetime(local, format=fmt, tzinfo=local.tzinfo, locale=formatting_locale())
    return f"{text} {zone_label(local, zone_name)}"


def moment_tag(value, zone_name=None, fmt="medium"):
    if value is None:
        return ""
    iso = as_utc(value).isoformat(timespec="seconds")  # HTML allows at most three digits of a second
    return Markup(f'<time datetime="{escape(iso)}">{escape(format_moment(value, zone_name, fmt))}</time>')


def localise(field, main=None):
    return pick(field, str(get_locale() or "en"), main or "en")


from flask import current_app

from .registry import hook

def nav_links():
    """(endpoint, label) of the domains' navigation links, by position; a link shows once its view exists."""
    links = sorted(hook("nav_links"), key=lambda link: link.position)
    return [(link.endpoint, link.label) for link in links if link.endpoint in current_app.view_functions]


def note_form_errors():
    """Called by the error summary macro: this page shows a form's errors (its title says so)."""
    g.form_errors_shown = True
    return ""


def first_on_page(key):
    """True the first time a page asks about `key`: a macro used many times loads its script once."""
    seen = g.setdefault("first_on_page", set())
    if key in seen:
        return False
    seen.add(key)
    return True


def form_errors_shown():
    return bool(g.get("form_errors_shown"))


def register(app):
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        moment=moment_tag,
        moment_text=format_moment,
        markdown=render_markdown,
        country=country_name,
        language_name=language_name,
        autonym=language_autonym,
        localise=localise,
        money=format_money,
        number=format_number,
    )
    app.jinja_env.tests["web_url"] = is_web_url
    app.jinja_env.globals.update(
        interface_languages=INTERFACE_LANGUAGES,
        nav_links=nav_links,
        note_form_errors=note_form_errors,
        form_errors_shown=form_errors_shown,
        first_on_page=first_on_page,
        character_limit=character_limit,
        empty_form=EmptyForm,
        viewer_zone=lambda: str(get_timezone()),
        current_locale=lambda: str(get_locale() or "en"),
        request_path=lambda: request.full_path.rstrip("?") if request else "/",
    )
