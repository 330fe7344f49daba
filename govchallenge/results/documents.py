"""From the jury's stored reviews to the results documents.

`full_document` is everything the jury, chair and hosts see (and each team for itself);
`public_document` is what the challenge chose to publish — the open-data export — and the digest
is the SHA-256 of its canonical JSON under the publication's rule (digests.py: RFC 8785 for every new
publication), so `sha256sum results.json` of the export gives it back."""
import hashlib
import io
from dataclasses import dataclass, field

import sqlalchemy as sa

from govchallenge.core import csvsafe
from govchallenge.core.languages import pick
from govchallenge.extensions import db
from govchallenge.jury import agreement
from govchallenge.jury import models as jm

from . import computations, digests, final_methods, reliability, scoring

FORMAT = "govchallenge.results/1"
BOOTSTRAP_SAMPLES = 1000


@dataclass
class Gathered:
    criteria: list = field(default_factory=list)  # challenges.models.Criterion rows that count for the final round
    reviews: list = field(default_factory=list)  # scoring.Review (entry = submission public id, juror = label)
    submissions: dict = field(default_factory=dict)  # {submission id: Submission}
    jurors: list = field(default_factory=list)
    juror_labels: dict = field(default_factory=dict)  # {juror id: "J1"}
    final_round: object = None
    problems: list = field(default_factory=list)  # [(code, detail)]
    missing_reviews: int = 0
    final_items: list = field(default_factory=list)  # a pairwise or ranked final: the finalists' public ids
    final_inputs: list = field(default_factory=list)  # its votes or ballots as final_methods reads them


def gather(challenge):
    """Loads the final round's entries and submitted reviews in a constant number of queries, and
    says what stops a publication (a round still open, reviews missing)."""
    from govchallenge.submissions.models import Submission
    from govchallenge.teams.models import Team

    data = Gathered()
    rounds = db.session.execute(
        sa.select(jm.Round).where(jm.Round.challenge_id == challenge.id).order_by(jm.Round.number)
    ).scalars().all()
    if not rounds:
        data.problems.append(("no_rounds", {}))
        return data
    still_open = [r.number for r in rounds if r.state != jm.CLOSED]
    if still_open:
        data.problems.append(("round_open", {"rounds": still_open}))
    final = data.final_round = rounds[-1]
    if final.kind not in jm.FINAL_KINDS:
        data.criteria = [c for c in challenge.criteria if c.round_number == final.number] or \
            [c for c in challenge.criteria if c.round_number == 1] or list(challenge.criteria)
    entry_ids = db.session.execute(
        sa.select(jm.RoundEntry.submission_id).where(jm.RoundEntry.round_id == final.id, jm.RoundEntry.excluded_at.is_(None))
    ).scalars().all()
    if entry_ids:
        data.submissions = {s.id: s for s in db.session.execute(
            sa.select(Submission).where(Submission.id.in_(entry_ids))
            .options(sa.orm.joinedload(Submission.team).selectinload(Team.members))
        ).unique().scalars()}
    if not data.submissions:
        data.problems.append(("no_entries", {}))
        return data
    data.jurors = db.session.execute(
        sa.select(jm.Juror).where(jm.Juror.challenge_id == challenge.id).order_by(jm.Juror.id)
    ).scalars().all()
    # Labels in an order unrelated to the jury list (sorted by name on the page), so a published
    # review total cannot be traced back to a named juror.
    shuffled = sorted(data.jurors, key=lambda j: hashlib.sha256(f"{challenge.id}:{j.id}".encode()).hexdigest())
    data.juror_labels = {j.id: f"J{n}" for n, j in enumerate(shuffled, 1)}
    if final.kind in jm.FINAL_KINDS:
        _gather_final_votes(final, data)
        return data
    rows = db.session.execute(
        sa.select(jm.Assignment, jm.Review)
        .outerjoin(jm.Review, jm.Review.assignment_id == jm.Assignment.id)
        .where(jm.Assignment.round_id == final.id, jm.Assignment.state == jm.ACTIVE,
               jm.Assignment.submission_id.in_(list(data.submissions)))
        .order_by(jm.Assignment.id)
    ).all()
    counting = [c for c in data.criteria if not c.informational]
    reviewed = set()
    for assignment, review in rows:
        if review is None or review.state != jm.SUBMITTED:
            data.missing_reviews += 1
            continue
        scores = review.scores or {}
        if any(scores.get(str(c.id)) is None for c in counting):
            data.missing_reviews += 1
            continue
        submission = data.submissions[assignment.submission_id]
        label = data.juror_labels.get(assignment.juror_id, f"J?{assignment.juror_id}")
        data.reviews.append(scoring.Review(submission.public_id, label, {str(k): v for k, v in scores.items()}))
        reviewed.add(assignment.submission_id)
    unreviewed = [s.public_id for sid, s in data.submissions.items() if sid not in reviewed]
    if data.missing_reviews or unreviewed:
        data.problems.append(("reviews_missing", {"missing": data.missing_reviews, "unreviewed": len(unreviewed)}))
    return data


