"""Every admin page a user can reach renders for owners and workspace admins (no server error)."""

import pytest

from accounts.models import ApiKey, Membership, User, Workspace
from accounts.services import api_key_create
from labeling.models import Assignment, Claim, Dataset, Record, Response

from ..factories import DatasetFactory
from .conftest import admin_url

MODELS = [User, ApiKey, Workspace, Membership, Dataset, Record, Response, Assignment, Claim]


@pytest.fixture
def filled(dataset, other_dataset, admin, owner, fill):
    fill(dataset, 2)
    fill(other_dataset, 2)
    api_key_create(actor=None, user=admin, name="ci")


@pytest.mark.parametrize("who", ["owner", "admin"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_and_first_object_render(filled, client_for, request, who, model):
    user = request.getfixturevalue(who)
    client = client_for(user)
    listing = client.get(admin_url(model, "changelist"))
    assert listing.status_code == 200
    obj = listing.context["cl"].result_list[0]
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("who", ["owner", "admin"])
@pytest.mark.parametrize("model", [Membership, Dataset, Record, Assignment, ApiKey], ids=lambda m: m.__name__)
def test_add_pages_render(filled, client_for, request, who, model):
    client = client_for(request.getfixturevalue(who))
    assert client.get(admin_url(model, "add")).status_code == 200


def test_owner_only_add_pages(filled, client_for, owner, admin):
    for model in (User, Workspace):
        assert client_for(owner).get(admin_url(model, "add")).status_code == 200
        assert client_for(admin).get(admin_url(model, "add")).status_code == 403


def test_the_workspace_changelist_counts_members_and_datasets(client_for, owner, admin, annotator, workspace, dataset,
                                                              other_workspace):
    """accounts' workspace admin counts members; labeling's admin adds the datasets column."""
    DatasetFactory(workspace=workspace)
    listing = client_for(owner).get(admin_url(Workspace, "changelist"))
    assert listing.status_code == 200
    rows = {row.name: row for row in listing.context["cl"].result_list}
    assert (rows[workspace.name].member_count, rows[workspace.name].dataset_count) == (2, 2)
    assert rows[other_workspace.name].dataset_count == 0
    assert listing.context["cl"].list_display == ["action_checkbox", "name", "member_count", "dataset_count",
                                                  "inserted_at"]
