"""Test data. Factories write rows directly (fast); behaviour under test goes through
the services."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Account, Contact, Partner, PartnerType, Territory
from opportunities.models import Opportunity
from opportunities.selling_cycle import ImportedClose, opportunity_import_at
from osp.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    roles = factory.LazyFunction(lambda: [Role.SALES_REP.value])
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Territory {n}")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n}")
    owner = factory.SubFactory(UserFactory)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    type = PartnerType.RESELLER
    owner = factory.SubFactory(UserFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Deal {n}")
    account = factory.SubFactory(AccountFactory)
    owner = factory.LazyAttribute(lambda o: o.account.owner)
    amount = Decimal("100000")
    currency = "USD"
    amount_base = factory.LazyAttribute(lambda o: o.amount)
    expected_close_date = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=60))


def import_at(opportunity: Opportunity, user: User, stage: str, *, on=None) -> Opportunity:
    """Place `opportunity` at `stage` as an import does, with what an import must carry: a
    won deal's PO date (and payment or booking), a loss's reason and winner. Everything
    dated `on` (today by default), so the forecast counts it in that day's period."""
    on = on or timezone.localdate()
    if stage in ("9", "9.5", "10") and opportunity.po_date is None:
        Opportunity.objects.filter(pk=opportunity.pk).update(po_date=on)
        opportunity.po_date = on
    close = ImportedClose(
        reason="imported" if stage in ("lost", "no_go") else "",
        winning_competitor="Oracle" if stage == "lost" else "",
        payment_reference="PAY-1" if stage in ("9.5", "10") else "",
        payment_date=on if stage in ("9.5", "10") else None,
        booking_reference="BK-1" if stage == "10" else "",
        booking_date=on if stage == "10" else None)
    return opportunity_import_at(opportunity=opportunity, user=user, to=stage,
                                 close=close).opportunity
