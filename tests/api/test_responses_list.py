from ..factories import MembershipFactory, RecordFactory, ResponseFactory, UserFactory


def test_admin_sees_all_and_filters_annotator_sees_own(api_client_for, admin, annotator, workspace, dataset):
    other = UserFactory(username="other-ann")
    MembershipFactory(user=other, workspace=workspace)
    record = RecordFactory(dataset=dataset)
    mine = ResponseFactory(record=record, user=annotator, status="submitted")
    theirs = ResponseFactory(record=record, user=other, status="draft")
    url = f"/api/datasets/{dataset.pk}/responses/"
    admin_client = api_client_for(admin)
    assert {r["id"] for r in admin_client.get(url).json()["results"]} == {str(mine.pk), str(theirs.pk)}
    assert [r["id"] for r in admin_client.get(f"{url}?status=draft").json()["results"]] == [str(theirs.pk)]
    assert [r["id"] for r in admin_client.get(f"{url}?user={annotator.pk}").json()["results"]] == [str(mine.pk)]
    assert [r["id"] for r in api_client_for(annotator).get(url).json()["results"]] == [str(mine.pk)]
    assert api_client_for(annotator).get(f"{url}?user={other.pk}").json()["results"] == []


def test_unknown_filter_is_400(api_client_for, admin, dataset):
    response = api_client_for(admin).get(f"/api/datasets/{dataset.pk}/responses/?user__password__startswith=a")
    assert response.status_code == 400
