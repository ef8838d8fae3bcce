from accounts.models import Membership

from ..factories import UserFactory
from .conftest import error_of


def test_owner_adds_then_admin_changes_and_removes(api_client_for, owner, admin, annotator, workspace):
    newcomer = UserFactory(username="newcomer")
    client = api_client_for(owner)
    url = f"/api/workspaces/{workspace.pk}/members/"
    added = client.post(url, {"user": str(newcomer.pk), "role": "annotator"}, format="json")
    assert added.status_code == 200
    assert added.json()["role"] == "annotator"
    promoted = api_client_for(admin).post(url, {"user": str(annotator.pk), "role": "admin"}, format="json")
    assert promoted.json()["role"] == "admin"
    assert api_client_for(admin).delete(f"{url}?user={newcomer.pk}").status_code == 204
    assert set(Membership.objects.filter(workspace=workspace).values_list("user__username", "role")) == {
        ("wsadmin", "admin"), ("ann", "admin"),
    }


def test_admin_lists_members(api_client_for, admin, annotator, workspace):
    results = api_client_for(admin).get(f"/api/workspaces/{workspace.pk}/members/").json()["results"]
    assert sorted((m["user"]["username"], m["role"]) for m in results) == [("ann", "annotator"), ("wsadmin", "admin")]


def test_annotator_may_not_manage_members(api_client_for, admin, annotator, workspace):
    client = api_client_for(annotator)
    url = f"/api/workspaces/{workspace.pk}/members/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"user": str(annotator.pk), "role": "admin"}, format="json").status_code == 403
    assert client.delete(f"{url}?user={admin.pk}").status_code == 403
    assert Membership.objects.get(user=annotator).role == "annotator"


def test_admin_cannot_add_a_user_they_cannot_see(api_client_for, admin, workspace):
    stranger = UserFactory(username="stranger")
    response = api_client_for(admin).post(f"/api/workspaces/{workspace.pk}/members/", {"user": str(stranger.pk)},
                                          format="json")
    assert response.status_code == 404
    assert not Membership.objects.filter(user=stranger).exists()


def test_bad_role_is_400(api_client_for, admin, annotator, workspace):
    response = api_client_for(admin).post(f"/api/workspaces/{workspace.pk}/members/",
                                          {"user": str(annotator.pk), "role": "owner"}, format="json")
    assert response.status_code == 400
    assert "role" in error_of(response)["details"]
    assert Membership.objects.get(user=annotator).role == "annotator"
