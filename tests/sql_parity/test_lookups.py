"""`dataset_get` and `record_get` read one row with a hand-written statement (`labeling.sql.lookups`) and
apply the tenancy rules in Python; the statements must load what their ORM equivalents load, and the
selectors must agree with `visible_to` for every role, dataset state and distribution."""

import itertools
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Membership
from config.errors import NotFound
from labeling.models import Assignment, Dataset, Record
from labeling.selectors.lookups import dataset_get, record_get
from labeling.sql import lookups

from ..factories import DatasetFactory, MembershipFactory, RecordFactory, UserFactory

CASES = list(itertools.product(
    ["owner", "admin", "annotator", "inactive annotator", "outsider", "anonymous"],
    Dataset.Status.values,
    Dataset.Distribution.values,
    [False, True],
))


def _user(kind, workspace, other_workspace):
    if kind == "anonymous":
        return AnonymousUser()
    user = UserFactory(is_superuser=kind == "owner", is_active=kind != "inactive annotator")
    role = Membership.Role.ADMIN if kind == "admin" else Membership.Role.ANNOTATOR
    MembershipFactory(user=user, workspace=other_workspace if kind == "outsider" else workspace, role=role)
    return user


def _found(get) -> bool:
    try:
        get()
    except NotFound:
        return False
    return True


@pytest.mark.parametrize("kind, dataset_status, distribution, assigned", CASES)
def test_lookups_agree_with_visible_to(kind, dataset_status, distribution, assigned, workspace, other_workspace):
    user = _user(kind, workspace, other_workspace)
    dataset = DatasetFactory(workspace=workspace, status=dataset_status, distribution=distribution)
    record = RecordFactory(dataset=dataset)
    if assigned and user.is_authenticated:
        Assignment.objects.create(record=record, user=user)

    dataset_visible = Dataset.objects.visible_to(user).filter(pk=dataset.pk).exists()
    assert _found(lambda: dataset_get(user=user, dataset_id=dataset.pk)) == dataset_visible
    record_visible = Record.objects.visible_to(user).filter(pk=record.pk).exists()
    assert _found(lambda: record_get(user=user, record_id=record.pk)) == record_visible


def test_lookups_load_the_rows_with_their_parents(admin, dataset):
    record = RecordFactory(dataset=dataset, metadata={"topic": "cats"}, fields={"prompt": "Hi"})

    loaded = record_get(user=admin, record_id=str(record.pk))

    assert loaded == record
    assert (loaded.fields, loaded.metadata, loaded.inserted_at) == (record.fields, record.metadata, record.inserted_at)
    assert loaded.dataset.workspace.name == dataset.workspace.name
    assert dataset_get(user=admin, dataset_id=dataset.pk).workspace == dataset.workspace


@pytest.mark.parametrize("bad_id", ["nope", uuid.uuid4()])
def test_missing_or_malformed_ids_are_not_found(admin, bad_id):
    with pytest.raises(NotFound):
        record_get(user=admin, record_id=bad_id)
    with pytest.raises(NotFound):
        dataset_get(user=admin, dataset_id=bad_id)


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def _membership(user, workspace_id):
    return Membership.objects.filter(workspace_id=workspace_id, user_id=user.pk).first()


@pytest.mark.parametrize("kind", ["owner", "admin", "annotator", "outsider"])
@pytest.mark.parametrize("assigned", [False, True])
def test_statements_load_what_the_orm_loads(kind, assigned, workspace, other_workspace):
    user = _user(kind, workspace, other_workspace)
    dataset = DatasetFactory(workspace=workspace, distribution=Dataset.Distribution.ASSIGNED)
    record = RecordFactory(dataset=dataset, metadata={"topic": "cats"}, fields={"prompt": "Hi"})
    if assigned:
        Assignment.objects.create(record=record, user=user)

    found = lookups.dataset_lookup(user_id=user.pk, dataset_id=dataset.pk)
    expected = Dataset.objects.select_related("workspace").get(pk=dataset.pk)
    assert _fields(found.dataset) == _fields(expected)
    assert _fields(found.dataset.workspace) == _fields(expected.workspace)
    membership = _membership(user, workspace.pk)
    assert (found.membership and _fields(found.membership)) == (membership and _fields(membership))

    row = lookups.record_lookup(user_id=user.pk, record_id=record.pk)
    expected = Record.objects.select_related("dataset__workspace").get(pk=record.pk)
    assert _fields(row.record) == _fields(expected)
    assert _fields(row.record.dataset) == _fields(expected.dataset)
    assert _fields(row.record.dataset.workspace) == _fields(expected.dataset.workspace)
    assert (row.membership and _fields(row.membership)) == (membership and _fields(membership))
    assert row.is_assigned == Assignment.objects.filter(record=record, user_id=user.pk).exists()


def test_statements_find_nothing_for_unknown_ids(admin):
    assert lookups.dataset_lookup(user_id=admin.pk, dataset_id=uuid.uuid4()) is None
    assert lookups.record_lookup(user_id=admin.pk, record_id=uuid.uuid4()) is None
