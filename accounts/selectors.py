import hmac
import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q

from config import rows
from config.errors import NotFound
from config.ids import uuid_or_none

from .keys import api_key_digest
from .models import ApiKey, User, Workspace


def user_for_api_key(secret: str) -> tuple[User, ApiKey] | None:
    """The active user and key for a presented secret, or None.

    The lookup is by digest (unique index), among unrevoked keys of active users; the digest is then
    compared in constant time. Every API call runs it, so it is one hand-written statement
    (`config.rows`).
    """
    if not secret or len(secret) > 200:
        return None
    digest = api_key_digest(secret)
    sql, loaders = _key_lookup_sql(connection.vendor)
    row = rows.fetch_one(sql, [digest, True])
    if row is None:
        return None
    (key_values, user_values), _ = rows.split_row(row, loaders)
    key, user = loaders[0].load(key_values), loaders[1].load(user_values)
    if not hmac.compare_digest(key.digest, digest):
        return None
    key.user = user
    return user, key


@cache
def _key_lookup_sql(vendor: str):
    keys, users = rows.row_loader(ApiKey, "k", vendor), rows.row_loader(User, "u", vendor)
    qn = connection.ops.quote_name
    sql = (f"SELECT {keys.columns}, {users.columns} FROM {qn(ApiKey._meta.db_table)} k "
           f"JOIN {qn(User._meta.db_table)} u ON u.{qn('id')} = k.{qn('user_id')} "
           f"WHERE k.{qn('digest')} = %s AND k.{qn('revoked_at')} IS NULL AND u.{qn('is_active')} = %s")
    return sql, (keys, users)


def workspace_get(*, user: User, workspace_id) -> Workspace:
    try:
        return Workspace.objects.visible_to(user).get(id=workspace_id)
    except (Workspace.DoesNotExist, ValueError, TypeError):
        raise NotFound("Workspace not found.") from None


def workspace_get_by_name(*, user: User, name: str) -> Workspace:
    try:
        return Workspace.objects.visible_to(user).get(name=name)
    except Workspace.DoesNotExist:
        raise NotFound(f"Workspace '{name}' not found.") from None


def user_list(*, user: User):
    """Users the caller may see (everyone for owners), with their memberships' workspaces."""
    return User.objects.visible_to(user).prefetch_related("memberships__workspace").order_by("inserted_at", "username")


def user_get(*, user: User, user_id) -> User:
    """One user the caller may see; missing and not-visible are the same NotFound."""
    try:
        return User.objects.visible_to(user).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("User not found.") from None


def user_refs_split(refs: Iterable[Any]) -> tuple[list[str], list[uuid.UUID]]:
    """The one reading of user identifiers in requests (issue #19): each is a user id when it parses as
    one, else a username. Returns (usernames, ids); a text that parses as an id is also kept as a name,
    since a username may look like an id."""
    names, ids = [], []
    for ref in refs:
        if isinstance(ref, uuid.UUID):
            ids.append(ref)
            continue
        text = str(ref).strip()
        parsed = uuid_or_none(text)
        names.append(text)
        if parsed is not None:
            ids.append(parsed)
    return names, ids


def user_refs_condition(refs: Iterable[Any], *, through: str = "") -> Q:
    """A filter matching the users named by `refs` (usernames or ids), on the model itself or, with
    `through` ("user", "assignments__user"), on a relation to User."""
    names, ids = user_refs_split(refs)
    prefix = f"{through}__" if through else ""
    return Q(**{f"{prefix}username__in": names}) | Q(**{f"{prefix}pk__in": ids})


def user_ref_matches(user: User, ref: Any) -> bool:
    """Whether `ref` (a username or an id) names `user`."""
    text = str(ref).strip()
    return text == user.username or uuid_or_none(text) == user.pk


def member_get(*, workspace: Workspace, user_ref: Any):
    """The membership in `workspace` (fetched by the caller through `workspace_get`) of the user named by
    `user_ref`, a username or an id, with its user; NotFound when there is none."""
    from .models import Membership

    membership = (Membership.objects.filter(workspace=workspace).filter(user_refs_condition([user_ref], through="user"))
                  .select_related("user").first())
    if membership is None:
        raise NotFound("No such member of this workspace.")
    return membership


def user_get_by_ref(*, user: User, ref: Any) -> User:
    """`user_get` for a username or an id (`user_refs_split`)."""
    found = User.objects.visible_to(user).filter(user_refs_condition([ref])).first()
    if found is None:
        raise NotFound("User not found.")
    return found


def skills_of(*, user: User) -> list[tuple[str, list[str]]]:
    """The caller's own skills, per workspace where they hold any: [(workspace name, skills)]."""
    from .models import Membership

    held = Membership.objects.filter(user_id=user.pk).exclude(skills=[]).order_by("workspace__name")
    return list(held.values_list("workspace__name", "skills"))


def workspace_users(*, user: User, workspace: Workspace):
    """Members of a workspace the caller can see (fetch `workspace` with `workspace_get` first)."""
    return user_list(user=user).filter(memberships__workspace=workspace)


def workspace_list(*, user: User):
    """Workspaces the user belongs to (every one for owners)."""
    return Workspace.objects.visible_to(user)


def membership_list(*, workspace: Workspace):
    """Members of a workspace the caller has already fetched through `workspace_get`."""
    from .models import Membership

    return Membership.objects.filter(workspace=workspace).select_related("user")


def api_key_list(*, user: User):
    """The caller's own keys (every key for owners), newest first."""
    return ApiKey.objects.visible_to(user).select_related("user")


def api_key_get(*, user: User, key_id) -> ApiKey:
    try:
        return ApiKey.objects.visible_to(user).select_related("user").get(pk=key_id)
    except (ApiKey.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("API key not found.") from None
