"""REST API for datasets, records, suggestions, responses, the next record and progress (issue #3).

Views resolve their dataset or record once in the `labeling.api.base` classes (tenancy through the
selectors: 404 outside the caller's workspaces), parse with a nested InputSerializer, call one
service and render with an OutputSerializer. Roles are checked by the services (403).
"""

from rest_framework import serializers, status
from rest_framework.response import Response

from accounts import selectors as account_selectors
from config.api import (
    ApiView,
    BulkItemsField,
    PageQuerySerializer,
    RecordPagination,
    StrictSerializer,
    api_schema,
    represent,
)
from labeling import models
from labeling.selectors.lookups import dataset_list, dataset_with_schema
from labeling.selectors.progress import dataset_progress
from labeling.selectors.records import RECORD_RESPONSE_FILTERS, record_filter, record_list, record_with_details
from labeling.selectors.responses import response_list
from labeling.services import bulk as bulk_services
from labeling.services import claims as claim_services
from labeling.services import datasets as dataset_services
from labeling.services import records as record_services
from labeling.services import responses as response_services
from labeling.services import suggestions as suggestion_services

from .base import DatasetScopedApi, RecordScopedApi
from .serializers import (
    BulkResultOutputSerializer,
    DatasetOutputSerializer,
    ProgressOutputSerializer,
    RecordOutputSerializer,
    ResponseOutputSerializer,
)

SCHEMA = ("fields", "questions", "metadata_properties")


class DatasetWorkflowSerializer(StrictSerializer):
    """The dataset settings of the review and routing stages, the same on creation and on change."""

    review = serializers.ChoiceField(choices=models.Dataset.Review.choices, required=False,
                                     help_text="Whether submitted answers wait for a reviewer.")
    review_sample_percent = serializers.IntegerField(required=False, help_text="With sampled review: 1–100.")
    routing_property = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="A terms metadata property naming the skill(s) each record needs; empty: no routing.",
    )
    routing_fallback_hours = serializers.IntegerField(
        required=False, allow_null=True, min_value=1,
        help_text="Open a routed record to labelers without skills when no matching labeler submitted for this long.",
    )


class DatasetListApi(ApiView):
    class FilterSerializer(PageQuerySerializer):
        workspace = serializers.UUIDField(required=False, help_text="Only datasets of this workspace.")

    class InputSerializer(DatasetWorkflowSerializer):
        class FieldSerializer(StrictSerializer):
            name = serializers.CharField(max_length=200)
            title = serializers.CharField(required=False, max_length=500)
            type = serializers.CharField(required=False)
            required = serializers.BooleanField(required=False)
            use_markdown = serializers.BooleanField(required=False)

        class QuestionSerializer(StrictSerializer):
            name = serializers.CharField(max_length=200)
            title = serializers.CharField(required=False, max_length=500)
            description = serializers.CharField(required=False, allow_null=True, allow_blank=True)
            type = serializers.ChoiceField(choices=models.Question.Type.choices)
            required = serializers.BooleanField(required=False)
            settings = serializers.DictField(required=False)

        class MetadataPropertySerializer(StrictSerializer):
            name = serializers.CharField(max_length=200)
            title = serializers.CharField(required=False, max_length=500)
            type = serializers.ChoiceField(choices=models.MetadataProperty.Type.choices)
            settings = serializers.DictField(required=False)
            visible_for_annotators = serializers.BooleanField(required=False)

        workspace = serializers.UUIDField()
        name = serializers.CharField(max_length=200)
        guidelines = serializers.CharField(required=False, allow_blank=True)
        min_submitted = serializers.IntegerField(required=False, min_value=1)
        distribution = serializers.ChoiceField(choices=models.Dataset.Distribution.choices, required=False)
        allow_extra_metadata = serializers.BooleanField(required=False)
        fields = FieldSerializer(many=True, required=False)
        questions = QuestionSerializer(many=True, required=False)
        metadata_properties = MetadataPropertySerializer(many=True, required=False)

    @api_schema(parameters=[FilterSerializer], responses=DatasetOutputSerializer(many=True),
                summary="Datasets you can read")
    def get(self, request):
        query = self.parse_query(self.FilterSerializer)
        datasets = dataset_list(user=request.user, workspace_id=query.get("workspace"))
        return self.paginate(datasets.prefetch_related(*SCHEMA), DatasetOutputSerializer)

    @api_schema(request=InputSerializer, responses={201: DatasetOutputSerializer},
                summary="Create a draft dataset with its fields, questions and metadata properties (admins)")
    def post(self, request):
        data = self.parse_body(self.InputSerializer)
        workspace = account_selectors.workspace_get(user=request.user, workspace_id=data.pop("workspace"))
        dataset = dataset_services.dataset_create(actor=request.user, workspace=workspace, **data)
        dataset_with_schema(dataset)
        return Response(DatasetOutputSerializer(dataset).data, status=status.HTTP_201_CREATED)


