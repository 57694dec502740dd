from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import services
from accounts.models import Account, Contact, Partner, Territory
from osp.api import RecordViewSet, StrictSerializer, handover_reason_field
from osp.models import User


class TerritorySerializer(StrictSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False,
                                               allow_null=True)
    handover_reason = handover_reason_field()

    class Meta:
        model = Territory
        fields = ["id", "name", "parent", "owner", "handover_reason", "description",
                  "created_at", "updated_at"]


class AccountSerializer(StrictSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    # No default: DRF leaves a field with a default out of a PATCH's answer.
    territory_name = serializers.CharField(source="territory.name", read_only=True,
                                           allow_null=True)
    handover_reason = handover_reason_field()
    flags_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500,
        help_text=_("Why the account becomes (or stops being) named or strategic, when "
                    "`is_named` or `is_strategic` changes: its deals are rechecked at once "
                    "and the owners of those that move back read it."))

    class Meta:
        model = Account
        fields = ["id", "name", "territory", "territory_name", "owner", "owner_name",
                  "handover_reason", "flags_reason", "industry", "size", "is_named",
                  "is_strategic", "website",
                  "business_situation", "goals", "it_base", "funding", "source", "external_id",
                  "version", "created_at", "updated_at"]


class PartnerSerializer(StrictSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    handover_reason = handover_reason_field()

    class Meta:
        model = Partner
        fields = ["id", "name", "type", "owner", "handover_reason", "core_competences",
                  "solution_areas", "website", "source", "external_id", "version",
                  "created_at", "updated_at"]


class ContactSerializer(StrictSerializer):
    class Meta:
        model = Contact
        fields = ["id", "account", "partner", "first_name", "last_name", "title",
                  "department", "email", "phone", "reports_to", "buying_role", "influence",
                  "attitude", "notes", "source", "external_id", "version", "created_at",
                  "updated_at"]
        # Both are optional one by one; the model requires exactly one of them.
        extra_kwargs = {"account": {"required": False}, "partner": {"required": False}}


class TerritoryViewSet(RecordViewSet):
    """Sales territories (a tree). Everyone reads them; their owner's managers change them."""

    model = Territory
    conditional_updates = False  # territories carry no version
    instance_kwarg = "territory"
    base_queryset = Territory.objects.order_by("pk")
    serializer_class = TerritorySerializer
    create_service = services.territory_create
    update_service = services.territory_update
    filterset_fields = ["parent", "owner"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]


class AccountViewSet(RecordViewSet):
    """Customer accounts visible to you."""

    model = Account
    instance_kwarg = "account"
    base_queryset = Account.objects.select_related("owner", "territory").order_by("pk")
    serializer_class = AccountSerializer
    create_service = services.account_create
    update_service = services.account_update
    filterset_fields = ["territory", "owner", "industry", "size", "is_named", "is_strategic",
                        "source", "external_id"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "updated_at"]

    def update_kwargs(self, data: dict) -> dict:
        kwargs = super().update_kwargs(data)
        if "flags_reason" in data:
            kwargs["flags_reason"] = data.pop("flags_reason")
        return kwargs

    def perform_create(self, serializer):
        serializer.validated_data.pop("flags_reason", None)  # a new account moves no deal
        super().perform_create(serializer)


class PartnerViewSet(RecordViewSet):
    """Partners: system integrators, ISVs, resellers and consultants."""

    model = Partner
    instance_kwarg = "partner"
    base_queryset = Partner.objects.order_by("pk")
    serializer_class = PartnerSerializer
    create_service = services.partner_create
    update_service = services.partner_update
    filterset_fields = ["type", "owner", "source", "external_id"]
    search_fields = ["name", "core_competences", "solution_areas"]
    ordering_fields = ["name", "created_at"]


class ContactViewSet(RecordViewSet):
    """People at customer accounts (the org chart) and at partners."""

    model = Contact
    instance_kwarg = "contact"
    base_queryset = Contact.objects.order_by("pk")
    serializer_class = ContactSerializer
    create_service = services.contact_create
    update_service = services.contact_update

    @staticmethod
    def delete_service(*, obj, user):
        services.contact_delete(contact=obj, user=user)
    filterset_fields = ["account", "partner", "buying_role", "reports_to", "source",
                        "external_id"]
    search_fields = ["first_name", "last_name", "title", "email"]
    ordering_fields = ["last_name", "created_at"]
