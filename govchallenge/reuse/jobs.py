"""E-mails of the reuse catalogue, sent by outbox jobs in each recipient's language."""
import sqlalchemy as sa
from flask_babel import gettext as _

from govchallenge.accounts.models import User
from govchallenge.core import mail
from govchallenge.core.languages import pick
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.jobs import message_id
from govchallenge.organisations.models import ACTIVE, OFFICER, Membership

from .models import USE, Adoption


def _recipients(listing):
    """The team's members and the officers of the challenge's accepted hosts, each once."""
    users = {m.user_id for m in listing.submission.team.members}
    hosts = [h.organisation_id for h in listing.challenge.accepted_hosts]
    if hosts:
        users |= set(db.session.execute(sa.select(Membership.user_id).where(
            Membership.organisation_id.in_(hosts), Membership.role == OFFICER, Membership.state == ACTIVE)).scalars())
    return db.session.execute(sa.select(User).where(User.id.in_(users)).order_by(User.id)).scalars().all()


def email_adoption(adoption_id):
    """Tells the team and the original hosts that a public body uses (or wants) their solution. Each message
    carries a stable id, so a second run of the job sends nothing new to a mail server that deduplicates, and a
    withdrawn record is not announced."""
    adoption = db.session.get(Adoption, adoption_id)
    if adoption is None or adoption.withdrawn_at is not None:
        return "nothing to do"
    listing = adoption.listing
    challenge = listing.challenge
    sent = 0
    for user in _recipients(listing):
        title = str(pick(challenge.title, user.language, challenge.main_language))
        body, solution = adoption.organisation.name, listing.name
        subject = ((lambda: _("%(body)s uses “%(solution)s”", body=body, solution=solution)) if adoption.kind == USE
                   else (lambda: _("%(body)s wants “%(solution)s”", body=body, solution=solution)))
        message = mail.render(
            "reuse_adoption", user.language, user.email, subject,
            message_id=message_id("reuse_adoption", adoption.id, user.id),
            user=user, adoption=adoption, listing=listing, organisation=adoption.organisation, title=title,
            link=external_url("reuse.show", slug=listing.slug),
        )
        mail.send(message)
        sent += 1
    return f"sent {sent}"


def refresh_dataset():
    """Regenerates the stored open dataset (dataset.py); enqueued with every change that alters it."""
    from . import dataset

    return f"sha256 {dataset.refresh(external_url).sha256}"
