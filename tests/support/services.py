"""Real services for the suite: Redis (shared or a private server we can stop), SMTP, a live server."""
import os
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process):
    """Ends a server process this suite started (by its handle, never by name)."""
    if process is not None:
        process.terminate()
        process.wait(timeout=10)


def require_redis(url=REDIS_URL):
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=2).ping()
    except RedisError as error:
        raise RuntimeError(
            f"Redis is not reachable at {url}: start it "
            '(redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no)'
        ) from error
    return url


class PrivateRedis:
    """A redis-server of our own on a free port, so a test can stop it and start it again."""

    def __init__(self):
        self.port = free_port()
        self.process = None
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (apt-get install -y redis-server)")

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        stop_process(self.process)
        self.process = None


@dataclass
class ReceivedMail:
    sender: str
    recipients: list
    message: object
    peer: tuple = ()  # the client's (address, port): one per SMTP connection

    @property
    def subject(self):
        return str(self.message["Subject"])

    @property
    def text(self):
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self):
        return self.message.get_body(preferencelist=("html",)).get_content()


@dataclass
class MailSink:
    """Collects what the SMTP server accepted; refuses recipients listed in `refuse`. Faults of real
    servers on demand: `refuse_all` answers every message's DATA with 421 (a server in trouble, deferring
    mail: nothing is accepted), and `quit_reply` answers QUIT with something else than 221 after the
    message was accepted (a server closing badly)."""

    received: list = field(default_factory=list)
    refuse: set = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    refuse_all: bool = False
    quit_reply: str = ""
    refused: int = 0

    async def handle_QUIT(self, server, session, envelope):
        return self.quit_reply or "221 Bye"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_all:
            with self.lock:
                self.refused += 1
            return "421 4.3.2 Service not available, try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message, tuple(session.peer)))
        return "250 Message accepted for delivery"

    def to(self, address):
        with self.lock:
            return [m for m in self.received if address.lower() in [r.lower() for r in m.recipients]]

    def wait_for(self, address, count=1, timeout=10):
        """The messages to `address` once at least `count` have arrived (a browser's request sends them in the
        background of the page's answer)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.to(address)
            if len(messages) >= count:
                return messages
            time.sleep(0.1)
        raise AssertionError(f"{count} mail(s) did not reach {address}")

    def message_ids(self):
        """Counter of the Message-IDs received."""
        with self.lock:
            return Counter(str(m.message["Message-ID"]) for m in self.received)

    def per_recipient(self):
        with self.lock:
            return Counter(r.lower() for m in self.received for r in m.recipients)

    def clear(self):
        with self.lock:
            self.received.clear()

    def connections(self):
        """How many SMTP connections the accepted messages came over."""
        with self.lock:
            return len({m.peer for m in self.received})


class SMTPController(Controller):
    idle_timeout = 300  # aiosmtpd's default: seconds a connection may stay silent before the server closes it

    def factory(self):
        return SMTPServer(self.handler, enable_SMTPUTF8=True, timeout=self.idle_timeout)


def start_smtp(idle_timeout=None):
    sink = MailSink()
    controller = SMTPController(sink, hostname="127.0.0.1", port=free_port())
    if idle_timeout is not None:
        controller.idle_timeout = idle_timeout
    controller.start()
    return controller, sink


class LiveServer:
    """The app served by werkzeug in a thread, for the browser."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", free_port(), app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)
