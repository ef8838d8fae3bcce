"""Every list endpoint runs the same number of SQL queries whatever the page size (DESIGN §8)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import api_key_create

from ..factories import (
    AssignmentFactory,
    MembershipFactory,
    MetadataPropertyFactory,
    RecordFactory,
    ResponseFactory,
    SuggestionFactory,
    UserFactory,
    WorkspaceFactory,
    history_entry,
)

LISTS = {
    "workspaces": lambda w: "/api/workspaces/",
    "members": lambda w: f"/api/workspaces/{w['workspace'].pk}/members/",
    "users": lambda w: "/api/users/",
    "keys": lambda w: "/api/keys/",
    "datasets": lambda w: "/api/datasets/",
    "records": lambda w: f"/api/datasets/{w['dataset'].pk}/records/",
    "responses": lambda w: f"/api/datasets/{w['dataset'].pk}/responses/",
    "assignments": lambda w: f"/api/datasets/{w['dataset'].pk}/assignments/",
    "exports": lambda w: "/api/exports/",
    "imports": lambda w: "/api/imports/",
    "versions": lambda w: f"/api/responses/{w['versioned'].pk}/versions/",
}


@pytest.fixture
def world(owner, workspace, dataset):
    """At least 12 of everything each list shows, with children (suggestions, responses) to prefetch."""
    from exports.models import ExportJob, ImportJob

    from ..factories import DatasetFactory

    MetadataPropertyFactory(dataset=dataset, name="topic")
    for i in range(12):
        WorkspaceFactory()
        user = UserFactory()
        MembershipFactory(user=user, workspace=workspace)
        api_key_create(actor=None, user=owner, name=f"k{i}")
        DatasetFactory(workspace=workspace)
        record = RecordFactory(dataset=dataset)
        SuggestionFactory(record=record)
        ResponseFactory(record=record, user=user)
        AssignmentFactory(record=record, user=user)
        ExportJob.objects.create(workspace=workspace, requested_by=user, format="csv").datasets.set([dataset])
        ImportJob.objects.create(dataset=dataset, requested_by=user, format="csv")
    versioned = ResponseFactory(record=RecordFactory(dataset=dataset), user=UserFactory())
    for _ in range(12):
        history_entry(versioned, kind="edit")
    return {"workspace": workspace, "dataset": dataset, "versioned": versioned}


def count(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("name", list(LISTS))
def test_constant_queries_across_page_sizes(api_client_for, owner, world, name):
    client = api_client_for(owner)
    client.get("/api/me")  # the key's first use is written once; both counts below are of later calls
    url = LISTS[name](world)
    small, small_rows = count(client, f"{url}?page_size=2")
    large, large_rows = count(client, f"{url}?page_size=10")
    assert (small_rows, large_rows) == (2, 10)
    assert small == large


def test_every_list_endpoint_is_covered():
    """A new paginated list of this API (accounts.api, labeling.api, exports.api) must be added to LISTS above."""
    from django.urls import resolve
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paginated = set()
    for path, operations in schema["paths"].items():
        if "Paginated" not in str(operations.get("get", {}).get("responses", {}).get("200", "")):
            continue
        concrete = (path.replace("{workspace_id}", str(uuid.UUID(int=1))).replace("{dataset_id}", str(uuid.UUID(int=2)))
                    .replace("{response_id}", str(uuid.UUID(int=3))))
        if resolve(concrete).func.view_class.__module__ in OUR_VIEWS:
            paginated.add(path)
    world = {"workspace": _Id("{workspace_id}"), "dataset": _Id("{dataset_id}"), "versioned": _Id("{response_id}")}
    assert paginated == {make(world) for make in LISTS.values()}


OUR_VIEWS = {"accounts.api.views", "labeling.api.views", "labeling.api.distribution", "labeling.api.history",
             "exports.api.views"}


class _Id:
    def __init__(self, placeholder):
        self.pk = placeholder
