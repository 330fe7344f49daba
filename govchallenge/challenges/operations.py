"""Every state change of a challenge. Flush, never commit; jobs go through the outbox."""
import math
import sqlalchemy as sa
from flask import current_app

from govchallenge.core.actions import RuleError
from govchallenge.core import audit, storage
from govchallenge.core.s3 import S3Error
from govchallenge.core.slugs import unique_slug
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox

from . import timeline
from .models import (
    ACCEPTED, APPROVED, ARCHIVED, CHANGES_REQUESTED, CLOSED, COHOST, DECLINED, DRAFT, IN_EVALUATION, IN_REVIEW,
    INVITED, LEAD, OPEN, PUBLISHED, RESULTS_PUBLISHED, SCHEDULED, Challenge, ChallengeAttachment, ChallengeHost,
    Clarification, Criterion, Follow, Prize, Stage,
)

TEXT_FIELDS = ("title", "summary", "description", "expected_outcome", "terms")
# What may change in each (derived) state.
TEXT_EDITABLE = {DRAFT, CHANGES_REQUESTED, SCHEDULED, PUBLISHED, OPEN}
STRUCTURE_EDITABLE = {DRAFT, CHANGES_REQUESTED, SCHEDULED, PUBLISHED}
# Changes in these states are material: audited in detail and announced to followers.
ANNOUNCED = {PUBLISHED, OPEN}
ATTACHMENT_TYPES = storage.DOCUMENT_TYPES


class ChallengeError(RuleError):
    """A refused change of the challenge domain; its views word it."""


RESERVED_SLUGS = {"new", "mine", "review", "feed.atom"}


def _slug_taken(slug):
    if slug in RESERVED_SLUGS:
        return True
    return db.session.execute(sa.select(Challenge.id).where(Challenge.slug == slug)).first() is not None


def refresh_search_text(challenge):
    parts = []
    for name in TEXT_FIELDS[:3]:
        parts.extend((getattr(challenge, name) or {}).values())
    parts.extend(challenge.tags or [])
    challenge.search_text = " ".join(p for p in parts if p).lower()


def refresh_timeline(challenge):
    stages = sorted(challenge.stages, key=lambda s: (s.opens_at, s.closes_at))
    for position, stage in enumerate(stages, start=1):
        stage.position = position
    challenge.opens_at = stages[0].opens_at if stages else None
    challenge.closes_at = max(s.closes_at for s in stages) if stages else None


def _require(challenge, allowed):
    if challenge.state not in allowed:
        raise ChallengeError("locked")


def _changed(challenge, actor, what, **detail):
    """Audit a change; after publication it is material: logged in detail and announced."""
    challenge.version = (challenge.version or 1) + 1
    material = challenge.state in ANNOUNCED
    audit.record("challenge.changed" if material else "challenge.edited", challenge, actor=actor, what=what, **detail)
    if material:
        announce(challenge, "update", what)


def announce(challenge, kind, reference=""):
    """One e-mail job per follower, sent in each follower's language."""
    user_ids = db.session.execute(sa.select(Follow.user_id).where(Follow.challenge_id == challenge.id).order_by(Follow.user_id)).scalars().all()
    for user_id in user_ids:
        outbox.enqueue("govchallenge.challenges.jobs.email_follower", user_id, challenge.id, kind, str(reference))
    return len(user_ids)


# --- authoring -------------------------------------------------------------------------------

def _apply_settings(challenge, values):
    for name in ("domain", "timezone", "countries_mode", "team_min", "team_max", "anonymous_review", "review_comment",
                 "jurors_see_others", "aggregation", "calibration", "publish_ranking", "open_licence", "publish_at", "results_at"):
        if name in values:
            setattr(challenge, name, values[name])
    if "tags" in values:
        challenge.tags = list(values["tags"])
    if "countries" in values:
        challenge.countries = sorted({c.upper() for c in values["countries"]})
    if "entrant_kinds" in values:
        challenge.entrant_kinds = list(values["entrant_kinds"])


def create(actor, organisation, main_language, texts, **settings):
    """A draft led by `organisation`. `texts` holds the main language's title, summary…"""
    challenge = Challenge(slug=unique_slug(texts["title"], _slug_taken), main_language=main_language, status=DRAFT, created_by_id=actor.id)
    for name in TEXT_FIELDS:
        setattr(challenge, name, {main_language: texts.get(name) or ""} if texts.get(name) else {})
    _apply_settings(challenge, settings)
    challenge.hosts.append(ChallengeHost(organisation=organisation, role=LEAD, state=ACCEPTED, invited_by_id=actor.id, responded_at=utcnow()))
    refresh_search_text(challenge)
    db.session.add(challenge)
    db.session.flush()
    audit.record("challenge.created", challenge, actor=actor, organisation_id=organisation.id)
    return challenge


