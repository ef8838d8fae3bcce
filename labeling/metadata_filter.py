"""The one rule for narrowing records by their metadata (DESIGN §4, §9).

Used by the records API, the distribution, exports and the Argilla layer. A filter maps metadata
names to a value, a list of values (any of them) or a range `{"min", "max"}`. Names are checked
against the dataset's metadata properties and values converted to the property's type; a name
never becomes part of an ORM lookup string (it is a JSON key under an alias of our own), so a name
such as `prompt__regex` or `a__contains` can only ever mean a metadata key of that spelling.

Names the schema does not declare are refused, except where the caller accepts them
(`allow_undeclared`): the distribution and exports filter on any key a dataset with
`allow_extra_metadata` stores, by equality on the value as given.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import ExpressionWrapper, F, JSONField, Q, QuerySet
from django.db.models.fields.json import KeyTransform

from config.errors import InvalidInput

from .models import MetadataProperty

MAX_NAME_LENGTH = 200
MAX_VALUES = 1_000
RANGE_KEYS = frozenset({"min", "max"})
NUMERIC = {MetadataProperty.Type.INTEGER: int, MetadataProperty.Type.FLOAT: float}


@dataclass(frozen=True)
class MetadataCondition:
    """Records whose metadata `name` equals one of `values`, or lies within [minimum, maximum]."""

    name: str
    values: tuple = ()
    minimum: Any = None
    maximum: Any = None


def metadata_types(datasets: Sequence) -> dict[str, str]:
    """{name: type} of the metadata properties the datasets declare (one query)."""
    return dict(
        MetadataProperty.objects.filter(dataset__in=[d.pk for d in datasets]).values_list("name", "type")
    )


def metadata_conditions(raw: Any, *, types: Mapping[str, str], allow_undeclared: bool = False,
                        field: str = "metadata") -> list[MetadataCondition]:
    """Check a filter against the schema and return its conditions; InvalidInput names the bad entry.

    `field` is the option or parameter the filter came in, used in messages and `details["field"]`.
    """
    if not isinstance(raw, Mapping):
        raise _invalid(f"'{field}' maps metadata names to a value, a list of values or {{\"min\", \"max\"}}.", field)
    conditions = []
    for name, spec in raw.items():
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH or "\x00" in name:
            raise _invalid("Metadata filter names are non-empty strings.", field)
        prop_type = types.get(name)
        if prop_type is None and not allow_undeclared:
            raise _invalid(f"'{name}' is not a metadata property of this dataset.", f"{field}.{name}")
        conditions.append(_condition(name, spec, prop_type, field))
    return conditions


def _condition(name: str, spec: Any, prop_type: str | None, field: str) -> MetadataCondition:
    if isinstance(spec, Mapping):
        if not spec or set(spec) - RANGE_KEYS:
            raise _invalid(f"The range for metadata '{name}' takes 'min' and/or 'max'.", f"{field}.{name}")
        bounds = {key: None if spec.get(key) is None else _number(name, spec[key], prop_type, field)
                  for key in ("min", "max")}
        return MetadataCondition(name, minimum=bounds["min"], maximum=bounds["max"])
    values = spec if isinstance(spec, list) else [spec]
    if not values or len(values) > MAX_VALUES:
        raise _invalid(f"The list of values for metadata '{name}' takes 1 to {MAX_VALUES} values.", f"{field}.{name}")
    return MetadataCondition(name, values=tuple(_value(name, value, prop_type, field) for value in values))


def _value(name: str, value: Any, prop_type: str | None, field: str) -> Any:
    if not isinstance(value, (str, int, float)):
        raise _invalid(f"Metadata filter '{name}' takes a string or a number.", f"{field}.{name}")
    if isinstance(value, str) and "\x00" in value:
        raise _invalid(f"Metadata filter '{name}' contains a NUL character.", f"{field}.{name}")
    if prop_type in NUMERIC:
        return _number(name, value, prop_type, field)
    return value


def _number(name: str, value: Any, prop_type: str | None, field: str) -> int | float:
    convert = NUMERIC.get(prop_type, float)
    kind = {MetadataProperty.Type.INTEGER: "an integer", MetadataProperty.Type.FLOAT: "a number"}.get(prop_type, "a number")
    if not isinstance(value, bool):
        try:
            return convert(value)
        except (TypeError, ValueError, OverflowError):
            pass
    raise _invalid(f"metadata.{name} takes {kind}.", f"{field}.{name}")


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, details={"field": field})


def metadata_q(conditions: Sequence[MetadataCondition]) -> Q:
    """The conditions as one Q, for callers that combine it with other conditions."""
    combined = Q()
    for condition in conditions:
        # The column's type is given up front so that the lookups adapt their values as JSON, as they
        # do when the ORM resolves a `metadata__...` path.
        key = KeyTransform(condition.name, ExpressionWrapper(F("metadata"), output_field=JSONField()))
        if condition.values:
            combined &= Q(key.get_lookup("in")(key, list(condition.values)))
        if condition.minimum is not None:
            combined &= Q(key.get_lookup("gte")(key, condition.minimum))
        if condition.maximum is not None:
            combined &= Q(key.get_lookup("lte")(key, condition.maximum))
    return combined


def metadata_filter(records: QuerySet, conditions: Sequence[MetadataCondition]) -> QuerySet:
    """Narrow a records queryset to those matching every condition."""
    return records.filter(metadata_q(conditions)) if conditions else records
