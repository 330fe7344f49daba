from flask import current_app
from govchallenge.core.i18n import lazy_text as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from govchallenge.core import storage

from . import licences, publiccode

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
    licence = StringField(_l("Licence of the solution (SPDX expression)"), validators=[Optional(), Length(max=300)],
                          description=_l("For example EUPL-1.2, MIT or EUPL-1.2 OR MIT."))
    repository_url = URLField(_l("Public repository"), validators=[Optional(), Length(max=500)],
                              description=_l("An http or https address where anyone can read the code."))
    publiccode_text = TextAreaField(_l("publiccode.yml"), validators=[Optional(), Length(max=publiccode.MAX_BYTES)],
                                    description=_l("Optional: the metadata file of public-sector software, pasted here or uploaded below."))
    publiccode_file = FileField(_l("Upload a publiccode.yml"))
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
            "openness": {"licence": self.licence.data or "", "repository_url": (self.repository_url.data or "").strip(),
                         "publiccode": self.publiccode_text.data or ""},
        }

    def validate_licence(self, field):
        """Normalised in place (`mit` -> `MIT`); unknown or replaced identifiers are named, with the suggestion."""
        if not (field.data or "").strip():
            field.data = ""
            return
        found = licences.check(field.data)
        if found.ok:
            field.data = found.normalised
            return
        raise ValidationError(licence_problem_text(found))

    def validate_repository_url(self, field):
        if (field.data or "").strip() and not publiccode.is_http_url(field.data):
            raise ValidationError(_l("Enter an address starting with http:// or https://."))

    def validate_publiccode_file(self, field):
        upload = field.data
        if not getattr(upload, "filename", ""):
            return
        data = upload.read(publiccode.MAX_BYTES + 1)
        if len(data) > publiccode.MAX_BYTES:
            raise ValidationError(_l("The file is larger than %(kb)s KB.", kb=publiccode.MAX_BYTES // 1024))
        try:
            self.publiccode_text.data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_l("The file is not UTF-8 text.")) from None

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        text = (self.publiccode_text.data or "").strip()
        if text and not self.publiccode_file.errors:
            _document, problems = publiccode.parse(text)
            if problems:
                self.publiccode_text.errors = list(self.publiccode_text.errors) + [publiccode_problem_text(p) for p in problems]
                return False
        return valid

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
        self.licence.data, self.repository_url.data = submission.licence, submission.repository_url
        self.publiccode_text.data = submission.publiccode


def licence_problem_text(found):
    """What is wrong with an SPDX expression, in the viewer's language (found: licences.LicenceCheck)."""
    from flask_babel import gettext as _

    if found.unknown:
        return _("Not an SPDX licence identifier: %(ids)s. Use identifiers of the SPDX licence list, such as EUPL-1.2 or MIT.",
                 ids=", ".join(found.unknown))
    if found.deprecated:
        return _("Deprecated SPDX identifier: %(ids)s. Write %(suggestion)s instead.",
                 ids=", ".join(f"{old} ({new})" for old, new in found.deprecated), suggestion=found.normalised)
    return _("Not a valid SPDX expression: combine identifiers with AND, OR, WITH and brackets, such as EUPL-1.2 OR MIT.")


def publiccode_problem_text(problem):
    """One problem of a publiccode.yml (publiccode.Problem), with its field, in the viewer's language."""
    from flask_babel import gettext as _

    values = problem.values
    words = {
        "missing": lambda: _("required, but missing or empty"),
        "type": lambda: _("must be %(kind)s", kind={"text": _("text"), "list": _("a list of language codes such as [en, el]"),
                                                    "mapping": _("a set of named fields")}.get(values.get("expected"), values.get("expected"))),
        "value": lambda: _("must be one of: %(allowed)s", allowed=values.get("allowed")),
        "url": lambda: _("must be an http or https address"),
        "licence": lambda: licence_problem_text(licences.LicenceCheck(
            values.get("normalised") or None, unknown=[x for x in values.get("unknown", "").split(", ") if x],
            deprecated=[tuple(x.split(" → ")) for x in values.get("deprecated", "").split(", ") if x],
            syntax=not values.get("unknown") and not values.get("deprecated"))),
        "too_long": lambda: _("longer than %(max)s characters", max=values.get("max")),
        "version": lambda: _("a version this platform does not know (it knows %(known)s)", known=values.get("known")),
        "not_yaml": lambda: (_("not YAML (line %(line)s)", line=values["line"]) if values.get("line") else _("not YAML")),
        "not_mapping": lambda: _("not a set of fields: the file must start with fields such as publiccodeYmlVersion and name"),
    }
    return _("%(field)s: %(problem)s", field=problem.field, problem=words.get(problem.code, lambda: problem.code)())


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


class CheckForm(LockForm):
    """The check page's "Submit entry": the lock version of the content it showed, and a late-entry code."""
    late_code = StringField(_l("Late-entry code"), validators=[Optional(), Length(max=64)],
                            description=_l("Only if a host gave your team one after the deadline."))