def update(actor, challenge, texts, version=None, **settings):
    _require(challenge, TEXT_EDITABLE)
    if version not in (None, "") and str(version) != str(challenge.version):
        raise ChallengeError("stale")
    main = challenge.main_language
    new_main = settings.pop("main_language", main) or main
    before = {name: (getattr(challenge, name) or {}).get(main, "") for name in TEXT_FIELDS}
    for name in TEXT_FIELDS:
        values = dict(getattr(challenge, name) or {})
        if texts.get(name):
            values[new_main] = texts[name]
        else:
            values.pop(new_main, None)
        setattr(challenge, name, values)
    challenge.main_language = new_main
    if challenge.state in ANNOUNCED:
        # The rules of the game stay as published: only texts and the results date move.
        settings = {k: v for k, v in settings.items() if k in ("tags", "results_at", "domain")}
    moments = (settings.get("publish_at", challenge.publish_at), settings.get("results_at", challenge.results_at))
    if moments != (challenge.publish_at, challenge.results_at):  # a text edit never trips over dates it leaves alone
        refuse_date_problems(timeline.publication_problems(windows(challenge), *moments))
    _apply_settings(challenge, settings)
    refresh_search_text(challenge)
    changed = [name for name in TEXT_FIELDS if before[name] != (getattr(challenge, name) or {}).get(new_main, "")]
    _changed(challenge, actor, "details", fields=changed)


def _set_language(obj, attribute, language, text):
    values = dict(getattr(obj, attribute) or {})
    if text:
        values[language] = text
    else:
        values.pop(language, None)
    setattr(obj, attribute, values)


def translatable_parts(challenge):
    """(kind, id, attribute, object) of the stage, criterion, prize and anchor texts a translation covers."""
    for kind, items in (("stage", challenge.stages), ("criterion", challenge.criteria), ("prize", challenge.prizes)):
        for item in items:
            yield kind, item.id, "name", item
            yield kind, item.id, "description", item
            if kind == "criterion":
                for point in sorted(item.anchors or {}, key=lambda p: int(p) if p.lstrip("-").isdigit() else 0):
                    yield kind, item.id, f"anchor-{point}", item


def set_translation(actor, challenge, language, texts, parts=None):
    """Texts of one language: `texts` maps the challenge's text fields, `parts` maps "stage-3-name",
    "criterion-5-anchor-0"… to their text. Only what is given changes: a field left out (not an empty one,
    which removes that text) keeps its translation, so saving part of a translation never wipes the rest."""
    _require(challenge, TEXT_EDITABLE)
    for name in TEXT_FIELDS:
        if name in texts:
            _set_language(challenge, name, language, texts[name])
    parts = parts or {}
    for kind, item_id, attribute, item in translatable_parts(challenge):
        key = f"{kind}-{item_id}-{attribute}"
        if key not in parts:
            continue
        text = (parts[key] or "").strip()
        if attribute.startswith("anchor-"):
            anchors = {point: dict(labels) for point, labels in (item.anchors or {}).items()}
            point = attribute[len("anchor-"):]
            if text:
                anchors[point][language] = text
            else:
                anchors[point].pop(language, None)
            item.anchors = anchors
        else:
            _set_language(item, attribute, language, text)
    refresh_search_text(challenge)
    _changed(challenge, actor, "translation", language=language)


def remove_translation(actor, challenge, language):
    _require(challenge, TEXT_EDITABLE)
    if language == challenge.main_language:
        raise ChallengeError("main_language")
    for name in TEXT_FIELDS:
        values = dict(getattr(challenge, name) or {})
        values.pop(language, None)
        setattr(challenge, name, values)
    refresh_search_text(challenge)
    _changed(challenge, actor, "translation_removed", language=language)


def windows(challenge, without=None, extra=None):
    """The challenge's stages as the timeline rules see them, leaving out `without` and adding `extra` (a Window)."""
    main = challenge.main_language
    found = [timeline.Window((s.name or {}).get(main, ""), s.opens_at, s.closes_at) for s in challenge.stages if s is not without]
    return found + ([extra] if extra is not None else [])


def refuse_date_problems(problems):
    """Refuse a change that leaves the dates inconsistent, naming the first stage at fault."""
    if problems:
        problem = problems[0]
        raise ChallengeError(problem.code, stage=problem.stage, other=problem.other)


