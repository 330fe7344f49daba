"""Filters and globals every template may use."""
from babel.dates import format_datetime as babel_datetime
from flask import request
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

from .forms import EmptyForm
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
    )
    app.jinja_env.tests["web_url"] = is_web_url
    app.jinja_env.globals.update(
        interface_languages=INTERFACE_LANGUAGES,
        nav_links=nav_links,
        empty_form=EmptyForm,
        viewer_zone=lambda: str(get_timezone()),
        current_locale=lambda: str(get_locale() or "en"),
        request_path=lambda: request.full_path.rstrip("?") if request else "/",
    )
