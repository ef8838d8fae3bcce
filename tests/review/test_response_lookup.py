"""Who may reach a response by id: its labeler, and reviewers, admins and owners of its workspace."""

import pytest

from accounts.models import Membership
from config.errors import NotFound
from labeling.selectors.lookups import response_access
from tests.factories import MembershipFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def response():
    response = ResponseFactory(status="submitted")
    MembershipFactory(user=response.user, workspace=response.record.dataset.workspace)
    return response


@pytest.mark.parametrize("role", [Membership.Role.REVIEWER, Membership.Role.ADMIN])
def test_reviewers_and_admins_reach_any_response_of_their_workspace(response, role):
    reviewer = MembershipFactory(workspace=response.record.dataset.workspace, role=role).user
    access = response_access(user=reviewer, response_id=response.pk)
    assert access.response == response and access.can_review and not access.is_own


def test_a_labeler_reaches_their_own_response_only(response):
    assert response_access(user=response.user, response_id=response.pk).is_own
    other = MembershipFactory(workspace=response.record.dataset.workspace).user
    with pytest.raises(NotFound):
        response_access(user=other, response_id=response.pk)


def test_a_reviewer_of_another_workspace_gets_not_found(response):
    stranger = MembershipFactory(role=Membership.Role.REVIEWER).user
    with pytest.raises(NotFound):
        response_access(user=stranger, response_id=response.pk)
    with pytest.raises(NotFound):
        response_access(user=UserFactory(), response_id="not-a-uuid")
