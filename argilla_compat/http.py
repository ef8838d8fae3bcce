"""Argilla's HTTP conventions (argilla-compat.md §1): key-only auth, exact status codes, {"detail"} errors.

Views here are translators. They receive a `Call` (the authenticated user and the parsed request),
call our selectors and services, and render Argilla's shapes. Our domain errors are translated to the
status codes the SDKs expect: invalid input and rule violations are 422 in Argilla, 409 only for
duplicates and non-empty workspaces.
"""

import json
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from accounts.models import ApiKey, User
from accounts.selectors import user_for_api_key
from config.api import FailedAuthThrottle
from config.bodies import INT_MAX, json_loads_bounded
from config.errors import Conflict, DomainError, InvalidInput

API_KEY_HEADER = "HTTP_X_ARGILLA_API_KEY"
# Argilla answers 409 for these; our other Conflicts (draft/ready/frozen/transition rules) are its 422s.
CONFLICT_CODES = {"conflict", "name_taken", "workspace_not_empty"}
# The v1 SDK calls GET /api/me before most operations: record key use at most once a minute.
KEY_USE_RESOLUTION = timedelta(seconds=60)
# Offsets and limits go into SQL as bigints, offset + limit included: keep both well inside its range.
MAX_QUERY_INT = INT_MAX // 2


class ArgillaError(Exception):
    """An answer in Argilla's terms, for rules that exist only in its API (pagination bounds, shapes)."""

    def __init__(self, status: int, detail):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def unprocessable(detail: str) -> ArgillaError:
    return ArgillaError(422, detail)


def json_response(data, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def detail_response(status: int, detail) -> HttpResponse:
    return json_response({"detail": detail}, status=status)


def no_content() -> HttpResponse:
    return HttpResponse(status=204)


def _row_text(row: dict) -> str:
    where = row.get("question") or row.get("field")
    prefix = f"item {row['index']}" if "index" in row else "item"
    return f"{prefix}: {where}: {row['message']}" if where else f"{prefix}: {row['message']}"


def domain_error_response(exc: DomainError) -> HttpResponse:
    if isinstance(exc, InvalidInput):
        status = 422
    elif isinstance(exc, Conflict) and exc.code not in CONFLICT_CODES:
        status = 422
    else:
        status = exc.http_status
    message = exc.message
    rows = exc.details.get("rows") if isinstance(exc.details, dict) else None
    if rows:
        message = f"{message} " + "; ".join(_row_text(row) for row in rows[:20])
    return detail_response(status, message)


class Call:
    """One authenticated request: the caller, the key they presented, the JSON body and query."""

    def __init__(self, request: HttpRequest, user: User, api_key: str):
        self.request = request
        self.user = user
        self.api_key = api_key

    @cached_property
    def body(self) -> dict:
        """The JSON object sent; an empty body (publish, deletes) is {}."""
        if not self.request.body:
            return {}
        data = json_loads_bounded(self.request.body)
        if not isinstance(data, dict):
            raise unprocessable("The request body must be a JSON object.")
        return data

    def query_list(self, name: str) -> list[str]:
        """A repeated query parameter; each value may also hold comma-separated items."""
        return [part for value in self.request.GET.getlist(name) for part in value.split(",") if part]

    def query_int(self, name: str, default: int, low: int, high: int = MAX_QUERY_INT) -> int:
        """An integer query parameter within [low, high]; the default bound keeps offsets inside a bigint."""
        raw = self.request.GET.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise unprocessable(f"'{name}' must be an integer.") from None
        if not low <= value <= high:
            raise unprocessable(f"'{name}' must be between {low} and {high}.")
        return value


def refuse_nul_in_query(request: HttpRequest) -> None:
    """Query parameters reach SQL as text, and PostgreSQL stores no NUL character: refuse it in any of them."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            shown = name.replace("\x00", "\\u0000")
            raise unprocessable(f"Query parameter '{shown}' contains a NUL character (\\u0000); remove it.")


def _authenticate(request: HttpRequest) -> tuple[User, ApiKey, str] | None:
    secret = request.META.get(API_KEY_HEADER, "")
    found = user_for_api_key(secret)
    if found is None:
        return None
    user, key = found
    if key.last_used_at is None or timezone.now() - key.last_used_at > KEY_USE_RESOLUTION:
        ApiKey.objects.mark_used(key.id)
    return user, key, secret


def endpoint(**handlers: Callable[..., HttpResponse]):
    """A view serving the given methods (`GET=fn, POST=fn`): fn(call, **url_kwargs) -> HttpResponse.

    CSRF-exempt because it authenticates by the `X-Argilla-Api-Key` header alone and never reads the
    session cookie (DESIGN §9): a browser's cookie cannot drive it.
    """

    @csrf_exempt
    def view(request: HttpRequest, **kwargs) -> HttpResponse:
        # Failed keys are counted per client address, as on our own API (DESIGN §9): only failures count
        # and a valid key is never refused, so the v1 SDK's frequent GET /api/me calls never reach the limit.
        found = _authenticate(request)
        if found is None:
            throttle = FailedAuthThrottle()
            if API_KEY_HEADER in request.META and throttle.is_over_limit_after_failure(request):
                return detail_response(429, throttle.refusal)
            return detail_response(401, "Could not validate credentials")
        user, _, secret = found
        handler = handlers.get(request.method)
        if handler is None:
            response = detail_response(405, "Method Not Allowed")
            response["Allow"] = ", ".join(handlers)
            return response
        try:
            refuse_nul_in_query(request)
            return handler(Call(request, user, secret), **kwargs)
        except ArgillaError as exc:
            return detail_response(exc.status, exc.detail)
        except DomainError as exc:
            return domain_error_response(exc)

    view.argilla_methods = tuple(handlers)
    return view


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Unknown paths under /argilla answer in Argilla's shape (and never redirect to a slashed URL)."""
    return detail_response(404, "Not Found")
