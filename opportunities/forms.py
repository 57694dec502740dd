from decimal import Decimal

import django_filters
import django_filters.fields
from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.forms import OwnedForm
from accounts.models import Account, Partner
from opportunities.models import (
    SECTIONS,
    ActivityKind,
    DealPartnerRole,
    ExchangeRate,
    LeadSource,
    Opportunity,
    OpportunityPlan,
    Product,
    Stage,
    TeamRole,
)
from opportunities.selectors import in_period
from osp import access, widgets
from osp.fiscal import parse_period
from osp.forms import VersionedForm
from osp.models import User


def currency_choices():
    codes = [settings.OSP_BASE_CURRENCY, *ExchangeRate.objects.values_list("currency", flat=True)]
    return [(c, c) for c in dict.fromkeys(codes)]


class OpportunityForm(OwnedForm):
    # The stage is deliberately not here: only transitions may change it.
    currency = forms.ChoiceField(label=_("currency"), choices=())
    competitor_names = forms.CharField(
        label=_("competitors"), required=False,
        help_text=_("Separate several with commas."),
    )

    class Meta:
        model = Opportunity
        fields = ["name", "account", "owner", "amount", "currency", "expected_close_date",
                  "next_step", "lead_source", "budget", "procurement_process", "why_do_it",
                  "why_now", "pains", "description", "quoted_amount", "discount_percent",
                  "commercial_terms", "po_number", "po_date", "po_amount"]
        widgets = {
            "expected_close_date": widgets.DateInput(),
            "po_date": widgets.DateInput(),
            **{f: forms.Textarea(attrs={"rows": 3}) for f in
               ("procurement_process", "why_do_it", "why_now", "pains", "description",
                "commercial_terms")},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["account"].queryset = access.visible_to(user, Account)
        self.fields["currency"].choices = currency_choices()
        self.fields["currency"].initial = settings.OSP_BASE_CURRENCY
        if self.instance.pk:
            self.fields["competitor_names"].initial = ", ".join(
                c.name for c in self.instance.competitors.all())

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["competitors"] = data.pop("competitor_names").split(",")
        return data


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("colleague"),
                                  queryset=User.objects.filter(is_active=True))
    role = forms.ChoiceField(label=_("role"), choices=TeamRole.choices)


class DealPartnerForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("partner"), queryset=Partner.objects.all())
    role = forms.ChoiceField(label=_("role on the deal"), choices=DealPartnerRole.choices)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ActivityKind.choices)
    occurred_on = forms.DateField(label=_("date"),
                                  widget=widgets.DateInput())
    subject = forms.CharField(label=_("subject"), max_length=200)
    notes = forms.CharField(label=_("notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class _PeopleChoices(django_filters.fields.ModelChoiceIterator):
    """The choices from names alone: the scope's people as access.scope_people read them
    (no query of its own), else one plain query of names. Django reads them with
    queryset.iterator(), on PostgreSQL a server-side cursor (DECLARE ... WITH HOLD, FETCH,
    CLOSE), into a User per person: several times the cost of the few hundred people it
    lists, on every list page. The label is what str(user) shows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        people = self.field.people
        if people is None:
            people = self.queryset.values_list("pk", "first_name", "last_name", "username")
        for pk, *names in people:
            yield (pk, User.display_name(*names))


class _PeopleField(django_filters.fields.ModelChoiceField):
    iterator = _PeopleChoices

    def __init__(self, *args, people=None, **kwargs):
        self.people = people  # (pk, first name, last name, username) rows, if known
        super().__init__(*args, **kwargs)


class _PeopleFilter(django_filters.ModelChoiceFilter):
    field_class = _PeopleField


class OpportunityFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("Stage"),
                                                widget=widgets.SelectMultiple)
    lead_source = django_filters.ChoiceFilter(choices=LeadSource.choices,
                                              label=_("Lead source"), widget=widgets.Select)
    owner = _PeopleFilter(queryset=User.objects.none(), label=_("Owner"),
                          widget=widgets.Select)
    closes_after = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="gte", label=_("Closes on or after"),
        widget=widgets.DateInput())
    closes_before = django_filters.DateFilter(
        field_name="expected_close_date", lookup_expr="lte", label=_("Closes on or before"),
        widget=widgets.DateInput())

    # Drill-down from the forecast: a person's whole team, and a forecast period (open deals
    # by close date, won and booked ones by the date they were won or booked).
    team = django_filters.NumberFilter(method="filter_team", widget=forms.HiddenInput)
    period = django_filters.CharFilter(method="filter_period", widget=forms.HiddenInput)
    account = django_filters.NumberFilter(field_name="account_id", widget=forms.HiddenInput)

    class Meta:
        model = Opportunity
        fields = ["stage", "owner", "lead_source"]
        form = widgets.FilterForm

    def filter_team(self, queryset, name, value):
        user = self.request.user
        if not (access.reads_everything(user) or int(value) in access.scope_user_ids(user)):
            return queryset.none()
        return queryset.filter(owner_id__in=access.scope_user_ids(User(pk=int(value))))

    def filter_period(self, queryset, name, value):
        return in_period(queryset, parse_period(value))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            user = request.user
            if access.reads_everything(user):
                self.filters["owner"].queryset = User.objects.all()
            else:
                self.filters["owner"].queryset = User.objects.filter(
                    pk__in=access.scope_user_ids(user))
                self.filters["owner"].extra["people"] = access.scope_people(user)


# --- The deal's plan and closing the loop (selling-cycle pages) ---------------------

class DealPlanForm(VersionedForm):
    """The deal's plan, over its latest version; it carries that version's number, so a
    plan saved after someone else's new version is refused (osp.forms)."""

    class Meta:
        model = OpportunityPlan
        fields = list(SECTIONS)
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in SECTIONS}

    def __init__(self, *args, required, **kwargs):
        super().__init__(*args, **kwargs)
        self._form_kwargs["required"] = required
        for name, field in self.fields.items():
            field.required = False
            field.widget.attrs["data-required"] = "1" if name in required else ""
        self.required_sections = required


class WinLossForm(forms.Form):
    why = forms.CharField(label=_("Why we won or lost"),
                          widget=forms.Textarea(attrs={"rows": 3}))
    against = forms.CharField(label=_("Against whom"), required=False)
    repeat_or_avoid = forms.CharField(label=_("What to repeat or avoid"),
                                      widget=forms.Textarea(attrs={"rows": 3}))


class HandoverForm(forms.Form):
    scope = forms.CharField(label=_("Service scope"),
                            widget=forms.Textarea(attrs={"rows": 3}))
    acceptance_terms = forms.CharField(label=_("Acceptance terms"),
                                       widget=forms.Textarea(attrs={"rows": 3}))
    services_owner = forms.ModelChoiceField(
        label=_("Professional-services owner"),
        queryset=User.objects.filter(is_active=True))


# --- The quote ------------------------------------------------------------------------

class ProductChoiceField(forms.ModelChoiceField):
    """Active products, named in the reader's language with their list price."""

    def label_from_instance(self, obj):
        return (f"{obj.code} · {obj.name(get_language())} — "
                f"{formats.number_format(obj.list_price, 2, use_l10n=True, force_grouping=True)}"
                f" {obj.currency}")


class QuoteLineForm(forms.Form):
    """One line of a new quote version; a row left blank is no line."""

    product = ProductChoiceField(label=_("product"), required=False,
                                 queryset=Product.objects.filter(is_active=True),
                                 empty_label=_("— choose a product —"))
    quantity = forms.DecimalField(label=_("quantity"), required=False, max_digits=12,
                                  decimal_places=2, min_value=Decimal("0.01"),
                                  widget=forms.NumberInput(attrs={"step": "any",
                                                                  "inputmode": "decimal"}))
    discount_percent = forms.DecimalField(label=_("discount (%)"), required=False,
                                          max_digits=5, decimal_places=2, min_value=0,
                                          max_value=100,
                                          widget=forms.NumberInput(attrs={
                                              "step": "any", "inputmode": "decimal"}))

    def clean(self):
        data = super().clean()
        product, quantity = data.get("product"), data.get("quantity")
        if product is None and quantity is not None:
            self.add_error("product", _("Choose a product for this line."))
        elif product is not None and quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", _("How many?"))
        return data

    @property
    def is_blank(self) -> bool:
        return not self.cleaned_data.get("product") and self.cleaned_data.get(
            "quantity") is None


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=0, can_delete=True)


class QuoteForm(forms.Form):
    """The terms of a new quote version (its lines are QuoteLineFormSet's)."""

    # ISO, whatever the language: a date input shows nothing for "2027/02/05" (Chinese).
    valid_until = forms.DateField(label=_("valid until"),
                                  widget=forms.DateInput(format="%Y-%m-%d",
                                                         attrs={"type": "date"}))
    reseller = forms.ModelChoiceField(label=_("reseller"), required=False,
                                      queryset=Partner.objects.none(),
                                      empty_label=_("— none (sold direct) —"))
    reseller_margin = forms.DecimalField(label=_("reseller margin (%)"), required=False,
                                         max_digits=5, decimal_places=2, min_value=0,
                                         max_value=100,
                                         widget=forms.NumberInput(attrs={
                                             "step": "any", "inputmode": "decimal"}))
    payment_terms = forms.CharField(label=_("payment terms"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    commercial_terms = forms.CharField(label=_("commercial terms"), required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, opportunity, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reseller"].queryset = Partner.objects.filter(
            deals__opportunity=opportunity, deals__role=DealPartnerRole.RESELLER).distinct()
