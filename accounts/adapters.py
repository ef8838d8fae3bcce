from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from config.client_address import client_address


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by owners (admin, API, commands); the portal has no public sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        """The address sign-in limits count against: the same one the API's failed-key throttle uses."""
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address
