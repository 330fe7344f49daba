"""The receipt e-mail: one job per member, in that member's language."""
from flask_babel import gettext as _

from govchallenge.accounts.models import User
from govchallenge.core import mail
from govchallenge.core.languages import pick
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.jobs import message_id

from .models import SubmissionVersion


def send_receipt(version_id, user_id):
    version = db.session.get(SubmissionVersion, version_id)
    user = db.session.get(User, user_id)
    if version is None or user is None:
        return "nothing to do"
    submission = version.submission
    team, stage = submission.team, submission.stage
    challenge = team.challenge
    link = external_url("submissions.receipt", public_id=submission.public_id, number=version.number)
    language = user.language
    message = mail.render(
        "submission_receipt", language, user.email,
        lambda: _("Receipt: your entry “%(title)s” was submitted", title=version.title),
        message_id=message_id("submission_receipt", version.id, user.id),
        user=user, version=version, team=team, link=link, zone=user.timezone, challenge_zone=challenge.timezone,
        challenge_title=pick(challenge.title, language, challenge.main_language).text,
        stage_name=pick(stage.name, language, challenge.main_language).text,
    )
    mail.send(message)
    return "sent"
