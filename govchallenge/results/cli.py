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
    """Recompute the digest of the stored results; exit 1 when it differs from the published one."""
    from . import documents
    from .models import published_for

    publication = published_for(_challenge(slug).id)
    if publication is None:
        raise click.ClickException(f"the results of {slug} are not published")
    computed = documents.digest_of(publication.document)
    click.echo(f"published: {publication.digest}")
    click.echo(f"computed:  {computed}")
    if computed != publication.digest:
        click.echo("MISMATCH: the stored results no longer match the published digest", err=True)
        sys.exit(1)
    click.echo("OK")


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


@results_cli.command("status")
@click.argument("slug")
@with_appcontext
def status(slug):
    """Announcement progress: sent of total, and what failed."""
    import sqlalchemy as sa

    from .announcements import count_states
    from .models import FAILED, Delivery, published_for

    publication = published_for(_challenge(slug).id)
    if publication is None or publication.announcement is None:
        raise click.ClickException(f"the results of {slug} are not published")
    states = count_states(publication.announcement.id)
    total = sum(states.values())
    click.echo(f"sent {states.get('sent', 0)} of {total}; waiting {states.get('pending', 0) + states.get('sending', 0)}; "
               f"failed {states.get('failed', 0)}")
    failed = db.session.execute(
        sa.select(Delivery).where(Delivery.announcement_id == publication.announcement.id, Delivery.state == FAILED)
        .order_by(Delivery.id)
    ).scalars()
    for delivery in failed:
        click.echo(f"  failed {delivery.channel} {delivery.recipient_key}: {delivery.last_error}")


@results_cli.command("resume")
@click.argument("slug")
@with_appcontext
def resume(slug):
    """Run the announcement again (after a worker died): sends only what is not sent yet."""
    from . import operations
    from .models import published_for

    publication = published_for(_challenge(slug).id)
    if publication is None or publication.announcement is None:
        raise click.ClickException(f"the results of {slug} are not published")
    operations.resume(publication.announcement)
    _finish()
    click.echo("announcement requested again")
