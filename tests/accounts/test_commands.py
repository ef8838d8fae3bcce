import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ApiKey, Membership, User, Workspace
from accounts.selectors import user_for_api_key
from labeling.models import Dataset, Record


def test_create_api_key_prints_only_the_key_and_stores_a_hash(annotator):
    out = io.StringIO()
    call_command("create_api_key", "ann", stdout=out)
    secret = out.getvalue().strip()
    assert "\n" not in secret and secret.startswith("dk_")
    key = ApiKey.objects.get(user=annotator)
    assert secret not in (key.digest, key.prefix) and len(key.digest) == 64
    assert user_for_api_key(secret)[0] == annotator


def test_create_api_key_unknown_user(db):
    with pytest.raises(CommandError, match="No active user named 'ghost'"):
        call_command("create_api_key", "ghost")
    assert not ApiKey.objects.exists()


def test_revoked_key_no_longer_authenticates(annotator):
    from accounts.services import api_key_create, api_key_revoke

    key, secret = api_key_create(actor=None, user=annotator)
    api_key_revoke(actor=annotator, key=key)
    assert user_for_api_key(secret) is None


def test_demo_is_complete_and_idempotent(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=out)
    dataset = Dataset.objects.get(name="banking-demonstrations")
    assert dataset.status == "ready" and dataset.workspace.name == "banking"
    assert Record.objects.filter(dataset=dataset).count() == 500
    assert list(dataset.fields.values_list("name", "type")) == [("prompt", "text")]
    assert list(dataset.questions.values_list("name", "type", "required")) == [
        ("demonstration", "text", True), ("prompt_quality", "rating", False)
    ]
    assert User.objects.get(username="owner").is_superuser
    annotators = Membership.objects.filter(workspace__name="banking", role="annotator")
    assert sorted(annotators.values_list("user__username", flat=True)) == ["alice", "bob"]
    research = Workspace.objects.get(name="research")
    assert not research.memberships.filter(user__username__in=["alice", "bob"]).exists()
    assert "alice  / alice-demo-pass" in out.getvalue()
    first = Record.objects.filter(dataset=dataset).order_by("ordinal").first()
    sample = json.loads(open("labeling/demo_data/banking77_sample.jsonl").readline())
    assert first.fields == {"prompt": sample["prompt"]} and first.metadata == {"category": sample["category"]}
