"""The dataset- and record-scoped API bases (STYLE §3): the object is resolved from the URL once,
through the tenancy selectors, before the view runs, as an access object the view hands to services."""

from config.api import ApiView

from ..selectors.lookups import dataset_access, record_access, response_access


class DatasetScopedApi(ApiView):
    """Resolves `dataset_id` from the URL once, through the tenancy selector: 404 if not visible.

    `self.access` is the caller's `DatasetAccess`; `self.dataset` its dataset.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access = dataset_access(user=request.user, dataset_id=kwargs["dataset_id"])
        self.dataset = self.access.dataset


class RecordScopedApi(ApiView):
    """Resolves `record_id` from the URL once, through the tenancy selector: 404 if not readable.

    `self.access` is the caller's `RecordAccess`; `self.record` and `self.dataset` its record and dataset.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access = record_access(user=request.user, record_id=kwargs["record_id"])
        self.record, self.dataset = self.access.record, self.access.dataset


class ResponseScopedApi(ApiView):
    """Resolves `response_id` from the URL once, through the tenancy selector: 404 unless it is the
    caller's own response or one they may review.

    `self.access` is the caller's `ResponseAccess`; `self.response` and `self.dataset` its response and dataset.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access = response_access(user=request.user, response_id=kwargs["response_id"])
        self.response, self.dataset = self.access.response, self.access.dataset
