"""A persistent PostgreSQL connection is checked at the start of each request without a round trip
(`config.postgresql`): a connection the server ended is replaced, a live one is kept."""

import time

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def persistent():
    """A second connection to the test database, as a gunicorn thread holds one between requests."""
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def test_a_live_connection_passes_without_a_round_trip(persistent):
    with persistent.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    backend = persistent.connection.info.backend_pid

    persistent.health_check_done = False
    persistent.close_if_health_check_failed()

    assert persistent.connection is not None and persistent.connection.info.backend_pid == backend
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [backend])
        assert cursor.fetchone()[0] == "SELECT 'the last statement'", "the check sent a statement"


def test_a_connection_the_server_ended_is_replaced(persistent):
    backend = persistent.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    _wait_until(lambda: not persistent.is_usable())

    persistent.health_check_done = False
    persistent.close_if_health_check_failed()
    with persistent.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != backend


def test_a_connection_that_just_ran_a_statement_stays_usable(persistent):
    with persistent.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchall()
    assert persistent.is_usable()


def _wait_until(condition, *, seconds: float = 5.0) -> None:
    """The server's goodbye reaches the socket a moment after the backend is told to end."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the terminated connection still looked usable"
        time.sleep(0.02)
