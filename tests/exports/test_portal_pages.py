"""Portal pages for exports and imports (DESIGN §5, §6): render at constant query counts, start jobs
end to end (eager Celery), 404 for other workspaces' datasets and jobs, 403 for annotators."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from exports.models import ExportJob, ImportJob
from exports.services import export_jobs
from labeling.models import Record

from ..factories import DatasetFactory, FieldFactory, MetadataPropertyFactory, QuestionFactory

EXPORTS, IMPORTS = "/exports/", "/imports/"


def import_url(dataset) -> str:
    return f"/datasets/{dataset.pk}/import/"


def export_form(*datasets, **fields) -> dict:
    return {"datasets": [str(d.pk) for d in datasets], "format": "sft-messages", "response_status": ["submitted"],
            "text_strategy": "all", "rating_aggregate": "mean", **fields}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- constant query counts --------------------------------------------------------------------------


def _add_jobs(admin, workspace, dataset, n: int) -> None:
    for i in range(n):
        extra = DatasetFactory(workspace=workspace, name=f"extra-{ExportJob.objects.count()}")
        export_jobs.export_job_create(actor=admin, dataset_ids=[dataset.pk, extra.pk], format="csv", enqueue=False)
        ImportJob.objects.create(
            dataset=dataset, requested_by=admin, format="csv", source_name=f"f{i}.csv", status="failed",
            error="2 of 3 rows are invalid.", error_details={"rows": [{"line": 2, "field": "prompt", "message": "bad"}]},
        )


@pytest.mark.parametrize("url", [EXPORTS, IMPORTS, "dataset import"])
def test_pages_run_a_constant_number_of_queries(login, admin, workspace, dataset, url, django_assert_num_queries):
    client = login(admin)
    url = import_url(dataset) if url == "dataset import" else url
    _add_jobs(admin, workspace, dataset, 2)
    small = _queries(client, url)
    _add_jobs(admin, workspace, dataset, 8)
    with django_assert_num_queries(small):
        page = client.get(url)
    assert page.status_code == 200 and page.content.count(b"data-job=") == 10


def test_home_page_links_admins_to_their_pages(login, admin, annotator, dataset, other_dataset):
    page = login(admin).get("/").content.decode()
    assert f'href="{EXPORTS}"' in page and f'href="{IMPORTS}"' in page
    assert f'href="/datasets/{dataset.pk}/dashboard/"' in page and f'href="{import_url(dataset)}"' in page
    page = login(annotator).get("/").content.decode()
    assert EXPORTS not in page and IMPORTS not in page and "/dashboard/" not in page and "/import/" not in page


# --- exports ------------------------------------------------------------------------------------------


@pytest.fixture
def answered(dataset, labelers, add_records, answer):
    (record,) = add_records(dataset, ["What is 2+2?"])
    answer(labelers[0], record, demonstration="4")
    return record


def test_start_an_export_and_download_it(login, admin, dataset, answered, django_capture_on_commit_callbacks):
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORTS, export_form(dataset, system_prompt="Be brief.", dedupe="on"))
    assert response.status_code == 302 and response["Location"] == EXPORTS
    job = ExportJob.objects.get()
    assert job.status == "succeeded" and job.row_count == 1
    assert job.options["system_prompt"] == "Be brief." and job.options["dedupe"] is True

    page = client.get(EXPORTS).content.decode()
    assert "Export started" in page and f'data-job="/api/exports/{job.pk}/"' in page
    download = f"/api/exports/{job.pk}/download/?file=data"
    assert f'href="{download}"' in page
    body = b"".join(client.get(download).streaming_content).decode()
    assert '"content": "Be brief."' in body and '"content": "4"' in body


def test_export_options_reach_the_service(login, admin, dataset, answered, django_capture_on_commit_callbacks):
    form = export_form(dataset, format="csv", completed_only="on", test_size="0.5", split_seed="3",
                       metadata_filter='{"topic": ["a", "b"]}', text_strategy="longest")
    with django_capture_on_commit_callbacks(execute=True):
        assert login(admin).post(EXPORTS, form).status_code == 302
    options = ExportJob.objects.get().options
    assert options["completed_only"] is True and options["test_size"] == 0.5 and options["split_seed"] == 3
    assert options["metadata_filter"] == {"topic": ["a", "b"]} and options["text_strategy"] == "longest"


def test_a_bad_option_is_shown_on_its_input(login, admin, dataset):
    response = login(admin).post(EXPORTS, export_form(dataset, text_strategy="best_rated"))
    assert response.status_code == 400
    assert "needs 'rating_question'" in response.context["form"].errors["rating_question"][0]
    # "context" is offered (another dataset has it), but the chosen dataset lacks it: the service says so.
    FieldFactory(dataset=DatasetFactory(workspace=dataset.workspace, name="wider"), name="context")
    response = login(admin).post(EXPORTS, export_form(dataset, prompt_field="context"))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Dataset 'acme/demo' has no field 'context'."]
    response = login(admin).post(EXPORTS, export_form(dataset, prompt_field="nope"))
    assert response.status_code == 400 and "not one of the available choices" in response.context["form"].errors["prompt_field"][0]
    assert ExportJob.objects.count() == 0


def test_the_form_offers_the_datasets_own_schema(login, admin, dataset, workspace):
    MetadataPropertyFactory(dataset=dataset, name="topic")
    other = DatasetFactory(workspace=workspace, name="chat")
    FieldFactory(dataset=other, name="context")
    QuestionFactory(dataset=other, name="answer")
    form = login(admin).get(EXPORTS).context["form"]
    ids = f"{other.pk} {dataset.pk}"  # datasets by workspace, then name
    assert form.fields["prompt_field"].choices == [("", "Default: the only field"), ("prompt", "prompt"), ("context", "context")]
    assert [v for v, _ in form.fields["demonstration_question"].choices] == ["", "demonstration", "answer"]
    assert [v for v, _ in form.fields["rating_question"].choices] == ["", "quality"]
    assert [v for v, _ in form.fields["stratify_by"].choices] == ["", "topic"]
    page = login(admin).get(EXPORTS).content.decode()
    assert f'<option value="prompt" data-datasets="{ids}">prompt</option>' in page
    assert f'<option value="context" data-datasets="{other.pk}">context</option>' in page
    assert '<select name="group_by"' in page and '<select name="stratify_by"' in page
    assert '<textarea name="metadata_filter" cols="40" rows="2" placeholder="{&quot;topic&quot;: &quot;maths&quot;}" ' in page
    assert ">null</textarea>" not in page and 'type="number" name="test_size"' in page


def test_opened_from_a_dataset_it_is_preselected(login, admin, dataset, workspace, other_dataset):
    second = DatasetFactory(workspace=workspace, name="second")
    client = login(admin)
    assert client.get(EXPORTS, {"dataset": str(second.pk)}).context["form"]["datasets"].value() == [str(second.pk)]
    assert client.get(EXPORTS, {"dataset": str(other_dataset.pk)}).context["form"]["datasets"].value() == []
    assert client.get(EXPORTS, {"dataset": "not-an-id"}).status_code == 200
    home = client.get("/").content.decode()
    dashboard = client.get(f"/datasets/{dataset.pk}/dashboard/").content.decode()
    assert f'href="{EXPORTS}?dataset={dataset.pk}"' in home and f'href="{EXPORTS}?dataset={dataset.pk}"' in dashboard


def test_preview_shows_the_first_rows_and_the_count_and_starts_nothing(login, admin, dataset, labelers, add_records,
                                                                          answer):
    for i, record in enumerate(add_records(dataset, [f"Prompt {i}" for i in range(7)])):
        answer(labelers[0], record, demonstration=f"Answer {i}")
    response = login(admin).post(EXPORTS, export_form(dataset, format="sft-prompt-completion", preview="1"))
    assert response.status_code == 200 and ExportJob.objects.count() == 0
    page = response.content.decode()
    assert "<span data-preview-count>7</span> rows" in page
    assert page.count("<li><pre>") == 5 and escape('{"prompt": "Prompt 0", "completion": "Answer 0"}') in page
    assert "Prompt 5" not in page

    response = login(admin).post(EXPORTS, export_form(dataset, format="csv", preview="1", test_size="0.3"))
    page = response.content.decode()
    assert response.status_code == 200 and "<th scope=\"col\">split</th>" in page and "<td>Answer 0</td>" in page
    assert ExportJob.objects.count() == 0


def test_preview_refuses_bad_options_beside_their_input(login, admin, dataset):
    MetadataPropertyFactory(dataset=dataset, name="topic")
    response = login(admin).post(EXPORTS, export_form(dataset, stratify_by="topic", preview="1"))
    assert response.status_code == 400 and b"data-preview-count" not in response.content
    assert response.context["form"].errors["stratify_by"] == [
        "'stratify_by' keeps category shares in a split: set 'test_size' too."
    ]
    assert ExportJob.objects.count() == 0


def test_preview_runs_a_constant_number_of_queries(login, admin, dataset, labelers, add_records, answer):
    client = login(admin)

    def preview_queries(n):
        for record in add_records(dataset, [f"More {Record.objects.count()}-{i}" for i in range(n)]):
            answer(labelers[0], record, demonstration="yes")
        with CaptureQueriesContext(connection) as queries:
            assert client.post(EXPORTS, export_form(dataset, preview="1")).status_code == 200
        return len(queries)

    assert preview_queries(2) == preview_queries(10)


def test_half_a_minimum_rating_is_refused(login, admin, dataset):
    response = login(admin).post(EXPORTS, export_form(dataset, min_rating_question="quality"))
    assert response.status_code == 400 and "min_rating_value" in response.context["form"].errors
    assert ExportJob.objects.count() == 0


def test_another_workspaces_dataset_is_not_found(login, admin, dataset, other_dataset):
    response = login(admin).post(EXPORTS, export_form(dataset, other_dataset))
    assert response.status_code == 404 and ExportJob.objects.count() == 0
    assert str(other_dataset.pk) not in login(admin).get(EXPORTS).content.decode()


def test_other_workspaces_jobs_are_not_listed(login, admin, outsider, dataset, other_dataset):
    export_jobs.export_job_create(actor=outsider, dataset_ids=[other_dataset.pk], format="csv", enqueue=False)
    assert b"data-job=" not in login(admin).get(EXPORTS).content


# --- imports ------------------------------------------------------------------------------------------


def upload(client, dataset, name, content: bytes, **fields):
    return client.post(import_url(dataset), {"file": SimpleUploadedFile(name, content), "on_error": "reject", **fields})


def test_import_with_a_column_mapping(login, admin, dataset, django_capture_on_commit_callbacks):
    MetadataPropertyFactory(dataset=dataset, name="topic")
    client = login(admin)
    form = client.get(import_url(dataset)).context["form"]
    assert [(f.name, f.initial) for f in form.target_fields()] == [
        ("column:prompt", "prompt"), ("column:external_id", "external_id"), ("column:metadata.topic", "topic")
    ]
    content = b"text,id,topic,note\nHello,r1,greetings,x\nBye,r2,farewells,y\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, dataset, "rows.csv", content, **{"column:prompt": "text", "column:external_id": "id",
                                                                   "column:metadata.topic": "topic", "ignore": "note"})
    assert response.status_code == 302 and response["Location"] == import_url(dataset)
    job = ImportJob.objects.get()
    assert job.status == "succeeded" and job.mapping == {"text": "prompt", "id": "external_id", "note": None}
    records = Record.objects.filter(dataset=dataset).order_by("ordinal")
    assert [(r.external_id, r.fields, r.metadata) for r in records] == [
        ("r1", {"prompt": "Hello"}, {"topic": "greetings"}), ("r2", {"prompt": "Bye"}, {"topic": "farewells"}),
    ]
    page = client.get(import_url(dataset)).content.decode()
    assert "Import of rows.csv started" in page and "2 created · 0 updated · 0 skipped" in page
    assert f'href="/api/imports/{job.pk}/download/"' in page


def test_bad_rows_are_listed_with_their_line_numbers(login, admin, dataset, django_capture_on_commit_callbacks):
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, dataset, "rows.jsonl", b'{"prompt": "ok"}\n{"prompt": "fine"}\n{"oops": 1}\n', on_error="skip")
    job = ImportJob.objects.get()
    assert job.status == "succeeded" and job.skipped_count == 1
    page = client.get(import_url(dataset)).content.decode()
    assert "2 created · 0 updated · 1 skipped" in page
    assert "<li>Line 3" in page
    assert Record.objects.filter(dataset=dataset).count() == 2


def test_a_rejected_import_writes_nothing_and_says_why(login, admin, dataset, django_capture_on_commit_callbacks):
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, dataset, "rows.jsonl", b'{"prompt": "ok"}\n{"oops": 1}\n')
    job = ImportJob.objects.get()
    assert job.status == "failed" and Record.objects.count() == 0
    page = client.get(IMPORTS).content.decode()
    assert escape(job.error) in page and "<li>Line 2" in page


def test_an_upload_over_the_limit_stops_at_the_limit(settings, login, admin, dataset):
    settings.FILE_UPLOAD_MAX_SIZE = 1024
    response = upload(login(admin), dataset, "big.csv", b"prompt\n" + b"x" * 4096 + b"\n")
    assert response.status_code == 413 and "MiB limit" in response.content.decode()
    assert ImportJob.objects.count() == 0 and Record.objects.count() == 0


def test_a_draft_dataset_is_refused_on_the_form(login, admin, workspace):
    draft = DatasetFactory(workspace=workspace, name="draft", status="draft")
    response = upload(login(admin), draft, "rows.csv", b"prompt\nx\n")
    assert response.status_code == 409 and "Publish the dataset" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_upload_form_checks_csrf(admin, dataset):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert upload(client, dataset, "rows.csv", b"prompt\nx\n").status_code == 403
    assert ImportJob.objects.count() == 0


def test_another_workspaces_dataset_cannot_be_imported_into(login, admin, other_dataset):
    client = login(admin)
    assert client.get(import_url(other_dataset)).status_code == 404
    assert upload(client, other_dataset, "rows.csv", b"prompt\nx\n").status_code == 404
    assert ImportJob.objects.count() == 0


# --- annotators ---------------------------------------------------------------------------------------


def test_annotators_are_refused(login, annotator, dataset):
    client = login(annotator)
    assert client.get(EXPORTS).status_code == 403
    assert client.post(EXPORTS, export_form(dataset)).status_code == 403
    assert client.get(IMPORTS).status_code == 403
    assert client.get(import_url(dataset)).status_code == 403
    assert upload(client, dataset, "rows.csv", b"prompt\nx\n").status_code == 403
    assert ExportJob.objects.count() == 0 and ImportJob.objects.count() == 0


def test_an_admin_elsewhere_cannot_export_a_dataset_they_annotate(login, annotator, dataset, other_workspace):
    from accounts.models import Membership

    from ..factories import MembershipFactory

    MembershipFactory(user=annotator, workspace=other_workspace, role=Membership.Role.ADMIN)
    response = login(annotator).post(EXPORTS, export_form(dataset))
    assert response.status_code == 403 and ExportJob.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, dataset):
    for url in (EXPORTS, IMPORTS, import_url(dataset)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
