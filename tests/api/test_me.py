from .conftest import error_of


def test_me_lists_workspaces_and_roles(api_client_for, admin, workspace, other_workspace):
    body = api_client_for(admin).get("/api/me").json()
    assert body["username"] == "wsadmin"
    assert body["role"] == "admin"
    assert body["workspaces"] == [{"id": str(workspace.pk), "name": "acme", "role": "admin", "skills": []}]


def test_anonymous_gets_401_in_the_error_shape(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert error_of(response)["code"] == "not_authenticated"
