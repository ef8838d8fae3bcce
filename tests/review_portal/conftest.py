"""A small review world: a reviewer, labelers, and answers with a written history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from labeling.models import Response
from labeling.selectors.lookups import record_access_for
from labeling.services.history import version_entry
from labeling.services.responses import response_write

from ..factories import MembershipFactory, RecordFactory, ResponseFactory, UserFactory


@pytest.fixture
def make_labelers(workspace):
    """`make_labelers(n, prefix)`: n annotators of the workspace named prefix0, prefix1, ..."""

    def make(n, prefix="lab"):
        users = [UserFactory(username=f"{prefix}{i}") for i in range(n)]
        for user in users:
            MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
        return users

    return make


@pytest.fixture
def review_dataset(dataset):
    dataset.review = "all"
    dataset.save(update_fields=["review"])
    return dataset


def history_entry(response, *, kind, author, at, comment="", reviewed_number=None):
    """Append one entry to `response`'s history as it stands (the response saved with its new version)."""
    entry = version_entry(response, dataset_id=response.record.dataset_id, kind=kind, author=author, now=at,
                          comment=comment, reviewed_number=reviewed_number)
    entry.save(force_insert=True)
    response.save(update_fields=["version", "values", "status", "review_status"])
    return entry


def submitted_answer(dataset, labeler, *, text="An answer.", at=None, record=None):
    """A submitted answer waiting for review, with its "submit" entry written at `at`."""
    at = at or timezone.now()
    record = record or RecordFactory(dataset=dataset)
    response = ResponseFactory(record=record, user=labeler, values={"demonstration": text},
                               started_at=at - timedelta(seconds=90), submitted_at=at,
                               review_status=Response.ReviewStatus.PENDING)
    history_entry(response, kind="submit", author=labeler, at=at)
    return response


def decide(response, *, kind, reviewer, at, comment="", values=None):
    """Write a reviewer's decision on the response's latest version, as the review services leave it."""
    reviewed = response.version
    if kind == "reject":
        response.status, response.review_status = Response.Status.DRAFT, Response.ReviewStatus.REJECTED
    else:
        response.review_status = Response.ReviewStatus.ACCEPTED
    if values is not None:
        response.values = values
    return history_entry(response, kind=kind, author=reviewer, at=at, comment=comment, reviewed_number=reviewed)


def submit(user, record, text="An answer."):
    """`user` submits `text` to `record` through the labeler's write path; the stored response."""
    access = record_access_for(user=user, record=record)
    return response_write(access=access, values={"demonstration": text}, status=Response.Status.SUBMITTED)


@pytest.fixture
def urls():
    """URL builders for the review pages."""

    class Urls:
        @staticmethod
        def queue(dataset):
            return reverse("portal:review", args=[dataset.pk])

        @staticmethod
        def record(record):
            return reverse("portal:review_record", args=[record.dataset_id, record.pk])

        @staticmethod
        def skip(record):
            return reverse("portal:review_skip", args=[record.dataset_id, record.pk])

        @staticmethod
        def decide(response, dataset=None):
            dataset_id = dataset.pk if dataset is not None else response.record.dataset_id
            return reverse("portal:review_decide", args=[dataset_id, response.pk])

    return Urls
