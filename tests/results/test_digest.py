"""The digest of published results: RFC 8785 for new publications, the old rule kept for the ones before it,
numbers safe by construction, recomputed outside Python (Node and sha256sum), and `results verify` checking
the document, its digest, the digest the audit trail recorded at publication and the trail itself."""
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from govchallenge.core.audit import AuditEvent
from govchallenge.extensions import db
from govchallenge.results import digests, operations
from govchallenge.results.models import Publication
from tests.core.test_audit import _as_owner_of_the_database
from tests.support import jcs
from tests.support.results_factories import judged_challenge, publish

NODE_TESTS = Path(__file__).resolve().parents[1] / "node"


# --- the rule, worked out by hand ------------------------------------------------------------------------

def test_rfc_8785_worked_out_by_hand():
    document = {"score": 61.25, "whole": 3.0, "tiny": 1e-7, "big": 1e20, "place": 1, "none": None, "ok": True,
                "z": -0.0, "title": "Łódź \"bus\"\n\u0001", "\uff01": "fullwidth", "\U0001f600": "emoji",
                "interval": [1, 2]}
    # Members sorted by UTF-16 code units: the emoji (D83D DE00) before U+FF01, unlike code point order;
    # numbers as ECMAScript writes them; controls escaped, non-ASCII as UTF-8.
    text = ('{"big":100000000000000000000,"interval":[1,2],"none":null,"ok":true,"place":1,"score":61.25,'
            '"tiny":1e-7,"title":"Łódź \\"bus\\"\\n\\u0001","whole":3,"z":0,"😀":"emoji","！":"fullwidth"}')
    assert digests.canonical_bytes(document, digests.RFC8785) == text.encode("utf-8")
    assert digests.digest(document, digests.RFC8785) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_rule_of_earlier_publications_is_kept_as_it_was():
    document = {"score": 61.25, "place": 1, "title": "Łódź bus", "ok": True, "interval": [1, 2], "none": None, "z": -0.0}
    text = '{"interval":[1,2],"none":null,"ok":true,"place":1,"score":61.250000,"title":"Łódź bus","z":0.000000}'
    assert digests.canonical_bytes(document, digests.LEGACY) == text.encode("utf-8")
    assert digests.digest(document, digests.LEGACY) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert digests.digest(document, digests.LEGACY) != digests.digest(document, digests.RFC8785)
    with pytest.raises(digests.NotCanonical, match="unknown digest rule"):
        digests.digest(document, "md5")
    with pytest.raises(digests.NotCanonical, match="unknown digest rule"):
        digests.digest(document, None)


@pytest.mark.parametrize("value, where", [
    (2**53, "document.entries[0].score"),
    (-(2**53), "document.entries[0].score"),
    (2.0**60, "document.entries[0].score"),  # RFC 8785 writes it as an integer that Python reads back beyond 2^53
    (float("nan"), "not plain JSON"),
    (float("inf"), "not plain JSON"),
])
def test_numbers_a_reader_could_not_get_back_exactly_are_refused_by_name(value, where):
    with pytest.raises(digests.NotCanonical) as error:
        digests.as_published({"entries": [{"score": value}]})
    assert where in str(error.value)


def test_the_largest_safe_integers_and_small_floats_pass():
    document = {"a": 2**53 - 1, "b": -(2**53 - 1), "c": 1e-300, "d": 9007199254740991.0, "e": 0.000001}
    assert digests.as_published(document) == document


@pytest.mark.parametrize("document, message", [
    ({"name": "lone \ud800 surrogate"}, "no RFC 8785 form"),
    ({"when": object()}, "not plain JSON"),
])
def test_what_json_canonicalization_cannot_represent_is_refused(document, message):
    with pytest.raises(digests.NotCanonical, match=message):
        digests.as_published(document)


def test_the_published_form_is_what_the_json_column_gives_back():
    assert digests.as_published({"interval": (1, 2), 7: "seven"}) == {"interval": [1, 2], "7": "seven"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53 - 1), 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-(2**53 - 1), max_value=2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_the_export_read_back_anywhere_gives_the_same_bytes(value):
    """Against the tests' own RFC 8785 (tests/support/jcs.py); and reading the export back (numbers and all)
    and canonicalising again gives the very same bytes, so the digest survives any JSON parser."""
    document = digests.as_published({"value": value})
    exported = digests.canonical_bytes(document, digests.RFC8785)
    assert exported == jcs.canonical_bytes(document)
    assert digests.canonical_bytes(json.loads(exported), digests.RFC8785) == exported


