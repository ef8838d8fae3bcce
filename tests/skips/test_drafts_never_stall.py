"""Drafts never stall the queue (issue #19): after a draft, next moves on; `?resume=drafts` serves the oldest draft."""

import pytest

from labeling.models import Dataset

from ..factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def test_after_a_draft_next_serves_a_different_record(api, annotator, dataset, records):
    me = api(annotator)
    drafted = me.next(dataset)
    assert me.answer(drafted, "draft").status_code == 200
    following = me.next(dataset)
    assert following is not None and following != drafted
    assert me.next(dataset) == following, "asking twice still gives the record one holds"


def test_resume_drafts_serves_the_oldest_draft(api, annotator, dataset, records):
    me = api(annotator)
    first = me.next(dataset)
    me.answer(first, "draft")
    second = me.next(dataset)
    me.answer(second, "draft")
    assert me.next(dataset, "?resume=drafts") == first
    me.answer(first, "submitted")
    assert me.next(dataset, "?resume=drafts") == second


def test_without_drafts_resume_serves_the_queue(api, annotator, dataset, records):
    me = api(annotator)
    assert me.next(dataset, "?resume=drafts") == str(records[0].pk)


def test_a_labeler_with_only_drafts_left_is_told_nothing_is_left_unless_resuming(api, annotator, dataset, records):
    me = api(annotator)
    for _ in records:
        me.answer(me.next(dataset), "draft")
    assert me.next(dataset) is None
    assert me.next(dataset, "?resume=drafts") == str(records[0].pk)


def test_assigned_records_move_on_past_drafts_too(api, annotator, dataset, records):
    Dataset.objects.filter(pk=dataset.pk).update(distribution=Dataset.Distribution.ASSIGNED)
    for record in records[:3]:
        AssignmentFactory(record=record, user=annotator)
    me = api(annotator)
    assert me.next(dataset) == str(records[0].pk)
    me.answer(str(records[0].pk), "draft")
    assert me.next(dataset) == str(records[1].pk)
    assert me.next(dataset, "?resume=drafts") == str(records[0].pk)


def test_a_bad_resume_value_is_refused(api, annotator, dataset, records):
    client = api(annotator).client
    response = client.get(f"/api/datasets/{dataset.pk}/next/?resume=everything")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["resume"] == ['"everything" is not a valid choice.']
