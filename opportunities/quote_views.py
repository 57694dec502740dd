"""Browser pages of a deal's quote: write a new version, the versions (and two of them
side by side), the printable quote, and the customer's acceptance. Thin: fetch through
osp.access, write through opportunities.quotes."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opportunities import quotes, selectors
from opportunities.forms import QuoteForm, QuoteLineFormSet
from opportunities.models import FINISHED_STAGES, Opportunity
from osp import access, permissions
from osp.concurrency import StaleRecord, stale_message

BLANK_ROWS = 3  # empty rows under the lines, and how many "More rows" adds
VALID_FOR_DAYS = 30  # a new quote's validity unless the current one says later


def _get(request, pk):
    return access.get_visible_or_404(request.user, Opportunity, pk,
                                     Opportunity.objects.select_related("account", "owner"))


def _version_or_404(opportunity, number):
    version = selectors.quote_version(opportunity, number)
    if version is None:
        raise Http404
    return version


def _plain(number):
    """1 for 1.00, 2.5 for 2.50: what a person types."""
    return number.quantize(1) if number == number.to_integral_value() else number.normalize()


def _initial(current) -> tuple[dict, list[dict]]:
    """A new version starts from the current one's terms and lines."""
    default_until = timezone.localdate() + datetime.timedelta(days=VALID_FOR_DAYS)
    if current is None:
        return {"valid_until": default_until, "expected_version": 0}, []
    terms = {"valid_until": max(current.valid_until, default_until),
             "reseller": current.reseller_id,
             "reseller_margin": _plain(current.reseller_margin),
             "payment_terms": current.payment_terms,
             "commercial_terms": current.commercial_terms,
             "expected_version": current.number}
    lines = [{"product": li.product_id, "quantity": _plain(li.quantity),
              "discount_percent": _plain(li.discount_percent)}
             for li in current.lines.all() if li.product.is_active]
    return terms, lines


def _with_more_rows(post, prefix="lines"):
    data = post.copy()
    total = int(data.get(f"{prefix}-TOTAL_FORMS") or 0)
    data[f"{prefix}-TOTAL_FORMS"] = str(min(total + BLANK_ROWS, 200))
    return data


def _kept(lines) -> list[dict]:
    """The rows of a valid formset that are lines: not blank, not marked for removal."""
    return [f.cleaned_data for f in lines.forms
            if not f.cleaned_data.get("DELETE") and not f.is_blank]


@login_required
def quote_new(request, pk):
    """Write a new version of the deal's quote, starting from the current one."""
    opportunity = _get(request, pk)
    permissions.require_change(request.user, opportunity)
    quote = selectors.quote_of(opportunity)
    current = quote.current if quote else None
    preview = None
    if request.method == "POST":
        data = _with_more_rows(request.POST) if "more_rows" in request.POST else request.POST
        form = QuoteForm(data, opportunity=opportunity)
        lines = QuoteLineFormSet(data, prefix="lines")
        if "preview" in request.POST and lines.is_valid():
            # The totals of what is typed, nothing written: a revision is for the customer,
            # not for doing sums.
            try:
                preview = quotes.quote_preview(
                    opportunity=opportunity, lines=_kept(lines),
                    reseller_margin=form.data.get("reseller_margin") or "0")
            except ValidationError as e:
                for msgs in e.message_dict.values():
                    for message in msgs:
                        messages.error(request, message)
        elif "more_rows" not in request.POST and form.is_valid() and lines.is_valid():
            kept = _kept(lines)
            d = form.cleaned_data
            try:
                version = quotes.quote_version_create(
                    opportunity=opportunity, user=request.user, lines=kept,
                    payment_terms=d["payment_terms"], commercial_terms=d["commercial_terms"],
                    reseller=d["reseller"], reseller_margin=d["reseller_margin"],
                    valid_until=d["valid_until"], expected_version=d["expected_version"])
            except StaleRecord as e:
                form.add_error(None, stale_message(e))
            except ValidationError as e:
                for name, msgs in e.message_dict.items():
                    form.add_error(name if name in form.fields else None, msgs)
            else:
                messages.success(request, _("Quote version %(n)d saved.") % {"n": version.number})
                return redirect(opportunity)
    else:
        terms, initial_lines = _initial(current)
        form = QuoteForm(initial=terms, opportunity=opportunity)
        lines = QuoteLineFormSet(prefix="lines", initial=initial_lines)
        lines.extra = BLANK_ROWS
    return render(request, "opportunities/quote_form.html", {
        "opportunity": opportunity, "form": form, "lines": lines, "current": current,
        "preview": preview,
        "base_currency": settings.OSP_BASE_CURRENCY,
    })


@login_required
def quote_history(request, pk):
    """The versions of the deal's quote; with ?a=&b= two of them side by side."""
    opportunity = _get(request, pk)
    versions = list(selectors.quote_versions(opportunity))
    compare = None
    numbers = [v.number for v in versions]
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not (a.isdigit() and b.isdigit() and int(a) in numbers and int(b) in numbers):
        a = b = ""
        if len(versions) > 1:  # by default, what the latest revision changed
            a, b = str(versions[1].number), str(versions[0].number)
    if a and b:
        compare = selectors.quote_compare(_version_or_404(opportunity, int(a)),
                                          _version_or_404(opportunity, int(b)))
    quote = versions[0].quote if versions else None
    return render(request, "opportunities/quote_history.html", {
        "opportunity": opportunity, "versions": versions, "compare": compare,
        "a": a, "b": b, "accepted_id": quote.accepted_id if quote else None,
        "can_change": permissions.can_change(request.user, opportunity)
        and opportunity.stage not in FINISHED_STAGES,
    })


@login_required
def quote_print(request, pk, number):
    """The quote as the customer gets it, in the reader's language, ready to print."""
    opportunity = _get(request, pk)
    version = _version_or_404(opportunity, number)
    return render(request, "opportunities/quote_print.html", {
        "opportunity": opportunity, "version": version,
        "can_accept": permissions.can_change(request.user, opportunity)
        and version.quote.current_id == version.pk
        and version.quote.accepted_id != version.pk and not version.is_expired
        and opportunity.stage not in FINISHED_STAGES,
    })


@login_required
@require_POST
def quote_accept(request, pk, number):
    """The customer accepted this version: the deal's amount follows its total."""
    opportunity = _get(request, pk)
    version = _version_or_404(opportunity, number)
    try:
        opportunity = quotes.quote_version_accept(version=version, user=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        amount = formats.number_format(version.total, 2, use_l10n=True, force_grouping=True)
        messages.success(request, _(
            "Version %(n)d accepted by the customer; the deal's amount is now %(amount)s "
            "%(currency)s.") % {"n": version.number, "amount": amount,
                                "currency": version.currency})
    return redirect(opportunity)
