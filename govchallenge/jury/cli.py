"""`flask --app govchallenge jury …`: operator commands."""
import click


@click.group("jury")
def jury_cli():
    """Operator commands for the jury domain."""
