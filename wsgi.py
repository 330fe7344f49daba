"""`gunicorn wsgi:app` serves the platform."""
from govchallenge import create_app

app = create_app()
