"""App-agnostic pieces of the REST API: the one error shape, cursor pagination, strict input,
failed-authentication throttling, JSON negotiation, `represent()` and `ApiView`, the base of every /api/ view.

The scoped base views live with the app they serve: `accounts.api.base.WorkspaceScopedApi`,
`labeling.api.base` for the dataset- and record-scoped ones.
"""

from collections.abc import Mapping
from functools import cache

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .bodies import body_too_large, json_loads_bounded
from .client_address import client_bucket
from .errors import DomainError, InvalidInput


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    """Render every error as {"error": {"code", "message", "details"}}."""
    if isinstance(exc, RequestDataTooBig):
        exc = body_too_large()
    if isinstance(exc, DomainError):
        response = Response(error_body(exc.code, exc.message, exc.details), status=exc.http_status)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", _flatten(exc.detail), details)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(code, _flatten(getattr(exc, "detail", str(exc))))
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = "Token"
    return response


class Pagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1_000
    ordering = "-inserted_at"


class RecordPagination(Pagination):
    """Records page in creation order (DESIGN §3: `ordinal` is unique within a dataset)."""

    ordering = "ordinal"


# --- strict input -------------------------------------------------------------------------------


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses undeclared keys instead of silently dropping them (DESIGN §9).

    Mass assignment (`workspace`, `role`, `status`, ids) and relation-traversing filters
    (`user__password__startswith`) both arrive as keys we did not declare; both get a 400.
    """

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise exceptions.ValidationError(
                    {name: ["Unknown parameter; see the API schema at /api/schema/ for what this accepts."]
                     for name in unknown}
                )
        return super().to_internal_value(data)


class PageQuerySerializer(StrictSerializer):
    """Query parameters every list accepts; list views extend it with their allow-listed filters."""

    cursor = serializers.CharField(required=False, help_text="Opaque cursor from a previous page's next/previous.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=Pagination.max_page_size)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    """The one error shape (STYLE §4)."""

    error = ErrorDetailSerializer()


ERROR_RESPONSES = {code: ErrorSerializer for code in (400, 401, 403, 404, 409, 413, 429)}


def api_schema(*, request=None, responses=None, parameters=None, summary=None, description=None, **kwargs):
    """`extend_schema` with the error responses every endpoint can give, so clients (and schemathesis) know them."""
    if not isinstance(responses, dict):
        responses = {200: responses}
    return extend_schema(
        request=request,
        responses={**ERROR_RESPONSES, **responses},
        parameters=parameters,
        summary=summary,
        description=description,
        **kwargs,
    )


class ApiAutoSchema(AutoSchema):
    """Names nested serializers after their view (`RecordListApi.InputSerializer` → `RecordListApiInput`),
    so every view can call its own serializers InputSerializer / OutputSerializer (STYLE §6)."""

    def get_serializer_name(self, serializer, direction) -> str:
        qualname = type(serializer).__qualname__
        return "".join(part.removesuffix("Serializer") for part in qualname.split(".")) or qualname


# --- authentication throttling ------------------------------------------------------------------


class FailedAuthThrottle(SimpleRateThrottle):
    """Counts failed API-key attempts per client address in the cache (DESIGN §9).

    A fixed window of `DEFAULT_THROTTLE_RATES["failed_auth"]` (e.g. 30/min): once an address has
    failed that often, its further wrong keys get 429 instead of 401 until the window ends. A valid
    key is never refused, so one abuser behind a shared proxy cannot lock out everyone behind it;
    what keeps keys from being guessed is their 256 random bits (accounts.keys), not this counter.
    The address is the socket peer unless proxies are trusted (config.client_address), so a client
    cannot dodge the count by sending its own X-Forwarded-For. With REDIS_URL unset the cache is
    per process, which bounds an attacker per worker rather than globally.
    """

    scope = "failed_auth"
    cache_format = "api:failed-auth:%(ident)s"
    refusal = "Too many failed authentication attempts; try again later."

    def get_cache_key(self, request, view):
        return self.cache_format % {"ident": client_bucket(request)}

    def is_over_limit_after_failure(self, request) -> bool:
        """Count one failed key from the request's address; True once it has failed more than the limit."""
        key = self.get_cache_key(request, None)
        self.cache.add(key, 0, timeout=self.duration)
        try:
            failures = self.cache.incr(key)
        except ValueError:  # the window expired between add() and incr()
            self.cache.set(key, 1, timeout=self.duration)
            failures = 1
        return failures > self.num_requests


