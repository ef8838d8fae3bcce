"""POST /api/datasets/{id}/distribute|reassign|unassign/ and GET .../assignments/: roles, isolation, shapes."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.models import Assignment

from ..factories import AssignmentFactory, ResponseFactory


def url(dataset, action):
    return f"/api/datasets/{dataset.pk}/{action}/"


@pytest.fixture
def team(make_annotators, make_records):
    return make_annotators(3), make_records(6, category="a") + make_records(3, category="b")


def test_admin_distributes_with_a_metadata_filter_and_a_second_call_changes_nothing(team, dataset, admin, api_client_for):
    client = api_client_for(admin)
    body = {"per_record": 2, "annotators": ["lab0", "lab1", "lab2"], "metadata": {"category": "a"}}
    response = client.post(url(dataset, "distribute"), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["records_selected"], data["created"]) == (6, 12)
    assert data["per_annotator"] == {"lab0": 4, "lab1": 4, "lab2": 4}
    assert data["loads"] == {"lab0": 4, "lab1": 4, "lab2": 4}
    again = client.post(url(dataset, "distribute"), body, format="json").json()
    assert again["created"] == 0 and Assignment.objects.count() == 12


def test_owner_distributes_to_every_annotator_by_default(team, dataset, owner, api_client_for):
    response = api_client_for(owner).post(url(dataset, "distribute"), {"per_record": 1}, format="json")
    assert response.status_code == 200
    assert sorted(Counter(Assignment.objects.values_list("user__username", flat=True)).values()) == [3, 3, 3]


@pytest.mark.parametrize("body, field", [
    ({"per_record": 0}, "per_record"),
    ({"per_record": 4}, "per_record"),
    ({"per_record": 1, "annotators": ["lab0", "wsadmin"]}, "users"),
    ({"per_record": 1, "workspace": "x"}, "workspace"),
    ({"per_record": 1, "record_ids": ["not-a-uuid"]}, "record_ids"),
])
def test_bad_input_is_a_400_in_the_error_shape_and_writes_nothing(team, dataset, admin, api_client_for, body, field):
    response = api_client_for(admin).post(url(dataset, "distribute"), body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] and (field in error["details"] or error["details"].get("field") == field)
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("action, body", [
    ("distribute", {"per_record": 1}),
    ("reassign", {"from_user": "lab0"}),
    ("unassign", {}),
])
def test_annotators_get_403_and_other_workspaces_get_404(team, dataset, other_dataset, annotator, outsider,
                                                        api_client_for, action, body):
    AssignmentFactory(record=team[1][0], user=team[0][0])
    assert api_client_for(annotator).post(url(dataset, action), body, format="json").status_code == 403
    assert api_client_for(outsider).post(url(dataset, action), body, format="json").status_code == 404
    assert api_client_for(annotator).post(url(other_dataset, action), body, format="json").status_code == 404
    assert Assignment.objects.count() == 1


def test_reassign_and_unassign(team, dataset, admin, api_client_for):
    client = api_client_for(admin)
    client.post(url(dataset, "distribute"), {"per_record": 1}, format="json")
    leaving = team[0][0]
    first = Assignment.objects.filter(user=leaving).order_by("record__ordinal").first()
    ResponseFactory(record=first.record, user=leaving, status="submitted")
    response = client.post(url(dataset, "reassign"), {"from_user": "lab0", "to_users": ["lab1"]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"from_user": "lab0", "moved": 2, "kept_answered": 1, "kept_held_by_all": 0,
                               "per_annotator": {"lab1": 2}}
    response = client.post(url(dataset, "unassign"), {"users": ["lab1"]}, format="json")
    assert response.json()["removed"] == 5
    assert set(Assignment.objects.values_list("user__username", flat=True)) == {"lab0", "lab2"}


def test_assignment_list_filters_and_scoping(team, dataset, admin, annotator, outsider, api_client_for):
    annotators, records = team
    for record in records:
        AssignmentFactory(record=record, user=annotators[record.ordinal % 2])
    AssignmentFactory(record=records[0], user=annotator)
    ResponseFactory(record=records[0], user=annotator, status="discarded")
    client = api_client_for(admin)
    everything = client.get(url(dataset, "assignments")).json()["results"]
    assert len(everything) == 10
    mine = client.get(url(dataset, "assignments"), {"user": "ann"}).json()["results"]
    assert [(a["username"], a["is_answered"], a["external_id"]) for a in mine] == [("ann", True, records[0].external_id)]
    by_id = client.get(url(dataset, "assignments"), {"user": str(annotators[0].pk), "is_answered": "false"}).json()
    assert {a["username"] for a in by_id["results"]} == {"lab0"}
    assert len(client.get(url(dataset, "assignments"), {"record": str(records[0].pk)}).json()["results"]) == 2
    assert client.get(url(dataset, "assignments"), {"user__password": "x"}).status_code == 400
    assert [a["username"] for a in api_client_for(annotator).get(url(dataset, "assignments")).json()["results"]] == ["ann"]
    assert api_client_for(outsider).get(url(dataset, "assignments")).status_code == 404


def test_assignment_list_runs_a_constant_number_of_queries(team, dataset, admin, api_client_for):
    annotators, records = team
    client = api_client_for(admin)
    client.get("/api/me")  # the key's first use is written once; the counts below are of later calls
    counts = []
    for size in (2, 9):
        Assignment.objects.all().delete()
        for record in records[:size]:
            AssignmentFactory(record=record, user=annotators[0])
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(url(dataset, "assignments")).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
