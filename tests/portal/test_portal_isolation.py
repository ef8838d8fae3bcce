"""Annotators reach only their workspaces' datasets and the records the distribution gives them (DESIGN §2)."""

import json

import pytest

from labeling.models import Claim, Dataset, Response, Skip

from ..factories import AssignmentFactory, DatasetFactory, RecordFactory


@pytest.fixture
def foreign_record(other_dataset):
    return RecordFactory(dataset=other_dataset)


def test_every_route_of_another_workspace_is_404_and_writes_nothing(annotator_client, foreign_record, urls):
    dataset = foreign_record.dataset
    gets = [urls.annotate(dataset), urls.record(foreign_record)]
    posts = [
        (urls.record(foreign_record), {"action": "submit", "q-demonstration": "x"}),
        (urls.skip(foreign_record), {"reason": "broken"}),
    ]
    for url in gets:
        assert annotator_client.get(url).status_code == 404, url
    for url, data in posts:
        assert annotator_client.post(url, data).status_code == 404, url
    draft = annotator_client.post(urls.draft(foreign_record), json.dumps({"values": {"demonstration": "x"}}),
                                  content_type="application/json")
    assert draft.status_code == 404
    assert not Response.objects.exists() and not Claim.objects.exists() and not Skip.objects.exists()


def test_a_record_of_my_dataset_reached_through_a_foreign_dataset_is_404(annotator_client, dataset, other_dataset, urls):
    mine = RecordFactory(dataset=dataset)
    url = urls.record(mine).replace(str(dataset.pk), str(other_dataset.pk))
    assert annotator_client.get(url).status_code == 404


def test_assigned_distribution_hides_records_not_assigned_to_me(annotator_client, annotator, workspace, urls):
    dataset = DatasetFactory(workspace=workspace, name="assigned", distribution=Dataset.Distribution.ASSIGNED)
    assigned = RecordFactory(dataset=dataset)
    not_mine = RecordFactory(dataset=dataset)
    AssignmentFactory(record=assigned, user=annotator)
    assert annotator_client.get(urls.record(assigned)).status_code == 200
    assert annotator_client.get(urls.record(not_mine)).status_code == 404
    assert annotator_client.post(urls.record(not_mine), {"action": "submit", "q-demonstration": "x"}).status_code == 404
    assert not Response.objects.exists()


def test_my_responses_never_lists_another_workspace(client, outsider, annotator, foreign_record, records, urls):
    from ..factories import ResponseFactory

    ResponseFactory(record=records[0], user=annotator, values={"demonstration": "acme answer"})
    client.force_login(outsider)
    html = client.get(urls.my_responses).content.decode()
    assert "acme answer" not in html
    assert "demo" not in html
