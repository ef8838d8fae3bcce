"""Portal pages for workspace admins: start exports and imports, watch them, download (DESIGN §5, §6).

Jobs and datasets come through the tenancy-scoped selectors: another workspace's dataset or job is a
404, a user who administers no workspace gets a 403. The services check the rest (access to every
dataset, options against the schema) and their errors are shown on the form (STYLE §4). The progress
bars are refreshed by static/portal/jobs.js from the JSON API (`/api/exports/<id>/`), with the session.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from config.errors import DomainError, NotFound
from labeling.access import DatasetAccess
from labeling.selectors.lookups import dataset_with_schema
from labeling.views import administered_access

from . import selectors
from .forms import ExportForm, import_form, show_error
from .pipeline.preview import PREVIEW_ROWS, Preview
from .services import export_jobs, import_jobs
from .uploads import SizeLimitUploadHandler

EXPORT_JOBS_PER_PAGE = 20
IMPORT_JOBS_PER_PAGE = 10
# Bad rows shown per import on the page; the downloadable report has up to MAX_REPORTED_ROWS.
BAD_ROWS_SHOWN = 20
def _require_admin(request) -> None:
    if not selectors.administers_any_workspace(user=request.user):
        raise PermissionDenied("Only workspace admins export and import data.")


def _page(request, queryset, per_page: int):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@login_required
@require_http_methods(["GET", "POST"])
def exports_page(request):
    """Start an export of one or several administered datasets, or preview its first rows and row count; the
    user's export jobs with progress and files. `?dataset=<id>` (the links from a dataset) pre-selects it."""
    _require_admin(request)
    datasets = selectors.administered_datasets(user=request.user, with_schema=True)
    if request.method == "POST":
        form = ExportForm(request.POST, datasets=datasets)
    else:
        chosen = request.GET.get("dataset")
        form = ExportForm(initial={"datasets": [str(d.pk) for d in datasets if str(d.pk) == chosen]}, datasets=datasets)
    status, preview = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            request_args = {"dataset_ids": form.cleaned_data["datasets"], "format": form.cleaned_data["format"],
                            "options": form.options()}
            try:
                if "preview" in request.POST:
                    preview = selectors.export_preview(user=request.user, **request_args)
                    status = 200
                else:
                    export_jobs.export_job_create(actor=request.user, **request_args)
                    messages.success(request, "Export started. Its file appears below when it is ready.")
                    return redirect("exports:exports")
            except NotFound:
                raise Http404("Dataset not found.") from None
            except DomainError as error:
                status = show_error(form, error)
    jobs = _page(request, selectors.export_job_list(user=request.user), EXPORT_JOBS_PER_PAGE)
    return render(request, "portal/exports.html", {
        "form": form, "jobs": jobs, "has_datasets": bool(datasets), "preview": preview and _preview_table(preview),
    }, status=status)


def _preview_table(preview: Preview) -> dict:
    """The preview as the page shows it: per file, its row count and first rows, as JSON texts or table cells."""
    files = []
    for role, rows in preview.rows.items():
        if preview.columns:
            rows = [["" if row[c] is None else row[c] if isinstance(row[c], str) else json.dumps(row[c], ensure_ascii=False)
                     for c in preview.columns] for row in rows]
        files.append({"role": role, "count": preview.counts[role], "rows": rows})
    return {"count": preview.count, "columns": preview.columns, "files": files, "limit": PREVIEW_ROWS}


@login_required
@require_GET
def imports_page(request):
    """The administered datasets to import into, and the latest imports with their progress."""
    _require_admin(request)
    datasets = selectors.administered_datasets(user=request.user)
    jobs = _page(request, selectors.import_job_list(user=request.user), IMPORT_JOBS_PER_PAGE)
    return render(request, "portal/imports.html", {"datasets": datasets, "jobs": jobs, "bad_rows_shown": BAD_ROWS_SHOWN})


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def dataset_import_page(request, dataset_id):
    """Upload a file of records into one dataset, with its column mapping; that dataset's imports.

    The size limit is installed before anything reads the body, CSRF check included (which is why
    the check runs inside, in `_dataset_import`): an oversized upload stops at the limit, not on disk.
    """
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    try:
        return _dataset_import(request, dataset_id)
    except DomainError as error:  # raised by the size limit while the body is parsed
        return _dataset_import_render(request, _import_access(request, dataset_id).dataset, None, error=error)


@csrf_protect
def _dataset_import(request, dataset_id):
    access = _import_access(request, dataset_id)
    dataset = access.dataset
    form = None
    if request.method == "POST":
        form = import_form(dataset, request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                import_jobs.import_job_create(
                    access=access, file=upload, filename=upload.name,
                    format=form.cleaned_data["format"] or None, mapping=form.mapping(),
                    on_error=form.cleaned_data["on_error"],
                )
            except DomainError as error:
                return _dataset_import_render(request, dataset, form, error=error)
            messages.success(request, f"Import of {upload.name} started.")
            return redirect("exports:dataset_import", dataset_id=dataset.pk)
    return _dataset_import_render(request, dataset, form, status=400 if form is not None else 200)


def _import_access(request, dataset_id) -> DatasetAccess:
    """The caller's access to the dataset, its schema loaded: 404 outside the user's workspaces, 403 for its
    annotators."""
    access = administered_access(request, dataset_id, refusal="Only admins of this workspace import records.")
    dataset_with_schema(access.dataset)
    return access


def _dataset_import_render(request, dataset, form, *, error: DomainError | None = None, status: int = 200):
    if error is not None:
        status = error.http_status
    jobs = _page(request, selectors.import_job_list(user=request.user, dataset_id=dataset.pk), IMPORT_JOBS_PER_PAGE)
    return render(request, "portal/imports_dataset.html", {
        "dataset": dataset, "form": form or import_form(dataset), "error": error, "jobs": jobs,
        "bad_rows_shown": BAD_ROWS_SHOWN,
    }, status=status)
