"""The upload size limit, shared by the API and the portal (DESIGN §9 "Files")."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from .errors import FileTooLarge


def too_large() -> FileTooLarge:
    limit = settings.FILE_UPLOAD_MAX_SIZE
    return FileTooLarge(
        f"The file is larger than the {limit // (1024 * 1024)} MiB limit. Split it into smaller files.",
        details={"limit": limit},
    )


class SizeLimitUploadHandler(FileUploadHandler):
    """Stop reading an upload as soon as it passes the limit, even without a Content-Length.

    Install it first in `request.upload_handlers` before the body is read.
    """

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.FILE_UPLOAD_MAX_SIZE:
            raise too_large()
        return raw_data

    def file_complete(self, file_size):
        return None
