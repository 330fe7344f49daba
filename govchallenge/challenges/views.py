"""Pages of the challenges domain: catalogue, challenge page, authoring, review, Q&A, feed."""
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from govchallenge.core import audit, storage
from govchallenge.core.page_cache import cached_page, valid_until
from govchallenge.core.actions import Messages, button_action, form_action
from govchallenge.core.pagination import page_of
from govchallenge.core.geo import EU_MEMBER_STATES, country_choices
from govchallenge.core.feeds import atom_response
from govchallenge.core.i18n import current_language
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.languages import EU_LANGUAGES, language_name, pick
from govchallenge.core.names import clean_filename
from govchallenge.core.lookups import child_or_404
from govchallenge.core.permissions import require, send_to_sign_in
from govchallenge.core.timeutil import local_to_utc, to_zone, utcnow
from govchallenge.core.urls import external_url
from govchallenge.extensions import db
from govchallenge.organisations.models import Organisation

from . import catalogue as cat
from . import operations
from . import permissions as can
from .forms import (
    AnswerForm, AttachmentForm, ChallengeForm, CriterionForm, InviteForm, PrizeForm, QuestionForm, ReviewForm, StageForm,
    TranslationForm,
)
from .models import (
    ARCHIVED, CHANGES_REQUESTED, DECLINED, DOMAINS, IN_EVALUATION, IN_REVIEW, OPEN_LICENCE_LABELS, PUBLIC_STATES, STATE_LABELS, Challenge, ChallengeAttachment, ChallengeHost,
    Clarification, Criterion, Prize, Stage,
)
from .operations import TEXT_FIELDS
from .panels import feed_sources, panels_for

bp = Blueprint("challenges", __name__, url_prefix="/challenges")

# What a signed-in person refused a page is told (the 403 page adds what they can do).
WHY_NOT_AUTHOR = _l("Only officers of a verified public body may write challenges. Ask an officer of your body to "
                    "make you an officer, or register your public body and wait for an administrator to verify it.")
WHY_NOT_ADMIN = _l("Only the platform's administrators review challenges before they are published.")
WHY_NOT_HOST = _l("Only the officers of the public bodies that host this challenge may open this page.")
PAGE_SIZE = 20


MESSAGES = Messages({
    "locked": lambda detail: _("This part of the challenge cannot change in its present state."),
    "stale": lambda detail: _("Someone else saved this challenge while you were editing. Your text is kept below: check the page and save again."),
    "stage_order": lambda detail: _("A stage must close after it opens."),
    "weight": lambda detail: _("The weight must be greater than zero."),
    "scale": lambda detail: _("The lowest score must be below the highest."),
    "not_public_body": lambda detail: _("Only verified public bodies can host a challenge."),
    "already_host": lambda detail: _("This body is already a host or invited."),
    "answered": lambda detail: _("This invitation was already answered."),
    "lead": lambda detail: _("The lead host cannot be removed."),
    "transition": lambda detail: _("This step is not possible in the challenge's present state."),
    "not_closed": lambda detail: _("The challenge has not closed yet."),
    "incomplete": lambda detail: _("Before review the challenge needs a title, at least one stage and at least one criterion."),
    "main_language": lambda detail: _("The main language cannot be removed."),
    "file_empty": lambda detail: _("The file is empty."),
    "file_too_large": lambda detail: _("The file is larger than the limit."),
    "file_type": lambda detail: _("This type of file is not accepted. The type is read from the file's content, not its name."),
    "file_storage": lambda detail: _("The file could not be stored just now. Nothing was saved; your text is kept below. Try again in a moment."),
}, default=lambda: _("This step is not possible in the challenge's present state."),
    statuses={"locked": 409, "stale": 409, "answered": 409, "transition": 409, "not_closed": 409})


def _load(slug, options=True):
    statement = sa.select(Challenge).where(Challenge.slug == slug)
    if options:
        statement = statement.options(*cat.detail_options())
    challenge = db.session.execute(statement).scalar_one_or_none()
    if challenge is None:
        abort(404)
    return challenge


def _load_visible(slug):
    """A challenge the viewer may see. A draft is a 404 to a signed-in stranger (drafts stay unlisted), and
    the sign-in page to an anonymous visitor: the link an invited co-host or a host follows from an e-mail."""
    challenge = _load(slug)
    if not can.can_view(current_user, challenge):
        if not current_user.is_authenticated:
            send_to_sign_in()
        abort(404)
    return challenge


