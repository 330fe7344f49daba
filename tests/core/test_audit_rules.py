"""The audit trail's pure parts against values computed here another way: the MACs with hashlib and a
canonical JSON written for ASCII documents (for which RFC 8785 is sorted keys, no spaces), and the
checkpoint file read and cut by hand."""
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import pytest

from govchallenge.core.audit import checkpoints, signing

KEY = b"k" * 32
AT = datetime(2026, 12, 1, 12, 30, tzinfo=timezone.utc)


def ascii_canonical(document):
    """RFC 8785 for documents of ASCII strings, small integers, lists and dicts: sorted keys, no spaces."""
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def hmac_hex(key, label, document):
    return hmac.new(key, label + ascii_canonical(document), hashlib.sha256).hexdigest()


# --- the key ---------------------------------------------------------------------------------------------

def test_an_audit_key_that_is_set_is_used_as_it_is():
    assert signing.derive_key("hex-or-any-text", "secret") == b"hex-or-any-text"


def test_without_an_audit_key_one_is_derived_from_the_secret_key_and_is_not_the_secret_key():
    derived = signing.derive_key("", "the secret key")
    expected = hmac.new(b"the secret key", b"govchallenge.audit.key-from-secret-key.v1", hashlib.sha256).digest()
    assert derived == expected
    assert signing.derive_key(None, "the secret key") == expected
    assert derived != b"the secret key" and signing.derive_key("", "another") != derived


def test_the_key_id_is_a_short_public_fingerprint_of_the_key():
    expected = hmac.new(KEY, b"govchallenge.audit.key-id.v1", hashlib.sha256).hexdigest()[:16]
    assert signing.key_id(KEY) == expected
    assert len(expected) == 16 and signing.key_id(b"other") != expected


# --- what is signed --------------------------------------------------------------------------------------

def test_the_canonical_form_is_rfc_8785():
    assert signing.canonical({"b": 1, "a": [2, "x", None, True], "c": {"z": 1, "y": 2}}) == \
        b'{"a":[2,"x",null,true],"b":1,"c":{"y":2,"z":1}}'
    assert signing.canonical({"f": 1.0, "e": "é"}) == '{"e":"é","f":1}'.encode("utf-8")


@pytest.mark.parametrize("value", [2 ** 53 + 1, float("nan")])
def test_values_json_cannot_carry_exactly_are_refused(value):
    with pytest.raises(signing.UnsignableDetail, match="cannot sign this value exactly"):
        signing.canonical({"n": value})


def test_a_detail_is_signed_as_a_json_column_gives_it_back():
    assert signing.as_json({"t": (1, 2), "n": None, 3: "x"}) == {"t": [1, 2], "n": None, "3": "x"}


@pytest.mark.parametrize("value, message", [
    ({"n": float("nan")}, "not plain JSON"),
    ({"when": AT}, "not plain JSON"),
    ({"big": 2 ** 60}, "cannot sign this value exactly"),
])
def test_a_detail_that_is_not_plain_json_is_refused(value, message):
    with pytest.raises(signing.UnsignableDetail, match=message):
        signing.as_json(value)


def test_an_events_mac_is_hmac_sha256_over_its_label_and_canonical_payload():
    payload = {"action": "a.b", "detail": {"z": 1, "a": "x"}, "actor_id": 3}
    assert signing.event_mac(KEY, payload) == hmac_hex(KEY, b"govchallenge.audit.event.v1\n", payload)


def test_a_seal_mac_covers_position_event_event_mac_moment_and_the_link_before():
    expected = hmac_hex(KEY, b"govchallenge.audit.seal.v1\n", {
        "seq": 7, "event_id": 12, "event_mac": "m" * 64, "sealed_at": "2026-12-01T12:30:00+00:00", "prev": "p" * 64,
    })
    assert signing.seal_mac(KEY, 7, 12, "m" * 64, AT, "p" * 64) == expected


