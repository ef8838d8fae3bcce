"""Admin actions for workload distribution (issue 5; DESIGN §4, §6).

Records changelist: "Distribute selected records…". Datasets changelist and the dataset page:
"Distribute records…", "Reassign a labeler's records…", "Unassign…".

Each action takes two steps on the changelist URL. The action menu's POST renders an intermediate
form that carries the selection (ids, "select all" flag, and the changelist filters through the URL);
the form posts back with `apply` and, once valid, calls one service of `labeling.services.distribution` and
reports the service's summary as a message. The objects come from the changelist's scoped queryset,
so a selected id outside the user's workspaces refuses the whole action; the form's choices come from
the dataset's workspace, so a posted foreign user id fails validation. A service's refusal
(`DomainError`) is shown as an error message with the form kept, and its transaction has written
nothing.
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.response import TemplateResponse

from accounts import tenancy
from accounts.models import User
from config.errors import DomainError
from config.ids import uuid_or_none

from .models import Assignment, Dataset
from .selectors.lookups import dataset_access_for
from .services.distribution import assignments_distribute, assignments_reassign, assignments_unassign

APPLY = "apply"
TEMPLATE = "admin/action_form.html"


# --- choices -------------------------------------------------------------------------------------


def _with_loads(users: QuerySet, dataset: Dataset) -> QuerySet:
    """Users with `held`: how many records of the dataset each already holds (one grouped query)."""
    return users.annotate(held=Count("assignments", filter=Q(assignments__record__dataset=dataset))).order_by(
        "username"
    )


def workspace_annotators(dataset: Dataset) -> QuerySet:
    """Who may receive the dataset's records: active annotators of its workspace."""
    return _with_loads(User.objects.filter(pk__in=tenancy.annotator_ids(dataset.workspace_id), is_active=True), dataset)


def dataset_holders(dataset: Dataset) -> QuerySet:
    """Users holding assignments in the dataset (they may have left the workspace since)."""
    return _with_loads(User.objects.filter(pk__in=Assignment.objects.filter(record__dataset=dataset).values("user_id")),
                       dataset)


def _user_label(user: User) -> str:
    return f"{user.username} (holds {user.held})"


def _users_field(queryset: QuerySet, **kwargs) -> forms.ModelMultipleChoiceField:
    field = forms.ModelMultipleChoiceField(queryset=queryset, widget=forms.CheckboxSelectMultiple, **kwargs)
    field.label_from_instance = _user_label
    return field


def _ids(users) -> list[str] | None:
    return [str(user.pk) for user in users] or None


# --- forms ---------------------------------------------------------------------------------------


class DistributeForm(forms.Form):
    """Annotators and k for the selected records of one dataset."""

    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annotators"] = _users_field(
            workspace_annotators(dataset),
            required=False,
            help_text=f"Annotators of the workspace '{dataset.workspace.name}'; none ticked means all of them. "
            "The count is what each already holds in this dataset.",
        )
        self.fields["per_record"] = forms.IntegerField(
            label="Annotators per record (k)",
            min_value=1,
            initial=dataset.min_submitted,
            help_text="Each record ends up with this many distinct annotators; records keep what they hold and "
            "only get what they lack.",
        )
        self.order_fields(self.field_order)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"annotators": _ids(data["annotators"]), "per_record": data["per_record"]}


class DatasetDistributeForm(DistributeForm):
    """Distribution over a whole dataset: all records or only unassigned ones, optionally filtered by metadata."""

    records = forms.ChoiceField(
        choices=[("all", "All records"), ("unassigned", "Only records nobody holds yet")],
        initial="all",
        widget=forms.RadioSelect,
    )
    metadata = forms.CharField(
        label="Metadata filter",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="Optional, one name=value per line, e.g. category=card_arrival. Records must match every "
        "name; the same name twice matches either value.",
    )

    field_order = ("records", "metadata", "annotators", "per_record")

    def clean_metadata(self) -> dict:
        filters: dict[str, list[str]] = {}
        for line in self.cleaned_data["metadata"].splitlines():
            if not line.strip():
                continue
            name, sep, value = (part.strip() for part in line.partition("="))
            if not sep or not name:
                raise ValidationError(f"Write each filter as name=value, not '{line.strip()}'.")
            filters.setdefault(name, []).append(value)
        return {name: values[0] if len(values) == 1 else values for name, values in filters.items()}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_arguments(),
            "metadata": data["metadata"] or None,
            "only_unassigned": data["records"] == "unassigned",
        }


