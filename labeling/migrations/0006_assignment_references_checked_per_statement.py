"""On PostgreSQL, check an assignment's record and user once per statement instead of once per row.

A distribution inserts up to 300,000 assignments in one statement (`labeling.assignments`), and a
foreign key runs its own query for every row it checks: two checks per assignment, ~7 µs each,
took two thirds of the server's time for the whole distribution. The triggers below keep the
guarantees of the two foreign keys they replace, checked set-wise over the statement's rows:

- rows inserted or updated in `labeling_assignment` must name an existing record and user; as a
  foreign key check does, the referenced rows are locked FOR KEY SHARE until the transaction ends,
  so a concurrent delete waits for it, and a record or user deleted first makes the insert fail;
- deleting or truncating a record or user still referred to by an assignment fails, and so does
  changing its id (the model's CASCADE is Django's, which deletes the assignments first).

Violations raise SQLSTATE 23503 (foreign_key_violation), which Django turns into IntegrityError as
it did for the constraints. They are checked when the statement ends rather than at commit, the
one difference from Django's deferred constraints; Django's deletion deletes dependent rows
first. SQLite keeps its ordinary foreign keys, as the model describes them.
"""

from django.conf import settings
from django.db import migrations

ASSIGNMENTS = "labeling_assignment"
# (column of labeling_assignment, referenced table, what it is called in messages)
REFERENCES = [("record_id", "labeling_record", "record"), ("user_id", "accounts_user", "user")]
CHECK_INSERTED = "labeling_assignment_check_references"


def _inserted_check(column: str, table: str, noun: str) -> str:
    return f"""
  WITH wanted AS MATERIALIZED (SELECT DISTINCT {column} AS id FROM new_rows),
       locked AS (SELECT FROM {table} t WHERE t.id IN (SELECT id FROM wanted) FOR KEY SHARE OF t)
  SELECT (SELECT count(*) FROM wanted) - (SELECT count(*) FROM locked) INTO absent;
  IF absent > 0 THEN
    SELECT n.{column} INTO missing FROM new_rows n
     WHERE NOT EXISTS (SELECT FROM {table} t WHERE t.id = n.{column}) LIMIT 1;
    RAISE EXCEPTION 'insert or update on table "{ASSIGNMENTS}" refers to {noun} % which does not exist', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;"""


def _referenced_side(table: str, column: str, noun: str) -> list[str]:
    refuse = (f"RAISE EXCEPTION '{noun} % is still referred to from table \"{ASSIGNMENTS}\"', {{which}} "
              "USING ERRCODE = 'foreign_key_violation';")
    return [
        f"""CREATE FUNCTION {table}_refuse_deleting_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  referred text;
BEGIN
  SELECT a.{column} INTO referred FROM {ASSIGNMENTS} a WHERE a.{column} IN (SELECT id FROM old_rows) LIMIT 1;
  IF referred IS NOT NULL THEN
    {refuse.format(which="referred")}
  END IF;
  RETURN NULL;
END $$""",
        f"""CREATE TRIGGER {table}_refuse_deleting_assigned AFTER DELETE ON {table}
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_deleting_assigned()""",
        f"""CREATE FUNCTION {table}_refuse_new_id_if_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM {ASSIGNMENTS} a WHERE a.{column} = OLD.id) THEN
    {refuse.format(which="OLD.id")}
  END IF;
  RETURN NULL;
END $$""",
        f"""CREATE TRIGGER {table}_refuse_new_id_if_assigned AFTER UPDATE OF id ON {table}
FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION {table}_refuse_new_id_if_assigned()""",
        f"""CREATE FUNCTION {table}_refuse_truncating_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM {ASSIGNMENTS}) THEN
    RAISE EXCEPTION 'table "{table}" cannot be truncated while table "{ASSIGNMENTS}" has rows'
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$""",
        f"""CREATE TRIGGER {table}_refuse_truncating_assigned AFTER TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_truncating_assigned()""",
    ]


def _statements() -> list[str]:
    checks = "".join(_inserted_check(column, table, noun) for column, table, noun in REFERENCES)
    statements = [
        f"""CREATE FUNCTION {CHECK_INSERTED}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  absent bigint;
  missing text;
BEGIN{checks}
  RETURN NULL;
END $$""",
        f"""CREATE TRIGGER {CHECK_INSERTED}_on_insert AFTER INSERT ON {ASSIGNMENTS}
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {CHECK_INSERTED}()""",
        f"""CREATE TRIGGER {CHECK_INSERTED}_on_update AFTER UPDATE ON {ASSIGNMENTS}
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {CHECK_INSERTED}()""",
    ]
    for column, table, noun in REFERENCES:
        statements += _referenced_side(table, column, noun)
    return statements


def _foreign_keys(cursor) -> list[str]:
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass"
        " AND confrelid = ANY(%s::regclass[])",
        [ASSIGNMENTS, [table for _, table, _ in REFERENCES]],
    )
    return [name for (name,) in cursor.fetchall()]


def check_per_statement(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in _foreign_keys(cursor):
            cursor.execute(f'ALTER TABLE {ASSIGNMENTS} DROP CONSTRAINT "{name}"')
        for statement in _statements():
            cursor.execute(statement)


def check_per_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION {CHECK_INSERTED}() CASCADE")
        for column, table, _ in REFERENCES:
            for function in ("refuse_deleting_assigned", "refuse_new_id_if_assigned", "refuse_truncating_assigned"):
                cursor.execute(f"DROP FUNCTION {table}_{function}() CASCADE")
            cursor.execute(f"ALTER TABLE {ASSIGNMENTS} ADD CONSTRAINT {ASSIGNMENTS}_{column}_fk FOREIGN KEY ({column})"
                           f" REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED")


class Migration(migrations.Migration):

    dependencies = [
        ("labeling", "0005_assignment_time_ordered_ids"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(check_per_statement, check_per_row)]
