"""What both rooms of the results use: the words of refusals, loading (404 when hidden), the challenge page's
panel, the preview's context and the delivery figures."""
import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from govchallenge.challenges.models import by_slug
from govchallenge.core.actions import Messages
from govchallenge.core.languages import pick
from govchallenge.core.permissions import signed_in
from govchallenge.extensions import db

from . import charts, documents, operations
from . import permissions as can
from .announcements import progress as announcement_progress
from .forms import ProposeForm
from .models import (
    proposed_for,
    published_for,
)


ERRORS = {
    "already_published": lambda d: _("The results are already published."),
    "archived": lambda d: _("The challenge is archived: no results can be published for it."),
    "no_rounds": lambda d: _("The jury has no round yet."),
    "round_open": lambda d: _("A jury round is still open. Close every round before proposing the ranking."),
    "no_entries": lambda d: _("No entry is in the final round."),
    "no_votes": lambda d: _("The final round was judged in pairs or by a ranked vote, and no vote counts yet: "
                            "its order would say nothing."),
    "reviews_missing": lambda d: " ".join((
        ngettext("%(num)s review is not submitted yet.", "%(num)s reviews are not submitted yet.", d.get("missing", 0)),
        ngettext("%(num)s entry has no review.", "%(num)s entries have no review.", d.get("unreviewed", 0)),
        _("Every assigned review must be submitted first."))),
    "bad_priority_criterion": lambda d: _("Choose a criterion of the final round."),
    "decision_needs_reason": lambda d: _("Give the reason for each order you chose."),
    "bad_special_award": lambda d: _("A special award can only go to an entry of the final round."),
    "not_proposed": lambda d: _("There is no proposal to confirm."),
    "scoring_refused": lambda d: SCORING_REFUSALS.get(d.get("reason"), SCORING_REFUSALS["invalid"])(),
    "already_confirmed": lambda d: _("Your organisation has already confirmed this ranking."),
    "hosts_missing": lambda d: _("Not every host has confirmed yet."),
    "not_publishable": lambda d: _("A value in the results cannot be published exactly, so its digest could not be "
                                   "recomputed elsewhere (%(where)s). Ask the platform's operators to correct it.",
                                   where=d.get("where", "")),
}


# Why the scoring engine refused to rank (scoring.ScoringError.code).
SCORING_REFUSALS = {
    "model_needs_mean": lambda: _("The recommended method combines reviews by their mean: choose the mean, or "
                                  "another calibration, in the challenge's settings."),
    "not_finite": lambda: _("A review holds a value that is not a number."),
    "invalid": lambda: _("The rubric or a review breaks a rule of scoring (a weight, a scale or a threshold that "
                         "is not a valid number): correct the rubric."),
}

# What the chair is warned of about the review design (scoring.design_warnings).
WARNINGS = {
    "disconnected": lambda d: _(
        "The jurors and entries fall into %(num)s groups that share no juror: the jurors' severity cannot be "
        "compared across groups, so calibration only centres each group.", num=d.get("groups", 0)),
    "single_juror": lambda d: _("A single juror reviewed every entry: nothing to compare a review with."),
    "fewer_reviews": lambda d: ngettext(
        "%(num)s entry has fewer reviews than the %(asked)s asked for: %(entries)s.",
        "%(num)s entries have fewer reviews than the %(asked)s asked for: %(entries)s.",
        len(d.get("entries", [])), asked=d.get("asked"), entries=", ".join(d.get("labels", d.get("entries", [])))),
    "one_review": lambda d: ngettext(
        "%(num)s entry has a single review: its place is uncertain however its interval looks: %(entries)s.",
        "%(num)s entries have a single review: their places are uncertain however their intervals look: %(entries)s.",
        len(d.get("entries", [])), entries=", ".join(d.get("labels", d.get("entries", [])))),
    "no_variation": lambda d: _("Every review gave the same total: the order is left to the tie-break cascade."),
    "not_separable": lambda d: _("Too few reviews overlap to tell the jurors' severity from chance: the recommended "
                                 "method corrected no juror, and its intervals count the jurors' differences as chance."),
}


def warning_texts(document, labels):
    """The chair's warnings of a full document, translated; entries named by `labels` {public id: text}."""
    return texts_of_warnings(document.get("warnings", []), labels)


def texts_of_warnings(warnings, labels):
    """scoring.design_warnings translated, entries named by `labels` {entry id: text}."""
    out = []
    for warning in warnings:
        detail = dict(warning)
        if "entries" in detail and warning["code"] != "disconnected":
            detail["labels"] = [str(labels.get(e, e)) for e in detail["entries"]]
        out.append(WARNINGS.get(warning["code"], lambda d: warning["code"])(detail))
    return out


MESSAGES = Messages(ERRORS, default=lambda: _("The change was refused."))
error_text = MESSAGES.text


