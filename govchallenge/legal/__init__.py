"""Legal and help pages: accessibility statement, privacy notice, cookies, contact. The operator edits their
text per language (admin/legal.py); the facts the platform knows (its cookies, its retention periods, its
known accessibility limitations) come from the code, so the pages cannot drift from what it does."""


def init_app(app):
    from .models import operator_name
    from .pages import footer_links
    from .views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["footer_links"] = footer_links
    app.jinja_env.globals["operator_name"] = operator_name
