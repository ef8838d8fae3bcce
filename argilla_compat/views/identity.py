"""Users, workspaces and memberships: the legacy 1.x `/api` paths and their `/api/v1` twins (§4.1, §4.2)."""

from django.db import transaction
from django.db.models import prefetch_related_objects

from accounts import services as account_services
from accounts import tenancy
from accounts.models import Membership, User, Workspace
from accounts.selectors import user_get, user_list, workspace_get, workspace_get_by_name, workspace_users
from config.errors import NotFound
from labeling.services.users import user_delete

from .. import shapes
from ..http import ArgillaError, Call, json_response, parse_uuid, unprocessable

ROLES = ("owner", "admin", "annotator")


def _workspace_names(users: list[User]) -> dict:
    """Argilla lists owners in every workspace, others in their memberships."""
    prefetch_related_objects(users, "memberships__workspace")
    everything = None
    names = {}
    for u in users:
        if tenancy.is_owner(u):
            if everything is None:
                everything = list(Workspace.objects.values_list("name", flat=True))
            names[u.pk] = everything
        else:
            names[u.pk] = sorted(m.workspace.name for m in u.memberships.all())
    return names


def _legacy_users(users) -> list[dict]:
    users = list(users)
    roles, names = tenancy.global_roles(users), _workspace_names(users)
    return [shapes.legacy_user(u, role=roles[u.pk], workspaces=names[u.pk]) for u in users]


def _users(users) -> list[dict]:
    users = list(users)
    roles = tenancy.global_roles(users)
    return [shapes.user(u, role=roles[u.pk]) for u in users]


def _user(call: Call, user_id) -> User:
    return user_get(user=call.user, user_id=parse_uuid(user_id))


def _workspace(call: Call, workspace_id) -> Workspace:
    return workspace_get(user=call.user, workspace_id=parse_uuid(workspace_id))


# --- the caller ---------------------------------------------------------------------------------


def me_legacy(call: Call):
    names = _workspace_names([call.user])[call.user.pk]
    role = tenancy.global_role(call.user)
    return json_response(shapes.legacy_user(call.user, role=role, workspaces=names, api_key=call.api_key))


def me(call: Call):
    return json_response(shapes.user(call.user, role=tenancy.global_role(call.user), api_key=call.api_key))


def info(call: Call):
    return json_response({"version": shapes.ARGILLA_VERSION})


def status(call: Call):
    return json_response({"version": shapes.ARGILLA_VERSION, "elasticsearch": {}, "mem_info": {}})


# --- users --------------------------------------------------------------------------------------


def _user_create(call: Call, *, workspace_names: list) -> tuple[User, str]:
    """Create a user with a fresh key and, for the legacy path, memberships in named workspaces.

    Argilla's one global role maps onto ours: `owner` is an owner; `admin`/`annotator` become that
    role in each workspace given (argilla-compat.md §1 "Roles").
    """
    body = call.body
    role = body.get("role") or "annotator"
    if role not in ROLES:
        raise unprocessable(f"role must be one of: {', '.join(ROLES)}.")
    if not isinstance(workspace_names, list):
        raise unprocessable("workspaces must be a list of workspace names.")
    username = body.get("username")
    # Argilla creates the user and their memberships at once: both services run in one transaction.
    with transaction.atomic():
        user, secret = account_services.user_create(
            actor=call.user,
            username=username,
            password=body.get("password"),
            first_name=body.get("first_name") or (username if isinstance(username, str) else ""),
            last_name=body.get("last_name") or "",
            is_owner=role == "owner",
            create_api_key=True,
        )
        member_role = Membership.Role.ADMIN if role == "admin" else Membership.Role.ANNOTATOR
        for name in workspace_names:
            try:
                ws = workspace_get_by_name(user=call.user, name=name)
            except NotFound:
                raise unprocessable("A workspace named in 'workspaces' does not exist.") from None
            account_services.membership_set(actor=call.user, workspace=ws, user=user, role=member_role)
    return user, secret


def legacy_users(call: Call):
    tenancy.require_owner(call.user)
    return json_response(_legacy_users(user_list(user=call.user)))