def panel_context(challenge, user):
    publication = published_for(challenge.id)
    if publication is not None:
        return {"challenge": challenge, "publication": publication}
    if can.can_see_scores_before_publication(user, challenge):
        return {"challenge": challenge, "publication": None}
    return None


def load_results_challenge(slug):
    challenge = by_slug(slug)
    if challenge is None or not can.can_see_results_page(current_user, challenge):
        abort(404)
    return challenge


def state_label(field, main):
    from flask_babel import get_locale

    return pick(field, str(get_locale() or "en"), main).text


def own_entries(challenge):
    """The public ids of the viewer's team's entries in this challenge (one query)."""
    if not signed_in(current_user):
        return []
    from govchallenge.submissions.models import Submission
    from govchallenge.teams.models import Team, TeamMember

    return db.session.execute(
        sa.select(Submission.public_id).join(Team, Team.id == Submission.team_id)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.challenge_id == challenge.id, TeamMember.user_id == current_user.id)
    ).scalars().all()


def charts_for(document, prefix):
    """The distributions of entry scores and review totals: none for a final round judged in pairs or by a
    ranked vote, which has neither."""
    if documents.final_kind(document):
        return []
    scores = [e["score"] for e in document["entries"] if e["score"] is not None]
    totals = [r["total"] for e in document["entries"] for r in e["reviews"]]
    entry_buckets = charts.histogram(scores)
    review_buckets = charts.histogram(totals)
    return [
        {
            "svg": charts.histogram_svg(f"{prefix}-scores", _("Distribution of entry scores"),
                                        _("Bar chart: how many entries scored in each band of 10 points, from 0 to 100."),
                                        entry_buckets, _("Score (0-100)")),
            "caption": _("Entry scores"), "buckets": entry_buckets,
        },
        {
            "svg": charts.histogram_svg(f"{prefix}-reviews", _("Distribution of review totals"),
                                        _("Bar chart: how many single reviews gave a total in each band of 10 points."),
                                        review_buckets, _("Review total (0-100)")),
            "caption": _("Review totals"), "buckets": review_buckets,
        },
    ]


def delivery_progress(publication):
    announcement = publication.announcement
    if announcement is None:
        return None
    return {"announcement": announcement, **announcement_progress(announcement.id)}


def preview_context(challenge, context, form=None, problem=None):
    proposal = proposed_for(challenge.id)
    data = documents.gather(challenge)
    # The challenge stores no tie-break criterion: the chair's last choice is the default, and the
    # ranking shown is computed with it, so what is previewed is what "Propose" would propose.
    priority = operations.previous_priority_criterion(challenge, data.criteria)
    preview = None
    if not [p for p in data.problems if p[0] in {"no_rounds", "no_entries"}] and (data.reviews or data.final_inputs):
        try:
            preview = operations.scoring_document(challenge, data, priority)
        except operations.ResultsError as error:
            data.problems.append((error.code, error.detail))
    may_propose = can.can_propose(current_user, challenge)
    if may_propose and form is None:
        form = ProposeForm(data={"priority_criterion": str(priority) if priority else ""})
    if form is not None:
        form.priority_criterion.choices = [("", _("None"))] + [(str(c.id), context["label"](c.name)) for c in data.criteria]
    missing = operations.missing_confirmations(proposal) if proposal else []
    mine = set()
    if proposal and can.can_confirm(current_user, challenge):
        from govchallenge.organisations.models import OFFICER, active_memberships

        mine = {m.organisation_id for m in active_memberships(current_user) if m.role == OFFICER}
    show_teams = can.can_see_entrants(current_user, challenge)
    entries = {s.public_id: f"{s.title} ({s.team.name})" if show_teams else s.title for s in data.submissions.values()}
    context.update(
        show_teams=show_teams,
        proposal=proposal, preview=preview, problems=data.problems, form=form, may_propose=may_propose,
        problem_messages=[ERRORS.get(code, lambda d: code)(detail) for code, detail in data.problems],
        may_confirm=bool(set(missing) & mine), missing_hosts=[h for h in challenge.hosts if h.organisation_id in missing],
        specials=[p for p in challenge.prizes if p.place is None], entry_labels=entries, problem=problem,
        charts=charts_for(proposal.full if proposal else preview, "preview") if (proposal or preview) else [],
        warnings=warning_texts(preview or (proposal.full if proposal else {}), entries),
    )
    return context


def published_or_404(slug):
    challenge = load_results_challenge(slug)
    publication = published_for(challenge.id)
    if publication is None:
        abort(404)
    return challenge, publication


def host_organisations(challenge):
    from govchallenge.challenges.models import ACCEPTED
    from govchallenge.organisations.models import OFFICER, active_memberships

    mine = {m.organisation_id: m.organisation for m in active_memberships(current_user) if m.role == OFFICER}
    return [mine[h.organisation_id] for h in challenge.hosts if h.state == ACCEPTED and h.organisation_id in mine]
