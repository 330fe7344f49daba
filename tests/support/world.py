"""One complete, hostile world: every text a user (or an outside party) can write holds markup, a template
expression and, in links, a `javascript:` URL — across every table, in several languages, in every state a page
can show.

How a field is filled is decided by the column, not by the test: `USER_TEXT` maps each column that holds text
from outside to the way the world fills it, `NOT_USER_TEXT` lists every other text column with the reason it
cannot carry markup. `tests/security/test_xss.py` fails when a String/Text/JSON column of `db.metadata` is in
neither, so a new column is classified (and, if it is user text, filled) before it can reach a page.

Every hostile value starts with a marker unique to its table, column and row (`mk-team-name-12-mk`), so a test
can tell which field leaked where (`World.mark(row, "description")`).

The world is built from the project's factories and operations, then `fill_every_user_text` overwrites every
user-text value, and the operations that copy user text elsewhere (the results documents, the audit trail, the
announcement's deliveries) run after it.
"""
import json
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from tests.support import factories
from tests.support.results_factories import judged_challenge

PAYLOAD = '"\'><img src=x onerror=alert(1)>{{7*7}}'
MARKUP = "<img src=x onerror"  # what must never reach an HTML page unescaped
EMAIL_CORE = "o'hara&{{7*7}}"  # the most hostile local part an e-mail validator accepts
SCRIPT_URL = "javascript:alert(1)//"
LANGUAGES = ("en", "el", "pl")
ROLES = ("anonymous", "member", "juror", "chair", "officer", "cohost", "admin")


def marker(table, column, row_id, part=""):
    """`mk-<table>-<column>-<id>[-<part>]-mk`: letters, digits and hyphens only, so it survives HTML and JSON
    escaping, Markdown and CSV unchanged, and no marker is a prefix of another."""
    bits = [table, column, str(row_id)] + ([str(part)] if part else [])
    return "mk-" + "-".join(bit.replace("_", "").replace(".", "") for bit in bits) + "-mk"


def hostile(mark):
    return f"{mark} {PAYLOAD}"


def is_hostile(value):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return any(core in (text or "") for core in ("<img src=x onerror=alert(1)>", EMAIL_CORE, "javascript:"))


# --- how each kind of column is filled ------------------------------------------------------------------
# A filler takes the row and `mark(part="")` (the row's marker for this column) and returns the new value.

def _text(row, mark):
    return hostile(mark())


def _file_name(row, mark):
    return f"{hostile(mark())} Προκήρυξη.pdf"


def _email(row, mark):
    """Each address at its own domain: a shared one would make every juror conflicted with every team."""
    return f"{EMAIL_CORE}+{mark()}@{mark()[3:-3]}.example.eu".lower()


def _url(row, mark):
    return f"{SCRIPT_URL}{mark()}/{PAYLOAD}"


def _translated(row, mark, value=None, prefix=""):
    languages = sorted(set(value or {}) | set(LANGUAGES))
    return {language: hostile(mark(prefix + language)) for language in languages}


def _translated_column(name):
    return lambda row, mark: _translated(row, mark, getattr(row, name))


def _anchors(row, mark):
    return {key: _translated(row, mark, value, f"a{key}-") for key, value in (row.anchors or {"0": {}, "10": {}}).items()}


def _links(row, mark):
    return {kind: f"{SCRIPT_URL}{mark(kind)}/{PAYLOAD}" for kind in ("code", "video", "demo")}


def _tags(row, mark):
    return [hostile(mark("1")), hostile(mark("2"))]


def _manifest(row, mark):
    return [dict(entry, filename=f"{hostile(mark(index))} Προκήρυξη.pdf") for index, entry in enumerate(row.files or [])]


def _review_comments(row, mark):
    keys = {"overall"} | set(row.comments or {}) | {str(c.id) for c in row.assignment.round.criteria}
    return {key: hostile(mark(key)) for key in sorted(keys)}


def _listing_descriptions(row, mark):
    return {language: {"short": hostile(mark(f"s{language}")), "long": hostile(mark(f"l{language}")),
                       "features": [hostile(mark(f"f{language}"))]} for language in sorted(set(row.descriptions or {}) | {"en", "el"})}


def _chair_decisions(row, mark):
    return [dict(decision, reason=hostile(mark(index))) for index, decision in enumerate(row.chair_decisions or [])]


DERIVED = None  # copied by the operations from other user text; the world runs them after filling