def test_a_checkpoint_signature_covers_every_field_but_the_signature():
    checkpoint = {"seq": 3, "event_id": 9, "head": "h", "at": "t", "key_id": "k", "sig": "old"}
    expected = hmac_hex(KEY, b"govchallenge.audit.checkpoint.v1\n",
                        {"seq": 3, "event_id": 9, "head": "h", "at": "t", "key_id": "k"})
    assert signing.checkpoint_signature(KEY, checkpoint) == expected
    assert signing.checkpoint_signature(KEY, dict(checkpoint, sig="another")) == expected


def test_the_three_uses_of_the_key_never_sign_alike():
    document = {"seq": 1}
    macs = {signing.event_mac(KEY, document), signing.checkpoint_signature(KEY, document),
            hmac_hex(KEY, b"", document)}
    assert len(macs) == 3


def test_macs_are_compared_as_text():
    assert signing.same("abc", "abc") and signing.same(12, "12")
    assert not signing.same("abc", "abd") and not signing.same("abc", "ab")


# --- the checkpoint file -----------------------------------------------------------------------------------

def checkpoint(seq, key=KEY, at=AT):
    return checkpoints.make(key, seq, 100 + seq, f"head-{seq}", at)


def test_a_checkpoint_names_the_head_the_moment_and_the_key_and_is_signed():
    made = checkpoint(4)
    assert {k: v for k, v in made.items() if k != "sig"} == {
        "seq": 4, "event_id": 104, "head": "head-4", "at": "2026-12-01T12:30:00+00:00",
        "key_id": hmac.new(KEY, b"govchallenge.audit.key-id.v1", hashlib.sha256).hexdigest()[:16],
    }
    assert made["sig"] == hmac_hex(KEY, b"govchallenge.audit.checkpoint.v1\n",
                                   {k: v for k, v in made.items() if k != "sig"})


def test_checkpoints_are_appended_one_json_line_each_and_read_back_numbered_from_one(tmp_path):
    folder = tmp_path / "audit" / "deep"
    assert checkpoints.read(folder) == [] and checkpoints.newest(folder) is None
    first, second = checkpoint(1), checkpoint(2)
    assert checkpoints.append(folder, first) == first
    checkpoints.append(folder, second)
    text = (folder / "checkpoints.jsonl").read_text("utf-8")
    assert text == json.dumps(first, sort_keys=True) + "\n" + json.dumps(second, sort_keys=True) + "\n"
    assert checkpoints.read(folder) == [checkpoints.Line(1, first), checkpoints.Line(2, second)]
    assert checkpoints.newest(folder) == second


@pytest.mark.parametrize("line", [
    "not json",
    "[1, 2]",
    '{"seq": 1}',
    json.dumps(dict(checkpoint(1), extra="x")),
])
def test_a_line_that_is_not_a_checkpoint_is_kept_as_a_problem_with_its_number(tmp_path, line):
    good = json.dumps(checkpoint(1), sort_keys=True)
    (tmp_path / "checkpoints.jsonl").write_text(f"{good}\n\n{line}\n{good}\n", "utf-8")
    assert checkpoints.read(tmp_path) == [
        checkpoints.Line(1, checkpoint(1)), checkpoints.Line(3, None), checkpoints.Line(4, checkpoint(1)),
    ]


def test_the_newest_checkpoint_is_read_from_the_end_of_a_long_file(tmp_path):
    for seq in range(1, 200):
        checkpoints.append(tmp_path, checkpoint(seq))
    assert (tmp_path / "checkpoints.jsonl").stat().st_size > 4096 * 4
    assert checkpoints.newest(tmp_path) == checkpoint(199)


def test_bytes_that_are_not_utf_8_before_the_last_line_do_not_hide_it(tmp_path):
    last = json.dumps(checkpoint(2), sort_keys=True)
    (tmp_path / "checkpoints.jsonl").write_bytes(b"\xff\xfe edited\n" + last.encode() + b"\n")
    assert checkpoints.newest(tmp_path) == checkpoint(2)


def test_an_empty_checkpoint_file_has_no_newest(tmp_path):
    (tmp_path / "checkpoints.jsonl").write_text("\n", "utf-8")
    assert checkpoints.newest(tmp_path) is None
    (tmp_path / "checkpoints.jsonl").write_text("", "utf-8")
    assert checkpoints.newest(tmp_path) is None


