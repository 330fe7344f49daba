"""Every state change of the jury, by concern: membership, conflicts, rounds, reviews. They check the rules,
write the audit trail, queue jobs and flush — never commit. Callers import them from here or from their module."""
from .conflicts import conflict_pairs, conflicted_entries, detected_conflicts, is_conflicted  # noqa: F401
from .guards import FROZEN_STATUSES, JuryError, results_frozen, round_frozen  # noqa: F401
from .membership import (  # noqa: F401
    accept_invitation, challenge_jurors, decline_invitation, invite_juror, juror_of_user, set_chair,
)
from .reviews import declare_conflicts, exclude_entry, override_score, recuse, review_of, save_review  # noqa: F401
from .rounds import (  # noqa: F401
    DECISIONS, EXCLUDE, EXTEND, MAX_EXTENSION, REASSIGN, REMINDER_HOURS_BEFORE, EntryDecision, active_assignments,
    add_assignment, close_round, closing_state, entry_totals, held_jurors, last_closed_stage, open_first_round,
    progress, reminder_due_at, reminder_hours_before, review_deadline, reviews_open, round_entries, round_jurors,
    run_assignment, schedule_reminder, send_reminders, set_closing_time, short_entries, shortlist, shortlist_plan, shortlist_split,
    submitted_scores,
)
