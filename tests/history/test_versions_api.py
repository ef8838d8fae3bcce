"""GET /api/responses/{id}/versions/ (the review issue, §4): a response's history, oldest first, paged
like every list, for its labeler and the workspace's reviewers; anyone else gets a 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from labeling.models import Dataset
from labeling.selectors.lookups import record_access_for
from labeling.services import responses as response_services

from ..factories import MembershipFactory, RecordFactory, UserFactory, history_entry


@pytest.fixture
def answered(dataset, annotator, admin):
    """The annotator's answer with five entries: submit, edit, reject (by the admin), submit, accept."""
    Dataset.objects.filter(pk=dataset.pk).update(review="all")
    dataset.review = "all"
    record = RecordFactory(dataset=dataset)
    access = record_access_for(user=annotator, record=record)
    response_services.response_write(access=access, values={"demonstration": "One."}, status="submitted")
    response = response_services.response_write(access=access, values={"demonstration": "One, two."},
                                                status="submitted")
    history_entry(response, kind="reject", author=admin, comment="Add a third.", reviewed_number=2, status="draft",
                  review_status="rejected")
    response = response_services.response_write(access=access, values={"demonstration": "One, two, three."},
                                                status="submitted")
    history_entry(response, kind="accept", author=admin, reviewed_number=4, review_status="accepted")
    return response


def _url(response, **query) -> str:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/api/responses/{response.pk}/versions/" + (f"?{suffix}" if suffix else "")


def test_the_labeler_reads_their_history_oldest_first(api_client_for, annotator, answered):
    body = api_client_for(annotator).get(_url(answered)).json()
    assert body["next"] is None and body["previous"] is None
    rows = body["results"]
    assert set(rows[0]) == {"number", "kind", "values", "status", "review_status", "reviewed_number", "comment",
                            "author", "inserted_at"}
    assert [(r["number"], r["kind"], r["status"], r["review_status"], r["reviewed_number"], r["author"])
            for r in rows] == [
        (1, "submit", "submitted", "pending", None, "ann"),
        (2, "edit", "submitted", "pending", None, "ann"),
        (3, "reject", "draft", "rejected", 2, "wsadmin"),
        (4, "submit", "submitted", "pending", None, "ann"),
        (5, "accept", "submitted", "accepted", 4, "wsadmin"),
    ]
    assert rows[2]["comment"] == "Add a third." and rows[0]["comment"] == ""
    assert rows[4]["values"] == {"demonstration": "One, two, three."}


def test_reviewers_and_admins_read_it(api_client_for, workspace, admin, answered):
    reviewer = UserFactory(username="rev")
    MembershipFactory(user=reviewer, workspace=workspace, role=Membership.Role.REVIEWER)
    for user in (reviewer, admin):
        answer = api_client_for(user).get(_url(answered))
        assert answer.status_code == 200
        assert len(answer.json()["results"]) == 5


def test_it_pages_by_number_in_a_constant_number_of_queries(api_client_for, annotator, answered):
    client = api_client_for(annotator)
    client.get("/api/me")  # the key's use is recorded once a minute: not by the calls counted below
    numbers, url, counts = [], _url(answered, page_size=2), set()
    while url:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).json()
        counts.add(len(captured.captured_queries))
        numbers += [row["number"] for row in body["results"]]
        url = body["next"]
    assert numbers == [1, 2, 3, 4, 5]
    with CaptureQueriesContext(connection) as captured:
        assert len(client.get(_url(answered, page_size=5)).json()["results"]) == 5
    assert counts == {len(captured.captured_queries)}


@pytest.mark.parametrize("who", ["another annotator", "outsider"])
def test_anyone_else_gets_a_404(api_client_for, workspace, outsider, answered, who):
    if who == "outsider":
        user = outsider
    else:
        user = UserFactory(username="peer")
        MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
    answer = api_client_for(user).get(_url(answered))
    assert answer.status_code == 404
    assert answer.json()["error"] == {"code": "not_found", "message": "Response not found.", "details": {}}


def test_an_unknown_response_is_a_404_and_bad_paging_a_400(api_client_for, annotator, answered):
    client = api_client_for(annotator)
    assert client.get("/api/responses/00000000-0000-4000-8000-000000000000/versions/").status_code == 404
    bad = client.get(_url(answered, page_size=0))
    assert bad.status_code == 400 and bad.json()["error"]["details"].keys() == {"page_size"}
    unknown = client.get(_url(answered, number__gt=1))
    assert unknown.status_code == 400
