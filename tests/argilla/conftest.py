"""Fixtures for the Argilla contract tests: a test client that speaks with `X-Argilla-Api-Key`."""

import json
import uuid
from datetime import datetime

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.services import api_key_create

PREFIX = "/argilla"


class ArgillaClient:
    """Django's test client with an Argilla key and JSON bodies; paths are relative to /argilla."""

    def __init__(self, key: str | None):
        self.client = Client(enforce_csrf_checks=True)
        self.headers = {"HTTP_X_ARGILLA_API_KEY": key} if key else {}
        self.key = key

    def _call(self, method: str, path: str, body=None, **params):
        kwargs = dict(self.headers)
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)(PREFIX + path, **kwargs)

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, body=None):
        return self._call("post", path, body)

    def put(self, path, body=None):
        return self._call("put", path, body)

    def patch(self, path, body=None):
        return self._call("patch", path, body)

    def delete(self, path):
        return self._call("delete", path)


@pytest.fixture(autouse=True)
def _no_failed_key_counts():
    """Failed-key counts live in the cache, shared with other test modules: start each test clean."""
    cache.clear()


@pytest.fixture
def argilla_for(db):
    def make(user):
        _, secret = api_key_create(actor=None, user=user, name="argilla tests")
        return ArgillaClient(secret)

    return make


@pytest.fixture
def as_owner(owner, argilla_for):
    return argilla_for(owner)


@pytest.fixture
def as_admin(admin, argilla_for):
    return argilla_for(admin)


@pytest.fixture
def as_annotator(annotator, argilla_for):
    return argilla_for(annotator)


@pytest.fixture
def as_outsider(outsider, argilla_for):
    return argilla_for(outsider)


def is_uuid(value) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except (ValueError, TypeError, AttributeError):
        return False


def is_datetime(value) -> bool:
    try:
        return isinstance(value, str) and "T" in value and datetime.fromisoformat(value) is not None
    except ValueError:
        return False


def assert_shape(obj: dict, *, ids=("id",), times=("inserted_at", "updated_at"), keys=()):
    """Ids are canonical UUIDs, timestamps ISO date-times, and the other listed keys are present."""
    for key in ids:
        assert is_uuid(obj[key]), (key, obj[key])
    for key in times:
        assert is_datetime(obj[key]), (key, obj[key])
    missing = set(keys) - set(obj)
    assert not missing, missing
