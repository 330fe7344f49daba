"""The edges of the erasure's rules: whose rows go (the person's, never anyone else's), which copies of the name
and address are found and replaced (any letter case, a name of the minimum length, JSON), what the anonymised
account keeps, what the erasure and a redaction record, and the exact refusals and their order."""
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from govchallenge.challenges import models as cm
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.identity.models import IdentityLink
from govchallenge.jobs.models import OutboxJob
from govchallenge.jury.models import Juror, Round
from govchallenge.organisations.models import ACTIVE, MEMBER, OFFICER, PENDING, Membership
from govchallenge.privacy import erasure
from govchallenge.privacy.models import DataExport
from govchallenge.privacy.pseudonyms import pseudonym_email, pseudonym_name
from govchallenge.results import digests
from govchallenge.results.models import Publication
from govchallenge.teams.models import TeamInvitation
from tests.support import factories

pytestmark = pytest.mark.usefixtures("request_context")

OFFICER_REASON = ("You are the last officer of {body}, which hosts the challenge {slug} that is not finished: make "
                  "another member an officer first.")
JUROR_REASON = ("You are a juror of the challenge {slug}, whose jury round is still open: wait until the round "
                "closes, or ask the chair to release you.")


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def job_holding(last_error="", args=None):
    """A failed job whose error text and arguments hold whatever the test puts there (a table the erasure searches)."""
    job = OutboxJob(function="govchallenge.accounts.jobs.send_password_reset", args=args or [], state="failed",
                    last_error=last_error)
    db.session.add(job)
    db.session.flush()
    return job.id


def job(job_id):
    db.session.expire_all()
    return db.session.get(OutboxJob, job_id)


def round_of(challenge, state, *jurors):
    for user in jurors:
        db.session.add(Juror(challenge_id=challenge.id, user_id=user.id, email=user.email, name=user.name,
                             state="accepted"))
    db.session.add(Round(challenge_id=challenge.id, number=1, reviews_per_entry=2, state=state))
    db.session.flush()


def erasure_events(action="account.erased"):
    return db.session.execute(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == action)
                              .order_by(audit.AuditEvent.id)).scalars().all()


# --- the refusals ---------------------------------------------------------------------------------------------------

def test_a_refusal_reads_as_its_reasons_joined():
    refused = erasure.ErasureRefused(["First reason.", "Second reason."])
    assert str(refused) == "First reason.; Second reason." and refused.reasons == ["First reason.", "Second reason."]


def test_each_refusal_is_the_whole_sentence_and_erasing_is_refused_with_them(app):
    user = factories.make_user()
    body = factories.make_public_body(officer=user, name="Lonely Ministry")
    hosted = factories.make_challenge(host=body, status="approved")
    judged = factories.make_challenge(status="in_evaluation")
    round_of(judged, "open", user)
    expected = [OFFICER_REASON.format(body="Lonely Ministry", slug=hosted.slug), JUROR_REASON.format(slug=judged.slug)]
    assert erasure.erasure_blockers(user) == expected
    with pytest.raises(erasure.ErasureRefused) as refused:
        erasure.erase_account(user, user)
    assert refused.value.reasons == expected and str(refused.value) == "; ".join(expected)


def test_the_refusals_come_in_the_order_of_the_bodies_then_of_the_challenges(app):
    user = factories.make_user()
    first_body = factories.make_public_body(officer=user, name="First Body")
    second_body = factories.make_public_body(officer=user, name="Second Body")
    # The second body's challenge is the oldest: the order is the bodies', then their challenges'. The first
    # body's host rows are written newest challenge first.
    oldest = factories.make_challenge(host=second_body)
    older, newer = factories.make_challenge(), factories.make_challenge()
    db.session.add_all([cm.ChallengeHost(challenge=newer, organisation=first_body, state=cm.ACCEPTED),
                        cm.ChallengeHost(challenge=older, organisation=first_body, state=cm.ACCEPTED)])
    db.session.flush()
    assert erasure.erasure_blockers(user) == [OFFICER_REASON.format(body="First Body", slug=older.slug),
                                              OFFICER_REASON.format(body="First Body", slug=newer.slug),
                                              OFFICER_REASON.format(body="Second Body", slug=oldest.slug)]


