"""Tenancy querysets across two workspaces (DESIGN §2)."""

from accounts.models import User, Workspace
from labeling.models import Assignment, Dataset, Record, Response

from ..factories import AssignmentFactory, DatasetFactory, RecordFactory, ResponseFactory, UserFactory


def test_workspaces_visible_only_to_members(annotator, admin, outsider, owner, workspace, other_workspace):
    assert list(Workspace.objects.visible_to(annotator)) == [workspace]
    assert list(Workspace.objects.administered_by(annotator)) == []
    assert list(Workspace.objects.administered_by(admin)) == [workspace]
    assert list(Workspace.objects.visible_to(outsider)) == [other_workspace]
    assert set(Workspace.objects.visible_to(owner)) == {workspace, other_workspace}


def test_annotators_see_ready_datasets_admins_see_drafts(annotator, admin, outsider, dataset, other_dataset, workspace):
    draft = DatasetFactory(workspace=workspace, status="draft", schema=False)
    assert set(Dataset.objects.visible_to(annotator)) == {dataset}
    assert set(Dataset.objects.visible_to(admin)) == {dataset, draft}
    assert set(Dataset.objects.visible_to(outsider)) == {other_dataset}
    assert set(Dataset.objects.administered_by(annotator)) == set()


def test_records_for_annotator_follow_distribution(annotator, dataset, other_dataset):
    mine, other = RecordFactory(dataset=dataset), RecordFactory(dataset=dataset)
    foreign = RecordFactory(dataset=other_dataset)
    assert set(Record.objects.for_annotator(annotator, dataset)) == {mine, other}
    assert foreign not in Record.objects.visible_to(annotator)
    dataset.distribution = "assigned"
    dataset.save()
    AssignmentFactory(record=mine, user=annotator)
    assert set(Record.objects.for_annotator(annotator, dataset)) == {mine}
    assert set(Record.objects.visible_to(annotator)) == {mine}


def test_annotators_never_see_other_users_responses(annotator, admin, workspace, dataset, outsider):
    record = RecordFactory(dataset=dataset)
    colleague = UserFactory()
    workspace.memberships.create(user=colleague, role="annotator")
    own = ResponseFactory(record=record, user=annotator)
    theirs = ResponseFactory(record=record, user=colleague)
    assert list(Response.objects.visible_to(annotator)) == [own]
    assert set(Response.objects.visible_to(admin)) == {own, theirs}
    assert not Response.objects.visible_to(outsider).exists()


def test_assignments_scoped(annotator, admin, dataset, outsider):
    assignment = AssignmentFactory(record=RecordFactory(dataset=dataset), user=annotator)
    assert list(Assignment.objects.visible_to(annotator)) == [assignment]
    assert list(Assignment.objects.administered_by(admin)) == [assignment]
    assert not Assignment.objects.visible_to(outsider).exists()


def test_users_visible_through_shared_workspaces(annotator, admin, outsider, owner):
    assert set(User.objects.visible_to(annotator)) == {annotator, admin}
    assert outsider not in User.objects.visible_to(admin)
    assert set(User.objects.administered_by(admin)) == {annotator, admin}
