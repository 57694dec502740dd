"""Reads for the opportunity page: the stage path, the checklists, the moves on offer,
the step's guidance, and the timeline. A fixed number of queries per page."""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from opportunities import rules as opportunity_rules
from opportunities.criteria import BY_CODE, criteria_for_stage
from opportunities.models import (
    BACKWARD_MOVES,
    FORECAST_OPEN,
    FORECAST_WON,
    GO_NO_GO_STEPS,
    LADDER,
    NEXT_STAGE,
    SELLING_STAGES,
    STEP_FOR_STAGE,
    WON_STAGES,
    ApprovalDecision,
    ApprovalKind,
    Opportunity,
    OpportunityPartner,
    OpportunityTeamMember,
    Quote,
    QuoteLine,
    QuoteVersion,
    Stage,
    StageCategory,
    StepGuide,
    stage_label_of,
    stage_rank,
    stages_in_categories,
)
from osp import access, permissions
from osp.expressions import InSubquery, InValues
from osp.fiscal import Period
from osp.keyset import ordering_of
from osp.models import OwnerChange, User

# The process step an opportunity is in: the one that produces its next stage
# (METHODOLOGY.md §4); closed deals are in step 8, account expansion.


def step_guide(step: int) -> dict | None:
    guide = StepGuide.objects.filter(step=step).prefetch_related("tools").first()
    if guide is None:
        return None
    lang = get_language() or "en"
    return {
        "step": guide.step, "title": guide.localized("title", lang),
        "definition": guide.localized("definition", lang),
        "sections": [(label, guide.items(field, lang)) for field, label in (
            ("results", _("Results")), ("checklist", _("Checklist")),
            ("practices", _("Recommended practices")), ("problems", _("Common problems")),
            ("questions", _("Your manager will ask")))],
        "tools": [{"title": t.title(lang),
                   "url": reverse("sales-tool-file", args=[t.pk]) if t.file else ""}
                  for t in guide.tools.all()],
    }


def in_period(qs, period: Period, mapping: dict | None = None):
    """The deals of `qs` that count in `period`. A deal the forecast still expects counts by
    its expected close date; a won one (a stage an administrator counts as won or booked,
    StageCategory) by the date the PO came in, once booked by the booking date. Which
    stages those are follows the categories; only the dates are the stages' own: stage 9
    records the PO date (won_on), stage 10 the booking (booked_on)."""
    mapping = mapping or StageCategory.mapping()
    dates = (period.start, period.end)
    expected = stages_in_categories(mapping, FORECAST_OPEN)
    won = stages_in_categories(mapping, FORECAST_WON)
    # A stage counted as won before the PO has no PO date: by its expected close date too.
    expected += [s for s in won if s in SELLING_STAGES]
    by_po = [s for s in won if s in WON_STAGES and s != Stage.S10]
    return qs.filter(
        Q(stage__in=expected, expected_close_date__range=dates)
        | Q(stage__in=by_po, won_on__range=dates)
        | Q(stage__in=[s for s in won if s == Stage.S10], booked_on__range=dates))


def moves_offered(opportunity, user) -> list:
    """The state machine's transitions a person may make from the deal's stage: those
    leaving it that name a move of the page (`custom["move"]`) and whose `permission=`
    `user` holds (osp.permissions).

    Not get_available_user_stage_transitions(user): it also runs each transition's
    conditions, and the advance's condition is the gate. The page offers "advance" while
    the gate is closed, listing the unmet criteria beside it, and a click is answered
    with them (422); hiding the button would leave a rep without the move and its
    reasons. The gate is the service's to check, under the row lock."""
    return [t for t in opportunity.get_all_stage_transitions()
            if t.source == opportunity.stage and "move" in t.custom
            and t.has_perm(opportunity, user)]