def _child(model, challenge, child_id):
    return child_or_404(model, child_id, challenge_id=challenge.id)


def _apply(change, target, success):
    """A button or a validated form: run one operation; on a business-rule refusal roll back and say why.
    An operation may return the URL to go to next."""
    return button_action(change, back=target, messages=MESSAGES,
                         done=lambda result: (result if isinstance(result, str) else target, success))


def localised(challenge):
    language = current_language()
    return {name: pick(getattr(challenge, name), language, challenge.main_language) for name in TEXT_FIELDS}


def next_deadline(challenge, now):
    upcoming = [s for s in challenge.stages if s.closes_at > now]
    return min(upcoming, key=lambda s: s.closes_at) if upcoming else None


def countdown_changes(deadline, now):
    """When the page's "Time left: d days h hours" next shows another figure: at the next whole hour before
    the deadline."""
    hours_left = (deadline - now) // timedelta(hours=1)
    return deadline - timedelta(hours=hours_left)


@bp.app_context_processor
def _helpers():
    return {"challenge_state_labels": STATE_LABELS, "challenge_domains": DOMAINS, "challenge_open_licence": OPEN_LICENCE_LABELS}


# --- catalogue and feed ----------------------------------------------------------------------

@bp.route("/")
@cached_page
def catalogue():
    filters, _invalid = cat.clean_filters(request.args)
    valid_until(cat.next_change(utcnow()))
    page = page_of(cat.query(filters), PAGE_SIZE)
    return render_template(
        "challenges/catalogue.html", page=page, filters=filters, countries=country_choices(),
        states=[(s, STATE_LABELS[s]) for s in PUBLIC_STATES], domains=DOMAINS, now=utcnow(),
        can_create=can.can_create_challenge(current_user),
        languages=sorted(((c, language_name(c)) for c in EU_LANGUAGES), key=lambda item: item[1]),
    )


@bp.route("/feed.atom")
def feed():
    now = utcnow()
    challenges = db.session.execute(
        sa.select(Challenge).where(cat.public_condition(now)).order_by(Challenge.updated_at.desc()).limit(50)
    ).scalars().all()
    language = current_language()
    entries = [{
        "id": f"tag:govchallenge,challenge:{c.slug}",
        "title": str(pick(c.title, language, c.main_language)),
        "link": external_url("challenges.show", slug=c.slug),
        "updated": c.updated_at,
        "summary": str(pick(c.summary, language, c.main_language)),
    } for c in challenges]
    for source in feed_sources():
        try:
            entries.extend(source())
        except Exception:  # another domain's entries never break the feed
            db.session.rollback()
    return atom_response(entries, _("Published challenges"), external_url("challenges.feed"))


@bp.route("/mine")
def mine():
    require(current_user.is_authenticated)
    organisation_ids = [m.organisation_id for m in can._memberships(current_user) if m.role == "officer"]
    hosts = db.session.execute(
        sa.select(ChallengeHost).where(ChallengeHost.organisation_id.in_(organisation_ids or [-1]))
        .options(sa.orm.joinedload(ChallengeHost.challenge), sa.orm.joinedload(ChallengeHost.organisation))
        .order_by(ChallengeHost.id.desc())
    ).scalars().all()
    return render_template("challenges/mine.html", hosts=hosts, can_create=can.can_create_challenge(current_user))


@bp.route("/review")
def review_queue():
    require(can.can_see_review_queue(current_user), WHY_NOT_ADMIN)
    waiting = db.session.execute(
        sa.select(Challenge).where(Challenge.status == IN_REVIEW).order_by(Challenge.updated_at)
        .options(sa.orm.selectinload(Challenge.hosts).selectinload(ChallengeHost.organisation))
    ).scalars().all()
    return render_template("challenges/queue.html", waiting=waiting)


# --- the challenge page ----------------------------------------------------------------------

