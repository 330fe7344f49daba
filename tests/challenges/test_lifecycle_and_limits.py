"""Hosts move a closed challenge into evaluation and archive it; numbers, dates and page numbers that
no one could mean are refused with a message, never a 500."""
import sqlalchemy as sa
import pytest

from govchallenge.challenges.models import ARCHIVED, DRAFT, IN_EVALUATION, RESULTS_PUBLISHED, by_slug
from govchallenge.extensions import db
from tests.support import factories


def test_host_starts_the_evaluation_of_a_closed_challenge_and_archives_it(app, people, client_for):
    closed = factories.make_challenge(host=people["ministry"], opens_in_days=-10, closes_in_days=-1)
    slug = closed.slug
    db.session.commit()
    officer = client_for("officer")
    assert "Start the evaluation" in officer.get(f"/challenges/{slug}").get_data(as_text=True)
    assert officer.post(f"/challenges/{slug}/start-evaluation").status_code == 302
    db.session.expire_all()
    assert by_slug(slug).status == IN_EVALUATION
    assert officer.post(f"/challenges/{slug}/archive").status_code == 302
    db.session.expire_all()
    assert by_slug(slug).status == ARCHIVED
    assert client_for("anonymous").get(f"/challenges/{slug}").status_code == 200  # archived stays public


def test_evaluation_cannot_start_while_entries_are_open(app, people, client_for):
    open_ = factories.make_challenge(host=people["ministry"])
    slug = open_.slug
    db.session.commit()
    response = client_for("officer").post(f"/challenges/{slug}/start-evaluation", follow_redirects=True)
    assert "has not closed yet" in response.get_data(as_text=True)
    response = client_for("officer").post(f"/challenges/{slug}/archive", follow_redirects=True)
    assert "has not closed yet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert by_slug(slug).state == "open"


@pytest.mark.parametrize("role,status", [("anonymous", 302), ("participant", 403), ("member", 403)])
@pytest.mark.parametrize("action", ["start-evaluation", "archive"])
def test_only_hosts_and_admins_move_the_workflow(app, people, client_for, role, status, action):
    closed = factories.make_challenge(host=people["ministry"], opens_in_days=-10, closes_in_days=-1)
    slug = closed.slug
    db.session.commit()
    assert client_for(role).post(f"/challenges/{slug}/{action}").status_code == status
    db.session.expire_all()
    assert by_slug(slug).status == "approved"


def test_admin_may_archive_after_results(app, people, client_for):
    challenge = factories.make_challenge(host=people["ministry"], opens_in_days=-10, closes_in_days=-1, status=RESULTS_PUBLISHED)
    slug = challenge.slug
    db.session.commit()
    assert "Archive the challenge" in client_for("admin").get(f"/challenges/{slug}").get_data(as_text=True)
    assert "Archive the challenge" not in client_for("participant").get(f"/challenges/{slug}").get_data(as_text=True)
    assert client_for("admin").post(f"/challenges/{slug}/archive").status_code == 302
    db.session.expire_all()
    assert by_slug(slug).status == ARCHIVED


def test_numbers_no_one_could_mean_are_refused(app, people, client_for):
    challenge = factories.make_challenge(host=people["ministry"], status=DRAFT, criteria=0)
    challenge.stages.clear()
    db.session.commit()
    slug, officer = challenge.slug, client_for("officer")
    bad = [
        ("criteria", {"name": "C", "weight": "nan", "scale_min": "0", "scale_max": "10", "round_number": "1"}, "ordinary number"),
        ("criteria", {"name": "C", "weight": "inf", "scale_min": "0", "scale_max": "10", "round_number": "1"}, "ordinary number"),
        ("criteria", {"name": "C", "weight": "1", "scale_min": "0", "scale_max": str(10**23), "round_number": "1"}, "between"),
        ("criteria", {"name": "C", "weight": "1", "scale_min": "0", "scale_max": "10", "threshold": "nan", "round_number": "1"}, "ordinary number"),
        ("prizes", {"name": "P", "amount": "sNaN", "currency": "EUR"}, "ordinary number"),
        ("prizes", {"name": "P", "amount": "Infinity", "currency": "EUR"}, "ordinary number"),
        ("stages", {"name": "S", "opens_at": "0001-01-01T00:00", "closes_at": "0001-01-02T00:00"}, "between the years"),
        ("stages", {"name": "S", "opens_at": "2030-01-01T00:00", "closes_at": "9999-12-31T23:59"}, "between the years"),
    ]
    for page, data, message in bad:
        response = officer.post(f"/challenges/{slug}/{page}", data=data)
        assert response.status_code == 400, (page, data)
        assert message in response.get_data(as_text=True), (page, data)
    db.session.expire_all()
    challenge = by_slug(slug)
    assert challenge.stages == [] and challenge.criteria == [] and challenge.prizes == []


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "1e9", "²", "٣"])
def test_impossible_page_numbers_are_refused(app, client, page):
    assert client.get(f"/challenges/?page={page}").status_code == 404
    assert client.get(f"/organisations/?page={page}").status_code == 404
    response = client.get(f"/api/v1/challenges?page={page}")
    assert response.status_code == 400 and "page" in response.get_json()["error"]["message"]


def test_page_beyond_the_last_is_empty_not_an_error(app, client):
    factories.make_challenge()
    db.session.commit()
    assert client.get("/challenges/?page=500").status_code == 200
    assert client.get("/api/v1/challenges?page=500").get_json()["items"] == []
    assert client.get("/api/v1/challenges?per_page=1000").status_code == 400


def test_removing_a_translation_that_does_not_exist_is_not_found(app, people, client_for):
    challenge = factories.make_challenge(host=people["ministry"], status=DRAFT)
    slug = challenge.slug
    db.session.commit()
    from govchallenge.core.audit import AuditEvent

    changes = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.like("challenge.%"))
    before = db.session.execute(changes).scalar()
    assert client_for("officer").post(f"/challenges/{slug}/translations/xx/remove").status_code == 404
    assert client_for("officer").post(f"/challenges/{slug}/translations/en/remove", follow_redirects=True).status_code == 200
    assert db.session.execute(changes).scalar() == before


def test_money_and_deadlines_are_written_for_the_viewer(app, people, client):
    from govchallenge.challenges.models import Prize

    challenge = factories.make_challenge(host=people["ministry"], timezone="Europe/Warsaw")
    challenge.prizes.append(Prize(name={"en": "First"}, place=1, amount=25000, currency="EUR"))
    db.session.commit()
    english = client.get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert "€25,000.00" in english
    polish = client.get(f"/challenges/{challenge.slug}", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "25\u00a0000,00\u00a0€" in polish
    card = client.get("/challenges/").get_data(as_text=True)
    assert "(Europe/Warsaw)" in card and "UTC" in card  # the viewer's zone and the challenge's
    with app.test_request_context(headers={"Accept-Language": "de"}):
        from govchallenge.core.geo import currency_choices

        assert ("PLN", "PLN — Polnischer Złoty") in currency_choices()
