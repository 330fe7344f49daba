"""Background jobs: request one with `enqueue("package.module.function", *ids)` inside the transaction
that causes it. After the commit it is relayed to RQ, or run inline in the embedded default.

A running job may report its progress (`report_progress`), name the mails it sends after its outbox row
(`message_id`), and ask to run again later without counting a failure (`raise RunLater(at, reason)`)."""
from .outbox import enqueue  # noqa: F401
from .progress import ThrottledProgress, message_id, report_progress  # noqa: F401
from .retry import RunLater  # noqa: F401
