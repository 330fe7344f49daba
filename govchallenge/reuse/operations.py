"""Every state change of the reuse catalogue. Flush, never commit; e-mails leave through the outbox.

The catalogue shows a copy of the entry taken when a host approves the listing (and again when the team
changes its contact or maturity): what the public reads is what the hosts approved."""
import sqlalchemy as sa

from govchallenge.core import audit
from govchallenge.core.actions import RuleError
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.jobs import outbox
from govchallenge.results.models import Award, published_for
from govchallenge.submissions import licences, publiccode
from govchallenge.submissions.models import SUBMITTED, Submission
from govchallenge.teams.models import Team

from .models import ADOPTION_KINDS, APPROVED, DECLINED, MATURITIES, OPTED_IN, PENDING, UNDECIDED, Adoption, Listing
from .permissions import results_out

ADOPTION_JOB = "govchallenge.reuse.jobs.email_adoption"
DATASET_JOB = "govchallenge.reuse.jobs.refresh_dataset"


def _dataset_changes():
    """The open dataset is regenerated once this transaction commits (and never if it rolls back)."""
    outbox.enqueue(DATASET_JOB)


class ReuseError(RuleError):
    """A refused change of the reuse catalogue; its views word it."""


def winner_ids(challenge):
    """The entries that won a place or an award in the challenge's published results."""
    publication = published_for(challenge.id)
    if publication is None:
        return set()
    return set(db.session.execute(
        sa.select(Award.submission_id).where(Award.publication_id == publication.id)
    ).scalars())


def final_entries(challenge):
    """Each team's submitted entry of the latest stage it entered (one query)."""
    rows = db.session.execute(
        sa.select(Submission).join(Team, Team.id == Submission.team_id)
        .where(Team.challenge_id == challenge.id, Submission.state == SUBMITTED)
        .options(sa.orm.joinedload(Submission.team), sa.orm.joinedload(Submission.stage))
    ).scalars().all()
    latest = {}
    for entry in rows:
        kept = latest.get(entry.team_id)
        if kept is None or entry.stage.position > kept.stage.position:
            latest[entry.team_id] = entry
    return sorted(latest.values(), key=lambda e: e.team.name.lower())


def listings_of(challenge):
    """{submission_id: Listing} of a challenge (one query)."""
    rows = db.session.execute(sa.select(Listing).where(Listing.challenge_id == challenge.id)).scalars()
    return {row.submission_id: row for row in rows}


def _listing_for(submission):
    listing = db.session.execute(sa.select(Listing).where(Listing.submission_id == submission.id)).scalar_one_or_none()
    if listing is None:
        challenge = submission.team.challenge
        listing = Listing(submission=submission, challenge=challenge, team_choice=UNDECIDED, state=PENDING,
                          is_winner=submission.id in winner_ids(challenge))
        _copy_entry(listing, submission)
        db.session.add(listing)
    return listing


def _copy_entry(listing, submission):
    """What the catalogue shows, from the entry: its publiccode.yml where it gives the field, else the entry."""
    challenge = submission.team.challenge
    document, problems = publiccode.parse(submission.publiccode) if submission.publiccode else (None, [])
    document = document if document is not None and not problems else {}
    listing.name = (str(document.get("name") or "") or submission.title)[:200]
    descriptions = publiccode.descriptions(document) if document else {}
    listing.descriptions = descriptions or {challenge.main_language: {
        "short": submission.summary[:publiccode.SHORT_DESCRIPTION_MAX], "long": submission.description, "features": []}}
    languages = ((document.get("localisation") or {}).get("availableLanguages") if document else None) or sorted(listing.descriptions)
    listing.languages = [str(code) for code in languages][:20]
    listing.language_codes = ("," + ",".join(listing.languages) + ",")[:200]
    listing.search_text = " ".join([listing.name] + [text for d in listing.descriptions.values()
                                                     for text in (d["short"], d["long"])]).lower()
    listing.licence = submission.licence
    found = set(licences.families(submission.licence)) if submission.licence else set()
    listing.permissive = licences.PERMISSIVE in found
    listing.copyleft = licences.COPYLEFT in found
    listing.eupl_compatible = licences.EUPL_COMPATIBLE in found
    listing.repository_url = submission.repository_url
    if document.get("developmentStatus") in MATURITIES and listing.team_choice == UNDECIDED:
        listing.maturity = document["developmentStatus"]
    listing.updated_at = utcnow()


