"""A dataset's review setting (`review`: off | sampled | all, `review_sample_percent`) through the API,
the service's checks, and the Django admin."""

import pytest

from labeling.models import Dataset

from ..admin.conftest import admin_url, form_data
from ..api.conftest import error_of

SCHEMA = {"fields": [{"name": "prompt"}], "questions": [{"name": "demonstration", "type": "text"}]}


def test_created_with_sampled_review_and_shown(api_client_for, admin, workspace):
    created = api_client_for(admin).post("/api/datasets/", {
        **SCHEMA, "workspace": str(workspace.pk), "name": "sampled", "review": "sampled", "review_sample_percent": 20,
    }, format="json")

    assert created.status_code == 201, created.content
    assert (created.json()["review"], created.json()["review_sample_percent"]) == ("sampled", 20)
    dataset = Dataset.objects.get(name="sampled")
    assert (dataset.review, dataset.review_sample_percent) == ("sampled", 20)


def test_review_is_off_by_default(api_client_for, admin, workspace):
    created = api_client_for(admin).post("/api/datasets/", {**SCHEMA, "workspace": str(workspace.pk), "name": "plain"},
                                         format="json")
    assert (created.json()["review"], created.json()["review_sample_percent"]) == ("off", 100)


def test_an_admin_switches_review_on_and_changes_the_sample(api_client_for, admin, dataset):
    client = api_client_for(admin)
    assert client.patch(f"/api/datasets/{dataset.pk}/", {"review": "all"}, format="json").json()["review"] == "all"
    changed = client.patch(f"/api/datasets/{dataset.pk}/", {"review": "sampled", "review_sample_percent": 35},
                           format="json")
    assert (changed.json()["review"], changed.json()["review_sample_percent"]) == ("sampled", 35)
    again = client.patch(f"/api/datasets/{dataset.pk}/", {"review_sample_percent": 50}, format="json")
    assert again.status_code == 200 and again.json()["review_sample_percent"] == 50


@pytest.mark.parametrize(("body", "message"), [
    ({"review": "sampled"}, "Sampled review needs review_sample_percent"),
    ({"review": "sampled", "review_sample_percent": 0}, "from 1 to 100"),
    ({"review": "sampled", "review_sample_percent": 101}, "from 1 to 100"),
    ({"review_sample_percent": 30}, "applies to sampled review only"),
    ({"review": "all", "review_sample_percent": 30}, "applies to sampled review only"),
    ({"review": "sometimes"}, "review"),
])
def test_bad_settings_are_refused_and_change_nothing(api_client_for, admin, dataset, body, message):
    answer = api_client_for(admin).patch(f"/api/datasets/{dataset.pk}/", body, format="json")

    assert answer.status_code == 400
    assert message in error_of(answer)["message"]
    dataset.refresh_from_db()
    assert (dataset.review, dataset.review_sample_percent) == ("off", 100)


def test_only_admins_change_the_review_setting(api_client_for, annotator, dataset):
    answer = api_client_for(annotator).patch(f"/api/datasets/{dataset.pk}/", {"review": "all"}, format="json")
    assert answer.status_code == 403
    dataset.refresh_from_db()
    assert dataset.review == "off"


def test_the_admin_form_sets_sampled_review_and_refuses_a_bad_share(client, admin, dataset):
    client.force_login(admin)
    url = admin_url(Dataset, "change", dataset.pk)
    data = form_data(client.get(url))

    refused = client.post(url, {**data, "review": "sampled", "review_sample_percent": "0"})
    assert refused.status_code == 200
    assert "review_sample_percent" in refused.context["adminform"].form.errors
    dataset.refresh_from_db()
    assert dataset.review == "off"

    saved = client.post(url, {**data, "review": "sampled", "review_sample_percent": "25"})
    assert saved.status_code == 302
    dataset.refresh_from_db()
    assert (dataset.review, dataset.review_sample_percent) == ("sampled", 25)
    client.post(url, {**form_data(client.get(url)), "review": "off"})
    dataset.refresh_from_db()
    assert (dataset.review, dataset.review_sample_percent) == ("off", 25)
