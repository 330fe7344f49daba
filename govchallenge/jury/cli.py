"""`flask --app govchallenge jury …`: operator commands."""
import json

import click
import sqlalchemy as sa

from govchallenge.extensions import db


@click.group("jury")
def jury_cli():
    """Operator commands for the jury domain."""


@jury_cli.command("assign")
@click.argument("slug")
@click.option("--reviews", "reviews", type=click.IntRange(1, 20), default=None, help="Reviews per entry (default: the round's, 3).")
@click.option("--round", "number", type=int, default=None, help="Round number (default: the newest open round; round 1 is opened if none exists).")
@click.option("--seed", type=int, default=None, help="Seed of the random tie-breaking (default: random).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def assign_command(slug, reviews, number, seed, as_json):
    """Run the assignment of a challenge's jury round and print what it did."""
    from govchallenge.challenges.models import by_slug

    from . import operations as ops
    from .models import OPEN, Juror, Round

    challenge = by_slug(slug)
    if challenge is None:
        raise click.ClickException(f"no challenge {slug!r}")
    query = sa.select(Round).where(Round.challenge_id == challenge.id)
    if number is not None:
        query = query.where(Round.number == number)
    else:
        query = query.where(Round.state == OPEN)
    rnd = db.session.execute(query.order_by(Round.number.desc())).scalars().first()
    chair = db.session.execute(
        sa.select(Juror).where(Juror.challenge_id == challenge.id, Juror.is_chair.is_(True))
    ).scalars().first()
    actor = chair.user if chair is not None else None
    try:
        if rnd is None:
            if number is not None:
                raise click.ClickException(f"no round {number} in {slug!r}")
            rnd, result = ops.open_first_round(challenge, actor, reviews or 3, seed=seed)
        else:
            result = ops.run_assignment(rnd, actor, seed=seed, reviews_per_entry=reviews)
    except ops.JuryError as error:
        db.session.rollback()
        raise click.ClickException(f"refused: {error.code} {error.detail or ''}".strip()) from error
    db.session.commit()
    stats = result.stats()
    stats.update({"challenge": slug, "round": rnd.number, "seed": rnd.seed,
                  "short_entries": {str(k): v for k, v in sorted(result.short.items(), key=lambda kv: str(kv[0]))}})
    if as_json:
        click.echo(json.dumps(stats, indent=2, sort_keys=True))
        return
    click.echo(f"challenge: {slug}  round: {rnd.number}  seed: {rnd.seed}")
    click.echo(f"entries: {stats['entries']}")
    click.echo(f"jurors: {stats['jurors']}")
    click.echo(f"reviews per entry: min {stats['reviews'][0]}, max {stats['reviews'][1]} (target {stats['reviews_per_entry']})")
    click.echo(f"load per juror: min {stats['load'][0]}, max {stats['load'][1]}")
    click.echo(f"conflicts broken: {stats['conflicts_broken']}")
    click.echo(f"entries short: {stats['short']}" + (f" ({stats['missing_reviews']} reviews missing)" if stats["short"] else ""))
