"""The jury's URL table: one blueprint, its pages housed by audience in juror_views (invitees and jurors),
chair_views (the chair, and the dashboard hosts read) and host_views (the hosts' officers)."""
from flask import Blueprint

from . import chair_views, finals_views, host_views, juror_views
from .host_views import jury_panel  # noqa: F401  (the challenge page's panel, registered by jury.init_app)

bp = Blueprint("jury", __name__, url_prefix="/jury")

ROUTES = [
    ("/", juror_views.index, ("GET",)),
    ("/<slug>/members", host_views.members, ("GET", "POST")),
    ("/<slug>/members/<int:juror_id>/chair", host_views.name_chair, ("POST",)),
    ("/invitation/<token>", juror_views.invitation, ("GET", "POST")),
    ("/<slug>/declare", juror_views.declare, ("GET", "POST")),
    ("/<slug>/conflicts", chair_views.conflicts, ("GET", "POST")),
    ("/<slug>/reviews", juror_views.mine, ("GET",)),
    ("/review/<public_id>", juror_views.review, ("GET", "POST")),
    ("/review/<public_id>/files/<int:index>", juror_views.review_file, ("GET",)),
    ("/review/<public_id>/recuse", juror_views.recuse, ("POST",)),
    ("/<slug>/dashboard", chair_views.dashboard, ("GET",)),
    ("/<slug>/rounds", chair_views.open_round, ("POST",)),
    ("/<slug>/rounds/<int:number>/assign", chair_views.assign, ("POST",)),
    ("/<slug>/rounds/<int:number>/assignment", chair_views.assignment_status, ("GET",)),
    ("/<slug>/rounds/<int:number>/manual", chair_views.manual, ("POST",)),
    ("/<slug>/rounds/<int:number>/remind", chair_views.remind, ("POST",)),
    ("/<slug>/rounds/<int:number>/closing", chair_views.closing, ("POST",)),
    ("/<slug>/rounds/<int:number>/close", chair_views.close, ("GET", "POST")),
    ("/<slug>/rounds/<int:number>/shortlist", chair_views.shortlist, ("POST",)),
    ("/<slug>/rounds/<int:number>/entries/<int:entry_id>/exclude", chair_views.exclude, ("POST",)),
    ("/<slug>/assignments/<public_id>/override", chair_views.override, ("GET", "POST")),
    ("/<slug>/assignments/<public_id>/reassign", chair_views.reassign, ("POST",)),
    ("/<slug>/rounds/<int:number>/pairwise", finals_views.pairwise, ("GET",)),
    ("/<slug>/rounds/<int:number>/pairwise/next", finals_views.pairwise_next, ("POST",)),
    ("/<slug>/rounds/<int:number>/pairwise/vote", finals_views.pairwise_vote, ("POST",)),
    ("/<slug>/rounds/<int:number>/ballot", finals_views.ballot, ("GET", "POST")),
    ("/<slug>/rounds/<int:number>/finals", finals_views.finals_chair, ("GET",)),
    ("/<slug>/rounds/<int:number>/kind", finals_views.round_kind, ("POST",)),
    ("/<slug>/rounds/<int:number>/finals/close", finals_views.close_final, ("POST",)),
]

for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view.__name__, view, methods=list(methods))
