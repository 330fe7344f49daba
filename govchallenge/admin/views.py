"""Platform administration: verify public bodies, watch the audit trail and the job outbox."""
import sqlalchemy as sa
from flask import Blueprint, render_template

from govchallenge.accounts.models import User
from govchallenge.core.audit import AuditEvent
from govchallenge.core.permissions import admin_required
from govchallenge.extensions import db
from govchallenge.jobs.models import OutboxJob
from govchallenge.organisations.models import Organisation

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
