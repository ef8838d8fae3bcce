"""The one UUID parser: every id that arrives from outside (paths, bodies, forms, admin searches) goes through it."""

import uuid

from .errors import NotFound


def uuid_or_none(value) -> uuid.UUID | None:
    """`value` as a UUID, or None when it is not one (None, a malformed string, another type)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except (ValueError, TypeError, AttributeError):
        return None


def parse_uuid(value, message: str | None = None) -> uuid.UUID:
    """`value` as a UUID; anything else names nothing, so it is the same NotFound as a missing object."""
    parsed = uuid_or_none(value)
    if parsed is None:
        raise NotFound(message or "Not found.")
    return parsed
