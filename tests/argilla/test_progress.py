"""Metrics (the 1.29 shape), progress and per-user progress (argilla-compat.md §4.3)."""

from ..factories import RecordFactory, ResponseFactory


def test_metrics_count_records_and_the_callers_responses(as_annotator, dataset, annotator, admin):
    records = [RecordFactory(dataset=dataset) for _ in range(3)]
    ResponseFactory(record=records[0], user=annotator, status="submitted")
    ResponseFactory(record=records[1], user=annotator, status="discarded", values={})
    ResponseFactory(record=records[2], user=admin, status="submitted")
    response = as_annotator.get(f"/api/v1/me/datasets/{dataset.pk}/metrics")
    assert response.status_code == 200
    assert response.json() == {
        "records": {"count": 3},
        "responses": {"count": 2, "submitted": 1, "discarded": 1, "draft": 0},
    }


def test_progress(as_admin, dataset):
    RecordFactory(dataset=dataset, status="completed", submitted_count=1)
    RecordFactory(dataset=dataset)
    response = as_admin.get(f"/api/v1/datasets/{dataset.pk}/progress")
    assert response.status_code == 200
    assert response.json() == {"total": 2, "completed": 1, "pending": 1}


def test_users_progress_by_record_and_response_status(as_admin, dataset, annotator):
    done = RecordFactory(dataset=dataset, status="completed", submitted_count=1)
    open_ = RecordFactory(dataset=dataset)
    ResponseFactory(record=done, user=annotator, status="submitted")
    ResponseFactory(record=open_, user=annotator, status="draft", values={})
    body = as_admin.get(f"/api/v1/datasets/{dataset.pk}/users/progress").json()
    assert body == {"users": [{
        "username": "ann",
        "completed": {"submitted": 1, "discarded": 0, "draft": 0},
        "pending": {"submitted": 0, "discarded": 0, "draft": 1},
    }]}


def test_progress_of_another_workspace_is_404(as_outsider, dataset):
    for path in ("progress", "users/progress"):
        assert as_outsider.get(f"/api/v1/datasets/{dataset.pk}/{path}").status_code == 404
    assert as_outsider.get(f"/api/v1/me/datasets/{dataset.pk}/metrics").status_code == 404
