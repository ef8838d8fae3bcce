"""Dataset admin actions that start export and import jobs (issue 6; DESIGN §5, §6).

"Export selected datasets…" and "Import records…" (one dataset) take two steps on the datasets
changelist, like the distribution actions in `labeling/admin_actions.py`: the action menu's POST shows
an intermediate page with the portal's form (`exports/forms.py`), which posts back with `apply`. A valid
form goes to one service (`export_job_create` / `import_job_create`), which checks access and options
as it does for the API and the portal; its refusal is shown on the form and nothing is stored. Once the
job exists, the admin is sent to the job's (read-only) admin page, where its status, progress, counts,
error and file link are shown.

Selections come from the changelist's scoped queryset: a posted id outside the user's workspaces
refuses the whole action. The import upload is parsed by the changelist before the action runs, so
the size limit is enforced by the service (FileTooLarge) rather than while the body streams in, as the
portal's upload page does.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from config.errors import DomainError
from labeling.admin_actions import APPLY, one_dataset, render_action_form, selection_refused
from labeling.selectors.lookups import dataset_access_for, dataset_with_schema

from .forms import ExportForm, import_form, show_error
from .services import export_jobs, import_jobs


class AdminExportForm(ExportForm):
    """The portal's export form without its dataset choice: the changelist selection is the datasets, and
    its schema gives the menus' choices."""

    def __init__(self, *args, datasets, **kwargs):
        super().__init__(*args, datasets=datasets, **kwargs)
        del self.fields["datasets"]


def _job_url(job) -> str:
    return reverse(f"admin:exports_{job._meta.model_name}_change", args=[job.pk])


def _started(modeladmin, request, job, what: str) -> HttpResponseRedirect:
    url = _job_url(job)
    modeladmin.message_user(
        request, format_html('{} started: <a href="{}">follow its progress</a>.', what, url), messages.SUCCESS
    )
    return HttpResponseRedirect(url)


def _render(modeladmin, request, *, error: DomainError | None = None, status: int = 200, **page):
    return render_action_form(modeladmin, request, status=error.http_status if error else status, **page)


@admin.action(description="Export selected datasets…", permissions=["change"])
def export_selected_datasets(modeladmin, request, queryset):
    """Export the selected datasets into one file, with the format and options of DESIGN §5."""
    if selection_refused(modeladmin, request, queryset, "datasets"):
        return None
    datasets = list(queryset.select_related("workspace").prefetch_related("fields", "questions", "metadata_properties")
                    .order_by("workspace__name", "name"))
    form = AdminExportForm(request.POST if APPLY in request.POST else None, datasets=datasets)
    error = None
    if form.is_bound and form.is_valid():
        try:
            job = export_jobs.export_job_create(
                actor=request.user, dataset_ids=[d.pk for d in datasets], format=form.cleaned_data["format"],
                options=form.options(),
            )
        except DomainError as exc:
            error = exc
            show_error(form, exc)
        else:
            return _started(modeladmin, request, job, "Export")
    facts = [f"Datasets: {', '.join(f'{d.workspace.name} / {d.name}' for d in datasets)}."]
    return _render(modeladmin, request, title="Export selected datasets", form=form, facts=facts, submit="Export",
                   error=error, status=400 if form.is_bound and error is None else 200)


@admin.action(description="Import records…", permissions=["change"])
def import_dataset_records(modeladmin, request, queryset):
    """Upload a CSV, JSONL, JSON-array or Parquet file of records into one dataset, with its column mapping."""
    dataset = one_dataset(modeladmin, request, queryset)
    if dataset is None:
        return None
    dataset = dataset_with_schema(dataset)
    form = import_form(dataset, *((request.POST, request.FILES) if APPLY in request.POST else ()))
    error = None
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_jobs.import_job_create(
                access=dataset_access_for(user=request.user, dataset=dataset), file=upload, filename=upload.name,
                format=form.cleaned_data["format"] or None, mapping=form.mapping(),
                on_error=form.cleaned_data["on_error"],
            )
        except DomainError as exc:
            error = exc
            show_error(form, exc)
        else:
            return _started(modeladmin, request, job, f"Import of {upload.name}")
    facts = [
        f"Dataset '{dataset.name}' in workspace '{dataset.workspace.name}'.",
        "Each target below is read from the file column named beside it; rows with an existing external_id "
        "update that record.",
    ]
    return _render(modeladmin, request, title="Import records", form=form, facts=facts, submit="Import",
                   error=error)


JOB_ACTIONS = (export_selected_datasets, import_dataset_records)
