"""People's Choice pages: the award page (vote there), an entry's public page and its released images, the
hosts' page (open the award, review flags, discount, publish), the published count (JSON) and the team's
release. Load -> check permission -> one operation -> commit -> redirect."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from govchallenge.accounts import throttle
from govchallenge.challenges.models import by_slug as challenge_by_slug
from govchallenge.challenges.permissions import is_host_officer
from govchallenge.core import storage
from govchallenge.core.actions import Messages, RuleError, button_action, form_action, refuse, succeed
from govchallenge.core.permissions import require
from govchallenge.core.timeutil import local_to_utc, to_zone, utcnow
from govchallenge.extensions import db, limiter
from govchallenge.jury.queries import entry_content
from govchallenge.submissions.models import Submission
from govchallenge.submissions.screening import blind_copy
from govchallenge.teams.models import TeamMember

from . import documents, operations
from . import permissions as can
from .content import released
from .forms import AwardForm, DiscountForm, ReleaseForm, VoteForm
from .models import PeoplesChoiceEntry, award_of, release_of

bp = Blueprint("peoples_choice", __name__)

MESSAGES = Messages({
    "started": lambda d: _("Voting has started: the window and the shortlist can no longer change."),
    "window_order": lambda d: _("Voting must close after it opens."),
    "window_past": lambda d: _("The closing moment has passed: choose one in the future."),
    "not_candidate": lambda d: _("Only submitted entries of this challenge can be shortlisted."),
    "too_few": lambda d: _("Shortlist at least %(minimum)s entries.", minimum=d["minimum"]),
    "not_image": lambda d: _("Only the entry's own images can be shown."),
    "unverified": lambda d: _("Confirm your e-mail address before you vote: we sent you a link when you registered."),
    "not_open": lambda d: _("Voting has not opened yet."),
    "closed": lambda d: _("Voting has closed: your vote was not taken."),
    "not_in_award": lambda d: _("This entry is not on the award's shortlist: your vote was not taken."),
    "own_entry": lambda d: _("You cannot vote for your own team's entry."),
    "already": lambda d: _("Your vote for this entry is already counted, once."),
    "replayed": lambda d: _("This vote was sent from an older page: your vote changed since. Nothing was changed; "
                            "vote again from this page if you wish."),
    "published": lambda d: _("The count is published: nothing can change it now."),
    "reason": lambda d: _("Give a reason of at least %(minimum)s characters: it is recorded and published.",
                          minimum=d["minimum"]),
    "none_chosen": lambda d: _("Choose the flagged votes to discount."),
    "not_flagged": lambda d: _("Only flagged votes of this award can be discounted."),
    "already_discounted": lambda d: _("Some of these votes are already discounted."),
    "still_open": lambda d: _("The count can be published once voting has closed."),
}, default=lambda: _("The change was refused."), statuses={
    "started": 409, "not_open": 409, "closed": 409, "already": 409, "replayed": 409, "published": 409,
    "still_open": 409, "already_discounted": 409, "own_entry": 403, "unverified": 403})


def _challenge(slug):
    return challenge_by_slug(slug) or abort(404)


def _award(slug):
    challenge = _challenge(slug)
    award = award_of(challenge.id)
    if not can.can_view_award(award):
        abort(404)
    return award


def _shortlist(award):
    """The shortlisted entries (one query) with what their teams released (two)."""
    entries = db.session.execute(
        sa.select(Submission).join(PeoplesChoiceEntry, PeoplesChoiceEntry.submission_id == Submission.id)
        .where(PeoplesChoiceEntry.award_id == award.id).order_by(Submission.public_id)).scalars().all()
    return entries, released(entries)


def _shortlisted(award, public_id):
    entries, shown = _shortlist(award)
    entry = next((e for e in entries if e.public_id == public_id), None) or abort(404)
    return entry, shown[entry.id]


# --- the public: the award page, an entry's page, its images, the published count -------------------------------

@bp.route("/challenges/<slug>/peoples-choice")
def award(slug):
    return _award_page(_award(slug), VoteForm())


def _award_page(award, form, status=200):
    now = utcnow()
    entries, shown = _shortlist(award)
    vote = operations.vote_of(award, current_user) if can.may_try_to_vote(current_user) else None
    document = award.document if award.is_published else None
    counts = _counts(award, now) if can.can_see_counts(current_user, award, now) else None
    return render_template(
        "peoples_choice/award.html", award=award, challenge=award.challenge, entries=entries, shown=shown, vote=vote,
        form=form, now=now, counts=counts, document=document, is_host=is_host_officer(current_user, award.challenge),
        own=_own_entry_ids(entries)), status


def _own_entry_ids(entries):
    """The ids of the entries among `entries` that belong to the viewer's teams (one query)."""
    if not can.may_try_to_vote(current_user) or not entries:
        return set()
    teams = set(db.session.execute(sa.select(TeamMember.team_id).where(TeamMember.user_id == current_user.id)).scalars())
    return {e.id for e in entries if e.team_id in teams}


