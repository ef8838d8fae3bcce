"""Django's PostgreSQL backend with a health check that costs no round trip.

With `CONN_HEALTH_CHECKS`, Django checks a persistent connection at the start of every request by
sending `SELECT 1`. On the annotation loop that was two of the ~21 round trips of a submission and
~13% of a gunicorn worker's CPU (bench/README.md). A server that ends a connection (restart,
`pg_terminate_backend`, `idle_session_timeout`) sends a FATAL message or closes the socket, and an
idle connection is sent nothing else, so a socket with something to read means the connection is
gone. A false alarm only costs a reconnect.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
