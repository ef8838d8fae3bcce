"""Reviewers and labelers at once, on PostgreSQL with threads (the review issue's concurrency rules)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from accounts.models import Membership
from labeling.models import Dataset, Response, ResponseVersion

from ..factories import DatasetFactory, MembershipFactory, RecordFactory, UserFactory, WorkspaceFactory

REVIEWERS = 4
RECORDS = 12


def _run(workers):
    threads = [threading.Thread(target=worker) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)


def _member(workspace, name, role):
    user = UserFactory(username=name)
    MembershipFactory(user=user, workspace=workspace, role=role)
    return user


def _submit(client, record_id, text):
    answer = client.put(f"/api/records/{record_id}/response/", {"values": {"demonstration": text}, "status": "submitted"},
                        format="json")
    assert answer.status_code == 200, answer.content
    return answer.json()


@pytest.mark.postgres
def test_two_reviewers_never_review_the_same_answer_twice(transactional_db, api_client_for):
    workspace = WorkspaceFactory(name="reviewed")
    dataset = DatasetFactory(workspace=workspace, name="queue", min_submitted=2, review=Dataset.Review.ALL)
    labelers = [api_client_for(_member(workspace, f"labeler{i}", Membership.Role.ANNOTATOR)) for i in range(2)]
    for _ in range(RECORDS):
        record = RecordFactory(dataset=dataset)
        for client in labelers:
            _submit(client, record.pk, f"on {record.pk}")
    reviewers = [api_client_for(_member(workspace, f"reviewer{i}", Membership.Role.REVIEWER)) for i in range(REVIEWERS)]
    handed: list[tuple[int, str]] = []
    refusals: list[str] = []
    start = threading.Barrier(REVIEWERS)

    def review(number, client):
        try:
            start.wait()
            while (got := client.get(f"/api/datasets/{dataset.pk}/review/next/")).status_code == 200:
                body = got.json()
                handed.append((number, body["record"]["id"]))
                for answer in (a for a in body["answers"] if a["is_decidable"]):
                    decided = client.post(f"/api/responses/{answer['id']}/review/",
                                          {"decision": "accept", "version": answer["version"]}, format="json")
                    if decided.status_code != 200:
                        refusals.append(f"{decided.status_code} {decided.content[:200]}")
        finally:
            connection.close()

    _run([lambda n=n, c=c: review(n, c) for n, c in enumerate(reviewers)])

    assert refusals == [], "a reviewer was handed an answer another was deciding"
    decisions = Counter(ResponseVersion.objects.filter(kind="accept").values_list("response_id", flat=True))
    assert len(decisions) == 2 * RECORDS and set(decisions.values()) == {1}
    assert not Response.objects.filter(review_status="pending").exists()
    per_record = Counter(record for _, record in handed)
    assert len(per_record) == RECORDS and set(per_record.values()) == {1}, "a record was handed to two reviewers"


@pytest.mark.postgres
def test_a_labeler_editing_while_a_reviewer_decides_leaves_a_consistent_history(transactional_db, api_client_for):
    workspace = WorkspaceFactory(name="edits")
    dataset = DatasetFactory(workspace=workspace, name="racing", review=Dataset.Review.ALL)
    labeler = api_client_for(_member(workspace, "editor", Membership.Role.ANNOTATOR))
    reviewer = api_client_for(_member(workspace, "decider", Membership.Role.REVIEWER))
    record = RecordFactory(dataset=dataset)
    response_id = _submit(labeler, record.pk, "edit 0")["id"]
    outcomes: Counter = Counter()
    rounds = 25

    def edit():
        try:
            for n in range(1, rounds + 1):
                _submit(labeler, record.pk, f"edit {n}")
        finally:
            connection.close()

    def decide():
        try:
            for n in range(rounds):
                version = Response.objects.get(pk=response_id).version
                body = {"decision": "accept", "version": version} if n % 2 else {
                    "decision": "fix", "version": version, "values": {"demonstration": f"fix of {version}"}}
                outcomes[reviewer.post(f"/api/responses/{response_id}/review/", body, format="json").status_code] += 1
        finally:
            connection.close()

    _run([edit, decide])

    assert set(outcomes) <= {200, 409}
    entries = list(ResponseVersion.objects.filter(response_id=response_id).order_by("number"))
    response = Response.objects.get(pk=response_id)
    assert [e.number for e in entries] == list(range(1, len(entries) + 1)) == list(range(1, response.version + 1))
    assert sum(1 for e in entries if e.kind in ("accept", "fix")) == outcomes[200]
    for previous, entry in zip(entries, entries[1:], strict=False):
        if entry.kind in ("accept", "fix"):
            assert entry.reviewed_number == previous.number, "a decision applied to a version that was not the latest"
            assert previous.review_status == "pending"
        else:
            assert (entry.kind, entry.review_status) == ("edit", "pending"), "every edit goes back to review"
    last = entries[-1]
    assert (response.values, response.status, response.review_status) == (last.values, last.status, last.review_status)
    assert len([e for e in entries if e.kind in ("submit", "edit")]) == rounds + 1
