from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from accounts.models import Partner
from opportunities import selectors, services
from opportunities.api_cycle import TRANSITION_RESPONSES, SellingCycleMixin
from opportunities.api_quotes import QuoteMixin
from opportunities.models import (
    DealPartnerRole,
    Opportunity,
    OpportunityPartner,
    OpportunityTeamMember,
    TeamRole,
)
from osp.api import RecordViewSet, StrictSerializer, TypedInput, handover_reason_field
from osp.models import User
from osp.rest import KeysetPagination


class TeamMemberSerializer(TypedInput, serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    role = serializers.ChoiceField(choices=TeamRole.choices)

    class Meta:
        model = OpportunityTeamMember
        fields = ["user", "role"]


class DealPartnerSerializer(TypedInput, serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    role = serializers.ChoiceField(choices=DealPartnerRole.choices)

    class Meta:
        model = OpportunityPartner
        fields = ["partner", "partner_name", "role"]


class OpportunitySerializer(StrictSerializer):
    refused_field_messages = {"stage": services.STAGE_IS_NOT_A_FIELD}

    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    handover_reason = handover_reason_field()
    account_name = serializers.CharField(source="account.name", read_only=True)
    stage_label = serializers.CharField(read_only=True)
    currency = serializers.CharField(max_length=3, required=False)
    team = TeamMemberSerializer(source="team_members", many=True, required=False)
    partners = DealPartnerSerializer(source="deal_partners", many=True, required=False)
    competitors = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    competitor_names = serializers.ListField(
        child=serializers.CharField(max_length=120), write_only=True, required=False,
        help_text=_("Names of the competitors on this deal; replaces the list."),
    )

    class Meta:
        model = Opportunity
        fields = ["id", "name", "account", "account_name", "owner", "owner_name",
                  "handover_reason", "stage",
                  "stage_label", "amount", "currency", "amount_base", "expected_close_date",
                  "lead_source", "why_do_it", "why_now", "pains", "budget",
                  "procurement_process", "description", "next_step", "quoted_amount",
                  "discount_percent",
                  "commercial_terms", "po_number", "po_date", "po_amount", "team", "partners",
                  "competitors", "competitor_names", "flagged_criteria", "stage_entered_at",
                  "source", "external_id", "version", "created_at", "updated_at"]
        read_only_fields = ["stage", "amount_base", "flagged_criteria", "stage_entered_at"]

    def to_service_kwargs(self, data):
        data = dict(data)
        if "team_members" in data:
            data["team"] = data.pop("team_members")
        if "deal_partners" in data:
            data["partners"] = data.pop("deal_partners")
        if "competitor_names" in data:
            data["competitors"] = data.pop("competitor_names")
        return data


def _shown(field: serializers.Field, value):
    """`value` as `field` writes it in JSON (None stays None, as DRF leaves it)."""
    return None if value is None else field.to_representation(value)


class OpportunityListSerializer(serializers.BaseSerializer):
    """An opportunity of the API list, from a plain row of selectors.api_list_page: the
    same JSON as OpportunitySerializer gives for the record (tests/api/test_list_rows.py
    compares them). Read only, written out as DRF documents for read-only serializers
    (`BaseSerializer.to_representation`): a page is 50 rows of 36 values, and asking a
    field object for each value cost twice the page's SQL. Decimals, dates and times go
    through the same DRF fields OpportunitySerializer uses, so they read the same."""

    _amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    _amount_base = serializers.DecimalField(max_digits=16, decimal_places=2)
    _percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    _date = serializers.DateField()
    _moment = serializers.DateTimeField()

    def to_representation(self, row: dict) -> dict:
        amount, date, moment = self._amount, self._date, self._moment
        return {
            "id": row["id"],
            "name": row["name"],
            "account": row["account_id"],
            "account_name": row["account__name"],
            "owner": row["owner_id"],
            "owner_name": row["owner_name"],
            "stage": row["stage"],
            "stage_label": row["stage_label"],
            "amount": _shown(amount, row["amount"]),
            "currency": row["currency"],
            "amount_base": _shown(self._amount_base, row["amount_base"]),
            "expected_close_date": _shown(date, row["expected_close_date"]),
            "lead_source": row["lead_source"],
            "why_do_it": row["why_do_it"],
            "why_now": row["why_now"],
            "pains": row["pains"],
            "budget": _shown(amount, row["budget"]),
            "procurement_process": row["procurement_process"],
            "description": row["description"],
            "next_step": row["next_step"],
            "quoted_amount": _shown(amount, row["quoted_amount"]),
            "discount_percent": _shown(self._percent, row["discount_percent"]),
            "commercial_terms": row["commercial_terms"],
            "po_number": row["po_number"],
            "po_date": _shown(date, row["po_date"]),
            "po_amount": _shown(amount, row["po_amount"]),
            "team": row["team"],  # [{"user", "role"}]
            "partners": row["partners"],  # [{"partner", "partner_name", "role"}]
            "competitors": row["competitors"],
            "flagged_criteria": row["flagged_criteria"],
            "stage_entered_at": _shown(moment, row["stage_entered_at"]),
            "source": row["source"],
            "external_id": row["external_id"],
            "version": row["version"],
            "created_at": _shown(moment, row["created_at"]),
            "updated_at": _shown(moment, row["updated_at"]),
        }


@extend_schema_view(transition=extend_schema(
    responses={200: OpportunitySerializer, **TRANSITION_RESPONSES}),
    quote_accept=extend_schema(responses={200: OpportunitySerializer}))
class OpportunityViewSet(SellingCycleMixin, QuoteMixin, RecordViewSet):
    """Opportunities visible to you. The stage is read-only here: move it through the
    transition endpoint, which applies the selling-cycle gates."""

    model = Opportunity
    instance_kwarg = "opportunity"
    base_queryset = (
        Opportunity.objects.select_related("owner", "account")
        .prefetch_related("team_members", "deal_partners__partner", "competitors")
        .order_by("pk")
    )
    serializer_class = OpportunitySerializer
    # A manager's list holds tens of thousands: pages by cursor, without a count.
    pagination_class = KeysetPagination
    filterset_fields = {
        "stage": ["exact", "in"], "owner": ["exact"], "account": ["exact"],
        "lead_source": ["exact"], "currency": ["exact"],
        "expected_close_date": ["gte", "lte"], "amount_base": ["gte", "lte"],
        "source": ["exact"], "external_id": ["exact"],
    }
    search_fields = ["name", "account__name"]
    ordering_fields = ["name", "amount_base", "expected_close_date", "stage", "created_at",
                       "updated_at"]

    def list(self, request, *args, **kwargs):
        """The page from plain rows (selectors.opportunity_api_rows) through
        OpportunityListSerializer: the record's JSON without a model instance per row."""
        rows = selectors.opportunity_api_rows(self.filter_queryset(self.get_queryset()))
        page = selectors.api_list_page(self.paginate_queryset(rows))
        return self.get_paginated_response(OpportunityListSerializer(page, many=True).data)

    def perform_create(self, serializer):
        data = serializer.to_service_kwargs(serializer.validated_data)
        data.pop("handover_reason", None)
        obj = services.opportunity_create(user=self.request.user, **data)
        serializer.instance = self.reloaded(obj)

    def perform_update(self, serializer):
        data = serializer.to_service_kwargs(serializer.validated_data)
        obj = services.opportunity_update(opportunity=serializer.instance,
                                          **self.update_kwargs(data), **data)
        serializer.instance = self.reloaded(obj)
