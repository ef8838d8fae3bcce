"""Isolation cases for export and import jobs under /api/exports/ and /api/imports/ (issue 6; see registry.py).

Imports are uploaded as multipart forms, so POST /api/imports/ runs with two extra auth kinds that
send the case's body as a form with a small CSV file: the same API key and session as the others.
"""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from exports.models import ExportJob, ImportJob
from labeling.models import Dataset

from .registry import AUTH_KINDS, register, register_auth_kind, register_snapshot, world_object
from .world import SECRET, _rows

CSV = "prompt\nplanted\n"


class _MultipartClient:
    """Posts the case's JSON body as a multipart form; the `file` key carries the upload's text."""

    def __init__(self, client):
        self.client = client

    def generic(self, method, path, data="", content_type=None, **extra):
        assert method == "POST", "only uploads go through the multipart client"
        form = json.loads(data) if data else {}
        if "file" in form:
            form["file"] = SimpleUploadedFile("rows.csv", form["file"].encode(), content_type="text/csv")
        return self.client.post(path, form, format="multipart", **extra)


for kind in ("token", "session"):
    register_auth_kind(f"{kind}-multipart", lambda user, kind=kind: _MultipartClient(AUTH_KINDS[kind](user)))
MULTIPART = ("token-multipart", "session-multipart")


@world_object("export_job")
def _export_job(b):
    """A finished export of B's dataset, with a published file name, so a missing check would serve it."""
    job = ExportJob.objects.create(
        workspace=b.workspace, requested_by=b.admin, format="csv", status=ExportJob.Status.SUCCEEDED,
        token=f"{SECRET}-export", files={"data": f"exports/{SECRET}/data.csv", "report": f"exports/{SECRET}/report.json"},
    )
    job.datasets.set([b.dataset])
    return job


@world_object("import_job")
def _import_job(b):
    return ImportJob.objects.create(
        dataset=b.dataset, requested_by=b.admin, format="csv", status=ImportJob.Status.SUCCEEDED,
        source_name=f"{SECRET}.csv", token=f"{SECRET}-import", report=f"imports/{SECRET}/report.json",
    )


@register_snapshot
def _jobs_snapshot(b) -> dict:
    return {
        "export_jobs": _rows(ExportJob.objects.filter(workspace=b.workspace)),
        "export_job_datasets": _rows(ExportJob.datasets.through.objects.filter(dataset__workspace=b.workspace)),
        "import_jobs": _rows(ImportJob.objects.filter(dataset__workspace=b.workspace)),
    }


def _own_dataset(b) -> Dataset:
    return Dataset.objects.get(workspace=b.caller_workspace)


def _job(name):
    return lambda b: {"job_id": getattr(b, name).pk}


register("api/exports/", label="own", methods=("GET",))
register("api/exports/", label="filtered by B's dataset", methods=("GET",), reaches_b=False,
         query={"GET": lambda b: f"dataset={b.dataset.pk}"})
register("api/exports/", label="B's dataset", methods=("POST",),
         bodies={"POST": lambda b: {"datasets": [str(b.dataset.pk)], "format": "csv"}})
register("api/exports/", label="own and B's dataset", methods=("POST",),
         bodies={"POST": lambda b: {"datasets": [str(_own_dataset(b).pk), str(b.dataset.pk)], "format": "csv"}})
register("api/exports/<uuid:job_id>/", kwargs=_job("export_job"))
register("api/exports/<uuid:job_id>/download/", kwargs=_job("export_job"))
register("api/exports/<uuid:job_id>/download/", label="report", kwargs=_job("export_job"),
         query={"GET": lambda b: "file=report"})

register("api/imports/", label="own", methods=("GET",))
register("api/imports/", label="filtered by B's dataset", methods=("GET",), reaches_b=False,
         query={"GET": lambda b: f"dataset={b.dataset.pk}"})
register("api/imports/", label="into B's dataset", methods=("POST",), auth_kinds=MULTIPART,
         bodies={"POST": lambda b: {"dataset": str(b.dataset.pk), "file": CSV, "on_error": "skip"}})
register("api/imports/<uuid:job_id>/", kwargs=_job("import_job"))
register("api/imports/<uuid:job_id>/download/", kwargs=_job("import_job"))