def _gather_final_votes(final, data):
    """A round judged in pairs or by a ranked vote: its counted votes or ballots, under the entries' public ids
    and the jurors' labels (what the document publishes and final_methods computes from)."""
    from govchallenge.jury import finals

    public = {sid: s.public_id for sid, s in data.submissions.items()}
    data.final_items = [public[sid] for sid in finals.finalists(final) if sid in public]

    def label(juror_id):
        return data.juror_labels.get(juror_id, f"J?{juror_id}")

    if final.kind == jm.PAIRWISE:
        data.final_inputs = [(label(j), public[w], public[lo]) for j, w, lo in finals.counted_votes(final)]
    else:
        data.final_inputs = [(label(j), [[public[sid] for sid in tier] for tier in ranking],
                              sorted(public[sid] for sid in abstain))
                             for j, ranking, abstain in finals.counted_ballots(final)]
    if not data.final_inputs:
        data.problems.append(("no_votes", {"kind": final.kind}))


def final_kind(data_or_document):
    """"pairwise" or "ranked" when the final round was judged so, else None (the rubric): of a Gathered or of
    a results document (documents published before final methods carry no `final_round`: the rubric)."""
    if isinstance(data_or_document, Gathered):
        final = data_or_document.final_round
        return final.kind if final is not None and final.kind in jm.FINAL_KINDS else None
    return (data_or_document.get("final_round") or {}).get("kind")


def scoring_criteria(criteria):
    return [
        scoring.Criterion(id=str(c.id), weight=c.weight, scale_min=c.scale_min, scale_max=c.scale_max,
                          threshold=c.threshold, informational=c.informational)
        for c in criteria
    ]


def _r(value):
    return None if value is None else round(float(value), scoring.PRECISION)


def _text(field, main):
    return {code: text for code, text in sorted((field or {}).items()) if text} or {main: ""}


def _agreement(data, calibration=scoring.NO_CALIBRATION, calibrated_totals=None):
    """Agreement and reliability, on the values that are ranked (each criterion's scores and the review
    totals, calibrated as the challenge chose): Krippendorff's alpha (interval) and the intraclass
    correlations (`reliability`: ICC(1,k) is that of the averaged score that ranks); the jurors whose totals
    stand far from the panel, and the entries whose reviews strongly disagree (on raw totals: what the
    jurors actually gave). Undefined statistics are None with the reason, never a made-up value."""
    criteria = scoring_criteria(data.criteria)
    per_criterion = scoring.calibrated_scores(data.reviews, criteria, calibration)
    units = {cid: _units(values) for cid, values in per_criterion.items()}
    raw_totals = {}
    for review in data.reviews:
        raw_totals.setdefault(review.entry_id, {})[review.juror_id] = scoring.review_total(review, criteria)
    if calibrated_totals is None:
        calibrated_totals = scoring.calibrate(
            {(e, j): total for e, row in raw_totals.items() for j, total in row.items()}, calibration)
    units["total"] = _units(calibrated_totals)
    alphas = {cid: _alpha(u) for cid, u in units.items()}
    report = {cid: _reliability(u) for cid, u in units.items()}
    outliers = sorted(str(j) for j in agreement.outlier_jurors(raw_totals))
    split = sorted(str(e) for e in agreement.strongly_disagreeing({e: list(t.values()) for e, t in raw_totals.items()}))
    return alphas, report, outliers, split


def _units(values):
    """{(entry, juror): value} as reliability data {entry: {juror: value}}."""
    units = {}
    for (entry, juror), value in values.items():
        units.setdefault(entry, {})[juror] = value
    return units


def _alpha(units):
    value = agreement.krippendorff_alpha(units, agreement.INTERVAL)
    return None if value is None else round(float(value), scoring.PRECISION)


def _reliability(units):
    icc = reliability.icc(units)
    return {
        "alpha": _alpha(units), "alpha_undefined": agreement.alpha_undefined(units),
        "icc": {form: _r(icc[form]) for form in reliability.FORMS},
        "icc_undefined": dict(sorted(icc.undefined.items())),
        "raters": _r(icc.raters),
    }


