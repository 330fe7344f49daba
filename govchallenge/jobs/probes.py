"""A job that proves the pipeline works end to end: `flask --app govchallenge jobs ping` requests one,
and the worker that runs it leaves an audit row. Tests use it too."""
from govchallenge.core import audit


def ping(label):
    audit.record("jobs.ping", object_type="job", object_id=label)
    return f"pong {label}"


class ProbeFailure(RuntimeError):
    pass


def fail(label):
    raise ProbeFailure(f"probe {label} fails on purpose")


def linger(label, seconds):
    """A job that takes its time, as an export at scale does; tests watch its claim stay fresh."""
    import time

    time.sleep(min(float(seconds), 10.0))
    return ping(label)


def refuse_mail(label):
    """Fails as a job does while the mail server refuses: a transient failure, tried for MAIL_RETRY_HOURS."""
    from govchallenge.core.mail import MailError

    raise MailError(f"probe {label}: the mail server refuses")


def ping_at(label, moment):
    """Part of the work waits until `moment` (ISO 8601): asks to run again then, as the announcement does."""
    from datetime import datetime

    from govchallenge.core.timeutil import utcnow

    from .retry import RunLater

    at = datetime.fromisoformat(moment)
    if utcnow() < at:
        raise RunLater(at, f"probe {label} waits")
    return ping(label)
