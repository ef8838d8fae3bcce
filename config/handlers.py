"""The WSGI application: calls authenticated by an API key skip the middleware only browsers need.

Sessions, CSRF, Django's authentication middleware, messages, allauth's account middleware and
WhiteNoise serve the portal and the admin. A call that carries an API key (`Authorization: Token`
on /api/, `X-Argilla-Api-Key` on /argilla/) is authenticated by that key alone: it never reads the
session, and our API views are CSRF-exempt for it. Passing it through those layers cost ~8% of the
annotation loop's in-process CPU (DESIGN §8) for nothing. Such calls still get every response header
the other layers set (security, framing, content security policy); anything else takes the full chain.
"""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

# Kept for key-authenticated calls, in MIDDLEWARE's order: the layers that shape every response.
KEY_AUTHENTICATED_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
)


def carries_api_key(environ: dict) -> bool:
    path = environ.get("PATH_INFO", "")
    if path.startswith("/api/"):
        return environ.get("HTTP_AUTHORIZATION", "")[:6].lower() == "token "
    return path.startswith("/argilla/") and "HTTP_X_ARGILLA_API_KEY" in environ


class ApplicationHandler(WSGIHandler):
    """Django's WSGI handler, with a second, shorter middleware chain for key-authenticated calls."""

    def __init__(self):
        super().__init__()
        self.key_authenticated = _KeyAuthenticatedHandler()

    def __call__(self, environ, start_response):
        if carries_api_key(environ):
            return self.key_authenticated(environ, start_response)
        return super().__call__(environ, start_response)


class _KeyAuthenticatedHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        """Django's own chain building, over the kept subset of MIDDLEWARE.

        Django builds the chain from `settings.MIDDLEWARE` alone, so the setting is narrowed while it
        does. This runs once, as the application is created, before any request is served.
        """
        everything = settings.MIDDLEWARE
        settings.MIDDLEWARE = [path for path in everything if path in KEY_AUTHENTICATED_MIDDLEWARE]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = everything
