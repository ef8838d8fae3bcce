"""Every write path of a response appends the history entry its change makes (the review issue, §4):
the annotation API, the portal, an admin writing for a labeler, the admins' bulk upsert and the Argilla
layer; a deletion leaves the history behind."""

import pytest

from accounts.services import api_key_create
from labeling.models import Dataset, Response, ResponseVersion
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services import responses as response_services

from ..argilla.conftest import ArgillaClient
from ..factories import RecordFactory


@pytest.fixture
def record(dataset):
    return RecordFactory(dataset=dataset)


def _write(actor, record, status, text="An answer.", **kwargs):
    return response_services.response_write(access=record_access_for(user=actor, record=record),
                                            values={"demonstration": text}, status=status, **kwargs)


def _history(response_id) -> list[tuple]:
    return list(ResponseVersion.objects.filter(response_id=response_id).order_by("number").values_list(
        "number", "kind", "status", "review_status", "values"))


def test_each_labeler_write_appends_its_entry_and_drafts_over_drafts_none(annotator, record):
    first = _write(annotator, record, "draft", "draft one")
    _write(annotator, record, "draft", "draft two")
    _write(annotator, record, "submitted", "first answer")
    _write(annotator, record, "submitted", "second answer")
    _write(annotator, record, "discarded", "second answer")
    _write(annotator, record, "discarded", "second answer")
    last = _write(annotator, record, "draft", "back to work")

    assert _history(first.pk) == [
        (1, "submit", "submitted", None, {"demonstration": "first answer"}),
        (2, "edit", "submitted", None, {"demonstration": "second answer"}),
        (3, "discard", "discarded", None, {"demonstration": "second answer"}),
        (4, "draft", "draft", None, {"demonstration": "back to work"}),
    ]
    assert Response.objects.get(pk=first.pk).version == last.version == 4


def test_an_entry_names_its_labeler_author_dataset_and_time(annotator, record):
    response = _write(annotator, record, "submitted")
    entry = ResponseVersion.objects.get(response_id=response.pk)
    assert (entry.dataset_id, entry.record_id, entry.respondent_id) == (record.dataset_id, record.pk, annotator.pk)
    assert (entry.author_id, entry.author_name, entry.comment, entry.reviewed_number) == (
        annotator.pk, "ann", "", None)
    assert entry.inserted_at == Response.objects.get(pk=response.pk).submitted_at


def test_with_review_on_a_submission_waits_for_review_and_its_entry_says_so(annotator, record):
    Dataset.objects.filter(pk=record.dataset_id).update(review="all")
    record.dataset.review = "all"
    response = _write(annotator, record, "submitted")
    assert Response.objects.get(pk=response.pk).review_status == "pending"
    assert _history(response.pk)[-1][:4] == (1, "submit", "submitted", "pending")

    _write(annotator, record, "discarded")
    assert Response.objects.get(pk=response.pk).review_status is None
    assert _history(response.pk)[-1][:4] == (2, "discard", "discarded", None)


def test_a_rejected_draft_keeps_its_rejection_until_resubmitted(annotator, record):
    record.dataset.review = "all"
    response = _write(annotator, record, "submitted")
    Response.objects.filter(pk=response.pk).update(status="draft", review_status="rejected")

    _write(annotator, record, "draft", "working on it")
    assert Response.objects.get(pk=response.pk).review_status == "rejected"
    assert len(_history(response.pk)) == 1, "a draft saved over a draft makes no entry"

    _write(annotator, record, "submitted", "fixed it")
    assert Response.objects.get(pk=response.pk).review_status == "pending"
    assert _history(response.pk)[-1] == (2, "submit", "submitted", "pending", {"demonstration": "fixed it"})


def test_an_admin_writing_for_a_labeler_is_the_entrys_author(admin, annotator, record):
    response = _write(admin, record, "submitted", user=annotator)
    entry = ResponseVersion.objects.get(response_id=response.pk)
    assert (entry.respondent_id, entry.author_id, entry.author_name) == (annotator.pk, admin.pk, "wsadmin")


def test_the_api_and_the_portal_append_entries(api_client_for, login, annotator, record):
    answer = api_client_for(annotator).put(f"/api/records/{record.pk}/response/",
                                           {"values": {"demonstration": "By API."}, "status": "submitted"},
                                           format="json")
    assert answer.status_code == 200
    page = login(annotator).post(f"/datasets/{record.dataset_id}/records/{record.pk}/",
                                 {"action": "submit", "mode": "queue", "q-demonstration": "By portal."})
    assert page.status_code == 302
    assert [(n, kind, values) for n, kind, _, _, values in _history(answer.json()["id"])] == [
        (1, "submit", {"demonstration": "By API."}), (2, "edit", {"demonstration": "By portal."})]


