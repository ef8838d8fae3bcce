from ..factories import RecordFactory, ResponseFactory


def test_admin_reads_progress(api_client_for, admin, annotator, dataset):
    done, _ = RecordFactory(dataset=dataset, status="completed"), RecordFactory(dataset=dataset)
    ResponseFactory(record=done, user=annotator, status="submitted")
    body = api_client_for(admin).get(f"/api/datasets/{dataset.pk}/progress/").json()
    assert body["records"] == {"total": 2, "completed": 1, "pending": 1}
    assert body["responses"] == {"draft": 0, "submitted": 1, "discarded": 0}
    assert [(a["username"], a["submitted"], a["remaining"]) for a in body["annotators"]] == [("ann", 1, 1)]


def test_annotators_may_not_read_progress(api_client_for, annotator, dataset):
    response = api_client_for(annotator).get(f"/api/datasets/{dataset.pk}/progress/")
    assert response.status_code == 403