def _check_stage(challenge, stage, name, opens_at, closes_at):
    """The timeline as it would be with `stage` (None: a new one) at these moments, checked before any change."""
    after = windows(challenge, without=stage, extra=timeline.Window(name, opens_at, closes_at))
    refuse_date_problems(timeline.stage_problems(after) + timeline.publication_problems(after, challenge.publish_at, challenge.results_at))


def _set_main_texts(item, language, name, description):
    """The name and description of a stage, criterion or prize in the main language; other languages kept.
    -> the names of the attributes that changed."""
    changed = []
    for attribute, text in (("name", name), ("description", description)):
        if (getattr(item, attribute) or {}).get(language, "") != (text or ""):
            _set_language(item, attribute, language, text)
            changed.append(attribute)
    return changed


def _set_values(item, **values):
    """Set plain columns; -> the names of those that changed."""
    changed = [name for name, value in values.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, values[name])
    return changed


def add_stage(actor, challenge, name, description, opens_at, closes_at):
    _require(challenge, STRUCTURE_EDITABLE)
    _check_stage(challenge, None, name, opens_at, closes_at)
    language = challenge.main_language
    stage = Stage(name={language: name}, description={language: description} if description else {}, opens_at=opens_at, closes_at=closes_at)
    challenge.stages.append(stage)
    refresh_timeline(challenge)
    db.session.flush()
    _changed(challenge, actor, "stage_added", stage_id=stage.id, opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat())
    return stage


def update_stage(actor, challenge, stage, name, description, opens_at, closes_at):
    """Change a stage in place: its texts in the main language (translations kept) and its moments."""
    _require(challenge, STRUCTURE_EDITABLE)
    _check_stage(challenge, stage, name, opens_at, closes_at)
    changed = _set_main_texts(stage, challenge.main_language, name, description)
    changed += _set_values(stage, opens_at=opens_at, closes_at=closes_at)
    refresh_timeline(challenge)
    if changed:
        _changed(challenge, actor, "stage_changed", stage_id=stage.id, fields=changed,
                 opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat())
    return stage


def _added(challenge, actor, parts, part, kind, **detail):
    """A new part of the challenge: in its list, with an id, and in the challenge's history."""
    parts.append(part)
    db.session.flush()
    _changed(challenge, actor, f"{kind}_added", **{f"{kind}_id": part.id}, **detail)
    return part


def remove_stage(actor, challenge, stage):
    _require(challenge, STRUCTURE_EDITABLE)
    challenge.stages.remove(stage)
    refresh_timeline(challenge)
    _changed(challenge, actor, "stage_removed", stage_id=stage.id)


def _check_criterion(weight, scale_min, scale_max):
    if not weight or not math.isfinite(weight) or weight <= 0:
        raise ChallengeError("weight")
    if scale_min >= scale_max:
        raise ChallengeError("scale")


def add_criterion(actor, challenge, name, description, weight, scale_min, scale_max, anchors=None, threshold=None,
                  informational=False, round_number=1):
    _require(challenge, STRUCTURE_EDITABLE)
    _check_criterion(weight, scale_min, scale_max)
    language = challenge.main_language
    criterion = Criterion(
        name={language: name}, description={language: description} if description else {}, weight=float(weight),
        scale_min=scale_min, scale_max=scale_max, threshold=threshold, informational=bool(informational),
        round_number=round_number or 1, position=len(challenge.criteria) + 1,
        anchors={point: {language: label} for point, label in (anchors or {}).items()},
    )
    return _added(challenge, actor, challenge.criteria, criterion, "criterion", weight=criterion.weight)


def _anchors_in(criterion, language, anchors):
    """The labelled points typed in the main language; the other languages' labels of points kept are kept."""
    kept = {}
    for point, label in (anchors or {}).items():
        labels = dict((criterion.anchors or {}).get(point, {}))
        labels[language] = label
        kept[point] = labels
    return kept


def update_criterion(actor, challenge, criterion, name, description, weight, scale_min, scale_max, anchors=None,
                     threshold=None, informational=False, round_number=1):
    """Change a criterion in place (before the challenge opens, so no score was given on it yet)."""
    _require(challenge, STRUCTURE_EDITABLE)
    _check_criterion(weight, scale_min, scale_max)
    language = challenge.main_language
    changed = _set_main_texts(criterion, language, name, description)
    changed += _set_values(criterion, weight=float(weight), scale_min=scale_min, scale_max=scale_max, threshold=threshold,
                           informational=bool(informational), round_number=round_number or 1,
                           anchors=_anchors_in(criterion, language, anchors))
    if changed:
        _changed(challenge, actor, "criterion_changed", criterion_id=criterion.id, fields=changed, weight=criterion.weight)
    return criterion


