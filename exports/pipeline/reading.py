"""Reading an export's records (DESIGN §5, §8): the database side of the pipeline.

Records are read chunk by chunk in ordinal order (keyset paging), each chunk with its responses
in one more query (and its suggestions for records.jsonl): a constant number of queries per
chunk, never one per record, so memory stays flat whatever the dataset's size. A consolidation by
external_id reads each dataset as two sorted streams instead (`examples_in_first_appearance_order`):
two queries per dataset, read through server-side cursors a chunk at a time.

The training formats read plain tuples (`values_list`), never model instances, and only the JSON
keys they use, unpacked by the database (`JsonScalar`); responses arrive sorted by time. That keeps
the per-record Python work to reconciliation and formatting (DESIGN §8).

The review history (`versions`) adds one query per chunk where it is read: a reviewed answer's latest
accepted version, and every response's history for records.jsonl.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.db.models import F, FloatField, Func, OuterRef, QuerySet, Subquery, TextField
from django.db.models.fields.json import KeyTransform, compile_json_path
from django.db.models.functions import Coalesce

from exports import reconcile
from exports.pipeline import versions
from exports.pipeline.options import ExportOptions, dataset_label
from labeling.metadata_filter import metadata_conditions, metadata_filter, metadata_types
from labeling.models import Dataset, Record, Response, Suggestion


def chunk_size() -> int:
    """Records per export chunk. Bigger chunks mean fewer response queries (PostgreSQL often answers one
    by scanning every response), smaller ones less memory: the default keeps the worker's peak small
    whatever the dataset's size (bench.export)."""
    return int(getattr(settings, "EXPORT_CHUNK_SIZE", 5_000))


@dataclass
class Selection:
    """One dataset of an export: its label in the files and the report, its records after the filters, and
    whether its answers may carry review decisions (`versions.has_reviews`)."""

    label: str
    records: QuerySet
    summary: dict
    has_reviews: bool = False


def selections(datasets: list[Dataset], options: ExportOptions) -> list[Selection]:
    """Each dataset's filtered records, with the counts the report and the progress bar start from."""
    chosen = []
    for dataset in datasets:
        records = filtered_records(dataset, options)
        label = dataset_label(dataset)
        selected = records.count()
        summary = {"id": str(dataset.pk), "name": label, "records": dataset.records.count(), "selected": selected,
                   "review": dataset.review}
        chosen.append(Selection(label, records, summary, versions.has_reviews(dataset)))
    return chosen


def filtered_records(dataset: Dataset, options: ExportOptions):
    """The dataset's records after the filters the database applies (completion, metadata)."""
    records = Record.objects.filter(dataset=dataset)
    if options.completed_only:
        records = records.filter(status=Record.Status.COMPLETED)
    if options.metadata_filter:
        conditions = metadata_conditions(options.metadata_filter, types=metadata_types([dataset]), allow_undeclared=True,
                                         field="metadata_filter")
        records = metadata_filter(records, conditions)
    return records


class JsonScalar(Func):
    """The value under `key` of a JSON column when it is a JSON string (as text) or number (as a float), else NULL.

    The database unpacks the value, so exports decode no JSON in Python for prompts, texts, labels and
    ratings: Django's JSONField would `json.loads` every whole document, the largest cost of an export.
    A number comes back as a float; every use of one (mean, median, agreement, best rated, minimum rating)
    treats 3 and 3.0 alike. Values of another JSON type than asked for read as NULL (validation never
    stores those: DESIGN §4).
    """

    def __init__(self, column: str, key: str, json_type: str):
        if json_type not in ("string", "number"):
            raise ValueError(f"unknown JSON type {json_type!r}")
        super().__init__(F(column), output_field=TextField() if json_type == "string" else FloatField())
        self.key, self.json_type = key, json_type

    # The database already returns str or float: no per-row Python conversion (Django's default calls float()).
    convert_value = staticmethod(Func._convert_value_noop)

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite's JSON1 functions (the embedded default): a JSON string comes back as text, a number cast to REAL.
        column, params = compiler.compile(self.get_source_expressions()[0])
        path = compile_json_path([self.key])
        types = ("text",) if self.json_type == "string" else ("integer", "real")
        placeholders = ", ".join(["%s"] * len(types))
        value = f"JSON_EXTRACT({column}, %s)"
        if self.json_type == "number":
            value = f"CAST({value} AS REAL)"
        sql = f"(CASE WHEN JSON_TYPE({column}, %s) IN ({placeholders}) THEN {value} END)"
        return sql, (*params, path, *types, *params, path)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        cast = "" if self.json_type == "string" else "::double precision"
        sql = f"(CASE WHEN JSONB_TYPEOF({column} -> %s) = %s THEN ({column} ->> %s){cast} END)"
        return sql, (*params, self.key, self.json_type, *params, self.key)