def method_of(challenge):
    """(aggregation, calibration): how the challenge ranks its entries, the same for a round's shortlist and for
    the published results."""
    return challenge.aggregation or scoring.MEAN, challenge.calibration or scoring.NO_CALIBRATION


def rank_reviews(challenge, reviews, criteria, reviews_asked=None, priority_criterion=None, decisions=(), bootstrap=0):
    """The challenge's ranking of `reviews` (scoring.Review) on `criteria` (scoring.Criterion): its method, its
    thresholds on the calibrated criterion means. The one rule read by the results document and by the jury's
    shortlist (results/round_ranking.py), so that a round's shortlist is the ranking the results would publish."""
    aggregation, calibration = method_of(challenge)
    return scoring.rank(
        reviews, criteria, aggregation=aggregation, calibration=calibration, priority_criterion=priority_criterion,
        chair_decisions=[scoring.ChairDecision(tuple(d["order"]), d["reason"]) for d in decisions],
        bootstrap=bootstrap, seed=challenge.id, reviews_asked=reviews_asked,
    )


def full_document(challenge, data, priority_criterion_id=None, decisions=(), specials=None):
    if final_kind(data):
        return final_method_document(challenge, data, decisions, specials)
    main = challenge.main_language
    criteria = scoring_criteria(data.criteria)
    calibration = method_of(challenge)[1]
    ranking, (per_criterion, report, outliers, split) = _ranking_and_agreement(
        challenge, data, criteria, calibration, priority_criterion_id, decisions)
    calibrated = ranking.calibrated
    submissions = {s.public_id: s for s in data.submissions.values()}
    awards = _awards(challenge, ranking, specials or {})
    awards_by_entry = {}
    for award in awards:
        awards_by_entry.setdefault(award["entry"], []).append(award["name"])
    reviews_of = {}
    for review in data.reviews:
        reviews_of.setdefault(review.entry_id, []).append(review)
    entries = []
    for entry in ranking.entries:
        submission = submissions[entry.entry_id]
        reviews = sorted(reviews_of.get(entry.entry_id, []), key=lambda r: r.juror_id)
        entries.append({
            "entry": entry.entry_id,
            "team": submission.team.name,
            "title": submission.title,
            "place": entry.place,
            "score": _r(entry.score),
            "raw_score": _r(entry.raw_score),
            "interval": list(entry.interval) if entry.interval else None,
            "close_call": scoring.is_close_call(entry),
            "tie": entry.tie,
            "passed_thresholds": entry.passed_thresholds,
            "failed_criteria": list(entry.failed_criteria),
            "criteria": {cid: _r(mean) for cid, mean in entry.breakdown.items()},
            "raw_criteria": {cid: _r(mean) for cid, mean in entry.raw_breakdown.items()},
            "reviews": [{"juror": r.juror_id, "total": _r(scoring.review_total(r, criteria)),
                         "calibrated": _r(calibrated[(r.entry_id, r.juror_id)])} for r in reviews],
            "awards": awards_by_entry.get(entry.entry_id, []),
        })
    return {
        "format": FORMAT,
        "challenge": _challenge_section(challenge, ranking.aggregation, ranking.calibration,
                                        data.final_round.number if data.final_round else 1),
        "criteria": [{
            "id": str(c.id), "name": _text(c.name, main), "weight": float(c.weight), "scale_min": c.scale_min,
            "scale_max": c.scale_max, "threshold": None if c.threshold is None else float(c.threshold),
            "informational": bool(c.informational),
        } for c in data.criteria],
        "priority_criterion": str(priority_criterion_id) if priority_criterion_id else None,
        "entries": entries,
        "ties": [{"entries": list(t.entry_ids), "resolved_by": t.resolved_by, "reason": t.reason} for t in ranking.ties],
        "unresolved_ties": [list(t.entry_ids) for t in ranking.unresolved_ties],
        "awards": awards,
        "jury": _jury(data),
        "agreement": per_criterion,
        "reliability": report,
        "juror_effects": {str(j): _r(v) for j, v in sorted(ranking.juror_effects.items())},
        "warnings": ranking.warnings,
        "outlier_jurors": outliers,
        "strongly_disagreeing": split,
        "bootstrap": {"samples": BOOTSTRAP_SAMPLES, "seed": challenge.id, "level": 0.95,
                      "method": "posterior" if calibration == scoring.MODEL else "resampling"},
    }


