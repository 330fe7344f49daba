"""The words and statuses of identity refusals."""
from govchallenge.core.actions import Messages
from govchallenge.core.i18n import lazy_text as _l
from flask_babel import gettext as _

START_AGAIN = _l("Start the sign-in again, or sign in with your password.")

SIGN_IN = Messages(
    {
        "state": lambda d: _("This sign-in answer does not belong to a sign-in started in this browser, or it was "
                             "already used. Nothing was changed.") + " " + str(START_AGAIN),
        "unreachable": lambda d: _("%(provider)s cannot be reached right now. Try again later, or sign in with your "
                                   "password.", provider=d["provider"]),
        "misconfigured": lambda d: _("%(provider)s is not set up correctly for this platform. Please tell the "
                                     "platform's administrators; meanwhile sign in with your password.", provider=d["provider"]),
        "cancelled": lambda d: _("The sign-in was cancelled at %(provider)s.", provider=d["provider"]),
        "provider_error": lambda d: _("%(provider)s could not sign you in.", provider=d["provider"]) + " " + str(START_AGAIN),
        "code_refused": lambda d: _("%(provider)s refused to confirm this sign-in (the answer was already used or "
                                    "was not meant for this browser).", provider=d["provider"]) + " " + str(START_AGAIN),
        "issuer": lambda d: _("The identity token did not come from %(provider)s. Nobody was signed in.", provider=d["provider"]),
        "audience": lambda d: _("The identity token from %(provider)s was meant for another service. Nobody was "
                                "signed in.", provider=d["provider"]),
        "nonce": lambda d: _("The identity token from %(provider)s does not answer this sign-in. Nobody was signed "
                             "in.", provider=d["provider"]) + " " + str(START_AGAIN),
        "token_expired": lambda d: _("The identity token from %(provider)s has expired.", provider=d["provider"])
        + " " + str(START_AGAIN),
        "token_invalid": lambda d: _("The identity token from %(provider)s could not be verified. Nobody was signed "
                                     "in.", provider=d["provider"]),
        "email_unverified": lambda d: _("%(provider)s did not confirm your e-mail address, so it cannot sign you in "
                                        "here. Sign in with your password, or ask the provider's administrators to "
                                        "confirm your address.", provider=d["provider"]),
        "email_domain": lambda d: _("%(provider)s may sign in only addresses of its own organisation. Sign in with "
                                    "your password.", provider=d["provider"]),
        "account_unverified": lambda d: _("An account with your e-mail address exists, but its address was never "
                                          "confirmed, so it is not joined to your %(provider)s identity. Confirm it "
                                          "with the link we mailed, or reset its password, then try again.",
                                          provider=d["provider"]),
        "already_linked": lambda d: _("Your account is already joined to another identity at %(provider)s. Sign in "
                                      "with that one, or with your password.", provider=d["provider"]),
        "registration_closed": lambda d: _("There is no account for your e-mail address, and accounts cannot be "
                                           "created through %(provider)s here. Create one with the registration form.",
                                           provider=d["provider"]),
        "officer_provider": lambda d: _("As an officer of %(organisation)s you sign in through its identity "
                                        "provider.", organisation=d["organisation"]),
        "expired": lambda d: _("The account creation took too long.") + " " + str(START_AGAIN),
    },
    default=lambda: _("The sign-in could not be completed.") + " " + str(START_AGAIN),
    statuses={
        "unreachable": 503, "misconfigured": 503, "email_unverified": 403, "email_domain": 403,
        "account_unverified": 409, "already_linked": 409, "registration_closed": 403, "officer_provider": 403,
    },
)

PROVIDERS = Messages(
    {
        "not_public_body": lambda d: _("Only a verified public body can have its own identity provider."),
        "discovery": lambda d: _("No OpenID Connect provider answered at this issuer address (its discovery "
                                 "document %(url)s could not be read, or names another issuer).", url=d["url"]),
    },
    default=lambda: _("The identity provider could not be saved."),
    statuses={"not_public_body": 409},
)
