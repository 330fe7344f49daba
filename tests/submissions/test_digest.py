"""The receipt's digest (submissions/operations.py content_digest), against its rule written out here: SHA-256
of the canonical JSON (keys sorted, no whitespace, UTF-8 as is) of title, summary, description, the links that
are not empty, and each file's name, SHA-256 and size, the files ordered by SHA-256 then name."""
import hashlib

from govchallenge.submissions.operations import content_digest, hash_code


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_digest_of_an_entry_worked_out_by_hand():
    files = [{"filename": "b.pdf", "sha256": "bb", "size": 2, "mime_type": "application/pdf"},
             {"filename": "a.pdf", "sha256": "bb", "size": 2, "mime_type": "application/pdf"},
             {"filename": "z.png", "sha256": "aa", "size": 10, "mime_type": "image/png"}]
    links = {"video": "", "demo": "https://demo.example.eu", "code": "https://git.example.eu/x"}
    text = ('{"description":"Ελληνικά & \\"quoted\\"","files":[{"filename":"z.png","sha256":"aa","size":10},'
            '{"filename":"a.pdf","sha256":"bb","size":2},{"filename":"b.pdf","sha256":"bb","size":2}],'
            '"links":{"code":"https://git.example.eu/x","demo":"https://demo.example.eu"},'
            '"summary":"Łódź","title":"Bus"}')
    assert content_digest("Bus", "Łódź", 'Ελληνικά & "quoted"', links, files) == sha(text)


def test_an_entry_without_links_or_files():
    text = '{"description":"","files":[],"links":{},"summary":"s","title":"t"}'
    assert content_digest("t", "s", "", None, []) == sha(text)
    assert content_digest("t", "s", "", {"code": ""}, []) == sha(text)


def test_a_late_entry_code_is_kept_as_the_sha256_of_its_trimmed_text():
    assert hash_code("  Abc-123\n") == sha("Abc-123") == hash_code("Abc-123")
    assert hash_code(None) == hash_code("") == sha("")


def test_declared_openness_is_covered_under_its_own_key_with_its_non_empty_values_only():
    openness = {"repository_url": "https://git.example.eu/ζ", "licence": "EUPL-1.2", "publiccode_sha256": ""}
    text = ('{"description":"d","files":[],"links":{},'
            '"openness":{"licence":"EUPL-1.2","repository_url":"https://git.example.eu/ζ"},"summary":"s","title":"t"}')
    assert content_digest("t", "s", "d", None, [], openness) == sha(text)


def test_an_entry_that_declares_no_openness_keeps_the_digest_it_always_had():
    text = '{"description":"d","files":[],"links":{},"summary":"s","title":"t"}'
    assert content_digest("t", "s", "d", None, [], {"licence": "", "repository_url": None}) == sha(text)
    assert content_digest("t", "s", "d", None, [], None) == sha(text)
