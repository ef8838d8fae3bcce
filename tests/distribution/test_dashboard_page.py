"""The dataset dashboard page: who may see it, what it shows, and a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from labeling.dashboard import chart_bars

from ..factories import AssignmentFactory, QuestionFactory, RecordFactory, ResponseFactory


def page(dataset):
    return f"/datasets/{dataset.pk}/dashboard/"


def fill(dataset, annotators, n_records):
    """Records with two submitted ratings each (so completed) and assignments, spread over three days."""
    now = timezone.now()
    for index in range(n_records):
        record = RecordFactory(dataset=dataset, submitted_count=2, status="completed")
        for offset, user in enumerate(annotators[:2] if index % 2 else annotators[-2:]):
            AssignmentFactory(record=record, user=user)
            submitted_at = now - timedelta(days=index % 3)
            ResponseFactory(record=record, user=user,
                            values={"demonstration": "x", "quality": 1 + (index + offset) % 5, "verdict": "ab"[index % 2]},
                            started_at=submitted_at - timedelta(minutes=2), submitted_at=submitted_at)


@pytest.fixture(autouse=True)
def label_question(dataset):
    return QuestionFactory(dataset=dataset, name="verdict", type="label_selection", required=False, position=2,
                           settings={"type": "label_selection", "options": [{"value": "a"}, {"value": "b"}]})


def test_admin_sees_progress_annotators_chart_and_agreement(dataset, admin, make_annotators, login):
    annotators = make_annotators(3)
    fill(dataset, annotators, 4)
    response = login(admin).get(page(dataset))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress id="records-progress" max="4" value="4">' in html
    assert "lab0" in html and "120.0" in html, "per-annotator rows with the median seconds"
    assert html.count("<rect ") == 30
    assert html.count("Krippendorff's α = ") == 2 and "over 4 records" in html
    assert "4 records with more than one demonstration" in html
    assert " style=" not in html, "the Content Security Policy forbids inline styles"
    assert "Content-Security-Policy" in response.headers


def test_annotators_get_403_and_other_workspaces_404(dataset, other_dataset, annotator, outsider, login, client):
    assert login(annotator).get(page(dataset)).status_code == 403
    assert login(outsider).get(page(dataset)).status_code == 404
    assert login(annotator).get(page(other_dataset)).status_code == 404
    client.logout()
    assert client.get(page(dataset)).status_code == 302


def test_query_count_does_not_grow_with_records_or_annotators(dataset, admin, make_annotators, login):
    client = login(admin)
    counts = []
    for size, team in ((3, 2), (40, 8)):
        fill(dataset, make_annotators(team, prefix=f"t{size}-"), size)
        client.get(page(dataset))  # warm the session and content types
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page(dataset)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_chart_bars_scale_to_the_busiest_day():
    today = timezone.now().date()
    bars = chart_bars([{"day": today - timedelta(days=1), "submitted": 2}, {"day": today, "submitted": 4}])
    assert [bar.height for bar in bars] == [72.0, 144.0]
    assert bars[1].y == 16.0 and all(bar.label for bar in bars)
    assert chart_bars([]) == []
