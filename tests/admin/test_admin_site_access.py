"""Who may enter the admin: owners and workspace admins; never annotators, whatever is_staff says."""

import pytest
from django.test import Client

from tests.factories import MembershipFactory, UserFactory

PASSWORD = "pw-for-tests-1"


def _login(user) -> tuple[Client, object]:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD})
    return client, response


def test_owner_logs_in_and_sees_the_index(owner):
    client, response = _login(owner)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_workspace_admin_logs_in_without_is_staff(workspace):
    """The demo's workspace admins are not staff: administering a workspace is what counts."""
    lead = UserFactory(username="lead", is_staff=False)
    MembershipFactory(user=lead, workspace=workspace, role="admin")
    client, response = _login(lead)
    assert response.status_code == 302
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"Datasets" in index.content and b"Groups" not in index.content


@pytest.mark.parametrize("is_staff", [False, True])
def test_annotator_cannot_log_in(annotator, is_staff):
    annotator.is_staff = is_staff
    annotator.save()
    client, response = _login(annotator)
    assert response.status_code == 200
    assert "owner or a workspace admin" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_annotator_signed_in_elsewhere_is_sent_to_the_admin_login(annotator, client_for):
    client = client_for(annotator)
    response = client.get("/admin/labeling/record/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_user_without_any_membership_cannot_log_in(db):
    staff_only = UserFactory(username="staffer", is_staff=True)
    _, response = _login(staff_only)
    assert response.status_code == 200 and "owner or a workspace admin" in response.content.decode()


def test_inactive_workspace_admin_cannot_log_in(admin):
    admin.is_active = False
    admin.save()
    _, response = _login(admin)
    assert response.status_code == 200
