"""The admin's sign-in counts failures with the portal's limits (issue 15): one count, two forms.

Tests run with ACCOUNT_RATE_LIMITS off (config/settings/test.py); these switch on the value the base
settings ship, unchanged.
"""

import pytest
from django.test import Client, override_settings

from config.settings import base

PASSWORD = "pw-for-tests-1"
REFUSED = "Too many failed login attempts. Try again later."
ADMIN_INVALID = "Enter the username and password of an owner or a workspace admin."

pytestmark = pytest.mark.usefixtures("shipped_sign_in_limits")


@pytest.fixture
def shipped_sign_in_limits():
    assert base.ACCOUNT_RATE_LIMITS == {"login_failed": "10/m/ip,5/5m/key"}
    with override_settings(ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS):
        yield


def sign_in(client: Client, form: str, username: str, password: str):
    if form == "admin":
        return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return client.post("/accounts/login/", {"login": username, "password": password})


@pytest.mark.parametrize(
    ("failures_on", "sixth_on"),
    [("admin", "admin"), ("admin", "portal"), ("portal", "admin"), ("portal", "portal"), ("both", "admin")],
)
def test_the_sixth_attempt_after_five_wrong_passwords_is_refused(owner, failures_on, sixth_on):
    client = Client()
    for attempt in range(5):
        form = ("admin", "portal")[attempt % 2] if failures_on == "both" else failures_on
        response = sign_in(client, form, "owner", f"wrong-{attempt}")
        assert response.status_code == 200
        assert REFUSED not in response.content.decode()
    # The right password, sixth within the window: refused like a wrong one, nobody signed in.
    response = sign_in(client, sixth_on, "owner", PASSWORD)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_four_wrong_passwords_then_the_right_one_signs_in(owner):
    client = Client()
    for attempt in range(4):
        response = sign_in(client, "admin", "owner", f"wrong-{attempt}")
        assert ADMIN_INVALID in response.content.decode()
    response = sign_in(client, "admin", "owner", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_failures_for_one_user_do_not_lock_out_another(owner, admin):
    client = Client()
    for attempt in range(5):
        sign_in(client, "admin", "owner", f"wrong-{attempt}")
    response = sign_in(client, "admin", "wsadmin", PASSWORD)
    assert response.status_code == 302


def test_an_address_is_refused_after_ten_failures_whatever_forwarded_for_says(owner):
    client = Client()
    for attempt in range(10):
        response = client.post(
            "/admin/login/", {"username": f"nobody-{attempt}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}",
        )
        assert REFUSED not in response.content.decode()
    response = client.post(
        "/admin/login/", {"username": "owner", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
