"""The domains' hooks are wired by create_app, in a fixed order, whatever was imported; a required hook left
empty stops the app instead of silently allowing what it guards."""
import subprocess
import sys
import textwrap

import pytest

from govchallenge.core import registry
from govchallenge.extensions import db
from govchallenge.teams import operations as team_ops
from govchallenge.teams.operations import TeamError
from tests.support.factories import make_challenge, make_submission, make_team, make_user


def test_the_last_member_cannot_close_a_team_with_a_submitted_entry(app):
    lead = make_user()
    team = make_team(make_challenge(), [lead])
    make_submission(team)
    db.session.commit()
    with pytest.raises(TeamError) as refused:
        team_ops.remove_member(lead, team.members[0])
    assert refused.value.code == "last_member_with_entry"


def test_the_last_member_closes_a_team_without_an_entry(app):
    lead = make_user()
    team = make_team(make_challenge(), [lead])
    db.session.commit()
    assert team_ops.remove_member(lead, team.members[0]) is None


def test_a_team_with_an_entry_cannot_close_when_only_teams_was_imported(tmp_path):
    """A fresh interpreter that imports teams.operations and never submissions: still refused."""
    script = textwrap.dedent(f"""
        import sys
        from govchallenge.teams import operations as team_ops
        assert "govchallenge.submissions.operations" not in sys.modules
        from govchallenge import create_app
        from govchallenge.extensions import db
        app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / 'x.sqlite'}", "SECRET_KEY": "x" * 32,
                          "STORAGE_DIR": "{tmp_path / 'files'}", "MAIL_FILE_DIR": "{tmp_path / 'mail'}"}})
        with app.app_context():
            db.create_all()
            from tests.support.factories import make_challenge, make_submission, make_team, make_user
            lead = make_user()
            team = make_team(make_challenge(), [lead])
            make_submission(team)
            db.session.commit()
            try:
                team_ops.remove_member(lead, team.members[0])
            except team_ops.TeamError as error:
                print("refused", error.code)
            else:
                print("closed")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("refused last_member_with_entry"), done.stdout


def test_a_required_hook_left_empty_stops_the_app():
    with pytest.raises(registry.MissingRegistration, match="team_close_blockers"):
        registry.Registry().check()


def test_reading_an_empty_required_hook_fails_loudly(app):
    app.extensions[registry.KEY] = registry.Registry()
    with pytest.raises(registry.MissingRegistration):
        team_ops._has_entries(None)


def test_without_its_blind_nobody_would_be_kept_from_who_entered_what(app):
    from govchallenge.submissions.permissions import can_see_entrants

    hooks = registry.Registry()
    hooks.team_close_blockers.append(lambda team: False)
    with pytest.raises(registry.MissingRegistration, match="entrant_blinds"):
        hooks.check()
    app.extensions[registry.KEY] = hooks
    with pytest.raises(registry.MissingRegistration, match="entrant_blinds"):
        can_see_entrants(None, None)


def test_the_app_wires_every_domains_hooks(app):
    hooks = registry.registry(app)
    assert [link.endpoint for link in sorted(hooks.nav_links, key=lambda link: link.position)] == [
        "challenges.catalogue", "reuse.catalogue", "organisations.index", "teams.mine", "jury.index"]
    assert [p.template for p in hooks.challenge_panels] == [
        "submissions/_challenge_panel.html", "jury/_challenge_panel.html", "results/_challenge_panel.html",
        "peoples_choice/_challenge_panel.html", "reuse/_challenge_panel.html"]
    assert [p.template for p in hooks.results_sections] == ["peoples_choice/_results_section.html"]
    assert len(hooks.feed_sources) == 1 and len(hooks.team_close_blockers) == 1
    from govchallenge.jury.permissions import kept_blind

    assert hooks.entrant_blinds == [kept_blind]


def test_building_the_app_twice_registers_nothing_twice(make_app):
    first, second = make_app(), make_app()
    assert registry.registry(first) is not registry.registry(second)
    assert len(registry.registry(second).challenge_panels) == 5
    assert len(registry.registry(second).results_sections) == 1


def test_the_outbox_listens_to_sessions_only_once_an_app_is_built():
    script = textwrap.dedent("""
        import sqlalchemy as sa
        from govchallenge.jobs import outbox
        listening = lambda: all(sa.event.contains(sa.orm.Session, e, f) for e, f in outbox.SESSION_LISTENERS)
        before = listening()
        from govchallenge import create_app
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32})
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32})
        print(before, listening())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]
