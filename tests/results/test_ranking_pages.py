"""The ranking's honesty where the chair and the hosts see it: design warnings and refusals on the results
preview, reliability beside alpha (undefined with its reason), ties marked as close calls, in the viewer's language."""
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.jury.models import Assignment
from govchallenge.results import operations
from tests.support.results_factories import judged_challenge


def test_the_preview_warns_of_missing_reviews_and_a_single_juror_and_shows_reliability(app, login_as):
    judged = judged_challenge(entries=3, jurors=1)  # the round asked for one review an entry: the chair alone
    db.session.commit()
    html = login_as(judged.chair).get(f"/challenges/{judged.challenge.slug}/results").get_data(as_text=True)
    assert "Warnings about the review design" in html
    assert "A single juror reviewed every entry" in html
    # the chair sits on the blind jury: entries are named without their teams
    assert "3 entries have a single review" in html and "Entry 001" in html and "Team 001" not in html
    # reliability beside alpha, where alpha is shown (the proposed ranking): with one juror nothing can be
    # measured, and the page says why
    operations.propose(judged.challenge, judged.chair)
    db.session.commit()
    html = login_as(judged.officer).get(f"/challenges/{judged.challenge.slug}/results").get_data(as_text=True)
    assert "The averaged score, ICC(1,k)" in html and "undefined: a single juror" in html


def test_fewer_reviews_than_asked_are_named_to_the_chair_in_the_chairs_language(app, login_as):
    judged = judged_challenge(entries=3, jurors=3)
    lost = db.session.execute(sa.select(Assignment).where(Assignment.submission_id == judged.submissions[2].id)
                              .order_by(Assignment.id)).scalars().first()
    lost.state = "recused"  # the juror withdrew: the entry keeps two of the three reviews asked for
    judged.chair.language = "pl"
    db.session.commit()
    html = login_as(judged.chair).get(f"/challenges/{judged.challenge.slug}/results").get_data(as_text=True)
    assert "1 zgłoszenie ma mniej ocen niż wymagane 3: Entry 003." in html and "Team 003" not in html


def test_all_equal_scores_share_the_place_as_close_calls_and_agreement_is_undefined(app, login_as):
    judged = judged_challenge(entries=3, score=lambda e, j, c: 5)
    publication = operations.propose(judged.challenge, judged.chair)
    full = publication.full
    assert full["challenge"]["calibration"] == "model" and full["bootstrap"]["method"] == "posterior"
    assert {(e["place"], e["tie"], e["close_call"], tuple(e["interval"])) for e in full["entries"]} == {(1, "shared", True, (1, 3))}
    assert full["agreement"]["total"] is None
    assert full["reliability"]["total"]["alpha_undefined"] == "no_variation"
    assert set(full["reliability"]["total"]["icc_undefined"].values()) == {"no_variation"}
    assert {"code": "no_variation"} in full["warnings"]
    db.session.commit()
    html = login_as(judged.officer).get(f"/challenges/{judged.challenge.slug}/results").get_data(as_text=True)
    assert "undefined: the values do not vary" in html and "shared place" in html
    assert "Every review gave the same total" in html


def test_the_published_document_keeps_the_chairs_warnings_to_itself(app):
    from tests.support.results_factories import publish

    judged = judged_challenge(entries=2, jurors=1)
    publication = publish(judged)
    assert publication.full["warnings"] and "warnings" not in publication.document
    assert publication.document["reliability"]["total"]["icc_undefined"]["1_k"] == "one_rater"
