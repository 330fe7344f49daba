"""Anonymous pages kept rendered (core/page_cache.py): served from the cache, and never older than their rule."""
import re
from datetime import timedelta

import pytest
import time_machine

from govchallenge.challenges import operations as challenge_operations
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from tests.support import factories
from tests.support.queries import counting
from tests.support.results_factories import judged_challenge, publish


@pytest.fixture
def app(make_app):
    app = make_app(PAGE_CACHE="on")
    with app.app_context():
        yield app


def fetch(client, path, **headers):
    """(body, statements run) of a GET that must answer 200."""
    with counting() as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True), len(statements)


def without_token(body):
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', body)


@pytest.fixture
def challenge(app):
    made = factories.make_challenge(slug="green-city", title={"en": "Green city", "pl": "Zielone miasto"}, closes_in_days=10)
    challenge_operations.refresh_search_text(made)
    db.session.commit()
    return made


PAGES = ["/", "/challenges/", "/challenges/?q=green", "/challenges/green-city", "/api/v1/challenges",
         "/api/v1/challenges/green-city"]


@pytest.mark.parametrize("path", PAGES)
def test_a_second_anonymous_visit_is_served_without_a_query(app, challenge, path):
    client = app.test_client()
    first, _ = fetch(client, path)
    again, statements = fetch(app.test_client(), path)
    assert statements == 0
    assert without_token(again) == without_token(first)


def changes(client, path, change, **headers):
    """(body before, body after) `change` ran and committed; the first visit keeps the page."""
    before, _ = fetch(client, path, **headers)
    assert fetch(client, path, **headers)[1] == 0, "the second visit is the kept page"
    change()
    db.session.commit()
    after, _ = fetch(client, path, **headers)
    return without_token(before), without_token(after)


@pytest.mark.parametrize("path", ["/challenges/", "/challenges/green-city", "/api/v1/challenges", "/api/v1/challenges/green-city"])
def test_an_edited_challenge_is_shown_at_once(app, challenge, path):
    def rename():
        challenge.title = {"en": "Blue river", "pl": "Niebieska rzeka"}

    before, after = changes(app.test_client(), path, rename)
    assert "Green city" in before and "Blue river" in after and "Green city" not in after


def test_a_new_team_changes_the_count_on_the_challenge_page(app, challenge):
    before, after = changes(app.test_client(), "/challenges/green-city",
                            lambda: factories.make_submission(factories.make_team(challenge)))
    assert "Teams taking part: 0" in before and "Teams taking part: 1" in after


def test_published_results_are_shown_at_once(app):
    judged = judged_challenge(slug="judged")
    db.session.commit()
    path = "/challenges/judged/results"
    before, after = changes(app.test_client(), path, lambda: publish(judged))
    assert "Entry 001" not in before and "Entry 001" in after


def test_a_write_outside_the_session_is_seen(app, challenge):
    """Jobs write through the engine (`engine.begin()`), not the ORM session: their commits count too."""
    import sqlalchemy as sa

    from govchallenge.challenges.models import Challenge

    def rename():
        with db.engine.begin() as connection:
            connection.execute(sa.update(Challenge).where(Challenge.id == challenge.id).values(title={"en": "Blue river"}))

    before, after = changes(app.test_client(), "/challenges/", rename)
    assert "Green city" in before and "Blue river" in after


def test_a_rolled_back_change_keeps_the_page(app, challenge):
    """Only committed writes count: a rolled-back one is forgotten, even when the next commit is elsewhere."""
    client = app.test_client()
    fetch(client, "/challenges/")
    challenge.title = {"en": "Blue river"}
    db.session.flush()
    db.session.rollback()
    factories.make_user()
    db.session.commit()
    assert fetch(client, "/challenges/")[1] == 0


def test_the_challenge_page_changes_when_its_stage_closes(app, challenge):
    client = app.test_client()
    closes = challenge.stages[0].closes_at
    with time_machine.travel(closes - timedelta(minutes=1), tick=False):
        before, _ = fetch(client, "/challenges/green-city")
        assert fetch(client, "/challenges/green-city")[1] == 0
    with time_machine.travel(closes + timedelta(seconds=1), tick=False):
        after, statements = fetch(client, "/challenges/green-city")
    assert statements > 0
    assert "open now" in before and "open now" not in after