def _challenge_section(challenge, aggregation, calibration, round_number):
    """The document's `challenge` section, the same for every method."""
    main = challenge.main_language
    return {
        "slug": challenge.slug, "title": _text(challenge.title, main), "main_language": main,
        "aggregation": aggregation, "calibration": calibration,
        "publish_ranking": challenge.publish_ranking or "all", "round": round_number,
        "based_on": challenge.based_on.slug if challenge.based_on is not None else None,  # run again from
    }


def _jury(data):
    return sorted(({"name": _juror_name(j), "chair": bool(j.is_chair), "organisation": _organisation_name(j)}
                   for j in data.jurors if serving(j)), key=lambda j: (not j["chair"], j["name"]))


def final_method_document(challenge, data, decisions=(), specials=None):
    """The full document of a challenge whose final round was judged in pairs or by a ranked vote: places from
    the method's order (final_methods.py), each entry's figures under `final`, and the `final_round` section with
    every vote or ballot under anonymised juror labels, so an outsider can recompute the order. The keys that
    belong to the rubric stay, empty (no score, no criteria, no review), so every reader of a document reads
    this one too."""
    chair = [scoring.ChairDecision(tuple(d["order"]), d["reason"]) for d in decisions]
    outcome = final_methods.outcome(final_kind(data), data.final_items, data.final_inputs, chair, seed=challenge.id)
    submissions = {s.public_id: s for s in data.submissions.values()}
    awards = _awards(challenge, outcome, specials or {})
    awards_by_entry = {}
    for award in awards:
        awards_by_entry.setdefault(award["entry"], []).append(award["name"])
    entries = [{
        "entry": placed.entry_id, "team": submissions[placed.entry_id].team.name,
        "title": submissions[placed.entry_id].title, "place": placed.place, "score": None, "raw_score": None,
        "interval": list(placed.interval) if placed.interval else None, "close_call": scoring.is_close_call(placed),
        "tie": placed.tie, "passed_thresholds": True, "failed_criteria": [], "criteria": {}, "raw_criteria": {},
        "reviews": [], "awards": awards_by_entry.get(placed.entry_id, []), "final": placed.figures,
    } for placed in outcome.entries]
    return {
        "format": FORMAT,
        "challenge": _challenge_section(challenge, outcome.section["method"], scoring.NO_CALIBRATION,
                                        data.final_round.number),
        "criteria": [],
        "priority_criterion": None,
        "entries": entries,
        "ties": [{"entries": list(t.entry_ids), "resolved_by": t.resolved_by, "reason": t.reason} for t in outcome.ties],
        "unresolved_ties": [list(t.entry_ids) for t in outcome.unresolved_ties],
        "awards": awards,
        "jury": _jury(data),
        "agreement": {}, "reliability": {}, "juror_effects": {}, "warnings": [], "outlier_jurors": [],
        "strongly_disagreeing": [],
        "bootstrap": None,
        "final_round": outcome.section,
    }


def _ranking_and_agreement(challenge, data, criteria, calibration, priority_criterion_id, decisions):
    """The ranking (with its bootstrap) and the agreement statistics: computed once per set of inputs and
    stored (computations.py), since they cost seconds at contest scale and change only with their inputs."""
    aggregation = method_of(challenge)[0]
    priority = str(priority_criterion_id) if priority_criterion_id else None
    chair = [scoring.ChairDecision(tuple(d["order"]), d["reason"]) for d in decisions]
    reviews_asked = data.final_round.reviews_per_entry if data.final_round else None

    def compute():
        ranking = rank_reviews(challenge, data.reviews, criteria, reviews_asked=reviews_asked, priority_criterion=priority,
                               decisions=decisions, bootstrap=BOOTSTRAP_SAMPLES)
        return ranking, _agreement(data, calibration, ranking.calibrated)

    values = computations.inputs(data.reviews, criteria, aggregation, calibration, priority, chair,
                                 BOOTSTRAP_SAMPLES, challenge.id, reviews_asked)
    return computations.computed(challenge.id, values, compute)


def serving(juror):
    """A juror who accepted (the invited and the declined are not on the jury)."""
    return juror.state == jm.ACCEPTED


def _juror_name(juror):
    return juror.display_name or ""


def _organisation_name(juror):
    organisation_id = juror.organisation_id
    if not organisation_id:
        return ""
    from govchallenge.organisations.models import Organisation

    organisation = db.session.get(Organisation, organisation_id)  # identity map: jurors share a few
    return organisation.name if organisation else ""


