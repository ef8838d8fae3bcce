"""Reads for one use case each, always from a tenancy-scoped queryset (STYLE §3)."""

from collections import defaultdict
from datetime import timedelta
from functools import cache
from uuid import UUID

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    TextField,
    Value,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Length, RowNumber, TruncDate
from django.utils import timezone

from accounts import tenancy
from accounts.models import Membership, User, Workspace
from config.errors import NotFound
from config.rows import RowLoader, fetch_all, fetch_one, pk_param, row_loader, split_row

from .metadata_filter import metadata_conditions, metadata_filter, metadata_types
from .models import Assignment, Dataset, Question, Record, Response, Suggestion
from .querysets import dataset_row_visible, record_row_visible


def _uuid(value) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise NotFound() from None


def dataset_list(*, user: User, workspace_id=None):
    """Datasets the user may read, optionally in one workspace."""
    datasets = Dataset.objects.visible_to(user).select_related("workspace")
    if workspace_id is not None:
        datasets = datasets.filter(workspace_id=_uuid(workspace_id))
    return datasets


# --- one-statement lookups -----------------------------------------------------------------------
# `dataset_get` and `record_get` run on every call of the annotation loop (DESIGN §8). Building their
# `visible_to` querysets cost more CPU than the database spent answering them, so they read the object,
# its parents and the caller's role in one hand-written statement, built once per process, and apply
# the same rules as `Dataset.objects.visible_to` / `Record.objects.visible_to` to the loaded row.


@cache
def _lookup_sql(vendor: str, with_record: bool) -> tuple[str, list[RowLoader]]:
    """SELECT [record,] dataset, workspace, the caller's membership there [, whether the record is assigned to them]."""
    qn = connection.ops.quote_name
    loaders = ([row_loader(Record, "r", vendor)] if with_record else []) + [
        row_loader(Dataset, "d", vendor), row_loader(Workspace, "w", vendor), row_loader(Membership, "m", vendor)
    ]
    joins = (f"JOIN {qn(Workspace._meta.db_table)} w ON w.{qn('id')} = d.{qn('workspace_id')} "
             f"LEFT JOIN {qn(Membership._meta.db_table)} m "
             f"ON m.{qn('workspace_id')} = d.{qn('workspace_id')} AND m.{qn('user_id')} = %s "
             f"WHERE {'r' if with_record else 'd'}.{qn('id')} = %s")
    columns = ", ".join(loader.columns for loader in loaders)
    if with_record:
        assigned = (f"EXISTS (SELECT 1 FROM {qn(Assignment._meta.db_table)} a "
                    f"WHERE a.{qn('record_id')} = r.{qn('id')} AND a.{qn('user_id')} = %s)")
        sql = (f"SELECT {columns}, {assigned} "
               f"FROM {qn(Record._meta.db_table)} r JOIN {qn(Dataset._meta.db_table)} d ON d.{qn('id')} = r.{qn('dataset_id')} "
               + joins)
    else:
        sql = f"SELECT {columns} FROM {qn(Dataset._meta.db_table)} d " + joins
    return sql, loaders


def _lookup(user: User, pk, *, with_record: bool):
    """(record or None, dataset with its workspace, caller's role, assigned) for one id, or None if missing.

    The caller's membership is left with `tenancy.remember_membership` for the services the request
    calls next.
    """
    sql, loaders = _lookup_sql(connection.vendor, with_record)
    user_id = pk_param(User, user.pk)
    params = [user_id, user_id, pk_param(Record, pk)] if with_record else [user_id, pk_param(Dataset, pk)]
    row = fetch_one(sql, params)
    if row is None:
        return None
    (*record_values, dataset_values, workspace_values, membership_values), rest = split_row(row, loaders)
    dataset = loaders[-3].load(dataset_values)
    dataset.workspace = loaders[-2].load(workspace_values)
    membership = loaders[-1].load_or_none(membership_values)
    tenancy.remember_membership(user, dataset.workspace_id, membership)
    record = None
    if record_values:
        record = loaders[0].load(record_values[0])
        record.dataset = dataset
    role = membership.role if membership is not None else None
    return record, dataset, role, bool(rest[0]) if with_record else False


