"""The annotation loop's one-statement lookups of a dataset or a record (DESIGN §8).

`dataset_access` and `record_access` run on every call of the annotation loop. Building their `visible_to`
querysets cost more CPU than the database spent answering them, so each reads the object, its parents
and the caller's membership in one statement, built once per process; the selectors apply the rules of
`visible_to` to the loaded row (`labeling.querysets.dataset_row_visible` / `record_row_visible`).
"""

from functools import cache
from typing import NamedTuple

from django.db import connection

from accounts.models import Membership, User, Workspace
from config.rows import RowLoader, fetch_one, pk_param, row_loader, split_row

from ..models import Assignment, Dataset, Record


class DatasetRow(NamedTuple):
    dataset: Dataset  # with its workspace loaded
    membership: Membership | None  # the caller's, in the dataset's workspace


class RecordRow(NamedTuple):
    record: Record  # with its dataset and the dataset's workspace loaded
    membership: Membership | None
    is_assigned: bool  # whether the record is assigned to the caller


def _joins(qn, subject: str) -> str:
    return (f"JOIN {qn(Workspace._meta.db_table)} w ON w.{qn('id')} = d.{qn('workspace_id')} "
            f"LEFT JOIN {qn(Membership._meta.db_table)} m "
            f"ON m.{qn('workspace_id')} = d.{qn('workspace_id')} AND m.{qn('user_id')} = %s "
            f"WHERE {subject}.{qn('id')} = %s")


def _parents(vendor: str) -> list[RowLoader]:
    return [row_loader(Dataset, "d", vendor), row_loader(Workspace, "w", vendor), row_loader(Membership, "m", vendor)]


def _load_parents(loaders: list[RowLoader], values: list) -> DatasetRow:
    dataset_values, workspace_values, membership_values = values
    dataset = loaders[0].load(dataset_values)
    dataset.workspace = loaders[1].load(workspace_values)
    return DatasetRow(dataset, loaders[2].load_or_none(membership_values))


@cache
def _dataset_sql(vendor: str) -> tuple[str, list[RowLoader]]:
    qn = connection.ops.quote_name
    loaders = _parents(vendor)
    columns = ", ".join(loader.columns for loader in loaders)
    return f"SELECT {columns} FROM {qn(Dataset._meta.db_table)} d " + _joins(qn, "d"), loaders


def dataset_lookup(*, user_id, dataset_id) -> DatasetRow | None:
    """A dataset with its workspace and the caller's membership there, or None if there is no such dataset.

    ORM equivalent: `Dataset.objects.select_related("workspace").filter(pk=dataset_id).first()` and
    `Membership.objects.filter(workspace_id=dataset.workspace_id, user_id=user_id).first()`.
    """
    sql, loaders = _dataset_sql(connection.vendor)
    row = fetch_one(sql, [pk_param(User, user_id), pk_param(Dataset, dataset_id)])
    if row is None:
        return None
    values, _ = split_row(row, loaders)
    return _load_parents(loaders, values)


@cache
def _record_sql(vendor: str) -> tuple[str, list[RowLoader]]:
    qn = connection.ops.quote_name
    loaders = [row_loader(Record, "r", vendor), *_parents(vendor)]
    columns = ", ".join(loader.columns for loader in loaders)
    assigned = (f"EXISTS (SELECT 1 FROM {qn(Assignment._meta.db_table)} a "
                f"WHERE a.{qn('record_id')} = r.{qn('id')} AND a.{qn('user_id')} = %s)")
    sql = (f"SELECT {columns}, {assigned} "
           f"FROM {qn(Record._meta.db_table)} r JOIN {qn(Dataset._meta.db_table)} d ON d.{qn('id')} = r.{qn('dataset_id')} "
           + _joins(qn, "r"))
    return sql, loaders


def record_lookup(*, user_id, record_id) -> RecordRow | None:
    """A record with its dataset and workspace, the caller's membership there and whether the record is
    assigned to the caller, or None if there is no such record.

    ORM equivalent: `Record.objects.select_related("dataset__workspace").filter(pk=record_id).first()`,
    `Membership.objects.filter(workspace_id=record.dataset.workspace_id, user_id=user_id).first()` and
    `Assignment.objects.filter(record_id=record_id, user_id=user_id).exists()`.
    """
    sql, loaders = _record_sql(connection.vendor)
    user_param = pk_param(User, user_id)
    row = fetch_one(sql, [user_param, user_param, pk_param(Record, record_id)])
    if row is None:
        return None
    (record_values, *parent_values), rest = split_row(row, loaders)
    parents = _load_parents(loaders[1:], parent_values)
    record = loaders[0].load(record_values)
    record.dataset = parents.dataset
    return RecordRow(record, parents.membership, bool(rest[0]))
