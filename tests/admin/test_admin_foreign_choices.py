"""A workspace admin cannot pick another workspace's objects in admin forms, nor discover them."""

import pytest

from accounts.models import Membership
from labeling.models import Assignment, Dataset, Record

from .conftest import admin_url


@pytest.fixture
def records(dataset, other_dataset, fill):
    return {"mine": fill(dataset, 1)[0], "theirs": fill(other_dataset, 1)[0]}


def test_dataset_form_offers_only_administered_workspaces(admin, workspace, other_workspace, client_for):
    page = client_for(admin).get(admin_url(Dataset, "add"))
    choices = page.context["adminform"].form.fields["workspace"].queryset
    assert list(choices) == [workspace]


def test_dataset_in_foreign_workspace_is_refused(admin, workspace, other_workspace, client_for):
    data = {
        "workspace": str(other_workspace.pk),
        "name": "sneaky",
        "min_submitted": "1",
        "distribution": "open",
        "allow_extra_metadata": "on",
        **{
            f"{p}-{k}": v
            for p in ("fields", "questions", "metadata_properties")
            for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
    }
    response = client_for(admin).post(admin_url(Dataset, "add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Dataset.objects.filter(name="sneaky").exists()


def test_membership_in_foreign_workspace_or_for_a_stranger_is_refused(
    admin, annotator, outsider, workspace, other_workspace, client_for
):
    client = client_for(admin)
    foreign_workspace = client.post(
        admin_url(Membership, "add"), {"user": str(annotator.pk), "workspace": str(other_workspace.pk), "role": "admin"}
    )
    stranger = client.post(
        admin_url(Membership, "add"), {"user": str(outsider.pk), "workspace": str(workspace.pk), "role": "annotator"}
    )
    for response in (foreign_workspace, stranger):
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(workspace=other_workspace, user=annotator).exists()
    assert not Membership.objects.filter(workspace=workspace, user=outsider).exists()


def test_record_in_foreign_dataset_is_refused(admin, records, other_dataset, client_for):
    before = Record.objects.filter(dataset=other_dataset).count()
    response = client_for(admin).post(
        admin_url(Record, "add"),
        {
            "dataset": str(other_dataset.pk),
            "external_id": "sneaky",
            "fields": '{"prompt": "hi"}',
            "metadata": "{}",
            "suggestions-TOTAL_FORMS": "0",
            "suggestions-INITIAL_FORMS": "0",
            "responses-TOTAL_FORMS": "0",
            "responses-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Record.objects.filter(dataset=other_dataset).count() == before


def test_assignment_of_foreign_record_is_refused(admin, annotator, records, client_for):
    response = client_for(admin).post(
        admin_url(Assignment, "add"), {"record": str(records["theirs"].pk), "user": str(annotator.pk)}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Assignment.objects.filter(user=annotator).exists()


def test_autocomplete_lists_only_own_records_and_users(admin, annotator, outsider, records, client_for):
    client = client_for(admin)
    params = {"app_label": "labeling", "model_name": "assignment", "term": ""}
    found_records = {
        r["id"] for r in client.get("/admin/autocomplete/", {**params, "field_name": "record"}).json()["results"]
    }
    found_users = {
        r["id"] for r in client.get("/admin/autocomplete/", {**params, "field_name": "user"}).json()["results"]
    }
    assert found_records == {str(records["mine"].pk)}
    assert str(annotator.pk) in found_users and str(outsider.pk) not in found_users


def test_annotator_cannot_use_autocomplete(annotator, records, client_for):
    response = client_for(annotator).get(
        "/admin/autocomplete/", {"app_label": "labeling", "model_name": "assignment", "field_name": "record"}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
