"""Building blocks the browser views share: a searchable, sortable, filterable, paginated
list; a form page that saves through a service; a confirmed delete; the sections apps
above add to a record's page."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from osp.concurrency import StaleRecord
from osp.expressions import InValues
from osp.keyset import InvalidCursor, keyset_page
from osp.services import record_delete
from osp.validators import has_null_character, null_character_errors


def record_url(viewname: str):
    """pk -> the record's address, for pages that link hundreds of records (the board's
    cards, a list's rows): one reverse() instead of one per link."""
    pattern = reverse(viewname, args=[0])
    head, tail = pattern.rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


SEARCH_FIRST = 5000  # matches found before paging a searched large list (ListPage)


@dataclass
class Column:
    key: str
    label: str
    order_by: str | None = None  # a sortable column's field


@dataclass
class ListPage:
    """A list of records with `?q=` search, `?sort=[-]key`, filters and `?page=`.

    With `keyset=True`, for lists that grow large: `?cursor=` pages instead of `?page=`
    (osp.keyset: previous/next by position, no COUNT of everything visible on every
    page), and the total is counted up to `count_cap` only ("more than 1,000").

    `values`: the columns a row shows, fetched as plain rows (`.values()`) for the page
    only. The count reads none of them: their joins (a deal's account and owner) made
    the capped count a third slower."""

    request: object
    queryset: QuerySet
    columns: list[Column]
    search_fields: list[str] = field(default_factory=list)
    filterset_class: type | None = None
    default_sort: str = ""
    per_page: int = 25
    keyset: bool = False
    count_cap: int = 1000
    values: tuple[str, ...] = ()
    search_errors: list[str] = field(default_factory=list, init=False)

    def context(self) -> dict:
        params = self.request.GET
        qs = self.queryset
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(params, queryset=qs, request=self.request)
            qs = filterset.qs if filterset.is_valid() else qs.none()
        query = params.get("q", "").strip()
        # Refused like a form field's value (and never sent to PostgreSQL, which refuses
        # NUL in text): the page answers 400 with the message and no rows.
        self.search_errors = null_character_errors({"q": query}).get("q", [])
        if self.search_errors:
            qs = qs.none()
        elif query and self.search_fields:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{f"{name}__icontains": query})
            qs = (self._searched(qs, query, condition) if self.keyset
                  else qs.filter(condition))
        sortable = {c.key: c.order_by for c in self.columns if c.order_by}
        sort = params.get("sort", self.default_sort)
        key = sort.lstrip("-")
        if key in sortable:
            direction = "-" if sort.startswith("-") else ""
            qs = qs.order_by(f"{direction}{sortable[key]}", f"{direction}pk")
        else:
            sort = ""
        keep = params.copy()
        keep.pop("page", None)
        keep.pop("cursor", None)
        shown = qs.values(*self.values) if self.values else qs
        if self.keyset:
            page, pager = None, self._keyset_pager(qs, shown, keep)
            rows = pager["rows"]
        else:
            page, pager = Paginator(shown, self.per_page).get_page(params.get("page")), None
            rows = page.object_list
        headers = []
        for c in self.columns:
            state = ("asc" if sort == c.key else "desc" if sort == f"-{c.key}" else "")
            link = None
            if c.order_by:
                q = keep.copy()
                q["sort"] = f"-{c.key}" if state == "asc" else c.key
                link = q.urlencode()
            headers.append({"label": c.label, "link": link, "state": state})
        return {
            "page_obj": page,
            "pager": pager,
            "rows": rows,
            "columns": headers,
            "sort": sort,
            "query": query.replace("\x00", ""),
            "search_errors": self.search_errors,
            "filterset": filterset,
            "querystring": keep.urlencode(),
            "filtered": bool(query) or any(
                v for k, v in params.items() if k not in ("sort", "page", "cursor")
            ),
        }

    def render(self, template: str, context: dict):
        """The page (its `#results` partial for htmx) with `context` from context():
        400 when the search was refused."""
        if self.request.htmx:
            template = f"{template}#results"
        return render(self.request, template, context,
                      status=400 if self.search_errors else 200)

    def _searched(self, qs, query, condition):
        """A search in a large list: the matching rows first, in no order, then the page
        among them. Left to itself the database walks the sort's index until a page of
        matches turns up, which reads every visible row when few match (2.4 s for a
        manager's "bank" among 47,498 deals). With more than SEARCH_FIRST matches that
        walk is short, and the search stays a plain filter.

        The matches are found through the trigram indexes on PostgreSQL (migrations
        accounts 0004, opportunities 0014): a field across a relation (`account__name`)
        becomes the few related ids that match, so that each side of the OR is an index
        scan (a director's search among 1,000,000 deals: 1.2 s -> a few ms)."""
        found = list(qs.filter(self._indexed(qs.model, query, condition)).order_by()
                     .values_list("pk", flat=True)[:SEARCH_FIRST + 1])
        if len(found) > SEARCH_FIRST:
            return qs.filter(condition)
        return qs.filter(InValues(F("pk"), found)) if found else qs.none()

    def _indexed(self, model, query, condition):
        """`condition` (the search) with each `relation__field` as `relation_id IN (the
        related records that match)`, unless more than SEARCH_FIRST of them match."""
        indexed = Q()
        for name in self.search_fields:
            relation, _, rest = name.partition("__")
            field = model._meta.get_field(relation) if rest else None
            if field is None or not (field.many_to_one or field.one_to_one):
                indexed |= Q(**{f"{name}__icontains": query})
                continue
            related = list(field.related_model._base_manager
                           .filter(**{f"{rest}__icontains": query})
                           .values_list("pk", flat=True)[:SEARCH_FIRST + 1])
            if len(related) > SEARCH_FIRST:
                return condition
            if related:
                indexed |= InValues(F(field.attname), related)
        return indexed or Q(pk__in=[])  # no field can match

    def _keyset_pager(self, qs, shown, keep) -> dict:
        """The page of `shown` (qs as its rows show it) at the request's cursor, and the
        capped count of qs."""
        cursor = self.request.GET.get("cursor") or None
        try:
            page = keyset_page(shown, size=self.per_page, cursor=cursor)
        except InvalidCursor:  # an old link after the sort changed: start again
            cursor, page = None, keyset_page(shown, size=self.per_page)
        if cursor and not page.rows:  # the rows past the link were deleted meanwhile
            cursor, page = None, keyset_page(shown, size=self.per_page)
        # Counting stops at the cap: the cost of a count is the rows it reads.
        total = qs.order_by()[:self.count_cap + 1].count()

        def link(token):
            if token is None:
                return None
            q = keep.copy()
            q["cursor"] = token
            return q.urlencode()

        return {
            "rows": page.rows,
            "next": link(page.next_cursor),
            "previous": link(page.previous_cursor),
            "first": keep.urlencode(),
            "at_start": cursor is None,
            "total": min(total, self.count_cap),
            "more": total > self.count_cap,
        }


