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
from accounts.signals import FLAGS, flag_change_consequences
from osp import permissions
from osp.forms import VersionedForm
from osp.models import User


class OwnedForm(VersionedForm):
    """A form whose owner choices are the people the user may assign records to. Only
    those who may hand the record over (osp.access.can_reassign) can change its owner,
    saying why if they like."""

    handover_reason = forms.CharField(
        label=_("reason for the new owner"), required=False, max_length=1000,
        help_text=_("Only when you hand the record to someone else: kept in its history "
                    "and sent to both owners."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._form_kwargs["user"] = user
        editing = self.instance.pk is not None
        if "owner" in self.fields:
            owners = permissions.assignable_owners(user)
            if editing and self.instance.owner_id:
                owners = owners | User.objects.filter(pk=self.instance.owner_id)
            self.fields["owner"].queryset = owners.distinct()
            # A new record's empty owner (from the instance) would override a field
            # initial: put the person creating it in the form's own initial data.
            if not self.initial.get("owner"):
                self.initial["owner"] = user.pk
            if editing and not permissions.can_reassign(user, self.instance):
                self.fields["owner"].disabled = True
                self.fields["owner"].help_text = _(
                    "Only the owner, the owner's managers and administrators can hand it "
                    "to someone else.")
        if not editing or self.fields.get("owner") is None or self.fields["owner"].disabled:
            del self.fields["handover_reason"]
        else:
            # Asked for right after the owner: move it there.
            self.order_fields([*list(self.fields)[:list(self.fields).index("owner") + 1],
                               "handover_reason"])


class TerritoryForm(OwnedForm):
    class Meta:
        model = Territory
        fields = ["name", "parent", "owner", "description"]


class FlagChangeConfirmation(forms.ModelForm):
    """Making an account named or strategic (or no longer) changes the plan its deals need
    (the full TAS plan), and may move deals back at once. Before that is saved the form
    shows which deals would move, and asks to confirm with a reason their owners read;
    a change that moves nothing saves at once. The confirmation's fields stay hidden
    until they are needed."""

    confirm_flag_change = forms.BooleanField(
        label=_("Yes, save it and move these deals back now"), required=False,
        widget=forms.HiddenInput)
    flag_change_reason = forms.CharField(
        label=_("Why (the deals' owners and their managers read it)"), required=False,
        max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.consequences = []

    def clean(self):
        cleaned = super().clean()
        # A new account has no deals to move.
        if self.instance.pk is None or not any(f in self.changed_data for f in FLAGS):
            cleaned.pop("confirm_flag_change", None)
            cleaned.pop("flag_change_reason", None)
            return cleaned
        changed = Account.objects.get(pk=self.instance.pk)
        for flag in FLAGS:
            if flag in cleaned:
                setattr(changed, flag, cleaned[flag])
        self.consequences = flag_change_consequences(changed)
        confirmed = cleaned.pop("confirm_flag_change", False)
        reason = cleaned.pop("flag_change_reason", "").strip()
        if self.consequences:
            self.fields["confirm_flag_change"].widget = forms.CheckboxInput()
            self.fields["flag_change_reason"].widget = forms.Textarea(attrs={"rows": 2})
            if not confirmed:
                self.add_error(None, _(
                    "This change moves %(n)d deals back at once (listed below): confirm it "
                    "and say why, or undo the change.") % {"n": len(self.consequences)})
            elif not reason:
                self.add_error("flag_change_reason", _(
                    "Say why: the deals' owners read it with the move."))
        cleaned["flags_reason"] = reason
        return cleaned


class AccountForm(FlagChangeConfirmation, OwnedForm):
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


class ContactForm(VersionedForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "title", "department", "email", "phone",
                  "reports_to", "buying_role", "influence", "attitude", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self._form_kwargs.update(user=user, organisation=organisation)
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
