"""The review stage's world: a dataset with review on, two labelers, a reviewer, answers waiting for review."""

import pytest

from accounts.models import Membership
from labeling.models import Dataset, Response

from ..factories import DatasetFactory, MembershipFactory, RecordFactory, UserFactory


@pytest.fixture
def reviewed_dataset(workspace):
    return DatasetFactory(workspace=workspace, name="reviewed", review=Dataset.Review.ALL, min_submitted=1)



@pytest.fixture
def labeler(workspace):
    user = UserFactory(username="lab")
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
    return user


@pytest.fixture
def submit(api_client_for):
    """Submit `text` as `user`'s answer to `record` through the API; return the stored response."""
    clients = {}

    def as_labeler(user, record, text="An answer.") -> Response:
        client = clients.setdefault(user.pk, api_client_for(user))
        answer = client.put(f"/api/records/{record.pk}/response/",
                            {"values": {"demonstration": text}, "status": "submitted"}, format="json")
        assert answer.status_code == 200, answer.content
        return Response.objects.get(record=record, user=user)

    return as_labeler


@pytest.fixture
def waiting(reviewed_dataset, labeler, submit):
    """A record of the reviewed dataset with the labeler's answer waiting for review."""
    record = RecordFactory(dataset=reviewed_dataset)
    response = submit(labeler, record, "The labeler's answer.")
    assert (response.review_status, response.version) == ("pending", 1)
    return response


def decide(client, response, **body):
    return client.post(f"/api/responses/{response.pk}/review/", body, format="json")
