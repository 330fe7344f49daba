"""CPU per request of anonymous public pages under gunicorn, against a bare Flask "hello" under the same settings.

On a shared, loaded machine requests per second move with the neighbours; the CPU time the gunicorn workers
spend per request does not (much). Starts `gunicorn wsgi:app` and `bench.hello_app:app` with WORKERS sync
workers, sends REQUESTS requests per page from USERS visitors (each keeps its cookies, as a browser does, and
has its own forwarded address), and prints per page: the workers' CPU per request, bare Flask's, their ratio
(the throughput ratio the CPU allows), and the measured requests per second ratio of the same run.

Settings (environment): DATABASE_URL and REDIS_URL of a seeded database (`flask bench seed --scale small`),
APP_ROOT (the tree to serve, this one by default: point it at another checkout to compare), WORKERS (2),
USERS (4), REQUESTS (2000), PAGES (paths, comma-separated; a challenge page is looked up when omitted).
`python bench/bench_hit_cpu.py`."""
import http.client
import os
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import replay_http  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP_ROOT = Path(os.environ.get("APP_ROOT", ROOT)).resolve()
WORKERS, USERS, REQUESTS = int(os.environ.get("WORKERS", 2)), int(os.environ.get("USERS", 4)), int(os.environ.get("REQUESTS", 2000))
APP_PORT, HELLO_PORT = 8741, 8742


def start(module, port, root, env):
    return replay_http.start([module], port, {**os.environ, **env, "PYTHONPATH": str(root)}, cwd=root, workers=WORKERS)


def workers_cpu(process):
    """User + system CPU seconds of the master's children (the workers), read from /proc."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    ticks = 0
    for child in children:
        fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def visit(port, path, count, number):
    """`count` GETs of `path` as one visitor: one connection per request (gunicorn's sync workers close it),
    the cookies it was given sent back."""
    cookies = {}
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"X-Forwarded-For": f"10.9.{number // 250}.{number % 250 + 1}", "Accept-Language": "en"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key] = rest.split(";", 1)[0]
        connection.close()


def load(process, port, path):
    """(CPU seconds per request of the workers, requests per second)."""
    visit(port, path, 2, 0)
    per_user = REQUESTS // USERS
    before, started = workers_cpu(process), time.perf_counter()
    threads = [threading.Thread(target=visit, args=(port, path, per_user, n)) for n in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, workers_cpu(process) - before
    return cpu / (per_user * USERS), per_user * USERS / elapsed


def challenge_path():
    engine = sa.create_engine(os.environ["DATABASE_URL"])
    with engine.connect() as connection:
        slug = connection.execute(sa.text("SELECT slug FROM challenge ORDER BY id LIMIT 1")).scalar()
    return f"/challenges/{slug}"


def main():
    wanted = os.environ.get("PAGES")
    pages = wanted.split(",") if wanted else ["/", "/challenges/", "/challenges/?q=health", challenge_path(), "/api/v1/challenges"]
    env = {"SECRET_KEY": "bench-hit-cpu", "TRUSTED_PROXIES": "1", "INSTANCE_PATH": os.environ.get("INSTANCE_PATH", "/tmp/bench_hit_cpu")}
    app = start("wsgi:app", APP_PORT, APP_ROOT, env)
    hello = start("bench.hello_app:app", HELLO_PORT, ROOT, {})
    try:
        print(f"{APP_ROOT}: gunicorn --workers {WORKERS}, {USERS} visitors, {REQUESTS} requests a page; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"{'page':40} {'CPU/req':>8} {'hello':>7} {'CPU ratio':>9} {'req/s':>7} {'hello':>7} {'rps ratio':>9}")
        for path in pages:
            bare_cpu, bare_rps = load(hello, HELLO_PORT, "/")
            cpu, rps = load(app, APP_PORT, path)
            print(f"{path[:40]:40} {cpu * 1e6:6.0f}us {bare_cpu * 1e6:5.0f}us {bare_cpu / cpu:9.1%} {rps:7.0f} "
                  f"{bare_rps:7.0f} {rps / bare_rps:9.1%}", flush=True)
    finally:
        for process in (app, hello):
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