class FailedAuthThrottleMixin:
    """Apply `FailedAuthThrottle` to DRF's authentication step; any API view can mix it in."""

    def perform_authentication(self, request):
        try:
            return super().perform_authentication(request)
        except exceptions.AuthenticationFailed:
            throttle = FailedAuthThrottle()
            if throttle.is_over_limit_after_failure(request):
                raise exceptions.Throttled(wait=throttle.duration, detail=throttle.refusal) from None
            raise


class JsonNegotiation(DefaultContentNegotiation):
    """Pick JSON at once for the clients that take anything or ask for JSON, as nearly all do.

    The API renders JSON only; DRF's negotiation parses the Accept header and the query string on
    every request, a visible share of an annotation-loop call (bench/README.md). Anything else (another media type, a
    `?format=`) still goes through it, with its 406 and 404.
    """

    PLAIN_ACCEPTS = frozenset(["", "*/*", "application/json"])

    def select_renderer(self, request, renderers, format_suffix=None):
        plain = (request.META.get("HTTP_ACCEPT", "") in self.PLAIN_ACCEPTS and format_suffix is None
                 and "format" not in request.META.get("QUERY_STRING", ""))
        if plain and len(renderers) == 1 and renderers[0].media_type == "application/json":
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)


def represent(serializer_class: type[serializers.Serializer], instance) -> dict:
    """`serializer_class(instance).data`, from one instance of the serializer per class.

    Building a DRF serializer deep-copies its declared fields: for a record with its nested
    suggestions and responses that cost more CPU than representing the record. An output serializer
    without context keeps no state between calls, so one built instance serves every request and thread.
    """
    return _built_serializer(serializer_class).to_representation(instance)


@cache
def _built_serializer(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    serializer = serializer_class()
    serializer.fields  # built here, once, before threads share the instance
    return serializer


class BulkItemsField(serializers.ListField):
    """A list of up to `max_length` objects whose keys must be among `keys`.

    Values are left to the service, which validates them against the dataset and reports every bad
    row; this field only refuses undeclared keys (DESIGN §9), and reports them the same way, as
    `details.rows` of [{"index", "field", "message"}]. It stays cheap for 10,000 rows, where a nested
    serializer per row would cost more than the database insert.
    """

    def __init__(self, *, keys: frozenset[str], **kwargs):
        self.keys = keys
        kwargs.setdefault("child", serializers.DictField())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if self.max_length is not None and len(data) > self.max_length:
            raise InvalidInput(
                f"Send at most {self.max_length} items per call; split the rest into more calls.",
                details={"field": self.field_name},
            )
        rows = []
        for index, item in enumerate(data):
            if not isinstance(item, Mapping):
                rows.append({"index": index, "field": None, "message": "Each item is a JSON object."})
                continue
            rows.extend(
                {"index": index, "field": name, "message": f"Unknown key '{name}'."}
                for name in sorted(set(item) - self.keys)
            )
        if rows:
            raise InvalidInput(
                f"{len({row['index'] for row in rows})} of {len(data)} items are invalid; nothing was written.",
                details={"rows": rows},
            )
        return data


class BoundedJSONParser(JSONParser):
    """JSON bodies within the bounds of `config.bodies` (depth, NUL, number range), errors in the one shape.

    A JSONParser subclass, as DRF reads the body for those through `request.body`, which refuses one
    over DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig, answered 413 by `exception_handler`).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        return json_loads_bounded(stream.read())


# --- the base view ------------------------------------------------------------------------------


class ApiView(FailedAuthThrottleMixin, APIView):
    """Base of every /api/ view: JSON in and out, throttled authentication, strict parsing, paging."""

    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonNegotiation
    schema = ApiAutoSchema()
    pagination_class = Pagination

    def parse_body(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def parse_query(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.query_params.dict())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def paginate(self, queryset, serializer_class, *, context: dict | None = None):
        """One page of `queryset` as {"next", "previous", "results"}; page_size is validated by the query serializer."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)
