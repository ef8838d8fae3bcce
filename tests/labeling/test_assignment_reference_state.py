"""Django's migration state describes an assignment's references as the database holds them (migration 0007):
no foreign key constraints in the state; PostgreSQL checks them with triggers, SQLite with the foreign keys
its table was created with."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from labeling.models import Assignment


def test_the_models_and_the_migrations_agree(db):
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def test_the_migration_state_declares_no_foreign_key_constraint_for_the_references(db):
    state = MigrationExecutor(connection).loader.project_state()
    fields = state.models["labeling", "assignment"].fields
    assert (fields["record"].db_constraint, fields["user"].db_constraint) == (False, False)
    assert not Assignment._meta.get_field("record").db_constraint
    assert not Assignment._meta.get_field("user").db_constraint


def test_sqlite_keeps_the_foreign_keys_its_table_was_created_with(db):
    """A migration that rebuilds the table on SQLite rebuilds it from the state: it must restore these."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; PostgreSQL's triggers are checked in test_assignment_references")
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA foreign_key_list({Assignment._meta.db_table})")
        references = {(row[3], row[2]) for row in cursor.fetchall()}
    assert references >= {("record_id", "labeling_record"), ("user_id", "accounts_user")}
