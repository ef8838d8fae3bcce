import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup(set_prefix=False)

# Imported once Django is set up: the handler reads the middleware settings. Key-authenticated calls
# take the same shorter chain as under WSGI (config.handlers).
from config.handlers import AsgiApplicationHandler

application = AsgiApplicationHandler()