@bp.route("/<slug>")
@cached_page
def show(slug):
    challenge = _load_visible(slug)
    now = utcnow()
    deadline = next_deadline(challenge, now)
    valid_until(countdown_changes(deadline.closes_at, now) if deadline else None)
    is_host = can.is_host_officer(current_user, challenge)
    clarifications = db.session.execute(
        sa.select(Clarification).where(Clarification.challenge_id == challenge.id)
        .where(sa.true() if is_host else Clarification.answer.is_not(None)).order_by(Clarification.asked_at)
    ).scalars().all()
    panels = []
    for template, context in panels_for(challenge, current_user):
        values = {"challenge": challenge}
        values.update(context)
        panels.append(Markup(render_template(template, **values)))
    texts = localised(challenge)
    review_note = None
    if is_host and challenge.status == CHANGES_REQUESTED:
        review_note = next((e for e in audit.events_for("challenge", challenge.id, limit=20) if e.action == "challenge.changes_requested"), None)
    return render_template(
        "challenges/show.html", challenge=challenge, texts=texts, now=now, deadline=deadline,
        fell_back=texts["title"].fell_back, is_host=is_host, clarifications=clarifications, panels=panels,
        can_ask=can.can_ask(current_user, challenge), can_follow=can.can_follow(current_user, challenge),
        following=operations.is_following(current_user, challenge), question_form=QuestionForm(),
        answer_form=AnswerForm(), eu_countries=sorted(EU_MEMBER_STATES), invited_host=next(
            (h for h in challenge.hosts if can.can_respond_invitation(current_user, h)), None),
        can_review=can.can_review(current_user, challenge), review_form=ReviewForm(),
        can_move_workflow=can.can_move_workflow(current_user, challenge),
        missing=operations.missing_for_review(challenge) if is_host else [],
        review_note=(review_note.detail.get("comment") or "") if review_note else None,
    )


@bp.route("/<slug>/attachments/<int:attachment_id>")
def attachment(slug, attachment_id):
    challenge = _load_visible(slug)
    item = _child(ChallengeAttachment, challenge, attachment_id)
    try:
        return storage.stored_download(item.sha256, item.filename, item.mime_type)
    except FileNotFoundError:
        abort(404)


@bp.route("/<slug>/history")
def history(slug):
    challenge = _load(slug, options=False)
    require(can.can_see_audit(current_user, challenge), WHY_NOT_HOST)
    return render_template("challenges/history.html", challenge=challenge, events=audit.events_for("challenge", challenge.id, limit=200))


# --- authoring -------------------------------------------------------------------------------

def _local(value, challenge_or_zone):
    zone = getattr(challenge_or_zone, "timezone", challenge_or_zone)
    return to_zone(value, zone).replace(tzinfo=None) if value else None


def _settings(form):
    zone = form.timezone.data
    return {
        "domain": form.domain.data, "tags": form.tag_list(), "timezone": zone,
        "publish_at": local_to_utc(form.publish_at.data, zone) if form.publish_at.data else None,
        "results_at": local_to_utc(form.results_at.data, zone) if form.results_at.data else None,
        "countries_mode": form.countries_mode.data, "countries": form.countries.data or [],
        "entrant_kinds": form.entrant_kinds.data or [], "team_min": form.team_min.data, "team_max": form.team_max.data,
        "anonymous_review": bool(form.anonymous_review.data), "review_comment": form.review_comment.data,
        "jurors_see_others": bool(form.jurors_see_others.data), "aggregation": form.aggregation.data,
        "calibration": form.calibration.data, "publish_ranking": form.publish_ranking.data,
        "open_licence": form.open_licence.data,
    }


def _texts(form):
    return {name: (getattr(form, name).data or "").strip() for name in TEXT_FIELDS}


@bp.route("/new", methods=["GET", "POST"])
def create():
    require(can.can_create_challenge(current_user), WHY_NOT_AUTHOR)
    hosts = can.authoring_organisations(current_user)
    form = ChallengeForm().fill(hosts)
    if request.method == "GET":
        form.main_language.data = current_language()
        form.timezone.data = current_user.timezone or "UTC"
    if form.validate_on_submit():
        organisation = next(o for o in hosts if o.id == form.host.data)
        challenge = operations.create(current_user, organisation, form.main_language.data, _texts(form), **_settings(form))
        db.session.commit()
        flash(_("The draft is saved. Add its stages, criteria and prizes, then send it for review."), "success")
        return redirect(url_for("challenges.show", slug=challenge.slug))
    return render_template("challenges/form.html", form=form, challenge=None), 400 if form.errors else 200


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug):
    challenge = _load(slug)
    require(can.can_edit(current_user, challenge), WHY_NOT_HOST)
    form = ChallengeForm().fill()
    if request.method == "GET":
        for name in TEXT_FIELDS:
            getattr(form, name).data = (getattr(challenge, name) or {}).get(challenge.main_language, "")
        for name in ("main_language", "domain", "timezone", "countries_mode", "countries", "entrant_kinds", "team_min",
                     "team_max", "anonymous_review", "review_comment", "jurors_see_others", "aggregation", "calibration",
                     "publish_ranking", "open_licence", "version"):
            getattr(form, name).data = getattr(challenge, name)
        form.tags.data = ", ".join(challenge.tags or [])
        form.publish_at.data = _local(challenge.publish_at, challenge)
        form.results_at.data = _local(challenge.results_at, challenge)
    elif form.validate_on_submit():
        try:
            settings = _settings(form)
            settings["main_language"] = form.main_language.data
            operations.update(current_user, challenge, _texts(form), version=form.version.data, **settings)
        except operations.ChallengeError as error:
            db.session.rollback()
            form.title.errors = list(form.title.errors) + [MESSAGES.text(error)]
            form.version.data = challenge.version
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("challenges.show", slug=slug))
    return render_template("challenges/form.html", form=form, challenge=challenge), 400 if form.errors else 200


