"""`flask --app govchallenge results …`: operator commands."""
import click


@click.group("results")
def results_cli():
    """Operator commands for the results domain."""