def test_the_countdown_is_never_an_hour_behind(app, challenge):
    client = app.test_client()
    closes = challenge.stages[0].closes_at
    with time_machine.travel(closes - timedelta(hours=5, minutes=1), tick=False):
        before, _ = fetch(client, "/challenges/green-city")
    with time_machine.travel(closes - timedelta(hours=4, minutes=59), tick=False):
        after, _ = fetch(client, "/challenges/green-city")
    assert "5 hours" in before and "4 hours" in after


def test_a_scheduled_challenge_enters_the_catalogue_when_it_is_published(app, challenge):
    """The catalogue's query leaves it out by the clock, so no loaded row tells when: the view says it."""
    publish_at = utcnow() + timedelta(days=1)
    later = factories.make_challenge(slug="later", title={"en": "Scheduled later"}, publish_at=publish_at)
    challenge_operations.refresh_search_text(later)
    db.session.commit()
    client = app.test_client()
    for path in ("/challenges/", "/api/v1/challenges"):
        with time_machine.travel(publish_at - timedelta(seconds=1), tick=False):
            assert "Scheduled later" not in fetch(client, path)[0]
            assert fetch(client, path)[1] == 0
        with time_machine.travel(publish_at + timedelta(seconds=1), tick=False):
            assert "Scheduled later" in fetch(client, path)[0]


def test_each_language_has_its_own_page(app, challenge):
    client = app.test_client()
    english, _ = fetch(client, "/challenges/green-city", **{"Accept-Language": "en"})
    polish, _ = fetch(client, "/challenges/green-city", **{"Accept-Language": "pl"})
    assert "Green city" in english and "Zielone miasto" in polish
    assert fetch(client, "/challenges/green-city", **{"Accept-Language": "pl"}) [0].count("Zielone miasto") == polish.count("Zielone miasto")


def test_a_signed_in_visitor_is_never_served_a_kept_page(app, challenge, login_as):
    fetch(app.test_client(), "/challenges/green-city")
    user = factories.make_user(name="Sigrid Signed")
    client = login_as(user)
    body, statements = fetch(client, "/challenges/green-city")
    assert statements > 0 and "Sigrid Signed" in body
    assert "Sigrid Signed" not in fetch(app.test_client(), "/challenges/green-city")[0]


def test_a_visitor_with_a_message_waiting_renders_the_page(app, challenge):
    """A flashed message lives in the session: that visitor's page is theirs, and is not kept."""
    fetch(app.test_client(), "/challenges/green-city")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Only for you")]
    body, statements = fetch(client, "/challenges/green-city")
    assert statements > 0 and "Only for you" in body
    assert "Only for you" not in fetch(app.test_client(), "/challenges/green-city")[0]


def test_each_visitor_gets_their_own_csrf_token(make_app):
    app = make_app(PAGE_CACHE="on", WTF_CSRF_ENABLED=True)
    with app.app_context():
        fetch(app.test_client(), "/")
        client = app.test_client()
        body, statements = fetch(client, "/")
        assert statements == 0
        token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
        response = client.post("/language", data={"csrf_token": token, "language": "pl", "next": "/"})
        assert response.status_code == 302
        assert 'lang="pl"' in client.get("/").get_data(as_text=True)


def test_a_page_ends_when_a_moment_it_loaded_comes(app):
    """No view names a stage's opening: the moment is read from the rows the page loaded."""
    opens = utcnow() + timedelta(minutes=90, seconds=17)
    upcoming = factories.make_challenge(slug="upcoming", opens_in_days=1, closes_in_days=30)
    upcoming.stages[0].opens_at = upcoming.opens_at = opens
    db.session.commit()
    client = app.test_client()
    with time_machine.travel(opens - timedelta(seconds=1), tick=False):
        before, _ = fetch(client, "/challenges/upcoming")
        assert fetch(client, "/challenges/upcoming")[1] == 0
    with time_machine.travel(opens + timedelta(seconds=1), tick=False):
        after, _ = fetch(client, "/challenges/upcoming")
    assert "open now" not in before and "open now" in after