USER_TEXT = {
    "user_account.name": _text,
    "user_account.email": _email,
    "organisation.name": _text,
    "organisation.description": _text,
    "organisation.website": _url,
    "challenge.title": _translated_column("title"),
    "challenge.summary": _translated_column("summary"),
    "challenge.description": _translated_column("description"),
    "challenge.expected_outcome": _translated_column("expected_outcome"),
    "challenge.terms": _translated_column("terms"),
    "challenge.tags": _tags,
    "stage.name": _translated_column("name"),
    "stage.description": _translated_column("description"),
    "criterion.name": _translated_column("name"),
    "criterion.description": _translated_column("description"),
    "criterion.anchors": _anchors,
    "prize.name": _translated_column("name"),
    "prize.description": _translated_column("description"),
    "challenge_attachment.title": _translated_column("title"),
    "challenge_attachment.filename": _file_name,
    "clarification.question": _text,
    "clarification.answer": _text,
    "team.name": _text,
    "team_invitation.email": _email,
    "submission.title": _text,
    "submission.summary": _text,
    "submission.description": _text,
    "submission.links": _links,
    "submission_file.filename": _file_name,
    "submission_version.title": _text,
    "submission_version.summary": _text,
    "submission_version.description": _text,
    "submission_version.links": _links,
    "submission_version.files": _manifest,
    "late_entry_grant.reason": _text,
    "juror.name": _text,
    "juror.email": _email,
    "conflict_declaration.note": _text,
    "conflict_declaration.person": _text,
    "jury_round.name": _translated_column("name"),
    "jury_round.closed_reason": _text,
    "assignment.recusal_reason": _text,
    "round_entry.exclusion_reason": _text,
    "review.exclusion_reason": _text,
    "review.comments": _review_comments,
    "score_override.justification": _text,
    "contest.name": _translated_column("name"),
    "contest.description": _translated_column("description"),
    "contest.shared_award": _translated_column("shared_award"),
    "award.name": _translated_column("name"),
    "award.reason": _text,
    "publication.chair_decisions": _chair_decisions,
    "publication.full": DERIVED,  # team names, entry titles, criteria and prize names, jurors' names
    "publication.document": DERIVED,
    "webhook_endpoint.url": _url,
    "delivery.last_error": _text,  # a partner's or a mail server's answer
    "delivery.recipient_key": DERIVED,  # "email:<a juror's address>" for a juror without an account
    "outbox_job.last_error": _text,  # an exception's text, which may quote user input
    "audit_event.detail": DERIVED,  # comments, reasons, addresses the operations record
    "audit_personal.data": DERIVED,  # the actor's and invited addresses, IP addresses, kept outside the MAC
    "entry_screening.findings": DERIVED,  # file names, and the team's, members' and organisations' names found
    "submission.repository_url": _url,
    "submission.publiccode": _text,
    "submission_version.repository_url": _url,  # the openness a submitted version keeps (its receipt covers it)
    "submission_version.publiccode": _text,
    "reuse_listing.name": _text,
    "reuse_listing.descriptions": _listing_descriptions,
    "reuse_listing.repository_url": _url,
    "reuse_listing.contact_name": _text,
    "reuse_listing.contact_email": _email,
    "reuse_adoption.note": _text,
    "pchoice_vote.discount_reason": _text,
    "pchoice_award.document": DERIVED,  # released titles, the challenge's title, the hosts' discount reasons
    "legal_text.body": _translated_column("body"),
    "legal_settings.operator_name": _text,
    "legal_settings.operator_address": _text,
    "legal_settings.contact_email": _email,
    "legal_settings.protection_officer_email": _email,
    "legal_settings.enforcement_name": _text,
    "legal_settings.enforcement_url": _url,
    "legal_settings.supervisory_name": _text,
    "legal_settings.supervisory_url": _url,
}

NOT_USER_TEXT = {
    "generated identifiers (random or from a counter), never typed": [
        "reuse_listing.slug",
        "assignment.public_id", "submission.public_id", "submission_file.public_id", "team.public_id",
        "juror.nonce", "team_invitation.nonce", "audit_event.object_id", "audit_event.nonce",
        "pairwise_showing.public_id",
    ],
    "slugs: made by core.slugs from a name, or checked against ^[a-z0-9-]+$": [
        "challenge.slug", "organisation.slug", "contest.slug",
    ],
    "hashes, digests and secrets the platform computes": [
        "user_account.password_hash", "challenge_attachment.sha256", "submission_file.sha256",
        "file_inspection.sha256", "file_inspection.clean_sha256", "entry_screening.sha256",
        "submission_version.sha256", "late_entry_grant.code_hash", "publication.digest",
        "audit_event.mac", "audit_seal.mac", "webhook_endpoint.secret", "audit_event.personal_digest",
        "audit_personal.email_digest", "audit_personal.salt", "data_export.nonce", "results_computation.key",
        "reuse_dataset.sha256", "pchoice_award.digest", "pchoice_vote.address_key",
    ],
    "a generated download, served as an attachment (text/csv, cells made formula-safe by core.csvsafe), never "
    "rendered in a page": [
        "reuse_dataset.csv_text",
    ],
    "states and choices a form restricts to a fixed list": [
        "challenge.status", "challenge.domain", "challenge.countries_mode", "challenge.review_comment",
        "challenge.aggregation", "challenge.calibration", "challenge.publish_ranking", "challenge_host.role",
        "challenge_host.state", "membership.role", "membership.state", "organisation.kind", "team_member.role",
        "submission.state", "file_inspection.status", "juror.state", "conflict_declaration.kind", "conflict_declaration.source", "round_entry.exclusion_kind",
        "jury_round.state", "assignment.state", "assignment.source", "review.state", "publication.state",
        "publication.digest_scheme", "jury_round.kind", "pairwise_showing.choice", "challenge.open_licence",
        "reuse_listing.team_choice", "reuse_listing.state", "reuse_listing.maturity", "reuse_adoption.kind",
        "reuse_contest_invitation.state",
        "delivery.channel", "delivery.role", "delivery.state", "outbox_job.state", "award.domain",
        "audit_event.action", "audit_event.object_type", "data_export.state", "pchoice_award.digest_scheme",
        "pchoice_vote.flag_reasons",
    ],
    "codes checked against a list (countries, languages, zones, currencies) or read from a file's content": [
        "user_account.country", "user_account.language", "user_account.timezone", "organisation.country",
        "challenge.main_language", "challenge.timezone", "challenge.countries", "challenge.entrant_kinds",
        "clarification.language", "prize.currency", "delivery.language", "challenge_attachment.mime_type",
        "submission_file.mime_type", "file_inspection.mime_type", "legal_text.page", "legal_settings.conformance",
        "reuse_listing.languages", "reuse_listing.language_codes",
    ],
    "SPDX licence expressions, normalised by submissions/licences.py (identifiers, AND, OR, WITH, brackets)": [
        "submission.licence", "submission_version.licence", "reuse_listing.licence",
    ],
    "machine data: numbers, ids and file digests the platform writes": [
        "review.scores", "ranked_ballot.ranking", "outbox_job.function", "outbox_job.args", "outbox_job.result", "audit_event.ip_address",
        "results_computation.result",  # ranks, scores, entry public ids, juror labels J1…: no name or title
        "pchoice_release.images",  # SHA-256 digests of the entry's files
    ],
    "a search index (lower-cased copies of titles and summaries), queried, never shown": [
        "challenge.search_text", "reuse_listing.search_text",
    ],
    "text read from uploaded files, searched for the team's names, never shown (what is found is shown from "
    "entry_screening.findings)": [
        "file_inspection.texts",
    ],
    "identity provider settings only admins type, checked against URL, token and domain patterns (no markup "
    "character passes); the client secret is never shown": [
        "identity_provider.issuer", "identity_provider.client_id", "identity_provider.client_secret",
        "identity_provider.scopes", "identity_provider.email_domains",
    ],
    "the actor's address in events written before revision 0012; since, it is in audit_personal.data": [
        "audit_event.actor_label",
    ],
    "the domain of a voter's e-mail address, copied when the vote is cast; the address validator lets only "
    "letters, digits, dots and hyphens into a domain": [
        "pchoice_vote.email_domain",
    ],
    "identities a provider asserts (issuer, subject): matched on sign-in, never shown": [
        "identity_link.issuer", "identity_link.subject",
    ],
}