def stage_panel(opportunity, user) -> dict:
    evaluation = opportunity.evaluation()
    stage = opportunity.stage
    rank = stage_rank(stage)
    nxt = NEXT_STAGE.get(stage)
    path = []
    for s in LADDER:
        results = [evaluation.results[c.code] for c in criteria_for_stage(s)]
        path.append({"stage": s, "label": Stage(s).label,
                     "state": "done" if stage_rank(s) < rank else
                     "current" if s == stage else "todo",
                     "ready": all(r.met for r in results)})
    can_change = permissions.can_change(user, opportunity)
    moves = {"advance": None, "back": [], "lose": False, "no_go": False, "reopen": False}
    for transition in moves_offered(opportunity, user):
        move = transition.custom["move"]
        if move == "advance":
            moves["advance"] = nxt
        elif move == "back":
            moves["back"] = BACKWARD_MOVES[stage]
        else:
            moves[move] = True
    flagged = [evaluation.results[c] for c in opportunity.flagged_criteria
               if c in evaluation.results]
    return {
        "path": path,
        "current": [evaluation.results[c.code] for c in criteria_for_stage(stage)]
        if stage in LADDER else [],
        "next_stage": nxt,
        "next_label": Stage(nxt).label if nxt else "",
        "next": [evaluation.results[c.code] for c in criteria_for_stage(nxt)] if nxt else [],
        "unmet_for_next": evaluation.unmet_up_to(nxt) if nxt else [],
        "moves": moves,
        "can_change": can_change,
        "is_finance": permissions.can_mark_finance_stages(user),
        "flagged": flagged,
        "approval_kinds": [k for k in ApprovalKind if k != ApprovalKind.RESOURCE],
        # The Go half of Go/No-Go, at steps 2 and 5 (the No-Go half is a move).
        "go_decision": can_change and STEP_FOR_STAGE.get(stage) in GO_NO_GO_STEPS,
        "last_go": opportunity.go_decisions.select_related("by").first(),
    }


def timeline(opportunity, limit: int = 60) -> list[dict]:
    """Stage changes, confirmations, approval decisions, finance records, changes of
    owner and activities, newest first."""
    items = []
    for c in opportunity.stage_changes.select_related("by").order_by("-at")[:limit]:
        items.append({"at": c.at, "kind": "stage", "who": c.by or _("OSP"),
                      "title": _("%(from)s → %(to)s (%(how)s)") % {
                          "from": c.get_from_stage_display(), "to": c.get_to_stage_display(),
                          "how": c.get_how_display()}, "text": c.reason})
    for g in opportunity.go_decisions.select_related("by")[:limit]:
        items.append({"at": g.at, "kind": "go", "who": g.by,
                      "title": _("Go decision (step %(step)d)") % {"step": g.step},
                      "text": g.rationale})
    for a in opportunity.attestations.select_related("by").order_by("-at")[:limit]:
        criterion = BY_CODE.get(a.criterion)
        items.append({"at": a.at, "kind": a.action, "who": a.by,
                      "title": f"{a.get_action_display()}: "
                               f"{criterion.text if criterion else a.criterion}",
                      "text": a.note + (f" — {a.contact_name}" if a.contact_name else ""),
                      "url": a.evidence_url or (
                          reverse("attestation-evidence", args=[opportunity.pk, a.pk])
                          if a.evidence_file else "")})
    for d in (ApprovalDecision.objects.filter(request__opportunity=opportunity)
              .select_related("by", "request").order_by("-at")[:limit]):
        items.append({"at": d.at, "kind": "approval", "who": d.by,
                      "title": f"{d.get_decision_display()}: {d.request.get_kind_display()}",
                      "text": d.comment})
    for f in opportunity.finance_records.select_related("by").order_by("-at")[:limit]:
        items.append({"at": f.at, "kind": "finance", "who": f.by,
                      "title": f.get_kind_display(),
                      "text": " · ".join(x for x in (f.reference, f.period) if x)})
    for h in (OwnerChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Opportunity),
            object_id=opportunity.pk).select_related("from_owner", "to_owner", "by")[:limit]):
        items.append({"at": h.at, "kind": "owner", "who": h.by or _("OSP"),
                      "title": _("New owner: %(from)s → %(to)s") % {
                          "from": h.from_owner or "—", "to": h.to_owner or "—"},
                      "text": h.reason})
    for v in (QuoteVersion.objects.filter(quote__opportunity=opportunity)
              .select_related("author").order_by("-created_at")[:limit]):
        items.append({"at": v.created_at, "kind": "quote", "who": v.author,
                      "title": _("Quote version %(n)d: %(total)s %(currency)s") % {
                          "n": v.number, "total": formats.number_format(
                              v.total, 2, use_l10n=True, force_grouping=True),
                          "currency": v.currency},
                      "text": ""})
    items.sort(key=lambda i: i["at"], reverse=True)
    return items[:limit]


