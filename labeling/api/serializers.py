"""Output shapes shared by the labeling API views.

`labeling.models` is imported as a module: our `Response` clashes with DRF's (STYLE §6).
"""

from rest_framework import serializers

from labeling import models
from labeling.selectors.history import rejection_comment


class FieldOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Field
        fields = ["id", "name", "title", "type", "required", "use_markdown", "position"]


class QuestionOutputSerializer(serializers.ModelSerializer):
    settings = serializers.JSONField()

    class Meta:
        model = models.Question
        fields = ["id", "name", "title", "description", "type", "required", "settings", "position"]


class MetadataPropertyOutputSerializer(serializers.ModelSerializer):
    settings = serializers.JSONField()

    class Meta:
        model = models.MetadataProperty
        fields = ["id", "name", "title", "type", "settings", "visible_for_annotators", "position"]


class DatasetOutputSerializer(serializers.ModelSerializer):
    """A dataset with its schema; callers prefetch fields, questions and metadata properties."""

    workspace = serializers.UUIDField(source="workspace_id")
    fields = FieldOutputSerializer(many=True)
    questions = QuestionOutputSerializer(many=True)
    metadata_properties = MetadataPropertyOutputSerializer(many=True)

    class Meta:
        model = models.Dataset
        fields = [
            "id", "workspace", "name", "guidelines", "status", "min_submitted", "distribution",
            "allow_extra_metadata", "review", "review_sample_percent", "routing_property", "routing_fallback_hours",
            "inserted_at", "updated_at", "last_activity_at",
            "fields", "questions", "metadata_properties",
        ]


# The record, suggestion and response shapes are declared field by field rather than derived from the
# models: they are rendered on every call of the annotation loop, where ModelSerializer's model
# introspection cost more than the rest of the rendering.


class SuggestionOutputSerializer(serializers.Serializer):
    question = serializers.CharField(source="question.name")
    value = serializers.JSONField()
    score = serializers.JSONField(allow_null=True)
    agent = serializers.CharField(allow_null=True)
    type = serializers.ChoiceField(choices=models.Suggestion.Type.choices, allow_null=True)


class ReviewCommentField(serializers.CharField):
    """The reviewer's comment on a rejected response, null otherwise. Lists and the annotation loop load
    it with the responses (`review_comment`: `Response.objects.with_review_comment()` or the hand-written
    statements), so they cost no query per response; a single rejected response read without it costs one."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def get_attribute(self, response):
        if response.review_status != models.Response.ReviewStatus.REJECTED:
            return None
        if hasattr(response, "review_comment"):
            return response.review_comment
        return rejection_comment(response=response)


class ResponseOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    record = serializers.UUIDField(source="record_id")
    user = serializers.UUIDField(source="user_id")
    values = serializers.DictField()
    status = serializers.ChoiceField(choices=models.Response.Status.choices)
    review_status = serializers.ChoiceField(choices=models.Response.ReviewStatus.choices, allow_null=True)
    version = serializers.IntegerField(help_text="Number of the latest entry of the response's history.")
    review_comment = ReviewCommentField(help_text="The reviewer's comment while the answer is rejected.")
    started_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    inserted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RecordOutputSerializer(serializers.Serializer):
    """A record with its suggestions and the responses the caller may see (`selectors.record_list` or
    `selectors.record_with_details` load them)."""

    id = serializers.UUIDField()
    dataset = serializers.UUIDField(source="dataset_id")
    external_id = serializers.CharField(allow_null=True)
    fields = serializers.DictField(child=serializers.CharField())
    metadata = serializers.DictField()
    status = serializers.ChoiceField(choices=models.Record.Status.choices)
    inserted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    suggestions = SuggestionOutputSerializer(many=True, source="visible_suggestions")
    responses = ResponseOutputSerializer(many=True, source="visible_responses")


class BulkResultOutputSerializer(serializers.Serializer):
    class SkippedRowSerializer(serializers.Serializer):
        index = serializers.IntegerField()
        field = serializers.CharField(required=False, allow_null=True)
        question = serializers.CharField(required=False, allow_null=True)
        message = serializers.CharField()

    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = SkippedRowSerializer(many=True, help_text="Rows left out with on_error=skip, with their reasons.")


class ProgressOutputSerializer(serializers.Serializer):
    class RecordCountsSerializer(serializers.Serializer):
        total = serializers.IntegerField()
        completed = serializers.IntegerField()
        pending = serializers.IntegerField()

    class ResponseCountsSerializer(serializers.Serializer):
        draft = serializers.IntegerField()
        submitted = serializers.IntegerField()
        discarded = serializers.IntegerField()

    class AnnotatorSerializer(serializers.Serializer):
        user_id = serializers.UUIDField()
        username = serializers.CharField()
        assigned = serializers.IntegerField()
        submitted = serializers.IntegerField()
        discarded = serializers.IntegerField()
        draft = serializers.IntegerField()
        remaining = serializers.IntegerField()
        median_seconds_per_submission = serializers.FloatField(allow_null=True)

    records = RecordCountsSerializer()
    responses = ResponseCountsSerializer()
    annotators = AnnotatorSerializer(many=True)
