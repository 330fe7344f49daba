"""Every state change of People's Choice. Flush, never commit; the views commit once.

Rules, each in one place:
- the hosts open the award for a window over a shortlist of the challenge's submitted entries; the window and
  the shortlist may change until the window opens, never after (`open_award`);
- a team releases what the public may see of its entry (`release`): title, summary, image files;
- one vote per verified account per award, changeable until the window closes, never for the voter's own
  team's entry; a vote form carries the version of the vote it was made from, so a form sent twice or
  replayed later changes nothing (`cast_vote`);
- after each vote, the votes sharing its address or e-mail domain are checked for bursts (`bursts.py`) and
  flagged to the hosts; only flagged votes may be discounted, with a reason, recorded and audited (`discount`);
- once the window has closed, the hosts publish the count: a document and its digest by the results'
  rule (`publish`, documents.py).
"""
import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app

from govchallenge.core import audit
from govchallenge.core.actions import RuleError
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.results import digests
from govchallenge.submissions.models import SUBMITTED, Submission
from govchallenge.teams.models import Team, TeamMember

from . import bursts, documents
from .models import IMAGE_TYPES, PeoplesChoiceAward, PeoplesChoiceEntry, PeoplesChoiceVote, PublicRelease, release_of

MIN_ENTRIES = 2
MIN_REASON = 10  # characters of a discount's reason: a word or two is no reason a public body can defend


class PeoplesChoiceError(RuleError):
    """A refused People's Choice change; views.MESSAGES words it."""


def keyed_digest(label, value):
    """A digest of `value` under the app's secret: the same value gives the same key, the key gives nothing back."""
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, f"pchoice:{label}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()


def burst_rule():
    config, default = current_app.config, bursts.BurstRule()
    return bursts.BurstRule(
        new_account_age=config.get("PCHOICE_BURST_NEW_ACCOUNT_AGE", default.new_account_age),
        window=config.get("PCHOICE_BURST_WINDOW", default.window),
        address_votes=config.get("PCHOICE_BURST_ADDRESS_VOTES", default.address_votes),
        domain_votes=config.get("PCHOICE_BURST_DOMAIN_VOTES", default.domain_votes),
    )


# --- the shortlist and the window ----------------------------------------------------------------------------

def candidate_entries(challenge, now=None):
    """The challenge's submitted entries whose stage has closed (before, the hosts may not read them), each team's
    latest such stage only, by title (one query)."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Submission).join(Team, Team.id == Submission.team_id)
        .where(Team.challenge_id == challenge.id, Submission.state == SUBMITTED)
        .options(sa.orm.joinedload(Submission.stage))
    ).scalars().all()
    latest = {}
    for entry in (e for e in rows if e.stage.has_closed_at(now)):
        kept = latest.get(entry.team_id)
        if kept is None or entry.stage.position > kept.stage.position:
            latest[entry.team_id] = entry
    return sorted(latest.values(), key=lambda e: (e.title.lower(), e.id))


def open_award(actor, challenge, entry_ids, opens_at, closes_at, award=None, now=None):
    """Opens (or, before its window opens, changes) the award of `challenge`."""
    now = now or utcnow()
    if award is not None and award.opens_at <= now:
        raise PeoplesChoiceError("started")
    if closes_at <= opens_at:
        raise PeoplesChoiceError("window_order")
    if closes_at <= now:
        raise PeoplesChoiceError("window_past")
    allowed = {e.id for e in candidate_entries(challenge, now)}
    chosen = set(entry_ids)
    if chosen - allowed:
        raise PeoplesChoiceError("not_candidate")
    if len(chosen) < MIN_ENTRIES:
        raise PeoplesChoiceError("too_few", minimum=MIN_ENTRIES)
    if award is None:
        award = PeoplesChoiceAward(challenge_id=challenge.id, opened_by_id=actor.id, created_at=now)
        db.session.add(award)
    award.opens_at, award.closes_at = opens_at, closes_at
    award.entries = [PeoplesChoiceEntry(submission_id=entry_id) for entry_id in sorted(chosen)]
    db.session.flush()
    audit.record("pchoice.award_opened", award, actor=actor, challenge_id=challenge.id, entries=sorted(chosen),
                 opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat())
    return award


# --- the team's release ----------------------------------------------------------------------------------------

def releasable_images(content):
    """The image files of an entry's submitted content: [(sha256, file name)]."""
    return [(f["sha256"], f.get("filename") or "") for f in content["files"] if f.get("mime_type") in IMAGE_TYPES]


def release(actor, submission, content, show_title, show_summary, image_sha256s):
    """The team's choice of what the public sees of its entry; nothing is public until it chooses."""
    images = {sha for sha, _name in releasable_images(content)}
    if set(image_sha256s) - images:
        raise PeoplesChoiceError("not_image")
    row = release_of(submission.id)
    if row is None:
        row = PublicRelease(submission_id=submission.id)
        db.session.add(row)
    row.show_title, row.show_summary = bool(show_title), bool(show_summary)
    row.images = [sha for sha, _name in releasable_images(content) if sha in set(image_sha256s)]
    row.decided_by_id, row.decided_at = actor.id, utcnow()
    db.session.flush()
    audit.record("pchoice.released", row, actor=actor, submission_id=submission.id, title=row.show_title,
                 summary=row.show_summary, images=len(row.images))
    return row


# --- voting -------------------------------------------------------------------------------------------------------

def vote_of(award, user):
    return db.session.execute(sa.select(PeoplesChoiceVote).where(
        PeoplesChoiceVote.award_id == award.id, PeoplesChoiceVote.user_id == user.id)).scalar_one_or_none()


