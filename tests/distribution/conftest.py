from contextlib import contextmanager

import pytest
from django.db import transaction

from accounts.models import Membership

from ..factories import MembershipFactory, RecordFactory, UserFactory


class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Run one hypothesis example inside a savepoint that is always undone, so examples share a clean state."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture
def make_annotators(workspace):
    def make(n, prefix="lab"):
        users = []
        for index in range(n):
            user = UserFactory(username=f"{prefix}{index}")
            MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
            users.append(user)
        return users

    return make


@pytest.fixture
def make_records(dataset):
    def make(n, **metadata):
        return [RecordFactory(dataset=dataset, metadata=dict(metadata)) for _ in range(n)]

    return make