class UtcIsoText(Func):
    """A timestamp column as the text `datetime.isoformat()` gives in UTC, rendered by the database.

    `2026-01-02T03:04:05.678901+00:00`, without the fraction when it is zero, exactly as Python
    writes it. records.jsonl then builds no datetime objects: Django decodes each timestamp in
    Python, most of that export's time. Relies on USE_TZ with UTC storage (config/settings/base.py).
    """

    output_field = TextField()
    convert_value = staticmethod(Func._convert_value_noop)

    def __init__(self, column: str):
        super().__init__(F(column))

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite holds Django's str() of the naive UTC value: '2026-01-02 03:04:05.678901'.
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"(REPLACE({column}, ' ', 'T') || '+00:00')", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.get_source_expressions()[0])
        text = f"""TO_CHAR({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')"""
        return f"(REGEXP_REPLACE({text}, '\\.000000$', '') || '+00:00')", params


def _value_column(name: str, kind: str):
    """How a question's answer is read: unpacked by the database, or (lists, rankings) as decoded JSON."""
    if kind == "rating":
        return JsonScalar("values", name, "number")
    if kind in ("text", "label_selection"):
        return JsonScalar("values", name, "string")
    return KeyTransform(name, "values")


# records.jsonl: every column, timestamps as ISO text.
RECORD_COLUMNS_FULL = {
    "ordinal": "ordinal", "id": "id", "external_id": "external_id", "fields": "fields", "metadata": "metadata",
    "status": "status", "inserted_at": UtcIsoText("inserted_at"), "updated_at": UtcIsoText("updated_at"),
}
RESPONSE_COLUMNS_FULL = {
    "record_id": "record_id", "id": "id", "user__username": "user__username", "values": "values", "status": "status",
    "review_status": "review_status", "version": "version",
    **{name: UtcIsoText(name) for name in ("started_at", "submitted_at", "inserted_at", "updated_at")},
}
SUGGESTION_COLUMNS = ("record_id", "question__name", "value", "score", "agent", "type")


def _keyset_pages(records, columns, chunk_size: int):
    """Yield (rows, the records of those rows as a subquery), `chunk_size` records at a time in ordinal order.

    Keyset paging on the (dataset, ordinal) index: no OFFSET. The subquery selects the page's records
    again so their responses come in one semi-join, not a list of thousands of ids to bind and parse.
    `columns` must start with "ordinal".
    """
    records = records.order_by("ordinal")
    after = None
    while True:
        page = records if after is None else records.filter(ordinal__gt=after)
        rows = list(page.values_list(*columns)[:chunk_size])
        if not rows:
            return
        last = rows[-1][0]
        ids = records.filter(ordinal__lte=last)
        if after is not None:
            ids = ids.filter(ordinal__gt=after)
        yield rows, ids.order_by().values("id")
        after = last


def record_chunks(records, *, chunk_size: int):
    """Yield lists of (record, responses, suggestions) as plain dicts for records.jsonl: every column, every status,
    each response with its history (`versions`, oldest first); four queries per chunk."""
    for rows, page in _keyset_pages(records, list(RECORD_COLUMNS_FULL.values()), chunk_size):
        history = versions.versions_by_response(page, UtcIsoText("inserted_at"))
        by_record: dict = defaultdict(list)
        for values in Response.objects.filter(record_id__in=page).order_by("inserted_at", "id").values_list(
            *RESPONSE_COLUMNS_FULL.values()
        ):
            response = dict(zip(RESPONSE_COLUMNS_FULL, values))
            response["versions"] = history.get(response["id"], [])
            by_record[values[0]].append(response)
        suggestions: dict = defaultdict(list)
        for values in Suggestion.objects.filter(record_id__in=page).order_by("inserted_at", "id").values_list(
            *SUGGESTION_COLUMNS
        ):
            suggestions[values[0]].append(dict(zip(SUGGESTION_COLUMNS, values)))
        yield [
            (dict(zip(RECORD_COLUMNS_FULL, row)), by_record.get(row[1], []), suggestions.get(row[1], []))
            for row in rows
        ]


