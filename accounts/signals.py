"""What the accounts app announces to (and asks of) the apps above it, which it does not
import.

`org_chart_changed`: an account's contacts (who reports to whom, who is the technical or
business lead) changed. Sent inside the transaction that changed them; the opportunities
app listens, because the org chart feeds the stage-2 and stage-4 gates. Arguments:
`account` and `cause` (who did what, as the deal's owner is told).

`account_flags_changed`: an account became (or stopped being) named or strategic, which
decides the depth of plan its deals need (the full TAS plan). Sent inside the transaction
that changed it; the opportunities app rechecks the account's deals at once, so none
collapses later at an unrelated edit. Arguments: `account`, `cause`.

`account_flags_preview`: asked before such a change is saved, with `account` (the changed
copy, unsaved). Each receiver answers with what the change would move (the opportunities
app: the deals that would move back, as RecheckOutcome); `flag_change_consequences`
gathers the answers.
"""

from django.dispatch import Signal

org_chart_changed = Signal()
account_flags_changed = Signal()
account_flags_preview = Signal()

FLAGS = ("is_named", "is_strategic")


def announce_org_chart_change(account, cause: str) -> None:
    if account is not None:
        org_chart_changed.send(sender=type(account), account=account, cause=cause)


def announce_flag_change(account, cause: str) -> None:
    account_flags_changed.send(sender=type(account), account=account, cause=cause)


def flag_change_consequences(account) -> list:
    """What saving `account` (changed in memory) with its named/strategic flags would
    move in the apps above: one list of their answers."""
    answers = account_flags_preview.send(sender=type(account), account=account)
    return [item for _receiver, items in answers for item in items]