def text_columns(metadata):
    """Every String/Text/JSON column of every table, as "table.column"."""
    return sorted(
        f"{table.name}.{column.name}" for table in metadata.tables.values() for column in table.columns
        if isinstance(column.type, (sa.String, sa.Text, sa.JSON))
    )


def not_user_text_columns():
    return [name for names in NOT_USER_TEXT.values() for name in names]


def _mapped_classes():
    return {mapper.local_table.name: mapper for mapper in db.Model.registry.mappers}


def fill_every_user_text():
    """Overwrites every non-null user-text value of every row with hostile text. A value already hostile
    (set on purpose, or copied from hostile text) is kept, so filling twice changes nothing."""
    mappers = _mapped_classes()
    for name, filler in USER_TEXT.items():
        if filler is DERIVED:
            continue
        table, column = name.split(".")
        mapper = mappers[table]
        key = mapper.get_property_by_column(mapper.local_table.c[column]).key
        for row in db.session.execute(sa.select(mapper.class_)).scalars():
            value = getattr(row, key)
            if value is None or is_hostile(value):
                continue
            setattr(row, key, filler(row, lambda part="", _row=row: marker(table, column, _row.id, part)))
    db.session.flush()


# --- the world ----------------------------------------------------------------------------------------------

@dataclass
class World:
    users: dict  # role -> User (no "anonymous")
    challenges: dict  # "published", "judged", "jury", "open", "draft", "review" -> Challenge
    organisations: dict
    teams: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)  # anything else a route or a test addresses
    tokens: dict = field(default_factory=dict)

    def mark(self, row, column, part=""):
        """The marker that starts the hostile value of `row.column` (for a translated field, `part` is the language)."""
        return marker(row.__table__.name, column, row.id, part)


def _adopt_hosts(challenge, host, cohost):
    """A factory-made judged challenge, hosted by the world's bodies instead of its own."""
    from govchallenge.challenges.models import LEAD

    for row in challenge.hosts:
        row.organisation = host if row.role == LEAD else cohost


def _adopt_jurors(judged, chair, juror):
    """The factory's first juror row becomes the world's chair, the second its ordinary juror."""
    for row, user in zip(judged.juror_rows, (chair, juror)):
        row.user, row.email, row.name = user, user.email, user.name


def build_world():
    """Builds and commits the world; see the module's docstring. Returns a World."""
    world = _people_and_bodies()
    _judged_challenges(world)
    _open_challenge(world)
    _unpublished_challenges(world)
    _jury_at_work(world)
    _legal_pages()
    db.session.flush()
    fill_every_user_text()
    world.rows["invited_juror"].email = world.users["member"].email  # the member may open (not accept) it
    _copies_of_user_text(world)
    fill_every_user_text()
    db.session.commit()
    world.tokens.update(_tokens(world))
    return world


def _legal_pages():
    """The operator's details, every field given, and the text of a page the operator wrote."""
    from govchallenge.legal.models import LegalSettings, LegalText

    db.session.add(LegalSettings(id=1, operator_name="Operator", operator_address="Address", contact_email="a@b.eu",
                                 protection_officer_email="dpo@b.eu", enforcement_name="Enforcer",
                                 enforcement_url="https://enforcer.eu/", supervisory_name="Supervisor",
                                 supervisory_url="https://supervisor.eu/", conformance="partial"))
    db.session.add(LegalText(page="privacy", body={"en": "Privacy."}))


def _people_and_bodies():
    """One user per role, the host and co-host bodies, a body invited to co-host, a startup, a body awaiting
    verification, a pending request to join, a person who has not confirmed their address."""
    from govchallenge.organisations.models import MEMBER, PENDING, Membership

    make_user = factories.make_user
    users = {
        "admin": make_user(admin=True), "officer": make_user(), "cohost": make_user(language="el", country="GR"),
        "chair": make_user(country="DE"), "juror": make_user(country="FR", timezone="Europe/Paris"),
        "member": make_user(country="DK"),
    }
    host = factories.make_public_body(officer=users["officer"])
    organisations = {
        "host": host, "cohost": factories.make_public_body(country="GR", officer=users["cohost"]),
        "invited": factories.make_public_body(country="SI", officer=make_user(country="SI")),
        "startup": factories.make_organisation(kind="startup", country="DK", officer=users["member"]),
        "unverified": factories.make_public_body(country="IT", verified=False, officer=make_user(country="IT")),
    }
    db.session.add(Membership(organisation=host, user=users["juror"], role=MEMBER, state=PENDING))
    world = World(users=users, challenges={}, organisations=organisations)
    world.rows["unverified"] = make_user(verified=False)
    return world


