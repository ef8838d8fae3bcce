"""Skills on memberships (issue #19): set by admins through the API (by username or id) and the command,
normalised and validated, seen by the labeler in /api/me."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership

from ..api.conftest import error_of


def _url(workspace, ref):
    return f"/api/workspaces/{workspace.pk}/members/{ref}/"


@pytest.mark.parametrize("by", ["username", "id"])
def test_an_admin_sets_skills_by_username_or_id(api_client_for, admin, annotator, workspace, by):
    ref = annotator.username if by == "username" else str(annotator.pk)
    answer = api_client_for(admin).patch(_url(workspace, ref), {"skills": [" Python", "lang:DE", "python"]},
                                         format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["skills"] == ["lang:de", "python"]
    assert Membership.objects.get(user=annotator, workspace=workspace).skills == ["lang:de", "python"]


def test_the_labeler_sees_their_skills_in_me(api_client_for, admin, annotator, workspace):
    api_client_for(admin).patch(_url(workspace, annotator.username), {"skills": ["legal"]}, format="json")
    body = api_client_for(annotator).get("/api/me").json()
    assert body["workspaces"][0]["skills"] == ["legal"]


@pytest.mark.parametrize(("skills", "message"), [
    (["two words"], "without spaces"),
    ([""], "without spaces"),
    (["x" * 51], "without spaces"),
    ([f"t{n}" for n in range(33)], "at most 32"),
])
def test_bad_skills_are_refused_and_change_nothing(api_client_for, admin, annotator, workspace, skills, message):
    Membership.objects.filter(user=annotator).update(skills=["kept"])
    answer = api_client_for(admin).patch(_url(workspace, annotator.username), {"skills": skills}, format="json")
    assert answer.status_code == 400
    assert message in error_of(answer)["message"]
    assert Membership.objects.get(user=annotator).skills == ["kept"]


def test_annotators_cannot_set_skills_and_strangers_are_not_found(api_client_for, admin, annotator, workspace, outsider):
    own = api_client_for(annotator).patch(_url(workspace, annotator.username), {"skills": ["x"]}, format="json")
    assert own.status_code == 403
    assert api_client_for(admin).patch(_url(workspace, outsider.username), {"skills": ["x"]},
                                       format="json").status_code == 404
    assert Membership.objects.get(user=annotator).skills == []


def test_the_role_changes_through_the_same_route(api_client_for, admin, annotator, workspace):
    answer = api_client_for(admin).patch(_url(workspace, annotator.username), {"role": "reviewer"}, format="json")
    assert answer.json()["role"] == "reviewer"


def test_the_command_sets_adds_and_removes(annotator, workspace, capsys):
    call_command("skills", workspace.name, annotator.username, "--set", "Python", "legal")
    call_command("skills", workspace.name, str(annotator.pk), "--add", "lang:de", "--remove", "legal")
    assert capsys.readouterr().out.split("\n")[-2] == "lang:de python"
    assert Membership.objects.get(user=annotator).skills == ["lang:de", "python"]
    with pytest.raises(CommandError, match="without spaces"):
        call_command("skills", workspace.name, annotator.username, "--add", "bad tag")
    with pytest.raises(CommandError):
        call_command("skills", workspace.name, "nobody-here", "--add", "x")


def test_the_portal_home_page_shows_the_labelers_skills(login, annotator, workspace):
    Membership.objects.filter(user=annotator).update(skills=["lang:de", "python"])
    page = login(annotator).get("/")
    assert f"{workspace.name}: lang:de, python" in page.content.decode()
