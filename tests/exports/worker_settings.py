"""Settings of the Celery worker that tests/exports/test_real_worker.py starts as a subprocess.

The test settings, with broker redelivery and stale-job deadlines shortened from an hour and fifteen
minutes to seconds, small export chunks (so a SIGKILL lands mid-export), and a queue of its own.
"""

import os

from config.settings.test import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4, "unacked_restore_interval": 1}
CELERY_TASK_DEFAULT_QUEUE = os.environ["EXPORTS_TEST_QUEUE"]
JOB_STALE_AFTER_SECONDS = 2
EXPORT_CHUNK_SIZE = 50
