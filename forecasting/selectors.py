"""The stage-based forecast: rollups for any node (a rep or a manager's whole team, a
territory subtree, a partner, an account) and period, in the base currency, in a fixed
number of queries whatever the size of the data."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404

from accounts.models import Account, Partner, Territory
from accounts.selectors import territory_subtree_ids
from forecasting.models import ForecastAdjustment, Quota
from opportunities.models import Category, Opportunity, OpportunityPartner, StageCategory
from opportunities.selectors import in_period
from osp import access
from osp.fiscal import Period, fiscal_quarter
from osp.models import User

FORECAST_CATEGORIES = [Category.PIPELINE, Category.BEST_CASE, Category.COMMIT, Category.WON,
                       Category.BOOKED]
ZERO = Decimal("0")


@dataclass(frozen=True)
class Node:
    kind: str  # user | territory | partner | account
    obj: object

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.obj.pk}"

    def __str__(self):
        return str(self.obj)


NODE_MODELS = {"user": User, "territory": Territory, "partner": Partner, "account": Account}


def parse_node(user: User, value: str | None) -> Node:
    """"user:12", "territory:3", …; default: the user themself (and their team)."""
    kind, _, pk = (value or "").partition(":")
    if kind not in NODE_MODELS:
        return Node("user", user)
    obj = access.get_visible_or_404(user, NODE_MODELS[kind], pk)
    if kind == "user" and not (access.reads_everything(user)
                               or obj.pk in access.scope_user_ids(user)):
        raise Http404
    return Node(kind, obj)


def node_opportunities(user: User, node: Node):
    """The node's opportunities that `user` may see. Each deal counts for its owner only,
    so a team's rollup never counts a deal twice."""
    if node.kind == "user":
        # parse_node only admits people in the viewer's scope, whose own scope is inside
        # it: their deals are all visible, so the visibility filter would only slow the
        # query down (a second owner bitmap over the whole table).
        return Opportunity.objects.filter(owner_id__in=access.scope_user_ids(node.obj))
    qs = access.visible_to(user, Opportunity)
    if node.kind == "territory":
        return qs.filter(account__territory_id__in=territory_subtree_ids(node.obj.pk))
    if node.kind == "partner":
        return qs.filter(Exists(OpportunityPartner.objects.filter(
            opportunity=OuterRef("pk"), partner=node.obj)))
    return qs.filter(account=node.obj)


@dataclass
class Cell:
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO

    def add(self, count, amount, probability):
        self.count += count
        self.amount += amount
        self.weighted += amount * Decimal(probability) / 100


@dataclass
class Rollup:
    node: Node
    period: Period
    categories: dict = field(default_factory=dict)  # category -> Cell
    stages: dict = field(default_factory=dict)  # stage -> Cell
    reps: list = field(default_factory=list)  # per owner: name, categories, adjusted
    quota: Decimal | None = None
    mapping: dict = field(default_factory=dict)

    def total(self, category) -> Decimal:
        return self.categories[category].amount

    @property
    def booked(self) -> Decimal:
        return self.total(Category.BOOKED)

    @property
    def won_and_booked(self) -> Decimal:
        return self.total(Category.WON) + self.total(Category.BOOKED)

    def attainment(self, amount) -> int | None:
        return round(100 * amount / self.quota) if self.quota else None

    @property
    def weighted_pipeline(self) -> Decimal:
        return sum((c.weighted for c in self.categories.values()), ZERO)


def forecast_rollup(*, user: User, node: Node, period: Period) -> Rollup:
    mapping = StageCategory.mapping()
    deals = in_period(node_opportunities(user, node), period, mapping)
    rollup = Rollup(node=node, period=period, mapping=mapping,
                    categories={c: Cell() for c in FORECAST_CATEGORIES})
    per_owner: dict = {}
    for row in deals.values("owner_id", "stage").annotate(n=Count("pk"),
                                                          total=Sum("amount_base")):
        category, probability = mapping.get(row["stage"], (Category.OMITTED, 0))
        if category not in rollup.categories:
            continue
        amount = row["total"] or ZERO
        rollup.categories[category].add(row["n"], amount, probability)
        rollup.stages.setdefault(row["stage"], Cell()).add(row["n"], amount, probability)
        owner = per_owner.setdefault(row["owner_id"], {c: Cell() for c in FORECAST_CATEGORIES})
        owner[category].add(row["n"], amount, probability)
    if node.kind == "user":
        people = access.scope_user_ids(node.obj)
        rollup.quota = _quota(Q(user_id__in=people), period)
        adjusted = _latest_adjustments(people, period)
        names = dict(User.objects.filter(pk__in=per_owner).values_list("pk", "username"))
        users = {u.pk: u for u in User.objects.filter(pk__in=set(per_owner) | set(adjusted))}
        for pk in sorted(set(per_owner) | set(adjusted), key=lambda k: str(users.get(k, k))):
            cells = per_owner.get(pk, {c: Cell() for c in FORECAST_CATEGORIES})
            rollup.reps.append({"user": users.get(pk, names.get(pk)), "cells": cells,
                                "adjusted": adjusted.get(pk, {})})
    elif node.kind == "territory":
        rollup.quota = _quota(Q(territory=node.obj), period)
    return rollup


def _quota(condition, period: Period) -> Decimal | None:
    year = fiscal_quarter(period.end).year
    quarters = [fiscal_quarter(period.start).quarter] if period.label.count("Q") else [1, 2, 3, 4]
    return Quota.objects.filter(condition, fiscal_year=year, quarter__in=quarters).aggregate(
        s=Sum("amount"))["s"]


def _latest_adjustments(people, period: Period) -> dict:
    """subject id -> {category: latest ForecastAdjustment} for the period."""
    latest: dict = {}
    for adj in (ForecastAdjustment.objects.filter(subject_id__in=people, period=period.label)
                .select_related("manager").order_by("created_at", "pk")):
        latest.setdefault(adj.subject_id, {})[adj.category] = adj
    return latest
