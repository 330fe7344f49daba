"""The demo loader makes the four challenges, once."""
import sqlalchemy as sa

from govchallenge.challenges.models import IN_EVALUATION, OPEN, Challenge, by_slug
from govchallenge.demo import ORGANISATIONS, USERS, ensure_organisation, ensure_user
from govchallenge.extensions import db


def test_demo_challenges(app):
    from govchallenge.challenges.demo import add_demo

    users = {row[0]: ensure_user(*row[:5]) for row in USERS}
    admin = users["admin@govchallenge.example"]
    founders = {row[6]: users[row[0]] for row in USERS if row[7] == "officer"}
    for slug, name, kind, country, website, verified in ORGANISATIONS:
        ensure_organisation(slug, name, kind, country, website, verified, founders[slug], admin)
    add_demo(users)
    add_demo(users)
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count(Challenge.id))).scalar() == 4
    cross = by_slug("cross-border-e-services")
    assert cross.state == OPEN and cross.main_language == "pl" and set(cross.languages) == {"pl", "en", "el"}
    assert {h.organisation.country for h in cross.accepted_hosts} == {"PL", "GR"}
    assert 3 <= len(cross.criteria) <= 5 and all(c.anchors for c in cross.criteria)
    assert {p.currency for p in cross.prizes} == {"PLN", "EUR"}
    assert by_slug("smart-mobility-data").state == IN_EVALUATION
    clean = by_slug("clean-air-sensors")
    assert clean.state == IN_EVALUATION and all(s.closes_at <= clean.results_at for s in clean.stages)
    client = app.test_client()
    demo_day = by_slug("cool-streets-demo-day")
    assert demo_day.state == IN_EVALUATION and len(demo_day.stages) == 2 and [p.place for p in demo_day.prizes] == [1, 2, None]
    for slug in ("cross-border-e-services", "smart-mobility-data", "clean-air-sensors", "cool-streets-demo-day"):
        assert client.get(f"/challenges/{slug}").status_code == 200
        assert client.get(f"/api/v1/challenges/{slug}").status_code == 200
    greek = client.get("/challenges/cross-border-e-services", headers={"Accept-Language": "el"}).get_data(as_text=True)
    assert "Διασυνοριακές" in greek and "not available in your language" not in greek
    german = client.get("/challenges/cross-border-e-services", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Transgraniczne e-usługi" in german


def test_every_demo_criterion_says_what_the_jury_looks_for(app):
    import sqlalchemy as sa

    from govchallenge.challenges.models import Criterion
    from govchallenge.demo import load_demo

    load_demo()
    criteria = db.session.execute(sa.select(Criterion)).scalars().all()
    assert criteria and all(c.description.get("en") and "What the jury looks for" in c.description["en"] for c in criteria)
