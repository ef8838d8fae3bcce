"""Helpers for driving the Django admin as a browser would: logged-in clients and change-form data."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def client_for(db):
    """A test client logged in (by session) as the given user."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def admin_url(model, view: str, *args) -> str:
    """`admin_url(Dataset, "change", pk)` → /admin/labeling/dataset/<pk>/change/."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _post_value(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def form_data(response) -> dict:
    """The POST body a browser would send back from an admin add/change page, unchanged.

    Tests then edit it (`data["name"] = …`) to express only what the user types.
    """
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[form.add_prefix(name)] = _post_value(form[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _post_value(management[name].value())
        for row in formset.initial_forms:
            for name in row.fields:
                data[row.add_prefix(name)] = _post_value(row[name].value())
    return {key: value for key, value in data.items() if value != "False"}


def add_inline_row(data: dict, prefix: str, **values) -> None:
    """Append one new row to the inline formset `prefix` (e.g. "questions") of `form_data()`."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = _post_value(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


@pytest.fixture
def fill():
    """Add `n` records to a dataset, each with a suggestion, a response, an assignment and a claim."""
    from datetime import timedelta

    from django.utils import timezone

    from labeling.models import Claim
    from tests.factories import AssignmentFactory, RecordFactory, ResponseFactory, SuggestionFactory, UserFactory

    def make(dataset, n: int, *, labeler=None):
        labeler = labeler or UserFactory()
        now = timezone.now()
        records = RecordFactory.create_batch(n, dataset=dataset)
        for record in records:
            SuggestionFactory(record=record)
            ResponseFactory(record=record, user=labeler)
            AssignmentFactory(record=record, user=labeler)
            Claim.objects.create(record=record, user=labeler, claimed_at=now, expires_at=now + timedelta(minutes=5))
        return records

    return make
