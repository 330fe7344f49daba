"""Many messages over one SMTP connection (a real aiosmtpd server): renewed after the configured number of
messages, after a refusal, and — once, at once — when the server closed it while it was idle."""
import time

import pytest

from govchallenge.core import mail
from tests.support.services import start_smtp


def outgoing(n, to=None):
    return mail.Outgoing(to=to or f"reader{n}@example.eu", subject=f"Subject {n}", text="Text", html="<p>Text</p>",
                         message_id=mail.stable_message_id("postbox-test", n))


@pytest.fixture
def server():
    controller, sink = start_smtp(idle_timeout=1)
    sink.port = controller.port
    yield sink
    controller.stop()


@pytest.fixture
def smtp_app(make_app, server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_MESSAGES_PER_CONNECTION=3)
    with app.app_context():
        yield app


def test_messages_share_a_connection_until_the_limit(smtp_app, server):
    with mail.Postbox() as postbox:
        ids = [postbox.send(outgoing(n)) for n in range(7)]
    assert ids == [mail.stable_message_id("postbox-test", n) for n in range(7)]
    assert len(server.received) == 7 and server.connections() == 3  # 3 + 3 + 1


def test_a_connection_the_server_closed_while_idle_is_opened_again_and_nothing_is_lost(smtp_app, server):
    with mail.Postbox() as postbox:
        postbox.send(outgoing(1))
        time.sleep(1.6)  # past the server's idle timeout: it has hung up
        postbox.send(outgoing(2))
    assert server.per_recipient() == {"reader1@example.eu": 1, "reader2@example.eu": 1}
    assert server.connections() == 2


def test_a_refused_recipient_fails_alone_and_the_next_message_goes_on_a_new_connection(smtp_app, server):
    server.refuse.add("refused@example.eu")
    with mail.Postbox() as postbox:
        postbox.send(outgoing(1))
        with pytest.raises(mail.MailError, match="refused"):
            postbox.send(outgoing(2, to="refused@example.eu"))
        postbox.send(outgoing(3))
    assert server.per_recipient() == {"reader1@example.eu": 1, "reader3@example.eu": 1}
    assert server.connections() == 2


def test_a_fresh_connection_that_fails_is_a_mail_error_not_a_second_try(make_app):
    from tests.support.services import free_port

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context(), mail.Postbox() as postbox, pytest.raises(mail.MailError, match="unreachable"):
        postbox.send(outgoing(1))
