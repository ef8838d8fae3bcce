"""The row lock the annotation loop takes on a record, shared by its next-record and response statements."""

from config import rows


def record_row_lock() -> str:
    """` FOR NO KEY UPDATE` where the database has it, else ` FOR UPDATE`, else nothing (SQLite).

    It serializes the record's response writers and candidate takers just as FOR UPDATE would, but
    does not conflict with the KEY SHARE locks that foreign-key checks hold on the record while other
    transactions insert rows pointing at it (a distribution's assignments, claims), so a submission
    or a next-record call never waits for those transactions to commit.
    ORM equivalent: `select_for_update(no_key=True)`.
    """
    features = rows.this_threads_connection().features
    if features.has_select_for_no_key_update:
        return " FOR NO KEY UPDATE"
    return " FOR UPDATE" if features.has_select_for_update else ""