def _judged_challenges(world):
    """Three judged challenges of the world's hosts, chair and juror: "published" (names shown to jurors, who see
    each other's reviews), "judged" (blind, round closed, ranking proposed next) and "jury" (blind, round open,
    reviews in draft, no team of the member's)."""
    users, organisations = world.users, world.organisations

    def judged(key, member_team=True, **fields):
        members = [[users["member"]], [factories.make_user()], [factories.make_user()]] if member_team else None
        made = judged_challenge(entries=3, jurors=3, members=members, special="Special prize", **fields)
        _adopt_hosts(made.challenge, organisations["host"], organisations["cohost"])
        _adopt_jurors(made, users["chair"], users["juror"])
        world.challenges[key], world.rows[key] = made.challenge, made

    judged("published", anonymous_review=False, jurors_see_others=True, domain="mobility")
    judged("judged", anonymous_review=True)
    judged("jury", member_team=False, round_state="open", submit_all=False, review_comment="per_criterion")
    world.rows["jury"].round.closes_at = utcnow() + timedelta(days=5)
    world.rows["judged"].round.closed_reason = "c"


def _open_challenge(world):
    """Open for entries: stage 1 closed (hosts read its entries), stage 2 open. The member's team has submitted
    to stage 1 and drafts for stage 2; another team submitted to stage 2, a third to stage 1 (and has a
    late-entry grant). Questions answered and not, an invitation to the member's team, followers."""
    from govchallenge.challenges.models import APPROVED, Clarification
    from govchallenge.challenges.operations import follow
    from govchallenge.teams.models import TeamInvitation

    users, now = world.users, utcnow()
    challenge = factories.make_challenge(host=world.organisations["host"], cohosts=[world.organisations["cohost"]],
                                         opens_in_days=-30, closes_in_days=30, stages=2, status=APPROVED)
    first, second = challenge.stages
    first.closes_at = second.opens_at = now - timedelta(days=1)
    world.challenges["open"] = challenge
    member = users["member"]
    own = factories.make_team(challenge, [member], organisations={member.id: world.organisations["startup"]})
    other = factories.make_team(challenge, [factories.make_user(country="PT")])
    early = factories.make_team(challenge, [factories.make_user(country="ES"), factories.make_user(country="EE")])
    world.teams.update(own=own, other=other, early=early)
    world.entries.update(
        own_submitted=factories.make_submission(own, stage=first),
        own_draft=factories.make_submission(own, stage=second, state="draft"),
        other_submitted=factories.make_submission(other, stage=second),
        early_submitted=factories.make_submission(early, stage=first),
    )
    world.rows["answered"] = Clarification(challenge_id=challenge.id, asked_by_id=member.id, question="q", answer="a",
                                           answered_by_id=users["officer"].id, answered_at=now)
    world.rows["unanswered"] = Clarification(challenge_id=challenge.id, asked_by_id=users["juror"].id, question="q")
    world.rows["invitation"] = TeamInvitation(team=own, email="invitee@example.eu", invited_by_id=member.id,
                                              expires_at=now + timedelta(days=7))
    db.session.add_all([world.rows["answered"], world.rows["unanswered"], world.rows["invitation"]])
    for followed in (world.challenges["published"], challenge):
        follow(member, followed)


def _unpublished_challenges(world):
    """"draft": sent back by the reviewer (their comment comes later), a body invited to co-host it;
    "review": waiting in the administrators' queue."""
    from govchallenge.challenges.models import INVITED, ChallengeHost

    host = world.organisations["host"]
    draft = factories.make_challenge(host=host, status="in_review", opens_in_days=10, closes_in_days=40)
    world.rows["invited_host"] = ChallengeHost(organisation=world.organisations["invited"], state=INVITED,
                                               invited_by_id=world.users["officer"].id)
    draft.hosts.append(world.rows["invited_host"])
    review = factories.make_challenge(host=host, status="in_review", opens_in_days=10, closes_in_days=40)
    world.challenges.update(draft=draft, review=review)


