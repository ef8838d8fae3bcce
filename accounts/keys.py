"""API key secrets: what a new one looks like and how it is stored, shared by the service that mints
keys and the selector that authenticates them (a selector must not import a service)."""

import hashlib
import secrets

API_KEY_PREFIX = "dk_"


def api_key_secret_new() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_digest(secret: str) -> str:
    """What is stored of a secret: it is looked up by this digest and never kept itself."""
    return hashlib.sha256(secret.encode()).hexdigest()
