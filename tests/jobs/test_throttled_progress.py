"""A long job reports its progress at most every `every_seconds`, and the last report always says where it ended."""
from govchallenge.jobs import progress


def test_reports_are_throttled_and_the_last_one_is_exact(monkeypatch):
    clock = [100.0]
    written = []
    monkeypatch.setattr(progress.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(progress, "report_progress", lambda done, total: written.append((done, total)))

    run = progress.ThrottledProgress(3, 10, every_seconds=0.5)
    assert written == [(3, 10)]  # where a resumed job starts
    run.advance()
    clock[0] += 0.49
    run.advance()
    assert written == [(3, 10)]  # within the interval: nothing written
    clock[0] += 0.01
    run.advance()
    assert written == [(3, 10), (6, 10)]
    run.advance(by=4)
    run.report()
    assert written[-1] == (10, 10)
