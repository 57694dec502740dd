"""The selling cycle over the API: the same services as the browser, no back door.

- GET  /opportunities/{id}/criteria/          every criterion, met or not, with evidence
- POST /opportunities/{id}/transition/        {"to": "5", "reason": "...", "from": "4"}
- POST /opportunities/{id}/attest/            {"criterion", "note", "contact", "date", ...}
- POST /opportunities/{id}/withdraw/          {"criterion", "note"}
- GET  /opportunities/{id}/history/           stage changes, oldest first
- POST /opportunities/{id}/approvals/         request an approval or a resource
- GET  /approvals/?waiting=me                 approvals (mine to decide, or requested)
- POST /approvals/{id}/decide/                {"decision": "approve|reject|return"}
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Contact
from opportunities import selling_cycle
from opportunities.models import (
    ApprovalKind,
    ApprovalRequest,
    ApprovalStatus,
    GoDecision,
    Opportunity,
    ResourceType,
    Stage,
    StageChange,
)
from osp import access
from osp.api import InputSerializer
from osp.schema import ErrorSerializer, GateClosedSerializer


class TransitionSerializer(InputSerializer):
    to = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    # The stage the client saw; a different current stage is a 409, never an overwrite.
    from_ = serializers.ChoiceField(choices=Stage.choices, required=False, allow_null=True)
    loss_reason = serializers.CharField(required=False, allow_blank=True, default="")
    winning_competitor = serializers.CharField(required=False, allow_blank=True, default="")
    reference = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text="Finance (9.5, 10): payment or booking reference")
    period = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False,
                                      allow_null=True)
    date = serializers.DateField(required=False, allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class AttestSerializer(InputSerializer):
    criterion = serializers.CharField()
    note = serializers.CharField()
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all())
    date = serializers.DateField(required=False, allow_null=True)
    evidence_url = serializers.URLField(required=False, allow_blank=True, default="")
    evidence_file = serializers.FileField(required=False, allow_null=True)


class WithdrawSerializer(InputSerializer):
    criterion = serializers.CharField()
    note = serializers.CharField()


class GoDecisionInputSerializer(InputSerializer):
    rationale = serializers.CharField()


class GoDecisionSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()

    class Meta:
        model = GoDecision
        fields = ["id", "step", "by", "at", "rationale"]


class StageChangeSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField(allow_null=True)  # null: moved by itself

    class Meta:
        model = StageChange
        fields = ["id", "from_stage", "to_stage", "how", "by", "at", "reason", "criteria_met"]


class ApprovalSerializer(serializers.ModelSerializer):
    requested_by = serializers.StringRelatedField()
    approver = serializers.StringRelatedField()
    opportunity_name = serializers.CharField(source="opportunity.name", read_only=True)
    # Blank unless the request is for a resource (so the schema's enum includes "").
    resource_type = serializers.ChoiceField(choices=ResourceType.choices, allow_blank=True,
                                            read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = ["id", "opportunity", "opportunity_name", "kind", "status", "requested_by",
                  "approver", "comment", "approved_facts", "resource_type", "meeting_date",
                  "short_notice", "created_at", "updated_at"]
        read_only_fields = fields


class ApprovalCreateSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=ApprovalKind.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    resource_type = serializers.ChoiceField(choices=ResourceType.choices, required=False,
                                            allow_blank=True, default="")
    meeting_date = serializers.DateField(required=False, allow_null=True, default=None)


class DecideSerializer(InputSerializer):
    decision = serializers.ChoiceField(choices=["approve", "reject", "return"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


CriteriaSerializer = inline_serializer("Criteria", {
    "stage": serializers.CharField(),
    "criteria": serializers.ListField(child=serializers.DictField())})
GATE_CLOSED = OpenApiResponse(GateClosedSerializer,
                              description="The gate is closed: the unmet criteria.")
CHANGED = OpenApiResponse(ErrorSerializer, description="The stage changed underneath.")
# 200 answers the opportunity itself: opportunities/api.py adds it with its serializer.
TRANSITION_RESPONSES = {
    202: OpenApiResponse(inline_serializer("ApprovalRequested", {
        "detail": serializers.CharField(), "stage": serializers.CharField(),
        "approval": ApprovalSerializer()}),
        description="The move waits for the manager's approval."),
    409: CHANGED, 422: GATE_CLOSED}


class ApprovalDecisionSerializer(ApprovalSerializer):
    """The decided request, with where the opportunity stands now."""

    opportunity_stage = serializers.ChoiceField(choices=Stage.choices, read_only=True)
    moved = serializers.BooleanField(read_only=True)

    class Meta(ApprovalSerializer.Meta):
        fields = [*ApprovalSerializer.Meta.fields, "opportunity_stage", "moved"]
        read_only_fields = fields


class SellingCycleMixin:
    """Actions added to the opportunity viewset."""

    def _criteria_payload(self, opportunity):
        evaluation = opportunity.evaluation()
        return {"stage": opportunity.stage,
                "criteria": [r.as_dict() for r in evaluation.results.values()]}

    @extend_schema(responses=CriteriaSerializer)
    @action(detail=True, methods=["get"])
    def criteria(self, request, pk=None):
        return Response(self._criteria_payload(self.get_object()))

    @extend_schema(request=TransitionSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        opportunity = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        finance = {k: d.get(k) for k in ("reference", "period", "amount", "date")}
        # GateClosed -> 422 with the unmet criteria, ConcurrentTransition -> 409 (osp.rest).
        outcome = selling_cycle.opportunity_transition(
            opportunity=opportunity, user=request.user, to=d["to"], reason=d["reason"],
            expected_stage=d.get("from"), loss_reason=d["loss_reason"],
            winning_competitor=d["winning_competitor"], finance=finance)
        if not outcome.moved and outcome.approval is not None:
            return Response({
                "detail": _("The move needs your manager's approval; the request is waiting "
                            "for %(approver)s.") % {"approver": outcome.approval.approver},
                "stage": outcome.opportunity.stage,
                "approval": ApprovalSerializer(outcome.approval).data,
            }, status=status.HTTP_202_ACCEPTED)
        return Response(self.get_serializer(self.reloaded(outcome.opportunity)).data)

    @extend_schema(request=AttestSerializer, responses={201: CriteriaSerializer})
    @action(detail=True, methods=["post"])
    def attest(self, request, pk=None):
        opportunity = self.get_object()
        data = AttestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        contact = access.visible_to(request.user, Contact).filter(pk=d["contact"].pk).first()
        selling_cycle.criterion_attest(
            opportunity=opportunity, user=request.user, code=d["criterion"], note=d["note"],
            contact=contact, occurred_on=d.get("date"), evidence_url=d["evidence_url"],
            evidence_file=d.get("evidence_file"))
        opportunity.forget_evaluation()
        return Response(self._criteria_payload(opportunity), status=status.HTTP_201_CREATED)

    @extend_schema(request=GoDecisionInputSerializer, responses={201: GoDecisionSerializer})
    @action(detail=True, methods=["post"])
    def go(self, request, pk=None):
        """Record the decision to go on with the deal (Go/No-Go, steps 2 and 5)."""
        data = GoDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = selling_cycle.go_decision_record(
            opportunity=self.get_object(), user=request.user,
            rationale=data.validated_data["rationale"])
        return Response(GoDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawSerializer, responses={201: CriteriaSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        opportunity = self.get_object()
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        selling_cycle.criterion_withdraw(opportunity=opportunity, user=request.user,
                                         code=data.validated_data["criterion"],
                                         note=data.validated_data["note"])
        opportunity.refresh_from_db()
        opportunity.forget_evaluation()
        return Response(self._criteria_payload(opportunity), status=status.HTTP_201_CREATED)

    @extend_schema(responses=StageChangeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        opportunity = self.get_object()
        rows = opportunity.stage_changes.select_related("by")
        return Response(StageChangeSerializer(rows, many=True).data)

    @extend_schema(request=ApprovalCreateSerializer, responses={201: ApprovalSerializer})
    @action(detail=True, methods=["post"])
    def approvals(self, request, pk=None):
        opportunity = self.get_object()
        data = ApprovalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = selling_cycle.approval_request(opportunity=opportunity, user=request.user,
                                                  **data.validated_data)
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED)


class ApprovalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    """Approval requests on opportunities you can see. `?waiting=me` lists those waiting
    for your decision."""

    serializer_class = ApprovalSerializer
    filterset_fields = ["status", "kind", "opportunity"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalRequest.objects.none()
        user = self.request.user
        qs = ApprovalRequest.objects.select_related("opportunity", "requested_by", "approver")
        if self.request.query_params.get("waiting") == "me":
            return qs.filter(approver=user, status=ApprovalStatus.PENDING).order_by("created_at")
        visible = access.visible_to(user, Opportunity).values("pk")
        return qs.filter(opportunity__in=visible) | qs.filter(approver=user)

    @extend_schema(request=DecideSerializer, responses={
        200: ApprovalDecisionSerializer,
        409: OpenApiResponse(ErrorSerializer, description="The request was already decided.")})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        approval = self.get_object()
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcome = selling_cycle.approval_decide(request=approval, user=request.user,
                                                **data.validated_data)
        body = ApprovalSerializer(outcome.approval).data
        body["opportunity_stage"] = outcome.opportunity.stage
        body["moved"] = outcome.moved
        return Response(body)
