"""Every state change of the results domain: propose a ranking, confirm it, publish it (scores
frozen, digest taken, announcement recorded in the same transaction), register webhooks, retry
deliveries. Operations flush, never commit."""
import re

import sqlalchemy as sa

from govchallenge.challenges.models import ACCEPTED, ARCHIVED, DOMAINS, RESULTS_PUBLISHED
from govchallenge.core.actions import RuleError
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox

from . import digests, documents, webhook_guard
from .models import (
    FAILED, PENDING, PROPOSED, PUBLISHED, SUPERSEDED, Announcement, Award, Contest, Delivery, HostConfirmation,
    Publication, WebhookEndpoint, proposed_for, published_for,
)

ANNOUNCE_JOB = "govchallenge.results.announcements.announce"


class ResultsError(RuleError):
    """A refused change of the results; results/shared.py words it."""


# --- proposing ------------------------------------------------------------------------------

def _refuse_archived(challenge):
    """An archived challenge was closed without results; it has to stay as it was archived."""
    if challenge.status == ARCHIVED:
        raise ResultsError("archived")


def propose(challenge, actor, priority_criterion_id=None, chair_decisions=(), special_awards=None):
    """The chair proposes the ranking computed from the submitted reviews. Refused while a round is
    open or a review is missing. A newer proposal replaces an unconfirmed older one."""
    if published_for(challenge.id) is not None:
        raise ResultsError("already_published")
    _refuse_archived(challenge)
    data = documents.gather(challenge)
    if data.problems:
        raise ResultsError(data.problems[0][0], problems=data.problems)
    if priority_criterion_id is not None and priority_criterion_id not in {c.id for c in data.criteria}:
        raise ResultsError("bad_priority_criterion")
    decisions = [{"order": list(d["order"]), "reason": d["reason"].strip()} for d in chair_decisions if d.get("order")]
    for decision in decisions:
        if not decision["reason"]:
            raise ResultsError("decision_needs_reason")
    specials = _check_special_awards(challenge, data, special_awards or {})
    full = _publishable(scoring_document(challenge, data, priority_criterion_id, decisions, specials))
    old = proposed_for(challenge.id)
    if old is not None:
        old.state = SUPERSEDED
    publication = Publication(
        challenge=challenge, state=PROPOSED, proposed_by_id=getattr(actor, "id", None), proposed_at=utcnow(),
        chair_decisions=decisions, priority_criterion_id=priority_criterion_id, full=full,
    )
    db.session.add(publication)
    db.session.flush()
    audit.record("results.proposed", publication, actor=actor, challenge=challenge.slug,
                 unresolved_ties=len(full["unresolved_ties"]))
    return publication


def _publishable(document):
    """The document as it will be stored, refused when a value could not be published exactly (a number
    beyond 2^53, NaN, a lone surrogate in a name): digests.as_published. Checked on the proposal already, so
    that the chair hears of it, not the last host confirming."""
    try:
        return digests.as_published(document)
    except digests.NotCanonical as error:
        raise ResultsError("not_publishable", where=str(error)) from error


def scoring_document(challenge, data, *args):
    """The full document, or the engine's refusal as a ResultsError naming its rule."""
    try:
        return documents.full_document(challenge, data, *args)
    except documents.scoring.ScoringError as error:
        raise ResultsError("scoring_refused", reason=error.code) from error


def previous_priority_criterion(challenge, criteria):
    """The tie-break criterion of the chair's latest proposal (whatever became of it), if it is still
    a criterion of the final round; else None. The challenge has no column of its own for it."""
    chosen = db.session.execute(
        sa.select(Publication.priority_criterion_id).where(Publication.challenge_id == challenge.id)
        .order_by(Publication.id.desc()).limit(1)
    ).scalar_one_or_none()
    return chosen if chosen in {c.id for c in criteria} else None


def _check_special_awards(challenge, data, wanted):
    """{prize id: submission public id} for prizes without a place."""
    special_ids = {p.id for p in challenge.prizes if p.place is None}
    entries = {s.public_id for s in data.submissions.values()}
    chosen = {}
    for prize_id, public_id in wanted.items():
        if not public_id:
            continue
        if prize_id not in special_ids or public_id not in entries:
            raise ResultsError("bad_special_award")
        chosen[prize_id] = public_id
    return chosen


