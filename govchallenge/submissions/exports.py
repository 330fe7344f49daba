"""Exports of every submitted version of a stage, as CSV and as a ZIP with the files, built by a job."""
import io
import json
import zipfile

import sqlalchemy as sa

from govchallenge.challenges.models import Stage
from govchallenge.core import audit, csvsafe, storage
from govchallenge.extensions import db
from govchallenge.jobs import ThrottledProgress, outbox
from govchallenge.jobs.models import OutboxJob
from govchallenge.teams.models import Team, TeamMember

from .models import SUBMITTED, Submission, SubmissionVersion

EXPORT_JOB = "govchallenge.submissions.exports.build_export"
FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # the same entries give the same ZIP, byte for byte
COLUMNS = ["entry", "team", "countries", "version", "submitted_at", "title", "summary", "description",
           "code", "video", "demo", "files", "sha256", "current", "licence", "repository_url", "publiccode_yml"]


def request_export(actor, stage):
    job = outbox.enqueue(EXPORT_JOB, stage.id, max_attempts=3)
    db.session.flush()
    audit.record("submission.export_requested", stage, actor=actor, outbox_id=job.id)
    return job


def recent_for(challenge, limit=5):
    stage_ids = {stage.id for stage in challenge.stages}
    jobs = db.session.execute(
        sa.select(OutboxJob).where(OutboxJob.function == EXPORT_JOB).order_by(OutboxJob.id.desc()).limit(200)
    ).scalars()
    return [job for job in jobs if job.args and job.args[0] in stage_ids][:limit]


def _rows(stage):
    return db.session.execute(
        sa.select(SubmissionVersion, Submission, Team)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .join(Team, Team.id == Submission.team_id)
        .where(Submission.stage_id == stage.id, Submission.state == SUBMITTED)
        .options(sa.orm.selectinload(Team.members).joinedload(TeamMember.user))
        .order_by(Team.name, SubmissionVersion.number)
    ).unique().all()


def build_export(stage_id):
    """Idempotent: the same entries give the same two files (content-addressed)."""
    stage = db.session.get(Stage, stage_id)
    if stage is None:
        return "nothing to do"
    rows = _rows(stage)
    progress = ThrottledProgress(0, len(rows) + 1)
    text = io.StringIO()
    writer = csvsafe.writer(text)
    writer.writerow(COLUMNS)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for version, submission, team in rows:
            latest = max(v.number for v in submission.versions)
            writer.writerow([
                submission.public_id, team.name, " ".join(team.countries), version.number,
                version.submitted_at.isoformat(), version.title, version.summary, version.description,
                version.links.get("code", ""), version.links.get("video", ""), version.links.get("demo", ""),
                " ".join(f"{f['filename']}:{f['sha256']}" for f in version.files), version.sha256,
                "yes" if version.number == latest else "no",
                version.licence, version.repository_url, "yes" if version.publiccode else "no",
            ])
            folder = f"{_safe(team.name)}-{submission.public_id}/v{version.number}"
            meta = {"team": team.name, "version": version.number, "submitted_at": version.submitted_at.isoformat(),
                    "title": version.title, "summary": version.summary, "description": version.description,
                    "links": version.links, "files": version.files, "sha256": version.sha256,
                    "licence": version.licence, "repository_url": version.repository_url,
                    "publiccode_yml": bool(version.publiccode)}
            _add(bundle, f"{folder}/entry.json", json.dumps(meta, ensure_ascii=False, indent=2).encode())
            if version.publiccode:  # as the team typed it, beside the entry
                _add(bundle, f"{folder}/publiccode.yml", version.publiccode.encode("utf-8"))
            for entry in version.files:
                try:
                    _add(bundle, f"{folder}/files/{_safe(entry['filename'])}", storage.open_bytes(entry["sha256"]))
                except FileNotFoundError:
                    _add(bundle, f"{folder}/files/{_safe(entry['filename'])}.missing.txt", b"file missing from storage")
            progress.advance()
        csv_bytes = text.getvalue().encode("utf-8-sig")
        _add(bundle, "entries.csv", csv_bytes)
        _add(bundle, "challenge.json", json.dumps(_challenge_meta(stage.challenge), ensure_ascii=False, indent=2).encode())
    csv_file = storage.save(csv_bytes, "text/csv")
    zip_file = storage.save(archive.getvalue(), "application/zip")
    progress.advance()
    progress.report()
    return {"csv": csv_file.sha256, "zip": zip_file.sha256, "versions": len(rows)}


def _challenge_meta(challenge):
    """Which challenge the export is of, and the one it was run again from (its "based on" link)."""
    from govchallenge.core.urls import external_url

    original = challenge.based_on
    return {"slug": challenge.slug, "url": external_url("challenges.show", slug=challenge.slug),
            "based_on": {"slug": original.slug, "url": external_url("challenges.show", slug=original.slug)}
            if original is not None else None}


def _add(bundle, name, data):
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, data)


def _safe(name):
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".-")
    return cleaned[:80] or "file"
