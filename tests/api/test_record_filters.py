import pytest

from ..factories import AssignmentFactory, MetadataPropertyFactory, RecordFactory, ResponseFactory
from .conftest import error_of


@pytest.fixture
def records(dataset, annotator):
    MetadataPropertyFactory(dataset=dataset, name="topic", type="terms", settings={"type": "terms", "values": None})
    MetadataPropertyFactory(dataset=dataset, name="length", type="integer", settings={"type": "integer"})
    a = RecordFactory(dataset=dataset, external_id="a", metadata={"topic": "math", "length": 3})
    b = RecordFactory(dataset=dataset, external_id="b", metadata={"topic": "poetry", "length": 5}, status="completed")
    c = RecordFactory(dataset=dataset, external_id="c", metadata={"topic": "math", "length": 5})
    ResponseFactory(record=b, user=annotator, status="submitted")
    ResponseFactory(record=c, user=annotator, status="draft")
    AssignmentFactory(record=c, user=annotator)
    return a, b, c


def ids(client, dataset, query):
    response = client.get(f"/api/datasets/{dataset.pk}/records/?{query}")
    assert response.status_code == 200, response.json()
    return [r["external_id"] for r in response.json()["results"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["a", "b", "c"]),
    ("status=completed", ["b"]),
    ("external_id=c", ["c"]),
    ("metadata.topic=math", ["a", "c"]),
    ("metadata.topic=math&metadata.length=5", ["c"]),
    ("response_status=submitted", ["b"]),
    ("response_status=missing", ["a"]),
])
def test_filters(api_client_for, annotator, dataset, records, query, expected):
    assert ids(api_client_for(annotator), dataset, query) == expected


def test_assigned_to(api_client_for, admin, annotator, dataset, records):
    assert ids(api_client_for(admin), dataset, f"assigned_to={annotator.pk}") == ["c"]


@pytest.mark.parametrize("query", [
    "user__password__startswith=pbkdf2",
    "dataset__workspace__name=other",
    "ordering=-id",
    "metadata.nope=1",
    "metadata.length=five",
    "status=nonsense",
    "page_size=1001",
])
def test_anything_not_allow_listed_is_400(api_client_for, admin, dataset, records, query):
    response = api_client_for(admin).get(f"/api/datasets/{dataset.pk}/records/?{query}")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_records_come_in_creation_order_across_pages(api_client_for, admin, dataset):
    for _ in range(5):
        RecordFactory(dataset=dataset)
    client = api_client_for(admin)
    seen, url = [], f"/api/datasets/{dataset.pk}/records/?page_size=2"
    while url:
        page = client.get(url).json()
        seen.extend(r["id"] for r in page["results"])
        url = page["next"]
    assert seen == [str(pk) for pk in dataset.records.order_by("ordinal").values_list("pk", flat=True)]
