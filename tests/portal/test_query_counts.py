"""Each portal page runs the same number of SQL queries whatever the amount of data (DESIGN §8).

Every test measures a page over a small dataset, then asserts the very same count over a dataset
fifteen times larger (more records, suggestions, own responses and datasets).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..factories import DatasetFactory, MetadataPropertyFactory, RecordFactory, ResponseFactory, SuggestionFactory

SMALL, LARGE = 2, 30


@pytest.fixture
def grow(workspace, annotator):
    """A fresh dataset with 2n records (each with a suggestion, half answered by the annotator), plus n more datasets."""

    def make(n):
        dataset = DatasetFactory(workspace=workspace, name=f"size-{n}")
        MetadataPropertyFactory(dataset=dataset, name="topic")
        records = [RecordFactory(dataset=dataset, metadata={"topic": "t"}) for _ in range(n * 2)]
        for record in records:
            SuggestionFactory(record=record)
        for record in records[n:]:
            ResponseFactory(record=record, user=annotator, values={"demonstration": f"answer {record.pk}"})
        for i in range(n):
            DatasetFactory(workspace=workspace, name=f"extra-{n}-{i}")
        return dataset, records

    return make


def _count(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        request()
    return len(queries)


def test_home_page(annotator_client, grow, urls, django_assert_num_queries):
    grow(SMALL)
    small = _count(lambda: annotator_client.get(urls.home))
    grow(LARGE)
    with django_assert_num_queries(small):
        assert annotator_client.get(urls.home).status_code == 200


def test_annotate_page(annotator_client, grow, urls, django_assert_num_queries):
    dataset, _ = grow(SMALL)
    small = _count(lambda: annotator_client.get(urls.annotate(dataset)))
    dataset, _ = grow(LARGE)
    with django_assert_num_queries(small):
        assert annotator_client.get(urls.annotate(dataset)).status_code == 200


def test_record_page(annotator_client, grow, urls, django_assert_num_queries):
    _, records = grow(SMALL)
    small = _count(lambda: annotator_client.get(urls.record(records[-1])))
    _, records = grow(LARGE)
    with django_assert_num_queries(small):
        assert annotator_client.get(urls.record(records[-1])).status_code == 200


def test_submit(annotator_client, grow, urls, django_assert_num_queries):
    answer = {"action": "submit", "q-demonstration": "x"}
    _, records = grow(SMALL)
    small = _count(lambda: annotator_client.post(urls.record(records[-1]), answer))
    _, records = grow(LARGE)
    with django_assert_num_queries(small):
        assert annotator_client.post(urls.record(records[-1]), answer).status_code == 302


def test_my_responses_page(annotator_client, grow, urls, django_assert_num_queries):
    grow(SMALL)
    small = _count(lambda: annotator_client.get(urls.my_responses))
    grow(LARGE)
    with django_assert_num_queries(small):
        assert annotator_client.get(urls.my_responses).status_code == 200