def _jury_at_work(world):
    """In "jury": a conflict the juror declared, one the chair added, a recusal, an exclusion, an override, an
    invitation not answered yet. In "published": an accepted juror whose account is gone (the announcement
    writes to the address). A partner endpoint of the host."""
    from govchallenge.jury.models import ACCEPTED, ConflictDeclaration, Juror, ScoreOverride
    from govchallenge.results.models import WebhookEndpoint

    users, jury, now = world.users, world.rows["jury"], utcnow()
    _chair_row, juror_row, third_row = jury.juror_rows
    world.rows["declared"] = ConflictDeclaration(juror_id=juror_row.id, person="Zed Person", kind="personal",
                                                 note="n", source="declared", created_by_id=users["juror"].id)
    world.rows["chair_conflict"] = ConflictDeclaration(
        juror_id=third_row.id, organisation_id=world.organisations["startup"].id, kind="financial", note="n",
        source="chair", created_by_id=users["chair"].id)
    recused = world.rows["recused"] = next(a for a in jury.round.assignments if a.juror_id == third_row.id)
    recused.state, recused.recused_at, recused.recusal_reason = "recused", now, "r"
    if recused.review is not None:  # submitted before a conflict declared: kept, not counted
        recused.review.excluded_at, recused.review.exclusion_reason = now, "conflict:personal"
    excluded = world.rows["excluded"] = jury.round.entries[2]
    excluded.excluded_at, excluded.exclusion_reason, excluded.exclusion_kind = now, "x", "reviews_late"
    review = next(r for r in jury.reviews if r.assignment.juror_id == juror_row.id)
    world.rows["invited_juror"] = Juror(challenge_id=jury.challenge.id, email="invited@example.eu", name="i",
                                        state="invited", invited_by_id=users["officer"].id)
    world.rows["endpoint"] = WebhookEndpoint(organisation_id=world.organisations["host"].id,
                                             url="https://partner.example.eu/", created_by_id=users["officer"].id)
    db.session.add_all([
        world.rows["declared"], world.rows["chair_conflict"], world.rows["invited_juror"], world.rows["endpoint"],
        ScoreOverride(review_id=review.id, criterion_id=jury.challenge.criteria[0].id, old_value=5, new_value=6,
                      justification="j", by_id=users["chair"].id),
        Juror(challenge_id=world.challenges["published"].id, email="gone@example.eu", name="g", state=ACCEPTED,
              accepted_at=now, confidentiality_agreed_at=now),
    ])


def _copies_of_user_text(world):
    """The operations that copy user text elsewhere, run on hostile text: the reviewer's comment, attachments,
    a late-entry grant, the blind ranking proposed, the other published (its announcement fanned out: the feed
    sent, every other delivery failed), a contest with an award, an export of stage 1."""
    from govchallenge.challenges.operations import add_attachment, refresh_search_text, request_changes
    from govchallenge.results import operations as results
    from govchallenge.results.announcements import fan_out
    from govchallenge.results.models import FAILED, FEED, SENT
    from govchallenge.submissions import exports
    from govchallenge.submissions.operations import grant_late_entry, screen_working_copy

    users, challenges, now = world.users, world.challenges, utcnow()
    for challenge in challenges.values():
        refresh_search_text(challenge)
    request_changes(users["admin"], challenges["draft"], hostile("mk-review-comment-mk"))
    for challenge in (challenges["open"], challenges["draft"]):
        add_attachment(users["officer"], challenge, hostile(f"mk-attachment-{challenge.slug}-mk"), "Προκήρυξη.pdf",
                       factories.ENTRY_FILE)
    # A draft naming its (hostile) team: its screening holds the team's name and the file's name.
    draft = world.entries["own_draft"]
    draft.description = f"{draft.description}\n\n{draft.team.name}"
    screen_working_copy(draft)
    first_stage = challenges["open"].stages[0]
    grant_late_entry(users["officer"], world.teams["early"], first_stage, hostile("mk-grant-mk"), 48)
    blind = world.rows["judged"]
    world.rows["proposal"] = results.propose(
        blind.challenge, users["chair"],
        chair_decisions=[{"order": [s.public_id for s in blind.submissions[:2]], "reason": "d"}])
    publication = world.rows["publication"] = results.propose(challenges["published"], users["chair"])
    results.confirm(publication, users["officer"])
    results.confirm(publication, users["cohost"])
    fan_out(publication.announcement)
    db.session.flush()
    for delivery in publication.announcement.deliveries:
        if delivery.channel == FEED:
            delivery.state, delivery.sent_at = SENT, now
        else:
            delivery.state, delivery.attempts, delivery.last_error = FAILED, delivery.max_attempts, "e"
    contest = world.rows["contest"] = results.create_contest(
        "world-contest", {"en": "c"}, [challenges["published"], challenges["open"]], users["admin"], {"en": "d"})
    results.give_contest_award(contest, world.rows["published"].submissions[0], {"en": "a"}, users["admin"],
                               domain="mobility", place=1, reason="r")
    _reuse(world)
    _peoples_choice(world)
    export = world.rows["export"] = exports.request_export(users["officer"], first_stage)
    db.session.commit()
    _run_export(export.id)
    _fail_waiting_jobs()


def _reuse(world):
    """The reuse catalogue: the published challenge's winner (the member's team) listed with a publiccode.yml,
    a body using it, one wanting it and a record withdrawn; the published challenge run again by the invited body."""
    from govchallenge.reuse import copying
    from govchallenge.reuse import operations as reuse

    users, organisations = world.users, world.organisations
    winner = world.rows["published"].submissions[0]
    winner.licence, winner.repository_url = "EUPL-1.2 OR MIT", "https://git.example.eu/world"
    winner.publiccode = ("publiccodeYmlVersion: '0.4'\nname: World\nurl: https://git.example.eu/world\nlegal: {license: MIT}\n"
                         "maintenance: {type: community}\nlocalisation: {availableLanguages: [en, el]}\n"
                         "description: {en: {shortDescription: s}, el: {shortDescription: σ}}\n")
    reuse.decide(users["member"], winner, True, "beta", "c", "contact@example.eu")
    listing = world.rows["listing"] = reuse.approve(users["officer"], winner)
    invited_officer = organisations["invited"].memberships[0].user
    world.rows["adoption"] = reuse.record_adoption(invited_officer, listing, organisations["invited"], "use", "n")
    reuse.record_adoption(users["cohost"], listing, organisations["cohost"], "want", "n")
    withdrawn = reuse.record_adoption(invited_officer, listing, organisations["invited"], "want", "n")
    reuse.withdraw_adoption(invited_officer, withdrawn)
    world.rows["copy"] = copying.run_again(invited_officer, world.challenges["published"], organisations["invited"],
                                           utcnow() + timedelta(days=30), "PLN")
    _hosts_contest(world)


