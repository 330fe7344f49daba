"""A final round judged in pairs (Crowd-BT) or by a ranked vote (Schulze) flows into the results publication: places
from the method's order, ties to the chair's reasoned decision by the rubric's rule, the export from which an
outsider recomputes the order with an implementation of their own, and every reader (pages, e-mails, webhooks,
CSV) reading the method's figures instead of a score."""
import csv
import hashlib
import io
import json
import math
import re

import pytest

from govchallenge.extensions import db
from govchallenge.results import announcements, documents, letters, operations, webhooks
from govchallenge.results.models import Delivery
from tests.conftest import login
from tests.support.finals_factories import PAIRWISE, RANKED, judged_final
from tests.support.htmlcheck import html_errors

# Jurors 0 and 2 put finalist 0 first, jurors 1 and 3 finalist 1: 0 and 1 tie by equally strong paths (2 each way),
# both beat 2.
TIED_BALLOTS = [[[0], [1], [2]], [[1], [0], [2]], [[0], [1], [2]], [[1], [0], [2]]]


def published(kind, decisions=(), **options):
    final = judged_final(kind, **options)
    publication = operations.propose(final["challenge"], final["chair"], chair_decisions=decisions)
    operations.confirm(publication, final["officer"])
    db.session.commit()
    assert publication.is_published
    return final, publication


# --- an outsider's own implementations, written from the papers (not the modules under test) ----------------------

def outsider_crowd_bt(section):
    """Chen et al. (WSDM 2013), the online updates, replayed over the exported votes: {entry: (mu, sigma²)}."""
    prm = section["parameters"]
    quality, jurors = {}, {}
    for vote in section["votes"]:
        i, j = vote["winner"], vote["loser"]
        mi, si = quality.get(i, (prm["mu_prior"], prm["sigma_sq_prior"]))
        mj, sj = quality.get(j, (prm["mu_prior"], prm["sigma_sq_prior"]))
        a, b = jurors.get(vote["juror"], (prm["alpha_prior"], prm["beta_prior"]))
        xi, xj = math.exp(mi), math.exp(mj)
        p = xi / (xi + xj)
        c1 = p + (si + sj) / 2 * xi * xj * (xj - xi) / (xi + xj) ** 3
        c = (c1 * a + (1 - c1) * b) / (a + b)
        e1 = (c1 * (a + 1) * a + (1 - c1) * a * b) / (c * (a + b + 1) * (a + b))
        e2 = (c1 * (a + 2) * (a + 1) * a + (1 - c1) * (a + 1) * a * b) / (c * (a + b + 2) * (a + b + 1) * (a + b))
        step = a * xi / (a * xi + b * xj) - p
        curve = a * b * xi * xj / (a * xi + b * xj) ** 2 - p * (1 - p)
        quality[i] = (mi + si * step, si * max(1 + si * curve, prm["kappa"]))
        quality[j] = (mj - sj * step, sj * max(1 + sj * curve, prm["kappa"]))
        jurors[vote["juror"]] = ((e1 - e2) * e1 / (e2 - e1 ** 2), (e1 - e2) * (1 - e1) / (e2 - e1 ** 2))
    return quality


def outsider_schulze(entries, section):
    """Schulze (2011), winning votes: d from the exported ballots, p by relaxing paths until nothing widens."""
    d = {a: {b: 0 for b in entries} for a in entries}
    for ballot in section["ballots"]:
        rank = {e: n for n, tier in enumerate(ballot["ranking"]) for e in tier}
        counted = [e for e in entries if e not in ballot["abstain"]]
        for a in counted:
            for b in counted:
                if rank.get(a, len(ballot["ranking"])) < rank.get(b, len(ballot["ranking"])):
                    d[a][b] += 1
    p = {a: {b: d[a][b] if d[a][b] > d[b][a] else 0 for b in entries} for a in entries}
    changed = True
    while changed:
        changed = False
        for a in entries:
            for b in entries:
                for c in entries:
                    if len({a, b, c}) == 3 and min(p[a][b], p[b][c]) > p[a][c]:
                        p[a][c], changed = min(p[a][b], p[b][c]), True
    return d, p


def export_of(client, slug):
    response = client.get(f"/challenges/{slug}/results.json")
    assert response.status_code == 200
    body = response.get_data()
    return body, json.loads(body), response.headers["X-Results-Digest"]