def dataset_get(*, user: User, dataset_id) -> Dataset:
    """One dataset the user may read; missing and not-yours are the same NotFound."""
    dataset_id = _uuid(dataset_id)
    if tenancy.is_authenticated(user):
        found = _lookup(user, dataset_id, with_record=False)
        if found is not None and dataset_row_visible(user, found[1], found[2]):
            return found[1]
    raise NotFound("Dataset not found.")


def dataset_get_by_name(*, user: User, workspace_name: str, name: str) -> Dataset:
    try:
        return Dataset.objects.visible_to(user).select_related("workspace").get(workspace__name=workspace_name, name=name)
    except Dataset.DoesNotExist:
        raise NotFound(f"Dataset '{workspace_name}/{name}' not found.") from None


def dataset_with_schema(dataset: Dataset) -> Dataset:
    """Prefetch fields, questions and metadata properties (three queries, whatever their number)."""
    from django.db.models import prefetch_related_objects

    prefetch_related_objects([dataset], "fields", "questions", "metadata_properties")
    return dataset


def records_readable(*, user: User, dataset: Dataset):
    """Records of a dataset the user may read: every one for its admins, the distribution's share for others."""
    if tenancy.is_workspace_admin(user, dataset.workspace_id):
        return Record.objects.filter(dataset=dataset)
    return Record.objects.for_annotator(user, dataset)


def record_list(*, user: User, dataset: Dataset):
    """Records with suggestions and the responses the user may see (all for admins, own for others),
    as `visible_suggestions` and `visible_responses`."""
    records = records_readable(user=user, dataset=dataset).order_by("ordinal")
    responses = Response.objects.order_by("inserted_at")
    if not tenancy.is_workspace_admin(user, dataset.workspace_id):
        responses = responses.filter(user_id=user.pk)
    return records.prefetch_related(
        Prefetch("suggestions", queryset=Suggestion.objects.select_related("question").order_by("inserted_at"),
                 to_attr="visible_suggestions"),
        Prefetch("responses", queryset=responses, to_attr="visible_responses"),
    )


def record_with_details(*, user: User, dataset: Dataset, record: Record) -> Record:
    """Set `visible_suggestions` and `visible_responses` (all for admins, own otherwise), as
    `record_list` does, on a record of `dataset` the caller was just given (the next record); unlike
    `record_list` it does not re-read the record through the distribution's scope.

    One hand-written statement (`config.rows`), as the annotation loop runs this on every call: the
    suggestions (with their questions) and then the responses, each row padded with NULLs where the
    other kind's columns are.
    """
    own_only = not tenancy.is_workspace_admin(user, dataset.workspace_id)
    sql, (suggestion_row, question_row, response_row) = _details_sql(connection.vendor, own_only)
    record_id = pk_param(Record, record.pk)
    params = [record_id, record_id, pk_param(User, user.pk)] if own_only else [record_id, record_id]
    record.visible_suggestions, record.visible_responses = [], []
    for row in fetch_all(sql, params):
        (suggestion_values, question_values, response_values), _ = split_row(
            row[1:], (suggestion_row, question_row, response_row)
        )
        if row[0] == 0:
            suggestion = suggestion_row.load(suggestion_values)
            suggestion.question = question_row.load(question_values)
            record.visible_suggestions.append(suggestion)
        else:
            record.visible_responses.append(response_row.load(response_values))
    return record


@cache
def _details_sql(vendor: str, own_only: bool):
    qn = connection.ops.quote_name
    loaders = row_loader(Suggestion, "s", vendor), row_loader(Question, "q", vendor), row_loader(Response, "p", vendor)
    suggestion_nulls = ", ".join(["NULL"] * (loaders[0].width + loaders[1].width))
    response_nulls = ", ".join(["NULL"] * loaders[2].width)
    sql = (f"SELECT 0 AS kind, {loaders[0].columns}, {loaders[1].columns}, {response_nulls}, s.{qn('inserted_at')} AS at "
           f"FROM {qn(Suggestion._meta.db_table)} s "
           f"JOIN {qn(Question._meta.db_table)} q ON q.{qn('id')} = s.{qn('question_id')} WHERE s.{qn('record_id')} = %s "
           f"UNION ALL SELECT 1, {suggestion_nulls}, {loaders[2].columns}, p.{qn('inserted_at')} "
           f"FROM {qn(Response._meta.db_table)} p WHERE p.{qn('record_id')} = %s"
           + (f" AND p.{qn('user_id')} = %s" if own_only else "") + " ORDER BY kind, at")
    return sql, loaders