class ReassignForm(forms.Form):
    keep_drafts = forms.BooleanField(
        required=False, help_text="Records on which the labeler has a draft stay theirs."
    )

    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        from_user = forms.ModelChoiceField(
            queryset=dataset_holders(dataset),
            label="From",
            help_text="Their records not yet submitted or discarded move to others.",
        )
        from_user.label_from_instance = _user_label
        self.fields["from_user"] = from_user
        self.fields["to_users"] = _users_field(
            workspace_annotators(dataset),
            label="To",
            required=False,
            help_text="None ticked means every other annotator of the workspace. Loads stay balanced; nobody "
            "gets a record they already hold.",
        )
        self.order_fields(["from_user", "to_users", "keep_drafts"])

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "from_user": str(data["from_user"].pk),
            "to_users": _ids(data["to_users"]),
            "keep_drafts": data["keep_drafts"],
        }


class UnassignForm(forms.Form):
    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"] = _users_field(
            dataset_holders(dataset),
            help_text="Their assignments in this dataset go, except on records they have answered or drafted.",
        )

    def service_arguments(self) -> dict:
        return {"users": _ids(self.cleaned_data["users"])}


# --- steps shared by the actions -----------------------------------------------------------------


def _select_across(request) -> bool:
    return forms.BooleanField(required=False).clean(request.POST.get("select_across"))


def selection_refused(modeladmin, request, queryset: QuerySet, noun: str) -> bool:
    """Refuse (with a message) a selection holding ids the changelist's scoped queryset does not contain.

    Django silently drops such ids; acting on the rest would do something other than what was asked.
    """
    if _select_across(request):
        return False
    wanted = {uuid_or_none(value) for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)}
    if None in wanted:
        wanted = None
    if wanted is not None and queryset.count() == len(wanted):
        return False
    modeladmin.message_user(
        request,
        f"Some selected {noun} do not exist or are not yours to manage. Nothing was changed; reload the list "
        "and select again.",
        messages.ERROR,
    )
    return True


def one_dataset(modeladmin, request, queryset: QuerySet) -> Dataset | None:
    """The single dataset a dataset action works on, or None (with a message) for any other selection."""
    if selection_refused(modeladmin, request, queryset, "datasets"):
        return None
    chosen = list(queryset.select_related("workspace")[:2])
    if len(chosen) != 1:
        modeladmin.message_user(request, "Select exactly one dataset for this action.", messages.WARNING)
        return None
    return chosen[0]


def _summary(result) -> str:
    parts = []
    for key, value in result.as_dict().items():
        if isinstance(value, dict):
            value = ", ".join(f"{name} {count}" for name, count in value.items()) or "none"
        elif isinstance(value, list):
            value = ", ".join(value) or "none"
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


def _apply(modeladmin, request, dataset: Dataset, what: str, service: Callable, changed: str, **arguments) -> bool:
    """Run one service on the dataset; report its summary, or its refusal. True once it has run."""
    try:
        result = service(access=dataset_access_for(user=request.user, dataset=dataset), **arguments)
    except DomainError as exc:
        modeladmin.message_user(request, f"{exc.message} Nothing was changed.", messages.ERROR)
        return False
    level = messages.SUCCESS if getattr(result, changed) else messages.INFO
    outcome = "" if getattr(result, changed) else " Nothing needed changing."
    modeladmin.message_user(request, f"{what} in '{dataset.name}' — {_summary(result)}.{outcome}", level)
    return True


def render_action_form(modeladmin, request, *, title: str, form: forms.Form, facts: list[str], submit: str,
                       status: int = 200):
    """The intermediate page of an admin action that asks for a form first (shared with exports)."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "facts": facts,
        "submit_label": submit,
        "action_name": request.POST.get("action", ""),
        "checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": _select_across(request),
        "apply_name": APPLY,
        "back_url": request.get_full_path(),
    }
    return TemplateResponse(request, TEMPLATE, context, status=status)


def _bound(form_class, request, dataset: Dataset, **kwargs):
    """The action's form: bound to the POST once the intermediate page is submitted, blank before."""
    return form_class(request.POST if APPLY in request.POST else None, dataset=dataset, **kwargs)


