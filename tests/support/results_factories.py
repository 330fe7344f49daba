"""A judged challenge, ready for results: hosts, a jury with its chair, teams with submitted
entries, a closed round, and every review submitted. Flushes, never commits."""
from dataclasses import dataclass, field

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from tests.support import factories


@dataclass
class Judged:
    challenge: object
    officer: object
    cohost_officer: object
    chair: object
    jurors: list
    teams: list
    submissions: list
    round: object
    juror_rows: list = field(default_factory=list)
    reviews: list = field(default_factory=list)


def default_score(entry_index, juror_index, criterion_index):
    """Entry 0 best; jurors differ a little; always on the 0-10 scale."""
    return max(0, min(10, 9 - entry_index + (juror_index % 2) - (criterion_index % 2)))


def judged_challenge(entries=3, jurors=3, score=default_score, members=None, cohost=True, round_state="closed",
                     submit_all=True, prizes=((1, "First prize"), (2, "Second prize")), special=None, **fields):
    """`members`: list (one per entry) of lists of users; by default one new user per team."""
    from govchallenge.challenges.models import Prize
    from govchallenge.jury.models import Assignment, Juror, Review, Round, RoundEntry

    officer = factories.make_user(name="Hana Host", language="en")
    host = factories.make_public_body(officer=officer, name="Host Ministry")
    cohost_officer = factories.make_user(name="Giorgos Cohost", language="el", country="GR")
    cohosts = [factories.make_public_body(country="GR", officer=cohost_officer, name="Cohost Municipality")] if cohost else []
    fields.setdefault("status", "in_evaluation")
    challenge = factories.make_challenge(host=host, cohosts=cohosts, opens_in_days=-40, closes_in_days=-2, **fields)
    for position, (place, name) in enumerate(prizes, 1):
        challenge.prizes.append(Prize(position=position, place=place, name={"en": name}, amount=1000 * (3 - position), currency="EUR"))
    if special:
        challenge.prizes.append(Prize(position=len(prizes) + 1, place=None, name={"en": special}))
    chair = factories.make_user(name="Chair Person")
    juror_users = [chair] + [factories.make_user(name=f"Juror {n}") for n in range(1, jurors)]
    juror_rows = []
    for index, user in enumerate(juror_users):
        row = Juror(challenge_id=challenge.id, user_id=user.id, email=user.email, name=user.name,
                    is_chair=index == 0, state="accepted", accepted_at=utcnow(), confidentiality_agreed_at=utcnow())
        db.session.add(row)
        juror_rows.append(row)
    jury_round = Round(challenge_id=challenge.id, number=1, name={"en": "Final"}, reviews_per_entry=jurors,
                       state=round_state, closed_at=utcnow() if round_state == "closed" else None)
    db.session.add(jury_round)
    db.session.flush()
    teams, submissions, reviews = [], [], []
    for index in range(entries):
        team_members = members[index] if members else [factories.make_user()]
        team = factories.make_team(challenge, members=team_members, name=f"Team {index + 1:03d}")
        submission = factories.make_submission(team, title=f"Entry {index + 1:03d}")
        teams.append(team)
        submissions.append(submission)
        db.session.add(RoundEntry(round_id=jury_round.id, submission_id=submission.id))
    db.session.flush()
    for e_index, submission in enumerate(submissions):
        for j_index, juror in enumerate(juror_rows):
            assignment = Assignment(round_id=jury_round.id, juror_id=juror.id, submission_id=submission.id, state="active")
            db.session.add(assignment)
            db.session.flush()
            scores = {str(c.id): score(e_index, j_index, c_index) for c_index, c in enumerate(challenge.criteria)}
            review = Review(assignment_id=assignment.id, state="submitted" if submit_all else "draft", scores=scores,
                            comments={}, submitted_at=utcnow() if submit_all else None)
            db.session.add(review)
            reviews.append(review)
    db.session.flush()
    return Judged(challenge, officer, cohost_officer, chair, juror_users, teams, submissions, jury_round,
                  juror_rows, reviews)


def publish(judged):
    """Proposed by the chair, confirmed by every host: published (flushes)."""
    from govchallenge.results import operations

    publication = operations.propose(judged.challenge, judged.chair)
    operations.confirm(publication, judged.officer)
    if not publication.is_published:
        operations.confirm(publication, judged.cohost_officer)
    return publication
