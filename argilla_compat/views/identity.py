"""Users, workspaces and memberships: the legacy 1.x `/api` paths and their `/api/v1` twins (§4.1, §4.2)."""

from accounts import services as account_services
from accounts import tenancy
from accounts.models import Membership, User, Workspace
from accounts.selectors import user_get, user_list, workspace_get, workspace_list, workspace_users
from config.ids import parse_uuid
from labeling.services.users import user_delete

from .. import shapes
from ..http import ArgillaError, Call, json_response, unprocessable
from ..selectors import is_member, workspace_names_by_user, workspaces_shared
from ..services import user_create_in_workspaces

ROLES = ("owner", "admin", "annotator")


def _legacy_users(users) -> list[dict]:
    users = list(users)
    roles, names = tenancy.global_roles(users), workspace_names_by_user(users=users)
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
    names = workspace_names_by_user(users=[call.user])[call.user.pk]
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
    """Create a user with a fresh key and, for the legacy path, memberships in named workspaces."""
    body = call.body
    role = body.get("role") or "annotator"
    if role not in ROLES:
        raise unprocessable(f"role must be one of: {', '.join(ROLES)}.")
    if not isinstance(workspace_names, list):
        raise unprocessable("workspaces must be a list of workspace names.")
    username = body.get("username")
    return user_create_in_workspaces(
        actor=call.user,
        username=username,
        password=body.get("password"),
        first_name=body.get("first_name") or (username if isinstance(username, str) else ""),
        last_name=body.get("last_name") or "",
        role=role,
        workspace_names=workspace_names,
    )


def legacy_users(call: Call):
    tenancy.require_owner(call.user)
    return json_response(_legacy_users(user_list(user=call.user)))


def legacy_user_create(call: Call):
    names = call.body.get("workspaces") or []
    user, secret = _user_create(call, workspace_names=names)
    shaped = shapes.legacy_user(
        user, role=tenancy.global_role(user), workspaces=workspace_names_by_user(users=[user])[user.pk], api_key=secret
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
    shared = workspaces_shared(user=call.user, member=user)
    return json_response({"items": [shapes.workspace(ws) for ws in shared]})


# --- workspaces ---------------------------------------------------------------------------------


def my_workspaces(call: Call):
    return json_response({"items": [shapes.workspace(ws) for ws in workspace_list(user=call.user)]})


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
    if is_member(user=user, workspace=ws):
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
