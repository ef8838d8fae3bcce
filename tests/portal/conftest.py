import pytest
from django.urls import reverse

from ..factories import RecordFactory


@pytest.fixture
def records(dataset):
    """Three records of the demo dataset, in creation order."""
    return [RecordFactory(dataset=dataset, fields={"prompt": f"Prompt number {i}"}) for i in range(1, 4)]


@pytest.fixture
def annotator_client(client, annotator):
    client.force_login(annotator)
    return client


@pytest.fixture
def urls():
    """URL builders for the portal's routes."""

    class Urls:
        home = reverse("portal:home")
        my_responses = reverse("portal:my_responses")
        preview = reverse("portal:markdown_preview")

        @staticmethod
        def annotate(dataset):
            return reverse("portal:annotate", args=[dataset.pk])

        @staticmethod
        def record(record):
            return reverse("portal:record", args=[record.dataset_id, record.pk])

        @staticmethod
        def skip(record):
            return reverse("portal:skip_record", args=[record.dataset_id, record.pk])

        @staticmethod
        def draft(record):
            return reverse("portal:draft_autosave", args=[record.dataset_id, record.pk])

    return Urls
