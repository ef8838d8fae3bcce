"""gunicorn settings shared by `make serve`, the README's production command and the benchmarks.

Command-line flags (--bind, --workers, --threads) override these.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
# Three threads per worker: on two cores, with 32 labelers looping, 3 served ~8% more submissions
# than 4 (less contention for each process's interpreter lock) and more than 2 (bench/README.md).
threads = int(os.environ.get("WEB_THREADS", "3"))
# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections over
# them. With one shared socket, whichever worker is first to accept keeps the keep-alive connections
# it took: under the annotation-loop benchmark one worker served 32 labelers on one core while the
# other sat idle.
reuse_port = True