def is_own_entry(user, submission_id):
    return db.session.execute(
        sa.select(TeamMember.id).join(Submission, Submission.team_id == TeamMember.team_id)
        .where(Submission.id == submission_id, TeamMember.user_id == user.id)).first() is not None


def _entry_in_award(award, entry_public_id):
    return db.session.execute(
        sa.select(Submission).join(PeoplesChoiceEntry, PeoplesChoiceEntry.submission_id == Submission.id)
        .where(PeoplesChoiceEntry.award_id == award.id, Submission.public_id == str(entry_public_id or ""))
    ).scalar_one_or_none()


def _require_window(award, now):
    if now < award.opens_at:
        raise PeoplesChoiceError("not_open")
    if award.has_closed(now):
        raise PeoplesChoiceError("closed")


def cast_vote(actor, award, entry_public_id, made_from_version, address, now=None):
    """The account's vote for the entry, or a change of it. `made_from_version` is the version of the vote the
    form was made from (0: no vote yet). Returns the vote."""
    now = now or utcnow()
    if not actor.is_verified:
        raise PeoplesChoiceError("unverified")
    _require_window(award, now)
    entry = _entry_in_award(award, entry_public_id)
    if entry is None:
        raise PeoplesChoiceError("not_in_award")
    if is_own_entry(actor, entry.id):
        raise PeoplesChoiceError("own_entry")
    vote = db.session.execute(sa.select(PeoplesChoiceVote).where(
        PeoplesChoiceVote.award_id == award.id, PeoplesChoiceVote.user_id == actor.id).with_for_update()
    ).scalar_one_or_none()
    current = vote.version if vote is not None else 0
    if vote is not None and vote.submission_id == entry.id:
        raise PeoplesChoiceError("already")
    if made_from_version != current:
        raise PeoplesChoiceError("replayed")
    if vote is None:
        vote = PeoplesChoiceVote(award_id=award.id, user_id=actor.id, version=0, cast_at=now,
                                 address_key=keyed_digest("address", address) if address else "",
                                 email_domain=actor.email_domain, account_created_at=actor.created_at)
        db.session.add(vote)
    vote.submission_id, vote.version, vote.changed_at = entry.id, current + 1, now
    db.session.flush()
    audit.record("pchoice.vote_cast", vote, actor=actor, award_id=award.id, version=vote.version)
    flag_around(award, vote, now)
    return vote


def flag_around(award, vote, now):
    """Checks the votes sharing `vote`'s address or e-mail domain for bursts and flags those found (a flag stays)."""
    rule = burst_rule()
    since = vote.cast_at - rule.window
    neighbours = db.session.execute(sa.select(PeoplesChoiceVote).where(
        PeoplesChoiceVote.award_id == award.id, PeoplesChoiceVote.cast_at >= since,
        sa.or_(PeoplesChoiceVote.address_key == vote.address_key, PeoplesChoiceVote.email_domain == vote.email_domain),
    )).scalars().all()
    found = bursts.flag_bursts([ballot_of(v) for v in neighbours], rule)
    for row in neighbours:
        reasons = sorted(set(row.flag_reasons or []) | set(found.get(row.id, [])))
        if reasons != sorted(row.flag_reasons or []):
            row.flag_reasons = reasons
            row.flagged_at = row.flagged_at or now
    db.session.flush()


def ballot_of(vote):
    return bursts.Ballot(id=vote.id, cast_at=vote.cast_at, account_created_at=vote.account_created_at,
                         address_key=vote.address_key, email_domain=vote.email_domain)


# --- the hosts' review -----------------------------------------------------------------------------------------------

def discount(actor, award, vote_ids, reason, now=None):
    """Discounts flagged votes, with the hosts' reason: each vote keeps it, the audit trail records it."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if award.is_published:
        raise PeoplesChoiceError("published")
    if len(reason) < MIN_REASON:
        raise PeoplesChoiceError("reason", minimum=MIN_REASON)
    wanted = set(vote_ids)
    if not wanted:
        raise PeoplesChoiceError("none_chosen")
    votes = db.session.execute(sa.select(PeoplesChoiceVote).where(
        PeoplesChoiceVote.award_id == award.id, PeoplesChoiceVote.id.in_(wanted))).scalars().all()
    if len(votes) != len(wanted) or any(v.flagged_at is None for v in votes):
        raise PeoplesChoiceError("not_flagged")
    if any(v.discounted_at is not None for v in votes):
        raise PeoplesChoiceError("already_discounted")
    for vote in votes:
        vote.discounted_at, vote.discounted_by_id, vote.discount_reason = now, actor.id, reason
    db.session.flush()
    audit.record("pchoice.votes_discounted", award, actor=actor, votes=sorted(wanted), count=len(votes), reason=reason)
    return votes


def votes_of(award):
    return db.session.execute(sa.select(PeoplesChoiceVote).where(PeoplesChoiceVote.award_id == award.id)
                              .order_by(PeoplesChoiceVote.id)).scalars().all()


def publish(actor, award, now=None):
    """Publishes the count once the window has closed: the document, its digest (results' rule), audited."""
    now = now or utcnow()
    if award.is_published:
        raise PeoplesChoiceError("published")
    if not award.has_closed(now):
        raise PeoplesChoiceError("still_open")
    document = digests.as_published(documents.build(award, votes_of(award), now, voter_label, burst_rule()))
    award.document, award.digest_scheme = document, digests.CURRENT
    award.digest = digests.digest(document, digests.CURRENT)
    award.published_at, award.published_by_id = now, actor.id
    db.session.flush()
    audit.record("pchoice.published", award, actor=actor, digest=award.digest, digest_scheme=award.digest_scheme)
    return award


def voter_label(award, user_id):
    """How the published document names a voter: stable within the award, unlinkable across awards."""
    return keyed_digest(f"voter:{award.id}", user_id)[:16]