@pytest.mark.parametrize("kind", [PAIRWISE, RANKED])
def test_an_outsider_recomputes_the_order_from_the_published_votes_and_the_digest_verifies(app, kind):
    final, publication = published(kind, n_entries=5, conflicts=[(3, 4)])
    body, export, digest = export_of(app.test_client(), final["challenge"].slug)
    assert hashlib.sha256(body).hexdigest() == digest == publication.digest
    section = export["final_round"]
    assert section["kind"] == kind and section["computed"] and section["reference"]
    # the jurors only under labels: no name, e-mail or database id of a juror in the export
    labels = {v["juror"] for v in section.get("votes", section.get("ballots"))}
    assert labels and all(re.fullmatch(r"J\d+", label) for label in labels)
    for user in final["users"]:
        assert user.email not in body.decode() and f'"juror":{user.id}' not in body.decode()
    place = {e["entry"]: e["place"] for e in export["entries"]}
    assert sorted(place.values()) == [1, 2, 3, 4, 5]
    if kind == PAIRWISE:
        quality = outsider_crowd_bt(section)
        for entry in export["entries"]:
            mu, sigma_sq = quality[entry["entry"]]
            assert entry["final"]["mu"] == pytest.approx(mu, abs=1e-6)
            assert entry["final"]["sigma"] == pytest.approx(math.sqrt(sigma_sq), abs=1e-6)
        mine = sorted(quality, key=lambda e: -round(quality[e][0], 6))
        assert mine == sorted(place, key=place.get)
        # each juror answered by the finalists' true order: the estimate recovers it
        assert [place[s.public_id] for s in final["submissions"]] == [1, 2, 3, 4, 5]
    else:
        entries = list(place)
        d, p = outsider_schulze(entries, section)
        assert {a: {b: n for b, n in row.items() if b != a} for a, row in d.items()} == section["d"]
        assert {a: {b: n for b, n in row.items() if b != a} for a, row in p.items()} == section["p"]
        for a in entries:
            for b in entries:
                if a != b and p[a][b] > p[b][a]:
                    assert place[a] < place[b]
        # the conflicted juror abstained on the finalist, rather than ranking it last
        assert any(b["abstain"] == [final["submissions"][4].public_id] for b in section["ballots"])


def test_a_schulze_tie_is_reported_and_goes_to_the_chairs_reasoned_decision(app):
    final = judged_final(RANKED, n_entries=3, ballots=TIED_BALLOTS)
    a, b, c = (s.public_id for s in final["submissions"])
    data = documents.gather(final["challenge"])
    shared = documents.full_document(final["challenge"], data)
    assert shared["unresolved_ties"] == [sorted([a, b])]
    assert shared["final_round"]["tied_pairs"] == [[a, b]]
    assert [(e["place"], e["tie"], e["close_call"]) for e in shared["entries"]] == [
        (1, "shared", True), (1, "shared", True), (3, None, False)]
    # the chair orders them with a reason, by the rubric's rule (scoring.decide_tie)
    client = app.test_client()
    login(client, final["chair"])
    page = client.get(f"/challenges/{final['challenge'].slug}/results")
    assert 'name="tie_0_first"' in page.get_data(as_text=True)
    assert 'name="priority_criterion"' not in page.get_data(as_text=True)  # no rubric to break ties on
    response = client.post(f"/challenges/{final['challenge'].slug}/results/propose", data={
        "csrf_token": csrf(page), "tie_0_entries": f"{a},{b}", "tie_0_first": b,
        "tie_0_reason": "Stronger pilot plan, by the jury's deliberation."})
    assert response.status_code == 302
    full = operations.proposed_for(final["challenge"].id).full
    assert [(e["entry"], e["place"], e["tie"]) for e in full["entries"]] == [(b, 1, "chair"), (a, 2, "chair"), (c, 3, None)]
    assert full["ties"] == [{"entries": sorted([a, b]), "resolved_by": "chair",
                             "reason": "Stronger pilot plan, by the jury's deliberation."}]
    assert full["unresolved_ties"] == []


def test_a_tie_order_chosen_without_a_reason_is_refused_with_the_reason_asked(app):
    final = judged_final(RANKED, n_entries=3, ballots=TIED_BALLOTS)
    a, b, _c = (s.public_id for s in final["submissions"])
    client = app.test_client()
    login(client, final["chair"])
    page = client.get(f"/challenges/{final['challenge'].slug}/results")
    response = client.post(f"/challenges/{final['challenge'].slug}/results/propose", data={
        "csrf_token": csrf(page), "tie_0_entries": f"{a},{b}", "tie_0_first": b, "tie_0_reason": "  "})
    assert response.status_code == 400
    assert "Give the reason for each order you chose." in response.get_data(as_text=True)
    assert operations.proposed_for(final["challenge"].id) is None


def csrf(response):
    """The page's form token (empty where the test app turns CSRF off)."""
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    return found.group(1) if found else ""


def test_only_the_chair_proposes_and_the_public_sees_nothing_before_publication(app):
    final = judged_final(PAIRWISE, n_entries=4)
    slug = final["challenge"].slug
    titles = [s.title for s in final["submissions"]]
    anonymous = app.test_client()
    page = anonymous.get(f"/challenges/{slug}/results").get_data(as_text=True)
    assert not any(t in page for t in titles) and "Estimated quality" not in page
    assert anonymous.get(f"/challenges/{slug}/results.json").status_code == 404
    assert anonymous.get(f"/api/v1/challenges/{slug}/results").status_code == 404
    for user in (final["users"][1], final["officer"]):  # a juror of the round, a host officer
        client = app.test_client()
        login(client, user)
        page = client.get(f"/challenges/{slug}/results")
        response = client.post(f"/challenges/{slug}/results/propose", data={"csrf_token": csrf(page)})
        assert response.status_code == 403
        if user.language == "en":
            assert "Only the chair of this challenge" in response.get_data(as_text=True)
    assert operations.proposed_for(final["challenge"].id) is None
    officer = app.test_client()
    login(officer, final["officer"])
    assert final["submissions"][0].title in officer.get(f"/challenges/{slug}/results").get_data(as_text=True)  # hosts follow


