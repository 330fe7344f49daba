"""Which language and zone a request speaks: the user's choice, else the browser's, else English/UTC."""
from flask import request, session
from flask_login import current_user

from .languages import DEFAULT_LANGUAGE, INTERFACE_LANGUAGES
from .timeutil import is_zone


def select_locale():
    if getattr(current_user, "is_authenticated", False) and current_user.language in INTERFACE_LANGUAGES:
        return current_user.language
    chosen = session.get("language")
    if chosen in INTERFACE_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(INTERFACE_LANGUAGES)) or DEFAULT_LANGUAGE


def select_timezone():
    if getattr(current_user, "is_authenticated", False) and is_zone(current_user.timezone):
        return current_user.timezone
    chosen = session.get("timezone")
    return chosen if is_zone(chosen) else "UTC"


def current_language():
    from flask_babel import get_locale

    return str(get_locale() or DEFAULT_LANGUAGE)
