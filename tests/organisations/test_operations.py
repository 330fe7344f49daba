"""The organisation operations' rules, called directly: what each change leaves in the rows and in the
audit trail, the verified body's locked kind and country, and the organisation never left without an
active officer."""
import pytest

from govchallenge.core.audit import events_for
from govchallenge.extensions import db
from govchallenge.organisations import operations
from govchallenge.organisations.models import ACTIVE, MEMBER, OFFICER, PENDING, Membership
from tests.support.factories import make_organisation, make_public_body, make_user


def last_event(organisation):
    event = events_for("organisation", organisation.id, limit=1)[0]
    return event.action, event.detail, event.actor_id


def test_the_creator_becomes_the_active_officer_of_an_organisation_with_cleaned_fields(app):
    actor = make_user()
    organisation = operations.create(actor, "  Gmina Nowa  ", "ngo", "pl", website="  https://gmina.pl ",
                                     description=" as written ")
    assert (organisation.slug, organisation.name, organisation.kind, organisation.country) == \
        ("gmina-nowa", "Gmina Nowa", "ngo", "PL")
    assert (organisation.website, organisation.description) == ("https://gmina.pl", " as written ")
    [membership] = organisation.memberships
    assert (membership.user, membership.role, membership.state) == (actor, OFFICER, ACTIVE)
    assert last_event(organisation) == ("organisation.created", {"kind": "ngo", "country": "PL"}, actor.id)


def test_a_second_organisation_of_the_same_name_gets_its_own_slug(app):
    actor = make_user()
    first = operations.create(actor, "Same Name", "ngo", "PL")
    second = operations.create(actor, "Same Name", "ngo", "PL")
    assert first.slug == "same-name" and second.slug.startswith("same-name-") and second.slug != first.slug


def test_without_website_or_description_both_are_empty(app):
    organisation = operations.create(make_user(), "Plain", "sme", "de")
    assert (organisation.website, organisation.description) == ("", "")


def test_an_unverified_organisation_changes_every_field(app):
    actor = make_user()
    organisation = make_organisation(kind="startup", country="PL")
    operations.update(actor, organisation, " New ", "sme", "dk", " https://x.dk ", "About")
    assert (organisation.name, organisation.kind, organisation.country, organisation.website, organisation.description) == \
        ("New", "sme", "DK", "https://x.dk", "About")
    assert last_event(organisation) == ("organisation.updated", {}, actor.id)


@pytest.mark.parametrize("kind, country", [("startup", "PL"), ("public_body", "DE")])
def test_a_verified_public_body_keeps_its_kind_and_country(app, kind, country):
    body = make_public_body(country="PL")
    with pytest.raises(operations.OrganisationError) as refused:
        operations.update(make_user(), body, "Renamed", kind, country, "", "")
    assert refused.value.code == "verified_locked"
    assert (body.name, body.kind, body.country) != ("Renamed", kind, country)


def test_a_verified_public_body_may_change_its_name_and_texts_with_its_country_in_any_case(app):
    body = make_public_body(country="PL")
    operations.update(make_user(), body, "Renamed", "public_body", "pl", "https://gov.pl", "Text")
    assert (body.name, body.country, body.website, body.description) == ("Renamed", "PL", "https://gov.pl", "Text")


def test_a_join_request_waits_as_a_pending_member(app):
    actor, organisation = make_user(), make_organisation()
    membership = operations.request_to_join(actor, organisation)
    assert (membership.id is not None, membership.user, membership.role, membership.state) == (True, actor, MEMBER, PENDING)
    assert last_event(organisation) == ("organisation.join_requested", {}, actor.id)


def test_a_member_added_by_an_officer_is_active_with_the_role_given(app):
    officer, organisation = make_user(), make_organisation()
    member, other = make_user(), make_user()
    added = operations.add_member(officer, organisation, member)
    assert (added.id is not None, added.role, added.state) == (True, MEMBER, ACTIVE)
    assert last_event(organisation) == ("organisation.member_added", {"user_id": member.id, "role": MEMBER}, officer.id)
    assert operations.add_member(officer, organisation, other, role=OFFICER).role == OFFICER


