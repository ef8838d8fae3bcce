"""Writes that one Argilla operation makes through several of our services, all or nothing.

Argilla's bulk paths and its user creation succeed or fail as a whole; each service here opens one
transaction around the services it calls, so that a view never opens one (STYLE §2).
"""

from django.db import transaction

from accounts import services as account_services
from accounts.models import Membership, User
from accounts.selectors import workspace_get_by_name
from config.errors import InvalidInput, NotFound
from labeling.access import DatasetAccess
from labeling.models import Record
from labeling.services import records as record_services
from labeling.services import responses as response_services
from labeling.services import suggestions as suggestion_services


def user_create_in_workspaces(*, actor: User, username, password, first_name: str, last_name: str, role: str,
                              workspace_names: list) -> tuple[User, str]:
    """Create a user with a fresh key and memberships in the named workspaces; return it and the key.

    Argilla's one global role maps onto ours: `owner` is an owner; `admin`/`annotator` become that role
    in each workspace named (argilla-compat.md §1 "Roles"). An unknown workspace writes nothing.
    """
    with transaction.atomic():
        user, secret = account_services.user_create(
            actor=actor, username=username, password=password, first_name=first_name, last_name=last_name,
            is_owner=role == "owner", create_api_key=True,
        )
        member_role = Membership.Role.ADMIN if role == "admin" else Membership.Role.ANNOTATOR
        for name in workspace_names:
            try:
                ws = workspace_get_by_name(user=actor, name=name)
            except NotFound:
                raise InvalidInput("A workspace named in 'workspaces' does not exist.") from None
            account_services.membership_set(actor=actor, workspace=ws, user=user, role=member_role)
    return user, secret


def records_push(*, access: DatasetAccess, rows: list[dict], responses: list[dict]) -> list[Record]:
    """Upsert records and then their responses (`{"index", "user", "status", "values"}`, `index` naming
    the row), all or nothing as Argilla's bulk paths are."""
    with transaction.atomic():
        result = record_services.records_upsert(access=access, items=rows)
        if responses:
            for response in responses:
                response["record"] = result.records[response["index"]]
            response_services.responses_upsert(access=access, items=responses)
    return result.records


def records_log(*, access: DatasetAccess, items: list[dict], matches: list[Record | None],
                suggestions: list[list[dict]], responses: list[dict]) -> tuple[list[Record], list[str]]:
    """v2 `records.log`: update the matched records (keeping what an item leaves out), create the rest,
    then write the responses; return the records written and the ids of those that existed."""
    rows, updated = [], []
    with transaction.atomic():
        for item, record, item_suggestions in zip(items, matches, suggestions, strict=True):
            external_id = None if item.get("external_id") is None else str(item["external_id"])
            if record is not None and record.external_id is None:
                # A record made without an external id, sent back under the id the SDK gave it.
                record = record_services.record_update(access=access, record=record,
                                                       external_id=external_id or str(record.pk))
            row = {"fields": item.get("fields") if item.get("fields") is not None else (record.fields if record else None),
                   "suggestions": item_suggestions,
                   "external_id": record.external_id if record is not None else external_id}
            if item.get("metadata") is not None:
                row["metadata"] = item["metadata"]
            elif record is not None:
                row["metadata"] = record.metadata
            if record is not None:
                updated.append(str(record.pk))
            rows.append(row)
        written = records_push(access=access, rows=rows, responses=responses)
    return written, updated


def records_amend(*, access: DatasetAccess, metadata: list[tuple[Record, dict]], suggestions: list[dict]) -> None:
    """v1 `update_records` and `record.update()`: replace records' metadata and add or replace their
    suggestions (`{"record_id", "question", ...}`), all or nothing; fields stay as they are in Argilla."""
    with transaction.atomic():
        for record, values in metadata:
            record_services.record_update(access=access, record=record, metadata=values)
        if suggestions:
            suggestion_services.suggestions_upsert(access=access, items=suggestions)
