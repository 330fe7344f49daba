"""Every state-changing route of the challenges domain refuses a form without the CSRF token."""

from govchallenge.challenges.models import DRAFT
from govchallenge.extensions import db
from tests.core import test_pages
from tests.support import factories

# The core test lists parameter-free POST routes proven elsewhere; /challenges/new is proven here.
test_pages.EXTRA_CSRF_CHECKED.add("/challenges/new")

def test_every_post_route_needs_the_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        officer = factories.make_user()
        body = factories.make_public_body(officer=officer)
        challenge = factories.make_challenge(host=body, status=DRAFT)
        db.session.commit()
        slug = challenge.slug
        routes = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("challenges.") and "POST" in r.methods]
        assert len(routes) > 15
        client = app.test_client()
        for rule in routes:
            values = {name: (slug if name == "slug" else "el" if name == "language" else 1) for name in rule.arguments}
            path = rule.build(values)[1]
            response = client.post(path, data={"title": "x"})
            assert response.status_code == 400, (path, response.status_code)
            assert "not sent from this site" in response.get_data(as_text=True), path
