from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from osp.concurrency import StaleRecord, stale_message
from osp.models import OwnerChange, ReminderPolicy, Role, User
from osp.signals import announce_away_change


class VersionedAdminForm(forms.ModelForm):
    """The admin's form of a versioned record: it carries the version it was opened at,
    and a save after someone else's change is refused with who changed it (the app's own
    forms go further, osp.forms)."""

    opened_at_version = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                           min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["opened_at_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("opened_at_version")
        if expected is not None and self.instance.pk and expected != self.instance.version:
            raise forms.ValidationError(stale_message(StaleRecord(self.instance,
                                                                  expected=expected)))
        return cleaned


class VersionedAdmin(admin.ModelAdmin):
    """ModelAdmin of a synced record: edits opened before another change are refused."""

    form = VersionedAdminForm

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "opened_at_version"]
        return [*fields, "opened_at_version"] if obj is not None else fields


class RolesFormMixin(forms.ModelForm):
    roles = forms.MultipleChoiceField(label=_("roles"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)


class UserChange(RolesFormMixin, UserChangeForm):
    pass


class UserCreate(RolesFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email", "roles", "manager")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChange
    add_form = UserCreate
    list_display = ("username", "first_name", "last_name", "title", "manager", "is_active",
                    "away_from", "away_until")
    list_select_related = ("manager",)
    list_filter = ("is_active", "is_superuser")
    autocomplete_fields = ("manager",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Sales organisation"), {"fields": ("title", "roles", "manager", "away_from",
                                              "away_until")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first_name", "last_name",
                                                 "email", "roles", "manager", "password1",
                                                 "password2")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if {"away_from", "away_until"} & set(form.changed_data):
            announce_away_change(obj)  # the approvals follow (opportunities listens)


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "send_from_hour", "approval_wait_working_days",
                    "stale_opportunity_days", "stage7_days_before_quarter_end", "send_email")

    def has_add_permission(self, request):
        return not ReminderPolicy.objects.exists()


@admin.register(OwnerChange)
class OwnerChangeAdmin(admin.ModelAdmin):
    """Who handed which record to whom, and why: history, read only."""

    list_display = ("at", "content_type", "object_id", "from_owner", "to_owner", "by")
    list_select_related = ("content_type", "from_owner", "to_owner", "by")
    list_filter = ("content_type",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
