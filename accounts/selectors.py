import hmac

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
    key = ApiKey.objects.active().select_related("user").filter(digest=digest).first()
    if key is None or not hmac.compare_digest(key.digest, digest):
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
