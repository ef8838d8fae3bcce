"""API keys from the admin: the secret is shown once, only its digest is stored, keys can be revoked."""

import re

from accounts.keys import api_key_digest
from accounts.models import ApiKey
from accounts.selectors import user_for_api_key
from accounts.services import api_key_create

from .conftest import admin_url, messages_of


def test_owner_creates_a_key_for_a_user_and_sees_the_secret_once(owner, annotator, client_for):
    client = client_for(owner)
    response = client.post(admin_url(ApiKey, "add"), {"user": str(annotator.pk), "name": "ci"}, follow=True)
    shown = " ".join(messages_of(response))
    secret = re.search(r"<code>(dk_[\w-]+)</code>", shown).group(1)
    key = ApiKey.objects.get(user=annotator, name="ci")
    assert key.digest == api_key_digest(secret) and secret not in key.digest
    assert user_for_api_key(secret) == (annotator, key)
    # Never again: neither the change page nor the list shows it.
    for url in (admin_url(ApiKey, "change", key.pk), admin_url(ApiKey, "changelist")):
        page = client.get(url)
        assert page.status_code == 200 and secret not in page.content.decode()


def test_workspace_admin_mints_keys_for_themself_only(admin, annotator, client_for):
    client = client_for(admin)
    refused = client.post(admin_url(ApiKey, "add"), {"user": str(annotator.pk), "name": "theirs"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not ApiKey.objects.filter(user=annotator).exists()
    mine = client.post(admin_url(ApiKey, "add"), {"user": str(admin.pk), "name": "mine"}, follow=True)
    assert "dk_" in " ".join(messages_of(mine))
    assert ApiKey.objects.filter(user=admin, name="mine").exists()


def test_workspace_admin_sees_only_their_own_keys(admin, annotator, client_for):
    api_key_create(actor=None, user=annotator, name="annotator-key")
    own, _ = api_key_create(actor=None, user=admin, name="admin-key")
    listing = client_for(admin).get(admin_url(ApiKey, "changelist"))
    assert [key.pk for key in listing.context["cl"].result_list] == [own.pk]


def test_revoke_action_revokes_selected_keys(owner, annotator, client_for):
    key, secret = api_key_create(actor=None, user=annotator, name="old")
    response = client_for(owner).post(
        admin_url(ApiKey, "changelist"), {"action": "revoke", "_selected_action": [str(key.pk)]}, follow=True
    )
    assert "Revoked 1 API key(s)." in messages_of(response)
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert user_for_api_key(secret) is None


def test_revoke_action_ignores_keys_of_others_for_a_workspace_admin(admin, annotator, client_for):
    other, _ = api_key_create(actor=None, user=annotator, name="theirs")
    client_for(admin).post(admin_url(ApiKey, "changelist"), {"action": "revoke", "_selected_action": [str(other.pk)]})
    other.refresh_from_db()
    assert other.revoked_at is None
