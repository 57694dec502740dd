from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import BuyingRole, PartnerType
from opportunities import selling_cycle as cycle
from opportunities.models import SECTIONS, AssessmentQuestion, Opportunity
from opportunities.services import assessment_record, opportunity_plan_save, opportunity_update
from osp.fiscal import fiscal_quarter
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, PartnerFactory


@pytest.fixture
def deal(people):
    return make_deal(people)


def make_deal(people):
    """A USD 80K lead of rep_a's with a technical lead, a business lead and a reseller
    available: everything a walk up the ladder needs."""
    account = AccountFactory(name="Gamma Insurance", owner=people.rep_a)
    tech = ContactFactory(account=account, last_name="Tech", buying_role=BuyingRole.TECHNICAL_LEAD)
    biz = ContactFactory(account=account, last_name="Boss", buying_role=BuyingRole.BUSINESS_LEAD)
    reseller = PartnerFactory(name="Jade Reseller", type=PartnerType.RESELLER,
                              owner=people.admin)
    opp = OpportunityFactory(name="Gamma claims platform", account=account,
                             amount=Decimal("80000"), budget=Decimal("90000"),
                             procurement_process="Tender",
                             expected_close_date=fiscal_quarter().end)
    return SimpleNamespace(opp=opp, account=account, tech=tech, biz=biz, reseller=reseller)


class Walker:
    """Drives a deal through the services, as the people would."""

    def __init__(self, people, deal):
        self.p, self.d = people, deal

    @property
    def opp(self):
        return Opportunity.objects.get(pk=self.d.opp.pk)

    def attest(self, *codes, who=None):
        for code in codes:
            contact = who or (self.d.biz if code.startswith(("4.", "7.")) else self.d.tech)
            cycle.criterion_attest(opportunity=self.opp, user=self.p.rep_a, code=code,
                                   note="Said so in the meeting", contact=contact)

    def move(self, to, user=None, **kw):
        return cycle.opportunity_transition(opportunity=self.opp, user=user or self.p.rep_a,
                                            to=to, **kw)

    def approve(self, outcome, user=None):
        return cycle.approval_decide(request=outcome.approval, user=user or self.p.manager_a,
                                     decision="approve")

    def to_stage(self, stage):
        """Walk up to `stage` (2..10) through the real rules."""
        steps = {
            "2": lambda: (self.attest("2.project_initiated"), self.move("2")),
            "3": lambda: (self.plan(), self.approve(self.move("3"))),
            "4": lambda: (self.attest("4.funding_confirmed", "4.supports_assessment"),
                          self.move("4")),
            "5": lambda: (self.attest("5.shortlisted", "5.solution_approach"), self.move("5")),
            "6": lambda: (self.update(quoted_amount=Decimal("78000")),
                          self.attest("6.technical_win", "6.quote_accepted"),
                          self.approve(self.move("6"))),
            "7": lambda: (self.update(discount_percent=Decimal("5"), commercial_terms="Net 30"),
                          self.attest("7.solution_and_quote", "7.purchase_this_quarter",
                                      "7.commercial_process"),
                          self.approve(self.move("7"))),
            "8": lambda: (self.update(partners=[{"partner": self.d.reseller,
                                                 "role": "reseller"}]),
                          self.attest("8.negotiation_started"), self.move("8")),
            "9": lambda: (self.update(po_number="PO-1", po_date=timezone.localdate(),
                                      po_amount=Decimal("78000")), self.move("9")),
            "9.5": lambda: self.move("9.5", user=self.p.finance,
                                     finance={"reference": "PAY-1"}),
            "10": lambda: self.move("10", user=self.p.finance,
                                    finance={"reference": "BOOK-1", "period": "FY Q4"}),
        }
        order = list(steps)
        start = order.index(self.opp.stage) + 1 if self.opp.stage in order else 0
        for s in order[start:order.index(stage) + 1]:
            steps[s]()
            assert self.opp.stage == s, f"expected {s}, got {self.opp.stage}"
        return self.opp

    def plan(self, assess=True, **changes):
        """Write the plan (and, once, the 20-question assessment a USD 80K deal needs)."""
        sections = {name: f"{name} text" for name in SECTIONS}
        sections.update(changes)
        plan = opportunity_plan_save(opportunity=self.opp, user=self.p.rep_a, **sections)
        if assess and not self.opp.assessments.exists():
            assessment_record(opportunity=self.opp, user=self.p.rep_a, answers={
                q.code: ("yes", "") for q in AssessmentQuestion.objects.all()})
        return plan

    def update(self, **fields):
        return opportunity_update(opportunity=self.opp, user=self.p.rep_a, **fields)


@pytest.fixture
def walker(people, deal):
    return Walker(people, deal)