def test_the_open_rounds_are_listed_in_the_order_of_the_challenges(app):
    user = factories.make_user()
    # Written in the other order than their ids: a table read in the order it was written gives the later first.
    later = factories.make_challenge(status="in_evaluation", id=9002)
    earlier = factories.make_challenge(status="in_evaluation", id=9001)
    round_of(later, "open", user)
    round_of(earlier, "open", user)
    assert erasure.erasure_blockers(user) == [JUROR_REASON.format(slug=earlier.slug), JUROR_REASON.format(slug=later.slug)]


def test_a_body_only_invited_to_cohost_does_not_hold_its_officer(app):
    officer = factories.make_user()
    invited_body = factories.make_public_body(officer=officer)
    challenge = factories.make_challenge(status="approved")
    challenge.hosts.append(cm.ChallengeHost(organisation=invited_body, state=cm.INVITED))
    db.session.flush()
    assert erasure.erasure_blockers(officer) == []


def test_a_member_is_never_held_even_when_the_body_has_no_active_officer(app):
    member, pending_officer = factories.make_user(), factories.make_user()
    body = factories.make_public_body(name="Headless Body")
    db.session.add_all([Membership(organisation=body, user=member, role=MEMBER, state=ACTIVE),
                        Membership(organisation=body, user=pending_officer, role=OFFICER, state=PENDING)])
    factories.make_challenge(host=body, status="approved")
    assert erasure.erasure_blockers(member) == []


def test_a_pending_second_officer_does_not_lift_the_refusal(app):
    officer, candidate = factories.make_user(), factories.make_user()
    body = factories.make_public_body(officer=officer, name="Lonely Ministry")
    db.session.add(Membership(organisation=body, user=candidate, role=OFFICER, state=PENDING))
    challenge = factories.make_challenge(host=body, status="approved")
    assert erasure.erasure_blockers(officer) == [OFFICER_REASON.format(body="Lonely Ministry", slug=challenge.slug)]


def test_an_officer_of_another_body_does_not_lift_the_refusal(app):
    officer = factories.make_user()
    body = factories.make_public_body(officer=officer, name="Lonely Ministry")
    challenge = factories.make_challenge(host=body, status="approved")
    other = factories.make_public_body(officer=factories.make_user(), name="Busy Ministry")
    factories.make_challenge(host=other, status="approved", cohosts=[factories.make_public_body()])
    assert erasure.erasure_blockers(officer) == [OFFICER_REASON.format(body="Lonely Ministry", slug=challenge.slug)]


def test_only_an_open_round_of_the_jurors_own_challenge_holds_them(app):
    juror, bystander, busy = factories.make_user(), factories.make_user(), factories.make_user()
    round_of(factories.make_challenge(status="in_evaluation"), "closed", juror)
    round_of(factories.make_challenge(status="in_evaluation"), "open", busy)
    assert erasure.erasure_blockers(juror) == [] and erasure.erasure_blockers(bystander) == []
    assert erasure.erasure_blockers(busy)


# --- whose rows go ----------------------------------------------------------------------------------------------------

def personal_rows(user, email, challenge, team):
    link = IdentityLink(user=user, issuer="https://login.example.eu", subject=f"subject-{user.id}")
    follow = cm.Follow(challenge_id=challenge.id, user_id=user.id)
    export = DataExport(user_id=user.id, state="ready")
    invitation = TeamInvitation(team_id=team.id, email=email, expires_at=utcnow() + timedelta(days=7))
    db.session.add_all([link, follow, export, invitation])
    db.session.flush()
    return {IdentityLink: link.id, cm.Follow: follow.id, DataExport: export.id, TeamInvitation: invitation.id}


