"""Test data. Factories write rows directly (fast); behaviour under test goes through
the services."""

import datetime
from decimal import Decimal

import factory

from accounts.models import Account, Contact, Partner, PartnerType, Territory
from opportunities.models import Opportunity
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
