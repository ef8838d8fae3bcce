"""Deleting a user takes their responses with them; the records they had submitted are re-derived (DESIGN §3)."""

from labeling.models import Record, Response

from ..factories import DatasetFactory, RecordFactory, ResponseFactory, UserFactory


def test_deleting_a_user_recounts_and_reopens_the_records_they_completed(as_owner, annotator, workspace):
    once = DatasetFactory(workspace=workspace, min_submitted=1)
    twice = DatasetFactory(workspace=workspace, min_submitted=2)
    other = UserFactory()
    alone = RecordFactory(dataset=once, status="completed", submitted_count=1)
    shared = RecordFactory(dataset=once, status="completed", submitted_count=2)
    pair = RecordFactory(dataset=twice, status="completed", submitted_count=2)
    untouched = RecordFactory(dataset=twice, status="pending", submitted_count=1)
    for record in (alone, shared, pair):
        ResponseFactory(record=record, user=annotator)
    for record in (shared, pair, untouched):
        ResponseFactory(record=record, user=other)
    ResponseFactory(record=untouched, user=annotator, status="draft")

    assert as_owner.delete(f"/api/v1/users/{annotator.pk}").status_code == 200

    states = {r.pk: (r.status, r.submitted_count) for r in Record.objects.all()}
    assert states == {
        alone.pk: ("pending", 0),
        shared.pk: ("completed", 1),
        pair.pk: ("pending", 1),
        untouched.pk: ("pending", 1),
    }
    assert not Response.objects.filter(user_id=annotator.pk).exists()
