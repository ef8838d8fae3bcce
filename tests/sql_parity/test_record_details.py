"""`labeling.sql.record_details` loads a record's suggestions (with their questions) and responses as the
ORM equivalents named in its docstring do, for admins (every response) and annotators (their own)."""

import pytest

from labeling.models import Response, Suggestion
from labeling.sql.record_details import record_details

from ..factories import (
    MembershipFactory,
    QuestionFactory,
    RecordFactory,
    ResponseFactory,
    SuggestionFactory,
    UserFactory,
)


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.fixture
def record(dataset, workspace, annotator):
    """A record with suggestions on two questions and responses of three users in every status."""
    record = RecordFactory(dataset=dataset)
    rating = QuestionFactory(dataset=dataset, name="helpfulness", type="rating", position=5,
                             settings={"type": "rating", "options": [{"value": v} for v in range(1, 6)]})
    SuggestionFactory(record=record)
    SuggestionFactory(record=record, question=rating, value=4, score=0.5)
    others = [UserFactory() for _ in range(2)]
    for user in others:
        MembershipFactory(user=user, workspace=workspace)
    for user, status in ((annotator, "draft"), (others[0], "submitted"), (others[1], "discarded")):
        ResponseFactory(record=record, user=user, status=status, values={"demonstration": f"by {user.username}"})
    RecordFactory(dataset=dataset)  # another record's rows never show
    return record


@pytest.mark.parametrize("own_only", [False, True])
def test_record_details_match_the_orm(own_only, record, annotator):
    details = record_details(record_id=record.pk, user_id=annotator.pk if own_only else None)

    suggestions = Suggestion.objects.filter(record_id=record.pk).select_related("question").order_by("inserted_at")
    responses = Response.objects.filter(record_id=record.pk).order_by("inserted_at")
    if own_only:
        responses = responses.filter(user_id=annotator.pk)
    assert [(_fields(s), _fields(s.question)) for s in details.suggestions] == [
        (_fields(s), _fields(s.question)) for s in suggestions
    ]
    assert [_fields(r) for r in details.responses] == [_fields(r) for r in responses]
    assert len(details.responses) == (1 if own_only else 3) and len(details.suggestions) == 2


@pytest.mark.parametrize(("record_name", "user_name"), [("o3", "free"), ("o3", None), ("o1", "other"), ("o1", None)])
def test_record_details_carry_the_review_comment_as_the_orm_annotates_it(world, record_name, user_name):
    record = world.records[record_name]
    user_id = world.users[user_name].pk if user_name else None

    details = record_details(record_id=record.pk, user_id=user_id)

    responses = Response.objects.filter(record_id=record.pk).with_review_comment().order_by("inserted_at")
    if user_id:
        responses = responses.filter(user_id=user_id)
    assert [(r.pk, r.review_comment) for r in details.responses] == [(r.pk, r.review_comment) for r in responses]
    rejected = {r.user_id: r.review_comment for r in details.responses if r.review_comment is not None}
    assert rejected == ({world.users["free"].pk: "Still too short: add an example."} if record_name == "o3" else {})


def test_a_record_without_suggestions_or_responses(dataset, annotator):
    empty = RecordFactory(dataset=dataset)
    assert record_details(record_id=empty.pk, user_id=annotator.pk) == ([], [])
    assert record_details(record_id=empty.pk) == ([], [])
