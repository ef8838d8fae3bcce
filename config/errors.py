"""Domain errors: services raise these; entry points render them (API) or show them (portal)."""

from typing import Any


class DomainError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class InvalidInput(DomainError):
    code = "invalid"
    http_status = 400


class NotFound(DomainError):
    code = "not_found"
    http_status = 404

    def __init__(self, message: str = "Not found.", **kwargs: Any):
        super().__init__(message, **kwargs)


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403

    def __init__(self, message: str = "You do not have permission to do this.", **kwargs: Any):
        super().__init__(message, **kwargs)


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413
