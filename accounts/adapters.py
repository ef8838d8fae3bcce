from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by owners (admin, API, commands); the portal has no public sign-up."""

    def is_open_for_signup(self, request) -> bool:
        return False
