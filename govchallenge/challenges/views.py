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
from govchallenge.core.actions import Messages, button_action, confirmation, form_action
from govchallenge.core.pagination import page_of
from govchallenge.core.geo import EU_MEMBER_STATES, country_choices
from govchallenge.core.feeds import atom_response
from govchallenge.core.i18n import current_language
from govchallenge.core.i18n import lazy_text as _l
from govchallenge.core.languages import EU_LANGUAGES, is_language, language_name, pick
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
    ARCHIVED, CHANGES_REQUESTED, DECLINED, DRAFT, DOMAINS, IN_EVALUATION, IN_REVIEW, OPEN_LICENCE_LABELS, PUBLIC_STATES, STATE_LABELS, Challenge, ChallengeAttachment, ChallengeHost,
    Clarification, Criterion, Prize, Stage,
)
from .operations import TEXT_FIELDS
from .panels import feed_sources, panels_for
from .tasks import task_list

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
    "stage_order": lambda detail: _("The stage “%(stage)s” must close after it opens.", stage=detail.get("stage", "")),
    "overlap": lambda detail: _("The stage “%(stage)s” opens before the stage “%(other)s” closes: each stage opens only "
                                "once the one before it has closed.", stage=detail["stage"], other=detail["other"]),
    "publish_after_opening": lambda detail: _("The challenge must be published before its first stage, “%(stage)s”, opens.",
                                              stage=detail["stage"]),
    "results_before_close": lambda detail: _("The results must be expected after the last stage, “%(stage)s”, closes.",
                                             stage=detail["stage"]),
    "stage_past": lambda detail: _("The stage “%(stage)s” has already closed: move its dates or remove it before sending "
                                   "the challenge for review.", stage=detail["stage"]),
    "place_taken": lambda detail: _("Another prize is already for place %(place)s: each place has one prize.", place=detail["place"]),
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
    statuses={"locked": 409, "stale": 409, "answered": 409, "transition": 409, "not_closed": 409, "stage_past": 409})


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
        tasks=task_list(challenge, now) if is_host and challenge.status in (DRAFT, CHANGES_REQUESTED) else [],
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
        flash(_("The draft is saved. Its task list shows what is left to do before you send it for review."), "success")
        return redirect(url_for("challenges.show", slug=challenge.slug, _anchor="tasks"))
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
            at_fault = {"publish_after_opening": form.publish_at, "results_before_close": form.results_at}.get(error.code, form.title)
            at_fault.errors = list(at_fault.errors) + [MESSAGES.text(error)]
            form.version.data = challenge.version
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("challenges.show", slug=slug))
    return render_template("challenges/form.html", form=form, challenge=challenge), 400 if form.errors else 200


# The most characters a translated text of a stage, criterion or prize takes, as their own forms allow.
PART_LIMITS = {"name": 120, "description": 5000, "anchor": 200}


def _part_limit(attribute):
    return PART_LIMITS["anchor" if attribute.startswith("anchor-") else attribute]


def _translation_parts(challenge, language, typed=None):
    """The texts of the stages, criteria and prizes to translate, each with its text in the main language and
    its translation into `language` (what was typed, when a form comes back)."""
    parts = []
    for kind, item_id, attribute, item in operations.translatable_parts(challenge):
        key = f"{kind}-{item_id}-{attribute}"
        source = (item.anchors or {}).get(attribute[len("anchor-"):], {}) if attribute.startswith("anchor-") else (getattr(item, attribute) or {})
        if not source.get(challenge.main_language) and not source.get(language):
            continue
        value = typed.get(key, "") if typed is not None else source.get(language, "")
        limit = _part_limit(attribute)
        parts.append({"key": key, "kind": kind, "attribute": attribute, "original": source.get(challenge.main_language, ""),
                      "value": value or "", "limit": limit, "error": len(value or "") > limit})
    return parts


def _translation_form(challenge, language):
    """The form of one language, opened with that language's texts as they are."""
    form = TranslationForm(data={"language": language, **{name: (getattr(challenge, name) or {}).get(language, "") for name in TEXT_FIELDS}})
    return form.fill(exclude=(challenge.main_language,))


