"""Owners create users (with a password, through user_create) and edit them; nobody else can."""

from django.test import Client

from accounts.models import User

from .conftest import admin_url


def _add(client, **overrides):
    data = {
        "username": "carol",
        "email": "carol@example.org",
        "usable_password": "true",
        "password1": "Str0ng-enough-pass",
        "password2": "Str0ng-enough-pass",
        **overrides,
    }
    return client.post(admin_url(User, "add"), data)


def test_owner_creates_a_user_who_can_then_sign_in(owner, client_for):
    response = _add(client_for(owner))
    assert response.status_code == 302
    carol = User.objects.get(username="carol")
    assert carol.email == "carol@example.org" and not carol.is_superuser
    assert Client().login(username="carol", password="Str0ng-enough-pass")


def test_owner_creates_a_user_without_password(owner, client_for):
    assert _add(client_for(owner), usable_password="false", password1="", password2="").status_code == 302
    assert not User.objects.get(username="carol").has_usable_password()


def test_bad_username_and_weak_password_are_refused(owner, client_for):
    client = client_for(owner)
    bad_name = _add(client, username="-carol")
    weak = _add(client, password1="123", password2="123")
    assert "does not start with - or _" in bad_name.content.decode()
    assert "too short" in weak.content.decode()
    assert not User.objects.filter(username__in=["-carol", "carol"]).exists()


def test_workspace_admin_cannot_create_users(admin, client_for):
    assert _add(client_for(admin)).status_code == 403
    assert not User.objects.filter(username="carol").exists()


def test_owner_makes_a_user_an_owner(owner, annotator, client_for):
    client = client_for(owner)
    page = client.get(admin_url(User, "change", annotator.pk))
    data = {
        "username": annotator.username,
        "email": annotator.email,
        "is_active": "on",
        "is_superuser": "on",
        "first_name": "",
        "last_name": "",
    }
    assert page.status_code == 200
    assert client.post(admin_url(User, "change", annotator.pk), data).status_code == 302
    annotator.refresh_from_db()
    assert annotator.is_superuser
