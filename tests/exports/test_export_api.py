"""/api/exports/: start, list, read and download exports; isolation and errors (DESIGN §5, §9)."""

import pytest
from celery import current_app

from exports.models import ExportJob


@pytest.fixture
def answered(dataset, labelers, add_records, answer):
    (record,) = add_records(dataset, ["What is 2+2?"])
    answer(labelers[0], record, demonstration="4")
    return record


def start(client, datasets, format="sft-messages", **options):
    return client.post("/api/exports/", {"datasets": [str(d.pk) for d in datasets], "format": format, "options": options},
                       format="json")


def test_start_read_and_download(admin, dataset, answered, api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, [dataset])
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    body = client.get(f"/api/exports/{job_id}/").json()
    assert body["status"] == "succeeded" and body["row_count"] == 1 and body["files"] == ["data", "report"]
    assert body["progress"] == {"done": 1, "total": 1}
    assert body["datasets"] == [{"id": str(dataset.pk), "name": "demo", "workspace": "acme"}]

    download = client.get(f"/api/exports/{job_id}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/x-ndjson"
    assert download["Content-Disposition"] == 'attachment; filename="sft-messages.jsonl"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b'"content": "4"' in b"".join(download.streaming_content)

    report = client.get(f"/api/exports/{job_id}/download/?file=report")
    assert report["Content-Type"] == "application/json" and report["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/api/exports/{job_id}/download/?file=../../etc").status_code == 404

    listing = client.get("/api/exports/").json()
    assert [j["id"] for j in listing["results"]] == [job_id]


def test_list_runs_a_constant_number_of_queries(admin, dataset, answered, api_client_for, django_assert_max_num_queries):
    from exports.services import export_jobs

    for _ in range(3):
        export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="csv", enqueue=False)
    client = api_client_for(admin)
    client.get("/api/exports/")  # warm the key lookup's caches
    with django_assert_max_num_queries(6) as small:
        assert len(client.get("/api/exports/?page_size=1").json()["results"]) == 1
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/exports/?page_size=3").json()["results"]) == 3


def test_other_workspaces_exports_are_not_found(admin, outsider, dataset, other_dataset, answered, api_client_for,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = start(api_client_for(admin), [dataset]).json()["id"]
    intruder = api_client_for(outsider)
    assert intruder.get(f"/api/exports/{job_id}/").status_code == 404
    assert intruder.get(f"/api/exports/{job_id}/download/").status_code == 404
    assert intruder.get("/api/exports/").json()["results"] == []
    response = start(intruder, [dataset])
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert ExportJob.objects.count() == 1


def test_annotators_cannot_export(annotator, dataset, api_client_for):
    response = start(api_client_for(annotator), [dataset])
    assert response.status_code == 403 and ExportJob.objects.count() == 0


def test_a_job_spanning_a_dataset_the_reader_does_not_administer_is_hidden(owner, admin, dataset, other_dataset,
                                                                           api_client_for):
    from exports.services import export_jobs

    job = export_jobs.export_job_create(actor=owner, dataset_ids=[dataset.pk, other_dataset.pk], format="csv", enqueue=False)
    assert api_client_for(admin).get(f"/api/exports/{job.pk}/").status_code == 404
    assert api_client_for(owner).get(f"/api/exports/{job.pk}/").status_code == 200


def test_download_before_success_is_a_conflict(admin, dataset, api_client_for):
    from exports.services import export_jobs

    job = export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk], format="csv", enqueue=False)
    response = api_client_for(admin).get(f"/api/exports/{job.pk}/download/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "export_not_ready"


def test_bad_body_gets_the_error_shape(admin, dataset, api_client_for):
    response = api_client_for(admin).post("/api/exports/", {"datasets": [], "format": "xlsx"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid" and "format" in response.json()["error"]["details"]
    response = start(api_client_for(admin), [dataset], colour="red")
    assert response.status_code == 400 and "Unknown export option" in response.json()["error"]["message"]


def _forget_broker_connections():
    """Make Celery connect anew with the current broker_url (it caches its connection pools)."""
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_queue_down_answers_503_and_marks_the_job_failed(admin, dataset, api_client_for):
    """With real commits (no test transaction), the job is enqueued inside the request, as in production."""
    conf = current_app.conf
    saved = conf.task_always_eager, conf.broker_url
    # Nothing listens on port 1: the connection is refused at once, as with Redis stopped.
    conf.task_always_eager, conf.broker_url = False, "redis://127.0.0.1:1/0"
    _forget_broker_connections()
    try:
        response = start(api_client_for(admin), [dataset])
    finally:
        conf.task_always_eager, conf.broker_url = saved
        _forget_broker_connections()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "queue_unavailable"
    job = ExportJob.objects.get()
    assert job.status == "failed" and "queue is unavailable" in job.error
