import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.services import api_key_create

from .factories import DatasetFactory, MembershipFactory, UserFactory, WorkspaceFactory


def pytest_collection_modifyitems(config, items):
    """Tests that need PostgreSQL or Redis skip, with the reason, when those are not configured.

    CI's second pass sets CI_REQUIRE_SERVICES=1: there a missing service is an error, never a skip.
    """
    from django.conf import settings

    if os.environ.get("CI_REQUIRE_SERVICES") and not (settings.IS_POSTGRES and settings.REDIS_URL):
        raise pytest.UsageError("CI_REQUIRE_SERVICES is set but DATABASE_URL is not PostgreSQL or REDIS_URL is unset.")
    reasons = {
        "postgres": None if settings.IS_POSTGRES else "needs PostgreSQL: set DATABASE_URL=postgres://... (CI's second pass does)",
        "redis": None if settings.REDIS_URL else "needs Redis and a Celery worker: set REDIS_URL=redis://... (CI's second pass does)",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def fresh_cache_namespace():
    """Give each test its own cache keys: a Redis cache outlives tests, and throttle counters must not leak."""
    import uuid

    from django.core.cache import cache

    previous = cache.key_prefix
    cache.key_prefix = f"test-{uuid.uuid4().hex}"
    yield
    cache.key_prefix = previous


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="acme")


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="other")


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", is_superuser=True, is_staff=True)


@pytest.fixture
def admin(workspace):
    user = UserFactory(username="wsadmin", is_staff=True)
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def annotator(workspace):
    user = UserFactory(username="ann")
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
    return user


@pytest.fixture
def reviewer(workspace):
    """A reviewer of the workspace."""
    user = UserFactory(username="rev")
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.REVIEWER)
    return user


@pytest.fixture
def outsider(other_workspace):
    """An admin of the other workspace: powerful there, nobody here."""
    user = UserFactory(username="outsider", is_staff=True)
    MembershipFactory(user=user, workspace=other_workspace, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def dataset(workspace):
    return DatasetFactory(workspace=workspace, name="demo")


@pytest.fixture
def other_dataset(other_workspace):
    return DatasetFactory(workspace=other_workspace, name="theirs")


@pytest.fixture
def api_client_for(db):
    """An APIClient authenticated by a fresh API key of the given user."""

    def make(user):
        _, secret = api_key_create(actor=None, user=user, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return make


@pytest.fixture
def login(client):
    """Sign the test client in as a user for the portal pages: `login(user).get(url)`."""

    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
