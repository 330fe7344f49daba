from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from govchallenge.core.i18n import remember_language
from govchallenge.core.registry import hook
from govchallenge.core.urls import local_target
from govchallenge.extensions import db, limiter

from . import operations, throttle
from .forms import (
    ChangePasswordForm, LanguageForm, LoginForm, ProfileFields, ProfileForm, RegisterForm, ResetForm, ResetRequestForm,
    password_errors,
)
from .models import find_by_email, password_matches
from .tokens import RESET, VERIFY, TokenInvalid, read_token

bp = Blueprint("accounts", __name__)


def _load_user(user_id):
    from .models import User

    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def _on_login_ceiling(request_limit):
    """The per-account ceiling tripped: the owner hears of it (once per notice period)."""
    if operations.warn_of_login_ceiling(throttle.submitted_email()) is not None:
        db.session.commit()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(throttle.setting("REGISTER_LIMIT"), methods=["POST"], scope="register-address", deduct_when=throttle.accepted)
@limiter.limit(throttle.setting("REGISTER_EMAIL_LIMIT"), key_func=throttle.account_key, methods=["POST"],
               scope="register-account", deduct_when=throttle.accepted)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    ProfileFields.fill(form)
    if request.method == "GET":
        form.language.data = str(request.accept_languages.best_match(dict(form.language.choices)) or "en")
    if form.validate_on_submit():
        operations.register(
            form.name.data, form.email.data, form.password.data, form.country.data, form.language.data, form.timezone.data
        )
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data)
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


def _link_user(token, purpose, *, expired, invalid):
    """(the account a mailed link names, None), or (None, the page that says why the link cannot be used)."""
    try:
        return read_token(token, purpose, _load_user), None
    except TokenInvalid as error:
        message = expired if error.reason == "expired" else invalid
        return None, (render_template("accounts/token_problem.html", message=message), 400)


@bp.route("/verify/<token>")
def verify(token):
    user, problem = _link_user(token, VERIFY, expired=_("This link has expired. Sign in to get a new one."),
                               invalid=_("This link is not valid."))
    if problem:
        return problem
    operations.verify_email(user)
    db.session.commit()
    flash(_("Your e-mail address is confirmed. You can sign in now."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(throttle.setting("LOGIN_LIMIT"), key_func=throttle.account_and_address_key, methods=["POST"],
               scope="login-account-address", deduct_when=throttle.failed)
@limiter.limit(throttle.setting("LOGIN_ACCOUNT_LIMIT"), key_func=throttle.account_key, methods=["POST"],
               scope="login-account", deduct_when=throttle.failed, on_breach=_on_login_ceiling)
@limiter.limit(throttle.setting("LOGIN_IP_LIMIT"), methods=["POST"], scope="login-address")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_by_email(form.email.data)
        if not password_matches(user, form.password.data):
            if user is not None:
                operations.record_login(user, succeeded=False)
                db.session.commit()
            form.password.errors.append(_("The e-mail address or the password is wrong."))
            return _login_page(form, 400)
        if not user.is_verified:
            operations.resend_verification(user)
            db.session.commit()
            flash(_("Please confirm your e-mail address first: we have sent you a new link."), "warning")
            return _login_page(form, 400)
        refusal = _password_refusal(user)
        if refusal:
            # The password was right (so this is no guess to count): the account must come in another way.
            flash(refusal, "error")
            return _login_page(form, 403)
        login_user(user, remember=form.remember.data)
        session["language"] = user.language
        operations.record_login(user, succeeded=True)
        db.session.commit()
        confirm_sign_in(user)
        return redirect(local_target(request.args.get("next")) or url_for("main.home"))
    return _login_page(form, 400 if form.errors else 200)


def confirm_sign_in(user):
    """The confirmation every way in ends with: who is signed in now."""
    flash(_("You are signed in as %(name)s.", name=user.name), "success")


def _login_page(form, status):
    """The sign-in page: the password form and every other way in that the domains above offer."""
    options = [option for offer in hook("signin_options") for option in offer()]
    return render_template("accounts/login.html", form=form, signin_options=options), status


def _password_refusal(user):
    """Why a right password may still not sign this account in (a body that wants its officers to come
    through its own identity provider), or None."""
    return next(filter(None, (refuse(user) for refuse in hook("password_signin_refusals"))), None)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        operations.sign_out_everywhere(current_user)
        db.session.commit()
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(throttle.setting("RESET_LIMIT"), key_func=throttle.account_key, methods=["POST"], scope="reset-account")
@limiter.limit(throttle.setting("RESET_LIMIT"), methods=["POST"], scope="reset-address")
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data, reset=True)
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user, problem = _link_user(token, RESET, expired=_("This link has expired. Ask for a new one."),
                               invalid=_("This link is not valid or was already used."))
    if problem:
        return problem
    form = ResetForm()
    if form.validate_on_submit():
        errors = password_errors(form.password.data, user.name, user.email)
        if not errors:
            operations.reset_password(user, form.password.data)
            db.session.commit()
            logout_user()
            flash(_("Your password is changed. Sign in with the new one."), "success")
            return redirect(url_for("accounts.login"))
        form.password.errors.extend(errors)
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    ProfileFields.fill(form)
    if form.validate_on_submit():
        operations.update_profile(current_user, form.name.data, form.country.data, form.language.data, form.timezone.data)
        db.session.commit()
        session["language"] = current_user.language
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 400 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(throttle.setting("LOGIN_LIMIT"), key_func=throttle.signed_in_account_key, methods=["POST"],
               scope="password-change", deduct_when=throttle.failed)
def change_password():
    """The current password proves it is the owner, not someone at an unlocked screen. Every other
    session ends; this one is signed in again with the new generation."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            form.password.errors.extend(password_errors(form.password.data, current_user.name, current_user.email))
        if not form.errors:
            user = current_user._get_current_object()
            operations.change_password(user, form.password.data)
            db.session.commit()
            login_user(user, remember=current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies)
            flash(_("Your password is changed. You stay signed in here; other devices are signed out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/language", methods=["POST"])
def switch_language():
    form = LanguageForm()
    response = redirect(local_target(request.form.get("next")) or url_for("main.home"))
    if form.validate_on_submit():
        session["language"] = form.language.data
        remember_language(response, form.language.data)
        if current_user.is_authenticated:
            current_user.language = form.language.data
            db.session.commit()
    return response
