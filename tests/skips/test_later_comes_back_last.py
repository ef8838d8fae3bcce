"""Skip "later" (issue #19): the record comes back once nothing else is left, in open and assigned distribution."""

import pytest

from labeling.models import Dataset

from ..factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _drain(me, dataset) -> list:
    served = []
    while (record_id := me.next(dataset)) is not None:
        served.append(record_id)
        assert me.answer(record_id, "submitted").status_code == 200
    return served


def test_later_records_come_back_after_the_rest_in_skip_order(api, annotator, dataset, records):
    me = api(annotator)
    me.skip(records[0].pk, "later")
    me.skip(records[2].pk, "later")
    served = _drain(me, dataset)
    ids = [str(r.pk) for r in records]
    assert served == [ids[1], ids[3], ids[4], ids[0], ids[2]]


def test_a_later_record_served_again_is_held_like_any_other(api, annotator, dataset, records):
    me = api(annotator)
    for record in records:
        me.skip(record.pk, "later")
    first = me.next(dataset)
    assert first == str(records[0].pk)
    assert me.next(dataset) == first, "asking twice gives the same record"


def test_assigned_later_records_come_back_after_the_other_assignments(api, annotator, dataset, records):
    Dataset.objects.filter(pk=dataset.pk).update(distribution=Dataset.Distribution.ASSIGNED)
    for record in records[:3]:
        AssignmentFactory(record=record, user=annotator)
    me = api(annotator)
    me.skip(records[0].pk, "later")
    me.skip(records[1].pk, "not_my_field")
    assert _drain(me, dataset) == [str(records[2].pk), str(records[0].pk)]
