from labeling.models import Dataset

from ..factories import AssignmentFactory, DatasetFactory, RecordFactory, ResponseFactory


def test_lists_the_datasets_of_my_workspaces_only(annotator_client, dataset, other_dataset, urls):
    html = annotator_client.get(urls.home).content.decode()
    assert "demo" in html
    assert urls.annotate(dataset) in html
    assert "theirs" not in html


def test_annotators_do_not_see_draft_datasets(annotator_client, workspace, urls):
    DatasetFactory(workspace=workspace, name="unpublished", status=Dataset.Status.DRAFT)
    assert "unpublished" not in annotator_client.get(urls.home).content.decode()


def test_shows_my_own_progress_in_an_open_queue(annotator_client, annotator, dataset, records, urls):
    ResponseFactory(record=records[0], user=annotator, status="submitted")
    ResponseFactory(record=records[1], status="submitted")  # someone else's: not my progress
    html = annotator_client.get(urls.home).content.decode()
    assert "1 submitted" in html
    assert "2 remaining" in html
    assert 'max="3" value="1"' in html


def test_shows_assigned_progress_in_an_assigned_dataset(annotator_client, annotator, workspace, urls):
    dataset = DatasetFactory(workspace=workspace, name="assigned-one", distribution=Dataset.Distribution.ASSIGNED)
    mine = [RecordFactory(dataset=dataset) for _ in range(4)]
    RecordFactory(dataset=dataset)  # not assigned to me
    for record in mine:
        AssignmentFactory(record=record, user=annotator)
    ResponseFactory(record=mine[0], user=annotator, status="submitted")
    ResponseFactory(record=mine[1], user=annotator, status="discarded")
    html = annotator_client.get(urls.home).content.decode()
    assert "1 submitted, 1 discarded · 4 assigned" in html
    assert 'max="4" value="2"' in html


def test_says_so_when_there_is_nothing(client, outsider, urls):
    from accounts.models import Membership

    Membership.objects.filter(user=outsider).delete()
    client.force_login(outsider)
    assert "not a member of any workspace" in client.get(urls.home).content.decode()
