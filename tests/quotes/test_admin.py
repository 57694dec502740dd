"""The price book in the admin; quote versions there are read-only."""

from decimal import Decimal

from opportunities.models import Product
from tests.quotes.conftest import write


def test_the_price_book_is_searched_filtered_and_priced_in_the_list(people, deal, client):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    page = client.get("/admin/opportunities/product/?q=一体机&is_active__exact=1")
    assert page.status_code == 200
    html = page.content.decode()
    assert "HW-X8" in html and "CORE-ENT" not in html
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3", "_save": "Save"}
    for n, product in enumerate(Product.objects.order_by("code")):
        data.update({f"form-{n}-id": product.pk, f"form-{n}-list_price": product.list_price,
                     f"form-{n}-is_active": "on" if product.is_active else ""})
    data["form-0-list_price"] = "12500"  # CORE-ENT, first by code
    assert client.post("/admin/opportunities/product/", data).status_code == 302
    assert Product.objects.get(code="CORE-ENT").list_price == Decimal("12500")


def test_quote_versions_are_shown_and_never_changed_in_the_admin(people, deal, client):
    version = write(deal, people.rep_a)
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    assert client.get(f"/admin/opportunities/quoteversion/{version.pk}/change/"
                      ).status_code == 200
    assert client.get("/admin/opportunities/quoteversion/add/").status_code == 403
    assert client.post(f"/admin/opportunities/quoteversion/{version.pk}/delete/",
                       {"post": "yes"}).status_code == 403


def test_a_price_needs_a_currency_the_books_can_convert(db, catalogue):
    import pytest
    from django.core.exceptions import ValidationError

    product = Product(code="JP-1", name_en="Tokyo support", list_price=1, currency="jpy")
    with pytest.raises(ValidationError) as e:
        product.full_clean()
    assert "no exchange rate for JPY" in e.value.message_dict["currency"][0]
    product.currency = "cny"
    product.full_clean()
    assert product.currency == "CNY"
