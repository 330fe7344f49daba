"""Partners' webhooks: the signed body of a results announcement, and its delivery through the guard that
refuses private and loopback addresses at each attempt."""
import hashlib
import hmac
import http.client
import json

from flask import current_app

from govchallenge.core.urls import external_url

from . import documents, webhook_guard

SIGNATURE_HEADER = "X-Govchallenge-Signature"


def sign(secret, body):
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret, body, header):
    return hmac.compare_digest(sign(secret, body), header or "")


def webhook_body(delivery):
    publication = delivery.announcement.publication
    document = publication.document
    payload = {
        "event": "results.published",
        "delivery": delivery.id,
        "challenge": document["challenge"]["slug"],
        "title": document["challenge"]["title"],
        "published_at": document["published_at"],
        "digest": publication.digest,
        "digest_scheme": publication.digest_scheme,
        "results_url": external_url("results.show", slug=document["challenge"]["slug"]),
        "export_url": external_url("results.export_json", slug=document["challenge"]["slug"]),
        # How the final round was judged: "rubric" (each winner's `score` out of 100), "pairwise" (Crowd-BT:
        # `final` holds mu, sigma and comparisons) or "ranked" (Schulze: `final` holds tier and finalists beaten).
        "method": documents.final_kind(document) or "rubric",
        "winners": [{"place": e["place"], "entry": e["entry"], "team": e["team"], "title": e["title"],
                     "score": e["score"], "final": e.get("final")} for e in documents.winners(publication.full)],
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def post_webhook(delivery):
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.active:
        raise RuntimeError("endpoint removed or deactivated")
    body = webhook_body(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "govchallenge-webhook/1",
        SIGNATURE_HEADER: sign(endpoint.secret, body),
        "X-Govchallenge-Event": "results.published",
        "X-Govchallenge-Delivery": str(delivery.id),
    }
    timeout = current_app.config.get("RESULTS_WEBHOOK_TIMEOUT", 5)
    allow_private = bool(current_app.config.get("WEBHOOK_ALLOW_PRIVATE", False))
    try:
        status = webhook_guard.post(endpoint.url, body, headers, timeout, allow_private)
    except webhook_guard.Refused as error:
        # Checked again at each attempt: the name may re-resolve (or be fixed) before the next one.
        raise RuntimeError(f"endpoint refused: {error}") from error
    except (OSError, http.client.HTTPException) as error:
        raise RuntimeError(f"endpoint unreachable: {type(error).__name__} {error}") from error
    if not 200 <= status < 300:
        raise RuntimeError(f"endpoint answered {status}")