def remove_criterion(actor, challenge, criterion):
    _require(challenge, STRUCTURE_EDITABLE)
    challenge.criteria.remove(criterion)
    for position, other in enumerate(challenge.criteria, start=1):
        other.position = position
    _changed(challenge, actor, "criterion_removed", criterion_id=criterion.id)


def _check_place(challenge, prize, place):
    """Each place is awarded by one prize only (special awards have no place)."""
    if place is not None and any(other.place == place for other in challenge.prizes if other is not prize):
        raise ChallengeError("place_taken", place=place)


def add_prize(actor, challenge, name, description, place=None, amount=None, currency=None):
    _require(challenge, STRUCTURE_EDITABLE)
    _check_place(challenge, None, place)
    language = challenge.main_language
    prize = Prize(
        name={language: name}, description={language: description} if description else {}, place=place,
        amount=amount, currency=(currency or "").upper() or None, position=len(challenge.prizes) + 1,
    )
    return _added(challenge, actor, challenge.prizes, prize, "prize", amount=str(amount) if amount is not None else None,
                  currency=prize.currency)


def update_prize(actor, challenge, prize, name, description, place=None, amount=None, currency=None):
    """Change a prize in place: texts in the main language (translations kept), place and amount."""
    _require(challenge, STRUCTURE_EDITABLE)
    _check_place(challenge, prize, place)
    changed = _set_main_texts(prize, challenge.main_language, name, description)
    changed += _set_values(prize, place=place, amount=amount, currency=(currency or "").upper() or None)
    if changed:
        _changed(challenge, actor, "prize_changed", prize_id=prize.id, fields=changed,
                 amount=str(amount) if amount is not None else None, currency=prize.currency)
    return prize


def remove_prize(actor, challenge, prize):
    _require(challenge, STRUCTURE_EDITABLE)
    challenge.prizes.remove(prize)
    _changed(challenge, actor, "prize_removed", prize_id=prize.id)


# --- co-hosts --------------------------------------------------------------------------------

def invite_cohost(actor, challenge, organisation):
    if not (organisation.is_public_body and organisation.is_verified):
        raise ChallengeError("not_public_body")
    host = next((h for h in challenge.hosts if h.organisation_id == organisation.id), None)
    if host is not None and host.state != DECLINED:
        raise ChallengeError("already_host")
    if host is None:
        host = ChallengeHost(organisation=organisation, role=COHOST)
        challenge.hosts.append(host)
    # A body that declined may be asked again.
    host.state, host.invited_by_id, host.invited_at, host.responded_at = INVITED, actor.id, utcnow(), None
    db.session.flush()
    audit.record("challenge.cohost_invited", challenge, actor=actor, organisation_id=organisation.id)
    outbox.enqueue("govchallenge.challenges.jobs.email_cohost_invitation", host.id)
    return host


def respond_invitation(actor, host, accept):
    if host.state != INVITED:
        raise ChallengeError("answered")
    host.state = ACCEPTED if accept else DECLINED
    host.responded_at = utcnow()
    audit.record("challenge.cohost_" + ("accepted" if accept else "declined"), host.challenge, actor=actor, organisation_id=host.organisation_id)


def remove_cohost(actor, host):
    if host.role == LEAD:
        raise ChallengeError("lead")
    challenge = host.challenge
    challenge.hosts.remove(host)
    audit.record("challenge.cohost_removed", challenge, actor=actor, organisation_id=host.organisation_id)


# --- lifecycle -------------------------------------------------------------------------------

def missing_for_review(challenge):
    """Codes of what the challenge still lacks before review."""
    missing = []
    if not (challenge.title or {}).get(challenge.main_language):
        missing.append("title")
    if not challenge.stages:
        missing.append("stages")
    if not challenge.criteria:
        missing.append("criteria")
    return missing


def date_problems(challenge, now=None):
    """Every problem of the challenge's dates; with `now`, the stages already past too (checked on sending)."""
    return timeline.problems(windows(challenge), challenge.publish_at, challenge.results_at, now)


def submit_for_review(actor, challenge):
    if challenge.status not in (DRAFT, CHANGES_REQUESTED):
        raise ChallengeError("transition")
    if missing_for_review(challenge):
        raise ChallengeError("incomplete")
    refuse_date_problems(date_problems(challenge, utcnow()))
    challenge.status = IN_REVIEW
    audit.record("challenge.submitted_for_review", challenge, actor=actor)
    outbox.enqueue("govchallenge.challenges.jobs.email_admins_review_waiting", challenge.id)