def _counts(award, now):
    """{submission public id: (counted, discounted)}: the published document's, else the live count (hosts, after close)."""
    if award.is_published:
        return {e["entry"]: (e["votes"], e["discounted"]) for e in award.document["entries"]}
    found = {}
    for vote in operations.votes_of(award):
        counted, discounted = found.get(vote.submission.public_id, (0, 0))
        found[vote.submission.public_id] = (counted + vote.counts, discounted + (not vote.counts))
    return found


@bp.route("/challenges/<slug>/peoples-choice/entries/<public_id>")
def entry(slug, public_id):
    award = _award(slug)
    submission, shown = _shortlisted(award, public_id)
    return render_template("peoples_choice/entry.html", award=award, challenge=award.challenge, entry=submission,
                           shown=shown, form=VoteForm(), vote=operations.vote_of(award, current_user)
                           if can.may_try_to_vote(current_user) else None, now=utcnow(),
                           own=submission.id in _own_entry_ids([submission]))


@bp.route("/challenges/<slug>/peoples-choice/entries/<public_id>/images/<int:index>")
def image(slug, public_id, index):
    """A released image, without its metadata; nothing the team has not marked public."""
    award = _award(slug)
    submission, shown = _shortlisted(award, public_id)
    found = next((i for i in shown["images"] if i[0] == index), None) or abort(404)
    _index, sha256, mime_type = found
    data = blind_copy(sha256, mime_type)
    db.session.commit()  # an inspection made now (a file stored before inspections) is kept
    if data is None:
        abort(404)
    extension = "png" if mime_type == "image/png" else "jpg"
    return storage.download_response(data, f"entry-{public_id[:8]}-image-{index + 1}.{extension}", mime_type)


@bp.route("/challenges/<slug>/peoples-choice.json")
def export_json(slug):
    award = _award(slug)
    if not award.is_published:
        abort(404)
    response = storage.download_response(documents.canonical_bytes(award), f"{slug}-peoples-choice.json",
                                         "application/json")
    response.headers["X-Results-Digest"] = award.digest
    response.headers["X-Results-Digest-Scheme"] = award.digest_scheme
    return response


# --- voting ---------------------------------------------------------------------------------------------------

@bp.route("/challenges/<slug>/peoples-choice/vote", methods=["POST"])
@login_required
@limiter.limit(throttle.setting("PCHOICE_VOTE_ACCOUNT_LIMIT"), key_func=throttle.signed_in_account_key,
               methods=["POST"], scope="pchoice-vote-account")
@limiter.limit(throttle.setting("PCHOICE_VOTE_ADDRESS_LIMIT"), methods=["POST"], scope="pchoice-vote-address")
def vote(slug):
    """One vote, taken once. A refused vote (not verified, window shut, not on the shortlist, the voter's own
    entry, sent twice, replayed from an older page) changes nothing, is said on the page and logged."""
    award = _award(slug)
    form = VoteForm()
    if not form.validate_on_submit():
        _log_refusal("bad_form", award)
        return _award_page(award, form, 400)
    try:
        operations.cast_vote(current_user, award, form.entry.data, form.version.data, request.remote_addr or "")
    except RuleError as error:
        _log_refusal(error.code, award)
        return _award_page(award, VoteForm(formdata=None), refuse(error, MESSAGES))
    return succeed(url_for("peoples_choice.award", slug=slug) + "#your-vote",
                   _("Your vote is recorded. You may change it until voting closes."))


def _log_refusal(code, award):
    current_app.logger.warning("people's choice vote refused (%s): award %s account %s entry %r version %r", code,
                               award.id, current_user.id, request.form.get("entry", "")[:40],
                               request.form.get("version", "")[:12])


# --- the team's release -------------------------------------------------------------------------------------------

@bp.route("/entries/<public_id>/public-release", methods=["GET", "POST"])
@login_required
def release(public_id):
    submission = db.session.execute(sa.select(Submission).where(Submission.public_id == public_id)).scalar_one_or_none() or abort(404)
    require(can.can_release(current_user, submission), can.REFUSALS["can_release"])
    content = entry_content(submission)
    images = operations.releasable_images(content)
    form = ReleaseForm()
    form.images.choices = [(sha, name or _("Image %(n)s", n=n)) for n, (sha, name) in enumerate(images, 1)]
    row = release_of(submission.id)
    if request.method == "GET" and row is not None:
        form.show_title.data, form.show_summary.data, form.images.data = row.show_title, row.show_summary, list(row.images)

    def again(status):
        return render_template("peoples_choice/release.html", form=form, entry=submission, content=content,
                               challenge=submission.team.challenge, release=row), status

    if request.method == "GET":
        return again(200)
    return form_action(
        form, lambda: operations.release(current_user, submission, content, form.show_title.data, form.show_summary.data,
                                         form.images.data or []),
        done=lambda _row: (url_for("peoples_choice.release", public_id=public_id),
                           _("Saved: the public sees what you ticked, nothing else.")),
        again=again, messages=MESSAGES, field=form.images)


