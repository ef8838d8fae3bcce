"""The Django admin site and who may enter it (DESIGN §2, §6).

Access is decided by `accounts.tenancy`, never by `is_staff` or Django's per-model permissions: owners
see everything; a user who administers at least one workspace sees and edits only those workspaces'
objects (config.admin's `TenantAdmin`); everyone else (annotators included) cannot log in. Its
sign-in form counts failures with the portal's (allauth's) rate limits.

`accounts.apps.AdminConfig` (in INSTALLED_APPS) makes `AdminSite` the default `admin.site`.
"""

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import tenancy


def may_use_admin(user) -> bool:
    """Owners and admins of at least one workspace may use the admin; `is_staff` alone is not enough."""
    if tenancy.is_owner(user):
        return True
    return tenancy.is_authenticated(user) and tenancy.admin_workspace_ids(user).exists()


class AdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Enter the username and password of an owner or a workspace admin. "
        "Labelers sign in to the portal instead.",
    }

    def clean(self):
        """Authenticate through allauth's adapter, so the portal's sign-in limits apply here too.

        The admin and the portal then share one count of failures per address and per username
        (ACCOUNT_RATE_LIMITS["login_failed"]): a guesser gains nothing by switching forms.
        """
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = get_account_adapter(self.request).authenticate(
                self.request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)
        if not may_use_admin(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class AdminSite(admin.AdminSite):
    site_header = "Demonstrations — administration"
    site_title = "Demonstrations admin"
    login_form = AdminLoginForm

    def has_permission(self, request) -> bool:
        # Asked several times per page (views, app list, templates): compute once per request.
        allowed = getattr(request, "_may_use_admin", None)
        if allowed is None:
            allowed = request._may_use_admin = may_use_admin(request.user)
        return allowed
