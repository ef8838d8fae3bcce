from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exports.models import ExportJob, ImportJob
from exports.pipeline.options import GROUP_BY, REVIEW_STATUSES
from exports.reconcile import RATING_AGGREGATES, TEXT_STRATEGIES
from labeling import models as labeling_models


class ExportOptionsSerializer(serializers.Serializer):
    """Documents the export options of DESIGN §5. The service checks them (normalize_options),
    against the datasets' schemas too, and fills in the defaults; undeclared options get a 400."""

    class MinRatingSerializer(serializers.Serializer):
        question = serializers.CharField(help_text="A rating question of every dataset.")
        value = serializers.FloatField(help_text="Keep records whose aggregated rating is at least this.")

    prompt_field = serializers.CharField(required=False, help_text="The field holding the prompt; default: the only field.")
    input_field = serializers.CharField(required=False, allow_null=True,
                                        help_text="A field exported as alpaca's `input` (and appended to the prompt elsewhere).")
    demonstration_question = serializers.CharField(
        required=False, help_text="The text question holding the demonstration; default: the only text question."
    )
    system_prompt = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                          help_text="Prepended as a system message (sft-messages) or a `system` column.")
    response_status = serializers.ListField(
        child=serializers.ChoiceField(choices=labeling_models.Response.Status.choices), required=False, min_length=1,
        help_text="Which responses count; default: submitted only.",
    )
    review_status = serializers.ChoiceField(
        choices=REVIEW_STATUSES, required=False,
        help_text="Which answers the review stage lets through: `accepted_only`, `not_rejected` (default when a dataset "
                  "has review on) or `any` (default otherwise). Reviewed answers are exported as their latest accepted "
                  "version.",
    )
    completed_only = serializers.BooleanField(required=False, help_text="Only records with enough submitted responses.")
    metadata_filter = serializers.DictField(
        child=serializers.JSONField(), required=False,
        help_text='Metadata name → a value, a list of values, or {"min", "max"}.',
    )
    min_rating = MinRatingSerializer(required=False, allow_null=True)
    text_strategy = serializers.ChoiceField(
        choices=TEXT_STRATEGIES, required=False,
        help_text="How overlapping demonstrations of one record are reconciled (DESIGN §4); default: all.",
    )
    seed = serializers.IntegerField(required=False, help_text="Seed of the `random` strategy.")
    rating_question = serializers.CharField(required=False, allow_null=True,
                                            help_text="The rating question `best_rated` ranks answers by.")
    rating_aggregate = serializers.ChoiceField(choices=RATING_AGGREGATES, required=False)
    dedupe = serializers.BooleanField(required=False, help_text="Keep only the first of identical prompts.")
    test_size = serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=1,
        help_text="Fraction held out as a test split (0 < test_size < 1): two files, or a `split` column for csv/parquet.",
    )
    split_seed = serializers.IntegerField(required=False, help_text="Seed of the train/test split.")
    group_by = serializers.ChoiceField(
        choices=GROUP_BY, required=False,
        help_text="Consolidation key: answers of one group (across datasets) are reconciled, filtered, de-duplicated "
                  "and split together. `external_id` (default when every record has one), `prompt` (its text, "
                  "whitespace and Unicode normalised) or `record`.",
    )
    stratify_by = serializers.CharField(
        required=False, allow_null=True,
        help_text="A metadata property whose category shares the train/test split keeps (needs `test_size`).",
    )


@extend_schema_field(ExportOptionsSerializer)
class ExportOptionsField(serializers.DictField):
    """Export options, passed to the service as sent: its checks need the datasets' schemas."""


class JobProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField(source="progress_done")
    total = serializers.IntegerField(source="progress_total")


class JobDatasetSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    workspace = serializers.CharField(source="workspace.name")


class ExportJobOutputSerializer(serializers.ModelSerializer):
    datasets = JobDatasetSerializer(many=True)
    options = ExportOptionsField(help_text="The options as normalized when the job was created, defaults filled in.")
    requested_by = serializers.CharField(source="requested_by.username", default=None, allow_null=True)
    progress = JobProgressSerializer(source="*")
    files = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id", "format", "status", "datasets", "options", "progress", "row_count", "files", "error", "error_details",
            "requested_by", "attempts", "inserted_at", "started_at", "finished_at",
        ]

    def get_files(self, job) -> list[str]:
        """Roles that can be downloaded (`?file=<role>`), never storage names."""
        return sorted(job.files)


class ImportJobOutputSerializer(serializers.ModelSerializer):
    dataset = JobDatasetSerializer()
    requested_by = serializers.CharField(source="requested_by.username", default=None, allow_null=True)
    progress = JobProgressSerializer(source="*")
    has_report = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id", "dataset", "format", "source_name", "size", "mapping", "on_error", "status", "progress",
            "created_count", "updated_count", "skipped_count", "error", "error_details", "has_report",
            "requested_by", "attempts", "inserted_at", "started_at", "finished_at",
        ]

    def get_has_report(self, job) -> bool:
        return bool(job.report)
