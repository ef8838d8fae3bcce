from django.conf import settings
from rest_framework.test import APIClient

from .conftest import error_of

LIMIT = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["failed_auth"].split("/")[0])


def test_repeated_bad_keys_are_throttled_even_for_a_good_key(api_client_for, annotator):
    good = api_client_for(annotator)
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token dk_wrong")
    for _ in range(LIMIT):
        assert bad.get("/api/me").status_code == 401
    response = bad.get("/api/me")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    # Same address: the right key is refused too, so guessing learns nothing while blocked.
    assert good.get("/api/me").status_code == 429
    # The schema view authenticates too and must not be a side door.
    assert bad.get("/api/schema/").status_code == 429


def test_other_addresses_are_not_affected(api_client_for, annotator):
    bad = APIClient(REMOTE_ADDR="10.0.0.1")
    bad.credentials(HTTP_AUTHORIZATION="Token dk_wrong")
    for _ in range(LIMIT + 1):
        bad.get("/api/me")
    assert api_client_for(annotator).get("/api/me").status_code == 200
