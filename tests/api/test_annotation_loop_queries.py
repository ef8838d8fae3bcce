"""The annotation loop's SQL budget (DESIGN §8): next record and submit run a fixed, small number of
queries, and the per-request bookkeeping writes (API key use, dataset activity) happen at most once a
minute instead of on every call."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiKey
from labeling.models import Claim, Dataset, Record

from ..factories import RecordFactory, SuggestionFactory

# GET next: API key, dataset with the caller's membership, assigned record or own live claim, locked
# candidate, claim upsert guarded by a recount, suggestions and responses.
NEXT_QUERIES = 6
# PUT response: API key, record with the caller's membership, record lock with the dataset's questions,
# own response and claim, then the writes (response, its history entry, record count and status, claim
# release): one statement on PostgreSQL, four elsewhere.
SUBMIT_QUERIES = 5 if connection.vendor == "postgresql" else 8


def statements(client, method: str, url: str, data=None):
    """The response and the SQL statements it ran; savepoints are left out, as they only appear
    because each test runs inside a transaction."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data, format="json")
    sql = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    return response, sql


@pytest.fixture
def loop(api_client_for, annotator, dataset):
    for _ in range(3):
        SuggestionFactory(record=RecordFactory(dataset=dataset))
    client = api_client_for(annotator)
    client.get("/api/me")  # the key's first use is recorded; later calls within a minute write nothing
    return client


def submit(client, record_id):
    return statements(client, "put", f"/api/records/{record_id}/response/",
                      {"values": {"demonstration": "A kind answer."}, "status": "submitted"})


def test_next_and_submit_run_a_fixed_number_of_queries(loop, dataset):
    Dataset.objects.filter(pk=dataset.pk).update(last_activity_at=timezone.now())

    handed, sql = statements(loop, "get", f"/api/datasets/{dataset.pk}/next/")
    assert handed.status_code == 200
    assert len(sql) == NEXT_QUERIES, "\n".join(sql)
    assert handed.json()["suggestions"], "suggestions are part of the next record"

    again, sql = statements(loop, "get", f"/api/datasets/{dataset.pk}/next/")
    assert again.json()["id"] == handed.json()["id"]
    assert len(sql) == NEXT_QUERIES - 1, "renewing one's own claim skips the locked candidate"

    answer, sql = submit(loop, handed.json()["id"])
    assert answer.status_code == 200
    assert len(sql) == SUBMIT_QUERIES, "\n".join(sql)
    assert not any(s.startswith("UPDATE") and "accounts_apikey" in s for s in sql)
    assert not Claim.objects.filter(record_id=handed.json()["id"]).exists()
    assert Record.objects.get(pk=handed.json()["id"]).status == Record.Status.COMPLETED


def test_updating_a_response_costs_no_extra_query(loop, dataset):
    handed = loop.get(f"/api/datasets/{dataset.pk}/next/").json()
    Dataset.objects.filter(pk=dataset.pk).update(last_activity_at=timezone.now())
    first, _ = statements(loop, "put", f"/api/records/{handed['id']}/response/",
                          {"values": {"demonstration": "draft"}, "status": "draft"})
    assert first.status_code == 200
    answer, sql = submit(loop, handed["id"])
    assert answer.status_code == 200
    assert answer.json()["id"] == first.json()["id"]
    # The draft kept the claim, so the submit deletes it; the existing response is read with the lock's
    # companion statement and updated in place.
    assert len(sql) == SUBMIT_QUERIES, "\n".join(sql)


def test_api_key_use_is_recorded_at_most_once_a_minute(loop, annotator, dataset):
    key = ApiKey.objects.get(user=annotator)
    recorded = key.last_used_at
    assert recorded is not None
    loop.get("/api/me")
    assert ApiKey.objects.get(pk=key.pk).last_used_at == recorded

    ApiKey.objects.filter(pk=key.pk).update(last_used_at=recorded - timedelta(minutes=2))
    loop.get("/api/me")
    assert ApiKey.objects.get(pk=key.pk).last_used_at > recorded - timedelta(minutes=1)


def test_dataset_activity_is_recorded_at_most_once_a_minute(loop, dataset):
    handed = loop.get(f"/api/datasets/{dataset.pk}/next/").json()
    long_ago = timezone.now() - timedelta(minutes=5)
    Dataset.objects.filter(pk=dataset.pk).update(last_activity_at=long_ago)
    answer, sql = submit(loop, handed["id"])
    assert answer.status_code == 200
    assert len(sql) == SUBMIT_QUERIES + 1
    touched = Dataset.objects.get(pk=dataset.pk).last_activity_at
    assert touched > long_ago

    handed = loop.get(f"/api/datasets/{dataset.pk}/next/").json()
    answer, sql = submit(loop, handed["id"])
    assert len(sql) == SUBMIT_QUERIES
    assert Dataset.objects.get(pk=dataset.pk).last_activity_at == touched
