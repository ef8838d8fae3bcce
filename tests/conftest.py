import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.services import api_key_create

from .factories import DatasetFactory, MembershipFactory, UserFactory, WorkspaceFactory


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip, with the reason, when the suite runs on SQLite."""
    from django.conf import settings

    if settings.IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... (CI's second pass does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


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
def is_postgres():
    return connection.vendor == "postgresql"