class ExampleColumns:
    """What the training formats read of records and responses; shared by both ways of paging through them.

    A record is the tuple (id, external_id, prompt, input, metadata); metadata is read only `with_metadata`
    (flat formats, stratified splits). Answers are `reconcile.Answer`s of the responses in
    `options.response_status` that `options.review_status` lets through, oldest first (ordered in SQL), with
    the demonstration and `value_questions` as values: those of the response's latest accepted version when
    `accepted_versions` (some dataset has reviews: `versions`), else its current ones. `grouped` reads for
    groups of records (`grouping`): responses come by record id, a plain index read with no join, with their
    times as ISO text to merge the answers of several records in order.
    """

    def __init__(self, options: ExportOptions, value_questions: list[tuple[str, str]], *, with_metadata: bool,
                 grouped: bool = False, accepted_versions: bool = False):
        self.options = options
        self.record_columns = ["ordinal", "id", "external_id", JsonScalar("fields", options.prompt_field, "string")]
        if options.input_field:
            self.record_columns.append(JsonScalar("fields", options.input_field, "string"))
        if with_metadata:
            self.record_columns.append("metadata")
        self.names = (options.demonstration_question, *(name for name, _ in value_questions))
        self.value_columns = [JsonScalar("values", options.demonstration_question, "string"),
                              *(_value_column(name, kind) for name, kind in value_questions)]
        # Responses are matched to their records by ordinal (an int: cheaper to hash than a UUID) when paging
        # in ordinal order, by id when grouped (ordering by ordinal there costs a join PostgreSQL runs badly).
        self.record_key, self.record_at = ("record_id", 1) if grouped else ("record__ordinal", 0)
        self.response_columns = [self.record_key, "user__username", *self.value_columns]
        self.grouped = grouped
        if grouped:
            self.response_columns += [UtcIsoText("submitted_at"), UtcIsoText("inserted_at")]
        # The response's id comes last, to find its accepted version.
        self.accepted_versions = accepted_versions
        if accepted_versions:
            self.response_columns.append("id")
        self.input_at = 4 if options.input_field else None
        self.metadata_at = -1 if with_metadata else None

    def responses(self, **where) -> QuerySet:
        """The responses an export reads (status and review filters applied) among those `where` selects."""
        responses = Response.objects.filter(status__in=self.options.response_status, **where)
        return versions.review_filter(responses, self.options.review_status)

    def page(self, rows: list[tuple], page) -> list[tuple]:
        """(ordinal, record, answers) for a page of record rows; `page` selects the same records (ids or a subquery)."""
        responses = (
            self.responses(record_id__in=page)
            .order_by(self.record_key, Coalesce("submitted_at", "inserted_at"), "inserted_at", "id")
            .values_list(*self.response_columns)
        )
        answer, names, values_end = reconcile.Answer, self.names, 2 + len(self.names)
        accepted = versions.accepted_values(self.value_columns, record_id__in=page) if self.accepted_versions else {}
        if accepted:
            responses = [row if (values := accepted.get(row[-1])) is None else (*row[:2], *values, *row[values_end:])
                         for row in responses]
        if self.grouped:
            answers = {
                key: [answer(row[1], dict(zip(names, row[2:values_end])), row[values_end], row[values_end + 1])
                      for row in group]
                for key, group in groupby(responses, itemgetter(0))
            }
        else:
            answers = {
                ordinal: [answer(row[1], dict(zip(names, row[2:values_end]))) for row in group]
                for ordinal, group in groupby(responses, itemgetter(0))
            }
        input_at, metadata_at, record_at = self.input_at, self.metadata_at, self.record_at
        return [
            (
                row[0],
                (row[1], row[2], row[3] or "", row[input_at] if input_at else None,
                 row[metadata_at] if metadata_at else None),
                answers.get(row[record_at], ()),
            )
            for row in rows
        ]


