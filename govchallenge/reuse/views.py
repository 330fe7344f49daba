"""The reuse catalogue's pages: the public catalogue and solution pages, the team's choice, the hosts' approval,
adoption records, and running a challenge again. Load -> check permission -> one operation -> commit -> redirect."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from govchallenge.challenges.models import DOMAINS
from govchallenge.challenges.models import by_slug as challenge_by_slug
from govchallenge.challenges.permissions import is_host_officer
from govchallenge.core.actions import Messages, button_action, form_action
from govchallenge.core.feeds import atom_response
from govchallenge.core.geo import country_choices
from govchallenge.core.http_cache import conditional
from govchallenge.core.i18n import current_language
from govchallenge.core.languages import EU_LANGUAGES, language_name, pick
from govchallenge.core.pagination import page_of
from govchallenge.core.permissions import require, signed_in
from govchallenge.core.storage import download_response
from govchallenge.core.urls import external_url
from govchallenge.core.timeutil import local_to_utc
from govchallenge.extensions import db
from govchallenge.submissions import publiccode
from govchallenge.submissions.models import Submission

from . import catalogue as cat
from . import contest_views, contests, copying, operations
from . import permissions as can
from .forms import AdoptionForm, DecideForm, RunAgainForm
from .models import DECLINED, MATURITIES, OPTED_IN, Adoption, Listing, listing_by_slug

bp = Blueprint("reuse", __name__, url_prefix="/solutions")
CONTEST_ROUTES = (  # the hosts' cross-border contests (contest_views.py)
    ("/challenges/<slug>/contest", contest_views.propose_contest, ("GET", "POST")),
    ("/contests/<contest_slug>/invitations/<int:invitation_id>/join", contest_views.join_contest, ("POST",)),
    ("/contests/<contest_slug>/invitations/<int:invitation_id>/decline", contest_views.decline_contest, ("POST",)),
    ("/contests/<contest_slug>/shared-award", contest_views.shared_award, ("GET", "POST")),
)
for _rule, _view, _methods in CONTEST_ROUTES:
    bp.add_url_rule(_rule, _view.__name__, _view, methods=list(_methods))

PAGE_SIZE = 20
FEED_SIZE = 50

MESSAGES = Messages({
    "no_results": lambda d: _("The results of this challenge are not published yet."),
    "not_submitted": lambda d: _("Only a submitted entry can be listed."),
    "maturity": lambda d: _("Choose a maturity from the list."),
    "declined": lambda d: _("The team chose not to list this solution."),
    "not_offered": lambda d: _("Only winners, and entries their team offers, can be listed."),
    "not_listed": lambda d: _("This solution is not listed in the catalogue."),
    "kind": lambda d: _("Choose what your body records."),
    "duplicate": lambda d: _("Your body has already recorded this."),
    "withdrawn": lambda d: _("This record was already withdrawn."),
    "past": lambda d: _("The new opening date has passed: choose a date in the future. Nothing was copied."),
    "currency": lambda d: _("Choose a currency from the list (ISO 4217)."),
    "no_stages": lambda d: _("This challenge has no stages to copy."),
}, default=lambda: _("The change was refused."), statuses={"no_results": 409, "declined": 409, "not_offered": 409,
                                                            "not_listed": 409, "duplicate": 409, "withdrawn": 409})


def _listing(slug):
    listing = listing_by_slug(slug) or abort(404)
    if not can.can_view_listing(current_user, listing):
        abort(404)  # an unlisted solution is not there for the public
    return listing


def _challenge(slug):
    return challenge_by_slug(slug) or abort(404)


# --- the public catalogue ------------------------------------------------------------------------

@bp.route("/")
def catalogue():
    filters, _invalid = cat.clean_filters(request.args)
    page = page_of(cat.query(filters), PAGE_SIZE)
    return render_template(
        "reuse/catalogue.html", page=page, filters=filters, countries=country_choices(), domains=DOMAINS,
        maturities=MATURITIES, languages=sorted(((c, language_name(c)) for c in EU_LANGUAGES), key=lambda i: i[1]),
        families={"permissive": _("Permissive"), "copyleft": _("Copyleft"), "eupl": _("EUPL-compatible")},
        used_in=cat.used_in,
    )


@bp.route("/dataset.<fmt>")
def dataset(fmt):
    if fmt not in ("json", "csv"):
        abort(404)
    from . import dataset as data

    stored = data.stored()
    if stored is None:  # before the first change since the dataset was introduced: generated once, then kept
        stored = data.refresh(external_url)
        db.session.commit()
    if fmt == "json":
        response = download_response(stored.json_bytes, "solutions.json", "application/json")
    else:
        response = download_response(stored.csv_text, "solutions.csv", "text/csv")
    response.headers["X-Dataset-SHA256"] = stored.sha256  # of the JSON document, which holds the same rows
    return conditional(response)


@bp.route("/feed.atom")
def feed():
    """The listed solutions, the latest changed first, in the reader's language where the solution has it."""
    listings = db.session.execute(
        cat.query({}).order_by(None).order_by(Listing.updated_at.desc(), Listing.id.desc()).limit(FEED_SIZE)
    ).scalars().all()
    language = current_language()
    entries = [{
        "id": f"tag:govchallenge,solution:{listing.slug}",
        "title": listing.name,
        "link": external_url("reuse.show", slug=listing.slug),
        "updated": listing.updated_at,
        "summary": str(pick({code: d.get("short", "") for code, d in listing.descriptions.items()}, language,
                            listing.languages[0] if listing.languages else listing.challenge.main_language)),
        "rights": listing.licence,
    } for listing in listings]
    return atom_response(entries, _("Solutions to reuse"), external_url("reuse.feed"))


