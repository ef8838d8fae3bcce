"""`labeling.sql.next_record`'s routing condition against the pure rule (`labeling.routing`): the records
the candidate and held statements can reach, in order, are the ORM's with `Routing.allows` applied, for
callers with and without skills, in fallback, over every shape a routing value takes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from labeling.models import Claim, Record
from labeling.routing import Routing
from labeling.sql.next_record import NextRecordStatements

from ..factories import DatasetFactory, RecordFactory, UserFactory

pytestmark = pytest.mark.django_db

VALUES = [None, "", "python", " Python ", "biology", ["biology", "python"], ["BIOLOGY"], [], [""], ["  ", "law"],
          "lang:de", 7, [7, "python"], {"nested": "python"}]
ROUTINGS = [
    Routing("domain", ("python",)),
    Routing("domain", ("biology", "lang:de")),
    Routing("domain", ()),
    Routing("domain", ("python",), fallback=True),
    Routing("domain", (), fallback=True),
    Routing("other", ("python",)),
]


@pytest.fixture
def routed(workspace):
    dataset = DatasetFactory(workspace=workspace, min_submitted=1)
    records = [RecordFactory(dataset=dataset, ordinal=n, metadata={} if value is None else {"domain": value})
               for n, value in enumerate([*VALUES, "missing-key"], start=1)]
    records[-1].metadata = {"topic": "python"}
    records[-1].save(update_fields=["metadata"])
    records[0].metadata = {"domain": None}
    records[0].save(update_fields=["metadata"])
    return dataset, list(Record.objects.filter(dataset=dataset).order_by("ordinal"))


def _walk(statements: NextRecordStatements, step) -> list:
    seen: list = []
    while (record := step(statements, seen)) is not None:
        seen.append(record.pk)
    return seen


@pytest.mark.parametrize("routing", ROUTINGS, ids=repr)
def test_candidates_follow_the_rule(routed, routing):
    dataset, records = routed
    statements = NextRecordStatements(actor=UserFactory(), dataset=dataset, now=timezone.now(), routing=routing)
    reached = _walk(statements, lambda s, seen: s.candidate(list(seen)))
    assert reached == [record.pk for record in records if routing.allows(record.metadata)]


@pytest.mark.parametrize("routing", ROUTINGS, ids=repr)
def test_held_claims_follow_the_rule(routed, routing):
    dataset, records = routed
    actor, now = UserFactory(), timezone.now()
    for record in records:
        Claim.objects.create(record=record, user=actor, claimed_at=now,
                             expires_at=now + timedelta(seconds=settings.CLAIM_TTL_SECONDS))
    statements = NextRecordStatements(actor=actor, dataset=dataset, now=now, routing=routing)
    reached = _walk(statements, lambda s, seen: s.held(list(seen), open_distribution=True))
    assert reached == [record.pk for record in records if routing.allows(record.metadata)]


def test_without_routing_every_record_is_reached(routed):
    dataset, records = routed
    statements = NextRecordStatements(actor=UserFactory(), dataset=dataset, now=timezone.now())
    assert _walk(statements, lambda s, seen: s.candidate(list(seen))) == [record.pk for record in records]
