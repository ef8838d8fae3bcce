"""Key-only authentication, JSON errors and exact paths (argilla-compat.md §1)."""

import pytest

from accounts.models import ApiKey
from accounts.services import api_key_revoke

from .conftest import PREFIX, ArgillaClient

PATHS = ["/api/me", "/api/v1/me", "/api/v1/me/workspaces", "/api/v1/me/datasets", "/api/_info"]


@pytest.mark.parametrize("path", PATHS)
def test_missing_or_unknown_key_is_401_with_argilla_detail(db, path):
    for client in (ArgillaClient(None), ArgillaClient("dk_not-a-key")):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json() == {"detail": "Could not validate credentials"}


def test_revoked_key_is_refused(owner, as_owner):
    assert as_owner.get("/api/v1/me").status_code == 200
    api_key_revoke(actor=owner, key=ApiKey.objects.get(user=owner))
    assert as_owner.get("/api/v1/me").status_code == 401


def test_session_cookie_alone_does_not_authenticate(owner, client):
    client.force_login(owner)
    response = client.get("/argilla/api/v1/me")
    assert response.status_code == 401


def test_token_header_of_our_api_is_not_an_argilla_key(owner, api_client_for):
    response = api_client_for(owner).get("/argilla/api/v1/me")
    assert response.status_code == 401


def test_writes_need_no_csrf_token(as_owner):
    # The client enforces CSRF checks like a browser would; the key alone is enough.
    response = as_owner.post("/api/v1/workspaces", {"name": "csrf-free"})
    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/me/", "/api/v1/datasets/"])
def test_slashed_paths_do_not_redirect(as_owner, path):
    response = as_owner.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_slashless_post_is_served_without_redirect(as_owner):
    response = as_owner.post("/api/workspaces", {"name": "no-redirect"})
    assert response.status_code == 200


def test_unsupported_method_is_405_json(as_owner):
    response = as_owner.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json() == {"detail": "Method Not Allowed"}


def test_unknown_path_is_json_404(as_owner):
    assert as_owner.get("/api/v1/nothing-here").json() == {"detail": "Not Found"}


def test_malformed_json_body_is_422(as_owner):
    response = as_owner.client.post(
        "/argilla/api/v1/workspaces", data="{not json", content_type="application/json", **as_owner.headers
    )
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_key_use_is_recorded(owner, as_owner):
    as_owner.get("/api/v1/me")
    assert ApiKey.objects.get(user=owner).last_used_at is not None


def forwarded_get(client: ArgillaClient, path: str, forwarded_for: str):
    return client.client.get(PREFIX + path, HTTP_X_FORWARDED_FOR=forwarded_for, **client.headers)


def test_failed_keys_are_throttled_per_address_and_never_refuse_a_valid_key(settings, as_owner):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["failed_auth"].split("/")[0])
    wrong = ArgillaClient("dk_wrong")
    for n in range(limit):
        # A changing X-Forwarded-For does not help: no proxy is trusted by default.
        assert forwarded_get(wrong, "/api/v1/me", f"192.0.2.{n}").status_code == 401
    response = forwarded_get(wrong, "/api/v1/me", "192.0.2.250")
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed authentication attempts; try again later."}
    # The right key from the same address still works.
    assert as_owner.get("/api/v1/me").status_code == 200


def test_good_keys_are_never_counted(settings, as_owner):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["failed_auth"].split("/")[0])
    for _ in range(limit + 5):
        assert as_owner.get("/api/me").status_code == 200
