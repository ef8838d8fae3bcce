"""Response headers the portal relies on (DESIGN §9 "Rendering")."""

# Scripts, styles and fonts come only from our own static files, never inline: even if a payload slipped
# past the server-side sanitizer, the browser would refuse to run it. Images may also be https: (guidelines
# often link pictures hosted elsewhere) or data: URLs; neither can run script.
PORTAL_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# The Django admin and the API's documentation pages ship their own inline scripts and styles.
EXEMPT_PREFIXES = ("/admin/", "/api/")


class ContentSecurityPolicyMiddleware:
    """Enforce PORTAL_POLICY on HTML pages outside EXEMPT_PREFIXES, unless a view set its own policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html and "Content-Security-Policy" not in response and not request.path_info.startswith(EXEMPT_PREFIXES):
            response["Content-Security-Policy"] = PORTAL_POLICY
        return response
