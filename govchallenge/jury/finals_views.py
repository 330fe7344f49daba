"""The final rounds' pages: the juror's demo-day page (one finalist at a time, "previous or current better?"),
the juror's ranked ballot, and the chair's page (how the round is judged, live standings, the Schulze tables)."""
from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from govchallenge.core.actions import RuleError, button_action, form_action, refuse, succeed
from govchallenge.core.permissions import require
from govchallenge.extensions import db
from govchallenge.submissions.models import Submission

from . import finals
from . import permissions as can
from .forms import PairwiseVoteForm, RoundKindForm, ballot_form
from .messages import MESSAGES
from .models import CURRENT, PAIRWISE, PREVIOUS, RANKED, ROUND_KINDS
from .queries import entry_content, load_challenge, load_round


def _load(slug, number):
    challenge = load_challenge(slug)
    return challenge, load_round(challenge, number)


def _titles(ids):
    """{submission id: title} of the finalists shown, in one query."""
    rows = db.session.query(Submission).filter(Submission.id.in_(list(ids))).all() if ids else []
    return {s.id: entry_content(s)["title"] or _("Untitled entry") for s in rows}


def _juror_for(slug, number, kind):
    challenge, rnd = _load(slug, number)
    juror = can.final_juror(current_user, rnd)
    require(juror is not None and rnd.kind == kind)
    return challenge, rnd, juror


# --- the juror's demo-day page ------------------------------------------------------------------------------------

@login_required
def pairwise(slug, number):
    challenge, rnd, juror = _juror_for(slug, number, PAIRWISE)
    return _pairwise_page(challenge, rnd, juror, PairwiseVoteForm())


def _pairwise_page(challenge, rnd, juror, form, status=200):
    mine = finals.showings(rnd, juror)
    current = mine[-1] if mine else None
    previous = mine[-2] if len(mine) > 1 else None
    titles = _titles({s.submission_id for s in mine[-2:]})
    answered = sum(1 for s in mine if s.voted_at is not None)
    form.showing.data = current.public_id if current is not None else ""
    waiting = current is not None and current.position > 1 and current.voted_at is None
    return render_template("jury/pairwise.html", challenge=challenge, round=rnd, current=current, previous=previous,
                           titles=titles, answered=answered, form=form, waiting=waiting,
                           left=_left_to_see(rnd, juror, mine)), status


def _left_to_see(rnd, juror, mine):
    seen = {s.submission_id for s in mine}
    conflicted = finals.conflicted_finalists(rnd, juror)
    return sum(1 for sid in finals.finalists(rnd) if sid not in seen and sid not in conflicted)


@login_required
def pairwise_next(slug, number):
    challenge, rnd, juror = _juror_for(slug, number, PAIRWISE)
    back = url_for("jury.pairwise", slug=slug, number=number)
    return button_action(lambda: finals.show_next(rnd, juror, current_user), back=back, messages=MESSAGES,
                         done=lambda showing: (back, None if showing else _("You have seen every finalist. Thank you.")))


@login_required
def pairwise_vote(slug, number):
    """One answer, taken once. A refused vote (replayed, for a finalist not shown, after the close) changes
    nothing, says why, and is logged."""
    challenge, rnd, juror = _juror_for(slug, number, PAIRWISE)
    form = PairwiseVoteForm()
    back = url_for("jury.pairwise", slug=slug, number=number)
    if not form.validate_on_submit():
        return _pairwise_page(challenge, rnd, juror, form, 400)
    choice = CURRENT if form.current.data else PREVIOUS if form.previous.data else None
    try:
        showing = finals.cast_pairwise_vote(rnd, juror, form.showing.data, choice, current_user)
    except RuleError as error:
        current_app.logger.warning("pairwise vote refused (%s): round %s juror %s showing %r", error.code, rnd.id,
                                   juror.id, form.showing.data)
        status = refuse(error, MESSAGES)
        return _pairwise_page(challenge, rnd, juror, PairwiseVoteForm(formdata=None), status)
    return succeed(back, _("Counted.") if showing else _("Counted. You have seen every finalist. Thank you."))


