from config.errors import DomainError, InvalidInput


class QueueUnavailable(DomainError):
    """The job queue (Redis) cannot be reached: the job was not started (DESIGN §9)."""

    code = "queue_unavailable"
    http_status = 503


class FileTooLarge(InvalidInput):
    code = "file_too_large"
    http_status = 413


class InvalidImportFile(InvalidInput):
    code = "invalid_import_file"


class IncompatibleDatasets(InvalidInput):
    code = "incompatible_datasets"


class AccessLost(DomainError):
    """The requester no longer administers every dataset of a queued job."""

    code = "access_lost"
    http_status = 403
