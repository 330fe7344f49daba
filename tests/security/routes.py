"""Every route of the app, with sample values for its arguments, so the standing security tests cover a new
route without being told about it."""
from govchallenge.extensions import db
from tests.support import factories

# A value for each argument name the routes use; an unknown name gets 1, which fits int converters and strings.
SAMPLE_ARGUMENTS = {"token": "not-a-real-token", "filename": "css/app.css", "language": "en", "kind": "csv",
                    "file_id": "no-such-file"}


def sample_objects():
    """One organisation and one challenge sharing a slug, and a team: enough for every <slug> and <public_id>
    to reach a real object, so the pages behind them render instead of 404."""
    officer = factories.make_user(email="host-officer@ministry.gov.pl", name="Hanna Host")
    body = factories.make_public_body(officer=officer)
    challenge = factories.make_challenge(host=body, slug=body.slug)
    team = factories.make_team(challenge)
    db.session.commit()
    return {"slug": body.slug, "public_id": team.public_id, "officer": officer}


def routes(app, method="GET"):
    return sorted((rule for rule in app.url_map.iter_rules() if method in rule.methods), key=lambda rule: rule.rule)


def path_for(rule, values):
    arguments = {name: values.get(name, SAMPLE_ARGUMENTS.get(name, 1)) for name in rule.arguments}
    return rule.build(arguments, append_unknown=False)[1]


def every_path(app, values, method="GET"):
    """The path of every route that answers `method`, arguments filled from `values` and SAMPLE_ARGUMENTS."""
    return [path_for(rule, values) for rule in routes(app, method)]
