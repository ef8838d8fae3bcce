import pytest

from config.errors import NotFound
from labeling.errors import InvalidResponse, InvalidTransition
from labeling.models import Record, Response
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services import datasets as dataset_services
from labeling.services import responses as response_services

from ..factories import MembershipFactory, QuestionFactory, RecordFactory, UserFactory


@pytest.fixture
def record(dataset):
    return RecordFactory(dataset=dataset)


def test_submit_completes_record_at_min_submitted(annotator, workspace, record):
    record.dataset.min_submitted = 2
    record.dataset.save()
    response_services.response_write(
        access=record_access_for(user=annotator, record=record), values={"demonstration": "Hi"}, status="submitted"
    )
    record.refresh_from_db()
    assert (record.submitted_count, record.status) == (1, "pending")
    second = UserFactory()
    MembershipFactory(user=second, workspace=workspace)
    response_services.response_write(
        access=record_access_for(user=second, record=record), values={"demonstration": "Yo", "quality": 5},
        status="submitted",
    )
    record.refresh_from_db()
    assert (record.submitted_count, record.status) == (2, "completed")


def test_draft_may_be_partial_and_empty_answers_are_dropped(annotator, record):
    response = response_services.response_write(
        access=record_access_for(user=annotator, record=record), values={"demonstration": ""}, status="draft"
    )
    assert response.values == {}
    assert Record.objects.get(pk=record.pk).status == "pending"


def test_submit_requires_required_questions_and_writes_nothing(annotator, record):
    with pytest.raises(InvalidResponse) as info:
        response_services.response_write(
            access=record_access_for(user=annotator, record=record), values={"quality": 3}, status="submitted"
        )
    assert info.value.message == "demonstration: This question is required."
    assert info.value.details == {"questions": {"demonstration": "This question is required."}}
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("qtype", "settings", "good", "bad", "message"),
    [
        ("rating", {"options": [1, 2, 3]}, 2, 4, "Choose one of 1, 2, 3."),
        ("rating", {"options": [1, 2, 3]}, 3, "3", "Choose one of 1, 2, 3."),
        ("label_selection", {"options": ["yes", "no"]}, "yes", "maybe", "Choose one of: yes, no."),
        ("multi_label_selection", {"options": ["a", "b", "c"]}, ["a", "c"], ["a", "z"], "Unknown labels: z."),
        ("multi_label_selection", {"options": ["a", "b", "c"]}, ["b"], ["a", "a"], "A label is chosen twice."),
        ("ranking", {"options": ["x", "y"]}, [{"value": "y", "rank": 1}, {"value": "x", "rank": 2}],
         [{"value": "x", "rank": 1}, {"value": "y", "rank": 1}], "Ranks must be 1 to 2, each used once."),
        ("ranking", {"options": ["x", "y"]}, [{"value": "x"}, {"value": "y"}], [{"value": "x", "rank": 1}],
         "Rank every option exactly once."),
        ("text", {}, "words", 7, "Write a non-empty text."),
    ],
)
def test_values_type_checked_per_question(admin, annotator, dataset, qtype, settings, good, bad, message):
    from labeling.validation import normalize_question_settings

    QuestionFactory(dataset=dataset, name="q", type=qtype, required=False, position=5,
                    settings=normalize_question_settings(qtype, settings, name="q"))
    record = RecordFactory(dataset=dataset)
    with pytest.raises(InvalidResponse) as info:
        response_services.response_write(
            access=record_access_for(user=annotator, record=record), values={"q": bad}, status="draft"
        )
    assert info.value.details["questions"] == {"q": message}
    assert not Response.objects.exists()
    response = response_services.response_write(
        access=record_access_for(user=annotator, record=record), values={"q": good}, status="draft"
    )
    assert response.values == {"q": good}


def test_unknown_question_rejected(annotator, record):
    with pytest.raises(InvalidResponse, match="Unknown question 'nope'"):
        response_services.response_write(
            access=record_access_for(user=annotator, record=record), values={"nope": 1}, status="draft"
        )


def test_transitions_and_counts(annotator, record):
    write = lambda status: response_services.response_write(  # noqa: E731
        access=record_access_for(user=annotator, record=record), values={"demonstration": "A"}, status=status
    )
    write("draft")
    write("submitted")
    write("submitted")  # an edit keeps it submitted and counts once
    assert Record.objects.get(pk=record.pk).submitted_count == 1
    with pytest.raises(InvalidTransition):
        write("draft")
    write("discarded")
    refreshed = Record.objects.get(pk=record.pk)
    assert (refreshed.submitted_count, refreshed.status) == (0, "pending")
    assert Response.objects.get().status == "discarded"


def test_outsider_cannot_respond(outsider, record):
    with pytest.raises(NotFound):
        response_services.response_write(
            access=record_access_for(user=outsider, record=record), values={"demonstration": "x"}, status="submitted"
        )


def test_min_submitted_change_rederives_status(admin, annotator, record):
    response_services.response_write(
        access=record_access_for(user=annotator, record=record), values={"demonstration": "A"}, status="submitted"
    )
    assert Record.objects.get(pk=record.pk).status == "completed"
    dataset_services.dataset_update(access=dataset_access_for(user=admin, dataset=record.dataset), min_submitted=2)
    assert Record.objects.get(pk=record.pk).status == "pending"


def test_nul_character_in_an_answer_is_refused(annotator, record):
    with pytest.raises(InvalidResponse) as info:
        response_services.response_write(
            access=record_access_for(user=annotator, record=record), values={"demonstration": "a\x00"}, status="draft"
        )
    assert info.value.details["questions"] == {"demonstration": "Text cannot contain NUL characters (\\u0000)."}
    assert not Response.objects.exists()
