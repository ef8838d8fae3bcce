import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup(set_prefix=False)

from config.handlers import ApplicationHandler  # noqa: E402  (needs the settings configured above)

application = ApplicationHandler()
