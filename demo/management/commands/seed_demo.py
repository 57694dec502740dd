"""Load a realistic demo company: territories, ~12 people across the roles, ~50 accounts
with org charts, partners and ~300 opportunities. Everything goes through the services,
so the demo obeys the same rules as real use. Does nothing if the demo is already there."""

import datetime
import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Attitude,
    BuyingRole,
    CompanySize,
    Industry,
    Influence,
    Partner,
    PartnerType,
)
from accounts.services import account_create, contact_create, partner_create, territory_create
from forecasting.models import ForecastSnapshot, Quota, SnapshotLine
from forecasting.services import forecast_snapshot_take
from opportunities import selling_cycle as cycle
from opportunities.models import (
    SECTIONS,
    ActivityKind,
    AssessmentQuestion,
    DealPartnerRole,
    ExchangeRate,
    LeadSource,
    Opportunity,
    Product,
    TeamRole,
)
from opportunities.quotes import quote_version_accept, quote_version_create
from opportunities.services import (
    activity_log,
    assessment_record,
    opportunity_create,
    opportunity_plan_save,
    opportunity_update,
)
from osp.fiscal import fiscal_quarter
from osp.models import Notification, Role, User
from osp.services import user_create
from plans.services import plan_create, plan_decide, plan_save, plan_submit

DEMO_PASSWORD = "osp-demo"

PEOPLE = [
    # username, first, last, title, roles, manager
    ("admin", "Ada", "Admin", "System administrator", [Role.ADMIN], None),
    ("wang.li", "Li", "Wang", "Regional sales director", [Role.SALES_MANAGER], None),
    ("chen.jie", "Jie", "Chen", "Sales manager, North", [Role.SALES_MANAGER], "wang.li"),
    ("sarah.miller", "Sarah", "Miller", "Sales manager, East & South", [Role.SALES_MANAGER],
     "wang.li"),
    ("zhang.wei", "Wei", "Zhang", "Account manager", [Role.SALES_REP], "chen.jie"),
    ("liu.yang", "Yang", "Liu", "Account manager", [Role.SALES_REP], "chen.jie"),
    ("tom.baker", "Tom", "Baker", "Account manager", [Role.SALES_REP], "sarah.miller"),
    ("li.na", "Na", "Li", "Account manager", [Role.SALES_REP], "sarah.miller"),
    ("zhao.lei", "Lei", "Zhao", "Presales engineer", [Role.PRESALES], "chen.jie"),
    ("emma.wong", "Emma", "Wong", "Inside sales", [Role.INSIDE_SALES], "wang.li"),
    ("huang.min", "Min", "Huang", "Channel sales manager", [Role.CHANNEL_SALES], "wang.li"),
    ("david.kim", "David", "Kim", "Professional services lead", [Role.PROFESSIONAL_SERVICES],
     "wang.li"),
    ("sun.fang", "Fang", "Sun", "Finance controller", [Role.FINANCE], None),
]

TERRITORIES = [
    # name, parent, owner
    ("Greater China", None, "wang.li"),
    ("North China", "Greater China", "chen.jie"),
    ("Beijing", "North China", "zhang.wei"),
    ("Tianjin & Hebei", "North China", "liu.yang"),
    ("East & South China", "Greater China", "sarah.miller"),
    ("Shanghai", "East & South China", "tom.baker"),
    ("Guangdong", "East & South China", "li.na"),
]
REP_TERRITORY = {"zhang.wei": "Beijing", "liu.yang": "Tianjin & Hebei",
                 "tom.baker": "Shanghai", "li.na": "Guangdong"}

RATES = {"CNY": "0.1390", "EUR": "1.0800", "GBP": "1.2700", "HKD": "0.1280", "SGD": "0.7400"}

