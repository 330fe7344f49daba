"""One shape for every form action, and one base class for the refusals of business rules.

A view loads its objects and checks permission; then the action is always the same:
validate the form -> run one operation -> commit -> flash -> redirect (post/redirect/get).
When the operation refuses (a RuleError), what it flushed is rolled back, the message goes on the field it
is about or is flashed, and the page is shown again, with what the user typed, under the status that fits
the refusal (400 for bad input, 409 for a state that forbids the change, ...). Nothing the user saved
before is lost: only the refused change is rolled back.
"""
from flask import abort, flash, redirect, render_template, request
from sqlalchemy.exc import IntegrityError

from govchallenge.extensions import db

from .forms import EmptyForm


class RuleError(ValueError):
    """A business rule refused a change: `code` names the rule and `detail` carries its values. Operations
    raise it (each domain subclasses it); views turn it into words through the domain's Messages."""

    def __init__(self, code, **detail):
        super().__init__(code)
        self.code = code
        self.detail = detail


class Messages:
    """A domain's words for its refusals: {code: callable(detail) -> translated text}, a default for codes not
    in the table, and the status of refusals that are not plain bad input."""

    def __init__(self, table, default, statuses=None):
        self.table, self.default, self.statuses = table, default, statuses or {}

    def text(self, error):
        return self.table.get(error.code, lambda detail: self.default())(error.detail)

    def status(self, error):
        return self.statuses.get(error.code, 400)


def flushed(run, refusal):
    """`run`, then a flush: a unique constraint that a concurrent request won first is refused like the rule it
    guards (`refusal`, a RuleError), instead of failing at the commit."""
    def attempt():
        try:
            result = run()
            db.session.flush()
        except IntegrityError:
            raise refusal from None
        return result
    return attempt


def succeed(target, message=None):
    """Commit the request's one transaction, say what happened, and redirect."""
    db.session.commit()
    if message:
        flash(message, "success")
    return redirect(target)


def refuse(error, messages, field=None):
    """Roll back the refused change; the message goes on `field` (a form field) or is flashed. -> status."""
    db.session.rollback()
    text = messages.text(error)
    if field is not None:
        field.errors.append(text)
    else:
        flash(text, "error")
    return messages.status(error)


def form_action(form, run, *, done, again, messages, fields=None, field=None, invalid=None):
    """The whole action: `run()` is the one operation; `done(result)` -> (url, message) after commit;
    `again(status)` shows the page again. A refusal's message goes on `fields[code]`, else on `field`,
    else is flashed; `invalid`, when given, is flashed over a form that did not validate."""
    if not form.validate_on_submit():
        if invalid:
            flash(invalid, "error")
        return again(400)
    try:
        result = run()
    except RuleError as error:
        return again(refuse(error, messages, (fields or {}).get(error.code, field)))
    return succeed(*done(result))


def button_action(run, *, back, done, messages, form=None):
    """A button that changes state (a form with nothing but its CSRF token, unless `form` is given): a form that
    does not validate is a bad request; `run()` is the one operation; a refusal is flashed and leads to `back`.
    `done` is the success message, or a callable(result) -> (url, message)."""
    if not (form if form is not None else EmptyForm()).validate_on_submit():
        abort(400)
    try:
        result = run()
    except RuleError as error:
        refuse(error, messages)
        return redirect(back)
    return succeed(*done(result)) if callable(done) else succeed(back, done)


def confirmation(question, consequence, confirm_label, cancel):
    """The page that asks before an action that cannot be undone (GET of the action's URL): its button sends the
    same URL by POST with the CSRF token, so it works without a script; `cancel` goes back unchanged."""
    return render_template("core/confirm.html", question=question, consequence=consequence,
                           confirm_label=confirm_label, cancel=cancel, action=request.path)
