"""Changes of synced records (ExternalRecord), as the core sees them: one lock that every
writer of synced records takes first, and a signal after each change is saved.

The lock serialises those writers, each until it commits. Whatever numbers a transaction
gives its changes (the sync app's change feed numbers them) are then above those of every
transaction committed before it, so a reader that has seen number n never later finds a
committed change below n. It is taken before any row lock: the order every writer keeps.
A 500-record batch holds it for a fraction of a second.

The core neither knows nor imports who listens: the sync app connects `record_changed` to
write its feed (sync.feed).
"""

from django.db import connection
from django.dispatch import Signal

# sender: the model; instance: the record as saved (its new version), in the transaction
# that saved it and still under `lock()`.
record_changed = Signal()

# One application-wide key for PostgreSQL's advisory lock ("OSP" "sync" in ASCII).
_LOCK_KEY = 0x4F5350_73796E63


def lock() -> None:
    """Take the synced-writes lock for the rest of the current transaction. On SQLite (the
    embedded `make run`) each transaction already excludes every other writer from its
    start (settings: transaction_mode IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
