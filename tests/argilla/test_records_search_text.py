"""Records search by text (§7): the field named in the query is a field of the dataset, used only as a JSON key."""

import pytest

from labeling.models import Record

from ..factories import FieldFactory, RecordFactory

PROMPTS = ["About CATS", "about dogs", "cats: 100% sure", "a_b or axb", "nothing"]


@pytest.fixture
def records(dataset):
    FieldFactory(dataset=dataset, name="context")
    return [
        RecordFactory(dataset=dataset, external_id=f"r{i}", ordinal=i + 1,
                      fields={"prompt": prompt, "context": "see cats" if i == 4 else "none"})
        for i, prompt in enumerate(PROMPTS)
    ]


def _search(client, dataset, text):
    return client.post(f"/api/v1/datasets/{dataset.pk}/records/search", {"query": {"text": text}, "filters": None})


def _found(client, dataset, text) -> list[str]:
    response = _search(client, dataset, text)
    assert response.status_code == 200, response.content
    return [item["record"]["external_id"] for item in response.json()["items"]]


def _orm(dataset, **lookup) -> list[str]:
    """The same search written as the ORM lookup path the view used to build."""
    return list(Record.objects.filter(dataset=dataset, **lookup).order_by("ordinal").values_list("external_id", flat=True))


@pytest.mark.parametrize("q", ["cats", "CATS", "%", "_", "a_b", "about"])
def test_search_on_one_field_matches_the_orm_lookup(as_admin, dataset, records, q):
    found = _found(as_admin, dataset, {"q": q, "field": "prompt"})
    assert found == _orm(dataset, fields__prompt__icontains=q)


def test_search_on_every_field_without_a_field_name(as_admin, dataset, records):
    assert _found(as_admin, dataset, {"q": "cats", "field": None}) == ["r0", "r2", "r4"]
    assert _found(as_admin, dataset, {"q": "cats", "field": "context"}) == ["r4"]


def test_a_lookup_spelled_into_the_field_name_is_refused(as_admin, dataset, records):
    response = _search(as_admin, dataset, {"q": ".*", "field": "prompt__regex"})
    assert response.status_code == 422
    assert "prompt__regex" in response.json()["detail"]


def test_an_unknown_field_is_refused_with_its_name(as_admin, dataset, records):
    response = _search(as_admin, dataset, {"q": "cats", "field": "answer"})
    assert response.status_code == 422
    assert response.json() == {"detail": "'answer' is not a field of this dataset."}


def test_a_field_of_another_dataset_is_unknown_here(as_admin, dataset, other_dataset, records):
    FieldFactory(dataset=other_dataset, name="theirs")
    response = _search(as_admin, dataset, {"q": "cats", "field": "theirs"})
    assert response.status_code == 422
    assert "theirs" in response.json()["detail"]
