"""What the plans app shows on a deal's page (an osp.pages section, registered in
plans/apps.py): the deal's action items, and the form to add one."""

from django.utils import timezone

from osp import permissions
from osp.pages import register_section
from plans.forms import ActionItemForm


def opportunity_action_items(request, opportunity) -> dict:
    form = ActionItemForm()
    form.fields["contact"].queryset = opportunity.account.contacts.all()
    return {"opportunity": opportunity, "form": form,
            "action_items": opportunity.action_items.select_related("assignee", "contact"),
            "can_change": permissions.can_change(request.user, opportunity),
            "today": timezone.localdate()}


def register():
    register_section("opportunity", "plans/_opportunity_action_items.html",
                     opportunity_action_items)
