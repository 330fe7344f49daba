"""The API as partner portals meet it over HTTP: malformed queries refused with a clear JSON message, conditional
requests (ETag, Last-Modified, 304) on the API and the Atom feed, caching rules that keep personal answers private,
and CORS on the read-only API and nowhere else."""
from email.utils import format_datetime

import pytest

from govchallenge.extensions import db
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish

PORTAL = "https://portal.example.eu"


@pytest.fixture
def published(app):
    judged = judged_challenge(slug="river-data")
    publication = publish(judged)
    db.session.commit()
    return publication


# --- malformed queries --------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, named, said", [
    ("sate=open", "sate", "Unknown parameter"),
    ("state=open&state=closed", "state", "only once"),
    ("state=Open", "state", "Not a valid value"),
    ("country=pl", "country", "Not a valid value"),
    ("country=QQ", "country", "Not a valid value"),
    ("language=EN", "language", "Not a valid value"),
    ("sort=random", "sort", "Not a valid value"),
    ("page=0", "page", "Not a valid value"),
    ("page=", "page", "Not a valid value"),
    ("page=%2B1", "page", "Not a valid value"),
    ("per_page=101", "per_page", "Not a valid value"),
    ("per_page=1.5", "per_page", "Not a valid value"),
    ("q=" + "x" * 201, "q", "Not a valid value"),
])
def test_a_malformed_query_is_refused_with_a_message_naming_the_parameter(client, query, named, said):
    response = client.get(f"/api/v1/challenges?{query}")
    assert response.status_code == 400 and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == 400 and named in error["message"] and said in error["message"]
    assert "ETag" not in response.headers  # an error is never tagged for caching


def test_every_fault_of_a_query_is_named_at_once(client):
    message = client.get("/api/v1/challenges?sate=open&sort=random&page=0").get_json()["error"]["message"]
    assert "sate" in message and "sort" in message and "page" in message


def test_the_refusal_speaks_the_requests_language(client):
    response = client.get("/api/v1/challenges?sate=open", headers={"Accept-Language": "de"})
    assert response.status_code == 400 and "Unbekannter Parameter" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("query", ["", "q=", "q=water%20sensors", "q=" + "w" * 200, "per_page=100&page=100000", "country=PL&eligible=DE",
                                   "language=en&state=open&domain=mobility&sort=newest"])
def test_a_well_formed_query_is_answered(client, query):
    assert client.get(f"/api/v1/challenges?{query}").status_code == 200


def test_an_unsupported_method_gets_405_with_the_allowed_methods(client):
    response = client.post("/api/v1/challenges")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


# --- conditional requests -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/challenges", "/api/v1/openapi.json", "/api/v1/challenges/river-data",
                                  "/api/v1/challenges/river-data/results", "/challenges/feed.atom"])
def test_a_client_holding_the_current_copy_gets_304_without_a_body(client, published, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')  # strong
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == first.headers["ETag"]
    other = client.get(path, headers={"If-None-Match": '"another"'})
    assert other.status_code == 200 and other.data == first.data
    head = client.head(path, headers={"If-None-Match": first.headers["ETag"]})
    assert head.status_code == 304


def test_the_tag_changes_when_the_answer_does(app, client, published):
    before = client.get("/api/v1/challenges")
    factories.make_challenge(title={"en": "A new challenge"})
    db.session.commit()
    after = client.get("/api/v1/challenges", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]


def test_published_results_carry_their_publication_time_as_last_modified(client, published):
    response = client.get("/api/v1/challenges/river-data/results")
    assert response.headers["Last-Modified"] == format_datetime(published.published_at.replace(microsecond=0), usegmt=True)
    since = client.get("/api/v1/challenges/river-data/results", headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304
    earlier = client.get("/api/v1/challenges/river-data/results",
                         headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
    assert earlier.status_code == 200


def test_answers_without_a_true_modification_time_carry_no_last_modified(client, published):
    """A challenge's state and counts follow the clock and other tables: no one column dates its answer."""
    for path in ("/api/v1/challenges", "/api/v1/challenges/river-data", "/challenges/feed.atom"):
        assert "Last-Modified" not in client.get(path).headers


def test_public_answers_may_be_cached_but_are_revalidated(client, published):
    for path in ("/api/v1/challenges", "/api/v1/challenges/river-data/results", "/challenges/feed.atom"):
        cache_control = client.get(path).cache_control
        assert cache_control.public and cache_control.no_cache and not cache_control.private


def test_a_signed_in_persons_answers_are_never_cached_publicly(app, login_as, published):
    client = login_as(factories.make_user())
    for path in ("/api/v1/challenges", "/api/v1/challenges/river-data/results", "/challenges/feed.atom"):
        cache_control = client.get(path).cache_control
        assert cache_control.private and not cache_control.public, path


def test_the_feed_is_tagged_per_language(client, published):
    english = client.get("/challenges/feed.atom", headers={"Accept-Language": "en"})
    german = client.get("/challenges/feed.atom", headers={"Accept-Language": "de",
                                                          "If-None-Match": english.headers["ETag"]})
    assert "Accept-Language" in english.headers["Vary"]
    assert german.status_code == 200 and german.headers["ETag"] != english.headers["ETag"]


def test_errors_are_neither_tagged_nor_made_public(client):
    response = client.get("/api/v1/challenges/no-such-challenge")
    assert response.status_code == 404
    assert "ETag" not in response.headers and not response.cache_control.public


# --- CORS ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/challenges", "/api/v1/challenges/river-data/results", "/api/v1/openapi.json"])
def test_any_page_may_read_the_api_without_credentials(client, published, path):
    response = client.get(path, headers={"Origin": PORTAL})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_a_preflight_allows_reading_only(client):
    response = client.options("/api/v1/challenges", headers={
        "Origin": PORTAL, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "If-None-Match"})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert set(response.headers["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in response.headers["Access-Control-Allow-Headers"].lower()
    writing = client.options("/api/v1/challenges", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Methods" not in writing.headers  # the browser sends no POST


@pytest.mark.parametrize("method, path", [("GET", "/challenges/"), ("GET", "/challenges/feed.atom"), ("GET", "/login"),
                                          ("POST", "/login"), ("OPTIONS", "/login"), ("GET", "/challenges/river-data")])
def test_no_page_or_form_of_the_site_answers_cors(client, published, method, path):
    response = client.open(path, method=method, headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    assert not [name for name in response.headers.keys() if name.lower().startswith("access-control-")]


def test_an_operator_may_name_the_origins_allowed(make_app):
    app = make_app(API_CORS_ORIGINS=[PORTAL])
    client = app.test_client()
    allowed = client.get("/api/v1/challenges", headers={"Origin": PORTAL})
    assert allowed.headers["Access-Control-Allow-Origin"] == PORTAL and "Origin" in allowed.headers["Vary"]
    other = client.get("/api/v1/challenges", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
