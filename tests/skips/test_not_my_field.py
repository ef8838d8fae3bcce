"""Skip "not my field" (issue #19): never served to that labeler again in the dataset, still served to others,
and counted on the dashboard."""

import pytest

from labeling.models import Claim, Record, Response, Skip

pytestmark = pytest.mark.django_db


def test_a_not_my_field_record_never_comes_back_to_that_labeler(api, annotator, dataset, records):
    me = api(annotator)
    skipped = me.next(dataset)
    assert me.skip(skipped, "not_my_field").status_code == 200

    served = []
    while (record_id := me.next(dataset)) is not None:
        served.append(record_id)
        assert me.answer(record_id, "submitted").status_code == 200
    assert skipped not in served
    assert len(served) == len(records) - 1
    assert not Response.objects.filter(record_id=skipped).exists()
    assert Record.objects.get(pk=skipped).status == Record.Status.PENDING, "a skip counts towards nothing"


def test_another_labeler_gets_the_record(api, annotator, second_annotator, dataset, records):
    me, other = api(annotator), api(second_annotator)
    skipped = me.next(dataset)
    me.skip(skipped, "not_my_field")
    assert not Claim.objects.filter(record_id=skipped).exists(), "the skip gave the claim back"
    assert other.next(dataset) == skipped


def test_broken_is_never_served_again_either_and_later_comes_back(api, annotator, dataset, records):
    me = api(annotator)
    broken, later = me.next(dataset), None
    me.skip(broken, "broken")
    later = me.next(dataset)
    me.skip(later, "later")
    served = []
    while (record_id := me.next(dataset)) is not None:
        served.append(record_id)
        me.answer(record_id, "submitted")
    assert served[-1] == later and broken not in served
    assert set(Skip.objects.values_list("reason", flat=True)) == {"broken", "later"}


def test_skip_counts_on_the_dashboard_match(api, login, admin, annotator, second_annotator, dataset, records):
    me, other = api(annotator), api(second_annotator)
    for reason in ("not_my_field", "not_my_field", "broken"):
        me.skip(me.next(dataset), reason)
    other.skip(other.next(dataset), "later")

    html = login(admin).get(f"/datasets/{dataset.pk}/dashboard/").content.decode()

    assert f'<tr><th scope="row">{annotator.username}</th><td>0</td><td>2</td><td>1</td><td>3</td></tr>' in html
    assert '<tr><th scope="row">second</th><td>1</td><td>0</td><td>0</td><td>1</td></tr>' in html
    assert Skip.objects.filter(user=annotator).count() == 3 and Skip.objects.filter(user=second_annotator).count() == 1
