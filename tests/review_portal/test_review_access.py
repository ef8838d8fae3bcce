"""Who reaches the review pages: reviewers and admins of the workspace; annotators get 403, other
workspaces 404, anonymous callers the sign-in page; a refused call writes nothing."""

import pytest

from labeling.models import Response, ResponseVersion, ReviewClaim

from ..factories import RecordFactory
from .conftest import submit


@pytest.fixture
def waiting(review_dataset, make_labelers):
    (labeler,) = make_labelers(1)
    return submit(labeler, RecordFactory(dataset=review_dataset), "An answer.")


def _pages(urls, response):
    record = response.record
    gets = [urls.queue(record.dataset), urls.record(record)]
    posts = [(urls.skip(record), {}), (urls.decide(response), {"decision": "accept", "version": response.version})]
    return gets, posts


def _unchanged(response):
    fresh = Response.objects.get(pk=response.pk)
    return (fresh.review_status, fresh.version) == ("pending", 1) and ResponseVersion.objects.count() == 1


def test_annotators_get_403_everywhere(login, annotator, waiting, urls):
    client = login(annotator)
    gets, posts = _pages(urls, waiting)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert _unchanged(waiting) and not ReviewClaim.objects.exists()


def test_another_workspace_is_404(login, outsider, waiting, urls):
    client = login(outsider)
    gets, posts = _pages(urls, waiting)
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert _unchanged(waiting) and not ReviewClaim.objects.exists()


def test_an_answer_reached_through_another_dataset_is_404(login, reviewer, waiting, workspace, urls):
    from ..factories import DatasetFactory

    elsewhere = DatasetFactory(workspace=workspace, name="elsewhere", review="all")
    refused = login(reviewer).post(urls.decide(waiting, dataset=elsewhere), {"decision": "accept", "version": 1})
    assert refused.status_code == 404
    assert login(reviewer).get(urls.record(waiting.record).replace(str(waiting.record.dataset_id), str(elsewhere.pk))).status_code == 404
    assert _unchanged(waiting)


def test_anonymous_callers_are_sent_to_sign_in(client, waiting, urls):
    gets, posts = _pages(urls, waiting)
    for url in gets:
        assert client.get(url).status_code == 302, url
    for url, data in posts:
        assert client.post(url, data).status_code == 302, url
    assert _unchanged(waiting)


def test_reviewers_and_admins_may_review(login, reviewer, admin, owner, waiting, urls):
    for user in (reviewer, admin, owner):
        assert login(user).get(urls.record(waiting.record)).status_code == 200, user


def test_decisions_need_a_post_with_the_csrf_token(reviewer, waiting, urls):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    assert client.get(urls.decide(waiting)).status_code == 405
    assert client.post(urls.decide(waiting), {"decision": "accept", "version": 1}).status_code == 403
    assert _unchanged(waiting)
