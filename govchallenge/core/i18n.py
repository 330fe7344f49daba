"""Which language and zone a request speaks: the user's choice, else the browser's, else English/UTC."""
from flask import request, session
from flask_babel import gettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from flask_login import current_user

from .languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES
from .timeutil import is_zone


# The one cookie that remembers an anonymous visitor's choice of language beyond the browser session (the
# session cookie ends with it). It holds a language code and nothing else; signed-in people's choice lives
# in their account.
LANGUAGE_COOKIE = "govchallenge_language"
LANGUAGE_COOKIE_DAYS = 365


def select_locale():
    if getattr(current_user, "is_authenticated", False) and current_user.language in INTERFACE_LANGUAGES:
        return current_user.language
    for chosen in (session.get("language"), request.cookies.get(LANGUAGE_COOKIE)):
        if chosen in INTERFACE_LANGUAGES:
            return chosen
    return request.accept_languages.best_match(list(INTERFACE_LANGUAGES)) or DEFAULT_LANGUAGE


def remember_language(response, language):
    """Sets the language cookie on `response` (a year; same flags as the session cookie)."""
    from flask import current_app

    response.set_cookie(
        LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600, path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), httponly=True, samesite="Lax",
    )
    return response


def select_timezone():
    if getattr(current_user, "is_authenticated", False) and is_zone(current_user.timezone):
        return current_user.timezone
    chosen = session.get("timezone")
    return chosen if is_zone(chosen) else "UTC"


def current_language():
    from flask_babel import get_locale

    return str(get_locale() or DEFAULT_LANGUAGE)


class LazyText(LazyString):
    """A translation looked up when it is used, like flask_babel's lazy_gettext, except that its format values
    are escaped when Jinja or WTForms render it as HTML. flask_babel's LazyString counts as safe HTML whole,
    so `lazy_gettext("Comment on %(x)s", x=user_text)` would put the user's markup into the page unescaped."""

    def __init__(self, string, **variables):
        super().__init__(gettext, string, **variables)
        self._string, self._variables = string, variables

    def __html__(self):
        return Markup(gettext(self._string)) % self._variables if self._variables else Markup(gettext(self._string))


def lazy_text(string, **variables):
    """The project's `_l`: every lazily translated string goes through here (a test refuses flask_babel's own)."""
    return LazyText(string, **variables)
