"""One measurement of the replay benchmark, in a process of its own (Locust patches the standard library with
gevent on import): `python bench/replay_load.py SPEC.json` prints one JSON line of figures.

SPEC: {"host", "targets": [[path, headers], ...], "users", "seconds", "max_requests"}. Each simulated visitor
takes the next target (its own account's page and session cookie, its own forwarded address) and asks for it
again as soon as the answer is in (a closed loop: the server's throughput, not a chosen rate). The run stops
after `seconds` or `max_requests`, whichever comes first; anything but a 200 counts as a failure."""
import itertools
import json
import sys
import time

import gevent
from locust import FastHttpUser, constant, task
from locust.env import Environment

SPEC = json.load(open(sys.argv[1]))
_next = itertools.count()


class Visitor(FastHttpUser):
    host = SPEC["host"]
    wait_time = constant(0)

    def on_start(self):
        self.path, self.headers = SPEC["targets"][next(_next) % len(SPEC["targets"])]

    @task
    def ask(self):
        with self.client.get(self.path, headers=self.headers, name="page", catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


def main():
    env = Environment(user_classes=[Visitor])
    runner = env.create_local_runner()
    started = time.monotonic()

    def stop_when_done():
        while time.monotonic() - started < SPEC["seconds"] and env.stats.total.num_requests < SPEC["max_requests"]:
            gevent.sleep(0.05)
        runner.quit()

    runner.start(SPEC["users"], spawn_rate=SPEC["users"])
    gevent.spawn(stop_when_done)
    runner.greenlet.join()
    elapsed = time.monotonic() - started
    total = env.stats.total
    print(json.dumps({
        "requests": total.num_requests, "failures": total.num_failures, "seconds": elapsed,
        "rps": total.num_requests / elapsed if elapsed else 0.0,
        "p50": total.get_response_time_percentile(0.5), "p95": total.get_response_time_percentile(0.95),
        "p99": total.get_response_time_percentile(0.99), "bytes": total.avg_content_length,
        "errors": sorted({str(e.error) for e in env.stats.errors.values()})[:3],
    }))


if __name__ == "__main__":
    main()