def quote_of(opportunity) -> Quote | None:
    """The deal's quote with its current version, that version's reseller, author and
    lines (with their products), and the accepted version: two queries, however many
    lines or versions (one without a quote)."""
    lines = QuoteLine.objects.select_related("product").order_by("position")
    return (Quote.objects.filter(opportunity=opportunity)
            .select_related("current__reseller", "current__author", "accepted")
            .prefetch_related(Prefetch("current__lines", queryset=lines)).first())


def quote_versions(opportunity):
    """Every version of the deal's quote, newest first, without their lines."""
    return (QuoteVersion.objects.filter(quote__opportunity=opportunity)
            .select_related("author", "reseller").order_by("-number"))


def quote_version(opportunity, number: int) -> QuoteVersion | None:
    """One version of the deal's quote with its lines and products."""
    lines = QuoteLine.objects.select_related("product").order_by("position")
    return (QuoteVersion.objects.filter(quote__opportunity=opportunity, number=number)
            .select_related("author", "reseller", "quote__accepted")
            .prefetch_related(Prefetch("lines", queryset=lines)).first())


def quote_compare(a: QuoteVersion, b: QuoteVersion) -> dict:
    """Two versions side by side (lines fetched with them): a row a product, in `b`'s
    order then `a`'s, and the terms that changed. A product quoted twice in one version
    is compared line by line in order."""
    def keyed(version):
        seen, keys = {}, {}
        for line in version.lines.all():
            n = seen[line.product_id] = seen.get(line.product_id, 0) + 1
            keys[(line.product_id, n)] = line
        return keys

    old, new = keyed(a), keyed(b)
    rows = []
    for key in [*new, *(k for k in old if k not in new)]:
        before, after = old.get(key), new.get(key)
        same = before is not None and after is not None and all(
            getattr(before, f) == getattr(after, f)
            for f in ("quantity", "list_price", "discount_percent", "line_total"))
        rows.append({"product": (after or before).product, "a": before, "b": after,
                     "changed": not same})
    terms = [(label, getattr(a, f), getattr(b, f)) for f, label in (
        ("payment_terms", _("Payment terms")), ("commercial_terms", _("Commercial terms")),
        ("reseller", _("Reseller")), ("reseller_margin", _("Reseller margin (%)")),
        ("valid_until", _("Valid until")), ("currency", _("Currency")))]
    change = None  # how far the total moved, in % of the earlier one
    if a.total:
        change = ((b.total - a.total) * 100 / a.total).quantize(Decimal("0.1"))
    return {"a": a, "b": b, "rows": rows, "total_change": change,
            "terms": [{"label": label, "a": x, "b": y, "changed": x != y}
                      for label, x, y in terms]}


BOARD_COLUMNS = ["lead", *LADDER]
CARDS_PER_COLUMN = 30


@dataclass(slots=True)
class BoardCard:
    """What a card on the pipeline board shows."""

    pk: int
    name: str
    stage: str
    amount_base: Decimal
    account_name: str
    url: str = ""
    risks: list[str] = field(default_factory=list)


def stage_totals(user, stages, *, owner_id: int | None = None) -> dict[str, tuple]:
    """stage -> (number, total in the base currency) of the deals `user` sees at each of
    `stages` (only those of `owner_id` if given). One query: the disjoint parts of the
    visibility rule added up, each read from the (owner, stage, amount) index alone where
    the OR of the two would read every visible row from the table."""
    parts = opportunity_rules.opportunities_visible_in_parts(user)
    grouped = [(part.filter(owner_id=owner_id) if owner_id else part)
               .filter(stage__in=stages).order_by().values("stage")
               .annotate(n=Count("*"), total=Sum("amount_base")) for part in parts]
    totals = {}
    for row in grouped[0].union(*grouped[1:], all=True):
        n, total = totals.get(row["stage"], (0, 0))
        totals[row["stage"]] = (n + row["n"], total + (row["total"] or 0))
    return totals


def count_visible(user, condition: Q, *, cap: int) -> int:
    """How many deals `user` sees that meet `condition`, counted up to cap + 1 (a
    dashboard says "more than 1,000"; counting a director's every row costs seconds)."""
    return sum(part.filter(condition).order_by()[:cap + 1].count()
               for part in opportunity_rules.opportunities_visible_in_parts(user))


