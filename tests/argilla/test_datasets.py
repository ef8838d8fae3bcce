"""Datasets and Argilla's draft → settings → publish lifecycle (argilla-compat.md §4.3, §5)."""

import uuid

from labeling.models import Dataset

from ..factories import DatasetFactory, RecordFactory, ResponseFactory
from .conftest import assert_shape

DATASET_KEYS = ("id", "name", "guidelines", "allow_extra_metadata", "status", "distribution", "workspace_id",
                "last_activity_at", "inserted_at", "updated_at")


def _draft(client, workspace, name="draft-set"):
    return client.post("/api/v1/datasets", {"name": name, "workspace_id": str(workspace.pk)}).json()


def test_my_datasets_lists_only_visible_datasets(as_annotator, as_owner, dataset, other_dataset, workspace):
    DatasetFactory(workspace=workspace, name="hidden draft", status="draft")
    response = as_annotator.get("/api/v1/me/datasets")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [d["name"] for d in items] == ["demo"]
    assert_shape(items[0], ids=("id", "workspace_id"), keys=DATASET_KEYS)
    assert len(as_owner.get("/api/v1/me/datasets").json()["items"]) == 3
    filtered = as_owner.get("/api/v1/me/datasets", workspace_id=str(other_dataset.workspace_id)).json()["items"]
    assert [d["name"] for d in filtered] == ["theirs"]


def test_create_is_201_draft_with_default_distribution(as_admin, workspace):
    response = as_admin.post("/api/v1/datasets", {
        "name": "my-dataset", "workspace_id": str(workspace.pk), "allow_extra_metadata": True,
        "guidelines": "Write the ideal answer.",
    })
    assert response.status_code == 201
    body = response.json()
    assert_shape(body, ids=("id", "workspace_id"), keys=DATASET_KEYS)
    assert body["status"] == "draft"
    assert body["distribution"] == {"strategy": "overlap", "min_submitted": 1}
    assert body["guidelines"] == "Write the ideal answer."


def test_create_errors(as_admin, as_annotator, as_outsider, workspace, dataset):
    body = {"name": "demo", "workspace_id": str(workspace.pk)}
    assert as_admin.post("/api/v1/datasets", body).status_code == 409
    assert as_admin.post("/api/v1/datasets", {**body, "name": "bad.name"}).status_code == 422
    assert as_admin.post("/api/v1/datasets", {**body, "workspace_id": str(uuid.uuid4())}).status_code == 404
    assert as_outsider.post("/api/v1/datasets", {**body, "name": "x"}).status_code == 404
    assert as_annotator.post("/api/v1/datasets", {**body, "name": "x"}).status_code == 403
    assert Dataset.objects.filter(workspace=workspace).count() == 1


def test_get_is_200_and_404_for_other_workspaces(as_annotator, dataset, other_dataset):
    assert as_annotator.get(f"/api/v1/datasets/{dataset.pk}").json()["name"] == "demo"
    assert as_annotator.get(f"/api/v1/datasets/{other_dataset.pk}").status_code == 404
    assert as_annotator.get(f"/api/v1/datasets/{uuid.uuid4()}").status_code == 404


def test_patch_maps_distribution_to_min_submitted(as_admin, dataset):
    response = as_admin.patch(f"/api/v1/datasets/{dataset.pk}", {
        "id": str(dataset.pk), "name": "demo", "guidelines": "New rules.", "allow_extra_metadata": False,
        "distribution": {"strategy": "overlap", "min_submitted": 2},
    })
    assert response.status_code == 200
    body = response.json()
    assert (body["guidelines"], body["allow_extra_metadata"], body["distribution"]["min_submitted"]) == (
        "New rules.", False, 2
    )
    dataset.refresh_from_db()
    assert dataset.min_submitted == 2


def test_patch_recomputes_record_status(as_admin, dataset, annotator):
    record = RecordFactory(dataset=dataset, submitted_count=1, status="completed")
    ResponseFactory(record=record, user=annotator)
    as_admin.patch(f"/api/v1/datasets/{dataset.pk}", {"distribution": {"strategy": "overlap", "min_submitted": 2}})
    record.refresh_from_db()
    assert record.status == "pending"


def test_patch_errors(as_admin, as_annotator, dataset):
    for body in ({"name": None}, {"distribution": None}, {"distribution": {"strategy": "other"}},
                 {"distribution": {"strategy": "overlap", "min_submitted": 0}}):
        assert as_admin.patch(f"/api/v1/datasets/{dataset.pk}", body).status_code == 422, body
    assert as_annotator.patch(f"/api/v1/datasets/{dataset.pk}", {"guidelines": "x"}).status_code == 403


def test_delete_answers_200_with_the_dataset_even_for_drafts(as_admin, workspace, dataset):
    draft = _draft(as_admin, workspace)
    response = as_admin.delete(f"/api/v1/datasets/{draft['id']}")
    assert response.status_code == 200 and response.json()["id"] == draft["id"]
    RecordFactory(dataset=dataset)
    assert as_admin.delete(f"/api/v1/datasets/{dataset.pk}").json()["name"] == "demo"
    assert not Dataset.objects.exists()


def test_annotators_cannot_delete(as_annotator, dataset):
    assert as_annotator.delete(f"/api/v1/datasets/{dataset.pk}").status_code == 403


def test_publish_lifecycle(as_admin, workspace):
    draft = _draft(as_admin, workspace)
    publish = f"/api/v1/datasets/{draft['id']}/publish"
    assert as_admin.put(publish).status_code == 422  # no fields yet
    as_admin.post(f"/api/v1/datasets/{draft['id']}/fields",
                  {"name": "prompt", "title": "Prompt", "required": True, "settings": {"type": "text"}})
    assert as_admin.put(publish).status_code == 422  # no required question
    as_admin.post(f"/api/v1/datasets/{draft['id']}/questions",
                  {"name": "demonstration", "title": "Answer", "required": True, "settings": {"type": "text"}})
    response = as_admin.put(publish)
    assert response.status_code == 200 and response.json()["status"] == "ready"
    assert as_admin.put(publish).status_code == 422  # already published
