"""The Django admin shows responses' history read-only (the review issue, §4): its own list, filtered by
dataset and scoped to the admin's workspaces, and each response's entries on the response's page; no one,
owners included, may add, change or delete an entry there."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labeling.models import Response, ResponseVersion
from labeling.selectors.lookups import record_access_for
from labeling.services import responses as response_services

from ..admin.conftest import admin_url
from ..factories import DatasetFactory, RecordFactory, history_entry


def _answer(user, dataset, *texts) -> Response:
    record = RecordFactory(dataset=dataset)
    access = record_access_for(user=user, record=record)
    response = None
    for text in texts:
        response = response_services.response_write(access=access, values={"demonstration": text}, status="submitted")
    return response


@pytest.fixture
def client_for(client):
    def make(user):
        client.force_login(user)
        return client

    return make


def test_the_list_shows_the_admins_workspaces_only_and_filters_by_dataset(client_for, admin, annotator, dataset,
                                                                          workspace, outsider, other_dataset):
    second = DatasetFactory(workspace=workspace, name="second")
    ours, also_ours = _answer(annotator, dataset, "a", "b"), _answer(annotator, second, "c")
    _answer(outsider, other_dataset, "theirs")
    client = client_for(admin)

    listed = client.get(admin_url(ResponseVersion, "changelist")).context["cl"].result_list
    assert sorted((v.response_id, v.number) for v in listed) == sorted(
        [(ours.pk, 1), (ours.pk, 2), (also_ours.pk, 1)])
    filtered = client.get(admin_url(ResponseVersion, "changelist"), {"dataset": str(second.pk)})
    assert [(v.response_id, v.number) for v in filtered.context["cl"].result_list] == [(also_ours.pk, 1)]
    by_response = client.get(admin_url(ResponseVersion, "changelist"), {"response_id": str(ours.pk)})
    assert sorted(v.number for v in by_response.context["cl"].result_list) == [1, 2]

    theirs = ResponseVersion.objects.get(dataset=other_dataset)
    assert client.get(admin_url(ResponseVersion, "change", theirs.pk)).status_code == 302  # "does not exist"


@pytest.mark.parametrize("who", ["admin", "owner"])
def test_no_one_adds_changes_or_deletes_an_entry(client_for, request, annotator, dataset, who):
    response = _answer(annotator, dataset, "first", "second")
    entry = ResponseVersion.objects.get(response_id=response.pk, number=1)
    before = list(ResponseVersion.objects.values())
    client = client_for(request.getfixturevalue(who))

    page = client.get(admin_url(ResponseVersion, "change", entry.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    assert client.get(admin_url(ResponseVersion, "add")).status_code == 403
    assert client.post(admin_url(ResponseVersion, "change", entry.pk), {"comment": "rewritten"}).status_code == 403
    assert client.post(admin_url(ResponseVersion, "delete", entry.pk), {"post": "yes"}).status_code == 403
    changelist = client.get(admin_url(ResponseVersion, "changelist"))
    assert "delete_selected" not in (changelist.context["action_form"].fields["action"].choices
                                     if changelist.context["action_form"] else [])
    deleted = client.post(admin_url(ResponseVersion, "changelist"),
                          {"action": "delete_selected", "_selected_action": [str(entry.pk)], "post": "yes"})
    assert deleted.status_code in (200, 302)
    assert list(ResponseVersion.objects.values()) == before


def test_the_response_page_shows_its_history(client_for, admin, annotator, dataset):
    response = _answer(annotator, dataset, "first <i>draft</i>", "second")
    history_entry(response, kind="reject", author=admin, comment="Say <b>why</b>.", status="draft",
                  review_status="rejected")
    html = client_for(admin).get(admin_url(Response, "change", response.pk)).content.decode()
    assert "Edited after submit" in html and "Rejected" in html
    assert "Say &lt;b&gt;why&lt;/b&gt;." in html and "<b>why</b>" not in html
    assert f"?response_id={response.pk}" in html


def test_pages_run_a_constant_number_of_queries(client_for, admin, annotator, dataset):
    client = client_for(admin)
    response = _answer(annotator, dataset, "one")
    urls = [admin_url(ResponseVersion, "changelist"), admin_url(Response, "change", response.pk)]
    for url in urls:
        client.get(url)
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured))
    for n in range(5):
        _answer(annotator, dataset, f"more {n}", f"and more {n}")
        response_services.response_write(access=record_access_for(user=annotator, record=response.record),
                                         values={"demonstration": f"edit {n}"}, status="submitted")
    for url, count in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert len(captured) == count
