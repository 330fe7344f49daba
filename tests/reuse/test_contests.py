"""A challenge run again, joined with its original and other copies into a cross-border contest with one shared
award: the host of one challenge proposes, the hosts of every other challenge join or decline for their own, the
coordinating body gives the award to one winner. Audited; shown on each challenge page and the contest page."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from govchallenge.core.audit import AuditEvent
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.results.models import Award, Contest
from govchallenge.reuse import contests, copying
from govchallenge.reuse.models import INVITED, JOINED, REFUSED, ContestInvitation
from govchallenge.reuse.operations import ReuseError
from tests.support import factories


def _copy(source, country, name):
    officer = factories.make_user(name=f"Officer of {name}", language="en", country=country)
    body = factories.make_public_body(country=country, officer=officer, name=name)
    draft = copying.run_again(officer, source, body, utcnow() + timedelta(days=60), "EUR")
    draft.status = "approved"  # reviewed and published like any challenge
    db.session.commit()
    return officer, body, draft


@pytest.fixture
def family(app, published):
    """The published original (hosts: Host Ministry and a Greek co-host), a French copy and a Spanish copy."""
    lyon = _copy(published.challenge, "FR", "Ville de Lyon")
    sevilla = _copy(published.challenge, "ES", "Ayuntamiento de Sevilla")
    return published, lyon, sevilla


def _propose(client, copy, body, challenges, changes=()):
    data = {"organisation": str(body.id), "language": "en", "name": "Clean buses across Europe",
            "award": "The European clean-bus award", "challenges": [str(c.id) for c in challenges]}
    data.update(dict(changes))
    return client.post(f"/solutions/challenges/{copy.slug}/contest", data=data)


def _events(action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def _invitation(contest, challenge):
    db.session.expire_all()
    return db.session.execute(sa.select(ContestInvitation).where(
        ContestInvitation.contest_id == contest.id, ContestInvitation.challenge_id == challenge.id)).scalar_one()


def _contest():
    db.session.expire_all()
    return db.session.execute(sa.select(Contest)).scalar_one()


def test_the_hosts_join_their_challenges_into_one_contest_each_for_its_own(app, login_as, family):
    published, (lyon_officer, lyon, lyon_copy), (sevilla_officer, _sevilla, sevilla_copy) = family
    original = published.challenge
    client = login_as(lyon_officer)
    page = client.get(f"/challenges/{lyon_copy.slug}").get_data(as_text=True)
    assert f"/solutions/challenges/{lyon_copy.slug}/contest" in page
    form = client.get(f"/solutions/challenges/{lyon_copy.slug}/contest").get_data(as_text=True)
    assert f'value="{original.id}"' in form and f'value="{sevilla_copy.id}"' in form and f'value="{lyon_copy.id}"' not in form

    response = _propose(client, lyon_copy, lyon, [original, sevilla_copy])
    contest = _contest()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/contests/{contest.slug}")
    assert contest.challenges == [lyon_copy] and contest.coordinator_id == lyon.id
    assert contest.shared_award == {"en": "The European clean-bus award"}
    assert _invitation(contest, original).state == INVITED and _invitation(contest, sevilla_copy).state == INVITED
    assert _events("reuse.contest_proposed")[0].detail["invited"] == [original.slug, sevilla_copy.slug]

    # The original's host sees the invitation on its challenge page and joins for its own challenge.
    host = login_as(published.officer)
    host_page = host.get(f"/challenges/{original.slug}").get_data(as_text=True)
    invitation = _invitation(contest, original)
    join = f"/solutions/contests/{contest.slug}/invitations/{invitation.id}/join"
    assert join in host_page and "The European clean-bus award" in host_page
    assert host.post(join).status_code == 302
    # The Spanish copy's host declines for theirs.
    declined = _invitation(contest, sevilla_copy)
    assert login_as(sevilla_officer).post(
        f"/solutions/contests/{contest.slug}/invitations/{declined.id}/decline").status_code == 302

    contest = _contest()
    assert contest.challenges == sorted([original, lyon_copy], key=lambda c: c.id)
    assert _invitation(contest, original).state == JOINED and _invitation(contest, original).answered_by_id == published.officer.id
    assert _invitation(contest, sevilla_copy).state == REFUSED
    assert len(_events("reuse.contest_joined")) == 1 and len(_events("reuse.contest_declined")) == 1
    # Shown on the contest page and on each joined challenge's page, not on the declined one's.
    contest_page = app.test_client().get(f"/contests/{contest.slug}").get_data(as_text=True)
    assert "Ville de Lyon" in contest_page and "The European clean-bus award" in contest_page
    assert f'href="/challenges/{lyon_copy.slug}"' in contest_page and original.slug in contest_page
    assert sevilla_copy.slug not in contest_page
    for challenge in (original, lyon_copy):
        assert f"/contests/{contest.slug}" in app.test_client().get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert f"/contests/{contest.slug}" not in app.test_client().get(f"/challenges/{sevilla_copy.slug}").get_data(as_text=True)


def test_the_coordinator_gives_the_one_shared_award_to_a_winner(app, login_as, family):
    published, (lyon_officer, lyon, lyon_copy), _ = family
    original = published.challenge
    contest = contests.propose(lyon_officer, lyon_copy, lyon, "en", "Clean buses", "Clean-bus award", [original])
    contests.join(published.officer, _invitation(contest, original))
    db.session.commit()
    client = login_as(lyon_officer)
    assert f"/solutions/contests/{contest.slug}/shared-award" in client.get(f"/challenges/{lyon_copy.slug}").get_data(as_text=True)
    page = client.get(f"/solutions/contests/{contest.slug}/shared-award").get_data(as_text=True)
    winner, loser = published.submissions[0], published.submissions[2]
    assert f'value="{winner.public_id}"' in page and f'value="{loser.public_id}"' not in page

    for bad in (loser.public_id, "", "no-such-entry"):
        refused = client.post(f"/solutions/contests/{contest.slug}/shared-award", data={"entry": bad})
        assert refused.status_code == 400 and "error-summary" in refused.get_data(as_text=True), bad
    assert not db.session.execute(sa.select(Award).where(Award.contest_id == contest.id)).first()
    response = client.post(f"/solutions/contests/{contest.slug}/shared-award", data={"entry": winner.public_id, "reason": "Cleanest"})
    assert response.status_code == 302
    award = db.session.execute(sa.select(Award).where(Award.contest_id == contest.id)).scalar_one()
    assert award.submission_id == winner.id and award.name == {"en": "Clean-bus award"} and award.domain is None
    assert _events("reuse.contest_award_given")
    assert winner.title in app.test_client().get(f"/contests/{contest.slug}").get_data(as_text=True)
    # One shared award: a second is refused.
    again = client.post(f"/solutions/contests/{contest.slug}/shared-award", data={"entry": published.submissions[1].public_id})
    assert again.status_code in (400, 409)
    assert len(db.session.execute(sa.select(Award).where(Award.contest_id == contest.id)).all()) == 1
    with pytest.raises(ReuseError, match="award_given"):
        contests.give_shared_award(lyon_officer, contest, published.submissions[1])


def test_who_may_not(app, login_as, client, family):
    published, (lyon_officer, lyon, lyon_copy), (sevilla_officer, _sevilla, sevilla_copy) = family
    original = published.challenge
    contest = contests.propose(lyon_officer, lyon_copy, lyon, "en", "Clean buses", "Clean-bus award", [original, sevilla_copy])
    db.session.commit()
    for_original = _invitation(contest, original)
    for_sevilla = _invitation(contest, sevilla_copy)
    join_original = f"/solutions/contests/{contest.slug}/invitations/{for_original.id}/join"
    join_sevilla = f"/solutions/contests/{contest.slug}/invitations/{for_sevilla.id}/join"

    # Nobody answers for another body's challenge: not the coordinator, not the host of a sibling.
    for user, path in ((lyon_officer, join_original), (published.officer, join_sevilla), (sevilla_officer, join_original)):
        refused = login_as(user).post(path)
        assert refused.status_code == 403 and "hosts the invited challenge" in refused.get_data(as_text=True)
    # A member of a host body who is not its officer, and a visitor who is not signed in.
    member = factories.make_user()
    factories.make_organisation(kind="public_body", verified=True, members=[member])
    from govchallenge.organisations.models import Membership

    db.session.add(Membership(organisation_id=original.lead_host.organisation_id, user=member, role="member", state="active"))
    db.session.commit()
    assert login_as(member).post(join_original).status_code == 403
    assert client.post(join_original).headers["Location"].startswith("/login")
    # Only the coordinator gives the shared award; the co-host of the original may answer for it.
    assert login_as(published.officer).get(f"/solutions/contests/{contest.slug}/shared-award").status_code == 403
    assert login_as(published.cohost_officer).post(join_original).status_code == 302
    assert _invitation(contest, original).state == JOINED
    # An answered invitation is not answered again.
    assert login_as(published.officer).post(join_original).status_code == 403
    with pytest.raises(ReuseError, match="answered"):
        contests.decline(published.officer, _invitation(contest, original))
    # Proposing: only a host of a published challenge that was run again, in no contest yet.
    assert login_as(sevilla_officer).get(f"/solutions/challenges/{lyon_copy.slug}/contest").status_code == 403
    assert login_as(published.officer).get(f"/solutions/challenges/{original.slug}/contest").status_code == 403  # joined
    alone = factories.make_challenge(host=factories.make_public_body(officer=(loner := factories.make_user())))
    db.session.commit()
    assert login_as(loner).get(f"/solutions/challenges/{alone.slug}/contest").status_code == 403
    unverified_officer = factories.make_user()
    unverified = factories.make_organisation(kind="public_body", verified=False, officer=unverified_officer)
    from govchallenge.challenges.models import ACCEPTED, COHOST, ChallengeHost

    db.session.add(ChallengeHost(challenge=sevilla_copy, organisation=unverified, role=COHOST, state=ACCEPTED))
    db.session.commit()
    assert login_as(unverified_officer).post(join_sevilla).status_code == 403


def test_bad_input_is_refused_and_nothing_is_made(app, login_as, family):
    published, (lyon_officer, lyon, lyon_copy), (_officer, _body, sevilla_copy) = family
    original = published.challenge
    client = login_as(lyon_officer)
    stranger = factories.make_challenge(title={"en": "Unrelated"})
    db.session.commit()
    cases = {
        "no name": {"name": "  "},
        "no award": {"award": ""},
        "name too long": {"name": "x" * 201},
        "no challenge": {"challenges": []},
        "a challenge of another family": {"challenges": [str(stranger.id)]},
        "an unknown language": {"language": "xx"},
        "another body": {"organisation": str(published.challenge.lead_host.organisation_id)},
        "not a number": {"challenges": ["abc"]},
    }
    for case, changes in cases.items():
        response = _propose(client, lyon_copy, lyon, [original], changes)
        assert response.status_code == 400, case
        assert "error-summary" in response.get_data(as_text=True), case
    assert db.session.execute(sa.select(Contest)).first() is None
    assert db.session.execute(sa.select(ContestInvitation)).first() is None
    # The operation's own checks, whatever a form lets through.
    with pytest.raises(ReuseError, match="not_in_family"):
        contests.propose(lyon_officer, lyon_copy, lyon, "en", "Name", "Award", [stranger])
    with pytest.raises(ReuseError, match="no_invited"):
        contests.propose(lyon_officer, lyon_copy, lyon, "en", "Name", "Award", [])
    # A challenge joins one hosts' contest at most.
    first = contests.propose(lyon_officer, lyon_copy, lyon, "en", "First", "Award", [sevilla_copy])
    second = contests.propose(published.officer, original, original.lead_host.organisation, "en", "Second", "Award", [sevilla_copy])
    contests.join(_officer, _invitation(first, sevilla_copy))
    with pytest.raises(ReuseError, match="already_joined"):
        contests.join(_officer, _invitation(second, sevilla_copy))
    with pytest.raises(ReuseError, match="already_joined"):
        contests.propose(lyon_officer, lyon_copy, lyon, "en", "Third", "Award", [original])


def test_the_family_is_the_original_and_every_copy(app, family):
    published, (_o, body, lyon_copy), (_s, _b, sevilla_copy) = family
    from govchallenge.reuse import copying as again

    copy_of_copy = again.run_again(_o, lyon_copy, factories.make_public_body(country="IT"), utcnow() + timedelta(days=90), "EUR")
    assert {c.id for c in contests.family(copy_of_copy)} == {published.challenge.id, lyon_copy.id, sevilla_copy.id, copy_of_copy.id}
    assert contests.family(published.challenge)[0] is published.challenge


def test_the_demo_invites_a_copy_into_a_cross_border_contest(app):
    from govchallenge.demo import load_demo

    load_demo()
    load_demo()  # idempotent
    contest = _contest()
    assert contest.coordinator.slug == "ministerstwo-cyfryzacji" and contest.shared_award
    (invitation,) = db.session.execute(sa.select(ContestInvitation)).scalars().all()
    assert invitation.state == INVITED and invitation.challenge.lead_host.organisation.slug == "dimos-thessalonikis"
    assert invitation.challenge.is_public and invitation.challenge.based_on.slug == "clean-air-sensors"