def test_a_final_round_without_a_vote_or_still_open_is_refused_with_a_clear_message(app):
    final = judged_final(PAIRWISE, n_entries=3, n_jurors=2, close=False)
    client = app.test_client()
    login(client, final["chair"])
    page = client.get(f"/challenges/{final['challenge'].slug}/results")
    response = client.post(f"/challenges/{final['challenge'].slug}/results/propose", data={"csrf_token": csrf(page)})
    assert response.status_code == 400
    assert "A jury round is still open" in response.get_data(as_text=True)
    empty = judged_final(RANKED, n_entries=3, n_jurors=2, vote=False)
    client = app.test_client()
    login(client, empty["chair"])
    page = client.get(f"/challenges/{empty['challenge'].slug}/results")
    assert "no vote counts yet" in page.get_data(as_text=True)
    response = client.post(f"/challenges/{empty['challenge'].slug}/results/propose", data={"csrf_token": csrf(page)})
    assert response.status_code == 400 and "no vote counts yet" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", [PAIRWISE, RANKED])
def test_e_mails_webhook_and_csv_read_the_method_without_a_score(app, kind):
    final, publication = published(kind, n_entries=3)
    leader = final["submissions"][0].team.members[0].user
    leader.language = "pl"
    db.session.commit()
    announcements.fan_out(publication.announcement)
    db.session.commit()
    delivery = db.session.query(Delivery).filter_by(user_id=leader.id).one()
    assert delivery.language == "pl"
    message = letters.email_for(delivery)
    assert "out of 100" not in message.text and "na 100" not in message.text
    assert "1" in message.text and final["submissions"][0].title in message.text
    assert ("w parach" if kind == PAIRWISE else "głosowaniem rankingowym") in message.text  # the Polish sentence of the method
    endpoint_body = json.loads(webhooks.webhook_body(delivery))
    assert endpoint_body["method"] == kind
    first = endpoint_body["winners"][0]
    assert first["score"] is None and (("mu" in first["final"]) if kind == PAIRWISE else first["final"]["tier"] == 1)
    rows = list(csv.reader(io.StringIO(documents.to_csv(publication.document))))
    assert rows[0] == ["place", "entry", "team", "title", "rank_interval_best", "rank_interval_worst", "tie",
                       *documents.FINAL_COLUMNS[kind], "awards"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]


@pytest.mark.parametrize("kind", [PAIRWISE, RANKED])
def test_the_published_page_and_the_chairs_preview_pass_the_html_checker(app, kind, tmp_path):
    pages = {}
    final = judged_final(kind, n_entries=3, ballots=TIED_BALLOTS if kind == RANKED else None)
    chair = app.test_client()
    login(chair, final["chair"])
    preview = chair.get(f"/challenges/{final['challenge'].slug}/results")
    assert preview.status_code == 200
    pages["preview"] = preview.get_data(as_text=True)
    publication = operations.propose(final["challenge"], final["chair"])
    operations.confirm(publication, final["officer"])
    db.session.commit()
    for language in ("en", "pl", "el", "de", "fr"):
        page = app.test_client().get(f"/challenges/{final['challenge'].slug}/results",
                                     headers={"Accept-Language": language})
        assert page.status_code == 200
        pages[f"published {language}"] = page.get_data(as_text=True)
    text = pages["published en"]
    assert "How the final round was decided" in text and "Score distributions" not in text
    assert ("Estimated quality" in text) if kind == PAIRWISE else ("Strongest paths" in text)
    assert html_errors(pages, tmp_path) == {}


@pytest.mark.parametrize("kind", [PAIRWISE, RANKED])
def test_a_finalist_excluded_after_the_votes_leaves_the_count_and_the_export(app, kind):
    """The chair excludes a finalist while the round is open, after votes named it: those votes (and that
    finalist's places on ballots) are left out of the published count, which still recomputes."""
    from govchallenge.jury import finals
    from govchallenge.jury import operations as jury

    final = judged_final(kind, n_entries=4, close=False)
    gone = final["submissions"][1]
    entry = next(e for e in final["round"].entries if e.submission_id == gone.id)
    jury.exclude_entry(entry, "Ineligible: the team's lead is a host employee.", final["chair"])
    finals.close_final_round(final["round"], final["chair"])
    db.session.commit()
    publication = operations.propose(final["challenge"], final["chair"])
    operations.confirm(publication, final["officer"])
    db.session.commit()
    export = publication.document
    assert gone.public_id not in {e["entry"] for e in export["entries"]}
    assert gone.public_id not in json.dumps(export["final_round"])
    assert [e["place"] for e in export["entries"]] == [1, 2, 3]
