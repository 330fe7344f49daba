"""Who sees what: every route of the URL map (GET, then POST), as every role, with the world's real ids and their
neighbours (id + 1, another challenge's slug, another team's public id), used as a leak oracle.

Private data of the world carries unique markers (tests/support/world.py); `SECRETS` says which roles may see
each. A marker in an answer to any other role is a leak; an answer of 500 is a failure too. One test per role,
so a failure names the role and the path. POSTs go after the GETs (they change the world) and carry no form
data: what a role may do, it does; everything else must be refused without showing anything private."""
import pytest

from tests.security.test_xss import client_as, plan, response_problems
from tests.support.world import ROLES, build_world


def _entry_text(w, submission):
    """The entry's title and description, and those of its submitted version."""
    rows = [submission] + list(submission.versions[:1])
    return [w.mark(row, column) for row in rows for column in ("title", "description")]


def _review_of(judged, user):
    return next(r for r in judged.reviews if r.assignment.juror.user_id == user.id)


# What is private, where the world keeps it, and the roles that may see it (and why).
SECRETS = {
    "a team's draft entry": (
        lambda w: _entry_text(w, w.entries["own_draft"]),
        {"member"},  # its team alone: hosts read entries once submitted and the stage closed
    ),
    "another team's entry, its stage still open": (
        lambda w: _entry_text(w, w.entries["other_submitted"]),
        set(),  # none of the roles is in that team; hosts wait for the deadline
    ),
    "a juror's review comment in a blind challenge": (
        lambda w: [w.mark(_review_of(w.rows["judged"], w.users["juror"]), "comments", "overall")],
        {"juror"},  # the juror who wrote it; jurors do not see each other's reviews there
    ),
    "a juror's conflict note": (
        lambda w: [w.mark(w.rows["declared"], "note")],
        {"juror", "chair"},  # the juror who declared it and the chair who checks conflicts
    ),
    "the teams of a blind ranking not yet published": (
        lambda w: [w.mark(t, "name") for t in w.rows["judged"].teams[1:]],
        {"officer", "cohost"},  # the hosts confirm the ranking; the chair sits on the blind jury and sees
        # entries without teams until publication; jurors declare conflicts with organisations and people
    ),
    "an unpublished challenge": (
        lambda w: [w.mark(w.challenges["draft"], "description", language) for language in ("en", "el", "pl")],
        {"officer", "admin"},  # its hosts and the platform's reviewers
    ),
    "a question not answered yet": (
        lambda w: [w.mark(w.rows["unanswered"], "question")],
        {"officer", "cohost"},  # the hosts, who answer it; it is published with the answer
    ),
}


def _last(rule):
    """Signing out ends the role's session: that request goes last."""
    return rule.endpoint == "accounts.logout"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_what_it_may(app, login_as, role):
    world = build_world()
    secrets = {name: (markers(world), allowed) for name, (markers, allowed) in SECRETS.items()}
    gets, unfilled = plan(app, world, "GET", neighbours=True)
    posts, more_unfilled = plan(app, world, "POST", neighbours=True)
    failures = unfilled + more_unfilled
    client = client_as(app, world, role, login_as)
    requests = [("GET", rule, path) for rule, path in gets] + sorted(
        (("POST", rule, path) for rule, path in posts), key=lambda item: _last(item[1]))
    seen = set()
    for method, rule, path in requests:
        response = client.open(path, method=method)
        failures += [f"{role} {method} {path}: {problem}" for problem in response_problems(rule, response)]
        body = response.get_data().decode("utf-8", errors="replace")
        for name, (markers, allowed) in secrets.items():
            if any(m in body for m in markers):
                seen.add(name)
                if role not in allowed:
                    failures.append(f"{role} {method} {path} ({response.status_code}) shows {name}")
    # The table is exact both ways: a role it allows does see the secret somewhere (else the oracle is blind).
    failures += [f"{role} may see {name} (SECRETS) but no answer showed it" for name, (_m, allowed) in secrets.items()
                 if role in allowed and name not in seen]
    assert len(requests) > 500
    assert not failures, "\n".join(failures)
