"""E-mail domains in conflict detection (jury/assignment.py): a domain is compared without regard to case,
so `Juror@Ministry.GOV.pl` reviewing a team with `x@ministry.gov.PL` is a conflict, while a common webmail
domain, in any case, is never one."""
import pytest

from govchallenge.extensions import db
from govchallenge.jury import operations as ops
from govchallenge.jury.assignment import EntrySpec, JurorSpec, detect_conflicts, email_domain
from tests.support import factories
from tests.support.jury_factories import make_juror


@pytest.mark.parametrize("address, domain", [
    ("Juror@Ministry.GOV.pl", "ministry.gov.pl"),
    ("x@ministry.gov.PL", "ministry.gov.pl"),
    ("odd@name@City.gr ", "city.gr"),  # the domain is after the last @, blanks around it dropped
    ("nobody", None),
    ("nobody@", None),
    ("nobody@  ", None),
    ("", None),
    (None, None),
])
def test_the_domain_of_an_address(address, domain):
    assert email_domain(address) == domain


@pytest.mark.parametrize("juror_domain, member_domains, reason", [
    ("Ministry.GOV.pl", {"ministry.gov.PL"}, "same_email_domain"),
    ("ministry.gov.pl", {"MINISTRY.GOV.PL", "gmail.com"}, "same_email_domain"),
    ("ministry.gov.pl", {"other.gov.pl"}, None),
    ("GMail.com", {"gmail.COM"}, None),  # webmail is shared by strangers: never a conflict
    (None, {"ministry.gov.pl"}, None),
    ("", {""}, None),
])
def test_a_shared_domain_is_a_conflict_whatever_its_case(juror_domain, member_domains, reason):
    entry = EntrySpec("e", frozenset(), frozenset(member_domains), frozenset({"u"}))
    found = detect_conflicts([entry], [JurorSpec("j", None, juror_domain, "someone-else")])
    assert found.get(("j", "e")) == reason


def test_webmail_domains_given_in_any_case_are_exempt():
    entry = EntrySpec("e", frozenset(), frozenset({"Startup.EU"}), frozenset())
    jurors = [JurorSpec("j", None, "startup.eu")]
    assert detect_conflicts([entry], jurors, webmail_domains={"STARTUP.eu"}) == {}
    assert detect_conflicts([entry], jurors, webmail_domains=()) == {("j", "e"): "same_email_domain"}


def test_membership_and_organisation_come_before_the_domain():
    entry = EntrySpec("e", frozenset({7}), frozenset({"city.gr"}), frozenset({42}))
    jurors = [JurorSpec("member", 7, "city.gr", 42), JurorSpec("colleague", 7, "city.gr", 1),
              JurorSpec("neighbour", 8, "City.GR", 2), JurorSpec("stranger", 8, "elsewhere.gr", 3)]
    assert detect_conflicts([entry], jurors) == {
        ("member", "e"): "member", ("colleague", "e"): "same_organisation", ("neighbour", "e"): "same_email_domain"}


def test_the_jury_finds_the_conflict_from_the_accounts_addresses(app):
    """From the accounts' own addresses, as typed, to the conflict the chair sees."""
    challenge = factories.make_challenge(opens_in_days=-30, closes_in_days=-1)
    member = factories.make_user(email="x@ministry.gov.PL")
    team = factories.make_team(challenge, [member])
    entry = factories.make_submission(team)
    stranger = factories.make_submission(factories.make_team(challenge, [factories.make_user(email="y@startup.dk")]))
    juror = make_juror(challenge, factories.make_user(email="Juror@Ministry.GOV.pl"))
    db.session.commit()
    assert ops.detected_conflicts(challenge.id, [entry.id, stranger.id]) == {(juror.id, entry.id): "same_email_domain"}
