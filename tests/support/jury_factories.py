"""Factories of the jury domain: a challenge with closed stage, teams with entries, jurors, a round."""
from datetime import timedelta

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jury import operations as ops
from govchallenge.jury.models import ACCEPTED, Juror
from tests.support.factories import make_challenge, make_organisation, make_submission, make_team, make_user


def make_juror(challenge, user=None, is_chair=False, organisation=None, accepted=True, email=None):
    user = user or make_user()
    juror = Juror(challenge_id=challenge.id, email=email or user.email, name=user.name, is_chair=is_chair,
                  organisation_id=organisation.id if organisation else None)
    if accepted:
        juror.user_id = user.id
        juror.state = ACCEPTED
        juror.accepted_at = juror.confidentiality_agreed_at = utcnow()
    db.session.add(juror)
    db.session.flush()
    return juror


def make_jury_setup(host=None, n_entries=4, n_jurors=4, reviews=3, anonymous=True, review_comment="overall",
                    jurors_see_others=False, open_round=True, closes_in_days=7):
    """A challenge whose stage closed, `n_entries` entries of teams of distinct organisations,
    `n_jurors` accepted jurors (the first chairs), and round 1 assigned. Returns a dict."""
    challenge = make_challenge(host=host, opens_in_days=-30, closes_in_days=-1, anonymous_review=anonymous,
                               review_comment=review_comment, jurors_see_others=jurors_see_others)
    teams, submissions = [], []
    for i in range(n_entries):
        lead = make_user(email=f"lead{i}-{challenge.id}@team{i}-{challenge.id}.example.org", name=f"Leader Zebulon{i} Q{challenge.id}")
        org = make_organisation(name=f"Acme Widgets {i} of {challenge.id}", kind="startup")
        team = make_team(challenge, [lead], name=f"Team Xylophone {i} of {challenge.id}", organisations={lead.id: org})
        teams.append(team)
        submissions.append(make_submission(team, title=f"Entry title {i}"))
    users = [make_user(email=f"juror{k}-{challenge.id}@jury{k}.example.eu", name=f"Judith Panelist{k} C{challenge.id}") for k in range(n_jurors)]
    jurors = [make_juror(challenge, u, is_chair=(k == 0)) for k, u in enumerate(users)]
    rnd = None
    if open_round:
        closes_at = utcnow() + timedelta(days=closes_in_days) if closes_in_days is not None else None
        rnd, _ = ops.open_first_round(challenge, users[0], reviews, closes_at=closes_at, seed=1)
    db.session.commit()
    return {"challenge": challenge, "teams": teams, "submissions": submissions, "users": users, "jurors": jurors,
            "round": rnd, "chair": users[0]}


def submit_all_reviews(rnd, score=None):
    """Every active assignment of the round submitted; by default each entry gets its own score (0–10)."""
    criteria = rnd.criteria
    for a in ops.active_assignments(rnd):
        value = score if score is not None else min(10, (a.submission_id * 3) % 11)
        ops.save_review(a, a.juror.user, {c.id: value for c in criteria}, {"overall": "ok"},
                        a.review.lock_version if a.review else 0, submit=True)
    db.session.commit()


def close_excluding_short(rnd, chair, reason="Reviews missing at the deadline", kind="reviews_late"):
    """Closes the round, excluding (with `kind` and `reason`) every entry short of reviews. Flushes."""
    decisions = {entry.id: ops.EntryDecision(ops.EXCLUDE, kind=kind, reason=reason) for entry, _done in ops.short_entries(rnd)}
    return ops.close_round(rnd, chair, decisions)


def confirmed_shortlist(client, url, data, prefix="s1"):
    """Posts the shortlist rule, reads who advances from the confirmation page, and confirms it.
    Returns (confirmation page response, final response)."""
    import re

    shown = client.post(url, data=data)
    if shown.status_code != 200:
        return shown, shown
    advancing = re.search(rf'name="{prefix}-advancing" value="([^"]*)"', shown.get_data(as_text=True)).group(1)
    return shown, client.post(url, data={**data, f"{prefix}-confirm": "1", f"{prefix}-advancing": advancing})
