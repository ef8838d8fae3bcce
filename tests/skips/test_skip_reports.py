"""Skips where admins read them (issue #19): the dashboard's counts and its list of prompts reported broken,
with a constant number of queries (the export report's counts: tests/exports/test_report_skip_counts.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ..factories import RecordFactory, SkipFactory, UserFactory

pytestmark = pytest.mark.django_db


def dashboard(dataset):
    return f"/datasets/{dataset.pk}/dashboard/"


def test_broken_prompts_are_listed_with_who_when_and_a_link_to_the_admin(login, admin, annotator, dataset):
    record = RecordFactory(dataset=dataset, fields={"prompt": "Translate this: ???"})
    skip = SkipFactory(record=record, user=annotator, reason="broken")
    SkipFactory(record=RecordFactory(dataset=dataset, fields={"prompt": "Not listed"}), user=annotator,
                reason="not_my_field")
    client = login(admin)

    html = client.get(dashboard(dataset)).content.decode()

    admin_url = reverse("admin:labeling_record_change", args=[record.pk])
    assert "Translate this: ???" in html and "Not listed" not in html
    assert f"<td>{annotator.username}</td>" in html and skip.inserted_at.strftime("%Y-%m-%d %H:%M") in html
    assert f'<a href="{admin_url}">Open in the admin</a>' in html
    assert client.get(admin_url).status_code == 200


def test_the_dashboard_runs_the_same_queries_whatever_the_number_of_skips(login, admin, workspace, dataset):
    client = login(admin)

    def grow(n):
        for index in range(n):
            user = UserFactory(username=f"skipper-{n}-{index}")
            for reason in ("later", "not_my_field", "broken"):
                SkipFactory(record=RecordFactory(dataset=dataset), user=user, reason=reason)

    grow(1)
    with CaptureQueriesContext(connection) as small:
        client.get(dashboard(dataset))
    grow(12)
    with CaptureQueriesContext(connection) as large:
        html = client.get(dashboard(dataset)).content.decode()
    assert len(large) == len(small)
    assert html.count("Open in the admin") == 13 * 1

