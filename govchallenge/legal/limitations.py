"""What the project knows falls short of WCAG 2.1 AA, for the accessibility statement's "non-accessible
content". Reviewed with the axe checks of the test suite (tests/browser) on every page they crawl, in the
five interface languages; whoever changes this list or re-runs that review moves REVIEWED_ON."""
from dataclasses import dataclass
from datetime import date

from govchallenge.core.i18n import lazy_text as _l

REVIEWED_ON = date(2026, 12, 2)


@dataclass(frozen=True)
class Limitation:
    text: object
    criteria: str  # WCAG 2.1 success criteria concerned, e.g. "1.1.1, 1.3.1"
    kind: str  # "non_compliance" (the platform could do better) or "outside_scope" (content the platform does not write)


KNOWN_LIMITATIONS = (
    Limitation(_l("Documents that hosts and teams upload (challenge attachments, entries) are published as their "
                  "authors made them. The platform checks their type, not their accessibility, so a scanned PDF may "
                  "have no text a screen reader can read."), "1.1.1, 1.3.1", "outside_scope"),
    Limitation(_l("Text that people write on the platform (challenge descriptions, questions and answers) may skip "
                  "heading levels or use links such as “here” that mean nothing out of context. The editor does not "
                  "check it."), "1.3.1, 2.4.4", "outside_scope"),
    Limitation(_l("A challenge with no translation into your language is shown in its main language. The passage "
                  "is marked with its language so that screen readers pronounce it correctly, but it is not "
                  "translated."), "3.1.2", "non_compliance"),
    Limitation(_l("Signing in through an identity provider (your public body's or the platform's) takes you to "
                  "pages run by that provider, which this statement does not cover."), "", "outside_scope"),
    Limitation(_l("Deadlines of a challenge cannot be extended by the person taking part: they are the rules of a "
                  "competition, which the success criterion on timing allows as an exception. Hosts can give a "
                  "late-entry code to someone who asks."), "2.2.1", "non_compliance"),
    Limitation(_l("The automated checks cover the pages that the test suite visits. Pages shown only in rare "
                  "states (some error pages, some steps of the jury's work) have been checked less often."),
               "", "non_compliance"),
)
