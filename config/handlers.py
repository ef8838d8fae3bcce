"""The WSGI and ASGI applications: calls authenticated by an API key skip the middleware only browsers need.

Sessions, CSRF, Django's authentication middleware, messages, allauth's account middleware and
WhiteNoise serve the portal and the admin. A call that carries an API key (`Authorization: Token`
on /api/, `X-Argilla-Api-Key` on /argilla/) is authenticated by that key alone: it never reads the
session, and our API views are CSRF-exempt for it, so passing it through those layers costs the
annotation loop CPU for nothing (DESIGN §8; bench/README.md). Such calls still get every response
header the other layers set (security, framing, content security policy); anything else takes the
full chain. Which middleware a key-authenticated call keeps is declared in settings, beside
MIDDLEWARE (`MIDDLEWARE_FOR_API_KEYS`, `MIDDLEWARE_SKIPPED_FOR_API_KEYS`; checked by config.checks).
"""

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler


def carries_api_key(environ: dict) -> bool:
    """Whether a request (its WSGI environ, or the same keys built from an ASGI scope) carries an API key."""
    path = environ.get("PATH_INFO", "")
    if path.startswith("/api/"):
        return environ.get("HTTP_AUTHORIZATION", "")[:6].lower() == "token "
    return path.startswith("/argilla/") and "HTTP_X_ARGILLA_API_KEY" in environ


def scope_environ(scope: dict) -> dict:
    """The entries of a WSGI environ that `carries_api_key` reads, from an ASGI scope (as Django's ASGIRequest reads it)."""
    environ = {"PATH_INFO": scope["path"].removeprefix(scope.get("root_path", ""))}
    for name, value in scope.get("headers", ()):
        name = name.lower()
        if name == b"authorization":
            environ["HTTP_AUTHORIZATION"] = value.decode("latin1")
        elif name == b"x-argilla-api-key":
            environ["HTTP_X_ARGILLA_API_KEY"] = value.decode("latin1")
    return environ


class KeyAuthenticatedChain:
    """A handler mixin: Django's own chain building, over the middleware that API-key calls keep."""

    def load_middleware(self, is_async=False):
        """Django builds the chain from `settings.MIDDLEWARE` alone, so the setting is narrowed while it does.

        This runs once, as the application is created, before any request is served.
        """
        everything = settings.MIDDLEWARE
        settings.MIDDLEWARE = [path for path in everything if path in settings.MIDDLEWARE_FOR_API_KEYS]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = everything


class KeyAuthenticatedWsgiHandler(KeyAuthenticatedChain, WSGIHandler):
    pass


class KeyAuthenticatedAsgiHandler(KeyAuthenticatedChain, ASGIHandler):
    pass


class ApplicationHandler(WSGIHandler):
    """Django's WSGI handler, with a second, shorter middleware chain for key-authenticated calls."""

    def __init__(self):
        super().__init__()
        self.key_authenticated = KeyAuthenticatedWsgiHandler()

    def __call__(self, environ, start_response):
        if carries_api_key(environ):
            return self.key_authenticated(environ, start_response)
        return super().__call__(environ, start_response)


class AsgiApplicationHandler(ASGIHandler):
    """Django's ASGI handler, with the same shorter middleware chain as `ApplicationHandler` for key-authenticated calls."""

    def __init__(self):
        super().__init__()
        self.key_authenticated = KeyAuthenticatedAsgiHandler()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and carries_api_key(scope_environ(scope)):
            return await self.key_authenticated(scope, receive, send)
        return await super().__call__(scope, receive, send)
