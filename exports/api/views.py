"""REST endpoints for export and import jobs: thin views over exports.services / selectors (STYLE §2).

Lists page with the shared cursor pagination; ids in the URL and in bodies are looked up through the
tenancy selectors (404 outside the caller's datasets). Downloads are attachments with a fixed type.
"""

import json

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from config.api import ApiView, ErrorSerializer, PageQuerySerializer, StrictSerializer, api_schema
from exports import selectors
from exports.formats.registry import FORMATS
from exports.models import ExportJob, ImportJob, JobStatus
from exports.selectors import JobFile
from exports.services import export_jobs, import_jobs
from exports.uploads import SizeLimitUploadHandler, too_large
from labeling.selectors.lookups import dataset_access

from .serializers import ExportJobOutputSerializer, ExportOptionsField, ImportJobOutputSerializer

# Room for the multipart envelope and the other form fields around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
# 503: the job queue is down; the job is marked failed and nothing runs (DESIGN §9 "Jobs").
QUEUE_DOWN = {503: ErrorSerializer}
DOWNLOAD_TYPES = sorted({fmt.CONTENT_TYPE.split(";")[0] for fmt in FORMATS.values()} | {"application/json"})


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """Downloads answer with the file's own type whatever the Accept header says; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _download(job_file: JobFile) -> FileResponse:
    """Serve a job file as an attachment with a fixed content type the browser must not second-guess."""
    response = FileResponse(
        default_storage.open(job_file.name, "rb"), as_attachment=True, filename=job_file.filename,
        content_type=job_file.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class JobFilterSerializer(PageQuerySerializer):
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)
    dataset = serializers.UUIDField(required=False, help_text="Only jobs of this dataset.")


class ExportJobListApi(ApiView):
    class InputSerializer(StrictSerializer):
        datasets = serializers.ListField(
            child=serializers.UUIDField(), min_length=1, max_length=selectors.MAX_DATASETS_PER_EXPORT,
            help_text="Datasets to export together; you must administer each, and they must share the options' schema.",
        )
        format = serializers.ChoiceField(choices=ExportJob.Format.choices)
        options = ExportOptionsField(required=False, default=dict)

    @api_schema(parameters=[JobFilterSerializer], responses=ExportJobOutputSerializer(many=True),
                summary="Your exports, newest first (admins)")
    def get(self, request):
        query = self.parse_query(JobFilterSerializer)
        jobs = selectors.export_job_list(user=request.user, status=query.get("status"), dataset_id=query.get("dataset"))
        return self.paginate(jobs, ExportJobOutputSerializer)

    @api_schema(request=InputSerializer, responses={202: ExportJobOutputSerializer, **QUEUE_DOWN},
                summary="Start an export job (admins of every dataset)")
    def post(self, request):
        data = self.parse_body(self.InputSerializer)
        job = export_jobs.export_job_create(
            actor=request.user, dataset_ids=data["datasets"], format=data["format"], options=data["options"]
        )
        job = selectors.export_job_get(user=request.user, job_id=job.pk)
        return Response(ExportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportJobDetailApi(ApiView):
    @api_schema(responses=ExportJobOutputSerializer, summary="One export job: status, progress, files")
    def get(self, request, job_id):
        return Response(ExportJobOutputSerializer(selectors.export_job_get(user=request.user, job_id=job_id)).data)


class ExportJobDownloadApi(ApiView):
    content_negotiation_class = IgnoreAcceptNegotiation

    class FilterSerializer(StrictSerializer):
        file = serializers.CharField(
            required=False, max_length=16,
            help_text="Which file: `data` (or `train` / `test` after a split; the default) or `report`.",
        )

    @api_schema(parameters=[FilterSerializer], responses={(200, t): OpenApiTypes.BINARY for t in DOWNLOAD_TYPES},
                summary="Download a finished export's file as an attachment (409 until it has succeeded)")
    def get(self, request, job_id):
        query = self.parse_query(self.FilterSerializer)
        job = selectors.export_job_get(user=request.user, job_id=job_id)
        return _download(selectors.export_job_file(job=job, role=query.get("file")))


class ImportJobListApi(ApiView):
    class InputSerializer(StrictSerializer):
        dataset = serializers.UUIDField(help_text="A ready dataset you administer.")
        file = serializers.FileField(help_text="CSV, JSON lines, a JSON array or Parquet, up to FILE_UPLOAD_MAX_SIZE.")
        format = serializers.ChoiceField(choices=ImportJob.Format.choices, required=False,
                                         help_text="Default: from the file name's extension.")
        mapping = serializers.CharField(
            required=False,
            help_text='JSON object {"column": "<field>" | "external_id" | "metadata.<name>" | null}; '
                      "columns named like a field, external_id or a metadata property map to it by default.",
        )
        on_error = serializers.ChoiceField(choices=ImportJob.OnError.choices, default=ImportJob.OnError.REJECT)

        def validate_mapping(self, value):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise serializers.ValidationError("Send the mapping as a JSON object.") from None

    parser_classes = [MultiPartParser]

    def initialize_request(self, request, *args, **kwargs):
        # Refuse an oversized body before reading it (DESIGN §9 "Files"); the handler covers chunked bodies.
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
        return super().initialize_request(request, *args, **kwargs)

    @api_schema(parameters=[JobFilterSerializer], responses=ImportJobOutputSerializer(many=True),
                summary="Your file imports, newest first (admins)")
    def get(self, request):
        query = self.parse_query(JobFilterSerializer)
        jobs = selectors.import_job_list(user=request.user, status=query.get("status"), dataset_id=query.get("dataset"))
        return self.paginate(jobs, ImportJobOutputSerializer)

    @api_schema(request={"multipart/form-data": InputSerializer},
                responses={202: ImportJobOutputSerializer, 413: ErrorSerializer, **QUEUE_DOWN},
                summary="Upload a file of records and start importing it (admins)")
    def post(self, request):
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.FILE_UPLOAD_MAX_SIZE + MULTIPART_OVERHEAD:
            raise too_large()
        values = self.parse_body(self.InputSerializer)
        access = dataset_access(user=request.user, dataset_id=values["dataset"])
        upload = values["file"]
        job = import_jobs.import_job_create(
            access=access, file=upload, filename=upload.name, format=values.get("format"),
            mapping=values.get("mapping"), on_error=values["on_error"],
        )
        job = selectors.import_job_get(user=request.user, job_id=job.pk)
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobDetailApi(ApiView):
    @api_schema(responses=ImportJobOutputSerializer, summary="One import job: status, progress, counts")
    def get(self, request, job_id):
        return Response(ImportJobOutputSerializer(selectors.import_job_get(user=request.user, job_id=job_id)).data)


class ImportJobDownloadApi(ApiView):
    content_negotiation_class = IgnoreAcceptNegotiation

    @api_schema(responses={(200, "application/json"): OpenApiTypes.BINARY},
                summary="Download a finished import's report: counts and bad rows with their line numbers")
    def get(self, request, job_id):
        job = selectors.import_job_get(user=request.user, job_id=job_id)
        return _download(selectors.import_job_report(job=job))
