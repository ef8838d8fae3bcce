"""`config.rows` runs its statements through one reused psycopg cursor per PostgreSQL connection,
with the checks and error translation of Django's own cursors."""

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.transaction import TransactionManagementError

from accounts.models import Workspace
from config import rows

from ..factories import WorkspaceFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_statements_share_one_cursor_per_connection():
    assert rows.fetch_one("SELECT %s::int", [1]) == (1,)
    first = connection.statement_cursor()
    assert first.statusmessage == "SELECT 1"
    assert rows.fetch_all("SELECT g FROM generate_series(1, %s) g", [3]) == [(1,), (2,), (3,)]
    assert connection.statement_cursor() is first and first.statusmessage == "SELECT 3"


def test_a_new_connection_gets_a_new_cursor():
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        before = other.statement_cursor()
        other.close()
        other.connect()
        after = other.statement_cursor()
        assert after is not before and after.connection is other.connection
        after.execute("SELECT 1")
        assert after.fetchone() == (1,)
    finally:
        other.close()


def test_database_errors_are_djangos_and_the_connection_stays_usable():
    workspace = WorkspaceFactory(name="taken")
    insert = f"INSERT INTO {Workspace._meta.db_table} (id, name, inserted_at, updated_at) VALUES (%s, %s, now(), now())"
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.execute(insert, [rows.pk_param(Workspace, workspace.pk), "taken"])
    assert rows.fetch_one("SELECT %s::text", ["still here"]) == ("still here",)


def test_a_broken_transaction_refuses_statements_as_the_orm_does():
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            rows.execute(f"INSERT INTO {Workspace._meta.db_table} (id) VALUES (%s)", [None])
        with pytest.raises(TransactionManagementError):
            rows.fetch_one("SELECT %s::int", [1])
        with pytest.raises(TransactionManagementError):
            Workspace.objects.count()


def test_logged_statements_run_the_same_prepared_path_and_are_counted(django_assert_num_queries):
    """DEBUG and query-counting tests run what production runs: the reused cursor, prepared statements."""
    rows.fetch_one("SELECT %s::int", [1])
    cursor = connection.statement_cursor()
    marker = "SELECT %s::text AS logged_statement_marker"
    with django_assert_num_queries(2) as captured:
        assert rows.fetch_one(marker, ["here"]) == ("here",)
        rows.execute("SELECT %s::int", [2])
    assert connection.statement_cursor() is cursor and cursor.statusmessage == "SELECT 1"
    assert captured.captured_queries[0]["sql"] == "SELECT 'here'::text AS logged_statement_marker"
    assert float(captured.captured_queries[1]["time"]) >= 0
    with connection.cursor() as plain:
        plain.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                      ["%logged_statement_marker%"])
        assert plain.fetchone() == (1,)


def test_logged_statements_that_fail_are_logged_and_translated(django_assert_num_queries):
    with pytest.raises(IntegrityError), transaction.atomic(), django_assert_num_queries(1) as captured:
        rows.execute(f"INSERT INTO {Workspace._meta.db_table} (id) VALUES (%s)", [None])
    assert captured.captured_queries[0]["sql"].endswith("VALUES (NULL)")
