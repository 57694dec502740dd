"""Writes to plans."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from osp import access
from plans.models import SECTIONS, OpportunityPlan


@transaction.atomic
def opportunity_plan_save(*, opportunity, user, **sections) -> OpportunityPlan:
    """Save the plan as a new version when anything changed. A new version of an approved
    plan is a material change: the stage-3 approval no longer counts until it is approved
    again (the deal is moved back or flagged accordingly)."""
    from opportunities.selling_cycle import opportunity_recheck

    if not access.can_change(user, opportunity):
        raise PermissionDenied(_("You may see this opportunity but not change it."))
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ValidationError({n: _("This field cannot be written here.") for n in unknown})
    latest = (OpportunityPlan.objects.select_for_update().filter(opportunity=opportunity)
              .order_by("-version").first())
    values = {name: (sections.get(name, getattr(latest, name, "") if latest else "") or "")
              .strip() for name in SECTIONS}
    if latest is not None and all(getattr(latest, n) == v for n, v in values.items()):
        return latest
    plan = OpportunityPlan.objects.create(
        opportunity=opportunity, author=user,
        version=(latest.version + 1) if latest else 1, **values)
    opportunity_recheck(opportunity=opportunity,
                        cause=_("%(who)s saved version %(v)d of the plan") % {
                            "who": user, "v": plan.version})
    return plan
