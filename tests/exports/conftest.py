import pytest
from celery import current_app

from accounts.models import Membership
from labeling.selectors.lookups import dataset_access_for, record_access_for
from labeling.services.records import records_upsert
from labeling.services.responses import response_write
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Job files go to a fresh directory per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Run tasks in-process, even in the PostgreSQL + Redis pass, unless the test drives a real worker."""
    if "redis" in request.keywords:
        yield
        return
    conf = current_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture
def labelers(workspace):
    """Three annotators of the workspace, in a fixed order."""
    users = []
    for name in ("ann1", "ann2", "ann3"):
        user = UserFactory(username=name)
        MembershipFactory(user=user, workspace=workspace, role=Membership.Role.ANNOTATOR)
        users.append(user)
    return users


@pytest.fixture
def add_records(admin):
    """Add records through the bulk service: add_records(dataset, ["prompt 1", {"fields": ...}, ...])."""

    def make(dataset, items):
        rows = [item if isinstance(item, dict) else {"fields": {"prompt": item}} for item in items]
        return records_upsert(access=dataset_access_for(user=admin, dataset=dataset), items=rows).records

    return make


@pytest.fixture
def answer():
    """Write a response as `user` through the response service."""

    def write(user, record, status="submitted", **values):
        return response_write(access=record_access_for(user=user, record=record), values=values, status=status)

    return write


@pytest.fixture
def make_rich_dataset(admin, workspace):
    """make_rich_dataset(name): a ready dataset with every answer column kind (text, rating, label, multi-label,
    ranking) and metadata; every one made shares that schema, as datasets consolidated together do."""
    from labeling.services.datasets import dataset_create, dataset_publish

    options = [{"value": v} for v in ("a", "b", "c")]

    def make(name):
        dataset = dataset_create(
            actor=admin, workspace=workspace, name=name,
            fields=[{"name": "prompt"}, {"name": "context", "required": False}],
            questions=[
                {"name": "demonstration", "type": "text", "settings": {"use_markdown": True}},
                {"name": "quality", "type": "rating", "required": False,
                 "settings": {"options": [{"value": v} for v in range(1, 6)]}},
                {"name": "topic", "type": "label_selection", "required": False, "settings": {"options": options}},
                {"name": "tags", "type": "multi_label_selection", "required": False, "settings": {"options": options}},
                {"name": "order", "type": "ranking", "required": False, "settings": {"options": options[:2]}},
                {"name": "note", "type": "text", "required": False},
            ],
            metadata_properties=[{"name": "lang", "type": "terms"}, {"name": "level", "type": "integer"}],
        )
        return dataset_publish(access=dataset_access_for(user=admin, dataset=dataset))

    return make


@pytest.fixture
def rich_dataset(make_rich_dataset):
    """A ready dataset with every answer column kind: text, rating, label, multi-label, ranking, and metadata."""
    return make_rich_dataset("rich")


@pytest.fixture
def run_export(admin, django_capture_on_commit_callbacks):
    """Start an export as `actor` (the admin by default), let the eager task run, return the job."""

    def run(datasets, format, actor=None, **options):
        from exports.services import export_jobs

        with django_capture_on_commit_callbacks(execute=True):
            job = export_jobs.export_job_create(
                actor=actor or admin, dataset_ids=[d.pk for d in datasets], format=format, options=options
            )
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def job_file():
    """The bytes or the local path of a published export file."""
    from django.core.files.storage import default_storage

    class Files:
        def path(self, job, role="data"):
            return default_storage.path(job.files[role])

        def json(self, job, role="report"):
            import json

            with default_storage.open(job.files[role]) as handle:
                return json.load(handle)

        def lines(self, job, role="data"):
            import json

            with default_storage.open(job.files[role]) as handle:
                return [json.loads(line) for line in handle.read().decode().splitlines()]

    return Files()


class ReviewHistory:
    """Writes a response's history as the review stage's shared rules say (BRIEF_REVIEW: submit, accept, reject,
    fix), straight into the tables: exports read the history, whichever service wrote it."""

    def _entry(self, response, kind: str, author, **extra):
        from tests.factories import ResponseVersionFactory

        response.version += 1
        response.save(update_fields=["values", "status", "review_status", "version"])
        return ResponseVersionFactory(response=response, kind=kind, author=author, number=response.version, **extra)

    def submit(self, response, review: str | None = "pending", **values):
        """The labeler submits (or edits) the answer with these new `values`; it waits for review (`review`)."""
        kind = "edit" if response.status == "submitted" and response.version else "submit"
        response.values = {**response.values, **values}
        response.status, response.review_status = "submitted", review
        return self._entry(response, kind, response.user)

    def accept(self, response, reviewer):
        response.review_status = "accepted"
        return self._entry(response, "accept", reviewer, reviewed_number=response.version)

    def fix(self, response, reviewer, **values):
        reviewed = response.version
        response.values = {**response.values, **values}
        response.status, response.review_status = "submitted", "accepted"
        return self._entry(response, "fix", reviewer, reviewed_number=reviewed)

    def reject(self, response, reviewer, comment: str):
        reviewed = response.version
        response.status, response.review_status = "draft", "rejected"
        return self._entry(response, "reject", reviewer, reviewed_number=reviewed, comment=comment)


@pytest.fixture
def history(db):
    """history.submit(response, **values), .accept(response, reviewer), .fix(response, reviewer, **values),
    .reject(response, reviewer, "why"): a response's history written as the review services write it."""
    return ReviewHistory()

