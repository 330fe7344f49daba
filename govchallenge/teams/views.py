import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from govchallenge.challenges.models import by_slug as challenge_by_slug
from govchallenge.core.actions import Messages, button_action, flushed, form_action, succeed
from govchallenge.core.forms import EmptyForm
from govchallenge.core.registry import hook
from govchallenge.core.lookups import child_or_404
from govchallenge.core.permissions import require
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations.models import active_memberships

from . import operations
from . import permissions as can
from .forms import AcceptForm, InviteForm, RenameForm, TeamForm
from .models import Team, TeamInvitation, TeamMember

bp = Blueprint("teams", __name__, url_prefix="/teams")
PENDING_INVITATION = "pending_team_invitation"

ERRORS = {
    "closed": lambda d: _("The challenge has closed: teams can no longer change."),
    "already_in_team": lambda d: _("You are already in a team for this challenge. A person can be in one team per challenge."),
    "name_taken": lambda d: _("Another team in this challenge already has this name."),
    "already_member": lambda d: _("This person is already in the team."),
    "already_invited": lambda d: _("This address already has a pending invitation."),
    "team_full": lambda d: _("The team has reached the largest size the challenge allows."),
    "invalid": lambda d: _("This invitation link is not valid. Ask the team lead for a new one."),
    "expired": lambda d: _("This invitation has expired. Ask the team lead to invite you again."),
    "used": lambda d: _("This invitation has already been answered."),
    "other_address": lambda d: _("This invitation was sent to another e-mail address. Sign in with the invited address."),
    "lead_must_hand_over": lambda d: _("Hand the lead over to another member first."),
    "host": lambda d: _("Officers of a host body cannot enter its challenge."),
    "last_member_with_entry": lambda d: _("The team has an entry: withdraw it rather than leave, or invite someone to take over."),
}
MESSAGES = Messages(ERRORS, default=lambda: _("The change was refused."))


def challenge_url(challenge):
    return url_for("challenges.show", slug=challenge.slug)


@bp.app_context_processor
def _team_helpers():
    return {"challenge_url": challenge_url}


@bp.before_app_request
def _resume_invitation():
    """Someone who opened an invitation before signing in or registering lands back on it."""
    # The session cookie is read first: most requests never touch the database here.
    if PENDING_INVITATION not in session or request.method != "GET" or not current_user.is_authenticated:
        return None
    if request.endpoint in ("static", "teams.invitation") or not current_user.is_verified:
        return None
    token = session.pop(PENDING_INVITATION)
    return redirect(url_for("teams.invitation", token=token))


def _load_team(public_id):
    team = db.session.execute(
        sa.select(Team).where(Team.public_id == public_id)
        .options(sa.orm.selectinload(Team.members).joinedload(TeamMember.user),
                 sa.orm.selectinload(Team.members).joinedload(TeamMember.organisation))
    ).scalar_one_or_none()
    return team or abort(404)


def _load_member(team, member_id):
    member = next((m for m in team.members if m.id == member_id), None)
    return member or abort(404)


def _my_memberships():
    return [m for m in active_memberships(current_user) if not m.organisation.is_public_body]



def _team_button(team, run, done):
    """A one-click action of the team page in the one action shape: `run()` is the operation, `done(result)`
    -> (url, message); a refusal is flashed on the team page."""
    return button_action(run, back=url_for("teams.show", public_id=team.public_id), done=done, messages=MESSAGES)


def _managed_team(public_id):
    team = _load_team(public_id)
    require(can.can_manage_team(current_user, team), can.REFUSALS["can_manage_team"])
    return team


def _team_field_action(team, form, field, run, message, form_name):
    """A one-field form of the team page (`form_name`: rename_form, invite_form). Its problem, bad input or a
    rule's refusal, stands beside the field on the team page shown again, with what was typed; a bad token is a
    bad request."""
    def again(status):
        if "csrf_token" in form.errors:
            abort(400)
        return _team_page(team, **{form_name: form}), status

    return form_action(form, run, done=lambda _result: (url_for("teams.show", public_id=team.public_id), message()),
                       again=again, messages=MESSAGES, field=field)


@bp.route("/")
@login_required
def mine():
    teams = db.session.execute(
        sa.select(Team).join(TeamMember, TeamMember.team_id == Team.id).where(TeamMember.user_id == current_user.id)
        .options(sa.orm.joinedload(Team.challenge)).order_by(Team.created_at.desc())
    ).scalars().unique().all()
    return render_template("teams/mine.html", teams=teams)


@bp.route("/enter/<slug>", methods=["GET", "POST"])
@login_required
def create(slug):
    challenge = challenge_by_slug(slug) or abort(404)
    existing = can.team_of(current_user, challenge)
    if existing is not None:
        flash(MESSAGES.text(operations.TeamError("already_in_team")), "info")
        return redirect(url_for("teams.show", public_id=existing.public_id))
    require(can.can_enter(current_user, challenge), can.REFUSALS["can_enter"])
    form = TeamForm().fill(_my_memberships())
    if request.method == "GET" and request.args.get("alone") and challenge.team_min <= 1:
        form.name.data = current_user.name

    def page(status):
        return render_template("teams/create.html", form=form, challenge=challenge), status

    if request.method == "GET":
        return page(200)
    return form_action(
        form, flushed(lambda: operations.create_team(current_user, challenge, form.name.data, form.chosen_organisation()),
                      operations.TeamError("name_taken")),
        done=lambda team: (url_for("teams.show", public_id=team.public_id),
                           _("Your team is created. Invite your team mates, then prepare your entry.")),
        again=page, messages=MESSAGES, field=form.name,
    )


