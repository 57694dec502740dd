"""Browser pages for territories, accounts, contacts and partners. Thin: fetch through
osp.access, write through accounts.services."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import selectors, services
from accounts.forms import (
    AccountFilter,
    AccountForm,
    ContactFilter,
    ContactForm,
    PartnerFilter,
    PartnerForm,
    TerritoryForm,
)
from accounts.models import Account, Contact, Partner, Territory
from osp import access, permissions
from osp.pages import Column, ListPage, delete_page, form_page, page_sections


def _list(request, template, page: ListPage, **extra):
    return page.render(template, {**page.context(), **extra})



# --- Territories ---------------------------------------------------------------------

@login_required
def territory_list(request):
    qs = access.visible_to(request.user, Territory).select_related("owner", "parent").annotate(
        account_count=Count("accounts", distinct=True))
    page = ListPage(request, qs, columns=[
        Column("name", gettext_lazy("Territory"), "name"),
        Column("parent", gettext_lazy("Parent"), "parent__name"),
        Column("owner", gettext_lazy("Owner"), "owner__last_name"),
        Column("accounts", gettext_lazy("Accounts"), "account_count"),
    ], search_fields=["name", "parent__name"], default_sort="name")
    tree = _territory_tree(access.visible_to(request.user, Territory).select_related("owner"))
    return _list(request, "accounts/territory_list.html", page, tree=tree,
                 can_create=permissions.can_create(request.user, Territory))


def _territory_tree(territories):
    children: dict = {}
    for t in territories:
        children.setdefault(t.parent_id, []).append(t)

    def build(parent_id, depth=0):
        return [{"node": t, "children": build(t.pk, depth + 1)}
                for t in children.get(parent_id, [])] if depth < 20 else []
    return build(None)


@login_required
def territory_detail(request, pk):
    territory = access.get_visible_or_404(
        request.user, Territory, pk, Territory.objects.select_related("owner", "parent"))
    accounts = access.visible_to(
        request.user, Account, territory.accounts.select_related("owner"))
    return render(request, "accounts/territory_detail.html", {
        "territory": territory, "children": territory.children.select_related("owner"),
        "accounts": accounts, "can_change": permissions.can_change(request.user, territory),
    })


@login_required
def territory_edit(request, pk=None):
    territory = access.get_visible_or_404(request.user, Territory, pk) if pk else Territory()
    if pk:
        permissions.require_change(request.user, territory)
        save = lambda data: services.territory_update(territory=territory, user=request.user, **data)  # noqa: E731,E501
    else:
        permissions.require_add(request.user, Territory)
        save = lambda data: services.territory_create(user=request.user, **data)  # noqa: E731
    form = TerritoryForm(request.POST or None, instance=territory, user=request.user)
    return form_page(request, form=form, save=save, template="record_form.html",
                     context={"object": territory, "kind": Territory._meta.verbose_name,
                              "cancel_url": territory.get_absolute_url() if pk
                              else reverse("territory-list")},
                     success_message=_("Territory %(name)s was saved."))


# --- Accounts ------------------------------------------------------------------------

@login_required
def account_list(request):
    # A correlated count, not a join with every deal: sorted by another column, PostgreSQL
    # counts only the page's 25 accounts (a manager's hundreds join tens of thousands).
    # The deal model is reached through the account's relation (Django's _meta API): the
    # opportunities app stands on this one, not the other way round.
    Deal = Account._meta.get_field("opportunities").related_model
    deals = (Deal.objects.filter(account=OuterRef("pk")).order_by().values("account")
             .annotate(n=Count("pk")).values("n"))
    qs = access.visible_to(request.user, Account).select_related("owner", "territory").annotate(
        open_count=Coalesce(Subquery(deals), 0))
    page = ListPage(request, qs, columns=[
        Column("name", gettext_lazy("Account"), "name"),
        Column("territory", gettext_lazy("Territory"), "territory__name"),
        Column("industry", gettext_lazy("Industry"), "industry"),
        Column("owner", gettext_lazy("Owner"), "owner__last_name"),
        Column("opportunities", gettext_lazy("Opportunities"), "open_count"),
    ], search_fields=["name", "territory__name"], filterset_class=AccountFilter,
        default_sort="name")
    return _list(request, "accounts/account_list.html", page,
                 can_create=permissions.can_create(request.user, Account))


@login_required
def account_detail(request, pk):
    account = access.get_visible_or_404(
        request.user, Account, pk, Account.objects.select_related("owner", "territory"))
    contacts = list(account.contacts.all())
    return render(request, "accounts/account_detail.html", {
        "account": account, "contacts": contacts, "org_chart": selectors.org_chart(contacts),
        "can_change": permissions.can_change(request.user, account),
        "can_work": permissions.can_add(request.user, Contact, account),
        "app_sections": page_sections("account", request, account),
    })


@login_required
def account_edit(request, pk=None):
    account = access.get_visible_or_404(request.user, Account, pk) if pk else Account()
    if pk:
        permissions.require_change(request.user, account)
        save = lambda data: services.account_update(account=account, user=request.user, **data)  # noqa: E731,E501
    else:
        permissions.require_add(request.user, Account)
        save = lambda data: services.account_create(user=request.user, **data)  # noqa: E731
    form = AccountForm(request.POST or None, instance=account, user=request.user)
    return form_page(request, form=form, save=save, template="record_form.html",
                     context={"object": account, "kind": Account._meta.verbose_name,
                              "cancel_url": account.get_absolute_url() if pk
                              else reverse("account-list")},
                     success_message=_("Account %(name)s was saved."))


@login_required
def account_delete(request, pk):
    account = access.get_visible_or_404(request.user, Account, pk)
    permissions.require_change(request.user, account)
    return delete_page(request, obj=account, success_url=reverse("account-list"), consequences=[
        _("Its %(n)d contacts are deleted with it.") % {"n": account.contacts.count()},
    ])


# --- Contacts ------------------------------------------------------------------------

@login_required
def contact_list(request):
    qs = access.visible_to(request.user, Contact).select_related("account", "partner")
    page = ListPage(request, qs, columns=[
        Column("name", gettext_lazy("Name"), "last_name"),
        Column("title", gettext_lazy("Title"), "title"),
        Column("organisation", gettext_lazy("Organisation"), "account__name"),
        Column("buying_role", gettext_lazy("Buying role"), "buying_role"),
        Column("attitude", gettext_lazy("Attitude"), "attitude"),
    ], search_fields=["first_name", "last_name", "title", "email", "account__name",
                      "partner__name"], filterset_class=ContactFilter, default_sort="name")
    return _list(request, "accounts/contact_list.html", page)


@login_required
def contact_detail(request, pk):
    contact = access.get_visible_or_404(
        request.user, Contact, pk,
        Contact.objects.select_related("account", "partner", "reports_to"))
    return render(request, "accounts/contact_detail.html", {
        "contact": contact, "direct_reports": contact.direct_reports.all(),
        "can_change": permissions.can_change(request.user, contact),
    })


def _contact_form_page(request, contact, organisation, save):
    form = ContactForm(request.POST or None, instance=contact, user=request.user,
                       organisation=organisation)
    return form_page(request, form=form, save=save, template="record_form.html",
                     context={"object": contact, "kind": Contact._meta.verbose_name,
                              "parent": organisation,
                              "cancel_url": organisation.get_absolute_url()},
                     success_message=_("Contact %(name)s was saved."))


@login_required
def contact_create(request, account_pk=None, partner_pk=None):
    if account_pk:
        organisation = access.get_visible_or_404(request.user, Account, account_pk)
        parent = {"account": organisation}
    else:
        organisation = access.get_visible_or_404(request.user, Partner, partner_pk)
        parent = {"partner": organisation}
    permissions.require_add(request.user, Contact, organisation)
    return _contact_form_page(request, Contact(**parent), organisation,
                              lambda data: services.contact_create(user=request.user, **parent,
                                                                   **data))


@login_required
def contact_edit(request, pk):
    contact = access.get_visible_or_404(request.user, Contact, pk)
    permissions.require_change(request.user, contact)
    return _contact_form_page(
        request, contact, contact.account or contact.partner,
        lambda data: services.contact_update(contact=contact, user=request.user, **data))


@login_required
def contact_delete(request, pk):
    contact = access.get_visible_or_404(request.user, Contact, pk)
    permissions.require_change(request.user, contact)
    organisation = contact.account or contact.partner
    return delete_page(request, obj=contact, success_url=organisation.get_absolute_url(),
                       delete=lambda obj, user: services.contact_delete(contact=obj, user=user),
                       consequences=[_("People who report to them will have no manager in "
                                       "the org chart.")])


# --- Partners ------------------------------------------------------------------------

@login_required
def partner_list(request):
    qs = access.visible_to(request.user, Partner).select_related("owner").annotate(
        deal_count=Count("deals", distinct=True))
    page = ListPage(request, qs, columns=[
        Column("name", gettext_lazy("Partner"), "name"),
        Column("type", gettext_lazy("Type"), "type"),
        Column("owner", gettext_lazy("Owner"), "owner__last_name"),
        Column("deals", gettext_lazy("Deals"), "deal_count"),
    ], search_fields=["name", "core_competences", "solution_areas"],
        filterset_class=PartnerFilter, default_sort="name")
    return _list(request, "accounts/partner_list.html", page,
                 can_create=permissions.can_create(request.user, Partner))


@login_required
def partner_detail(request, pk):
    partner = access.get_visible_or_404(request.user, Partner, pk,
                                        Partner.objects.select_related("owner"))
    return render(request, "accounts/partner_detail.html", {
        "partner": partner, "contacts": partner.contacts.all(),
        "can_change": permissions.can_change(request.user, partner),
        "app_sections": page_sections("partner", request, partner),
    })


@login_required
def partner_edit(request, pk=None):
    partner = access.get_visible_or_404(request.user, Partner, pk) if pk else Partner()
    if pk:
        permissions.require_change(request.user, partner)
        save = lambda data: services.partner_update(partner=partner, user=request.user, **data)  # noqa: E731,E501
    else:
        permissions.require_add(request.user, Partner)
        save = lambda data: services.partner_create(user=request.user, **data)  # noqa: E731
    form = PartnerForm(request.POST or None, instance=partner, user=request.user)
    return form_page(request, form=form, save=save, template="record_form.html",
                     context={"object": partner, "kind": Partner._meta.verbose_name,
                              "cancel_url": partner.get_absolute_url() if pk
                              else reverse("partner-list")},
                     success_message=_("Partner %(name)s was saved."))
