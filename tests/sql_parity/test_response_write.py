"""`labeling.sql.response_write` against the ORM: the record's lock-and-read (count, status, questions
in order), the response and claim read, the record update and the claim release."""

import itertools
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from config import rows
from config.errors import NotFound
from labeling.models import Claim, Question, Record, Response
from labeling.sql.response_write import ResponseWriteStatements

from ..factories import QuestionFactory
from .conftest import ANNOTATORS

pytestmark = pytest.mark.django_db
RECORDS = ["o1", "o2", "o3", "o4", "o5", "o6", "o9", "a1", "a2", "a4", "b1"]


def _fields(instance):
    return None if instance is None else [getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields]


@pytest.mark.parametrize("record_name", RECORDS)
def test_lock_record_reads_what_the_orm_reads(world, record_name):
    record = world.record(record_name)
    # Questions in an order that is not their insertion order, with a tie on position.
    if record.dataset_id == world.open.pk:
        Question.objects.filter(dataset=world.open, name="demonstration").update(position=4)
        QuestionFactory(dataset=world.open, name="earlier", required=False, position=1)

    with transaction.atomic():
        count, status, questions = ResponseWriteStatements(record_id=record.pk, user_id=world.admin.pk).lock_record()

    expected = Record.objects.values_list("submitted_count", "status").get(pk=record.pk)
    ordered = Question.objects.filter(dataset_id=record.dataset_id).order_by("position", "inserted_at")
    assert (count, status) == expected
    assert [_fields(q) for q in questions] == [_fields(q) for q in ordered]


def test_lock_record_of_a_missing_record_is_not_found(world):
    with pytest.raises(NotFound), transaction.atomic():
        ResponseWriteStatements(record_id=uuid.uuid4(), user_id=world.admin.pk).lock_record()


@pytest.mark.parametrize(("record_name", "user_name"), list(itertools.product(RECORDS, ANNOTATORS)))
def test_response_and_claim_read_what_the_orm_reads(world, record_name, user_name):
    record, user = world.records[record_name], world.users[user_name]

    response, claim = ResponseWriteStatements(record_id=record.pk, user_id=user.pk).response_and_claim()

    expected = Response.objects.filter(record=record, user=user).with_review_comment().first()
    assert _fields(response) == _fields(expected)
    assert getattr(response, "review_comment", None) == getattr(expected, "review_comment", None)
    assert _fields(claim) == _fields(Claim.objects.filter(record=record, user=user).first())


def test_response_and_claim_read_the_rejected_answers_comment(world):
    record, user = world.records["o3"], world.users["free"]
    response, _ = ResponseWriteStatements(record_id=record.pk, user_id=user.pk).response_and_claim()
    assert response.review_comment == "Still too short: add an example."


@pytest.mark.parametrize("record_name", ["o1", "o2", "o9"])
def test_update_record_writes_what_the_orm_update_writes(world, record_name):
    record, twin = world.record(record_name), world.record("o8")
    now = timezone.now() + timedelta(minutes=5)

    rows.execute(*ResponseWriteStatements(record_id=record.pk, user_id=world.admin.pk).update_record(
        record.submitted_count + 1, Record.Status.COMPLETED, now))
    Record.objects.filter(pk=twin.pk).update(submitted_count=record.submitted_count + 1,
                                             status=Record.Status.COMPLETED, updated_at=now)

    written, expected = world.record(record_name), world.record("o8")
    assert (written.submitted_count, written.status, written.updated_at) == (
        expected.submitted_count, expected.status, expected.updated_at)
    assert _fields(written)[:2] == _fields(record)[:2]  # id and inserted_at untouched


@pytest.mark.parametrize(("record_name", "user_name"), [("o4", "other"), ("o4", "quota"), ("o6", "free"), ("o2", "free")])
def test_delete_claim_deletes_what_the_orm_deletes(world, record_name, user_name):
    record, user = world.records[record_name], world.users[user_name]
    others = set(Claim.objects.exclude(record=record, user=user).values_list("pk", flat=True))

    rows.execute(*ResponseWriteStatements(record_id=record.pk, user_id=user.pk).delete_claim())

    assert not Claim.objects.filter(record=record, user=user).exists()
    assert set(Claim.objects.values_list("pk", flat=True)) == others