def _hosts_contest(world):
    """A second copy of the published challenge, reviewed and public, by a body of its own; the published
    challenge's host joins them into a contest (the copy is invited, not yet answered) and gives its shared award."""
    from govchallenge.reuse import contests, copying

    reuser_officer = factories.make_user(country="PT")
    reuser = factories.make_public_body(country="PT", officer=reuser_officer)
    published = world.challenges["published"]
    public_copy = world.rows["public_copy"] = copying.run_again(reuser_officer, published, reuser,
                                                                utcnow() + timedelta(days=40), "EUR")
    public_copy.status = "approved"
    db.session.flush()
    contest = world.rows["hosts_contest"] = contests.propose(
        world.users["officer"], published, world.organisations["host"], "en", "n", "a", [public_copy])
    world.rows["contest_invitation"] = contests.pending_invitations(public_copy)[0]
    contests.give_shared_award(world.users["officer"], contest, world.rows["published"].submissions[0], "r")


def _peoples_choice(world):
    """People's Choice: in "published", an award closed and published, a burst of new accounts on one address
    flagged and discounted with a (hostile) reason, the first entry showing a released image; in "jury", an award
    open now, the ordinary juror's vote in it; the member's entry in "open" releases its title."""
    from govchallenge.jury.queries import entry_content
    from govchallenge.peoples_choice import operations as pchoice
    from tests.support.pchoice_factories import IMAGE, add_image

    users, now = world.users, utcnow()
    published = world.rows["published"].submissions
    image = add_image(published[0], IMAGE, "prototype.jpg")
    for entry in published:
        pchoice.release(entry.team.members[0].user, entry, entry_content(entry), True, True, [image] if entry is published[0] else [])
    pchoice.release(users["member"], world.entries["own_submitted"], entry_content(world.entries["own_submitted"]),
                    True, False, [])
    award = world.rows["pchoice"] = pchoice.open_award(users["officer"], world.challenges["published"],
                                                      [e.id for e in published], now - timedelta(hours=2),
                                                      now + timedelta(hours=1), now=now - timedelta(hours=3))
    burst = []
    for index in range(pchoice.burst_rule().address_votes):
        user = factories.make_user()
        burst.append(pchoice.cast_vote(user, award, published[index % 2].public_id, 0, "192.0.2.66",
                                       now=now - timedelta(minutes=30)))
    pchoice.cast_vote(users["juror"], award, published[2].public_id, 0, "192.0.2.7", now=now - timedelta(minutes=20))
    pchoice.discount(users["officer"], award, [v.id for v in burst], hostile("mk-discount-reason-mk"))
    award.closes_at = now - timedelta(minutes=1)
    pchoice.publish(users["officer"], award)
    jury = world.rows["jury"].submissions
    open_award = world.rows["pchoice_open"] = pchoice.open_award(
        users["officer"], world.challenges["jury"], [e.id for e in jury], now - timedelta(hours=2),
        now + timedelta(days=2), now=now - timedelta(hours=3))
    pchoice.cast_vote(users["juror"], open_award, jury[0].public_id, 0, "192.0.2.7")


def _run_export(job_id):
    from govchallenge.jobs.runner import execute

    assert execute(job_id) == "done", "the world's export job failed"


def _fail_waiting_jobs():
    """The jobs the world's operations queued (e-mails, the announcement) are not run by the pages: they end
    failed, as after a worker's repeated errors, so the administrators' list shows them."""
    from govchallenge.jobs.models import DONE, FAILED, OutboxJob

    for job in db.session.execute(sa.select(OutboxJob).where(OutboxJob.state != DONE)).scalars():
        job.state, job.attempts, job.finished_at, job.last_error = FAILED, job.max_attempts, utcnow(), "e"


def _tokens(world):
    from govchallenge.accounts.tokens import RESET, VERIFY
    from govchallenge.accounts.tokens import make_token as account_token
    from govchallenge.jury.tokens import make_token as jury_token
    from govchallenge.teams.tokens import make_token as team_token

    return {
        "verify": account_token(world.rows["unverified"], VERIFY),
        "reset": account_token(world.users["member"], RESET),
        "jury": jury_token(world.rows["invited_juror"]),
        "team": team_token(world.rows["invitation"]),
    }


# --- the routes, with their arguments taken from the world ----------------------------------------------------

def _slugs(w):
    return [c.slug for c in w.challenges.values()]


def _assignments(w):
    """The ordinary juror's in each judged challenge, the chair's, and one stepped back from."""
    juror, chair = w.users["juror"].id, w.users["chair"].id
    picked = []
    for key in ("published", "judged", "jury"):
        for a in w.rows[key].round.assignments:
            if a.juror.user_id == juror:
                picked.append(a.public_id)
                break
    picked.append(next(a.public_id for a in w.rows["jury"].round.assignments if a.juror.user_id == chair))
    return picked + [w.rows["recused"].public_id]


def _entries(w):
    e = w.entries
    return [e["own_draft"].public_id, e["own_submitted"].public_id, e["other_submitted"].public_id,
            e["early_submitted"].public_id, w.rows["published"].submissions[0].public_id,
            w.rows["judged"].submissions[1].public_id]


def _teams(w):
    return [w.teams["own"].public_id, w.teams["other"].public_id, w.rows["judged"].teams[1].public_id]


def _team_members(w):
    return [w.teams["own"].members[0].id, w.teams["early"].members[1].id]


def _memberships(w):
    from govchallenge.organisations.models import Membership

    return db.session.execute(sa.select(Membership.id).where(Membership.organisation_id == w.organisations["host"].id)
                              .order_by(Membership.id)).scalars().all()


