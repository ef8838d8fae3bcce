import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The failed-authentication counters live in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def error_of(response) -> dict:
    """The body's one error object, after checking the shape every error shares."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]