def _require_results(challenge):
    if not results_out(challenge):
        raise ReuseError("no_results")


def decide(actor, submission, list_it, maturity=None, contact_name="", contact_email=""):
    """The team lists its solution (with maturity and a public contact) or declines. Declining unlists at once."""
    challenge = submission.team.challenge
    _require_results(challenge)
    if submission.state != SUBMITTED:
        raise ReuseError("not_submitted")
    listing = _listing_for(submission)
    listing.team_choice = OPTED_IN if list_it else DECLINED
    listing.decided_by_id = actor.id
    if list_it:
        if maturity not in MATURITIES:
            raise ReuseError("maturity")
        listing.maturity = maturity
        listing.contact_name, listing.contact_email = contact_name.strip()[:200], contact_email.strip()[:254]
    listing.updated_at = utcnow()
    db.session.flush()
    audit.record("reuse.listing_decided", listing, actor=actor, choice=listing.team_choice)
    if listing.state == APPROVED:  # its contact, maturity or presence in the catalogue changed
        _dataset_changes()
    return listing


def approve(actor, submission):
    """A host lists an entry: a winner whose team has not declined, or any entry its team opted in."""
    challenge = submission.team.challenge
    _require_results(challenge)
    listing = _listing_for(submission)
    if listing.team_choice == DECLINED:
        raise ReuseError("declined")
    if not (listing.is_winner or listing.team_choice == OPTED_IN):
        raise ReuseError("not_offered")
    _copy_entry(listing, submission)
    listing.state = APPROVED
    listing.approved_by_id, listing.approved_at = actor.id, utcnow()
    db.session.flush()
    audit.record("reuse.listing_approved", listing, actor=actor, submission_id=submission.id)
    _dataset_changes()
    return listing


def unapprove(actor, listing):
    if listing.state != APPROVED:
        raise ReuseError("not_listed")
    listing.state = PENDING
    listing.updated_at = utcnow()
    audit.record("reuse.listing_unlisted", listing, actor=actor)
    _dataset_changes()
    return listing


def record_adoption(actor, listing, organisation, kind, note=""):
    """A public body says it uses (or wants) a listed solution; its team and the original hosts are told."""
    if not listing.is_public:
        raise ReuseError("not_listed")
    if kind not in ADOPTION_KINDS:
        raise ReuseError("kind")
    already = db.session.execute(sa.select(Adoption.id).where(
        Adoption.listing_id == listing.id, Adoption.organisation_id == organisation.id, Adoption.kind == kind,
        Adoption.withdrawn_at.is_(None))).first()
    if already is not None:
        raise ReuseError("duplicate")
    adoption = Adoption(listing=listing, organisation_id=organisation.id, kind=kind, note=note.strip()[:2000],
                        recorded_by_id=actor.id, created_at=utcnow())
    db.session.add(adoption)
    db.session.flush()
    audit.record("reuse.adoption_recorded", adoption, actor=actor, listing_id=listing.id,
                 organisation_id=organisation.id, kind=kind)
    outbox.enqueue(ADOPTION_JOB, adoption.id)
    _dataset_changes()
    return adoption


def withdraw_adoption(actor, adoption):
    if adoption.withdrawn_at is not None:
        raise ReuseError("withdrawn")
    adoption.withdrawn_at, adoption.withdrawn_by_id = utcnow(), actor.id
    audit.record("reuse.adoption_withdrawn", adoption, actor=actor, listing_id=adoption.listing_id)
    _dataset_changes()
    return adoption
