from labeling.models import Suggestion

from ..factories import RecordFactory
from .conftest import error_of


def test_suggestions_by_id_and_external_id(api_client_for, admin, dataset):
    a, b = RecordFactory(dataset=dataset, external_id="a"), RecordFactory(dataset=dataset)
    items = [{"external_id": "a", "question": "demonstration", "value": "S1", "score": 0.5, "agent": "m"},
             {"record_id": str(b.pk), "question": "quality", "value": 4}]
    response = api_client_for(admin).post(f"/api/datasets/{dataset.pk}/suggestions/", {"suggestions": items},
                                          format="json")
    assert response.json()["created"] == 2
    assert dict(Suggestion.objects.values_list("record_id", "value")) == {a.pk: "S1", b.pk: 4}


def test_bad_suggestions_are_reported_by_row(api_client_for, admin, dataset):
    RecordFactory(dataset=dataset, external_id="a")
    items = [{"external_id": "a", "question": "quality", "value": 9},
             {"external_id": "missing", "question": "quality", "value": 1}]
    response = api_client_for(admin).post(f"/api/datasets/{dataset.pk}/suggestions/", {"suggestions": items},
                                          format="json")
    assert response.status_code == 400
    assert [row["index"] for row in error_of(response)["details"]["rows"]] == [0, 1]
    assert not Suggestion.objects.exists()


def test_annotators_cannot_add_suggestions(api_client_for, annotator, dataset):
    RecordFactory(dataset=dataset, external_id="a")
    response = api_client_for(annotator).post(
        f"/api/datasets/{dataset.pk}/suggestions/",
        {"suggestions": [{"external_id": "a", "question": "quality", "value": 1}]}, format="json",
    )
    assert response.status_code == 403
    assert not Suggestion.objects.exists()