def test_an_approved_request_makes_an_active_member(app):
    officer, organisation = make_user(), make_organisation()
    membership = operations.request_to_join(make_user(), organisation)
    operations.approve(officer, membership)
    assert membership.state == ACTIVE
    assert last_event(organisation) == ("organisation.member_approved", {"user_id": membership.user_id}, officer.id)


def officers(count, pending=0):
    people = [make_user() for _ in range(count + pending)]
    organisation = make_organisation()
    memberships = [Membership(organisation=organisation, user=u, role=OFFICER, state=ACTIVE if n < count else PENDING)
                   for n, u in enumerate(people)]
    db.session.add_all(memberships)
    db.session.flush()
    return organisation, memberships


def test_the_last_active_officer_cannot_step_down_even_with_a_pending_officer(app):
    _organisation, (only, pending) = officers(1, pending=1)
    with pytest.raises(operations.OrganisationError) as refused:
        operations.set_role(make_user(), only, MEMBER)
    assert refused.value.code == "last_officer" and only.role == OFFICER


def test_one_of_two_officers_steps_down(app):
    organisation, (first, _second) = officers(2)
    actor = make_user()
    operations.set_role(actor, first, MEMBER)
    assert first.role == MEMBER
    assert last_event(organisation) == ("organisation.role_changed", {"user_id": first.user_id, "role": MEMBER}, actor.id)


def test_the_last_officer_may_be_named_officer_again_and_a_member_promoted(app):
    organisation, (only,) = officers(1)
    operations.set_role(make_user(), only, OFFICER)
    member = operations.add_member(make_user(), organisation, make_user())
    operations.set_role(make_user(), member, OFFICER)
    assert (only.role, member.role) == (OFFICER, OFFICER)


def test_the_last_active_officer_cannot_be_removed(app):
    _organisation, (only, _pending) = officers(1, pending=1)
    with pytest.raises(operations.OrganisationError) as refused:
        operations.remove(make_user(), only)
    assert refused.value.code == "last_officer"
    db.session.flush()
    assert db.session.get(Membership, only.id) is not None


def test_an_officer_of_two_and_a_pending_officer_are_removed(app):
    organisation, (first, _second, pending) = officers(2, pending=1)
    actor = make_user()
    operations.remove(actor, first)
    db.session.flush()
    assert last_event(organisation) == ("organisation.member_removed", {"user_id": first.user_id}, actor.id)
    operations.remove(actor, pending)
    db.session.flush()
    assert db.session.get(Membership, first.id) is None and db.session.get(Membership, pending.id) is None


def test_a_lone_pending_officer_request_and_a_member_are_removed(app):
    organisation, (pending,) = officers(0, pending=1)
    member = operations.add_member(make_user(), organisation, make_user())
    operations.remove(make_user(), pending)
    operations.remove(make_user(), member)
    db.session.flush()
    assert db.session.get(Membership, pending.id) is None and db.session.get(Membership, member.id) is None


def test_verification_names_the_administrator(app):
    admin, organisation = make_user(admin=True), make_organisation()
    operations.verify(admin, organisation)
    assert organisation.is_verified and organisation.verified_by_id == admin.id
    assert last_event(organisation) == ("organisation.verified", {}, admin.id)


def test_only_this_organisations_active_officers_count_as_others_who_could_take_over(app):
    organisation, (only,) = officers(1)
    operations.add_member(make_user(), organisation, make_user())  # an active member is no officer
    officers(2)  # officers of another organisation
    with pytest.raises(operations.OrganisationError):
        operations.set_role(make_user(), only, MEMBER)
    with pytest.raises(operations.OrganisationError):
        operations.remove(make_user(), only)
