"""Platform administration: verify public bodies, watch the audit trail and the job outbox."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template

from govchallenge.accounts.models import User
from govchallenge.core.audit import AuditEvent
from govchallenge.core.permissions import admin_required
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.organisations.models import Organisation

from . import mailbox

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@admin_required
def dashboard():
    awaiting = db.session.execute(
        sa.select(Organisation)
        .where(Organisation.kind == "public_body", Organisation.verified_at.is_(None))
        .order_by(Organisation.created_at)
    ).scalars().all()
    jobs_by_state = dict(
        db.session.execute(sa.select(OutboxJob.state, sa.func.count()).group_by(OutboxJob.state)).all()
    )
    failed_jobs = db.session.execute(
        sa.select(OutboxJob).where(OutboxJob.state == "failed").order_by(OutboxJob.id.desc()).limit(20)
    ).scalars().all()
    events = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(30)).scalars().all()
    users = db.session.execute(sa.select(sa.func.count(User.id))).scalar()
    return render_template(
        "admin/dashboard.html",
        awaiting=awaiting,
        jobs_by_state=jobs_by_state,
        failed_jobs=failed_jobs,
        events=events,
        user_count=users,
    )


def writes_mail_to_files():
    """The embedded default: no SMTP server configured, so mail is written to MAIL_FILE_DIR."""
    return not current_app.config.get("MAIL_SERVER")


@bp.route("/mail")
@admin_required
def mail():
    """The messages the platform wrote, for the local operator; there is no such page once SMTP is set up."""
    if not writes_mail_to_files():
        abort(404)
    folder = current_app.config["MAIL_FILE_DIR"]
    return render_template("admin/mail.html", messages=mailbox.messages(folder), folder=folder)


@bp.route("/mail/<name>")
@admin_required
def mail_message(name):
    if not writes_mail_to_files():
        abort(404)
    shown = mailbox.message(current_app.config["MAIL_FILE_DIR"], name)
    if shown is None:
        abort(404)
    return render_template("admin/mail_message.html", message=shown, body=mailbox.linkify(shown.text))
