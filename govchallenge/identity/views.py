"""Sign-in through a provider (start, callback, first-time account) and the admins' provider pages."""
import time
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from govchallenge.accounts import throttle
from govchallenge.accounts.forms import ProfileFields, ProfileForm
from govchallenge.accounts.operations import record_login
from govchallenge.accounts.views import confirm_sign_in
from govchallenge.core.actions import button_action, form_action
from govchallenge.core.permissions import admin_required
from govchallenge.core.urls import external_url, local_target
from govchallenge.extensions import db, limiter
from govchallenge.organisations.models import Organisation, by_slug

from . import oidc, operations, providers
from .forms import ProviderForm
from .messages import PROVIDERS, SIGN_IN
from .models import IdentityProvider

bp = Blueprint("identity", __name__)

STARTED = "identity.started"  # state, nonce and PKCE verifier of the sign-in under way (one use)
NEW_ACCOUNT = "identity.new_account"  # a first sign-in's verified identity, until the account is created
START_SECONDS = 10 * 60


def _callback_url():
    return external_url("identity.callback")


def _refused(error, provider=None):
    """The refusal page; nothing of the refused sign-in stays (a known account gets the refusal in its trail)."""
    db.session.rollback()
    if error.detail.get("account"):
        operations.record_refusal(error.detail["account"], error.code, provider)
        db.session.commit()
    return render_template("identity/refused.html", message=SIGN_IN.text(error)), SIGN_IN.status(error)


def _sign_in(user, provider, next_url):
    login_user(user, remember=False)
    session["language"] = user.language
    record_login(user, succeeded=True, method="oidc", issuer=provider.issuer)
    db.session.commit()
    confirm_sign_in(user)
    return redirect(next_url or url_for("main.home"))  # checked by local_target when the sign-in started


@bp.route("/login/idp", defaults={"key": providers.INSTANCE})
@bp.route("/login/idp/<key>")
@limiter.limit(throttle.setting("LOGIN_IP_LIMIT"), scope="identity-start")
def start(key):
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    provider = providers.find(key) or abort(404)
    try:
        url, secrets = oidc.authorization_request(provider, _callback_url())
    except oidc.SignInRefused as error:
        return _refused(error, provider)
    session[STARTED] = {**secrets, "provider": key, "next": local_target(request.args.get("next")), "at": time.time()}
    return redirect(url)


@bp.route("/login/idp/callback")
@limiter.limit(throttle.setting("LOGIN_IP_LIMIT"), scope="identity-callback")
def callback():
    started = session.pop(STARTED, None)  # one use, whatever happens next
    provider = providers.find(started["provider"]) if started else None
    try:
        if provider is None or time.time() - started["at"] > START_SECONDS:
            raise oidc.SignInRefused("state")
        code = oidc.check_response(provider, started, request.args)
        claims = oidc.redeem(provider, started, code, _callback_url())
        user = operations.account_for(provider, claims)
        if user is None:
            session[NEW_ACCOUNT] = operations.pending_account(provider, claims, started["next"])
            return redirect(url_for("identity.new_account"))
    except oidc.SignInRefused as error:
        return _refused(error, provider)
    return _sign_in(user, provider, started["next"])


@bp.route("/login/idp/new-account", methods=["GET", "POST"])
def new_account():
    """A first sign-in through a provider: the person says what the provider does not (country, language,
    time zone), then the account is created, confirmed and linked in one transaction."""
    pending = session.get(NEW_ACCOUNT)
    provider = providers.find(pending["provider"]) if pending else None
    if provider is None:
        return _refused(oidc.SignInRefused("state"))
    suggested = SimpleNamespace(name=pending["name"], country="", timezone=pending["zoneinfo"] or "Europe/Brussels",
                                language=pending["locale"] or session.get("language") or "en")
    form = ProfileForm(obj=suggested)
    ProfileFields.fill(form)
    if form.validate_on_submit():
        try:
            user = operations.create_account(provider, pending, form.name.data, form.country.data, form.language.data,
                                             form.timezone.data)
        except oidc.SignInRefused as error:
            session.pop(NEW_ACCOUNT, None)
            return _refused(error, provider)
        session.pop(NEW_ACCOUNT, None)
        return _sign_in(user, provider, pending["next"])
    return render_template("identity/new_account.html", form=form, email=pending["email"],
                           provider=provider), 400 if form.errors else 200


# --- admins: the bodies' providers ---------------------------------------------------------------
# Platform admins only: a provider vouches for its domains' addresses, so choosing one decides who may enter
# those accounts; a body's officer could otherwise point it at a server they control.

@bp.route("/admin/identity-providers")
@admin_required
def providers_index():
    rows = db.session.execute(
        sa.select(IdentityProvider).join(IdentityProvider.organisation).order_by(Organisation.name)
        .options(sa.orm.contains_eager(IdentityProvider.organisation))
    ).scalars().all()
    bodies = db.session.execute(
        sa.select(Organisation).where(Organisation.kind == "public_body", Organisation.verified_at.is_not(None),
                                      ~Organisation.id.in_(sa.select(IdentityProvider.organisation_id)))
        .order_by(Organisation.name)
    ).scalars().all()
    return render_template("identity/providers.html", rows=rows, bodies=bodies,
                           instance=providers.instance_provider())


@bp.route("/admin/identity-providers/<slug>", methods=["GET", "POST"])
@admin_required
def provider_edit(slug):
    organisation = by_slug(slug) or abort(404)
    row = providers.provider_row(organisation)
    form = ProviderForm(obj=row)

    def page(status):
        return render_template("identity/provider_form.html", form=form, organisation=organisation, row=row,
                               callback_url=_callback_url()), status

    def save():
        operations.check_discovery(form.issuer.data)
        return operations.save_provider(organisation, form.settings(), current_user)

    if request.method == "GET":
        return page(200)
    return form_action(
        form, save, messages=PROVIDERS, fields={"discovery": form.issuer}, again=page,
        done=lambda saved: (url_for("identity.providers_index"),
                            _("The identity provider of %(organisation)s is saved.", organisation=organisation.name)),
    )


@bp.route("/admin/identity-providers/<slug>/remove", methods=["POST"])
@admin_required
def provider_remove(slug):
    organisation = by_slug(slug) or abort(404)
    row = providers.provider_row(organisation) or abort(404)
    return button_action(lambda: operations.remove_provider(row, current_user), messages=PROVIDERS,
                         back=url_for("identity.providers_index"),
                         done=_("The identity provider of %(organisation)s is removed.", organisation=organisation.name))
