"""Each portal page runs the same number of SQL queries whatever the amount of data (DESIGN §8)."""

import pytest

from ..factories import DatasetFactory, MetadataPropertyFactory, RecordFactory, ResponseFactory, SuggestionFactory

SIZES = [2, 30]


@pytest.fixture
def data(workspace, annotator, dataset):
    """`n` records, half answered by the annotator, each with a suggestion, plus `n` more datasets."""

    def make(n):
        MetadataPropertyFactory(dataset=dataset, name="topic")
        records = [RecordFactory(dataset=dataset, metadata={"topic": "t"}) for _ in range(n * 2)]
        for record in records:
            SuggestionFactory(record=record)
        for record in records[:n]:
            ResponseFactory(record=record, user=annotator, values={"demonstration": f"answer {record.pk}"})
        for i in range(n):
            DatasetFactory(workspace=workspace, name=f"extra-{i}")
        return records

    return make


@pytest.mark.parametrize("n", SIZES)
def test_home_page(annotator_client, data, urls, n, django_assert_num_queries):
    data(n)
    with django_assert_num_queries(7):
        assert annotator_client.get(urls.home).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_annotate_page(annotator_client, data, dataset, urls, n, django_assert_num_queries):
    data(n)
    with django_assert_num_queries(25):
        assert annotator_client.get(urls.annotate(dataset)).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_record_page(annotator_client, data, urls, n, django_assert_num_queries):
    records = data(n)
    with django_assert_num_queries(14):
        assert annotator_client.get(urls.record(records[0])).status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_submit(annotator_client, data, urls, n, django_assert_num_queries):
    records = data(n)
    with django_assert_num_queries(19):
        response = annotator_client.post(urls.record(records[-1]), {"action": "submit", "q-demonstration": "x"})
    assert response.status_code == 302


@pytest.mark.parametrize("n", SIZES)
def test_my_responses_page(annotator_client, data, urls, n, django_assert_num_queries):
    data(n)
    with django_assert_num_queries(5):
        assert annotator_client.get(urls.my_responses).status_code == 200
