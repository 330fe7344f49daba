"""Every state change of the jury, by concern: membership, conflicts, rounds (opening and assignment), progress,
closing, shortlisting, reminders, reviews. They check the rules, write the audit trail, queue jobs and flush —
never commit. Callers import them from here or from their module."""
from .assigning import (  # noqa: F401
    ASSIGN_JOB, assign_or_queue, latest_jobs, open_round_and_assign, request_assignment, run_assignment_job,
)
from .closing import (  # noqa: F401
    DECISIONS, EXCLUDE, EXTEND, MAX_EXTENSION, REASSIGN, EntryDecision, close_round, closing_state, review_deadline,
    review_deadlines, reviews_open, short_entries,
)
from .conflicts import conflict_pairs, conflicted_entries, detected_conflicts, is_conflicted  # noqa: F401
from .guards import FROZEN_STATUSES, JuryError, results_frozen, round_frozen  # noqa: F401
from .membership import (  # noqa: F401
    accept_invitation, challenge_jurors, decline_invitation, invite_juror, juror_of_user, set_chair,
)
from .progress import (  # noqa: F401
    active_assignments, design_warnings, entry_totals, page_progress, progress, round_entries, submitted_scores,
)
from .reminders import (  # noqa: F401
    REMINDER_HOURS_BEFORE, reminder_due_at, reminder_hours_before, schedule_reminder, send_reminders, set_closing_time,
)
from .reviews import declare_conflicts, exclude_entry, override_score, recuse, review_of, save_review  # noqa: F401
from .rounds import add_assignment, held_jurors, last_closed_stage, open_first_round, round_jurors, run_assignment  # noqa: F401
from .shortlisting import shortlist, shortlist_plan, shortlist_split  # noqa: F401