def test_redis_keeps_pages_for_every_process(app, challenge):
    """With REDIS_URL the pages and versions live in Redis: what one process keeps, another serves, and a
    commit anywhere ends it."""
    import uuid

    from govchallenge.core import page_cache
    from tests.support.services import REDIS_URL, require_redis

    require_redis(REDIS_URL)
    store = app.extensions[page_cache.EXTENSION] = page_cache.RedisStore(REDIS_URL, f"test:{uuid.uuid4().hex}:")

    def rename():
        challenge.title = {"en": "Blue river"}

    try:
        before, after = changes(app.test_client(), "/challenges/green-city", rename)
        assert "Green city" in before and "Blue river" in after
        assert fetch(app.test_client(), "/challenges/green-city")[1] == 0
    finally:
        store.redis.delete(*store.redis.keys(store.prefix + "*"))


# --- the fast path: a hit answered by the first before_request hook -----------------------------

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                    "Permissions-Policy", "Cross-Origin-Opener-Policy", "Strict-Transport-Security")
# Every header but those that name the one body or the one visitor (its length, its cookie).
OWN_HEADERS = {"Content-Length", "Set-Cookie"}


def headers_of(response):
    return sorted((name, value) for name, value in response.headers.items() if name not in OWN_HEADERS)


def cookie_policy(response):
    """Each cookie's name and flags, without its value and expiry."""
    return sorted(
        (cookie.split("=", 1)[0], tuple(sorted(part.strip().split("=")[0].lower() for part in cookie.split(";")[1:])))
        for cookie in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("path", PAGES + ["/challenges/?state=open&domain=health"])
@pytest.mark.parametrize("secure", [False, True])
def test_a_hit_carries_the_headers_and_cookies_of_a_miss(make_app, path, secure):
    app = make_app(PAGE_CACHE="on", WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=secure)
    with app.app_context():
        challenge = factories.make_challenge(slug="green-city", title={"en": "Green city"}, closes_in_days=10)
        challenge_operations.refresh_search_text(challenge)
        db.session.commit()
        with counting() as rendering:
            miss = app.test_client().get(path, headers={"Origin": "https://partner.example"})
        with counting() as serving:
            hit = app.test_client().get(path, headers={"Origin": "https://partner.example"})
    assert len(rendering) > 0 and len(serving) == 0
    assert hit.status_code == miss.status_code == 200
    assert headers_of(hit) == headers_of(miss)
    assert cookie_policy(hit) == cookie_policy(miss)
    assert all(name in hit.headers for name in SECURITY_HEADERS[:-1])
    assert ("Strict-Transport-Security" in hit.headers) is secure


def test_a_hit_of_a_plainly_anonymous_visitor_loads_no_user(app, challenge, monkeypatch):
    """Flask-Login is not asked who the visitor is: the fast path knows it is nobody."""
    from govchallenge.extensions import login_manager

    fetch(app.test_client(), "/challenges/green-city")

    def refuse():
        raise AssertionError("the user was loaded for a kept page")

    monkeypatch.setattr(login_manager, "_load_user", refuse)
    assert fetch(app.test_client(), "/challenges/green-city")[1] == 0


def test_a_visitor_kept_signed_in_by_the_remember_cookie_is_never_served_a_kept_page(app, challenge):
    """No session cookie, only "keep me signed in": Flask-Login signs them in, so the page is theirs."""
    fetch(app.test_client(), "/challenges/green-city")
    user = factories.make_user(name="Rita Remembered")
    db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "remember": "y"}).status_code == 302
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")
    body, statements = fetch(client, "/challenges/green-city")
    assert statements > 0 and "Rita Remembered" in body


@pytest.mark.parametrize("personal", [{"pending_invitation": "token"}, {"_user_id": "1:0"}, {"_fresh": True},
                                      {"_remember": "clear"}])
