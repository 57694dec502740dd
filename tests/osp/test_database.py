"""osp/database.py: time stamps read through psycopg's C loader come back exactly as
Django's own loader gives them."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from osp import database

VALUES = ["2026-11-28 04:11:06.481411+00", "2026-11-28 04:11:06+00",
          "2026-01-01 10:00:00.5+08", "2026-03-29 01:30:00-05:30", "0001-01-01 00:00:00+00",
          "9999-12-31 23:59:59.999999+00", "2024-02-29 12:00:00+00"]


@pytest.fixture
def postgres(on_postgres, db):
    if not on_postgres:
        pytest.skip("PostgreSQL only (psycopg 3's loaders)")
    connection.ensure_connection()
    return connection


def _read(cursor):
    cursor.execute("SELECT " + ", ".join(["%s::timestamptz"] * len(VALUES)), VALUES)
    return cursor.fetchone()


def test_the_connection_reads_time_stamps_with_the_c_loader(postgres):
    if database._C_LOADER is None:
        pytest.skip("psycopg without its C module: Django's loader stays")
    loader = postgres.connection.adapters.get_loader(
        psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT)
    assert issubclass(loader, database.TimestamptzLoader)
    assert loader.timezone == postgres.timezone  # so Django's create_cursor keeps it


def test_the_same_datetimes_as_djangos_loader(postgres):
    with postgres.cursor() as cursor:
        ours = _read(cursor)
    with postgres.cursor() as cursor:
        register_tzloader(postgres.timezone, cursor.cursor)  # Django's, on this cursor
        django = _read(cursor)
    assert ours == django
    assert [d.tzinfo for d in ours] == [d.tzinfo for d in django]
    assert all(d.tzinfo is datetime.UTC for d in ours)
    assert ours[2] == datetime.datetime(2026, 1, 1, 2, 0, 0, 500000, tzinfo=datetime.UTC)


def test_a_saved_moment_reads_back_unchanged(postgres, people):
    moment = datetime.datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    people.rep_a.date_joined = moment
    people.rep_a.save(update_fields=["date_joined"])
    people.rep_a.refresh_from_db()
    assert people.rep_a.date_joined == moment
