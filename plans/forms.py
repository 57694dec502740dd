"""Forms of the plan pages: an action item, and a plan's sections."""

from django import forms
from django.utils.translation import gettext_lazy

from accounts.models import Contact
from osp import widgets
from osp.forms import TracksVersion
from osp.models import User
from plans.models import PLAN_SECTIONS, PlanKind


class ActionItemForm(forms.Form):
    what = forms.CharField(label=gettext_lazy("What"), max_length=300)
    assignee = forms.ModelChoiceField(label=gettext_lazy("Who (colleague)"), required=False,
                                      queryset=User.objects.filter(is_active=True))
    contact = forms.ModelChoiceField(label=gettext_lazy("or who (contact)"), required=False,
                                     queryset=Contact.objects.none())
    due = forms.DateField(label=gettext_lazy("When"),
                          widget=widgets.DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown as one compact row: the labels live inside the inputs.
        self.fields["what"].widget.attrs["placeholder"] = self.fields["what"].label
        for name in ("assignee", "contact"):
            self.fields[name].empty_label = self.fields[name].label
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = field.label


class PlanForm(TracksVersion, forms.Form):
    """The plan's sections; it carries the revision it was opened at (osp.forms)."""

    version_attribute = "revision"
    fiscal_year_target = forms.DecimalField(label=gettext_lazy("Target for the fiscal year"),
                                            required=False, min_value=0, decimal_places=2)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        if plan.kind != PlanKind.ACCOUNT:
            del self.fields["fiscal_year_target"]
        else:
            self.fields["fiscal_year_target"].initial = plan.fiscal_year_target
        for name in plan.section_names():
            self.fields[name] = forms.CharField(
                label=PLAN_SECTIONS[name], required=False, initial=plan.sections.get(name, ""),
                widget=forms.Textarea(attrs={"rows": 4}))
        self.track_version(plan)

    def form_for(self, record):
        return type(self)(plan=record)

    def display_value(self, record, name, shown):
        return shown or "—"
