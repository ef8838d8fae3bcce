"""Test settings: the base settings with a fast password hasher.

Tasks run in-process in every pass so that tests see their effects at once; the tests that
exercise a real Celery worker (marked `redis`) switch `celery_app.conf.task_always_eager` off
themselves and start the worker as a subprocess.
"""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_RATE_LIMITS = False
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