def legacy_user_create(call: Call):
    names = call.body.get("workspaces") or []
    user, secret = _user_create(call, workspace_names=names)
    shaped = shapes.legacy_user(
        user, role=tenancy.global_role(user), workspaces=_workspace_names([user])[user.pk], api_key=secret
    )
    return json_response(shaped)


def legacy_user_delete(call: Call, user_id):
    user = _user(call, user_id)
    shaped = _legacy_users([user])[0]
    user_delete(actor=call.user, user=user)
    return json_response(shaped)


def users(call: Call):
    tenancy.require_owner(call.user)
    return json_response({"items": _users(user_list(user=call.user))})


def user_create(call: Call):
    user, secret = _user_create(call, workspace_names=[])
    return json_response(shapes.user(user, role=tenancy.global_role(user), api_key=secret), status=201)


def user_detail(call: Call, user_id):
    return json_response(_users([_user(call, user_id)])[0])


def user_delete_v1(call: Call, user_id):
    user = _user(call, user_id)
    shaped = _users([user])[0]
    user_delete(actor=call.user, user=user)
    return json_response(shaped)


def user_workspaces(call: Call, user_id):
    user = _user(call, user_id)
    shared = Workspace.objects.visible_to(user).filter(pk__in=Workspace.objects.visible_to(call.user).values("pk"))
    return json_response({"items": [shapes.workspace(ws) for ws in shared]})


# --- workspaces ---------------------------------------------------------------------------------


def my_workspaces(call: Call):
    return json_response({"items": [shapes.workspace(ws) for ws in Workspace.objects.visible_to(call.user)]})


def legacy_workspace_create(call: Call):
    ws = account_services.workspace_create(actor=call.user, name=call.body.get("name"))
    return json_response(shapes.workspace(ws))


def workspace_create(call: Call):
    ws = account_services.workspace_create(actor=call.user, name=call.body.get("name"))
    return json_response(shapes.workspace(ws), status=201)


def workspace_detail(call: Call, workspace_id):
    return json_response(shapes.workspace(_workspace(call, workspace_id)))


def workspace_delete(call: Call, workspace_id):
    ws = _workspace(call, workspace_id)
    shaped = shapes.workspace(ws)
    account_services.workspace_delete(actor=call.user, workspace=ws)
    return json_response(shaped)


def legacy_workspace_users(call: Call, workspace_id):
    ws = _workspace(call, workspace_id)
    return json_response(_legacy_users(workspace_users(user=call.user, workspace=ws)))


def workspace_members(call: Call, workspace_id):
    ws = _workspace(call, workspace_id)
    return json_response({"items": _users(workspace_users(user=call.user, workspace=ws))})


def _member_add(call: Call, ws: Workspace, user: User) -> User:
    """Add a member with the role matching their global Argilla role (admins stay admins)."""
    if tenancy.member_workspace_ids(user).filter(workspace_id=ws.pk).exists():
        raise ArgillaError(409, f"User '{user.username}' is already a member of workspace '{ws.name}'.")
    role = Membership.Role.ANNOTATOR if tenancy.global_role(user) == "annotator" else Membership.Role.ADMIN
    account_services.membership_set(actor=call.user, workspace=ws, user=user, role=role)
    return user


def workspace_member_add(call: Call, workspace_id):
    ws = _workspace(call, workspace_id)
    user = user_get(user=call.user, user_id=parse_uuid(call.body.get("user_id")))
    _member_add(call, ws, user)
    return json_response(_users([user])[0], status=201)


def legacy_workspace_member(call: Call, workspace_id, user_id):
    ws, user = _workspace(call, workspace_id), _user(call, user_id)
    _member_add(call, ws, user)
    return json_response(_legacy_users([user])[0])


def legacy_workspace_member_remove(call: Call, workspace_id, user_id):
    ws, user = _workspace(call, workspace_id), _user(call, user_id)
    account_services.membership_remove(actor=call.user, workspace=ws, user=user)
    return json_response(_legacy_users([user])[0])


def workspace_member_remove(call: Call, workspace_id, user_id):
    ws, user = _workspace(call, workspace_id), _user(call, user_id)
    account_services.membership_remove(actor=call.user, workspace=ws, user=user)
    return json_response(_users([user])[0])
