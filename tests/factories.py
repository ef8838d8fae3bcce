"""One factory per model. Children stay inside their parent's workspace through SubFactory chains."""

import factory
import factory.random
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Membership, User, Workspace
from labeling.models import (
    Assignment,
    Dataset,
    Field,
    MetadataProperty,
    Question,
    Record,
    Response,
    Skip,
    Suggestion,
)

factory.random.reseed_random(20261126)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-for-tests-1")


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"workspace-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Membership.Role.ANNOTATOR


class DatasetFactory(DjangoModelFactory):
    """A ready dataset with a text field `prompt`, a required text question and an optional rating."""

    class Meta:
        model = Dataset
        skip_postgeneration_save = True

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"dataset {n}")
    guidelines = "Write the ideal answer."
    status = Dataset.Status.READY

    @factory.post_generation
    def schema(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        FieldFactory(dataset=self, name="prompt")
        QuestionFactory(dataset=self, name="demonstration")
        QuestionFactory(
            dataset=self, name="quality", type="rating", required=False, position=1,
            settings={"type": "rating", "options": [{"value": v} for v in range(1, 6)]},
        )


class FieldFactory(DjangoModelFactory):
    class Meta:
        model = Field

    dataset = factory.SubFactory(DatasetFactory, schema=False)
    name = factory.Sequence(lambda n: f"field_{n}")
    title = factory.LazyAttribute(lambda f: f.name.title())


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    dataset = factory.SubFactory(DatasetFactory, schema=False)
    name = factory.Sequence(lambda n: f"question_{n}")
    title = factory.LazyAttribute(lambda q: q.name.title())
    type = "text"
    settings = {"type": "text", "use_markdown": False}


class MetadataPropertyFactory(DjangoModelFactory):
    class Meta:
        model = MetadataProperty

    dataset = factory.SubFactory(DatasetFactory, schema=False)
    name = factory.Sequence(lambda n: f"meta_{n}")
    title = factory.LazyAttribute(lambda m: m.name)
    type = "terms"
    settings = {"type": "terms", "values": None}


class RecordFactory(DjangoModelFactory):
    class Meta:
        model = Record

    dataset = factory.SubFactory(DatasetFactory)
    ordinal = factory.Sequence(lambda n: n + 1)
    external_id = factory.Sequence(lambda n: f"rec-{n}")
    fields = factory.LazyAttribute(lambda r: {"prompt": f"Prompt for {r.external_id}"})
    metadata = {}


class SuggestionFactory(DjangoModelFactory):
    class Meta:
        model = Suggestion

    record = factory.SubFactory(RecordFactory)
    question = factory.LazyAttribute(lambda s: s.record.dataset.questions.get(name="demonstration"))
    value = "A suggested answer."
    agent = "model-x"
    type = "model"


class ResponseFactory(DjangoModelFactory):
    class Meta:
        model = Response

    record = factory.SubFactory(RecordFactory)
    user = factory.SubFactory(UserFactory)
    values = {"demonstration": "An answer."}
    status = Response.Status.SUBMITTED


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    record = factory.SubFactory(RecordFactory)
    user = factory.SubFactory(UserFactory)


def history_entry(response: Response, *, kind: str, author: User | None = None, comment: str = "",
                  reviewed_number: int | None = None, **changes):
    """Set `changes` on `response` and append the history entry `kind` they make, as the services do:
    the entry and the response's new version are saved together. Returns the entry."""
    from django.utils import timezone

    from labeling.services.history import version_entry

    for name, value in changes.items():
        setattr(response, name, value)
    entry = version_entry(response, dataset_id=response.record.dataset_id, kind=kind, author=author or response.user,
                          now=timezone.now(), comment=comment, reviewed_number=reviewed_number)
    entry.save(force_insert=True)
    response.save(update_fields=[*changes, "version"])
    return entry


class ResponseVersionFactory(DjangoModelFactory):
    """An entry of `response`'s history holding its current values and statuses: its next number, by its
    labeler, a submit unless told otherwise. The response's own `version` is the caller's to advance."""

    class Meta:
        model = "labeling.ResponseVersion"
        exclude = ("response",)

    response = factory.SubFactory(ResponseFactory)
    dataset_id = factory.LazyAttribute(lambda v: v.response.record.dataset_id)
    record_id = factory.LazyAttribute(lambda v: v.response.record_id)
    response_id = factory.LazyAttribute(lambda v: v.response.pk)
    respondent_id = factory.LazyAttribute(lambda v: v.response.user_id)
    author = factory.LazyAttribute(lambda v: v.response.user)
    author_name = factory.LazyAttribute(lambda v: v.author.get_username() if v.author else "")
    number = factory.LazyAttribute(lambda v: v.response.record.versions.filter(response_id=v.response.pk).count() + 1)
    kind = "submit"
    values = factory.LazyAttribute(lambda v: v.response.values)
    status = factory.LazyAttribute(lambda v: v.response.status)
    review_status = factory.LazyAttribute(lambda v: v.response.review_status)
    inserted_at = factory.LazyFunction(timezone.now)


class SkipFactory(DjangoModelFactory):
    class Meta:
        model = Skip

    record = factory.SubFactory(RecordFactory)
    user = factory.SubFactory(UserFactory)
    reason = Skip.Reason.LATER
    inserted_at = factory.LazyFunction(timezone.now)