# --- publishing ------------------------------------------------------------------------------------------

def test_a_new_publication_states_its_rule_and_the_audit_trail_records_its_digest(app, client):
    judged = judged_challenge()
    publication = publish(judged)
    db.session.commit()
    document = publication.document
    assert publication.digest_scheme == digests.RFC8785
    assert document["digest_scheme"] == digests.RFC8785 and "RFC 8785" in document["digest_rule"]
    assert "sha256sum" in document["digest_rule"]
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "results.published")).scalar_one()
    assert event.detail["digest"] == publication.digest and event.detail["digest_scheme"] == digests.RFC8785
    api = client.get(f"/api/v1/challenges/{judged.challenge.slug}/results").json
    assert api["digest_scheme"] == digests.RFC8785 and api["digest_rule"] == document["digest_rule"]
    exported = client.get(f"/challenges/{judged.challenge.slug}/results.json")
    assert exported.headers["X-Results-Digest-Scheme"] == digests.RFC8785
    assert exported.data == jcs.canonical_bytes(document)  # the export is the canonical form itself


def test_a_value_that_cannot_be_published_exactly_is_refused_to_the_chair_by_name(app, login_as):
    judged = judged_challenge()
    judged.challenge.criteria[1].weight = 1e300  # written into the document's criteria, beyond 2^53
    db.session.commit()
    with pytest.raises(operations.ResultsError) as error:
        operations.propose(judged.challenge, judged.chair)
    assert error.value.code == "not_publishable" and "document.criteria[1].weight" in error.value.detail["where"]
    db.session.rollback()
    page = login_as(judged.chair).post(f"/challenges/{judged.challenge.slug}/results/propose", data={})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "cannot be published exactly" in html and "document.criteria[1].weight" in html
    assert db.session.execute(sa.select(sa.func.count(Publication.id))).scalar() == 0


# --- recomputed outside Python -------------------------------------------------------------------------