def test_the_persons_links_follows_exports_and_invitations_go_and_nobody_elses(app):
    leaving = factories.make_user(email="kim.case@example.eu", name="Kimberly Casey")
    staying = factories.make_user(email="lee.stay@example.eu", name="Leonora Stay")
    challenge = factories.make_challenge()
    team = factories.make_team(challenge, members=[factories.make_user()])
    # The invitation was typed in capitals: it is addressed to the person all the same.
    gone = personal_rows(leaving, "KIM.CASE@Example.EU", challenge, team)
    kept = personal_rows(staying, "lee.stay@example.eu", challenge, team)
    db.session.commit()
    erasure.erase_account(leaving, leaving)
    db.session.commit()
    for model, row_id in gone.items():
        assert db.session.get(model, row_id) is None, model.__name__
    for model, row_id in kept.items():
        assert db.session.get(model, row_id) is not None, model.__name__
    assert db.session.get(TeamInvitation, kept[TeamInvitation]).email == "lee.stay@example.eu"


def test_rows_the_session_had_loaded_are_gone_for_it_too(app):
    """erase_account flushes without committing: the caller's session must not keep the deleted rows."""
    user = factories.make_user()
    challenge = factories.make_challenge()
    rows = personal_rows(user, user.email, challenge, factories.make_team(challenge))
    loaded = [db.session.get(model, row_id) for model, row_id in rows.items()]
    erasure.erase_account(user, user)
    assert [row for row in loaded if row in db.session] == []
    assert all(sa.inspect(row).was_deleted for row in loaded)


# --- the account ------------------------------------------------------------------------------------------------------

def test_the_anonymised_account_keeps_no_language_or_timezone_of_the_person(app):
    user = factories.make_user(language="el", timezone="Europe/Athens")
    erasure.erase_account(user, user)
    assert (user.language, user.timezone) == ("en", "UTC")


# --- the copies of the name and address ------------------------------------------------------------------------------

def test_copies_are_replaced_whatever_their_letter_case(app):
    user = factories.make_user(email="kim.case@example.eu", name="Kimberly Casey")
    job_id = job_holding(last_error="Mail to KIM.CASE@EXAMPLE.EU failed; kimberly casey and KIMBERLY CASEY notified.",
                         args={"to": "Kim.Case@Example.EU", "name": "KIMBERLY casey"})
    erasure.erase_account(user, user)
    email, name = pseudonym_email(user.id), pseudonym_name(user.id)
    assert job(job_id).last_error == f"Mail to {email} failed; {name} and {name} notified."
    assert job(job_id).args == {"to": email, "name": name}


def test_a_name_of_exactly_the_minimum_length_is_replaced_and_a_shorter_one_is_not(app):
    assert erasure.MIN_NAME_LENGTH == 5
    five = factories.make_user(email="i.k@example.eu", name="  Ilona ")
    four = factories.make_user(email="o.k@example.eu", name="Olaf")
    job_id = job_holding(last_error="Ilona wrote; Olaf answered.")
    erasure.erase_account(five, five)
    erasure.erase_account(four, four)
    assert job(job_id).last_error == f"{pseudonym_name(five.id)} wrote; Olaf answered."


def test_a_non_ascii_name_copied_into_json_is_found_and_replaced(app):
    """Stored JSON escapes what is not ASCII ("Zo\\u00eb"): the copy is searched in that form too."""
    user = factories.make_user(email="z.n@example.eu", name="Zoë Ŋgamo")
    job_id = job_holding(args={"recipient": "Zoë Ŋgamo", "cc": ["ZOË ŊGAMO"]})
    erasure.erase_account(user, user)
    name = pseudonym_name(user.id)
    assert job(job_id).args == {"recipient": name, "cc": [name]}


# --- what the erasure records ----------------------------------------------------------------------------------------

