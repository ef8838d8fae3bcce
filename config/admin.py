"""The tenancy rules every model admin follows (DESIGN §2, §6); who may enter the site is `accounts.admin_site`'s.

A user allowed into the site sees and edits only the objects of the workspaces they administer (owners:
all of them). Each model admin scopes its queryset with the models' `administered_by(user)` querysets,
so another workspace's object is "not found" on its change, delete and history pages, and foreign-key
choices come from the related model admin's scoped queryset. Writes go through the services; a
service's refusal (`DomainError`) becomes an error message and its transaction is rolled back.
"""

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect

from config.errors import DomainError


def adopt(target, source) -> None:
    """Make the admin's unsaved form instance become the object a service created.

    The admin goes on to log, message and redirect with the instance it built from the form; copying
    the saved state onto it (primary key included) lets those steps see what the service wrote.
    """
    target.__dict__.update(source.__dict__)


def scoped_choices(admin_site, model, request):
    """Objects of `model` the user may pick in a form: its model admin's scoped queryset, else none."""
    try:
        return admin_site.get_model_admin(model).get_queryset(request)
    except NotRegistered:
        return model._default_manager.none()


def related_count(model, field: str, **filters):
    """Rows of `model` pointing at the outer row, as a subquery (no join fan-out, no per-row query)."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class AnnotatedChangeList(ChangeList):
    """Adds a model admin's per-row aggregates to its changelist only, not to change views or choices."""

    def get_queryset(self, request, exclude_parameters=None):
        return self.model_admin.annotate_changelist(super().get_queryset(request, exclude_parameters))


class ScopedRelatedFilter(admin.SimpleListFilter):
    """Filter by a related object among those the user administers.

    Django's own related filter would list every workspace's objects; this one offers, and accepts, only
    the related model admin's scoped queryset. Subclasses set `title`, `parameter_name` and
    `field_path` (e.g. "record__dataset").
    """

    field_path = ""

    def lookups(self, request, model_admin):
        related = get_fields_from_path(model_admin.model, self.field_path)[-1].related_model
        return [(str(obj.pk), str(obj)) for obj in scoped_choices(model_admin.admin_site, related, request)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in {key for key, _ in self.lookup_choices}:
            return queryset.none()
        return queryset.filter(**{f"{self.field_path}_id": value})


class DomainErrorsAsMessages:
    """Show a service's refusal as an error message instead of a server error.

    The exception leaves Django's `transaction.atomic()` around the view first, so whatever the request
    had written is rolled back; the user lands back on the page they submitted.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class TenantAdmin(DomainErrorsAsMessages, admin.ModelAdmin):
    """A model admin scoped to the workspaces the user administers (owners: all of them).

    Permissions come from tenancy: anyone allowed into the site may work on the objects of their own
    workspaces; an object outside `get_queryset()` is neither viewable, changeable nor deletable.
    Subclasses whose model has no `administered_by` queryset override `get_queryset`.
    """

    show_full_result_count = False
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).administered_by(request.user)

    def get_changelist(self, request, **kwargs):
        return AnnotatedChangeList

    # Columns the changelist never shows (large JSON): left unread when drawing a page.
    changelist_defer: tuple[str, ...] = ()

    def annotate_changelist(self, queryset):
        """Per-row aggregates for the changelist columns (one query for the page, not one per row)."""
        return queryset.defer(*self.changelist_defer) if self.changelist_defer else queryset

    def is_administered(self, request, obj) -> bool:
        if not self.admin_site.has_permission(request):
            return False
        if obj is None:
            return True
        cache = request.__dict__.setdefault("_administered_objects", {})
        key = (obj._meta.label, obj.pk)
        if key not in cache:
            cache[key] = self.get_queryset(request).filter(pk=obj.pk).exists()
        return cache[key]

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.is_administered(request, obj)

    def has_add_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.is_administered(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.is_administered(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", scoped_choices(self.admin_site, db_field.related_model, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyMixin:
    """Viewable (within scope) but never added, changed or deleted through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TenantInline:
    """Inline rows live under a parent the user already reached through a scoped queryset."""

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", scoped_choices(self.admin_site, db_field.related_model, request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FrozenOnExistingForm:
    """A form mixin: the fields in `frozen_on_existing` are shown but not editable on saved rows.

    Used where a service may change only part of a saved object (e.g. a field's title, not its name).
    """

    frozen_on_existing: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            for name in self.frozen_on_existing:
                if name in self.fields:
                    self.fields[name].disabled = True


def domain_error_to_validation(func, *args, **kwargs):
    """Run a pure validation rule and turn its `DomainError` into a form `ValidationError`."""
    try:
        return func(*args, **kwargs)
    except DomainError as exc:
        raise ValidationError(exc.message, code=exc.code) from None
