"""The e-mail of an announcement: one message per delivery, in the recipient's language, rendered from the
publication read once per run (`Letters`), with a Message-ID fixed by the delivery row so every attempt
carries the same one."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from govchallenge.core import mail
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.urls import external_url
from govchallenge.extensions import db

from . import documents
from .models import PARTICIPANT

SUBJECT_PARTICIPANT = _l("Results of %(title)s: your outcome")
SUBJECT_GENERAL = _l("Results of %(title)s are published")


@dataclass(frozen=True)
class Addressee:
    email: str
    name: str


@dataclass(frozen=True)
class EntryOfTeam:
    id: int
    public_id: str
    title: str


@dataclass(frozen=True)
class Letters:
    """What the messages of one run share, read once: the publication's two JSON documents are large, and
    every claim's commit would expire them and make each message parse them again; and the names, addresses
    and entries of the run's recipients, read in two queries instead of two per message."""
    full: dict
    document: dict
    digest: str
    link: str
    winners: list
    people: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)

    @classmethod
    def of(cls, publication, deliveries=()):
        from govchallenge.accounts.models import User
        from govchallenge.submissions.models import Submission

        full = publication.full
        user_ids = {d.user_id for d in deliveries if d.user_id}
        submission_ids = {d.submission_id for d in deliveries if d.submission_id}
        people = {row.id: Addressee(row.email, row.name) for row in db.session.execute(
            sa.select(User.id, User.email, User.name).where(User.id.in_(user_ids)))} if user_ids else {}
        entries = {row.id: EntryOfTeam(*row) for row in db.session.execute(
            sa.select(Submission.id, Submission.public_id, Submission.title).where(Submission.id.in_(submission_ids)))
        } if submission_ids else {}
        return cls(full=full, document=publication.document, digest=publication.digest,
                   link=external_url("results.show", slug=publication.challenge.slug), winners=documents.winners(full),
                   people=people, entries=entries)

    def person(self, user_id):
        from govchallenge.accounts.models import User

        return self.people.get(user_id) or db.session.get(User, user_id)

    def entry(self, submission_id):
        from govchallenge.submissions.models import Submission

        return self.entries.get(submission_id) or db.session.get(Submission, submission_id)


def email_for(delivery, letters=None):
    """The rendered message, in the recipient's language, with a Message-ID that stays the same
    across attempts."""
    letters = letters or Letters.of(delivery.announcement.publication)
    full, document = letters.full, letters.document
    language = delivery.language or "en"
    title = documents.title_in(document, language)
    user = letters.person(delivery.user_id) if delivery.user_id else None
    address = user.email if user else delivery.recipient_key.partition(":")[2]
    context = {
        "user": user, "title": title, "link": letters.link, "digest": letters.digest, "document": document,
        "winners": letters.winners,
        "main_language": document["challenge"]["main_language"],
    }
    if delivery.role == PARTICIPANT:
        submission = letters.entry(delivery.submission_id) if delivery.submission_id else None
        context["outcome"] = documents.outcome_for(full, submission.public_id) if submission else None
        context["exclusion"] = exclusion_of(submission) if submission and context["outcome"] is None else None
        context["entries_ranked"] = document["entries_ranked"]
        context["submission"] = submission
        template, subject = "results_participant", SUBJECT_PARTICIPANT
    else:
        context["role"] = delivery.role
        template, subject = "results_announcement", SUBJECT_GENERAL
    return mail.render(template, language, address, lambda: subject % {"title": title},
                       message_id=message_id_of(delivery), **context)


def exclusion_of(submission):
    """The round in which the chair took the entry out of the judging (the latest, if several), or None: what
    the team is told instead of "did not reach the final round", which would not be true."""
    from govchallenge.jury.models import Round, RoundEntry

    return db.session.execute(
        sa.select(RoundEntry).join(Round).where(RoundEntry.submission_id == submission.id,
                                                RoundEntry.excluded_at.is_not(None))
        .order_by(Round.number.desc()).limit(1)
    ).scalar_one_or_none()


def message_id_of(delivery):
    """The delivery row is the message: every attempt, by any worker or any run of the job, carries this id."""
    return mail.stable_message_id("results", delivery.id, delivery.created_at.isoformat())


def send_email(delivery, letters=None, postbox=None):
    message = email_for(delivery, letters)
    if postbox is None:
        mail.send(message)
    else:
        postbox.send(message)

