"""What the platform holds about one person (GDPR art. 15 and 20), as plain JSON sections and the files they
uploaded or submitted. Every row is given whole (each column by name), except the secrets that protect the
account itself (password hash, link nonces), so a new column reaches the export without a change here."""
import datetime
import decimal

import sqlalchemy as sa

from govchallenge.challenges import models as cm
from govchallenge.core import audit
from govchallenge.extensions import db
from govchallenge.identity.models import IdentityLink
from govchallenge.jury import models as jm
from govchallenge.organisations.models import Membership
from govchallenge.peoples_choice.models import PeoplesChoiceVote
from govchallenge.submissions.models import Submission, SubmissionFile, SubmissionVersion
from govchallenge.teams.models import Team, TeamInvitation, TeamMember

SECRET_COLUMNS = {"password_hash", "nonce", "session_version"}


def plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def row(record, **extra):
    values = {c.key: plain(getattr(record, c.key)) for c in sa.inspect(type(record)).column_attrs
              if c.key not in SECRET_COLUMNS}
    return {**values, **extra}


def _all(query):
    return db.session.execute(query).scalars().all()


def profile(user):
    return row(user)


def identities(user):
    return [row(link) for link in _all(sa.select(IdentityLink).where(IdentityLink.user_id == user.id))]


def memberships(user):
    rows = db.session.execute(sa.select(Membership).where(Membership.user_id == user.id)
                              .options(sa.orm.joinedload(Membership.organisation))).scalars().all()
    return [row(m, organisation=m.organisation.name) for m in rows]


def teams(user):
    members = _all(sa.select(TeamMember).where(TeamMember.user_id == user.id)
                   .options(sa.orm.joinedload(TeamMember.team)))
    invitations = _all(sa.select(TeamInvitation).where(sa.func.lower(TeamInvitation.email) == user.email.lower()))
    return {"memberships": [row(m, team=m.team.name, team_public_id=m.team.public_id) for m in members],
            "invitations_received": [row(i) for i in invitations]}


def entries(user):
    """The entries of the person's teams, with the versions they submitted and the files they uploaded."""
    team_ids = sa.select(TeamMember.team_id).where(TeamMember.user_id == user.id)
    submissions = _all(sa.select(Submission).where(Submission.team_id.in_(team_ids)).order_by(Submission.id))
    versions = _all(sa.select(SubmissionVersion).where(SubmissionVersion.submitted_by_id == user.id)
                    .order_by(SubmissionVersion.id))
    uploaded = _all(sa.select(SubmissionFile).where(SubmissionFile.uploaded_by_id == user.id)
                    .order_by(SubmissionFile.id))
    return {"entries": [row(s) for s in submissions], "versions_submitted": [row(v) for v in versions],
            "files_uploaded": [row(f) for f in uploaded]}


def files_to_include(user):
    """(sha256, file name) of every file the person uploaded or that a version they submitted holds."""
    seen = {}
    for version in _all(sa.select(SubmissionVersion).where(SubmissionVersion.submitted_by_id == user.id)):
        for item in version.files or []:
            seen.setdefault(item["sha256"], item.get("filename") or "file")
    for item in _all(sa.select(SubmissionFile).where(SubmissionFile.uploaded_by_id == user.id)):
        seen.setdefault(item.sha256, item.filename)
    return sorted(seen.items())


def jury(user):
    jurors = _all(sa.select(jm.Juror).where(jm.Juror.user_id == user.id).order_by(jm.Juror.id))
    juror_ids = [j.id for j in jurors]
    reviews = db.session.execute(
        sa.select(jm.Review, jm.Assignment).join(jm.Assignment, jm.Assignment.id == jm.Review.assignment_id)
        .where(jm.Assignment.juror_id.in_(juror_ids)).order_by(jm.Review.id)
    ).all()
    conflicts = _all(sa.select(jm.ConflictDeclaration).where(jm.ConflictDeclaration.juror_id.in_(juror_ids)))
    return {"juries": [row(j) for j in jurors],
            "reviews_written": [row(r, assignment=a.public_id, submission_id=a.submission_id) for r, a in reviews],
            "conflicts_declared": [row(c) for c in conflicts]}


def questions(user):
    return [row(q) for q in _all(sa.select(cm.Clarification).where(cm.Clarification.asked_by_id == user.id))]


def follows(user):
    return [row(f) for f in _all(sa.select(cm.Follow).where(cm.Follow.user_id == user.id))]


def peoples_choice_votes(user):
    """The person's People's Choice votes (the address only as the keyed digest the platform keeps)."""
    return [row(v) for v in _all(sa.select(PeoplesChoiceVote).where(PeoplesChoiceVote.user_id == user.id))]


def audit_events(user):
    """Events the person did or that are about their account, with their personal part while it exists."""
    events = _all(sa.select(audit.AuditEvent).where(sa.or_(
        audit.AuditEvent.actor_id == user.id,
        sa.and_(audit.AuditEvent.object_type == "user", audit.AuditEvent.object_id == str(user.id)),
    )).order_by(audit.AuditEvent.id))
    return [{"id": e.id, "created_at": plain(e.created_at), "action": e.action, "actor_id": e.actor_id,
             "actor": e.shown_actor, "object_type": e.object_type, "object_id": e.object_id,
             "detail": e.shown_detail, "ip_address": e.shown_ip} for e in events]


SECTIONS = (
    ("profile.json", profile), ("identity_links.json", identities), ("memberships.json", memberships),
    ("teams.json", teams), ("entries.json", entries), ("jury.json", jury), ("questions.json", questions),
    ("follows.json", follows), ("peoples_choice_votes.json", peoples_choice_votes), ("audit_events.json", audit_events),
)
