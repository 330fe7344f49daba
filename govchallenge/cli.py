"""Operator commands: `flask --app govchallenge <group> <command>`."""
import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from govchallenge.extensions import db


def register(app):
    app.cli.add_command(demo_command)
    app.cli.add_command(audit_group)
    app.cli.add_command(jobs_group)
    app.cli.add_command(users_group)
    for extra in EXTRA_COMMANDS:
        app.cli.add_command(_import(extra))


# Later domains add their command groups here as "module:attribute".
EXTRA_COMMANDS = ["govchallenge.jury.cli:jury_cli", "govchallenge.results.cli:results_cli", "govchallenge.replay.cli:bench_cli",
                  "govchallenge.privacy.cli:retention_cli"]


def _import(spec):
    import importlib

    module_name, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _finish():
    """Commit, then hand requested jobs on, as after a request."""
    from govchallenge.jobs.relay import relay_committed

    db.session.commit()
    relay_committed()


@click.command("demo")
@with_appcontext
def demo_command():
    """Create the schema if needed and load the demo dataset (safe to run again)."""
    from govchallenge.demo import load_demo

    logins = load_demo()
    _finish()
    click.echo("Demo data is ready. Sign in with any of these (password for all: %s):" % logins["password"])
    for role, email in logins["accounts"]:
        click.echo(f"  {role:<34} {email}")
        for part in logins.get("parts", {}).get(email, []):
            click.echo(f"  {'':<34}   - {part}")
    if not current_app.config.get("MAIL_SERVER"):
        base = current_app.config.get("SERVER_NAME_FOR_LINKS") or "http://127.0.0.1:5000"
        click.echo(f"No mail server is set: e-mails are written to {current_app.config['MAIL_FILE_DIR']};")
        click.echo(f"read them, links and all, at {base.rstrip('/')}/admin/mail (signed in as the platform admin).")


@click.group("audit")
def audit_group():
    """The audit trail."""


@audit_group.command("verify")
@click.option("--max-lines", default=20, show_default=True, help="How many problems to print.")
@with_appcontext
def audit_verify(max_lines):
    """Seal what is committed, then check every event, the chain and the checkpoints; name each break."""
    from govchallenge.core import audit

    audit.seal(wait=True)
    report = audit.verify()
    db.session.rollback()
    for problem in report.problems[:max_lines]:
        click.echo(str(problem), err=True)
    if len(report.problems) > max_lines:
        click.echo(f"... and {len(report.problems) - max_lines} more problem(s)", err=True)
    if not report.ok:
        raise SystemExit(1)
    click.echo(f"OK: {report.sealed} audit rows sealed (seq 1-{report.head_seq}), chain intact, "
               f"{report.checkpoints} checkpoint(s) agree, {report.pending} pending")


@audit_group.command("seal")
@click.option("--checkpoint", is_flag=True, help="Write a checkpoint of the head now, even if none is due.")
@with_appcontext
def audit_seal(checkpoint):
    """Chain the committed events not sealed yet (the worker does this every few seconds)."""
    from govchallenge.core import audit

    count = audit.seal(wait=True, force_checkpoint=checkpoint)
    click.echo(f"sealed {count} audit event(s)")


@click.group("jobs")
def jobs_group():
    """Background jobs."""


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def jobs_worker(burst):
    """Run an RQ worker (needs REDIS_URL) that also relays rows left in the outbox."""
    from govchallenge.jobs.worker import run_worker

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: in the embedded default jobs run inline, no worker is needed.")
    run_worker(current_app._get_current_object(), burst=burst)


@jobs_group.command("relay")
@with_appcontext
def jobs_relay():
    """Hand on outbox rows that were never relayed (or run them, in the embedded default)."""
    from govchallenge.jobs.relay import relay_due

    count = relay_due()
    click.echo(f"relayed {count} job(s)")


@jobs_group.command("ping")
@click.argument("label", default="ping")
@with_appcontext
def jobs_ping(label):
    """Request a probe job; once a worker ran it, `audit` shows a jobs.ping row."""
    from govchallenge.jobs import enqueue

    job = enqueue("govchallenge.jobs.probes.ping", label)
    _finish()
    click.echo(f"requested outbox job {job.id}")


@jobs_group.command("status")
@with_appcontext
def jobs_status():
    """Count outbox rows by state; list the rows waiting to be tried again (next attempt, in UTC) and those given up."""
    from govchallenge.jobs.status import report_lines

    for line in report_lines():
        click.echo(line)


@click.group("users")
def users_group():
    """Accounts."""


@users_group.command("make-admin")
@click.argument("email")
@with_appcontext
def make_admin(email):
    """Give an existing account platform administration rights."""
    from govchallenge.accounts.models import find_by_email
    from govchallenge.accounts.operations import make_admin as grant

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the address {email}")
    grant(user)
    _finish()
    click.echo(f"{email} is now a platform administrator")


def main():
    """The `govchallenge` console script: the same commands without --app."""
    from govchallenge import create_app

    FlaskGroup(create_app=create_app)()
