from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from labeling.access import operator_access
from labeling.models import Dataset
from labeling.services.distribution import assignments_distribute


def dataset_from_path(path: str) -> Dataset:
    """The dataset named `WORKSPACE/DATASET` (the operator runs commands with full access)."""
    workspace, _, name = path.partition("/")
    if not workspace or not name:
        raise CommandError("Name the dataset as WORKSPACE/DATASET.")
    try:
        return Dataset.objects.select_related("workspace").get(workspace__name=workspace, name=name)
    except Dataset.DoesNotExist:
        raise CommandError(f"No dataset '{path}'.") from None


def names(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def metadata_filters(filters: list[str]) -> dict:
    """`metadata.NAME=VALUE` options as {NAME: VALUE}; the same NAME twice matches either value."""
    metadata: dict[str, list[str]] = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep or not key.startswith("metadata.") or len(key) <= len("metadata."):
            raise CommandError(f"--filter takes metadata.NAME=VALUE, not '{item}'.")
        metadata.setdefault(key[len("metadata."):], []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in metadata.items()}


class Command(BaseCommand):
    help = (
        "Give each selected record of WORKSPACE/DATASET --per-record distinct annotators, balancing loads "
        "(issue 5). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="WORKSPACE/DATASET")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--annotators", type=names, help="Comma-separated usernames of the workspace's annotators.")
        who.add_argument("--all", action="store_true", help="Every annotator of the workspace.")
        parser.add_argument("--per-record", type=int, required=True, help="Distinct annotators per record (k).")
        parser.add_argument("--filter", action="append", default=[], metavar="metadata.NAME=VALUE",
                            help="Only records whose metadata match; repeat to combine.")
        parser.add_argument("--only-unassigned", action="store_true", help="Only records without any assignment.")

    def handle(self, *args, dataset: str, annotators, per_record: int, filter: list[str], only_unassigned: bool,
               **options):
        target = dataset_from_path(dataset)
        try:
            result = assignments_distribute(
                access=operator_access(target), per_record=per_record, annotators=annotators,
                metadata=metadata_filters(filter) or None, only_unassigned=only_unassigned,
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{dataset}: {result.records_selected} records selected, {result.records_topped_up} given more "
            f"annotators, {result.created} assignments created."
        )
        for username, load in result.loads.items():
            self.stdout.write(f"  {username}: +{result.per_annotator.get(username, 0)} (holds {load})")
        if result.records_short:
            self.stdout.write(
                f"Routing by skill: {result.records_short} records still lack annotators; "
                f"{result.records_unroutable} match no chosen annotator's skills (first: "
                f"{', '.join(result.unroutable_record_ids[:5]) or 'none'})."
            )
