"""Datasets and records by id, scoped to what the caller may read (STYLE §3)."""

from django.db.models import Exists, OuterRef, prefetch_related_objects

from accounts import tenancy
from accounts.models import User
from config.errors import NotFound
from config.ids import parse_uuid

from ..access import DatasetAccess, RecordAccess, ResponseAccess
from ..models import Assignment, Dataset, Record, Response
from ..querysets import dataset_row_visible, record_row_visible
from ..sql import lookups
from ..sql.lookups import RecordRow


def dataset_list(*, user: User, workspace_id=None):
    """Datasets the user may read, optionally in one workspace."""
    datasets = Dataset.objects.visible_to(user).select_related("workspace")
    if workspace_id is not None:
        datasets = datasets.filter(workspace_id=parse_uuid(workspace_id))
    return datasets


def _role(membership) -> str | None:
    return membership.role if membership is not None else None


def dataset_access(*, user: User, dataset_id) -> DatasetAccess:
    """One dataset the user may read, with their membership in its workspace; missing and not-yours are
    the same NotFound. One statement (`labeling.sql.lookups`)."""
    dataset_id = parse_uuid(dataset_id)
    if tenancy.is_authenticated(user):
        found = lookups.dataset_lookup(user_id=user.pk, dataset_id=dataset_id)
        if found is not None and dataset_row_visible(user, found.dataset, _role(found.membership)):
            return DatasetAccess(user, found.dataset.workspace_id, found.membership, found.dataset)
    raise NotFound("Dataset not found.")


def dataset_get(*, user: User, dataset_id) -> Dataset:
    """`dataset_access` for callers that need only the dataset."""
    return dataset_access(user=user, dataset_id=dataset_id).dataset


def dataset_access_for(*, user: User, dataset: Dataset) -> DatasetAccess:
    """The caller's access to a dataset they already hold (admin, commands, tests): one membership query;
    NotFound for a non-member who is not an owner (`tenancy.access_get`). The dataset's own state is left
    to the services, as their `require_ready`."""
    access = tenancy.access_get(user, dataset.workspace_id)
    return DatasetAccess(user, dataset.workspace_id, access.membership, dataset)


def dataset_get_by_name(*, user: User, workspace_name: str, name: str) -> Dataset:
    try:
        return Dataset.objects.visible_to(user).select_related("workspace").get(workspace__name=workspace_name, name=name)
    except Dataset.DoesNotExist:
        raise NotFound(f"Dataset '{workspace_name}/{name}' not found.") from None


def dataset_with_schema(dataset: Dataset) -> Dataset:
    """Prefetch fields, questions and metadata properties (three queries, whatever their number)."""
    prefetch_related_objects([dataset], "fields", "questions", "metadata_properties")
    return dataset


def records_readable(*, access: DatasetAccess):
    """Records of a dataset the caller may read: every one for its admins, the distribution's share for others."""
    if access.is_admin:
        return Record.objects.filter(dataset=access.dataset)
    return Record.objects.for_annotator(access.user, access.dataset)


def _record_access(user: User, record: Record, found: RecordRow) -> RecordAccess:
    dataset = record.dataset
    return RecordAccess(user, dataset.workspace_id, found.membership, dataset, record, found.is_assigned)


def record_access(*, user: User, record_id) -> RecordAccess:
    """One record the user may read, with its dataset, their membership and whether it is assigned to
    them; missing and not-yours are the same NotFound. One statement (`labeling.sql.lookups`)."""
    record_id = parse_uuid(record_id)
    if tenancy.is_authenticated(user):
        found = lookups.record_lookup(user_id=user.pk, record_id=record_id)
        if found is not None:
            record = found.record
            if record_row_visible(user, record, record.dataset, _role(found.membership), found.is_assigned):
                return _record_access(user, record, found)
    raise NotFound("Record not found.")


def record_access_for(*, user: User, record: Record) -> RecordAccess:
    """The caller's access to a record they already hold (admin, commands, tests): the membership and
    whether the record is assigned to them, read by `record_access`'s one statement; NotFound for a
    non-member who is not an owner (`tenancy.access_get`). The given instance is kept."""
    found = None
    if tenancy.is_authenticated(user):
        found = lookups.record_lookup(user_id=user.pk, record_id=record.pk)
    if found is None or (found.membership is None and not tenancy.is_owner(user)):
        raise NotFound()
    if not Record.dataset.is_cached(record):
        record.dataset = found.record.dataset
    return _record_access(user, record, found)


def record_access_in(*, access: DatasetAccess, record_id) -> RecordAccess:
    """A record of the accessed dataset the caller may read, with whether it is assigned to them; NotFound
    otherwise. One query, through `Record.objects.visible_to` as `record_get` with a dataset."""
    user = access.user
    assigned = Assignment.objects.filter(record_id=OuterRef("pk"), user_id=user.pk)
    records = (Record.objects.visible_to(user).filter(dataset=access.dataset)
               .annotate(is_assigned=Exists(assigned)))
    try:
        record = records.get(pk=parse_uuid(record_id))
    except Record.DoesNotExist:
        raise NotFound("Record not found.") from None
    record.dataset = access.dataset
    return RecordAccess(user, access.workspace_id, access.membership, access.dataset, record, record.is_assigned)


def record_get(*, user: User, dataset: Dataset | None = None, record_id) -> Record:
    """One record the user may read (through its dataset when given); NotFound otherwise.

    Without a dataset, `record_access`'s one statement.
    """
    if dataset is None:
        return record_access(user=user, record_id=record_id).record
    records = Record.objects.visible_to(user).select_related("dataset", "dataset__workspace").filter(dataset=dataset)
    try:
        return records.get(pk=parse_uuid(record_id))
    except Record.DoesNotExist:
        raise NotFound("Record not found.") from None


def response_access(*, user: User, response_id) -> ResponseAccess:
    """One response the user may read: their own, or any response of a workspace where they may review
    (reviewers, admins, owners); missing and not-yours are the same NotFound. Two queries."""
    response_id = parse_uuid(response_id)
    if tenancy.is_authenticated(user):
        response = (Response.objects.select_related("record__dataset", "user")
                    .filter(pk=response_id).first())
        if response is not None:
            dataset = response.record.dataset
            membership = tenancy.access_get_or_none(user, dataset.workspace_id)
            if membership is not None and (membership.can_review or response.user_id == user.pk):
                return ResponseAccess(user, dataset.workspace_id, membership.membership, dataset, response)
    raise NotFound("Response not found.")