def redirect_next(request, default):
    """Back to the page the form was on: the POSTed `next` when it is an address on this
    site, else `default` (anything redirect() takes). Never to another host: a crafted
    form must not turn OSP into a link to somewhere else (an open redirect)."""
    target = request.POST.get("next", "")
    if target and not has_null_character(target) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect(default)


def add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, msgs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, msgs)
    else:
        form.add_error(None, error.messages)


def form_page(request, *, form, save, template: str, context: dict, success_message: str):
    """Show `form`; on a valid POST call `save(cleaned_data)` (a service) and redirect to
    the saved record. Service errors come back onto the form; nothing is half-saved."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        except PermissionDenied as e:
            form.add_error(None, str(e))
        except StaleRecord as e:  # someone saved the record after the form was opened
            form.show_conflict(e)
        else:
            messages.success(request, success_message % {"name": obj})
            return redirect(obj)
    return render(request, template, {"form": form, **context})


def delete_page(request, *, obj, success_url: str, consequences: list[str] | None = None,
                delete=record_delete):
    """Ask before deleting; delete (through `delete`, a service) only on POST."""
    if request.method == "POST":
        try:
            delete(obj=obj, user=request.user)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
            return redirect(obj)
        messages.success(request, _("%(name)s was deleted.") % {"name": obj})
        return redirect(success_url)
    return render(request, "confirm_delete.html", {
        "object": obj, "kind": obj._meta.verbose_name, "consequences": consequences or [],
    })


# --- Sections other apps add to a record's page -----------------------------------------
# A record's page may show what apps above its own hold about it: the account page shows
# the account's deals (opportunities) and the deal page its action items (plans). The app
# above registers a section (from its AppConfig.ready()): a template and the function of
# the request and the record that gives the template its `section` context. The page
# renders the sections in the order the apps are installed and never imports them.

@dataclass(frozen=True)
class Section:
    template: str
    context: Callable  # (request, record) -> dict, the template's `section`


_SECTIONS: dict[str, list[Section]] = {}


def register_section(page: str, template: str, context: Callable) -> None:
    _SECTIONS.setdefault(page, []).append(Section(template, context))


def page_sections(page: str, request, record) -> list[dict]:
    """The sections registered for `page`, each {"template", "context"}, for the page's
    template: {% for s in app_sections %}{% include s.template with section=s.context %}. A
    section whose context is None has nothing to show on this record and is left out."""
    drawn = ({"template": s.template, "context": s.context(request, record)}
             for s in _SECTIONS.get(page, []))
    return [section for section in drawn if section["context"] is not None]