def test_a_session_holding_anything_personal_is_never_served_from_the_fast_path(app, challenge, monkeypatch, personal):
    """Anything beyond the CSRF token, the language and the zone (or a remember-me choice pending) goes the
    ordinary way: Flask-Login is asked, and the page is the visitor's."""
    from govchallenge.extensions import login_manager

    fetch(app.test_client(), "/challenges/green-city")
    client = app.test_client()
    client.get("/challenges/green-city")
    with client.session_transaction() as session:
        session.update(personal)
    asked = []
    real = login_manager._load_user
    monkeypatch.setattr(login_manager, "_load_user", lambda: asked.append(1) or real())
    client.get("/challenges/green-city")
    assert asked


def test_a_session_bound_to_another_browser_is_unbound_as_before(app, challenge):
    """Flask-Login's "strong" protection sees a session cookie carried to another browser: the session is
    cleared of its binding and bound anew, kept page or not."""
    fetch(app.test_client(), "/challenges/green-city")
    client = app.test_client()
    client.get("/challenges/green-city", headers={"User-Agent": "first browser"})
    assert client.get("/challenges/green-city", headers={"User-Agent": "first browser"}).headers.get("Set-Cookie") is None
    moved = client.get("/challenges/green-city", headers={"User-Agent": "second browser"})
    assert moved.status_code == 200
    assert any(cookie.startswith("session=") for cookie in moved.headers.getlist("Set-Cookie"))


def test_the_language_cookie_wins_over_the_browser_for_kept_pages(app, challenge):
    from govchallenge.core.i18n import LANGUAGE_COOKIE

    english, _ = fetch(app.test_client(), "/challenges/green-city", **{"Accept-Language": "en"})
    chooser = app.test_client()
    chooser.set_cookie(LANGUAGE_COOKIE, "pl")
    polish, _ = fetch(chooser, "/challenges/green-city", **{"Accept-Language": "en"})
    assert 'lang="en"' in english and 'lang="pl"' in polish and "Zielone miasto" in polish
    served, statements = fetch(app.test_client(), "/challenges/green-city", **{"Accept-Language": "pl"})
    assert statements == 0 and 'lang="pl"' in served
    german = app.test_client()
    german.set_cookie(LANGUAGE_COOKIE, "de")
    assert 'lang="de"' in fetch(german, "/challenges/green-city", **{"Accept-Language": "pl"})[0]


def test_each_zone_has_its_own_page(app, challenge):
    utc, _ = fetch(app.test_client(), "/challenges/green-city")
    client = app.test_client()
    client.get("/challenges/green-city")
    with client.session_transaction() as session:
        session["timezone"] = "Asia/Tokyo"
    tokyo, _ = fetch(client, "/challenges/green-city")
    assert "Asia/Tokyo" not in utc and "Asia/Tokyo" in tokyo


def test_a_kept_page_hands_each_visitor_a_token_only_their_session_accepts(make_app):
    app = make_app(PAGE_CACHE="on", WTF_CSRF_ENABLED=True)
    with app.app_context():
        fetch(app.test_client(), "/")
        first, second = app.test_client(), app.test_client()
        tokens = []
        for client in (first, second):
            for _visit in range(2):  # the first visit makes their session's token, the second signs it again
                body, statements = fetch(client, "/")
                assert statements == 0
            tokens.append(re.search(r'name="csrf_token" value="([^"]+)"', body).group(1))
        assert tokens[0] != tokens[1]
        refused = second.post("/language", data={"csrf_token": tokens[0], "language": "pl", "next": "/"})
        assert refused.status_code == 400
        accepted = first.post("/language", data={"csrf_token": tokens[0], "language": "pl", "next": "/"})
        assert accepted.status_code == 302


def test_the_redis_store_counts_every_concurrent_bump(app):
    """The versions are bumped by a script Redis runs whole: two processes bumping at once lose nothing."""
    import threading
    import uuid

    from govchallenge.core import page_cache
    from tests.support.services import REDIS_URL, require_redis

    require_redis(REDIS_URL)
    store = page_cache.RedisStore(REDIS_URL, f"test:{uuid.uuid4().hex}:")
    try:
        def bump():
            for _ in range(50):
                store.bump({"challenge", "team"})

        workers = [threading.Thread(target=bump) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert store.read("nothing") == (None, {"challenge": 200, "team": 200})
    finally:
        store.redis.delete(*store.redis.keys(store.prefix + "*"))