@bp.route("/<slug>/translations", methods=["GET", "POST"])
def translations(slug):
    challenge = _load(slug)
    require(can.can_edit(current_user, challenge), WHY_NOT_HOST)
    form = TranslationForm().fill(exclude=(challenge.main_language,))
    wanted = request.args.get("language", "")
    if request.method == "GET" and wanted and wanted != challenge.main_language:
        form.language.data = wanted
        for name in TEXT_FIELDS:
            getattr(form, name).data = (getattr(challenge, name) or {}).get(wanted, "")
    if form.validate_on_submit():
        if form.language.data == challenge.main_language:
            form.language.errors.append(_("This is the main language: edit the challenge itself."))
        else:
            parts = {key: value for key, value in request.form.items() if key.split("-", 1)[0] in ("stage", "criterion", "prize")}
            return _apply(lambda: operations.set_translation(current_user, challenge, form.language.data, _texts(form), parts),
                          url_for("challenges.translations", slug=slug), _("The translation is saved."))
    language = form.language.data or wanted
    parts = []
    for kind, item_id, attribute, item in operations.translatable_parts(challenge):
        key = f"{kind}-{item_id}-{attribute}"
        if attribute.startswith("anchor-"):
            source = (item.anchors or {}).get(attribute[len("anchor-"):], {})
        else:
            source = getattr(item, attribute) or {}
        if not source.get(challenge.main_language) and not source.get(language):
            continue
        current = request.form.get(key) if request.method == "POST" else source.get(language, "")
        parts.append({"key": key, "kind": kind, "attribute": attribute, "original": source.get(challenge.main_language, ""), "value": current or ""})
    return render_template("challenges/translations.html", form=form, challenge=challenge, parts=parts), 400 if form.errors else 200


@bp.route("/<slug>/translations/<language>/remove", methods=["POST"])
def remove_translation(slug, language):
    challenge = _load(slug)
    require(can.can_edit(current_user, challenge), WHY_NOT_HOST)
    if language not in challenge.languages:
        abort(404)
    return _apply(lambda: operations.remove_translation(current_user, challenge, language),
                  url_for("challenges.translations", slug=slug), _("The translation is removed."))


def _remove_part(slug, model, part_id, remove, page, message):
    """Remove one stage, criterion, prize or attachment of the challenge: hosts only, by button."""
    challenge = _load(slug)
    require(can.can_edit(current_user, challenge), WHY_NOT_HOST)
    part = _child(model, challenge, part_id)
    return _apply(lambda: remove(current_user, challenge, part), url_for(page, slug=slug), message)


def _add_part(slug, form, template, add, page, message, field=None, **context):
    """Add one stage, criterion, prize or attachment from its form. A refusal comes back on the form (on `field`,
    else above it) with what was typed."""
    challenge = _load(slug)
    require(can.can_edit(current_user, challenge), WHY_NOT_HOST)

    def again(status):
        return render_template(template, form=form, challenge=challenge, **context), status

    if request.method == "GET":
        return again(200)
    return form_action(form, lambda: add(challenge, form), done=lambda _part: (url_for(page, slug=slug), message),
                       again=again, messages=MESSAGES, field=getattr(form, field) if field else None)


def _stage(challenge, form):
    zone = challenge.timezone
    return operations.add_stage(
        current_user, challenge, form.name.data.strip(), (form.description.data or "").strip(),
        local_to_utc(form.opens_at.data, zone), local_to_utc(form.closes_at.data, zone))


