"""The annotation loop's hand-written statements (`config.rows`) must give what the ORM gives, and the
access the lookups return must carry the caller's membership to the services, with nothing kept on the user."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from accounts import tenancy
from accounts.models import Membership
from accounts.selectors import user_for_api_key
from accounts.services import api_key_create
from config import rows
from config.errors import NotFound, PermissionDenied
from labeling.models import Claim, Record, Response
from labeling.selectors.lookups import dataset_access, dataset_access_for, record_access, record_access_for
from labeling.selectors.records import record_list, record_with_details
from labeling.services import claims as claim_services
from labeling.services import responses as response_services
from labeling.sql import writes as row_writes

from ..factories import AssignmentFactory, MembershipFactory, RecordFactory, SuggestionFactory, UserFactory


def _membership_reads(queries) -> list[str]:
    """Statements that read the membership table on their own (a lookup joins it; it does not read FROM it)."""
    table = connection.ops.quote_name(Membership._meta.db_table)
    return [q["sql"] for q in queries.captured_queries if f"FROM {table}" in q["sql"]]


def test_a_lookup_returns_the_callers_membership_with_the_dataset(annotator, dataset, django_assert_num_queries):
    with django_assert_num_queries(1):
        access = dataset_access(user=annotator, dataset_id=dataset.pk)

    with django_assert_num_queries(0):
        assert access.dataset == dataset and access.workspace_id == dataset.workspace_id
        assert access.membership.role == Membership.Role.ANNOTATOR and access.membership.user_id == annotator.pk
        assert access.user is annotator and not access.is_admin and access.quota is None
        with pytest.raises(PermissionDenied):
            access.require_admin()


def test_a_record_lookup_returns_the_membership_and_the_assignment(annotator, dataset, django_assert_num_queries):
    record = RecordFactory(dataset=dataset)
    AssignmentFactory(record=record, user=annotator)

    with django_assert_num_queries(1):
        access = record_access(user=annotator, record_id=record.pk)

    assert access.record == record and access.dataset == dataset and access.is_assigned
    assert access.membership.user_id == annotator.pk and not access.is_admin


def test_services_given_an_access_read_no_membership(annotator, dataset):
    RecordFactory(dataset=dataset)
    access = dataset_access(user=annotator, dataset_id=dataset.pk)

    with CaptureQueriesContext(connection) as queries:
        record = claim_services.record_claim_next(access=access)
        record = record_with_details(access=access, record=record)
    assert record is not None and _membership_reads(queries) == []

    access = record_access(user=annotator, record_id=record.pk)
    with CaptureQueriesContext(connection) as queries:
        response_services.response_write(access=access, values={"demonstration": "A"}, status="submitted")
    assert _membership_reads(queries) == []


def test_a_non_member_is_not_found(outsider, dataset):
    with pytest.raises(NotFound):
        dataset_access(user=outsider, dataset_id=dataset.pk)
    with pytest.raises(NotFound):
        dataset_access_for(user=outsider, dataset=dataset)
    with pytest.raises(NotFound):
        tenancy.access_get(outsider, dataset.workspace_id)


def test_a_lookup_stores_nothing_on_the_user(annotator, outsider, dataset):
    record = RecordFactory(dataset=dataset)
    before, outsider_before = dict(vars(annotator)), dict(vars(outsider))

    dataset_access(user=annotator, dataset_id=dataset.pk)
    record_access(user=annotator, record_id=record.pk)
    record_access_for(user=annotator, record=record)
    with pytest.raises(NotFound):
        dataset_access(user=outsider, dataset_id=dataset.pk)

    assert vars(annotator) == before and vars(outsider) == outsider_before


def test_a_second_lookup_for_another_user_is_not_influenced_by_the_first(admin, annotator, dataset):
    dataset.status = "draft"
    dataset.save()
    record = RecordFactory(dataset=dataset)

    assert dataset_access(user=admin, dataset_id=dataset.pk).is_admin
    with pytest.raises(NotFound):
        dataset_access(user=annotator, dataset_id=dataset.pk)
    assert record_access(user=admin, record_id=record.pk).is_admin
    assert not record_access_for(user=annotator, record=record).is_admin


def test_membership_writes_take_effect_on_the_next_access(admin, annotator, workspace, dataset):
    assert not dataset_access(user=annotator, dataset_id=dataset.pk).is_admin
    account_services.membership_remove(actor=admin, workspace=workspace, user=annotator)
    with pytest.raises(NotFound):
        tenancy.access_get(annotator, workspace.pk)

    account_services.membership_set(actor=admin, workspace=workspace, user=annotator, role=Membership.Role.ADMIN)
    assert tenancy.access_get(annotator, workspace.pk).is_admin
    assert dataset_access(user=annotator, dataset_id=dataset.pk).is_admin


def test_each_api_request_starts_without_remembered_memberships(admin, dataset, workspace):
    """A client that reuses one user object (force_authenticate does) must not act on the role a
    previous request read: dataset creation checks the role without a lookup of its own."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=admin)
    assert client.get(f"/api/datasets/{dataset.pk}/").status_code == 200
    Membership.objects.filter(user=admin, workspace=workspace).update(role=Membership.Role.ANNOTATOR)

    created = client.post("/api/datasets/", {"workspace": str(workspace.pk), "name": "late"}, format="json")

    assert created.status_code == 403
    assert not workspace.datasets.filter(name="late").exists()


