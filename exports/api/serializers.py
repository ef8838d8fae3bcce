from rest_framework import serializers

from exports.models import ExportJob, ImportJob


class JobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="progress_done")
    total = serializers.IntegerField(source="progress_total")


class ExportJobOutputSerializer(serializers.ModelSerializer):
    datasets = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username", default=None)
    progress = JobProgressSerializer(source="*")
    files = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id", "format", "status", "datasets", "options", "progress", "row_count", "files", "error", "error_details",
            "requested_by", "attempts", "inserted_at", "started_at", "finished_at",
        ]

    def get_datasets(self, job) -> list[dict]:
        return [{"id": str(d.pk), "name": d.name, "workspace": d.workspace.name} for d in job.datasets.all()]

    def get_files(self, job) -> list[str]:
        """Roles that can be downloaded (`?file=<role>`), never storage names."""
        return sorted(job.files)


class ImportJobOutputSerializer(serializers.ModelSerializer):
    dataset = serializers.SerializerMethodField()
    requested_by = serializers.CharField(source="requested_by.username", default=None)
    progress = JobProgressSerializer(source="*")
    has_report = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "dataset", "format", "source_name", "size", "mapping", "on_error", "status", "progress",
            "created_count", "updated_count", "skipped_count", "error", "error_details", "has_report",
            "requested_by", "attempts", "inserted_at", "started_at", "finished_at",
        ]

    def get_dataset(self, job) -> dict:
        return {"id": str(job.dataset_id), "name": job.dataset.name, "workspace": job.dataset.workspace.name}

    def get_has_report(self, job) -> bool:
        return bool(job.report)
