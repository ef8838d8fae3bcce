"""No service changes or removes a history entry (the review issue: versions are append-only): every
write path of the labeling services runs over a dataset with history, and each entry that existed
before is still there, byte for byte, with new entries only appended after it. The database's own
refusal of UPDATE is tested in tests/review/test_history_append_only.py."""

from labeling.models import ResponseVersion
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services import claims as claim_services
from labeling.services import datasets as dataset_services
from labeling.services import distribution as distribution_services
from labeling.services import records as record_services
from labeling.services import responses as response_services
from labeling.services import suggestions as suggestion_services

from ..factories import MembershipFactory, RecordFactory, UserFactory, history_entry


def _history() -> dict:
    """Every entry as the database holds it (JSON as its stored text), by id."""
    return {row["id"]: row for row in ResponseVersion.objects.values()}


def _write(user, record, text, status="submitted"):
    return response_services.response_write(access=record_access_for(user=user, record=record),
                                            values={"demonstration": text}, status=status)


def _run_every_write_path(admin, annotator, peer, dataset, records) -> None:
    access = dataset_access_for(user=admin, dataset=dataset)
    _write(annotator, records[0], "edited again")
    _write(annotator, records[1], "discarded", status="discarded")
    _write(annotator, records[1], "a draft", status="draft")
    _write(peer, records[2], "peer's first")
    response_services.response_write(access=record_access_for(user=admin, record=records[3]),
                                     values={"demonstration": "on their behalf"}, status="submitted", user=peer)
    response_services.responses_upsert(access=access, items=[
        {"index": 0, "record": records[0], "user": peer, "values": {"demonstration": "bulk"}, "status": "submitted"},
        {"index": 1, "record": records[2], "user": annotator, "values": {"demonstration": "bulk too"},
         "status": "discarded"},
    ])
    response_services.response_delete(access=access, response=records[4].responses.get())
    claim_services.record_claim_next(access=dataset_access_for(user=peer, dataset=dataset))
    record_services.record_update(access=access, record=records[0], fields={"prompt": "A new prompt."})
    record_services.records_upsert(access=access, items=[
        {"external_id": records[1].external_id, "fields": {"prompt": "Replaced."}},
        {"external_id": "new-one", "fields": {"prompt": "Added."}},
    ])
    suggestion_services.suggestions_upsert(access=access, items=[
        {"record_id": str(records[0].pk), "question": "demonstration", "value": "A suggestion."}])
    dataset_services.dataset_update(access=access, guidelines="New guidelines.", min_submitted=2)
    distribution_services.assignments_distribute(access=access, per_record=1)
    distribution_services.assignments_reassign(access=access, from_user=annotator.username, to_users=[peer.username])
    distribution_services.assignments_unassign(access=access)


def test_every_write_path_leaves_existing_entries_as_they_were(admin, annotator, workspace, dataset):
    peer = UserFactory(username="peer")
    MembershipFactory(user=peer, workspace=workspace)
    records = [RecordFactory(dataset=dataset, external_id=f"r{n}") for n in range(5)]
    for record in records:
        response = _write(annotator, record, f"first on {record.external_id}")
        response = _write(annotator, record, f"second on {record.external_id}")
    history_entry(response, kind="reject", author=admin, comment="Not yet.", status="draft",
                  review_status="rejected")
    before = _history()
    assert len(before) == 11

    _run_every_write_path(admin, annotator, peer, dataset, records)

    after = _history()
    assert {pk: after.get(pk) for pk in before} == before
    added = [row for pk, row in after.items() if pk not in before]
    assert added, "the writes above append entries"
    last_before = {}
    for row in before.values():
        last_before[row["response_id"]] = max(last_before.get(row["response_id"], 0), row["number"])
    assert all(row["number"] > last_before.get(row["response_id"], 0) for row in added)


def test_the_history_goes_only_with_its_records_or_dataset(admin, annotator, dataset):
    records = [RecordFactory(dataset=dataset) for _ in range(2)]
    for record in records:
        _write(annotator, record, "an answer")
    access = dataset_access_for(user=admin, dataset=dataset)

    record_services.records_delete(access=access, record_ids=[records[0].pk])
    assert list(ResponseVersion.objects.values_list("record_id", flat=True)) == [records[1].pk]

    dataset_services.dataset_delete(access=access)
    assert not ResponseVersion.objects.exists()
