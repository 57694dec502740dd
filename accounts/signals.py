"""What the accounts app announces to the apps above it, which it does not import.

`org_chart_changed`: an account's contacts (who reports to whom, who is the technical or
business lead) changed. Sent inside the transaction that changed them; the opportunities
app listens, because the org chart feeds the stage-2 and stage-4 gates. Arguments:
`account` and `cause` (who did what, as the deal's owner is told).
"""

from django.dispatch import Signal

org_chart_changed = Signal()


def announce_org_chart_change(account, cause: str) -> None:
    if account is not None:
        org_chart_changed.send(sender=type(account), account=account, cause=cause)
