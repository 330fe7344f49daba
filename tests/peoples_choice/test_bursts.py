"""The burst rule alone (pure module): where its edges are."""
from datetime import UTC, datetime, timedelta

from govchallenge.peoples_choice.bursts import ADDRESS, DOMAIN, Ballot, BurstRule, flag_bursts

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
RULE = BurstRule(new_account_age=timedelta(days=2), window=timedelta(hours=1), address_votes=10, domain_votes=25)


def ballots(count, start=0, spacing=timedelta(minutes=1), age=timedelta(hours=1), address="a", domain=None):
    return [Ballot(id=start + i, cast_at=T0 + i * spacing, account_created_at=T0 + i * spacing - age,
                   address_key=address, email_domain=domain or f"d{start + i}.eu") for i in range(count)]


def test_ten_new_accounts_from_one_address_within_the_window_are_flagged_nine_are_not():
    assert flag_bursts(ballots(9), RULE) == {}
    assert flag_bursts(ballots(10), RULE) == {i: [ADDRESS] for i in range(10)}


def test_the_window_is_inclusive_and_no_wider():
    exactly = ballots(10, spacing=timedelta(hours=1) / 9)  # first and tenth exactly one window apart
    assert len(flag_bursts(exactly, RULE)) == 10
    wider = ballots(10, spacing=timedelta(hours=1) / 9 + timedelta(seconds=1))
    assert flag_bursts(wider, RULE) == {}


def test_old_accounts_never_make_a_burst_and_age_is_measured_at_the_vote():
    assert flag_bursts(ballots(50, age=timedelta(days=2)), RULE) == {}
    assert len(flag_bursts(ballots(10, age=timedelta(days=2) - timedelta(seconds=1)), RULE)) == 10


def test_only_the_votes_inside_a_dense_window_are_flagged():
    burst = ballots(10, start=0)
    late = [Ballot(id=100, cast_at=T0 + timedelta(hours=3), account_created_at=T0 + timedelta(hours=2),
                   address_key="a", email_domain="x.eu")]
    assert set(flag_bursts(burst + late, RULE)) == set(range(10))


def test_an_e_mail_domain_has_its_own_threshold_and_addresses_differ():
    spread = [Ballot(id=i, cast_at=T0 + timedelta(minutes=i), account_created_at=T0, address_key=f"a{i}",
                     email_domain="campaign.example") for i in range(25)]
    assert flag_bursts(spread[:24], RULE) == {}
    assert flag_bursts(spread, RULE) == {i: [DOMAIN] for i in range(25)}


def test_an_unknown_address_groups_nothing():
    assert flag_bursts(ballots(20, address=""), RULE) == {}
