"""The RQ side: one queue; each RQ job names an outbox row. Retries and back-off live in the outbox
(execution.py), the same for RQ and inline, so RQ itself never retries."""
from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

# Stored in Redis with every queued job: never move it (runner.py says why).
RUNNER = "govchallenge.jobs.runner.run_outbox_job"
# RQ's default of 180 s would kill an export or an announcement at #EUvsVirus scale half-way.
JOB_TIMEOUT_SECONDS = 3 * 3600


class QueueUnavailable(RuntimeError):
    pass


def redis_connection(url=None):
    return Redis.from_url(url or current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)


def get_queue(connection=None):
    return Queue(current_app.config["RQ_QUEUE"], connection=connection or redis_connection())


def push(outbox_id, queue=None):
    queue = queue or get_queue()
    try:
        queue.enqueue(
            RUNNER,
            outbox_id,
            job_id=f"outbox-{outbox_id}",
            result_ttl=3600,
            job_timeout=JOB_TIMEOUT_SECONDS,
            failure_ttl=7 * 24 * 3600,
        )
    except RedisError as error:
        raise QueueUnavailable(str(error)) from error


def redis_state():
    if not current_app.config.get("REDIS_URL"):
        return "not configured"
    try:
        redis_connection().ping()
    except RedisError as error:
        return f"unavailable: {type(error).__name__}"
    return "ok"
