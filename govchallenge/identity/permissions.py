"""Who may do what with identity providers, and who must come in through one."""
import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.organisations.models import ACTIVE, OFFICER, Membership, Organisation

from .models import IdentityProvider


def required_providers(user):
    """The bodies whose provider this account must sign in through: those it is an active officer of, that
    require it. A body's provider enforces its own second factor and its offboarding, so an officer who leaves
    the body can no longer act for it, whatever password they once set here."""
    return db.session.execute(
        sa.select(Organisation)
        .join(IdentityProvider, IdentityProvider.organisation_id == Organisation.id)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(IdentityProvider.required_for_officers.is_(True), Membership.user_id == user.id,
               Membership.role == OFFICER, Membership.state == ACTIVE)
        .order_by(Organisation.name)
    ).scalars().all()


def may_sign_in_through(user, provider):
    required = required_providers(user)
    return not required or provider.organisation_id in {organisation.id for organisation in required}


def password_signin_refusal(user):
    """The words that refuse a right password to an officer who must use their body's provider, or None."""
    from .messages import SIGN_IN
    from .oidc import SignInRefused

    required = required_providers(user)
    if not required:
        return None
    return SIGN_IN.text(SignInRefused("officer_provider", organisation=required[0].name))
