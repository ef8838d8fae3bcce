"""Who a management command acts as: --user, or the owner when there is exactly one."""

from django.core.management.base import CommandError

from accounts.models import User


def command_actor(username: str | None) -> User:
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user '{username}'.")
        return user
    owners = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
    if len(owners) != 1:
        raise CommandError("Say which user runs this with --user USERNAME (an owner or an admin of the workspace).")
    return owners[0]
