"""A response's history is append-only (the review issue): the database refuses to change a version.

Both engines get a row trigger that aborts any UPDATE of `labeling_responseversion`. DELETE stays
allowed, as versions go with their record or dataset; no service or admin path deletes one alone.
"""

from django.db import migrations

TABLE = "labeling_responseversion"
MESSAGE = "response versions are append-only: a version is never changed"

POSTGRESQL_FORWARD = [
    f"""CREATE FUNCTION {TABLE}_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
END $$""",
    f"""CREATE TRIGGER {TABLE}_refuse_update BEFORE UPDATE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_update()""",
]
POSTGRESQL_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {TABLE}_refuse_update ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse_update()",
]
SQLITE_FORWARD = [
    f"""CREATE TRIGGER {TABLE}_refuse_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {TABLE}_refuse_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("labeling", "0008_review_and_history")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
