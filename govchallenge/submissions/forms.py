from flask import current_app
from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from govchallenge.core import storage

URL_CHECK = URL(message=_l("Enter a full address such as https://example.org."))
FILE_ERRORS = {
    "empty": _l("%(name)s is empty."),
    "too_large": _l("%(name)s is larger than %(mb)s MB."),
    "type": _l("%(name)s is not an accepted type (PDF, images, office documents, text, ZIP), judged by its content."),
}


class EntryForm(FlaskForm):
    lock_version = HiddenField()
    title = StringField(_l("Title"), validators=[Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=2000)], description=_l("A short paragraph."))
    description = TextAreaField(_l("Description"), validators=[Length(max=50000)], description=_l("Markdown is allowed."))
    code_link = URLField(_l("Link to the code"), validators=[Optional(), URL_CHECK, Length(max=500)])
    video_link = URLField(_l("Link to a video"), validators=[Optional(), URL_CHECK, Length(max=500)])
    demo_link = URLField(_l("Link to a demo"), validators=[Optional(), URL_CHECK, Length(max=500)])
    attachments = MultipleFileField(_l("Add files"), description=_l("PDF, images, office documents, text or ZIP; at most %(mb)s MB each, %(n)s files at a time."))
    accept_terms = BooleanField(_l("I accept the challenge's terms and confirm the team may submit this entry"))
    late_code = StringField(_l("Late-entry code"), validators=[Optional(), Length(max=64)],
                            description=_l("Only if a host gave your team one after the deadline."))

    def prepare(self):
        self.problems = []  # refusals of the operation (deadline, conflict, eligibility), shown above the form
        self.attachments.description = self.attachments.description % {"mb": current_app.config["MAX_ATTACHMENT_MB"], "n": current_app.config["MAX_FILES_PER_SAVE"]}
        return self

    def expected_lock_version(self):
        try:
            return int(self.lock_version.data) if self.lock_version.data not in (None, "") else None
        except ValueError:
            return -1  # tampered: refused as a conflict, never as a crash

    def content(self):
        return {
            "title": self.title.data or "", "summary": self.summary.data or "", "description": self.description.data or "",
            "links": {"code": self.code_link.data or "", "video": self.video_link.data or "", "demo": self.demo_link.data or ""},
        }

    def validate_attachments(self, field):
        """Checks every upload by its bytes; keeps them for the view to store."""
        self.checked_files = []
        limit = current_app.config["MAX_ATTACHMENT_MB"] * 1024 * 1024
        errors = []
        uploads = [u for u in field.data or [] if getattr(u, "filename", "")]
        if len(uploads) > current_app.config["MAX_FILES_PER_SAVE"]:
            raise ValidationError(_l("Add at most %(n)s files at a time; your text is kept.", n=current_app.config["MAX_FILES_PER_SAVE"]))
        for upload in uploads:
            data = upload.read(limit + 1)
            try:
                mime = storage.check(data, storage.DOCUMENT_TYPES, limit)
            except storage.FileRejected as error:
                errors.append(str(FILE_ERRORS[str(error)]) % {"name": upload.filename, "mb": current_app.config["MAX_ATTACHMENT_MB"]})
                continue
            self.checked_files.append((upload.filename, data, mime))
        if errors:
            raise ValidationError(" ".join(errors))

    def fill_from(self, submission):
        self.lock_version.data = str(submission.lock_version)
        self.title.data, self.summary.data, self.description.data = submission.title, submission.summary, submission.description
        links = submission.links or {}
        self.code_link.data, self.video_link.data, self.demo_link.data = links.get("code", ""), links.get("video", ""), links.get("demo", "")


class LateEntryForm(FlaskForm):
    team = SelectField(_l("Team"))
    stage = SelectField(_l("Stage"))
    hours = IntegerField(_l("Valid for (hours)"), default=24, validators=[DataRequired(), NumberRange(min=1, max=168)])
    reason = TextAreaField(_l("Reason (kept in the audit trail)"), validators=[DataRequired(), Length(max=2000)])


class LockForm(FlaskForm):
    lock_version = HiddenField()
    late_code = HiddenField()

    def expected_lock_version(self):
        try:
            return int(self.lock_version.data)
        except (TypeError, ValueError):
            return -1
