import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup(set_prefix=False)

# Imported once Django is set up: the handler reads the middleware settings.
from config.handlers import ApplicationHandler

application = ApplicationHandler()
