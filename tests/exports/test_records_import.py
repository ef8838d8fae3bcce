"""File imports through /api/imports/ and `import_records` (DESIGN §4 validation, §5, §9 "Files")."""

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from exports.models import ImportJob
from labeling.models import Record


@pytest.fixture
def upload(admin, dataset, api_client_for, django_capture_on_commit_callbacks):
    """POST a file to /api/imports/ (the task runs in-process); return the response body and status."""

    def send(name, content: bytes, target=None, **form):
        client = api_client_for(admin)
        data = {"dataset": str((target or dataset).pk), "file": SimpleUploadedFile(name, content), **form}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/imports/", data, format="multipart")
        if response.status_code != 202:
            return response.status_code, response.json()
        return 202, client.get(f"/api/imports/{response.json()['id']}/").json()

    return send


def prompts(dataset):
    return list(Record.objects.filter(dataset=dataset).order_by("ordinal").values_list("fields__prompt", flat=True))


def parquet_bytes(rows: dict) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table(rows), buffer)
    return buffer.getvalue()


def test_csv_with_external_ids_and_metadata(dataset, upload):
    content = "prompt,external_id,metadata.topic\nHello ✓,a1,greeting\n\"Multi\nline\",a2,misc\n".encode()
    status, job = upload("prompts.csv", content)
    assert status == 202 and job["status"] == "succeeded", job
    assert (job["created_count"], job["updated_count"], job["skipped_count"]) == (2, 0, 0)
    assert prompts(dataset) == ["Hello ✓", "Multi\nline"]
    assert Record.objects.get(external_id="a2").metadata == {"topic": "misc"}


def test_reimport_updates_by_external_id(dataset, upload):
    upload("p.jsonl", b'{"prompt": "v1", "external_id": "x"}\n')
    status, job = upload("p.jsonl", b'{"prompt": "v2", "external_id": "x"}\n{"prompt": "new", "external_id": "y"}\n')
    assert (job["created_count"], job["updated_count"]) == (1, 1)
    assert prompts(dataset) == ["v2", "new"]


def test_json_array_and_the_api_record_shape(dataset, upload):
    rows = [{"fields": {"prompt": "nested"}, "metadata": {"k": 1}}, {"prompt": "flat", "metadata.k": 2}]
    status, job = upload("p.json", json.dumps(rows, indent=2).encode())
    assert job["status"] == "succeeded" and prompts(dataset) == ["nested", "flat"]


def test_parquet_import(dataset, upload):
    status, job = upload("p.parquet", parquet_bytes({"text": ["a", "b", "c"], "id": ["1", "2", "3"]}),
                         mapping=json.dumps({"text": "prompt", "id": "external_id"}))
    assert job["status"] == "succeeded" and job["created_count"] == 3
    assert prompts(dataset) == ["a", "b", "c"]


def test_integer_metadata_from_csv_text(rich_dataset, upload):
    status, job = upload("p.csv", b"prompt,level,lang\nx,3,fr\n", target=rich_dataset)
    assert job["status"] == "succeeded", job
    assert Record.objects.get(dataset=rich_dataset).metadata == {"level": 3, "lang": "fr"}


@pytest.mark.parametrize("name, content, message", [
    ("bad.csv", "prompt\ncaf\xe9\n".encode("latin-1"), "Line 2 is not valid UTF-8"),
    ("bad.jsonl", b'{"prompt": "ok"}\n{"prompt": "broken\n', "line 2: Not valid JSON"),
    ("bad.csv", b"external_id\nhello\n", "No column for the required field(s): prompt"),
    ("bad.csv", b"prompt,colour\nhello,red\n", "Unknown column(s): colour"),
    ("bad.jsonl", b'{"fields": {"prompt": "a", "colour": "red"}}\n', "1 row(s) of the file are invalid"),
    ("bad.json", b'[{"prompt": "a"}, {"prompt": ', "not valid JSON"),
    ("empty.csv", b"\n", "The CSV file is empty"),
])
def test_bad_files_import_nothing_and_say_why(dataset, upload, name, content, message):
    status, job = upload(name, content)
    assert status == 202 and job["status"] == "failed"
    rows = [f"line {row['line']}: {row['message']}" for row in job["error_details"].get("rows", [])]
    assert message in " ".join([job["error"], *rows])
    assert Record.objects.filter(dataset=dataset).count() == 0


def test_bad_rows_are_listed_with_line_numbers(dataset, upload):
    content = b'{"prompt": "ok"}\n{"prompt": 3}\n\n{"prompt": "ok", "external_id": "e"}\n{"prompt": "again", "external_id": "e"}\n'
    status, job = upload("p.jsonl", content)
    assert job["status"] == "failed" and Record.objects.count() == 0
    assert job["error_details"]["rows"] == [
        {"line": 2, "field": "prompt", "message": "Field values are strings."},
        {"line": 5, "field": "external_id", "message": "external_id 'e' repeats line 4."},
    ]
    status, job = upload("p.jsonl", content, on_error="skip")
    assert job["status"] == "succeeded" and (job["created_count"], job["skipped_count"]) == (2, 2)
    assert prompts(dataset) == ["ok", "ok"]


def test_report_download(dataset, upload, admin, outsider, api_client_for):
    status, job = upload("p.jsonl", b'{"prompt": "x"}\n{"oops": 1}\n', on_error="skip")
    response = api_client_for(admin).get(f"/api/imports/{job['id']}/download/")
    assert response["Content-Type"] == "application/json" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="import-report.json"'
    report = json.loads(b"".join(response.streaming_content))
    assert report["created"] == 1 and report["details"]["rows"][0]["line"] == 2
    assert api_client_for(outsider).get(f"/api/imports/{job['id']}/download/").status_code == 404
    assert api_client_for(outsider).get(f"/api/imports/{job['id']}/").status_code == 404


def test_upload_over_the_size_limit_is_refused(settings, dataset, upload):
    settings.FILE_UPLOAD_MAX_SIZE = 1024
    status, body = upload("big.csv", b"prompt\n" + b"x" * 4096 + b"\n")
    assert status == 413 and body["error"]["code"] == "file_too_large" and "1024" not in body["error"]["message"]
    assert ImportJob.objects.count() == 0 and Record.objects.count() == 0


def test_import_into_another_workspace_is_not_found(other_dataset, upload):
    status, body = upload("p.csv", b"prompt\nx\n", target=other_dataset)
    assert status == 404 and ImportJob.objects.count() == 0


def test_unknown_format_is_refused(upload):
    status, body = upload("p.xlsx", b"PK...")
    assert status == 400 and "Say which format" in body["error"]["message"]


def test_import_records_command(admin, dataset, tmp_path, capsys):
    path = tmp_path / "prompts.csv"
    path.write_text("text,ref\nfirst,r1\nsecond,r2\n", encoding="utf-8")
    call_command("import_records", "acme/demo", str(path), "--map", "text=prompt", "--map", "ref=external_id",
                 "--user", admin.username)
    assert "2 created, 0 updated" in capsys.readouterr().out
    assert prompts(dataset) == ["first", "second"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "x"}\n{"prompt": ""}\n', encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_records", "acme/demo", str(bad), "--user", admin.username)
    assert "line 2: prompt: This field is required." in capsys.readouterr().err
    with pytest.raises(CommandError, match="not found"):
        call_command("import_records", "other/theirs", str(path), "--user", admin.username)
