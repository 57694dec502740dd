import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from opportunities.models import ExchangeRate
from opportunities.services import opportunity_create
from osp.fiscal import fiscal_quarter
from tests.factories import AccountFactory, TerritoryFactory, import_at


def place(people, account, name, amount, stage, *, currency="USD", close=None):
    """A deal at `stage`, imported there (the gates are the selling cycle's business)."""
    opp = opportunity_create(user=people.admin, account=account, owner=account.owner, name=name,
                             amount=Decimal(amount), currency=currency,
                             expected_close_date=close or fiscal_quarter().end)
    if stage != "lead":
        import_at(opp, people.admin, stage)
    opp.refresh_from_db()
    return opp


@pytest.fixture
def book(people, settings):
    """A small fixed book: three levels, a territory tree, two currencies, and a fiscal
    year that starts in April."""
    settings.OSP_FISCAL_YEAR_START_MONTH = 4
    ExchangeRate.objects.create(currency="CNY", rate_to_base=Decimal("0.14"))
    china = TerritoryFactory(name="China", owner=people.director)
    north = TerritoryFactory(name="North", parent=china, owner=people.manager_a)
    south = TerritoryFactory(name="South", parent=china, owner=people.manager_b)
    acc_a = AccountFactory(name="Alpha", owner=people.rep_a, territory=north)
    acc_a2 = AccountFactory(name="Beta", owner=people.rep_a2, territory=north)
    acc_b = AccountFactory(name="Gamma", owner=people.rep_b, territory=south)
    next_quarter = fiscal_quarter().end + datetime.timedelta(days=10)
    return SimpleNamespace(
        china=china, north=north, south=south, acc_a=acc_a, acc_a2=acc_a2, acc_b=acc_b,
        best=place(people, acc_a, "A best case", "100000", "6"),
        commit_cny=place(people, acc_a, "A commit in CNY", "1000000", "7", currency="CNY"),
        booked=place(people, acc_a, "A booked", "50000", "10"),
        pipeline=place(people, acc_a2, "A2 pipeline", "200000", "3"),
        later=place(people, acc_a2, "A2 next quarter", "300000", "7", close=next_quarter),
        commit_b=place(people, acc_b, "B commit", "80000", "8"),
        lead=place(people, acc_b, "B lead", "999000", "lead"),
    )


@pytest.fixture
def walker_for_book(people, book):
    """Writes the opportunity plan of the book's stage-3 deal."""
    from opportunities.models import SECTIONS
    from opportunities.services import opportunity_plan_save

    class Planner:
        def plan(self):
            opportunity_plan_save(opportunity=book.pipeline, user=people.admin,
                                  **{n: "text" for n in SECTIONS})

    return Planner()
