"""The admin write endpoints' SQL budget (DESIGN §8): the role check reuses the membership that the
request's dataset or record lookup read, so it costs no query of its own. Savepoints are left out, as
they only appear because each test runs inside a transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..factories import RecordFactory

# Each budget is the same on SQLite and PostgreSQL; every one was a query higher while the services
# re-read the caller's membership to check the admin role.
# API key, dataset with the caller's membership, the dataset's questions, fields and metadata
# properties, the dataset lock, the records matched by external id, the next ordinal, the insert (COPY
# on PostgreSQL), the suggestions' clean-up and insert, and the dataset's activity.
RECORDS_POST = 12
# API key, record with the caller's membership, the dataset's fields and metadata properties, the
# update, then the record's representation (record, suggestions, responses).
RECORD_PATCH = 8
# API key, dataset with the caller's membership, questions, records by id, the stale suggestions and the insert.
SUGGESTIONS_POST = 6
# API key, dataset with the caller's membership, the dataset lock and update, then its schema (fields,
# questions, metadata properties).
DATASET_PATCH = 7


def statements(client, method: str, url: str, data=None) -> tuple:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data, format="json")
    return response, [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.fixture
def as_admin(api_client_for, admin):
    client = api_client_for(admin)
    client.get("/api/me")  # the key's first use is recorded; later calls within a minute write nothing
    return client


def test_adding_records_runs_a_fixed_number_of_queries(as_admin, dataset):
    RecordFactory(dataset=dataset)
    records = [{"external_id": f"e{i}", "fields": {"prompt": f"p{i}"},
                "suggestions": [{"question": "quality", "value": 3}]} for i in range(3)]
    response, sql = statements(as_admin, "post", f"/api/datasets/{dataset.pk}/records/", {"records": records})
    assert response.status_code == 200, response.content
    assert len(sql) == RECORDS_POST, "\n".join(sql)


def test_changing_a_record_runs_a_fixed_number_of_queries(as_admin, dataset):
    record = RecordFactory(dataset=dataset)
    response, sql = statements(as_admin, "patch", f"/api/records/{record.pk}/", {"metadata": {"category": "a"}})
    assert response.status_code == 200, response.content
    assert len(sql) == RECORD_PATCH, "\n".join(sql)


def test_adding_suggestions_runs_a_fixed_number_of_queries(as_admin, dataset):
    records = [RecordFactory(dataset=dataset) for _ in range(2)]
    suggestions = [{"record_id": str(r.pk), "question": "quality", "value": 4} for r in records]
    response, sql = statements(as_admin, "post", f"/api/datasets/{dataset.pk}/suggestions/",
                               {"suggestions": suggestions})
    assert response.status_code == 200, response.content
    assert len(sql) == SUGGESTIONS_POST, "\n".join(sql)


def test_changing_a_dataset_runs_a_fixed_number_of_queries(as_admin, dataset):
    response, sql = statements(as_admin, "patch", f"/api/datasets/{dataset.pk}/", {"guidelines": "Be kind."})
    assert response.status_code == 200, response.content
    assert len(sql) == DATASET_PATCH, "\n".join(sql)
