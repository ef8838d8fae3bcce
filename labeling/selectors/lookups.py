"""Datasets and records by id, scoped to what the caller may read (STYLE §3)."""

from django.db.models import prefetch_related_objects

from accounts import tenancy
from accounts.models import User
from config.errors import NotFound
from config.ids import parse_uuid

from ..models import Dataset, Record
from ..querysets import dataset_row_visible, record_row_visible
from ..sql import lookups


def dataset_list(*, user: User, workspace_id=None):
    """Datasets the user may read, optionally in one workspace."""
    datasets = Dataset.objects.visible_to(user).select_related("workspace")
    if workspace_id is not None:
        datasets = datasets.filter(workspace_id=parse_uuid(workspace_id))
    return datasets


def _role(membership) -> str | None:
    return membership.role if membership is not None else None


def dataset_get(*, user: User, dataset_id) -> Dataset:
    """One dataset the user may read; missing and not-yours are the same NotFound.

    One statement (`labeling.sql.lookups`); the caller's membership is left with
    `tenancy.remember_membership` for the services the request calls next.
    """
    dataset_id = parse_uuid(dataset_id)
    if tenancy.is_authenticated(user):
        found = lookups.dataset_lookup(user_id=user.pk, dataset_id=dataset_id)
        if found is not None:
            tenancy.remember_membership(user, found.dataset.workspace_id, found.membership)
            if dataset_row_visible(user, found.dataset, _role(found.membership)):
                return found.dataset
    raise NotFound("Dataset not found.")


def dataset_get_by_name(*, user: User, workspace_name: str, name: str) -> Dataset:
    try:
        return Dataset.objects.visible_to(user).select_related("workspace").get(workspace__name=workspace_name, name=name)
    except Dataset.DoesNotExist:
        raise NotFound(f"Dataset '{workspace_name}/{name}' not found.") from None


def dataset_with_schema(dataset: Dataset) -> Dataset:
    """Prefetch fields, questions and metadata properties (three queries, whatever their number)."""
    prefetch_related_objects([dataset], "fields", "questions", "metadata_properties")
    return dataset


def records_readable(*, user: User, dataset: Dataset):
    """Records of a dataset the user may read: every one for its admins, the distribution's share for others."""
    if tenancy.is_workspace_admin(user, dataset.workspace_id):
        return Record.objects.filter(dataset=dataset)
    return Record.objects.for_annotator(user, dataset)


def record_get(*, user: User, dataset: Dataset | None = None, record_id) -> Record:
    """One record the user may read (through its dataset when given); NotFound otherwise.

    Without a dataset, one statement (`labeling.sql.lookups`) that also leaves the caller's membership
    with `tenancy.remember_membership`, as `dataset_get` does.
    """
    record_id = parse_uuid(record_id)
    if dataset is None:
        if tenancy.is_authenticated(user):
            found = lookups.record_lookup(user_id=user.pk, record_id=record_id)
            if found is not None:
                record = found.record
                tenancy.remember_membership(user, record.dataset.workspace_id, found.membership)
                if record_row_visible(user, record, record.dataset, _role(found.membership), found.is_assigned):
                    return record
        raise NotFound("Record not found.")
    records = Record.objects.visible_to(user).select_related("dataset", "dataset__workspace").filter(dataset=dataset)
    try:
        return records.get(pk=record_id)
    except Record.DoesNotExist:
        raise NotFound("Record not found.") from None
