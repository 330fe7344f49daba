"""The task list of a challenge being written: each part, what state it is in, and where to work on it.

Computed from the draft alone, in this one place, for the draft's page and the page shown after it is saved
(GOV.UK's "complete multiple tasks" pattern). A part the challenge may do without (prizes, attachments,
translations, co-hosts) is *optional* until something is in it.
"""
from dataclasses import dataclass

from govchallenge.core.i18n import lazy_text as _l

from .models import CHANGES_REQUESTED, DRAFT, INVITED, LEAD, ACCEPTED
from .operations import TEXT_FIELDS, date_problems, missing_for_review

COMPLETED, IN_PROGRESS, NOT_STARTED, OPTIONAL, CANNOT_START = "completed", "in_progress", "not_started", "optional", "cannot_start"
STATUS_LABELS = {
    COMPLETED: _l("Completed"),
    IN_PROGRESS: _l("In progress"),
    NOT_STARTED: _l("Not started"),
    OPTIONAL: _l("Optional"),
    CANNOT_START: _l("Cannot start yet"),
}


@dataclass(frozen=True)
class Task:
    key: str
    label: str
    status: str
    endpoint: str

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


def details_status(challenge):
    texts = [(getattr(challenge, name) or {}).get(challenge.main_language) for name in ("title", "summary", "description")]
    return COMPLETED if all(texts) else IN_PROGRESS


def stages_status(challenge, now):
    if not challenge.stages:
        return NOT_STARTED
    return IN_PROGRESS if date_problems(challenge, now) else COMPLETED


def criteria_status(challenge):
    if not challenge.criteria:
        return NOT_STARTED
    return COMPLETED if any(not c.informational for c in challenge.criteria) else IN_PROGRESS


def optional_list_status(items):
    return COMPLETED if items else OPTIONAL


def translations_status(challenge):
    """Completed when every other language has each text the main language has."""
    others = [code for code in challenge.languages if code != challenge.main_language]
    if not others:
        return OPTIONAL
    written = [name for name in TEXT_FIELDS if (getattr(challenge, name) or {}).get(challenge.main_language)]
    whole = all((getattr(challenge, name) or {}).get(code) for code in others for name in written)
    return COMPLETED if whole else IN_PROGRESS


def cohosts_status(challenge):
    cohosts = [h for h in challenge.hosts if h.role != LEAD]
    if any(h.state == INVITED for h in cohosts):
        return IN_PROGRESS
    return COMPLETED if any(h.state == ACCEPTED for h in cohosts) else OPTIONAL


def submission_status(challenge, now):
    if challenge.status not in (DRAFT, CHANGES_REQUESTED):
        return COMPLETED
    return CANNOT_START if missing_for_review(challenge) or date_problems(challenge, now) else NOT_STARTED


def task_list(challenge, now):
    return [
        Task("details", _l("Details"), details_status(challenge), "challenges.edit"),
        Task("stages", _l("Stages"), stages_status(challenge, now), "challenges.stages"),
        Task("criteria", _l("Criteria"), criteria_status(challenge), "challenges.criteria"),
        Task("prizes", _l("Prizes"), optional_list_status(challenge.prizes), "challenges.prizes"),
        Task("attachments", _l("Attachments"), optional_list_status(challenge.attachments), "challenges.attachments"),
        Task("translations", _l("Translations"), translations_status(challenge), "challenges.translations"),
        Task("cohosts", _l("Co-hosts"), cohosts_status(challenge), "challenges.hosts"),
        Task("submit", _l("Submit for review"), submission_status(challenge, now), "challenges.submit"),
    ]
