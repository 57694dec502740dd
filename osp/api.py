"""API pieces shared by every app: the strict serializer, the base viewset that routes
reads through osp.access and writes through services, and the users endpoint."""

from django.http import JsonResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from osp import access
from osp.models import Role, User
from osp.permissions import can_manage_users
from osp.services import record_delete, user_away_set, user_create, user_update


def _json_type_error(field, value) -> str | None:
    """DRF's own message (translated) when a JSON value has the wrong type for `field`.
    Recursive into lists and objects: the JSON parser (osp.rest) bounds their depth."""
    if value is None:
        return None  # the field's allow_null's business
    if isinstance(field, (serializers.ListField, serializers.DictField)):
        # DRF refuses a container of the wrong kind; look at what is inside.
        items = (value if isinstance(value, list) and isinstance(field, serializers.ListField)
                 else value.values() if isinstance(value, dict)
                 and isinstance(field, serializers.DictField) else ())
        return next(filter(None, (_json_type_error(field.child, v) for v in items)), None)
    if isinstance(field, (serializers.ManyRelatedField, serializers.ListSerializer)):
        return None
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else field.error_messages["invalid"]
    if isinstance(field, serializers.ChoiceField):
        text_choices = all(isinstance(key, str) for key in field.choices)
        return (field.error_messages["invalid_choice"].format(input=value)
                if text_choices and not isinstance(value, str) else None)
    if isinstance(field, serializers.IntegerField):
        return None if is_int else field.error_messages["invalid"]
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return None if is_int else field.error_messages["incorrect_type"].format(
            data_type=type(value).__name__)
    if isinstance(field, serializers.CharField):
        return None if isinstance(value, str) else field.error_messages["invalid"]
    return None


class TypedInput:
    """JSON says what type each value is: a number where text is expected, 0 for false or
    "5" for an id is refused (400), as the OpenAPI schema says, instead of being converted.
    Form posts carry nothing but text and are left to DRF."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and not isinstance(data, MultiValueDict):
            errors = {}
            for name, field in self.fields.items():
                if name in data and not field.read_only:
                    message = _json_type_error(field, data[name])
                    if message:
                        errors[name] = [message]
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)


class InputSerializer(TypedInput, serializers.Serializer):
    """The input of an action (a transition, a decision...)."""


class VisibleRelations:
    """Related fields of a write accept only records the caller may see (osp.access): a
    hidden one named in a request is refused like one that does not exist, never with a
    403 or 404 that would confirm it exists (issue #7)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if request is None or request.method in permissions.SAFE_METHODS or not (
                user and user.is_authenticated):
            return fields
        for f in fields.values():
            relation = getattr(f, "child_relation", f)
            if not f.read_only and getattr(relation, "queryset", None) is not None:
                relation.queryset = access.visible_choices(user, relation.queryset)
        return fields


class StrictSerializer(VisibleRelations, TypedInput, serializers.ModelSerializer):
    """Refuses input it would otherwise silently ignore: unknown and read-only fields, and
    values of the wrong JSON type."""

    refused_field_messages: dict[str, str] = {}

    def validate(self, attrs):
        if isinstance(self.initial_data, dict):
            writable = {n for n, f in self.fields.items() if not f.read_only}
            errors = {}
            for name in self.initial_data:
                if name in writable:
                    continue
                if name in self.refused_field_messages:
                    errors[name] = [self.refused_field_messages[name]]
                elif name in self.fields:
                    errors[name] = [_("This field is read-only.")]
                else:
                    errors[name] = [_("Unknown field.")]
            if errors:
                raise ValidationError(errors)
        return super().validate(attrs)