def _awards(challenge, ranking, specials):
    main = challenge.main_language
    awards = []
    for prize in challenge.prizes:
        base = {"prize_id": prize.id, "place": prize.place, "name": _text(prize.name, main),
                "amount": None if prize.amount is None else str(prize.amount), "currency": prize.currency or ""}
        if prize.place is not None:
            for entry in ranking.ranked:
                if entry.place == prize.place:
                    awards.append(dict(base, entry=entry.entry_id))
        elif prize.id in specials:
            awards.append(dict(base, entry=specials[prize.id]))
    return awards


def winners(full):
    """The entries that won one of the challenge's prizes: a prize with a place goes to the entries
    ranked at that place (`_awards`), a special award to the entry the chair chose. A challenge
    that defines no prize has no winners — no number of "top" places is assumed."""
    awarded = {a["entry"] for a in full["awards"]}
    return [e for e in full["entries"] if e["entry"] in awarded]


def public_document(full, published_at):
    """What the challenge chose to publish: every ranked entry, or only the winners."""
    shown = full["entries"] if full["challenge"]["publish_ranking"] == "all" else winners(full)
    document = {key: value for key, value in full.items()
                if key not in {"outlier_jurors", "unresolved_ties", "strongly_disagreeing", "warnings"}}
    document["entries"] = shown
    document["entries_ranked"] = sum(1 for e in full["entries"] if e["place"] is not None)
    document["entries_total"] = len(full["entries"])
    shown_ids = {e["entry"] for e in shown}
    document["ties"] = [t for t in full["ties"] if set(t["entries"]) & shown_ids]
    document["published_at"] = published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    document["digest_scheme"] = digests.CURRENT
    document["digest_rule"] = digests.rule(digests.CURRENT)
    return document


def digest_of(publication):
    """The digest of the publication's stored document, recomputed under the rule it was published with."""
    return digests.digest(publication.document, publication.digest_scheme)


def canonical_bytes(publication):
    """The JSON export: the very bytes the publication's digest hashes."""
    return digests.canonical_bytes(publication.document, publication.digest_scheme)


def outcome_for(full, public_id):
    return next((e for e in full["entries"] if e["entry"] == public_id), None)


def title_in(document, language):
    challenge = document["challenge"]
    return pick(challenge["title"], language, challenge["main_language"]).text


FINAL_COLUMNS = {  # the columns of a final round's own figures (entry["final"]), by the way it was judged
    "pairwise": ["estimated_quality_mu", "uncertainty_sigma", "comparisons"],
    "ranked": ["schulze_tier", "finalists_beaten"],
}
FINAL_FIELDS = {"pairwise": ["mu", "sigma", "comparisons"], "ranked": ["tier", "beats"]}


def to_csv(document):
    """One row per published entry; numbers as in the JSON export (six decimals)."""
    kind = final_kind(document)
    if kind:
        return _final_csv(document, kind)
    criteria = document["criteria"]
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(
        ["place", "entry", "team", "title", "score", "raw_score", "rank_interval_best", "rank_interval_worst",
         "passed_thresholds", "reviews"]
        + [f"criterion_{c['id']}" for c in criteria] + ["awards"]
    )

    def num(value):
        return "" if value is None else scoring.FLOAT_FORMAT % value

    for entry in document["entries"]:
        interval = entry["interval"] or [None, None]
        writer.writerow(
            ["" if entry["place"] is None else entry["place"], entry["entry"], entry["team"], entry["title"],
             num(entry["score"]), num(entry["raw_score"]), interval[0] or "", interval[1] or "",
             "true" if entry["passed_thresholds"] else "false", len(entry["reviews"])]
            + [num(entry["criteria"].get(c["id"])) for c in criteria]
            + ["; ".join(pick(a, document["challenge"]["main_language"], document["challenge"]["main_language"]).text
                         for a in entry["awards"])]
        )
    return out.getvalue()


def _final_csv(document, kind):
    """A final round judged in pairs or by a ranked vote: its own figures instead of scores and criteria."""
    main = document["challenge"]["main_language"]
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(["place", "entry", "team", "title", "rank_interval_best", "rank_interval_worst", "tie"]
                    + FINAL_COLUMNS[kind] + ["awards"])
    for entry in document["entries"]:
        interval = entry["interval"] or [None, None]
        figures = [entry["final"].get(name) for name in FINAL_FIELDS[kind]]
        writer.writerow(
            [entry["place"], entry["entry"], entry["team"], entry["title"], interval[0] or "", interval[1] or "",
             entry["tie"] or ""]
            + [scoring.FLOAT_FORMAT % v if isinstance(v, float) else v for v in figures]
            + ["; ".join(pick(a, main, main).text for a in entry["awards"])]
        )
    return out.getvalue()