def _criterion(challenge, form):
    return operations.add_criterion(
        current_user, challenge, form.name.data.strip(), (form.description.data or "").strip(), form.weight.data,
        form.scale_min.data, form.scale_max.data, getattr(form, "parsed_anchors", {}), form.threshold.data,
        form.informational.data, form.round_number.data)


def _prize(challenge, form):
    return operations.add_prize(
        current_user, challenge, form.name.data.strip(), (form.description.data or "").strip(), form.place.data,
        form.amount.data, form.currency.data or None)


def _attachment(challenge, form):
    upload = form.file.data
    data = upload.read(operations.max_attachment_bytes() + 1)
    return operations.add_attachment(current_user, challenge, form.title.data.strip(), clean_filename(upload.filename), data)


@dataclass(frozen=True)
class Part:
    """The parts of a challenge its hosts build one by one: a page that lists them with a form to add one,
    and a button to remove each."""
    path: str          # URL part and page endpoint: /<slug>/<path>
    remove_endpoint: str
    model: type
    form: object       # () -> a form
    add: object        # (challenge, form) -> the new part
    remove: object     # operations.remove_*(actor, challenge, part)
    added: object      # () -> message
    removed: object
    field: str = None  # the field a refusal is about, when it is about one
    context: object = dict  # () -> more for the template

    def add_page(self, slug):
        return _add_part(slug, self.form(), f"challenges/{self.path}.html", self.add, f"challenges.{self.path}",
                         self.added(), field=self.field, **self.context())

    def remove_one(self, slug, part_id):
        return _remove_part(slug, self.model, part_id, self.remove, f"challenges.{self.path}", self.removed())


