"""A response's history over the API (the review issue, §4): oldest entry first, paged like every list."""

from rest_framework import serializers

from config.api import PageQuerySerializer, Pagination, api_schema
from labeling import models
from labeling.api.base import ResponseScopedApi
from labeling.selectors.history import response_versions


class VersionPagination(Pagination):
    """A response's entries page by their number, oldest first (unique per response)."""

    ordering = "number"


class ResponseVersionOutputSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=models.ResponseVersion.Kind.choices)
    values = serializers.DictField()
    status = serializers.ChoiceField(choices=models.Response.Status.choices)
    review_status = serializers.ChoiceField(choices=models.Response.ReviewStatus.choices, allow_null=True,
                                            help_text="The response's review status once this entry was written.")
    reviewed_number = serializers.IntegerField(allow_null=True,
                                               help_text="For accept, reject and fix: the version decided on.")
    comment = serializers.CharField(help_text="The reviewer's comment (a rejection's), else empty.")
    author = serializers.CharField(source="author_name", help_text="Username of who wrote this entry.")
    inserted_at = serializers.DateTimeField()


class ResponseVersionListApi(ResponseScopedApi):
    pagination_class = VersionPagination

    @api_schema(parameters=[PageQuerySerializer], responses=ResponseVersionOutputSerializer(many=True),
                summary="A response's history, oldest first (its labeler and the workspace's reviewers)")
    def get(self, request, response_id):
        self.parse_query(PageQuerySerializer)
        return self.paginate(response_versions(access=self.access), ResponseVersionOutputSerializer)