def record_get(*, user: User, dataset: Dataset | None = None, record_id) -> Record:
    """One record the user may read (through its dataset when given); NotFound otherwise."""
    if dataset is None:
        record_id = _uuid(record_id)
        if tenancy.is_authenticated(user):
            found = _lookup(user, record_id, with_record=True)
            if found is not None and record_row_visible(user, *found):
                return found[0]
        raise NotFound("Record not found.")
    records = Record.objects.visible_to(user).select_related("dataset", "dataset__workspace")
    if dataset is not None:
        records = records.filter(dataset=dataset)
    try:
        return records.get(pk=_uuid(record_id))
    except Record.DoesNotExist:
        raise NotFound("Record not found.") from None


def response_list(*, user: User, dataset: Dataset):
    """Responses of a dataset: all of them for its admins, only their own for annotators."""
    responses = Response.objects.visible_to(user).filter(record__dataset=dataset).select_related("record", "user")
    if not tenancy.is_workspace_admin(user, dataset.workspace_id):
        responses = responses.filter(user_id=user.pk)
    return responses


def response_get(*, user: User, response_id) -> Response:
    try:
        return Response.objects.visible_to(user).select_related("record__dataset__workspace").get(pk=_uuid(response_id))
    except Response.DoesNotExist:
        raise NotFound("Response not found.") from None


