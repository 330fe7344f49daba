"""Erasure of an account (GDPR art. 17): anonymised, not deleted, where the competition record must remain.

What stays: the account row itself, renamed to its stable pseudonym (pseudonyms.py), so that a submitted entry
stays with its team, a review with its assignment, a question with its challenge, and every foreign key holds.
What goes: the name, the address, the password, every session and remember-me cookie, identity-provider links,
organisation memberships, follows, invitations addressed to the person, their exports and the mail files that
name them, and the personal part of every audit event about them (core/audit: the events and the chain stay,
their MACs cover only a salted digest of that part).

Where other rows copied the name or address as text (a juror's invitation, a conflict naming a person, a
delivery's recipient key, a screening's findings, a failed job's error), every text column is searched for
them and the copies are replaced by the pseudonym. A published results document is the exception that must
keep verifying: its copy is replaced, its digest recomputed, and the change recorded in the audit trail as a
redaction (old digest -> new digest), which `results verify` follows. Entries and their versions are left as
their team wrote them: the receipts (SHA-256) seal the versions, and an entry's text must stay equal to its
last version's, or it would show changes nobody made.
"""
import json
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from govchallenge.challenges import models as cm
from govchallenge.core import audit
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.identity.models import IdentityLink
from govchallenge.jury import models as jm
from govchallenge.organisations.models import ACTIVE, OFFICER, Membership, Organisation
from govchallenge.results import digests
from govchallenge.results.models import Publication
from govchallenge.teams.models import TeamInvitation

from . import files
from .models import DataExport
from .pseudonyms import pseudonym_email, pseudonym_name

# A challenge that is live or being prepared for publication: neither a draft nor finished.
OPEN_CHALLENGE_STATUSES = (cm.IN_REVIEW, cm.CHANGES_REQUESTED, cm.APPROVED, cm.IN_EVALUATION)
# Tables whose copies are handled by their own rule, or never copy text (see the module's docstring).
SKIPPED_TABLES = {"user_account", "audit_event", "audit_seal", "audit_personal", "publication",
                  "submission", "submission_version", "data_export"}
# A name shorter than this is not searched for in other rows' text: "Al" would change every "Also".
MIN_NAME_LENGTH = 5
REDACTED_ACTION = "results.redacted"


class ErasureRefused(Exception):
    def __init__(self, reasons):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def erasure_blockers(user):
    """Why the account cannot be erased now (translated sentences), or []: erasing it would leave a public
    body's open challenge without an officer, or an open round without one of its jurors."""
    reasons = []
    for organisation, challenge in _sole_officer_of_open_challenges(user):
        reasons.append(_("You are the last officer of %(organisation)s, which hosts the challenge %(challenge)s "
                         "that is not finished: make another member an officer first.",
                         organisation=organisation.name, challenge=challenge.slug))
    for challenge in _open_rounds_as_juror(user):
        reasons.append(_("You are a juror of the challenge %(challenge)s, whose jury round is still open: wait "
                         "until the round closes, or ask the chair to release you.", challenge=challenge.slug))
    return reasons


def _sole_officer_of_open_challenges(user):
    officer_of = sa.select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == OFFICER, Membership.state == ACTIVE)
    others = (sa.select(Membership.id).where(
        Membership.organisation_id == Organisation.id, Membership.role == OFFICER, Membership.state == ACTIVE,
        Membership.user_id != user.id).exists())
    return db.session.execute(
        sa.select(Organisation, cm.Challenge)
        .join(cm.ChallengeHost, cm.ChallengeHost.organisation_id == Organisation.id)
        .join(cm.Challenge, cm.Challenge.id == cm.ChallengeHost.challenge_id)
        .where(Organisation.id.in_(officer_of), ~others, cm.ChallengeHost.state == cm.ACCEPTED,
               cm.Challenge.status.in_(OPEN_CHALLENGE_STATUSES))
        .order_by(Organisation.id, cm.Challenge.id)
    ).all()


def _open_rounds_as_juror(user):
    open_round = sa.select(jm.Round.id).where(jm.Round.challenge_id == cm.Challenge.id, jm.Round.state == jm.OPEN).exists()
    serving = sa.select(jm.Juror.challenge_id).where(jm.Juror.user_id == user.id, jm.Juror.state == jm.ACCEPTED)
    return db.session.execute(
        sa.select(cm.Challenge).where(cm.Challenge.id.in_(serving), open_round).order_by(cm.Challenge.id)
    ).scalars().all()


