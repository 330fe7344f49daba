"""What the replay holds, counted, and a fingerprint of its content: the same seed must give the same
fingerprint. Database ids, random public ids, file bytes (a PDF carries its own random id) and moments are
left out: they differ between two builds of the same data."""
import hashlib
import json

import sqlalchemy as sa

from govchallenge.accounts.models import User
from govchallenge.challenges.models import Challenge, Criterion, Follow
from govchallenge.extensions import db
from govchallenge.jury.models import Assignment, Juror, Review, Round
from govchallenge.organisations.models import Organisation
from govchallenge.results.models import Publication
from govchallenge.submissions.models import Submission, SubmissionFile
from govchallenge.teams.models import Team, TeamMember


def _count(model, *where):
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def counts():
    return {
        "users": _count(User),
        "countries": db.session.execute(sa.select(sa.func.count(sa.distinct(User.country)))).scalar_one(),
        "organisations": _count(Organisation),
        "challenges": _count(Challenge),
        "domains": db.session.execute(sa.select(sa.func.count(sa.distinct(Challenge.domain)))).scalar_one(),
        "criteria": _count(Criterion),
        "teams": _count(Team),
        "submitted entries": _count(Submission, Submission.state == "submitted"),
        "entry files": _count(SubmissionFile),
        "jurors": db.session.execute(sa.select(sa.func.count(sa.distinct(Juror.user_id)))).scalar_one(),
        "rounds": _count(Round),
        "assignments": _count(Assignment, Assignment.state == "active"),
        "reviews submitted": _count(Review, Review.state == "submitted"),
        "published results": _count(Publication, Publication.state == "published"),
        "follows": _count(Follow),
    }


def _rows(query):
    return sorted(json.dumps(list(row), sort_keys=True, default=str, ensure_ascii=False) for row in db.session.execute(query))


def content():
    """Every part of the replay as sorted JSON lines, keyed by what names it (e-mails, slugs, team names)."""
    juror_user = sa.orm.aliased(User)
    return {
        "users": _rows(sa.select(User.email, User.name, User.country, User.language, User.timezone, User.is_admin)),
        "organisations": _rows(sa.select(Organisation.slug, Organisation.name, Organisation.kind, Organisation.country,
                                         Organisation.verified_at.is_not(None))),
        "challenges": _rows(sa.select(Challenge.slug, Challenge.main_language, Challenge.domain, Challenge.status,
                                      Challenge.title, Challenge.summary, Challenge.description)),
        "criteria": _rows(sa.select(Challenge.slug, Criterion.position, Criterion.name, Criterion.description,
                                    Criterion.weight, Criterion.anchors).select_from(Criterion).join(Challenge, Challenge.id == Criterion.challenge_id)),
        "members": _rows(sa.select(Challenge.slug, Team.name, User.email, TeamMember.role).select_from(TeamMember)
                         .join(Team, Team.id == TeamMember.team_id).join(User, User.id == TeamMember.user_id)
                         .join(Challenge, Challenge.id == Team.challenge_id)),
        "entries": _rows(sa.select(Team.name, Submission.title, Submission.state, Submission.links, SubmissionFile.filename,
                                   SubmissionFile.size).select_from(Submission).join(Team, Team.id == Submission.team_id)
                         .join(SubmissionFile, SubmissionFile.submission_id == Submission.id)),
        "jurors": _rows(sa.select(Challenge.slug, Juror.email, Juror.is_chair, Juror.state, Organisation.slug).select_from(Juror)
                        .join(Challenge, Challenge.id == Juror.challenge_id)
                        .outerjoin(Organisation, Organisation.id == Juror.organisation_id)),
        "reviews": _rows(sa.select(Challenge.slug, juror_user.email, Team.name, Assignment.state, Review.state, Review.scores,
                                   Review.comments).select_from(Assignment)
                         .join(Round, Round.id == Assignment.round_id).join(Challenge, Challenge.id == Round.challenge_id)
                         .join(Juror, Juror.id == Assignment.juror_id).join(juror_user, juror_user.id == Juror.user_id)
                         .join(Submission, Submission.id == Assignment.submission_id).join(Team, Team.id == Submission.team_id)
                         .outerjoin(Review, Review.assignment_id == Assignment.id)),
        "publications": _rows(sa.select(Challenge.slug, Publication.state).select_from(Publication).join(Challenge, Challenge.id == Publication.challenge_id)),
        "follows": _rows(sa.select(Challenge.slug, User.email).select_from(Follow)
                         .join(Challenge, Challenge.id == Follow.challenge_id).join(User, User.id == Follow.user_id)),
    }


def fingerprint():
    """SHA-256 of `content()`."""
    return hashlib.sha256(json.dumps(content(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
