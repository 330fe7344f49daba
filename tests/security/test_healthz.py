"""/healthz: liveness for anyone, in two words; the details only with the operator's token."""
import pytest

TOKEN = "operator-token-0123456789"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_without_the_operator_token_healthz_says_only_ok(make_app, authorization):
    client = make_app(HEALTHZ_TOKEN=TOKEN).test_client()
    response = client.get("/healthz", headers={"Authorization": authorization} if authorization else {})
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_with_no_token_configured_nobody_gets_details(make_app):
    response = make_app(HEALTHZ_TOKEN="").test_client().get("/healthz", headers={"Authorization": "Bearer "})
    assert response.json == {"status": "ok"}


def test_the_operator_sees_each_service_and_the_backlog(make_app):
    response = make_app(HEALTHZ_TOKEN=TOKEN).test_client().get("/healthz", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.json == {"status": "ok", "database": "ok", "redis": "not configured", "outbox_pending": 0}


def test_a_failing_service_is_503_degraded_and_named_only_to_the_operator(make_app, private_redis):
    app = make_app(HEALTHZ_TOKEN=TOKEN, REDIS_URL=private_redis.url)
    private_redis.stop()
    public = app.test_client().get("/healthz")
    assert public.status_code == 503 and public.json == {"status": "degraded"}
    operator = app.test_client().get("/healthz", headers={"Authorization": f"Bearer {TOKEN}"})
    assert operator.status_code == 503 and operator.json["redis"].startswith("unavailable")
