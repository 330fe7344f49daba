"""The hosts' room: the host officers invite jurors and name the chair; the challenge page's jury panel."""
from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from govchallenge.core.actions import form_action, succeed
from govchallenge.core.forms import EmptyForm
from govchallenge.core.permissions import require

from . import operations as ops
from . import permissions as can
from .forms import InviteJurorForm
from .messages import MESSAGES
from .queries import load_challenge, load_juror, organisation_choices, to_int


def jury_panel(challenge, user):
    """The jury panel of the challenge page: links for its jurors, its chair and the hosts' officers."""
    if not getattr(user, "is_authenticated", False):
        return None
    juror = can.juror_of(user, challenge)
    manage = can.can_manage_jury(user, challenge)
    if juror is None and not manage:
        return None
    return {"jury_panel": {"challenge": challenge, "juror": juror, "manage": manage}}


@login_required
def members(slug):
    challenge = load_challenge(slug)
    manage = can.can_manage_jury(current_user, challenge)
    require(manage or can.can_see_progress(current_user, challenge), can.REFUSALS["can_see_progress"])
    form = InviteJurorForm()
    form.organisation.choices = [("", _("None / not on the platform"))] + organisation_choices()

    def page(status=200):
        return render_template("jury/members.html", challenge=challenge, form=form, manage=manage, empty=EmptyForm(),
                               jurors=ops.challenge_jurors(challenge.id, accepted_only=False)), status

    if request.method == "GET":
        return page()
    require(manage, can.REFUSALS["can_manage_jury"])
    return form_action(
        form, lambda: ops.invite_juror(challenge, form.email.data, form.name.data, current_user,
                                       organisation_id=to_int(form.organisation.data), is_chair=form.is_chair.data),
        done=lambda _j: (url_for("jury.members", slug=slug), _("Invitation sent to %(email)s.", email=form.email.data)),
        again=page, messages=MESSAGES, field=form.email)


@login_required
def name_chair(slug, juror_id):
    challenge = load_challenge(slug)
    require(can.can_manage_jury(current_user, challenge), can.REFUSALS["can_manage_jury"])
    juror = load_juror(challenge, juror_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ops.set_chair(juror, current_user)
    return succeed(url_for("jury.members", slug=slug), _("%(name)s chairs the jury.", name=juror.display_name))
