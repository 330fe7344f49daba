"""Why the platform processes personal data and on which legal basis (GDPR Article 6), for the privacy notice."""
from dataclasses import dataclass

from govchallenge.core.i18n import lazy_text as _l


@dataclass(frozen=True)
class Purpose:
    purpose: object
    data: object
    basis: object


PURPOSES = (
    Purpose(_l("Your account and signing in"),
            _l("Name, e-mail address, country, language, time zone, a hash of your password"),
            _l("Article 6(1)(b): the terms you accept when you register")),
    Purpose(_l("Running challenges: teams, entries, questions, jury reviews"),
            _l("What you write and upload, your team and organisation memberships"),
            _l("Article 6(1)(e): the public task of the host bodies; Article 6(1)(b): the rules of the challenge you enter")),
    Purpose(_l("Publishing results"),
            _l("Team names, entry titles, places and scores"),
            _l("Article 6(1)(e): transparent public procurement and prizes, as the challenge's rules announce")),
    Purpose(_l("E-mails: confirmations, invitations, reminders, results"),
            _l("Name, e-mail address, language"),
            _l("Article 6(1)(b) and (e), as for the step the e-mail belongs to")),
    Purpose(_l("Security: stopping password guessing, and an audit trail of every change"),
            _l("E-mail address, network address, what was changed and when"),
            _l("Article 6(1)(c) with Article 32: the duty to keep processing secure")),
)