def example_chunks(records, *, chunk_size: int, columns: ExampleColumns):
    """Yield lists of (record, answers) in ordinal order, `chunk_size` records at a time; two queries per chunk."""
    for rows, page in _keyset_pages(records, columns.record_columns, chunk_size):
        yield [(record, answers) for _, record, answers in columns.page(rows, page)]


def examples_by_ordinal(records, ordinals: list[int], *, columns: ExampleColumns) -> dict[int, tuple]:
    """{ordinal: (record, answers)} for the given records of one dataset; two queries whatever their number."""
    rows = list(records.filter(ordinal__in=ordinals).values_list(*columns.record_columns))
    # The ids as a list, not a subquery: PostgreSQL then reads the responses through their record index
    # rather than scanning every response to join them with a scattered set of records.
    return {ordinal: (record, answers) for ordinal, record, answers in columns.page(rows, [row[1] for row in rows])}



def _first_appearance(earlier: list[QuerySet], external_id: str) -> dict:
    """The ordinal of the record with the same external_id in each earlier dataset (NULL where it has none)."""
    return {
        f"in_dataset_{i}": Subquery(
            others.filter(external_id=OuterRef(external_id)).exclude(external_id="").order_by().values("ordinal")[:1]
        )
        for i, others in enumerate(earlier)
    }


def examples_in_first_appearance_order(records, earlier: list[QuerySet], *, columns: ExampleColumns,
                                       chunk_size: int) -> Iterator[tuple[tuple[int, int], tuple, list]]:
    """Yield (group position, record, answers) for one dataset of a consolidation by external_id, in group order.

    A group's position is where it first appears: (the first of the datasets, in the export's order, that
    holds its external_id, the record's ordinal there); `earlier` are the records of the datasets before
    this one. The database sorts records and responses by it (the ordinal in each earlier dataset, absent
    last, then this one's), so both come in one order through two cursors, are joined here as they arrive,
    and `grouping` merges the datasets' streams holding a chunk of each: two queries per dataset.
    `columns` must be `grouped`; an answer carries its time as the one timestamp the merge compares (the
    submission, else the creation), a datetime rather than the ISO text the grouped pages render. With
    `columns.accepted_versions`, one more query per `chunk_size` answers reads their accepted versions.
    """
    index = len(earlier)
    firsts = _first_appearance(earlier, "external_id")
    order = [F(name).asc(nulls_last=True) for name in firsts]
    rows = (records.annotate(**firsts).order_by(*order, "ordinal")
            .values_list(*firsts, *columns.record_columns).iterator(chunk_size=chunk_size))
    read = [*firsts, "record__ordinal", "user__username", *columns.value_columns, Coalesce("submitted_at", "inserted_at")]
    responses = (
        columns.responses(record__in=records.order_by().values("id"))
        .annotate(**_first_appearance(earlier, "record__external_id"))
        .order_by(*order, "record__ordinal", Coalesce("submitted_at", "inserted_at"), "inserted_at", "id")
        .values_list(*read, *(["id"] if columns.accepted_versions else []))
        .iterator(chunk_size=chunk_size)
    )
    if columns.accepted_versions:
        responses = versions.with_accepted_values(responses, columns.value_columns, index + 2, batch=chunk_size)

    def position(row: tuple) -> tuple[int, int]:
        for i in range(index):
            if row[i] is not None:
                return i, row[i]
        return index, row[index]

    answer, names, values_end = reconcile.Answer, columns.names, index + 2 + len(columns.names)
    input_at, metadata_at = columns.input_at, columns.metadata_at
    pending = next(responses, None)
    for row in rows:
        ordinal, at = row[index], position(row)
        answers = []
        while pending is not None:
            if pending[index] == ordinal:
                answers.append(answer(pending[index + 1], dict(zip(names, pending[index + 2:values_end])),
                                      pending[values_end]))
            elif (position(pending), pending[index]) > (at, ordinal):
                break
            # else: the response of a record the first query did not see (added or changed since): skipped.
            pending = next(responses, None)
        record = row[index:]
        yield at, (record[1], record[2], record[3] or "", record[input_at] if input_at else None,
                   record[metadata_at] if metadata_at else None), answers
