"""The results' URL table: one blueprint; the pages live in public_views (everyone) and host_views (the
chair and the hosts' officers)."""
from flask import Blueprint

from govchallenge.core.page_cache import cached_page

from . import host_views, public_views
from .shared import panel_context  # noqa: F401  (the challenge page's panel, registered by results.init_app)

bp = Blueprint("results", __name__)

ROUTES = [
    ("/challenges/<slug>/results", public_views.show, ("GET",)),
    ("/challenges/<slug>/results/propose", host_views.propose, ("POST",)),
    ("/challenges/<slug>/results/confirm", host_views.confirm, ("GET", "POST")),
    ("/challenges/<slug>/results.json", public_views.export_json, ("GET",)),
    ("/challenges/<slug>/results.csv", public_views.export_csv, ("GET",)),
    ("/api/v1/challenges/<slug>/results", public_views.api_results, ("GET",)),
    ("/challenges/<slug>/results/announcement", host_views.announcement, ("GET",)),
    ("/challenges/<slug>/results/announcement/retry", host_views.retry, ("POST",)),
    ("/challenges/<slug>/results/webhooks", host_views.webhooks, ("GET", "POST")),
    ("/challenges/<slug>/results/webhooks/<int:endpoint_id>/deactivate", host_views.deactivate_webhook, ("POST",)),
    ("/contests/<slug>", public_views.contest, ("GET",)),
]

# Pages anyone may see, kept rendered for anonymous visitors (core/page_cache.py).
CACHED = {public_views.show, public_views.contest}

for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view.__name__, cached_page(view) if view in CACHED else view, methods=list(methods))
