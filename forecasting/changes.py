"""What changed between two snapshots (or since the last one): new, advanced, moved back,
won, lost, no-go, amount up/down, and close dates pushed out of the quarter (slipped)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy

from opportunities.models import FINISHED_STAGES, LADDER, Opportunity
from osp.fiscal import fiscal_quarter

KINDS = {
    "new": gettext_lazy("New"),
    "advanced": gettext_lazy("Advanced"),
    "moved_back": gettext_lazy("Moved back"),
    "won": gettext_lazy("Won"),
    "lost": gettext_lazy("Lost"),
    "no_go": gettext_lazy("No-go"),
    "amount_up": gettext_lazy("Amount up"),
    "amount_down": gettext_lazy("Amount down"),
    "slipped": gettext_lazy("Slipped out of the quarter"),
}


@dataclass
class Change:
    kind: str
    opportunity_id: int
    owner_id: int
    before: str = ""
    after: str = ""
    delta: Decimal = Decimal("0")

    @property
    def label(self):
        return KINDS[self.kind]


def _rank(stage):
    return LADDER.index(stage) + 1 if stage in LADDER else 0


def _lines(snapshot, owners=None):
    qs = snapshot.lines.all()
    if owners is not None:
        qs = qs.filter(owner_id_at__in=owners)
    return {row[0]: row for row in qs.values_list(
        "opportunity_id", "owner_id_at", "stage", "amount_base", "expected_close_date")}


def snapshot_changes(before, after, *, owners=None) -> list[Change]:
    """Changes from snapshot `before` to snapshot `after` (or to now when `after` is None),
    for deals owned by `owners` (all when None). Queries: a fixed handful."""
    old = _lines(before, owners)
    if after is not None:
        new = _lines(after, owners)
    else:
        qs = Opportunity.objects.exclude(stage__in=FINISHED_STAGES)
        if owners is not None:
            qs = qs.filter(owner_id__in=owners)
        new = {r[0]: r for r in qs.values_list("pk", "owner_id", "stage", "amount_base",
                                                "expected_close_date")}
    gone = set(old) - set(new)
    closed = dict(Opportunity.objects.filter(pk__in=gone).values_list("pk", "stage"))
    changes = []
    for pk in gone:
        stage = closed.get(pk, "")
        kind = {"lost": "lost", "no_go": "no_go", "10": "won"}.get(stage)
        if kind:
            changes.append(Change(kind, pk, old[pk][1], old[pk][2], stage))
    for pk, (_pk, owner, stage, amount, close) in new.items():
        if pk not in old:
            changes.append(Change("new", pk, owner, "", stage, amount))
            continue
        _o, _ow, stage0, amount0, close0 = old[pk]
        if _rank(stage) > _rank(stage0):
            kind = "won" if stage in ("9", "9.5") and _rank(stage0) < _rank("9") else "advanced"
            changes.append(Change(kind, pk, owner, stage0, stage))
        elif _rank(stage) < _rank(stage0):
            changes.append(Change("moved_back", pk, owner, stage0, stage))
        if amount != amount0:
            changes.append(Change("amount_up" if amount > amount0 else "amount_down", pk, owner,
                                  str(amount0), str(amount), amount - amount0))
        if close > close0 and close > fiscal_quarter(close0).end:
            changes.append(Change("slipped", pk, owner, close0.isoformat(), close.isoformat()))
    return sorted(changes, key=lambda c: (list(KINDS).index(c.kind), c.opportunity_id))