def approve(actor, challenge, comment=""):
    if challenge.status != IN_REVIEW:
        raise ChallengeError("transition")
    challenge.status = APPROVED
    audit.record("challenge.approved", challenge, actor=actor, comment=comment or "",
                 publish_at=challenge.publish_at.isoformat() if challenge.publish_at else "now")


def request_changes(actor, challenge, comment=""):
    if challenge.status != IN_REVIEW:
        raise ChallengeError("transition")
    challenge.status = CHANGES_REQUESTED
    audit.record("challenge.changes_requested", challenge, actor=actor, comment=comment or "")


def withdraw_from_review(actor, challenge):
    if challenge.status != IN_REVIEW:
        raise ChallengeError("transition")
    challenge.status = DRAFT
    audit.record("challenge.withdrawn_from_review", challenge, actor=actor)


_TRANSITIONS = {
    IN_EVALUATION: {APPROVED},
    RESULTS_PUBLISHED: {APPROVED, IN_EVALUATION},
    ARCHIVED: {APPROVED, IN_EVALUATION, RESULTS_PUBLISHED},
}


def set_status(challenge, status, actor):
    """Moves the workflow on for other domains (jury, results): in_evaluation, results_published, archived."""
    if challenge.status == status:
        return challenge
    if status not in _TRANSITIONS or challenge.status not in _TRANSITIONS[status]:
        raise ChallengeError("transition")
    if status in (IN_EVALUATION, ARCHIVED) and challenge.status == APPROVED and challenge.state != CLOSED:
        raise ChallengeError("not_closed")
    previous = challenge.status
    challenge.status = status
    audit.record("challenge.status_changed", challenge, actor=actor, previous=previous, status=status)
    if status in (IN_EVALUATION, ARCHIVED):
        announce(challenge, status)
    return challenge


# --- attachments -----------------------------------------------------------------------------

def max_attachment_bytes():
    return int(current_app.config.get("MAX_ATTACHMENT_MB", 25)) * 1024 * 1024


def add_attachment(actor, challenge, title, filename, data):
    _require(challenge, TEXT_EDITABLE)
    try:
        mime = storage.check(data, ATTACHMENT_TYPES, max_attachment_bytes())
    except storage.FileRejected as error:
        raise ChallengeError("file_" + str(error)) from None
    try:
        stored = storage.save(data, mime)
    except S3Error:
        current_app.logger.exception("file storage unavailable")
        raise ChallengeError("file_storage") from None
    safe_name = "".join(c for c in (filename or "") if c.isalnum() or c in "-_. ")[:150].strip() or "attachment"
    stem = safe_name.rsplit(".", 1)[0] if "." in safe_name else safe_name
    attachment = ChallengeAttachment(
        title={challenge.main_language: title}, filename=stem + ATTACHMENT_TYPES[mime], mime_type=mime,
        size=stored.size, sha256=stored.sha256, uploaded_by_id=actor.id,
    )
    return _added(challenge, actor, challenge.attachments, attachment, "attachment", sha256=stored.sha256)


def remove_attachment(actor, challenge, attachment):
    _require(challenge, TEXT_EDITABLE)
    challenge.attachments.remove(attachment)
    _changed(challenge, actor, "attachment_removed", attachment_id=attachment.id)


# --- clarifications and following ------------------------------------------------------------

def ask(actor, challenge, question, language):
    clarification = Clarification(challenge_id=challenge.id, asked_by_id=actor.id, question=question.strip(), language=language)
    db.session.add(clarification)
    db.session.flush()
    audit.record("challenge.question_asked", challenge, actor=actor, clarification_id=clarification.id)
    return clarification


def answer(actor, challenge, clarification, text):
    first = clarification.answer is None
    clarification.answer = text.strip()
    clarification.answered_by_id = actor.id
    clarification.answered_at = utcnow()
    audit.record("challenge.question_answered", challenge, actor=actor, clarification_id=clarification.id)
    if first:
        announce(challenge, "clarification", clarification.id)
    return clarification


def follow(actor, challenge):
    existing = db.session.execute(
        sa.select(Follow).where(Follow.challenge_id == challenge.id, Follow.user_id == actor.id)
    ).scalar_one_or_none()
    if existing is None:
        existing = Follow(challenge_id=challenge.id, user_id=actor.id)
        db.session.add(existing)
        db.session.flush()
    return existing


def unfollow(actor, challenge):
    db.session.execute(sa.delete(Follow).where(Follow.challenge_id == challenge.id, Follow.user_id == actor.id))


def is_following(user, challenge):
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.execute(
        sa.select(Follow.id).where(Follow.challenge_id == challenge.id, Follow.user_id == user.id)
    ).first() is not None
