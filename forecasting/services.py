"""Writes to the forecast: manager adjustments and snapshots."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from forecasting.models import ForecastAdjustment, ForecastSnapshot, SnapshotLine
from opportunities.models import FINISHED_STAGES, Category, Opportunity, StageCategory
from osp import permissions
from osp.models import User


@transaction.atomic
def forecast_adjust(*, manager: User, subject: User, period: str, category: str,
                    amount: Decimal, note: str, based_on: int | None = None
                    ) -> ForecastAdjustment:
    """A manager's number for someone below them; earlier numbers stay as history.

    `based_on` is the adjustment the manager saw as the current one (0: none). Two
    managers above the same person may adjust at once: if another number was recorded
    since, this one is refused (ValidationError, code "conflict") instead of silently
    replacing a number its author never saw."""
    if not permissions.can_adjust_forecast(manager, subject):
        raise PermissionDenied(_("You can only adjust the forecast of people below you."))
    # The person's row lock orders concurrent adjusters of their forecast.
    User.objects.select_for_update().filter(pk=subject.pk).first()
    latest = (ForecastAdjustment.objects.filter(subject=subject, period=period,
                                                category=category)
              .select_related("manager").order_by("-created_at", "-pk").first())
    if based_on is not None and based_on != (latest.pk if latest else 0):
        raise ValidationError(_(
            "%(who)s adjusted this to %(amount)s at %(when)s, after you opened the page. "
            "Nothing was saved: look at their number and adjust again if you still "
            "disagree.") % {
            "who": latest.manager if latest else "—",
            "amount": formats.number_format(latest.amount, 0, use_l10n=True,
                                            force_grouping=True) if latest else "—",
            "when": formats.date_format(timezone.localtime(latest.created_at),
                                        "SHORT_DATETIME_FORMAT") if latest else "—"},
            code="conflict")
    adjustment = ForecastAdjustment(subject=subject, manager=manager, period=period,
                                    category=category, amount=amount, note=(note or "").strip())
    if category not in (Category.COMMIT, Category.BEST_CASE):
        raise ValidationError({"category": _("Only commit and best case are adjusted.")})
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@transaction.atomic
def forecast_snapshot_take(*, user: User | None = None, label: str = "") -> ForecastSnapshot:
    """Freeze every open opportunity's stage, category, amount and close date (booked,
    lost and no-go deals are closed and not in it). A few queries, in bulk."""
    mapping = StageCategory.mapping()
    snapshot = ForecastSnapshot.objects.create(taken_by=user, label=label)
    rows = (Opportunity.objects.exclude(stage__in=FINISHED_STAGES)
            .values_list("pk", "owner_id", "stage", "amount_base", "expected_close_date")
            .iterator(chunk_size=5000))
    batch = []
    for pk, owner_id, stage, amount, close in rows:
        batch.append(SnapshotLine(snapshot=snapshot, opportunity_id=pk, owner_id_at=owner_id,
                                  stage=stage, category=mapping[stage][0], amount_base=amount,
                                  expected_close_date=close))
        if len(batch) >= 5000:
            SnapshotLine.objects.bulk_create(batch)
            batch = []
    SnapshotLine.objects.bulk_create(batch)
    return snapshot