def erase_account(user, actor, reason=""):
    """Erases `user` (by themself, or by a platform admin with `reason`); flushes, never commits. Refused
    (ErasureRefused, nothing changed) while erasure_blockers(user) names a reason."""
    if user.erased_at is not None:
        raise ErasureRefused([_("This account has already been erased.")])
    blockers = erasure_blockers(user)
    if blockers:
        raise ErasureRefused(blockers)
    old_email, old_name, by_admin = user.email, user.name, actor is not user
    recorder = actor if by_admin else None
    replacements = _replacements(user, old_email, old_name)
    removed_files = files.delete_mail_files_naming(old_email) + files.delete_exports_of(user.id)
    _delete_personal_rows(user, old_email)
    _replace_copies(replacements)
    _redact_publications(replacements, recorder)
    _anonymise(user)
    audit.record("account.erased", user, actor=recorder, by_admin=by_admin,
                 reason=reason if by_admin else "", files_removed=removed_files)
    db.session.flush()
    # Every event's personal part about them, the erasure's own included (it held their IP address).
    audit.erase_personal_data(user.id, old_email)
    return user


def _replacements(user, old_email, old_name):
    """(pattern, replacement) pairs, the address first: a name may be part of an address."""
    pairs = [(re.compile(re.escape(old_email), re.IGNORECASE), pseudonym_email(user.id))]
    if len(old_name.strip()) >= MIN_NAME_LENGTH:
        pairs.append((re.compile(re.escape(old_name.strip()), re.IGNORECASE), pseudonym_name(user.id)))
    return pairs


def _delete_personal_rows(user, old_email):
    for model, condition in (
        (IdentityLink, IdentityLink.user_id == user.id),
        (Membership, Membership.user_id == user.id),
        (cm.Follow, cm.Follow.user_id == user.id),
        (TeamInvitation, sa.func.lower(TeamInvitation.email) == old_email.lower()),
        (DataExport, DataExport.user_id == user.id),
    ):
        db.session.execute(sa.delete(model).where(condition).execution_options(synchronize_session="fetch"))


def _anonymise(user):
    user.name = pseudonym_name(user.id)
    user.email = pseudonym_email(user.id)
    user.password_hash = generate_password_hash(f"erased:{user.id}:{utcnow().isoformat()}:{id(user)}")
    user.email_verified_at = None
    user.is_admin = False
    user.language, user.timezone = "en", "UTC"
    user.erased_at = utcnow()
    user.end_sessions()


# --- copies of the name and address in other rows --------------------------------------------------------

def _replace(value, replacements):
    """`value` (text, or JSON of lists and dicts) with every pattern replaced, keys included."""
    if isinstance(value, str):
        for pattern, replacement in replacements:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_replace(item, replacements) for item in value]
    if isinstance(value, dict):
        return {_replace(k, replacements): _replace(v, replacements) for k, v in value.items()}
    return value


def _searched_forms(pattern):
    """What a LIKE must look for: the text itself, and its form inside stored JSON (non-ASCII escaped)."""
    text = _plain(pattern)
    escaped = json.dumps(text)[1:-1]
    return {text.lower(), escaped.lower()}


def _plain(pattern):
    return re.sub(r"\\(.)", r"\1", pattern.pattern)


def text_columns(table):
    return [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]


def _rows_holding(table, column, replacements):
    holder = sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON) else column
    conditions = [sa.func.lower(holder).contains(form, autoescape=True)
                  for pattern, _ in replacements for form in _searched_forms(pattern)]
    keys = list(table.primary_key.columns)
    return db.session.execute(sa.select(*keys, column).where(sa.or_(*conditions))).all()


def _replace_copies(replacements):
    db.session.flush()
    for table in db.metadata.sorted_tables:
        if table.name in SKIPPED_TABLES:
            continue
        keys = list(table.primary_key.columns)
        for column in text_columns(table):
            for row in _rows_holding(table, column, replacements):
                value = row[-1]
                new = _replace(value, replacements)
                if new != value:
                    where = sa.and_(*(key == row[i] for i, key in enumerate(keys)))
                    db.session.execute(sa.update(table).where(where).values({column.name: new}))
    db.session.expire_all()


def _redact_publications(replacements, actor):
    """A stored results document that names the person: the copy replaced, the digest recomputed, the change
    recorded (results verify follows the recorded redactions)."""
    forms = [form for pattern, _ in replacements for form in _searched_forms(pattern)]
    holders = sa.or_(*(sa.func.lower(sa.cast(column, sa.Text)).contains(form, autoescape=True)
                       for column in (Publication.full, Publication.document) for form in forms))
    for publication in db.session.execute(sa.select(Publication).where(holders)).scalars():
        previous = publication.digest
        publication.full = _replace(publication.full, replacements)
        document = _replace(publication.document, replacements)
        if document != publication.document:
            publication.document = document
            if publication.digest_scheme and previous:
                publication.digest = digests.digest(document, publication.digest_scheme)
        db.session.flush()
        if publication.digest != previous:
            audit.record(REDACTED_ACTION, publication, actor=actor, previous=previous, digest=publication.digest,
                         digest_scheme=publication.digest_scheme, reason="erasure of a juror's account")
