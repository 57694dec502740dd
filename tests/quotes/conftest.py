import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import PartnerType
from opportunities.models import ExchangeRate, OpportunityPartner, Product
from opportunities.quotes import quote_version_create
from tests.factories import AccountFactory, OpportunityFactory, PartnerFactory


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def catalogue(db):
    ExchangeRate.objects.create(currency="CNY", rate_to_base=Decimal("0.14"))
    return SimpleNamespace(
        licence=Product.objects.create(code="CORE-ENT", name_en="Core platform licence",
                                       name_zh="核心平台许可", list_price=Decimal("12000"),
                                       currency="USD"),
        appliance=Product.objects.create(code="HW-X8", name_en="Database appliance",
                                         name_zh="数据库一体机", list_price=Decimal("380000"),
                                         currency="CNY"),
        retired=Product.objects.create(code="OLD-CONN", name_en="Legacy connector",
                                       list_price=Decimal("9000"), currency="USD",
                                       is_active=False),
    )


@pytest.fixture
def deal(people, catalogue):
    """rep_a's USD 100K deal with a reseller on it, and a partner that is not."""
    account = AccountFactory(name="Gamma Insurance", owner=people.rep_a)
    opp = OpportunityFactory(name="Gamma claims platform", account=account)
    reseller = PartnerFactory(name="Jade Reseller", type=PartnerType.RESELLER,
                              owner=people.admin)
    OpportunityPartner.objects.create(opportunity=opp, partner=reseller, role="reseller")
    stranger = PartnerFactory(name="Pearl Partner", type=PartnerType.RESELLER,
                              owner=people.admin)
    return SimpleNamespace(opp=opp, reseller=reseller, stranger=stranger, **vars(catalogue))


def terms(deal, **changes) -> dict:
    """A valid new version of `deal`'s quote: 3 licences at 10% off, through the reseller
    at 12%."""
    kw = {"lines": [{"product": deal.licence, "quantity": Decimal("3"),
                     "discount_percent": Decimal("10")}],
          "payment_terms": "Net 45", "commercial_terms": "Prices exclude VAT.",
          "reseller": deal.reseller, "reseller_margin": Decimal("12"),
          "valid_until": in_days(30)}
    kw.update(changes)
    return kw


def write(deal, user, **changes):
    return quote_version_create(opportunity=deal.opp, user=user, **terms(deal, **changes))