# The price book (list prices in USD unless said): code, English, Chinese, price, currency,
# on sale.
PRODUCTS = [
    ("OSP-CORE-ENT", "Core platform, Enterprise Edition licence (per CPU core)",
     "核心平台企业版许可（按 CPU 核）", "12000", "USD", True),
    ("OSP-CORE-STD", "Core platform, Standard Edition licence (per CPU core)",
     "核心平台标准版许可（按 CPU 核）", "6500", "USD", True),
    ("OSP-DB-ADV", "Advanced Database Option (per CPU core)", "高级数据库选件（按 CPU 核）",
     "4800", "USD", True),
    ("OSP-SUP-PREM", "Premium support, first year (per CPU core)",
     "高级技术支持服务首年（按 CPU 核）", "2640", "USD", True),
    ("PS-CONSULT-DAY", "Consulting services (per person-day)", "咨询服务（人天）", "1200",
     "USD", True),
    ("PS-IMPL-PKG", "Implementation package: install, migrate, go-live",
     "实施服务包：安装、迁移、上线", "45000", "USD", True),
    ("TRN-ADMIN", "Administrator training (per participant)", "管理员培训（每人）", "1500",
     "USD", True),
    ("HW-APPL-X8", "Integrated database appliance X8 (made in China)", "X8 数据库一体机（国产）",
     "380000", "CNY", True),
    ("OSP-CONN-LEGACY", "Legacy mainframe connector (end of sale)",
     "大型机旧版连接器（已停售）", "9000", "USD", False),
]

PARTNERS = [
    ("Northstar Systems Integration", PartnerType.SYSTEM_INTEGRATOR,
     "Core banking integration, middleware, 24x7 operations", "Banking; insurance"),
    ("Jade River Distribution", PartnerType.RESELLER,
     "Licence distribution, credit lines for large orders", "All industries, North China"),
    ("Pearl Delta Resellers", PartnerType.RESELLER,
     "Licence resale and logistics in South China", "Manufacturing; retail"),
    ("Bluepeak Software", PartnerType.ISV, "Billing and CRM software for carriers",
     "Telecommunications"),
    ("Harbor Consulting Group", PartnerType.CONSULTANT, "IT strategy, architecture reviews",
     "Government; energy"),
    ("Silkroad Digital", PartnerType.SYSTEM_INTEGRATOR, "Cloud migration, SOA, data platforms",
     "Logistics; manufacturing"),
    ("Eastwind Solutions", PartnerType.SYSTEM_INTEGRATOR, "E-government portals, security",
     "Government; education"),
    ("Summit Value Partners", PartnerType.RESELLER, "Value-added reseller, training",
     "Healthcare; education"),
]

ACCOUNT_STEMS = {
    Industry.FINANCE: ["Jinhai Bank", "Pacific Mutual Insurance", "Huaxia Securities",
                       "Northern Commercial Bank", "Eastern Trust", "Golden Gate Bank"],
    Industry.TELECOM: ["China Skylink Mobile", "Metro Broadband", "Unitel Networks",
                       "Coastal Telecom"],
    Industry.GOVERNMENT: ["Municipal Tax Bureau", "Provincial Social Security Centre",
                          "City Transport Commission", "Customs Data Centre"],
    Industry.MANUFACTURING: ["Dragon Motors", "Hengda Steel", "Lotus Electronics",
                             "Great Wall Machinery", "Orient Chemicals"],
    Industry.ENERGY: ["State Grid North", "Sunrise Power", "Yellow River Hydro",
                      "Sinopetro Trading"],
    Industry.RETAIL: ["Fresh Mart", "Tianhong Department Stores", "Jade Home Retail"],
    Industry.HEALTHCARE: ["Union Medical Group", "Harmony Hospitals", "Kangtai Pharma"],
    Industry.TRANSPORT: ["Silk Road Logistics", "Pacific Shipping Lines", "Blue Sky Airlines",
                         "Express Rail Freight"],
    Industry.EDUCATION: ["Capital University", "Southern Institute of Technology"],
}
CITIES = {"Beijing": "Beijing", "Tianjin & Hebei": "Tianjin", "Shanghai": "Shanghai",
          "Guangdong": "Guangzhou"}

ORG = [
    # key, title, buying role, reports to key
    ("ceo", "Chief Executive Officer", BuyingRole.BUSINESS_LEAD, None),
    ("cio", "Chief Information Officer", BuyingRole.BUSINESS_LEAD, "ceo"),
    ("cfo", "Chief Financial Officer", BuyingRole.INFLUENCER, "ceo"),
    ("itdir", "IT Director", BuyingRole.TECHNICAL_LEAD, "cio"),
    ("arch", "Chief Architect", BuyingRole.EVALUATOR, "itdir"),
    ("pm", "Project Manager", BuyingRole.CHAMPION, "itdir"),
    ("proc", "Procurement Manager", BuyingRole.PROCUREMENT, "cfo"),
    ("ops", "Operations Manager", BuyingRole.USER, "cio"),
]
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
            "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo"]
GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Qiang", "Yan", "Jun", "Hui", "Ping", "Tao",
         "Xin", "Hong", "Bo", "Ling", "Gang", "Yun", "Peng", "Hao", "Rui"]
PROJECTS = ["Core banking modernisation", "Billing platform upgrade", "Data centre consolidation",
            "Customer portal", "Middleware standardisation", "SOA integration layer",
            "Supply chain visibility", "Mobile self-service", "Risk data warehouse",
            "E-government gateway", "Disaster recovery site", "Identity and access management",
            "Order management rebuild", "Real-time payments", "Cloud migration phase 1",
            "Smart meter data platform", "Hospital information system", "Campus ERP"]
COMPETITORS = ["IBM", "Oracle", "SAP", "Kingdee", "Yonyou", "Local integrator in-house build"]


class Command(BaseCommand):
    help = "Load the demo company (idempotent: does nothing if it is already loaded)."

    def add_arguments(self, parser):
        parser.add_argument("--opportunities", type=int, default=300)
        parser.add_argument("--seed", type=int, default=7)

    def progress(self, label, done, total):
        width = 30
        filled = int(width * done / max(total, 1))
        self.stdout.write(f"\r  {label:<14} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{done}/{total}", ending="")
        if done == total:
            self.stdout.write("")
        self.stdout.flush()

    def handle(self, *args, **options):
        if User.objects.filter(username="wang.li").exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            return
        rnd = random.Random(options["seed"])
        with transaction.atomic():
            self.load(rnd, options["opportunities"])
            # The walk's approval chatter is history, not news for the demo's first login.
            Notification.objects.update(read_at=timezone.now())
        self.stdout.write(self.style.SUCCESS("Demo company loaded."))

    def load(self, rnd, n_opportunities):
        people = {}
        for i, (username, first, last, title, roles, manager) in enumerate(PEOPLE, 1):
            people[username] = user_create(
                username=username, first_name=first, last_name=last, title=title,
                roles=[r.value for r in roles], manager=people.get(manager),
                email=f"{username}@example.com", password=DEMO_PASSWORD,
            )
            self.progress("people", i, len(PEOPLE))
        admin = people["admin"]
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])

        for currency, rate in RATES.items():
            ExchangeRate.objects.update_or_create(currency=currency,
                                                  defaults={"rate_to_base": Decimal(rate)})

        # The price book is an administrator's data, kept in the admin.
        for code, name_en, name_zh, price, currency, active in PRODUCTS:
            Product.objects.create(code=code, name_en=name_en, name_zh=name_zh,
                                   list_price=Decimal(price), currency=currency,
                                   is_active=active)

        territories = {}
        for name, parent, owner in TERRITORIES:
            territories[name] = territory_create(user=admin, name=name,
                                                 parent=territories.get(parent),
                                                 owner=people[owner])

        partners = []
        for name, ptype, competences, areas in PARTNERS:
            partners.append(partner_create(
                user=admin, name=name, type=ptype, owner=people["huang.min"],
                core_competences=competences, solution_areas=areas,
                website=f"https://www.{name.split()[0].lower()}.example.com",
            ))
            contact_create(user=admin, partner=partners[-1], first_name=rnd.choice(GIVEN),
                           last_name=rnd.choice(SURNAMES), title="Alliance manager")
        resellers = [p for p in partners if p.type == PartnerType.RESELLER]
        integrators = [p for p in partners if p.type == PartnerType.SYSTEM_INTEGRATOR]

        stems = [(industry, name) for industry, names in ACCOUNT_STEMS.items() for name in names]
        reps = list(REP_TERRITORY)
        accounts = []
        n_accounts = 50
        for i in range(1, n_accounts + 1):
            # Cycling stems over the four reps' cities gives 50 distinct customers.
            industry, stem = stems[i % len(stems)]
            rep = reps[i % len(reps)]
            territory = territories[REP_TERRITORY[rep]]
            account = account_create(
                user=admin, name=f"{stem} ({CITIES[territory.name]})", territory=territory,
                owner=people[rep], industry=industry,
                size=rnd.choice(CompanySize.values), is_named=rnd.random() < 0.3,
                is_strategic=rnd.random() < 0.12,
                business_situation=f"{stem} is expanding and modernising its core systems "
                                   f"to support growth in {CITIES[territory.name]}.",
                goals="Lower operating cost; faster launch of new services; regulatory "
                      "compliance.",
                it_base="Mixed Unix and Linux estate, ageing application servers, Oracle "
                        "and DB2 databases.",
                funding="Annual IT budget approved each December; large projects need board "
                        "approval.",
            )
            accounts.append(account)
            contacts = {}
            size = rnd.randint(4, len(ORG))
            for key, title, role, boss in ORG[:size]:
                contacts[key] = contact_create(
                    user=admin, account=account, first_name=rnd.choice(GIVEN),
                    last_name=rnd.choice(SURNAMES), title=title, buying_role=role,
                    reports_to=contacts.get(boss),
                    influence=rnd.choice(Influence.values),
                    attitude=rnd.choice(Attitude.values),
                    email=f"{key}{account.pk}@customer.example.com",
                )
            self.progress("accounts", i, n_accounts)

        today = timezone.localdate()
        quarter = fiscal_quarter(today)
        finance = people["sun.fang"]
        for i in range(1, n_opportunities + 1):
            account = rnd.choice(accounts)
            currency = rnd.choices(["USD", "CNY", "EUR"], weights=[6, 3, 1])[0]
            usd = Decimal(rnd.choice([25, 40, 60, 80, 120, 180, 250, 400, 750, 1500])) * 1000
            amount = (usd / Decimal(RATES[currency]) if currency != "USD" else usd).quantize(
                Decimal("1000"))
            partners_on_deal = []
            if rnd.random() < 0.6:
                partners_on_deal.append({"partner": rnd.choice(resellers),
                                         "role": DealPartnerRole.RESELLER})
            if rnd.random() < 0.35:
                partners_on_deal.append({"partner": rnd.choice(integrators),
                                         "role": DealPartnerRole.INTEGRATOR})
            team = []
            if rnd.random() < 0.4:
                team.append({"user": people["zhao.lei"], "role": TeamRole.PRESALES})
            if rnd.random() < 0.2:
                team.append({"user": people["david.kim"],
                             "role": TeamRole.PROFESSIONAL_SERVICES})
            opportunity = opportunity_create(
                user=admin, account=account, owner=account.owner,
                name=f"{rnd.choice(PROJECTS)} — {account.name.split(' (')[0]}",
                amount=amount, currency=currency,
                expected_close_date=today + timedelta(days=rnd.randint(-120, 420)),
                lead_source=rnd.choice(LeadSource.values),
                why_do_it="Replace end-of-life platform; cut operating cost.",
                why_now="Current support contract ends next year.",
                pains="Outages at month end; slow change requests.",
                budget=amount if rnd.random() < 0.6 else None,
                procurement_process="Public tender via the procurement department"
                                    if rnd.random() < 0.5 else "",
                competitors=rnd.sample(COMPETITORS, rnd.randint(0, 2)),
                partners=partners_on_deal, team=team,
            )
            for _ in range(rnd.randint(0, 3)):
                activity_log(opportunity=opportunity, user=account.owner,
                             kind=rnd.choice(ActivityKind.values),
                             subject=rnd.choice(["Discovery call with the IT director",
                                                 "Workshop on the solution approach",
                                                 "Sent the value proposition",
                                                 "Met the CIO with our regional director",
                                                 "Partner alignment meeting"]),
                             occurred_on=today - timedelta(days=rnd.randint(0, 60)))
            target = rnd.choices(
                ["lead", "2", "3", "4", "5", "6", "7", "8", "9", "9.5", "10", "lost", "no_go"],
                weights=[22, 12, 10, 9, 8, 7, 6, 4, 3, 2, 6, 7, 4])[0]
            if target != "lead":
                self.walk(opportunity, target, rnd, quarter, finance)
            if i % 10 == 0 or i == n_opportunities:
                self.progress("opportunities", i, n_opportunities)
        self.quotes(rnd)
        self.plans(people, territories, accounts, partners, rnd)
        self.forecast(people, territories, rnd)

    def quotes(self, rnd):
        """A quote for the deals from stage 5 to 8 (at most 16): core licences, support,
        consulting days and training, sized to the deal's amount with a 10% discount, so
        that the approvals given on the amount still hold. A few have a second version;
        the deals at 7 and 8 have their current version accepted by the customer."""
        products = {p.code: p for p in Product.objects.filter(is_active=True)}
        deals = (Opportunity.objects.filter(stage__in=["5", "6", "7", "8"])
                 .select_related("owner").order_by("pk")[:16])
        today = timezone.localdate()
        for opp in deals:
            reseller = opp.deal_partners.filter(role=DealPartnerRole.RESELLER).first()
            # In USD, the price book's currency: what the lines must add up to at 10% off.
            target = opp.amount_base / Decimal("0.9")
            fixed = 4 * products["TRN-ADMIN"].list_price
            per_core = products["OSP-CORE-ENT"].list_price + products["OSP-SUP-PREM"].list_price
            cores = max(1, int((target - fixed - 5 * 1200) // per_core))
            days = max(1, round((target - fixed - cores * per_core) / Decimal(1200)))
            lines = [{"product": products["OSP-CORE-ENT"], "quantity": cores,
                      "discount_percent": 10},
                     {"product": products["OSP-SUP-PREM"], "quantity": cores,
                      "discount_percent": 10},
                     {"product": products["PS-CONSULT-DAY"], "quantity": days,
                      "discount_percent": 10},
                     {"product": products["TRN-ADMIN"], "quantity": 4, "discount_percent": 10}]
            terms = {"payment_terms": "30% on signature, 60% on delivery, 10% on acceptance; "
                                      "net 45 days from invoice.",
                     "commercial_terms": "Prices exclude VAT. Delivery within 6 weeks of the "
                                         "PO. Licences are perpetual; support renews yearly.",
                     "reseller": reseller.partner if reseller else None,
                     "reseller_margin": Decimal(rnd.choice([8, 10, 12])) if reseller else 0,
                     "valid_until": today + timedelta(days=rnd.choice([30, 45, 60]))}
            version = quote_version_create(opportunity=opp, user=opp.owner, lines=lines,
                                           **terms)
            if opp.stage in ("5", "6") and rnd.random() < 0.5:  # more training asked for
                lines[3] = {**lines[3], "quantity": 6}
                version = quote_version_create(opportunity=opp, user=opp.owner, lines=lines,
                                               expected_version=version.number, **terms)
            if opp.stage in ("7", "8"):
                quote_version_accept(version=version, user=opp.owner)

    def forecast(self, people, territories, rnd):
        """Quotas for the year, and a few weekly snapshots so the trend has a shape."""
        year = fiscal_quarter().year
        for q in (1, 2, 3, 4):
            for rep, territory in REP_TERRITORY.items():
                Quota.objects.create(user=people[rep], fiscal_year=year, quarter=q,
                                     amount=Decimal(rnd.choice([1500, 2000, 2500])) * 1000)
                Quota.objects.create(territory=territories[territory], fiscal_year=year,
                                     quarter=q, amount=Decimal(2500000))
        now = timezone.now()
        for weeks in (6, 5, 4, 3, 2, 1):
            snapshot = forecast_snapshot_take(label="weekly")
            ForecastSnapshot.objects.filter(pk=snapshot.pk).update(
                taken_at=now - datetime.timedelta(weeks=weeks))
            # Earlier weeks had a thinner commit: scale the amounts down a little.
            factor = Decimal(1) - Decimal(weeks) / 20
            for line in snapshot.lines.filter(category__in=["commit", "best_case"]):
                SnapshotLine.objects.filter(pk=line.pk).update(
                    amount_base=(line.amount_base * factor).quantize(Decimal("0.01")))

    def plans(self, people, territories, accounts, partners, rnd):
        """Step 1: territory plans for each rep, account plans for named accounts, a partner
        plan; some approved, some waiting for the manager, some still drafts."""
        subjects = [("territory", territories[t]) for t in REP_TERRITORY.values()]
        subjects += [("account", a) for a in accounts if a.is_named][:8]
        subjects += [("partner", partners[0])]
        for i, (kind, subject) in enumerate(subjects, 1):
            owner = subject.owner
            plan = plan_create(user=owner, kind=kind, subject=subject)
            plan = plan_save(plan=plan, user=owner, sections={
                name: f"{name.replace('_', ' ').capitalize()} for {subject}: our view this "
                      f"quarter." for name in plan.section_names()})
            fate = rnd.choice(["approved", "approved", "submitted", "draft"])
            if fate != "draft":
                plan_submit(plan=plan, user=owner)
            if fate == "approved" and owner.manager is not None:
                plan_decide(plan=plan, user=owner.manager, approve=True, comment="Good plan.")
            self.progress("plans", i, len(subjects))

    def walk(self, opp, target, rnd, quarter, finance):
        """Move a demo deal up the ladder through the real rules: confirmations from the
        customer's contacts, a plan, the manager's approvals, the PO and finance."""
        rep, manager = opp.owner, opp.owner.manager
        question_codes = list(AssessmentQuestion.objects.values_list("code", flat=True))
        contacts = {c.buying_role: c for c in opp.account.contacts.all()}
        tech, biz = contacts.get("technical_lead"), contacts.get("business_lead")
        ladder = ["2", "3", "4", "5", "6", "7", "8", "9", "9.5", "10"]
        stop = {"lost": rnd.choice(["2", "4", "6"]), "no_go": rnd.choice(["2", "3"])}.get(
            target, target)
        if stop in ("9", "9.5", "10") or stop in ("7", "8"):
            # Stage 7 means "closes this quarter".
            opp = opportunity_update(opportunity=opp, user=rep,
                                     expected_close_date=rnd.choice([quarter.start, quarter.end]),
                                     budget=opp.amount, procurement_process="Tender")
        elif opp.budget is None or not opp.procurement_process:
            opp = opportunity_update(opportunity=opp, user=rep, budget=opp.amount,
                                     procurement_process="Direct award after evaluation")

        def attest(*codes, who=None):
            for code in codes:
                cycle.criterion_attest(opportunity=opp, user=rep, code=code, contact=who,
                                       note="Confirmed in our meeting.")

        def approve(outcome):
            if outcome.approval is not None:
                cycle.approval_decide(request=outcome.approval, user=manager,
                                      decision="approve", comment="Agreed.")

        for stage in ladder[:ladder.index(stop) + 1]:
            opp.refresh_from_db()
            if stage == "2":
                attest("2.project_initiated", who=tech)
            elif stage == "3":
                opportunity_plan_save(opportunity=opp, user=rep,
                                      **{name: f"{SECTIONS[name]}: agreed with the team."
                                         for name in SECTIONS})
                assessment_record(opportunity=opp, user=rep, answers={
                    code: (rnd.choice(["yes", "yes", "yes", "unknown", "no"]), "")
                    for code in question_codes})
            elif stage == "4":
                attest("4.funding_confirmed", "4.supports_assessment", who=biz)
            elif stage == "5":
                attest("5.shortlisted", "5.solution_approach", who=tech)
            elif stage == "6":
                opp = opportunity_update(opportunity=opp, user=rep,
                                         quoted_amount=opp.amount, discount_percent=10)
                attest("6.technical_win", "6.quote_accepted", who=tech)
            elif stage == "7":
                opp = opportunity_update(opportunity=opp, user=rep,
                                         commercial_terms="Net 60; reseller margin 12%")
                attest("7.solution_and_quote", "7.purchase_this_quarter",
                       "7.commercial_process", who=biz)
            elif stage == "8":
                if not opp.deal_partners.filter(role="reseller").exists():
                    partner = Partner.objects.filter(type=PartnerType.RESELLER).first()
                    partners = [{"partner": p.partner, "role": p.role}
                                for p in opp.deal_partners.all()]
                    opp = opportunity_update(opportunity=opp, user=rep, partners=[
                        *partners, {"partner": partner, "role": DealPartnerRole.RESELLER}])
                attest("8.negotiation_started", who=biz)
            elif stage == "9":
                opp = opportunity_update(opportunity=opp, user=rep, po_number=f"PO-{opp.pk:05d}",
                                         po_date=timezone.localdate(), po_amount=opp.amount)
            opp.refresh_from_db()
            user = finance if stage in ("9.5", "10") else rep
            outcome = cycle.opportunity_transition(
                opportunity=opp, user=user, to=stage,
                finance={"reference": f"FIN-{opp.pk:05d}-{stage}"})
            approve(outcome)
        opp.refresh_from_db()
        if target == "lost":
            cycle.opportunity_transition(opportunity=opp, user=rep, to="lost",
                                         loss_reason="Price was 20% above the competitor.",
                                         winning_competitor=rnd.choice(COMPETITORS))
        elif target == "no_go":
            cycle.opportunity_transition(opportunity=opp, user=rep, to="no_go",
                                         reason="No budget this year; not worth pursuing.")
