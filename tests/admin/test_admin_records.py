"""Records and responses in the admin: validated like the API, read-only answers shown escaped."""

import json

from labeling.models import Dataset, Record, Response

from ..factories import DatasetFactory, RecordFactory, ResponseFactory
from .conftest import admin_url, form_data

INLINES = {f"{p}-{k}": "0" for p in ("suggestions", "responses") for k in ("TOTAL_FORMS", "INITIAL_FORMS")}


def test_admin_adds_a_record_to_a_ready_dataset(admin, dataset, client_for):
    RecordFactory(dataset=dataset, ordinal=7)
    data = {
        "dataset": str(dataset.pk),
        "external_id": "faq-1",
        "fields": json.dumps({"prompt": "How do I pay?"}),
        "metadata": json.dumps({"topic": "billing"}),
        **INLINES,
    }
    assert client_for(admin).post(admin_url(Record, "add"), data).status_code == 302
    record = Record.objects.get(external_id="faq-1")
    assert (record.dataset, record.ordinal, record.fields, record.metadata) == (
        dataset,
        8,
        {"prompt": "How do I pay?"},
        {"topic": "billing"},
    )


def test_record_fields_are_validated_and_nothing_changes(admin, dataset, client_for):
    record = RecordFactory(dataset=dataset)
    client = client_for(admin)
    data = form_data(client.get(admin_url(Record, "change", record.pk)))
    data["fields"] = json.dumps({"prompt": "ok", "unknown": "x"})
    response = client.post(admin_url(Record, "change", record.pk), data)
    assert response.status_code == 200 and "unknown: Unknown field &#x27;unknown&#x27;." in response.content.decode()
    data["fields"] = json.dumps({"prompt": 3})
    assert "Field values are strings." in client.post(admin_url(Record, "change", record.pk), data).content.decode()
    before = record.fields
    record.refresh_from_db()
    assert record.fields == before


def test_record_edit_goes_through_the_service(admin, dataset, client_for):
    record = RecordFactory(dataset=dataset)
    client = client_for(admin)
    data = form_data(client.get(admin_url(Record, "change", record.pk)))
    data["fields"] = json.dumps({"prompt": "Reworded"})
    assert client.post(admin_url(Record, "change", record.pk), data).status_code == 302
    record.refresh_from_db()
    assert record.fields == {"prompt": "Reworded"}


def test_records_cannot_be_added_to_a_draft(admin, workspace, client_for):
    draft = DatasetFactory(workspace=workspace, name="wip", status=Dataset.Status.DRAFT)
    data = {"dataset": str(draft.pk), "fields": json.dumps({"prompt": "x"}), "metadata": "{}", **INLINES}
    response = client_for(admin).post(admin_url(Record, "add"), data)
    assert "Publish the dataset &#x27;wip&#x27; before adding records." in response.content.decode()
    assert not Record.objects.filter(dataset=draft).exists()


def test_answers_are_shown_readable_and_escaped(admin, dataset, annotator, client_for):
    record = RecordFactory(dataset=dataset)
    ResponseFactory(record=record, user=annotator, values={"demonstration": "<script>alert(1)</script> héllo"})
    page = client_for(admin).get(admin_url(Record, "change", record.pk)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; héllo" in page
    assert "<script>alert(1)</script>" not in page


def test_deleting_a_submitted_response_reopens_the_record(admin, dataset, annotator, client_for):
    record = RecordFactory(dataset=dataset, status=Record.Status.COMPLETED, submitted_count=1)
    response = ResponseFactory(record=record, user=annotator)
    assert client_for(admin).post(admin_url(Response, "delete", response.pk), {"post": "yes"}).status_code == 302
    record.refresh_from_db()
    assert not Response.objects.filter(pk=response.pk).exists()
    assert (record.status, record.submitted_count) == ("pending", 0)


def test_search_matches_exact_external_id_prefix_or_record_id(admin, dataset, client_for):
    first = RecordFactory(dataset=dataset, external_id="faq-10")
    second = RecordFactory(dataset=dataset, external_id="faq-11")
    RecordFactory(dataset=dataset, external_id="other-1")
    client = client_for(admin)

    def found(term):
        return {r.pk for r in client.get(admin_url(Record, "changelist"), {"q": term}).context["cl"].result_list}

    assert found("faq-10") == {first.pk}
    assert found("faq-1*") == {first.pk, second.pk}
    assert found("faq-1") == set()
    assert found(str(second.pk)) == {second.pk}
