"""People's Choice in a test: a judged challenge with a shortlist of three entries, each team's release made
(title and summary; the first entry also shows a JPEG carrying metadata that must never reach the public), and
the award open for an hour either side of now."""
import itertools
from dataclasses import dataclass
from datetime import timedelta

from govchallenge.core import storage
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.peoples_choice import operations
from govchallenge.submissions.models import SubmissionFile
from tests.support import documents, factories
from tests.support.results_factories import judged_challenge

_voters = itertools.count(1)
SECRET_ARTIST = "Secret Photographer"
IMAGE = documents.jpeg(artist=SECRET_ARTIST, comment="taken at home")


@dataclass
class AwardWorld:
    judged: object
    award: object
    entries: list  # the three shortlisted submissions
    hidden_image: str  # sha256 of an image of entry 0 its team did not mark public


def add_image(submission, data, name):
    stored = storage.save(data, "image/jpeg")
    submission.files.append(SubmissionFile(filename=name, mime_type="image/jpeg", size=stored.size, sha256=stored.sha256))
    version = submission.latest_version
    version.files = list(version.files) + [{"filename": name, "mime_type": "image/jpeg", "size": stored.size,
                                            "sha256": stored.sha256}]
    db.session.flush()
    return stored.sha256


def award_world(entries=3, opens=-timedelta(hours=1), closes=timedelta(hours=1), release_all=True):
    judged = judged_challenge(entries=entries)
    shown_image = add_image(judged.submissions[0], IMAGE, "prototype.jpg")
    hidden_image = add_image(judged.submissions[0], documents.jpeg(artist="Other", size=(30, 30)), "team-photo.jpg")
    if release_all:
        for index, submission in enumerate(judged.submissions):
            from govchallenge.jury.queries import entry_content

            lead = submission.team.members[0].user
            operations.release(lead, submission, entry_content(submission), True, index != 2,
                               [shown_image] if index == 0 else [])
    now = utcnow()
    award = operations.open_award(judged.officer, judged.challenge, [s.id for s in judged.submissions],
                                  now - timedelta(hours=2), now + timedelta(hours=2), now=now - timedelta(hours=3))
    award.opens_at, award.closes_at = now + opens, now + closes
    db.session.flush()
    return AwardWorld(judged, award, list(judged.submissions), hidden_image)


def voter(created_days_ago=30, domain=None, verified=True):
    user = factories.make_user(email=f"voter{next(_voters)}@{domain}" if domain else None, verified=verified)
    user.created_at = utcnow() - timedelta(days=created_days_ago)
    return user