def _assignment_facts(dataset: Dataset) -> list[str]:
    assignments = Assignment.objects.filter(record__dataset=dataset)
    records = dataset.records.all()
    held = records.filter(Exists(Assignment.objects.filter(record_id=OuterRef("pk"))))
    return [
        f"Dataset '{dataset.name}' in workspace '{dataset.workspace.name}' ({dataset.get_distribution_display()}).",
        f"{records.count()} records, {held.count()} of them assigned; {assignments.count()} assignments in all.",
    ]


# --- actions -------------------------------------------------------------------------------------


@admin.action(description="Distribute selected records…", permissions=["change"])
def distribute_selected_records(modeladmin, request, queryset):
    """Give each selected record k distinct annotators of its workspace, balancing loads."""
    if selection_refused(modeladmin, request, queryset, "records"):
        return None
    dataset_ids = list(queryset.order_by().values_list("dataset_id", flat=True).distinct()[:2])
    if len(dataset_ids) != 1:
        modeladmin.message_user(
            request,
            "The selected records belong to several datasets. Distribute one dataset's records at a time: "
            "filter the list by dataset first. Nothing was changed.",
            messages.ERROR,
        )
        return None
    dataset = Dataset.objects.administered_by(request.user).select_related("workspace").get(pk=dataset_ids[0])
    form = _bound(DistributeForm, request, dataset)
    if form.is_bound and form.is_valid():
        record_ids = list(queryset.values_list("pk", flat=True))
        what = "Distributed the selected records"
        arguments = {"record_ids": record_ids, **form.service_arguments()}
        if _apply(modeladmin, request, dataset, what, assignments_distribute, "created", **arguments):
            return None
    count = queryset.count()
    return render_action_form(
        modeladmin,
        request,
        title="Distribute selected records",
        form=form,
        facts=[f"{count} selected record(s) of the dataset '{dataset.name}' (workspace '{dataset.workspace.name}')."],
        submit="Distribute",
    )


def _needs_holders(modeladmin, request, dataset: Dataset) -> bool:
    if Assignment.objects.filter(record__dataset=dataset).exists():
        return True
    modeladmin.message_user(
        request, f"Nobody holds records of '{dataset.name}' yet; distribute them first.", messages.WARNING
    )
    return False


def _dataset_action(modeladmin, request, queryset, *, form_class, service, what, changed, title, submit,
                    needs_holders=False):
    """One dataset, its form, then its service: the steps every dataset action shares."""
    dataset = one_dataset(modeladmin, request, queryset)
    if dataset is None or (needs_holders and not _needs_holders(modeladmin, request, dataset)):
        return None
    form = _bound(form_class, request, dataset)
    if form.is_bound and form.is_valid():
        if _apply(modeladmin, request, dataset, what, service, changed, **form.service_arguments()):
            return None
    return render_action_form(modeladmin, request, title=title, form=form, facts=_assignment_facts(dataset), submit=submit)


@admin.action(description="Distribute records…", permissions=["change"])
def distribute_dataset_records(modeladmin, request, queryset):
    """Give the dataset's records (all, unassigned, or matching a metadata filter) k distinct annotators."""
    return _dataset_action(
        modeladmin, request, queryset, form_class=DatasetDistributeForm, service=assignments_distribute,
        what="Distributed records", changed="created", title="Distribute records", submit="Distribute",
    )


@admin.action(description="Reassign a labeler's records…", permissions=["change"])
def reassign_dataset_records(modeladmin, request, queryset):
    """Move a labeler's unanswered records of the dataset to other annotators."""
    return _dataset_action(
        modeladmin, request, queryset, form_class=ReassignForm, service=assignments_reassign,
        what="Reassigned records", changed="moved", title="Reassign a labeler's records", submit="Reassign",
        needs_holders=True,
    )


@admin.action(description="Unassign…", permissions=["change"])
def unassign_dataset_records(modeladmin, request, queryset):
    """Remove the chosen users' assignments in the dataset that have no response yet."""
    return _dataset_action(
        modeladmin, request, queryset, form_class=UnassignForm, service=assignments_unassign,
        what="Unassigned", changed="removed", title="Unassign records", submit="Unassign", needs_holders=True,
    )


RECORD_ACTIONS = (distribute_selected_records,)
DATASET_ACTIONS = (distribute_dataset_records, reassign_dataset_records, unassign_dataset_records)