def test_the_bulk_upsert_appends_one_entry_per_change_authored_by_the_admin(admin, annotator, dataset):
    records = [RecordFactory(dataset=dataset) for _ in range(3)]
    access = dataset_access_for(user=admin, dataset=dataset)
    items = [{"index": i, "record": r, "user": annotator, "values": {"demonstration": f"answer {i}"},
              "status": "submitted"} for i, r in enumerate(records)]
    items[2]["status"] = "draft"
    written = response_services.responses_upsert(access=access, items=items)
    assert [_history(r.pk) for r in written] == [
        [(1, "submit", "submitted", None, {"demonstration": "answer 0"})],
        [(1, "submit", "submitted", None, {"demonstration": "answer 1"})],
        [],
    ]
    assert set(ResponseVersion.objects.values_list("author_id", "respondent_id")) == {(admin.pk, annotator.pk)}

    items[0]["values"] = {"demonstration": "answer 0, again"}
    written = response_services.responses_upsert(access=access, items=items[:1])
    assert _history(written[0].pk)[-1] == (2, "edit", "submitted", None, {"demonstration": "answer 0, again"})
    assert Response.objects.get(pk=written[0].pk).version == 2


def test_the_argilla_layer_appends_entries(admin, annotator, record):
    _, secret = api_key_create(actor=None, user=annotator, name="argilla")
    sdk = ArgillaClient(secret)
    created = sdk.post(f"/api/v1/records/{record.pk}/responses",
                       {"status": "submitted", "values": {"demonstration": {"value": "From the SDK."}}})
    assert created.status_code == 201, created.content
    response_id = created.json()["id"]
    updated = sdk.put(f"/api/v1/responses/{response_id}",
                      {"status": "submitted", "values": {"demonstration": {"value": "Edited in the SDK."}}})
    assert updated.status_code == 200
    assert [kind for _, kind, *_ in _history(response_id)] == ["submit", "edit"]


def test_the_argilla_bulk_push_appends_entries_authored_by_the_admin(admin, annotator, dataset):
    _, secret = api_key_create(actor=None, user=admin, name="argilla")
    pushed = ArgillaClient(secret).post(f"/api/v1/datasets/{dataset.pk}/records", {"items": [
        {"fields": {"prompt": "Explain gravity"}, "responses": [
            {"user_id": str(annotator.pk), "status": "submitted", "values": {"demonstration": {"value": "Things fall."}}}
        ]},
    ]})
    assert pushed.status_code == 204, pushed.content
    entry = ResponseVersion.objects.get()
    assert (entry.kind, entry.author_id, entry.respondent_id, entry.values) == (
        "submit", admin.pk, annotator.pk, {"demonstration": "Things fall."})


def test_a_deleted_response_leaves_its_history(annotator, record):
    response = _write(annotator, record, "submitted")
    response_id, before = response.pk, _history(response.pk)
    response_services.response_delete(access=dataset_access_for(user=annotator, dataset=record.dataset),
                                       response=response)
    assert not Response.objects.filter(pk=response_id).exists()
    assert _history(response_id) == before == [(1, "submit", "submitted", None, {"demonstration": "An answer."})]


def test_the_loops_insert_of_an_entry_stores_what_save_would(annotator, dataset):
    from django.utils import timezone

    from config import rows
    from labeling.services.history import version_entry
    from labeling.sql import writes as row_writes

    from ..factories import ResponseFactory

    now = timezone.now()
    by_hand, by_orm = (ResponseFactory(record=RecordFactory(dataset=dataset), user=annotator,
                                       values={"demonstration": "Ünïcode, \"quotes\" and\nlines."}) for _ in range(2))
    entries = [version_entry(r, dataset_id=dataset.pk, kind="submit", author=annotator, now=now, comment="c")
               for r in (by_hand, by_orm)]
    rows.execute(*row_writes.insert_statement(entries[0]))
    entries[1].save(force_insert=True)

    def stored(entry):
        row = ResponseVersion.objects.filter(pk=entry.pk).values().get()
        return {k: v for k, v in row.items() if k not in ("id", "record_id", "response_id")}

    assert stored(entries[0]) == stored(entries[1])
