"""Every invariant a database constraint carries is refused by the database itself."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Membership
from labeling.models import Assignment, Dataset, Field, Question, Record, Response

from ..factories import (
    AssignmentFactory,
    DatasetFactory,
    FieldFactory,
    MembershipFactory,
    QuestionFactory,
    RecordFactory,
    ResponseFactory,
)


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_dataset_name_unique_per_workspace(dataset, other_workspace):
    refused(lambda: DatasetFactory(workspace=dataset.workspace, name=dataset.name, schema=False))
    DatasetFactory(workspace=other_workspace, name=dataset.name, schema=False)
    assert Dataset.objects.filter(name=dataset.name).count() == 2


def test_field_and_question_names_unique_per_dataset(dataset):
    refused(lambda: FieldFactory(dataset=dataset, name="prompt"))
    refused(lambda: QuestionFactory(dataset=dataset, name="demonstration"))
    assert Field.objects.filter(dataset=dataset).count() == 1
    assert Question.objects.filter(dataset=dataset).count() == 2


def test_external_id_unique_per_dataset_when_set(dataset):
    RecordFactory(dataset=dataset, external_id="x")
    refused(lambda: RecordFactory(dataset=dataset, external_id="x"))
    RecordFactory(dataset=dataset, external_id=None)
    RecordFactory(dataset=dataset, external_id=None)
    assert Record.objects.filter(dataset=dataset).count() == 3


def test_one_response_and_one_assignment_per_user_and_record(dataset, annotator):
    record = RecordFactory(dataset=dataset)
    ResponseFactory(record=record, user=annotator)
    refused(lambda: ResponseFactory(record=record, user=annotator))
    AssignmentFactory(record=record, user=annotator)
    refused(lambda: AssignmentFactory(record=record, user=annotator))
    assert (Response.objects.count(), Assignment.objects.count()) == (1, 1)


def test_one_membership_per_user_and_workspace(annotator, workspace):
    refused(lambda: MembershipFactory(user=annotator, workspace=workspace))
    assert Membership.objects.filter(user=annotator).count() == 1


@pytest.mark.parametrize(
    ("model_update", "make"),
    [
        ("status", lambda ds: Dataset.objects.filter(pk=ds.pk).update(status="archived")),
        ("distribution", lambda ds: Dataset.objects.filter(pk=ds.pk).update(distribution="random")),
        ("min_submitted", lambda ds: Dataset.objects.filter(pk=ds.pk).update(min_submitted=0)),
        ("record status", lambda ds: RecordFactory(dataset=ds, status="done")),
        ("response status", lambda ds: ResponseFactory(record__dataset=ds, status="final")),
        ("question type", lambda ds: QuestionFactory(dataset=ds, type="essay")),
        ("role", lambda ds: MembershipFactory(workspace=ds.workspace, role="boss")),
    ],
)
def test_enum_and_range_checks(dataset, model_update, make):
    refused(lambda: make(dataset))
    dataset.refresh_from_db()
    assert (dataset.status, dataset.distribution, dataset.min_submitted) == ("ready", "open", 1)


def test_deleting_the_assigning_admin_keeps_the_assignment(dataset, annotator, admin):
    """assigned_by carries no database constraint; Django's SET_NULL still keeps it consistent."""
    assignment = AssignmentFactory(record=RecordFactory(dataset=dataset), user=annotator, assigned_by=admin)
    admin.delete()
    assignment.refresh_from_db()
    assert assignment.assigned_by_id is None
