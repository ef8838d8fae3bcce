"""The one metadata-filter rule (labeling.metadata_filter), through each entry point that uses it.

Names are checked against the dataset's metadata properties and never reach the ORM's lookup
parser; values are converted to the property's type; bad filters are refused with the name.
"""

import pytest

from config.errors import InvalidInput
from labeling.metadata_filter import metadata_conditions, metadata_filter, metadata_types
from labeling.models import Assignment, Record

from ..factories import MetadataPropertyFactory, RecordFactory

TYPES = {"topic": "terms", "length": "integer", "score": "float"}


@pytest.fixture
def records(dataset):
    MetadataPropertyFactory(dataset=dataset, name="topic", type="terms", settings={"type": "terms", "values": None})
    MetadataPropertyFactory(dataset=dataset, name="length", type="integer", settings={"type": "integer"})
    return [
        RecordFactory(dataset=dataset, external_id="a", metadata={"topic": "math", "length": 3, "a__contains": "x"}),
        RecordFactory(dataset=dataset, external_id="b", metadata={"topic": "poetry", "length": 5}),
        RecordFactory(dataset=dataset, external_id="c", metadata={"topic": "math", "length": 9}),
    ]


def matching(dataset, raw, **options):
    conditions = metadata_conditions(raw, types=metadata_types([dataset]), **options)
    return sorted(metadata_filter(Record.objects.filter(dataset=dataset), conditions).values_list("external_id", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "expected"), [
    ({"topic": "math"}, ["a", "c"]),
    ({"topic": ["poetry", "nope"]}, ["b"]),
    ({"length": "5"}, ["b"]),
    ({"length": {"min": 4}}, ["b", "c"]),
    ({"length": {"min": 4, "max": 8}}, ["b"]),
    ({"topic": "math", "length": {"max": 5}}, ["a"]),
])
def test_conditions_select_the_matching_records(dataset, records, raw, expected):
    assert matching(dataset, raw) == expected


@pytest.mark.django_db
def test_a_lookup_like_name_is_a_metadata_key_never_an_orm_lookup(dataset, records):
    assert matching(dataset, {"a__contains": "x"}, allow_undeclared=True) == ["a"]
    assert matching(dataset, {"topic__regex": ".*"}, allow_undeclared=True) == []


@pytest.mark.parametrize(("raw", "message", "field"), [
    ({"nope": "1"}, "'nope' is not a metadata property of this dataset.", "metadata.nope"),
    ({"prompt__regex": "x"}, "'prompt__regex' is not a metadata property of this dataset.", "metadata.prompt__regex"),
    ({"length": "five"}, "metadata.length takes an integer.", "metadata.length"),
    ({"length": {"from": 1}}, "The range for metadata 'length' takes 'min' and/or 'max'.", "metadata.length"),
    ({"topic": []}, "The list of values for metadata 'topic' takes 1 to 1000 values.", "metadata.topic"),
    ({"topic": {"nested": "x"}}, "The range for metadata 'topic' takes 'min' and/or 'max'.", "metadata.topic"),
    ({"topic": "a\x00b"}, "Metadata filter 'topic' contains a NUL character.", "metadata.topic"),
    ({"": "x"}, "Metadata filter names are non-empty strings.", "metadata"),
    ("topic=math", "'metadata' maps metadata names to a value, a list of values or {\"min\", \"max\"}.", "metadata"),
])
def test_bad_filters_are_refused_with_the_name(raw, message, field):
    with pytest.raises(InvalidInput) as caught:
        metadata_conditions(raw, types=TYPES)
    assert (caught.value.message, caught.value.details) == (message, {"field": field})


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["metadata.prompt__regex=x", "metadata.topic=%00", "metadata.length=1e999999"])
def test_records_api_refuses_bad_metadata_filters(api_client_for, admin, dataset, records, query):
    response = api_client_for(admin).get(f"/api/datasets/{dataset.pk}/records/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.django_db
def test_distribution_filters_through_the_same_rule(api_client_for, admin, annotator, dataset, records):
    dataset.distribution = "assigned"
    dataset.save()
    response = api_client_for(admin).post(f"/api/datasets/{dataset.pk}/distribute/",
                                          {"per_record": 1, "metadata": {"length": "five"}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "metadata.length takes an integer."
    assert Assignment.objects.count() == 0
    response = api_client_for(admin).post(f"/api/datasets/{dataset.pk}/distribute/",
                                          {"per_record": 1, "metadata": {"topic": "math", "length": {"min": 4}}},
                                          format="json")
    assert response.status_code == 200, response.json()
    assert list(Assignment.objects.values_list("record__external_id", flat=True)) == ["c"]
