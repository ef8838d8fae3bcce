"""16 annotators at once on an open min_submitted=1 dataset, through the API (DESIGN §9 "Concurrency")."""

import threading
from collections import Counter

import pytest
from django.db import connection

from accounts.models import Membership
from labeling.models import Response

from ..factories import DatasetFactory, MembershipFactory, RecordFactory, UserFactory, WorkspaceFactory

LABELERS = 16
RECORDS = 48


@pytest.mark.postgres
def test_no_record_is_answered_twice_and_no_response_is_lost(transactional_db, api_client_for):
    workspace = WorkspaceFactory(name="busy")
    dataset = DatasetFactory(workspace=workspace, name="queue", min_submitted=1)
    for _ in range(RECORDS):
        RecordFactory(dataset=dataset)
    clients = []
    for i in range(LABELERS):
        user = UserFactory(username=f"labeler{i}")
        MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
        clients.append(api_client_for(user))
    accepted: list[str] = []
    failures: list[str] = []
    start = threading.Barrier(LABELERS)

    def work(client):
        try:
            start.wait()
            while True:
                handed = client.get(f"/api/datasets/{dataset.pk}/next/")
                if handed.status_code == 204:
                    return
                record_id = handed.json()["id"]
                answer = client.put(f"/api/records/{record_id}/response/",
                                    {"values": {"demonstration": f"for {record_id}"}, "status": "submitted"},
                                    format="json")
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.content[:200]}")
                    return
                accepted.append(record_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert failures == []
    submitted = Counter(str(r) for r in Response.objects.filter(status="submitted").values_list("record_id", flat=True))
    assert max(submitted.values()) == 1, "a record got two submitted responses"
    assert len(submitted) == RECORDS, "records were left while others were answered twice"
    assert sorted(accepted) == sorted(submitted), "a submission the API accepted is missing"
    assert dataset.records.filter(status="completed").count() == RECORDS
