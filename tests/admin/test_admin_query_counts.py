"""Every admin changelist runs the same number of SQL queries whatever the number of rows (STYLE §8)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiKey, Membership, User, Workspace
from accounts.services import api_key_create
from labeling.models import Assignment, Claim, Dataset, Record, Response

from ..factories import DatasetFactory, MembershipFactory, UserFactory, WorkspaceFactory
from .conftest import admin_url

CHANGELISTS = [User, ApiKey, Workspace, Membership, Dataset, Record, Response, Assignment, Claim]
# Session, user, site access, permission checks, filters' choices, count and page: never one per row.
BUDGET = 10


@pytest.fixture
def grow(dataset, admin, fill):
    """Add rows of every kind, all visible to the workspace admin (and to owners)."""

    def make(n: int):
        for _ in range(n):
            member = UserFactory()
            MembershipFactory(user=member, workspace=dataset.workspace)
            api_key_create(actor=None, user=admin, name="k")
            extra = WorkspaceFactory()
            MembershipFactory(user=admin, workspace=extra, role="admin")
            DatasetFactory(workspace=extra)
        fill(dataset, n, labeler=UserFactory())

    return make


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "owner"])
@pytest.mark.parametrize("model", CHANGELISTS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(
    grow, client_for, request, who, model, django_assert_num_queries
):
    client = client_for(request.getfixturevalue(who))
    url = admin_url(model, "changelist")
    grow(2)
    client.get(url)  # warm caches that are filled once per process, not per request
    small = _queries(client, url)
    grow(5)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert len(response.context["cl"].result_list) >= 7
    assert small <= BUDGET


def test_record_changelist_with_filter_and_search_stays_constant(
    dataset, admin, fill, client_for, django_assert_num_queries
):
    client = client_for(admin)
    records = fill(dataset, 2)
    url = admin_url(Record, "changelist")
    params = {"dataset": str(dataset.pk), "status": "pending", "q": "rec-*"}
    client.get(url, params)
    with CaptureQueriesContext(connection) as small:
        client.get(url, params)
    fill(dataset, 10)
    with django_assert_num_queries(len(small)):
        response = client.get(url, params)
    assert len(response.context["cl"].result_list) == 12
    exact = client.get(url, {"q": records[0].external_id})
    assert list(exact.context["cl"].result_list) == [records[0]]
