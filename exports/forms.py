"""Portal forms for starting exports and imports (DESIGN §5, §6).

They only parse the page's input into what the services take; the services check everything
against the datasets (access, schema, options) and the views show their errors on the form.
"""

from django import forms

from config.errors import DomainError
from config.ids import uuid_or_none
from labeling.models import Dataset, Question, Response

from .models import ExportJob, ImportJob
from .pipeline.options import GROUP_BY, REVIEW_STATUSES
from .reconcile import RATING_AGGREGATES, TEXT_STRATEGIES

REVIEW_STATUS_LABELS = {
    "accepted_only": "Accepted answers only",
    "not_rejected": "All but rejected answers",
    "any": "Any answer, reviewed or not",
}

TEXT_STRATEGY_LABELS = {
    "all": "All: one example per submitted response",
    "first": "First submitted",
    "latest": "Latest submitted",
    "longest": "Longest",
    "random": "Random (seeded)",
    "best_rated": "Best rated (by a rating question)",
}


class DatasetIdsField(forms.MultipleChoiceField):
    """Dataset ids, offered from the user's administered datasets.

    Any well-formed id is accepted here: the service looks it up within the user's workspaces, so a
    foreign id is the same 404 as in the API rather than a form error that would confirm nothing.
    """

    def valid_value(self, value) -> bool:
        return uuid_or_none(value) is not None


class OptionalJSONField(forms.JSONField):
    """A JSON input that shows nothing, rather than the text `null`, when it has no value."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class SchemaSelect(forms.Select):
    """A select of schema names; each option says which datasets have it (`data-datasets`), so the page's script
    offers only the names every chosen dataset has."""

    def __init__(self, *args, owners: dict[str, list[str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = owners or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.owners:
            option["attrs"]["data-datasets"] = " ".join(self.owners[value])
        return option


def schema_choice(default: str, **kwargs) -> forms.ChoiceField:
    """A choice among the datasets' own names (filled in by ExportForm), empty meaning `default`."""
    return forms.ChoiceField(required=False, choices=[("", default)], widget=SchemaSelect, **kwargs)


