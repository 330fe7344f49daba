"""`flask --app govchallenge results …`: operator commands."""
import sys

import click
from flask.cli import with_appcontext

from govchallenge.extensions import db


def _challenge(slug):
    from govchallenge.challenges.models import by_slug

    challenge = by_slug(slug)
    if challenge is None:
        raise click.ClickException(f"no challenge {slug!r}")
    return challenge


def _finish():
    from govchallenge.jobs.relay import relay_committed

    db.session.commit()
    relay_committed()


@click.group("results")
def results_cli():
    """Operator commands for the results domain."""


@results_cli.command("verify")
@click.argument("slug")
@with_appcontext
def verify(slug):
    """Check the published results end to end: the stored document against its digest (recomputed by the
    rule it was published with), that digest against the one the audit trail recorded at publication, and
    the trail itself. Exit 1, naming what differs, when any link breaks."""
    from govchallenge.core import audit

    from . import verification
    from .models import published_for

    publication = published_for(_challenge(slug).id)
    if publication is None:
        raise click.ClickException(f"the results of {slug} are not published")
    audit.seal(wait=True)
    result = verification.check(publication)
    db.session.rollback()
    click.echo(f"rule:       {result.scheme or '(none)'}")
    click.echo(f"published:  {result.stored}")
    click.echo(f"computed:   {result.recomputed}")
    click.echo(f"audited:    {result.audited}" + (f" (audit row {result.audit_row})" if result.audit_row else ""))
    if not result.ok:
        for problem in result.problems:
            click.echo(f"MISMATCH: {problem}", err=True)
        sys.exit(1)
    click.echo("OK: the document, its digest, the digest audited at publication and the audit trail agree")


@results_cli.command("publish")
@click.argument("slug")
@click.option("--force", is_flag=True, help="Publish even though not every host has confirmed (recorded in the audit trail).")
@with_appcontext
def publish(slug, force):
    """Publish the proposed ranking (proposing it first if the chair has not) and start the announcement."""
    from . import operations
    from .models import proposed_for, published_for

    challenge = _challenge(slug)
    existing = published_for(challenge.id)
    if existing is not None:
        click.echo(f"already published; digest {existing.digest}")
        return
    try:
        publication = proposed_for(challenge.id) or operations.propose(challenge, None)
        operations.publish(publication, None, force=force)
    except operations.ResultsError as error:
        db.session.rollback()
        detail = f" {error.detail}" if error.detail else ""
        raise click.ClickException(f"cannot publish: {error.code}{detail}"
                                   + (" (use --force to publish without them)" if error.code == "hosts_missing" else ""))
    _finish()
    click.echo(f"published; digest {publication.digest}")


def _announcement(slug):
    """The announcement of the challenge's published results, or a clear refusal."""
    from .models import published_for

    publication = published_for(_challenge(slug).id)
    if publication is None or publication.announcement is None:
        raise click.ClickException(f"the results of {slug} are not published")
    return publication.announcement


@results_cli.command("status")
@click.argument("slug")
@with_appcontext
def status(slug):
    """Announcement progress: sent of total, what waits to be tried again (and when, in UTC), what was given up."""
    import sqlalchemy as sa

    from govchallenge.jobs.status import last_line, utc_text

    from .announcements import progress
    from .models import FAILED, PENDING, SENDING, Delivery

    announcement_id = _announcement(slug).id
    state = progress(announcement_id)
    waiting = f"waiting to retry {state['waiting']}"
    if state["waiting"]:
        waiting += f" (next attempt {utc_text(state['next_attempt_at'])})"
    click.echo(f"sent {state['sent']} of {state['total']}; {waiting}; given up {state['failed']}")
    click.echo(f"a failed delivery is tried again for {state['retry_hours']} hours (MAIL_RETRY_HOURS), then given up")
    problems = db.session.execute(
        sa.select(Delivery).where(Delivery.announcement_id == announcement_id,
                                  Delivery.state.in_([PENDING, SENDING, FAILED]), Delivery.attempts > 0)
        .order_by(Delivery.state, Delivery.next_attempt_at, Delivery.id).limit(200)
    ).scalars()
    for delivery in problems:
        if delivery.state == FAILED:
            click.echo(f"  given up {delivery.channel} {delivery.recipient_key} after {delivery.attempts} attempts: "
                       f"{last_line(delivery.last_error)}")
        elif delivery.state == SENDING:
            click.echo(f"  sending {delivery.channel} {delivery.recipient_key} (attempt {delivery.attempts}, "
                       f"since {utc_text(delivery.claimed_at)})")
        else:
            click.echo(f"  waiting {delivery.channel} {delivery.recipient_key}: attempt {delivery.attempts} of "
                       f"{delivery.max_attempts}, next {utc_text(delivery.next_attempt_at)}: {last_line(delivery.last_error)}")


@results_cli.command("resume")
@click.argument("slug")
@with_appcontext
def resume(slug):
    """Run the announcement again (after a worker died): sends only what is not sent yet."""
    from . import operations

    operations.resume(_announcement(slug))
    _finish()
    click.echo("announcement requested again")


# --- contests -------------------------------------------------------------------------------

CONTEST_ERRORS = {
    "bad_contest_slug": "a contest slug is lower-case letters, digits and single hyphens (at most 100 characters)",
    "contest_needs_name": "give the contest a name: --name en=\"EU vs Virus\"",
    "contest_needs_challenges": "name at least one challenge: --challenge <slug>",
    "contest_exists": "a contest with this slug exists already",
    "award_needs_name": "give the award a name: --name en=\"Best health solution\"",
    "unknown_domain": "unknown domain",
    "bad_place": "a place is 1 or more",
    "not_in_contest": "that entry's challenge is not part of the contest",
    "wrong_domain": "that entry's challenge is not in this domain",
}


