"""The Simplified Chinese interface shows no untranslated English.

Each role switches language with the selector in the header, then visits the pages it
uses. What a person sees (the rendered text, with every <details> opened, plus titles,
placeholders, labels for screen readers and the messages the scripts show) may contain
English only where it is a name from the data or an accepted term (OSP, USD, PO...)."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import Account, Contact, Partner, Territory
from forecasting.services import forecast_snapshot_take
from opportunities import selling_cycle as cycle
from opportunities.criteria import BY_CODE
from opportunities.models import SECTIONS, AssessmentQuestion, Competitor, Opportunity
from opportunities.services import (
    activity_log,
    assessment_record,
    opportunity_plan_save,
    opportunity_update,
)
from osp.fiscal import fiscal_quarter
from osp.models import User
from plans.models import PlanKind
from plans.services import action_item_add, plan_create, plan_save, plan_submit
from tests.factories import OpportunityFactory, TerritoryFactory
from tests.selling_cycle.conftest import Walker, make_deal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# English a Chinese page may show: the product's name, the currency code, the fiscal
# period ("FY2027 Q1"), and terms the Chinese methodology itself keeps in English.
ACCEPTED = {"OSP", "USD", "FY", "PO", "TAS", "IT", "English"}
ACCEPTED_PHRASES = ["Go/No-Go", "“Welcome Package”", ".xlsx"]
WORD = re.compile(r"[A-Za-z]{2,}")

VISIBLE_TEXT = """() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (["title", "placeholder", "aria-label", "alt"].includes(attr.name)
          || attr.name.startsWith("data-msg-")) parts.push(attr.value);
    }
  }
  for (const el of document.querySelectorAll("option, svg title")) parts.push(el.textContent);
  return parts.join("\\n");
}"""


class ChineseWalker(Walker):
    """The selling-cycle walk, with what the people type written in Chinese."""

    def attest(self, *codes, who=None):
        for code in codes:
            contact = who or (self.d.biz if code.startswith(("4.", "7.")) else self.d.tech)
            cycle.criterion_attest(opportunity=self.opp, user=self.p.rep_a, code=code,
                                   note="客户在会上确认", contact=contact)

    def plan(self, assess=True, **changes):
        plan = opportunity_plan_save(opportunity=self.opp, user=self.p.rep_a,
                                     **{name: "详见附件" for name in SECTIONS})
        if assess and not self.opp.assessments.exists():
            assessment_record(opportunity=self.opp, user=self.p.rep_a, answers={
                q.code: ("yes", "") for q in AssessmentQuestion.objects.all()})
        return plan

    def update(self, **fields):
        if "commercial_terms" in fields:
            fields["commercial_terms"] = "月结三十天"
        return super().update(**fields)


def _book(people):
    """Deals at several stages, a pending approval, a plan waiting for the manager, an
    activity, an action item, notifications and a forecast snapshot."""
    deal = make_deal(people)
    opportunity_update(opportunity=deal.opp, user=people.rep_a, procurement_process="公开招标",
                       competitors=["Contoso"])
    ChineseWalker(people, deal).to_stage("9")
    activity_log(opportunity=deal.opp, user=people.rep_a, subject="与客户财务总监通话")
    action_item_add(user=people.rep_a, what="准备验收方案", due=datetime.date.today(),
                    opportunity=deal.opp, assignee=people.rep_a)

    second = OpportunityFactory(name="Gamma data lake", account=deal.account,
                                amount=Decimal("30000"), budget=Decimal("30000"),
                                procurement_process="单一来源采购",
                                expected_close_date=fiscal_quarter().end)
    walker = ChineseWalker(people, type(deal)(**{**vars(deal), "opp": second}))
    walker.to_stage("2")
    walker.plan()
    assert walker.move("3").approval.approver == people.manager_a

    lost = OpportunityFactory(name="Gamma archive", account=deal.account,
                              expected_close_date=fiscal_quarter().end)
    cycle.opportunity_transition(opportunity=lost, user=people.rep_a, to="lost",
                                 loss_reason="价格高于对手", winning_competitor="Contoso")

    territory = TerritoryFactory(name="North", owner=people.manager_a)
    Account.objects.filter(pk=deal.account.pk).update(territory=territory)
    plan = plan_create(user=people.rep_a, kind=PlanKind.ACCOUNT, subject=deal.account)
    plan_save(plan=plan, user=people.rep_a,
              sections={name: "扩大核心系统份额" for name in plan.section_names()},
              fiscal_year_target=Decimal("500000"))
    plan_submit(plan=plan, user=people.rep_a)
    forecast_snapshot_take(user=people.manager_a, label="周一")
    return SimpleNamespace(deal=deal, second=second, lost=lost, plan=plan, territory=territory)


def _record_words() -> set[str]:
    """Names in the test data: people, customers, partners, deals, competitors."""
    values = [*Account.objects.values_list("name", flat=True),
              *Partner.objects.values_list("name", flat=True),
              *Territory.objects.values_list("name", flat=True),
              *Opportunity.objects.values_list("name", flat=True),
              *Competitor.objects.values_list("name", flat=True)]
    for first, last, title in Contact.objects.values_list("first_name", "last_name", "title"):
        values += [first, last, title]
    for first, last, username in User.objects.values_list("first_name", "last_name",
                                                          "username"):
        values += [first, last, username]
    return {w for v in values for w in WORD.findall(v or "")}


def _english(text: str, allowed: set[str]) -> list[str]:
    """The lines of `text` that hold English words outside `allowed`; criterion codes
    (`2.project_initiated`) are identifiers, shown as such."""
    for token in [*sorted(BY_CODE, key=len, reverse=True), *ACCEPTED_PHRASES]:
        text = text.replace(token, "")
    lines = []
    for line in text.splitlines():
        if any(w not in allowed for w in WORD.findall(line)):
            lines.append(line.strip())
    return list(dict.fromkeys(lines))


def test_the_chinese_interface_has_no_untranslated_english(people, person):
    # The team works in Chinese: what OSP writes on their behalf (the reason of a move made
    # by an approval, say) is stored in the language of the person acting.
    with translation.override("zh-hans"):
        book = _book(people)
    deal, second, plan = book.deal, book.second, book.plan
    opp, opp2 = deal.opp.get_absolute_url(), second.get_absolute_url()
    visits = {
        people.rep_a: [
            "/", "/opportunities/", "/opportunities/board/", opp, opp2,
            book.lost.get_absolute_url(),
            f"/opportunities/{deal.opp.pk}/plan/", f"/opportunities/{deal.opp.pk}/assessment/",
            "/opportunities/new/", f"/opportunities/{deal.opp.pk}/edit/",
            "/accounts/", deal.account.get_absolute_url(),
            f"/accounts/{deal.account.pk}/edit/", "/contacts/", deal.tech.get_absolute_url(),
            f"/contacts/{deal.tech.pk}/edit/", "/partners/", deal.reseller.get_absolute_url(),
            "/territories/", book.territory.get_absolute_url(), "/plans/",
            f"/plans/{plan.pk}/", f"/plans/{plan.pk}/edit/", "/forecast/", "/approvals/",
            "/notifications/", f"/opportunities/{second.pk}/delete/",
        ],
        people.manager_a: [
            # What only a manager sees: decisions, adjustments, reopening a lost deal.
            "/approvals/", "/forecast/", book.lost.get_absolute_url(), f"/plans/{plan.pk}/",
            "/notifications/",
        ],
        people.finance: ["/finance/", opp],
    }
    allowed = ACCEPTED | _record_words()
    found = {}
    for user, paths in visits.items():
        someone = person(user)
        page = someone.goto(paths[0])
        if user == people.rep_a:  # the check itself must see English when there is some
            assert _english(page.evaluate(VISIBLE_TEXT), allowed)
        page.get_by_label("Language").select_option("zh-hans")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        for i, path in enumerate(paths):
            if i:  # the switch reloaded the first page
                someone.goto(path)
            lines = _english(page.evaluate(VISIBLE_TEXT), allowed)
            if lines:
                found[f"{user.username} {path}"] = lines

    # Signed out: the login page, switched with its own language buttons.
    page = person(None).goto("/login/")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    lines = _english(page.evaluate(VISIBLE_TEXT), allowed)
    if lines:
        found["(signed out) /login/"] = lines

    assert not found, "Untranslated English in the Chinese interface:\n" + "\n".join(
        f"{where}:\n    " + "\n    ".join(lines) for where, lines in found.items())
    assert User.objects.get(pk=people.rep_a.pk).language == "zh-hans"
