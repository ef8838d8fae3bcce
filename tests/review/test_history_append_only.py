"""A response's history is append-only at the database level, on both engines."""

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.utils import timezone

from labeling.models import ResponseVersion
from labeling.services.history import version_entry
from tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db


def _saved_version():
    response = ResponseFactory(status="submitted", values={"demonstration": {"value": "first"}})
    entry = version_entry(response, dataset_id=response.record.dataset_id, kind="submit", author=response.user,
                          now=timezone.now())
    entry.save(force_insert=True)
    return response, entry


def test_an_entry_holds_the_response_as_written_and_numbers_follow():
    response, entry = _saved_version()
    assert (entry.number, response.version) == (1, 1)
    assert entry.values == {"demonstration": {"value": "first"}}
    assert (entry.status, entry.respondent_id, entry.author_name) == ("submitted", response.user_id, response.user.username)


def test_the_database_refuses_to_change_a_version():
    _, entry = _saved_version()
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        ResponseVersion.objects.filter(pk=entry.pk).update(comment="rewritten")
    assert ResponseVersion.objects.get(pk=entry.pk).comment == ""


def test_history_outlives_its_response_and_goes_with_its_record():
    response, entry = _saved_version()
    record = response.record
    response.delete()
    assert ResponseVersion.objects.filter(pk=entry.pk).exists()
    record.delete()
    assert not ResponseVersion.objects.filter(pk=entry.pk).exists()
