"""Fields, questions, metadata properties and vector settings (argilla-compat.md §4.3, §5)."""

import pytest

from labeling.models import Question

from ..factories import MetadataPropertyFactory
from .conftest import assert_shape

SETTINGS = {
    "text": {"type": "text", "use_markdown": False},
    "rating": {"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]},
    "label_selection": {"type": "label_selection", "options": [{"value": "qa", "text": "QA", "description": None},
                                                                {"value": "chat", "text": "chat", "description": None}],
                        "visible_options": None},
    "multi_label_selection": {"type": "multi_label_selection",
                              "options": [{"value": v, "text": v, "description": None} for v in "abc"],
                              "visible_options": 3, "options_order": "natural"},
    "ranking": {"type": "ranking", "options": [{"value": v, "text": v, "description": None} for v in ("x", "y")]},
    "span": {"type": "span", "field": "prompt", "options": [{"value": "per", "text": "per", "description": None}],
             "visible_options": None, "allow_overlapping": False, "allow_character_annotation": True},
}


@pytest.fixture
def draft(as_admin, workspace):
    body = as_admin.post("/api/v1/datasets", {"name": "draft-set", "workspace_id": str(workspace.pk)}).json()
    as_admin.post(f"/api/v1/datasets/{body['id']}/fields",
                  {"name": "prompt", "title": "Prompt", "required": True,
                   "settings": {"type": "text", "use_markdown": True}, "dataset_id": body["id"]})
    return body["id"]


def test_field_create_and_list(as_admin, draft):
    response = as_admin.post(f"/api/v1/datasets/{draft}/fields",
                             {"name": "context", "title": "Context", "required": False, "settings": {"type": "text"}})
    assert response.status_code == 201
    body = response.json()
    assert_shape(body, ids=("id", "dataset_id"), keys=("name", "title", "required", "settings"))
    assert body["settings"] == {"type": "text", "use_markdown": False}
    items = as_admin.get(f"/api/v1/datasets/{draft}/fields").json()["items"]
    assert [(f["name"], f["required"], f["settings"]["use_markdown"]) for f in items] == [
        ("prompt", True, True), ("context", False, False)
    ]


def test_field_errors(as_admin, as_annotator, draft, dataset):
    path = f"/api/v1/datasets/{draft}/fields"
    assert as_admin.post(path, {"name": "prompt", "settings": {"type": "text"}}).status_code == 409
    assert as_admin.post(path, {"name": "Bad Name", "settings": {"type": "text"}}).status_code == 422
    assert as_admin.post(path, {"name": "pic", "settings": {"type": "image"}}).status_code == 422
    assert as_admin.post(path, {"name": "nosettings"}).status_code == 422
    ready = f"/api/v1/datasets/{dataset.pk}/fields"
    assert as_admin.post(ready, {"name": "late", "settings": {"type": "text"}}).status_code == 422
    assert as_annotator.post(ready, {"name": "late", "settings": {"type": "text"}}).status_code == 403


@pytest.mark.parametrize("kind", list(SETTINGS))
def test_question_settings_round_trip_in_argilla_form(as_admin, draft, kind):
    response = as_admin.post(f"/api/v1/datasets/{draft}/questions", {
        "name": f"q-{kind}".replace("_", "-"), "title": kind, "description": None, "required": True,
        "settings": SETTINGS[kind],
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert_shape(body, ids=("id", "dataset_id"), keys=("name", "title", "description", "required", "settings"))
    assert body["settings"] == SETTINGS[kind]
    listed = as_admin.get(f"/api/v1/datasets/{draft}/questions").json()["items"]
    assert listed[0]["settings"] == SETTINGS[kind]


def test_label_question_always_carries_visible_options(as_admin, draft):
    body = as_admin.post(f"/api/v1/datasets/{draft}/questions", {
        "name": "label", "title": "Label", "required": True,
        "settings": {"type": "label_selection", "options": [{"value": "a", "text": "a"}, {"value": "b", "text": "b"}]},
    }).json()
    assert "visible_options" in body["settings"] and body["settings"]["visible_options"] is None


def test_questions_keep_creation_order(as_admin, draft):
    for name in ("zeta", "alpha", "mid"):
        as_admin.post(f"/api/v1/datasets/{draft}/questions", {"name": name, "settings": {"type": "text"}})
    items = as_admin.get(f"/api/v1/datasets/{draft}/questions").json()["items"]
    assert [q["name"] for q in items] == ["zeta", "alpha", "mid"]


def test_question_errors(as_admin, draft, dataset):
    path = f"/api/v1/datasets/{draft}/questions"
    bad_rating = {"type": "rating", "options": [{"value": 11}, {"value": 1}]}
    assert as_admin.post(path, {"name": "r", "settings": bad_rating}).status_code == 422
    few_labels = {"type": "label_selection", "options": [{"value": "a"}, {"value": "b"}], "visible_options": 5}
    assert as_admin.post(path, {"name": "l", "settings": few_labels}).status_code == 422
    ready = f"/api/v1/datasets/{dataset.pk}/questions"
    assert as_admin.post(ready, {"name": "late", "settings": {"type": "text"}}).status_code == 422
    assert not Question.objects.filter(name__in=["r", "l", "late"]).exists()


def test_metadata_properties(as_admin, as_annotator, draft, dataset):
    path = f"/api/v1/datasets/{draft}/metadata-properties"
    response = as_admin.post(path, {"name": "source", "title": "Source", "visible_for_annotators": True,
                                    "settings": {"type": "terms", "values": ["web", "book"]}})
    assert response.status_code == 201
    assert_shape(response.json(), ids=("id", "dataset_id"), keys=("name", "title", "visible_for_annotators"))
    assert response.json()["settings"] == {"type": "terms", "values": ["web", "book"]}
    response = as_admin.post(path, {"name": "length", "settings": {"type": "integer", "min": 0, "max": 10}})
    assert response.json()["settings"] == {"type": "integer", "min": 0, "max": 10}
    assert as_admin.post(path, {"name": "length", "settings": {"type": "float"}}).status_code == 409
    assert as_admin.post(path, {"name": "bad", "settings": {"type": "integer", "min": 5, "max": 1}}).status_code == 422
    items = as_admin.get(f"/api/v1/me/datasets/{draft}/metadata-properties").json()["items"]
    assert [p["name"] for p in items] == ["source", "length"]


def test_annotators_see_only_visible_metadata_properties(as_annotator, as_admin, dataset):
    MetadataPropertyFactory(dataset=dataset, name="shown")
    MetadataPropertyFactory(dataset=dataset, name="secret", visible_for_annotators=False, position=1)
    path = f"/api/v1/me/datasets/{dataset.pk}/metadata-properties"
    assert [p["name"] for p in as_annotator.get(path).json()["items"]] == ["shown"]
    assert [p["name"] for p in as_admin.get(path).json()["items"]] == ["shown", "secret"]


def test_vector_settings_are_empty_and_cannot_be_created(as_admin, draft):
    assert as_admin.get(f"/api/v1/datasets/{draft}/vectors-settings").json() == {"items": []}
    response = as_admin.post(f"/api/v1/datasets/{draft}/vectors-settings",
                             {"name": "emb", "title": "emb", "dimensions": 3})
    assert response.status_code == 422


def test_settings_items_by_id(as_admin, as_annotator, draft, dataset):
    field = as_admin.get(f"/api/v1/datasets/{draft}/fields").json()["items"][0]
    response = as_admin.patch(f"/api/v1/fields/{field['id']}", {"title": "The prompt", "settings": {"use_markdown": False}})
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["settings"]["use_markdown"]) == ("The prompt", False)
    question = as_admin.post(f"/api/v1/datasets/{draft}/questions", {"name": "q", "settings": SETTINGS["label_selection"]}).json()
    options = [{**o, "text": o["text"].upper()} for o in SETTINGS["label_selection"]["options"]]
    response = as_admin.patch(f"/api/v1/questions/{question['id']}", {"title": "Q", "settings": {"options": options}})
    assert response.status_code == 200
    assert [o["text"] for o in response.json()["settings"]["options"]] == ["QA", "CHAT"]
    prop = as_admin.post(f"/api/v1/datasets/{draft}/metadata-properties",
                         {"name": "source", "settings": {"type": "terms", "values": None}}).json()
    for path in (f"/api/v1/questions/{question['id']}", f"/api/v1/metadata-properties/{prop['id']}"):
        response = as_admin.delete(path)
        assert response.status_code == 200 and response.json()["name"] in ("q", "source")
    ready_question = dataset.questions.first()
    assert as_annotator.delete(f"/api/v1/questions/{ready_question.pk}").status_code == 403