def _same(values, argument, *endpoints):
    return {(endpoint, argument): values for endpoint in endpoints}


CHALLENGE_ROUTES = (
    "api.challenge", "results.api_results", "challenges.show", "challenges.approve", "challenges.archive",
    "challenges.edit_stage", "challenges.edit_criterion", "challenges.edit_prize",
    "challenges.attachments", "challenges.attachment", "challenges.remove_attachment", "challenges.criteria",
    "challenges.remove_criterion", "challenges.edit", "challenges.follow", "challenges.history", "challenges.hosts",
    "challenges.accept_invitation", "challenges.decline_invitation", "challenges.remove_host", "challenges.prizes",
    "challenges.remove_prize", "challenges.ask", "challenges.answer", "challenges.request_changes",
    "challenges.stages", "challenges.remove_stage", "challenges.start_evaluation", "challenges.submit",
    "challenges.translations", "challenges.remove_translation", "challenges.unfollow", "challenges.withdraw",
    "results.show", "results.export_csv", "results.export_json", "results.announcement", "results.retry",
    "results.confirm", "results.propose", "results.webhooks", "results.deactivate_webhook", "submissions.hosts",
    "submissions.grant_late_entry", "jury.override", "jury.reassign", "jury.conflicts", "jury.dashboard",
    "jury.declare", "jury.members", "jury.name_chair", "jury.mine", "jury.open_round", "jury.assign",
    "jury.assignment_status", "jury.close",
    "jury.closing", "jury.exclude", "jury.manual", "jury.remind", "jury.shortlist", "teams.create",
    *("jury.pairwise", "jury.pairwise_next", "jury.pairwise_vote", "jury.ballot", "jury.finals_chair", "jury.round_kind",
      "jury.close_final"),
)
ORGANISATION_ROUTES = ("organisations.show", "organisations.edit", "organisations.join", "organisations.approve",
                       "organisations.remove", "organisations.change_role", "organisations.verify")
ENTRY_ROUTES = ("submissions.show", "submissions.edit", "submissions.receipt", "submissions.download",
                "submissions.version_file", "submissions.delete_file", "submissions.withdraw", "submissions.check")
ASSIGNMENT_ROUTES = ("jury.override", "jury.reassign", "jury.review", "jury.review_file", "jury.recuse")
TEAM_ROUTES = ("teams.show", "teams.invite", "teams.rename", "teams.revoke", "teams.hand_over", "teams.remove")

# (endpoint, argument) -> the world's values for it. A route whose argument is missing here fails the crawls.
def _mail_names():
    """The e-mails the world's operations wrote (the embedded default's mailbox), and a name that is none."""
    from flask import current_app

    from govchallenge.admin.mailbox import messages

    return [m.name for m in messages(current_app.config["MAIL_FILE_DIR"])][:5] + ["no-such-mail.eml"]


