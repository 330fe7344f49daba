"""How long the platform keeps each kind of personal data, for the privacy notice. Where a setting decides
the period, the period is read from it here and nowhere else, so the notice follows the configuration."""
import math
from dataclasses import dataclass

from limits import parse

from govchallenge.core.i18n import lazy_text as _l

from .cookies import remember_cookie


@dataclass(frozen=True)
class Period:
    what: object
    how_long: object
    setting: str = ""  # the configuration value that decides it, if one does


def _hours(seconds):
    return max(1, round(seconds / 3600))


def _longest_window_hours(config, *names):
    return math.ceil(max(parse(config[name]).get_expiry() for name in names) / 3600)


def retention_periods(config):
    throttle_settings = ("LOGIN_LIMIT", "LOGIN_ACCOUNT_LIMIT", "LOGIN_IP_LIMIT", "RESET_LIMIT", "REGISTER_LIMIT",
                         "REGISTER_EMAIL_LIMIT", "ACCOUNT_NOTICE_LIMIT")
    return [
        Period(_l("Your account: name, e-mail address, country, language, time zone and a hash of your password"),
               _l("As long as the account exists; erased or anonymised when you ask")),
        Period(_l("Links sent by e-mail to confirm an address or reset a password"),
               _l("Valid for %(hours)s hours, then useless", hours=_hours(config["TOKEN_MAX_AGE_SECONDS"])),
               "TOKEN_MAX_AGE_SECONDS"),
        Period(_l("Counters of sign-in attempts and registrations (an e-mail address and a network address), kept "
                  "against password guessing"),
               _l("At most %(hours)s hours, after which they expire by themselves",
                  hours=_longest_window_hours(config, *throttle_settings)),
               ", ".join(throttle_settings)),
        Period(_l("E-mails waiting to be sent (retried while the mail server does not accept them)"),
               _l("Up to %(hours)s hours", hours=_hours(config["MAIL_RETRY_HOURS"] * 3600)), "MAIL_RETRY_HOURS"),
        Period(_l("The cookie that keeps you signed in on a device"), remember_cookie(config).lifetime, "REMEMBER_COOKIE_DURATION"),
        Period(_l("Teams, entries, reviews and published results: the record of a competition"),
               _l("As long as the challenge is kept on the platform. Published results stay public; an entry stays "
                  "with its team and a review with a pseudonym when a person's account is erased")),
        Period(_l("The audit trail: who changed what and when, with the network address of the request"),
               _l("As long as the records it proves are kept; it cannot be changed, only verified")),
    ]
