"""REST endpoints for export and import jobs: thin views over exports.services / selectors (STYLE §2)."""

import json

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import Pagination
from exports import selectors, services
from exports.errors import FileTooLarge
from exports.models import ExportJob, ImportJob
from exports.selectors import JobFile
from labeling import selectors as labeling_selectors

from .serializers import ExportJobOutputSerializer, ImportJobOutputSerializer

# Room for the multipart envelope and the other form fields around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def _too_large() -> FileTooLarge:
    limit = settings.FILE_UPLOAD_MAX_SIZE
    return FileTooLarge(
        f"The file is larger than the {limit // (1024 * 1024)} MiB limit. Split it into smaller files.",
        details={"limit": limit},
    )


class SizeLimitUploadHandler(FileUploadHandler):
    """Stop reading an upload as soon as it passes the limit, even without a Content-Length."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.FILE_UPLOAD_MAX_SIZE:
            raise _too_large()
        return raw_data

    def file_complete(self, file_size):
        return None


def _download(job_file: JobFile) -> FileResponse:
    """Serve a job file as an attachment with a fixed content type the browser must not second-guess."""
    response = FileResponse(
        default_storage.open(job_file.name, "rb"), as_attachment=True, filename=job_file.filename,
        content_type=job_file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class ExportJobListApi(APIView):
    class InputSerializer(serializers.Serializer):
        datasets = serializers.ListField(child=serializers.UUIDField(), min_length=1)
        format = serializers.ChoiceField(choices=ExportJob.Format.values)
        options = serializers.DictField(required=False, default=dict)

    parser_classes = [JSONParser]

    @extend_schema(responses=ExportJobOutputSerializer(many=True))
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.export_job_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(ExportJobOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={202: ExportJobOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.export_job_create(
            actor=request.user, dataset_ids=data.validated_data["datasets"], format=data.validated_data["format"],
            options=data.validated_data["options"],
        )
        job = selectors.export_job_get(user=request.user, job_id=job.pk)
        return Response(ExportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportJobDetailApi(APIView):
    @extend_schema(responses=ExportJobOutputSerializer)
    def get(self, request, job_id):
        return Response(ExportJobOutputSerializer(selectors.export_job_get(user=request.user, job_id=job_id)).data)


class ExportJobDownloadApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, job_id):
        job = selectors.export_job_get(user=request.user, job_id=job_id)
        return _download(selectors.export_job_file(job=job, role=request.query_params.get("file")))


class ImportJobListApi(APIView):
    class InputSerializer(serializers.Serializer):
        dataset = serializers.UUIDField()
        file = serializers.FileField()
        format = serializers.ChoiceField(choices=ImportJob.Format.values, required=False)
        mapping = serializers.CharField(required=False, help_text='JSON object: {"column": "field" | "external_id" | "metadata.<name>" | null}')
        on_error = serializers.ChoiceField(choices=ImportJob.OnError.values, default="reject")

        def validate_mapping(self, value):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise serializers.ValidationError("Send the mapping as a JSON object.") from None

    parser_classes = [MultiPartParser, FormParser]

    def initialize_request(self, request, *args, **kwargs):
        # Refuse an oversized body before reading it (DESIGN §9 "Files"); the handler covers chunked bodies.
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(responses=ImportJobOutputSerializer(many=True))
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.import_job_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(ImportJobOutputSerializer(page, many=True).data)

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses={202: ImportJobOutputSerializer})
    def post(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.FILE_UPLOAD_MAX_SIZE + MULTIPART_OVERHEAD:
            raise _too_large()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        dataset = labeling_selectors.dataset_get(user=request.user, dataset_id=values["dataset"])
        upload = values["file"]
        job = services.import_job_create(
            actor=request.user, dataset=dataset, file=upload, filename=upload.name, format=values.get("format"),
            mapping=values.get("mapping"), on_error=values["on_error"],
        )
        job = selectors.import_job_get(user=request.user, job_id=job.pk)
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobDetailApi(APIView):
    @extend_schema(responses=ImportJobOutputSerializer)
    def get(self, request, job_id):
        return Response(ImportJobOutputSerializer(selectors.import_job_get(user=request.user, job_id=job_id)).data)


class ImportJobDownloadApi(APIView):
    @extend_schema(responses={(200, "application/json"): bytes})
    def get(self, request, job_id):
        job = selectors.import_job_get(user=request.user, job_id=job_id)
        return _download(selectors.import_job_report(job=job))