ROUTE_ARGUMENTS = {
    **_same(_slugs, "slug", *CHALLENGE_ROUTES),
    **_same(lambda w: [o.slug for o in w.organisations.values()], "slug", *ORGANISATION_ROUTES),
    **_same(_entries, "public_id", *ENTRY_ROUTES),
    **_same(_assignments, "public_id", *ASSIGNMENT_ROUTES),
    **_same(_teams, "public_id", *TEAM_ROUTES),
    ("challenges.attachment", "attachment_id"): lambda w: [a.id for c in ("open", "draft") for a in w.challenges[c].attachments],
    ("challenges.remove_attachment", "part_id"): lambda w: [a.id for c in ("open", "draft") for a in w.challenges[c].attachments],
    ("challenges.remove_criterion", "part_id"): lambda w: [w.challenges[c].criteria[0].id for c in ("open", "draft")],
    ("challenges.edit_criterion", "part_id"): lambda w: [w.challenges[c].criteria[0].id for c in ("open", "draft")],
    ("challenges.edit_prize", "part_id"): lambda w: [w.challenges["published"].prizes[0].id],
    ("challenges.edit_stage", "part_id"): lambda w: [w.challenges["open"].stages[1].id, w.challenges["draft"].stages[0].id],
    **_same(lambda w: [w.rows["invited_host"].id, w.challenges["open"].hosts[1].id], "host_id",
            "challenges.accept_invitation", "challenges.decline_invitation", "challenges.remove_host"),
    ("challenges.remove_prize", "part_id"): lambda w: [w.challenges["published"].prizes[0].id],
    ("challenges.answer", "clarification_id"): lambda w: [w.rows["unanswered"].id, w.rows["answered"].id],
    ("challenges.remove_stage", "part_id"): lambda w: [w.challenges["open"].stages[1].id, w.challenges["draft"].stages[0].id],
    ("challenges.remove_translation", "language"): lambda w: ["el"],
    ("results.deactivate_webhook", "endpoint_id"): lambda w: [w.rows["endpoint"].id],
    ("results.contest", "slug"): lambda w: [w.rows["contest"].slug, w.rows["hosts_contest"].slug],
    ("reuse.propose_contest", "slug"): lambda w: [w.challenges["published"].slug, w.rows["public_copy"].slug, w.rows["copy"].slug],
    **_same(lambda w: [w.rows["hosts_contest"].slug, w.rows["contest"].slug], "contest_slug",
            "reuse.join_contest", "reuse.decline_contest", "reuse.shared_award"),
    **_same(lambda w: [w.rows["contest_invitation"].id], "invitation_id", "reuse.join_contest", "reuse.decline_contest"),
    **_same(lambda w: [f.public_id for e in ("own_draft", "other_submitted") for f in w.entries[e].files], "file_id",
            "submissions.download", "submissions.delete_file"),
    **_same(lambda w: [1], "number", "submissions.receipt", "submissions.version_file"),
    **_same(lambda w: [0], "index", "submissions.version_file", "jury.review_file"),
    **_same(lambda w: [w.rows["export"].id], "job_id", "submissions.export", "submissions.export_file"),
    ("submissions.export_file", "kind"): lambda w: ["csv", "zip"],
    ("submissions.start_export", "stage_id"): lambda w: [s.id for s in w.challenges["open"].stages],
    ("submissions.start", "team_id"): lambda w: [w.teams["own"].public_id, w.teams["other"].public_id],
    ("submissions.start", "stage_id"): lambda w: [s.id for s in w.challenges["open"].stages],
    ("jury.name_chair", "juror_id"): lambda w: [w.rows["jury"].juror_rows[1].id, w.rows["invited_juror"].id],
    **_same(lambda w: [1], "number", "jury.assign", "jury.assignment_status", "jury.close", "jury.closing", "jury.exclude",
            "jury.manual", "jury.remind", "jury.shortlist", "jury.pairwise", "jury.pairwise_next", "jury.pairwise_vote",
            "jury.ballot", "jury.finals_chair", "jury.round_kind", "jury.close_final"),
    ("jury.exclude", "entry_id"): lambda w: [w.rows["jury"].round.entries[0].id, w.rows["judged"].round.entries[0].id],
    ("jury.invitation", "token"): lambda w: [w.tokens["jury"]],
    **_same(lambda w: [w.tokens["team"]], "token", "teams.invitation", "teams.accept", "teams.decline"),
    ("teams.revoke", "invitation_id"): lambda w: [w.rows["invitation"].id],
    **_same(_team_members, "member_id", "teams.hand_over", "teams.remove"),
    **_same(_memberships, "membership_id", "organisations.approve", "organisations.remove", "organisations.change_role"),
    ("accounts.verify", "token"): lambda w: [w.tokens["verify"]],
    ("admin.mail_message", "name"): lambda w: _mail_names(),
    ("accounts.reset_password", "token"): lambda w: [w.tokens["reset"]],
    **_same(lambda w: [w.rows["listing"].slug], "slug", "reuse.show", "reuse.publiccode_yml", "reuse.adopt",
            "reuse.withdraw_adoption", "api.solution"),
    ("reuse.withdraw_adoption", "adoption_id"): lambda w: [w.rows["adoption"].id],
    ("reuse.dataset", "fmt"): lambda w: ["json", "csv"],
    ("reuse.decide", "public_id"): lambda w: [w.rows["published"].submissions[0].public_id, w.entries["own_submitted"].public_id],
    **_same(lambda w: [w.challenges["published"].slug, w.challenges["open"].slug, w.rows["copy"].slug], "slug",
            "reuse.host_listings", "reuse.approve", "reuse.unlist", "reuse.run_again"),
    **_same(lambda w: [s.public_id for s in w.rows["published"].submissions[:2]], "public_id", "reuse.approve", "reuse.unlist"),
    ("privacy.admin_erase", "user_id"): lambda w: [w.users["member"].id],
    ("privacy.download", "token"): lambda w: ["not-a-token"],
    ("identity.start", "key"): lambda w: ["@instance"] + [o.slug for o in w.organisations.values()],
    **_same(lambda w: [o.slug for o in w.organisations.values()], "slug",
            "identity.provider_edit", "identity.provider_remove"),
    ("admin.legal_text", "page"): lambda w: ["accessibility", "privacy", "cookies", "contact", "terms"],
    **_same(_slugs, "slug", "peoples_choice.award", "peoples_choice.vote", "peoples_choice.entry", "peoples_choice.image",
            "peoples_choice.export_json", "peoples_choice.manage", "peoples_choice.discount", "peoples_choice.publish"),
    **_same(lambda w: [w.rows["published"].submissions[0].public_id, w.rows["jury"].submissions[1].public_id,
                       w.entries["own_submitted"].public_id], "public_id", "peoples_choice.entry", "peoples_choice.image"),
    ("peoples_choice.image", "index"): lambda w: [0],
    ("peoples_choice.release", "public_id"): _entries,
}


class UnfilledRoute(LookupError):
    """A route argument the table cannot fill: the message says which entry to add."""


def routes(app, method):
    """Every rule of the URL map answering `method`, static files aside, in a stable order."""
    return sorted((r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint != "static"),
                  key=lambda r: r.rule)


def paths(app, rule, world, neighbours=False):
    """Every path of `rule` with its arguments from ROUTE_ARGUMENTS (all combinations). With `neighbours`, a
    numeric argument also takes its first value + 1: another row of the same kind, or none."""
    import itertools

    missing = [name for name in sorted(rule.arguments) if (rule.endpoint, name) not in ROUTE_ARGUMENTS]
    if missing:
        raise UnfilledRoute(f"{rule.rule}: add " + ", ".join(f"({rule.endpoint!r}, {name!r})" for name in missing)
                            + " to ROUTE_ARGUMENTS in tests/support/world.py")
    names = sorted(rule.arguments)
    choices = []
    for name in names:
        values = list(dict.fromkeys(ROUTE_ARGUMENTS[(rule.endpoint, name)](world)))
        if neighbours and isinstance(values[0], int) and values[0] + 1 not in values:
            values.append(values[0] + 1)
        choices.append(values)
    adapter = app.url_map.bind("localhost")
    for combination in itertools.product(*choices):
        yield adapter.build(rule.endpoint, dict(zip(names, combination)), method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
