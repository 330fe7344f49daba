"""What the public sees of a shortlisted entry: only what its team released, from its newest submitted version."""
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.submissions.models import SubmissionVersion

from .models import IMAGE_TYPES, PublicRelease


def released(submissions):
    """{submission id: {"title", "summary", "images": [(index, sha256, mime type)]}} in two queries; a field the
    team did not release is "", an image it did not mark public is absent."""
    ids = [s.id for s in submissions]
    if not ids:
        return {}
    newest = {}
    for version in db.session.execute(sa.select(SubmissionVersion).where(SubmissionVersion.submission_id.in_(ids))
                                      .order_by(SubmissionVersion.number)).scalars():
        newest[version.submission_id] = version
    releases = {r.submission_id: r for r in db.session.execute(
        sa.select(PublicRelease).where(PublicRelease.submission_id.in_(ids))).scalars()}
    return {s.id: _shown(newest.get(s.id), releases.get(s.id)) for s in submissions}


def _shown(version, release):
    if version is None or release is None:
        return {"title": "", "summary": "", "images": []}
    files = {f["sha256"]: f for f in version.files or [] if f.get("mime_type") in IMAGE_TYPES}
    images = [(index, sha, files[sha]["mime_type"]) for index, sha in enumerate(release.images or []) if sha in files]
    return {"title": version.title if release.show_title else "", "summary": version.summary if release.show_summary else "",
            "images": images}
