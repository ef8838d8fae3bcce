"""Failed API keys are counted per client address; the count cannot be dodged and never refuses a valid key."""

from django.conf import settings
from django.test import override_settings
from rest_framework.test import APIClient

from .conftest import error_of

LIMIT = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["failed_auth"].split("/")[0])
ATTEMPTS = 300


def bad_client(**extra) -> APIClient:
    client = APIClient(**extra)
    client.credentials(HTTP_AUTHORIZATION="Token dk_wrong")
    return client


def test_bad_keys_with_a_changing_forwarded_for_are_throttled_after_the_limit(api_client_for, annotator):
    bad = bad_client()
    statuses = [
        bad.get("/api/me", HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 250}, 10.{n // 250}.0.1").status_code
        for n in range(ATTEMPTS)
    ]
    # No proxy is trusted by default: the header is the client's own claim and is ignored.
    assert statuses == [401] * LIMIT + [429] * (ATTEMPTS - LIMIT)
    response = bad.get("/api/me", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert error_of(response)["message"].startswith("Too many failed authentication attempts; try again later.")
    assert "Retry-After" in response
    # The schema view authenticates too and must not be a side door.
    assert bad.get("/api/schema/").status_code == 429


def test_a_valid_key_from_a_throttled_address_works(api_client_for, annotator):
    bad = bad_client()
    for _ in range(LIMIT + 1):
        bad.get("/api/me")
    assert bad.get("/api/me").status_code == 429
    response = api_client_for(annotator).get("/api/me")
    assert response.status_code == 200
    assert response.json()["username"] == "ann"
    # And its success does not lift the block for wrong keys.
    assert bad.get("/api/me").status_code == 429


def test_other_addresses_are_not_affected(api_client_for, annotator):
    bad = bad_client(REMOTE_ADDR="10.0.0.1")
    for _ in range(LIMIT + 1):
        bad.get("/api/me")
    assert bad.get("/api/me").status_code == 429
    assert bad_client(REMOTE_ADDR="10.0.0.2").get("/api/me").status_code == 401


def test_good_keys_are_never_counted(api_client_for, annotator):
    good = api_client_for(annotator)
    for _ in range(LIMIT + 5):
        assert good.get("/api/me").status_code == 200
    assert bad_client().get("/api/me").status_code == 401


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_with_one_trusted_proxy_the_address_the_proxy_appended_is_counted(api_client_for, annotator):
    proxy = "10.0.0.5"
    attacker = bad_client(REMOTE_ADDR=proxy)
    for n in range(LIMIT):
        # The left entries are the client's own claims; only the one the proxy appended counts.
        response = attacker.get("/api/me", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7")
        assert response.status_code == 401
    assert attacker.get("/api/me", HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.7").status_code == 429
    assert attacker.get("/api/me", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy is counted on its own.
    neighbour = bad_client(REMOTE_ADDR=proxy)
    assert neighbour.get("/api/me", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 401
    # A valid key from the blocked client's address still works.
    good = api_client_for(annotator)
    assert good.get("/api/me", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 200

