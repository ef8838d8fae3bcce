from labeling.models import Dataset, Question

from ..factories import DatasetFactory
from .conftest import error_of

SFT = {
    "name": "sft",
    "guidelines": "Write the **ideal** answer.",
    "fields": [{"name": "prompt", "title": "Prompt"}],
    "questions": [
        {"name": "demonstration", "type": "text"},
        {"name": "quality", "type": "rating", "required": False,
         "settings": {"options": [{"value": v} for v in range(1, 6)]}},
    ],
    "metadata_properties": [{"name": "topic", "type": "terms"}],
}


def test_admin_creates_a_dataset_with_its_schema_and_publishes_it(api_client_for, admin, workspace):
    client = api_client_for(admin)
    created = client.post("/api/datasets/", {**SFT, "workspace": str(workspace.pk)}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert [q["name"] for q in body["questions"]] == ["demonstration", "quality"]
    assert body["metadata_properties"][0]["name"] == "topic"
    published = client.post(f"/api/datasets/{body['id']}/publish/")
    assert published.json()["status"] == "ready"


def test_invalid_schema_writes_nothing(api_client_for, admin, workspace):
    bad = {**SFT, "workspace": str(workspace.pk),
           "questions": [{"name": "quality", "type": "rating", "settings": {"options": []}}]}
    response = api_client_for(admin).post("/api/datasets/", bad, format="json")
    assert response.status_code == 400
    assert "quality" in error_of(response)["message"]
    assert not Dataset.objects.exists() and not Question.objects.exists()


def test_nested_undeclared_keys_are_refused(api_client_for, admin, workspace):
    bad = {**SFT, "workspace": str(workspace.pk), "fields": [{"name": "prompt", "dataset": "x"}]}
    response = api_client_for(admin).post("/api/datasets/", bad, format="json")
    assert response.status_code == 400
    assert "dataset" in str(error_of(response)["details"])
    assert not Dataset.objects.exists()


def test_status_cannot_be_patched(api_client_for, admin, dataset):
    dataset.status = "draft"
    dataset.save()
    response = api_client_for(admin).patch(f"/api/datasets/{dataset.pk}/", {"status": "ready"}, format="json")
    assert response.status_code == 400
    dataset.refresh_from_db()
    assert dataset.status == "draft"


def test_annotator_reads_ready_datasets_but_cannot_change_them(api_client_for, annotator, dataset, workspace):
    draft = DatasetFactory(workspace=workspace, name="wip", status="draft")
    client = api_client_for(annotator)
    assert [d["name"] for d in client.get("/api/datasets/").json()["results"]] == ["demo"]
    assert client.get(f"/api/datasets/{draft.pk}/").status_code == 404
    assert client.patch(f"/api/datasets/{dataset.pk}/", {"guidelines": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/datasets/{dataset.pk}/").status_code == 403
    assert client.post(f"/api/datasets/{dataset.pk}/publish/").status_code == 403
    response = client.post("/api/datasets/", {**SFT, "workspace": str(workspace.pk)}, format="json")
    assert response.status_code == 403
    dataset.refresh_from_db()
    assert dataset.guidelines == "Write the ideal answer."
    assert Dataset.objects.count() == 2


def test_admin_updates_and_deletes(api_client_for, admin, dataset):
    client = api_client_for(admin)
    patched = client.patch(f"/api/datasets/{dataset.pk}/", {"min_submitted": 2, "guidelines": "New"}, format="json")
    assert (patched.json()["min_submitted"], patched.json()["guidelines"]) == (2, "New")
    assert client.delete(f"/api/datasets/{dataset.pk}/").status_code == 204
    assert not Dataset.objects.filter(pk=dataset.pk).exists()


def test_filter_by_workspace(api_client_for, owner, dataset, other_dataset, other_workspace):
    results = api_client_for(owner).get(f"/api/datasets/?workspace={other_workspace.pk}").json()["results"]
    assert [d["name"] for d in results] == ["theirs"]


def test_publishing_an_incomplete_draft_is_refused(api_client_for, admin, workspace):
    draft = DatasetFactory(workspace=workspace, name="empty", status="draft", schema=False)
    response = api_client_for(admin).post(f"/api/datasets/{draft.pk}/publish/")
    assert response.status_code == 400
    assert error_of(response)["code"] == "dataset_incomplete"
    draft.refresh_from_db()
    assert draft.status == "draft"
