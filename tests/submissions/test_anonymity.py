"""The rule for what names a team (submissions/anonymity.py), on worked examples."""
import pytest

from govchallenge.submissions import anonymity as rule
from govchallenge.submissions.anonymity import DOMAIN, MEMBER, ORGANISATION, TEAM, Piece, Term

TERMS = rule.identity("Bus Riders", ["Anna Kowalska", "Νίκος Παπαδόπουλος"], ["Open Data Lab"],
                      ["anna@startup.dk", "nikos@gmail.com"], ["https://www.odl.eu/about"])


def found(text, terms=TERMS):
    return [(f.kind, f.value) for f in rule.find(terms, [Piece(rule.ENTRY_TEXT, "description", text)])]


def test_identity_lists_team_members_organisations_and_their_own_domains_only():
    assert TERMS == [Term(TEAM, "Bus Riders"), Term(MEMBER, "Anna Kowalska"), Term(MEMBER, "Νίκος Παπαδόπουλος"),
                     Term(ORGANISATION, "Open Data Lab"), Term(DOMAIN, "odl.eu"), Term(DOMAIN, "startup.dk")]


@pytest.mark.parametrize("text", [
    "Written by Anna Kowalska.", "ANNA KOWALSKA", "anna kowalská", "Kowalska, Anna", "Anna\n  Kowalska",
    "(Anna Kowalska)", "Anna-Kowalska",
])
def test_a_member_is_found_whatever_the_case_accents_order_and_punctuation(text):
    assert found(text) == [(MEMBER, "Anna Kowalska")]


@pytest.mark.parametrize("text", ["Annabel Kowalska", "Anna Kowalskaya", "Anna Maria Kowalska", "Kowalska"])
def test_a_member_is_found_only_as_whole_words_in_their_order(text):
    assert found(text) == []


def test_names_in_other_alphabets_are_found_without_accents_or_case():
    assert found("ΝΙΚΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ") == [(MEMBER, "Νίκος Παπαδόπουλος")]
    assert found("Παπαδόπουλος Νίκος") == [(MEMBER, "Νίκος Παπαδόπουλος")]


def test_letters_that_do_not_decompose_compare_with_their_plain_form():
    terms = rule.identity("", ["Łukasz Øster"])
    assert [f.value for f in rule.find(terms, [Piece(rule.ENTRY_TEXT, "t", "lukasz OSTER")])] == ["Łukasz Øster"]


def test_organisation_and_team_names_are_found_as_whole_runs_of_words():
    assert found("We, the OPEN-DATA LAB, and the bus riders") == [(TEAM, "Bus Riders"), (ORGANISATION, "Open Data Lab")]
    assert found("the Open Data Laboratory; Bus Ridership") == []


@pytest.mark.parametrize("text, expected", [
    ("write to anna@startup.dk", ["startup.dk"]),
    ("see https://mail.startup.dk/x", ["startup.dk"]),
    ("STARTUP.DK.", ["startup.dk"]),
    ("www.odl.eu", ["odl.eu"]),
    ("mystartup.dk", []),
    ("startup.dk.example.com", []),
    ("startup-dk", []),
])
def test_a_domain_is_found_on_its_own_or_as_a_parent_domain(text, expected):
    assert [value for kind, value in found(text) if kind == DOMAIN] == expected


def test_public_mail_providers_and_hosts_without_a_dot_name_nobody():
    terms = rule.identity("", [], [], ["a@gmail.com", "b@localhost", "not an address"], ["https://GMAIL.com/"])
    assert terms == []


def test_terms_shorter_than_three_characters_are_not_sought():
    assert rule.identity("AI", ["Li"], ["X"]) == []
    assert rule.identity("Abe", []) == [Term(TEAM, "Abe")]


def test_each_finding_is_listed_once_per_place_in_the_order_of_places_then_terms():
    pieces = [Piece(rule.ENTRY_TEXT, "title", "Anna Kowalska and Anna Kowalska of Bus Riders"),
              Piece(rule.FILE_METADATA, "plan.pdf\x1fpdf_info:/Author", "anna kowalska")]
    assert [(f.where, f.label, f.kind) for f in rule.find(TERMS, pieces)] == [
        (rule.ENTRY_TEXT, "title", TEAM), (rule.ENTRY_TEXT, "title", MEMBER),
        (rule.FILE_METADATA, "plan.pdf\x1fpdf_info:/Author", MEMBER)]


def test_a_text_naming_nobody_finds_nothing():
    assert found("Real-time arrivals for every stop, published as open data.") == []


@pytest.mark.parametrize("address, domain", [
    ("Anna@Sub.Startup.DK", "sub.startup.dk"), ("https://www.odl.eu:8443/path?q", "odl.eu"), ("odl.eu/x", "odl.eu"),
    ("", ""), ("mailto:", ""),
])
def test_domain_of_an_address(address, domain):
    assert rule.domain_of(address) == domain