class DatasetDetailApi(DatasetScopedApi):
    class InputSerializer(DatasetWorkflowSerializer):
        name = serializers.CharField(required=False, max_length=200)
        guidelines = serializers.CharField(required=False, allow_blank=True)
        min_submitted = serializers.IntegerField(required=False, min_value=1)
        distribution = serializers.ChoiceField(choices=models.Dataset.Distribution.choices, required=False)
        allow_extra_metadata = serializers.BooleanField(required=False)

    @api_schema(responses=DatasetOutputSerializer)
    def get(self, request, dataset_id):
        return Response(DatasetOutputSerializer(dataset_with_schema(self.dataset)).data)

    @api_schema(request=InputSerializer, responses=DatasetOutputSerializer, summary="Change a dataset's settings (admins)")
    def patch(self, request, dataset_id):
        data = self.parse_body(self.InputSerializer)
        dataset = dataset_services.dataset_update(access=self.access, **data)
        return Response(DatasetOutputSerializer(dataset_with_schema(dataset)).data)

    @api_schema(responses={204: None}, summary="Delete a dataset with its records and responses (admins)")
    def delete(self, request, dataset_id):
        dataset_services.dataset_delete(access=self.access)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DatasetPublishApi(DatasetScopedApi):
    @api_schema(request=None, responses=DatasetOutputSerializer, summary="Publish a draft: draft → ready (admins)")
    def post(self, request, dataset_id):
        dataset = dataset_services.dataset_publish(access=self.access)
        return Response(DatasetOutputSerializer(dataset_with_schema(dataset)).data)


class RecordListApi(DatasetScopedApi):
    pagination_class = RecordPagination

    class FilterSerializer(PageQuerySerializer):
        """Allow-listed record filters; `metadata.<name>=<value>` is accepted for the dataset's metadata properties."""

        status = serializers.ChoiceField(choices=models.Record.Status.choices, required=False)
        external_id = serializers.CharField(required=False, max_length=200)
        response_status = serializers.ChoiceField(
            choices=RECORD_RESPONSE_FILTERS, required=False,
            help_text="Your own response's status, or 'missing' for records you have not answered.",
        )
        assigned_to = serializers.CharField(required=False, max_length=150,
                                            help_text="Only records assigned to this user (username or id).")

        def to_internal_value(self, data):
            metadata = {key.removeprefix("metadata."): value for key, value in data.items() if key.startswith("metadata.")}
            rest = {key: value for key, value in data.items() if not key.startswith("metadata.")}
            return {**super().to_internal_value(rest), "metadata": metadata}

    class InputSerializer(StrictSerializer):
        class RecordItemSerializer(StrictSerializer):
            """Documents one row of `records`; rows are checked by `BulkItemsField` and the service."""

            class SuggestionSerializer(StrictSerializer):
                question = serializers.CharField()
                value = serializers.JSONField()
                score = serializers.JSONField(required=False, allow_null=True)
                agent = serializers.CharField(required=False, allow_null=True)
                type = serializers.ChoiceField(choices=models.Suggestion.Type.choices, required=False, allow_null=True)

            external_id = serializers.CharField(required=False, allow_null=True, max_length=200)
            fields = serializers.DictField(child=serializers.CharField())
            metadata = serializers.DictField(required=False, allow_null=True)
            suggestions = SuggestionSerializer(many=True, required=False)

        records = BulkItemsField(
            keys=frozenset(RecordItemSerializer._declared_fields), max_length=bulk_services.MAX_RECORDS_PER_CALL,
            child=RecordItemSerializer(),
        )
        on_error = serializers.ChoiceField(choices=["reject", "skip"], default="reject")

    class BulkOutputSerializer(BulkResultOutputSerializer):
        ids = serializers.ListField(child=serializers.UUIDField(), help_text="Ids of the written records, in order.")

    @api_schema(parameters=[FilterSerializer], responses=RecordOutputSerializer(many=True),
                summary="Records, in creation order (annotators: the records given to them)")
    def get(self, request, dataset_id):
        query = self.parse_query(self.FilterSerializer)
        query.pop("cursor", None), query.pop("page_size", None)
        records = record_filter(record_list(access=self.access), access=self.access, **query)
        return self.paginate(records, RecordOutputSerializer)

    @api_schema(request=InputSerializer, responses=BulkOutputSerializer,
                summary="Add or update (by external_id) up to 10,000 records (admins)")
    def post(self, request, dataset_id):
        data = self.parse_body(self.InputSerializer)
        result = record_services.records_upsert(
            access=self.access, items=data["records"], on_error=data["on_error"]
        )
        return Response(self.BulkOutputSerializer(result).data)


def _record_for_output(access, record):
    """Reload a record with the suggestions and responses the caller may see (all for admins, own otherwise)."""
    return record_list(access=access).get(pk=record.pk)