@bp.route("/<public_id>")
@login_required
def show(public_id):
    team = _load_team(public_id)
    require(can.can_view_team(current_user, team), can.REFUSALS["can_view_team"])
    return _team_page(team)


def _team_page(team, invite_form=None, rename_form=None):
    """The team page; a form sent from it and refused comes back in place of the empty one."""
    return render_template(
        "teams/show.html", team=team, challenge=team.challenge, now=utcnow(), is_lead=can.is_lead(current_user, team),
        invite_form=invite_form or InviteForm(formdata=None), rename_form=rename_form or RenameForm(formdata=None, name=team.name),
        invitations=sorted(operations.pending_invitations(team), key=lambda i: i.id),
        entries=team_entries(team),
    )


def team_entries(team):
    """{stage_id: entry} of the team, from the domain above that keeps entries (registered in its init_app)."""
    lookups = hook("team_entries")
    return lookups[0](team) if lookups else {}


@bp.route("/<public_id>/invite", methods=["POST"])
@login_required
def invite(public_id):
    team = _managed_team(public_id)
    form = InviteForm()
    return _team_field_action(team, form, form.email, lambda: operations.invite(current_user, team, form.email.data),
                              lambda: _("An invitation is sent to %(email)s.", email=form.email.data.strip().lower()), "invite_form")


@bp.route("/<public_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke(public_id, invitation_id):
    team = _managed_team(public_id)
    invitation = child_or_404(TeamInvitation, invitation_id, team_id=team.id)
    return _team_button(team, lambda: operations.revoke(current_user, invitation),
                        lambda _r: (url_for("teams.show", public_id=public_id), _("The invitation is withdrawn.")))


def _token_problem(error):
    return render_template("teams/invitation_problem.html", message=MESSAGES.text(error)), 400


def _invitation_or_problem(token, joining):
    """(the invitation a link names, None), or (None, the page that says why it cannot be used). `joining`:
    the current user means to join, which hosts of the challenge may never do."""
    try:
        invitation = operations.invitation_from_token(token)
    except operations.TeamError as error:
        return None, _token_problem(error)
    if joining and not can.can_join(current_user, invitation.team):
        return None, _token_problem(operations.TeamError("host"))
    return invitation, None


def _invitation_page(invitation, token, form, other_address, status=200):
    return render_template("teams/invitation.html", invitation=invitation, team=invitation.team, token=token, form=form,
                           other_address=other_address), status


@bp.route("/invitations/<token>", methods=["GET"])
def invitation(token):
    answering = can.can_answer_invitation(current_user)
    invitation, problem = _invitation_or_problem(token, joining=answering)
    if problem:
        return problem
    if not answering:
        session[PENDING_INVITATION] = token
        return render_template("teams/invitation_anonymous.html", invitation=invitation, token=token)
    return _invitation_page(invitation, token, AcceptForm().fill(_my_memberships()),
                            other_address=current_user.email.lower() != invitation.email)


def _answer(token, joining, form, answer, invalid):
    """Accept or decline by the link: `answer(invitation)` is the one operation -> (url, message); `invalid(invitation)`
    is the response to a form that did not validate."""
    require(can.can_answer_invitation(current_user), can.REFUSALS["can_answer_invitation"])
    invitation, problem = _invitation_or_problem(token, joining)
    if problem:
        return problem
    if not form.validate_on_submit():
        return invalid(invitation)
    try:
        target, message = answer(invitation)
    except operations.TeamError as error:
        db.session.rollback()
        return _token_problem(error)
    return succeed(target, message)


@bp.route("/invitations/<token>/accept", methods=["POST"])
@login_required
def accept(token):
    form = AcceptForm().fill(_my_memberships())

    def join(invitation):
        flushed(lambda: operations.accept(current_user, invitation, form.chosen_organisation()),
                operations.TeamError("already_in_team"))()
        return (url_for("teams.show", public_id=invitation.team.public_id),
                _("Welcome to the team %(team)s.", team=invitation.team.name))

    return _answer(token, True, form, join, lambda invitation: _invitation_page(invitation, token, form, False, 400))


@bp.route("/invitations/<token>/decline", methods=["POST"])
@login_required
def decline(token):
    def say_no(invitation):
        operations.decline(current_user, invitation)
        return url_for("teams.mine"), _("You declined the invitation.")

    return _answer(token, False, EmptyForm(), say_no, lambda invitation: abort(400))


@bp.route("/<public_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove(public_id, member_id):
    team = _load_team(public_id)
    member = _load_member(team, member_id)
    leaving = member.user_id == current_user.id
    require(can.can_manage_team(current_user, team) or leaving, can.REFUSALS["can_manage_team"])

    def done(remaining):
        if leaving:
            return url_for("teams.mine"), _("You left the team.")
        return url_for("teams.show", public_id=public_id) if remaining else url_for("teams.mine"), _("The member is removed.")

    return _team_button(team, lambda: operations.remove_member(current_user, member), done)


@bp.route("/<public_id>/members/<int:member_id>/lead", methods=["POST"])
@login_required
def hand_over(public_id, member_id):
    team = _managed_team(public_id)
    member = _load_member(team, member_id)
    return _team_button(team, lambda: operations.hand_over(current_user, member),
                        lambda _r: (url_for("teams.show", public_id=public_id), _("%(name)s now leads the team.", name=member.user.name)))


@bp.route("/<public_id>/rename", methods=["POST"])
@login_required
def rename(public_id):
    team = _managed_team(public_id)
    form = RenameForm()
    rename_once = flushed(lambda: operations.rename(current_user, team, form.name.data), operations.TeamError("name_taken"))
    return _team_field_action(team, form, form.name, rename_once, lambda: _("The team is renamed."), "rename_form")
