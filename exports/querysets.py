"""Tenancy for export and import jobs (DESIGN §2, §5): every read starts here."""

from django.db import models
from django.db.models import Exists, OuterRef

from accounts import tenancy


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Jobs whose every dataset the user administers.

        An export holds every labeler's responses, so reading one needs what reading all of
        those responses needs: admin rights on each dataset's workspace (DESIGN §5). The job's
        own workspace must also be administered, so a job whose datasets were deleted stays hidden.
        """
        from labeling.models import Dataset

        from .models import ExportJob

        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        foreign = ExportJob.datasets.through.objects.filter(exportjob_id=OuterRef("pk")).exclude(
            dataset_id__in=Dataset.objects.administered_by(user).values("id")
        )
        return self.filter(workspace_id__in=tenancy.admin_workspace_ids(user)).exclude(Exists(foreign))


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Imports into datasets the user administers."""
        from labeling.models import Dataset

        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        return self.filter(dataset__in=Dataset.objects.administered_by(user))