# --- the juror's ranked ballot -------------------------------------------------------------------------------------

@login_required
def ballot(slug, number):
    challenge, rnd, juror = _juror_for(slug, number, RANKED)
    entry_ids = finals.finalists(rnd)
    conflicted = finals.conflicted_finalists(rnd, juror, entry_ids)
    open_ids = [sid for sid in entry_ids if sid not in conflicted]
    form = ballot_form(open_ids)
    saved = finals.ballot_of(rnd, juror)
    if request.method == "GET" and saved is not None:
        for place, tier in enumerate(saved.ranking, start=1):
            for sid in tier:
                if f"place_{sid}" in form:
                    form[f"place_{sid}"].data = str(place)

    def page(status=200):
        return render_template("jury/ballot.html", challenge=challenge, round=rnd, form=form, entry_ids=open_ids,
                               titles=_titles(open_ids), saved=saved, conflicted=len(conflicted)), status

    if request.method == "GET":
        return page()

    def run():
        places = {}
        for sid in open_ids:
            value = form[f"place_{sid}"].data
            if value:
                places.setdefault(int(value), []).append(sid)
        return finals.submit_ballot(rnd, juror, [places[p] for p in sorted(places)], current_user)

    return form_action(form, run, done=lambda _b: (url_for("jury.ballot", slug=slug, number=number),
                                                    _("Your ballot is saved. You may change it until the round closes.")),
                       again=page, messages=MESSAGES, invalid=_("Some answers need correcting."))


# --- the chair -----------------------------------------------------------------------------------------------------

def _chair(slug, number):
    challenge, rnd = _load(slug, number)
    require(can.can_see_final_standings(current_user, challenge))
    return challenge, rnd


def _kind_form(rnd, formdata=None):
    form = RoundKindForm(formdata=formdata) if formdata is not None else RoundKindForm()
    form.kind.choices = [(k, label) for k, label in ROUND_KINDS.items()]
    if formdata is None:
        form.kind.data = rnd.kind
    return form


@login_required
def finals_chair(slug, number):
    challenge, rnd = _chair(slug, number)
    return _chair_page(challenge, rnd, _kind_form(rnd))


def _chair_page(challenge, rnd, kind_form, status=200):
    standings = reliabilities = result = None
    counted = 0
    jurors = {j.id: j for j in finals.round_jurors(rnd)}
    if rnd.kind == PAIRWISE:
        rows = finals.showings(rnd)
        model = finals.estimates(rnd, rows)
        standings = model.standings()
        reliabilities = sorted(model.reliabilities().items(), key=lambda item: item[1])
        counted = sum(1 for s in rows if s.voted_at is not None)
    elif rnd.kind == RANKED:
        result, counted = finals.ranked_result(rnd)
    return render_template("jury/finals.html", challenge=challenge, round=rnd, kind_form=kind_form,
                           standings=standings, reliabilities=reliabilities, result=result, counted=counted,
                           jurors=jurors, titles=_titles(finals.finalists(rnd)),
                           changeable=rnd.is_open and not finals.judged_anything(rnd)), status


@login_required
def round_kind(slug, number):
    challenge, rnd = _chair(slug, number)
    form = _kind_form(rnd, formdata=request.form)
    return form_action(form, lambda: finals.set_round_kind(rnd, form.kind.data, current_user),
                       done=lambda r: (url_for("jury.finals_chair", slug=slug, number=number),
                                       _("The round is now judged by: %(kind)s.", kind=r.kind_label)),
                       again=lambda status: _chair_page(challenge, rnd, form, status), messages=MESSAGES,
                       field=form.kind)


@login_required
def close_final(slug, number):
    challenge, rnd = _chair(slug, number)
    back = url_for("jury.finals_chair", slug=slug, number=number)
    return button_action(lambda: finals.close_final_round(rnd, current_user), back=back, messages=MESSAGES,
                         done=_("The round is closed: its votes are final."))

