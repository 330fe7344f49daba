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
