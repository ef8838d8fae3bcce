"""The review_status export option (the review issue, point 5): its default follows the datasets' review setting,
and a bad value is refused with the one error shape before anything is stored."""

import pytest

from exports.models import ExportJob
from exports.services import export_jobs
from tests.factories import DatasetFactory


def stored_option(admin, datasets, **options) -> str:
    job = export_jobs.export_job_create(actor=admin, dataset_ids=[d.pk for d in datasets], format="sft-messages",
                                        options=options, enqueue=False)
    return job.options["review_status"]


def test_default_is_not_rejected_when_any_dataset_reviews_else_any(admin, workspace, dataset):
    sampled = DatasetFactory(workspace=workspace, name="sampled", review="sampled", review_sample_percent=10)
    assert stored_option(admin, [dataset]) == "any"
    assert stored_option(admin, [dataset, sampled]) == "not_rejected"
    assert stored_option(admin, [sampled]) == "not_rejected"
    assert stored_option(admin, [sampled], review_status="any") == "any"
    assert stored_option(admin, [dataset], review_status="accepted_only") == "accepted_only"


@pytest.mark.parametrize("value", ["accepted", "", ["any"], 1, True])
def test_a_bad_value_is_refused_and_nothing_is_stored(admin, dataset, api_client_for, value):
    body = {"datasets": [str(dataset.pk)], "format": "sft-messages", "options": {"review_status": value}}
    response = api_client_for(admin).post("/api/exports/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "'review_status' is one of: accepted_only, not_rejected, any.",
        "details": {"field": "options.review_status"},
    }
    assert ExportJob.objects.count() == 0


def test_the_api_schema_documents_the_choices(admin, api_client_for):
    schema = api_client_for(admin).get("/api/schema/?format=json").json()
    option = schema["components"]["schemas"]["ExportOptions"]["properties"]["review_status"]
    assert option["allOf"] == [{"$ref": "#/components/schemas/ExportReviewStatusEnum"}]
    assert schema["components"]["schemas"]["ExportReviewStatusEnum"]["enum"] == ["accepted_only", "not_rejected", "any"]
