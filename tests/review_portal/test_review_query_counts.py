"""The review pages and the dashboard's review section run the same number of queries whatever the
number of answers, labelers, decisions and records."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ..factories import DatasetFactory, RecordFactory, SuggestionFactory
from .conftest import decide, submit, submitted_answer

SMALL, LARGE = 2, 6


@pytest.fixture
def grow(workspace, make_labelers, reviewer):
    """A dataset with review on and n records, each with a suggestion and n labelers' answers; one
    record's answers wait for review, the others' are accepted or rejected."""

    def make(n):
        dataset = DatasetFactory(workspace=workspace, name=f"size-{n}", review="all")
        labelers = make_labelers(n, prefix=f"n{n}-")
        records = [RecordFactory(dataset=dataset) for _ in range(n)]
        now = timezone.now()
        for index, record in enumerate(records):
            SuggestionFactory(record=record)
            for labeler in labelers:
                if index == 0:
                    submit(labeler, record, f"answer of {labeler.username}")
                else:
                    answer = submitted_answer(dataset, labeler, at=now, record=record)
                    decide(answer, kind="reject" if index % 2 else "accept", reviewer=reviewer,
                           at=now + timedelta(seconds=index), comment="Again.")
        return dataset, records

    return make


def _count(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        request()
    return len(queries)


@pytest.mark.parametrize("page", ["queue", "record"])
def test_review_pages(login, reviewer, grow, urls, page, django_assert_num_queries):
    client = login(reviewer)
    url = {"queue": lambda d, r: urls.queue(d), "record": lambda d, r: urls.record(r[0])}[page]
    dataset, records = grow(SMALL)
    client.get(url(dataset, records))  # warm the session
    small = _count(lambda: client.get(url(dataset, records)))
    dataset, records = grow(LARGE)
    client.get(url(dataset, records))
    with django_assert_num_queries(small):
        assert client.get(url(dataset, records)).status_code == 200


def test_a_decision(login, reviewer, grow, urls, django_assert_num_queries):
    from labeling.models import Response

    client = login(reviewer)
    counts = []
    for n in (SMALL, LARGE):
        _, records = grow(n)
        answer = Response.objects.filter(record=records[0]).first()
        with CaptureQueriesContext(connection) as queries:
            assert client.post(urls.decide(answer), {"decision": "accept", "version": answer.version}).status_code == 302
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_dashboard_with_review_figures(login, admin, grow, django_assert_num_queries):
    client = login(admin)
    dataset, _ = grow(SMALL)
    url = f"/datasets/{dataset.pk}/dashboard/"
    client.get(url)
    small = _count(lambda: client.get(url))
    dataset, _ = grow(LARGE)
    url = f"/datasets/{dataset.pk}/dashboard/"
    client.get(url)
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


def test_home_page_with_review_links(login, reviewer, grow, django_assert_num_queries):
    client = login(reviewer)
    grow(SMALL)
    client.get("/")
    small = _count(lambda: client.get("/"))
    grow(LARGE)
    with django_assert_num_queries(small):
        assert client.get("/").status_code == 200
