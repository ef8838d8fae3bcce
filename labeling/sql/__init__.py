"""The one home of hand-written SQL (STYLE §2).

One module per statement family, one function per statement. Identifiers come from the models
(`Model._meta.db_table`, column names through `config.rows`), each function's docstring names its ORM
equivalent, and `tests/sql_parity/` runs every statement and that equivalent over
the same world on SQLite and on PostgreSQL.
"""