@bp.route("/<slug>")
def show(slug):
    listing = _listing(slug)
    bodies = can.adopting_bodies(current_user) if listing.is_public else []
    form = AdoptionForm().fill(bodies) if bodies else None
    mine = {o.id for o in bodies}
    return render_template(
        "reuse/show.html", listing=listing, challenge=listing.challenge, used_in=cat.used_in(listing),
        hosts=[h.organisation for h in listing.challenge.accepted_hosts], form=form, own_bodies=mine,
        is_host=is_host_officer(current_user, listing.challenge),
    )


@bp.route("/<slug>/publiccode.yml")
def publiccode_yml(slug):
    listing = listing_by_slug(slug)
    if listing is None or not listing.is_public:
        abort(404)
    body = publiccode.build({
        "name": listing.name, "url": listing.repository_url or external_url("reuse.show", slug=slug),
        "landing_url": external_url("reuse.show", slug=slug), "licence": listing.licence or "NOASSERTION",
        "development_status": listing.maturity, "languages": list(listing.languages) or ["en"],
        "descriptions": listing.descriptions, "contact_name": listing.contact_name,
        "contact_email": listing.contact_email, "release_date": (listing.approved_at or listing.created_at).date().isoformat(),
    })
    return download_response(body, "publiccode.yml", "application/yaml")


# --- the team's choice ---------------------------------------------------------------------------

@bp.route("/entries/<public_id>/listing", methods=["GET", "POST"])
@login_required
def decide(public_id):
    submission = db.session.execute(sa.select(Submission).where(Submission.public_id == public_id)).scalar_one_or_none() or abort(404)
    require(can.can_decide_listing(current_user, submission), can.REFUSALS["can_decide_listing"])
    listing = db.session.execute(sa.select(Listing).where(Listing.submission_id == submission.id)).scalar_one_or_none()
    form = DecideForm()
    if request.method == "GET" and listing is not None:
        form.list_it.data = {OPTED_IN: "yes", DECLINED: "no"}.get(listing.team_choice)
        form.maturity.data, form.contact_name.data, form.contact_email.data = listing.maturity, listing.contact_name, listing.contact_email

    def again(status):
        return render_template("reuse/decide.html", form=form, submission=submission, listing=listing,
                               challenge=submission.team.challenge,
                               is_winner=submission.id in operations.winner_ids(submission.team.challenge)), status

    if request.method == "GET":
        return again(200)
    return form_action(
        form, lambda: operations.decide(current_user, submission, form.list_it.data == "yes", form.maturity.data,
                                        form.contact_name.data or "", form.contact_email.data or ""),
        done=lambda result: (url_for("reuse.decide", public_id=public_id),
                             _("Your choice is saved. The hosts approve listings before they appear.") if result.team_choice == OPTED_IN
                             else _("Your choice is saved: the solution is not listed.")),
        again=again, messages=MESSAGES, field=form.list_it,
    )


# --- the hosts ----------------------------------------------------------------------------------

@bp.route("/challenges/<slug>/listings")
@login_required
def host_listings(slug):
    challenge = _challenge(slug)
    require(can.can_approve_listings(current_user, challenge), can.REFUSALS["can_approve_listings"])
    return render_template("reuse/host_listings.html", challenge=challenge, entries=operations.final_entries(challenge),
                           listings=operations.listings_of(challenge), winners=operations.winner_ids(challenge),
                           reuses=copying.reuses_of(challenge))


@bp.route("/challenges/<slug>/listings/<public_id>/approve", methods=["POST"])
@login_required
def approve(slug, public_id):
    challenge = _challenge(slug)
    require(can.can_approve_listings(current_user, challenge), can.REFUSALS["can_approve_listings"])
    submission = next((e for e in operations.final_entries(challenge) if e.public_id == public_id), None) or abort(404)
    back = url_for("reuse.host_listings", slug=slug)
    return button_action(lambda: operations.approve(current_user, submission), back=back, messages=MESSAGES,
                         done=_("The solution is listed in the reuse catalogue."))


