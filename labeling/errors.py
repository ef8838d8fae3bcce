from config.errors import Conflict, InvalidInput


class SchemaFrozen(Conflict):
    code = "schema_frozen"


class DatasetNotReady(Conflict):
    code = "dataset_not_ready"


class DatasetNotDraft(Conflict):
    code = "dataset_not_draft"


class InvalidRecords(InvalidInput):
    code = "invalid_records"


class InvalidResponse(InvalidInput):
    code = "invalid_response"


class InvalidTransition(Conflict):
    code = "invalid_status_transition"


class InvalidSkipReason(InvalidInput):
    code = "invalid_skip_reason"
