"""The jobs package imports in one direction (no module imports, even inside a function, a module that
imports it back), and the RQ entry point stays at the dotted path older queued jobs name."""
import ast
import importlib
from pathlib import Path

import sqlalchemy as sa

from govchallenge.extensions import db
from govchallenge.jobs import enqueue
from govchallenge.jobs.models import DONE, OutboxJob
from govchallenge.jobs.outbox import take_committed_ids

JOBS = Path(__file__).resolve().parents[2] / "govchallenge" / "jobs"


def jobs_imports():
    """{module: {jobs modules it imports, anywhere in its text}}"""
    graph = {}
    for path in JOBS.glob("*.py"):
        name = path.stem
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:  # from .x import y / from . import x
                    targets |= {node.module} if node.module else {a.name for a in node.names}
                elif (node.module or "").startswith("govchallenge.jobs"):
                    rest = node.module[len("govchallenge.jobs"):].lstrip(".")
                    targets |= {rest} if rest else {a.name for a in node.names}
            elif isinstance(node, ast.Import):
                targets |= {a.name.split(".")[2] for a in node.names if a.name.startswith("govchallenge.jobs.")}
        graph[name] = {t.split(".")[0] for t in targets if (JOBS / f"{t.split('.')[0]}.py").exists()} - {name}
    return graph


def cycle_in(graph):
    visiting, done = set(), set()

    def visit(node, path):
        if node in visiting:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        visiting.add(node)
        for target in sorted(graph.get(node, ())):
            found = visit(target, path + [node])
            if found:
                return found
        visiting.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


def test_the_jobs_modules_import_each_other_in_one_direction_only():
    graph = jobs_imports()
    assert {"relay", "execution", "runner", "progress"} <= set(graph)
    assert cycle_in(graph) is None, " -> ".join(cycle_in(graph))
    assert "relay" not in graph["execution"] and "runner" not in graph["relay"]


def test_the_cycle_check_sees_an_import_inside_a_function():
    assert cycle_in({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


OLD_RUNNER = "govchallenge.jobs.runner.run_outbox_job"  # what jobs queued by earlier releases name


def test_jobs_queued_under_the_runners_dotted_path_still_run(redis_app, rq_worker):
    from govchallenge.jobs.queue import RUNNER, get_queue

    assert RUNNER == OLD_RUNNER
    module, _, name = OLD_RUNNER.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))
    job = enqueue("govchallenge.jobs.probes.ping", "old-path")
    db.session.commit()
    job_id = job.id
    take_committed_ids()
    get_queue().enqueue(OLD_RUNNER, job_id, job_id="queued-by-an-older-release")
    rq_worker()
    assert db.session.execute(sa.select(OutboxJob.state).where(OutboxJob.id == job_id)).scalar_one() == DONE
