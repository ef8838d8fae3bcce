"""A rejected answer carries the reviewer's comment wherever its labeler reads it (the review issue, §3):
the API's response representation (next record, record, lists, the write's answer) and the portal's
annotation page; any other answer shows none. Lists read it with the responses, in no extra query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.models import Dataset, Response
from labeling.selectors.lookups import record_access_for
from labeling.services import responses as response_services

from ..factories import AssignmentFactory, RecordFactory, history_entry

COMMENT = "Too vague: name the <b>three</b> laws."


def _reject(response: Response, admin, comment: str) -> None:
    history_entry(response, kind="reject", author=admin, comment=comment, reviewed_number=response.version,
                  status="draft", review_status="rejected")


@pytest.fixture
def rejected(dataset, annotator, admin):
    """The annotator's answer, submitted under review, rejected once, resubmitted and rejected again."""
    Dataset.objects.filter(pk=dataset.pk).update(review="all")
    dataset.review = "all"
    record = RecordFactory(dataset=dataset)
    AssignmentFactory(record=record, user=annotator)
    access = record_access_for(user=annotator, record=record)
    response = response_services.response_write(access=access, values={"demonstration": "Gravity."}, status="submitted")
    _reject(response, admin, "An older comment.")
    response = response_services.response_write(access=access, values={"demonstration": "Gravity pulls."},
                                                 status="submitted")
    _reject(response, admin, COMMENT)
    return Response.objects.get(pk=response.pk)


def _shown(response_json: dict) -> tuple:
    return response_json["review_status"], response_json["version"], response_json["review_comment"]


def test_the_record_and_the_next_record_show_the_latest_rejection(api_client_for, annotator, rejected):
    client = api_client_for(annotator)
    record = client.get(f"/api/records/{rejected.record_id}/").json()
    assert [_shown(r) for r in record["responses"]] == [("rejected", 4, COMMENT)]

    handed = client.get(f"/api/datasets/{rejected.record.dataset_id}/next/").json()
    assert handed["id"] == str(rejected.record_id)
    assert [_shown(r) for r in handed["responses"]] == [("rejected", 4, COMMENT)]


def _listed(body: dict, url: str) -> list[dict]:
    if url.endswith("/responses/"):
        return body["results"]
    return [response for record in body["results"] for response in record["responses"]]


def test_lists_show_it_in_the_same_number_of_queries(api_client_for, annotator, admin, dataset, rejected):
    client = api_client_for(annotator)
    client.get("/api/me")  # the key's use is recorded once a minute: not by the calls counted below
    urls = (f"/api/datasets/{dataset.pk}/records/", f"/api/datasets/{dataset.pk}/responses/")
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).json()
        counts[url] = len(captured.captured_queries)
        assert [_shown(r) for r in _listed(body, url)] == [("rejected", 4, COMMENT)]

    for n in range(3):
        other = RecordFactory(dataset=dataset)
        response = response_services.response_write(access=record_access_for(user=annotator, record=other),
                                                     values={"demonstration": f"answer {n}"}, status="submitted")
        _reject(response, admin, f"comment {n}")
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).json()
        assert len(captured.captured_queries) == counts[url]
        assert sorted(r["review_comment"] for r in _listed(body, url)) == [COMMENT, "comment 0", "comment 1",
                                                                           "comment 2"]


def test_a_draft_saved_over_the_rejection_keeps_the_comment_and_resubmitting_clears_it(api_client_for, annotator,
                                                                                        rejected):
    client, url = api_client_for(annotator), f"/api/records/{rejected.record_id}/response/"
    draft = client.put(url, {"values": {"demonstration": "Working on it."}, "status": "draft"}, format="json")
    assert draft.status_code == 200
    assert _shown(draft.json()) == ("rejected", 4, COMMENT)

    again = client.put(url, {"values": {"demonstration": "Newton's three laws, each with an example."},
                             "status": "submitted"}, format="json")
    assert _shown(again.json()) == ("pending", 5, None)
    assert _shown(client.get(f"/api/records/{rejected.record_id}/").json()["responses"][0]) == ("pending", 5, None)


def test_an_answer_never_rejected_shows_no_comment(api_client_for, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    answer = api_client_for(annotator).put(f"/api/records/{record.pk}/response/",
                                           {"values": {"demonstration": "Fine."}, "status": "submitted"}, format="json")
    assert _shown(answer.json()) == (None, 1, None)


def test_the_annotation_page_shows_the_comment_above_the_answer(login, annotator, rejected):
    page = login(annotator).get(f"/datasets/{rejected.record.dataset_id}/records/{rejected.record_id}/")
    html = page.content.decode()
    assert "A reviewer sent this answer back:" in html
    assert "Too vague: name the &lt;b&gt;three&lt;/b&gt; laws." in html and "<b>three</b>" not in html
    assert "An older comment." not in html
    assert html.index('class="review-comment"') < html.index('data-question="demonstration"')


def test_the_annotation_page_of_an_answer_not_rejected_has_no_comment(login, annotator, dataset):
    record = RecordFactory(dataset=dataset)
    response_services.response_write(access=record_access_for(user=annotator, record=record),
                                     values={"demonstration": "Fine."}, status="submitted")
    html = login(annotator).get(f"/datasets/{dataset.pk}/records/{record.pk}/").content.decode()
    assert 'class="review-comment"' not in html


def test_a_rejected_response_read_without_its_comment_still_shows_it(rejected, django_assert_num_queries):
    from config.api import represent
    from labeling.api.serializers import ResponseOutputSerializer

    bare = Response.objects.get(pk=rejected.pk)
    with django_assert_num_queries(1):
        assert represent(ResponseOutputSerializer, bare)["review_comment"] == COMMENT
