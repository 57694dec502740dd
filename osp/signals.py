"""What the core announces to the apps above it, which it does not import.

`away_changed`: someone's away dates changed (they go away, come back, or the dates move).
Sent once the change commits; the opportunities app listens, because a manager's pending
approvals go to the next one up while they are away and come back when they return.
Argument: `user`.
"""

from django.db import transaction
from django.dispatch import Signal

away_changed = Signal()


def announce_away_change(user) -> None:
    transaction.on_commit(lambda: away_changed.send(sender=type(user), user=user))
