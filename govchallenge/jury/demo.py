"""Demo data of the jury domain (registered in govchallenge.demo.DEMO_STEPS); idempotent.

- "smart-mobility-data" (in evaluation): a jury from three countries (FR, CZ, IT) chaired by the
  Thessaloniki host officer; round 1 open, part of the reviews submitted, one draft.
- "clean-air-sensors": the same three jurors chaired by the Polish ministry's officer; every review
  submitted and round 1 closed, so the results domain can publish it.
- "cool-streets-demo-day": the same jury chaired by the Thessaloniki officer; round 1 scored and closed, its top
  five judged in pairs on demo day (round 2, closed), so the results domain publishes a pairwise outcome.
A challenge whose slug is missing, or that already has a round, is left alone.
"""
import logging
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.challenges.models import by_slug
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

log = logging.getLogger(__name__)

JURORS = ["sophie.martin@jury.example.fr", "jan.dvorak@jury.example.cz", "maria.rossi@jury.example.it"]
PLAN = {
    # slug: (chair e-mail, share of reviews submitted, close the round)
    "smart-mobility-data": ("eleni.papadopoulou@thessaloniki.example.gr", 0.5, False),
    "clean-air-sensors": ("anna.kowalska@cyfryzacja.example.pl", 1.0, True),
    "cool-streets-demo-day": ("eleni.papadopoulou@thessaloniki.example.gr", 1.0, True),
}
# slug: how many entries of round 1 reach the final round, judged in pairs on demo day (closed when every juror
# has seen every finalist they may).
PAIRWISE_FINALS = {"cool-streets-demo-day": 5}
COMMENTS = [
    "Clear problem statement; the pilot plan is realistic.",
    "Strong data approach, but the budget for the second city is thin.",
    "Good reuse of open standards; interoperability across borders is convincing.",
    "The prototype is promising; governance of the data needs more detail.",
]


def _score(criterion, entry_index, juror_index):
    """A deterministic, plausible score: a quality per entry plus a small juror-dependent offset."""
    span = criterion.scale_max - criterion.scale_min
    quality = ((entry_index * 37) % 10) / 9.0  # 0..1
    offset = ((juror_index * 7 + entry_index * 3 + criterion.position) % 5 - 2) / 10.0
    share = min(1.0, max(0.0, 0.2 + 0.7 * quality + offset))
    return criterion.scale_min + round(share * span)


def add_demo(users):
    """users: {e-mail: User} of the foundation's demo accounts."""
    from . import operations as ops
    from .models import Juror, Round

    for slug, (chair_email, share, close) in PLAN.items():
        challenge = by_slug(slug)
        if challenge is None:
            continue
        if db.session.execute(sa.select(Round.id).where(Round.challenge_id == challenge.id)).first():
            continue
        chair_user = users.get(chair_email)
        people = [users.get(e) for e in JURORS]
        if chair_user is None or any(p is None for p in people):
            continue
        try:
            for user, is_chair in [(chair_user, True)] + [(p, False) for p in people]:
                juror = db.session.execute(
                    sa.select(Juror).where(Juror.challenge_id == challenge.id, Juror.email == user.email)
                ).scalar_one_or_none()
                if juror is None:
                    juror = ops.invite_juror(challenge, user.email, user.name, chair_user, is_chair=is_chair)
                if juror.state == "invited":
                    ops.accept_invitation(juror, user, True)
            if not juror.conflicts:  # the last juror knows a person and an organisation (before any assignment)
                ops.declare_conflicts(juror, juror.user, "personal", note="Former colleague; we co-wrote a report.",
                                      organisation_ids=_some_organisation(), people="Μαρία Παπαδοπούλου")
            closes_at = None if close else utcnow() + timedelta(days=7)
            rnd, _result = ops.open_first_round(challenge, chair_user, 3, closes_at=closes_at, seed=2020)
        except ops.JuryError as error:
            log.warning("demo jury of %s skipped: %s", slug, error.code)
            continue
        _fill_reviews(rnd, share, ops)
        if close:
            ops.close_round(rnd, chair_user)
        if slug in PAIRWISE_FINALS:
            _demo_day(rnd, chair_user, PAIRWISE_FINALS[slug])
    db.session.flush()


def _demo_day(first_round, chair_user, finalists):
    """Round 2 of the shortlist's top entries, judged in pairs: each juror sees every finalist they may and answers
    by a plain order of quality (the finalist of lower submission id is better), one juror contradicting it on
    every third answer (so the chair's page shows a lower reliability); then the chair closes the round."""
    from . import finals, operations as ops
    from .models import CURRENT, PAIRWISE, PREVIOUS

    final, _result = ops.shortlist(first_round, chair_user, top_n=finalists, seed=2026)
    finals.set_round_kind(final, PAIRWISE, chair_user)
    for index, juror in enumerate(finals.round_jurors(final)):
        previous = finals.show_next(final, juror, juror.user)
        showing = finals.show_next(final, juror, juror.user)
        answers = 0
        while showing is not None and previous is not None:
            better = CURRENT if showing.submission_id < previous.submission_id else PREVIOUS
            answers += 1
            if index == 2 and answers % 3 == 0:
                better = PREVIOUS if better == CURRENT else CURRENT
            previous, showing = showing, finals.cast_pairwise_vote(final, juror, showing.public_id, better, juror.user)
    finals.close_final_round(final, chair_user, reason="Demo day is over: every juror has seen every finalist.")


def _some_organisation():
    from govchallenge.organisations.models import Organisation

    first = db.session.execute(sa.select(Organisation.id).order_by(Organisation.id).limit(1)).scalar_one_or_none()
    return [first] if first is not None else []


def _fill_reviews(rnd, share, ops):
    criteria = rnd.criteria
    challenge = rnd.challenge
    assignments = ops.active_assignments(rnd)
    entry_index = {sid: i for i, sid in enumerate(sorted({a.submission_id for a in assignments}))}
    by_juror = {}
    for a in sorted(assignments, key=lambda a: a.id):
        by_juror.setdefault(a.juror_id, []).append(a)
    for juror_index, (juror_id, mine) in enumerate(sorted(by_juror.items())):
        count = len(mine) if share >= 1 else int(len(mine) * share)
        for n, a in enumerate(mine):
            if n > count:
                break
            scores = {c.id: _score(c, entry_index[a.submission_id], juror_index) for c in criteria}
            text = COMMENTS[(juror_index + n) % len(COMMENTS)]
            comments = {"overall": text}
            if challenge.review_comment == "per_criterion":
                comments.update({c.id: text for c in criteria})
            user = a.juror.user
            # One draft per juror where the round stays open: the n == count review.
            ops.save_review(a, user, scores, comments, lock_version=0, submit=n < count)
