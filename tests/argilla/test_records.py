"""Records: v1 bulk create, v2 bulk upsert, listing with filters and offset paging, deletes (§4.4, §7)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.models import Record, Response, Suggestion

from ..factories import MetadataPropertyFactory, RecordFactory, ResponseFactory, UserFactory
from .conftest import assert_shape

RECORD_KEYS = ("id", "status", "fields", "metadata", "external_id", "dataset_id", "inserted_at", "updated_at")


@pytest.fixture
def questions(dataset):
    return {q.name: str(q.pk) for q in dataset.questions.all()}


def _records(client, dataset, **params):
    response = client.get(f"/api/v1/datasets/{dataset.pk}/records", **params)
    assert response.status_code == 200, response.content
    return response.json()


# --- v1 create ----------------------------------------------------------------------------------


def test_create_answers_204_and_translates_suggestions_and_responses(as_admin, dataset, questions, annotator):
    response = as_admin.post(f"/api/v1/datasets/{dataset.pk}/records", {"items": [
        {"fields": {"prompt": "Explain gravity"}, "metadata": {"source": "web"}, "external_id": "p-1",
         "suggestions": [{"question_id": questions["quality"], "value": 4, "score": 0.75, "agent": "model-x"}],
         "responses": [{"user_id": str(annotator.pk), "status": "submitted",
                        "values": {"demonstration": {"value": "Things fall."}, "quality": {"value": 5}}}]},
        {"fields": {"prompt": "Second"}, "suggestions": []},
    ]})
    assert response.status_code == 204 and response.content == b""
    record = Record.objects.get(external_id="p-1")
    assert record.metadata == {"source": "web"}
    suggestion = Suggestion.objects.get(record=record)
    assert (suggestion.question.name, suggestion.value, suggestion.score, suggestion.agent) == ("quality", 4, 0.75, "model-x")
    answer = Response.objects.get(record=record)
    assert (answer.user, answer.status, answer.values) == (annotator, "submitted", {"demonstration": "Things fall.", "quality": 5})
    assert record.status == "completed"
    assert Record.objects.filter(dataset=dataset).count() == 2


@pytest.mark.parametrize("item", [
    {"fields": {"prompt": "x", "unknown": "y"}},
    {"fields": {}},
    {"fields": {"prompt": "x"}, "suggestions": [{"question_id": str(uuid.uuid4()), "value": "x"}]},
    {"fields": {"prompt": "x"}, "responses": [{"user_id": "ANNOTATOR", "status": "submitted",
                                                "values": {"quality": {"value": 4}}}]},
    {"fields": {"prompt": "x"}, "responses": [{"user_id": "ANNOTATOR", "status": "draft",
                                                "values": {"quality": {"value": 9}}}]},
    {"fields": {"prompt": "x"}, "responses": [{"user_id": "ANNOTATOR", "status": "draft", "values": {}},
                                               {"user_id": "ANNOTATOR", "status": "discarded", "values": {}}]},
    {"fields": {"prompt": "x"}, "vectors": {"emb": [0.1]}},
])
def test_create_is_all_or_nothing_with_a_string_422(as_admin, dataset, annotator, item):
    item = {**item}
    for response in item.get("responses", []):
        response["user_id"] = str(annotator.pk)
    good = {"fields": {"prompt": "fine"}, "external_id": "good"}
    response = as_admin.post(f"/api/v1/datasets/{dataset.pk}/records", {"items": [good, item]})
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)
    assert not Record.objects.exists() and not Response.objects.exists()


def test_create_needs_a_ready_dataset_and_an_admin(as_admin, as_annotator, workspace, dataset):
    draft = as_admin.post("/api/v1/datasets", {"name": "d2", "workspace_id": str(workspace.pk)}).json()
    assert as_admin.post(f"/api/v1/datasets/{draft['id']}/records", {"items": [{"fields": {}}]}).status_code == 422
    body = {"items": [{"fields": {"prompt": "x"}}]}
    assert as_annotator.post(f"/api/v1/datasets/{dataset.pk}/records", body).status_code == 403
    assert as_admin.post(f"/api/v1/datasets/{dataset.pk}/records", {"items": []}).status_code == 422


# --- listing ------------------------------------------------------------------------------------


def test_list_shape_includes_and_total(as_admin, dataset, annotator, questions):
    record = RecordFactory(dataset=dataset, metadata={"source": "web"})
    ResponseFactory(record=record, user=annotator, status="discarded", values={})
    body = _records(as_admin, dataset, include=["responses", "suggestions"])
    assert body["total"] == 1
    item = body["items"][0]
    assert_shape(item, ids=("id", "dataset_id"), keys=RECORD_KEYS)
    assert item["responses"][0]["values"] == {}  # never null
    assert_shape(item["responses"][0], ids=("id", "record_id", "user_id"), keys=("values", "status"))
    bare = _records(as_admin, dataset)["items"][0]
    assert "responses" not in bare and "suggestions" not in bare


def test_offset_paging_is_stable_and_total_counts_everything(as_admin, dataset):
    for i in range(7):
        RecordFactory(dataset=dataset, external_id=f"r{i}", ordinal=i + 1)
    seen = []
    for offset in range(0, 8, 3):
        page = _records(as_admin, dataset, offset=offset, limit=3)
        assert page["total"] == 7
        seen += [r["external_id"] for r in page["items"]]
    assert seen == [f"r{i}" for i in range(7)]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"limit": "x"},
                                    {"response_status": "weird"}, {"sort_by": "fields.prompt:asc"},
                                    {"metadata": "nope:a"}])
def test_bad_list_parameters_are_422(as_admin, dataset, params):
    assert as_admin.get(f"/api/v1/datasets/{dataset.pk}/records", **params).status_code == 422


def test_response_status_filter_any_user_semantics(as_admin, dataset, annotator, admin):
    records = [RecordFactory(dataset=dataset, external_id=f"r{i}", ordinal=i + 1) for i in range(4)]
    ResponseFactory(record=records[0], user=annotator, status="submitted")
    ResponseFactory(record=records[1], user=annotator, status="draft", values={})
    ResponseFactory(record=records[1], user=admin, status="submitted")
    ResponseFactory(record=records[2], user=annotator, status="discarded", values={})

    def ids(*statuses):
        body = _records(as_admin, dataset, response_status=list(statuses), include="responses")
        assert body["total"] == len(body["items"])
        return [r["external_id"] for r in body["items"]]

    assert ids("submitted") == ["r0", "r1"]
    assert ids("draft") == ["r1"]
    assert ids("pending") == ids("missing") == ["r3"]
    assert ids("discarded", "pending") == ["r2", "r3"]
    # The filtered records carry all their responses.
    body = _records(as_admin, dataset, response_status="draft", include="responses")
    assert len(body["items"][0]["responses"]) == 2


def test_metadata_filters_and_sorting(as_admin, dataset):
    MetadataPropertyFactory(dataset=dataset, name="source")
    MetadataPropertyFactory(dataset=dataset, name="length", type="integer", settings={"type": "integer"}, position=1)
    for i, (source, length) in enumerate([("web", 5), ("book", 1), ("web", 9)]):
        RecordFactory(dataset=dataset, external_id=f"r{i}", ordinal=i + 1, metadata={"source": source, "length": length})
    assert [r["external_id"] for r in _records(as_admin, dataset, metadata="source:web")["items"]] == ["r0", "r2"]
    found = _records(as_admin, dataset, metadata='length:{"ge": 2, "le": 9}')["items"]
    assert [r["external_id"] for r in found] == ["r0", "r2"]
    ordered = _records(as_admin, dataset, sort_by="metadata.length:desc")["items"]
    assert [r["external_id"] for r in ordered] == ["r2", "r0", "r1"]
    assert [r["external_id"] for r in _records(as_admin, dataset, sort_by="inserted_at:desc")["items"]] == ["r2", "r1", "r0"]


def test_annotators_list_only_their_own_responses(as_annotator, dataset, annotator, admin):
    record = RecordFactory(dataset=dataset)
    ResponseFactory(record=record, user=annotator, status="draft", values={})
    ResponseFactory(record=record, user=admin, status="submitted")
    body = _records(as_annotator, dataset, include="responses")
    assert [r["user_id"] for r in body["items"][0]["responses"]] == [str(annotator.pk)]
    # And the status filter does not reveal others' answers.
    assert _records(as_annotator, dataset, response_status="submitted")["total"] == 0


def test_other_workspaces_records_are_404(as_outsider, dataset):
    assert as_outsider.get(f"/api/v1/datasets/{dataset.pk}/records").status_code == 404


def test_list_runs_a_constant_number_of_queries(as_admin, dataset, annotator):
    for i in range(30):
        record = RecordFactory(dataset=dataset, ordinal=i + 1)
        ResponseFactory(record=record, user=annotator)
    _records(as_admin, dataset, limit=1)  # records the key's use, which later calls skip
    counts = []
    for limit in (5, 30):
        with CaptureQueriesContext(connection) as queries:
            _records(as_admin, dataset, limit=limit, include=["responses", "suggestions"])
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# --- v2 upsert ----------------------------------------------------------------------------------


def test_bulk_upsert_creates_then_updates_keeping_other_users_responses(as_admin, dataset, questions, annotator, admin):
    path = f"/api/v1/datasets/{dataset.pk}/records/bulk"
    item = {"id": None, "external_id": "p-7", "status": "pending", "fields": {"prompt": "Explain"},
            "metadata": {"source": "web"}, "vectors": {}, "inserted_at": None, "updated_at": None,
            "responses": [{"user_id": str(annotator.pk), "status": "draft", "values": {"quality": {"value": 2}}}],
            "suggestions": [{"id": str(uuid.uuid4()), "question_id": questions["quality"], "question_name": "quality",
                             "value": 3, "type": None, "score": None, "agent": None}]}
    response = as_admin.put(path, {"items": [item]})
    assert response.status_code == 200
    body = response.json()
    assert body["updated_item_ids"] == []
    created = body["items"][0]
    assert_shape(created, ids=("id", "dataset_id"), keys=RECORD_KEYS)
    assert created["suggestions"][0]["value"] == 3
    assert created["responses"][0]["values"] == {"quality": {"value": 2}}

    update = {**item, "id": created["id"], "metadata": {"source": "book"},
              "responses": [{"user_id": str(admin.pk), "status": "submitted",
                             "values": {"demonstration": {"value": "Done."}}}]}
    body = as_admin.put(path, {"items": [update]}).json()
    assert body["updated_item_ids"] == [created["id"]]
    assert body["items"][0]["metadata"] == {"source": "book"}
    assert {r["user_id"] for r in body["items"][0]["responses"]} == {str(annotator.pk), str(admin.pk)}
    assert Record.objects.get().status == "completed"


def test_bulk_upsert_matches_by_id_when_external_id_is_new(as_admin, dataset):
    record = RecordFactory(dataset=dataset, external_id=None, fields={"prompt": "old"})
    body = as_admin.put(f"/api/v1/datasets/{dataset.pk}/records/bulk", {"items": [
        {"id": str(record.pk), "external_id": "sdk-made", "fields": {"prompt": "new"}}
    ]}).json()
    assert body["updated_item_ids"] == [str(record.pk)]
    record.refresh_from_db()
    assert (record.fields, record.external_id, Record.objects.count()) == ({"prompt": "new"}, "sdk-made", 1)


def test_bulk_upsert_errors_write_nothing(as_admin, as_annotator, dataset, annotator):
    path = f"/api/v1/datasets/{dataset.pk}/records/bulk"
    bad = {"items": [{"external_id": "a", "fields": {"prompt": "x"}},
                     {"external_id": "b", "fields": {"prompt": "y"},
                      "responses": [{"user_id": str(annotator.pk), "status": "submitted", "values": {}}]}]}
    assert as_admin.put(path, bad).status_code == 422
    assert as_admin.put(path, {"items": [{"fields": {"prompt": "x"}}] * 501}).status_code == 422
    assert as_annotator.put(path, {"items": [{"fields": {"prompt": "x"}}]}).status_code == 403
    assert not Record.objects.exists()


def test_responses_for_non_members_are_refused(as_admin, dataset):
    stranger = UserFactory(username="stranger")
    response = as_admin.put(f"/api/v1/datasets/{dataset.pk}/records/bulk", {"items": [
        {"external_id": "a", "fields": {"prompt": "x"},
         "responses": [{"user_id": str(stranger.pk), "status": "draft", "values": {}}]}]})
    assert response.status_code == 422
    assert not Record.objects.exists()


# --- deletes and single records -----------------------------------------------------------------


def test_delete_by_ids(as_admin, as_annotator, dataset):
    records = [RecordFactory(dataset=dataset) for _ in range(3)]
    path = f"/api/v1/datasets/{dataset.pk}/records?ids={records[0].pk},{records[1].pk}"
    assert as_annotator.delete(path).status_code == 403
    response = as_admin.delete(path)
    assert response.status_code == 204
    assert list(Record.objects.all()) == [records[2]]
    assert as_admin.delete(f"/api/v1/datasets/{dataset.pk}/records?ids=nope").status_code == 422
    assert as_admin.delete(f"/api/v1/datasets/{dataset.pk}/records").status_code == 422


def test_single_record_get_patch_delete(as_admin, dataset, questions):
    record = RecordFactory(dataset=dataset)
    path = f"/api/v1/records/{record.pk}"
    assert as_admin.get(path).json()["id"] == str(record.pk)
    response = as_admin.patch(path, {"metadata": {"k": "v"},
                                     "suggestions": [{"question_id": questions["quality"], "value": 2}]})
    assert response.status_code == 200
    assert response.json()["metadata"] == {"k": "v"}
    assert response.json()["suggestions"][0]["question_id"] == questions["quality"]
    response = as_admin.delete(path)
    assert response.status_code == 200 and response.json()["id"] == str(record.pk)
    assert as_admin.get(path).status_code == 404


def test_single_record_of_another_workspace_is_404(as_outsider, dataset):
    record = RecordFactory(dataset=dataset)
    assert as_outsider.get(f"/api/v1/records/{record.pk}").status_code == 404
    assert as_outsider.delete(f"/api/v1/records/{record.pk}").status_code == 404
    assert Record.objects.filter(pk=record.pk).exists()


# --- §7: search and bulk metadata updates -------------------------------------------------------


def test_search_filters_by_response_status_metadata_and_text(as_admin, dataset, annotator):
    MetadataPropertyFactory(dataset=dataset, name="source")
    records = [RecordFactory(dataset=dataset, external_id=f"r{i}", ordinal=i + 1, fields={"prompt": f"about {topic}"},
                             metadata={"source": source})
               for i, (topic, source) in enumerate([("cats", "web"), ("dogs", "web"), ("cats", "book")])]
    ResponseFactory(record=records[0], user=annotator, status="submitted")
    path = f"/api/v1/datasets/{dataset.pk}/records/search?include=responses"

    def found(body):
        response = as_admin.post(path, body)
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["total"] == len(data["items"]) and all(i["query_score"] is None for i in data["items"])
        return [i["record"]["external_id"] for i in data["items"]]

    status = {"type": "terms", "scope": {"entity": "response", "question": None, "property": "status"},
              "values": ["submitted"]}
    assert found({"query": None, "filters": {"type": "and", "and": [status]}}) == ["r0"]
    assert found({"query": {"text": {"q": "cats", "field": None}, "vector": None}, "filters": None}) == ["r0", "r2"]
    source = {"type": "terms", "scope": {"entity": "metadata", "metadata_property": "source"}, "values": ["web"]}
    assert found({"query": {"text": {"q": "cats", "field": "prompt"}}, "filters": {"and": [source]}}) == ["r0"]
    assert as_admin.post(path, {"query": {"vector": {"name": "emb", "value": [0.1]}}}).status_code == 422


def test_bulk_update_metadata_and_suggestions(as_admin, dataset, questions, other_dataset):
    record = RecordFactory(dataset=dataset, metadata={"a": 1})
    path = f"/api/v1/datasets/{dataset.pk}/records"
    response = as_admin.patch(path, {"items": [
        {"id": str(record.pk), "metadata": {"a": 2}, "suggestions": [{"question_id": questions["quality"], "value": 5}]}
    ]})
    assert response.status_code == 204
    record.refresh_from_db()
    assert record.metadata == {"a": 2}
    assert Suggestion.objects.get(record=record).value == 5
    foreign = RecordFactory(dataset=other_dataset)
    assert as_admin.patch(path, {"items": [{"id": str(foreign.pk), "metadata": {"a": 3}}]}).status_code == 404
