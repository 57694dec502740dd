"""Time stamps read back from PostgreSQL (Django's own psycopg loaders) are the moments
that were written, to the microsecond and in Django's UTC, whatever offset the database
wrote them with."""

import datetime

import pytest
from django.db import connection

VALUES = ["2026-11-28 04:11:06.481411+00", "2026-11-28 04:11:06+00",
          "2026-01-01 10:00:00.5+08", "2026-03-29 01:30:00-05:30", "0001-01-01 00:00:00+00",
          "9999-12-31 23:59:59.999999+00", "2024-02-29 12:00:00+00"]


@pytest.fixture
def postgres(on_postgres, db):
    if not on_postgres:
        pytest.skip("PostgreSQL only (psycopg 3's loaders)")
    connection.ensure_connection()
    return connection


def test_time_stamps_read_as_utc_datetimes(postgres):
    with postgres.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["%s::timestamptz"] * len(VALUES)), VALUES)
        read = cursor.fetchone()
    assert all(d.tzinfo is datetime.UTC for d in read)
    assert read[0] == datetime.datetime(2026, 11, 28, 4, 11, 6, 481411, tzinfo=datetime.UTC)
    assert read[2] == datetime.datetime(2026, 1, 1, 2, 0, 0, 500000, tzinfo=datetime.UTC)
    assert read[3] == datetime.datetime(2026, 3, 29, 7, 0, tzinfo=datetime.UTC)
    assert read[4] == datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
    assert read[5] == datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)


def test_a_saved_moment_reads_back_unchanged(postgres, people):
    moment = datetime.datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    people.rep_a.date_joined = moment
    people.rep_a.save(update_fields=["date_joined"])
    people.rep_a.refresh_from_db()
    assert people.rep_a.date_joined == moment
