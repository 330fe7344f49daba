"""The hosts' cross-border contests (contests.py): proposing one from a challenge's page, joining or declining an
invitation for one's own challenge, and the coordinator giving the shared award. Routes: views.CONTEST_ROUTES."""
import sqlalchemy as sa
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from govchallenge.challenges.models import by_slug as challenge_by_slug
from govchallenge.core.actions import Messages, button_action, form_action
from govchallenge.core.i18n import current_language
from govchallenge.core.templating import localise
from govchallenge.core.languages import EU_LANGUAGES, language_name
from govchallenge.core.permissions import require
from govchallenge.extensions import db
from govchallenge.results.models import Contest

from . import contests
from . import permissions as can
from .forms import ContestForm, SharedAwardForm
from .models import ContestInvitation

MESSAGES = Messages({
    "contest_name": lambda d: _("Name the contest."),
    "award_name": lambda d: _("Name the shared award."),
    "too_long": lambda d: _("Use at most 200 characters."),
    "no_invited": lambda d: _("Choose at least one challenge to invite."),
    "not_in_family": lambda d: _("Only published challenges based on the same original, in no other contest, can be invited."),
    "already_joined": lambda d: _("This challenge has already joined a contest."),
    "answered": lambda d: _("This invitation was already answered."),
    "award_given": lambda d: _("The shared award has already been given."),
    "not_a_winner": lambda d: _("Choose a winner of one of the joined challenges."),
}, default=lambda: _("The change was refused."),
    statuses={"already_joined": 409, "answered": 409, "award_given": 409})


def _title(challenge):
    return str(localise(challenge.title, challenge.main_language))


def _languages():
    return sorted(((code, language_name(code)) for code in EU_LANGUAGES), key=lambda item: item[1])


@login_required
def propose_contest(slug):
    challenge = challenge_by_slug(slug) or abort(404)
    require(can.can_propose_contest(current_user, challenge), can.REFUSALS["can_propose_contest"])
    bodies = can.hosting_bodies(current_user, challenge)
    invitable = contests.invitable(challenge)
    form = ContestForm().fill(bodies, _languages(), invitable, _title)
    if request.method == "GET":
        form.language.data = current_language()
        form.challenges.data = [c.id for c in invitable]

    def again(status):
        return render_template("reuse/contest_propose.html", form=form, challenge=challenge), status

    if request.method == "GET":
        return again(200)
    chosen = set(form.challenges.data or [])
    return form_action(
        form, lambda: contests.propose(current_user, challenge, next(o for o in bodies if o.id == form.organisation.data),
                                       form.language.data, form.name.data, form.award.data,
                                       [c for c in invitable if c.id in chosen]),
        done=lambda contest: (url_for("results.contest", slug=contest.slug),
                              _("The contest is created with your challenge. The hosts of the invited challenges are asked to join.")),
        again=again, messages=MESSAGES,
        fields={"contest_name": form.name, "award_name": form.award, "too_long": form.name,
                "no_invited": form.challenges, "not_in_family": form.challenges, "already_joined": form.challenges},
    )


def _invitation(contest_slug, invitation_id):
    invitation = db.session.get(ContestInvitation, invitation_id)
    if invitation is None or invitation.contest.slug != contest_slug:
        abort(404)
    require(can.can_answer_invitation(current_user, invitation), can.REFUSALS["can_answer_invitation"])
    return invitation


@login_required
def join_contest(contest_slug, invitation_id):
    invitation = _invitation(contest_slug, invitation_id)
    return button_action(lambda: contests.join(current_user, invitation), messages=MESSAGES,
                         back=url_for("challenges.show", slug=invitation.challenge.slug),
                         done=_("Your challenge has joined the contest."))


@login_required
def decline_contest(contest_slug, invitation_id):
    invitation = _invitation(contest_slug, invitation_id)
    return button_action(lambda: contests.decline(current_user, invitation), messages=MESSAGES,
                         back=url_for("challenges.show", slug=invitation.challenge.slug),
                         done=_("You declined: your challenge stays out of the contest."))


@login_required
def shared_award(contest_slug):
    contest = db.session.execute(sa.select(Contest).where(Contest.slug == contest_slug)).scalar_one_or_none() or abort(404)
    require(can.can_give_shared_award(current_user, contest), can.REFUSALS["can_give_shared_award"])
    candidates = contests.candidates(contest)
    form = SharedAwardForm().fill(candidates)

    def again(status):
        return render_template("reuse/contest_award.html", form=form, contest=contest,
                               given=contests.shared_award_given(contest), invitations=contests.invitations_of(contest)), status

    if request.method == "GET":
        return again(200)
    return form_action(
        form, lambda: contests.give_shared_award(current_user, contest, next(s for s in candidates if s.public_id == form.entry.data),
                                                 form.reason.data or ""),
        done=lambda award: (url_for("results.contest", slug=contest.slug), _("The shared award is given.")),
        again=again, messages=MESSAGES, field=form.entry,
    )
