"""What a caller may do with one dataset or one record: the object together with their access to its
workspace (`accounts.tenancy.Access`), as the lookups of `labeling.selectors.lookups` return it.

Selectors and services whose answer depends on the caller's role take one of these as `access`, so a
membership read once per request serves them all, and nothing is kept on the user object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from accounts.tenancy import Access

if TYPE_CHECKING:
    from .models import Dataset, Record, Response


@dataclass(frozen=True)
class DatasetAccess(Access):
    """A dataset the caller may read, with their membership in its workspace."""

    dataset: Dataset


@dataclass(frozen=True)
class RecordAccess(DatasetAccess):
    """A record the caller may read, with its dataset, their membership and whether it is assigned to them."""

    record: Record
    is_assigned: bool


@dataclass(frozen=True)
class ResponseAccess(DatasetAccess):
    """A response the caller may read (their own, or any of the workspace when they may review), with its
    record, dataset and their membership."""

    response: Response

    @property
    def is_own(self) -> bool:
        return self.response.user_id == self.user.pk


@dataclass(frozen=True)
class OperatorAccess(DatasetAccess):
    """A dataset reached by a trusted caller without a user (management commands run by the operator):
    it administers the dataset, and what it writes names no actor (`Assignment.assigned_by` stays empty)."""

    @property
    def is_admin(self) -> bool:
        return True

    @property
    def can_review(self) -> bool:
        return True


def operator_access(dataset: Dataset) -> OperatorAccess:
    """The access of a management command run by the operator, who may do anything to any dataset."""
    return OperatorAccess(None, dataset.workspace_id, None, dataset)
