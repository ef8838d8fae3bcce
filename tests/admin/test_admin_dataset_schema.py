"""Datasets and their schema from the admin go through the services and their validation rules."""

import json

import pytest

from labeling.models import Dataset, Field, Question

from ..factories import DatasetFactory
from .conftest import add_inline_row, admin_url, form_data, messages_of

EMPTY_INLINES = {
    f"{prefix}-{key}": "0"
    for prefix in ("fields", "questions", "metadata_properties")
    for key in ("TOTAL_FORMS", "INITIAL_FORMS")
}


@pytest.fixture
def draft(workspace):
    return DatasetFactory(workspace=workspace, name="draft one", status=Dataset.Status.DRAFT, schema=False)


def _change_data(client, dataset):
    return form_data(client.get(admin_url(Dataset, "change", dataset.pk)))


def test_workspace_admin_creates_a_dataset_with_its_schema(admin, workspace, client_for):
    data = {
        "workspace": str(workspace.pk),
        "name": "support replies",
        "guidelines": "Be kind.",
        "min_submitted": "2",
        "distribution": "open",
        "allow_extra_metadata": "on",
        "review": "off",
        "review_sample_percent": "100",
        **EMPTY_INLINES,
    }
    add_inline_row(data, "fields", name="prompt", title="Prompt", required="on")
    add_inline_row(data, "questions", name="reply", title="Reply", type="text", required="on", settings="{}")
    add_inline_row(
        data, "questions", name="quality", title="Quality", type="rating", settings=json.dumps({"options": [1, 2, 3]})
    )
    add_inline_row(
        data,
        "metadata_properties",
        name="topic",
        title="Topic",
        type="terms",
        settings="{}",
        visible_for_annotators="on",
    )
    response = client_for(admin).post(admin_url(Dataset, "add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    dataset = Dataset.objects.get(name="support replies")
    assert (dataset.workspace, dataset.status, dataset.min_submitted) == (workspace, "draft", 2)
    assert list(dataset.fields.values_list("name", flat=True)) == ["prompt"]
    assert [(q.name, q.position) for q in dataset.questions.all()] == [("reply", 0), ("quality", 1)]
    assert dataset.questions.get(name="quality").settings == {
        "type": "rating",
        "options": [{"value": v} for v in (1, 2, 3)],
    }
    assert dataset.metadata_properties.get().settings == {"type": "terms", "values": None}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"options": [{"value": 99}, {"value": 1}]},
            "Rating options of question &#x27;stars&#x27; must be whole numbers from 0 to 10.",
        ),
        ({"options": [1]}, "Rating question &#x27;stars&#x27; needs 2 to 11 distinct options."),
        ({}, "Rating question &#x27;stars&#x27; needs &#x27;options&#x27;"),
    ],
)
def test_invalid_question_settings_are_refused_with_a_message(admin, draft, client_for, settings, message):
    client = client_for(admin)
    data = _change_data(client, draft)
    add_inline_row(
        data, "questions", name="stars", title="Stars", type="rating", required="on", settings=json.dumps(settings)
    )
    response = client.post(admin_url(Dataset, "change", draft.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(dataset=draft).exists()


def test_invalid_names_are_refused(admin, draft, workspace, client_for):
    client = client_for(admin)
    data = _change_data(client, draft)
    add_inline_row(data, "fields", name="Bad Name", title="x", required="on")
    response = client.post(admin_url(Dataset, "change", draft.pk), data)
    assert response.status_code == 200 and "Invalid field name" in response.content.decode()
    bad_dataset = {
        "workspace": str(workspace.pk),
        "name": "-nope",
        "min_submitted": "1",
        "distribution": "open",
        **EMPTY_INLINES,
    }
    response = client.post(admin_url(Dataset, "add"), bad_dataset)
    assert response.status_code == 200 and "A dataset name uses letters" in response.content.decode()
    assert not Field.objects.filter(dataset=draft).exists()
    assert not Dataset.objects.filter(name="-nope").exists()


def test_publish_action(admin, draft, workspace, client_for):
    empty = DatasetFactory(workspace=workspace, name="empty", status=Dataset.Status.DRAFT, schema=False)
    Field.objects.create(dataset=draft, name="prompt", title="Prompt")
    Question.objects.create(dataset=draft, name="reply", title="Reply", type="text", settings={"type": "text"})
    response = client_for(admin).post(
        admin_url(Dataset, "changelist"),
        {"action": "publish", "_selected_action": [str(draft.pk), str(empty.pk)]},
        follow=True,
    )
    shown = messages_of(response)
    assert "Published 1 dataset(s)." in shown
    assert "empty: Add at least one field before publishing." in shown
    draft.refresh_from_db()
    empty.refresh_from_db()
    assert (draft.status, empty.status) == ("ready", "draft")


def test_frozen_options_cannot_change_once_records_exist(admin, dataset, fill, client_for):
    fill(dataset, 1)
    client = client_for(admin)
    data = _change_data(client, dataset)
    quality = dataset.questions.get(name="quality")
    index = next(i for i in range(int(data["questions-TOTAL_FORMS"])) if data[f"questions-{i}-id"] == str(quality.pk))
    data[f"questions-{index}-settings"] = json.dumps({"options": [1, 2, 3]})
    response = client.post(admin_url(Dataset, "change", dataset.pk), data, follow=True)
    assert any("Options cannot be added, removed or reordered" in m for m in messages_of(response))
    quality.refresh_from_db()
    assert len(quality.settings["options"]) == 5


def test_titles_stay_editable_on_a_published_dataset(admin, dataset, fill, client_for):
    fill(dataset, 1)
    client = client_for(admin)
    data = _change_data(client, dataset)
    data["guidelines"] = "New guidelines."
    index = next(i for i in range(int(data["questions-TOTAL_FORMS"])) if data[f"questions-{i}-name"] == "demonstration")
    data[f"questions-{index}-title"] = "Your ideal reply"
    assert client.post(admin_url(Dataset, "change", dataset.pk), data).status_code == 302
    dataset.refresh_from_db()
    assert dataset.guidelines == "New guidelines."
    assert dataset.questions.get(name="demonstration").title == "Your ideal reply"