def dataset_progress(*, dataset: Dataset) -> dict:
    """Progress of a dataset (DESIGN §4): records by status, responses by status, and per annotator.

    A fixed number of aggregate queries whatever the size of the dataset.
    """
    records = Record.objects.filter(dataset=dataset).aggregate(
        total=Count("id"), completed=Count("id", filter=Q(status=Record.Status.COMPLETED))
    )
    by_status = dict(
        Response.objects.filter(record__dataset=dataset).values_list("status").annotate(n=Count("id")).order_by()
    )
    per_user: dict = defaultdict(lambda: {
        "assigned": 0, "submitted": 0, "discarded": 0, "draft": 0, "answered_assigned": 0, "last_activity_at": None,
    })
    for user_id, n in Assignment.objects.filter(record__dataset=dataset).values_list("user_id").annotate(n=Count("id")).order_by():
        per_user[user_id]["assigned"] = n
    for user_id, status, n, last in (
        Response.objects.filter(record__dataset=dataset)
        .values_list("user_id", "status")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .order_by()
    ):
        per_user[user_id][status] = n
        if per_user[user_id]["last_activity_at"] is None or last > per_user[user_id]["last_activity_at"]:
            per_user[user_id]["last_activity_at"] = last
    for user_id, n in (
        Response.objects.filter(
            record__dataset=dataset,
            status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED],
            record__assignments__user_id=F("user_id"),
        )
        .values_list("user_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        per_user[user_id]["answered_assigned"] = n
    medians = _median_seconds_by_user(dataset)
    members = {
        m.user_id: m
        for m in Membership.objects.filter(workspace_id=dataset.workspace_id).select_related("user")
    }
    users = {u.pk: u for u in User.objects.filter(pk__in=set(per_user) - set(members))}
    annotators = []
    for user_id in sorted(set(per_user) | {uid for uid, m in members.items() if m.role == Membership.Role.ANNOTATOR},
                          key=lambda uid: (members[uid].user.username if uid in members else users[uid].username)):
        counts = per_user[user_id]
        user = members[user_id].user if user_id in members else users[user_id]
        if dataset.distribution == Dataset.Distribution.ASSIGNED:
            remaining = counts["assigned"] - counts["answered_assigned"]
        else:
            remaining = max(0, (records["total"] or 0) - counts["submitted"] - counts["discarded"])
        median = medians.get(user_id)
        annotators.append({
            "user_id": str(user_id),
            "username": user.username,
            "assigned": counts["assigned"],
            "submitted": counts["submitted"],
            "discarded": counts["discarded"],
            "draft": counts["draft"],
            "remaining": max(0, remaining),
            "median_seconds_per_submission": round(median, 1) if median is not None else None,
            "last_activity_at": counts["last_activity_at"],
        })
    return {
        "records": {
            "total": records["total"],
            "completed": records["completed"],
            "pending": records["total"] - records["completed"],
        },
        "responses": {status: by_status.get(status, 0) for status in Response.Status.values},
        "annotators": annotators,
    }


class _Median(Aggregate):
    """PostgreSQL's ordered-set median (the mean of the two middle values for an even count)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median_seconds_by_user(dataset: Dataset) -> dict:
    """Median seconds from receiving a record to submitting it, per user, computed in the database.

    PostgreSQL has an aggregate for it: one sort per user, 0.3 s over 200,000 responses. Elsewhere,
    window functions number each user's submissions by duration and only the one or two middle
    rows per user come back (their mean is the median); on PostgreSQL that took 0.8 s.
    """
    seconds = ExpressionWrapper(F("submitted_at") - F("started_at"), output_field=DurationField())
    submitted = Response.objects.filter(
        record__dataset=dataset, status=Response.Status.SUBMITTED, started_at__isnull=False,
        submitted_at__isnull=False,
    )
    if connection.vendor == "postgresql":
        medians = submitted.order_by().values("user_id").annotate(median=_Median(seconds))
        return {row["user_id"]: row["median"].total_seconds() for row in medians}
    middle = (
        submitted.annotate(
            seconds=seconds,
            position=Window(RowNumber(), partition_by=[F("user_id")], order_by=[seconds.asc(), F("id").asc()]),
            total=Window(Count("id"), partition_by=[F("user_id")]),
        )
        .filter(position__gte=(F("total") + 1) / 2, position__lte=(F("total") + 2) / 2)
        .values_list("user_id", "seconds")
    )
    halves: dict = defaultdict(list)
    for user_id, duration in middle:
        halves[user_id].append(duration.total_seconds())
    return {user_id: sum(values) / len(values) for user_id, values in halves.items()}


# --- the labeler portal (issue 4) ---------------------------------------------------------------


def annotator_progress(*, user: User, datasets) -> dict:
    """The user's own progress in each dataset: submitted, discarded, drafts, assigned and what is left for them.

    `remaining` counts the records "next record" may still hand them (DESIGN §4): their unanswered assigned
    records plus, in open distribution, pending records they have not answered, capped by their quota.
    Four aggregate queries whatever the number of datasets and records.
    """
    datasets = list(datasets)
    ids = [d.pk for d in datasets]
    progress = {
        d.pk: {"submitted": 0, "discarded": 0, "draft": 0, "assigned": 0, "remaining": 0} for d in datasets
    }
    for dataset_id, status, n in (
        Response.objects.filter(user_id=user.pk, record__dataset_id__in=ids)
        .values_list("record__dataset_id", "status").annotate(n=Count("id")).order_by()
    ):
        progress[dataset_id][status] = n
    for dataset_id, n in (
        Assignment.objects.filter(user_id=user.pk, record__dataset_id__in=ids)
        .values_list("record__dataset_id").annotate(n=Count("id")).order_by()
    ):
        progress[dataset_id]["assigned"] = n
    assigned = Assignment.objects.filter(record_id=OuterRef("pk"), user_id=user.pk)
    answered = Response.objects.filter(
        record_id=OuterRef("pk"), user_id=user.pk, status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED]
    )
    for dataset_id, n in (
        Record.objects.filter(dataset_id__in=ids)
        .filter(Exists(assigned) | Q(status=Record.Status.PENDING, dataset__distribution=Dataset.Distribution.OPEN))
        .exclude(Exists(answered))
        .values_list("dataset_id").annotate(n=Count("id")).order_by()
    ):
        progress[dataset_id]["remaining"] = n
    quotas = dict(
        Membership.objects.filter(user_id=user.pk, workspace_id__in={d.workspace_id for d in datasets}, quota__isnull=False)
        .values_list("workspace_id", "quota")
    )
    for dataset in datasets:
        counts = progress[dataset.pk]
        counts["done"] = counts["submitted"] + counts["discarded"]
        quota = quotas.get(dataset.workspace_id)
        if quota is not None:
            counts["remaining"] = min(counts["remaining"], max(0, quota - counts["done"]))
        counts["total"] = counts["done"] + counts["remaining"]
    return progress


def response_own(*, user: User, record: Record) -> Response | None:
    """The user's own response to a record, if any (never another labeler's)."""
    return Response.objects.filter(record=record, user_id=user.pk).first()


def suggestions_for_record(*, record: Record) -> dict:
    """The record's suggestions keyed by question id (one query); the caller has fetched the record via record_get."""
    return {s.question_id: s for s in Suggestion.objects.filter(record=record)}


