"""A labeler's open drafts are listed above their queue, on the all-done page and on "My responses"
(issue #19), with a constant number of queries whatever their number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import RecordFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def annotate(dataset, query=""):
    return reverse("portal:annotate", args=[dataset.pk]) + query


def _drafts(dataset, user, n, prefix):
    return [ResponseFactory(record=RecordFactory(dataset=dataset, fields={"prompt": f"{prefix} {i}"}), user=user,
                            status="draft", values={"demonstration": "half"}) for i in range(n)]


def test_the_queue_lists_open_drafts_and_offers_to_resume_them(login, annotator, dataset):
    _drafts(dataset, annotator, 2, "Drafted")
    RecordFactory(dataset=dataset, fields={"prompt": "Fresh prompt"})

    html = login(annotator).get(annotate(dataset)).content.decode()

    assert "Your open drafts <span class=\"muted\">(2)</span>" in html
    assert "Drafted 0" in html and "Drafted 1" in html and "Fresh prompt" in html
    assert f'href="{annotate(dataset, "?resume=drafts")}"' in html


def test_resuming_from_the_portal_opens_the_oldest_draft(login, annotator, dataset):
    _drafts(dataset, annotator, 2, "Drafted")
    RecordFactory(dataset=dataset, fields={"prompt": "Fresh prompt"})
    html = login(annotator).get(annotate(dataset, "?resume=drafts")).content.decode()
    assert '<div class="plain-text" data-field="prompt">Drafted 0</div>' in html


def test_the_all_done_page_lists_drafts_left(login, annotator, dataset):
    _drafts(dataset, annotator, 1, "Only draft")
    html = login(annotator).get(annotate(dataset)).content.decode()
    assert "All done in demo" in html and "Only draft 0" in html


def test_my_responses_lists_open_drafts_of_every_dataset(login, annotator, dataset, workspace):
    from ..factories import DatasetFactory

    second = DatasetFactory(workspace=workspace, name="second")
    _drafts(dataset, annotator, 1, "In demo")
    _drafts(second, annotator, 1, "In second")
    html = login(annotator).get(reverse("portal:my_responses")).content.decode()
    assert "Your open drafts" in html and "In demo 0" in html and "In second 0" in html


@pytest.mark.parametrize("page", ["queue", "my_responses"])
def test_the_drafts_cost_the_same_queries_at_any_count(login, annotator, dataset, page):
    client = login(annotator)
    url = annotate(dataset) if page == "queue" else reverse("portal:my_responses")
    RecordFactory(dataset=dataset)
    _drafts(dataset, annotator, 2, "small")
    client.get(url)  # the first visit claims the record; later ones renew the claim
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _drafts(dataset, annotator, 25, "large")
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
