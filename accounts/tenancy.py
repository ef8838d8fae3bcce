"""The one place where roles are compared (STYLE §3).

Querysets elsewhere build on `member_workspace_ids` / `admin_workspace_ids`; views never filter by hand.
"""

from django.db.models import QuerySet

from config.errors import NotFound, PermissionDenied


def _memberships(user):
    from .models import Membership

    return Membership.objects.filter(user_id=user.pk)


# The annotation loop reads the caller's membership in the same statement as the dataset or record it
# asks for (labeling.selectors); the services it then calls check that same membership again. The
# selector leaves what it read on the user object, which lives for one request, so those checks
# cost no query. Membership writes forget it on the instance they were given.
_SEEN = "_memberships_seen"
_UNKNOWN = object()


def remember_membership(user, workspace_id, membership) -> None:
    """Record the user's Membership in a workspace (None: not a member), as just read from the database."""
    seen = user.__dict__.setdefault(_SEEN, {})
    seen[workspace_id] = membership


def forget_memberships(user) -> None:
    user.__dict__.pop(_SEEN, None)


def _seen_membership(user, workspace_id):
    return user.__dict__.get(_SEEN, {}).get(workspace_id, _UNKNOWN)


def member_workspace_ids(user) -> QuerySet:
    """Ids of the workspaces the user belongs to, in any role (a subquery)."""
    return _memberships(user).values("workspace_id")


def admin_workspace_ids(user) -> QuerySet:
    """Ids of the workspaces the user administers (a subquery)."""
    from .models import Membership

    return _memberships(user).filter(role=Membership.Role.ADMIN).values("workspace_id")


def annotator_ids(workspace_id) -> QuerySet:
    """Ids of the users holding the annotator role in a workspace (a subquery): who may receive assignments."""
    from .models import Membership

    return Membership.objects.filter(workspace_id=workspace_id, role=Membership.Role.ANNOTATOR).values("user_id")


def is_authenticated(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_owner(user) -> bool:
    return is_authenticated(user) and user.is_superuser


def is_workspace_admin(user, workspace_id) -> bool:
    if is_owner(user):
        return True
    if not is_authenticated(user):
        return False
    seen = _seen_membership(user, workspace_id)
    if seen is not _UNKNOWN:
        return seen is not None and role_is_admin(seen.role)
    return admin_workspace_ids(user).filter(workspace_id=workspace_id).exists()


def role_is_admin(role: str | None) -> bool:
    """Whether a Membership role value (None: not a member) administers its workspace, for selectors
    that read the caller's role in the same statement as the object instead of through a subquery."""
    from .models import Membership

    return role == Membership.Role.ADMIN


def require_owner(user) -> None:
    if not is_owner(user):
        raise PermissionDenied("Only an owner can do this.")


def require_workspace_admin(user, workspace_id) -> None:
    """Raise PermissionDenied unless the user administers the workspace (owners always do).

    Callers have already fetched the object through a visible_to() queryset, so the user can see it.
    """
    if not is_workspace_admin(user, workspace_id):
        raise PermissionDenied("Only an admin of this workspace can do this.")


def require_member(user, workspace_id) -> None:
    """Raise NotFound for a workspace the user cannot see (DESIGN §2: not found, not forbidden)."""
    if is_owner(user):
        return
    if not is_authenticated(user):
        raise NotFound()
    seen = _seen_membership(user, workspace_id)
    if seen is _UNKNOWN:
        is_member = member_workspace_ids(user).filter(workspace_id=workspace_id).exists()
    else:
        is_member = seen is not None
    if not is_member:
        raise NotFound()


def require_membership(user, workspace_id):
    """`require_member` that also returns the user's Membership row (None for an owner who is not a member).

    At most one query (none when a lookup of this request already read the membership), for callers
    that need the row itself as well (the annotator's quota).
    """
    if not is_authenticated(user):
        raise NotFound()
    membership = _seen_membership(user, workspace_id)
    if membership is _UNKNOWN:
        membership = _memberships(user).filter(workspace_id=workspace_id).first()
    if membership is None and not is_owner(user):
        raise NotFound()
    return membership


def global_role(user) -> str:
    """Argilla's single role per user: owner, admin of any workspace, else annotator."""
    if is_owner(user):
        return "owner"
    return "admin" if admin_workspace_ids(user).exists() else "annotator"


def global_roles(users) -> dict:
    """`global_role` for many users at once (one query): {user_id: "owner" | "admin" | "annotator"}."""
    from .models import Membership

    users = list(users)
    admins = set(
        Membership.objects.filter(user_id__in=[u.pk for u in users], role=Membership.Role.ADMIN)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return {u.pk: "owner" if is_owner(u) else "admin" if u.pk in admins else "annotator" for u in users}
