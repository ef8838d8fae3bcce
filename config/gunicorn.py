"""gunicorn settings shared by `make serve`, the README's production command and the benchmarks.

Command-line flags (--bind, --workers, --threads) override these.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
# One thread per worker: a request here is CPU-bound Python with short database round trips, so
# threads of one process mostly wait for its interpreter lock. Under the 32-labeler benchmark on two
# cores, 1 thread served more submissions than 3 in every alternating pair, with less app and
# PostgreSQL CPU per submission (bench/README.md).
# Keep-alive connections still wait in each worker's poller, not in a thread. Raise it (or the
# workers) where slow clients reach gunicorn without a buffering proxy in front.
threads = int(os.environ.get("WEB_THREADS", "1"))
# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections over
# them. With one shared socket, whichever worker is first to accept keeps the keep-alive connections
# it took: under the annotation-loop benchmark one worker served 32 labelers on one core while the
# other sat idle.
reuse_port = True
