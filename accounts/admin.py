"""Admin for users, API keys, workspaces and memberships (DESIGN §2, §6).

Owners manage users and workspaces; a workspace admin sees the users of the workspaces they
administer, manages those workspaces' memberships, and mints or revokes their own API keys.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.utils.html import format_html

from config.admin import (
    FrozenOnExistingForm,
    ScopedRelatedFilter,
    TenantAdmin,
    TenantInline,
    adopt,
    domain_error_to_validation,
    related_count,
)
from config.names import USERNAME, check_workspace_name

from . import services, tenancy
from .models import ApiKey, Membership, User, Workspace
from .skills import skills_as_text, skills_from_text

# Nothing here uses Django's groups and per-model permissions: access comes from memberships.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class WorkspaceFilter(ScopedRelatedFilter):
    title = "workspace"
    parameter_name = "workspace"
    field_path = "workspace"


# --- users --------------------------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "first_name", "last_name")

    def clean_username(self):
        username = super().clean_username()
        if not USERNAME.match(username):
            raise forms.ValidationError("A username uses letters, digits and @ . + - _ and does not start with - or _.")
        return username


@admin.register(User)
class UserAdmin(TenantAdmin, DjangoUserAdmin):
    """Owners create and edit users; workspace admins may look up the members of their workspaces."""

    add_form = UserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "usable_password", "password1", "password2")}),
        ("Name", {"fields": ("first_name", "last_name")}),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("is_active", "is_superuser"), "description": "Owners (superusers) manage everything."}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "email", "first_name", "last_name", "is_superuser", "is_active", "last_login")
    list_filter = ("is_superuser", "is_active")
    search_fields = ("username", "email", "first_name", "last_name")
    filter_horizontal = ()
    ordering = ("username",)

    def has_add_permission(self, request):
        return tenancy.is_owner(request.user)

    def has_change_permission(self, request, obj=None):
        return tenancy.is_owner(request.user)

    def has_delete_permission(self, request, obj=None):
        return tenancy.is_owner(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        user, _ = services.user_create(
            actor=request.user,
            username=data["username"],
            password=data.get("password1") if data.get("set_usable_password") else None,
            email=data.get("email") or "",
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
        )
        adopt(obj, user)


# --- API keys -----------------------------------------------------------------------------------


@admin.register(ApiKey)
class ApiKeyAdmin(TenantAdmin):
    """A key's secret is shown once, in a message after it is created; only its digest is stored."""

    list_display = ("prefix", "name", "user", "inserted_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    fields = ("user", "name", "prefix", "inserted_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "inserted_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    def get_queryset(self, request):
        return ApiKey.objects.visible_to(request.user)

    def get_fields(self, request, obj=None):
        return ("user", "name") if obj is None else self.fields

    def get_autocomplete_fields(self, request):
        # Owners pick any user; anyone else mints keys for themself, from a one-item list.
        return ("user",) if tenancy.is_owner(request.user) else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not tenancy.is_owner(request.user):
            # api_key_create lets a non-owner mint keys for themself only.
            kwargs["queryset"] = User.objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return self.admin_site.has_permission(request)

    def save_model(self, request, obj, form, change):
        key, secret = services.api_key_create(
            actor=request.user, user=form.cleaned_data["user"], name=form.cleaned_data.get("name") or ""
        )
        adopt(obj, key)
        self.message_user(
            request,
            format_html(
                "New API key for {}: <code>{}</code> — copy it now: it is stored hashed and will not be shown again.",
                key.user.username,
                secret,
            ),
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected API keys", permissions=["revoke"])
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            services.api_key_revoke(actor=request.user, key=key)
        self.message_user(request, f"Revoked {len(keys)} API key(s).", messages.SUCCESS)


# --- workspaces and memberships -----------------------------------------------------------------


class MembershipForm(FrozenOnExistingForm, forms.ModelForm):
    frozen_on_existing = ("user", "workspace")
    skills = forms.CharField(
        required=False, help_text="Tags that route records to this member, separated by commas: python, legal, lang:de."
    )

    class Meta:
        model = Membership
        fields = ("user", "workspace", "role", "skills")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["skills"] = skills_as_text(self.instance.skills or [])

    def clean_skills(self):
        return domain_error_to_validation(skills_from_text, self.cleaned_data.get("skills") or "")


class MembershipInline(TenantInline, admin.TabularInline):
    model = Membership
    form = MembershipForm
    fields = ("user", "role", "skills", "quota")
    readonly_fields = ("quota",)
    autocomplete_fields = ("user",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = Workspace
        fields = ("name",)

    def clean_name(self):
        return domain_error_to_validation(check_workspace_name, self.cleaned_data["name"])


@admin.register(Workspace)
class WorkspaceAdmin(TenantAdmin):
    """Owners create, rename and delete workspaces; their admins manage the memberships inline.

    labeling's admin adds the count of each workspace's datasets (accounts knows nothing of datasets).
    """

    form = WorkspaceForm
    list_display = ("name", "member_count", "inserted_at")
    search_fields = ("name",)
    inlines = (MembershipInline,)

    def annotate_changelist(self, queryset):
        return super().annotate_changelist(queryset).annotate(member_count=related_count(Membership, "workspace"))

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    def get_readonly_fields(self, request, obj=None):
        return () if tenancy.is_owner(request.user) else ("name",)

    def has_add_permission(self, request):
        return tenancy.is_owner(request.user)

    def has_delete_permission(self, request, obj=None):
        return tenancy.is_owner(request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            adopt(obj, services.workspace_create(actor=request.user, name=form.cleaned_data["name"]))
        elif "name" in form.changed_data:
            current = Workspace.objects.get(pk=obj.pk)
            adopt(obj, services.workspace_update(actor=request.user, workspace=current, name=form.cleaned_data["name"]))

    def delete_model(self, request, obj):
        services.workspace_delete(actor=request.user, workspace=obj)

    def delete_queryset(self, request, queryset):
        for workspace in queryset:
            services.workspace_delete(actor=request.user, workspace=workspace)

    def save_formset(self, request, form, formset, change):
        """Memberships go through membership_set / membership_remove, like every other entry point."""
        workspace = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.initial_forms:
            if formset._should_delete_form(row):
                services.membership_remove(actor=request.user, workspace=workspace, user=row.instance.user)
                formset.deleted_objects.append(row.instance)
            elif row.has_changed():
                membership = services.membership_set(
                    actor=request.user, workspace=workspace, user=row.instance.user, role=row.cleaned_data["role"],
                    skills=row.cleaned_data["skills"],
                )
                formset.changed_objects.append((membership, row.changed_data))
        for row in formset.extra_forms:
            if row.has_changed() and not formset._should_delete_form(row):
                membership = services.membership_set(
                    actor=request.user,
                    workspace=workspace,
                    user=row.cleaned_data["user"],
                    role=row.cleaned_data["role"],
                    skills=row.cleaned_data["skills"],
                )
                formset.new_objects.append(membership)


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    form = MembershipForm
    list_display = ("user", "workspace", "role", "skills", "quota", "inserted_at")
    list_select_related = ("user", "workspace")
    list_filter = (WorkspaceFilter, "role")
    search_fields = ("user__username", "workspace__name")
    readonly_fields = ("quota",)
    autocomplete_fields = ("user", "workspace")

    def save_model(self, request, obj, form, change):
        membership = services.membership_set(
            actor=request.user,
            workspace=form.cleaned_data.get("workspace") or obj.workspace,
            user=form.cleaned_data.get("user") or obj.user,
            role=form.cleaned_data["role"],
            skills=form.cleaned_data["skills"],
        )
        adopt(obj, membership)

    def delete_model(self, request, obj):
        services.membership_remove(actor=request.user, workspace=obj.workspace, user=obj.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "workspace"):
            services.membership_remove(actor=request.user, workspace=membership.workspace, user=membership.user)