# --- confirming and publishing --------------------------------------------------------------

def accepted_host_ids(challenge):
    return {h.organisation_id for h in challenge.hosts if h.state == ACCEPTED}


def missing_confirmations(publication):
    confirmed = {c.organisation_id for c in publication.confirmations}
    return sorted(accepted_host_ids(publication.challenge) - confirmed)


def confirm(publication, actor):
    """A host officer confirms for each of their host organisations that has not yet confirmed;
    the last confirmation publishes."""
    _lock_publication(publication)
    if publication.state != PROPOSED:
        raise ResultsError("not_proposed")
    from govchallenge.organisations.models import OFFICER, active_memberships

    mine = {m.organisation_id for m in active_memberships(actor) if m.role == OFFICER}
    todo = [org_id for org_id in missing_confirmations(publication) if org_id in mine]
    if not todo:
        raise ResultsError("already_confirmed")
    for organisation_id in todo:
        publication.confirmations.append(HostConfirmation(
            organisation_id=organisation_id, confirmed_by_id=actor.id, confirmed_at=utcnow()))
    db.session.flush()
    audit.record("results.confirmed", publication, actor=actor, organisations=todo)
    if not missing_confirmations(publication):
        publish(publication, actor)
    return publication


def publish(publication, actor, force=False):
    """Freeze the scores, take the digest, record the awards and, in the same transaction, the
    announcement and its job. `force` (operators only, from the command line) skips missing
    confirmations and is written to the audit trail."""
    if publication.state == PUBLISHED:
        return publication
    if publication.state != PROPOSED:
        raise ResultsError("not_proposed")
    missing = missing_confirmations(publication)
    if missing and not force:
        raise ResultsError("hosts_missing", organisations=missing)
    challenge = publication.challenge
    _lock_challenge(challenge)
    if published_for(challenge.id) is not None:
        raise ResultsError("already_published")
    _refuse_archived(challenge)
    now = utcnow().replace(microsecond=0)
    document = _publishable(documents.public_document(publication.full, now))
    publication.published_at = now
    publication.document = document
    publication.digest_scheme = digests.CURRENT
    publication.digest = documents.digest_of(publication)
    publication.state = PUBLISHED
    _record_awards(publication, actor)
    _set_challenge_status(challenge, actor)
    announcement = Announcement(publication=publication)
    db.session.add(announcement)
    db.session.flush()
    outbox.enqueue(ANNOUNCE_JOB, announcement.id, max_attempts=12)
    # The trail keeps the digest and its rule out of the publication's reach: `results verify` compares the
    # stored digest with this event, so the document and its digest cannot be changed together unnoticed.
    audit.record("results.published", publication, actor=actor, digest=publication.digest,
                 digest_scheme=publication.digest_scheme, forced_without=missing if force else [])
    return publication


