from accounts.models import Workspace

from .conftest import error_of


def test_owner_creates_renames_and_deletes(api_client_for, owner):
    client = api_client_for(owner)
    created = client.post("/api/workspaces/", {"name": "research"}, format="json")
    assert created.status_code == 201
    workspace_id = created.json()["id"]
    renamed = client.patch(f"/api/workspaces/{workspace_id}/", {"name": "research-2"}, format="json")
    assert renamed.json()["name"] == "research-2"
    assert client.delete(f"/api/workspaces/{workspace_id}/").status_code == 204
    assert not Workspace.objects.filter(pk=workspace_id).exists()


def test_members_read_but_cannot_write(api_client_for, admin, workspace, other_workspace):
    client = api_client_for(admin)
    listed = client.get("/api/workspaces/").json()["results"]
    assert [w["name"] for w in listed] == ["acme"]
    assert client.get(f"/api/workspaces/{workspace.pk}/").json()["name"] == "acme"
    assert client.post("/api/workspaces/", {"name": "mine"}, format="json").status_code == 403
    response = client.patch(f"/api/workspaces/{workspace.pk}/", {"name": "renamed"}, format="json")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    workspace.refresh_from_db()
    assert workspace.name == "acme"


def test_duplicate_name_is_409_and_nothing_changes(api_client_for, owner, workspace):
    response = api_client_for(owner).post("/api/workspaces/", {"name": "acme"}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "name_taken"
    assert Workspace.objects.count() == 1


def test_workspace_with_datasets_cannot_be_deleted(api_client_for, owner, dataset, workspace):
    response = api_client_for(owner).delete(f"/api/workspaces/{workspace.pk}/")
    assert response.status_code == 409
    assert Workspace.objects.filter(pk=workspace.pk).exists()


def test_undeclared_body_fields_are_refused(api_client_for, owner):
    response = api_client_for(owner).post("/api/workspaces/", {"name": "x1", "id": "00000000-0000-0000-0000-000000000001"},
                                          format="json")
    assert response.status_code == 400
    assert "id" in error_of(response)["details"]
    assert not Workspace.objects.exists()