PARTS = (
    Part("stages", "remove_stage", Stage, StageForm, _stage, operations.remove_stage,
         lambda: _("The stage is added."), lambda: _("The stage is removed.")),
    Part("criteria", "remove_criterion", Criterion, CriterionForm, _criterion, operations.remove_criterion,
         lambda: _("The criterion is added."), lambda: _("The criterion is removed.")),
    Part("prizes", "remove_prize", Prize, lambda: PrizeForm().fill(), _prize, operations.remove_prize,
         lambda: _("The prize is added."), lambda: _("The prize is removed.")),
    Part("attachments", "remove_attachment", ChallengeAttachment, AttachmentForm, _attachment, operations.remove_attachment,
         lambda: _("The file is attached."), lambda: _("The file is removed."), field="file",
         context=lambda: {"limit_mb": operations.max_attachment_bytes() // (1024 * 1024)}),
)
for _part in PARTS:
    bp.add_url_rule(f"/<slug>/{_part.path}", _part.path, _part.add_page, methods=["GET", "POST"])
    bp.add_url_rule(f"/<slug>/{_part.path}/<int:part_id>/remove", _part.remove_endpoint, _part.remove_one, methods=["POST"])


# --- co-hosts --------------------------------------------------------------------------------

@bp.route("/<slug>/hosts", methods=["GET", "POST"])
def hosts(slug):
    challenge = _load(slug)
    require(can.can_manage_hosts(current_user, challenge), WHY_NOT_HOST)
    present = {h.organisation_id for h in challenge.hosts if h.state != DECLINED}
    candidates = db.session.execute(
        sa.select(Organisation).where(Organisation.kind == "public_body", Organisation.verified_at.is_not(None)).order_by(Organisation.country, Organisation.name)
    ).scalars().all()
    form = InviteForm()
    form.organisation.choices = [(o.id, f"{o.name} ({o.country})") for o in candidates if o.id not in present]
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation.data)
        return _apply(lambda: operations.invite_cohost(current_user, challenge, organisation),
                      url_for("challenges.hosts", slug=slug), _("The invitation is sent to the body's officers."))
    return render_template("challenges/hosts.html", form=form, challenge=challenge), 400 if form.errors else 200


def _invitation(slug, host_id):
    challenge = _load(slug)
    host = _child(ChallengeHost, challenge, host_id)
    require(can.can_respond_invitation(current_user, host))
    return challenge, host


@bp.route("/<slug>/hosts/<int:host_id>/accept", methods=["POST"])
def accept_invitation(slug, host_id):
    _challenge, host = _invitation(slug, host_id)
    return _apply(lambda: operations.respond_invitation(current_user, host, True), url_for("challenges.show", slug=slug),
                  _("Your body is now a co-host of this challenge."))


@bp.route("/<slug>/hosts/<int:host_id>/decline", methods=["POST"])
def decline_invitation(slug, host_id):
    _challenge, host = _invitation(slug, host_id)
    return _apply(lambda: operations.respond_invitation(current_user, host, False), url_for("challenges.mine"), _("The invitation is declined."))


@bp.route("/<slug>/hosts/<int:host_id>/remove", methods=["POST"])
def remove_host(slug, host_id):
    challenge = _load(slug)
    require(can.can_manage_hosts(current_user, challenge), WHY_NOT_HOST)
    host = _child(ChallengeHost, challenge, host_id)
    return _apply(lambda: operations.remove_cohost(current_user, host), url_for("challenges.hosts", slug=slug), _("The co-host is removed."))


# --- lifecycle -------------------------------------------------------------------------------

def _lifecycle(slug, permission, change, message):
    """A lifecycle button of the challenge page: `change(challenge)` is the one operation."""
    challenge = _load(slug)
    require(permission(current_user, challenge))
    return _apply(lambda: change(challenge), url_for("challenges.show", slug=slug), message)


@bp.route("/<slug>/submit", methods=["POST"])
def submit(slug):
    return _lifecycle(slug, can.can_submit_for_review, lambda c: operations.submit_for_review(current_user, c),
                      _("The challenge is sent to the platform administrators for review."))


@bp.route("/<slug>/withdraw", methods=["POST"])
def withdraw(slug):
    return _lifecycle(slug, can.can_submit_for_review, lambda c: operations.withdraw_from_review(current_user, c),
                      _("The challenge is back to draft."))


@bp.route("/<slug>/start-evaluation", methods=["POST"])
def start_evaluation(slug):
    return _lifecycle(slug, can.can_move_workflow, lambda c: operations.set_status(c, IN_EVALUATION, current_user),
                      _("The challenge is in evaluation: entries are closed and the jury can start."))


@bp.route("/<slug>/archive", methods=["POST"])
def archive(slug):
    return _lifecycle(slug, can.can_move_workflow, lambda c: operations.set_status(c, ARCHIVED, current_user),
                      _("The challenge is archived."))


def _review(slug, change, message):
    challenge = _load(slug)
    require(can.can_review(current_user, challenge))
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    return _apply(lambda: change(current_user, challenge, form.comment.data or ""), url_for("challenges.show", slug=slug), message)


@bp.route("/<slug>/approve", methods=["POST"])
def approve(slug):
    return _review(slug, operations.approve, _("The challenge is approved."))


@bp.route("/<slug>/request-changes", methods=["POST"])
def request_changes(slug):
    return _review(slug, operations.request_changes, _("The hosts are asked for changes."))


# --- clarifications and following ------------------------------------------------------------

@bp.route("/<slug>/questions", methods=["POST"])
def ask(slug):
    challenge = _load_visible(slug)
    require(can.can_ask(current_user, challenge))
    form = QuestionForm()
    if not form.validate_on_submit():
        flash(_("Write your question before sending it."), "error")
        return redirect(url_for("challenges.show", slug=slug, _anchor="questions"))
    operations.ask(current_user, challenge, form.question.data, current_language())
    db.session.commit()
    flash(_("Your question is sent to the hosts. Their answer will appear on this page."), "success")
    return redirect(url_for("challenges.show", slug=slug, _anchor="questions"))


@bp.route("/<slug>/questions/<int:clarification_id>/answer", methods=["POST"])
def answer(slug, clarification_id):
    challenge = _load(slug)
    require(can.can_answer(current_user, challenge))
    clarification = _child(Clarification, challenge, clarification_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write the answer before sending it."), "error")
        return redirect(url_for("challenges.show", slug=slug, _anchor="questions"))
    operations.answer(current_user, challenge, clarification, form.answer.data)
    db.session.commit()
    flash(_("The answer is published; followers are told."), "success")
    return redirect(url_for("challenges.show", slug=slug, _anchor="questions"))


@bp.route("/<slug>/follow", methods=["POST"])
def follow(slug):
    challenge = _load_visible(slug)
    require(can.can_follow(current_user, challenge))
    return _apply(lambda: operations.follow(current_user, challenge), url_for("challenges.show", slug=slug),
                  _("You follow this challenge: changes and answers will be e-mailed to you."))


@bp.route("/<slug>/unfollow", methods=["POST"])
def unfollow(slug):
    challenge = _load_visible(slug)
    require(current_user.is_authenticated)
    return _apply(lambda: operations.unfollow(current_user, challenge), url_for("challenges.show", slug=slug),
                  _("You no longer follow this challenge."))

