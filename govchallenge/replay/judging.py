"""The replay's juries, through the jury's and results' own operations: invitations accepted with the
confidentiality agreement, round 1 opened and assigned (R = 3), every review scored, and for one challenge
the round closed, the ranking proposed by the chair and confirmed by the host, which publishes it."""
from datetime import timedelta

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury import operations as jury
from govchallenge.results import operations as results

COMMENTS = ["Clear problem statement; the pilot plan is realistic.",
            "Strong use of open data; the budget for a second country is thin.",
            "Reusable across borders; governance of the data needs more detail.",
            "Promising prototype; accessibility is not yet addressed."]


def seat_jury(rng, challenge, people, organisations, host_officer):
    """`people` invited by the host's officer and accepting (the first chairs); about half sit for an
    organisation, so the assignment meets real conflicts. Returns the chair's account."""
    for index, user in enumerate(people):
        organisation = rng.choice(organisations) if rng.random() < 0.5 else None
        juror = jury.invite_juror(challenge, user.email, user.name, host_officer, is_chair=index == 0)
        jury.accept_invitation(juror, user, True, organisation_id=getattr(organisation, "id", None))
    db.session.flush()
    return people[0]


def score_of(criterion, quality, bias, rng):
    """An entry's quality (0-1) seen by a juror with a bias, with noise, on the criterion's scale."""
    share = min(1.0, max(0.0, quality + bias + rng.gauss(0, 0.08)))
    return criterion.scale_min + round(share * (criterion.scale_max - criterion.scale_min))


def judge(rng, challenge, chair, seed, batch, commit):
    """Round 1 opened and assigned, then every assignment reviewed and submitted. Returns the round."""
    rnd, _result = jury.open_first_round(challenge, chair, 3, closes_at=utcnow() + timedelta(days=14), seed=seed)
    commit()
    assignments = sorted(jury.active_assignments(rnd), key=lambda a: (a.submission_id, a.juror_id))
    qualities = {sid: rng.random() * 0.8 + 0.1 for sid in sorted({a.submission_id for a in assignments})}
    biases = {jid: rng.gauss(0, 0.06) for jid in sorted({a.juror_id for a in assignments})}
    criteria = rnd.criteria
    for n, assignment in enumerate(assignments, start=1):
        scores = {c.id: score_of(c, qualities[assignment.submission_id], biases[assignment.juror_id], rng) for c in criteria}
        jury.save_review(assignment, assignment.juror.user, scores, {"overall": rng.choice(COMMENTS)}, 0, submit=True)
        if n % batch == 0:
            commit()
    db.session.flush()
    return rnd


def publish(rnd, chair, host_officer):
    """The round closed by the chair, the ranking proposed by the chair and confirmed by the host's officer
    (the only host): published, with its announcement queued."""
    jury.close_round(rnd, chair)
    publication = results.propose(rnd.challenge, chair)
    results.confirm(publication, host_officer)
    return publication