@bp.route("/challenges/<slug>/listings/<public_id>/unlist", methods=["POST"])
@login_required
def unlist(slug, public_id):
    challenge = _challenge(slug)
    require(can.can_approve_listings(current_user, challenge), can.REFUSALS["can_approve_listings"])
    listing = db.session.execute(sa.select(Listing).join(Submission).where(
        Submission.public_id == public_id, Listing.challenge_id == challenge.id)).scalar_one_or_none() or abort(404)
    return button_action(lambda: operations.unapprove(current_user, listing), back=url_for("reuse.host_listings", slug=slug),
                         messages=MESSAGES, done=_("The solution is no longer listed."))


# --- "we use this" / "we want this" ------------------------------------------------------------------

@bp.route("/<slug>/adoptions", methods=["POST"])
@login_required
def adopt(slug):
    listing = _listing(slug)
    require(can.can_record_adoption(current_user, listing), can.REFUSALS["can_record_adoption"])
    bodies = can.adopting_bodies(current_user)
    form = AdoptionForm().fill(bodies)

    def again(status):
        return render_template(
            "reuse/show.html", listing=listing, challenge=listing.challenge, used_in=cat.used_in(listing),
            hosts=[h.organisation for h in listing.challenge.accepted_hosts], form=form, own_bodies={o.id for o in bodies},
            is_host=is_host_officer(current_user, listing.challenge)), status

    return form_action(
        form, lambda: operations.record_adoption(current_user, listing, next(o for o in bodies if o.id == form.organisation.data),
                                                 form.kind.data, form.note.data or ""),
        done=lambda adoption: (url_for("reuse.show", slug=slug) + "#adoptions",
                               _("Recorded. The team and the hosts are told by e-mail.")),
        again=again, messages=MESSAGES, field=form.kind,
    )


@bp.route("/<slug>/adoptions/<int:adoption_id>/withdraw", methods=["POST"])
@login_required
def withdraw_adoption(slug, adoption_id):
    listing = listing_by_slug(slug) or abort(404)
    adoption = db.session.get(Adoption, adoption_id)
    if adoption is None or adoption.listing_id != listing.id:
        abort(404)
    require(can.can_withdraw_adoption(current_user, adoption), can.REFUSALS["can_withdraw_adoption"])
    return button_action(lambda: operations.withdraw_adoption(current_user, adoption),
                         back=url_for("reuse.show", slug=slug) + "#adoptions", messages=MESSAGES,
                         done=_("The record is withdrawn."))


# --- run this challenge again -------------------------------------------------------------------

@bp.route("/challenges/<slug>/run-again", methods=["GET", "POST"])
@login_required
def run_again(slug):
    source = _challenge(slug)
    require(can.can_run_again(current_user, source), can.REFUSALS["can_run_again"])
    bodies = can.reusing_bodies(current_user, source)
    form = RunAgainForm().fill(bodies)
    if request.method == "GET":
        currencies = [p.currency for p in source.prizes if p.currency]
        form.currency.data = currencies[0] if currencies else "EUR"

    def again(status):
        return render_template("reuse/run_again.html", form=form, challenge=source), status

    if request.method == "GET":
        return again(200)
    return form_action(
        form, lambda: copying.run_again(current_user, source, next(o for o in bodies if o.id == form.organisation.data),
                                        local_to_utc(form.opens_at.data, source.timezone), form.currency.data),
        done=lambda draft: (url_for("challenges.show", slug=draft.slug),
                            _("The copy is saved as a draft of your body. Check it, then send it for review.")),
        again=again, messages=MESSAGES, fields={"past": form.opens_at, "currency": form.currency, "no_stages": form.opens_at},
    )


# --- the challenge page's panel ---------------------------------------------------------------------

def panel_context(challenge, user):
    """What the challenge page shows about reuse: its origin, the listed solutions, and the actions the viewer
    may take (a constant number of queries)."""
    listed = db.session.execute(sa.select(Listing).where(Listing.challenge_id == challenge.id, cat.public_condition())
                                .order_by(Listing.id)).scalars().all()
    based_on = challenge.based_on if challenge.based_on_id and challenge.based_on and challenge.based_on.is_public else None
    own_entry = None
    if signed_in(user) and can.results_out(challenge):
        from govchallenge.results.shared import own_entries

        ids = own_entries(challenge)
        own_entry = ids[-1] if ids else None
    hosts_tools = can.can_approve_listings(user, challenge)
    reuses = copying.reuses_of(challenge) if can.can_see_reuses(user, challenge) else []
    run_again = can.can_run_again(user, challenge)
    contest = contests.joined_contest(challenge)
    invitations = [i for i in contests.pending_invitations(challenge) if can.can_answer_invitation(user, i)]
    propose_contest = contest is None and challenge.is_public and can.can_propose_contest(user, challenge)
    give_award = contest is not None and can.can_give_shared_award(user, contest)
    if not (listed or based_on or own_entry or hosts_tools or reuses or run_again or contest or invitations
            or propose_contest):
        return None
    return {"challenge": challenge, "listed": listed, "based_on": based_on, "own_entry": own_entry,
            "hosts_tools": hosts_tools, "reuses": reuses, "run_again": run_again, "contest": contest,
            "invitations": invitations, "propose_contest": propose_contest, "give_award": give_award}
