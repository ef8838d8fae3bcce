"""The one place where roles are compared (STYLE §3).

Querysets elsewhere build on `member_workspace_ids` / `admin_workspace_ids`; views never filter by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from config.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from .models import Membership, User

ADMIN_REFUSAL = "Only an admin of this workspace can do this."
REVIEWER_REFUSAL = "Only a reviewer or an admin of this workspace can review answers."


def _memberships(user):
    from .models import Membership

    return Membership.objects.filter(user_id=user.pk)


def member_workspace_ids(user) -> QuerySet:
    """Ids of the workspaces the user belongs to, in any role (a subquery)."""
    return _memberships(user).values("workspace_id")


def admin_workspace_ids(user) -> QuerySet:
    """Ids of the workspaces the user administers (a subquery)."""
    from .models import Membership

    return _memberships(user).filter(role=Membership.Role.ADMIN).values("workspace_id")


def reviewer_workspace_ids(user) -> QuerySet:
    """Ids of the workspaces where the user may review answers (a subquery; owners: see `is_owner`)."""

    return _memberships(user).filter(role__in=_reviewing_roles()).values("workspace_id")


def annotator_ids(workspace_id) -> QuerySet:
    """Ids of the users holding the annotator role in a workspace (a subquery): who may receive assignments."""
    from .models import Membership

    return Membership.objects.filter(workspace_id=workspace_id, role=Membership.Role.ANNOTATOR).values("user_id")


def is_authenticated(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_owner(user) -> bool:
    return is_authenticated(user) and user.is_superuser


def is_workspace_admin(user, workspace_id) -> bool:
    """Whether the user administers the workspace (owners always do); one query for a non-owner.

    Callers holding an `Access` ask `access.is_admin` instead, which costs nothing."""
    if is_owner(user):
        return True
    if not is_authenticated(user):
        return False
    return admin_workspace_ids(user).filter(workspace_id=workspace_id).exists()


def role_is_admin(role: str | None) -> bool:
    """Whether a Membership role value (None: not a member) administers its workspace, for selectors
    that read the caller's role in the same statement as the object instead of through a subquery."""
    from .models import Membership

    return role == Membership.Role.ADMIN


def role_can_review(role: str | None) -> bool:
    """Whether a Membership role value may review others' answers: reviewers and admins."""
    return role in _reviewing_roles()


def _reviewing_roles() -> tuple[str, ...]:
    """The Membership roles that may review others' answers."""
    from .models import Membership

    return (Membership.Role.ADMIN, Membership.Role.REVIEWER)


def require_owner(user) -> None:
    if not is_owner(user):
        raise PermissionDenied("Only an owner can do this.")


def require_workspace_admin(user, workspace_id) -> None:
    """Raise PermissionDenied unless the user administers the workspace (owners always do).

    Callers have already fetched the object through a visible_to() queryset, so the user can see it.
    """
    if not is_workspace_admin(user, workspace_id):
        raise PermissionDenied(ADMIN_REFUSAL)


def require_member(user, workspace_id) -> None:
    """Raise NotFound for a workspace the user cannot see (DESIGN §2: not found, not forbidden)."""
    if is_owner(user):
        return
    if not is_authenticated(user) or not member_workspace_ids(user).filter(workspace_id=workspace_id).exists():
        raise NotFound()


@dataclass(frozen=True)
class Access:
    """What one caller may do in one workspace: the user with their Membership there (None for an owner
    who is not a member), read once and handed to the selectors and services that depend on the role.

    Built by `access_get`, or by a lookup that read the membership with the object it was asked for
    (`labeling.selectors.lookups`); it is never stored on the user.
    """

    user: User
    workspace_id: Any
    membership: Membership | None

    @property
    def is_owner(self) -> bool:
        return is_owner(self.user)

    @property
    def role(self) -> str | None:
        """The membership's role (None: not a member)."""
        return self.membership.role if self.membership is not None else None

    @property
    def is_admin(self) -> bool:
        """Whether the caller administers the workspace: an owner, or a member with the admin role."""
        return self.is_owner or role_is_admin(self.role)

    @property
    def can_review(self) -> bool:
        """Whether the caller may review answers in the workspace: an owner, an admin or a reviewer."""
        return self.is_owner or role_can_review(self.role)

    @property
    def quota(self) -> int | None:
        """The membership's quota of answers per dataset (None: no quota, or not a member)."""
        return self.membership.quota if self.membership is not None else None

    def require_admin(self) -> None:
        """Raise PermissionDenied unless the caller administers the workspace (`require_workspace_admin`)."""
        if not self.is_admin:
            raise PermissionDenied(ADMIN_REFUSAL)

    def require_reviewer(self) -> None:
        """Raise PermissionDenied unless the caller may review answers in the workspace."""
        if not self.can_review:
            raise PermissionDenied(REVIEWER_REFUSAL)


def access_get(user, workspace_id) -> Access:
    """The caller's access to a workspace, in one query; NotFound for a non-member who is not an owner
    (as `require_member`)."""
    access = access_get_or_none(user, workspace_id)
    if access is None:
        raise NotFound()
    return access


def access_get_or_none(user, workspace_id) -> Access | None:
    """`access_get`, answering None where it raises NotFound."""
    if not is_authenticated(user):
        return None
    membership = _memberships(user).filter(workspace_id=workspace_id).first()
    if membership is None and not is_owner(user):
        return None
    return Access(user, workspace_id, membership)


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
