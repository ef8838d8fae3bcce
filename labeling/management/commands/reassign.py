from django.core.management.base import BaseCommand, CommandError

from config.errors import DomainError
from labeling.access import operator_access
from labeling.services.distribution import assignments_reassign

from .distribute import dataset_from_path, names


class Command(BaseCommand):
    help = (
        "Move a labeler's unanswered records in WORKSPACE/DATASET to other annotators, balanced, never to "
        "someone who already holds the record (issue 5)."
    )

    def add_arguments(self, parser):
        parser.add_argument("dataset", help="WORKSPACE/DATASET")
        parser.add_argument("--from", dest="from_user", required=True, help="Username of the labeler giving records up.")
        parser.add_argument("--to", dest="to_users", type=names,
                            help="Comma-separated usernames to take them over (default: every other annotator).")
        parser.add_argument("--keep-drafts", action="store_true", help="Leave records they hold a draft of with them.")

    def handle(self, *args, dataset: str, from_user: str, to_users, keep_drafts: bool, **options):
        target = dataset_from_path(dataset)
        try:
            result = assignments_reassign(
                access=operator_access(target), from_user=from_user, to_users=to_users, keep_drafts=keep_drafts
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{dataset}: moved {result.moved} records from {result.from_user}; kept {result.kept_answered} they "
            f"answered and {result.kept_held_by_all} every other annotator already holds."
        )
        for username, count in result.per_annotator.items():
            self.stdout.write(f"  {username}: +{count}")
