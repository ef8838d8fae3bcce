"""Writes for users, workspaces, memberships and API keys."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import InvalidInput, NotFound
from config.names import USERNAME, check_workspace_name

from . import tenancy
from .errors import NameTaken, WorkspaceNotEmpty
from .keys import api_key_digest, api_key_secret_new
from .models import ApiKey, Membership, User, Workspace
from .skills import skills_normalized


def workspace_create(*, actor: User, name: str) -> Workspace:
    """Create a workspace (owners only)."""
    tenancy.require_owner(actor)
    check_workspace_name(name)
    try:
        with transaction.atomic():
            return Workspace.objects.create(name=name)
    except IntegrityError:
        raise NameTaken(f"A workspace named '{name}' already exists.", details={"field": "name"}) from None


def workspace_update(*, actor: User, workspace: Workspace, name: str) -> Workspace:
    tenancy.require_owner(actor)
    check_workspace_name(name)
    try:
        with transaction.atomic():
            workspace.name = name
            workspace.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise NameTaken(f"A workspace named '{name}' already exists.", details={"field": "name"}) from None
    return workspace


def workspace_delete(*, actor: User, workspace: Workspace) -> None:
    """Delete an empty workspace; one holding datasets is refused (409)."""
    tenancy.require_owner(actor)
    with transaction.atomic():
        if workspace.datasets.exists():
            raise WorkspaceNotEmpty("Delete the workspace's datasets first; it still holds some.")
        workspace.delete()


def membership_set(*, actor: User, workspace: Workspace, user: User, role: str = Membership.Role.ANNOTATOR,
                   skills: Iterable[str] | None = None) -> Membership:
    """Add a user to a workspace with a role (and skills, when given), or change them (owners and workspace admins)."""
    tenancy.require_workspace_admin(actor, workspace.pk)
    if role not in Membership.Role.values:
        raise InvalidInput(f"Role must be one of: {', '.join(Membership.Role.values)}.", details={"field": "role"})
    defaults = {"role": role}
    if skills is not None:
        defaults["skills"] = skills_normalized(skills)
    with transaction.atomic():
        membership, _ = Membership.objects.select_for_update().update_or_create(
            user=user, workspace=workspace, defaults=defaults
        )
    return membership


def membership_update(
    *,
    actor: User | None,
    workspace: Workspace,
    user: User,
    role: str | None = None,
    skills: Iterable[str] | None = None,
    add_skills: Iterable[str] = (),
    remove_skills: Iterable[str] = (),
) -> Membership:
    """Change a member's role and/or skills (owners and workspace admins); NotFound for a non-member.

    `skills` replaces the tags; `add_skills` / `remove_skills` then change them, under a lock on the
    membership row so concurrent changes do not undo each other. Tags are stored normalised
    (`accounts.skills`). `actor` None is for trusted callers only (the `skills` command run by the operator).
    """
    if actor is not None:
        tenancy.require_workspace_admin(actor, workspace.pk)
    if role is not None and role not in Membership.Role.values:
        raise InvalidInput(f"Role must be one of: {', '.join(Membership.Role.values)}.", details={"field": "role"})
    replacing = skills_normalized(skills) if skills is not None else None
    adding, removing = skills_normalized(add_skills), skills_normalized(remove_skills)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(user=user, workspace=workspace).first()
        if membership is None:
            raise NotFound(f"{user.username} is not a member of {workspace.name}.")
        tags = set(replacing if replacing is not None else membership.skills)
        membership.skills = skills_normalized((tags | set(adding)) - set(removing))
        if role is not None:
            membership.role = role
        membership.save(update_fields=["role", "skills", "updated_at"])
    membership.user = user
    return membership


def membership_remove(*, actor: User, workspace: Workspace, user: User) -> None:
    tenancy.require_workspace_admin(actor, workspace.pk)
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(user=user, workspace=workspace).delete()
    if not deleted:
        raise NotFound(f"{user.username} is not a member of {workspace.name}.")


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_owner: bool = False,
    create_api_key: bool = False,
) -> tuple[User, str | None]:
    """Create a user; return it and, when asked, a fresh API key (shown once).

    `actor` None is for trusted callers only (the demo command, createsuperuser-like setup).
    """
    if actor is not None:
        tenancy.require_owner(actor)
    if not isinstance(username, str) or not USERNAME.match(username) or len(username) > 150:
        raise InvalidInput(
            "A username uses letters, digits and @ . + - _ and is at most 150 characters.",
            details={"field": "username"},
        )
    if password:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), details={"field": "password"}) from None
    secret = None
    try:
        with transaction.atomic():
            user = User(
                username=username,
                email=email,
                first_name=first_name,
                last_name=last_name,
                is_superuser=is_owner,
                is_staff=is_owner,
            )
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            if create_api_key:
                _, secret = _api_key_insert(user=user, name="default")
    except IntegrityError:
        raise NameTaken(f"A user named '{username}' already exists.", details={"field": "username"}) from None
    return user, secret


def _api_key_insert(*, user: User, name: str) -> tuple[ApiKey, str]:
    secret = api_key_secret_new()
    key = ApiKey.objects.create(user=user, name=name, prefix=secret[:10], digest=api_key_digest(secret))
    return key, secret


def api_key_create(*, actor: User | None, user: User, name: str = "") -> tuple[ApiKey, str]:
    """Mint a key for `user` (the user themself or an owner); the secret is returned once."""
    if actor is not None and actor.pk != user.pk:
        tenancy.require_owner(actor)
    with transaction.atomic():
        return _api_key_insert(user=user, name=name)


def api_key_revoke(*, actor: User, key: ApiKey) -> ApiKey:
    if actor.pk != key.user_id:
        tenancy.require_owner(actor)
    with transaction.atomic():
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
    return key
