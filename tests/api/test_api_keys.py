from accounts.models import ApiKey
from accounts.services import api_key_create

from .conftest import error_of


def test_list_shows_prefix_only(api_client_for, annotator):
    client = api_client_for(annotator)
    results = client.get("/api/keys/").json()["results"]
    assert len(results) == 1
    assert set(results[0]) == {"id", "name", "prefix", "user", "inserted_at", "last_used_at", "revoked_at"}


def test_create_shows_the_secret_once_and_it_works(api_client_for, annotator):
    client = api_client_for(annotator)
    created = client.post("/api/keys/", {"name": "laptop"}, format="json")
    assert created.status_code == 201
    secret = created.json()["key"]
    assert secret.startswith(created.json()["prefix"])
    assert client.get("/api/keys/").json()["results"][0].get("key") is None
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/me").json()["username"] == "ann"


def test_revoked_key_stops_working(api_client_for, annotator):
    client = api_client_for(annotator)
    key = ApiKey.objects.get(user=annotator)
    assert client.delete(f"/api/keys/{key.pk}/").status_code == 204
    response = client.get("/api/me")
    assert response.status_code == 401
    assert error_of(response)["message"] == "Invalid or revoked API key."


def test_users_cannot_see_or_revoke_others_keys(api_client_for, annotator, admin):
    other_key, _ = api_key_create(actor=None, user=admin, name="admin's")
    client = api_client_for(annotator)
    assert str(other_key.pk) not in {k["id"] for k in client.get("/api/keys/").json()["results"]}
    assert client.delete(f"/api/keys/{other_key.pk}/").status_code == 404
    other_key.refresh_from_db()
    assert other_key.revoked_at is None


def test_owner_revokes_any_key_and_mints_for_others(api_client_for, owner, annotator):
    key, _ = api_key_create(actor=None, user=annotator, name="x")
    client = api_client_for(owner)
    assert client.delete(f"/api/keys/{key.pk}/").status_code == 204
    key.refresh_from_db()
    assert key.revoked_at is not None
    minted = client.post("/api/keys/", {"user": str(annotator.pk)}, format="json")
    assert minted.json()["user"]["username"] == "ann"


def test_annotator_cannot_mint_keys_for_others(api_client_for, annotator, admin):
    response = api_client_for(annotator).post("/api/keys/", {"user": str(admin.pk)}, format="json")
    assert response.status_code == 403
    assert not ApiKey.objects.filter(user=admin).exists()
