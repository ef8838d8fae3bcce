"""Tenancy for the labeling models (DESIGN §2): every read starts from one of these methods; and the
annotations reads share."""

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Subquery, TextField, When

from accounts import tenancy


class DatasetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Datasets the user may read: all of their admin workspaces, ready ones of their annotator workspaces."""
        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        return self.filter(
            Q(workspace_id__in=tenancy.admin_workspace_ids(user))
            | Q(workspace_id__in=tenancy.member_workspace_ids(user), status="ready")
        )

    def administered_by(self, user):
        """Datasets of the workspaces the user administers."""
        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        return self.filter(workspace_id__in=tenancy.admin_workspace_ids(user))


class SchemaQuerySet(models.QuerySet):
    """Fields, questions and metadata properties: visible with their dataset."""

    def visible_to(self, user):
        from .models import Dataset

        return self.filter(dataset__in=Dataset.objects.visible_to(user))

    def administered_by(self, user):
        from .models import Dataset

        return self.filter(dataset__in=Dataset.objects.administered_by(user))


class RecordQuerySet(models.QuerySet):
    def administered_by(self, user):
        from .models import Dataset

        if tenancy.is_owner(user):
            return self.all()
        return self.filter(dataset__in=Dataset.objects.administered_by(user))

    def for_annotator(self, user, dataset):
        """Records of `dataset` the distribution gives `user`.

        Assigned distribution: only records assigned to them. Open distribution: every record of the
        shared queue. The caller has already fetched `dataset` through `Dataset.objects.visible_to`.
        """
        from .models import Assignment

        records = self.filter(dataset=dataset)
        if dataset.distribution == dataset.Distribution.ASSIGNED:
            assigned = Assignment.objects.filter(record_id=OuterRef("pk"), user_id=user.pk)
            records = records.filter(Exists(assigned))
        return records

    def visible_to(self, user):
        """Records the user may read: all records of administered datasets, plus what annotators are given."""
        from .models import Assignment, Dataset

        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        readable = Dataset.objects.visible_to(user)
        assigned = Assignment.objects.filter(record_id=OuterRef("pk"), user_id=user.pk)
        return self.filter(dataset__in=readable).filter(
            Q(dataset__workspace_id__in=tenancy.admin_workspace_ids(user))
            | Q(dataset__distribution="open")
            | Exists(assigned)
        )


class SuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .models import Record

        return self.filter(record__in=Record.objects.visible_to(user))


class _PerUserRowQuerySet(models.QuerySet):
    """Rows that belong to one user on one record (responses, assignments).

    Admins see every row of the datasets they administer; everyone else only their own rows in
    datasets they can read.
    """

    def visible_to(self, user):
        from .models import Dataset

        if tenancy.is_owner(user):
            return self.all()
        if not tenancy.is_authenticated(user):
            return self.none()
        return self.filter(
            Q(record__dataset__in=Dataset.objects.administered_by(user))
            | Q(user_id=user.pk, record__dataset__in=Dataset.objects.visible_to(user))
        )

    def administered_by(self, user):
        from .models import Dataset

        if tenancy.is_owner(user):
            return self.all()
        return self.filter(record__dataset__in=Dataset.objects.administered_by(user))


class ResponseQuerySet(_PerUserRowQuerySet):
    def with_review_comment(self):
        """Annotate `review_comment`: the comment of the response's latest reject entry while it is
        rejected, else None (what the labeler is shown above their answer). `labeling.sql.history`
        writes the same column by hand for the annotation loop."""
        from .models import ResponseVersion

        latest_reject = ResponseVersion.objects.filter(
            record_id=OuterRef("record_id"), response_id=OuterRef("pk"), kind=ResponseVersion.Kind.REJECT,
        ).order_by("-number").values("comment")[:1]
        return self.annotate(review_comment=Case(
            When(review_status="rejected", then=Subquery(latest_reject)), default=None, output_field=TextField(),
        ))


class AssignmentQuerySet(_PerUserRowQuerySet):
    pass


# --- the same rules for one row already loaded with the caller's role ---------------------------
# The annotation loop's lookups (labeling.selectors.lookups.dataset_access / record_access) read a row, its parents
# and the caller's membership role in one statement; these apply visible_to's rules to that row.
# tests/sql_parity/test_lookups.py checks they agree with visible_to for every role and state.


def dataset_row_visible(user, dataset, role: str | None) -> bool:
    """`Dataset.objects.visible_to` for one loaded dataset: admins read all, members the ready ones."""
    if tenancy.is_owner(user):
        return True
    if role is None:
        return False
    return tenancy.role_is_admin(role) or dataset.status == "ready"


def record_row_visible(user, record, dataset, role: str | None, assigned: bool) -> bool:
    """`Record.objects.visible_to` for one loaded record: its dataset readable, and the caller an admin
    of it, or the dataset open, or the record assigned to them."""
    if not dataset_row_visible(user, dataset, role):
        return False
    return (tenancy.is_owner(user) or tenancy.role_is_admin(role)
            or dataset.distribution == "open" or assigned)
