"""Hardening: login throttling, the content security policy the pages satisfy, upload
limits, and errors that never show a stack trace."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import path
from django.utils import timezone

from accounts.models import PartnerType
from opportunities import selling_cycle as cycle
from opportunities.models import Attestation, Product
from opportunities.quotes import quote_version_create
from plans.services import plan_create
from tests.factories import (
    AccountFactory,
    ContactFactory,
    OpportunityFactory,
    PartnerFactory,
    TerritoryFactory,
)

# --- Login throttling ---------------------------------------------------------------


def _sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_repeated_wrong_passwords_pause_sign_in_with_a_clear_page(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _sign_in(client, "rep_a", "wrong")
        assert response.status_code == 200  # the form again, with its error
        assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content
    locked = _sign_in(client, "rep_a", "wrong")
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert b"Try again in 15 minutes" in locked.content
    # Even the right password is refused now, so guessing on cannot succeed ...
    assert _sign_in(client, "rep_a", "pw").status_code == 429
    assert "_auth_user_id" not in client.session
    # ... while other people sign in as usual.
    assert _sign_in(Client(), "rep_b", "pw").status_code == 302


def test_the_lockout_page_speaks_chinese(people, settings):
    client = Client(headers={"accept-language": "zh-hans"})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _sign_in(client, "rep_a", "wrong")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_a_successful_sign_in_resets_the_count(people, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "rep_a", "wrong")
    assert _sign_in(client, "rep_a", "pw").status_code == 302
    client.post("/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "rep_a", "wrong")
    assert _sign_in(client, "rep_a", "pw").status_code == 302


# --- Content security policy --------------------------------------------------------


class _InlineCode(HTMLParser):
    """Collects everything a strict CSP (no 'unsafe-inline') would block."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self._in_script = True
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> attribute")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.fixture
def populated(people):
    territory = TerritoryFactory(name="East", owner=people.rep_a)
    account = AccountFactory(name="Acme", owner=people.rep_a, territory=territory)
    contact = ContactFactory(account=account, last_name="Li")
    partner = PartnerFactory(name="Jade", type=PartnerType.RESELLER, owner=people.rep_a)
    opportunity = OpportunityFactory(name="Acme CRM", account=account)
    plan = plan_create(user=people.rep_a, kind="account", subject=account)
    product = Product.objects.create(code="CORE", name_en="Core licence", name_zh="核心许可",
                                     list_price=1000, currency="USD")
    for quantity in (2, 3):  # two versions: the versions page compares them
        quote_version_create(opportunity=opportunity, user=people.rep_a,
                             lines=[{"product": product, "quantity": quantity}],
                             valid_until=timezone.localdate())
    return {"territory": territory, "account": account, "contact": contact,
            "partner": partner, "opportunity": opportunity, "plan": plan}


def _pages(p):
    return [
        "/", "/opportunities/", "/opportunities/board/", f"/opportunities/{p['opportunity'].pk}/",
        f"/opportunities/{p['opportunity'].pk}/edit/", "/accounts/",
        f"/accounts/{p['account'].pk}/", "/contacts/", f"/contacts/{p['contact'].pk}/",
        "/partners/", f"/partners/{p['partner'].pk}/", "/territories/",
        f"/territories/{p['territory'].pk}/", "/forecast/", "/plans/",
        f"/plans/{p['plan'].pk}/", f"/plans/{p['plan'].pk}/edit/", "/approvals/",
        "/finance/", "/notifications/", f"/opportunities/{p['opportunity'].pk}/delete/",
        "/no-such-page/", "/api/v1/docs/",
        *(f"/opportunities/{p['opportunity'].pk}/{tail}"
          for tail in ("quote/", "quote/new/", "quote/2/", "quote/1/")),
    ]


def test_every_page_satisfies_the_content_security_policy(populated, people):
    client = Client()
    client.force_login(people.admin)
    pages = [(f"anonymous {url}", Client().get(url)) for url in ("/login/", "/admin/login/")]
    pages += [(url, client.get(url)) for url in _pages(populated)]
    for label, response in pages:
        assert response.status_code in (200, 404), (label, response.status_code)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, label
        assert "style-src 'self'" in policy and "frame-ancestors 'none'" in policy, label
        parser = _InlineCode()
        parser.feed(response.content.decode())
        assert parser.problems == [], (label, parser.problems)


