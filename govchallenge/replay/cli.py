"""`flask --app govchallenge bench seed --scale euvsvirus [--seed N]`: the replay dataset on an empty database."""
import click
from flask.cli import with_appcontext

from . import SCALES, SeedError, seed
from .fingerprint import counts, fingerprint


@click.group("bench")
def bench_cli():
    """Data for the benchmarks."""


@bench_cli.command("seed")
@click.option("--scale", type=click.Choice(sorted(SCALES)), default="euvsvirus", show_default=True)
@click.option("--seed", "seed_value", type=int, default=2020, show_default=True, help="The same seed gives the same data.")
@with_appcontext
def seed_command(scale, seed_value):
    """Build the replay of #EUvsVirus (or a small one) through the platform's operations, then print what it holds."""
    try:
        seconds = seed(scale, seed_value, report=lambda part, count: click.echo(f"  {part}: {count:,}"))
    except SeedError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Seeded scale {scale} with seed {seed_value} in {seconds:.0f} s:")
    for part, count in counts().items():
        click.echo(f"  {part:<20} {count:>8,}")
    click.echo(f"  fingerprint          {fingerprint()}")
