"""Every cookie the platform sets, in one list: the cookies page shows it, and a test drives the app through
its journeys and fails on any Set-Cookie this list does not name (tests/legal/test_cookies.py).

Everything else a visit needs to remember (the time zone chosen, the form token
against cross-site request forgery, a sign-in through an identity provider under way) lives inside the
signed session cookie, so it adds no cookie of its own."""
from dataclasses import dataclass
from datetime import timedelta

from flask_login import config as login_defaults

from govchallenge.core.i18n import lazy_text as _l


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: object
    lifetime: object
    set_when: object


def _days(duration):
    seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration)
    return max(1, round(seconds / 86400))


def session_cookie(config):
    return Cookie(
        name=config.get("SESSION_COOKIE_NAME") or "session",
        purpose=_l("Keeps you signed in and remembers this visit's choices: the interface language, the time zone, "
                   "the token that protects forms against forged requests, and a sign-in through an identity "
                   "provider under way. It is signed, so it cannot be altered."),
        # Flask keeps a session that is not marked permanent (the platform never marks one) until the browser closes.
        lifetime=_l("Until you close the browser"),
        set_when=_l("On the first visit that needs it (a form, a language choice, signing in)"),
    )


def remember_cookie(config):
    days = _days(config.get("REMEMBER_COOKIE_DURATION") or login_defaults.COOKIE_DURATION)
    return Cookie(
        name=config.get("REMEMBER_COOKIE_NAME") or login_defaults.COOKIE_NAME,
        purpose=_l("Keeps you signed in on this device after the browser closes. Signing out removes it and makes "
                   "every copy of it useless."),
        lifetime=_l("%(days)s days", days=days),
        set_when=_l("Only when you tick “Keep me signed in on this device” as you sign in"),
    )


def language_cookie(config):
    from govchallenge.core.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_DAYS

    return Cookie(
        name=LANGUAGE_COOKIE,
        purpose=_l("Remembers the interface language you chose, so that the next visit opens in it. It holds only "
                   "the language's code."),
        lifetime=_l("%(days)s days", days=LANGUAGE_COOKIE_DAYS),
        set_when=_l("Only when you choose a language"),
    )


COOKIES = (session_cookie, remember_cookie, language_cookie)


def platform_cookies(config):
    """The cookies of an app with these settings (their names and lifetimes are settings)."""
    return [describe(config) for describe in COOKIES]


def cookie_names(config):
    return {cookie.name for cookie in platform_cookies(config)}
