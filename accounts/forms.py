import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Account,
    BuyingRole,
    CompanySize,
    Contact,
    Industry,
    Partner,
    PartnerType,
    Territory,
)
from osp import access
from osp.models import User


class OwnedForm(forms.ModelForm):
    """A form whose owner choices are the people the user may assign records to."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "owner" in self.fields:
            owners = access.assignable_owners(user)
            if self.instance.pk and self.instance.owner_id:
                owners = owners | User.objects.filter(pk=self.instance.owner_id)
            self.fields["owner"].queryset = owners.distinct()
            # A new record's empty owner (from the instance) would override a field
            # initial: put the person creating it in the form's own initial data.
            if not self.initial.get("owner"):
                self.initial["owner"] = user.pk


class TerritoryForm(OwnedForm):
    class Meta:
        model = Territory
        fields = ["name", "parent", "owner", "description"]


class AccountForm(OwnedForm):
    class Meta:
        model = Account
        fields = ["name", "territory", "owner", "industry", "size", "is_named", "is_strategic",
                  "website", "business_situation", "goals", "it_base", "funding"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in
                   ("business_situation", "goals", "it_base", "funding")}


class PartnerForm(OwnedForm):
    class Meta:
        model = Partner
        fields = ["name", "type", "owner", "website", "core_competences", "solution_areas"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in
                   ("core_competences", "solution_areas")}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "title", "department", "email", "phone",
                  "reports_to", "buying_role", "influence", "attitude", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Someone can only report to a colleague in the same organisation.
        colleagues = organisation.contacts.all()
        if self.instance.pk:
            colleagues = colleagues.exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = colleagues


class AccountFilter(django_filters.FilterSet):
    territory = django_filters.ModelChoiceFilter(queryset=Territory.objects.all(),
                                                 label=_("Territory"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    size = django_filters.ChoiceFilter(choices=CompanySize.choices, label=_("Size"))
    is_named = django_filters.BooleanFilter(label=_("Named account"))
    is_strategic = django_filters.BooleanFilter(label=_("Strategic account"))

    class Meta:
        model = Account
        fields = ["territory", "industry", "size", "is_named", "is_strategic"]


class PartnerFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=PartnerType.choices, label=_("Type"))

    class Meta:
        model = Partner
        fields = ["type"]


class ContactFilter(django_filters.FilterSet):
    buying_role = django_filters.ChoiceFilter(choices=BuyingRole.choices,
                                              label=_("Buying role"))

    class Meta:
        model = Contact
        fields = ["buying_role"]
