"""Run a challenge again: an officer of another verified public body copies a published challenge as a new draft
of their own body — every translation, the rubric with its weights, scales and anchors, the eligibility, the
stages shifted to the new dates they choose, the prizes in their currency — with a "based on" link back.

The copy is a draft like any other: it goes through the usual review before it is published, and its hosts
change whatever they like. Clarifications, followers, co-hosts, attachments, juries and entries stay with the
original: they belong to that run of the challenge."""
import copy

from govchallenge.challenges import operations as challenges
from govchallenge.challenges.models import (
    ACCEPTED, DRAFT, LEAD, Challenge, ChallengeHost, Criterion, Prize, Stage,
)
from govchallenge.core import audit
from govchallenge.core.geo import is_currency
from govchallenge.core.slugs import unique_slug
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db

from .operations import ReuseError

SETTINGS = ("main_language", "domain", "tags", "timezone", "countries_mode", "countries", "entrant_kinds", "team_min",
            "team_max", "anonymous_review", "review_comment", "jurors_see_others", "aggregation", "calibration",
            "publish_ranking", "open_licence")
TEXTS = ("title", "summary", "description", "expected_outcome", "terms")


def shift(moment, offset):
    return moment + offset if moment is not None else None


def run_again(actor, source, organisation, opens_at, currency):
    """A new draft led by `organisation`, its first stage opening at `opens_at` (aware, UTC) and every other date
    moved by as much; prizes in `currency` (ISO 4217) with their amounts kept for the hosts to adjust."""
    if opens_at <= utcnow():
        raise ReuseError("past")
    if not is_currency(currency):
        raise ReuseError("currency")
    if not source.stages:
        raise ReuseError("no_stages")
    offset = opens_at - min(s.opens_at for s in source.stages)
    title = source.title.get(source.main_language) or next(iter(source.title.values()), "challenge")
    draft = Challenge(slug=unique_slug(title, challenges._slug_taken), status=DRAFT, created_by_id=actor.id,
                      based_on_id=source.id)
    for name in TEXTS:
        setattr(draft, name, copy.deepcopy(getattr(source, name) or {}))
    for name in SETTINGS:
        setattr(draft, name, copy.deepcopy(getattr(source, name)))
    draft.publish_at = None
    draft.results_at = shift(source.results_at, offset)
    draft.hosts.append(ChallengeHost(organisation=organisation, role=LEAD, state=ACCEPTED, invited_by_id=actor.id,
                                     responded_at=utcnow()))
    for stage in source.stages:
        draft.stages.append(Stage(position=stage.position, name=copy.deepcopy(stage.name),
                                  description=copy.deepcopy(stage.description),
                                  opens_at=stage.opens_at + offset, closes_at=stage.closes_at + offset))
    for criterion in source.criteria:
        draft.criteria.append(Criterion(
            round_number=criterion.round_number, position=criterion.position, name=copy.deepcopy(criterion.name),
            description=copy.deepcopy(criterion.description), weight=criterion.weight, scale_min=criterion.scale_min,
            scale_max=criterion.scale_max, anchors=copy.deepcopy(criterion.anchors), threshold=criterion.threshold,
            informational=criterion.informational))
    for prize in source.prizes:
        draft.prizes.append(Prize(position=prize.position, place=prize.place, name=copy.deepcopy(prize.name),
                                  description=copy.deepcopy(prize.description), amount=prize.amount,
                                  currency=currency if prize.amount is not None else None))
    challenges.refresh_timeline(draft)
    challenges.refresh_search_text(draft)
    db.session.add(draft)
    db.session.flush()
    audit.record("challenge.created", draft, actor=actor, organisation_id=organisation.id, based_on_id=source.id)
    audit.record("reuse.challenge_run_again", source, actor=actor, copy_id=draft.id, organisation_id=organisation.id)
    return draft


def reuses_of(challenge):
    """The challenges based on `challenge`, with their lead bodies (for its hosts)."""
    import sqlalchemy as sa

    return db.session.execute(
        sa.select(Challenge).where(Challenge.based_on_id == challenge.id).order_by(Challenge.created_at)
        .options(sa.orm.selectinload(Challenge.hosts).joinedload(ChallengeHost.organisation))
    ).scalars().all()
