"""`flask --app govchallenge retention purge | schedule`."""
import click
from flask.cli import AppGroup

retention_cli = AppGroup("retention", help="Purge what the retention periods (RETENTION_* settings) no longer keep.")


@retention_cli.command("purge")
def purge_command():
    """Purge now, once; prints what went."""
    from govchallenge.cli import _finish

    from .retention import purge

    counts = purge()
    _finish()
    for name, count in counts.items():
        click.echo(f"{name:<20} {count}")


@retention_cli.command("schedule")
def schedule_command():
    """Start the repeating purge job (every RETENTION_INTERVAL_HOURS), unless one is waiting already."""
    from govchallenge.cli import _finish

    from .retention import schedule

    job = schedule()
    _finish()
    click.echo(f"scheduled: outbox row {job.id}" if job else "already scheduled")
