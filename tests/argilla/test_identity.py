"""Identity, users and workspaces under `/api/v1` (argilla-compat.md §4.2)."""

import uuid

from accounts.models import Membership, User, Workspace

from ..factories import DatasetFactory
from .conftest import ArgillaClient, assert_shape

USER_KEYS = ("id", "first_name", "last_name", "username", "role", "api_key", "inserted_at", "updated_at")


def test_me(as_admin, admin):
    response = as_admin.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert_shape(body, keys=USER_KEYS)
    assert (body["id"], body["role"], body["api_key"]) == (str(admin.pk), "admin", as_admin.key)


def test_users_list_for_owners(as_owner, as_admin, annotator):
    body = as_owner.get("/api/v1/users").json()
    assert {"owner", "ann"} <= {u["username"] for u in body["items"]}
    for user in body["items"]:
        assert_shape(user, keys=USER_KEYS)
        assert user["role"] in ("owner", "admin", "annotator")
    assert as_admin.get("/api/v1/users").status_code == 403


def test_user_create_answers_201_with_a_working_key(as_owner):
    response = as_owner.post("/api/v1/users", {
        "username": "ann2", "password": "correct-horse-2", "first_name": "Ann", "last_name": None,
        "role": "annotator", "id": None, "inserted_at": None, "updated_at": None,
    })
    assert response.status_code == 201
    body = response.json()
    assert_shape(body, keys=USER_KEYS)
    assert ArgillaClient(body["api_key"]).get("/api/v1/me").json()["username"] == "ann2"


def test_owner_role_creates_an_owner(as_owner):
    body = as_owner.post("/api/v1/users", {"username": "boss2", "password": "correct-horse-2", "role": "owner"}).json()
    assert body["role"] == "owner"
    assert User.objects.get(username="boss2").is_superuser


def test_user_create_errors(as_owner, as_annotator, annotator):
    assert as_owner.post("/api/v1/users", {"username": "ann", "password": "correct-horse-2"}).status_code == 409
    assert as_owner.post("/api/v1/users", {"username": "x y", "password": "correct-horse-2"}).status_code == 422
    assert as_annotator.post("/api/v1/users", {"username": "z", "password": "correct-horse-2"}).status_code == 403


def test_user_get_and_404(as_owner, annotator):
    assert as_owner.get(f"/api/v1/users/{annotator.pk}").json()["username"] == "ann"
    assert as_owner.get(f"/api/v1/users/{uuid.uuid4()}").status_code == 404
    assert as_owner.get("/api/v1/users/not-a-uuid").status_code == 404


def test_user_delete(as_owner, owner, annotator):
    response = as_owner.delete(f"/api/v1/users/{annotator.pk}")
    assert response.status_code == 200 and response.json()["username"] == "ann"
    assert as_owner.delete(f"/api/v1/users/{owner.pk}").status_code == 422


def test_user_workspaces(as_owner, annotator):
    response = as_owner.get(f"/api/v1/users/{annotator.pk}/workspaces")
    assert response.status_code == 200
    assert [w["name"] for w in response.json()["items"]] == ["acme"]


def test_my_workspaces(as_owner, as_annotator, workspace, other_workspace):
    assert [w["name"] for w in as_owner.get("/api/v1/me/workspaces").json()["items"]] == ["acme", "other"]
    items = as_annotator.get("/api/v1/me/workspaces").json()["items"]
    assert [w["name"] for w in items] == ["acme"]
    assert_shape(items[0], keys=("name",))


def test_workspace_create_201_and_errors(as_owner, as_admin, workspace):
    response = as_owner.post("/api/v1/workspaces", {"name": "ws-2", "id": None, "inserted_at": None})
    assert response.status_code == 201
    assert_shape(response.json(), keys=("name",))
    assert as_owner.post("/api/v1/workspaces", {"name": "acme"}).status_code == 409
    assert as_owner.post("/api/v1/workspaces", {"name": "_bad"}).status_code == 422
    assert as_admin.post("/api/v1/workspaces", {"name": "ws-3"}).status_code == 403


def test_workspace_get_is_404_outside_the_callers_workspaces(as_annotator, workspace, other_workspace):
    assert as_annotator.get(f"/api/v1/workspaces/{workspace.pk}").json()["name"] == "acme"
    assert as_annotator.get(f"/api/v1/workspaces/{other_workspace.pk}").status_code == 404


def test_workspace_delete_200_and_409_with_datasets(as_owner, workspace, other_workspace):
    DatasetFactory(workspace=workspace)
    response = as_owner.delete(f"/api/v1/workspaces/{workspace.pk}")
    assert response.status_code == 409 and isinstance(response.json()["detail"], str)
    response = as_owner.delete(f"/api/v1/workspaces/{other_workspace.pk}")
    assert response.status_code == 200 and response.json()["name"] == "other"
    assert not Workspace.objects.filter(pk=other_workspace.pk).exists()


def test_workspace_members_list_add_remove(as_owner, workspace, annotator, outsider):
    path = f"/api/v1/workspaces/{workspace.pk}/users"
    assert [u["username"] for u in as_owner.get(path).json()["items"]] == ["ann"]
    response = as_owner.post(path, {"user_id": str(outsider.pk)})
    assert response.status_code == 201 and response.json()["username"] == "outsider"
    assert as_owner.post(path, {"user_id": str(outsider.pk)}).status_code == 409
    assert as_owner.post(path, {"user_id": str(uuid.uuid4())}).status_code == 404
    response = as_owner.delete(f"{path}/{outsider.pk}")
    assert response.status_code == 200
    assert not Membership.objects.filter(user=outsider, workspace=workspace).exists()