@bp.route("/<slug>/translations", methods=["GET", "POST"])
def translations(slug):
    """Languages of the challenge; choosing one opens its form filled with its translation as it is. Saving
    changes only the fields the form sent, so nothing of the translation is lost."""
    challenge = _load(slug)
    require(can.can_edit(current_user, challenge), WHY_NOT_HOST)
    if request.method == "POST":
        form = TranslationForm().fill(exclude=(challenge.main_language,))
        language = form.language.data or ""
    else:
        language = request.args.get("language", "")
        form = _translation_form(challenge, language) if language else None
    chooser = TranslationForm(data={"language": language}, meta={"csrf": False}).fill(exclude=(challenge.main_language,))
    if language and (language == challenge.main_language or not is_language(language)):
        chooser.language.errors = [_("This is the main language: edit the challenge itself.") if language == challenge.main_language
                                   else _("Choose a language from the list.")]
        return render_template("challenges/translations.html", form=None, chooser=chooser, challenge=challenge, parts=[]), 400
    typed = {key: value for key, value in request.form.items() if key.split("-", 1)[0] in ("stage", "criterion", "prize")}
    parts = _translation_parts(challenge, language, typed if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit() and not any(p["error"] for p in parts):
        texts = {name: (request.form[name] or "").strip() for name in TEXT_FIELDS if name in request.form}
        return _apply(lambda: operations.set_translation(current_user, challenge, language, texts, typed),
                      url_for("challenges.translations", slug=slug), _("The translation is saved."))
    failed = request.method == "POST"
    return render_template("challenges/translations.html", form=form, chooser=chooser, challenge=challenge, parts=parts,
                           parts_failed=failed and any(p["error"] for p in parts)), 400 if failed else 200


@bp.route("/<slug>/translations/<language>/remove", methods=["POST"])
def remove_translation(slug, language):
    challenge = _load(slug)
    require(can.can_edit(current_user, challenge), WHY_NOT_HOST)
    if language not in challenge.languages:
        abort(404)
    return _apply(lambda: operations.remove_translation(current_user, challenge, language),
                  url_for("challenges.translations", slug=slug), _("The translation is removed."))


def _editable(slug):
    challenge = _load(slug)
    require(can.can_edit(current_user, challenge), WHY_NOT_HOST)
    return challenge


def _stage(challenge, form, stage=None):
    zone = challenge.timezone
    values = (form.name.data.strip(), (form.description.data or "").strip(),
              local_to_utc(form.opens_at.data, zone), local_to_utc(form.closes_at.data, zone))
    if stage is None:
        return operations.add_stage(current_user, challenge, *values)
    return operations.update_stage(current_user, challenge, stage, *values)


def _stage_values(challenge, stage):
    main = challenge.main_language
    return {"name": stage.name.get(main, ""), "description": (stage.description or {}).get(main, ""),
            "opens_at": _local(stage.opens_at, challenge), "closes_at": _local(stage.closes_at, challenge)}


def _criterion(challenge, form, criterion=None):
    values = (form.name.data.strip(), (form.description.data or "").strip(), form.weight.data, form.scale_min.data,
              form.scale_max.data, getattr(form, "parsed_anchors", {}), form.threshold.data, form.informational.data,
              form.round_number.data)
    if criterion is None:
        return operations.add_criterion(current_user, challenge, *values)
    return operations.update_criterion(current_user, challenge, criterion, *values)


def _criterion_values(challenge, criterion):
    main = challenge.main_language
    anchors = "\n".join(f"{point}: {labels.get(main, '')}" for point, labels in
                        sorted((criterion.anchors or {}).items(), key=lambda item: int(item[0])))
    return {"name": criterion.name.get(main, ""), "description": (criterion.description or {}).get(main, ""),
            "weight": criterion.weight, "scale_min": criterion.scale_min, "scale_max": criterion.scale_max, "anchors": anchors,
            "threshold": criterion.threshold, "informational": criterion.informational, "round_number": criterion.round_number}


def _prize(challenge, form, prize=None):
    values = (form.name.data.strip(), (form.description.data or "").strip(), form.place.data, form.amount.data,
              form.currency.data or None)
    if prize is None:
        return operations.add_prize(current_user, challenge, *values)
    return operations.update_prize(current_user, challenge, prize, *values)


def _prize_values(challenge, prize):
    main = challenge.main_language
    return {"name": prize.name.get(main, ""), "description": (prize.description or {}).get(main, ""), "place": prize.place,
            "amount": prize.amount, "currency": prize.currency or ""}


def _attachment(challenge, form):
    upload = form.file.data
    data = upload.read(operations.max_attachment_bytes() + 1)
    return operations.add_attachment(current_user, challenge, form.title.data.strip(), clean_filename(upload.filename), data)


@dataclass(frozen=True)
class Part:
    """The parts of a challenge its hosts build one by one: a page that lists them with a form to add one, a
    page to change each in place (not attachments: a file is replaced by removing it and attaching another),
    and a confirmation page to remove each."""
    path: str          # URL part and page endpoint: /<slug>/<path>
    kind: str          # stage, criterion, prize, attachment: endpoints remove_<kind>, edit_<kind>
    model: type
    form: object       # (**kwargs) -> a form
    add: object        # (challenge, form) -> the new part
    remove: object     # operations.remove_*(actor, challenge, part)
    added: object      # () -> message
    removed: object
    remove_question: object  # (name) -> "Remove the stage “…”?"
    fields: object = dict    # (form) -> {refusal code: the field it is about}
    change: object = None    # (challenge, form, part) -> the part changed; None: not changed in place
    values: object = None    # (challenge, part) -> the form's data as the part is
    edit_title: object = None  # () -> the heading of the edit page
    context: object = dict  # () -> more for the template

    @property
    def page(self):
        return f"challenges.{self.path}"

    def name_of(self, challenge, part):
        return (getattr(part, "name", None) or getattr(part, "title", None) or {}).get(challenge.main_language, "")

    def _form_action(self, challenge, form, run, message, template, **context):
        """The page of one form: GET shows it; POST runs `run` in the one action shape, back to the list."""
        def again(status):
            return render_template(template, form=form, challenge=challenge, **context), status

        if request.method == "GET":
            return again(200)
        return form_action(form, run, done=lambda _part: (url_for(self.page, slug=challenge.slug), message),
                           again=again, messages=MESSAGES, fields=self.fields(form))

    def add_page(self, slug):
        """Add one from its form. A refusal comes back on the field it is about (else above the form) with
        what was typed."""
        challenge = _editable(slug)
        form = self.form()
        return self._form_action(challenge, form, lambda: self.add(challenge, form), self.added(),
                                 f"challenges/{self.path}.html", **self.context())

    def edit_page(self, slug, part_id):
        """Change one in place, its form opened with what it holds; audited like every edit."""
        challenge = _editable(slug)
        part = _child(self.model, challenge, part_id)
        form = self.form(data=self.values(challenge, part)) if request.method == "GET" else self.form()
        return self._form_action(challenge, form, lambda: self.change(challenge, form, part), _("Saved."),
                                 "challenges/edit_part.html", part=part, heading=self.edit_title(), back=url_for(self.page, slug=slug))

    def remove_one(self, slug, part_id):
        """GET asks (naming the part); POST removes."""
        challenge = _editable(slug)
        part = _child(self.model, challenge, part_id)
        back = url_for(self.page, slug=slug)
        if request.method == "GET":
            return confirmation(self.remove_question(self.name_of(challenge, part)),
                                _("It is removed from the challenge with its translations. This cannot be undone."),
                                _("Remove"), back)
        return _apply(lambda: self.remove(current_user, challenge, part), back, self.removed())


PARTS = (
    Part("stages", "stage", Stage, StageForm, _stage, operations.remove_stage,
         lambda: _("The stage is added."), lambda: _("The stage is removed."),
         lambda name: _("Remove the stage “%(name)s”?", name=name),
         fields=lambda form: {"overlap": form.opens_at, "publish_after_opening": form.opens_at,
                              "results_before_close": form.closes_at, "stage_order": form.closes_at},
         change=_stage, values=_stage_values, edit_title=lambda: _("Change the stage")),
    Part("criteria", "criterion", Criterion, CriterionForm, _criterion, operations.remove_criterion,
         lambda: _("The criterion is added."), lambda: _("The criterion is removed."),
         lambda name: _("Remove the criterion “%(name)s”?", name=name),
         fields=lambda form: {"weight": form.weight, "scale": form.scale_max},
         change=_criterion, values=_criterion_values, edit_title=lambda: _("Change the criterion")),
    Part("prizes", "prize", Prize, lambda **kwargs: PrizeForm(**kwargs).fill(), _prize, operations.remove_prize,
         lambda: _("The prize is added."), lambda: _("The prize is removed."),
         lambda name: _("Remove the prize “%(name)s”?", name=name),
         fields=lambda form: {"place_taken": form.place},
         change=_prize, values=_prize_values, edit_title=lambda: _("Change the prize")),
    Part("attachments", "attachment", ChallengeAttachment, AttachmentForm, _attachment, operations.remove_attachment,
         lambda: _("The file is attached."), lambda: _("The file is removed."),
         lambda name: _("Remove the file “%(name)s”?", name=name),
         fields=lambda form: dict.fromkeys(("file_empty", "file_too_large", "file_type", "file_storage"), form.file),
         context=lambda: {"limit_mb": operations.max_attachment_bytes() // (1024 * 1024)}),
)
for _part in PARTS:
    bp.add_url_rule(f"/<slug>/{_part.path}", _part.path, _part.add_page, methods=["GET", "POST"])
    bp.add_url_rule(f"/<slug>/{_part.path}/<int:part_id>/remove", f"remove_{_part.kind}", _part.remove_one, methods=["GET", "POST"])
    if _part.change is not None:
        bp.add_url_rule(f"/<slug>/{_part.path}/<int:part_id>/edit", f"edit_{_part.kind}", _part.edit_page, methods=["GET", "POST"])


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
    require(can.can_respond_invitation(current_user, host), can.refusal(can.can_respond_invitation))
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
    require(permission(current_user, challenge), can.refusal(permission))
    return _apply(lambda: change(challenge), url_for("challenges.show", slug=slug), message)


@bp.route("/<slug>/submit", methods=["GET", "POST"])
def submit(slug):
    """GET: check your answers — the whole challenge as the administrators will read it, each part with a
    link to change it, and what still stops it; POST sends it."""
    if request.method == "POST":
        return _lifecycle(slug, can.can_submit_for_review, lambda c: operations.submit_for_review(current_user, c),
                          _("The challenge is sent to the platform administrators for review."))
    challenge = _load(slug)
    require(can.can_submit_for_review(current_user, challenge), can.refusal(can.can_submit_for_review))
    problems = [MESSAGES.text(operations.ChallengeError(p.code, stage=p.stage, other=p.other))
                for p in operations.date_problems(challenge, utcnow())]
    if operations.missing_for_review(challenge):
        problems.insert(0, MESSAGES.text(operations.ChallengeError("incomplete")))
    return render_template("challenges/check.html", challenge=challenge, texts=localised(challenge), problems=problems,
                           sendable=challenge.status in (DRAFT, CHANGES_REQUESTED))


@bp.route("/<slug>/withdraw", methods=["GET", "POST"])
def withdraw(slug):
    if request.method == "GET":
        challenge = _load(slug)
        require(can.can_submit_for_review(current_user, challenge), can.refusal(can.can_submit_for_review))
        return confirmation(_("Withdraw the challenge from review?"),
                            _("It goes back to draft: the administrators stop reviewing it, and you send it again when it is ready."),
                            _("Withdraw from review"), url_for("challenges.show", slug=slug))
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
    require(can.can_review(current_user, challenge), can.refusal(can.can_review))
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
    require(can.can_ask(current_user, challenge), can.refusal(can.can_ask))
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
    require(can.can_answer(current_user, challenge), can.refusal(can.can_answer))
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
    require(can.can_follow(current_user, challenge), can.refusal(can.can_follow))
    return _apply(lambda: operations.follow(current_user, challenge), url_for("challenges.show", slug=slug),
                  _("You follow this challenge: changes and answers will be e-mailed to you."))


@bp.route("/<slug>/unfollow", methods=["POST"])
def unfollow(slug):
    challenge = _load_visible(slug)
    require(current_user.is_authenticated)
    return _apply(lambda: operations.unfollow(current_user, challenge), url_for("challenges.show", slug=slug),
                  _("You no longer follow this challenge."))

