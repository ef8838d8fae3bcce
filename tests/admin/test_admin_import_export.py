"""Export and import jobs started from the datasets admin (issue 6): the actions' forms render, a job
is created through the services and runs (eager Celery), foreign datasets are refused with nothing
stored, and a bad file is reported with nothing imported."""

import json

import pytest
from celery import current_app
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from exports.models import ExportJob, ImportJob
from labeling.models import Dataset, Record
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services.records import records_upsert
from labeling.services.responses import response_write

from .conftest import admin_url, messages_of

CHANGELIST = admin_url(Dataset, "changelist")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def eager_celery():
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def action(name: str, *datasets, apply: bool = False, **fields) -> dict:
    data = {"action": name, helpers.ACTION_CHECKBOX_NAME: [str(d.pk) for d in datasets], **fields}
    if apply:
        data["apply"] = "1"
    return data


EXPORT_OPTIONS = {"format": "sft-messages", "response_status": ["submitted"], "text_strategy": "all",
                  "rating_aggregate": "mean"}


@pytest.fixture
def answered(admin, annotator, dataset):
    access = dataset_access_for(user=admin, dataset=dataset)
    record = records_upsert(access=access, items=[{"fields": {"prompt": "Say hi"}}]).records[0]
    response_write(
        access=record_access_for(user=annotator, record=record), values={"demonstration": "Hi ✓"}, status="submitted"
    )
    return record


def test_the_datasets_changelist_offers_both_actions(client_for, admin, dataset):
    page = client_for(admin).get(CHANGELIST).content.decode()
    assert 'value="import_dataset_records"' in page and 'value="export_selected_datasets"' in page


def test_the_export_form_renders_with_the_selection(client_for, admin, dataset):
    response = client_for(admin).post(CHANGELIST, action("export_selected_datasets", dataset))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Export selected datasets" in page and "acme / demo" in page
    assert 'name="text_strategy"' in page and 'name="datasets"' not in page
    assert ExportJob.objects.count() == 0


def test_an_export_job_is_created_and_succeeds(
    client_for, admin, dataset, answered, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, action("export_selected_datasets", dataset, apply=True, **EXPORT_OPTIONS))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == admin_url(ExportJob, "change", job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.row_count == 1 and list(job.datasets.all()) == [dataset]
    assert job.requested_by == admin and job.options["text_strategy"] == "all"
    page = client.get(response["Location"])
    assert any("Export started" in m for m in messages_of(page))
    download = client.get(f"/api/exports/{job.pk}/download/")
    assert download.status_code == 200
    rows = [json.loads(line) for line in b"".join(download.streaming_content).decode().splitlines()]
    assert rows == [{"messages": [{"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "Hi ✓"}]}]


def test_a_refused_option_is_shown_on_the_form(client_for, admin, dataset):
    fields = {**EXPORT_OPTIONS, "demonstration_question": "nope"}
    response = client_for(admin).post(CHANGELIST, action("export_selected_datasets", dataset, apply=True, **fields))
    assert response.status_code == 400 and "nope" in response.content.decode()
    assert ExportJob.objects.count() == 0


def upload(dataset, name: str, content: bytes, **fields) -> dict:
    return action("import_dataset_records", dataset, apply=True, file=SimpleUploadedFile(name, content),
                  on_error="reject", **fields)


def test_the_import_form_renders_with_column_defaults(client_for, admin, dataset):
    response = client_for(admin).post(CHANGELIST, action("import_dataset_records", dataset))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    form = response.context["form"]
    assert [(f.name, f.initial) for f in form.target_fields()] == [
        ("column:prompt", "prompt"), ("column:external_id", "external_id")
    ]


def test_an_uploaded_csv_creates_records(client_for, admin, dataset, django_capture_on_commit_callbacks):
    client = client_for(admin)
    content = "text,external_id\nBonjour ✓,r1\nBye,r2\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, upload(dataset, "rows.csv", content, **{"column:prompt": "text"}))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == admin_url(ImportJob, "change", job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.created_count == 2 and job.dataset == dataset
    records = Record.objects.filter(dataset=dataset).order_by("ordinal")
    assert [(r.external_id, r.fields) for r in records] == [("r1", {"prompt": "Bonjour ✓"}), ("r2", {"prompt": "Bye"})]
    assert any("Import of rows.csv started" in m for m in messages_of(client.get(response["Location"])))


def test_a_bad_file_shows_its_error_and_imports_nothing(
    client_for, admin, dataset, django_capture_on_commit_callbacks
):
    client = client_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, upload(dataset, "rows.csv", b"question\nHello\n"))
    job = ImportJob.objects.get()
    job.refresh_from_db()
    assert job.status == "failed" and job.error
    assert escape(job.error) in client.get(response["Location"]).content.decode()
    assert Record.objects.count() == 0


def test_an_unknown_file_kind_is_refused_on_the_form(client_for, admin, dataset):
    response = client_for(admin).post(CHANGELIST, upload(dataset, "rows.txt", b"prompt\nHello\n"))
    assert response.status_code == 400 and "Say which format the file has" in response.content.decode()
    assert ImportJob.objects.count() == 0 and Record.objects.count() == 0


def test_an_upload_over_the_limit_is_refused(settings, client_for, admin, dataset):
    settings.FILE_UPLOAD_MAX_SIZE = 1024
    response = client_for(admin).post(CHANGELIST, upload(dataset, "big.csv", b"prompt\n" + b"x" * 4096 + b"\n"))
    assert response.status_code == 413 and "MiB limit" in response.content.decode()
    assert ImportJob.objects.count() == 0 and Record.objects.count() == 0


def test_import_needs_exactly_one_dataset(client_for, admin, workspace, dataset):
    second = Dataset.objects.create(workspace=workspace, name="second")
    response = client_for(admin).post(CHANGELIST, upload(dataset, "rows.csv", b"prompt\nHi\n") | {
        helpers.ACTION_CHECKBOX_NAME: [str(dataset.pk), str(second.pk)]}, follow=True)
    assert "Select exactly one dataset for this action." in messages_of(response)
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("name", ["export_selected_datasets", "import_dataset_records"])
def test_a_foreign_dataset_is_refused_and_nothing_changes(
    client_for, admin, dataset, other_dataset, name, django_capture_on_commit_callbacks
):
    data = upload(other_dataset, "rows.csv", b"prompt\nHi\n") if name == "import_dataset_records" else action(
        name, dataset, other_dataset, apply=True, **EXPORT_OPTIONS)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(CHANGELIST, data, follow=True)
    assert any("not yours to manage" in m for m in messages_of(response))
    assert ExportJob.objects.count() == 0 and ImportJob.objects.count() == 0
    assert Record.objects.count() == 0


def test_annotators_cannot_reach_the_actions(client_for, annotator, dataset):
    response = client_for(annotator).post(CHANGELIST, action("export_selected_datasets", dataset))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert ExportJob.objects.count() == 0