def pipeline_board(*, user, owner_id: int | None = None) -> list[dict]:
    """The pipeline board's columns, one a stage: the number and total (base currency) of
    the deals `user` sees there, and the largest CARDS_PER_COLUMN of them (name, stage,
    amount and account name: what a card shows). Two queries whatever the number of deals
    (issue #7): the totals add up the disjoint parts of the visibility rule, each read
    from the (owner, stage, amount) index alone; the cards take each stage's largest deals
    through the (stage, amount) index, all stages in one query."""

    def narrow(qs):
        return qs.filter(owner_id=owner_id) if owner_id else qs

    totals = stage_totals(user, BOARD_COLUMNS, owner_id=owner_id)
    visible = narrow(access.visible_to(user, Opportunity))
    largest = [InSubquery(F("pk"), visible.filter(stage=stage).order_by("-amount_base", "pk")
                          .values("pk")[:CARDS_PER_COLUMN])
               for stage in BOARD_COLUMNS if stage in totals]
    cards = {stage: [] for stage in BOARD_COLUMNS}
    if largest:
        # Plain rows, not model instances: a board shows up to 330 cards.
        for row in (Opportunity.objects.filter(reduce(or_, map(Q, largest)))
                    .order_by("-amount_base", "pk")
                    .values_list("pk", "name", "stage", "amount_base", "account__name")):
            cards[row[2]].append(BoardCard(*row))
    return [{"stage": stage, "label": Stage(stage).label, "cards": cards[stage],
             "n": totals.get(stage, (0, 0))[0], "total": totals.get(stage, (0, 0))[1]}
            for stage in BOARD_COLUMNS]


# --- The opportunity list of the API --------------------------------------------------

# A deal's columns the API lists, with its account's name and its owner's name parts.
API_LIST_COLUMNS = (
    "id", "name", "account_id", "account__name", "owner_id", "owner__first_name",
    "owner__last_name", "owner__username", "stage", "amount", "currency", "amount_base",
    "expected_close_date", "lead_source", "why_do_it", "why_now", "pains", "budget",
    "procurement_process", "description", "next_step", "quoted_amount", "discount_percent",
    "commercial_terms", "po_number", "po_date", "po_amount", "flagged_criteria",
    "stage_entered_at", "source", "external_id", "version", "created_at", "updated_at")


def opportunity_api_rows(qs: QuerySet) -> QuerySet:
    """The API list of `qs` (deals visible, filtered and ordered) as plain rows of
    API_LIST_COLUMNS, and the ordering's columns (a cursor is made of them). Plain rows,
    not model instances: for a page of 50 deals, instances and their prefetched lists
    cost several times the SQL (issue #7). `api_list_page` completes a page's rows."""
    ordering = [key.lstrip("-") for key in ordering_of(qs)]
    return qs.select_related(None).prefetch_related(None).values(
        *dict.fromkeys([*API_LIST_COLUMNS, *ordering]))


def api_list_page(rows: list[dict]) -> list[dict]:
    """A page of opportunity_api_rows, each row with its owner's name, its stage's label
    and its nested lists (team, partners, competitors, in the order the record shows
    them): one query a list for the whole page."""
    on_page = InValues(F("opportunity_id"), [row["id"] for row in rows])
    team, partners, competitors = {}, {}, {}
    for deal, user, role in (OpportunityTeamMember.objects.filter(on_page).order_by("pk")
                             .values_list("opportunity_id", "user_id", "role")):
        team.setdefault(deal, []).append({"user": user, "role": role})
    for deal, partner, name, role in (
            OpportunityPartner.objects.filter(on_page).order_by("pk")
            .values_list("opportunity_id", "partner_id", "partner__name", "role")):
        partners.setdefault(deal, []).append(
            {"partner": partner, "partner_name": name, "role": role})
    for deal, name in (Opportunity.competitors.through.objects.filter(on_page)
                       .order_by("competitor__name")
                       .values_list("opportunity_id", "competitor__name")):
        competitors.setdefault(deal, []).append(name)
    labels = {}
    for row in rows:
        stage = row["stage"]
        if stage not in labels:  # once a page: a label is translated when read
            labels[stage] = str(stage_label_of(stage))
        row["stage_label"] = labels[stage]
        row["owner_name"] = User.display_name(row["owner__first_name"],
                                              row["owner__last_name"], row["owner__username"])
        row["team"] = team.get(row["id"], [])
        row["partners"] = partners.get(row["id"], [])
        row["competitors"] = competitors.get(row["id"], [])
    return rows
