"""State changes of entries: drafts, submission, versions, withdrawal, late entry. Flush, never commit.

The deadline is decided here, by the server clock read after the rows are locked: the stage row
is locked for share (a host moving the deadline waits for entries in flight) and the entry row for
update (two members saving at once are serialised, and the second one sees the new lock_version).
"""
import hashlib
import json
import secrets
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.challenges.models import OPEN_LICENCE_REQUIRE, Stage
from govchallenge.core.actions import RuleError
from govchallenge.core import audit
from govchallenge.core.geo import EU_MEMBER_STATES
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox

from . import eligibility, licences, publiccode, screening
from .models import DRAFT, SUBMITTED, WITHDRAWN, LateEntryGrant, Submission, SubmissionFile, SubmissionVersion

LINK_KINDS = ("code", "video", "demo")
RECEIPT_JOB = "govchallenge.submissions.jobs.send_receipt"


class SubmissionError(RuleError):
    """A refused change of an entry; `failures` lists the eligibility reasons when that is the refusal."""

    def __init__(self, code, failures=()):
        super().__init__(code, failures=list(failures))
        self.failures = self.detail["failures"]


def team_has_entries(team):
    """Keeps a team with an entry (submitted or withdrawn) from closing: registered on teams' close hook."""
    return db.session.execute(
        sa.select(Submission.id).where(Submission.team_id == team.id, Submission.state != DRAFT)
    ).first() is not None


# --- reading ---------------------------------------------------------------------------------

def entry_of(team, stage):
    return db.session.execute(
        sa.select(Submission).where(Submission.team_id == team.id, Submission.stage_id == stage.id)
    ).scalar_one_or_none()


def entries_for(team):
    rows = db.session.execute(sa.select(Submission).where(Submission.team_id == team.id)).scalars()
    return {s.stage_id: s for s in rows}


