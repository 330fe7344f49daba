"""The periods and cookies the legal pages list, read from the settings, on the modules directly (no database:
fast enough to run per mutant, tools/mutation.toml); the audited changes are in test_legal_rules.py."""
from datetime import timedelta

import pytest

from govchallenge import create_app
from govchallenge.legal import cookies, retention

THROTTLES = ("LOGIN_LIMIT", "LOGIN_ACCOUNT_LIMIT", "LOGIN_IP_LIMIT", "RESET_LIMIT", "REGISTER_LIMIT",
             "REGISTER_EMAIL_LIMIT", "ACCOUNT_NOTICE_LIMIT")


@pytest.fixture(scope="module")
def texts_app(tmp_path_factory):
    """An app for its settings and catalogues only: these rules read no database."""
    folder = tmp_path_factory.mktemp("legal-texts")
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-not-for-production",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/unused.db", "REDIS_URL": "",
                       "RATELIMIT_STORAGE_URI": "memory://", "MAIL_SERVER": "", "MAIL_FILE_DIR": str(folder / "mail"),
                       "STORAGE_DIR": str(folder / "files"), "AUDIT_CHECKPOINT_DIR": str(folder / "audit"),
                       "EXPORT_DIR": str(folder / "exports")})


@pytest.fixture
def page(texts_app):
    """Inside a request, as the pages read these texts (in English)."""
    with texts_app.test_request_context("/"):
        yield texts_app


def config(**changes):
    settings = {"TOKEN_MAX_AGE_SECONDS": 48 * 3600, "MAIL_RETRY_HOURS": 24.0, "REMEMBER_COOKIE_DURATION": None,
                **{name: "1 per hour" for name in THROTTLES}}
    settings.update(changes)
    return settings


def texts(period):
    return str(period.what), str(period.how_long)


# --- retention ------------------------------------------------------------------------------------------------

def test_every_period_names_the_settings_that_decide_it(page):
    periods = retention.retention_periods(config())
    assert [p.setting for p in periods] == ["", "TOKEN_MAX_AGE_SECONDS", ", ".join(THROTTLES), "MAIL_RETRY_HOURS",
                                            "REMEMBER_COOKIE_DURATION", "", ""]
    assert all(str(p.what) and str(p.how_long) for p in periods)
    assert texts(periods[0])[1] == "As long as the account exists; erased or anonymised when you ask"
    assert "audit trail" in texts(periods[6])[0]


def test_link_lifetime_is_the_token_age_in_whole_hours_rounded(page):
    assert texts(retention.retention_periods(config(TOKEN_MAX_AGE_SECONDS=72 * 3600))[1])[1] == \
        "Valid for 72 hours, then useless"
    # 90 minutes rounds to 2 hours (round half to even), 30 minutes to the one-hour floor
    assert "Valid for 2 hours" in texts(retention.retention_periods(config(TOKEN_MAX_AGE_SECONDS=5400))[1])[1]
    assert "Valid for 3 hours" in texts(retention.retention_periods(config(TOKEN_MAX_AGE_SECONDS=9000 + 1))[1])[1]
    assert "Valid for 1 hours" in texts(retention.retention_periods(config(TOKEN_MAX_AGE_SECONDS=1800))[1])[1]
    assert "Valid for 1 hours" in texts(retention.retention_periods(config(TOKEN_MAX_AGE_SECONDS=60))[1])[1]


def test_counters_last_as_long_as_the_longest_throttle_window_rounded_up(page):
    """Each throttle setting counts: the longest window of the seven, in hours, rounded up."""
    for name in THROTTLES:
        how_long = texts(retention.retention_periods(config(**{name: "3 per 30 hours"}))[2])[1]
        assert how_long == "At most 30 hours, after which they expire by themselves", name
    assert "At most 2 hours" in texts(retention.retention_periods(config(LOGIN_LIMIT="5 per 61 minutes"))[2])[1]
    assert "At most 1 hours" in texts(retention.retention_periods(config(**{n: "5 per 15 minutes" for n in THROTTLES}))[2])[1]
    assert "At most 24 hours" in texts(retention.retention_periods(config(ACCOUNT_NOTICE_LIMIT="1 per day"))[2])[1]
    # "at most": a window a second longer than whole hours counts as the next hour
    assert "At most 2 hours" in texts(retention.retention_periods(config(RESET_LIMIT="1 per 3601 seconds"))[2])[1]
    assert "At most 3 hours" in texts(retention.retention_periods(config(RESET_LIMIT="1 per 10800 seconds"))[2])[1]


