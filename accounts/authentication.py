"""DRF authentication by `Authorization: Token <api key>`."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiKey
from .selectors import user_for_api_key

# `last_used_at` is for people deciding which keys to revoke; minutes are precise enough, and
# writing it on every request cost an UPDATE (and a commit) per API call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Token <api key>'.")
        found = user_for_api_key(header[1].decode(errors="replace"))
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        user, key = found
        if key.last_used_at is None or timezone.now() - key.last_used_at >= LAST_USED_RESOLUTION:
            ApiKey.objects.mark_used(key.id)
        return user, key

    def authenticate_header(self, request) -> str:
        return self.keyword