def content_digest(title, summary, description, links, files, openness=None):
    """SHA-256 of the canonical JSON of the content and the files' own SHA-256: what the receipt proves.
    `openness` ({"licence", "repository_url", "publiccode_sha256"}) is covered when the team declared any of it,
    under the key "openness" with its non-empty values only: an entry that declares none keeps the digest it
    always had."""
    body = {
        "title": title, "summary": summary, "description": description,
        "links": {k: v for k, v in sorted((links or {}).items()) if v},
        "files": sorted(({"filename": f["filename"], "sha256": f["sha256"], "size": f["size"]} for f in files),
                        key=lambda f: (f["sha256"], f["filename"])),
    }
    declared = {k: v for k, v in sorted((openness or {}).items()) if v}
    if declared:
        body["openness"] = declared
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def openness_of(entry):
    """What the digest covers of an entry's (or a version's) openness: the publiccode.yml by its SHA-256."""
    text = entry.publiccode or ""
    return {"licence": entry.licence or "", "repository_url": entry.repository_url or "",
            "publiccode_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""}


def version_digest(version):
    """The digest of a submitted version, from what it froze."""
    return content_digest(version.title, version.summary, version.description, version.links, version.files or [],
                          openness_of(version))


def manifest(submission):
    return [{"filename": f.filename, "mime_type": f.mime_type, "size": f.size, "sha256": f.sha256} for f in submission.files]


def working_digest(submission):
    return content_digest(submission.title, submission.summary, submission.description, submission.links,
                          manifest(submission), openness_of(submission))


def screen_working_copy(submission):
    """Searches the working copy for what would name the team, once per content (screening.screen)."""
    content = {"title": submission.title, "summary": submission.summary, "description": submission.description,
               "links": submission.links}
    return screening.screen(submission, working_digest(submission), content, manifest(submission))


def rescreen_team(team):
    """Searches every kept state of the team's entries again (the working copy and each submitted version), after
    a change of who the team is: a member who joined after an entry was checked is sought in it too, one who left
    no longer is. Registered on teams' `team_changes` hook, so it runs in the transaction of the change: nobody
    reads findings made for a team that no longer exists."""
    submissions = db.session.execute(sa.select(Submission).where(Submission.team_id == team.id)).scalars().all()
    for submission in submissions:
        db.session.execute(sa.delete(screening.EntryScreening).where(screening.EntryScreening.submission_id == submission.id)
                           .execution_options(synchronize_session=False))
        for version in submission.versions:
            content = {"title": version.title, "summary": version.summary, "description": version.description,
                       "links": version.links}
            screening.screen(submission, version.sha256, content, version.files or [])
        screen_working_copy(submission)


def has_unsubmitted_changes(submission):
    latest = submission.latest_version
    return latest is None or submission.state != SUBMITTED or latest.sha256 != working_digest(submission)


def eligibility_failures(team):
    challenge = team.challenge
    rules = eligibility.Rules(
        countries_mode=challenge.countries_mode or "all", countries=tuple(challenge.countries or ()),
        entrant_kinds=tuple(challenge.entrant_kinds or ()), team_min=challenge.team_min, team_max=challenge.team_max,
    )
    entrants = [
        eligibility.Entrant(
            name=m.user.name,
            country=(m.organisation.country if m.organisation else m.user.country) or "",
            kind=m.organisation.kind if m.organisation else eligibility.INDIVIDUAL,
        )
        for m in team.members
    ]
    return eligibility.check(rules, entrants, EU_MEMBER_STATES)


# --- the deadline ----------------------------------------------------------------------------

def hash_code(code):
    return hashlib.sha256((code or "").strip().encode()).hexdigest()


def _lock_stage(stage):
    """FOR SHARE on PostgreSQL (SQLite serialises writers anyway); reloads the deadline as committed."""
    return db.session.execute(
        sa.select(Stage).where(Stage.id == stage.id).with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).scalar_one()


def _lock_entry(submission):
    return db.session.execute(
        sa.select(Submission).where(Submission.id == submission.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _window(team, stage, now, late_code):
    """None while the stage is open; a LateEntryGrant after it when the code is valid; else SubmissionError."""
    if now < stage.opens_at:
        raise SubmissionError("not_open")
    if now < stage.closes_at:
        return None
    if late_code:
        grant = db.session.execute(
            sa.select(LateEntryGrant).where(
                LateEntryGrant.team_id == team.id, LateEntryGrant.stage_id == stage.id,
                LateEntryGrant.code_hash == hash_code(late_code), LateEntryGrant.expires_at > now,
            )
        ).scalar_one_or_none()
        if grant is not None:
            return grant
        raise SubmissionError("late_code")
    raise SubmissionError("deadline")


# How long a request fully received may wait for its turn (connection, locks) and still count as received.
RECEIVED_GRACE = timedelta(seconds=60)


def _moment(received_at):
    """The server's moment of receipt: when the request body had arrived (taken by the view), so that an
    entry waiting behind others for a database connection in the last second is not refused for the wait."""
    now = utcnow()
    if received_at is None or received_at > now or now - received_at > RECEIVED_GRACE:
        return now
    return received_at


def _begin(team, stage, submission, late_code, received_at=None):
    """Locks in a fixed order (stage, then entry), then decides by the clock against the committed deadline."""
    stage = _lock_stage(stage)
    if submission is not None and submission.id is not None:
        submission = _lock_entry(submission)
    now = _moment(received_at)
    grant = _window(team, stage, now, late_code)
    return stage, submission, now, grant


# --- changes ---------------------------------------------------------------------------------

def save_entry(actor, team, stage, fields, expected_lock_version, new_files=(), submission=None, submit=False,
               accepted_terms=False, late_code="", received_at=None, inspections=()):
    """Saves the working copy (and, with submit, freezes it as a new version). Returns (submission, version).
    Each save is screened for names (submissions/screening.py); findings never refuse a save or a submission.

    fields: title, summary, description, links {code, video, demo}. new_files: [(filename, StoredFile)].
    inspections: the new files' FileInspection rows (screening.prepare), kept unless known already.
    expected_lock_version: what the form was built from (None for a new entry).
    received_at: when the server had the whole request (see _moment); None: now.
    """
    if stage.challenge_id != team.challenge_id:
        raise SubmissionError("wrong_stage")
    stage, submission, now, grant = _begin(team, stage, submission, late_code, received_at)
    if submission is None:
        if expected_lock_version not in (None, 0):
            raise SubmissionError("conflict")
        submission = Submission(team=team, stage=stage, state=DRAFT, created_at=now, lock_version=0)
        db.session.add(submission)
    elif expected_lock_version != submission.lock_version:
        raise SubmissionError("conflict")
    submission.title = fields.get("title", "").strip()
    submission.summary = fields.get("summary", "").strip()
    submission.description = fields.get("description", "").strip()
    submission.links = {kind: (fields.get("links") or {}).get(kind, "").strip() for kind in LINK_KINDS
                        if (fields.get("links") or {}).get(kind, "").strip()}
    if "openness" in fields:
        _declare_openness(submission, fields["openness"])
    for filename, stored in new_files:
        submission.files.append(SubmissionFile(
            filename=filename[:200], mime_type=stored.mime_type, size=stored.size, sha256=stored.sha256,
            uploaded_by_id=actor.id, created_at=now,
        ))
    submission.lock_version = (submission.lock_version or 0) + 1
    submission.updated_at = now
    db.session.flush()
    for inspection in inspections:
        screening.remember(inspection)
    screen_working_copy(submission)
    version = None
    if submit:
        version = _submit(actor, team, submission, now, grant, accepted_terms)
    else:
        audit.record("submission.saved", submission, actor=actor, lock_version=submission.lock_version,
                     late_grant_id=getattr(grant, "id", None))
    return submission, version


def _declare_openness(submission, openness):
    """The licence (normalised; anything else refused), the repository (http(s) only) and the publiccode.yml
    (kept as typed: its problems are the team's to see, and refuse nothing once it parses)."""
    licence = (openness.get("licence") or "").strip()
    if licence:
        found = licences.check(licence)
        if not found.ok:
            raise SubmissionError("licence")
        licence = found.normalised
    repository = (openness.get("repository_url") or "").strip()
    if repository and not publiccode.is_http_url(repository):
        raise SubmissionError("repository")
    submission.licence, submission.repository_url = licence, repository[:500]
    submission.publiccode = (openness.get("publiccode") or "").strip()


def open_licence_missing(challenge, submission):
    """The fields a challenge that requires an open licence still needs before submission: a licence that is
    open (licences.is_open) and the public repository."""
    if challenge.open_licence != OPEN_LICENCE_REQUIRE:
        return []
    missing = []
    if not submission.licence or not licences.is_open(submission.licence):
        missing.append("licence")
    if not submission.repository_url:
        missing.append("repository_url")
    return missing


def missing_for_submission(team, submission):
    """The fields the entry still needs before it may be submitted (empty: none)."""
    missing = [name for name in ("title", "summary", "description") if not getattr(submission, name)]
    return missing + open_licence_missing(team.challenge, submission)


def submission_blockers(team, submission):
    """What stops the working copy from being submitted now, deadline aside: a SubmissionError ("incomplete"
    or "ineligible") or None. The check page shows it; _submit raises it."""
    missing = missing_for_submission(team, submission)
    if missing:
        return SubmissionError("incomplete", missing)
    failures = eligibility_failures(team)
    if failures:
        return SubmissionError("ineligible", failures)
    return None


def submit_entry(actor, submission, expected_lock_version, accepted_terms=False, late_code="", received_at=None):
    """Submits the working copy exactly as the person checked it (the check page): refused as a conflict when the
    draft changed since (its lock version), and by the deadline at the moment of receipt. Returns the version."""
    team = submission.team
    _stage, submission, now, grant = _begin(team, submission.stage, submission, late_code, received_at)
    if expected_lock_version != submission.lock_version:
        raise SubmissionError("conflict")
    version = _submit(actor, team, submission, now, grant, accepted_terms)
    submission.lock_version += 1  # a second press of the same check page is stale, never a second version
    submission.updated_at = now
    return version


def _submit(actor, team, submission, now, grant, accepted_terms):
    blocker = submission_blockers(team, submission)
    if blocker is not None and blocker.code == "incomplete":
        raise blocker  # what is missing comes first, then the terms, then eligibility
    if not accepted_terms:
        raise SubmissionError("terms")
    if blocker is not None:
        raise blocker
    files = manifest(submission)
    number = (db.session.execute(
        sa.select(sa.func.max(SubmissionVersion.number)).where(SubmissionVersion.submission_id == submission.id)
    ).scalar() or 0) + 1
    version = SubmissionVersion(
        submission=submission, number=number, title=submission.title, summary=submission.summary,
        description=submission.description, links=dict(submission.links), files=files, licence=submission.licence,
        repository_url=submission.repository_url, publiccode=submission.publiccode,
        submitted_at=now, submitted_by_id=actor.id, late_grant_id=getattr(grant, "id", None),
    )
    version.sha256 = version_digest(version)
    db.session.add(version)
    submission.state = SUBMITTED
    submission.submitted_at = now
    if grant is not None and grant.used_at is None:
        grant.used_at = now
    db.session.flush()
    audit.record("submission.submitted", submission, actor=actor, version=number, sha256=version.sha256,
                 late_grant_id=getattr(grant, "id", None))
    for member in team.members:
        outbox.enqueue(RECEIPT_JOB, version.id, member.user_id)
    return version


def delete_file(actor, submission, file, expected_lock_version, late_code=""):
    _, submission, _now, _grant = _begin(submission.team, submission.stage, submission, late_code)
    if expected_lock_version != submission.lock_version:
        raise SubmissionError("conflict")
    audit.record("submission.file_removed", submission, actor=actor, sha256=file.sha256, filename=file.filename)
    submission.files.remove(file)
    submission.lock_version += 1
    db.session.flush()
    screen_working_copy(submission)


def withdraw(actor, submission):
    _, submission, now, _grant = _begin(submission.team, submission.stage, submission, "")
    if submission.state != SUBMITTED:
        raise SubmissionError("not_submitted")
    submission.state = WITHDRAWN
    submission.lock_version += 1
    submission.updated_at = now
    audit.record("submission.withdrawn", submission, actor=actor)


def grant_late_entry(actor, team, stage, reason, hours):
    """A one-team code to enter after the deadline; the code is shown once, only its hash is kept."""
    if stage.challenge_id != team.challenge_id:
        raise SubmissionError("wrong_stage")
    code = secrets.token_urlsafe(9)
    now = utcnow()
    grant = LateEntryGrant(team_id=team.id, stage_id=stage.id, code_hash=hash_code(code), reason=reason.strip(),
                           granted_by_id=actor.id, created_at=now, expires_at=now + timedelta(hours=hours))
    db.session.add(grant)
    db.session.flush()
    audit.record("submission.late_entry_granted", grant, actor=actor, team_id=team.id, stage_id=stage.id,
                 reason=grant.reason, expires_at=grant.expires_at.isoformat())
    return grant, code


def record_version_directly(team, stage, title, summary, description, links=None, files=(), submitted_at=None, actor=None):
    """For demo data only: an entry submitted at a chosen moment, bypassing the deadline and the terms."""
    submitted_at = submitted_at or utcnow()
    submission = entry_of(team, stage)
    if submission is None:
        submission = Submission(team=team, stage=stage, created_at=submitted_at, lock_version=1)
        db.session.add(submission)
    submission.title, submission.summary, submission.description = title, summary, description
    submission.links = dict(links or {})
    file_manifest = list(files)
    submission.files = [SubmissionFile(filename=f["filename"], mime_type=f["mime_type"], size=f["size"], sha256=f["sha256"],
                                       created_at=submitted_at) for f in file_manifest]
    number = len(submission.versions) + 1
    version = SubmissionVersion(
        number=number, title=title, summary=summary, description=description, links=dict(submission.links),
        files=file_manifest, licence=submission.licence or "", repository_url=submission.repository_url or "",
        publiccode=submission.publiccode or "", submitted_at=submitted_at, submitted_by_id=getattr(actor, "id", None),
    )
    version.sha256 = version_digest(version)
    submission.versions.append(version)
    submission.state = SUBMITTED
    submission.submitted_at = submitted_at
    submission.updated_at = submitted_at
    db.session.flush()
    screen_working_copy(submission)
    return submission