def test_mail_retries_are_the_retry_setting_in_hours(page):
    assert texts(retention.retention_periods(config(MAIL_RETRY_HOURS=6))[3])[1] == "Up to 6 hours"
    assert texts(retention.retention_periods(config(MAIL_RETRY_HOURS=0.25))[3])[1] == "Up to 1 hours"
    assert texts(retention.retention_periods(config(MAIL_RETRY_HOURS=2.6))[3])[1] == "Up to 3 hours"
    # just under two and a half hours rounds down: the hours are read as exactly 3,600 seconds each
    assert texts(retention.retention_periods(config(MAIL_RETRY_HOURS=2.4999))[3])[1] == "Up to 2 hours"


def test_the_remember_cookie_period_is_the_cookies_lifetime(page):
    period = retention.retention_periods(config(REMEMBER_COOKIE_DURATION=timedelta(days=30)))[4]
    assert texts(period) == ("The cookie that keeps you signed in on a device", "30 days")


def test_the_shipped_settings_give_the_documented_periods(page):
    periods = retention.retention_periods(page.config)
    assert [texts(p)[1] for p in periods[1:5]] == [
        "Valid for 48 hours, then useless", "At most 24 hours, after which they expire by themselves",
        "Up to 24 hours", "365 days"]


# --- cookies ----------------------------------------------------------------------------------------------------

def test_the_cookie_names_default_and_follow_the_settings(page):
    assert [c.name for c in cookies.platform_cookies({})] == ["session", "remember_token", "govchallenge_language"]
    assert cookies.cookie_names({"SESSION_COOKIE_NAME": "s", "REMEMBER_COOKIE_NAME": "r"}) == \
        {"s", "r", "govchallenge_language"}
    assert cookies.cookie_names({"SESSION_COOKIE_NAME": "", "REMEMBER_COOKIE_NAME": None}) == \
        {"session", "remember_token", "govchallenge_language"}


def test_cookie_lifetimes_in_days(page):
    session, remember, language = cookies.platform_cookies({"REMEMBER_COOKIE_DURATION": timedelta(hours=36)})
    assert str(session.lifetime) == "Until you close the browser"
    assert str(remember.lifetime) == "2 days"  # 1.5 days rounds to 2
    assert str(language.lifetime) == "365 days"
    assert str(cookies.remember_cookie({}).lifetime) == "365 days"  # Flask-Login's default: a year
    assert str(cookies.remember_cookie({"REMEMBER_COOKIE_DURATION": 3 * 86400}).lifetime) == "3 days"  # seconds
    assert str(cookies.remember_cookie({"REMEMBER_COOKIE_DURATION": 3600}).lifetime) == "1 days"  # never 0
    assert str(cookies.remember_cookie({"REMEMBER_COOKIE_DURATION": timedelta(days=2, hours=13)}).lifetime) == "3 days"


def test_every_cookie_says_what_it_is_for_and_when_it_is_set(page):
    session, remember, language = cookies.platform_cookies({})
    assert "signed, so it cannot be altered" in str(session.purpose)
    assert str(session.set_when).startswith("On the first visit that needs it")
    assert "Signing out removes it" in str(remember.purpose)
    assert "Keep me signed in on this device" in str(remember.set_when)
    assert "only the language's code" in str(language.purpose)
    assert str(language.set_when) == "Only when you choose a language"




# --- every text is translated -------------------------------------------------------------------------------------

def shown_texts(config):
    periods = retention.retention_periods(config)
    shown = [str(text) for p in periods for text in (p.what, p.how_long)]
    return shown + [str(text) for c in cookies.platform_cookies(config) for text in (c.purpose, c.lifetime, c.set_when)]


def test_every_period_and_cookie_text_is_translated(page):
    """A text the catalogues do not know (a changed msgid) would show in English on every translated page."""
    from flask_babel import force_locale

    english = shown_texts(page.config)
    for language in ("pl", "el", "de", "fr"):
        with force_locale(language):
            translated = shown_texts(page.config)
        same = [text for text, other in zip(english, translated) if text == other]
        assert same == [], (language, same)
