"""Creating and publishing datasets; question settings validated per type; the frozen schema."""

import pytest

from accounts.errors import NameTaken
from config.errors import InvalidInput, NotFound, PermissionDenied
from labeling.errors import DatasetNotDraft, SchemaFrozen
from labeling.models import Dataset, Question
from labeling.selectors.lookups import dataset_access_for
from labeling.services import datasets as dataset_services

from ..factories import RecordFactory


def create(actor, workspace, **kwargs):
    spec = {
        "name": "sft",
        "fields": [{"name": "prompt"}],
        "questions": [{"name": "answer", "type": "text"}],
    }
    spec.update(kwargs)
    return dataset_services.dataset_create(actor=actor, workspace=workspace, **spec)


def test_create_with_nested_schema_then_publish(admin, workspace):
    dataset = create(admin, workspace, questions=[
        {"name": "answer", "type": "text", "settings": {"use_markdown": True}},
        {"name": "topic", "type": "label_selection", "settings": {"options": ["a", {"value": "b", "text": "Bee"}, "c"], "visible_options": 3}},
        {"name": "rank", "type": "ranking", "settings": {"options": ["x", "y"]}},
        {"name": "tags", "type": "multi_label_selection", "settings": {"options": ["p", "q"]}},
        {"name": "spans", "type": "span", "required": False, "settings": {"field": "prompt", "options": ["ent"]}},
    ])
    assert dataset.status == "draft"
    topic = dataset.questions.get(name="topic")
    assert topic.settings == {"type": "label_selection", "visible_options": 3, "options": [
        {"value": "a", "text": "a", "description": None},
        {"value": "b", "text": "Bee", "description": None},
        {"value": "c", "text": "c", "description": None},
    ]}
    assert dataset.questions.get(name="tags").settings["options_order"] == "natural"
    assert dataset_services.dataset_publish(access=dataset_access_for(user=admin, dataset=dataset)).status == "ready"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"name": "r", "type": "rating", "settings": {"options": [1]}}, "Rating question 'r' needs 2 to 11 distinct options."),
        ({"name": "r", "type": "rating", "settings": {"options": [1, 11]}}, "Rating options of question 'r' must be whole numbers from 0 to 10."),
        ({"name": "l", "type": "label_selection", "settings": {"options": ["a", "a"]}}, "Question 'l' lists the option 'a' twice."),
        ({"name": "l", "type": "label_selection", "settings": {"options": ["a", "b"], "visible_options": 5}},
         "visible_options of question 'l' must be between 3 and 2, or null."),
        ({"name": "k", "type": "ranking", "settings": {"options": ["a"]}}, "Question 'k' needs at least 2 options."),
        ({"name": "s", "type": "span", "settings": {"field": "nope", "options": ["e"]}},
         "Span question 's' must name one of the dataset's fields in 'field'."),
        ({"name": "e", "type": "essay"}, "Unknown question type 'essay'."),
        ({"name": "Bad Name", "type": "text"}, "Invalid question name 'Bad Name'."),
    ],
)
def test_bad_question_settings_refused_and_nothing_written(admin, workspace, question, message):
    with pytest.raises(InvalidInput) as info:
        create(admin, workspace, questions=[question])
    assert info.value.message.startswith(message)
    assert not Dataset.objects.filter(name="sft").exists()


def test_duplicate_names_refused(admin, workspace):
    with pytest.raises(NameTaken, match="The field name 'prompt' is already used"):
        create(admin, workspace, fields=[{"name": "prompt"}, {"name": "prompt"}])
    create(admin, workspace)
    with pytest.raises(NameTaken, match="A dataset named 'sft' already exists"):
        create(admin, workspace)
    assert Dataset.objects.filter(name="sft").count() == 1


@pytest.mark.parametrize("name", ["-lead", "has.dot", "x" * 201, ""])
def test_dataset_names_the_sdks_can_read(admin, workspace, name):
    with pytest.raises(InvalidInput, match="A dataset name uses letters"):
        create(admin, workspace, name=name)


def test_publish_needs_a_field_and_a_required_question(admin, workspace):
    dataset = create(admin, workspace, fields=[], questions=[{"name": "a", "type": "text", "required": False}])
    with pytest.raises(InvalidInput, match="Add at least one field"):
        dataset_services.dataset_publish(access=dataset_access_for(user=admin, dataset=dataset))
    dataset_services.field_create(access=dataset_access_for(user=admin, dataset=dataset), name="prompt")
    with pytest.raises(InvalidInput, match="Add at least one required question"):
        dataset_services.dataset_publish(access=dataset_access_for(user=admin, dataset=dataset))
    assert Dataset.objects.get(pk=dataset.pk).status == "draft"


def test_schema_frozen_once_ready_with_records(admin, dataset):
    RecordFactory(dataset=dataset)
    with pytest.raises(DatasetNotDraft):
        access = dataset_access_for(user=admin, dataset=dataset)
        dataset_services.question_create(access=access, name="new", type="text")
    with pytest.raises(SchemaFrozen):
        dataset_services.schema_item_delete(access=dataset_access_for(user=admin, dataset=dataset),
                                            item=dataset.questions.get(name="quality"))
    quality = dataset.questions.get(name="quality")
    with pytest.raises(SchemaFrozen, match="Options cannot be added"):
        access = dataset_access_for(user=admin, dataset=quality.dataset)
        dataset_services.question_update(access=access, question=quality, settings={"options": [1, 2, 3]})
    access = dataset_access_for(user=admin, dataset=quality.dataset)
    dataset_services.question_update(access=access, question=quality, title="Prompt quality", description="1 to 5")
    assert Question.objects.get(pk=quality.pk).title == "Prompt quality"
    assert len(Question.objects.get(pk=quality.pk).settings["options"]) == 5


def test_metadata_properties_may_be_added_after_publishing(admin, dataset):
    RecordFactory(dataset=dataset)
    prop = dataset_services.metadata_property_create(access=dataset_access_for(user=admin, dataset=dataset),
                                                     name="tokens", type="integer", settings={"min": 0})
    assert prop.settings == {"type": "integer", "min": 0, "max": None}


def test_roles(annotator, outsider, workspace):
    with pytest.raises(PermissionDenied):
        create(annotator, workspace)
    with pytest.raises(PermissionDenied):
        create(outsider, workspace)
    assert not Dataset.objects.exists()


def test_workspace_services(owner, admin, workspace):
    from accounts import services as accounts_services
    from accounts.errors import WorkspaceNotEmpty

    with pytest.raises(InvalidInput, match="A workspace name uses lowercase"):
        accounts_services.workspace_create(actor=owner, name="Has Space")
    with pytest.raises(PermissionDenied):
        accounts_services.workspace_create(actor=admin, name="mine")
    create(admin, workspace)
    with pytest.raises(WorkspaceNotEmpty):
        accounts_services.workspace_delete(actor=owner, workspace=workspace)
    with pytest.raises(NotFound):
        accounts_services.membership_remove(actor=admin, workspace=workspace, user=owner)
