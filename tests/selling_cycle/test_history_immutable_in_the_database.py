"""The history is append-only below the application too (issue #15, §4b): raw SQL
cannot change or delete a stage change, a confirmation, an approval decision, a finance
record or a Go decision on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from opportunities.models import (
    ApprovalDecision,
    ApprovalRequest,
    Attestation,
    FinanceRecord,
    GoDecision,
    StageChange,
)
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.postgres


@pytest.fixture
def history(people):
    deal = OpportunityFactory(account=AccountFactory(owner=people.rep_a))
    contact = ContactFactory(account=deal.account, first_name="Li", last_name="Ming")
    request = ApprovalRequest.objects.create(opportunity=deal, kind="opportunity_plan",
                                             requested_by=people.rep_a,
                                             approver=people.manager_a)
    return {
        StageChange: StageChange.objects.create(opportunity=deal, from_stage="lead",
                                                to_stage="2", how="person", by=people.rep_a),
        Attestation: Attestation.objects.create(opportunity=deal, criterion="2.x",
                                                action="attest", by=people.rep_a,
                                                contact=contact, contact_name="Li Ming",
                                                occurred_on=deal.created_at.date(),
                                                note="CIO confirmed the budget"),
        ApprovalDecision: ApprovalDecision.objects.create(request=request,
                                                          decision="approve",
                                                          by=people.manager_a),
        FinanceRecord: FinanceRecord.objects.create(opportunity=deal, kind="payment",
                                                    by=people.finance, reference="R-1",
                                                    received_on=deal.created_at.date()),
        GoDecision: GoDecision.objects.create(opportunity=deal, step=2, by=people.rep_a,
                                              rationale="Budget and a sponsor"),
    }


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("model", [StageChange, Attestation, ApprovalDecision, FinanceRecord,
                                   GoDecision])
def test_raw_sql_cannot_update_or_delete_the_history(history, model):
    row = history[model]
    table = connection.ops.quote_name(model._meta.db_table)
    for sql in (f"UPDATE {table} SET by_id = by_id WHERE id = %s",
                f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(sql, [row.pk])
    assert model.objects.filter(pk=row.pk).exists()


def test_new_rows_are_still_written(history, people):
    deal = history[StageChange].opportunity
    StageChange.objects.create(opportunity=deal, from_stage="2", to_stage="3", how="person",
                               by=people.rep_a)
    assert StageChange.objects.filter(opportunity=deal).count() == 2


def test_deleting_a_contact_keeps_the_confirmation_and_its_name(history):
    confirmation = history[Attestation]
    table = connection.ops.quote_name(Attestation._meta.db_table)
    with pytest.raises(DatabaseError, match="append-only"):  # only a NULL, nothing else
        _raw(f"UPDATE {table} SET contact_id = NULL, note = 'x' WHERE id = %s",
             [confirmation.pk])
    confirmation.contact.delete()  # ON DELETE SET NULL: the one change allowed
    fresh = Attestation.objects.get(pk=confirmation.pk)
    assert (fresh.contact_id, fresh.contact_name) == (None, "Li Ming")
