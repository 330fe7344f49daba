"""The demo's People's Choice award: closed, a burst flagged and discounted with its reason, the count published
and verifiable; loading the demo again changes nothing."""
import sqlalchemy as sa

from govchallenge.challenges.models import by_slug
from govchallenge.extensions import db
from govchallenge.peoples_choice import demo
from govchallenge.peoples_choice.documents import verify
from govchallenge.peoples_choice.models import PeoplesChoiceVote, award_of


def test_the_demo_award_is_published_with_a_discounted_burst(app):
    from govchallenge.demo import load_demo

    load_demo()
    db.session.commit()
    award = award_of(by_slug(demo.SLUG).id)
    assert award is not None and award.is_published and verify(award) == []
    votes = db.session.execute(sa.select(PeoplesChoiceVote).where(PeoplesChoiceVote.award_id == award.id)).scalars().all()
    discounted = [v for v in votes if v.discounted_at is not None]
    assert len(discounted) == demo.BURST and all(v.discount_reason == demo.REASON for v in discounted)
    assert award.document["totals"]["discounted"] == demo.BURST and award.document["discounts"][0]["reason"] == demo.REASON
    assert any(v.version == 2 for v in votes), "someone changed their vote"
    digest = award.digest
    load_demo()
    db.session.commit()
    assert award_of(by_slug(demo.SLUG).id).digest == digest
    page = app.test_client().get(f"/challenges/{demo.SLUG}/results").get_data(as_text=True)
    assert digest in page
    assert app.test_client().get(f"/challenges/{demo.SLUG}/peoples-choice").status_code == 200
