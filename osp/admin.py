from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from osp.models import ReminderPolicy, Role, User


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
    list_display = ("username", "first_name", "last_name", "title", "manager", "is_active")
    list_select_related = ("manager",)
    list_filter = ("is_active", "is_superuser")
    autocomplete_fields = ("manager",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Sales organisation"), {"fields": ("title", "roles", "manager")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first_name", "last_name",
                                                 "email", "roles", "manager", "password1",
                                                 "password2")}),
    )


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "send_from_hour", "approval_wait_working_days",
                    "stale_opportunity_days", "stage7_days_before_quarter_end", "send_email")

    def has_add_permission(self, request):
        return not ReminderPolicy.objects.exists()
