"""A dataset's routing property and fallback (issue #19): set through the API, validated."""

import pytest

from config.errors import InvalidInput
from labeling.models import Dataset, MetadataProperty
from labeling.selectors.lookups import dataset_access_for
from labeling.services.datasets import schema_item_delete

from ..api.conftest import error_of


def test_routing_names_a_terms_property(api_client_for, admin, routed_dataset):
    MetadataProperty.objects.create(dataset=routed_dataset, name="length", title="Length", type="integer",
                                    settings={"type": "integer"})
    client = api_client_for(admin)
    url = f"/api/datasets/{routed_dataset.pk}/"
    for bad in ("length", "missing"):
        answer = client.patch(url, {"routing_property": bad}, format="json")
        assert answer.status_code == 400
        assert "terms metadata properties (domain)" in error_of(answer)["message"]
    assert Dataset.objects.get(pk=routed_dataset.pk).routing_property == "domain"
    answer = client.patch(url, {"routing_property": "", "routing_fallback_hours": 12}, format="json")
    assert answer.status_code == 200
    assert (answer.json()["routing_property"], answer.json()["routing_fallback_hours"]) == ("", 12)


def test_fallback_hours_are_positive(api_client_for, admin, routed_dataset):
    answer = api_client_for(admin).patch(f"/api/datasets/{routed_dataset.pk}/", {"routing_fallback_hours": 0},
                                         format="json")
    assert answer.status_code == 400
    assert Dataset.objects.get(pk=routed_dataset.pk).routing_fallback_hours is None


def test_the_routing_property_cannot_be_deleted_while_it_routes(admin, routed_dataset):
    prop = routed_dataset.metadata_properties.get(name="domain")
    with pytest.raises(InvalidInput, match="routes this dataset"):
        schema_item_delete(access=dataset_access_for(user=admin, dataset=routed_dataset), item=prop)
    assert routed_dataset.metadata_properties.filter(name="domain").exists()
