"""REST API of the review stage: the queue's next record, its summary, and a decision on one answer.

Thin views on the scoped bases: the dataset or response is resolved from the URL once (404 outside the
caller's workspaces); roles, own answers and stale versions are checked by the services (403, 409).
"""

from rest_framework import serializers, status
from rest_framework.response import Response

from config.api import StrictSerializer, api_schema, represent
from labeling import models
from labeling.review import DECISIONS
from labeling.selectors.reviews import review_record, review_summary
from labeling.services import reviews as review_services

from .base import DatasetScopedApi, ResponseScopedApi
from .serializers import (
    FieldOutputSerializer,
    QuestionOutputSerializer,
    ResponseOutputSerializer,
    SuggestionOutputSerializer,
)


class ReviewAnswerOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="response.id")
    user = serializers.UUIDField(source="response.user_id")
    labeler = serializers.CharField(help_text="The labeler's username.")
    values = serializers.DictField(source="response.values")
    submitted_at = serializers.DateTimeField(allow_null=True)
    seconds_spent = serializers.FloatField(allow_null=True, help_text="From being handed the record to submitting.")
    version = serializers.IntegerField(help_text="The version a decision on this answer names.")
    review_status = serializers.ChoiceField(choices=models.Response.ReviewStatus.choices, allow_null=True)
    is_decidable = serializers.BooleanField(help_text="Waiting for review, and not your own answer.")


class ReviewRecordOutputSerializer(serializers.Serializer):
    """A record under review with its dataset's guidelines and schema, suggestions and submitted answers."""

    class ReviewedRecordSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        dataset = serializers.UUIDField(source="dataset_id")
        external_id = serializers.CharField(allow_null=True)
        fields = serializers.DictField(child=serializers.CharField())
        metadata = serializers.DictField()
        status = serializers.ChoiceField(choices=models.Record.Status.choices)

    record = ReviewedRecordSerializer()
    guidelines = serializers.CharField(source="dataset.guidelines")
    fields = FieldOutputSerializer(many=True, source="dataset.fields.all")
    questions = QuestionOutputSerializer(many=True, source="dataset.questions.all")
    suggestions = serializers.SerializerMethodField()
    answers = ReviewAnswerOutputSerializer(many=True)

    def get_suggestions(self, view) -> list[dict]:
        return [represent(SuggestionOutputSerializer, suggestion) for suggestion in view.suggestions.values()]


class ReviewSummaryOutputSerializer(serializers.Serializer):
    review = serializers.ChoiceField(choices=models.Dataset.Review.choices)
    review_sample_percent = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Answers waiting for review.")
    to_do = serializers.IntegerField(help_text="Answers waiting for review that you may decide (not your own).")
    accepted = serializers.IntegerField()
    rejected = serializers.IntegerField()


class ReviewNextApi(DatasetScopedApi):
    @api_schema(responses={200: ReviewRecordOutputSerializer, 204: None},
                summary="Take the next record to review and hold it for a while (reviewers); 204 when none is left")
    def get(self, request, dataset_id):
        record = review_services.review_claim_next(access=self.access)
        if record is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        record.dataset = self.dataset
        return Response(represent(ReviewRecordOutputSerializer, review_record(access=self.access, record=record)))


class ReviewSummaryApi(DatasetScopedApi):
    @api_schema(responses=ReviewSummaryOutputSerializer, summary="The dataset's review queue in figures (reviewers)")
    def get(self, request, dataset_id):
        return Response(ReviewSummaryOutputSerializer(review_summary(access=self.access)).data)


class ResponseReviewApi(ResponseScopedApi):
    class InputSerializer(StrictSerializer):
        decision = serializers.ChoiceField(choices=DECISIONS)
        version = serializers.IntegerField(min_value=1, help_text="The version of the answer the decision is made on.")
        comment = serializers.CharField(required=False, allow_blank=True, help_text="Required to reject.")
        values = serializers.DictField(required=False, help_text="To fix: the corrected answers, as a submission.")

    @api_schema(request=InputSerializer, responses=ResponseOutputSerializer,
                summary="Accept, reject (with a comment) or fix an answer waiting for review (reviewers); "
                        "409 when the answer changed since that version")
    def post(self, request, response_id):
        data = self.parse_body(self.InputSerializer)
        response = review_services.review_decide(access=self.access, response=self.response, **data)
        return Response(represent(ResponseOutputSerializer, response))
