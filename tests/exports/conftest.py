import pytest
from celery import current_app

from accounts.models import Membership
from labeling.services import records_upsert, response_write
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Job files go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Run tasks in-process, even in the PostgreSQL + Redis pass, unless the test drives a real worker."""
    if "redis" in request.keywords:
        yield
        return
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def labelers(workspace):
    """Three annotators of the workspace, in a fixed order."""
    users = []
    for name in ("ann1", "ann2", "ann3"):
        user = UserFactory(username=name)
        MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
        users.append(user)
    return users


@pytest.fixture
def add_records(admin):
    """Add records through the bulk service: add_records(dataset, ["prompt 1", {"fields": ...}, ...])."""

    def make(dataset, items):
        rows = [item if isinstance(item, dict) else {"fields": {"prompt": item}} for item in items]
        return records_upsert(actor=admin, dataset=dataset, items=rows).records

    return make


@pytest.fixture
def answer():
    """Write a response as `user` through the response service."""

    def write(user, record, status="submitted", **values):
        return response_write(actor=user, record=record, values=values, status=status)

    return write
