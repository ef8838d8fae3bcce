"""Distribution from the Django admin: records changelist and dataset actions, with intermediate forms (issue 5)."""

from collections import Counter

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from accounts.models import Membership
from labeling.access import operator_access
from labeling.models import Assignment, Dataset, Record, Response
from labeling.services.distribution import assignments_distribute

from ..factories import (
    AssignmentFactory,
    DatasetFactory,
    MembershipFactory,
    RecordFactory,
    ResponseFactory,
    UserFactory,
)
from .conftest import admin_url, messages_of


@pytest.fixture
def labelers(workspace):
    """Three annotators of "acme"."""
    users = [UserFactory(username=name) for name in ("lab-a", "lab-b", "lab-c")]
    for user in users:
        MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
    return users


@pytest.fixture
def stranger(other_workspace):
    """An annotator of the other workspace: never a valid choice for acme's records."""
    user = UserFactory(username="stranger")
    MembershipFactory(user=user, workspace=other_workspace, role=Membership.Role.ANNOTATOR)
    return user


def run_action(client, model, action, objects, *, apply=False, follow=True, **fields):
    """POST the changelist action as the browser does: first from the action menu, then from the form."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(obj.pk) for obj in objects], **fields}
    if apply:
        data["apply"] = "1"
    return client.post(admin_url(model, "changelist"), data, follow=follow)


def ids(users):
    return [str(user.pk) for user in users]


def loads(dataset):
    return Counter(Assignment.objects.filter(record__dataset=dataset).values_list("user__username", flat=True))


# --- records changelist ------------------------------------------------------------------------


def test_record_form_renders_with_the_workspace_annotators_only(admin, dataset, labelers, stranger, client_for):
    records = RecordFactory.create_batch(3, dataset=dataset)
    response = run_action(client_for(admin), Record, "distribute_selected_records", records)
    assert response.status_code == 200
    page = response.content.decode()
    assert set(response.context["form"].fields["annotators"].queryset) == set(labelers)
    assert "lab-a (holds 0)" in page and "stranger" not in page and "wsadmin (" not in page
    assert "csrfmiddlewaretoken" in page and '<input type="hidden" name="apply" value="1">' in page
    for record in records:
        assert f'name="{ACTION_CHECKBOX_NAME}" value="{record.pk}"' in page
    assert not Assignment.objects.exists()


def test_distributing_selected_records_is_balanced_and_idempotent(admin, dataset, labelers, client_for):
    records = RecordFactory.create_batch(6, dataset=dataset)
    AssignmentFactory(record=records[0], user=labelers[0])
    client = client_for(admin)
    response = run_action(client, Record, "distribute_selected_records", records, apply=True,
                          annotators=ids(labelers), per_record="2")
    per_record = Counter(Assignment.objects.values_list("record_id", flat=True))
    assert per_record == {record.pk: 2 for record in records}
    assert sorted(loads(dataset).values()) == [4, 4, 4]
    [message] = messages_of(response)
    assert "records selected: 6; records topped up: 6; created: 11" in message
    assert "loads: lab-a 4, lab-b 4, lab-c 4" in message

    before = set(Assignment.objects.values_list("pk", flat=True))
    again = run_action(client, Record, "distribute_selected_records", records, apply=True,
                       annotators=ids(labelers), per_record="2")
    assert set(Assignment.objects.values_list("pk", flat=True)) == before
    assert "created: 0" in messages_of(again)[0] and "Nothing needed changing." in messages_of(again)[0]


def test_no_annotator_ticked_means_all_of_the_workspace(owner, dataset, labelers, client_for):
    records = RecordFactory.create_batch(3, dataset=dataset)
    run_action(client_for(owner), Record, "distribute_selected_records", records, apply=True, per_record="1")
    assert loads(dataset) == {"lab-a": 1, "lab-b": 1, "lab-c": 1}


def test_selection_spanning_several_datasets_is_refused(owner, dataset, other_dataset, labelers, client_for):
    records = [RecordFactory(dataset=dataset), RecordFactory(dataset=other_dataset)]
    response = run_action(client_for(owner), Record, "distribute_selected_records", records, apply=True,
                          annotators=ids(labelers), per_record="1")
    assert "belong to several datasets" in messages_of(response)[0]
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_a_foreign_annotator_is_refused(who, request, dataset, labelers, stranger, client_for):
    records = RecordFactory.create_batch(2, dataset=dataset)
    response = run_action(client_for(request.getfixturevalue(who)), Record, "distribute_selected_records", records,
                          apply=True, annotators=ids([labelers[0], stranger]), per_record="1")
    assert response.status_code == 200
    assert "Select a valid choice" in str(response.context["form"].errors["annotators"])
    assert not Assignment.objects.exists()


def test_a_foreign_record_in_the_selection_is_refused(admin, dataset, other_dataset, labelers, client_for):
    mine, theirs = RecordFactory(dataset=dataset), RecordFactory(dataset=other_dataset)
    client = client_for(admin)
    for selection in ([mine, theirs], [theirs]):
        response = run_action(client, Record, "distribute_selected_records", selection, apply=True,
                              annotators=ids(labelers), per_record="1")
        assert "are not yours to manage. Nothing was changed" in messages_of(response)[0]
    assert not Assignment.objects.exists()


def test_a_service_refusal_is_an_error_message_and_changes_nothing(admin, dataset, labelers, client_for):
    records = RecordFactory.create_batch(2, dataset=dataset)
    response = run_action(client_for(admin), Record, "distribute_selected_records", records, apply=True,
                          annotators=ids(labelers[:2]), per_record="3")
    assert response.status_code == 200 and "form" in response.context
    assert messages_of(response) == [
        "Each record cannot get 3 distinct annotators: only 2 are chosen. Nothing was changed."
    ]
    assert not Assignment.objects.exists()


def test_an_annotator_cannot_reach_the_admin(annotator, dataset, labelers, client_for):
    records = RecordFactory.create_batch(2, dataset=dataset)
    client = client_for(annotator)
    response = run_action(client, Record, "distribute_selected_records", records, apply=True, follow=False,
                          annotators=ids(labelers), per_record="1")
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = run_action(client, Dataset, "distribute_dataset_records", [dataset], apply=True, follow=False,
                          records="all", per_record="1")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Assignment.objects.exists()


# --- dataset actions ---------------------------------------------------------------------------


def test_dataset_distribution_of_unassigned_records_matching_a_filter(admin, dataset, labelers, stranger, client_for):
    cards = [RecordFactory(dataset=dataset, metadata={"category": "card_arrival"}) for _ in range(3)]
    RecordFactory(dataset=dataset, metadata={"category": "refund"})
    AssignmentFactory(record=cards[0], user=labelers[0])
    client = client_for(admin)
    form_page = run_action(client, Dataset, "distribute_dataset_records", [dataset])
    assert set(form_page.context["form"].fields["annotators"].queryset) == set(labelers)
    assert "4 records, 1 of them assigned; 1 assignments in all." in form_page.content.decode()

    response = run_action(client, Dataset, "distribute_dataset_records", [dataset], apply=True, records="unassigned",
                          metadata="category=card_arrival", annotators=ids(labelers[1:]), per_record="1")
    assert "records selected: 2; records topped up: 2; created: 2" in messages_of(response)[0]
    assert Counter(Assignment.objects.values_list("record_id", flat=True)) == {card.pk: 1 for card in cards}
    assert loads(dataset) == {"lab-a": 1, "lab-b": 1, "lab-c": 1}


def test_dataset_distribution_rejects_a_malformed_filter(admin, dataset, labelers, client_for):
    RecordFactory(dataset=dataset)
    response = run_action(client_for(admin), Dataset, "distribute_dataset_records", [dataset], apply=True,
                          records="all", metadata="category", per_record="1")
    assert response.context["form"].errors["metadata"] == ["Write each filter as name=value, not 'category'."]
    assert not Assignment.objects.exists()


def test_reassign_moves_unanswered_records_and_keeps_drafts_when_asked(admin, dataset, labelers, stranger, client_for):
    records = RecordFactory.create_batch(6, dataset=dataset)
    assignments_distribute(access=operator_access(dataset), per_record=1, annotators=ids(labelers),
                           record_ids=ids(records))
    leaving = labelers[0]
    held = list(Assignment.objects.filter(user=leaving).order_by("record__ordinal").values_list("record_id", flat=True))
    ResponseFactory(record_id=held[0], user=leaving, status=Response.Status.DRAFT)
    client = client_for(admin)

    form_page = run_action(client, Dataset, "reassign_dataset_records", [dataset])
    assert set(form_page.context["form"].fields["from_user"].queryset) == set(labelers)
    refused = run_action(client, Dataset, "reassign_dataset_records", [dataset], apply=True,
                         from_user=str(leaving.pk), to_users=ids([stranger]))
    assert "to_users" in refused.context["form"].errors
    assert loads(dataset) == {"lab-a": 2, "lab-b": 2, "lab-c": 2}

    response = run_action(client, Dataset, "reassign_dataset_records", [dataset], apply=True,
                          from_user=str(leaving.pk), keep_drafts="on")
    assert "from user: lab-a; moved: 1; kept answered: 1" in messages_of(response)[0]
    assert list(Assignment.objects.filter(user=leaving).values_list("record_id", flat=True)) == [held[0]]
    assert sorted(loads(dataset).values()) == [1, 2, 3]


def test_unassign_removes_only_assignments_without_responses(admin, dataset, labelers, client_for):
    records = RecordFactory.create_batch(4, dataset=dataset)
    for record in records:
        AssignmentFactory(record=record, user=labelers[1])
        AssignmentFactory(record=record, user=labelers[2])
    ResponseFactory(record=records[0], user=labelers[1])
    client = client_for(admin)
    form_page = run_action(client, Dataset, "unassign_dataset_records", [dataset])
    assert set(form_page.context["form"].fields["users"].queryset) == set(labelers[1:])

    response = run_action(client, Dataset, "unassign_dataset_records", [dataset], apply=True, users=ids(labelers[1:2]))
    assert "removed: 3; kept with responses: 1; per annotator: lab-b 3" in messages_of(response)[0]
    assert loads(dataset) == {"lab-b": 1, "lab-c": 4}


def test_dataset_actions_need_one_dataset_of_ones_own(admin, dataset, other_dataset, workspace, labelers, client_for):
    second = DatasetFactory(workspace=workspace, name="second")
    RecordFactory(dataset=dataset)
    client = client_for(admin)
    both = run_action(client, Dataset, "distribute_dataset_records", [dataset, second], apply=True, records="all",
                      per_record="1")
    assert messages_of(both) == ["Select exactly one dataset for this action."]
    foreign = run_action(client, Dataset, "distribute_dataset_records", [other_dataset], apply=True, records="all",
                         per_record="1")
    assert "are not yours to manage" in messages_of(foreign)[0]
    nobody = run_action(client, Dataset, "unassign_dataset_records", [dataset])
    assert messages_of(nobody) == ["Nobody holds records of 'demo' yet; distribute them first."]
    assert not Assignment.objects.exists()


def test_the_dataset_page_offers_the_actions_as_buttons(admin, dataset, labelers, client_for):
    client = client_for(admin)
    page = client.get(admin_url(Dataset, "change", dataset.pk)).content.decode()
    changelist = admin_url(Dataset, "changelist")
    for action in ("distribute_dataset_records", "reassign_dataset_records", "unassign_dataset_records"):
        assert f'<input type="hidden" name="action" value="{action}">' in page
    assert page.count(f'<form method="post" action="{changelist}">') == 3
    assert page.count(f'name="{ACTION_CHECKBOX_NAME}" value="{dataset.pk}"') == 3
    pressed = run_action(client, Dataset, "distribute_dataset_records", [dataset])
    assert pressed.templates[0].name == "admin/action_form.html"


def test_select_all_across_a_filtered_list_is_carried_through_the_form(admin, dataset, labelers, client_for):
    """With "select all N" on a list filtered by dataset, every record it shows is distributed, not only the page."""
    records = RecordFactory.create_batch(4, dataset=dataset)
    second = DatasetFactory(workspace=dataset.workspace, name="second")
    RecordFactory(dataset=second)
    client = client_for(admin)
    url = f"{admin_url(Record, 'changelist')}?dataset={dataset.pk}"
    data = {"action": "distribute_selected_records", ACTION_CHECKBOX_NAME: [str(records[0].pk)], "select_across": "1"}
    form_page = client.post(url, data)
    assert '<input type="hidden" name="select_across" value="1">' in form_page.content.decode()
    assert "4 selected record(s) of the dataset &#x27;demo&#x27;" in form_page.content.decode()
    client.post(url, {**data, "apply": "1", "per_record": "1"})
    assert Counter(Assignment.objects.values_list("record_id", flat=True)) == {record.pk: 1 for record in records}
