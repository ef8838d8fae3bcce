"""Admin for export and import jobs: read-only, scoped like the API (ExportJob/ImportJob.objects.visible_to).

Jobs are started through the API, the portal, the management commands or the dataset actions this
module adds to labeling's DatasetAdmin (`admin_actions.py`); the admin shows their state, errors and a
download link (served by the API's download endpoint, which re-checks access).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from config.admin import ReadOnlyMixin, TenantAdmin
from labeling.admin.datasets import DatasetAdmin

from .admin_actions import JOB_ACTIONS
from .models import ExportJob, ImportJob

# Exports brings its own actions to the datasets changelist, so labeling's admin knows nothing of exports
# (STYLE §2: layers import downward only).
DatasetAdmin.actions = (*DatasetAdmin.actions, *JOB_ACTIONS)


class JobAdmin(ReadOnlyMixin, TenantAdmin):
    list_filter = ["status"]
    date_hierarchy = "inserted_at"
    exclude = ["token", "error_details"]

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user).select_related("requested_by")

    @admin.display(description="progress")
    def progress(self, job) -> str:
        if not job.progress_total:
            return f"{job.progress_done}"
        return f"{job.progress_done} / {job.progress_total} ({100 * job.progress_done // job.progress_total}%)"


@admin.register(ExportJob)
class ExportJobAdmin(JobAdmin):
    list_display = ["inserted_at", "format", "status", "progress", "row_count", "workspace", "requested_by", "download"]
    list_select_related = ["workspace", "requested_by"]
    readonly_fields = ["download"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("workspace")

    @admin.display(description="file")
    def download(self, job) -> str:
        if job.status != ExportJob.Status.SUCCEEDED:
            return "—"
        return format_html('<a href="{}">download</a>', reverse("export-download", args=[job.pk]))


@admin.register(ImportJob)
class ImportJobAdmin(JobAdmin):
    list_display = ["inserted_at", "source_name", "dataset", "status", "progress", "created_count", "updated_count",
                    "skipped_count", "requested_by", "download"]
    list_select_related = ["dataset", "requested_by"]
    readonly_fields = ["download"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dataset")

    @admin.display(description="report")
    def download(self, job) -> str:
        if not job.report:
            return "—"
        return format_html('<a href="{}">report</a>', reverse("import-download", args=[job.pk]))