def test_the_erasure_records_the_files_it_removed(app):
    from govchallenge.accounts.jobs import send_password_reset

    user = factories.make_user()
    export = DataExport(user_id=user.id, state="ready")
    db.session.add(export)
    db.session.commit()
    send_password_reset(user.id)  # one mail file naming them
    export_file = Path(app.config["EXPORT_DIR"]) / f"{export.nonce}.zip"
    export_file.parent.mkdir(parents=True, exist_ok=True)
    export_file.write_bytes(b"PK\x05\x06" + bytes(18))
    erasure.erase_account(user, user)
    assert not export_file.exists()
    assert erasure_events()[-1].detail["files_removed"] == 2


def test_a_reason_is_recorded_only_for_an_admins_erasure(app):
    admin = factories.make_user(admin=True)
    themself, by_admin = factories.make_user(), factories.make_user()
    erasure.erase_account(themself, themself, reason="I typed a reason")
    erasure.erase_account(by_admin, admin)
    own, admins = erasure_events()
    assert own.detail["reason"] == "" and own.actor_id is None
    assert admins.detail["reason"] == "" and admins.actor_id == admin.id and admins.detail["by_admin"] is True


def publication_naming(name, extra_full=None):
    challenge = factories.make_challenge(status="results_published")
    document = {"jury": [{"name": name}, {"name": "Another Juror"}], "entries": [{"rank": 1, "title": "Entry"}]}
    publication = Publication(challenge_id=challenge.id, state="published", full={"notes": "kept", **(extra_full or {})},
                              document=document, digest_scheme=digests.RFC8785,
                              digest=digests.digest(document, digests.RFC8785), published_at=utcnow())
    db.session.add(publication)
    db.session.commit()
    return publication.id


def test_a_redaction_records_both_digests_the_rule_the_admin_and_why(app):
    admin = factories.make_user(admin=True)
    juror = factories.make_user(name="Jürgen Gutachter", email="j.g@example.de")
    publication_id = publication_naming("Jürgen Gutachter", {"jury": ["Jürgen Gutachter"]})
    previous = db.session.get(Publication, publication_id).digest
    erasure.erase_account(juror, admin, reason="Asked in writing")
    db.session.expire_all()
    publication = db.session.get(Publication, publication_id)
    name = pseudonym_name(juror.id)
    assert publication.document["jury"] == [{"name": name}, {"name": "Another Juror"}]
    assert publication.full == {"notes": "kept", "jury": [name]}
    assert publication.digest == digests.digest(publication.document, digests.RFC8785) != previous
    [event] = erasure_events(erasure.REDACTED_ACTION)
    assert (event.object_type, event.object_id, event.actor_id) == ("publication", str(publication_id), admin.id)
    assert event.detail["previous"] == previous and event.detail["digest"] == publication.digest
    assert event.detail["digest_scheme"] == digests.RFC8785
    assert event.detail["reason"] == "erasure of a juror's account"


def test_a_copy_only_in_the_full_results_changes_no_digest_and_records_no_redaction(app):
    juror = factories.make_user(name="Jürgen Gutachter", email="j.g@example.de")
    publication_id = publication_naming("Somebody Else", {"jury": ["Jürgen Gutachter"]})
    previous = db.session.get(Publication, publication_id).digest
    erasure.erase_account(juror, juror)
    db.session.expire_all()
    publication = db.session.get(Publication, publication_id)
    assert publication.full == {"notes": "kept", "jury": [pseudonym_name(juror.id)]} and publication.digest == previous
    assert erasure_events(erasure.REDACTED_ACTION) == []


def test_the_personal_part_of_someone_elses_event_naming_the_address_goes(app):
    """An invitation recorded by a teammate is about the teammate, yet names the erased address."""
    invited, teammate = factories.make_user(), factories.make_user()
    team = factories.make_team(factories.make_challenge(), members=[teammate])
    audit.record("team.invited", team, actor=teammate, email=invited.email)
    audit.record("team.renamed", team, actor=teammate)
    db.session.flush()
    invitation_event, other_event = erasure_events("team.invited")[0], erasure_events("team.renamed")[0]
    erasure.erase_account(invited, invited)
    assert db.session.get(audit.AuditPersonal, invitation_event.id) is None
    assert db.session.get(audit.AuditPersonal, other_event.id) is not None