def response_previous(*, user: User, dataset: Dataset, before: Response | None = None):
    """Id of the record the user answered just before `before` (their latest answer when None), or None."""
    responses = Response.objects.filter(user_id=user.pk, record__dataset=dataset)
    if before is not None:
        responses = responses.filter(inserted_at__lt=before.inserted_at)
    return responses.order_by("-inserted_at").values_list("record_id", flat=True).first()


def my_responses(*, user: User, status: str | None = None, search: str | None = None, dataset_id=None):
    """The user's own responses across the datasets they may read, newest change first.

    `search` matches the answer values, the record's fields and its external id (case-insensitive).
    """
    responses = (
        Response.objects.visible_to(user)
        .filter(user_id=user.pk)
        .select_related("record", "record__dataset", "record__dataset__workspace")
        .order_by("-updated_at", "-inserted_at")
    )
    if status:
        responses = responses.filter(status=status)
    if dataset_id is not None:
        responses = responses.filter(record__dataset_id=_uuid(dataset_id))
    if search:
        responses = responses.filter(
            Q(values__icontains=search) | Q(record__fields__icontains=search) | Q(record__external_id__icontains=search)
        )
    return responses



RECORD_RESPONSE_FILTERS = (*Response.Status.values, "missing")


def record_filter(records, *, user: User, dataset: Dataset, status: str | None = None, external_id: str | None = None,
                  metadata: dict | None = None, response_status: str | None = None, assigned_to=None):
    """Narrow a `record_list` queryset by the allow-listed record filters.

    `metadata` maps property names to query-string values; names must be the dataset's metadata
    properties (anything else is InvalidInput) and values are converted to the property's type.
    `response_status` is the caller's own response status, or "missing" for records they have not answered.
    """
    if status is not None:
        records = records.filter(status=status)
    if external_id is not None:
        records = records.filter(external_id=external_id)
    if metadata:
        records = metadata_filter(records, metadata_conditions(metadata, types=metadata_types([dataset])))
    if response_status is not None:
        own = Response.objects.filter(record_id=OuterRef("pk"), user_id=user.pk)
        if response_status == "missing":
            records = records.filter(~Exists(own))
        else:
            records = records.filter(Exists(own.filter(status=response_status)))
    if assigned_to is not None:
        records = records.filter(Exists(Assignment.objects.filter(record_id=OuterRef("pk"), user_id=assigned_to)))
    return records


# --- workload distribution (issue 5) ------------------------------------------------------------


def assignment_list(*, user: User, dataset: Dataset):
    """Assignments of a dataset with whether their holder answered (submitted or discarded) the record.

    All of them for the dataset's admins, only their own for annotators; holder, record and
    assigner come in the same query.
    """
    assignments = Assignment.objects.visible_to(user).filter(record__dataset=dataset)
    if not tenancy.is_workspace_admin(user, dataset.workspace_id):
        assignments = assignments.filter(user_id=user.pk)
    answered = Response.objects.filter(
        record_id=OuterRef("record_id"),
        user_id=OuterRef("user_id"),
        status__in=[Response.Status.SUBMITTED, Response.Status.DISCARDED],
    )
    return assignments.annotate(is_answered=Exists(answered)).select_related("record", "user", "assigned_by")


