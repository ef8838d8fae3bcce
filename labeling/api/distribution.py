"""REST API for workload distribution (issue 5): distribute, reassign, unassign, list assignments.

The dataset comes from the URL through `DatasetScopedApi` (404 outside the caller's workspaces);
the services check the admin role (403) and do all the work in one transaction each.
"""

from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response

from accounts.selectors import user_refs_condition
from config.api import PageQuerySerializer, StrictSerializer, api_schema
from labeling import models
from labeling.api.base import DatasetScopedApi
from labeling.selectors.assignments import assignment_list
from labeling.services.distribution import assignments_distribute, assignments_reassign, assignments_unassign

USERS_HELP = "Usernames or user ids."


def _users_field(**kwargs):
    return serializers.ListField(child=serializers.CharField(max_length=150), max_length=10_000, help_text=USERS_HELP,
                                 **kwargs)


def _record_ids_field():
    return serializers.ListField(child=serializers.UUIDField(), required=False, max_length=100_000,
                                 help_text="Only these records (ids of this dataset).")


def _metadata_field():
    return serializers.DictField(
        required=False,
        help_text="Only records whose metadata match every name: value (a list of values matches any).",
    )


class AssignmentOutputSerializer(serializers.ModelSerializer):
    record_id = serializers.UUIDField()
    external_id = serializers.CharField(source="record.external_id", allow_null=True)
    user_id = serializers.UUIDField()
    username = serializers.CharField(source="user.username")
    assigned_by = serializers.CharField(source="assigned_by.username", allow_null=True, default=None)
    is_answered = serializers.BooleanField(help_text="The holder submitted or discarded the record.")

    class Meta:
        model = models.Assignment
        fields = ["id", "record_id", "external_id", "user_id", "username", "assigned_by", "is_answered", "inserted_at"]


class DistributeOutputSerializer(serializers.Serializer):
    records_selected = serializers.IntegerField()
    records_topped_up = serializers.IntegerField()
    created = serializers.IntegerField()
    per_annotator = serializers.DictField(child=serializers.IntegerField(), help_text="New assignments per username.")
    loads = serializers.DictField(child=serializers.IntegerField(), help_text="Assignments held afterwards.")
    records_unroutable = serializers.IntegerField(
        help_text="Routed records that no chosen annotator's skills match: nobody could take them.")
    unroutable_record_ids = serializers.ListField(child=serializers.UUIDField(), help_text="The first 100 of them.")
    records_short = serializers.IntegerField(
        help_text="Records still lacking annotators, because too few chosen annotators' skills match them.")


class ReassignOutputSerializer(serializers.Serializer):
    from_user = serializers.CharField()
    moved = serializers.IntegerField()
    kept_answered = serializers.IntegerField()
    kept_held_by_all = serializers.IntegerField()
    per_annotator = serializers.DictField(child=serializers.IntegerField())


class UnassignOutputSerializer(serializers.Serializer):
    removed = serializers.IntegerField()
    kept_with_responses = serializers.IntegerField()
    per_annotator = serializers.DictField(child=serializers.IntegerField())


class DistributeApi(DatasetScopedApi):
    class InputSerializer(StrictSerializer):
        per_record = serializers.IntegerField(min_value=1, help_text="Distinct annotators each record should have.")
        annotators = _users_field(required=False, allow_null=True, min_length=1)
        record_ids = _record_ids_field()
        metadata = _metadata_field()
        only_unassigned = serializers.BooleanField(required=False, default=False)

    @api_schema(request=InputSerializer, responses=DistributeOutputSerializer,
                summary="Give each selected record k distinct annotators, balancing loads (admins)")
    def post(self, request, dataset_id):
        data = self.parse_body(self.InputSerializer)
        result = assignments_distribute(access=self.access, **data)
        return Response(DistributeOutputSerializer(result.as_dict()).data)


class ReassignApi(DatasetScopedApi):
    class InputSerializer(StrictSerializer):
        from_user = serializers.CharField(max_length=150, help_text="Username or id of the labeler giving records up.")
        to_users = _users_field(required=False, allow_null=True, min_length=1)
        keep_drafts = serializers.BooleanField(required=False, default=False)

    @api_schema(request=InputSerializer, responses=ReassignOutputSerializer,
                summary="Move a labeler's unanswered records to other annotators (admins)")
    def post(self, request, dataset_id):
        data = self.parse_body(self.InputSerializer)
        result = assignments_reassign(access=self.access, **data)
        return Response(ReassignOutputSerializer(result.as_dict()).data)


class UnassignApi(DatasetScopedApi):
    class InputSerializer(StrictSerializer):
        users = _users_field(required=False, min_length=1)
        record_ids = _record_ids_field()
        metadata = _metadata_field()

    @api_schema(request=InputSerializer, responses=UnassignOutputSerializer,
                summary="Remove assignments whose holder has not responded yet (admins)")
    def post(self, request, dataset_id):
        data = self.parse_body(self.InputSerializer)
        result = assignments_unassign(access=self.access, **data)
        return Response(UnassignOutputSerializer(result.as_dict()).data)


class AssignmentListApi(DatasetScopedApi):
    class FilterSerializer(PageQuerySerializer):
        user = serializers.CharField(required=False, max_length=150, help_text="Holder's username or id.")
        record = serializers.UUIDField(required=False)
        external_id = serializers.CharField(required=False, max_length=200)
        is_answered = serializers.BooleanField(required=False, allow_null=True, default=None)

    @api_schema(parameters=[FilterSerializer], responses=AssignmentOutputSerializer(many=True),
                summary="Assignments of a dataset (admins: all; annotators: their own)")
    def get(self, request, dataset_id):
        query = self.parse_query(self.FilterSerializer)
        assignments = assignment_list(access=self.access)
        if "user" in query:
            assignments = assignments.filter(user_refs_condition([query["user"]], through="user"))
        if "record" in query:
            assignments = assignments.filter(record_id=query["record"])
        if "external_id" in query:
            assignments = assignments.filter(record__external_id=query["external_id"])
        if query.get("is_answered") is not None:
            assignments = assignments.filter(is_answered=query["is_answered"])
        return self.paginate(assignments, AssignmentOutputSerializer)


urlpatterns = [
    path("datasets/<uuid:dataset_id>/distribute/", DistributeApi.as_view(), name="api-dataset-distribute"),
    path("datasets/<uuid:dataset_id>/reassign/", ReassignApi.as_view(), name="api-dataset-reassign"),
    path("datasets/<uuid:dataset_id>/unassign/", UnassignApi.as_view(), name="api-dataset-unassign"),
    path("datasets/<uuid:dataset_id>/assignments/", AssignmentListApi.as_view(), name="api-assignment-list"),
]
