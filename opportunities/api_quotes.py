"""A deal's quote over the API, through the same services as the browser.

- GET  /opportunities/{id}/quote-versions/   every version, newest first, with its lines
- POST /opportunities/{id}/quote-versions/   write a new version (201), 400 with messages
                                             by field, 412 when `expected_version` is no
                                             longer the current one
- POST /opportunities/{id}/quote-versions/{number}/accept/
                                             the customer accepted this (current) version:
                                             the deal's amount follows it; answers the deal
"""

from decimal import Decimal

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.models import Partner
from opportunities import quotes, selectors
from opportunities.models import Product, QuoteLine, QuoteVersion
from osp.api import InputSerializer
from osp.schema import StaleSerializer


class QuoteLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)
    product_name_en = serializers.CharField(source="product.name_en", read_only=True)
    product_name_zh = serializers.CharField(source="product.name_zh", read_only=True)

    class Meta:
        model = QuoteLine
        fields = ["position", "product", "product_code", "product_name_en", "product_name_zh",
                  "quantity", "list_price", "discount_percent", "line_total"]
        read_only_fields = fields


class QuoteVersionSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()
    reseller_name = serializers.CharField(source="reseller.name", read_only=True,
                                          allow_null=True, default=None)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2,
                                                read_only=True,
                                                help_text="On the whole quote, from the list "
                                                          "price total.")
    reseller_margin_amount = serializers.DecimalField(max_digits=14, decimal_places=2,
                                                      read_only=True)
    net_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                         help_text="The total less the reseller's margin.")
    accepted = serializers.SerializerMethodField()
    lines = QuoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = QuoteVersion
        fields = ["number", "author", "created_at", "currency", "lines", "list_total",
                  "discount_percent", "total", "total_base", "base_currency", "reseller",
                  "reseller_name", "reseller_margin", "reseller_margin_amount", "net_total",
                  "payment_terms", "commercial_terms", "valid_until", "accepted"]
        read_only_fields = fields

    def get_accepted(self, version) -> bool:
        """Is this the version the customer accepted?"""
        return version.quote.accepted_id == version.pk


class QuoteLineInputSerializer(InputSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2,
                                        min_value=Decimal("0.01"))
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2,
                                                min_value=Decimal("0"),
                                                max_value=Decimal("100"), default=Decimal("0"))


class QuoteVersionCreateSerializer(InputSerializer):
    lines = QuoteLineInputSerializer(many=True, allow_empty=False)
    payment_terms = serializers.CharField(required=False, allow_blank=True, default="")
    commercial_terms = serializers.CharField(required=False, allow_blank=True, default="")
    reseller = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(),
                                                  required=False, allow_null=True,
                                                  default=None,
                                                  help_text="A reseller on the deal.")
    reseller_margin = serializers.DecimalField(max_digits=5, decimal_places=2,
                                               min_value=Decimal("0"),
                                               max_value=Decimal("100"), default=Decimal("0"))
    valid_until = serializers.DateField()
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2_000_000_000, default=None,
        help_text="The version number you started from (0 for none): if the quote has "
                  "moved on since, 412 and nothing is written.")


class QuoteMixin:
    """The quote's actions, added to the opportunity viewset."""

    @extend_schema(methods=["GET"], responses=QuoteVersionSerializer(many=True))
    @extend_schema(methods=["POST"], request=QuoteVersionCreateSerializer, responses={
        201: QuoteVersionSerializer,
        412: OpenApiResponse(StaleSerializer, description="expected_version is no longer "
                             "the current version; nothing was written.")})
    @action(detail=True, methods=["get", "post"], url_path="quote-versions",
            pagination_class=None, filter_backends=[])
    def quote_versions(self, request, pk=None):
        opportunity = self.get_object()
        if request.method == "POST":
            data = QuoteVersionCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            version = quotes.quote_version_create(opportunity=opportunity, user=request.user,
                                                  **data.validated_data)
            version = selectors.quote_version(opportunity, version.number)
            return Response(QuoteVersionSerializer(version).data,
                            status=status.HTTP_201_CREATED)
        lines = QuoteLine.objects.select_related("product").order_by("position")
        versions = (selectors.quote_versions(opportunity).select_related("quote")
                    .prefetch_related(Prefetch("lines", queryset=lines)))
        return Response(QuoteVersionSerializer(versions, many=True).data)

    @extend_schema(request=None, parameters=[
        OpenApiParameter("number", int, OpenApiParameter.PATH,
                         description="The version the customer accepted.")])
    @action(detail=True, methods=["post"], filter_backends=[],
            url_path=r"quote-versions/(?P<number>[0-9]{1,9})/accept")
    def quote_accept(self, request, pk=None, number=None):
        opportunity = self.get_object()
        version = selectors.quote_version(opportunity, int(number))
        if version is None:
            raise NotFound()
        opportunity = quotes.quote_version_accept(version=version, user=request.user)
        return Response(self.get_serializer(self.reloaded(opportunity)).data)
