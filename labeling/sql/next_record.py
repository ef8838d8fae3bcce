"""`record_claim_next`'s statements: the draft to resume, the held record (rejected answers first), the
next candidate, and the claim.

They run on every call of the annotation loop (DESIGN §8), where building the equivalent querysets
(an Exists, a claims-count subquery, a row lock, an upsert) cost more CPU than the database spent
answering them. `tests/sql_parity/test_next_record.py` runs each against its ORM equivalent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, cached_property

from django.conf import settings

from accounts.models import User
from config import rows

from ..models import Assignment, Claim, Dataset, Record, Response, Skip
from ..routing import Routing
from .locks import record_row_lock


@cache
def _table(model) -> str:
    return rows.this_threads_connection().ops.quote_name(model._meta.db_table)


@dataclass
class NextRecordStatements:
    """The statements of one `record_claim_next` call by `actor` on `dataset` at `now`.

    Both lookups return a record of the dataset that the actor has not submitted or discarded,
    outside `exclude_ids`; with `routing`, the open distribution's records also follow its rule
    (`labeling.routing`; records assigned to the actor are theirs whatever their tags).
    """

    actor: User
    dataset: Dataset
    now: datetime
    routing: Routing | None = None

    @cached_property
    def _params(self) -> dict:
        ops = rows.this_threads_connection().ops
        expires = self.now + timedelta(seconds=settings.CLAIM_TTL_SECONDS)
        return {"actor": rows.pk_param(User, self.actor.pk), "dataset": rows.pk_param(Dataset, self.dataset.pk),
                "now": ops.adapt_datetimefield_value(self.now), "expires": ops.adapt_datetimefield_value(expires)}

    @cached_property
    def _record_row(self) -> rows.RowLoader:
        return rows.row_loader(Record, "r", rows.this_threads_connection().vendor)

    def _unanswered(self, exclude_ids: list, params: list, *, later: bool = False) -> str:
        """WHERE conditions shared by both lookups, appending their parameters to `params`.

        The actor has neither answered nor started the record (an ordinary draft; one a reviewer sent back
        stays in) nor skipped it, or, with `later`, skipped it for later.
        """
        p = self._params
        where = ["r.dataset_id = %s", (f"NOT EXISTS (SELECT 1 FROM {_table(Response)} s WHERE s.record_id = r.id"
                                       " AND s.user_id = %s AND (s.status IN (%s, %s)"
                                       " OR (s.status = %s AND s.review_status IS NULL)))")]
        params += [p["dataset"], p["actor"], Response.Status.SUBMITTED, Response.Status.DISCARDED, Response.Status.DRAFT]
        where.append(self._skipped(params, reasons=[Skip.Reason.LATER] if later else None))
        if exclude_ids:
            where.append(f"r.id NOT IN ({', '.join(['%s'] * len(exclude_ids))})")
            params += [rows.pk_param(Record, pk) for pk in exclude_ids]
        return " AND ".join(where)

    def _routed(self, params: list) -> str:
        """The routing rule on `r` as an added WHERE condition (empty without routing), appending its parameters.

        The record's string tags under the routing property (a string value is one tag), trimmed and
        lower-cased: "does one of them match the tags" is NULL when there are none (open to all), so it
        passes unless the answer is no (or, in fallback, yes).
        """
        if self.routing is None:
            return ""
        if rows.this_threads_connection().vendor == "postgresql":
            return self._routed_postgresql(params)
        # SQLite takes an empty IN list (always false): a caller without tags matches nothing. An object's
        # members (text keys) are no tags; a string's row has no key, an array's elements an integer one.
        params += [*self.routing.tags, f'$."{self.routing.property_name}"']
        tags = ", ".join(["%s"] * len(self.routing.tags))
        match = (f"(SELECT max(lower(trim(e.value)) IN ({tags})) FROM json_each(r.metadata, %s) e "
                 "WHERE e.type = 'text' AND typeof(e.key) <> 'text' AND trim(e.value) <> '')")
        return f" AND COALESCE({match}, 0) = 0" if self.routing.fallback else f" AND COALESCE({match}, 1) = 1"

    def _routed_postgresql(self, params: list) -> str:
        """`_routed` on PostgreSQL. A string value, the usual case, is compared in place: the candidate walks
        past every pending record of other skills, and unnesting each value cost more than the rest of the
        statement (bench/README.md, Routing by skill); only arrays are unnested."""
        tags, name, fallback = list(self.routing.tags), self.routing.property_name, self.routing.fallback
        text = "lower(btrim(r.metadata ->> %s::text))"
        params += [name, name, name, tags, tags, name]
        array = ("(SELECT bool_or(lower(btrim(e #>> '{}')) = ANY(%s::text[])) FROM jsonb_array_elements("
                 "r.metadata -> %s::text) e WHERE jsonb_typeof(e) = 'string' AND btrim(e #>> '{}') <> '')")
        matches = f"{text} = ANY(%s::text[])"
        string_passes = f"{text} = '' OR " + (f"NOT {matches}" if fallback else matches)
        array_passes = f"NOT COALESCE({array}, FALSE)" if fallback else f"COALESCE({array}, TRUE)"
        return (f" AND CASE jsonb_typeof(r.metadata -> %s::text) WHEN 'string' THEN {string_passes}"
                f" WHEN 'array' THEN {array_passes} ELSE TRUE END")

    def _in_dataset(self, exclude_ids: list, params: list) -> str:
        """The dataset and `exclude_ids` conditions alone: a rejected answer comes back whatever its record's skips."""
        where = ["r.dataset_id = %s"]
        params.append(self._params["dataset"])
        if exclude_ids:
            where.append(f"r.id NOT IN ({', '.join(['%s'] * len(exclude_ids))})")
            params += [rows.pk_param(Record, pk) for pk in exclude_ids]
        return " AND ".join(where)

    def _skipped(self, params: list, *, reasons: list | None) -> str:
        """A condition on the actor's skip of `r`: it skipped for one of `reasons`, or not skipped at all (None)."""
        sql = f"EXISTS (SELECT 1 FROM {_table(Skip)} k WHERE k.record_id = r.id AND k.user_id = %s"
        params.append(self._params["actor"])
        if reasons is None:
            return f"NOT {sql})"
        params += reasons
        return f"{sql} AND k.reason IN ({', '.join(['%s'] * len(reasons))}))"

    def draft(self, exclude_ids: list, *, open_distribution: bool) -> Record | None:
        """The actor's oldest ordinary draft in the dataset (served only when they ask to resume their drafts),
        on a record assigned to them unless the distribution is open, and not skipped for good.

        ORM equivalent: `Record.objects.filter(dataset=d, responses__user=actor, responses__status=DRAFT,
        responses__review_status=None)` (plus `assignments__user=actor` in assigned distribution), without
        the actor's skips other than "later", `.order_by("responses__inserted_at", "ordinal").first()`.
        """
        p = self._params
        params: list = [p["actor"], Response.Status.DRAFT, p["dataset"]]
        where = ["r.dataset_id = %s"]
        if exclude_ids:
            where.append(f"r.id NOT IN ({', '.join(['%s'] * len(exclude_ids))})")
            params += [rows.pk_param(Record, pk) for pk in exclude_ids]
        if not open_distribution:
            where.append(f"EXISTS (SELECT 1 FROM {_table(Assignment)} a WHERE a.record_id = r.id AND a.user_id = %s)")
            params.append(p["actor"])
        where.append(f"NOT {self._skipped(params, reasons=[Skip.Reason.NOT_MY_FIELD, Skip.Reason.BROKEN])}")
        sql = (f"SELECT {self._record_row.columns} FROM {_table(Record)} r "
               f"JOIN {_table(Response)} d ON d.record_id = r.id AND d.user_id = %s AND d.status = %s"
               f" AND d.review_status IS NULL WHERE {' AND '.join(where)} ORDER BY d.inserted_at, r.ordinal LIMIT 1")
        row = rows.fetch_one(sql, params)
        return None if row is None else self._record_row.load(row)

    def held(self, exclude_ids: list, *, open_distribution: bool, later: bool = False) -> Record | None:
        """The first record whose answer by the actor a reviewer rejected (in assigned distribution, while
        it is still assigned to them), in creation order; else the first record assigned to the actor,
        else (in open distribution) the first pending record with a live claim of the actor's;
        `record.held_by` says which ("rejected", "assignment", "claim"). With `later`, the last two among
        the records the actor skipped for later instead of those they did not skip.

        ORM equivalent: `Record.objects.filter(dataset=d, responses__user=actor, responses__status=DRAFT,
        responses__review_status=REJECTED)` (plus `assignments__user=actor` in assigned distribution),
        `.order_by("ordinal").first()`; then `Record.objects.filter(dataset=d, assignments__user=actor)`
        without the actor's submitted or discarded response, ordinary draft and skip (with `later`: with
        their "later" skip), `.order_by("ordinal").first()`, then the same over
        `claims__user=actor, claims__expires_at__gt=now, status=PENDING`.
        """
        p = self._params
        columns = self._record_row.columns
        params: list = [p["actor"], Response.Status.DRAFT, Response.ReviewStatus.REJECTED]
        rejected = (f"SELECT {columns}, 'rejected' AS held_by, 0 AS priority FROM {_table(Record)} r "
                    f"JOIN {_table(Response)} p ON p.record_id = r.id AND p.user_id = %s AND p.status = %s "
                    f"AND p.review_status = %s WHERE {self._in_dataset(exclude_ids, params)}")
        if not open_distribution:
            rejected += f" AND EXISTS (SELECT 1 FROM {_table(Assignment)} g WHERE g.record_id = r.id AND g.user_id = %s)"
            params.append(p["actor"])
        params.append(p["actor"])
        branches = [f"{rejected} ORDER BY r.ordinal LIMIT 1",
                    (f"SELECT {columns}, 'assignment' AS held_by, 1 AS priority FROM {_table(Record)} r "
                     f"JOIN {_table(Assignment)} a ON a.record_id = r.id AND a.user_id = %s "
                     f"WHERE {self._unanswered(exclude_ids, params, later=later)} ORDER BY r.ordinal LIMIT 1")]
        if open_distribution:
            params += [p["actor"], p["now"]]
            where = self._unanswered(exclude_ids, params, later=later)
            where += self._routed(params)
            params.append(Record.Status.PENDING)
            branches.append(f"SELECT {columns}, 'claim' AS held_by, 2 AS priority FROM {_table(Record)} r "
                            f"JOIN {_table(Claim)} c ON c.record_id = r.id AND c.user_id = %s AND c.expires_at > %s "
                            f"WHERE {where} AND r.status = %s ORDER BY r.ordinal LIMIT 1")
        sql = " UNION ALL ".join(f"SELECT * FROM ({branch}) AS b{i}" for i, branch in enumerate(branches))
        row = rows.fetch_one(f"{sql} ORDER BY priority LIMIT 1", params)
        if row is None:
            return None
        record = self._record_row.load(row[:-2])
        record.held_by = row[-2]
        return record

    def candidate(self, exclude_ids: list, *, later: bool = False) -> Record | None:
        """The next free record: pending, its submitted responses plus other labelers' live claims below
        `min_submitted`, fewest submitted first, then oldest, locked with SKIP LOCKED where the database
        has it. It walks the (dataset, status, submitted_count, ordinal) index in order and stops at the
        first free row, whatever the size of the queue. With `later`, among the records the actor skipped
        for later instead of those they did not skip.

        ORM equivalent: the unanswered records with `status=PENDING`, annotated with
        `Count("claims", filter=Q(claims__expires_at__gt=now) & ~Q(claims__user=actor))`, filtered on
        `submitted_count + others < min_submitted`, `.order_by("submitted_count", "ordinal")`,
        `.select_for_update(skip_locked=True, no_key=True, of=("self",)).first()`.
        """
        p = self._params
        params: list = []
        where = self._unanswered(exclude_ids, params, later=later)
        where += self._routed(params)
        params += [Record.Status.PENDING, p["now"], p["actor"], self.dataset.min_submitted]
        has_skip_locked = rows.this_threads_connection().features.has_select_for_update_skip_locked
        lock = f"{record_row_lock()} OF r SKIP LOCKED" if has_skip_locked else ""
        sql = (f"SELECT {self._record_row.columns} FROM {_table(Record)} r "
               f"WHERE {where} AND r.status = %s "
               f"AND r.submitted_count + (SELECT COUNT(*) FROM {_table(Claim)} o WHERE o.record_id = r.id"
               " AND o.expires_at > %s AND o.user_id <> %s) < %s "
               f"ORDER BY r.submitted_count, r.ordinal LIMIT 1{lock}")
        row = rows.fetch_one(sql, params)
        return None if row is None else self._record_row.load(row)

    def claim(self, record: Record, *, unless_taken: bool = False) -> bool:
        """Take or renew the actor's claim on `record` in one statement; whether it was taken.

        With `unless_taken` (call it with the record row locked, so its `submitted_count` is
        current), only while its submitted responses plus other labelers' live claims stay below
        `min_submitted`.
        ORM equivalent: `Claim.objects.update_or_create(record=record, user=actor, defaults={...})`,
        after counting `Claim.objects.filter(record=record, expires_at__gt=now).exclude(user=actor)`.
        """
        p = self._params
        params = [rows.pk_param(Record, record.pk), p["actor"], p["now"], p["expires"]]
        condition = ""
        if unless_taken:
            condition = (f" AND (SELECT COUNT(*) FROM {_table(Claim)} o WHERE o.record_id = %s AND o.expires_at > %s"
                         " AND o.user_id <> %s) < %s")
            params += [params[0], p["now"], p["actor"], self.dataset.min_submitted - record.submitted_count]
        sql = (f"INSERT INTO {_table(Claim)} (record_id, user_id, claimed_at, expires_at) SELECT %s, %s, %s, %s "
               f"WHERE 1 = 1{condition} ON CONFLICT (record_id, user_id) DO UPDATE "
               "SET claimed_at = excluded.claimed_at, expires_at = excluded.expires_at RETURNING id")
        return rows.fetch_one(sql, params) is not None
