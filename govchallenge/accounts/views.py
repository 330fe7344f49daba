from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from govchallenge.extensions import db, limiter

from . import operations
from .forms import LanguageForm, LoginForm, ProfileFields, ProfileForm, RegisterForm, ResetForm, ResetRequestForm, password_errors
from .models import find_by_email, normalise_email
from .tokens import RESET, VERIFY, TokenInvalid, read_token

bp = Blueprint("accounts", __name__)


def _account_key():
    return "account:" + normalise_email(request.form.get("email"))


def _login_limit():
    return current_app.config["LOGIN_LIMIT"]


def _reset_limit():
    return current_app.config["RESET_LIMIT"]


def _load_user(user_id):
    from .models import User

    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def _safe_next(target):
    return target if target and target.startswith("/") and not target.startswith("//") else None


@bp.route("/register", methods=["GET", "POST"])
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


@bp.route("/verify/<token>")
def verify(token):
    try:
        user = read_token(token, VERIFY, _load_user)
    except TokenInvalid as error:
        message = _("This link has expired. Sign in to get a new one.") if error.reason == "expired" else _("This link is not valid.")
        return render_template("accounts/token_problem.html", message=message), 400
    operations.verify_email(user)
    db.session.commit()
    flash(_("Your e-mail address is confirmed. You can sign in now."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"], scope="login-account")
@limiter.limit(lambda: current_app.config["LOGIN_IP_LIMIT"], methods=["POST"], scope="login-address")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_by_email(form.email.data)
        if user is None or not user.check_password(form.password.data):
            if user is not None:
                operations.record_login(user, succeeded=False)
                db.session.commit()
            form.password.errors.append(_("The e-mail address or the password is wrong."))
            return render_template("accounts/login.html", form=form), 400
        if not user.is_verified:
            operations.resend_verification(user)
            db.session.commit()
            flash(_("Please confirm your e-mail address first: we have sent you a new link."), "warning")
            return render_template("accounts/login.html", form=form), 400
        login_user(user, remember=form.remember.data)
        session["language"] = user.language
        operations.record_login(user, succeeded=True)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, key_func=_account_key, methods=["POST"], scope="reset-account")
@limiter.limit(_reset_limit, methods=["POST"], scope="reset-address")
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        operations.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data, reset=True)
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        user = read_token(token, RESET, _load_user)
    except TokenInvalid as error:
        message = _("This link has expired. Ask for a new one.") if error.reason == "expired" else _("This link is not valid or was already used.")
        return render_template("accounts/token_problem.html", message=message), 400
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


@bp.route("/language", methods=["POST"])
def switch_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            current_user.language = form.language.data
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("main.home"))