class RecordDetailApi(RecordScopedApi):
    class InputSerializer(StrictSerializer):
        fields = serializers.DictField(required=False, help_text="Merged into the record's fields.")
        metadata = serializers.DictField(required=False, help_text="Replaces the record's metadata.")
        external_id = serializers.CharField(required=False, max_length=200)

    @api_schema(responses=RecordOutputSerializer)
    def get(self, request, record_id):
        return Response(represent(RecordOutputSerializer, _record_for_output(self.access, self.record)))

    @api_schema(request=InputSerializer, responses=RecordOutputSerializer, summary="Change one record (admins)")
    def patch(self, request, record_id):
        data = self.parse_body(self.InputSerializer)
        record = record_services.record_update(access=self.access, record=self.record, **data)
        return Response(represent(RecordOutputSerializer, _record_for_output(self.access, record)))

    @api_schema(responses={204: None}, summary="Delete one record with its responses (admins)")
    def delete(self, request, record_id):
        record_services.records_delete(access=self.access, record_ids=[self.record.pk])
        return Response(status=status.HTTP_204_NO_CONTENT)


class SuggestionBulkApi(DatasetScopedApi):
    class InputSerializer(StrictSerializer):
        class SuggestionItemSerializer(StrictSerializer):
            """Documents one row of `suggestions`: the record by id or external_id, the question by name."""

            record_id = serializers.UUIDField(required=False)
            external_id = serializers.CharField(required=False)
            question = serializers.CharField()
            value = serializers.JSONField()
            score = serializers.JSONField(required=False, allow_null=True)
            agent = serializers.CharField(required=False, allow_null=True)
            type = serializers.ChoiceField(choices=models.Suggestion.Type.choices, required=False, allow_null=True)

        suggestions = BulkItemsField(
            keys=frozenset(SuggestionItemSerializer._declared_fields), max_length=bulk_services.MAX_RECORDS_PER_CALL,
            child=SuggestionItemSerializer(),
        )
        on_error = serializers.ChoiceField(choices=["reject", "skip"], default="reject")

    @api_schema(request=InputSerializer, responses=BulkResultOutputSerializer,
                summary="Add or replace suggestions in bulk (admins)")
    def post(self, request, dataset_id):
        data = self.parse_body(self.InputSerializer)
        result = suggestion_services.suggestions_upsert(
            access=self.access, items=data["suggestions"], on_error=data["on_error"]
        )
        return Response(BulkResultOutputSerializer(result).data)


class NextRecordApi(DatasetScopedApi):
    class FilterSerializer(StrictSerializer):
        resume = serializers.ChoiceField(
            choices=["drafts"], required=False,
            help_text="`drafts`: your oldest draft first. Without it, next moves on to records you have not started.",
        )

    @api_schema(parameters=[FilterSerializer], responses={200: RecordOutputSerializer, 204: None},
                summary="Claim your next record (DESIGN §4); 204 when none is left")
    def get(self, request, dataset_id):
        # The annotation loop's hot path: building a serializer costs more than the rest of the view,
        # so a call without a query string does without one.
        query = self.parse_query(self.FilterSerializer) if request.query_params else {}
        record = claim_services.record_claim_next(access=self.access, resume_drafts=query.get("resume") == "drafts")
        if record is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        record = record_with_details(access=self.access, record=record)
        return Response(represent(RecordOutputSerializer, record))


class RecordResponseApi(RecordScopedApi):
    class InputSerializer(StrictSerializer):
        values = serializers.DictField(help_text="Answers keyed by question name.")
        status = serializers.ChoiceField(choices=models.Response.Status.choices)

    @api_schema(request=InputSerializer, responses=ResponseOutputSerializer,
                summary="Create or update your response to a record")
    def put(self, request, record_id):
        data = self.parse_body(self.InputSerializer)
        response = response_services.response_write(access=self.access, **data)
        return Response(represent(ResponseOutputSerializer, response))


class ResponseListApi(DatasetScopedApi):
    class FilterSerializer(PageQuerySerializer):
        status = serializers.ChoiceField(choices=models.Response.Status.choices, required=False)
        user = serializers.CharField(required=False, max_length=150, help_text="The author's username or id.")

    @api_schema(parameters=[FilterSerializer], responses=ResponseOutputSerializer(many=True),
                summary="Responses of a dataset (admins: all; annotators: their own)")
    def get(self, request, dataset_id):
        query = self.parse_query(self.FilterSerializer)
        responses = response_list(access=self.access)
        if "status" in query:
            responses = responses.filter(status=query["status"])
        if "user" in query:
            responses = responses.filter(account_selectors.user_refs_condition([query["user"]], through="user"))
        return self.paginate(responses, ResponseOutputSerializer)


class DatasetProgressApi(DatasetScopedApi):
    @api_schema(responses=ProgressOutputSerializer, summary="Progress per dataset and per annotator (admins)")
    def get(self, request, dataset_id):
        self.access.require_admin()
        return Response(ProgressOutputSerializer(dataset_progress(dataset=self.dataset)).data)
