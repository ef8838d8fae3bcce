"""REST API for skips (issue #19): pass over a record with a reason."""

from rest_framework import serializers
from rest_framework.response import Response

from config.api import StrictSerializer, api_schema, represent
from labeling import models
from labeling.services import skips as skip_services

from .base import RecordScopedApi


class SkipOutputSerializer(serializers.Serializer):
    record = serializers.UUIDField(source="record_id")
    reason = serializers.ChoiceField(choices=models.Skip.Reason.choices)
    inserted_at = serializers.DateTimeField()


class RecordSkipApi(RecordScopedApi):
    class InputSerializer(StrictSerializer):
        reason = serializers.ChoiceField(
            choices=models.Skip.Reason.choices,
            help_text="`later`: served again after the rest; `not_my_field`, `broken`: never served to you again.",
        )

    @api_schema(request=InputSerializer, responses=SkipOutputSerializer,
                summary="Skip a record with a reason; your claim on it is given back")
    def post(self, request, record_id):
        data = self.parse_body(self.InputSerializer)
        skip = skip_services.record_skip(access=self.access, reason=data["reason"])
        return Response(represent(SkipOutputSerializer, skip))
