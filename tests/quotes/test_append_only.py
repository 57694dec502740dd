"""A written version is history: not even raw SQL changes it on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from opportunities.models import QuoteLine, QuoteVersion
from tests.quotes.conftest import write


@pytest.mark.postgres
@pytest.mark.parametrize("model", [QuoteVersion, QuoteLine])
@pytest.mark.parametrize("sql", ["UPDATE {table} SET id = id", "DELETE FROM {table}"])
def test_the_database_refuses_to_change_a_written_version(people, deal, model, sql):
    write(deal, people.rep_a)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql.format(table=model._meta.db_table))
    assert QuoteVersion.objects.count() == 1 and QuoteLine.objects.count() == 1
