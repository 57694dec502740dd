"""Stage changes, attestations, approval decisions and finance records are append-only."""

import pytest

from opportunities.models import ApprovalDecision, Attestation, FinanceRecord, StageChange


@pytest.fixture
def history(walker):
    walker.to_stage("10")
    return walker.opp


@pytest.mark.parametrize("model", [StageChange, Attestation, ApprovalDecision, FinanceRecord])
def test_rows_cannot_be_changed_or_deleted(history, model):
    row = model.objects.first()
    assert row is not None
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        model.objects.filter(pk=row.pk).update(pk=row.pk)
    with pytest.raises(PermissionError):
        model.objects.all().delete()


@pytest.mark.parametrize("model", [StageChange, Attestation, ApprovalDecision, FinanceRecord])
def test_the_admin_offers_no_way_to_edit_or_delete(history, client, people, model):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    meta = model._meta
    row = model.objects.first()
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    change = client.get(f"{base}{row.pk}/change/")
    assert change.status_code == 200
    assert 'type="submit"' not in change.content.decode().split('id="content-main"')[1]
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def test_withdrawing_is_a_new_row_never_a_deletion(walker, people):
    from opportunities import selling_cycle as cycle

    walker.attest("2.project_initiated")
    cycle.criterion_withdraw(opportunity=walker.opp, user=people.rep_a,
                             code="2.project_initiated", note="was premature")
    rows = list(Attestation.objects.values_list("action", flat=True))
    assert rows == ["attest", "withdraw"]


def test_the_api_has_no_way_to_delete_history(history, api, people):
    client = api(people.admin)
    assert client.delete(f"/api/v1/opportunities/{history.pk}/history/").status_code == 405
    assert client.get(f"/api/v1/opportunities/{history.pk}/history/").status_code == 200


def test_the_page_shows_the_history_as_a_timeline(history, browser, people):
    html = browser(people.rep_a).get(history.get_absolute_url()).content.decode()
    assert 'class="timeline"' in html
    assert html.count('class="t-stage"') == 10