def test_htmx_is_told_not_to_inject_its_own_styles(people):
    client = Client()
    client.force_login(people.rep_a)
    html = client.get("/").content.decode()
    assert re.search(r'name="htmx-config" content=\'\{[^}]*"includeIndicatorStyles": false',
                     html)


# --- Uploaded evidence ----------------------------------------------------------------


@pytest.fixture
def attestable(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    account = AccountFactory(owner=people.rep_a)
    contact = ContactFactory(account=account)
    return OpportunityFactory(account=account), contact


def _attest(opportunity, contact, upload, user):
    return cycle.criterion_attest(opportunity=opportunity, user=user,
                                  code="2.project_initiated", note="minutes", contact=contact,
                                  evidence_file=upload)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("minutes.pdf", b"MZ\x90\x00 an executable renamed", "not a .pdf file"),
    ("photo.png", b"<html><script>alert(1)</script>", "not a .png file"),
    ("notes.txt", b"text\x00with binary", "not a .txt file"),
    ("page.html", b"<html></html>", "are not accepted"),
    ("noextension", b"%PDF-1.4", "are not accepted"),
])
def test_evidence_whose_content_or_type_is_wrong_is_refused(attestable, people, name,
                                                            content, message):
    from django.core.exceptions import ValidationError

    opportunity, contact = attestable
    with pytest.raises(ValidationError) as refused:
        _attest(opportunity, contact, SimpleUploadedFile(name, content), people.rep_a)
    assert message in str(refused.value.message_dict["evidence_file"])
    assert not Attestation.objects.exists()


def test_evidence_over_the_size_limit_is_refused_and_nothing_is_kept(attestable, people,
                                                                     settings, tmp_path):
    settings.OSP_UPLOAD_MAX_MB = 1
    opportunity, contact = attestable
    big = SimpleUploadedFile("deck.pdf", b"%PDF-1.7" + b"0" * (1024 * 1024))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        _attest(opportunity, contact, big, people.rep_a)
    assert "at most 1 MB" in str(refused.value.message_dict["evidence_file"])
    assert not Attestation.objects.exists()
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.pdf"))


@pytest.mark.parametrize(("name", "content"), [
    ("minutes.pdf", b"%PDF-1.4 minutes"), ("scan.jpg", b"\xff\xd8\xff\xe0 jpeg"),
    ("deck.pptx", b"PK\x03\x04 zip"), ("mail.eml", b"From: a@b.c\r\nSubject: yes"),
])
def test_real_documents_are_kept_outside_the_web_root(attestable, people, settings, name,
                                                      content):
    opportunity, contact = attestable
    attestation = _attest(opportunity, contact, SimpleUploadedFile(name, content), people.rep_a)
    stored = settings.MEDIA_ROOT / attestation.evidence_file.name
    assert stored.read_bytes() == content
    assert not str(stored).startswith(str(settings.STATIC_ROOT))
    # There is no URL for the media folder: only the checked evidence view serves it.
    client = Client()
    client.force_login(people.rep_a)
    assert client.get(f"/media/{attestation.evidence_file.name}").status_code == 404


def test_the_browser_form_shows_the_upload_error(attestable, people):
    opportunity, contact = attestable
    client = Client()
    client.force_login(people.rep_a)
    response = client.post(f"/opportunities/{opportunity.pk}/attest/", {
        "criterion": "2.project_initiated", "note": "minutes", "contact": contact.pk,
        "evidence_file": SimpleUploadedFile("minutes.pdf", b"not a pdf")}, follow=True)
    assert "not a .pdf file" in response.content.decode()
    assert not Attestation.objects.exists()


# --- Errors ---------------------------------------------------------------------------


def _boom(request):
    raise RuntimeError("secret internals: password=hunter2")


urlpatterns = [path("boom/", _boom), path("api/v1/boom/", _boom)]
handler500 = "osp.views.server_error"


@pytest.mark.urls(__name__)
def test_an_unexpected_error_shows_a_reference_never_a_stack_trace(settings, db):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    page = client.get("/boom/", headers={"x-request-id": "req-123"})
    assert page.status_code == 500
    body = page.content.decode()
    assert "Something went wrong on our side" in body and "req-123" in body
    assert "Traceback" not in body and "hunter2" not in body and "RuntimeError" not in body
    api = client.get("/api/v1/boom/", headers={"x-request-id": "req-456"})
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert api.json()["request_id"] == "req-456"
    assert "hunter2" not in api.content.decode()
