"""Background jobs: request one with `enqueue("package.module.function", *ids)` inside the transaction
that causes it. After the commit it is relayed to RQ, or run inline in the embedded default."""
from .outbox import enqueue  # noqa: F401
