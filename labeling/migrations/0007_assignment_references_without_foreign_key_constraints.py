"""Tell Django's migration state what the database holds: an assignment's references are no foreign key constraints.

Migration 0006 replaced the two foreign keys of `labeling_assignment` on PostgreSQL with statement-level
triggers, while the state still described ordinary foreign keys; Django believed in constraints that
no longer existed (and would have looked for them when altering the fields). The model now declares
`db_constraint=False` on `record` and `user`, and this migration changes the state alone:

- PostgreSQL: nothing to do; the triggers of 0006 check both references, and stay.
- SQLite: the table keeps the foreign keys migration 0001 created. Triggers cannot replace them
  there: SQLite checks a trigger at once, where Django's SQLite foreign keys are deferred to the
  commit, and flushing a database (between transactional tests) deletes its tables one by one, in
  no set order, which a trigger refusing to delete an assigned record would stop. A later migration
  that makes SQLite rebuild `labeling_assignment` rebuilds it from this state, without the foreign
  keys; tests/labeling/test_assignment_references.py then fails on SQLite, and that migration must
  restore them in its database operations.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("labeling", "0006_assignment_references_checked_per_statement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="record",
                    field=models.ForeignKey(
                        db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments", to="labeling.record",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="user",
                    field=models.ForeignKey(
                        db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments", to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
