"""Django's PostgreSQL backend, with a health check that costs no round trip, compiled loading of
timestamps, and a reused cursor for `config.rows`' hand-written statements.

Health check: with `CONN_HEALTH_CHECKS`, Django checks a persistent connection at the start of every
request by sending `SELECT 1`. On the annotation loop that was two round trips of every submission
and a large share of a gunicorn worker's CPU (bench/README.md). A server that ends a connection
(restart, `pg_terminate_backend`, `idle_session_timeout`) sends a FATAL message or closes the socket,
and an idle connection is sent nothing else, so a socket with something to read means the connection
is gone. A false alarm only costs a reconnect.

Timestamps: Django reads `timestamptz` columns with its own loader, a Python subclass of psycopg's
pure-Python one, which parses every value in Python and then sets the time zone Django wants. The
connection's session time zone already is that zone (Django sets it on connect), so psycopg's own
loader, compiled when psycopg's binary package is installed, gives the same datetimes for a fraction
of the CPU, even through the wrapper below; an annotation-loop submission loads dozens of them
(bench/README.md).
"""

import select
from functools import cache

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg.adapt import AdaptersMap, Loader
from psycopg.pq import Format


class DatabaseWrapper(base.DatabaseWrapper):
    _statement_cursor = None

    def statement_cursor(self) -> base.ServerBindingCursor:
        """One psycopg cursor, bound on the server, reused for `config.rows`' statements on this
        connection (replaced with the connection). Callers apply Django's checks and error translation."""
        cursor = self._statement_cursor
        if cursor is None or cursor.connection is not self.connection or cursor.closed:
            cursor = self._statement_cursor = base.ServerBindingCursor(self.connection)
        return cursor

    def get_connection_params(self):
        params = super().get_connection_params()
        if settings.USE_TZ:
            params["context"] = _with_psycopgs_timestamptz_loader(params["context"], self.timezone)
        return params

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)


class _SessionZoneTimestamptzLoader(Loader):
    """psycopg's default `timestamptz` loader behind the `timezone` attribute that Django compares with
    its own zone before each cursor (`create_cursor`); the compiled class cannot be subclassed."""

    timezone = None
    default = psycopg.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._default = self.default(oid, context)

    def load(self, data):
        return self._default.load(data)


@cache
def _with_psycopgs_timestamptz_loader(template: AdaptersMap, zone) -> AdaptersMap:
    adapters = AdaptersMap(template)
    adapters.register_loader("timestamptz", type("Loader", (_SessionZoneTimestamptzLoader,), {"timezone": zone}))
    return adapters
