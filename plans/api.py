"""Plans over the API, with the same visibility rules and services as the browser."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Account, Partner, Territory
from opportunities.models import Opportunity
from osp import access
from osp.api import (
    CarriesETag,
    InputSerializer,
    TypedInput,
    VisibleRelations,
    if_match_version,
)
from osp.models import Notification
from osp.rest import JSONParser
from osp.schema import ErrorSerializer
from plans import services
from plans.models import ActionItem, Plan, PlanKind, PlanVersion


class PlanVersionSerializer(serializers.ModelSerializer):
    submitted_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField(allow_null=True)  # null until decided

    class Meta:
        model = PlanVersion
        fields = ["number", "content", "submitted_by", "submitted_at", "decision",
                  "decided_by", "decided_at", "comment"]


class PlanSerializer(serializers.ModelSerializer):
    subject_name = serializers.CharField(source="subject.__str__", read_only=True)
    review = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "kind", "territory", "account", "partner", "subject_name", "owner",
                  "status", "fiscal_year_target", "sections", "approved_at",
                  "manager_comment", "review", "revision", "created_at", "updated_at"]
        read_only_fields = ["owner", "status", "approved_at", "manager_comment", "revision"]

    def get_review(self, plan) -> str:
        return services.plan_review_state(plan)


class PlanCreateSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    subject = serializers.IntegerField(help_text="id of the territory, account or partner")


class PlanChangeSerializer(InputSerializer):
    """What a PATCH writes: section texts by name, and the fiscal-year target."""

    sections = serializers.DictField(child=serializers.CharField(allow_blank=True),
                                     required=False)
    fiscal_year_target = serializers.DecimalField(max_digits=14, decimal_places=2,
                                                  allow_null=True, min_value=0, required=False)

    def validate(self, attrs):
        refused = {name: [_("This field is read-only.") if name in PlanSerializer.Meta.fields
                          else _("Unknown field.")]
                   for name in self.initial_data if name not in self.fields}
        if refused:
            raise serializers.ValidationError(refused)
        return attrs


class PlanDecisionSerializer(InputSerializer):
    decision = serializers.ChoiceField(choices=["approve", "return"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PlanViewSet(CarriesETag, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  viewsets.GenericViewSet):
    """Territory, account and partner plans you can see (yours and your team's). A PATCH
    with `If-Match: "<revision>"` is refused (412) if the plan was edited since."""

    version_field = "revision"

    serializer_class = PlanSerializer
    filterset_fields = ["kind", "status", "owner"]
    # Columns only: `subject_name` is computed (DRF's default would offer it, and fail).
    ordering_fields = ["id", "kind", "status", "owner", "fiscal_year_target", "approved_at",
                       "created_at", "updated_at"]

    def get_parsers(self):
        # The sections are an object, which a form cannot carry: DRF would read a form's
        # "sections" as no change at all. PATCH takes JSON (the schema says so too).
        if getattr(self.request, "method", None) == "PATCH":
            return [JSONParser()]
        return super().get_parsers()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        return access.visible_to(self.request.user, Plan).select_related(
            "territory", "account", "partner").order_by("pk")

    @extend_schema(request=PlanCreateSerializer, responses={
        201: PlanSerializer, 404: OpenApiResponse(
            ErrorSerializer, description="No such territory, account or partner that you "
                                         "may see.")})
    def create(self, request):
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        model = {"territory": Territory, "account": Account,
                 "partner": Partner}[data.validated_data["kind"]]
        subject = access.get_visible_or_404(request.user, model, data.validated_data["subject"])
        plan = services.plan_create(user=request.user, kind=data.validated_data["kind"],
                                    subject=subject)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanChangeSerializer, responses=PlanSerializer)
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        data = PlanChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_save(plan=plan, user=request.user,
                                  sections=data.validated_data.get("sections"),
                                  fiscal_year_target=data.validated_data.get(
                                      "fiscal_year_target"),
                                  expected_version=if_match_version(request))
        return Response(PlanSerializer(plan).data)

    @extend_schema(request=None, responses={201: PlanVersionSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        version = services.plan_submit(plan=self.get_object(), user=request.user)
        return Response(PlanVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanDecisionSerializer, responses={200: PlanVersionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = PlanDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.plan_decide(plan=self.get_object(), user=request.user,
                                       approve=data.validated_data["decision"] == "approve",
                                       comment=data.validated_data["comment"])
        return Response(PlanVersionSerializer(version).data)

    @extend_schema(responses=PlanVersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        plan = self.get_object()
        rows = plan.versions.select_related("submitted_by", "decided_by")
        return Response(PlanVersionSerializer(rows, many=True).data)


class ActionItemSerializer(VisibleRelations, TypedInput, serializers.ModelSerializer):
    class Meta:
        model = ActionItem
        fields = ["id", "plan", "opportunity", "what", "assignee", "contact", "due", "done_at"]
        read_only_fields = ["done_at"]


class DoneSerializer(InputSerializer):
    done = serializers.BooleanField(default=True)


class ActionItemViewSet(mixins.ListModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    """Action items on the plans and opportunities you can see. POST …/done/ with
    {"done": true|false}."""

    serializer_class = ActionItemSerializer
    filterset_fields = ["plan", "opportunity", "assignee"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ActionItem.objects.none()
        user = self.request.user
        return (ActionItem.objects.filter(plan__in=access.visible_to(user, Plan).values("pk"))
                | ActionItem.objects.filter(
                    opportunity__in=access.visible_to(user, Opportunity).values("pk"))
                ).order_by("due", "pk")

    def perform_create(self, serializer):
        d = dict(serializer.validated_data)
        user = self.request.user
        if d.get("plan") is not None:
            d["plan"] = access.get_visible_or_404(user, Plan, d["plan"].pk)
        if d.get("opportunity") is not None:
            d["opportunity"] = access.get_visible_or_404(user, Opportunity, d["opportunity"].pk)
        serializer.instance = services.action_item_add(user=user, **d)

    @extend_schema(request=DoneSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        item = self.get_object()
        data = DoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.action_item_set_done(user=request.user, item=item,
                                      done=data.validated_data["done"])
        return Response(ActionItemSerializer(item).data)


class NotificationSerializer(serializers.ModelSerializer):
    message = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "message", "opportunity", "created_at", "read_at"]

    def get_message(self, n) -> str:
        return n.text()


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your notifications, newest first. POST …/read/ marks one read; POST read-all/."""

    serializer_class = NotificationSerializer
    filterset_fields = ["read_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return self.request.user.notifications.all()

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        note = self.get_object()
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
        return Response(NotificationSerializer(note).data)

    @extend_schema(request=None, responses=None)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        n = self.get_queryset().filter(read_at__isnull=True).update(read_at=timezone.now())
        return Response({"marked_read": n})
