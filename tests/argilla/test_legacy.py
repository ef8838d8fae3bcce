"""The 1.x legacy `/api` paths (argilla-compat.md §4.1): shapes of Argilla 1.29 and exact 200s."""

from accounts.models import Membership, User, Workspace

from .conftest import ArgillaClient, assert_shape

LEGACY_USER_KEYS = ("id", "first_name", "username", "role", "api_key", "workspaces", "inserted_at", "updated_at")


def test_me_echoes_the_presented_key_and_lists_all_workspaces_for_owners(as_owner, workspace, other_workspace):
    body = as_owner.get("/api/me").json()
    assert_shape(body, keys=LEGACY_USER_KEYS)
    assert body["role"] == "owner"
    assert body["api_key"] == as_owner.key
    assert sorted(body["workspaces"]) == ["acme", "other"]


def test_me_of_members_lists_their_workspaces_and_global_role(as_admin, as_annotator, other_workspace):
    assert as_admin.get("/api/me").json()["role"] == "admin"
    body = as_annotator.get("/api/me").json()
    assert body["role"] == "annotator"
    assert body["workspaces"] == ["acme"]


def test_info_and_status_report_a_1_29_version(as_annotator):
    assert as_annotator.get("/api/_info").json() == {"version": "1.29.1"}
    status = as_annotator.get("/api/_status").json()
    assert status["version"] == "1.29.1" and "elasticsearch" in status


def test_workspace_create_answers_200_not_201(as_owner):
    response = as_owner.post("/api/workspaces", {"name": "fresh"})
    assert response.status_code == 200
    assert_shape(response.json(), keys=("name",))
    assert Workspace.objects.filter(name="fresh").exists()


def test_workspace_create_errors(as_owner, as_admin, workspace):
    assert as_owner.post("/api/workspaces", {"name": "acme"}).status_code == 409
    response = as_owner.post("/api/workspaces", {"name": "Has Space"})
    assert response.status_code == 422 and isinstance(response.json()["detail"], str)
    assert as_admin.post("/api/workspaces", {"name": "mine"}).status_code == 403
    assert not Workspace.objects.filter(name__in=["Has Space", "mine"]).exists()


def test_user_create_returns_a_working_key_and_memberships(as_owner, workspace):
    response = as_owner.post("/api/users", {
        "first_name": "Ann", "last_name": "Lee", "username": "ann1", "role": "annotator",
        "password": "ann1-password", "workspaces": ["acme"],
    })
    assert response.status_code == 200
    body = response.json()
    assert_shape(body, keys=LEGACY_USER_KEYS)
    assert (body["username"], body["role"], body["workspaces"], body["full_name"]) == (
        "ann1", "annotator", ["acme"], "Ann Lee"
    )
    me = ArgillaClient(body["api_key"]).get("/api/me").json()
    assert me["id"] == body["id"]
    assert Membership.objects.get(user__username="ann1").role == "annotator"


def test_user_create_as_admin_role_makes_workspace_admins(as_owner, workspace):
    body = as_owner.post("/api/users", {"username": "boss", "role": "admin", "password": "correct-horse-1",
                                        "workspaces": ["acme"]}).json()
    assert body["role"] == "admin"
    assert Membership.objects.get(user__username="boss").role == "admin"


def test_user_create_errors_write_nothing(as_owner, as_admin, workspace, annotator):
    cases = [
        ({"username": "ann", "password": "correct-horse-1"}, 409),
        ({"username": "new", "password": "correct-horse-1", "workspaces": ["nope"]}, 422),
        ({"username": "new", "password": "short"}, 422),
        ({"username": "new", "password": "correct-horse-1", "role": "superhero"}, 422),
    ]
    for body, status in cases:
        response = as_owner.post("/api/users", body)
        assert response.status_code == status, body
        assert isinstance(response.json()["detail"], str)
    assert as_admin.post("/api/users", {"username": "new", "password": "correct-horse-1"}).status_code == 403
    assert not User.objects.filter(username="new").exists()


def test_user_list_is_a_plain_array_for_owners_only(as_owner, as_admin, annotator):
    response = as_owner.get("/api/users")
    assert response.status_code == 200
    users = response.json()
    assert isinstance(users, list)
    by_name = {u["username"]: u for u in users}
    assert by_name["ann"]["role"] == "annotator" and by_name["ann"]["workspaces"] == ["acme"]
    assert by_name["ann"]["api_key"] != ""  # a placeholder, never a secret
    assert as_admin.get("/api/users").status_code == 403


def test_user_delete_answers_200_with_the_user(as_owner, annotator):
    response = as_owner.delete(f"/api/users/{annotator.pk}")
    assert response.status_code == 200
    assert response.json()["username"] == "ann"
    assert not User.objects.filter(pk=annotator.pk).exists()
    assert as_owner.delete(f"/api/users/{annotator.pk}").status_code == 404


def test_workspace_users_is_an_array(as_owner, workspace, annotator, admin):
    response = as_owner.get(f"/api/workspaces/{workspace.pk}/users")
    assert response.status_code == 200
    assert sorted(u["username"] for u in response.json()) == ["ann", "wsadmin"]


def test_workspace_user_add_and_remove(as_owner, workspace, outsider):
    path = f"/api/workspaces/{workspace.pk}/users/{outsider.pk}"
    response = as_owner.post(path)
    assert response.status_code == 200
    assert "acme" in response.json()["workspaces"]
    # An admin elsewhere keeps their global admin role here too.
    assert Membership.objects.get(user=outsider, workspace=workspace).role == "admin"
    assert as_owner.post(path).status_code == 409
    response = as_owner.delete(path)
    assert response.status_code == 200
    assert "acme" not in response.json()["workspaces"]
