from accounts.models import User
from accounts.selectors import user_for_api_key

from .conftest import error_of


def test_owner_creates_a_user_with_a_key_shown_once(api_client_for, owner):
    client = api_client_for(owner)
    response = client.post("/api/users/", {"username": "labeler1", "password": "a-long-passphrase-42",
                                           "create_api_key": True}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert "password" not in body
    user, _ = user_for_api_key(body["api_key"])
    assert user.username == "labeler1" and user.check_password("a-long-passphrase-42")
    listed = client.get("/api/users/").json()["results"]
    assert "labeler1" in {u["username"] for u in listed}
    assert all("api_key" not in u for u in listed)


def test_weak_password_is_refused_and_nothing_created(api_client_for, owner):
    response = api_client_for(owner).post("/api/users/", {"username": "weak", "password": "123"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["details"] == {"field": "password"}
    assert not User.objects.filter(username="weak").exists()


def test_only_owners_manage_users(api_client_for, admin):
    client = api_client_for(admin)
    assert client.get("/api/users/").status_code == 403
    assert client.post("/api/users/", {"username": "sneaky"}, format="json").status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_privilege_fields_cannot_be_mass_assigned(api_client_for, owner):
    response = api_client_for(owner).post("/api/users/", {"username": "x", "is_superuser": True, "is_staff": True},
                                          format="json")
    assert response.status_code == 400
    assert set(error_of(response)["details"]) == {"is_superuser", "is_staff"}
    assert not User.objects.filter(username="x").exists()