# --- the hosts ----------------------------------------------------------------------------------------------------

def _host_challenge(slug):
    challenge = _challenge(slug)
    require(can.can_manage_award(current_user, challenge), can.REFUSALS["can_manage_award"])
    return challenge


@bp.route("/challenges/<slug>/peoples-choice/manage", methods=["GET", "POST"])
@login_required
def manage(slug):
    challenge = _host_challenge(slug)
    award = award_of(challenge.id)
    form = AwardForm()
    candidates = operations.candidate_entries(challenge)
    form.entries.choices = [(e.id, e.title or _("Untitled entry")) for e in candidates]
    if request.method == "GET" and award is not None:
        zone = challenge.timezone
        form.opens_at.data = to_zone(award.opens_at, zone).replace(tzinfo=None)
        form.closes_at.data = to_zone(award.closes_at, zone).replace(tzinfo=None)
        form.entries.data = [e.submission_id for e in award.entries]
    if request.method == "GET":
        return _manage_page(challenge, award, form, DiscountForm())
    return form_action(
        form, lambda: operations.open_award(current_user, challenge, form.entries.data or [],
                                            local_to_utc(form.opens_at.data, challenge.timezone),
                                            local_to_utc(form.closes_at.data, challenge.timezone), award),
        done=lambda _award: (url_for("peoples_choice.manage", slug=slug), _("The People's Choice award is saved.")),
        again=lambda status: _manage_page(challenge, award, form, DiscountForm(formdata=None), status),
        messages=MESSAGES, fields={"window_order": form.closes_at, "window_past": form.closes_at,
                                   "not_candidate": form.entries, "too_few": form.entries, "started": form.opens_at})


def _manage_page(challenge, award, form, discount_form, status=200):
    now = utcnow()
    votes = operations.votes_of(award) if award is not None else []
    flagged = [v for v in votes if v.flagged_at is not None]
    discount_form.votes.choices = [(v.id, str(v.id)) for v in flagged if v.discounted_at is None]
    counts = _counts(award, now) if award is not None and can.can_see_counts(current_user, award, now) else None
    entries, shown = _shortlist(award) if award is not None else ([], {})
    return render_template("peoples_choice/manage.html", challenge=challenge, award=award, form=form,
                           discount_form=discount_form, flagged=flagged, total=len(votes), counts=counts, now=now,
                           entries=entries, shown=shown), status


@bp.route("/challenges/<slug>/peoples-choice/discount", methods=["POST"])
@login_required
def discount(slug):
    challenge = _host_challenge(slug)
    award = award_of(challenge.id) or abort(404)
    form = DiscountForm()
    form.votes.choices = [(v.id, str(v.id)) for v in operations.votes_of(award) if v.flagged_at is not None]
    return form_action(
        form, lambda: operations.discount(current_user, award, form.votes.data or [], form.reason.data),
        done=lambda votes: (url_for("peoples_choice.manage", slug=slug),
                            ngettext("%(num)s vote discounted; the reason is recorded.",
                                     "%(num)s votes discounted; the reason is recorded.", len(votes))),
        again=lambda status: _manage_page(challenge, award, _filled_award_form(challenge, award), form, status),
        messages=MESSAGES, fields={"reason": form.reason, "none_chosen": form.votes, "not_flagged": form.votes,
                                   "already_discounted": form.votes})


def _filled_award_form(challenge, award):
    form = AwardForm(formdata=None)
    form.entries.choices = [(e.id, e.title or _("Untitled entry")) for e in operations.candidate_entries(challenge)]
    form.opens_at.data = to_zone(award.opens_at, challenge.timezone).replace(tzinfo=None)
    form.closes_at.data = to_zone(award.closes_at, challenge.timezone).replace(tzinfo=None)
    form.entries.data = [e.submission_id for e in award.entries]
    return form


@bp.route("/challenges/<slug>/peoples-choice/publish", methods=["POST"])
@login_required
def publish(slug):
    challenge = _host_challenge(slug)
    award = award_of(challenge.id) or abort(404)
    return button_action(lambda: operations.publish(current_user, award),
                         back=url_for("peoples_choice.manage", slug=slug), messages=MESSAGES,
                         done=_("The People's Choice count is published with its digest."))


# --- the hooks: the challenge page's panel, the results page's section --------------------------------------------

def panel_context(challenge, user):
    award = award_of(challenge.id)
    manage = can.can_manage_award(user, challenge)
    if not (can.can_view_award(award) or manage):
        return None
    return {"challenge": challenge, "award": award if can.can_view_award(award) else None, "manage": manage,
            "now": utcnow()}


def results_section(challenge, user):
    """The published count on the results page, once it is published."""
    award = award_of(challenge.id)
    if award is None or not award.is_published:
        return None
    return {"challenge": challenge, "award": award, "document": award.document}
