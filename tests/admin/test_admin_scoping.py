"""A workspace admin sees and touches only their workspaces' objects in the admin (DESIGN §2, §6).

Another workspace's object is "not found" everywhere: absent from changelists, and its change, delete
and history pages send the user back to the index as Django does for a missing object. Nothing changes.
"""

import pytest
from django.urls import reverse

from accounts.models import Membership, User, Workspace
from labeling.models import Assignment, Claim, Record, Response

from .conftest import admin_url


@pytest.fixture
def two_workspaces(dataset, other_dataset, admin, outsider, fill):
    """Records with responses, assignments and claims on both sides."""
    return {"mine": fill(dataset, 2), "theirs": fill(other_dataset, 2)}


FOREIGN = {
    "dataset": lambda ctx: ctx["other_dataset"],
    "record": lambda ctx: ctx["theirs"][0],
    "response": lambda ctx: Response.objects.filter(record=ctx["theirs"][0]).get(),
    "assignment": lambda ctx: Assignment.objects.filter(record=ctx["theirs"][0]).get(),
    "claim": lambda ctx: Claim.objects.filter(record=ctx["theirs"][0]).get(),
    "membership": lambda ctx: Membership.objects.get(user=ctx["outsider"]),
    "workspace": lambda ctx: ctx["other_workspace"],
    "user": lambda ctx: ctx["outsider"],
}
OWN = {
    "dataset": lambda ctx: ctx["dataset"],
    "record": lambda ctx: ctx["mine"][0],
    "response": lambda ctx: Response.objects.filter(record=ctx["mine"][0]).get(),
    "assignment": lambda ctx: Assignment.objects.filter(record=ctx["mine"][0]).get(),
    "claim": lambda ctx: Claim.objects.filter(record=ctx["mine"][0]).get(),
    "membership": lambda ctx: Membership.objects.get(user=ctx["admin"]),
    "workspace": lambda ctx: ctx["workspace"],
    "user": lambda ctx: ctx["admin"],
}


@pytest.fixture
def ctx(two_workspaces, request):
    names = ["dataset", "other_dataset", "workspace", "other_workspace", "admin", "outsider", "owner"]
    return {**two_workspaces, **{name: request.getfixturevalue(name) for name in names}}


def _snapshot(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _not_found(response):
    """Django's answer for an object outside get_queryset(): back to the index with a message."""
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_changelist_lists_own_objects_only(ctx, client_for, kind):
    foreign, own = FOREIGN[kind](ctx), OWN[kind](ctx)
    listing = client_for(ctx["admin"]).get(admin_url(type(foreign), "changelist"))
    pks = {obj.pk for obj in listing.context["cl"].result_list}
    assert own.pk in pks and foreign.pk not in pks
    if not isinstance(foreign.pk, int):  # claims have small integer ids that any page may contain
        assert str(foreign.pk) not in listing.content.decode()


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_owner_lists_both_workspaces(ctx, client_for, kind):
    foreign, own = FOREIGN[kind](ctx), OWN[kind](ctx)
    listing = client_for(ctx["owner"]).get(admin_url(type(foreign), "changelist"))
    pks = {obj.pk for obj in listing.context["cl"].result_list}
    assert {own.pk, foreign.pk} <= pks


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_foreign_change_view_is_not_found(ctx, client_for, kind):
    foreign = FOREIGN[kind](ctx)
    client = client_for(ctx["admin"])
    assert _not_found(client.get(admin_url(type(foreign), "change", foreign.pk)))
    assert _not_found(client.get(admin_url(type(foreign), "history", foreign.pk)))


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_foreign_change_post_changes_nothing(ctx, client_for, kind):
    foreign = FOREIGN[kind](ctx)
    before = _snapshot(foreign)
    posted = {
        "name": "hijacked",
        "role": "annotator",
        "external_id": "hijacked",
        "fields": '{"prompt": "x"}',
        "username": "hijacked",
        "guidelines": "hijacked",
        "min_submitted": "3",
    }
    response = client_for(ctx["admin"]).post(admin_url(type(foreign), "change", foreign.pk), posted)
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or _not_found(response)
    assert _snapshot(foreign) == before


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_foreign_delete_view_refused_and_nothing_deleted(ctx, client_for, kind):
    foreign = FOREIGN[kind](ctx)
    model = type(foreign)
    client = client_for(ctx["admin"])
    get = client.get(admin_url(model, "delete", foreign.pk))
    post = client.post(admin_url(model, "delete", foreign.pk), {"post": "yes"})
    for response in (get, post):
        assert response.status_code == 403 or _not_found(response)
    assert model.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("kind", ["dataset", "record", "response", "membership", "assignment"])
def test_bulk_delete_action_skips_foreign_objects(ctx, client_for, kind):
    foreign, own = FOREIGN[kind](ctx), OWN[kind](ctx)
    model = type(foreign)
    response = client_for(ctx["admin"]).post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(foreign.pk), str(own.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert model.objects.filter(pk=foreign.pk).exists()
    assert not model.objects.filter(pk=own.pk).exists()


def test_owner_opens_and_deletes_any_workspace_record(ctx, client_for):
    record = FOREIGN["record"](ctx)
    client = client_for(ctx["owner"])
    assert client.get(admin_url(Record, "change", record.pk)).status_code == 200
    assert client.post(admin_url(Record, "delete", record.pk), {"post": "yes"}).status_code == 302
    assert not Record.objects.filter(pk=record.pk).exists()


def test_workspace_admin_cannot_edit_users_or_workspaces(ctx, client_for):
    """Users and workspaces are the owner's to manage: a workspace admin only views them."""
    client = client_for(ctx["admin"])
    me = ctx["admin"]
    page = client.get(admin_url(User, "change", me.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert (
        client.post(admin_url(User, "change", me.pk), {"username": me.username, "is_superuser": "on"}).status_code
        == 403
    )
    me.refresh_from_db()
    assert not me.is_superuser
    rename = client.post(admin_url(Workspace, "change", ctx["workspace"].pk), {"name": "renamed"})
    assert rename.status_code in (200, 302)
    assert Workspace.objects.get(pk=ctx["workspace"].pk).name == "acme"
    password_url = reverse("admin:auth_user_password_change", args=[me.pk])
    assert client.post(password_url, {"password1": "Newpass-123456", "password2": "Newpass-123456"}).status_code == 403


def test_dataset_filter_offers_only_own_datasets(ctx, client_for):
    listing = client_for(ctx["admin"]).get(admin_url(Record, "changelist"))
    offered = {
        choice for spec in listing.context["cl"].filter_specs for choice, _ in getattr(spec, "lookup_choices", [])
    }
    assert str(ctx["dataset"].pk) in offered and str(ctx["other_dataset"].pk) not in offered
    forced = client_for(ctx["admin"]).get(admin_url(Record, "changelist"), {"dataset": str(ctx["other_dataset"].pk)})
    assert forced.status_code == 200 and list(forced.context["cl"].result_list) == []