def dataset_submissions_per_day(*, dataset: Dataset, days: int = 30) -> list[dict]:
    """Submitted responses per UTC day over the last `days` days, oldest first, days without any included."""
    today = timezone.now().date()
    first = today - timedelta(days=days - 1)
    counts = dict(
        Response.objects.filter(
            record__dataset=dataset, status=Response.Status.SUBMITTED, submitted_at__date__gte=first
        )
        .annotate(day=TruncDate("submitted_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [{"day": first + timedelta(days=offset), "submitted": counts.get(first + timedelta(days=offset), 0)}
            for offset in range(days)]


AGREEMENT_TYPES = ("rating", "label_selection")


def dataset_agreement(*, dataset: Dataset) -> list[dict]:
    """Agreement per rating and label question, overlap per text question (DESIGN §4, issue 5).

    Ratings and labels: Krippendorff's alpha (interval for ratings, nominal for labels) over
    the records holding at least two submitted answers, with the number of such records. Text
    questions: how many records hold more than one submitted demonstration. The alpha comes from
    sums the database aggregates per record and then over records (the coincidence-matrix
    formula rewritten in counts and sums), so one query per question whatever the number of
    records; `exports.reconcile.Alpha` gives the same figures from individual answers.
    """
    submitted = Response.objects.filter(record__dataset=dataset, status=Response.Status.SUBMITTED)
    rows = []
    for question in dataset.questions.all():
        answer = KeyTextTransform(question.name, "values")
        row = {"question": question.name, "title": question.title, "type": question.type}
        if question.type == "rating":
            row.update(_interval_alpha(submitted.annotate(x=Cast(answer, FloatField())).filter(x__isnull=False)))
        elif question.type == "label_selection":
            options = [option["value"] for option in question.settings.get("options", [])]
            # Cast to text so comparisons are plain string ones, not JSON lookups.
            label = Cast(answer, TextField())
            row.update(_nominal_alpha(submitted.annotate(label=label).filter(label__in=options), options))
        elif question.type == "text":
            per_record = (
                submitted.annotate(length=Length(answer)).filter(length__gt=0)
                .values("record_id").annotate(n=Count("id")).filter(n__gte=2)
            )
            row["records_with_several"] = per_record.count()
        else:
            continue
        rows.append(row)
    return rows


def _as_float(expression):
    return Cast(expression, FloatField())


def _interval_alpha(answers) -> dict:
    """alpha = 1 - (n - 1) * sum_u (m_u*S2_u - S1_u^2) / (m_u - 1) / (n*T2 - T1^2), over records u with m_u >= 2."""
    units = (
        answers.values("record_id")
        .annotate(m=Count("id"), s1=Sum("x"), s2=Sum(F("x") * F("x")))
        .filter(m__gte=2)
    )
    totals = units.aggregate(
        units=Count("record_id"), n=Sum("m"), t1=Sum("s1"), t2=Sum("s2"),
        observed=Sum((_as_float("m") * F("s2") - F("s1") * F("s1")) / (_as_float("m") - 1.0)),
    )
    if not totals["units"]:
        return {"alpha": None, "records": 0}
    n = totals["n"]
    expected = n * totals["t2"] - totals["t1"] ** 2
    return {"alpha": _alpha(n, totals["observed"], expected), "records": totals["units"]}


def _nominal_alpha(answers, options: list) -> dict:
    """alpha = 1 - (n - 1) * sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) / (n^2 - sum_c n_c^2), over records with m_u >= 2."""
    per_option = {f"c{index}": Count("id", filter=Q(label=option)) for index, option in enumerate(options)}
    units = answers.values("record_id").annotate(m=Count("id"), **per_option).filter(m__gte=2)
    same = sum((F(name) * F(name) for name in per_option), Value(0))
    totals = units.aggregate(
        units=Count("record_id"), n=Sum("m"),
        observed=Sum((_as_float(F("m") * F("m") - same)) / (_as_float("m") - 1.0)),
        **{f"n_{name}": Sum(name) for name in per_option},
    )
    if not totals["units"]:
        return {"alpha": None, "records": 0}
    n = totals["n"]
    expected = n * n - sum((totals[f"n_{name}"] or 0) ** 2 for name in per_option)
    return {"alpha": _alpha(n, totals["observed"], expected), "records": totals["units"]}


def _alpha(n: int, observed: float, expected: float) -> float | None:
    """Undefined (None) without variation to compare against, as in `exports.reconcile.Alpha`."""
    if n <= 1 or not expected:
        return None
    return 1.0 - (n - 1) * observed / expected