@pytest.mark.parametrize("last_seq, age, head, every, due", [
    (10, 0, 20, 10, True),     # exactly `every` events moved
    (10, 0, 19, 10, False),    # one short of it
    (10, 60, 11, 1000, True),  # exactly `seconds` old
    (10, 59, 11, 1000, False),  # a second short of it
    (10, 600, 10, 1, False),   # old, but nothing moved
])
def test_a_checkpoint_is_due_at_the_edges_of_both_limits(last_seq, age, head, every, due):
    last = {"seq": str(last_seq), "at": (AT - timedelta(seconds=age)).isoformat()}
    assert checkpoints.is_due(last, head, AT, every=every, seconds=60) is due


def test_unmailed_checkpoints_are_those_after_the_last_mailed_seq(tmp_path):
    for seq in (1, 2, 3):
        checkpoints.append(tmp_path, checkpoint(seq))
    with open(tmp_path / "checkpoints.jsonl", "a", encoding="utf-8") as handle:
        handle.write("edited\n")
    assert [c["seq"] for c in checkpoints.unmailed(tmp_path)] == [1, 2, 3]
    checkpoints.mark_mailed(tmp_path, 2)
    assert (tmp_path / "checkpoints.mailed").read_text() == "2"
    assert [c["seq"] for c in checkpoints.unmailed(tmp_path)] == [3]
    (tmp_path / "checkpoints.mailed").write_text("")
    assert [c["seq"] for c in checkpoints.unmailed(tmp_path)] == [1, 2, 3]


# --- mailing the checkpoints to the operator ------------------------------------------------------------------

@pytest.fixture
def outbox(app, monkeypatch):
    """What checkpoints.mail_unsent hands to the mailer (mail.send itself is tested in tests/core and accounts)."""
    from govchallenge.core import mail

    sent = []
    monkeypatch.setattr(mail, "send", sent.append)
    return sent


def test_unmailed_checkpoints_go_to_the_operator_in_one_message(tmp_path, outbox):
    first, second = checkpoint(1), checkpoint(2, at=AT + timedelta(minutes=1))
    for made in (first, second):
        checkpoints.append(tmp_path, made)
    assert checkpoints.mail_unsent(tmp_path, "ops@operator.eu") == 2
    [message] = outbox
    lines = [json.dumps(first, sort_keys=True), json.dumps(second, sort_keys=True)]
    assert (message.to, message.subject) == ("ops@operator.eu", "Audit checkpoint: 2 events sealed")
    assert message.text == "\n".join(lines) + "\n"
    assert message.html == "<pre>" + "\n".join(lines).replace('"', "&#34;") + "\n</pre>"
    assert (tmp_path / "checkpoints.mailed").read_text() == "2"
    assert checkpoints.mail_unsent(tmp_path, "ops@operator.eu") == 0 and len(outbox) == 1


def test_without_an_address_or_anything_new_nothing_is_mailed(tmp_path, outbox):
    assert checkpoints.mail_unsent(tmp_path, "ops@operator.eu") == 0
    checkpoints.append(tmp_path, checkpoint(1))
    assert checkpoints.mail_unsent(tmp_path, "") == 0
    assert outbox == [] and not (tmp_path / "checkpoints.mailed").exists()


def test_a_refused_mail_leaves_the_checkpoints_for_the_next_one(app, tmp_path, monkeypatch, caplog):
    from govchallenge.core import mail

    def refuse(message):
        raise mail.MailError("the server refuses")

    monkeypatch.setattr(mail, "send", refuse)
    checkpoints.append(tmp_path, checkpoint(1))
    assert checkpoints.mail_unsent(tmp_path, "ops@operator.eu") == 0
    assert not (tmp_path / "checkpoints.mailed").exists()
    assert [c["seq"] for c in checkpoints.unmailed(tmp_path)] == [1]
    [logged] = [r for r in caplog.records if r.name == "govchallenge.core.audit.checkpoints"]
    assert logged.getMessage() == "audit checkpoint mail to ops@operator.eu failed; it goes with the next one"
    assert logged.exc_info is not None