def _lock_publication(publication):
    """Two hosts confirming at the same moment: the second waits, then sees the first's
    confirmation, so exactly one of them publishes."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT 1 FROM publication WHERE id = :id FOR UPDATE"), {"id": publication.id})
        db.session.refresh(publication)
        db.session.expire(publication, ["confirmations"])


def _lock_challenge(challenge):
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT 1 FROM challenge WHERE id = :id FOR UPDATE"), {"id": challenge.id})


def _record_awards(publication, actor):
    from govchallenge.submissions.models import Submission

    by_public_id = {}
    wanted = [a["entry"] for a in publication.full["awards"]]
    if wanted:
        rows = db.session.execute(sa.select(Submission).where(Submission.public_id.in_(wanted))).scalars()
        by_public_id = {s.public_id: s for s in rows}
    for award in publication.full["awards"]:
        submission = by_public_id.get(award["entry"])
        if submission is None:
            continue
        db.session.add(Award(
            challenge_id=publication.challenge_id, publication_id=publication.id, prize_id=award["prize_id"],
            place=award["place"], name=award["name"], submission_id=submission.id,
            awarded_by_id=getattr(actor, "id", None),
        ))


def _set_challenge_status(challenge, actor):
    from govchallenge.challenges.operations import set_status

    set_status(challenge, RESULTS_PUBLISHED, actor)


# --- contests -------------------------------------------------------------------------------

CONTEST_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _translated(field):
    """{language: text}, stripped, empty texts left out."""
    return {code: text.strip() for code, text in (field or {}).items() if text and text.strip()}


def create_contest(slug, name, challenges, actor, description=None):
    """A contest grouping `challenges` (several challenges run together, as #EUvsVirus did).
    `name` and `description` are translated fields: {language: text}."""
    slug = (slug or "").strip()
    if not CONTEST_SLUG.match(slug) or len(slug) > 100:
        raise ResultsError("bad_contest_slug", slug=slug)
    name = _translated(name)
    if not name:
        raise ResultsError("contest_needs_name")
    if not challenges:
        raise ResultsError("contest_needs_challenges")
    if db.session.execute(sa.select(Contest.id).where(Contest.slug == slug)).first() is not None:
        raise ResultsError("contest_exists", slug=slug)
    contest = Contest(slug=slug, name=name, description=_translated(description))
    contest.challenges.extend(dict.fromkeys(challenges))  # each challenge once, in the given order
    db.session.add(contest)
    db.session.flush()
    audit.record("results.contest_created", contest, actor=actor, slug=slug,
                 challenges=[c.slug for c in contest.challenges])
    return contest


def give_contest_award(contest, submission, name, actor, domain=None, place=None, reason=""):
    """A domain-wide (or, without a domain, contest-wide) award to an entry of one of the contest's
    challenges. The contest page shows it once that challenge's results are published."""
    name = _translated(name)
    if not name:
        raise ResultsError("award_needs_name")
    if domain is not None and domain not in DOMAINS:
        raise ResultsError("unknown_domain", domain=domain)
    if place is not None and place < 1:
        raise ResultsError("bad_place", place=place)
    challenge = submission.team.challenge
    if challenge not in contest.challenges:
        raise ResultsError("not_in_contest")
    if domain is not None and challenge.domain != domain:
        raise ResultsError("wrong_domain", domain=domain, challenge_domain=challenge.domain)
    award = Award(contest=contest, domain=domain, place=place, name=name, reason=reason,
                  submission_id=submission.id, awarded_by_id=getattr(actor, "id", None))
    db.session.add(award)
    db.session.flush()
    audit.record("results.contest_award", award, actor=actor, contest=contest.slug, domain=domain)
    return award


# --- webhooks and deliveries ----------------------------------------------------------------

def add_webhook(organisation, url, actor):
    """The form has checked the address (and where it leads); an http(s) URL is required here too.
    Where it leads is checked again at each delivery."""
    try:
        webhook_guard.split(url)
    except webhook_guard.Refused as problem:
        raise ResultsError("bad_webhook_url", problem=problem.code) from problem
    endpoint = WebhookEndpoint(organisation_id=organisation.id, url=url.strip(), created_by_id=actor.id)
    db.session.add(endpoint)
    db.session.flush()
    audit.record("results.webhook_added", endpoint, actor=actor, url=endpoint.url)
    return endpoint


def deactivate_webhook(endpoint, actor):
    endpoint.active = False
    db.session.flush()
    audit.record("results.webhook_deactivated", endpoint, actor=actor)
    return endpoint


def retry_failed(announcement, actor):
    """Failed deliveries get new attempts; the job runs again (it skips whatever was sent)."""
    count = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.announcement_id == announcement.id, Delivery.state == FAILED)
        .values(state=PENDING, attempts=0, next_attempt_at=None)
    ).rowcount
    resume(announcement, actor, reason="retry_failed", retried=count)
    return count


def resume(announcement, actor=None, reason="resume", **detail):
    """Request the announcement job again (after a worker died, for instance). Idempotent."""
    announcement.finished_at = None
    outbox.enqueue(ANNOUNCE_JOB, announcement.id, max_attempts=12)
    audit.record(f"results.announcement_{reason}", announcement, actor=actor, **detail)
    return announcement