def _node(script, *args):
    node = shutil.which("node")
    assert node, "Node is missing: `bash .ci/services` installs it"
    assert (NODE_TESTS / "node_modules" / "canonicalize").is_dir(), \
        "the npm packages of tests/node are missing: `bash .ci/services` installs them (npm ci)"
    done = subprocess.run([node, str(NODE_TESTS / script), *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_node_and_sha256sum_recompute_the_published_digest_from_the_download(app, client, tmp_path):
    judged = judged_challenge(entries=4, special="Prix spécial — Ειδικό βραβείο 🏆")
    judged.teams[0].name = "Zespół Łódź — Ομάδα 😀"
    db.session.flush()
    publication = publish(judged)
    db.session.commit()
    download = client.get(f"/challenges/{judged.challenge.slug}/results.json")
    assert download.status_code == 200
    exported = tmp_path / "results.json"
    exported.write_bytes(download.data)
    by_node = _node("recompute_digest.mjs", exported)
    assert by_node == {"digest": publication.digest, "export_is_canonical": True}
    assert download.headers["X-Results-Digest"] == publication.digest
    sha256sum = subprocess.run(["sha256sum", str(exported)], capture_output=True, text=True, check=True)
    assert sha256sum.stdout.split()[0] == publication.digest


def test_node_notices_a_changed_download(app, client, tmp_path):
    judged = judged_challenge()
    publication = publish(judged)
    db.session.commit()
    document = json.loads(client.get(f"/challenges/{judged.challenge.slug}/results.json").data)
    document["entries"][0]["score"] += 0.5
    exported = tmp_path / "results.json"
    exported.write_text(json.dumps(document, indent=2), encoding="utf-8")  # another layout: Node canonicalises it
    by_node = _node("recompute_digest.mjs", exported)
    assert by_node["export_is_canonical"] is False and by_node["digest"] != publication.digest
    document["entries"][0]["score"] -= 0.5
    exported.write_text(json.dumps(document, indent=2), encoding="utf-8")
    assert _node("recompute_digest.mjs", exported)["digest"] == publication.digest


# --- results verify ------------------------------------------------------------------------------------

def _verify(app, slug):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["results", "verify", slug])


def _published(entries=3):
    judged = judged_challenge(entries=entries)
    publication = publish(judged)
    db.session.commit()
    return judged.challenge.slug, publication


def _set(publication, **values):
    db.session.execute(sa.update(Publication).where(Publication.id == publication.id).values(**values))
    db.session.commit()
    db.session.expire_all()


def _tampered(publication):
    document = json.loads(json.dumps(publication.document))
    document["entries"][0]["score"] = 99.0
    return document


def _changed_with_its_digest(publication):
    """The document changed and its stored digest recomputed to match: what only the trail can tell."""
    original = publication.digest
    document = _tampered(publication)
    forged = hashlib.sha256(jcs.canonical_bytes(document)).hexdigest()
    _set(publication, document=document, digest=forged)
    return original, forged


def test_verify_checks_document_digest_audited_digest_and_trail(app):
    slug, publication = _published()
    result = _verify(app, slug)
    assert result.exit_code == 0, result.output
    assert f"audited:    {publication.digest}" in result.output and "OK: the document, its digest" in result.output


def test_verify_names_a_changed_document(app):
    slug, publication = _published()
    _set(publication, document=_tampered(publication))
    result = _verify(app, slug)
    assert result.exit_code == 1
    assert "the document was changed after publication" in result.output and f"stored digest is {publication.digest}" in result.output


def test_verify_fails_when_the_document_and_its_digest_were_changed_together(app):
    slug, publication = _published()
    original, forged = _changed_with_its_digest(publication)
    result = _verify(app, slug)
    assert result.exit_code == 1, result.output
    assert "the document and its stored digest were changed together" in result.output
    assert f"the stored digest {forged} differs from the digest recorded in the audit trail at publication, {original}" in result.output
    assert "the document was changed after publication" not in result.output  # that link holds: the next one names it


def test_verify_names_a_changed_digest(app):
    slug, publication = _published()
    _set(publication, digest="0" * 64)
    result = _verify(app, slug)
    assert result.exit_code == 1
    assert "the stored digest was changed" in result.output and "the document was changed" in result.output


def test_verify_fails_when_the_rule_was_switched_to_the_old_one(app):
    slug, publication = _published()
    legacy = digests.digest(publication.document, digests.LEGACY)
    _set(publication, digest_scheme=digests.LEGACY, digest=legacy)
    result = _verify(app, slug)
    assert result.exit_code == 1
    assert f"digest rule {digests.LEGACY} differs from the rule recorded at publication, {digests.RFC8785}" in result.output
    assert "changed together" in result.output


@pytest.mark.parametrize("action, change, phrases", [
    ("results.published", lambda event: {"detail": dict(event.detail, digest="f" * 64)},
     ["the publication's audit event (audit row {id} of", "no longer matches its MAC", "the audit trail is broken"]),
    ("results.published", lambda event: {"object_id": "0"},
     ["holds no results.published event", "the audit trail is broken"]),
    ("results.proposed", lambda event: {"actor_label": "x"},
     ["the audit trail is broken", "(audit row {id}, results.proposed)"]),
], ids=["audited digest rewritten", "publication event moved", "another event changed"])
def test_verify_fails_when_the_trail_was_changed(app, action, change, phrases):
    slug, publication = _published()
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalar_one()
    _as_owner_of_the_database(sa.update(AuditEvent.__table__).where(AuditEvent.id == event.id).values(**change(event)))
    result = _verify(app, slug)
    assert result.exit_code == 1
    for phrase in phrases:
        assert phrase.format(id=event.id) in result.output


# --- publications made before RFC 8785 keep verifying ---------------------------------------------------

def test_a_publication_by_the_old_rule_keeps_verifying_and_exports_its_own_bytes(app, client):
    """As revision 0008 leaves one: digest by the old rule, a publication event that names no rule."""
    from govchallenge.core import audit
    from govchallenge.core.timeutil import utcnow

    judged = judged_challenge()
    publication = operations.propose(judged.challenge, judged.chair)
    document = {k: v for k, v in publication.full.items() if k not in {"outlier_jurors", "unresolved_ties", "strongly_disagreeing"}}
    document.update(published_at="2026-11-30T12:00:00Z", digest_rule=digests.LEGACY_RULE, entries_total=3, entries_ranked=3)
    legacy = hashlib.sha256(_legacy_by_hand(document).encode("utf-8")).hexdigest()
    publication.state, publication.published_at = "published", utcnow()
    publication.document, publication.digest, publication.digest_scheme = document, legacy, digests.LEGACY
    audit.record("results.published", publication, digest=legacy, forced_without=[])  # as written before 0008
    slug = judged.challenge.slug
    result = _verify(app, slug)
    assert result.exit_code == 0, result.output
    download = client.get(f"/challenges/{slug}/results.json")
    assert hashlib.sha256(download.data).hexdigest() == legacy
    assert client.get(f"/api/v1/challenges/{slug}/results").json["digest_rule"] == digests.LEGACY_RULE
    _set(publication, document=_tampered(publication))
    result = _verify(app, slug)
    assert result.exit_code == 1 and "under its rule six-decimals-sha256" in result.output


def test_verify_checks_the_first_publication_event_and_names_a_second(app):
    """A later event (written by whoever can run the application's code) does not vouch for a changed digest."""
    from govchallenge.core import audit

    slug, publication = _published()
    original, forged = _changed_with_its_digest(publication)
    audit.record("results.published", publication, digest=forged, digest_scheme=publication.digest_scheme)
    result = _verify(app, slug)
    assert result.exit_code == 1 and "holds 2 results.published events" in result.output
    assert f"{original} (audit row" in result.output and "changed together" in result.output


def _legacy_by_hand(value):
    """The old rule as it was published: keys sorted, no whitespace, UTF-8, numbers with a decimal point with
    exactly six decimals (never "-0.000000"), integers as integers."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float):
        return ("%.6f" % value).replace("-0.000000", "0.000000")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(_legacy_by_hand(v) for v in value) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _legacy_by_hand(value[k]) for k in sorted(value)) + "}"


@pytest.mark.only_db("sqlite")  # builds its own SQLite file from revision 0007, whatever the backend
def test_the_upgrade_marks_earlier_publications_with_the_old_rule(make_app, tmp_path):
    from flask_migrate import downgrade, upgrade

    from govchallenge.core.timeutil import utcnow

    url = f"sqlite:///{tmp_path / 'before-0008.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, DATABASE_URL=url)
    old = sa.table("publication", sa.column("id", sa.Integer), sa.column("challenge_id", sa.Integer),
                   sa.column("state", sa.String), sa.column("proposed_at", sa.DateTime), sa.column("chair_decisions", sa.JSON),
                   sa.column("full", sa.JSON), sa.column("document", sa.JSON), sa.column("digest", sa.String))
    with app.app_context():
        upgrade(revision="0007_audit_seal")
        now = utcnow().replace(tzinfo=None)
        db.session.execute(sa.insert(old), [
            dict(id=1, challenge_id=1, state="published", proposed_at=now, chair_decisions=[], full={}, document={"a": 1.5},
                 digest=digests.digest({"a": 1.5}, digests.LEGACY)),
            dict(id=2, challenge_id=1, state="proposed", proposed_at=now, chair_decisions=[], full={}, document=None, digest=None),
        ])
        db.session.commit()
        upgrade()
        rows = dict(db.session.execute(sa.text("SELECT id, digest_scheme FROM publication")).all())
        assert rows == {1: digests.LEGACY, 2: None}
        downgrade(revision="0007_audit_seal")  # only old rules: the column goes
        assert "digest_scheme" not in {c["name"] for c in sa.inspect(db.engine).get_columns("publication")}
        upgrade()
        db.session.execute(sa.text("UPDATE publication SET digest_scheme = :s WHERE id = 2"), {"s": digests.RFC8785})
        db.session.commit()
        with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's RuntimeError and exits 1
            downgrade(revision="0007_audit_seal")
        assert "digest_scheme" in {c["name"] for c in sa.inspect(db.engine).get_columns("publication")}
        db.session.remove()
        db.engine.dispose()
