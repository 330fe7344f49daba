"""The contact form's message, e-mailed to the operator by a background job."""
from flask_babel import gettext as _

from govchallenge.core import mail
from govchallenge.core.languages import DEFAULT_LANGUAGE
from govchallenge.jobs import message_id

from .models import current_settings


def send_contact_message(name, email, message, language):
    """To the operator's contact address, in English (the operator's working language is not known); the
    sender's name stays out of the subject, so nothing a visitor types reaches a mail header."""
    operator = current_settings()
    if not operator.contact_email:
        return "nothing to do"
    mail.send(mail.render("contact_message", DEFAULT_LANGUAGE, operator.contact_email,
                          lambda: _("A message from the contact page"), message_id=message_id("contact_message"),
                          sender_name=name, sender_email=email, message=message, sender_language=language))
    return "sent"
