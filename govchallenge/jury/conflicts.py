"""Conflicts of interest as the rules read them: detected from shared organisations, e-mail domains and team
membership, or declared (by the juror or the chair, in reviews.declare_conflict). Permissions and assignment
import them from here. Reads only."""
from collections import defaultdict

import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.organisations.models import Membership
from govchallenge.submissions.models import Submission
from govchallenge.teams.models import Team, TeamMember

from . import assignment as algo
from .guards import JuryError
from .membership import challenge_jurors, juror_of_user
from .models import ConflictDeclaration, Juror, Round, RoundEntry


def load_teams(submission_ids):
    if not submission_ids:
        return {}
    rows = db.session.execute(
        sa.select(Submission).where(Submission.id.in_(list(submission_ids)))
        .options(sa.orm.joinedload(Submission.team).selectinload(Team.members).joinedload(TeamMember.user))
    ).unique().scalars().all()
    return {s.id: s for s in rows}


def entry_spec(submission):
    members = submission.team.members
    return algo.EntrySpec(
        submission.id,
        frozenset(m.organisation_id for m in members if m.organisation_id is not None),
        frozenset(d for d in (algo.email_domain(m.user.email) for m in members) if d),
        frozenset(m.user_id for m in members),
    )


def juror_specs(jurors):
    """Specs of each juror (one per organisation they belong to, same juror id) and their main spec."""
    user_ids = [j.user_id for j in jurors if j.user_id]
    orgs = defaultdict(set)
    if user_ids:
        for m in db.session.execute(sa.select(Membership).where(Membership.user_id.in_(user_ids), Membership.state == "active")).scalars():
            orgs[m.user_id].add(m.organisation_id)
    main, extra = [], []
    for j in jurors:
        email = j.user.email if j.user is not None else j.email
        spec = algo.JurorSpec(j.id, j.organisation_id, algo.email_domain(email), j.user_id)
        main.append(spec)
        for org in orgs.get(j.user_id, ()):
            if org != j.organisation_id:
                extra.append(algo.JurorSpec(j.id, org, None, None))
        if j.email and j.user is not None and algo.email_domain(j.email) != spec.email_domain:
            extra.append(algo.JurorSpec(j.id, None, algo.email_domain(j.email), None))
    return main, extra


def detected_conflicts(challenge_id, submission_ids=None):
    """{(juror_id, submission_id): reason} found automatically (shared organisation, e-mail domain, membership)."""
    if submission_ids is None:
        submission_ids = db.session.execute(
            sa.select(RoundEntry.submission_id).join(Round).where(Round.challenge_id == challenge_id)
        ).scalars().all()
    submissions = load_teams(set(submission_ids))
    jurors = challenge_jurors(challenge_id, accepted_only=False)
    main, extra = juror_specs(jurors)
    return algo.detect_conflicts([entry_spec(s) for s in submissions.values()], main + extra)


def conflict_pairs(challenge_id, submission_ids=None):
    """Every (juror_id, submission_id) that must not be paired: detected plus declared/chair conflicts."""
    pairs = dict(detected_conflicts(challenge_id, submission_ids))
    declared = db.session.execute(
        sa.select(ConflictDeclaration).join(Juror).where(Juror.challenge_id == challenge_id)
    ).scalars().all()
    if declared:
        subs = db.session.execute(
            sa.select(Submission.id, Submission.team_id).join(RoundEntry, RoundEntry.submission_id == Submission.id)
            .join(Round).where(Round.challenge_id == challenge_id)
        ).all()
        org_teams = defaultdict(set)
        for team_id, org_id in db.session.execute(
            sa.select(TeamMember.team_id, TeamMember.organisation_id).where(TeamMember.challenge_id == challenge_id)
        ).all():
            if org_id is not None:
                org_teams[org_id].add(team_id)
        for c in declared:
            for sid, team_id in subs:
                if c.team_id == team_id or (c.organisation_id is not None and team_id in org_teams[c.organisation_id]):
                    pairs[(c.juror_id, sid)] = c.kind
    return pairs


def conflicted_entries(juror, submission_ids=None):
    """The submission ids (of the challenge's rounds, or of `submission_ids`) the juror is conflicted with,
    by the same rules as the assignment: detected, declared or added by the chair."""
    if juror is None:
        return set()
    return {sid for (jid, sid) in conflict_pairs(juror.challenge_id, submission_ids) if jid == juror.id}


def is_conflicted(juror, submission_id):
    return submission_id in conflicted_entries(juror, [submission_id])


def refuse_conflicted_actor(challenge_id, actor, submission_id):
    """A chair (or anyone on the jury) never changes the scores of an entry they are conflicted with."""
    if is_conflicted(juror_of_user(challenge_id, actor), submission_id):
        raise JuryError("chair_conflict")
