"""API pieces shared by every app: the strict serializer, the base viewset that routes
reads through osp.access and writes through services, and the users endpoint."""

from django.utils.translation import gettext as _
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError

from osp import access
from osp.models import Role, User
from osp.services import record_delete, user_create, user_update


class StrictSerializer(serializers.ModelSerializer):
    """Refuses input it would otherwise silently ignore: unknown and read-only fields."""

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


class RecordViewSet(viewsets.ModelViewSet):
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
        """The saved object as the list would show it (fresh related rows)."""
        return self.get_queryset().get(pk=obj.pk)

    def perform_create(self, serializer):
        obj = type(self).create_service(user=self.request.user, **serializer.validated_data)
        serializer.instance = self.reloaded(obj)

    def perform_update(self, serializer):
        obj = type(self).update_service(
            user=self.request.user, **{self.instance_kwarg: serializer.instance},
            **serializer.validated_data,
        )
        serializer.instance = self.reloaded(obj)

    def perform_destroy(self, instance):
        type(self).delete_service(obj=instance, user=self.request.user)


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
                  "manager", "is_active", "password"]


class IsAdminOrReadOnly(permissions.BasePermission):
    message = _("Only an administrator can manage users.")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_admin


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
        return access.users_visible_to(self.request.user).order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = user_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = user_update(actor=self.request.user, user=serializer.instance,
                                          **serializer.validated_data)
