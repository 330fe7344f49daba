"""The public room of the results: the published page, its open-data exports (JSON, CSV) and API, contests."""
import sqlalchemy as sa
from flask import abort, jsonify, render_template
from flask_login import current_user

from govchallenge.challenges.models import DOMAINS
from govchallenge.core import storage
from govchallenge.core.registry import hook
from govchallenge.core.forms import EmptyForm
from govchallenge.core.urls import external_url
from govchallenge.extensions import db

from . import digests, documents
from . import permissions as can
from .models import (
    PUBLISHED, Contest, Publication, published_for,
)
from .shared import (charts_for, delivery_progress, load_results_challenge, own_entries, preview_context, published_or_404, state_label)


def show(slug):
    challenge = load_results_challenge(slug)
    main = challenge.main_language
    publication = published_for(challenge.id)
    context = {"challenge": challenge, "main": main, "label": lambda f: state_label(f, main), "button": EmptyForm()}
    if publication is not None:
        document = publication.document
        own = [documents.outcome_for(publication.full, pid) for pid in own_entries(challenge)]
        full_view = can.can_see_full_results(current_user, challenge) and document["challenge"]["publish_ranking"] != "all"
        context.update(
            publication=publication, document=document, charts=charts_for(document, "published"),
            own_outcomes=[o for o in own if o], full_entries=publication.full["entries"] if full_view else None,
            entries_ranked=document["entries_ranked"], method=documents.final_kind(document),
            titles={e["entry"]: e["title"] for e in document["entries"]},
            progress=delivery_progress(publication) if can.can_follow_announcement(current_user, challenge) else None,
            sections=results_sections(challenge),
        )
        return render_template("results/show.html", **context)
    if not can.can_see_scores_before_publication(current_user, challenge):
        return render_template("results/not_published.html", **context)
    return render_template("results/preview.html", **preview_context(challenge, context))


def results_sections(challenge):
    """[(template, context)] of the sections other domains add to the published page (`results_sections`)."""
    shown = []
    for section in hook("results_sections"):
        context = section.context(challenge, current_user)
        if context is not None:
            shown.append((section.template, context))
    return shown


def export_json(slug):
    challenge, publication = published_or_404(slug)
    response = storage.download_response(documents.canonical_bytes(publication), f"{challenge.slug}-results.json",
                                         "application/json")
    response.headers["X-Results-Digest"] = publication.digest
    response.headers["X-Results-Digest-Scheme"] = publication.digest_scheme
    return response


def export_csv(slug):
    challenge, publication = published_or_404(slug)
    return storage.download_response(documents.to_csv(publication.document), f"{challenge.slug}-results.csv", "text/csv")


def api_results(slug):
    """A published result never changes: its publication time is a true Last-Modified (the API adds the ETag)."""
    challenge, publication = published_or_404(slug)
    response = jsonify({
        "digest": publication.digest,
        "digest_scheme": publication.digest_scheme,
        "digest_rule": digests.rule(publication.digest_scheme),
        "published_at": publication.document["published_at"],
        "links": {
            "page": external_url("results.show", slug=slug),
            "json": external_url("results.export_json", slug=slug),
            "csv": external_url("results.export_csv", slug=slug),
        },
        "results": publication.document,
    })
    response.last_modified = publication.published_at
    return response


def contest(slug):
    found = db.session.execute(sa.select(Contest).where(Contest.slug == slug)).scalar_one_or_none()
    if found is None:
        abort(404)
    challenges = [c for c in found.challenges if c.is_public]
    # An award names an entry and its team: shown once that challenge's results are published.
    published = set(db.session.execute(
        sa.select(Publication.challenge_id).where(Publication.challenge_id.in_([c.id for c in challenges]),
                                                  Publication.state == PUBLISHED)
    ).scalars()) if challenges else set()
    awards = [a for a in found.awards if a.submission.team.challenge_id in published]
    return render_template("results/contest.html", contest=found, challenges=challenges, awards=awards,
                           domains=DOMAINS, published=published)