def _texts(values, option):
    """("en=Text", "pl=Tekst") -> {"en": "Text", "pl": "Tekst"}: a translated field."""
    from govchallenge.core.languages import is_language

    texts = {}
    for value in values:
        code, sep, text = value.partition("=")
        code = code.strip().lower()
        if not sep or not is_language(code):
            raise click.BadParameter(f"{value!r}: write LANG=TEXT with a two-letter language code, e.g. en=\"Text\"",
                                     param_hint=option)
        if not text.strip():
            raise click.BadParameter(f"{value!r}: the text is empty", param_hint=option)
        texts[code] = text.strip()
    return texts


def _contest_error(error):
    message = CONTEST_ERRORS.get(error.code, error.code)
    detail = ", ".join(f"{k}={v}" for k, v in error.detail.items())
    return click.ClickException(f"{message}{f' ({detail})' if detail else ''}")


@results_cli.command("contest-create")
@click.argument("slug")
@click.option("--name", "names", multiple=True, required=True, metavar="LANG=TEXT",
              help="The contest's name in one language; repeat for each language.")
@click.option("--description", "descriptions", multiple=True, metavar="LANG=TEXT",
              help="A description (Markdown) in one language; repeat for each language.")
@click.option("--challenge", "challenge_slugs", multiple=True, required=True, metavar="SLUG",
              help="A challenge of the contest; repeat for each challenge.")
@with_appcontext
def contest_create(slug, names, descriptions, challenge_slugs):
    """Create a contest of several challenges; its page is /contests/SLUG."""
    from . import operations

    challenges = [_challenge(s) for s in challenge_slugs]
    try:
        contest = operations.create_contest(slug, _texts(names, "--name"), challenges, None,
                                            description=_texts(descriptions, "--description"))
    except operations.ResultsError as error:
        db.session.rollback()
        raise _contest_error(error) from error
    _finish()
    click.echo(f"contest {contest.slug} created with {len(contest.challenges)} challenge(s): "
               + ", ".join(c.slug for c in contest.challenges))


def _entry(reference):
    """A submission from its public id, or from CHALLENGE-SLUG:PLACE in the published results."""
    import sqlalchemy as sa

    from govchallenge.submissions.models import Submission

    from .models import published_for

    slug, sep, place = reference.rpartition(":")
    if sep:
        challenge = _challenge(slug)
        if not place.isdigit():
            raise click.BadParameter(f"{reference!r}: write CHALLENGE-SLUG:PLACE, e.g. {slug}:1", param_hint="ENTRY")
        publication = published_for(challenge.id)
        if publication is None:
            raise click.ClickException(f"the results of {slug} are not published: name the entry by its public id")
        placed = [e["entry"] for e in publication.full["entries"] if e["place"] == int(place)]
        if not placed:
            raise click.ClickException(f"no entry of {slug} is placed {place}")
        if len(placed) > 1:
            raise click.ClickException(f"{len(placed)} entries of {slug} share place {place}; name one by its "
                                       f"public id: {', '.join(placed)}")
        reference = placed[0]
    submission = db.session.execute(sa.select(Submission).where(Submission.public_id == reference)).scalar_one_or_none()
    if submission is None:
        raise click.ClickException(f"no entry {reference!r}")
    return submission


# A public id may begin with "-" (ids made before they were kept from it): an unknown option is the ENTRY.
@results_cli.command("contest-award", context_settings={"ignore_unknown_options": True})
@click.argument("contest_slug", metavar="CONTEST")
@click.argument("reference", metavar="ENTRY")
@click.option("--name", "names", multiple=True, required=True, metavar="LANG=TEXT",
              help="The award's name in one language; repeat for each language.")
@click.option("--domain", default=None, metavar="DOMAIN",
              help="A domain-wide award: the entry's challenge must be in this domain. Without it, contest-wide.")
@click.option("--place", type=click.IntRange(min=1), default=None, help="The award's place (1, 2, ...), if any.")
@click.option("--reason", default="", help="Why the entry receives the award (shown on the contest page).")
@with_appcontext
def contest_award(contest_slug, reference, names, domain, place, reason):
    """Give a domain-wide (or contest-wide) award to ENTRY: a submission's public id, or
    CHALLENGE-SLUG:PLACE for the entry at that place in the challenge's published results."""
    import sqlalchemy as sa

    from govchallenge.challenges.models import DOMAINS

    from . import operations
    from .models import Contest, published_for

    contest = db.session.execute(sa.select(Contest).where(Contest.slug == contest_slug)).scalar_one_or_none()
    if contest is None:
        raise click.ClickException(f"no contest {contest_slug!r}")
    if domain is not None and domain not in DOMAINS:
        raise click.BadParameter(f"{domain!r}: choose one of {', '.join(sorted(DOMAINS))}", param_hint="--domain")
    submission = _entry(reference)
    try:
        award = operations.give_contest_award(contest, submission, _texts(names, "--name"), None, domain=domain,
                                              place=place, reason=reason.strip())
    except operations.ResultsError as error:
        db.session.rollback()
        raise _contest_error(error) from error
    challenge = submission.team.challenge
    shown = published_for(challenge.id) is not None
    _finish()
    scope = f"domain {domain}" if domain else "the whole contest"
    click.echo(f"award {award.id} for {scope} given to {submission.public_id} ({challenge.slug})")
    if not shown:
        click.echo(f"note: shown on /contests/{contest.slug} once the results of {challenge.slug} are published")
