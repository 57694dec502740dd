"""Weekly snapshots and what changed between them."""

import datetime
from decimal import Decimal

from forecasting.changes import snapshot_changes
from forecasting.services import forecast_snapshot_take
from forecasting.tasks import take_weekly_snapshot
from opportunities import selling_cycle as cycle
from opportunities.services import opportunity_update
from osp.fiscal import fiscal_quarter
from tests.forecasting.conftest import place


def test_each_kind_of_change(people, book):
    before = forecast_snapshot_take(label="monday")
    assert before.lines.count() == 6  # open deals only: booked is out
    place(people, book.acc_a, "Brand new", "10000", "2")
    cycle.opportunity_import_at  # noqa: B018 (placing is by import)
    opp = book.commit_b
    cycle.opportunity_transition(opportunity=opp, user=people.admin, to="lost",
                                 loss_reason="price", winning_competitor="Oracle")
    opportunity_update(opportunity=book.pipeline, user=people.admin, amount=Decimal("250000"))
    opportunity_update(opportunity=book.best, user=people.admin,
                       expected_close_date=fiscal_quarter().end + datetime.timedelta(days=5))
    after = take_weekly_snapshot()
    from forecasting.models import ForecastSnapshot

    changes = snapshot_changes(before, ForecastSnapshot.objects.get(pk=after))
    kinds = {(c.kind, c.opportunity_id) for c in changes}
    assert ("lost", opp.pk) in kinds
    assert ("amount_up", book.pipeline.pk) in kinds
    assert ("slipped", book.best.pk) in kinds
    assert any(k == "new" for k, _pk in kinds)
    # Only rep_a's own changes when scoped to them.
    mine = snapshot_changes(before, None, owners={people.rep_a.pk})
    assert {c.owner_id for c in mine} == {people.rep_a.pk}


def test_advanced_moved_back_and_won(people, book):
    before = forecast_snapshot_take()
    deal = place(people, book.acc_a, "Walker", "10000", "5")
    before2 = forecast_snapshot_take()
    cycle.opportunity_transition(opportunity=deal, user=people.rep_a, to="4", reason="re-eval")
    changes = snapshot_changes(before2, None)
    assert [(c.kind, c.before, c.after) for c in changes if c.opportunity_id == deal.pk] == [
        ("moved_back", "5", "4")]
    assert any(c.kind == "new" for c in snapshot_changes(before, None))


def test_no_go_and_amount_down(people, book):
    early = place(people, book.acc_a, "Early", "20000", "2")
    before = forecast_snapshot_take()
    cycle.opportunity_transition(opportunity=early, user=people.admin, to="no_go",
                                 reason="no budget")
    opportunity_update(opportunity=book.best, user=people.admin, amount=Decimal("90000"))
    kinds = {(c.kind, c.opportunity_id) for c in snapshot_changes(before, None)}
    assert ("no_go", early.pk) in kinds
    assert ("amount_down", book.best.pk) in kinds


def test_advanced_and_won_between_two_snapshots(people, book):
    """The stage is protected, so the earlier snapshot's lines are set back instead."""
    from forecasting.models import SnapshotLine

    earlier = forecast_snapshot_take()
    later = forecast_snapshot_take()
    SnapshotLine.objects.filter(snapshot=earlier, opportunity=book.commit_b).update(stage="7")
    SnapshotLine.objects.filter(snapshot=later, opportunity=book.best).update(stage="9")
    changes = {(c.kind, c.opportunity_id, c.before, c.after)
               for c in snapshot_changes(earlier, later)}
    assert ("advanced", book.commit_b.pk, "7", "8") in changes
    assert ("won", book.best.pk, "6", "9") in changes
