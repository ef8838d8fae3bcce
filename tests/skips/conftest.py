import pytest

from accounts.models import Membership

from ..factories import MembershipFactory, RecordFactory, UserFactory


@pytest.fixture
def records(dataset):
    """Five records of the demo dataset (open distribution, one submitted response completes one), in order."""
    return [RecordFactory(dataset=dataset, fields={"prompt": f"Prompt number {i}"}) for i in range(1, 6)]


@pytest.fixture
def second_annotator(workspace):
    user = UserFactory(username="second")
    MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
    return user


@pytest.fixture
def api(api_client_for):
    """`api(user)`: helpers over an API client of `user` for next, skip and draft."""

    class Api:
        def __init__(self, user):
            self.client = api_client_for(user)

        def next(self, dataset, query=""):
            response = self.client.get(f"/api/datasets/{dataset.pk}/next/{query}")
            assert response.status_code in (200, 204), response.content
            return None if response.status_code == 204 else response.json()["id"]

        def skip(self, record_id, reason):
            return self.client.post(f"/api/records/{record_id}/skip/", {"reason": reason}, format="json")

        def answer(self, record_id, status, text="An answer."):
            return self.client.put(f"/api/records/{record_id}/response/",
                                   {"values": {"demonstration": text}, "status": status}, format="json")

    return Api