@pytest.mark.parametrize("as_admin", [False, True])
def test_record_with_details_matches_record_list(as_admin, admin, annotator, workspace, dataset):
    other = UserFactory()
    MembershipFactory(user=other, workspace=workspace)
    record = RecordFactory(dataset=dataset)
    SuggestionFactory(record=record)
    response_services.response_write(
        access=record_access_for(user=annotator, record=record), values={"demonstration": "mine"}, status="draft"
    )
    response_services.response_write(
        access=record_access_for(user=other, record=record), values={"demonstration": "theirs"}, status="draft"
    )
    user = admin if as_admin else annotator

    detailed = record_with_details(access=dataset_access_for(user=user, dataset=dataset), record=record)
    listed = record_list(access=dataset_access_for(user=user, dataset=dataset)).get(pk=record.pk)

    def shape(item):
        return ([(s.pk, s.question.name, s.value, s.score) for s in item.visible_suggestions],
                [(r.pk, r.user_id, r.values, r.status, r.inserted_at) for r in item.visible_responses])

    assert shape(detailed) == shape(listed)
    assert len(detailed.visible_responses) == (2 if as_admin else 1)


def test_insert_and_update_statements_store_what_save_would(annotator, dataset):
    record = RecordFactory(dataset=dataset)
    response = Response(record=record, user=annotator, values={"demonstration": "first"}, status="draft")
    rows.execute(*row_writes.insert_statement(response))
    row_writes.mark_saved(response)
    assert not response._state.adding
    stored = Response.objects.get(pk=response.pk)
    assert (stored.values, stored.status) == ({"demonstration": "first"}, "draft")
    assert stored.inserted_at == response.inserted_at

    response.values, response.status = {"demonstration": "second"}, "submitted"
    rows.execute(*row_writes.update_statement(response, ["values", "status"]))
    stored = Response.objects.get(pk=response.pk)
    assert (stored.values, stored.status) == ({"demonstration": "second"}, "submitted")
    assert stored.inserted_at == response.inserted_at < stored.updated_at


def test_writes_executed_together_all_take_effect_in_one_statement_on_postgresql(annotator, dataset, is_postgres):
    first, second = RecordFactory(dataset=dataset), RecordFactory(dataset=dataset)
    now = timezone.now()
    Claim.objects.create(record=second, user=annotator, claimed_at=now, expires_at=now + timedelta(minutes=5))
    response = Response(record=first, user=annotator, values={"demonstration": "A"}, status="submitted")
    writes = [
        row_writes.insert_statement(response),
        (f"UPDATE {Record._meta.db_table} SET submitted_count = %s WHERE id = %s", [1, rows.pk_param(Record, first.pk)]),
        (f"DELETE FROM {Claim._meta.db_table} WHERE record_id = %s", [rows.pk_param(Record, second.pk)]),
    ]

    with CaptureQueriesContext(connection) as queries:
        row_writes.execute_together(writes)

    assert len(queries) == (1 if is_postgres else 3)
    assert Response.objects.get(pk=response.pk).values == {"demonstration": "A"}
    assert Record.objects.get(pk=first.pk).submitted_count == 1
    assert not Claim.objects.filter(record=second).exists()


def test_response_write_reads_the_started_time_from_the_claim(annotator, dataset):
    record = RecordFactory(dataset=dataset)
    claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset))
    claimed_at = timezone.now() - timedelta(minutes=3)
    Claim.objects.filter(record=record).update(claimed_at=claimed_at)

    response = response_services.response_write(
        access=record_access_for(user=annotator, record=record), values={"demonstration": "A"}, status="submitted"
    )

    assert Response.objects.get(pk=response.pk).started_at == claimed_at
    assert not Claim.objects.filter(record=record).exists()


def test_api_key_lookup_refuses_revoked_keys_and_inactive_users(annotator):
    key, secret = api_key_create(actor=None, user=annotator, name="k")
    user, found = user_for_api_key(secret)
    assert (user, found) == (annotator, key) and found.user == annotator

    annotator.is_active = False
    annotator.save()
    assert user_for_api_key(secret) is None
    annotator.is_active = True
    annotator.save()
    key.revoked_at = timezone.now()
    key.save()
    assert user_for_api_key(secret) is None


@pytest.mark.postgres
def test_the_loops_statements_are_prepared_once_per_connection(annotator, dataset):
    for _ in range(3):
        RecordFactory(dataset=dataset)
    for _ in range(3):
        record = claim_services.record_claim_next(access=dataset_access_for(user=annotator, dataset=dataset))
        response_services.response_write(
            access=record_access_for(user=annotator, record=record), values={"demonstration": "A"}, status="submitted"
        )

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert sum("SKIP LOCKED" in statement for statement in prepared) == 1, prepared
    assert sum(statement.startswith("SELECT r.submitted_count, r.status") for statement in prepared) == 1
    assert sum(statement.startswith("WITH w0 AS (INSERT") for statement in prepared) == 1
    assert not any("SAVEPOINT" in statement for statement in prepared), "the ORM's statements stay unprepared"
