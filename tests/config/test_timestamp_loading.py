"""PostgreSQL `timestamptz` values load through psycopg's own (compiled) loader (`config.postgresql`)
and come out exactly as Django's loader gives them: aware, in UTC, to the microsecond."""

from datetime import UTC, datetime, timedelta, timezone

import psycopg
import pytest
from django.db import DataError, connection
from psycopg.pq import Format

from labeling.models import Response

from ..factories import RecordFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_connection_uses_psycopgs_loader_with_djangos_time_zone():
    connection.ensure_connection()
    oid = psycopg.adapters.types["timestamptz"].oid
    loader = connection.connection.adapters.get_loader(oid, Format.TEXT)
    assert loader.default is psycopg.adapters.get_loader(oid, Format.TEXT)
    assert loader.timezone == connection.timezone == UTC


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-29 01:30:00.123456+02", datetime(2026, 3, 28, 23, 30, 0, 123456, tzinfo=UTC)),
    ("2026-10-25 02:30:00-05:30", datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
    ("1999-12-31 23:59:59.999999+00", datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ("0001-01-01 00:00:00+00", datetime(1, 1, 1, tzinfo=UTC)),
])
def test_timestamps_load_as_aware_utc_datetimes(text, expected):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [text])
        value = cursor.fetchone()[0]
    assert value == expected and value.tzinfo is UTC


def test_a_model_timestamp_round_trips(annotator, dataset):
    submitted = datetime(2026, 11, 26, 23, 59, 59, 654321, tzinfo=timezone(timedelta(hours=-8)))
    response = Response.objects.create(record=RecordFactory(dataset=dataset), user=annotator, values={},
                                       status="submitted", started_at=submitted, submitted_at=submitted)
    stored = Response.objects.get(pk=response.pk)
    assert stored.submitted_at == submitted and stored.submitted_at.tzinfo is UTC
    assert stored.submitted_at.isoformat() == "2026-11-27T07:59:59.654321+00:00"


@pytest.mark.parametrize("text", ["infinity", "-infinity", "0044-03-15 12:00:00 BC"])
def test_timestamps_out_of_pythons_range_fail_as_with_djangos_loader(text):
    with pytest.raises(DataError, match="timestamp too (large|small)"), connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [text])
        cursor.fetchone()
