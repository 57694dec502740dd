"""The forecast over the API: the rollup of any node and period, snapshots and what
changed, adjustments, quotas and the .xlsx export — with the same visibility rules."""

import re

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from forecasting import selectors, services
from forecasting.changes import KINDS, snapshot_changes
from forecasting.models import ForecastAdjustment, ForecastSnapshot, Quota
from opportunities.models import Opportunity
from osp import access, permissions
from osp.api import TypedInput
from osp.fiscal import parse_period, read_period
from osp.models import User
from osp.schema import ErrorSerializer

NODE_PATTERN = r"^(user|territory|partner|account):[0-9]+$"
PERIOD_PATTERN = r"^FY[0-9]{4}( ?Q[1-4])?$"
NODE = OpenApiParameter("node", str, pattern=NODE_PATTERN,
                        description='"user:12", "territory:3", "partner:5", "account:9"; '
                                    'default: me and my team')
PERIOD = OpenApiParameter("period", str, pattern=PERIOD_PATTERN,
                          description='"FY2027 Q1" or "FY2027"; default: the current quarter')
NODE_NOT_VISIBLE = OpenApiResponse(
    ErrorSerializer, description="No such person, territory, partner or account that you may "
                                 "see.")


def _refuse_unreadable_node_or_period(params) -> None:
    """The pages take anything unreadable for the default; over the API a typo is a 400,
    not somebody else's numbers."""
    errors = {}
    node, period = params.get("node"), params.get("period")
    if node and not re.fullmatch(NODE_PATTERN, node):
        errors["node"] = [_('Send "user:12", "territory:3", "partner:5" or "account:9".')]
    if period and not (re.fullmatch(PERIOD_PATTERN, period) and read_period(period)):
        errors["period"] = [_('Send a fiscal year or quarter, e.g. "FY2027" or "FY2027 Q1".')]
    if errors:
        raise serializers.ValidationError(errors)


def _cell(cell):
    return {"count": cell.count, "amount": str(cell.amount), "weighted": str(cell.weighted)}


@extend_schema(parameters=[NODE, PERIOD], responses={200: dict, 404: NODE_NOT_VISIBLE})
@api_view(["GET"])
def forecast(request):
    """The rollup per category and stage, with quota, attainment and, for people, each
    rep's numbers beside the manager's adjustments."""
    _refuse_unreadable_node_or_period(request.query_params)
    node = selectors.parse_node(request.user, request.query_params.get("node"))
    period = parse_period(request.query_params.get("period"))
    r = selectors.forecast_rollup(user=request.user, node=node, period=period)
    return Response({
        "node": node.key, "period": period.label, "start": period.start, "end": period.end,
        "categories": {c: _cell(cell) for c, cell in r.categories.items()},
        "stages": {s: _cell(cell) for s, cell in r.stages.items()},
        "weighted_pipeline": str(r.weighted_pipeline),
        "quota": None if r.quota is None else str(r.quota),
        "attainment_booked": r.attainment(r.booked),
        "attainment_won_and_booked": r.attainment(r.won_and_booked),
        "reps": [{"user": rep["user"].pk, "name": str(rep["user"]),
                  "categories": {c: _cell(cell) for c, cell in rep["cells"].items()},
                  "adjusted": {c: str(a.amount) for c, a in rep["adjusted"].items()}}
                 for rep in r.reps],
    })


@extend_schema(parameters=[NODE, PERIOD], responses={
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
    404: NODE_NOT_VISIBLE})
@api_view(["GET"])
def forecast_export(request):
    from forecasting.export import export_response

    _refuse_unreadable_node_or_period(request.query_params)
    return export_response(request.user, request.query_params)


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = ForecastSnapshot
        fields = ["id", "taken_at", "label"]


class SnapshotViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Snapshots. POST takes one now (managers); GET …/{id}/changes/?to=<id> lists what
    changed since (to now when `to` is absent), for the deals you can see."""

    serializer_class = SnapshotSerializer
    queryset = ForecastSnapshot.objects.all()

    @extend_schema(request=None, responses={201: SnapshotSerializer})
    def create(self, request):
        if not permissions.can_manage_forecast(request.user):
            raise PermissionDenied(_("Managers take snapshots."))
        snapshot = services.forecast_snapshot_take(user=request.user, label="api")
        return Response(SnapshotSerializer(snapshot).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter(
        "to", int, description="The later snapshot's id; default: the deals as they are now.")],
        responses=inline_serializer(
        "SnapshotChange", {
            "kind": serializers.ChoiceField(choices=list(KINDS)),
            "label": serializers.CharField(),
            "opportunity": serializers.IntegerField(), "owner": serializers.IntegerField(),
            "before": serializers.CharField(), "after": serializers.CharField(),
            "delta": serializers.DecimalField(max_digits=16, decimal_places=2)}, many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def changes(self, request, pk=None):
        before = self.get_object()
        to = request.query_params.get("to")
        after = None
        if to:
            try:
                to = serializers.IntegerField(min_value=1).run_validation(to)
            except serializers.ValidationError as e:
                raise serializers.ValidationError({"to": e.detail}) from None
            after = get_object_or_404(ForecastSnapshot, pk=to)
        owners = (None if access.reads_everything(request.user)
                  else access.scope_user_ids(request.user))
        visible = set(access.visible_to(request.user, Opportunity).values_list("pk", flat=True)
                      ) if owners is not None else None
        rows = [c for c in snapshot_changes(before, after, owners=owners)
                if visible is None or c.opportunity_id in visible]
        return Response([{"kind": c.kind, "label": str(c.label), "opportunity": c.opportunity_id,
                          "owner": c.owner_id, "before": c.before, "after": c.after,
                          "delta": str(c.delta)} for c in rows])


class AdjustmentSerializer(TypedInput, serializers.ModelSerializer):
    based_on = serializers.IntegerField(
        write_only=True, required=False, min_value=0,
        help_text="The id of the adjustment you saw as the current one (0: none). If "
                  "another manager has recorded one since, 409 and nothing is written.")

    class Meta:
        model = ForecastAdjustment
        fields = ["id", "subject", "manager", "period", "category", "amount", "note",
                  "based_on", "created_at"]
        read_only_fields = ["manager", "created_at"]


class AdjustmentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Adjustments of the people below you (and of you), newest first; history kept."""

    serializer_class = AdjustmentSerializer
    filterset_fields = ["subject", "period", "category"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ForecastAdjustment.objects.none()
        return ForecastAdjustment.objects.filter(
            subject_id__in=access.scope_user_ids(self.request.user))

    def perform_create(self, serializer):
        d = serializer.validated_data
        subject = access.get_visible_or_404(self.request.user, User, d["subject"].pk)
        serializer.instance = services.forecast_adjust(
            manager=self.request.user, subject=subject, period=d["period"],
            category=d["category"], amount=d["amount"], note=d["note"],
            based_on=d.get("based_on"))


class QuotaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Quota
        fields = ["id", "user", "territory", "fiscal_year", "quarter", "amount"]


class QuotaViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Quotas of your team (everyone's for finance and admins); set in the admin."""

    serializer_class = QuotaSerializer
    filterset_fields = ["user", "territory", "fiscal_year", "quarter"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Quota.objects.none()
        qs = Quota.objects.order_by("fiscal_year", "quarter", "pk")
        if access.reads_everything(self.request.user):
            return qs
        return qs.filter(user_id__in=access.scope_user_ids(self.request.user)) | qs.filter(
            territory__owner_id__in=access.scope_user_ids(self.request.user))
