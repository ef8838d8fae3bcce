"""The WSGI and ASGI applications serve calls that carry an API key through a shorter middleware chain
(config.handlers): same answers and response headers as the full chain, without sessions, CSRF or
messages; everything else, session-authenticated API calls included, takes the full chain. The chain
keeps the middleware that settings.MIDDLEWARE_FOR_API_KEYS names."""

import asyncio
import io
import json
from contextlib import contextmanager
from functools import partial
from types import SimpleNamespace
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings

from accounts.services import api_key_create
from config.handlers import ApplicationHandler, AsgiApplicationHandler, carries_api_key, scope_environ

from ..factories import RecordFactory


@contextmanager
def connections_kept_open():
    """As Django's test client does: the handler's signals would close the test's connection mid-transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def serve(app, method: str, path: str, body: bytes = b"", **headers) -> tuple[int, dict, bytes]:
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(), "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
        **headers,
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = response_headers

    with connections_kept_open():
        content = b"".join(app(environ, start_response))
    return answer["status"], dict(answer["headers"]), content


def serve_asgi(app, method: str, path: str, body: bytes = b"", **headers) -> tuple[int, dict, bytes]:
    """One request through an ASGI application, headers given as WSGI environ keys (HTTP_AUTHORIZATION)."""
    raw_headers = [(b"host", b"testserver"), (b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode())]
    raw_headers += [(name.removeprefix("HTTP_").replace("_", "-").lower().encode(), value.encode())
                    for name, value in headers.items()]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": raw_headers,
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        if incoming:
            return incoming.pop(0)
        await asyncio.Future()  # no disconnect: the handler cancels this wait once it has answered

    async def send(message):
        sent.append(message)

    with connections_kept_open():
        async_to_sync(app)(scope, receive, send)
    start = next(message for message in sent if message["type"] == "http.response.start")
    content = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    response_headers = {name.decode("latin1"): value.decode("latin1") for name, value in start["headers"]}
    return start["status"], response_headers, content


@pytest.fixture
def application(db):
    return ApplicationHandler()


@pytest.fixture(params=["wsgi", "asgi"])
def served(request, db):
    """`short(method, path, body, **headers)` through our application, `full(...)` through Django's own handler,
    under WSGI and under ASGI: both must take the short chain for key-authenticated calls alike."""
    if request.param == "wsgi":
        ours, plain, through = ApplicationHandler(), WSGIHandler(), serve
    else:
        ours, plain, through = AsgiApplicationHandler(), ASGIHandler(), serve_asgi
    return SimpleNamespace(short=partial(through, ours), full=partial(through, plain))


@pytest.fixture
def token_of(db):
    def make(user) -> dict:
        return {"HTTP_AUTHORIZATION": f"Token {api_key_create(actor=None, user=user, name='wsgi')[1]}"}

    return make


@pytest.mark.parametrize(("path", "headers", "expected"), [
    ("/api/me", {"HTTP_AUTHORIZATION": "Token abc"}, True),
    ("/api/datasets/", {"HTTP_AUTHORIZATION": "token abc"}, True),
    ("/api/me", {"HTTP_AUTHORIZATION": "Basic abc"}, False),
    ("/api/me", {}, False),
    ("/argilla/api/me", {"HTTP_X_ARGILLA_API_KEY": "abc"}, True),
    ("/argilla/api/me", {"HTTP_AUTHORIZATION": "Token abc"}, False),
    ("/api/me", {"HTTP_X_ARGILLA_API_KEY": "abc"}, False),
    ("/datasets/", {"HTTP_AUTHORIZATION": "Token abc"}, False),
    ("/admin/", {"HTTP_AUTHORIZATION": "Token abc"}, False),
])
def test_only_api_calls_with_a_key_take_the_short_chain(path, headers, expected):
    assert carries_api_key({"PATH_INFO": path, **headers}) is expected


@pytest.mark.parametrize(("scope", "expected"), [
    ({"path": "/api/me", "headers": [(b"Authorization", b"Token abc")]}, True),
    ({"path": "/api/me", "headers": [(b"authorization", b"Basic abc")]}, False),
    ({"path": "/argilla/api/me", "headers": [(b"x-argilla-api-key", b"abc")]}, True),
    ({"path": "/prefix/api/me", "root_path": "/prefix", "headers": [(b"authorization", b"Token abc")]}, True),
    ({"path": "/datasets/", "headers": [(b"authorization", b"Token abc")]}, False),
])
def test_an_asgi_scope_is_routed_as_its_wsgi_environ_would_be(scope, expected):
    assert carries_api_key(scope_environ(scope)) is expected


def test_building_the_short_chain_leaves_the_middleware_setting_alone(db):
    before = list(settings.MIDDLEWARE)
    ApplicationHandler()
    assert settings.MIDDLEWARE == before


@pytest.mark.parametrize("path", ["/api/me", "/api/datasets/", "/api/schema/", "/api/nowhere/"])
def test_a_key_authenticated_call_gets_the_full_chains_answer_and_headers(served, token_of, annotator, dataset, path):
    key = token_of(annotator)
    full = served.full("GET", path, **key)
    short = served.short("GET", path, **key)
    assert short == full
    status, headers, _ = short
    if status == 200:
        for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"):
            assert name in headers


def test_the_short_chain_skips_the_session_and_the_full_chain_still_reads_it(served, token_of, client, annotator,
                                                                             admin):
    with mock.patch.object(SessionMiddleware, "process_request", autospec=True,
                           side_effect=SessionMiddleware.process_request) as session_read:
        status, _, content = served.short("GET", "/api/me", **token_of(annotator))
        assert status == 200 and json.loads(content)["username"] == annotator.username
        assert session_read.call_count == 0

        client.force_login(admin)
        cookie = {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}
        status, _, content = served.short("GET", "/api/me", **cookie)
        assert status == 200 and json.loads(content)["username"] == admin.username
        assert session_read.call_count == 1


def test_a_session_cannot_write_without_its_csrf_token_while_a_key_can(application, token_of, client, admin,
                                                                       dataset):
    client.force_login(admin)
    cookie = {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}
    body = json.dumps({"guidelines": "Be kind."}).encode()

    status, _, content = serve(application, "PATCH", f"/api/datasets/{dataset.pk}/", body, **cookie)
    assert status == 403 and "CSRF" in json.loads(content)["error"]["message"]
    dataset.refresh_from_db()
    assert dataset.guidelines != "Be kind."

    status, _, _ = serve(application, "PATCH", f"/api/datasets/{dataset.pk}/", body, **token_of(admin))
    assert status == 200
    dataset.refresh_from_db()
    assert dataset.guidelines == "Be kind."


def test_a_wrong_key_is_refused_by_the_short_chain(application, dataset):
    status, headers, content = serve(application, "GET", f"/api/datasets/{dataset.pk}/next/",
                                     HTTP_AUTHORIZATION="Token not-a-key")
    assert status == 401
    assert json.loads(content)["error"]["message"] == "Invalid or revoked API key."
    assert headers["WWW-Authenticate"] == "Token"


def test_the_annotation_loop_runs_through_the_short_chain(served, token_of, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    key = token_of(annotator)

    status, _, content = served.short("GET", f"/api/datasets/{dataset.pk}/next/", **key)
    assert status == 200 and json.loads(content)["id"] == str(record.pk)
    answer = json.dumps({"values": {"demonstration": "A kind answer."}, "status": "submitted"}).encode()
    status, headers, content = served.short("PUT", f"/api/records/{record.pk}/response/", answer, **key)
    assert status == 200 and json.loads(content)["status"] == "submitted"
    assert "Set-Cookie" not in headers


def test_the_argilla_api_takes_the_short_chain_with_its_key_header(application, token_of, annotator):
    secret = token_of(annotator)["HTTP_AUTHORIZATION"].split()[1]
    status, _, content = serve(application, "GET", "/argilla/api/me", HTTP_X_ARGILLA_API_KEY=secret)
    assert status == 200 and json.loads(content)["username"] == annotator.username
    status, _, content = serve(application, "GET", "/argilla/api/me", HTTP_X_ARGILLA_API_KEY="wrong")
    assert status == 401 and json.loads(content) == {"detail": "Could not validate credentials"}


def test_the_api_docs_page_renders_through_the_short_chain(application, token_of, annotator):
    status, headers, content = serve(application, "GET", "/api/docs/", **token_of(annotator))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"api/schema/" in content


def test_the_short_chain_keeps_what_the_setting_names(token_of, annotator):
    kept = [path for path in settings.MIDDLEWARE_FOR_API_KEYS if "clickjacking" not in path]
    with override_settings(MIDDLEWARE_FOR_API_KEYS=kept):
        application = ApplicationHandler()
    key = token_of(annotator)
    _, headers, _ = serve(application, "GET", "/api/me", **key)
    assert "X-Frame-Options" not in headers
    _, headers, _ = serve(ApplicationHandler(), "GET", "/api/me", **key)
    assert headers["X-Frame-Options"] == "DENY"
