import pytest
from django.core import mail
from django.urls import reverse

LOGIN = reverse("account_login")


@pytest.mark.parametrize("login", ["ann", "ann@example.org"])
def test_signs_in_by_username_or_email(client, annotator, login):
    response = client.post(LOGIN, {"login": login, "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, annotator):
    response = client.post(LOGIN, {"login": "ann", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert client.get("/").status_code == 302


def test_portal_pages_send_anonymous_users_to_sign_in(client, dataset):
    for url in ["/", reverse("portal:my_responses"), reverse("portal:annotate", args=[dataset.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")


def test_login_page_is_styled_like_the_portal(client):
    html = client.get(LOGIN).content.decode()
    assert "/static/portal/portal.css" in html
    assert '<label for="id_login">Username or email</label>' in html


def test_no_public_sign_up(client):
    response = client.get(reverse("account_signup"))
    assert "No public sign-up" in response.content.decode()


def test_password_reset_sends_an_email(client, annotator):
    response = client.post(reverse("account_reset_password"), {"email": "ann@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