def if_match_version(request) -> int | None:
    """The version an `If-Match: "<version>"` header names (None without one)."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ValidationError({"If-Match": [_('Send the version as "<number>".')]})
    return int(value)


def etag(version: int) -> str:
    return f'"{version}"'


class CarriesETag:
    """A viewset whose records' answers carry their version as the ETag, to send back in
    If-Match (PUT and PATCH then take it: `conditional_updates`, osp.schema)."""

    conditional_updates = True
    version_field = "version"

    def finalize_response(self, request, response, *args, **kwargs):
        data = getattr(response, "data", None)
        if (self.detail and response.status_code < 300 and isinstance(data, dict)
                and isinstance(data.get(self.version_field), int)):
            response["ETag"] = etag(data[self.version_field])
        return super().finalize_response(request, response, *args, **kwargs)


class RecordViewSet(CarriesETag, viewsets.ModelViewSet):
    """CRUD where reads go through osp.access and writes through the app's services.

    Subclasses set `model`, `create_service(user=..., **data)` and
    `update_service(<instance_kwarg>=obj, user=..., **data)`.
    """

    model = None
    instance_kwarg = ""
    create_service = None
    update_service = None
    delete_service = record_delete
    base_queryset = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.model.objects.none()
        qs = self.base_queryset if self.base_queryset is not None else self.model.objects.all()
        return access.visible_to(self.request.user, self.model, qs.all())

    def reloaded(self, obj):
        """The saved object as the list would show it (fresh related rows). A change
        that took the caller off the record (a presales engineer leaving the deal's
        team) has still been made: the answer shows what was saved, once more."""
        qs = self.base_queryset if self.base_queryset is not None else self.model.objects
        visible = self.get_queryset().filter(pk=obj.pk).first()
        return visible if visible is not None else qs.get(pk=obj.pk)

    def update_kwargs(self, data: dict) -> dict:
        """What an update passes its service besides the fields: who, the version the
        caller's copy was at (`If-Match`: a stale update is refused, 412) and why the
        record is handed to a new owner, if it is."""
        kwargs = {"user": self.request.user}
        if self.conditional_updates:
            kwargs["expected_version"] = if_match_version(self.request)
        if "handover_reason" in data:
            kwargs["handover_reason"] = data.pop("handover_reason")
        return kwargs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("handover_reason", None)  # a new record is handed to nobody
        obj = type(self).create_service(user=self.request.user, **data)
        serializer.instance = self.reloaded(obj)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        obj = type(self).update_service(
            **self.update_kwargs(data), **{self.instance_kwarg: serializer.instance}, **data)
        serializer.instance = self.reloaded(obj)


    def perform_destroy(self, instance):
        type(self).delete_service(obj=instance, user=self.request.user)


def handover_reason_field():
    """The `handover_reason` of a write that gives a record a new owner (kept in its
    history and told to both owners)."""
    return serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=1000,
        help_text=_("Why the record goes to its new owner, when `owner` changes."))


class UserSerializer(StrictSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices),
                                  required=False)
    password = serializers.CharField(write_only=True, required=False, min_length=8,
                                     style={"input_type": "password"})
    manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True,
                                                 required=False)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "title", "roles",
                  "manager", "is_active", "away_from", "away_until", "is_away", "password"]
        read_only_fields = ["is_away"]


class AwaySerializer(StrictSerializer):
    """When someone is away (the last day in `away_until`, null: until further notice);
    both null: back."""

    class Meta:
        model = User
        fields = ["away_from", "away_until"]
        extra_kwargs = {"away_from": {"required": True}}


class IsAdminOrReadOnly(permissions.BasePermission):
    message = _("Only an administrator can manage users.")

    def has_permission(self, request, view):
        return (request.method in permissions.SAFE_METHODS
                or can_manage_users(request.user))


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """People, their roles and their manager. Everyone reads the directory; only an
    administrator changes it (users are deactivated, never deleted)."""

    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated, IsAdminOrReadOnly]
    filterset_fields = ["manager", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "last_name", "date_joined"]

    def get_queryset(self):
        return access.visible_to(self.request.user, User).order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = user_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = user_update(actor=self.request.user, user=serializer.instance,
                                          **serializer.validated_data)

    @extend_schema(request=AwaySerializer, responses={200: UserSerializer})
    @action(detail=True, methods=["put"], permission_classes=[permissions.IsAuthenticated])
    def away(self, request, pk=None):
        """Say when this person is away (themselves, or anyone for an administrator):
        meanwhile their pending and new approvals go to the next manager up."""
        data = AwaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = user_away_set(actor=request.user, user=self.get_object(),
                               away_from=data.validated_data["away_from"],
                               away_until=data.validated_data.get("away_until"))
        return Response(UserSerializer(person).data)


def not_found(request, exception=None):
    """Django's 404 handler (config/urls.py): an address under /api/ that matches nothing (an
    id that is not a number, say) gets the API's JSON answer, not the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
