import hmac

from django.core.exceptions import ValidationError

from config.errors import NotFound

from .models import ApiKey, User, Workspace


def user_for_api_key(secret: str) -> tuple[User, ApiKey] | None:
    """The active user and key for a presented secret, or None.

    The lookup is by digest (unique index); the digest is then compared in constant time.
    """
    from .services import api_key_digest

    if not secret or len(secret) > 200:
        return None
    digest = api_key_digest(secret)
    try:
        # get(), not first(): the digest is unique, and first() would sort by the model's ordering.
        key = ApiKey.objects.active().select_related("user").get(digest=digest)
    except ApiKey.DoesNotExist:
        return None
    if not hmac.compare_digest(key.digest, digest):
        return None
    return key.user, key


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
