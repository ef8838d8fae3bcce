"""The dataset- and record-scoped API bases (STYLE §3): the object is resolved from the URL once,
through the tenancy selectors, before the view runs."""

from accounts.api.base import ApiView

from ..selectors.lookups import dataset_get, record_get


class DatasetScopedApi(ApiView):
    """Resolves `dataset_id` from the URL once, through the tenancy selector: 404 if not visible."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.dataset = dataset_get(user=request.user, dataset_id=kwargs["dataset_id"])


class RecordScopedApi(ApiView):
    """Resolves `record_id` from the URL once, through the tenancy selector: 404 if not readable."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.record = record_get(user=request.user, record_id=kwargs["record_id"])
        self.dataset = self.record.dataset
