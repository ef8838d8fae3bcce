"""A routed dataset: metadata property `domain` (terms) routes records; labelers carry skills."""

import pytest

from accounts.models import Membership
from accounts.skills import skills_normalized
from labeling.models import Dataset, MetadataProperty, Record

from ..factories import DatasetFactory, MembershipFactory, UserFactory

DOMAINS = ["python", "biology", None]


@pytest.fixture
def routed_dataset(workspace):
    dataset = DatasetFactory(workspace=workspace, name="routed", min_submitted=2, routing_property="domain")
    MetadataProperty.objects.create(dataset=dataset, name="domain", title="Domain", type="terms",
                                    settings={"type": "terms", "values": None})
    return dataset


@pytest.fixture
def labeler(workspace):
    def make(username, skills=(), role=Membership.Role.ANNOTATOR):
        user = UserFactory(username=username)
        MembershipFactory(user=user, workspace=workspace, role=role, skills=skills_normalized(skills))
        return user

    return make


def add_records(dataset: Dataset, per_domain: int) -> dict:
    """`per_domain` records of each of DOMAINS, interleaved; returns {record id: domain}."""
    start = dataset.records.count()
    records = [
        Record(dataset=dataset, ordinal=start + n + 1, external_id=f"r{start + n}", fields={"prompt": f"Prompt {n}"},
               metadata={} if DOMAINS[n % 3] is None else {"domain": DOMAINS[n % 3]})
        for n in range(per_domain * len(DOMAINS))
    ]
    Record.objects.bulk_create(records)
    return {record.pk: record.metadata.get("domain") for record in records}
