"""The jury's words for its refusals, and the status each refusal answers with."""
from flask_babel import gettext as _
from flask_babel import ngettext

from govchallenge.core.actions import Messages

ERRORS = {
    "already_invited": lambda d: _("This address is already invited to the jury."),
    "used": lambda d: _("This invitation has already been answered."),
    "confidentiality": lambda d: _("Agree to keep the entries confidential to join the jury."),
    "already_juror": lambda d: _("You are already on this jury."),
    "bad_kind": lambda d: _("Choose a kind of conflict."),
    "conflict_target": lambda d: _("Choose at least one organisation or write at least one person: nothing was declared."),
    "conflict_target_unknown": lambda d: _("An organisation chosen is not on the platform any more. Reload the page and try again: nothing was declared."),
    "person_too_long": lambda d: _("Line %(line)s of the people is longer than %(max)s characters: nothing was declared.", line=d.get("line"), max=d.get("max")),
    "person_email": lambda d: _("Line %(line)s of the people looks like an e-mail address but is not one: correct it (nothing was declared).", line=d.get("line")),
    "person_name": lambda d: _("Line %(line)s of the people is not a readable name: write a full name or an e-mail address (nothing was declared).", line=d.get("line")),
    "round_exists": lambda d: _("This round exists already."),
    "assignment_running": lambda d: _("The assignment of this round is already running: wait for it to finish."),
    "stage_open": lambda d: _("No stage of the challenge has closed yet: entries can still change."),
    "no_entries": lambda d: _("There is no entry to review."),
    "round_closed": lambda d: _("The round is closed: reviews can no longer change."),
    "round_open": lambda d: _("Close the round first."),
    "not_in_round": lambda d: _("The juror or the entry is not in this round."),
    "duplicate": lambda d: _("This juror already has this entry."),
    "conflict": lambda d: _("Refused: the juror has a conflict of interest with this entry."),
    "forbidden": lambda d: _("Refused: the juror stepped back from this entry."),
    "same_organisation": lambda d: _("Refused: another juror of the same organisation already reviews this entry."),
    "unknown": lambda d: _("Unknown juror or entry."),
    "already_recused": lambda d: _("You have already stepped back from this entry."),
    "recused": lambda d: _("You stepped back from this entry."),
    "stale": lambda d: _("Your review changed in another window since you opened it. Your text is below: check it and save again."),
    "tampered": lambda d: _("The form did not match the rubric. Reload the page and try again."),
    "justification": lambda d: _("Write a justification."),
    "out_of_scale": lambda d: _("The score must be between %(min)s and %(max)s.", min=d.get("min"), max=d.get("max")),
    "already_excluded": lambda d: _("The entry is already excluded."),
    "decision_missing": lambda d: ngettext("%(num)s entry has fewer reviews than the round asks for: choose what happens to it.", "%(num)s entries have fewer reviews than the round asks for: choose what happens to each.", d.get("count") or 1),
    "exclusion_kind": lambda d: _("Choose why the entry is excluded."),
    "exclusion_reason": lambda d: _("Write the reason the entry is excluded: its team is told."),
    "extension_missing": lambda d: _("Give the moment until which the entry's reviews may be submitted."),
    "extension_past": lambda d: _("The extension must end in the future."),
    "extension_far": lambda d: ngettext("An extension may reach at most %(num)s day ahead.", "An extension may reach at most %(num)s days ahead.", d.get("days") or 1),
    "close_stale": lambda d: _("The round changed since you opened this page (a review, an extension or an exclusion). Check the entries below and decide again."),
    "lists_held": lambda d: ngettext("%(num)s juror's list is held after a declared conflict: run the assignment first, which hands it back.", "%(num)s jurors' lists are held after a declared conflict: run the assignment first, which hands them back.", d.get("count") or 1),
    "shortlist_stale": lambda d: _("The scores changed since you saw who advances. Check the list again before you confirm."),
    "shortlist_rule": lambda d: _("Choose how many entries go to the next round."),
    "ranking_refused": lambda d: (
        _("The recommended method combines reviews by their mean: choose the mean, or another calibration, in the "
          "challenge's settings.") if d.get("reason") == "model_needs_mean" else
        _("The rubric or a review breaks a rule of scoring (a weight, a scale or a threshold that is not a valid "
          "number): correct the rubric.")),
    "invalid": lambda d: _("Some answers need correcting."),
    "results_published": lambda d: _("The results are published: the jury's scores and decisions can no longer change."),
    "chair_conflict": lambda d: _("Refused: you have a conflict of interest with this entry, so you cannot change its scores or exclude it."),
    "no_jurors": lambda d: _("Choose at least one juror for the next round."),
    "bad_jurors": lambda d: _("Choose among the jurors listed: reload the page and try again."),
    "closes_in_past": lambda d: _("Choose a closing moment in the future."),
    "closes_missing": lambda d: _("Give the moment the round closes."),
    "bad_round_kind": lambda d: _("Choose how the round is judged."),
    "final_round": lambda d: _("This round is judged in pairs or by a ranked vote: run it from its finals page."),
    "round_started": lambda d: _("Something has already been judged in this round: how it is judged can no longer change."),
    "wrong_round_kind": lambda d: _("This round is not judged that way."),
    "answer_first": lambda d: _("Say first which of the last two finalists was better."),
    "bad_choice": lambda d: _("Choose the previous or the current finalist."),
    "not_shown": lambda d: _("Refused: this finalist was not shown to you for a comparison. Nothing was counted."),
    "vote_counted": lambda d: _("This comparison was already counted, once. Nothing more was counted."),
    "ballot_unknown": lambda d: _("Refused: the ballot names an entry that is not a finalist of this round. Nothing was saved."),
    "ballot_duplicate": lambda d: _("Refused: the ballot names a finalist twice. Nothing was saved."),
    "ballot_conflict": lambda d: _("Refused: you have a conflict of interest with a finalist you ranked. Leave it unranked."),
}


ERROR_STATUS = {"round_closed": 409, "results_published": 409, "round_open": 409, "round_exists": 409, "stale": 409,
                "chair_conflict": 403, "close_stale": 409, "lists_held": 409, "shortlist_stale": 409,
                "ranking_refused": 409, "round_started": 409, "final_round": 409, "wrong_round_kind": 409,
                "answer_first": 409, "vote_counted": 409}


FIELD_ERRORS = {
    "out_of_scale": lambda d: _("The score must be between %(min)s and %(max)s.", min=d.get("min"), max=d.get("max")),
    "score_required": lambda d: _("Give a score to submit."),
    "comment_required": lambda d: _("A comment is required to submit."),
}


MESSAGES = Messages(ERRORS, default=lambda: _("The change was refused."), statuses=ERROR_STATUS)
message, error_status = MESSAGES.text, MESSAGES.status
