"""32 labelers with mixed skills at once on a routed open dataset, min_submitted 2, through the API (issue #19):
no record over-collected, none served across skills, every record some matching labeler could take completed."""

import threading
import uuid
from collections import Counter

import pytest
from django.db import connection

from accounts.models import Membership
from labeling.models import MetadataProperty, Record, Response

from ..factories import DatasetFactory, MembershipFactory, UserFactory, WorkspaceFactory

LABELERS = 32
TAGS = ["python", "biology", "legal", "lang:de"]
# Every tag but the last has labelers; "lang:de" records are reachable by nobody and must stay pending.
SKILLS = [[TAGS[i % 3]] if i % 4 else [TAGS[i % 3], TAGS[(i + 1) % 3]] for i in range(LABELERS - 4)] + [[]] * 4
VALUES = ["python", "biology", "legal", "lang:de", ["python", "legal"], None]
RECORDS = 60


@pytest.mark.postgres
def test_routed_labelers_at_once(transactional_db, api_client_for):
    workspace = WorkspaceFactory(name="routed-busy")
    dataset = DatasetFactory(workspace=workspace, name="routed-queue", min_submitted=2, routing_property="domain")
    MetadataProperty.objects.create(dataset=dataset, name="domain", title="Domain", type="terms", settings={"type": "terms"})
    Record.objects.bulk_create(
        Record(dataset=dataset, ordinal=n + 1, external_id=f"c{n}", fields={"prompt": f"P{n}"},
               metadata={} if VALUES[n % len(VALUES)] is None else {"domain": VALUES[n % len(VALUES)]})
        for n in range(RECORDS)
    )
    tags_of = {record.pk: record.metadata.get("domain") for record in dataset.records.all()}
    users = []
    for i, skills in enumerate(SKILLS):
        user = UserFactory(username=f"routed{i}")
        MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR, skills=sorted(skills))
        users.append((user, set(skills)))
    crossed: list[str] = []
    failures: list[str] = []
    start = threading.Barrier(LABELERS)

    def work(user, skills):
        client = api_client_for(user)
        try:
            start.wait()
            for _ in range(RECORDS + 1):  # bounded: at most one call more than there are records
                handed = client.get(f"/api/datasets/{dataset.pk}/next/")
                if handed.status_code == 204:
                    return
                record_id = uuid.UUID(handed.json()["id"])
                needed = tags_of[record_id]
                needed = set(needed if isinstance(needed, list) else [needed]) - {None}
                if needed and not needed & skills:
                    crossed.append(f"{user.username} got {needed}")
                answer = client.put(f"/api/records/{record_id}/response/",
                                    {"values": {"demonstration": "x"}, "status": "submitted"}, format="json")
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.content[:200]}")
                    return
            failures.append(f"{user.username} was still served after {RECORDS + 1} calls")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=pair) for pair in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)

    assert failures == [] and crossed == []
    submitted = Counter(Response.objects.filter(status="submitted", record__dataset=dataset)
                        .values_list("record_id", flat=True))
    assert max(submitted.values()) == 2, "a record got more than min_submitted answers"
    unreachable = {pk for pk, value in tags_of.items() if value == "lang:de"}
    completed = set(dataset.records.filter(status="completed").values_list("pk", flat=True))
    assert completed == set(tags_of) - unreachable
    assert not unreachable & set(submitted)
