from django.db import models
from django.db.models import Q
from django.utils import timezone

from . import tenancy


class WorkspaceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Workspaces the user is a member of (all of them for owners)."""
        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        return self.filter(id__in=tenancy.member_workspace_ids(user))

    def administered_by(self, user):
        """Workspaces the user administers (all of them for owners)."""
        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        return self.filter(id__in=tenancy.admin_workspace_ids(user))


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Memberships of the workspaces the user can see."""
        from .models import Workspace

        return self.filter(workspace__in=Workspace.objects.visible_to(user))

    def administered_by(self, user):
        from .models import Workspace

        return self.filter(workspace__in=Workspace.objects.administered_by(user))


class UserQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Users sharing a workspace with the caller, and the caller (owners see everyone)."""
        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        from .models import Membership

        shared = Membership.objects.filter(workspace_id__in=tenancy.member_workspace_ids(user)).values("user_id")
        return self.filter(Q(id=user.pk) | Q(id__in=shared))

    def administered_by(self, user):
        """Users who belong to a workspace the caller administers."""
        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        from .models import Membership

        managed = Membership.objects.filter(workspace_id__in=tenancy.admin_workspace_ids(user)).values("user_id")
        return self.filter(id__in=managed)


class ApiKeyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user's own keys; owners see every key."""
        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        return self.filter(user_id=user.pk)

    def mark_used(self, key_id) -> None:
        self.filter(id=key_id).update(last_used_at=timezone.now())


__all__ = ["WorkspaceQuerySet", "MembershipQuerySet", "UserQuerySet", "ApiKeyQuerySet"]
