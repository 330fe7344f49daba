"""The issue's test: erase a team member who submitted an entry and a juror who reviewed one. The entry, the
review and the published results stay; nothing of either person is left in any table or file; the audit trail
and the published digest still verify."""
import json
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from govchallenge.accounts.jobs import send_password_reset
from govchallenge.accounts.models import User
from govchallenge.core import audit
from govchallenge.extensions import db
from govchallenge.jury.models import ConflictDeclaration, Juror, Review
from govchallenge.privacy.pseudonyms import pseudonym_name
from govchallenge.results.models import Publication
from govchallenge.submissions.models import Submission
from govchallenge.submissions.operations import content_digest
from govchallenge.teams.models import TeamInvitation
from govchallenge.core.timeutil import utcnow
from tests.conftest import login
from tests.support import factories
from tests.support.results_factories import judged_challenge, publish

MEMBER_NAME, MEMBER_EMAIL = "Ζωή Παπαδοπούλου", "zoe.papadopoulou@dimos.example.gr"
JUROR_NAME, JUROR_EMAIL = "Jürgen Gutachter-Wiśniewski", "j.gutachter@pruefstelle.example.de"


def text_columns():
    return [(table, column) for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, (sa.String, sa.Text, sa.JSON))]


def forms_of(value):
    """The value as typed and as stored inside JSON (non-ASCII escaped), lower-cased."""
    return {value.lower(), json.dumps(value)[1:-1].lower()}


def rows_naming(value):
    """Every (table.column, row) whose text holds `value`, in any table."""
    found = []
    for table, column in text_columns():
        holder = sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON) else column
        condition = sa.or_(*(sa.func.lower(holder).contains(form, autoescape=True) for form in forms_of(value)))
        for row in db.session.execute(sa.select(column).where(condition)).all():
            found.append((f"{table.name}.{column.name}", row[0]))
    return found


def files_naming(app, value):
    folders = [app.config[key] for key in ("MAIL_FILE_DIR", "EXPORT_DIR", "STORAGE_DIR", "AUDIT_CHECKPOINT_DIR")]
    needles = [form.encode("utf-8") for form in forms_of(value)]
    return [str(path) for folder in folders for path in Path(folder).rglob("*") if path.is_file()
            and any(needle in path.read_bytes().lower() for needle in needles)]


def build_record(app):
    member = factories.make_user(email=MEMBER_EMAIL, name=MEMBER_NAME, country="GR", language="el")
    teammate = factories.make_user(name="Teammate Person")
    judged = judged_challenge(entries=2, jurors=3, members=[[teammate, member], [factories.make_user()]])
    juror_user = judged.jurors[1]
    juror_user.email, juror_user.name = JUROR_EMAIL, JUROR_NAME
    juror_row = judged.juror_rows[1]
    juror_row.email, juror_row.name = JUROR_EMAIL, JUROR_NAME
    # Copies of their name and address elsewhere: a conflict typed by another juror, an invitation, audit events.
    db.session.add(ConflictDeclaration(juror_id=judged.juror_rows[2].id, person=MEMBER_EMAIL, kind="other",
                                       note=f"I once worked with {MEMBER_NAME}."))
    team = judged.teams[0]
    audit.record("submission.submitted", judged.submissions[0], actor=member, version=1)
    audit.record("jury.review_submit", judged.reviews[3], actor=juror_user, round_id=judged.round.id)
    db.session.flush()
    db.session.commit()
    # An invitation addressed to the juror, with its audit event (as teams.operations.invite writes them; the
    # challenge has closed, so the operation itself would refuse).
    invitation = TeamInvitation(team_id=team.id, email=JUROR_EMAIL, invited_by_id=teammate.id,
                                expires_at=utcnow() + timedelta(days=7))
    db.session.add(invitation)
    db.session.flush()
    audit.record("team.invited", team, actor=teammate, invitation_id=invitation.id, email=JUROR_EMAIL)
    db.session.commit()
    send_password_reset(member.id)  # a mail file naming the member
    send_password_reset(juror_user.id)
    publication = publish(judged)
    db.session.commit()
    return judged, member, juror_user, publication


def snapshot(judged, publication):
    entry = db.session.get(Submission, judged.submissions[0].id)
    version = entry.versions[0]
    return {
        "entry": (entry.state, entry.team_id, entry.title, entry.description, version.sha256,
                  content_digest(files=version.files, title=version.title, summary=version.summary,
                                 description=version.description, links=version.links)),
        "reviews": sorted((r.assignment_id, r.state, json.dumps(r.scores, sort_keys=True), json.dumps(r.comments))
                          for r in db.session.execute(sa.select(Review)).scalars()),
        "ranking": json.dumps(db.session.get(Publication, publication.id).document["entries"], sort_keys=True),
        "published": db.session.get(Publication, publication.id).is_published,
    }


def test_erasing_a_member_who_submitted_and_a_juror_who_reviewed_leaves_the_record_and_no_trace(app, people):
    judged, member, juror_user, publication = build_record(app)
    member_id, juror_id = member.id, juror_user.id
    # Their own sign-ins: audit events with their address and IP address.
    member_client = login(app.test_client(), member)
    login(app.test_client(), juror_user)
    assert rows_naming(MEMBER_EMAIL) and rows_naming(JUROR_NAME) and files_naming(app, MEMBER_EMAIL)
    before = snapshot(judged, publication)

    answer = member_client.post("/my-data/erase", data={"password": factories.PASSWORD, "understood": "y"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    admin = login(app.test_client(), people["admin"])
    answer = admin.post(f"/admin/users/{juror_id}/erase", data={"reason": "Request received by post, ref. 2026/17",
                                                                  "understood": "y"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    db.session.expire_all()

    for value in (MEMBER_NAME, MEMBER_EMAIL, JUROR_NAME, JUROR_EMAIL):
        assert rows_naming(value) == [], value
        assert files_naming(app, value) == [], value
    assert snapshot(judged, publication) == before
    juror_row = db.session.get(Juror, judged.juror_rows[1].id)
    assert juror_row.user_id == juror_id and juror_row.name == pseudonym_name(juror_id)
    assert db.session.get(User, member_id).name == pseudonym_name(member_id)
    jury = db.session.get(Publication, publication.id).document["jury"]
    assert pseudonym_name(juror_id) in [j["name"] for j in jury]

    runner = app.test_cli_runner()
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    results = runner.invoke(args=["results", "verify", judged.challenge.slug])
    assert results.exit_code == 0, results.output
    # Neither can sign in any more, by the old address or the pseudonym.
    for email in (MEMBER_EMAIL, JUROR_EMAIL):
        assert app.test_client().post("/login", data={"email": email, "password": factories.PASSWORD}).status_code == 400
