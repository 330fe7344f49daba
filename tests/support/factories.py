"""Factories for the main objects. They flush, never commit: the test decides when."""
import itertools

from werkzeug.security import generate_password_hash

from govchallenge.accounts.models import User
from govchallenge.core.timeutil import utcnow
from govchallenge.extensions import db
from govchallenge.organisations.models import ACTIVE, MEMBER, OFFICER, Membership, Organisation

PASSWORD = "Correct-horse-battery-9"
# Hashing at full strength for every user would dominate the suite's time.
_FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_counter = itertools.count(1)


def make_user(email=None, name=None, country="PL", language="en", timezone="Europe/Warsaw", verified=True, admin=False):
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example{n % 7}.eu",
        name=name or f"Test User {n}",
        country=country,
        language=language,
        timezone=timezone,
        password_hash=_FAST_HASH,
        is_admin=admin,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_organisation(name=None, kind="startup", country="PL", verified=False, officer=None, members=()):
    n = next(_counter)
    organisation = Organisation(
        slug=f"org-{n}", name=name or f"Organisation {n}", kind=kind, country=country,
        verified_at=utcnow() if verified else None,
    )
    db.session.add(organisation)
    if officer is not None:
        db.session.add(Membership(organisation=organisation, user=officer, role=OFFICER, state=ACTIVE))
    for member in members:
        db.session.add(Membership(organisation=organisation, user=member, role=MEMBER, state=ACTIVE))
    db.session.flush()
    return organisation


def make_public_body(country="PL", verified=True, officer=None, name=None):
    return make_organisation(name=name, kind="public_body", country=country, verified=verified, officer=officer)