class ExportForm(forms.Form):
    datasets = DatasetIdsField(
        widget=forms.CheckboxSelectMultiple,
        help_text="Several datasets (e.g. the same one in several labelers' workspaces) go into one file; "
                  "they must share one schema.",
    )
    format = forms.ChoiceField(choices=ExportJob.Format.choices, initial=ExportJob.Format.SFT_MESSAGES)
    prompt_field = schema_choice("Default: the only field", help_text="The field shown to labelers as the prompt.")
    input_field = schema_choice("None", help_text="Optional: a field exported as alpaca's input.")
    demonstration_question = schema_choice("Default: the only text question",
                                           help_text="The text question whose answers are the completions.")
    system_prompt = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text="Optional: put first in every conversation (sft-messages).")
    response_status = forms.MultipleChoiceField(
        choices=Response.Status.choices, initial=[Response.Status.SUBMITTED], widget=forms.CheckboxSelectMultiple,
    )
    review_status = forms.ChoiceField(
        required=False, label="Review",
        choices=[("", "Default: all but rejected when a dataset has review on, else any"),
                 *[(s, REVIEW_STATUS_LABELS[s]) for s in REVIEW_STATUSES]],
        help_text="Which answers the review lets through; a reviewed answer is exported as its latest accepted version.",
    )
    completed_only = forms.BooleanField(required=False, label="Completed records only")
    metadata_filter = OptionalJSONField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "placeholder": '{"topic": "maths"}'}),
        help_text='Optional JSON: {"topic": "maths"}, {"topic": ["a", "b"]} or {"level": {"min": 2, "max": 4}}.',
    )
    min_rating_question = schema_choice("None", label="Minimum rating: question",
                                        help_text="Keep prompts whose reconciled rating reaches the value.")
    min_rating_value = forms.FloatField(required=False, label="Minimum rating: value",
                                        widget=forms.NumberInput(attrs={"step": "any"}))
    text_strategy = forms.ChoiceField(choices=[(s, TEXT_STRATEGY_LABELS[s]) for s in TEXT_STRATEGIES], initial="all",
                                      label="Reconcile overlapping demonstrations")
    rating_question = schema_choice("None", help_text="The rating 'best rated' ranks by.")
    rating_aggregate = forms.ChoiceField(choices=[(a, a) for a in RATING_AGGREGATES], initial="mean")
    seed = forms.IntegerField(required=False, initial=0, help_text="Seed of the random strategy.")
    dedupe = forms.BooleanField(required=False, label="Drop duplicate prompts")
    test_size = forms.FloatField(required=False, min_value=0, max_value=1,
                                 widget=forms.NumberInput(attrs={"step": "0.05", "placeholder": "0.1"}),
                                 help_text="e.g. 0.1 holds out 10% of the groups as a test split; empty: no split.")
    split_seed = forms.IntegerField(required=False, initial=0, help_text="Seed of the split.")
    group_by = forms.ChoiceField(
        required=False, choices=[("", "Default: external id when every record has one"), *[(g, g) for g in GROUP_BY]],
        label="Consolidate answers by", help_text="Answers of one group, across datasets, are reconciled together.",
    )
    stratify_by = schema_choice("None", label="Stratify by",
                                help_text="A metadata property whose category shares the split keeps.")

    def __init__(self, *args, datasets: list[Dataset], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datasets"].choices = [(str(d.pk), f"{d.workspace.name} / {d.name}") for d in datasets]
        fields = _owners(datasets, lambda d: d.fields.all())
        texts = _owners(datasets, lambda d: [q for q in d.questions.all() if q.type == Question.Type.TEXT])
        ratings = _owners(datasets, lambda d: [q for q in d.questions.all() if q.type == Question.Type.RATING])
        properties = _owners(datasets, lambda d: d.metadata_properties.all())
        for name, owners in (("prompt_field", fields), ("input_field", fields), ("demonstration_question", texts),
                             ("rating_question", ratings), ("min_rating_question", ratings), ("stratify_by", properties)):
            field = self.fields[name]
            field.choices = [field.choices[0], *[(value, value) for value in owners]]
            field.widget.owners = owners

    def clean(self):
        data = super().clean()
        has_question = bool(data.get("min_rating_question"))
        if has_question != (data.get("min_rating_value") is not None):
            self.add_error("min_rating_value", "Give both the rating question and the minimum value, or neither.")
        return data

    def options(self) -> dict:
        """The export options (DESIGN §5) as the service takes them; empty inputs keep its defaults."""
        data = self.cleaned_data
        options = {name: data[name] for name in ("prompt_field", "input_field", "demonstration_question",
                                                 "system_prompt", "rating_question", "group_by", "stratify_by",
                                                 "review_status")
                   if data[name]}
        options.update(
            response_status=data["response_status"], completed_only=data["completed_only"], dedupe=data["dedupe"],
            text_strategy=data["text_strategy"], rating_aggregate=data["rating_aggregate"],
        )
        for name in ("seed", "split_seed", "test_size"):
            if data[name] is not None:
                options[name] = data[name]
        if data["metadata_filter"]:
            options["metadata_filter"] = data["metadata_filter"]
        if data["min_rating_question"]:
            options["min_rating"] = {"question": data["min_rating_question"], "value": data["min_rating_value"]}
        return options


class ImportForm(forms.Form):
    """An upload for one dataset; `column:<target>` inputs say which file column feeds each target."""

    file = forms.FileField(help_text="CSV, JSON lines (.jsonl), a JSON array (.json) or Parquet.")
    format = forms.ChoiceField(choices=[("", "From the file name")] + ImportJob.Format.choices, required=False)
    on_error = forms.ChoiceField(choices=ImportJob.OnError.choices, initial=ImportJob.OnError.REJECT,
                                 widget=forms.RadioSelect, label="When some rows are bad")
    ignore = forms.CharField(required=False, max_length=2000, label="Columns to ignore",
                             help_text="Comma-separated names of file columns that feed nothing.")

    def __init__(self, *args, targets: list[tuple[str, str]], **kwargs):
        """`targets`: (target, default column) pairs, e.g. ("prompt", "prompt"), ("metadata.topic", "topic")."""
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target, column in targets:
            self.fields[f"column:{target}"] = forms.CharField(
                required=False, max_length=200, initial=column, label=target,
                help_text="The file's column for this; empty if the file has none.",
            )

    def target_fields(self):
        return [self[f"column:{target}"] for target, _ in self.targets]

    def mapping(self) -> dict:
        """{file column: target} for columns named differently from the default, plus {column: None} to ignore."""
        data = self.cleaned_data
        mapping = {}
        for target, default in self.targets:
            column = data[f"column:{target}"].strip()
            if column and column != default:
                mapping[column] = target
        for column in (c.strip() for c in data["ignore"].split(",")):
            if column:
                mapping[column] = None
        return mapping


def _owners(datasets: list[Dataset], items) -> dict[str, list[str]]:
    """{name: ids of the datasets that have it} over `items(dataset)` (named schema objects), in schema order."""
    owners: dict[str, list[str]] = {}
    for dataset in datasets:
        for item in items(dataset):
            owners.setdefault(item.name, []).append(str(dataset.pk))
    return owners


def import_form(dataset, *args) -> ImportForm:
    """The import form with a target choice for each field, external_id and each metadata property of `dataset`."""
    targets = [(f.name, f.name) for f in dataset.fields.all()] + [("external_id", "external_id")]
    targets += [(f"metadata.{p.name}", p.name) for p in dataset.metadata_properties.all()]
    return ImportForm(*args, targets=targets)


# Where a service names the export option at fault (details["field"]), and the form input that holds it.
OPTION_INPUTS = {"options.min_rating": "min_rating_question", "datasets": "datasets", "format": "format"}


def show_error(form, error: DomainError) -> int:
    """Put a service error on the input it names (else on the whole form); return its HTTP status."""
    field = (error.details or {}).get("field") or ""
    name = OPTION_INPUTS.get(field) or field.removeprefix("options.")
    form.add_error(name if name in form.fields else None, error.message)
    return error.http_status
